/* attendant-console-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-console-view"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-console-view.h"
#include "attendant-enum-types.h"
#include "attendant-error.h"
#include "attendant-slot-model.h"

/* The switchboard: waiting calls, the attendant's own calls and the
 * directory, side by side. Everything it shows comes from
 * AttendantConsole; everything it does goes through
 * attendant_console_run_async(), and the result shows only when the
 * server's events and reply confirm it.
 *
 * The keyboard works from anywhere in the window: the "console." actions
 * have function keys, which no text field takes for itself, so a search
 * in progress never stops F2 from answering. */
struct _AttendantConsoleView
{
  GtkWidget           parent_instance;

  AttendantConsole   *console;
  GSimpleActionGroup *actions;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  /* the filtered directory through positions that stay (see
   * attendant-slot-model.c): a search updates the rows on screen instead
   * of replacing them */
  AttendantSlotModel *directory_slots;
  GtkSingleSelection *queue_selection;
  GtkSingleSelection *calls_selection;
  GtkSingleSelection *directory_selection;
  char              **terms;
  /* rows on screen, ticked every second for their live times */
  GHashTable         *live_rows;
  /* directory rows on screen, whose buttons follow the call in hand */
  GHashTable         *contact_rows;
  guint               tick_id;
  GCancellable       *cancellable;
  /* the wait-warning-seconds and wait-alert-seconds keys */
  GSettings          *settings;
  guint               wait_warning;
  guint               wait_alert;

  GtkPaned           *paned;
  GtkLabel           *queue_count;
  GtkStack           *queue_stack;
  GtkListView        *queue_view;
  GtkStack           *calls_stack;
  GtkListView        *calls_view;
  GtkLabel           *directory_count;
  GtkSearchEntry     *search_entry;
  GtkLabel           *transfer_hint;
  GtkStack           *directory_stack;
  GtkListView        *directory_view;
};

G_DEFINE_FINAL_TYPE (AttendantConsoleView, attendant_console_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONSOLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_actions (AttendantConsoleView *self);
static gboolean consulting (AttendantConsoleView *self);
static void on_calls_changed (AttendantConsoleView *self,
                              guint                 position,
                              guint                 removed,
                              guint                 added);

/* {{{ Words */

static char *
format_duration (gint64 since_us)
{
  gint64 seconds = since_us > 0 ? (g_get_real_time () - since_us) / G_USEC_PER_SEC : 0;

  if (seconds < 0)
    seconds = 0;
  if (seconds >= 3600)
    return g_strdup_printf ("%d:%02d:%02d", (int)(seconds / 3600), (int)(seconds / 60 % 60), (int)(seconds % 60));
  return g_strdup_printf ("%d:%02d", (int)(seconds / 60), (int)(seconds % 60));
}

static const char *
presence_label (AttendantPresence presence)
{
  switch (presence)
    {
    case ATTENDANT_PRESENCE_AVAILABLE: return _("Available");
    case ATTENDANT_PRESENCE_BUSY:      return _("On a call");
    case ATTENDANT_PRESENCE_RINGING:   return _("Ringing");
    case ATTENDANT_PRESENCE_AWAY:      return _("Away");
    case ATTENDANT_PRESENCE_DND:       return _("Do not disturb");
    case ATTENDANT_PRESENCE_OFFLINE:
    default:                           return _("Offline");
    }
}

static char *
describe_party (AttendantConsole *console,
                const char       *number)
{
  AttendantContact *contact;

  if (number == NULL)
    return g_strdup ("");

  contact = attendant_directory_lookup_number (attendant_console_get_directory (console), number);
  if (contact != NULL && attendant_contact_get_name (contact) != NULL)
    /* TRANSLATORS: a colleague's name and extension, as in "Bruno Bianchi (201)" */
    return g_strdup_printf (_("%s (%s)"), attendant_contact_get_name (contact), number);

  return g_strdup (number);
}

static char *
describe_state (AttendantConsole *console,
                AttendantCall    *call)
{
  g_autofree char *peer = describe_party (console, attendant_call_get_peer (call));

  switch (attendant_call_get_state (call))
    {
    case ATTENDANT_CALL_STATE_QUEUED:
      return g_strdup (_("Waiting"));
    case ATTENDANT_CALL_STATE_RINGING:
      return g_strdup (attendant_call_get_recalled (call)
                       ? _("Transfer not answered — ringing you again")
                       : _("Ringing you"));
    case ATTENDANT_CALL_STATE_ACTIVE:
      return g_strdup (_("On call"));
    case ATTENDANT_CALL_STATE_HELD:
      return g_strdup (_("On hold"));
    case ATTENDANT_CALL_STATE_CONSULTING:
      /* The row's title names the colleague already. */
      return g_strdup (_("Consultation — the caller waits on hold"));
    case ATTENDANT_CALL_STATE_TRANSFERRING:
      /* TRANSLATORS: %s is the colleague the call is being transferred to */
      return g_strdup_printf (_("Transferring to %s"), peer);
    case ATTENDANT_CALL_STATE_ENDED:
    default:
      return g_strdup (_("Ended"));
    }
}

static char *
caller_title (AttendantConsole *console,
              AttendantCall    *call)
{
  char *name;

  /* A consultation leg is a call to a colleague: name them. */
  if (attendant_call_get_state (call) == ATTENDANT_CALL_STATE_CONSULTING)
    return describe_party (console, attendant_call_get_peer (call));

  name = attendant_console_dup_caller_name (console, call);
  if (name != NULL)
    return name;

  return g_strdup (attendant_call_get_caller_number (call) ? attendant_call_get_caller_number (call)
                                                           : _("Unknown caller"));
}

/* }}} */
/* {{{ Rows */

typedef struct
{
  AttendantConsoleView *view;
  GtkWidget            *box;
  GtkWidget            *title;
  GtkWidget            *subtitle;
  GtkWidget            *notice;
  GtkWidget            *time;
  GtkWidget            *buttons;
  AttendantCall        *call;
  gboolean              queue;
} CallRow;

static GtkWidget *
row_button (const char *icon,
            const char *label,
            const char *tooltip,
            const char *style)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), icon);
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), label);
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (button), content);
  /* Set while hidden: on a visible widget, GTK 4.8 follows it with a
   * pointer query to the display server, a round trip for every button
   * of every row the directory's list creates (bench/console-load). */
  gtk_widget_set_visible (button, FALSE);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_visible (button, TRUE);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (style != NULL)
    gtk_widget_add_css_class (button, style);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  return button;
}

static void
add_call_button (CallRow          *row,
                 AttendantCommand  command,
                 const char       *action,
                 const char       *icon,
                 const char       *tooltip,
                 const char       *style)
{
  gboolean online = attendant_console_get_online (row->view->console);
  GtkWidget *button = row_button (icon, attendant_command_get_label (command), tooltip, style);

  gboolean allowed = online && attendant_call_can (row->call, command) &&
                     !(command == ATTENDANT_COMMAND_RESUME && consulting (row->view));

  /* The action group keeps the button insensitive offline; what only the
   * call's state can tell, a button without an action shows: the action
   * would make it sensitive again as soon as it is looked up. */
  if (allowed)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", attendant_call_get_id (row->call));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
    }
  else
    gtk_widget_set_sensitive (button, FALSE);
  gtk_box_append (GTK_BOX (row->buttons), button);
}

