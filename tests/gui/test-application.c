/* test-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "attendant-application.h"
#include "attendant-pbx.h"
#include "attendant-test-fixture.h"
#include "attendant-test-gui.h"
#include "attendant-test-server.h"
#include "attendant-window.h"

/* AttendantApplication on the wrapper's private session bus: its actions
 * and shortcuts, the windows they open, and the command line, also when
 * a second launch hands it over to the running instance. */

/* One for the whole program: a registered GApplication keeps its D-Bus
 * export (and a reference) for as long as the connection lives, so a
 * second one could not register the same name. */
static AttendantApplication *the_app;

static AttendantApplication *
app_new (void)
{
  g_autoptr(GError) error = NULL;

  if (the_app == NULL)
    {
      the_app = attendant_application_new ();
      g_application_register (G_APPLICATION (the_app), NULL, &error);
      g_assert_no_error (error);
    }

  return the_app;
}

static void
app_free (AttendantApplication *app)
{
  GList *windows;

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (windows->data);
  attendant_test_drain_main_context ();
}

/* The programs this test starts do not pay for the slow unwinder this
 * process runs with under LeakSanitizer (tests/gui/meson.build): none of
 * them hosts GTK and the server in one process, and the unwinder makes
 * an instrumented `attendant` take many seconds to start. */
static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);
  const char *lsan = g_getenv ("LSAN_OPTIONS");

  if (lsan != NULL)
    {
      g_autoptr(GString) fast = g_string_new (lsan);

      g_string_replace (fast, ":fast_unwind_on_malloc=0", "", 0);
      g_subprocess_launcher_setenv (launcher, "LSAN_OPTIONS", fast->str, TRUE);
    }

  return launcher;
}

static void
assert_accel (AttendantApplication *app,
              const char           *action,
              const char           *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

  g_assert_nonnull (accels);
  g_assert_cmpstr (accels[0], ==, accel);
}

/* The actions exist, with the GNOME shortcuts the shortcuts window lists. */
static void
test_application_actions (void)
{
  AttendantApplication *app = app_new ();

  for (const char **name = (const char *[]) { "quit", "preferences", "about", "shortcuts", "show-window", NULL };
       *name != NULL; name++)
    g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), *name));

  assert_accel (app, "app.quit", "<Control>q");
  assert_accel (app, "app.preferences", "<Control>comma");
  assert_accel (app, "win.reconnect", "<Control>r");
  assert_accel (app, "win.show-status", "<Control>i");
  /* GtkApplication's own, for the help overlay it found in the resources. */
  assert_accel (app, "win.show-help-overlay", "<Control>question");

  app_free (app);
}

static gboolean
has_window (gpointer data)
{
  return gtk_application_get_active_window (data) != NULL ||
         gtk_application_get_windows (data) != NULL;
}

static AttendantWindow *
activated_window (AttendantApplication *app)
{
  g_application_activate (G_APPLICATION (app));
  attendant_test_gui_wait_for (has_window, app, 5000);
  return ATTENDANT_WINDOW (gtk_application_get_windows (GTK_APPLICATION (app))->data);
}

static gboolean
shortcuts_shown (gpointer data)
{
  return attendant_test_gui_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW) != NULL;
}

static gboolean
about_shown (gpointer data)
{
  return attendant_test_gui_find_toplevel (ADW_TYPE_ABOUT_WINDOW) != NULL;
}

static gboolean
preferences_shown (gpointer data)
{
  return attendant_test_gui_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW) != NULL;
}

/* The shortcuts window (the help overlay), About and Preferences open
 * through their actions, over the console's window. */
