/* test-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-application.h"
#include "attendant-test-gui.h"
#include "attendant-node.h"
#include "attendant-password-store.h"
#include "attendant-preferences-window.h"
#include "attendant-reconnect-banner.h"
#include "attendant-test-fixture.h"
#include "attendant-test-server.h"
#include "attendant-window.h"
#include "attendant-window-private.h"

/* AttendantWindow and AttendantPreferencesWindow as an operator meets
 * them: built from their templates, their actions following the client's
 * state, and logins against the reference server on loopback that turn
 * the window into the console, fail over and come back. Widgets are
 * found by type or by widget name, as an accessibility tool would, not
 * through private fields.
 *
 * With ATTENDANT_SCREENSHOT_DIR set, the views are also saved there as
 * PNG files, to be looked at. */

#define FAILOVER_TEXT "Primary server " TEST_PRIMARY_HOST " unreachable — now connected to " TEST_BACKUP_HOST
#define FAILBACK_TEXT "Back on primary server " TEST_PRIMARY_HOST

/* {{{ Helpers */

static const char *
label_text (AttendantWindow *window,
            const char      *name)
{
  return attendant_test_gui_label_text (GTK_WIDGET (window), name);
}

static const char *
visible_page (AttendantWindow *window)
{
  GtkWidget *stack = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_STACK, "pages");

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
window_new_for (AttendantTestGuiServer  *server,
                AdwApplication *app)
{
  g_autoptr(AttendantClient) client = attendant_test_gui_client_new (server);

  /* Fast enough for a test, in seconds: no setting has them. */
  g_object_set (client, "failback-interval", 1u, NULL);

  /* GTK owns a toplevel; the test takes a reference of its own to see
   * it finalized after gtk_window_destroy(). */
  return g_object_ref (attendant_window_new (app, client));
}

static AttendantWindow *
window_new (void)
{
  return window_new_for (NULL, NULL);
}

static void
use_server (const char *server)
{
  attendant_test_gui_use_server (server);
}

static GtkWidget *
password_row (AttendantWindow *window)
{
  GtkWidget *row = attendant_test_gui_find_widget (GTK_WIDGET (window), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);

  g_assert_nonnull (row);
  return row;
}

static void
type_password (AttendantWindow *window,
               const char      *password)
{
  gtk_editable_set_text (GTK_EDITABLE (password_row (window)), password);
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
  GtkWidget *label = attendant_test_gui_find_widget (data, GTK_TYPE_LABEL, "error-label");

  return gtk_widget_get_visible (label);
}

static void
log_in (AttendantWindow *window)
{
  type_password (window, TEST_PASSWORD);
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  attendant_test_gui_wait_for (on_main_page, window, 10000);
}

static GtkWidget *
toast_label (AttendantWindow *window,
             const char      *text)
{
  GtkWidget *overlay = attendant_test_gui_find_widget (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY, NULL);

  return attendant_test_gui_find_label (overlay, text);
}

/* }}} */
/* {{{ The form */

/* Built from its template with nothing typed: the login page, offline,
 * and only "Log In" possible; every control labelled. */
static void
test_window_template (void)
{
  AttendantWindow *window;

  attendant_test_gui_reset_settings ();
  window = window_new ();

  g_assert_cmpstr (visible_page (window), ==, "login");
  g_assert_cmpstr (label_text (window, "connection-label"), ==, "Offline");
  g_assert_nonnull (password_row (window));
  assert_actions (window, TRUE, FALSE, FALSE);
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-status"));
  g_assert_false (attendant_reconnect_banner_get_revealed (
    ATTENDANT_RECONNECT_BANNER (attendant_test_gui_find_widget (GTK_WIDGET (window), ATTENDANT_TYPE_RECONNECT_BANNER, NULL))));

  attendant_test_gui_assert_accessible_label (attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, "status-button"));
  attendant_test_gui_assert_accessible_label (attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, "main-menu-button"));
  attendant_test_gui_assert_accessible_label (attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_SWITCH, "remember-switch"));
  attendant_test_gui_assert_accessible_label (attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_BUTTON, "log-in-button"));
  attendant_test_gui_assert_accessible_label (password_row (window));
  attendant_test_gui_assert_accessible_label (attendant_test_gui_find_widget (GTK_WIDGET (window), ADW_TYPE_COMBO_ROW, NULL));

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

static gboolean
is_inside (GtkWidget *widget,
           GtkWidget *ancestor)
{
  return widget != NULL && (widget == ancestor || gtk_widget_is_ancestor (widget, ancestor));
}

/* Keyboard only: Tab from the start reaches every control of the form
 * and of the header, in the order they are read. */