/* A caller waiting long turns the time orange, then red, after the
 * thresholds of the preferences: the operator sees whom to take first
 * without reading every time. Bold for the second step, for those who do
 * not tell the colours apart. */
static void
call_row_update_wait_class (CallRow *row)
{
  AttendantConsoleView *self = row->view;
  gint64 since = row->call != NULL ? attendant_call_get_since (row->call) : 0;
  gint64 seconds = since > 0 ? (g_get_real_time () - since) / G_USEC_PER_SEC : 0;
  gboolean alert = row->queue && since > 0 && seconds >= (gint64)self->wait_alert;
  gboolean warning = row->queue && since > 0 && !alert && seconds >= (gint64)self->wait_warning;

  /* Touched only when it changes: each change restyles the label. */
  if (gtk_widget_has_css_class (row->time, "wait-alert") != alert)
    {
      if (alert)
        gtk_widget_add_css_class (row->time, "wait-alert");
      else
        gtk_widget_remove_css_class (row->time, "wait-alert");
    }
  if (gtk_widget_has_css_class (row->time, "wait-warning") != warning)
    {
      if (warning)
        gtk_widget_add_css_class (row->time, "wait-warning");
      else
        gtk_widget_remove_css_class (row->time, "wait-warning");
    }
}

static void
call_row_update_time (CallRow *row)
{
  g_autofree char *text = NULL;

  if (row->call == NULL)
    return;

  text = format_duration (attendant_call_get_since (row->call));
  gtk_label_set_label (GTK_LABEL (row->time), text);
  call_row_update_wait_class (row);
}

static void
call_row_update (CallRow *row)
{
  AttendantConsole *console = row->view->console;
  AttendantCall *call = row->call;
  GtkWidget *child;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  const char *notice;

  if (call == NULL || console == NULL)
    return;

  title = caller_title (console, call);
  gtk_label_set_label (GTK_LABEL (row->title), title);

  if (row->queue)
    {
      const char *number = attendant_call_get_caller_number (call);
      g_autofree char *name = attendant_console_dup_caller_name (console, call);

      const char *queue = attendant_console_get_queue_name (console, attendant_call_get_queue (call));

      /* The title has the name if anyone knows it, else the number. */
      if (name != NULL && number != NULL && queue != NULL)
        subtitle = g_strdup_printf ("%s · %s", number, queue);
      else if (name != NULL && number != NULL)
        subtitle = g_strdup (number);
      else
        subtitle = g_strdup (queue != NULL ? queue : "");
    }
  else
    {
      g_autofree char *state = describe_state (console, call);
      const char *number = attendant_call_get_caller_number (call);

      if (attendant_call_get_pending (call))
        /* TRANSLATORS: a call's state while a command on it awaits the server */
        subtitle = g_strdup_printf (_("%s — waiting for the server…"), state);
      else if (number != NULL && attendant_call_get_state (call) != ATTENDANT_CALL_STATE_CONSULTING)
        subtitle = g_strdup_printf ("%s · %s", state, number);
      else
        subtitle = g_steal_pointer (&state);
    }
  gtk_label_set_label (GTK_LABEL (row->subtitle), subtitle);

  notice = attendant_call_get_notice (call);
  gtk_label_set_label (GTK_LABEL (row->notice), notice ? notice : "");
  gtk_widget_set_visible (row->notice, notice != NULL);

  gtk_widget_set_visible (row->box, TRUE);
  if (attendant_call_get_state (call) == ATTENDANT_CALL_STATE_ENDED)
    gtk_widget_add_css_class (row->box, "dim-label");
  else
    gtk_widget_remove_css_class (row->box, "dim-label");

  while ((child = gtk_widget_get_first_child (row->buttons)) != NULL)
    gtk_box_remove (GTK_BOX (row->buttons), child);

  if (row->queue)
    {
      add_call_button (row, ATTENDANT_COMMAND_ANSWER, "console.answer-call", "call-start-symbolic",
                       _("Answer this call"), "suggested-action");
      return;
    }

  switch (attendant_call_get_state (call))
    {
    case ATTENDANT_CALL_STATE_RINGING:
      add_call_button (row, ATTENDANT_COMMAND_ANSWER, "console.answer-call", "call-start-symbolic",
                       _("Answer this call"), "suggested-action");
      break;

    case ATTENDANT_CALL_STATE_ACTIVE:
      add_call_button (row, ATTENDANT_COMMAND_HOLD, "console.hold-call", "media-playback-pause-symbolic",
                       _("Put the caller on hold (F3)"), NULL);
      break;

    case ATTENDANT_CALL_STATE_HELD:
      add_call_button (row, ATTENDANT_COMMAND_RESUME, "console.resume-call", "media-playback-start-symbolic",
                       _("Talk to the caller again (F3)"), NULL);
      break;

    case ATTENDANT_CALL_STATE_CONSULTING:
      add_call_button (row, ATTENDANT_COMMAND_COMPLETE, "console.complete-call", "emblem-ok-symbolic",
                       _("Connect the caller to this colleague (F8)"), "suggested-action");
      add_call_button (row, ATTENDANT_COMMAND_CANCEL_CONSULT, "console.cancel-call", "edit-undo-symbolic",
                       _("Go back to the caller (F9)"), NULL);
      break;

    case ATTENDANT_CALL_STATE_QUEUED:
    case ATTENDANT_CALL_STATE_TRANSFERRING:
    case ATTENDANT_CALL_STATE_ENDED:
    default:
      break;
    }

  if (attendant_call_get_state (call) != ATTENDANT_CALL_STATE_ENDED &&
      attendant_call_get_state (call) != ATTENDANT_CALL_STATE_CONSULTING)
    add_call_button (row, ATTENDANT_COMMAND_HANGUP, "console.hangup-call", "call-stop-symbolic",
                     _("End this call (F4)"), "destructive-action");
}

static void
call_row_free (CallRow *row)
{
  g_clear_object (&row->call);
  g_free (row);
}

static GdkContentProvider *
on_drag_prepare (GtkDragSource *source,
                 double         x,
                 double         y,
                 CallRow       *row)
{
  if (row->call == NULL || !attendant_call_can (row->call, ATTENDANT_COMMAND_TRANSFER))
    return NULL;

  return gdk_content_provider_new_typed (ATTENDANT_TYPE_CALL, row->call);
}

