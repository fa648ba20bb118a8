/* test-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "attendant-application.h"
#include "attendant-client.h"
#include "attendant-node.h"
#include "attendant-preferences-window.h"
#include "attendant-server.h"
#include "attendant-test-fixture.h"
#include "attendant-test-gui.h"
#include "attendant-test-server.h"
#include "attendant-tls.h"
#include "attendant-window.h"

/* AttendantWindow and AttendantPreferencesWindow as an operator meets
 * them: built from their templates, their actions following the client's
 * state, and a login against the reference server on 127.0.0.1 that turns
 * the window into the console. Widgets are found by type or by widget
 * name, as an accessibility tool would, not through private fields.
 *
 * With ATTENDANT_SCREENSHOT_DIR set, the login page and the connected
 * window are also saved there as PNG files, to be looked at. */

#define NODES \
  "[node primary]\n" \
  "plain=127.0.0.1:0\n" \
  "\n" \
  "[node backup]\n" \
  "plain=127.0.0.2:0\n"

/* {{{ Helpers */

/* The shared ones (attendant-test-gui.c), under this file's short names. */
#define wait_for(predicate, data, timeout_ms) \
  attendant_test_gui_wait_for (predicate, data, timeout_ms)
#define find_widget(widget, type, name) \
  attendant_test_gui_find_widget (widget, type, name)
#define maybe_screenshot(window, name) \
  attendant_test_gui_screenshot (window, name)
#define reset_settings() \
  attendant_test_gui_reset_settings ()

static const char *
label_text (AttendantWindow *window,
            const char      *name)
{
  GtkWidget *label = find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, name);

  g_assert_nonnull (label);
  return gtk_label_get_label (GTK_LABEL (label));
}

static const char *
visible_page (AttendantWindow *window)
{
  GtkWidget *stack = find_widget (GTK_WIDGET (window), GTK_TYPE_STACK, "pages");

  g_assert_nonnull (stack);
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static gboolean
action_enabled (AttendantWindow *window,
                const char      *name)
{
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), name));
  return g_action_group_get_action_enabled (G_ACTION_GROUP (window), name);
}

static void
assert_actions (AttendantWindow *window,
                gboolean         log_in,
                gboolean         reconnect,
                gboolean         log_out)
{
  g_assert_cmpint (action_enabled (window, "log-in"), ==, log_in);
  g_assert_cmpint (action_enabled (window, "reconnect"), ==, reconnect);
  g_assert_cmpint (action_enabled (window, "log-out"), ==, log_out);
}

static AttendantWindow *
window_new (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);

  /* GTK owns a toplevel; the test takes a reference of its own to see
   * it finalized after gtk_window_destroy(). */
  return g_object_ref (attendant_window_new (NULL, client));
}

static void
window_free (AttendantWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (window);
}

/* }}} */
/* {{{ An in-process reference server on loopback */

typedef AttendantTestGuiServer Server;

static Server *
server_new (void)
{
  return attendant_test_gui_server_new (NODES);
}

static char *
server_address (Server *s)
{
  return attendant_test_gui_server_address (s, "primary", "plain");
}

/* }}} */
/* {{{ Tests */

/* Built from its template with nothing typed: the login page, offline,
 * and only "Log In" possible. */
static void
test_window_template (void)
{
  AttendantWindow *window;

  reset_settings ();
  window = window_new ();

  g_assert_cmpstr (visible_page (window), ==, "login");
  g_assert_cmpstr (label_text (window, "connection-label"), ==, "Offline");
  g_assert_nonnull (find_widget (GTK_WIDGET (window), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL));
  assert_actions (window, TRUE, FALSE, FALSE);

  window_free (window);
}

/* The client follows the preferences while the window lives. */
static void
test_window_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  AttendantWindow *window;
  AttendantClient *client;
  AttendantTransport transport;
  guint timeout;

  reset_settings ();
  window = window_new ();
  client = attendant_window_get_client (window);

  g_settings_set_uint (settings, "attempt-timeout", 9);
  g_settings_set_string (settings, "transport", "plain");
  g_object_get (client, "attempt-timeout", &timeout, "transport", &transport, NULL);
  g_assert_cmpuint (timeout, ==, 9);
  g_assert_cmpint (transport, ==, ATTENDANT_TRANSPORT_PLAIN);

  window_free (window);
}

