/* test-window-actions.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-application.h"
#include "attendant-node.h"
#include "attendant-password-store.h"
#include "attendant-pbx.h"
#include "attendant-shortcuts.h"
#include "attendant-test-gui.h"
#include "attendant-test-server.h"
#include "attendant-window.h"

/* What the operator asks of the window (attendant-window-actions.c), in
 * an application against the reference server: a word before quitting or
 * logging out with calls in hand, the background mode in which closing
 * the window keeps the session and its notifications, the form emptied
 * by a log-out, and the one table of keys behind the accelerators and
 * the shortcuts window.
 *
 * With ATTENDANT_SCREENSHOT_DIR set, the question asked before quitting
 * is saved there as quit-warning.png. */

typedef struct
{
  AttendantTestGuiServer *server;
  AttendantPbx           *pbx;
  AttendantApplication   *app;
  AttendantWindow        *window;
  AttendantConsole       *console;
  GSubprocess            *daemon;
} Fixture;

#define WITH_NOTIFICATIONS "notifications"

static AttendantApplication *the_app;

static gboolean
on_page (gpointer data)
{
  const char **expect = data;

  return g_strcmp0 (attendant_test_gui_visible_page (GTK_WIDGET (expect[0])), expect[1]) == 0;
}

static void
wait_page (Fixture    *f,
           const char *page)
{
  const char *expect[] = { (const char *)f->window, page };

  attendant_test_gui_wait_for (on_page, expect, 10000);
}

static GtkWidget *
password_row (Fixture *f)
{
  GtkWidget *row = attendant_test_gui_find_widget (GTK_WIDGET (f->window), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);

  g_assert_nonnull (row);
  return row;
}

static void
log_in (Fixture *f)
{
  attendant_test_gui_log_in (GTK_WIDGET (f->window));
  wait_page (f, "main");
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(AttendantClient) client = NULL;
  g_autoptr(GError) error = NULL;

  attendant_test_gui_reset_settings ();
  if (g_strcmp0 (data, WITH_NOTIFICATIONS) == 0)
    {
      f->daemon = attendant_test_gui_notification_daemon_new ();
      if (f->daemon == NULL)
        return;
    }

  f->server = attendant_test_gui_server_new (TEST_GUI_NODES);
  f->pbx = attendant_server_get_pbx (f->server->server);
  /* Seconds a test can wait for. */
  g_object_set (f->pbx, "answer-delay", 0.2, "ring-timeout", 1.0, "talk-time", 60.0, NULL);
  attendant_test_gui_use_server (TEST_DOMAIN);
  attendant_test_gui_server_publish_srv (f->server, "plain");

  /* One for the program: a registered application keeps a reference to
   * itself until it has run, so the bus name would not come free for
   * the next test. */
  if (the_app == NULL)
    {
      the_app = attendant_application_new ();
      g_application_register (G_APPLICATION (the_app), NULL, &error);
      g_assert_no_error (error);
    }
  f->app = the_app;

  client = attendant_test_gui_client_new (f->server);
  f->window = g_object_ref (attendant_window_new (ADW_APPLICATION (f->app), client));
  f->console = attendant_window_get_console (f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    attendant_test_gui_window_free (GTK_WIDGET (f->window));
  g_clear_pointer (&f->server, attendant_test_gui_server_free);
  if (f->daemon != NULL)
    attendant_test_gui_notification_daemon_stop (f->daemon);
  g_clear_object (&f->daemon);
}

/* {{{ Calls */

typedef struct
{
  GListModel         *model;
  AttendantCallState  state;
} FirstIn;

static gboolean
first_in_state (gpointer data)
{
  FirstIn *wait = data;
  g_autoptr(AttendantCall) call = g_list_model_get_item (wait->model, 0);

  return call != NULL && attendant_call_get_state (call) == wait->state &&
         !attendant_call_get_pending (call);
}

static void
wait_first (GListModel         *model,
            AttendantCallState  state,
            const char         *what)
{
  FirstIn wait = { model, state };

  attendant_test_wait_until (first_in_state, &wait, 10000, what);
}

/* A caller answered and put on hold, as F2 and F3 do it. */
static void
hold_a_call (Fixture *f)
{
  attendant_test_gui_server_inject_call (f->server, "+390212345678", "ACME Spa");
  wait_first (attendant_console_get_queue (f->console), ATTENDANT_CALL_STATE_QUEUED, "a caller waiting");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "console.answer", NULL));
  wait_first (attendant_console_get_calls (f->console), ATTENDANT_CALL_STATE_ACTIVE, "the call answered");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "console.hold", NULL));
  wait_first (attendant_console_get_calls (f->console), ATTENDANT_CALL_STATE_HELD, "the caller on hold");
}