static void
setup_call_row (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                AttendantConsoleView     *self)
{
  gboolean queue = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "queue"));
  CallRow *row = g_new0 (CallRow, 1);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkDragSource *drag;

  row->view = self;
  row->queue = queue;
  row->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (row->box, "attendant-call-row");
  gtk_widget_set_name (row->box, queue ? "queue-row" : "call-row");

  row->title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (row->title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (row->title, "heading");
  row->subtitle = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (row->subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (row->subtitle, "dim-label");
  row->notice = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->notice), 0);
  gtk_label_set_wrap (GTK_LABEL (row->notice), TRUE);
  gtk_widget_add_css_class (row->notice, "warning");
  gtk_widget_set_name (row->notice, "call-notice");
  gtk_widget_set_visible (row->notice, FALSE);
  gtk_box_append (GTK_BOX (text), row->title);
  gtk_box_append (GTK_BOX (text), row->subtitle);
  gtk_box_append (GTK_BOX (text), row->notice);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);

  row->time = gtk_label_new (NULL);
  gtk_widget_add_css_class (row->time, "numeric");
  gtk_widget_set_name (row->time, queue ? "waiting-time" : "call-duration");
  gtk_widget_set_valign (row->time, GTK_ALIGN_CENTER);

  row->buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  if (queue)
    {
      gtk_box_append (GTK_BOX (row->box), text);
      gtk_box_append (GTK_BOX (row->box), row->time);
      gtk_box_append (GTK_BOX (row->box), row->buttons);
    }
  else
    {
      /* The operator's own calls get a line of their own for the buttons:
       * a consultation has two long ones, and the caller's name must not
       * be squeezed out by them. */
      GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

      gtk_orientable_set_orientation (GTK_ORIENTABLE (row->box), GTK_ORIENTATION_VERTICAL);
      gtk_box_set_spacing (GTK_BOX (row->box), 6);
      gtk_box_append (GTK_BOX (top), text);
      gtk_box_append (GTK_BOX (top), row->time);
      gtk_widget_set_halign (row->buttons, GTK_ALIGN_END);
      gtk_box_append (GTK_BOX (row->box), top);
      gtk_box_append (GTK_BOX (row->box), row->buttons);
    }

  if (!queue)
    {
      /* Drag a call onto a colleague in the directory to transfer it. */
      drag = gtk_drag_source_new ();
      gtk_drag_source_set_actions (drag, GDK_ACTION_MOVE);
      g_signal_connect (drag, "prepare", G_CALLBACK (on_drag_prepare), row);
      gtk_widget_add_controller (row->box, GTK_EVENT_CONTROLLER (drag));
    }

  g_object_set_data_full (G_OBJECT (row->box), "row", row, (GDestroyNotify)call_row_free);
  gtk_list_item_set_child (item, row->box);
}

static CallRow *
row_of (GtkListItem *item)
{
  return g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "row");
}

static void
bind_call_row (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               AttendantConsoleView     *self)
{
  CallRow *row = row_of (item);

  g_set_object (&row->call, gtk_list_item_get_item (item));
  g_signal_connect_swapped (row->call, "notify", G_CALLBACK (call_row_update), row);
  g_signal_connect_swapped (row->call, "notify::since", G_CALLBACK (call_row_update_time), row);
  g_hash_table_add (self->live_rows, row);
  call_row_update (row);
  call_row_update_time (row);
}

static void
unbind_call_row (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 AttendantConsoleView     *self)
{
  CallRow *row = row_of (item);

  g_hash_table_remove (self->live_rows, row);
  if (row->call != NULL)
    g_signal_handlers_disconnect_by_data (row->call, row);
  g_clear_object (&row->call);
}

typedef struct
{
  AttendantConsoleView *view;
  GtkWidget            *box;
  GtkWidget            *dot;
  GtkWidget            *text;
  GtkWidget            *number;
  GtkWidget            *transfer;
  GtkWidget            *consult;
  GtkWidget            *call;
  AttendantSlot        *slot;
  AttendantContact     *contact;
} ContactRow;

static AttendantCall *call_to_transfer (AttendantConsoleView *self);

/* With a call in hand, a colleague's row offers to transfer it (at once,
 * or after talking to them); without one, to call them. Only an
 * available-looking colleague gets the primary button's colour. */
static void act_on_row (ContactRow       *row,
                        AttendantCommand  command);

static void
on_row_transfer (ContactRow *row)
{
  act_on_row (row, ATTENDANT_COMMAND_TRANSFER);
}

static void
on_row_consult (ContactRow *row)
{
  act_on_row (row, ATTENDANT_COMMAND_CONSULT);
}

static void
on_row_call (ContactRow *row)
{
  act_on_row (row, ATTENDANT_COMMAND_DIAL);
}

/* The row's buttons are made the first time the row needs them, and act
 * through plain "clicked" handlers: rows are rebuilt as the search
 * changes, and every widget and action lookup made per row is paid per
 * keystroke (bench/console-load). */
static GtkWidget *
ensure_row_button (ContactRow  *row,
                   GtkWidget  **button,
                   const char  *icon,
                   const char  *label,
                   const char  *tooltip,
                   const char  *style,
                   GCallback    clicked)
{
  if (*button == NULL)
    {
      *button = row_button (icon, label, tooltip, style);
      /* The keyboard acts on the row, not on a button in it: Enter
       * transfers, as the hint says, Shift+Enter consults. A focusable
       * button would take the focus arriving in the row (Down from the
       * search), and Enter would press whichever came first. */
      gtk_widget_set_focusable (*button, FALSE);
      g_signal_connect_swapped (*button, "clicked", clicked, row);
      gtk_box_append (GTK_BOX (row->box), *button);
    }

  return *button;
}

/* With a call in hand, a colleague's row offers to transfer it (at once,
 * or after talking to them); without one, to call them. */
static void
contact_row_update_buttons (ContactRow *row)
{
  AttendantConsoleView *self = row->view;
  gboolean online = self->console != NULL && attendant_console_get_online (self->console);
  gboolean in_hand = online && call_to_transfer (self) != NULL;
  gboolean callable = online && row->contact != NULL && attendant_contact_get_number (row->contact) != NULL;

  if (callable && in_hand)
    {
      ensure_row_button (row, &row->consult, "system-users-symbolic",
                         attendant_command_get_label (ATTENDANT_COMMAND_CONSULT),
                         _("Talk to this colleague first, the caller on hold (Shift+Enter or F7)"), NULL,
                         G_CALLBACK (on_row_consult));
      ensure_row_button (row, &row->transfer, "call-outgoing-symbolic",
                         attendant_command_get_label (ATTENDANT_COMMAND_TRANSFER),
                         _("Transfer the call to this colleague (Enter or F6)"), "suggested-action",
                         G_CALLBACK (on_row_transfer));
    }
  else if (callable)
    ensure_row_button (row, &row->call, "call-start-symbolic",
                       attendant_command_get_label (ATTENDANT_COMMAND_DIAL),
                       _("Call this colleague (Enter)"), NULL, G_CALLBACK (on_row_call));

  if (row->transfer != NULL)
    gtk_widget_set_visible (row->transfer, callable && in_hand);
  if (row->consult != NULL)
    gtk_widget_set_visible (row->consult, callable && in_hand);
  if (row->call != NULL)
    gtk_widget_set_visible (row->call, callable && !in_hand);
}

