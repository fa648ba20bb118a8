/* attendant-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-pin.h"
#include "attendant-preferences-window.h"
#include "attendant-settings-mapping.h"

struct _AttendantPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwEntryRow          *server_row;
  AdwEntryRow          *user_row;
  AdwComboRow          *transport_row;
  AdwComboRow          *priority_order_row;
  GtkAdjustment        *attempt_timeout_adjustment;
  GtkAdjustment        *heartbeat_adjustment;
  GtkAdjustment        *wait_warning_adjustment;
  GtkAdjustment        *wait_alert_adjustment;
  GtkSwitch            *failback_switch;
  GtkSwitch            *accept_target_identity_switch;
  GtkSwitch            *notifications_switch;
  GtkSwitch            *ring_sound_switch;
  GtkSwitch            *wait_alert_sound_switch;
  GtkSwitch            *background_switch;
  GtkListBox           *trusted_certificates_list;
};

G_DEFINE_FINAL_TYPE (AttendantPreferencesWindow, attendant_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

AttendantPreferencesWindow *
attendant_preferences_window_new (void)
{
  return g_object_new (ATTENDANT_TYPE_PREFERENCES_WINDOW, NULL);
}

/* {{{ Trusted certificates */

static void
remove_certificate_cb (GtkButton                  *button,
                       AttendantPreferencesWindow *self)
{
  const char *pin = g_object_get_data (G_OBJECT (button), "pin");
  g_auto(GStrv) pins = g_settings_get_strv (self->settings, "trusted-certificates");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;

  for (guint i = 0; pins[i] != NULL; i++)
    if (g_strcmp0 (pins[i], pin) != 0)
      g_strv_builder_add (builder, pins[i]);

  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "trusted-certificates", (const char * const *)updated);
}

static GtkWidget *
certificate_row_new (AttendantPreferencesWindow *self,
                     const char                 *pin)
{
  g_autofree char *identity = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *remove_label = NULL;
  GtkWidget *row;
  GtkWidget *button;

  /* A pin edited by hand into something else still gets its row, so that
   * it can be seen and removed. */
  if (!attendant_pin_parse (pin, &identity, &fingerprint, NULL))
    {
      identity = g_strdup (pin);
      fingerprint = g_strdup (_("Not a valid certificate pin"));
    }

  row = adw_action_row_new ();
  gtk_widget_set_name (row, "trusted-certificate-row");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), identity);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), fingerprint);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  /* 95 characters: wrapped rather than cut, since every pair counts. */
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);

  remove_label = g_strdup_printf (_("Remove certificate for %s"), identity);
  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_name (button, "remove-certificate-button");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Remove"));
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "pin", g_strdup (pin), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (remove_certificate_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
update_trusted_certificates (AttendantPreferencesWindow *self)
{
  g_auto(GStrv) pins = g_settings_get_strv (self->settings, "trusted-certificates");
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->trusted_certificates_list))) != NULL)
    gtk_list_box_remove (self->trusted_certificates_list, child);

  for (guint i = 0; pins[i] != NULL; i++)
    gtk_list_box_append (self->trusted_certificates_list, certificate_row_new (self, pins[i]));

  if (pins[0] == NULL)
    {
      GtkWidget *row = adw_action_row_new ();

      gtk_widget_set_name (row, "no-trusted-certificates-row");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No Trusted Certificates"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("A certificate you trust when asked at login appears here"));
      gtk_list_box_append (self->trusted_certificates_list, row);
    }
}

/* }}} */

static void
attendant_preferences_window_dispose (GObject *object)
{
  AttendantPreferencesWindow *self = ATTENDANT_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), ATTENDANT_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (attendant_preferences_window_parent_class)->dispose (object);
}

static void
attendant_preferences_window_class_init (AttendantPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attendant_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/attendant/Attendant/attendant-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, transport_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, priority_order_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, attempt_timeout_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, heartbeat_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, wait_warning_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, wait_alert_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, failback_switch);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, accept_target_identity_switch);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, ring_sound_switch);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, wait_alert_sound_switch);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, trusted_certificates_list);
}

/* "close-action" is a choice of two words, one of which is the switch's on. */
static gboolean
background_get (GValue   *value,
                GVariant *variant,
                gpointer  user_data)
{
  g_value_set_boolean (value, g_str_equal (g_variant_get_string (variant, NULL), "background"));
  return TRUE;
}

static GVariant *
background_set (const GValue       *value,
                const GVariantType *expected_type,
                gpointer            user_data)
{
  return g_variant_new_string (g_value_get_boolean (value) ? "background" : "quit");
}

/* One line on what the chosen order does, since the two differ only in
 * which end of the numbers wins. */
static void
update_priority_order_subtitle (AttendantPreferencesWindow *self)
{
  if (adw_combo_row_get_selected (self->priority_order_row) == 0)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->priority_order_row),
                                 _("Highest number first, as in the vendor’s DNS examples"));
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->priority_order_row),
                                 _("Lowest number first, as RFC 2782 says"));
}

static void
attendant_preferences_window_init (AttendantPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The window changes the settings only; whoever runs the client binds
   * the same keys to it, so a change applies at the next connection. */
  self->settings = g_settings_new (APPLICATION_ID);

  g_settings_bind (self->settings, "server", self->server_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "user-name", self->user_row, "text", G_SETTINGS_BIND_DEFAULT);
  attendant_settings_bind_enum_to_selected (self->settings, "transport",
                                            self->transport_row, "selected");
  attendant_settings_bind_enum_to_selected (self->settings, "priority-order",
                                            self->priority_order_row, "selected");
  g_signal_connect_object (self->priority_order_row, "notify::selected",
                           G_CALLBACK (update_priority_order_subtitle), self, G_CONNECT_SWAPPED);
  update_priority_order_subtitle (self);
  g_settings_bind (self->settings, "attempt-timeout",
                   self->attempt_timeout_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "heartbeat-interval",
                   self->heartbeat_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  /* The console follows these two at once. */
  g_settings_bind (self->settings, "wait-warning-seconds",
                   self->wait_warning_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "wait-alert-seconds",
                   self->wait_alert_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "failback",
                   self->failback_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "accept-target-identity",
                   self->accept_target_identity_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notifications",
                   self->notifications_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "ring-sound",
                   self->ring_sound_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "wait-alert-sound",
                   self->wait_alert_sound_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "close-action",
                                self->background_switch, "active", G_SETTINGS_BIND_DEFAULT,
                                background_get, background_set, NULL, NULL);

  /* A list has no property to bind: it follows the key, also when the
   * certificate dialog adds to it while this window is open. */
  g_signal_connect_object (self->settings, "changed::trusted-certificates",
                           G_CALLBACK (update_trusted_certificates), self, G_CONNECT_SWAPPED);
  update_trusted_certificates (self);
}