static void
test_window_tab_order (void)
{
  GtkWidget *targets[6];
  gboolean reached[G_N_ELEMENTS (targets)] = { FALSE, };
  guint order[G_N_ELEMENTS (targets)];
  guint n_reached = 0;
  AttendantWindow *window;
  GtkWidget *server_row;

  attendant_test_gui_reset_settings ();
  window = window_new ();
  gtk_window_present (GTK_WINDOW (window));

  server_row = attendant_test_gui_find_widget (GTK_WIDGET (window), ADW_TYPE_ENTRY_ROW, NULL);
  targets[0] = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, "status-button");
  targets[1] = server_row;
  targets[2] = password_row (window);
  targets[3] = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_SWITCH, "remember-switch");
  targets[4] = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_BUTTON, "log-in-button");
  targets[5] = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, "main-menu-button");

  for (guint step = 0; step < 40 && n_reached < G_N_ELEMENTS (targets); step++)
    {
      GtkWidget *focus;

      if (!gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD))
        continue;
      focus = gtk_root_get_focus (GTK_ROOT (window));
      for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
        if (!reached[i] && is_inside (focus, targets[i]))
          {
            reached[i] = TRUE;
            order[n_reached++] = i;
          }
    }

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    if (!reached[i])
      g_error ("Tab never reaches %s", gtk_widget_get_name (targets[i]));
  /* The form reads top to bottom. */
  for (guint i = 0; i + 1 < n_reached; i++)
    if (order[i] >= 1 && order[i] <= 4 && order[i + 1] >= 1 && order[i + 1] <= 4)
      g_assert_cmpuint (order[i], <, order[i + 1]);

  attendant_test_gui_window_free (GTK_WIDGET (window));
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

  attendant_test_gui_reset_settings ();
  window = window_new ();
  client = attendant_window_get_client (window);

  g_settings_set_uint (settings, "attempt-timeout", 9);
  g_settings_set_string (settings, "transport", "plain");
  g_object_get (client, "attempt-timeout", &timeout, "transport", &transport, NULL);
  g_assert_cmpuint (timeout, ==, 9);
  g_assert_cmpint (transport, ==, ATTENDANT_TRANSPORT_PLAIN);

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* An empty form does not start the client. */
static void
test_window_empty_form (void)
{
  AttendantWindow *window;

  attendant_test_gui_reset_settings ();
  window = window_new ();

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  g_assert_cmpint (attendant_client_get_state (attendant_window_get_client (window)),
                   ==, ATTENDANT_CLIENT_STATE_IDLE);
  g_assert_cmpstr (label_text (window, "error-label"), !=, "");
  assert_actions (window, TRUE, FALSE, FALSE);

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* attendant_window_prefill(), what the command line calls. */
static void
test_window_prefill (void)
{
  AttendantWindow *window;
  GtkWidget *server_row, *user_row;

  attendant_test_gui_reset_settings ();
  window = window_new ();
  server_row = attendant_test_gui_find_widget (GTK_WIDGET (window), ADW_TYPE_ENTRY_ROW, NULL);
  user_row = gtk_widget_get_next_sibling (server_row);

  attendant_window_prefill (window, "127.0.0.1:7001", "alice");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (server_row)), ==, "127.0.0.1:7001");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (user_row)), ==, "alice");
  attendant_window_prefill (window, NULL, "bob");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (server_row)), ==, "127.0.0.1:7001");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (user_row)), ==, "bob");

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* }}} */
/* {{{ Logging in */

typedef struct
{
  AttendantWindow *window;
  guint            rows;
} Plan;

static gboolean
plan_shown (gpointer data)
{
  GtkWidget *row = attendant_test_gui_find_widget (data, ADW_TYPE_ACTION_ROW, "attempt-row");

  return row != NULL && gtk_widget_get_mapped (row);
}

/* Logging in through SRV while the first node does not answer: the form
 * shows the plan, each endpoint with its priority and weight, while the
 * client tries; then the console on the second node, "Unencrypted"
 * beside its name, and the actions of a connected client; logging out
 * brings the form back. */
