/* test-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "attendant-preferences-window.h"
#include "attendant-test-gui.h"
#include "attendant-test-server.h"

/* The "Trusted Certificates" list of AttendantPreferencesWindow: a
 * row per pin in the settings, following the key as it changes, Remove
 * per row, and an empty state that says what the list is for.
 *
 * With ATTENDANT_SCREENSHOT_DIR set, the page with a pin is saved there. */

#define FINGERPRINT_A \
  "0d:a0:e9:0d:37:a5:b0:6b:46:44:85:0e:27:0c:e8:81:f8:b9:e7:6e:c6:8f:7e:e6:7e:d5:07:34:a2:31:fe:50"
#define FINGERPRINT_B \
  "5e:1f:90:c4:aa:03:7b:2d:e8:41:96:0c:3f:d2:78:15:b0:6a:e9:24:57:cc:81:0f:d3:6e:a2:19:74:bb:08:c5"

static guint
n_rows (GtkWidget  *prefs,
        const char *name)
{
  GtkWidget *list = attendant_test_gui_find_widget (prefs, GTK_TYPE_LIST_BOX, "trusted-certificates-list");

  g_assert_nonnull (list);
  return attendant_test_gui_count_widgets (list, ADW_TYPE_ACTION_ROW, name);
}

static GtkWidget *
row_at (GtkWidget *prefs,
        int        index)
{
  GtkWidget *list = attendant_test_gui_find_widget (prefs, GTK_TYPE_LIST_BOX, "trusted-certificates-list");
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), index);

  g_assert_nonnull (row);
  return GTK_WIDGET (row);
}

static void
test_trusted_certificates (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  const char * const two[] = {
    "acme.test " FINGERPRINT_A,
    "127.0.0.1 " FINGERPRINT_B,
    NULL
  };
  const char * const one[] = { "acme.test " FINGERPRINT_A, NULL };
  const char * const empty[] = { NULL };
  AttendantPreferencesWindow *prefs;
  GtkWidget *row, *remove;
  g_auto(GStrv) pins = NULL;

  attendant_test_gui_reset_settings ();
  prefs = g_object_ref (attendant_preferences_window_new ());
  gtk_window_present (GTK_WINDOW (prefs));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "certificates");

  /* Empty: one row saying so, nothing to remove. */
  g_assert_cmpuint (n_rows (GTK_WIDGET (prefs), "no-trusted-certificates-row"), ==, 1);
  g_assert_cmpuint (n_rows (GTK_WIDGET (prefs), "trusted-certificate-row"), ==, 0);
  g_assert_null (attendant_test_gui_find_widget (GTK_WIDGET (prefs), GTK_TYPE_BUTTON, "remove-certificate-button"));
  attendant_test_gui_screenshot (GTK_WIDGET (prefs), "preferences-certificates-empty.png");

  /* Added elsewhere (the certificate dialog): shown at once, in order. */
  g_settings_set_strv (settings, "trusted-certificates", two);
  g_assert_cmpuint (n_rows (GTK_WIDGET (prefs), "no-trusted-certificates-row"), ==, 0);
  g_assert_cmpuint (n_rows (GTK_WIDGET (prefs), "trusted-certificate-row"), ==, 2);
  row = row_at (GTK_WIDGET (prefs), 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "acme.test");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, FINGERPRINT_A);
  row = row_at (GTK_WIDGET (prefs), 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "127.0.0.1");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, FINGERPRINT_B);

  g_settings_set_strv (settings, "trusted-certificates", one);
  g_assert_cmpuint (n_rows (GTK_WIDGET (prefs), "trusted-certificate-row"), ==, 1);
  attendant_test_gui_screenshot (GTK_WIDGET (prefs), "preferences-certificates.png");

  /* Remove: the pin leaves the settings, the row the list. */
  g_settings_set_strv (settings, "trusted-certificates", two);
  remove = attendant_test_gui_find_widget (row_at (GTK_WIDGET (prefs), 1), GTK_TYPE_BUTTON, "remove-certificate-button");
  g_assert_nonnull (remove);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (remove), ==, "Remove");
  g_signal_emit_by_name (remove, "clicked");
  pins = g_settings_get_strv (settings, "trusted-certificates");
  for (guint i = 0; pins[i] != NULL; i++)
    g_test_message ("pin %u: %s", i, pins[i]);
  g_assert_true (g_strv_equal ((const char * const *)pins, one));
  g_assert_cmpuint (n_rows (GTK_WIDGET (prefs), "trusted-certificate-row"), ==, 1);

  remove = attendant_test_gui_find_widget (GTK_WIDGET (prefs), GTK_TYPE_BUTTON, "remove-certificate-button");
  g_signal_emit_by_name (remove, "clicked");
  g_clear_pointer (&pins, g_strfreev);
  pins = g_settings_get_strv (settings, "trusted-certificates");
  g_assert_true (g_strv_equal ((const char * const *)pins, empty));
  g_assert_cmpuint (n_rows (GTK_WIDGET (prefs), "no-trusted-certificates-row"), ==, 1);

  gtk_window_destroy (GTK_WINDOW (prefs));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (prefs);
}

