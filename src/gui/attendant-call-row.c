/* attendant-call-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-call-row"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-call-row.h"
#include "attendant-shortcuts.h"

/* One call, in the Waiting list or in "My Calls": who, what state, how
 * long, and the buttons its state allows. The buttons name "console."
 * actions with the call's id as target, so they act through the console
 * view that holds the row. A row is dragged onto a colleague in the
 * directory to transfer its call; from the Waiting list too, where the
 * drop answers the call first.
 *
 * In the Waiting list the time is the wait, and turns orange then red
 * past the thresholds of the preferences; in "My Calls" it is the whole
 * call, from the attendant's first word (attendant_console_get_call_start():
 * a hold does not restart it).
 *
 * An answer can take a while: the phone system rings the attendant's own
 * phone, which may need picking up by hand. Past a moment, the row says
 * so in place of its subtitle (one line either way: nothing moves). */

/* Shorter than this, an answer needs no words. */
#define PICKUP_HINT_MS 1000
struct _AttendantCallRow
{
  GtkWidget         parent_instance;

  AttendantConsole *console;
  AttendantCall    *call;
  gboolean          queue;

  GtkBox           *box;
  GtkBox           *top;
  GtkLabel         *title;
  GtkLabel         *subtitle;
  GtkLabel         *notice;
  GtkLabel         *time;
  GtkBox           *buttons;

  guint             pickup_source;
  gboolean          pickup_hint;
};

G_DEFINE_FINAL_TYPE (AttendantCallRow, attendant_call_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONSOLE,
  PROP_QUEUE,
  PROP_CALL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

static char *
describe_state (AttendantConsole *console,
                AttendantCall    *call)
{
  g_autofree char *peer = attendant_console_describe_party (console, attendant_call_get_peer (call));

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

/**
 * attendant_row_button_new:
 * @style: (nullable): a style class, such as "suggested-action"
 *
 * A row's button: an icon and a label, the label also its accessible name.
 */
GtkWidget *
attendant_row_button_new (const char *icon,
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

/* @key_action: (nullable): the console's action whose key does the same
 * to the chosen call, named in the tooltip */
static void
add_button (AttendantCallRow *self,
            AttendantCommand  command,
            const char       *action,
            const char       *icon,
            const char       *key_action,
            const char       *text,
            const char       *style)
{
  gboolean online = attendant_console_get_online (self->console);
  g_autofree char *tooltip = key_action != NULL ? attendant_shortcuts_dup_tooltip (key_action, text) : g_strdup (text);
  GtkWidget *button = attendant_row_button_new (icon, attendant_command_get_label (command), tooltip, style);
  /* While the operator consults a colleague, the caller waits on hold:
   * resuming it is refused until the consultation ends (docs/protocol.md
   * §2.5). */
  gboolean allowed = online && attendant_call_can (self->call, command) &&
                     !(command == ATTENDANT_COMMAND_RESUME &&
                       attendant_console_find_call (self->console, ATTENDANT_CALL_STATE_CONSULTING) != NULL);

  /* The action group keeps the button insensitive offline; what only the
   * call's state can tell, a button without an action shows: the action
   * would make it sensitive again as soon as it is looked up. */
  if (allowed)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", attendant_call_get_id (self->call));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
    }
  else
    gtk_widget_set_sensitive (button, FALSE);
  gtk_box_append (self->buttons, button);
}

static void
update_buttons (AttendantCallRow *self)
{
  AttendantCallState state = attendant_call_get_state (self->call);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->buttons))) != NULL)
    gtk_box_remove (self->buttons, child);

  if (self->queue)
    {
      add_button (self, ATTENDANT_COMMAND_ANSWER, "console.answer-call", "call-start-symbolic",
                  NULL, _("Answer this call"), "suggested-action");
      return;
    }

  switch (state)
    {
    case ATTENDANT_CALL_STATE_RINGING:
      /* F2 answers a call ringing the attendant before any waiting one. */
      add_button (self, ATTENDANT_COMMAND_ANSWER, "console.answer-call", "call-start-symbolic",
                  "console.answer", _("Answer this call"), "suggested-action");
      break;

    case ATTENDANT_CALL_STATE_ACTIVE:
      add_button (self, ATTENDANT_COMMAND_HOLD, "console.hold-call", "media-playback-pause-symbolic",
                  "console.hold", _("Put the caller on hold"), NULL);
      break;

    case ATTENDANT_CALL_STATE_HELD:
      add_button (self, ATTENDANT_COMMAND_RESUME, "console.resume-call", "media-playback-start-symbolic",
                  "console.hold", _("Talk to the caller again"), NULL);
      break;

    case ATTENDANT_CALL_STATE_CONSULTING:
      add_button (self, ATTENDANT_COMMAND_COMPLETE, "console.complete-call", "emblem-ok-symbolic",
                  "console.complete", _("Connect the caller to this colleague"), "suggested-action");
      add_button (self, ATTENDANT_COMMAND_CANCEL_CONSULT, "console.cancel-call", "edit-undo-symbolic",
                  "console.cancel-consult", _("Go back to the caller"), NULL);
      break;

    case ATTENDANT_CALL_STATE_QUEUED:
    case ATTENDANT_CALL_STATE_TRANSFERRING:
    case ATTENDANT_CALL_STATE_ENDED:
    default:
      break;
    }

  if (state != ATTENDANT_CALL_STATE_ENDED && state != ATTENDANT_CALL_STATE_CONSULTING)
    add_button (self, ATTENDANT_COMMAND_HANGUP, "console.hangup-call", "call-stop-symbolic",
                "console.hang-up", _("End this call"), "destructive-action");
}