static void
contact_row_update (ContactRow *row)
{
  AttendantContact *contact = row->contact;
  AttendantPresence presence;
  const char *department;
  g_autofree char *detail = NULL;
  g_autofree char *markup = NULL;

  if (contact == NULL)
    return;

  presence = attendant_contact_get_presence (contact);
  department = attendant_contact_get_department (contact);
  gtk_label_set_label (GTK_LABEL (row->number), attendant_contact_get_number (contact));
  detail = department != NULL && department[0] != '\0'
           ? g_strdup_printf ("%s · %s", presence_label (presence), department)
           : g_strdup (presence_label (presence));
  /* Name and detail in one label, the detail small and dim as a caption:
   * two labels in a box made a row half again as costly to build, style
   * and lay out, which a search does for up to 200 rows (GTK 4.8's list
   * views keep that many) in one keystroke (bench/console-load). */
  markup = g_markup_printf_escaped ("%s\n<small><span fgalpha=\"55%%\">%s</span></small>",
                                    attendant_contact_get_name (contact), detail);
  gtk_label_set_markup (GTK_LABEL (row->text), markup);

  /* The dot's colour comes from style.css, one class per presence, set in
   * one go: each class change alone would restyle the dot again. */
  {
    static const char *classes[][3] = {
      [ATTENDANT_PRESENCE_AVAILABLE] = { "presence-dot", "presence-available", NULL },
      [ATTENDANT_PRESENCE_BUSY]      = { "presence-dot", "presence-busy", NULL },
      [ATTENDANT_PRESENCE_RINGING]   = { "presence-dot", "presence-ringing", NULL },
      [ATTENDANT_PRESENCE_AWAY]      = { "presence-dot", "presence-away", NULL },
      [ATTENDANT_PRESENCE_DND]       = { "presence-dot", "presence-dnd", NULL },
      [ATTENDANT_PRESENCE_OFFLINE]   = { "presence-dot", "presence-offline", NULL },
    };

    if (presence <= ATTENDANT_PRESENCE_OFFLINE)
      gtk_widget_set_css_classes (row->dot, classes[presence]);
  }
  contact_row_update_buttons (row);
}

/* The dot's tooltip is asked for, not set: GTK 4.8's
 * gtk_widget_set_tooltip_text() asks the display server where the pointer
 * is, a round trip on every bind and presence change (bench/console-load:
 * most of a keystroke's stall with 10,000 contacts). */
static gboolean
on_dot_query_tooltip (GtkWidget  *dot,
                      int         x,
                      int         y,
                      gboolean    keyboard,
                      GtkTooltip *tooltip,
                      ContactRow *row)
{
  if (row->contact == NULL)
    return FALSE;

  gtk_tooltip_set_text (tooltip, presence_label (attendant_contact_get_presence (row->contact)));
  return TRUE;
}

/* The row's position shows another contact: its slot says which. */
static void
contact_row_follow_slot (ContactRow *row)
{
  AttendantContact *contact = row->slot != NULL ? attendant_slot_get_item (row->slot) : NULL;

  if (row->contact == contact)
    return;

  if (row->contact != NULL)
    g_signal_handlers_disconnect_by_data (row->contact, row);
  g_set_object (&row->contact, contact);
  if (contact != NULL)
    {
      g_signal_connect_swapped (contact, "notify", G_CALLBACK (contact_row_update), row);
      contact_row_update (row);
    }
}

static void
contact_row_free (ContactRow *row)
{
  g_clear_object (&row->contact);
  g_clear_object (&row->slot);
  g_free (row);
}

static gboolean
on_call_dropped (GtkDropTarget *target,
                 const GValue  *value,
                 double         x,
                 double         y,
                 ContactRow    *row)
{
  AttendantCall *call = g_value_get_object (value);

  if (call == NULL || row->contact == NULL || attendant_contact_get_number (row->contact) == NULL)
    return FALSE;

  attendant_console_view_run (row->view, ATTENDANT_COMMAND_TRANSFER, call,
                              attendant_contact_get_number (row->contact));
  return TRUE;
}

static void
setup_contact_row (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   AttendantConsoleView     *self)
{
  ContactRow *row = g_new0 (ContactRow, 1);
  GtkDropTarget *drop;

  row->view = self;
  row->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_name (row->box, "contact-row");

  row->dot = gtk_image_new_from_icon_name ("media-record-symbolic");
  gtk_widget_add_css_class (row->dot, "presence-dot");
  gtk_widget_set_valign (row->dot, GTK_ALIGN_CENTER);
  gtk_widget_set_has_tooltip (row->dot, TRUE);
  g_signal_connect (row->dot, "query-tooltip", G_CALLBACK (on_dot_query_tooltip), row);

  row->text = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->text), 0);
  gtk_label_set_ellipsize (GTK_LABEL (row->text), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (row->text, TRUE);

  row->number = gtk_label_new (NULL);
  gtk_widget_add_css_class (row->number, "numeric");
  gtk_widget_set_valign (row->number, GTK_ALIGN_CENTER);

  gtk_box_append (GTK_BOX (row->box), row->dot);
  gtk_box_append (GTK_BOX (row->box), row->text);
  gtk_box_append (GTK_BOX (row->box), row->number);

  drop = gtk_drop_target_new (ATTENDANT_TYPE_CALL, GDK_ACTION_MOVE);
  g_signal_connect (drop, "drop", G_CALLBACK (on_call_dropped), row);
  gtk_widget_add_controller (row->box, GTK_EVENT_CONTROLLER (drop));

  g_object_set_data_full (G_OBJECT (row->box), "row", row, (GDestroyNotify)contact_row_free);
  gtk_list_item_set_child (item, row->box);
}

static void
bind_contact_row (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  AttendantConsoleView     *self)
{
  ContactRow *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "row");

  g_set_object (&row->slot, gtk_list_item_get_item (item));
  g_signal_connect_swapped (row->slot, "notify::item", G_CALLBACK (contact_row_follow_slot), row);
  g_hash_table_add (self->contact_rows, row);
  contact_row_follow_slot (row);
}

static void
unbind_contact_row (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    AttendantConsoleView     *self)
{
  ContactRow *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "row");

  g_hash_table_remove (self->contact_rows, row);
  if (row->slot != NULL)
    g_signal_handlers_disconnect_by_data (row->slot, row);
  g_clear_object (&row->slot);
  contact_row_follow_slot (row);
}

static gboolean
tick (gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->live_rows);
  while (g_hash_table_iter_next (&iter, &row, NULL))
    call_row_update_time (row);

  return G_SOURCE_CONTINUE;
}

/* }}} */
/* {{{ What the keys act on */

static AttendantCall *
selected_call (AttendantConsoleView *self)
{
  return gtk_single_selection_get_selected_item (self->calls_selection);
}

static AttendantContact *
selected_contact (AttendantConsoleView *self)
{
  AttendantSlot *slot = gtk_single_selection_get_selected_item (self->directory_selection);

  return slot != NULL ? attendant_slot_get_item (slot) : NULL;
}

static AttendantCall *
find_call (AttendantConsoleView *self,
           GListModel           *model,
           AttendantCallState    state)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AttendantCall) call = g_list_model_get_item (model, i);

      if (attendant_call_get_state (call) == state)
        return call; /* the model keeps it */
    }

  return NULL;
}

/* The call F2 answers: one ringing the attendant (a recall comes back
 * to who transferred it), else the waiting call chosen in the queue,
 * else the one waiting longest. */