static AdwMessageDialog *
leave_dialog (void)
{
  GtkWindow *dialog = attendant_test_gui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);

  return dialog != NULL ? ADW_MESSAGE_DIALOG (dialog) : NULL;
}

static gboolean
leave_dialog_shown (gpointer data)
{
  return leave_dialog () != NULL;
}

static gboolean
leave_dialog_gone (gpointer data)
{
  return leave_dialog () == NULL;
}

/* As a click does it: the button of @label. */
static void
answer_dialog (const char *label)
{
  GtkWidget *button = attendant_test_gui_find_button (GTK_WIDGET (leave_dialog ()), label);

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  attendant_test_gui_wait_for (leave_dialog_gone, NULL, 5000);
}

/* }}} */
/* {{{ Leaving with calls in hand */

/* Ctrl+Q, the window's close button (when it quits) and Log Out ask
 * first when a caller is on hold, naming the calls; Cancel changes
 * nothing. Without calls they do not ask. */
static void
test_leave_warning (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  AdwMessageDialog *dialog;

  log_in (f);

  /* Nothing in hand: Log Out at once, and Quit without a word (the
   * application is not running here, so its quit is only a flag). */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  attendant_test_drain_main_context ();
  g_assert_null (leave_dialog ());
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "log-out", NULL);
  g_assert_null (leave_dialog ());
  wait_page (f, "login");
  log_in (f);

  hold_a_call (f);

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  attendant_test_gui_wait_for (leave_dialog_shown, NULL, 5000);
  dialog = leave_dialog ();
  g_assert_cmpstr (gtk_widget_get_name (GTK_WIDGET (dialog)), ==, "leave-dialog");
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Quit With Calls in Progress?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "You have 1 call in progress."));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "1 caller is on hold"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "leave"), ==, ADW_RESPONSE_DESTRUCTIVE);
  attendant_test_gui_screenshot_dialog (GTK_WIDGET (f->window), GTK_WIDGET (dialog), "quit-warning.png");

  /* A second Ctrl+Q raises the same question rather than stacking one. */
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  g_assert_true (leave_dialog () == dialog);
  answer_dialog ("_Cancel");
  g_assert_cmpint (attendant_client_get_state (attendant_window_get_client (f->window)), ==,
                   ATTENDANT_CLIENT_STATE_CONNECTED);

  /* The close button, when closing means quitting. */
  g_settings_set_string (settings, "close-action", "quit");
  gtk_window_close (GTK_WINDOW (f->window));
  attendant_test_gui_wait_for (leave_dialog_shown, NULL, 5000);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  answer_dialog ("_Cancel");

  /* Log Out: asked, then done. */
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "log-out", NULL);
  attendant_test_gui_wait_for (leave_dialog_shown, NULL, 5000);
  g_assert_cmpstr (adw_message_dialog_get_heading (leave_dialog ()), ==, "Log Out With Calls in Progress?");
  g_assert_cmpint (attendant_client_get_state (attendant_window_get_client (f->window)), ==,
                   ATTENDANT_CLIENT_STATE_CONNECTED);
  answer_dialog ("_Log Out");
  wait_page (f, "login");
}

/* }}} */
/* {{{ The background */

static gboolean
notified (gpointer data)
{
  g_autoptr(GPtrArray) calls = attendant_test_gui_notify_calls ();


  for (guint i = 0; i < calls->len; i += 2)
    if (g_str_equal (calls->pdata[i], data))
      return TRUE;

  return FALSE;
}

static gboolean
window_shown (gpointer data)
{
  return gtk_widget_get_visible (data);
}

/* Destroyed, though the test's reference keeps the object. */
static gboolean
is_destroyed (AttendantWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (toplevel == GTK_WINDOW (window))
        return FALSE;
    }

  return TRUE;
}

/* While logged in, closing the window hides it: the console stays logged
 * in and an incoming call still reaches the desktop; activating the
 * application shows the window again. Logged out (or with close-action
 * "quit"), closing it closes it. */