static void set_class (GtkWidget  *widget,
                       const char *name,
                       gboolean    on);

static gboolean
answering (AttendantCall *call)
{
  return attendant_call_get_pending (call) &&
         attendant_call_get_pending_command (call) == ATTENDANT_COMMAND_ANSWER;
}

static void
clear_pickup_hint (AttendantCallRow *self)
{
  g_clear_handle_id (&self->pickup_source, g_source_remove);
  self->pickup_hint = FALSE;
}

static gboolean
pickup_hint_cb (gpointer user_data)
{
  AttendantCallRow *self = user_data;

  self->pickup_source = 0;
  self->pickup_hint = TRUE;
  attendant_call_row_update (self);
  return G_SOURCE_REMOVE;
}

/* The reply, success or failure, ends the answer's wait (a failure is
 * the view's toast). */
static void
follow_answer (AttendantCallRow *self)
{
  if (!answering (self->call))
    clear_pickup_hint (self);
  else if (!self->pickup_hint && self->pickup_source == 0)
    self->pickup_source = g_timeout_add (PICKUP_HINT_MS, pickup_hint_cb, self);
}

/**
 * attendant_call_row_update:
 *
 * Shows the call's present state again: the console view calls it when
 * something beyond the call changed (online, a consultation begun).
 */
void
attendant_call_row_update (AttendantCallRow *self)
{
  AttendantCall *call = self->call;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  const char *notice;

  g_return_if_fail (ATTENDANT_IS_CALL_ROW (self));

  if (call == NULL || self->console == NULL)
    return;

  title = attendant_console_dup_call_title (self->console, call);
  gtk_label_set_label (self->title, title);

  follow_answer (self);
  if (self->pickup_hint)
    /* TRANSLATORS: an answer waits for the attendant's own phone, which the phone system rings */
    subtitle = g_strdup (_("Pick up your phone…"));
  else if (self->queue)
    {
      const char *number = attendant_call_get_caller_number (call);
      g_autofree char *name = attendant_console_dup_caller_name (self->console, call);
      const char *queue = attendant_console_get_queue_name (self->console, attendant_call_get_queue (call));

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
      g_autofree char *state = describe_state (self->console, call);
      const char *number = attendant_call_get_caller_number (call);

      if (attendant_call_get_pending (call))
        /* TRANSLATORS: a call's state while a command on it awaits the server */
        subtitle = g_strdup_printf (_("%s — waiting for the server…"), state);
      else if (number != NULL && attendant_call_get_state (call) != ATTENDANT_CALL_STATE_CONSULTING)
        subtitle = g_strdup_printf ("%s · %s", state, number);
      else
        subtitle = g_steal_pointer (&state);
    }
  gtk_label_set_label (self->subtitle, subtitle);
  /* What the attendant must do stands out from what merely is. */
  set_class (GTK_WIDGET (self->subtitle), "dim-label", !self->pickup_hint);
  set_class (GTK_WIDGET (self->subtitle), "accent", self->pickup_hint);

  notice = attendant_call_get_notice (call);
  gtk_label_set_label (self->notice, notice ? notice : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notice), notice != NULL);

  if (attendant_call_get_state (call) == ATTENDANT_CALL_STATE_ENDED)
    gtk_widget_add_css_class (GTK_WIDGET (self->box), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->box), "dim-label");

  update_buttons (self);
}