/* A pin edited by hand into nonsense still gets a row, to be removed. */
static void
test_malformed_pin (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  const char * const bad[] = { "not a pin", NULL };
  AttendantPreferencesWindow *prefs;
  GtkWidget *row;

  attendant_test_gui_reset_settings ();
  g_settings_set_strv (settings, "trusted-certificates", bad);
  prefs = g_object_ref (attendant_preferences_window_new ());

  g_assert_cmpuint (n_rows (GTK_WIDGET (prefs), "trusted-certificate-row"), ==, 1);
  row = row_at (GTK_WIDGET (prefs), 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "not a pin");
  g_signal_emit_by_name (attendant_test_gui_find_widget (row, GTK_TYPE_BUTTON, "remove-certificate-button"), "clicked");
  g_assert_cmpuint (n_rows (GTK_WIDGET (prefs), "no-trusted-certificates-row"), ==, 1);

  gtk_window_destroy (GTK_WINDOW (prefs));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (prefs);
}

/* The login's server and user name are preferences too, both ways; the
 * priority order says in one line what the chosen order does. */
static void
test_login_and_order (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GtkWidget *prefs, *server, *user, *transport, *order;
  g_autofree char *highest = NULL;

  attendant_test_gui_reset_settings ();
  g_settings_set_string (settings, "server", "acme.com");
  prefs = g_object_ref (GTK_WIDGET (attendant_preferences_window_new ()));
  gtk_window_present (GTK_WINDOW (prefs));

  server = attendant_test_gui_find_widget (prefs, ADW_TYPE_ENTRY_ROW, NULL);
  g_assert_nonnull (server);
  user = gtk_widget_get_next_sibling (server);
  g_assert_true (ADW_IS_ENTRY_ROW (user));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (server)), ==, "Server");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (server)), ==, "acme.com");

  gtk_editable_set_text (GTK_EDITABLE (user), "reception");
  {
    g_autofree char *value = g_settings_get_string (settings, "user-name");

    g_assert_cmpstr (value, ==, "reception");
  }

  transport = attendant_test_gui_find_widget (prefs, ADW_TYPE_COMBO_ROW, NULL);
  order = gtk_widget_get_next_sibling (transport);
  g_assert_true (ADW_IS_COMBO_ROW (order));
  highest = g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (order)));
  g_assert_nonnull (strstr (highest, "Highest"));

  adw_combo_row_set_selected (ADW_COMBO_ROW (order), 1);
  {
    g_autofree char *value = g_settings_get_string (settings, "priority-order");

    g_assert_cmpstr (value, ==, "rfc2782");
  }
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (order)), "RFC 2782"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (order)), !=, highest);

  gtk_window_destroy (GTK_WINDOW (prefs));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (prefs);
}

/* The queue's two thresholds, both ways: the spin buttons show the keys
 * and set them. */
