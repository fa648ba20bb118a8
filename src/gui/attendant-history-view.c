/* attendant-history-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-history-view"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-history-view.h"

/* The attendant's calls of the day (attendant_console_get_history()),
 * newest first: who, what became of the call — answered, placed,
 * transferred to whom, missed — and when. An icon per outcome beside the
 * words; a row follows its entry, so an answered call turns into a
 * transferred one in place. */
struct _AttendantHistoryView
{
  GtkWidget         parent_instance;

  AttendantConsole *console;
  GtkWidget        *box;
  GtkStack         *stack;
  GtkListBox       *list;
};

G_DEFINE_FINAL_TYPE (AttendantHistoryView, attendant_history_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONSOLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_time (gint64 us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);

  return time != NULL ? g_date_time_format (time, "%H:%M") : g_strdup ("");
}

static void
update_row (AdwActionRow *row)
{
  AttendantHistoryEntry *entry = g_object_get_data (G_OBJECT (row), "entry");
  AttendantHistoryView *self = g_object_get_data (G_OBJECT (row), "view");
  GtkImage *icon = g_object_get_data (G_OBJECT (row), "icon");
  const char *name = attendant_history_entry_get_name (entry);
  const char *number = attendant_history_entry_get_number (entry);
  g_autofree char *start = format_time (attendant_history_entry_get_time (entry));
  g_autofree char *end = format_time (attendant_history_entry_get_end_time (entry));
  g_autofree char *subtitle = NULL;
  const char *icon_name = "call-incoming-symbolic";

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 name != NULL ? name : number != NULL ? number : _("Unknown caller"));

  switch (attendant_history_entry_get_kind (entry))
    {
    case ATTENDANT_HISTORY_TRANSFERRED:
      {
        g_autofree char *party = self->console != NULL
                                 ? attendant_console_describe_party (self->console, attendant_history_entry_get_target (entry))
                                 : g_strdup (attendant_history_entry_get_target (entry));

        /* TRANSLATORS: when a call was answered, to whom it went and when */
        subtitle = g_strdup_printf (_("Answered at %s, transferred to %s at %s"), start, party, end);
        icon_name = "call-outgoing-symbolic";
      }
      break;

    case ATTENDANT_HISTORY_DIALLED:
      /* TRANSLATORS: %s is a time of day */
      subtitle = g_strdup_printf (_("Called at %s"), start);
      icon_name = "call-start-symbolic";
      break;

    case ATTENDANT_HISTORY_MISSED:
      /* TRANSLATORS: %s is a time of day */
      subtitle = g_strdup_printf (_("Missed: hung up while waiting, at %s"), start);
      icon_name = "call-missed-symbolic";
      break;

    case ATTENDANT_HISTORY_ANSWERED:
    default:
      if (attendant_history_entry_get_end_time (entry) > 0)
        /* TRANSLATORS: two times of day */
        subtitle = g_strdup_printf (_("Answered at %s, ended at %s"), start, end);
      else
        /* TRANSLATORS: %s is a time of day */
        subtitle = g_strdup_printf (_("Answered at %s"), start);
      break;
    }

  if (name != NULL && number != NULL)
    {
      g_autofree char *with_number = g_strdup_printf ("%s · %s", number, subtitle);

      g_free (subtitle);
      subtitle = g_steal_pointer (&with_number);
    }
  adw_action_row_set_subtitle (row, subtitle);
  gtk_image_set_from_icon_name (icon, icon_name);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  GtkWidget *icon = gtk_image_new ();

  adw_action_row_add_prefix (row, icon);
  gtk_widget_set_name (GTK_WIDGET (row), "history-row");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  /* Nothing in a caller's name is markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_object_set_data_full (G_OBJECT (row), "entry", g_object_ref (item), g_object_unref);
  g_object_set_data (G_OBJECT (row), "view", user_data);
  g_object_set_data (G_OBJECT (row), "icon", icon);
  g_signal_connect_object (item, "notify", G_CALLBACK (update_row), row, G_CONNECT_SWAPPED);
  update_row (row);

  return GTK_WIDGET (row);
}

static void
update_stack (AttendantHistoryView *self)
{
  GListModel *history = self->console != NULL ? attendant_console_get_history (self->console) : NULL;

  gtk_stack_set_visible_child_name (self->stack,
                                    history != NULL && g_list_model_get_n_items (history) > 0 ? "list" : "empty");
}

void
attendant_history_view_set_console (AttendantHistoryView *self,
                                    AttendantConsole     *console)
{
  g_return_if_fail (ATTENDANT_IS_HISTORY_VIEW (self));
  g_return_if_fail (console == NULL || ATTENDANT_IS_CONSOLE (console));

  if (self->console == console)
    return;

  if (self->console != NULL)
    g_signal_handlers_disconnect_by_data (attendant_console_get_history (self->console), self);
  g_set_object (&self->console, console);
  gtk_list_box_bind_model (self->list, console != NULL ? attendant_console_get_history (console) : NULL,
                           create_row, self, NULL);
  if (console != NULL)
    g_signal_connect_object (attendant_console_get_history (console), "items-changed",
                             G_CALLBACK (update_stack), self, G_CONNECT_SWAPPED);
  update_stack (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONSOLE]);
}

AttendantConsole *
attendant_history_view_get_console (AttendantHistoryView *self)
{
  g_return_val_if_fail (ATTENDANT_IS_HISTORY_VIEW (self), NULL);

  return self->console;
}

static void
attendant_history_view_dispose (GObject *object)
{
  AttendantHistoryView *self = (AttendantHistoryView *)object;

  attendant_history_view_set_console (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTENDANT_TYPE_HISTORY_VIEW);

  G_OBJECT_CLASS (attendant_history_view_parent_class)->dispose (object);
}

static void
attendant_history_view_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  AttendantHistoryView *self = ATTENDANT_HISTORY_VIEW (object);

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
attendant_history_view_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  AttendantHistoryView *self = ATTENDANT_HISTORY_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONSOLE:
      attendant_history_view_set_console (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_history_view_class_init (AttendantHistoryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attendant_history_view_dispose;
  object_class->get_property = attendant_history_view_get_property;
  object_class->set_property = attendant_history_view_set_property;

  properties[PROP_CONSOLE] =
    g_param_spec_object ("console", NULL, NULL, ATTENDANT_TYPE_CONSOLE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/attendant/Attendant/attendant-history-view.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantHistoryView, box);
  gtk_widget_class_bind_template_child (widget_class, AttendantHistoryView, stack);
  gtk_widget_class_bind_template_child (widget_class, AttendantHistoryView, list);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
attendant_history_view_init (AttendantHistoryView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_stack (self);
}

GtkWidget *
attendant_history_view_new (void)
{
  return g_object_new (ATTENDANT_TYPE_HISTORY_VIEW, NULL);
}
