/* attendant-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-preferences-window.h"
#include "attendant-settings-mapping.h"

struct _AttendantPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwComboRow          *transport_row;
  AdwComboRow          *priority_order_row;
  GtkAdjustment        *attempt_timeout_adjustment;
  GtkAdjustment        *heartbeat_adjustment;
  GtkSwitch            *failback_switch;
  GtkSwitch            *accept_target_identity_switch;
  GtkSwitch            *notifications_switch;
};

G_DEFINE_FINAL_TYPE (AttendantPreferencesWindow, attendant_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

AttendantPreferencesWindow *
attendant_preferences_window_new (void)
{
  return g_object_new (ATTENDANT_TYPE_PREFERENCES_WINDOW, NULL);
}

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
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, transport_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, priority_order_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, attempt_timeout_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, heartbeat_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, failback_switch);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, accept_target_identity_switch);
  gtk_widget_class_bind_template_child (widget_class, AttendantPreferencesWindow, notifications_switch);
}

static void
attendant_preferences_window_init (AttendantPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The window changes the settings only; whoever runs the client binds
   * the same keys to it, so a change applies at the next connection. */
  self->settings = g_settings_new (APPLICATION_ID);

  attendant_settings_bind_enum_to_selected (self->settings, "transport",
                                            self->transport_row, "selected");
  attendant_settings_bind_enum_to_selected (self->settings, "priority-order",
                                            self->priority_order_row, "selected");
  g_settings_bind (self->settings, "attempt-timeout",
                   self->attempt_timeout_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "heartbeat-interval",
                   self->heartbeat_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "failback",
                   self->failback_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "accept-target-identity",
                   self->accept_target_identity_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notifications",
                   self->notifications_switch, "active", G_SETTINGS_BIND_DEFAULT);
}
