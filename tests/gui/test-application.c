/* test-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "attendant-application.h"
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
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) second = NULL;

      form.server = logins[i][0];
      form.user = logins[i][1];
      second = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
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
  g_autoptr(GError) error = NULL;
  Second second = { NULL, NULL, FALSE };
  int status;

  second.process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
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
  g_assert_true (g_file_set_contents (good, TEST_PASSWORD "\n", -1, NULL));
  g_assert_true (g_file_set_contents (empty, "\n", -1, NULL));
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

int
main (int   argc,
      char *argv[])
{
  int ret;

  attendant_test_gui_init (&argc, &argv);

  g_test_add_func ("/application/actions", test_application_actions);
  g_test_add_func ("/application/windows", test_application_windows);
  g_test_add_func ("/application/command-line", test_application_command_line);
  g_test_add_func ("/application/password-file", test_application_password_file);

  ret = g_test_run ();
  g_clear_object (&the_app);
  return ret;
}
