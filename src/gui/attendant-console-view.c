/* attendant-console-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-console-view"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-call-row.h"
#include "attendant-contact-row.h"
#include "attendant-console-view-private.h"
#include "attendant-enum-types.h"
#include "attendant-error.h"
#include "attendant-shortcuts.h"

/* The switchboard: waiting calls, the attendant's own calls (and their
 * calls of the day, behind "History") and the directory, side by side.
 * Everything it shows comes from AttendantConsole; what it does is in
 * attendant-console-actions.c, the rows are AttendantCallRow and
 * AttendantContactRow.
 *
 * The keyboard works from anywhere in the window: the "console." actions
 * have function keys, which no text field takes for itself, so a search
 * in progress never stops F2 from answering. */

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

/* {{{ Rows */

static void
setup_call_row (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                AttendantConsoleView     *self)
{
  gboolean queue = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "queue"));

  /* The console is set before the lists get a model, and for good. */
  g_assert (self->console != NULL);
  gtk_list_item_set_child (item, attendant_call_row_new (self->console, queue));
}

static void
bind_call_row (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               AttendantConsoleView     *self)
{
  AttendantCallRow *row = ATTENDANT_CALL_ROW (gtk_list_item_get_child (item));

  attendant_call_row_set_call (row, gtk_list_item_get_item (item));
  g_hash_table_add (self->live_rows, row);
  attendant_call_row_tick (row, self->wait_warning, self->wait_alert);
}

static void
unbind_call_row (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 AttendantConsoleView     *self)
{
  AttendantCallRow *row = ATTENDANT_CALL_ROW (gtk_list_item_get_child (item));

  g_hash_table_remove (self->live_rows, row);
  attendant_call_row_set_call (row, NULL);
}

static void
on_contact_row_act (AttendantConsoleView *self,
                    AttendantCommand      command,
                    AttendantCall        *call,
                    AttendantContactRow  *row)
{
  AttendantContact *contact = attendant_contact_row_get_contact (row);
  const char *number = contact != NULL ? attendant_contact_get_number (contact) : NULL;

  if (number == NULL)
    return;

  if (command == ATTENDANT_COMMAND_DIAL)
    attendant_console_view_dial_from_search (self, number);
  else if (call != NULL || attendant_console_view_call_to_transfer (self) != NULL)
    attendant_console_view_hand_over (self, command, call, number);
}

static void
setup_contact_row (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   AttendantConsoleView     *self)
{
  GtkWidget *row = attendant_contact_row_new ();

  g_signal_connect_object (row, "act", G_CALLBACK (on_contact_row_act), self, G_CONNECT_SWAPPED);
  gtk_list_item_set_child (item, row);
}

static void
bind_contact_row (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  AttendantConsoleView     *self)
{
  AttendantContactRow *row = ATTENDANT_CONTACT_ROW (gtk_list_item_get_child (item));

  attendant_contact_row_set_slot (row, gtk_list_item_get_item (item));
  g_hash_table_add (self->contact_rows, row);
  attendant_contact_row_set_offer (row, self->offer);
  attendant_contact_row_set_own_number (row, attendant_console_get_extension (self->console));
}

static void
unbind_contact_row (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    AttendantConsoleView     *self)
{
  AttendantContactRow *row = ATTENDANT_CONTACT_ROW (gtk_list_item_get_child (item));

  g_hash_table_remove (self->contact_rows, row);
  attendant_contact_row_set_slot (row, NULL);
}

static void
update_rows (AttendantConsoleView *self,
             gboolean              queue_too)
{
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->live_rows);
  while (g_hash_table_iter_next (&iter, &row, NULL))
    if (queue_too || !attendant_call_row_get_queue (row))
      attendant_call_row_update (row);
}

static gboolean
tick (gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->live_rows);
  while (g_hash_table_iter_next (&iter, &row, NULL))
    attendant_call_row_tick (row, self->wait_warning, self->wait_alert);

  return G_SOURCE_CONTINUE;
}

/* }}} */
/* {{{ Counts and the search */

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

  /* An incremental filter is still at work while the count grows. A typed
   * number nobody has is no "No Matches": its row offers to call it. */
  gtk_stack_set_visible_child_name (self->directory_stack,
                                    shown > 0 || gtk_filter_list_model_get_pending (self->filtered) > 0 ||
                                    self->typed_number != NULL
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
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  gboolean narrower;
  gboolean wider;

  /* A search starts from its best match, at the top: the slots keep the
   * list where it was scrolled to. First, so that the list does not build
   * rows for where it was. */
  scroll_directory_to_top (self);

  g_free (self->typed_number);
  self->typed_number = attendant_phone_number_from_text (text);

  self->terms = attendant_search_terms_new (text);
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

  update_counts (self);
  attendant_console_view_update_actions (self);
}