static AttendantCall *
call_to_answer (AttendantConsoleView *self)
{
  GListModel *queue;
  AttendantCall *call;

  if (self->console == NULL)
    return NULL;

  call = find_call (self, attendant_console_get_calls (self->console), ATTENDANT_CALL_STATE_RINGING);
  if (call != NULL)
    return call;

  call = gtk_single_selection_get_selected_item (self->queue_selection);
  if (call != NULL)
    return call;

  queue = attendant_console_get_queue (self->console);
  if (g_list_model_get_n_items (queue) == 0)
    return NULL;

  call = g_list_model_get_item (queue, 0);
  g_object_unref (call); /* the model keeps it */
  return call;
}

/* The call a transfer or consultation acts on: the chosen one of the
 * attendant's calls, if it can be transferred; else the one they talk to. */
/* While the operator consults a colleague, the caller waits on hold:
 * resuming or transferring that call is refused until the consultation
 * is completed or cancelled (docs/protocol.md §2.5). */
static gboolean
consulting (AttendantConsoleView *self)
{
  return self->console != NULL &&
         find_call (self, attendant_console_get_calls (self->console), ATTENDANT_CALL_STATE_CONSULTING) != NULL;
}

static AttendantCall *
call_to_transfer (AttendantConsoleView *self)
{
  AttendantCall *call = selected_call (self);

  if (consulting (self))
    return NULL;

  if (call != NULL && attendant_call_can (call, ATTENDANT_COMMAND_TRANSFER))
    return call;

  if (self->console == NULL)
    return NULL;

  call = find_call (self, attendant_console_get_calls (self->console), ATTENDANT_CALL_STATE_ACTIVE);
  if (call != NULL)
    return call;

  return find_call (self, attendant_console_get_calls (self->console), ATTENDANT_CALL_STATE_HELD);
}

static AttendantCall *
consultation (AttendantConsoleView *self)
{
  AttendantCall *call = selected_call (self);

  if (call != NULL && attendant_call_get_state (call) == ATTENDANT_CALL_STATE_CONSULTING)
    return call;

  return self->console != NULL
         ? find_call (self, attendant_console_get_calls (self->console), ATTENDANT_CALL_STATE_CONSULTING)
         : NULL;
}

static void
set_enabled (AttendantConsoleView *self,
             const char           *name,
             gboolean              enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
update_transfer_hint (AttendantConsoleView *self)
{
  AttendantCall *call = call_to_transfer (self);
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->contact_rows);
  while (g_hash_table_iter_next (&iter, &row, NULL))
    contact_row_update_buttons (row);

  if (call == NULL || self->console == NULL || !attendant_console_get_online (self->console))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->transfer_hint), FALSE);
      return;
    }

  title = caller_title (self->console, call);
  /* TRANSLATORS: %s is the caller; Enter and Shift+Enter are keys */
  text = g_strdup_printf (_("To transfer %s, choose a colleague: Transfer (Enter) hands the call over, Consult (Shift+Enter) lets you talk to them first"), title);
  gtk_label_set_label (self->transfer_hint, text);
  gtk_widget_set_visible (GTK_WIDGET (self->transfer_hint), TRUE);
}

static void
update_actions (AttendantConsoleView *self)
{
  gboolean online = self->console != NULL && attendant_console_get_online (self->console);
  AttendantCall *answer = online ? call_to_answer (self) : NULL;
  AttendantCall *current = online ? selected_call (self) : NULL;
  AttendantCall *transfer = online ? call_to_transfer (self) : NULL;
  AttendantCall *consult = online ? consultation (self) : NULL;
  AttendantContact *contact = selected_contact (self);

  set_enabled (self, "answer", answer != NULL && attendant_call_can (answer, ATTENDANT_COMMAND_ANSWER));
  set_enabled (self, "hold", current != NULL &&
               (attendant_call_can (current, ATTENDANT_COMMAND_HOLD) ||
                (attendant_call_can (current, ATTENDANT_COMMAND_RESUME) && !consulting (self))));
  set_enabled (self, "hang-up", current != NULL && attendant_call_can (current, ATTENDANT_COMMAND_HANGUP));
  set_enabled (self, "transfer", transfer != NULL && contact != NULL);
  set_enabled (self, "consult", transfer != NULL && contact != NULL);
  set_enabled (self, "complete", consult != NULL && attendant_call_can (consult, ATTENDANT_COMMAND_COMPLETE));
  set_enabled (self, "cancel-consult", consult != NULL && attendant_call_can (consult, ATTENDANT_COMMAND_CANCEL_CONSULT));

  for (guint i = 0; i < 6; i++)
    {
      static const char *targeted[] = {
        "answer-call", "hold-call", "resume-call", "hangup-call", "complete-call", "cancel-call",
      };

      set_enabled (self, targeted[i], online);
    }
  set_enabled (self, "dial", online);

  update_transfer_hint (self);
}

/* }}} */
/* {{{ Running commands */

typedef struct
{
  AttendantConsoleView *view;
  AttendantCommand      command;
  char                 *target;
} RunContext;

static void
run_context_free (RunContext *context)
{
  g_clear_object (&context->view);
  g_free (context->target);
  g_free (context);
}

/* What the operator must read now: the window shows it. */
static void
toast (AttendantConsoleView *self,
       const char           *text)
{
  g_signal_emit (self, signals[MESSAGE], 0, text);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  RunContext *context = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;

  reply = attendant_console_run_finish (ATTENDANT_CONSOLE (object), result, &error);

  if (reply == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = attendant_command_describe_error (context->command, context->target, error);

      g_debug ("%s failed: %s", attendant_command_get_label (context->command), error->message);
      toast (context->view, text);
    }
  else if (reply != NULL && context->command == ATTENDANT_COMMAND_TRANSFER && context->target != NULL)
    {
      g_autofree char *party = describe_party (context->view->console, context->target);
      /* TRANSLATORS: %s is the colleague; said once the server accepted the transfer */
      g_autofree char *text = g_strdup_printf (_("Transferring to %s"), party);

      toast (context->view, text);
    }

  if (context->view->console != NULL)
    update_actions (context->view);
  run_context_free (context);
}

/**
 * attendant_console_view_run:
 * @call: (nullable): the call
 * @target: (nullable): a number, for transfers, consultations and dialling
 *
 * Runs @command, telling the operator if it fails. What it changes shows
 * when the server's events say so.
 */
void
attendant_console_view_run (AttendantConsoleView *self,
                            AttendantCommand      command,
                            AttendantCall        *call,
                            const char           *target)
{
  RunContext *context;

  g_return_if_fail (ATTENDANT_IS_CONSOLE_VIEW (self));

  if (self->console == NULL)
    return;

  context = g_new0 (RunContext, 1);
  context->view = g_object_ref (self);
  context->command = command;
  context->target = g_strdup (target);

  attendant_console_run_async (self->console, command, call, target, self->cancellable, run_cb, context);
  update_actions (self);
}

static AttendantCall *
lookup_target_call (AttendantConsoleView *self,
                    GVariant             *parameter)
{
  if (self->console == NULL || parameter == NULL)
    return NULL;

  return attendant_console_lookup_call (self->console, g_variant_get_string (parameter, NULL));
}