/* An empty form does not start the client. */
static void
test_window_empty_form (void)
{
  AttendantWindow *window;

  reset_settings ();
  window = window_new ();

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  g_assert_cmpint (attendant_client_get_state (attendant_window_get_client (window)),
                   ==, ATTENDANT_CLIENT_STATE_IDLE);
  g_assert_cmpstr (label_text (window, "error-label"), !=, "");
  assert_actions (window, TRUE, FALSE, FALSE);

  window_free (window);
}

static gboolean
on_main_page (gpointer data)
{
  return g_strcmp0 (visible_page (data), "main") == 0;
}

static gboolean
on_login_page (gpointer data)
{
  return g_strcmp0 (visible_page (data), "login") == 0;
}

static gboolean
error_shown (gpointer data)
{
  GtkWidget *label = find_widget (data, GTK_TYPE_LABEL, "error-label");

  return gtk_widget_get_visible (label);
}

static void
type_password (AttendantWindow *window,
               const char      *password)
{
  GtkWidget *row = find_widget (GTK_WIDGET (window), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), password);
}

/* Logging in against the reference server: the console page, the node's
 * name in the indicator, "Unencrypted" beside it, and the actions of a
 * connected client; logging out brings the form back. */
static void
test_window_log_in (void)
{
  g_autoptr(AttendantTestGuiServer) server = server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *address = server_address (server);
  AttendantWindow *window;
  GtkWidget *unencrypted;

  reset_settings ();
  g_settings_set_string (settings, "server", address);
  g_settings_set_string (settings, "user-name", TEST_USER);
  g_settings_set_string (settings, "transport", "plain");
  g_settings_set_uint (settings, "attempt-timeout", 2);

  window = window_new ();
  gtk_window_present (GTK_WINDOW (window));
  type_password (window, TEST_PASSWORD);
  maybe_screenshot (GTK_WIDGET (window), "login.png");

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  assert_actions (window, FALSE, FALSE, TRUE);
  wait_for (on_main_page, window, 10000);

  g_assert_cmpstr (label_text (window, "connection-label"), ==, "primary");
  unencrypted = find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "unencrypted-label");
  g_assert_true (gtk_widget_get_visible (unencrypted));
  assert_actions (window, FALSE, TRUE, TRUE);
  maybe_screenshot (GTK_WIDGET (window), "connected.png");

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-out", NULL);
  wait_for (on_login_page, window, 5000);
  g_assert_cmpstr (label_text (window, "connection-label"), ==, "Offline");
  g_assert_false (gtk_widget_get_visible (unencrypted));
  assert_actions (window, TRUE, FALSE, FALSE);

  window_free (window);
}

static gboolean
on_backup (gpointer data)
{
  return g_strcmp0 (label_text (data, "connection-label"), "backup") == 0;
}

static void
count_page_changes (GtkStack   *stack,
                    GParamSpec *pspec,
                    guint      *changes)
{
  (*changes)++;
}

/* A failover moves the indicator to the backup node (learnt from the
 * primary's hello) and keeps the console on screen: the operator is not
 * sent back to the login form. */
static void
test_window_failover (void)
{
  g_autoptr(AttendantTestGuiServer) server = server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *address = server_address (server);
  AttendantWindow *window;
  GtkWidget *stack;
  guint changes = 0;

  reset_settings ();
  g_settings_set_string (settings, "server", address);
  g_settings_set_string (settings, "user-name", TEST_USER);
  g_settings_set_string (settings, "transport", "plain");
  g_settings_set_uint (settings, "attempt-timeout", 2);
  g_settings_set_boolean (settings, "failback", FALSE);

  window = window_new ();
  gtk_window_present (GTK_WINDOW (window));
  type_password (window, TEST_PASSWORD);
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  wait_for (on_main_page, window, 10000);
  g_assert_cmpstr (label_text (window, "connection-label"), ==, "primary");

  stack = find_widget (GTK_WIDGET (window), GTK_TYPE_STACK, "pages");
  g_signal_connect (stack, "notify::visible-child-name", G_CALLBACK (count_page_changes), &changes);

  attendant_node_crash (attendant_server_lookup_node (server->server, "primary"));
  wait_for (on_backup, window, 10000);
  g_assert_cmpstr (visible_page (window), ==, "main");
  g_assert_cmpuint (changes, ==, 0);
  assert_actions (window, FALSE, TRUE, TRUE);
  g_signal_handlers_disconnect_by_data (stack, &changes);

  window_free (window);
}