static void
test_application_windows (void)
{
  AttendantApplication *app = app_new ();
  AttendantWindow *window = activated_window (app);
  GtkWindow *shortcuts, *about, *prefs;

  g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
  attendant_test_gui_wait_for (shortcuts_shown, NULL, 5000);
  shortcuts = attendant_test_gui_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_true (gtk_window_get_transient_for (shortcuts) == GTK_WINDOW (window));
  gtk_window_set_default_size (shortcuts, 720, 480);
  attendant_test_gui_screenshot (GTK_WIDGET (shortcuts), "shortcuts.png");
  gtk_window_close (shortcuts);

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  attendant_test_gui_wait_for (about_shown, NULL, 5000);
  about = attendant_test_gui_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==, "Attendant");
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  gtk_window_destroy (about);

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  attendant_test_gui_wait_for (preferences_shown, NULL, 5000);
  prefs = attendant_test_gui_find_toplevel (ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_true (gtk_window_get_transient_for (prefs) == GTK_WINDOW (window));
  gtk_window_destroy (prefs);

  /* show-window is the notifications' default action: it raises the
   * same window, it does not open another. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-window", NULL);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);

  app_free (app);
}

/* The text of the metainfo's <url type="TYPE">: the About window must
 * link where the software centre links. */
static char *
metainfo_url (const char *type)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "..", "data",
                                                 APPLICATION_ID ".metainfo.xml.in", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *open = g_strdup_printf ("<url type=\"%s\">", type);
  g_autoptr(GError) error = NULL;
  const char *start, *end;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  start = strstr (contents, open);
  g_assert_nonnull (start);
  start += strlen (open);
  end = strstr (start, "</url>");
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

/* About: the links of the metainfo, and the app's icon, which the icon
 * theme of the window's display must find (not GTK's "image-missing")
 * also when nothing is installed, as in the demo and here. */
static void
test_application_about (void)
{
  AttendantApplication *app = app_new ();
  AttendantWindow *window = activated_window (app);
  g_autofree char *homepage = metainfo_url ("homepage");
  g_autofree char *bugtracker = metainfo_url ("bugtracker");
  g_autoptr(GtkIconPaintable) icon = NULL;
  GtkIconTheme *theme;
  AdwAboutWindow *about;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  attendant_test_gui_wait_for (about_shown, NULL, 5000);
  about = ADW_ABOUT_WINDOW (attendant_test_gui_find_toplevel (ADW_TYPE_ABOUT_WINDOW));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (about)) == GTK_WINDOW (window));

  g_assert_cmpstr (adw_about_window_get_website (about), ==, homepage);
  g_assert_cmpstr (adw_about_window_get_issue_url (about), ==, bugtracker);
  g_assert_true (g_str_has_prefix (homepage, "https://"));
  g_assert_true (g_str_has_prefix (bugtracker, "https://"));

  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APPLICATION_ID);
  theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (about)));
  g_assert_true (gtk_icon_theme_has_icon (theme, APPLICATION_ID));
  icon = gtk_icon_theme_lookup_icon (theme, APPLICATION_ID, NULL, 128, 1, GTK_TEXT_DIR_NONE, 0);
  g_assert_cmpstr (gtk_icon_paintable_get_icon_name (icon), ==, APPLICATION_ID);

  gtk_window_set_default_size (GTK_WINDOW (about), 360, 560);
  attendant_test_gui_screenshot (GTK_WIDGET (about), "about.png");
  gtk_window_destroy (GTK_WINDOW (about));

  app_free (app);
}

typedef struct
{
  AttendantWindow *window;
  const char      *server;
  const char      *user;
} Form;

static gboolean
form_filled (gpointer data)
{
  Form *form = data;
  GtkWidget *server, *user;

  if (form->window == NULL)
    return FALSE;

  server = attendant_test_gui_find_widget (GTK_WIDGET (form->window), ADW_TYPE_ENTRY_ROW, NULL);
  user = gtk_widget_get_next_sibling (server);
  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (server)), form->server) == 0 &&
         g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (user)), form->user) == 0;
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 Form           *form)
{
  form->window = ATTENDANT_WINDOW (window);
}

/* `attendant --server … --user …` fills the form; run again while the
 * first instance lives, the options reach that one over D-Bus, which
 * fills its own form instead of opening a second window. */