static void
test_wait_thresholds (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GtkWidget *prefs, *warning, *alert;

  attendant_test_gui_reset_settings ();
  prefs = g_object_ref (GTK_WIDGET (attendant_preferences_window_new ()));
  /* Tall enough for the whole page in the screenshot. */
  gtk_window_set_default_size (GTK_WINDOW (prefs), 600, 1000);
  gtk_window_present (GTK_WINDOW (prefs));

  warning = attendant_test_gui_find_widget (prefs, GTK_TYPE_SPIN_BUTTON, "wait-warning-spin");
  alert = attendant_test_gui_find_widget (prefs, GTK_TYPE_SPIN_BUTTON, "wait-alert-spin");
  g_assert_nonnull (warning);
  g_assert_nonnull (alert);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (warning)), ==, 60);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (alert)), ==, 180);
  g_assert_nonnull (attendant_test_gui_find_label (prefs, "Queue"));
  attendant_test_gui_screenshot (prefs, "preferences-queue.png");

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (warning), 90);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (alert), 300);
  g_assert_cmpuint (g_settings_get_uint (settings, "wait-warning-seconds"), ==, 90);
  g_assert_cmpuint (g_settings_get_uint (settings, "wait-alert-seconds"), ==, 300);

  g_settings_set_uint (settings, "wait-alert-seconds", 240);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (alert)), ==, 240);

  gtk_window_destroy (GTK_WINDOW (prefs));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (prefs);
}

static gboolean
laid_out (gpointer data)
{
  return gtk_adjustment_get_upper (data) > gtk_adjustment_get_page_size (data);
}

/* What the receptionist chooses: the two sounds (the ring off at first,
 * the wait alert on) and what closing the window does, both ways. */
static void
test_receptionist (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GtkWidget *prefs, *ring, *alert, *background;
  GtkAdjustment *adjustment;
  g_autofree char *close_action = NULL;

  attendant_test_gui_reset_settings ();
  prefs = g_object_ref (GTK_WIDGET (attendant_preferences_window_new ()));
  gtk_window_set_default_size (GTK_WINDOW (prefs), 600, 700);
  gtk_window_present (GTK_WINDOW (prefs));

  ring = attendant_test_gui_find_widget (prefs, GTK_TYPE_SWITCH, "ring-sound-switch");
  alert = attendant_test_gui_find_widget (prefs, GTK_TYPE_SWITCH, "wait-alert-sound-switch");
  background = attendant_test_gui_find_widget (prefs, GTK_TYPE_SWITCH, "background-switch");
  g_assert_nonnull (ring);
  g_assert_nonnull (alert);
  g_assert_nonnull (background);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (ring)));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (alert)));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (background)));
  attendant_test_gui_assert_accessible_label_is (ring, "Ring Sound");
  /* The page scrolled to its end, where these groups are. */
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (attendant_test_gui_find_widget (prefs, GTK_TYPE_SCROLLED_WINDOW, NULL)));
  attendant_test_gui_wait_for (laid_out, adjustment, 5000);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  attendant_test_gui_screenshot (prefs, "preferences-receptionist.png");

  gtk_switch_set_active (GTK_SWITCH (ring), TRUE);
  g_assert_true (g_settings_get_boolean (settings, "ring-sound"));
  gtk_switch_set_active (GTK_SWITCH (alert), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "wait-alert-sound"));
  gtk_switch_set_active (GTK_SWITCH (background), FALSE);
  close_action = g_settings_get_string (settings, "close-action");
  g_assert_cmpstr (close_action, ==, "quit");
  g_settings_set_string (settings, "close-action", "background");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (background)));

  gtk_window_destroy (GTK_WINDOW (prefs));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (prefs);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/preferences-window/trusted-certificates", test_trusted_certificates);
  g_test_add_func ("/preferences-window/malformed-pin", test_malformed_pin);
  g_test_add_func ("/preferences-window/login-and-order", test_login_and_order);
  g_test_add_func ("/preferences-window/wait-thresholds", test_wait_thresholds);
  g_test_add_func ("/preferences-window/receptionist", test_receptionist);

  return g_test_run ();
}