static void
test_window_log_in (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  AttendantWindow *window;
  GtkWidget *unencrypted, *row;

  use_server (TEST_DOMAIN);
  attendant_test_gui_server_publish_srv (server, "plain");
  attendant_node_freeze (attendant_server_lookup_node (server->server, "primary"));

  window = window_new_for (server, NULL);
  gtk_window_present (GTK_WINDOW (window));
  type_password (window, TEST_PASSWORD);
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  /* "Reconnect now" is there while the first attempt hangs, too. */
  assert_actions (window, FALSE, TRUE, TRUE);

  attendant_test_gui_wait_for (plan_shown, window, 5000);
  row = attendant_test_gui_find_widget (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "attempt-row");
  g_assert_true (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), TEST_PRIMARY_HOST ":"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Priority 10, weight 100 — waiting");
  attendant_test_gui_screenshot (GTK_WIDGET (window), "login-connecting.png");

  attendant_test_gui_wait_for (on_main_page, window, 10000);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "No answer"));
  g_assert_cmpstr (label_text (window, "connection-label"), ==, "backup");
  unencrypted = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "unencrypted-label");
  g_assert_true (gtk_widget_get_visible (unencrypted));
  assert_actions (window, FALSE, TRUE, TRUE);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "connected.png");

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-out", NULL);
  attendant_test_gui_wait_for (on_login_page, window, 5000);
  g_assert_cmpstr (label_text (window, "connection-label"), ==, "Offline");
  g_assert_false (gtk_widget_get_visible (unencrypted));
  assert_actions (window, TRUE, FALSE, FALSE);

  attendant_node_thaw (attendant_server_lookup_node (server->server, "primary"));
  attendant_test_gui_window_free (GTK_WIDGET (window));
}

static gboolean
summary_shown (gpointer data)
{
  AttendantWindow *window = data;

  return error_shown (window) &&
         g_str_has_prefix (label_text (window, "error-label"), "No server answered");
}

/* Every endpoint down: the form stays, says so, and each endpoint's row
 * says what happened and what to check. */
static void
test_window_all_down (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  AttendantWindow *window;
  GtkWidget *row, *cancel;

  use_server (TEST_DOMAIN);
  attendant_test_gui_server_publish_srv (server, "plain");
  attendant_node_stop (attendant_server_lookup_node (server->server, "primary"));
  attendant_node_stop (attendant_server_lookup_node (server->server, "backup"));

  window = window_new_for (server, NULL);
  gtk_window_present (GTK_WINDOW (window));
  type_password (window, TEST_PASSWORD);
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  attendant_test_gui_wait_for (summary_shown, window, 10000);

  g_assert_cmpstr (visible_page (window), ==, "login");
  row = attendant_test_gui_find_widget (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "attempt-row");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Refused"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            "check that the server runs"));
  /* Not the console's banner: the operator never got there. */
  g_assert_false (attendant_reconnect_banner_get_revealed (
    ATTENDANT_RECONNECT_BANNER (attendant_test_gui_find_widget (GTK_WIDGET (window), ATTENDANT_TYPE_RECONNECT_BANNER, NULL))));
  assert_actions (window, FALSE, TRUE, TRUE);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "login-failed.png");

  /* The way out of the retries is where "Log In" was. */
  g_assert_false (gtk_widget_get_visible (attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_BUTTON, "log-in-button")));
  cancel = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_BUTTON, "cancel-button");
  g_assert_true (gtk_widget_get_visible (cancel));
  g_signal_emit_by_name (cancel, "clicked");
  g_assert_cmpint (attendant_client_get_state (attendant_window_get_client (window)), ==, ATTENDANT_CLIENT_STATE_IDLE);
  g_assert_false (gtk_widget_get_visible (cancel));
  assert_actions (window, TRUE, FALSE, FALSE);

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

typedef struct
{
  GDataInputStream *lines;
  char             *line;
  gboolean          done;
} LineRead;

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, NULL);
  read->done = TRUE;
}

static gboolean
line_read (gpointer data)
{
  return ((LineRead *)data)->done;
}

/* The next line of the weak server's output, the main loop running. */
static char *
next_line (GDataInputStream *lines)
{
  LineRead read = { lines, NULL, FALSE };

  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, line_read_cb, &read);
  attendant_test_gui_wait_for (line_read, &read, 20000);
  g_assert_nonnull (read.line);
  return read.line;
}

/* A server asking for one PBKDF2 iteration (the
 * hostile server of tests/hostile/hostile_auth.py) gets no proof; the
 * window says why instead of blaming the password. */
static void
test_window_weak_server (void)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "..", "hostile", "hostile_auth.py", NULL);
  g_autoptr(GSubprocess) weak = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  g_autofree char *address = NULL;
  g_autofree char *seen = NULL;
  AttendantWindow *window;
  const char *text;

  weak = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "python3", script, "--weak-server", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (weak));
  port = next_line (lines);
  address = g_strdup_printf ("127.0.0.1:%s", port);

  use_server (address);
  window = window_new ();
  gtk_window_present (GTK_WINDOW (window));
  type_password (window, "the right password, for all it knows");

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  attendant_test_gui_wait_for (error_shown, window, 10000);
  g_assert_cmpstr (visible_page (window), ==, "login");
  g_assert_cmpint (attendant_client_get_state (attendant_window_get_client (window)),
                   ==, ATTENDANT_CLIENT_STATE_AUTH_FAILED);
  g_assert_true (attendant_client_get_server_insecure (attendant_window_get_client (window)));
  text = label_text (window, "error-label");
  g_test_message ("error label: %s", text);
  g_assert_nonnull (strstr (text, "only 1 PBKDF2 iterations"));
  g_assert_nonnull (strstr (text, "4096"));
  g_assert_null (strstr (text, "did not accept the password"));

  attendant_test_gui_window_free (GTK_WIDGET (window));

  /* The client hung up after the challenge, without a proof. */
  seen = next_line (lines);
  g_assert_cmpstr (seen, ==, "seen auth.start");
}