static void
answer_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  AttendantCall *call = call_to_answer (self);

  if (call != NULL)
    attendant_console_view_run (self, ATTENDANT_COMMAND_ANSWER, call, NULL);
}

static void
hold_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  AttendantCall *call = selected_call (self);

  if (call == NULL)
    return;

  if (attendant_call_can (call, ATTENDANT_COMMAND_HOLD))
    attendant_console_view_run (self, ATTENDANT_COMMAND_HOLD, call, NULL);
  else if (attendant_call_can (call, ATTENDANT_COMMAND_RESUME))
    attendant_console_view_run (self, ATTENDANT_COMMAND_RESUME, call, NULL);
}

static void
hang_up_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  AttendantCall *call = selected_call (self);

  if (call != NULL)
    attendant_console_view_run (self, ATTENDANT_COMMAND_HANGUP, call, NULL);
}

static void
transfer_to_selected (AttendantConsoleView *self,
                      AttendantCommand      command)
{
  AttendantCall *call = call_to_transfer (self);
  AttendantContact *contact = selected_contact (self);

  if (call != NULL && contact != NULL)
    attendant_console_view_run (self, command, call, attendant_contact_get_number (contact));
}

static void
transfer_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  transfer_to_selected (user_data, ATTENDANT_COMMAND_TRANSFER);
}

static void
consult_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  transfer_to_selected (user_data, ATTENDANT_COMMAND_CONSULT);
}

static void
complete_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  AttendantCall *call = consultation (self);

  if (call != NULL)
    attendant_console_view_run (self, ATTENDANT_COMMAND_COMPLETE, call, NULL);
}

static void
cancel_consult_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  AttendantCall *call = consultation (self);

  if (call != NULL)
    attendant_console_view_run (self, ATTENDANT_COMMAND_CANCEL_CONSULT, call, NULL);
}

static void
focus_search_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  attendant_console_view_focus_search (user_data);
}

static void
move_selection (AttendantConsoleView *self,
                int                   delta)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->calls_selection));
  guint position = gtk_single_selection_get_selected (self->calls_selection);
  guint next;

  if (n == 0)
    return;

  if (position == GTK_INVALID_LIST_POSITION)
    next = delta > 0 ? 0 : n - 1;
  else
    next = (position + n + delta) % n;

  gtk_single_selection_set_selected (self->calls_selection, next);
}

static void
next_call_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  move_selection (user_data, 1);
}

static void
previous_call_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  move_selection (user_data, -1);
}

#define TARGETED_ACTION(fn, command)                                              \
  static void                                                                     \
  fn (GSimpleAction *action, GVariant *parameter, gpointer user_data)             \
  {                                                                               \
    AttendantConsoleView *self = user_data;                                       \
    AttendantCall *call = lookup_target_call (self, parameter);                   \
                                                                                  \
    if (call != NULL)                                                             \
      attendant_console_view_run (self, command, call, NULL);                     \
  }

TARGETED_ACTION (answer_call_activated, ATTENDANT_COMMAND_ANSWER)
TARGETED_ACTION (hold_call_activated, ATTENDANT_COMMAND_HOLD)
TARGETED_ACTION (resume_call_activated, ATTENDANT_COMMAND_RESUME)
TARGETED_ACTION (hangup_call_activated, ATTENDANT_COMMAND_HANGUP)
TARGETED_ACTION (complete_call_activated, ATTENDANT_COMMAND_COMPLETE)
TARGETED_ACTION (cancel_call_activated, ATTENDANT_COMMAND_CANCEL_CONSULT)

static void
dial_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  attendant_console_view_run (user_data, ATTENDANT_COMMAND_DIAL, NULL,
                              g_variant_get_string (parameter, NULL));
}

static const GActionEntry console_actions[] = {
  { "answer", answer_activated },
  { "hold", hold_activated },
  { "hang-up", hang_up_activated },
  { "transfer", transfer_activated },
  { "consult", consult_activated },
  { "complete", complete_activated },
  { "cancel-consult", cancel_consult_activated },
  { "focus-search", focus_search_activated },
  { "next-call", next_call_activated },
  { "previous-call", previous_call_activated },
  { "answer-call", answer_call_activated, "s" },
  { "hold-call", hold_call_activated, "s" },
  { "resume-call", resume_call_activated, "s" },
  { "hangup-call", hangup_call_activated, "s" },
  { "complete-call", complete_call_activated, "s" },
  { "cancel-call", cancel_call_activated, "s" },
  { "dial", dial_activated, "s" },
};

/* }}} */
/* {{{ Template callbacks */

static gboolean
filter_contact (gpointer item,
                gpointer user_data)
{
  AttendantConsoleView *self = user_data;

  return attendant_contact_matches (item, (const char * const *)self->terms);
}

static void
update_counts (AttendantConsoleView *self)
{
  guint waiting = self->console ? g_list_model_get_n_items (attendant_console_get_queue (self->console)) : 0;
  guint calls = self->console ? g_list_model_get_n_items (attendant_console_get_calls (self->console)) : 0;
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  guint total = self->console ? g_list_model_get_n_items (G_LIST_MODEL (attendant_console_get_directory (self->console))) : 0;
  g_autofree char *waiting_text = g_strdup_printf ("%u", waiting);
  g_autofree char *directory_text = NULL;

  gtk_label_set_label (self->queue_count, waiting > 0 ? waiting_text : "");
  gtk_stack_set_visible_child_name (self->queue_stack, waiting > 0 ? "list" : "empty");
  gtk_stack_set_visible_child_name (self->calls_stack, calls > 0 ? "list" : "empty");

  if (shown == total)
    directory_text = g_strdup_printf ("%u", total);
  else
    /* TRANSLATORS: contacts matching the search, of all contacts */
    directory_text = g_strdup_printf (_("%u of %u"), shown, total);
  gtk_label_set_label (self->directory_count, directory_text);

  /* An incremental filter is still at work while the count grows. */
  gtk_stack_set_visible_child_name (self->directory_stack,
                                    shown > 0 || gtk_filter_list_model_get_pending (self->filtered) > 0
                                    ? "list" : "empty");
}

/* A colleague is always chosen while any is shown, so that Enter and F6
 * act: the filter, working incrementally, can drop the selection and add
 * the rows back later. On the selection's own signal, which comes once it
 * has taken the change in. */
static void
on_directory_shown_changed (AttendantConsoleView *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->directory_selection)) > 0 &&
      gtk_single_selection_get_selected (self->directory_selection) == GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (self->directory_selection, 0);
}

static void
scroll_directory_to_top (AttendantConsoleView *self)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->directory_view));

  if (adjustment != NULL && gtk_adjustment_get_value (adjustment) > gtk_adjustment_get_lower (adjustment))
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
}