static void
set_class (GtkWidget  *widget,
           const char *name,
           gboolean    on)
{
  /* Touched only when it changes: each change restyles the widget. */
  if (gtk_widget_has_css_class (widget, name) == on)
    return;

  if (on)
    gtk_widget_add_css_class (widget, name);
  else
    gtk_widget_remove_css_class (widget, name);
}

/**
 * attendant_call_row_tick:
 * @wait_warning: seconds of waiting after which the time turns orange
 * @wait_alert: seconds after which it turns red and bold
 *
 * Shows the time again. A caller waiting long turns the time orange, then
 * red, so the operator sees whom to take first without reading every
 * time; bold for the second step, for those who do not tell the colours
 * apart.
 */
void
attendant_call_row_tick (AttendantCallRow *self,
                         guint             wait_warning,
                         guint             wait_alert)
{
  g_autofree char *text = NULL;
  gint64 since;
  gint64 seconds;
  gboolean alert;
  gboolean warning;

  g_return_if_fail (ATTENDANT_IS_CALL_ROW (self));

  if (self->call == NULL)
    return;

  since = self->queue ? attendant_call_get_since (self->call)
                      : attendant_console_get_call_start (self->console, self->call);
  text = format_duration (since);
  gtk_label_set_label (self->time, text);

  seconds = since > 0 ? (g_get_real_time () - since) / G_USEC_PER_SEC : 0;
  alert = self->queue && since > 0 && seconds >= (gint64)wait_alert;
  warning = self->queue && since > 0 && !alert && seconds >= (gint64)wait_warning;
  set_class (GTK_WIDGET (self->time), "wait-alert", alert);
  set_class (GTK_WIDGET (self->time), "wait-warning", warning);
}

static GdkContentProvider *
on_drag_prepare (GtkDragSource    *source,
                 double            x,
                 double            y,
                 AttendantCallRow *self)
{
  if (self->call == NULL ||
      !(attendant_call_can (self->call, ATTENDANT_COMMAND_TRANSFER) ||
        attendant_call_get_state (self->call) == ATTENDANT_CALL_STATE_QUEUED))
    return NULL;

  return gdk_content_provider_new_typed (ATTENDANT_TYPE_CALL, self->call);
}

static void
on_call_notify (AttendantCallRow *self,
                GParamSpec       *pspec)
{
  attendant_call_row_update (self);
}

/**
 * attendant_call_row_set_call:
 * @call: (nullable): the call to show
 */
void
attendant_call_row_set_call (AttendantCallRow *self,
                             AttendantCall    *call)
{
  g_return_if_fail (ATTENDANT_IS_CALL_ROW (self));
  g_return_if_fail (call == NULL || ATTENDANT_IS_CALL (call));

  if (self->call == call)
    return;

  if (self->call != NULL)
    g_signal_handlers_disconnect_by_data (self->call, self);
  clear_pickup_hint (self);
  g_set_object (&self->call, call);
  if (call != NULL)
    {
      g_signal_connect_swapped (call, "notify", G_CALLBACK (on_call_notify), self);
      attendant_call_row_update (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL]);
}

AttendantCall *
attendant_call_row_get_call (AttendantCallRow *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL_ROW (self), NULL);

  return self->call;
}

gboolean
attendant_call_row_get_queue (AttendantCallRow *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL_ROW (self), FALSE);

  return self->queue;
}

