/* attendant-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-application"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "attendant-application.h"
#include "attendant-client.h"
#include "attendant-dial-uri.h"
#include "attendant-preferences-window.h"
#include "attendant-secret.h"
#include "attendant-shortcuts.h"
#include "attendant-window.h"

struct _AttendantApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (AttendantApplication, attendant_application, ADW_TYPE_APPLICATION)

AttendantApplication *
attendant_application_new (void)
{
  return g_object_new (ATTENDANT_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       /* --gapplication-app-id lets the demo run beside an
                        * instance the user already has open. */
                       "flags", (G_APPLICATION_HANDLES_COMMAND_LINE |
                                 /* tel:, callto: and sip: links from the
                                  * desktop's launcher (D-Bus activation) */
                                 G_APPLICATION_HANDLES_OPEN |
                                 G_APPLICATION_CAN_OVERRIDE_APP_ID),
                       "resource-base-path", "/io/github/attendant/Attendant",
                       NULL);
}

static AttendantWindow *
console_window (GtkApplication *app)
{
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (ATTENDANT_IS_WINDOW (l->data))
      return l->data;

  return NULL;
}

static AttendantWindow *
ensure_window (GApplication *app)
{
  AttendantWindow *window;

  /* One operator, one console: a second launch raises the first window
   * instead of opening a second connection to the cluster. Not the active
   * window: that may be Preferences when a link comes in. */
  window = console_window (GTK_APPLICATION (app));
  if (window == NULL)
    {
      g_autoptr(AttendantClient) client = attendant_client_new (NULL);

      window = attendant_window_new (ADW_APPLICATION (app), client);
    }

  return window;
}

static void
attendant_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (ensure_window (app)));
}

/* Desktop CTI: a file manager, a browser or the desktop's
 * launcher (org.freedesktop.Application.Open, as the desktop file is
 * D-Bus activatable) hands over tel:, callto: and sip: links. */
static void
attendant_application_open (GApplication  *app,
                            GFile        **files,
                            int            n_files,
                            const char    *hint)
{
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);

      g_action_group_activate_action (G_ACTION_GROUP (app), "dial", g_variant_new_string (uri));
    }

  if (n_files == 0)
    g_application_activate (app);
}

/* The first line of @file, without its line ending. */
static char *
read_password (GFile   *file,
               GError **error)
{
  g_autoptr(AttendantSecret) contents = NULL;
  g_autofree char *path = g_file_get_path (file);
  gsize length = 0;

  /* A password that others may read is refused, as the CLI refuses it. */
  if ((path != NULL && !attendant_secret_check_file_mode (path, error)) ||
      !g_file_load_contents (file, NULL, &contents, &length, NULL, error))
    return NULL;

  if (strlen (contents) != length || !g_utf8_validate (contents, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The password file %s is not text"), path);
      return NULL;
    }

  contents[strcspn (contents, "\r\n")] = '\0';
  if (contents[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The password file %s is empty"), path);
      return NULL;
    }

  return g_steal_pointer (&contents);
}

/* Runs in the primary instance, also for the options of a second launch,
 * which GApplication forwards over D-Bus. */
static int
attendant_application_command_line (GApplication            *app,
                                    GApplicationCommandLine *command_line)
{
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  AttendantWindow *window = ensure_window (app);
  const char *server = NULL;
  const char *user = NULL;
  int status = EXIT_SUCCESS;

  const char *password_file = NULL;
  g_autoptr(AttendantSecret) password = NULL;
  g_autofree const char **links = NULL;

  g_variant_dict_lookup (options, "server", "&s", &server);
  g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&s", &links);
  g_variant_dict_lookup (options, "user", "&s", &user);
  g_variant_dict_lookup (options, "password-file", "^&ay", &password_file);

  /* Read before anything changes, so that a bad file changes nothing. The
   * path is the caller's, relative to its own directory. */
  if (password_file != NULL)
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, password_file);
      g_autoptr(GError) error = NULL;

      password = read_password (file, &error);
      if (password == NULL)
        {
          g_application_command_line_printerr (command_line, "attendant: %s\n", error->message);
          return 2;
        }
    }

  attendant_window_prefill (window, server, user);
  gtk_window_present (GTK_WINDOW (window));
  if (password != NULL)
    attendant_window_log_in (window, password);

  /* After the login has started: a link in a terminal, `attendant
   * tel:+39…`, waits for it rather than being refused. One that is not
   * a number is said in the terminal too, where it was typed; the window
   * says it for a launcher that has no terminal. */
  for (guint i = 0; links != NULL && links[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *number = attendant_dial_uri_parse (links[i], &error);

      if (number == NULL)
        {
          g_application_command_line_printerr (command_line, "attendant: %s\n", error->message);
          status = 2;
        }
      g_action_group_activate_action (G_ACTION_GROUP (app), "dial", g_variant_new_string (links[i]));
    }

  return status;
}

/* The number, or the tel:, callto: or sip: link, to call through the
 * server: the window says what became of it. */
static void
dial_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  AttendantWindow *window = ensure_window (G_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (window));
  attendant_window_dial (window, g_variant_get_string (parameter, NULL));
}