static gboolean
password_focused (gpointer data)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (data));

  return focus != NULL && gtk_widget_is_ancestor (focus, password_row (data));
}

/* A wrong password keeps the form, says so in words, puts the cursor in
 * the password, and lets the operator retry. */
static void
test_window_wrong_password (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "plain");
  AttendantWindow *window;

  use_server (address);
  window = window_new ();
  gtk_window_present (GTK_WINDOW (window));
  type_password (window, "wrong password");

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  attendant_test_gui_wait_for (error_shown, window, 10000);
  g_assert_cmpstr (visible_page (window), ==, "login");
  g_assert_cmpint (attendant_client_get_state (attendant_window_get_client (window)),
                   ==, ATTENDANT_CLIENT_STATE_AUTH_FAILED);
  g_assert_cmpstr (label_text (window, "error-label"), ==,
                   "The server did not accept the password for " TEST_USER ". Check it and log in again.");
  attendant_test_gui_wait_for (password_focused, window, 2000);
  assert_actions (window, TRUE, FALSE, FALSE);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "wrong-password.png");

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

static gboolean
password_filled (gpointer data)
{
  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (password_row (data))), TEST_PASSWORD) == 0;
}

static gboolean
store_has_password (gpointer data)
{
  g_autofree char *password = attendant_password_store_peek (data, TEST_DOMAIN, TEST_USER);

  return g_strcmp0 (password, TEST_PASSWORD) == 0;
}

static gboolean
store_is_empty (gpointer data)
{
  g_autofree char *password = attendant_password_store_peek (data, TEST_DOMAIN, TEST_USER);

  return password == NULL;
}

/* "Remember password": kept in the store (the keyring; here its
 * in-memory stand-in) after a successful login, never in the settings;
 * filled in by the next window; removed when the switch goes off. */
static void
test_window_remember_password (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autoptr(AttendantPasswordStore) store = attendant_password_store_new_in_memory ();
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  AttendantWindow *window;
  GtkWidget *toggle;

  attendant_password_store_set_default (store);
  use_server (TEST_DOMAIN);
  attendant_test_gui_server_publish_srv (server, "plain");

  window = window_new_for (server, NULL);
  toggle = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_SWITCH, "remember-switch");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));
  gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
  g_assert_true (g_settings_get_boolean (settings, "remember-password"));
  log_in (window);
  attendant_test_gui_wait_for (store_has_password, store, 5000);

  /* No setting holds it. */
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      g_assert_null (strstr (text, TEST_PASSWORD));
    }
  attendant_test_gui_window_free (GTK_WIDGET (window));

  window = window_new_for (server, NULL);
  attendant_test_gui_wait_for (password_filled, window, 5000);
  toggle = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_SWITCH, "remember-switch");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (toggle)));
  gtk_switch_set_active (GTK_SWITCH (toggle), FALSE);
  attendant_test_gui_wait_for (store_is_empty, store, 5000);
  attendant_test_gui_window_free (GTK_WIDGET (window));

  /* Not remembered: nothing is stored at login. */
  window = window_new_for (server, NULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (password_row (window))), ==, "");
  log_in (window);
  g_assert_true (store_is_empty (store));
  attendant_test_gui_window_free (GTK_WIDGET (window));

  attendant_password_store_set_default (NULL);
}

/* }}} */
/* {{{ Failover, failback, reconnecting */

static gboolean
on_backup (gpointer data)
{
  return g_strcmp0 (label_text (data, "connection-label"), "backup") == 0;
}

static gboolean
on_primary (gpointer data)
{
  return g_strcmp0 (label_text (data, "connection-label"), "primary") == 0;
}

static gboolean
failover_toast_shown (gpointer data)
{
  return toast_label (data, FAILOVER_TEXT) != NULL;
}

static gboolean
failback_toast_shown (gpointer data)
{
  return toast_label (data, FAILBACK_TEXT) != NULL;
}

static void
count_page_changes (GtkStack   *stack,
                    GParamSpec *pspec,
                    guint      *changes)
{
  (*changes)++;
}