static void
on_search_changed (AttendantConsoleView *self)
{
  g_auto(GStrv) old = g_steal_pointer (&self->terms);
  gboolean narrower;
  gboolean wider;

  /* A search starts from its best match, at the top: the slots keep the
   * list where it was scrolled to. First, so that the list does not build
   * rows for where it was. */
  scroll_directory_to_top (self);

  self->terms = attendant_search_terms_new (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  /* Typing on only narrows: the filter need look again only at what it
   * shows, not at the whole directory; deleting only widens, and keeps
   * the rows shown; a change that matches the same refilters nothing. */
  narrower = attendant_search_terms_narrow ((const char * const *)self->terms, (const char * const *)old);
  wider = attendant_search_terms_narrow ((const char * const *)old, (const char * const *)self->terms);
  if (!narrower || !wider)
    gtk_filter_changed (GTK_FILTER (self->filter),
                        narrower ? GTK_FILTER_CHANGE_MORE_STRICT
                        : wider ? GTK_FILTER_CHANGE_LESS_STRICT
                        : GTK_FILTER_CHANGE_DIFFERENT);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    gtk_single_selection_set_selected (self->directory_selection, 0);
}

/* The chosen colleague can change in place, the selected position staying:
 * no "selected-item" notification says so. */
static void
on_directory_filtered (AttendantConsoleView *self)
{
  update_actions (self);
}

/* Enter on a colleague: transfer the call being handled to them, or call
 * them when there is none. */
static void
act_on_contact (AttendantConsoleView *self,
                AttendantContact     *contact)
{
  AttendantCall *call;

  if (contact == NULL || attendant_contact_get_number (contact) == NULL)
    return;

  call = call_to_transfer (self);
  if (call != NULL)
    attendant_console_view_run (self, ATTENDANT_COMMAND_TRANSFER, call, attendant_contact_get_number (contact));
  else
    attendant_console_view_run (self, ATTENDANT_COMMAND_DIAL, NULL, attendant_contact_get_number (contact));
}

static void
act_on_row (ContactRow       *row,
            AttendantCommand  command)
{
  AttendantConsoleView *self = row->view;
  const char *number = row->contact != NULL ? attendant_contact_get_number (row->contact) : NULL;
  AttendantCall *call = command == ATTENDANT_COMMAND_DIAL ? NULL : call_to_transfer (self);

  if (number == NULL || (command != ATTENDANT_COMMAND_DIAL && call == NULL))
    return;

  attendant_console_view_run (self, command, call, number);
}

static void
on_search_activate (AttendantConsoleView *self)
{
  act_on_contact (self, selected_contact (self));
}

/* Down from the search goes to the chosen colleague, where Enter acts on
 * the same one as it did in the search; the list's own focus could be on
 * a row chosen before the search changed. */
static gboolean
on_search_down (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  AttendantConsoleView *self = ATTENDANT_CONSOLE_VIEW (user_data);
  guint position = gtk_single_selection_get_selected (self->directory_selection);

  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;

  /* The list takes an item's focus through this action (GTK 4.8). */
  gtk_widget_activate_action (GTK_WIDGET (self->directory_view), "list.scroll-to-item", "u", position);
  return gtk_widget_grab_focus (GTK_WIDGET (self->directory_view));
}

static void
on_directory_activate (AttendantConsoleView *self,
                       guint                 position)
{
  g_autoptr(AttendantContact) contact = attendant_slot_model_get_item_at (self->directory_slots, position);

  act_on_contact (self, contact);
}

/* }}} */
/* {{{ GObject */

static void
disconnect_console (AttendantConsoleView *self)
{
  if (self->console == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->console, self);
  g_signal_handlers_disconnect_by_data (attendant_console_get_queue (self->console), self);
  g_signal_handlers_disconnect_by_data (attendant_console_get_calls (self->console), self);
  g_clear_object (&self->console);
}

static void
attendant_console_view_dispose (GObject *object)
{
  AttendantConsoleView *self = (AttendantConsoleView *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  disconnect_console (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTENDANT_TYPE_CONSOLE_VIEW);
  g_clear_object (&self->queue_selection);
  g_clear_object (&self->calls_selection);
  g_clear_object (&self->directory_selection);
  g_clear_object (&self->directory_slots);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->actions);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (attendant_console_view_parent_class)->dispose (object);
}

static void
attendant_console_view_finalize (GObject *object)
{
  AttendantConsoleView *self = (AttendantConsoleView *)object;

  g_clear_pointer (&self->terms, g_strfreev);
  g_clear_pointer (&self->live_rows, g_hash_table_unref);
  g_clear_pointer (&self->contact_rows, g_hash_table_unref);

  G_OBJECT_CLASS (attendant_console_view_parent_class)->finalize (object);
}

static void
attendant_console_view_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  AttendantConsoleView *self = ATTENDANT_CONSOLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONSOLE:
      g_value_set_object (value, self->console);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_console_view_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  AttendantConsoleView *self = ATTENDANT_CONSOLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONSOLE:
      attendant_console_view_set_console (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_console_view_class_init (AttendantConsoleViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attendant_console_view_dispose;
  object_class->finalize = attendant_console_view_finalize;
  object_class->get_property = attendant_console_view_get_property;
  object_class->set_property = attendant_console_view_set_property;

  properties[PROP_CONSOLE] =
    g_param_spec_object ("console", NULL, NULL, ATTENDANT_TYPE_CONSOLE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AttendantConsoleView::message:
   * @text: why a command failed, or what it started
   */
  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/attendant/Attendant/attendant-console-view.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, paned);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, queue_count);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, queue_stack);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, queue_view);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, calls_stack);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, calls_view);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, directory_count);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, transfer_hint);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, directory_stack);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, directory_view);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_directory_activate);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "attendantconsole");
}

static GtkListItemFactory *
call_factory (AttendantConsoleView *self,
              gboolean              queue)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "queue", GINT_TO_POINTER (queue));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_call_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_call_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_call_row), self);

  return factory;
}

static void
on_wait_thresholds_changed (AttendantConsoleView *self)
{
  GHashTableIter iter;
  gpointer row;

  self->wait_warning = g_settings_get_uint (self->settings, "wait-warning-seconds");
  self->wait_alert = g_settings_get_uint (self->settings, "wait-alert-seconds");

  g_hash_table_iter_init (&iter, self->live_rows);
  while (g_hash_table_iter_next (&iter, &row, NULL))
    call_row_update_wait_class (row);
}