static void
test_application_command_line (void)
{
  AttendantApplication *app = app_new ();
  g_autofree char *program = NULL;
  const char *logins[][2] = { { "127.0.0.1:7001", "alice" }, { "127.0.0.2:7002", "bob" } };
  Form form = { NULL, NULL, NULL };

  attendant_test_gui_reset_settings ();
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), &form);
  program = g_test_build_filename (G_TEST_BUILT, "..", "..", "src", "gui", "attendant", NULL);

  /* The second time with the window open: the same window, filled anew. */
  for (guint i = 0; i < G_N_ELEMENTS (logins); i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_NONE);
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) second = NULL;

      form.server = logins[i][0];
      form.user = logins[i][1];
      second = g_subprocess_launcher_spawn (launcher, &error,
                                            program, "--server", form.server, "--user", form.user, NULL);
      g_assert_no_error (error);
      attendant_test_gui_wait_for (form_filled, &form, 10000);
      g_subprocess_wait_check (second, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
    }

  g_signal_handlers_disconnect_by_data (app, &form);
  app_free (app);
}

static gboolean
window_connected (gpointer data)
{
  Form *form = data;

  return form->window != NULL &&
         attendant_client_get_state (attendant_window_get_client (form->window)) ==
           ATTENDANT_CLIENT_STATE_CONNECTED;
}

typedef struct
{
  GSubprocess *process;
  char        *err;
  gboolean     done;
} Second;

static void
second_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Second *second = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (second->process, result, NULL, &second->err, &error);
  g_assert_no_error (error);
  second->done = TRUE;
}

static gboolean
second_finished (gpointer data)
{
  return ((Second *) data)->done;
}

/* Runs a second `attendant` and returns its exit status; the main loop
 * keeps turning meanwhile, since this process is the primary instance
 * that answers the second one's D-Bus call. */
static int
run_second (const char * const *argv,
            char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  Second second = { NULL, NULL, FALSE };
  int status;

  second.process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (second.process, NULL, NULL, second_done, &second);
  attendant_test_gui_wait_for (second_finished, &second, 20000);
  g_assert_true (g_subprocess_get_if_exited (second.process));
  status = g_subprocess_get_exit_status (second.process);
  g_test_message ("exit status %d: %s", status, second.err);
  g_clear_object (&second.process);
  *err = second.err;
  return status;
}

/* `attendant --password-file FILE` logs in at once, as the demo does; a
 * missing or empty file is refused with a message and starts nothing. */
static void
test_application_password_file (void)
{
  AttendantApplication *app = app_new ();
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "plain");
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "..", "..", "src", "gui", "attendant", NULL);
  g_autofree char *dir = g_dir_make_tmp (NULL, NULL);
  g_autofree char *good = g_build_filename (dir, "password", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  Form form = { NULL, address, TEST_USER };
  char *err = NULL;

  attendant_test_gui_reset_settings ();
  g_settings_set_string (settings, "transport", "plain");
  g_assert_true (g_file_set_contents_full (good, TEST_PASSWORD "\n", -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                           0600, NULL));
  g_assert_true (g_file_set_contents_full (empty, "\n", -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), &form);

  {
    const char *argv[] = { program, "--server", address, "--user", TEST_USER,
                           "--password-file", missing, NULL };

    g_assert_cmpint (run_second (argv, &err), ==, 2);
    g_assert_nonnull (strstr (err, "missing"));
    g_clear_pointer (&err, g_free);
  }
  {
    const char *argv[] = { program, "--server", address, "--user", TEST_USER,
                           "--password-file", empty, NULL };

    g_assert_cmpint (run_second (argv, &err), ==, 2);
    g_assert_nonnull (strstr (err, "empty"));
    g_clear_pointer (&err, g_free);
  }
  /* Refused files changed nothing: no login was started. */
  g_assert_true (form.window == NULL ||
                 attendant_client_get_state (attendant_window_get_client (form.window)) ==
                   ATTENDANT_CLIENT_STATE_IDLE);

  {
    const char *argv[] = { program, "--server", address, "--user", TEST_USER,
                           "--password-file", good, NULL };

    g_assert_cmpint (run_second (argv, &err), ==, 0);
    g_clear_pointer (&err, g_free);
  }
  attendant_test_gui_wait_for (window_connected, &form, 10000);
  g_assert_true (form_filled (&form));

  g_signal_handlers_disconnect_by_data (app, &form);
  app_free (app);
  g_unlink (good);
  g_unlink (empty);
  g_rmdir (dir);
}

