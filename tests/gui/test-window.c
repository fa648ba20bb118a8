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

typedef gboolean (*Predicate) (gpointer data);

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_for (Predicate predicate,
          gpointer  data,
          guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timed_out_cb, &timed_out);

  while (!predicate (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (id);
}

static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (name == NULL || g_strcmp0 (gtk_widget_get_name (widget), name) == 0))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

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

static gboolean
is_drawn (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

/* Renders @window with its own renderer, as the screen shows it. */
static void
maybe_screenshot (GtkWidget  *window,
                  const char *name)
{
  const char *dir = g_getenv ("ATTENDANT_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL)
    return;

  wait_for (is_drawn, window, 5000);
  /* Let the stack's transition and the layout settle. */
  for (int i = 0; i < 50; i++)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static void
reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
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

typedef struct
{
  char                  *dir;
  AttendantServerConfig *config;
  AttendantServer       *server;
} Server;

static Server *
server_new (void)
{
  Server *s = g_new0 (Server, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *users = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;

  s->dir = g_dir_make_tmp (NULL, &error);
  g_assert_no_error (error);
  users = g_build_filename (s->dir, "users.ini", NULL);
  attendant_test_write_users (users);

  text = g_strdup_printf ("[server]\n"
                          "cluster=test\n"
                          "users=users.ini\n"
                          "heartbeat=5\n"
                          "\n"
                          "%s\n",
                          NODES);
  path = attendant_test_write_file (s->dir, "server.conf", text);

  s->config = attendant_server_config_new_from_file (path, &error);
  g_assert_no_error (error);
  s->server = attendant_server_new (s->config, NULL, &error);
  g_assert_no_error (error);
  attendant_server_start (s->server, NULL, &error);
  g_assert_no_error (error);

  return s;
}

static void
server_free (Server *s)
{
  g_clear_object (&s->server);
  g_clear_object (&s->config);
  attendant_test_drain_main_context ();
  attendant_test_remove_dir (s->dir);
  g_free (s->dir);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

static char *
server_address (Server *s)
{
  AttendantNode *node = attendant_server_lookup_node (s->server, "primary");

  g_assert_nonnull (node);
  return g_strdup_printf ("127.0.0.1:%u", attendant_node_get_port (node, "plain"));
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
  g_autoptr(Server) server = server_new ();
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
  g_autoptr(Server) server = server_new ();
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
  g_autoptr(Server) server = server_new ();
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