/* On a failover the toast says which server was lost and where
 * the console is now, and the header shows the new node, without the
 * operator opening anything and without leaving the console; the
 * failback says so too. */
static void
test_window_failover (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GError) error = NULL;
  AttendantNode *primary = attendant_server_lookup_node (server->server, "primary");
  AttendantWindow *window;
  GtkWidget *stack;
  guint changes = 0;
  gint64 lost;

  use_server (TEST_DOMAIN);
  attendant_test_gui_server_publish_srv (server, "plain");

  window = window_new_for (server, NULL);
  gtk_window_present (GTK_WINDOW (window));
  log_in (window);
  g_assert_cmpstr (label_text (window, "connection-label"), ==, "primary");

  stack = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_STACK, "pages");
  g_signal_connect (stack, "notify::visible-child-name", G_CALLBACK (count_page_changes), &changes);

  lost = g_get_monotonic_time ();
  attendant_node_crash (primary);
  attendant_test_gui_wait_for (failover_toast_shown, window, 10000);
  g_test_message ("toast %.1f s after the crash", (g_get_monotonic_time () - lost) / 1e6);
  g_assert_cmpstr (label_text (window, "connection-label"), ==, "backup");
  g_assert_cmpstr (visible_page (window), ==, "main");
  g_assert_cmpuint (changes, ==, 0);
  assert_actions (window, FALSE, TRUE, TRUE);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "failover-toast.png");
  g_signal_handlers_disconnect_by_data (stack, &changes);

  attendant_node_start (primary, &error);
  g_assert_no_error (error);
  attendant_test_gui_wait_for (on_primary, window, 15000);
  /* The failback's toast replaces the failover's, now out of date, at
   * once: it does not queue behind it. */
  attendant_test_gui_wait_for (failback_toast_shown, window, 1000);

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

static gboolean
toast_mapped (gpointer data)
{
  GtkWidget *label = toast_label (data, "Server dc1 unreachable — now connected to dc2");

  return label != NULL && gtk_widget_get_mapped (label);
}

/* Moves in quick succession leave one toast on screen, saying the latest,
 * not a stack of stale ones fading out: the toast is rewritten in place.
 * Replacing it instead made libadwaita 1.2 read freed memory when the
 * replaced toast's entry animation ended, which crashed the app as its
 * window closed. The text is shown as written, whatever it contains. */
static void
test_window_rapid_moves (void)
{
  GType toast_widget_type;
  GtkWidget *overlay;
  AttendantWindow *window;

  attendant_test_gui_reset_settings ();
  window = window_new ();
  gtk_window_present (GTK_WINDOW (window));

  attendant_window_notify_move (window, "failover", "Now connected to dc2",
                                "Server dc1 unreachable — now connected to dc2");
  attendant_test_gui_wait_for (toast_mapped, window, 5000);
  attendant_window_notify_move (window, "failback", "Back on the primary server",
                                "Back on primary server dc1");
  attendant_window_notify_move (window, "failover", "Now connected to R&D <lab>",
                                "Server dc1 unreachable — now connected to R&D <lab>");

  overlay = attendant_test_gui_find_widget (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY, NULL);
  toast_widget_type = g_type_from_name ("AdwToastWidget");
  g_assert_cmpuint (toast_widget_type, !=, G_TYPE_INVALID);
  g_assert_cmpuint (attendant_test_gui_count_widgets (overlay, toast_widget_type, NULL), ==, 1);
  g_assert_nonnull (toast_label (window, "Server dc1 unreachable — now connected to R&D <lab>"));
  g_assert_null (toast_label (window, "Back on primary server dc1"));
  g_assert_null (toast_label (window, "Server dc1 unreachable — now connected to dc2"));

  /* Closing the window while the toast is still coming in. */
  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* With "notifications" off, no toast. */
static void
test_window_failover_quiet (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  AttendantWindow *window;

  use_server (TEST_DOMAIN);
  g_settings_set_boolean (settings, "notifications", FALSE);
  g_settings_set_boolean (settings, "failback", FALSE);
  attendant_test_gui_server_publish_srv (server, "plain");

  window = window_new_for (server, NULL);
  gtk_window_present (GTK_WINDOW (window));
  log_in (window);
  attendant_node_crash (attendant_server_lookup_node (server->server, "primary"));
  attendant_test_gui_wait_for (on_backup, window, 10000);
  g_assert_null (toast_label (window, FAILOVER_TEXT));

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

static gboolean
banner_revealed (gpointer data)
{
  return attendant_reconnect_banner_get_revealed (
    ATTENDANT_RECONNECT_BANNER (attendant_test_gui_find_widget (data, ATTENDANT_TYPE_RECONNECT_BANNER, NULL)));
}

static gboolean
banner_counts_down (gpointer data)
{
  AttendantReconnectBanner *banner =
    ATTENDANT_RECONNECT_BANNER (attendant_test_gui_find_widget (data, ATTENDANT_TYPE_RECONNECT_BANNER, NULL));

  return attendant_reconnect_banner_get_revealed (banner) &&
         g_str_has_prefix (attendant_reconnect_banner_get_title (banner), "Connection lost — reconnecting in ");
}

static gboolean
banner_hidden (gpointer data)
{
  return !banner_revealed (data);
}

/* Both nodes lost: the console stays, with the banner counting down,
 * Reconnect and Log Out possible; both back: the banner goes. */
static void
test_window_reconnecting (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autoptr(GError) error = NULL;
  AttendantNode *primary = attendant_server_lookup_node (server->server, "primary");
  AttendantNode *backup = attendant_server_lookup_node (server->server, "backup");
  AttendantWindow *window;

  use_server (TEST_DOMAIN);
  attendant_test_gui_server_publish_srv (server, "plain");

  window = window_new_for (server, NULL);
  gtk_window_present (GTK_WINDOW (window));
  log_in (window);

  attendant_node_crash (backup);
  attendant_node_crash (primary);
  attendant_test_gui_wait_for (banner_revealed, window, 10000);
  attendant_test_gui_wait_for (banner_counts_down, window, 10000);
  g_assert_cmpstr (visible_page (window), ==, "main");
  g_assert_cmpstr (label_text (window, "connection-label"), !=, "primary");
  assert_actions (window, FALSE, TRUE, TRUE);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "reconnecting-banner.png");

  attendant_node_start (primary, &error);
  g_assert_no_error (error);
  g_action_group_activate_action (G_ACTION_GROUP (window), "reconnect", NULL);
  attendant_test_gui_wait_for (on_primary, window, 10000);
  attendant_test_gui_wait_for (banner_hidden, window, 2000);

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* }}} */
/* {{{ The desktop notification */