/* A wrong password keeps the form, says why, and lets the operator retry. */
static void
test_window_wrong_password (void)
{
  g_autoptr(AttendantTestGuiServer) server = server_new ();
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *address = server_address (server);
  AttendantWindow *window;

  reset_settings ();
  g_settings_set_string (settings, "server", address);
  g_settings_set_string (settings, "user-name", TEST_USER);
  g_settings_set_string (settings, "transport", "plain");

  window = window_new ();
  gtk_window_present (GTK_WINDOW (window));
  type_password (window, "wrong password");

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  wait_for (error_shown, window, 10000);
  g_assert_cmpstr (visible_page (window), ==, "login");
  g_assert_cmpint (attendant_client_get_state (attendant_window_get_client (window)),
                   ==, ATTENDANT_CLIENT_STATE_AUTH_FAILED);
  assert_actions (window, TRUE, FALSE, FALSE);
  maybe_screenshot (GTK_WIDGET (window), "wrong-password.png");

  window_free (window);
}

/* The preferences write the settings, and show them when they change
 * elsewhere. */
static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  AttendantPreferencesWindow *prefs;
  GtkWidget *spin, *toggle, *combo;

  reset_settings ();
  prefs = g_object_ref (attendant_preferences_window_new ());
  gtk_window_present (GTK_WINDOW (prefs));

  /* The first of each kind: transport, attempt timeout, failback. */
  combo = find_widget (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW, NULL);
  spin = find_widget (GTK_WIDGET (prefs), GTK_TYPE_SPIN_BUTTON, NULL);
  toggle = find_widget (GTK_WIDGET (prefs), GTK_TYPE_SWITCH, NULL);
  g_assert_nonnull (combo);
  g_assert_nonnull (spin);
  g_assert_nonnull (toggle);

  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), ==, 5);
  g_settings_set_uint (settings, "attempt-timeout", 7);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), ==, 7);

  g_assert_true (gtk_switch_get_active (GTK_SWITCH (toggle)));
  gtk_switch_set_active (GTK_SWITCH (toggle), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "failback"));

  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (combo)), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (combo), 1);
  {
    g_autofree char *transport = g_settings_get_string (settings, "transport");

    g_assert_cmpstr (transport, ==, "plain");
  }
  g_settings_set_uint (settings, "attempt-timeout", 5);
  gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (combo), 0);
  maybe_screenshot (GTK_WIDGET (prefs), "preferences.png");

  gtk_window_destroy (GTK_WINDOW (prefs));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (prefs);
}

/* The application's actions and shortcuts exist once it is registered
 * (on the wrapper's private session bus). */
static void
test_application_actions (void)
{
  g_autoptr(AttendantApplication) app = attendant_application_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) accels = NULL;

  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "quit"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "preferences"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_cmpstr (accels[0], ==, "<Control>q");
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  attendant_tls_init ();

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/window/template", test_window_template);
  g_test_add_func ("/window/settings", test_window_settings);
  g_test_add_func ("/window/empty-form", test_window_empty_form);
  g_test_add_func ("/window/log-in", test_window_log_in);
  g_test_add_func ("/window/failover", test_window_failover);
  g_test_add_func ("/window/wrong-password", test_window_wrong_password);
  g_test_add_func ("/preferences/bindings", test_preferences);
  g_test_add_func ("/application/actions", test_application_actions);

  return g_test_run ();
}