/* The chosen colleague can change in place, the selected position staying:
 * no "selected-item" notification says so. */
static void
on_directory_filtered (AttendantConsoleView *self)
{
  attendant_console_view_update_actions (self);
}

/* Enter in the search acts on the chosen colleague, or, when none matches,
 * on the number typed. */
static void
on_search_activate (AttendantConsoleView *self)
{
  AttendantContact *contact = attendant_console_view_selected_contact (self);

  attendant_console_view_act_on_number (self, contact != NULL ? attendant_contact_get_number (contact)
                                                              : self->typed_number);
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

  if (contact != NULL)
    attendant_console_view_act_on_number (self, attendant_contact_get_number (contact));
}

/* }}} */
/* {{{ Following the console */

static void
on_models_changed (AttendantConsoleView *self)
{
  update_counts (self);
  attendant_console_view_update_actions (self);
}

static void
on_online_changed (AttendantConsoleView *self)
{
  /* Every row's buttons follow; the rows themselves stay, showing the last
   * state known, so nothing vanishes unexplained. */
  update_rows (self, TRUE);
  attendant_console_view_update_actions (self);
}

static void
on_call_state (AttendantConsoleView *self)
{
  attendant_console_view_update_actions (self);
}

static void
on_calls_changed (AttendantConsoleView *self,
                  guint                 position,
                  guint                 removed,
                  guint                 added)
{
  /* A call just answered becomes the one the keys act on. */
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

  /* A consultation starting or ending changes what the held call allows. */
  update_rows (self, FALSE);
  on_models_changed (self);
}

/* The server confirmed a hand-over: the colleague has the caller. */
static void
on_transferred (AttendantConsoleView *self,
                AttendantCall        *call,
                const char           *target)
{
  AttendantContact *contact = attendant_directory_lookup_number (attendant_console_get_directory (self->console),
                                                                 target);
  /* TRANSLATORS: %s is the colleague (or number) who now has the call */
  g_autofree char *text = g_strdup_printf (_("Transferred to %s"),
                                           contact != NULL ? attendant_contact_get_name (contact) : target);

  attendant_console_view_toast (self, text);
}

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

void
attendant_console_view_set_console (AttendantConsoleView *self,
                                    AttendantConsole     *console)
{
  g_return_if_fail (ATTENDANT_IS_CONSOLE_VIEW (self));
  g_return_if_fail (console == NULL || ATTENDANT_IS_CONSOLE (console));

  if (self->console == console)
    return;

  /* The lists let go of their rows, which hold the console, first. */
  gtk_single_selection_set_model (self->queue_selection, NULL);
  gtk_single_selection_set_model (self->calls_selection, NULL);
  disconnect_console (self);

  if (console != NULL)
    {
      self->console = g_object_ref (console);
      g_signal_connect_object (console, "notify::online", G_CALLBACK (on_online_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (console, "notify::presence",
                               G_CALLBACK (attendant_console_view_follow_presence), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (console, "transferred", G_CALLBACK (on_transferred), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (attendant_console_get_queue (console), "items-changed",
                               G_CALLBACK (on_models_changed), self, G_CONNECT_SWAPPED);
    }

  gtk_single_selection_set_model (self->queue_selection, console ? attendant_console_get_queue (console) : NULL);
  gtk_single_selection_set_model (self->calls_selection, console ? attendant_console_get_calls (console) : NULL);
  gtk_filter_list_model_set_model (self->filtered,
                                   console ? G_LIST_MODEL (attendant_console_get_directory (console)) : NULL);
  attendant_history_view_set_console (self->history_view, console);

  update_counts (self);
  attendant_console_view_follow_presence (self);
  attendant_console_view_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONSOLE]);
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
/* {{{ GObject */

static void
attendant_console_view_dispose (GObject *object)
{
  AttendantConsoleView *self = (AttendantConsoleView *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->queue_selection != NULL)
    {
      gtk_single_selection_set_model (self->queue_selection, NULL);
      gtk_single_selection_set_model (self->calls_selection, NULL);
    }
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
  g_clear_pointer (&self->typed_number, g_free);
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
   * @text: why a command failed, or what it started or achieved
   */
  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (ATTENDANT_TYPE_HISTORY_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/attendant/Attendant/attendant-console-view.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, paned);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, pause_button);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, answer_button);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, pause_content);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, queue_count);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, queue_stack);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, queue_view);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, calls_stack);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, calls_view);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, history_view);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, directory_count);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, transfer_hint);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, typed_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, typed_content);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, typed_button);
  gtk_widget_class_bind_template_child (widget_class, AttendantConsoleView, typed_consult);
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
  self->wait_warning = g_settings_get_uint (self->settings, "wait-warning-seconds");
  self->wait_alert = g_settings_get_uint (self->settings, "wait-alert-seconds");
  tick (self);
}