static gboolean
notified (gpointer data)
{
  g_autoptr(GPtrArray) calls = attendant_test_gui_notify_calls ();

  for (guint i = 0; i + 1 < calls->len; i += 2)
    if (g_str_equal (calls->pdata[i + 1], data))
      return TRUE;

  return FALSE;
}

/* While the window is not the active one, a failover also reaches the
 * desktop: a notification, here caught by python3-dbusmock's
 * notification daemon on the wrapper's private session bus. */
static void
test_window_notification (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(AttendantApplication) app = attendant_application_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GSubprocess) daemon = attendant_test_gui_notification_daemon_new ();
  AttendantWindow *window;

  if (daemon == NULL)
    return;

  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  use_server (TEST_DOMAIN);
  g_settings_set_boolean (settings, "failback", FALSE);
  attendant_test_gui_server_publish_srv (server, "plain");

  /* Never presented, so never the active window. */
  window = window_new_for (server, ADW_APPLICATION (app));
  log_in (window);
  g_assert_false (gtk_window_is_active (GTK_WINDOW (window)));

  attendant_node_crash (attendant_server_lookup_node (server->server, "primary"));
  attendant_test_gui_wait_for (notified, FAILOVER_TEXT, 10000);
  calls = attendant_test_gui_notify_calls ();
  g_assert_cmpuint (calls->len, ==, 2);
  g_assert_cmpstr (calls->pdata[0], ==, "Now connected to " TEST_BACKUP_HOST);

  attendant_test_gui_window_free (GTK_WIDGET (window));
  attendant_test_gui_notification_daemon_stop (daemon);
}

/* }}} */
/* {{{ Calls from links (desktop CTI) */

typedef struct
{
  AttendantWindow *window;
  const char      *text;
} Expect;

static GtkRevealer *
dial_banner (AttendantWindow *window)
{
  GtkWidget *banner = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_REVEALER, "dial-banner");

  g_assert_nonnull (banner);
  return GTK_REVEALER (banner);
}

static gboolean
dial_banner_says (gpointer data)
{
  Expect *expect = data;

  return gtk_revealer_get_reveal_child (dial_banner (expect->window)) &&
         g_strcmp0 (label_text (expect->window, "dial-banner-title"), expect->text) == 0;
}

static gboolean
dial_banner_hidden (gpointer data)
{
  return !gtk_revealer_get_reveal_child (dial_banner (data)) &&
         !gtk_widget_get_mapped (attendant_test_gui_find_widget (data, GTK_TYPE_BUTTON, "dial-banner-cancel"));
}

static gboolean
window_connected (gpointer data)
{
  return attendant_client_get_state (attendant_window_get_client (data)) == ATTENDANT_CLIENT_STATE_CONNECTED;
}