static void
attendant_console_view_init (AttendantConsoleView *self)
{
  g_autoptr(GtkListItemFactory) queue_factory = NULL;
  g_autoptr(GtkListItemFactory) calls_factory = NULL;
  g_autoptr(GtkListItemFactory) contact_factory = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->live_rows = g_hash_table_new (NULL, NULL);
  self->contact_rows = g_hash_table_new (NULL, NULL);
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), console_actions,
                                   G_N_ELEMENTS (console_actions), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "console", G_ACTION_GROUP (self->actions));

  self->queue_selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->queue_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->queue_selection, TRUE);
  self->calls_selection = gtk_single_selection_new (NULL);
  self->filter = gtk_custom_filter_new (filter_contact, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (g_object_ref (self->filter)));
  /* One pass per keystroke (a few ms for 10,000 contacts): an incremental
   * filter would hand the list its matches in batches, and GTK 4.8's list
   * rebuilds rows for each (bench/console-load). */
  gtk_filter_list_model_set_incremental (self->filtered, FALSE);
  self->directory_slots = attendant_slot_model_new (G_LIST_MODEL (self->filtered));
  self->directory_selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->directory_slots)));

  queue_factory = call_factory (self, TRUE);
  calls_factory = call_factory (self, FALSE);
  contact_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (contact_factory, "setup", G_CALLBACK (setup_contact_row), self);
  g_signal_connect (contact_factory, "bind", G_CALLBACK (bind_contact_row), self);
  g_signal_connect (contact_factory, "unbind", G_CALLBACK (unbind_contact_row), self);

  gtk_list_view_set_factory (self->queue_view, queue_factory);
  gtk_list_view_set_model (self->queue_view, GTK_SELECTION_MODEL (self->queue_selection));
  gtk_list_view_set_factory (self->calls_view, calls_factory);
  gtk_list_view_set_model (self->calls_view, GTK_SELECTION_MODEL (self->calls_selection));
  gtk_list_view_set_factory (self->directory_view, contact_factory);
  gtk_list_view_set_model (self->directory_view, GTK_SELECTION_MODEL (self->directory_selection));

  g_signal_connect_swapped (self->queue_selection, "notify::selected-item", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->calls_selection, "notify::selected-item", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->directory_selection, "notify::selected-item", G_CALLBACK (update_actions), self);
  /* The selection's own signal: it has taken the change in by then, so a
   * new call can be selected. */
  g_signal_connect_swapped (self->calls_selection, "items-changed", G_CALLBACK (on_calls_changed), self);
  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_counts), self);
  /* After the slots', connected when they were made: they have changed. */
  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (on_directory_filtered), self);
  g_signal_connect_swapped (self->directory_selection, "items-changed", G_CALLBACK (on_directory_shown_changed), self);
  g_signal_connect_swapped (self->filtered, "notify::pending", G_CALLBACK (update_counts), self);

  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_object (self->settings, "changed::wait-warning-seconds",
                           G_CALLBACK (on_wait_thresholds_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::wait-alert-seconds",
                           G_CALLBACK (on_wait_thresholds_changed), self, G_CONNECT_SWAPPED);
  on_wait_thresholds_changed (self);

  /* Before the search's text, which would take Down and Shift+Enter for
   * itself. Enter alone is the search's "activate" and the list's. */
  {
    GtkEventController *down = gtk_shortcut_controller_new ();
    GtkEventController *consult = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (down, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (down),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Down, 0),
                                                            gtk_callback_action_new (on_search_down, self, NULL)));
    gtk_widget_add_controller (GTK_WIDGET (self->search_entry), down);

    /* In the directory, Shift+Enter consults the colleague Enter would
     * transfer to (the shortcuts window lists it). */
    gtk_event_controller_set_propagation_phase (consult, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (consult),
                                          gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_SHIFT_MASK),
                                                                                         gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_SHIFT_MASK)),
                                                            gtk_named_action_new ("console.consult")));
    gtk_widget_add_controller (gtk_paned_get_end_child (self->paned), consult);
  }

  self->tick_id = g_timeout_add_seconds (1, tick, self);

  update_actions (self);
  update_counts (self);
}

/**
 * attendant_console_view_get_console:
 *
 * Returns: (transfer none) (nullable): the console shown
 */
AttendantConsole *
attendant_console_view_get_console (AttendantConsoleView *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE_VIEW (self), NULL);

  return self->console;
}

static void
on_models_changed (AttendantConsoleView *self)
{
  update_counts (self);
  update_actions (self);
}

static void
on_online_changed (AttendantConsoleView *self)
{
  GHashTableIter iter;
  gpointer row;

  /* Every row's buttons follow; the rows themselves stay, showing the last
   * state known, so nothing vanishes unexplained. */
  g_hash_table_iter_init (&iter, self->live_rows);
  while (g_hash_table_iter_next (&iter, &row, NULL))
    call_row_update (row);

  update_actions (self);
}

static void
on_call_state (AttendantConsoleView *self)
{
  update_actions (self);
}

static void
on_calls_changed (AttendantConsoleView *self,
                  guint                 position,
                  guint                 removed,
                  guint                 added)
{
  /* A call just answered becomes the one the keys act on. */
  if (added > 0)
    {
      for (guint i = position; i < position + added; i++)
        {
          g_autoptr(AttendantCall) call = g_list_model_get_item (G_LIST_MODEL (self->calls_selection), i);

          g_signal_handlers_disconnect_by_func (call, on_call_state, self);
          g_signal_connect_object (call, "notify::state", G_CALLBACK (on_call_state), self, G_CONNECT_SWAPPED);
          g_signal_connect_object (call, "notify::pending", G_CALLBACK (on_call_state), self, G_CONNECT_SWAPPED);
          if (attendant_call_get_state (call) == ATTENDANT_CALL_STATE_ACTIVE ||
              attendant_call_get_state (call) == ATTENDANT_CALL_STATE_CONSULTING)
            gtk_single_selection_set_selected (self->calls_selection, i);
        }
    }

  /* A consultation starting or ending changes what the held call allows. */
  {
    GHashTableIter iter;
    gpointer row;

    g_hash_table_iter_init (&iter, self->live_rows);
    while (g_hash_table_iter_next (&iter, &row, NULL))
      if (!((CallRow *)row)->queue)
        call_row_update (row);
  }

  on_models_changed (self);
}

void
attendant_console_view_set_console (AttendantConsoleView *self,
                                    AttendantConsole     *console)
{
  g_return_if_fail (ATTENDANT_IS_CONSOLE_VIEW (self));
  g_return_if_fail (console == NULL || ATTENDANT_IS_CONSOLE (console));

  if (self->console == console)
    return;

  disconnect_console (self);

  if (console != NULL)
    {
      self->console = g_object_ref (console);
      g_signal_connect_object (console, "notify::online", G_CALLBACK (on_online_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (attendant_console_get_queue (console), "items-changed",
                               G_CALLBACK (on_models_changed), self, G_CONNECT_SWAPPED);
    }

  gtk_single_selection_set_model (self->queue_selection, console ? attendant_console_get_queue (console) : NULL);
  gtk_single_selection_set_model (self->calls_selection, console ? attendant_console_get_calls (console) : NULL);
  gtk_filter_list_model_set_model (self->filtered,
                                   console ? G_LIST_MODEL (attendant_console_get_directory (console)) : NULL);

  update_counts (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONSOLE]);
}

/**
 * attendant_console_view_get_actions:
 *
 * The "console." actions, for the window to put where its keyboard
 * shortcuts reach them from any focus.
 *
 * Returns: (transfer none): the actions
 */
GActionGroup *
attendant_console_view_get_actions (AttendantConsoleView *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE_VIEW (self), NULL);

  return G_ACTION_GROUP (self->actions);
}

void
attendant_console_view_focus_search (AttendantConsoleView *self)
{
  g_return_if_fail (ATTENDANT_IS_CONSOLE_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

/* }}} */

/**
 * attendant_console_view_clear_search:
 *
 * Empties the directory's search, as a log-out leaves it for the next
 * person.
 */
void
attendant_console_view_clear_search (AttendantConsoleView *self)
{
  g_return_if_fail (ATTENDANT_IS_CONSOLE_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}