static void
attendant_call_row_constructed (GObject *object)
{
  AttendantCallRow *self = (AttendantCallRow *)object;
  GtkDragSource *drag;

  G_OBJECT_CLASS (attendant_call_row_parent_class)->constructed (object);

  gtk_widget_set_name (GTK_WIDGET (self), self->queue ? "queue-row" : "call-row");
  gtk_widget_set_name (GTK_WIDGET (self->time), self->queue ? "waiting-time" : "call-duration");

  if (!self->queue)
    {
      /* The operator's own calls get a line of their own for the buttons:
       * a consultation has two long ones, and the caller's name must not
       * be squeezed out by them. */
      g_object_ref (self->buttons);
      gtk_box_remove (self->top, GTK_WIDGET (self->buttons));
      gtk_widget_set_halign (GTK_WIDGET (self->buttons), GTK_ALIGN_END);
      gtk_box_append (self->box, GTK_WIDGET (self->buttons));
      g_object_unref (self->buttons);
    }

  /* Drag the call onto a colleague in the directory to transfer it. */
  drag = gtk_drag_source_new ();
  gtk_drag_source_set_actions (drag, GDK_ACTION_MOVE);
  g_signal_connect (drag, "prepare", G_CALLBACK (on_drag_prepare), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}

static void
attendant_call_row_dispose (GObject *object)
{
  AttendantCallRow *self = (AttendantCallRow *)object;

  if (self->call != NULL)
    g_signal_handlers_disconnect_by_data (self->call, self);
  clear_pickup_hint (self);
  g_clear_object (&self->call);
  g_clear_object (&self->console);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTENDANT_TYPE_CALL_ROW);

  G_OBJECT_CLASS (attendant_call_row_parent_class)->dispose (object);
}

static void
attendant_call_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AttendantCallRow *self = ATTENDANT_CALL_ROW (object);

  switch (prop_id)
    {
    case PROP_CONSOLE:
      g_value_set_object (value, self->console);
      break;

    case PROP_QUEUE:
      g_value_set_boolean (value, self->queue);
      break;

    case PROP_CALL:
      g_value_set_object (value, self->call);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_call_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  AttendantCallRow *self = ATTENDANT_CALL_ROW (object);

  switch (prop_id)
    {
    case PROP_CONSOLE:
      self->console = g_value_dup_object (value);
      break;

    case PROP_QUEUE:
      self->queue = g_value_get_boolean (value);
      break;

    case PROP_CALL:
      attendant_call_row_set_call (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_call_row_class_init (AttendantCallRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = attendant_call_row_constructed;
  object_class->dispose = attendant_call_row_dispose;
  object_class->get_property = attendant_call_row_get_property;
  object_class->set_property = attendant_call_row_set_property;

  properties[PROP_CONSOLE] =
    g_param_spec_object ("console", NULL, NULL, ATTENDANT_TYPE_CONSOLE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* A row of the Waiting list (its time is the wait), or of "My Calls". */
  properties[PROP_QUEUE] =
    g_param_spec_boolean ("queue", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CALL] =
    g_param_spec_object ("call", NULL, NULL, ATTENDANT_TYPE_CALL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/attendant/Attendant/attendant-call-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantCallRow, box);
  gtk_widget_class_bind_template_child (widget_class, AttendantCallRow, top);
  gtk_widget_class_bind_template_child (widget_class, AttendantCallRow, title);
  gtk_widget_class_bind_template_child (widget_class, AttendantCallRow, subtitle);
  gtk_widget_class_bind_template_child (widget_class, AttendantCallRow, notice);
  gtk_widget_class_bind_template_child (widget_class, AttendantCallRow, time);
  gtk_widget_class_bind_template_child (widget_class, AttendantCallRow, buttons);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "attendantcallrow");
}

static void
attendant_call_row_init (AttendantCallRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
attendant_call_row_new (AttendantConsole *console,
                        gboolean          queue)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (console), NULL);

  return g_object_new (ATTENDANT_TYPE_CALL_ROW, "console", console, "queue", queue, NULL);
}