static gboolean
client_waiting (gpointer data)
{
  return attendant_client_get_state (attendant_window_get_client (data)) == ATTENDANT_CLIENT_STATE_WAITING;
}

/* A link opened before the operator logged in: the number waits in a
 * banner that says what it waits for, the login, then the connection;
 * once logged in the server places the call, and only its reply brings
 * "Calling …", by which time the telephone system has the call. */
static void
test_window_dial_pending (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "plain");
  AttendantNode *primary = attendant_server_lookup_node (server->server, "primary");
  Expect before_login, before_connect;
  AttendantWindow *window;
  GtkWidget *cancel;

  use_server (address);
  window = window_new_for (server, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (dial_banner_hidden (window));
  g_assert_false (action_enabled (window, "cancel-dial"));

  attendant_window_dial (window, "tel:+39-0123-456");
  before_login = (Expect) { window, "Will call +390123456 once you log in" };
  attendant_test_gui_wait_for (dial_banner_says, &before_login, 5000);
  g_assert_true (action_enabled (window, "cancel-dial"));
  cancel = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_BUTTON, "dial-banner-cancel");
  attendant_test_gui_assert_accessible_label_is (cancel, "Cancel the Call");
  g_assert_null (toast_label (window, "Calling +390123456…"));
  attendant_test_gui_screenshot (GTK_WIDGET (window), "dial-pending.png");

  /* The server down: the banner now waits for the connection. */
  attendant_node_stop (primary);
  type_password (window, TEST_PASSWORD);
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  attendant_test_gui_wait_for (client_waiting, window, 10000);
  before_connect = (Expect) { window, "Will call +390123456 once connected" };
  attendant_test_gui_wait_for (dial_banner_says, &before_connect, 5000);
  g_assert_cmpuint (attendant_test_gui_server_count_dialled (server, "+390123456"), ==, 0);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "dial-pending-connecting.png");

  g_assert_true (attendant_node_start (primary, NULL));
  g_action_group_activate_action (G_ACTION_GROUP (window), "reconnect", NULL);
  attendant_test_gui_wait_for_label (GTK_WIDGET (window), "Calling +390123456…", 10000);
  g_assert_cmpuint (attendant_test_gui_server_count_dialled (server, "+390123456"), ==, 1);
  attendant_test_gui_wait_for (dial_banner_hidden, window, 5000);
  g_assert_false (action_enabled (window, "cancel-dial"));
  attendant_test_gui_screenshot (GTK_WIDGET (window), "dial-calling.png");

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* A waiting number is gone when the operator cancels it, or logs out
 * (with a toast saying it was not called): whoever logs in next does not
 * find a call placed in their name. */
static void
test_window_dial_cancel (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "plain");
  AttendantNode *primary = attendant_server_lookup_node (server->server, "primary");
  Expect pending, connecting;
  AttendantWindow *window;

  use_server (address);
  window = window_new_for (server, NULL);
  gtk_window_present (GTK_WINDOW (window));

  attendant_window_dial (window, "callto://+39%20055%20123");
  pending = (Expect) { window, "Will call +39055123 once you log in" };
  attendant_test_gui_wait_for (dial_banner_says, &pending, 5000);
  g_signal_emit_by_name (attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_BUTTON, "dial-banner-cancel"),
                         "clicked");
  attendant_test_gui_wait_for (dial_banner_hidden, window, 5000);

  attendant_window_dial (window, "sip:+39-055-1234@gw.example;user=phone");
  attendant_node_stop (primary);
  type_password (window, TEST_PASSWORD);
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  connecting = (Expect) { window, "Will call +390551234 once connected" };
  attendant_test_gui_wait_for (dial_banner_says, &connecting, 10000);
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-out", NULL);
  attendant_test_gui_wait_for_label (GTK_WIDGET (window), "+390551234 was not called: you logged out", 5000);
  attendant_test_gui_wait_for (dial_banner_hidden, window, 5000);

  /* Logged in again, a new link is called; neither of the old ones. */
  g_assert_true (attendant_node_start (primary, NULL));
  log_in (window);
  attendant_test_gui_wait_for (window_connected, window, 10000);
  attendant_window_dial (window, "tel:+390000001");
  attendant_test_gui_wait_for_label (GTK_WIDGET (window), "Calling +390000001…", 10000);
  g_assert_cmpuint (attendant_test_gui_server_count_dialled (server, "+390000001"), ==, 1);
  g_assert_cmpuint (attendant_test_gui_server_count_dialled (server, "+39055123"), ==, 0);
  g_assert_cmpuint (attendant_test_gui_server_count_dialled (server, "+390551234"), ==, 0);
  g_assert_true (dial_banner_hidden (window));

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* What the server said to a call, in the operator's words: the callee's
 * name when it is in the directory, busy, no such extension, one's own
 * extension; a link that is not a number; and a connection lost before
 * the reply, which is never reported as a call being made. */