/* Shift+Enter consults the chosen colleague, or, when none matches, the
 * number typed: as Enter acts on one or the other. */
static gboolean
on_shift_enter (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  AttendantConsoleView *self = ATTENDANT_CONSOLE_VIEW (user_data);

  if (attendant_console_view_selected_contact (self) != NULL)
    return gtk_widget_activate_action (GTK_WIDGET (self), "console.consult", NULL);

  return gtk_widget_activate_action (GTK_WIDGET (self), "console.consult-typed", NULL);
}

static void
add_key_controllers (AttendantConsoleView *self)
{
  GtkEventController *down = gtk_shortcut_controller_new ();
  GtkEventController *consult = gtk_shortcut_controller_new ();

  /* Before the search's text, which would take Down and Shift+Enter for
   * itself. Enter alone is the search's "activate" and the list's. */
  gtk_event_controller_set_propagation_phase (down, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (down),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Down, 0),
                                                          gtk_callback_action_new (on_search_down, self, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), down);

  /* In the directory, Shift+Enter consults whom Enter would transfer to
   * (the shortcuts window lists it). */
  gtk_event_controller_set_propagation_phase (consult, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (consult),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_SHIFT_MASK),
                                                                                       gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_SHIFT_MASK)),
                                                          gtk_callback_action_new (on_shift_enter, self, NULL)));
  gtk_widget_add_controller (gtk_paned_get_end_child (self->paned), consult);
}

static void
set_tooltip (GtkWidget *widget,
             char      *tooltip)
{
  gtk_widget_set_tooltip_text (widget, tooltip);
  g_free (tooltip);
}

/* Tooltips that name a key take it from the one table of keys. */
static void
add_key_tooltips (AttendantConsoleView *self)
{
  set_tooltip (self->answer_button,
               attendant_shortcuts_dup_tooltip ("console.answer", _("Answer the call waiting longest")));
  set_tooltip (self->typed_button,
               attendant_shortcuts_dup_tooltip ("directory.act",
                                                _("Call the number typed, or transfer the call in hand to it, when no colleague matches")));
  set_tooltip (self->typed_consult,
               attendant_shortcuts_dup_tooltip ("directory.consult",
                                                _("Call the number typed first, the caller on hold")));
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
  attendant_console_view_init_actions (self);

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
  attendant_slot_model_set_view (self->directory_slots, GTK_WIDGET (self->directory_view));

  g_signal_connect_swapped (self->queue_selection, "notify::selected-item",
                            G_CALLBACK (attendant_console_view_update_actions), self);
  g_signal_connect_swapped (self->calls_selection, "notify::selected-item",
                            G_CALLBACK (attendant_console_view_update_actions), self);
  g_signal_connect_swapped (self->directory_selection, "notify::selected-item",
                            G_CALLBACK (attendant_console_view_update_actions), self);
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

  add_key_controllers (self);
  add_key_tooltips (self);

  self->tick_id = g_timeout_add_seconds (1, tick, self);

  attendant_console_view_update_actions (self);
  update_counts (self);
}

/* }}} */

/**
 * attendant_console_view_clear_search:
 *
 * Empties the directory's search, as a log-out leaves it for the next
 * person.
 */
/**
 * attendant_console_view_get_toast_overlay:
 *
 * Where the window shows its toasts while the console is shown: over the
 * directory, so that a toast never hides a call's Hold or Hang Up.
 *
 * Returns: (transfer none): the overlay
 */
AdwToastOverlay *
attendant_console_view_get_toast_overlay (AttendantConsoleView *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE_VIEW (self), NULL);

  return self->toast_overlay;
}

void
attendant_console_view_clear_search (AttendantConsoleView *self)
{
  g_return_if_fail (ATTENDANT_IS_CONSOLE_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}