static void
test_background (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  if (f->daemon == NULL)
    {
      g_test_skip ("no python3-dbusmock");
      return;
    }

  log_in (f);

  /* Ctrl+W's action, as the close button's request. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "window.close", NULL));
  attendant_test_drain_main_context ();
  g_assert_false (is_destroyed (f->window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  g_assert_cmpint (attendant_client_get_state (attendant_window_get_client (f->window)), ==,
                   ATTENDANT_CLIENT_STATE_CONNECTED);

  attendant_test_gui_server_inject_call (f->server, "+390298765432", "Rossi Srl");
  attendant_test_gui_wait_for (notified, "Incoming call from Rossi Srl", 10000);

  /* The desktop's icon, or a second launch. */
  g_application_activate (G_APPLICATION (f->app));
  attendant_test_gui_wait_for (window_shown, f->window, 5000);
  g_assert_false (is_destroyed (f->window));

  /* Quitting on close: a waiting caller is not in hand, so no question. */
  g_settings_set_string (settings, "close-action", "quit");
  gtk_window_close (GTK_WINDOW (f->window));
  attendant_test_drain_main_context ();
  g_assert_null (leave_dialog ());
  g_assert_true (is_destroyed (f->window));
}

/* Logged out, there is no session to keep: the window closes. */
static void
test_background_logged_out (Fixture       *f,
                            gconstpointer  data)
{
  gtk_window_close (GTK_WINDOW (f->window));
  attendant_test_drain_main_context ();
  g_assert_true (is_destroyed (f->window));
}

/* }}} */
/* {{{ Log Out empties the form */

static GtkWidget *
search_entry (Fixture *f)
{
  GtkWidget *entry = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_SEARCH_ENTRY, "directory-search");

  g_assert_nonnull (entry);
  return entry;
}

static gboolean
error_shown (gpointer data)
{
  return gtk_widget_get_visible (attendant_test_gui_find_widget (data, GTK_TYPE_LABEL, "error-label"));
}

static gboolean
password_is (gpointer data)
{
  gpointer *args = data;

  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (password_row (args[0]))), args[1]) == 0;
}

/* The next person at the desk finds no password (unless it is the
 * remembered one, back from the keyring), no search and no attempts of
 * the last session. */
static void
test_log_out_clears (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(AttendantPasswordStore) store = attendant_password_store_new_in_memory ();
  gpointer refilled[] = { f, TEST_PASSWORD };

  log_in (f);
  g_assert_cmpuint (attendant_test_gui_count_widgets (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, "attempt-row"), >, 0);
  gtk_editable_set_text (GTK_EDITABLE (search_entry (f)), "ross");

  g_action_group_activate_action (G_ACTION_GROUP (f->window), "log-out", NULL);
  wait_page (f, "login");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (password_row (f))), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search_entry (f))), ==, "");
  g_assert_cmpuint (attendant_test_gui_count_widgets (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, "attempt-row"), ==, 0);
  g_assert_false (gtk_widget_get_visible (attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_LABEL, "error-label")));
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "login-after-log-out.png");

  /* Remembered: the keyring's copy comes back. */
  attendant_password_store_set_default (store);
  g_settings_set_boolean (settings, "remember-password", TRUE);
  log_in (f);
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "log-out", NULL);
  wait_page (f, "login");
  attendant_test_gui_wait_for (password_is, refilled, 5000);
  /* Forgotten in the in-memory keyring, not in the desktop's. */
  g_settings_set_boolean (settings, "remember-password", FALSE);
  attendant_test_drain_main_context ();
  attendant_password_store_set_default (NULL);

  /* Cancel on the form while nothing answers keeps what was typed, to be
   * corrected. */
  attendant_node_crash (attendant_server_lookup_node (f->server->server, "primary"));
  attendant_node_crash (attendant_server_lookup_node (f->server->server, "backup"));
  gtk_editable_set_text (GTK_EDITABLE (password_row (f)), "typed");
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "log-in", NULL);
  attendant_test_gui_wait_for (error_shown, f->window, 10000);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "log-out"));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "log-out", NULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (password_row (f))), ==, "typed");
  g_assert_cmpuint (attendant_test_gui_count_widgets (GTK_WIDGET (f->window), ADW_TYPE_ACTION_ROW, "attempt-row"), >, 0);
}

/* }}} */
/* {{{ Keys */