static void
test_window_dial_refused (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "plain");
  AttendantPbx *pbx = attendant_server_get_pbx (server->server);
  AttendantNode *primary = attendant_server_lookup_node (server->server, "primary");
  static const struct { const char *link; const char *text; } cases[] = {
    { "tel:201", "Calling Bruno Bianchi (201)…" },
    { "callto:202", "202 is busy or not available" },
    { "sip:299@pbx.example", "There is no extension 299" },
    { "tel:200", "“200” is not a number that can be called" },
    { "sip:alice@example.com", "Nothing was called: “alice” is not a phone number" },
    { "https://example.com/?tel=201",
      "Nothing was called: “https:” links are not phone numbers; only tel:, callto: and sip: links are" },
  };
  AttendantWindow *window;

  attendant_pbx_add_contact (pbx, "201", "Bruno Bianchi", "Sales", "available");
  attendant_pbx_add_contact (pbx, "202", "Carla Rossi", "Support", "busy");
  use_server (address);
  window = window_new_for (server, NULL);
  gtk_window_present (GTK_WINDOW (window));
  log_in (window);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s → %s", cases[i].link, cases[i].text);
      attendant_window_dial (window, cases[i].link);
      attendant_test_gui_wait_for_label (GTK_WIDGET (window), cases[i].text, 10000);
      /* One toast, rewritten: the latest word. */
      if (i > 0)
        g_assert_null (toast_label (window, cases[i - 1].text));
    }
  g_assert_cmpuint (attendant_test_gui_server_count_dialled (server, "201"), ==, 1);
  g_assert_cmpuint (attendant_test_gui_server_count_dialled (server, "202"), ==, 0);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "dial-refused.png");

  /* The server stops answering with the command in flight. */
  attendant_node_freeze (primary);
  attendant_window_dial (window, "tel:+390123999");
  attendant_test_gui_wait_for_label (GTK_WIDGET (window),
                                     "Result unknown: the connection was lost before the "
                                     "server confirmed “Call”. Check the call.", 10000);
  g_assert_null (toast_label (window, "Calling +390123999…"));
  attendant_node_thaw (primary);

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* }}} */
/* {{{ Preferences */

/* The preferences write the settings, and show them when they change
 * elsewhere. */
static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  AttendantPreferencesWindow *prefs;
  GtkWidget *spin, *toggle, *combo;

  attendant_test_gui_reset_settings ();
  prefs = g_object_ref (attendant_preferences_window_new ());
  gtk_window_present (GTK_WINDOW (prefs));

  /* The first of each kind: transport, attempt timeout, failback. */
  combo = attendant_test_gui_find_widget (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW, NULL);
  spin = attendant_test_gui_find_widget (GTK_WIDGET (prefs), GTK_TYPE_SPIN_BUTTON, NULL);
  toggle = attendant_test_gui_find_widget (GTK_WIDGET (prefs), GTK_TYPE_SWITCH, NULL);
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
  attendant_test_gui_screenshot (GTK_WIDGET (prefs), "preferences.png");

  gtk_window_destroy (GTK_WINDOW (prefs));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (prefs);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  attendant_test_gui_init (&argc, &argv);

  g_test_add_func ("/window/template", test_window_template);
  g_test_add_func ("/window/tab-order", test_window_tab_order);
  g_test_add_func ("/window/settings", test_window_settings);
  g_test_add_func ("/window/empty-form", test_window_empty_form);
  g_test_add_func ("/window/prefill", test_window_prefill);
  g_test_add_func ("/window/log-in", test_window_log_in);
  g_test_add_func ("/window/all-down", test_window_all_down);
  g_test_add_func ("/window/wrong-password", test_window_wrong_password);
  g_test_add_func ("/window/weak-server", test_window_weak_server);
  g_test_add_func ("/window/remember-password", test_window_remember_password);
  g_test_add_func ("/window/failover", test_window_failover);
  g_test_add_func ("/window/failover-quiet", test_window_failover_quiet);
  g_test_add_func ("/window/rapid-moves", test_window_rapid_moves);
  g_test_add_func ("/window/reconnecting", test_window_reconnecting);
  g_test_add_func ("/window/notification", test_window_notification);
  g_test_add_func ("/window/dial-pending", test_window_dial_pending);
  g_test_add_func ("/window/dial-cancel", test_window_dial_cancel);
  g_test_add_func ("/window/dial-refused", test_window_dial_refused);
  g_test_add_func ("/preferences/bindings", test_preferences);

  return g_test_run ();
}