/* {{{ Calls from links (desktop CTI) */

typedef struct
{
  AttendantTestGuiServer *server;
  const char             *number;
} Dialled;

static gboolean
dialled (gpointer data)
{
  Dialled *d = data;

  return attendant_test_gui_server_count_dialled (d->server, d->number) > 0;
}

typedef struct
{
  GVariant *reply;
  GError   *error;
  gboolean  done;
} Call;

static void
call_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &call->error);
  call->done = TRUE;
}

static gboolean
call_finished (gpointer data)
{
  return ((Call *) data)->done;
}

/* A D-Bus method call to @name on the session bus, answered while the
 * main loop turns (the callee may be this very process). */
static void
call_application (GDBusConnection *bus,
                  const char      *name,
                  const char      *path,
                  const char      *interface,
                  const char      *method,
                  GVariant        *parameters)
{
  Call call = { NULL, NULL, FALSE };

  g_dbus_connection_call (bus, name, path, interface, method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 10000, NULL, call_done, &call);
  attendant_test_gui_wait_for (call_finished, &call, 15000);
  g_assert_no_error (call.error);
  g_clear_pointer (&call.reply, g_variant_unref);
}

/* The app running and logged in: a link from the desktop's launcher
 * (org.freedesktop.Application.Open, as for a D-Bus activatable desktop
 * file) and one typed in a terminal (`attendant callto:…`, handed to the
 * running instance) both become calls on the telephone system, each
 * announced once the server placed it; a link that is no number is
 * refused in the terminal (status 2) and in the window. */
static void
test_application_links (void)
{
  AttendantApplication *app = app_new ();
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "plain");
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "..", "..", "src", "gui", "attendant", NULL);
  const char *uris[] = { "tel:+39-0123-456", NULL };
  Dialled from_open = { server, "+390123456" }, from_terminal = { server, "+39055123" };
  AttendantWindow *window;
  char *err = NULL;

  attendant_test_gui_use_server (address);
  window = activated_window (app);
  attendant_window_log_in (window, TEST_PASSWORD);
  attendant_test_gui_wait_for (window_connected, &(Form) { window, NULL, NULL }, 10000);

  call_application (g_application_get_dbus_connection (G_APPLICATION (app)),
                    g_application_get_application_id (G_APPLICATION (app)),
                    g_application_get_dbus_object_path (G_APPLICATION (app)),
                    "org.freedesktop.Application", "Open",
                    g_variant_new ("(^as@a{sv})", uris, g_variant_new ("a{sv}", NULL)));
  attendant_test_gui_wait_for (dialled, &from_open, 10000);
  attendant_test_gui_wait_for_label (GTK_WIDGET (window), "Calling +390123456…", 10000);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "link-opened.png");

  {
    const char *argv[] = { program, "callto://+39%20055%20123", NULL };

    g_assert_cmpint (run_second (argv, &err), ==, 0);
    g_clear_pointer (&err, g_free);
  }
  attendant_test_gui_wait_for (dialled, &from_terminal, 10000);
  attendant_test_gui_wait_for_label (GTK_WIDGET (window), "Calling +39055123…", 10000);

  {
    const char *argv[] = { program, "sip:alice@example.com", NULL };

    g_assert_cmpint (run_second (argv, &err), ==, 2);
    g_assert_nonnull (strstr (err, "alice"));
    g_assert_nonnull (strstr (err, "is not a phone number"));
    g_clear_pointer (&err, g_free);
  }
  attendant_test_gui_wait_for_label (GTK_WIDGET (window), "Nothing was called: “alice” is not a phone number", 10000);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
  g_assert_cmpuint (attendant_test_gui_server_count_dialled (server, "+390123456"), ==, 1);
  g_assert_cmpuint (attendant_test_gui_server_count_dialled (server, "+39055123"), ==, 1);

  app_free (app);
}