static void
show_window_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

/* The incoming-call notification's buttons. */
static void
answer_call_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  AttendantWindow *window = console_window (GTK_APPLICATION (user_data));

  if (window == NULL)
    return;

  /* Whoever answers wants to talk, and to see the call. */
  gtk_window_present (GTK_WINDOW (window));
  attendant_window_answer_call (window, g_variant_get_string (parameter, NULL));
}

static void
decline_call_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  AttendantWindow *window = console_window (GTK_APPLICATION (user_data));

  if (window != NULL)
    attendant_window_decline_call (window, g_variant_get_string (parameter, NULL));
}

static void
shortcuts_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (window != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  AttendantWindow *window = console_window (GTK_APPLICATION (user_data));

  /* The console asks first when calls are in hand. */
  if (window != NULL)
    attendant_window_quit (window);
  else
    g_application_quit (G_APPLICATION (user_data));
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  AttendantPreferencesWindow *prefs = attendant_preferences_window_new ();

  gtk_window_set_transient_for (GTK_WINDOW (prefs), gtk_application_get_active_window (app));
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { _("The Attendant developers"), NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Attendant"),
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Attendant console for a telephone system cluster"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "website", PACKAGE_WEBSITE,
                         "issue-url", PACKAGE_BUGREPORT,
                         "developers", developers,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "preferences", preferences_activated },
  { "about", about_activated },
  { "shortcuts", shortcuts_activated },
  { "show-window", show_window_activated },
  { "answer-call", answer_call_activated, "s" },
  { "decline-call", decline_call_activated, "s" },
  { "dial", dial_activated, "s" },
};

static void
attendant_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (attendant_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  attendant_shortcuts_set_accels (GTK_APPLICATION (app));
}

static void
attendant_application_class_init (AttendantApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = attendant_application_startup;
  app_class->activate = attendant_application_activate;
  app_class->command_line = attendant_application_command_line;
  app_class->open = attendant_application_open;
}

static void
attendant_application_init (AttendantApplication *self)
{
  static const GOptionEntry entries[] = {
    { "server", 's', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
      N_("The telephone system’s domain, or a host and port"), N_("SERVER") },
    { "user", 'u', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
      N_("The user name to log in with"), N_("NAME") },
    { "password-file", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
      N_("Log in at once with the password on the first line of FILE"), N_("FILE") },
    { G_OPTION_REMAINING, 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING_ARRAY, NULL,
      NULL, N_("[LINK…]") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Fills the login form with SERVER and NAME, and with a password file logs in at once. "
                                              "Calls the number of each tel:, callto: or sip: LINK (or a phone number) once logged in."));
}