static void
collect_shortcuts (GtkWidget  *widget,
                   GPtrArray  *found)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *action = NULL;
      g_autofree char *accelerator = NULL;

      const char *key;

      /* Once: the window's search page shows each a second time. */
      g_object_get (widget, "action-name", &action, "accelerator", &accelerator, NULL);
      key = action != NULL ? action : accelerator;
      if (!g_ptr_array_find_with_equal_func (found, key, g_str_equal, NULL))
        g_ptr_array_add (found, g_strdup (key));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_shortcuts (child, found);
}

static gboolean
same_accel (const char *a,
            const char *b)
{
  guint key_a = 0, key_b = 0;
  GdkModifierType mods_a = 0, mods_b = 0;

  g_assert_true (gtk_accelerator_parse (a, &key_a, &mods_a));
  g_assert_true (gtk_accelerator_parse (b, &key_b, &mods_b));
  return key_a == key_b && mods_a == mods_b;
}

static gboolean
in_table (const char *action)
{
  guint n = 0;
  const AttendantShortcut *shortcuts = attendant_shortcuts_get (&n);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (shortcuts[i].action, action) == 0)
      return TRUE;

  return FALSE;
}

/* One table: every key it has is the application's, and the shortcuts
 * window lists it; no key of the application is missing from it; F1 is
 * the help. */
static void
test_shortcuts (Fixture       *f,
                gconstpointer  data)
{
  guint n = 0;
  const AttendantShortcut *shortcuts = attendant_shortcuts_get (&n);
  GtkWindow *overlay = GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (f->window)));
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) actions = gtk_application_list_action_descriptions (GTK_APPLICATION (f->app));
  g_auto(GStrv) help = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "win.help");
  g_autofree char *tooltip = NULL;

  g_assert_nonnull (overlay);
  collect_shortcuts (GTK_WIDGET (overlay), listed);

  for (guint i = 0; i < n; i++)
    {
      gboolean accel = !(shortcuts[i].flags & ATTENDANT_SHORTCUT_WIDGET);
      const char *key = accel ? shortcuts[i].action : shortcuts[i].accels[0];

      g_test_message ("%s", key);
      g_assert_true (g_ptr_array_find_with_equal_func (listed, key, g_str_equal, NULL));

      g_assert_nonnull (shortcuts[i].action);
      if (accel)
        {
          g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app),
                                                                        shortcuts[i].action);
          guint j;

          for (j = 0; shortcuts[i].accels[j] != NULL; j++)
            {
              g_assert_nonnull (accels[j]);
              g_assert_true (same_accel (accels[j], shortcuts[i].accels[j]));
            }
          g_assert_null (accels[j]);
        }
    }
  g_assert_cmpuint (listed->len, ==, n);

  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_test_message ("application key: %s", actions[i]);
      g_assert_true (in_table (actions[i]));
    }

  g_assert_nonnull (help[0]);
  g_assert_true (same_accel (help[0], "F1"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (f->window), "help"));

  tooltip = attendant_shortcuts_dup_tooltip ("win.show-status", "Connection Details");
  g_assert_cmpstr (tooltip, ==, "Connection Details (Ctrl+I)");
  g_clear_pointer (&tooltip, g_free);
  tooltip = attendant_shortcuts_dup_tooltip ("win.log-out", "Log Out");
  g_assert_cmpstr (tooltip, ==, "Log Out");

  gtk_window_present (overlay);
  attendant_test_gui_screenshot (GTK_WIDGET (overlay), "shortcuts-table.png");
  gtk_window_close (overlay);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  int ret;

  attendant_test_gui_init (&argc, &argv);

  g_test_add ("/window-actions/leave-warning", Fixture, NULL,
              fixture_set_up, test_leave_warning, fixture_tear_down);
  g_test_add ("/window-actions/background", Fixture, WITH_NOTIFICATIONS,
              fixture_set_up, test_background, fixture_tear_down);
  g_test_add ("/window-actions/background-logged-out", Fixture, NULL,
              fixture_set_up, test_background_logged_out, fixture_tear_down);
  g_test_add ("/window-actions/log-out-clears", Fixture, NULL,
              fixture_set_up, test_log_out_clears, fixture_tear_down);
  g_test_add ("/window-actions/shortcuts", Fixture, NULL,
              fixture_set_up, test_shortcuts, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&the_app);
  return ret;
}