/* The app not running: `attendant tel:…` starts it, and with remembered
 * settings and a password file (as the demo logs in) it logs in and then
 * calls; the telephone system has the call. It runs under an application
 * id of its own, so it is not handed to this process's instance. */
static void
test_application_link_starts_app (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "plain");
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "..", "..", "src", "gui", "attendant", NULL);
  g_autofree char *dir = g_dir_make_tmp (NULL, NULL);
  g_autofree char *settings_dir = g_build_filename (dir, "config", "glib-2.0", "settings", NULL);
  g_autofree char *config_home = g_build_filename (dir, "config", NULL);
  g_autofree char *keyfile = NULL;
  g_autofree char *password = NULL;
  g_autofree char *app_id = g_strdup (APPLICATION_ID ".LinkTest");
  g_autofree char *app_id_option = g_strconcat ("--gapplication-app-id=", app_id, NULL);
  g_autofree char *object_path = g_strconcat ("/", app_id, NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *settings = NULL;
  Dialled call = { server, "+390123458" };
  Second second = { NULL, NULL, FALSE };

  /* GSettings' keyfile backend, as build-aux/demo.py writes it. */
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  settings = g_strdup_printf ("[io/github/attendant/Attendant]\n"
                              "server='%s'\n"
                              "user-name='%s'\n"
                              "transport='plain'\n",
                              address, TEST_USER);
  keyfile = attendant_test_write_file (settings_dir, "keyfile", settings);
  password = attendant_test_write_file (dir, "password", TEST_PASSWORD "\n");
  g_strdelimit (object_path, ".", '/');

  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, program, app_id_option,
                                         "--password-file", password, "tel:+39 0123 458", NULL);
  g_assert_no_error (error);
  second.process = process;
  g_subprocess_communicate_utf8_async (process, NULL, NULL, second_done, &second);

  attendant_test_gui_wait_for (dialled, &call, 30000);
  g_assert_false (second.done);

  /* The call placed is in the operator's hands, and Quit would ask
   * first (test-window-actions): the far end hangs up, and the server's
   * event goes out to the program well before the D-Bus call below. */
  {
    AttendantPbx *pbx = attendant_server_get_pbx (server->server);
    JsonArray *calls = attendant_pbx_list_calls (pbx);

    for (guint i = 0; i < json_array_get_length (calls); i++)
      {
        JsonObject *pbx_call = json_array_get_object_element (calls, i);

        attendant_pbx_caller_hangup (pbx, json_object_get_string_member (pbx_call, "id"), &error);
        g_assert_no_error (error);
      }
    json_array_unref (calls);
    g_assert_cmpuint (attendant_pbx_get_n_calls (pbx), ==, 0);
    attendant_test_drain_main_context ();
  }

  /* Quit as the menu does, and see it exit cleanly (in the sanitizer
   * build that is also a leak check of the whole program). */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  call_application (bus, app_id, object_path, "org.gtk.Actions", "Activate",
                    g_variant_new ("(sava{sv})", "quit", NULL, NULL));
  attendant_test_gui_wait_for (second_finished, &second, 30000);
  g_test_message ("its standard error: %s", second.err);
  g_free (second.err);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  attendant_test_remove_dir (dir);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  int ret;

  attendant_test_gui_init (&argc, &argv);

  g_test_add_func ("/application/actions", test_application_actions);
  g_test_add_func ("/application/windows", test_application_windows);
  g_test_add_func ("/application/about", test_application_about);
  g_test_add_func ("/application/command-line", test_application_command_line);
  g_test_add_func ("/application/password-file", test_application_password_file);
  g_test_add_func ("/application/links", test_application_links);
  g_test_add_func ("/application/link-starts-app", test_application_link_starts_app);

  ret = g_test_run ();
  g_clear_object (&the_app);
  return ret;
}
