/* attendant-server-cli.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-server-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libsoup/soup.h>

#include "attendant-asterisk.h"
#include "attendant-error.h"
#include "attendant-scram.h"
#include "attendant-secret.h"
#include "attendant-server.h"
#include "attendant-server-cli.h"
#include "attendant-users.h"

/* The command line of attendant-server:
 *
 *   attendant-server --config FILE [--node NAME]… [--admin ADDRESS:PORT] [--check]
 *   attendant-server add-user USERS-FILE NAME [--display-name=TEXT]
 *                    [--extension=NUMBER] [--password-file=FILE]
 *   attendant-server admin --url URL --token-file FILE COMMAND [ARGS…]
 *
 * Exit status: 0 done (or stopped by SIGINT/SIGTERM), 1 failed (a port in
 * use, the admin API refusing, --check not reaching Asterisk), 2 bad usage
 * or a bad file, with one line on stderr saying which file, which line and
 * why.
 *
 * When it listens, the server prints one line per listener, then "ready",
 * on stdout, so scripts and tests that ask for port 0 learn the ports:
 *
 *   node primary plain 127.0.0.1 51234
 *   node primary tls 127.0.0.1 51235
 *   admin http://127.0.0.1:51299
 *   ready
 */

static int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("attendant-server: %s\n", message);
  return ATTENDANT_SERVER_EXIT_USAGE;
}

/* {{{ --check */

typedef struct
{
  char    *version;
  GError  *error;
  gboolean done;
} AsteriskCheck;

static void
asterisk_info_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AsteriskCheck *check = user_data;

  check->version = attendant_ari_get_info_finish (ATTENDANT_ARI (object), result, &check->error);
  check->done = TRUE;
}

/* Asks Asterisk for its version, which proves in one request that ARI is
 * reachable at the URL, is ARI, and takes the credentials. */
static int
check_asterisk (AttendantServer *server)
{
  const AttendantServerAsteriskConfig *settings =
    attendant_server_config_get_asterisk (attendant_server_get_config (server));
  AttendantAri *ari = attendant_asterisk_get_ari (ATTENDANT_ASTERISK (attendant_server_get_telephony (server)));
  AsteriskCheck check = { 0 };

  attendant_ari_get_info_async (ari, NULL, asterisk_info_cb, &check);
  while (!check.done)
    g_main_context_iteration (NULL, TRUE);

  if (check.version == NULL)
    {
      const char *hint = "check url= and that Asterisk runs with ARI enabled (http.conf, ari.conf)";

      if (g_error_matches (check.error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED))
        hint = "check user= and password-file= against the user in Asterisk's ari.conf";
      else if (g_error_matches (check.error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL))
        hint = "something answers at url=, but not Asterisk's ARI: check the port and the path (/ari)";
      else if (check.error->domain == G_TLS_ERROR ||
               g_error_matches (check.error, ATTENDANT_ERROR, ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED) ||
               g_error_matches (check.error, ATTENDANT_ERROR, ATTENDANT_ERROR_TLS_VERSION))
        hint = "check Asterisk's certificate: it must name the URL's host and chain to a trusted CA (ca-file=)";

      /* ARI's errors name the URL themselves. */
      g_printerr ("attendant-server: %s\n  → %s\n", check.error->message, hint);
      g_clear_error (&check.error);
      return ATTENDANT_SERVER_EXIT_FAILURE;
    }

  g_print ("Asterisk at %s: reachable, ARI user %s accepted, Asterisk %s, Stasis application %s\n",
           settings->url, settings->user, check.version, settings->application);
  g_free (check.version);
  return ATTENDANT_SERVER_EXIT_OK;
}

/* }}} */
/* {{{ Running */

typedef struct
{
  GMainLoop       *loop;
  AttendantServer *server;
  guint            deadline;
  gboolean         stopping;
} Run;

static gboolean
quit_cb (gpointer user_data)
{
  Run *run = user_data;

  run->deadline = 0;
  g_main_loop_quit (run->loop);

  return G_SOURCE_REMOVE;
}

static gboolean
wait_for_sessions_cb (gpointer user_data)
{
  Run *run = user_data;

  if (attendant_server_get_n_sessions (run->server) == 0)
    {
      g_main_loop_quit (run->loop);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

/* Asterisk's events connections unsubscribe their device states before
 * they close (docs/asterisk.md, "The ARI client"): a second at most. */
static void
close_asterisk (AttendantServer *server)
{
  AttendantTelephony *telephony = attendant_server_get_telephony (server);

  if (!ATTENDANT_IS_ASTERISK (telephony))
    return;

  attendant_asterisk_stop (ATTENDANT_ASTERISK (telephony));
  while (attendant_ari_get_n_closing () > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* SIGINT/SIGTERM: close every client with 1001 and leave once they have
 * answered, or after two seconds. */
static gboolean
signal_cb (gpointer user_data)
{
  Run *run = user_data;

  if (run->stopping)
    {
      g_main_loop_quit (run->loop);
      return G_SOURCE_CONTINUE;
    }

  run->stopping = TRUE;
  g_message ("stopping");
  attendant_server_stop (run->server);
  run->deadline = g_timeout_add_seconds (2, quit_cb, run);
  g_timeout_add (50, wait_for_sessions_cb, run);

  return G_SOURCE_CONTINUE;
}

/* Every connection holds a descriptor, and the usual soft limit (1024)
 * is about what unauthenticated-total lets idle connections hold: it is
 * raised to the hard limit, so that a flood runs into the cap, which drops
 * the oldest, rather than into the descriptor limit, which would leave a
 * real user unaccepted (docs/server.md, "Hostile clients"). */
static void
raise_descriptor_limit (AttendantServerConfig *config)
{
  guint total = attendant_server_config_get_unauthenticated_total (config);
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return;

  if (limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0 || getrlimit (RLIMIT_NOFILE, &limit) != 0)
        return;
    }

  /* Room for the listeners, the logged-in clients and the rest. */
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (rlim_t)total + 256)
    g_message ("the descriptor limit (%llu) leaves little room above unauthenticated-total (%u): "
               "a flood of idle connections could use up descriptors before the cap drops any; "
               "raise the limit (LimitNOFILE=, ulimit -n) or lower unauthenticated-total",
               (unsigned long long)limit.rlim_cur, total);
}

static void
print_ready (AttendantServer *server)
{
  GPtrArray *nodes = attendant_server_get_nodes (server);

  for (guint i = 0; i < nodes->len; i++)
    {
      AttendantNode *node = g_ptr_array_index (nodes, i);
      g_autoptr(JsonObject) state = attendant_node_to_json (node);
      JsonArray *listeners = json_object_get_array_member (state, "listeners");

      for (guint j = 0; j < json_array_get_length (listeners); j++)
        {
          JsonObject *listener = json_array_get_object_element (listeners, j);

          g_print ("node %s %s %s %" G_GINT64_FORMAT "\n", attendant_node_get_name (node),
                   json_object_get_string_member (listener, "transport"),
                   json_object_get_string_member (listener, "address"),
                   json_object_get_int_member (listener, "port"));
        }
    }

  if (attendant_server_get_admin_port (server) != 0)
    {
      GInetSocketAddress *configured = attendant_server_config_get_admin_address (attendant_server_get_config (server));
      g_autofree char *host = g_strdup ("127.0.0.1");

      if (configured != NULL)
        {
          g_free (host);
          host = g_inet_address_to_string (g_inet_socket_address_get_address (configured));
        }

      g_print ("admin http://%s%s%s:%u\n", strchr (host, ':') ? "[" : "", host,
               strchr (host, ':') ? "]" : "", attendant_server_get_admin_port (server));
    }

  g_print ("ready\n");
  fflush (stdout);
}

static int
run_server (int    argc,
            char **argv)
{
  g_autofree char *config_file = NULL;
  g_auto(GStrv) nodes = NULL;
  g_autofree char *admin = NULL;
  gboolean version = FALSE;
  gboolean check = FALSE;
  const GOptionEntry entries[] = {
    { "check", 0, 0, G_OPTION_ARG_NONE, &check, "Check the configuration and the users file (with [asterisk]: reach Asterisk), then exit", NULL },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_file, "The configuration file", "FILE" },
    { "node", 'n', 0, G_OPTION_ARG_STRING_ARRAY, &nodes, "Host only this node (repeatable)", "NAME" },
    { "admin", 0, 0, G_OPTION_ARG_STRING, &admin, "The admin API's loopback address", "ADDRESS:PORT" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— the Attendant reference server");
  g_autoptr(AttendantServerConfig) config = NULL;
  g_autoptr(AttendantServer) server = NULL;
  g_autoptr(GInetSocketAddress) admin_address = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };
  guint sigint, sigterm;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
                                    "Other commands:\n"
                                    "  attendant-server add-user USERS-FILE NAME [--display-name=TEXT] "
                                    "[--extension=NUMBER] [--password-file=FILE]\n"
                                    "  attendant-server admin --url URL --token-file FILE COMMAND [ARGS…]\n");

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("%s", error->message);

  if (version)
    {
      g_print ("attendant-server %s\n", PACKAGE_VERSION);
      return ATTENDANT_SERVER_EXIT_OK;
    }

  if (argc > 1)
    return usage_error ("unexpected argument “%s” (commands: add-user, admin; see --help)", argv[1]);

  if (config_file == NULL)
    return usage_error ("--config FILE is required (see --help)");

  if (!(config = attendant_server_config_new_from_file (config_file, &error)))
    return usage_error ("%s", error->message);

  if (admin != NULL)
    {
      AttendantServerAddress *address = NULL;
      g_autofree char *reason = NULL;
      g_autoptr(GInetAddress) inet = NULL;

      if (!attendant_server_address_parse (admin, TRUE, &address, &reason))
        return usage_error ("--admin: %s", reason);

      inet = g_inet_address_new_from_string (address->host);
      admin_address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (inet, address->port));
      attendant_server_address_free (address);

      if (attendant_server_config_get_admin_token (config) == NULL)
        return usage_error ("--admin: %s has no [server] admin-token-file=", config_file);
    }

  if (!(server = attendant_server_new (config, (const char * const *)nodes, &error)))
    return usage_error ("%s", error->message);

  if (check && attendant_server_get_pbx (server) == NULL)
    {
      /* Only the configuration's own entries: Asterisk's endpoints join
       * them once the server runs, and a count that said "the directory"
       * would not match what the consoles then show. */
      g_print ("%s: cluster %s, %u node(s) to host, %u users, %u contact(s) in [directory], "
               "telephone system: Asterisk\n",
               config_file, attendant_server_config_get_cluster (config),
               attendant_server_get_nodes (server)->len,
               attendant_users_get_all (attendant_server_get_users (server))->len,
               attendant_server_config_get_directory (config)->len);
      return check_asterisk (server);
    }

  if (check)
    {
      g_auto(GStrv) contacts = attendant_pbx_list_numbers (attendant_server_get_pbx (server), FALSE);
      g_auto(GStrv) attendants = attendant_pbx_list_numbers (attendant_server_get_pbx (server), TRUE);

      g_print ("%s: cluster %s, %u node(s) to host, %u users, %u extensions (%u of attendants)\n",
               config_file, attendant_server_config_get_cluster (config),
               attendant_server_get_nodes (server)->len,
               attendant_users_get_all (attendant_server_get_users (server))->len,
               g_strv_length (contacts) + g_strv_length (attendants), g_strv_length (attendants));
      return ATTENDANT_SERVER_EXIT_OK;
    }

  raise_descriptor_limit (config);

  if (!attendant_server_start (server, admin_address, &error))
    {
      g_printerr ("attendant-server: %s\n", error->message);
      return ATTENDANT_SERVER_EXIT_FAILURE;
    }

  print_ready (server);

  run.loop = g_main_loop_new (NULL, FALSE);
  run.server = server;
  sigint = g_unix_signal_add (SIGINT, signal_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, signal_cb, &run);

  g_main_loop_run (run.loop);
  close_asterisk (server);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (run.deadline != 0)
    g_source_remove (run.deadline);
  g_source_remove_by_user_data (&run);
  g_main_loop_unref (run.loop);

  return ATTENDANT_SERVER_EXIT_OK;
}

/* }}} */
/* {{{ add-user */

static void
wipe (char *secret)
{
  if (secret != NULL)
    attendant_secret_wipe (secret, strlen (secret));
}

static char *
prompt_password (const char *prompt)
{
  struct termios saved, quiet;
  char buffer[1024];
  char *line;

  g_printerr ("%s", prompt);
  if (tcgetattr (STDIN_FILENO, &saved) != 0)
    return NULL;

  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t)ECHO;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  line = fgets (buffer, sizeof buffer, stdin);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  g_printerr ("\n");

  if (line == NULL)
    return NULL;

  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  attendant_secret_wipe (buffer, sizeof buffer);

  return line;
}

/* The password is the first line; a file or pipe with more than that is
 * probably not what the user meant to give. */
static char *
password_from_text (char        *text,
                    const char  *source,
                    GError     **error)
{
  char *end = text + strcspn (text, "\r\n");
  const char *rest = end;

  while (*rest == '\r' || *rest == '\n')
    rest++;

  if (*rest != '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s has more than one line: the password is one line", source);
      return NULL;
    }

  *end = '\0';
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The password in %s is not UTF-8", source);
      return NULL;
    }

  return g_strdup (text);
}

static char *
read_password (const char  *password_file,
               GError     **error)
{
  g_autofree char *text = NULL;
  char *password;
  gsize length = 0;

  if (password_file != NULL)
    {
      /* Refused, like every secret file, if others may read it. */
      if (!attendant_secret_check_file_mode (password_file, error) ||
          !g_file_get_contents (password_file, &text, &length, error))
        return NULL;
      password = password_from_text (text, password_file, error);
      wipe (text);
      return password;
    }

  if (isatty (STDIN_FILENO))
    {
      g_autofree char *first = prompt_password ("Password: ");
      g_autofree char *second = first ? prompt_password ("Password again: ") : NULL;

      if (first == NULL || second == NULL || !g_str_equal (first, second))
        {
          wipe (first);
          wipe (second);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "The passwords do not match");
          return NULL;
        }
      wipe (second);
      return g_steal_pointer (&first);
    }

  {
    g_autoptr(GString) input = g_string_new (NULL);
    char buffer[4096];
    size_t n;

    while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
      {
        if (input->len + n > 64 * 1024)
          {
            attendant_secret_wipe (buffer, sizeof buffer);
            attendant_secret_wipe (input->str, input->len);
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                 "The standard input is too long for a password");
            return NULL;
          }
        g_string_append_len (input, buffer, (gssize)n);
      }
    attendant_secret_wipe (buffer, sizeof buffer);

    if (memchr (input->str, '\0', input->len) != NULL)
      {
        attendant_secret_wipe (input->str, input->len);
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             "The password contains a NUL byte");
        return NULL;
      }

    password = password_from_text (input->str, "The standard input", error);
    attendant_secret_wipe (input->str, input->len);
    return password;
  }
}

static int
add_user (int    argc,
          char **argv)
{
  g_autofree char *display_name = NULL;
  g_autofree char *extension = NULL;
  g_autofree char *password_file = NULL;
  int iterations = ATTENDANT_SCRAM_DEFAULT_ITERATIONS;
  const GOptionEntry entries[] = {
    { "display-name", 0, 0, G_OPTION_ARG_STRING, &display_name, "The name the console shows", "TEXT" },
    { "extension", 0, 0, G_OPTION_ARG_STRING, &extension, "The user's extension", "NUMBER" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      "Read the password from FILE (default: standard input)", "FILE" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, "PBKDF2 iterations (default 4096)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("USERS-FILE NAME — add or replace a user");
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
                                    "The password is read from standard input (prompted for twice on "
                                    "a terminal) or from --password-file. Only SCRAM-SHA-256 keys are "
                                    "written, never the password.\n");

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("add-user: %s", error->message);

  if (argc != 3)
    return usage_error ("add-user: expected USERS-FILE NAME (see add-user --help)");

  if (!attendant_user_name_is_valid (argv[2]))
    return usage_error ("add-user: “%s” is not a user name (up to 64 letters, digits, “.-_@”)", argv[2]);

  if (iterations < 4096 || iterations > ATTENDANT_SCRAM_MAX_ITERATIONS)
    return usage_error ("add-user: --iterations must be from 4096 (RFC 7677) to "
                        G_STRINGIFY (ATTENDANT_SCRAM_MAX_ITERATIONS)
                        " (clients refuse more)");

  if (!(password = read_password (password_file, &error)))
    return usage_error ("add-user: %s", error->message);

  ok = attendant_users_add_to_file (argv[1], argv[2], display_name, extension, password,
                                    (guint)iterations, &error);
  wipe (password);

  if (!ok)
    return usage_error ("add-user: %s", error->message);

  g_print ("User %s written to %s\n", argv[2], argv[1]);

  return ATTENDANT_SERVER_EXIT_OK;
}

/* }}} */
/* {{{ admin */

static int
admin (int    argc,
       char **argv)
{
  g_autofree char *url = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *extension = NULL;
  g_autofree char *text = NULL;
  double patience = 0;
  double grace = -1;
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "The admin API, http://127.0.0.1:PORT", "URL" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file, "The file with the token", "FILE" },
    { "queue", 0, 0, G_OPTION_ARG_STRING, &queue, "call: the queue", "ID" },
    { "extension", 0, 0, G_OPTION_ARG_STRING, &extension, "call: ring this extension", "NUMBER" },
    { "patience", 0, 0, G_OPTION_ARG_DOUBLE, &patience, "call: seconds before the caller gives up", "S" },
    { "grace", 0, 0, G_OPTION_ARG_DOUBLE, &grace, "drain: seconds before closing", "S" },
    { "text", 0, 0, G_OPTION_ARG_STRING, &text, "drain: the message for clients", "TEXT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("COMMAND [ARGS…] — call the admin API");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GProxyResolver) no_proxy = NULL;
  g_autoptr(AttendantSecret) token = NULL;
  g_autofree char *path = NULL;
  g_autofree char *full = NULL;
  g_autofree char *authorization = NULL;
  const char *method = "POST";
  const char *command;
  guint status;
  static const char * const node_actions[] = { "crash", "freeze", "thaw", "stop", "start", "drain", NULL };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
                                    "Commands:\n"
                                    "  state\n"
                                    "  call NUMBER [NAME] [--queue=ID] [--extension=NUMBER] [--patience=S]\n"
                                    "  hangup CALL\n"
                                    "  presence EXTENSION PRESENCE\n"
                                    "  phone-system up|down [REASON]   (the simulated system's pretend outage)\n"
                                    "  crash|freeze|thaw|stop|start|drain NODE [--grace=S] [--text=TEXT]\n");

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("admin: %s", error->message);

  if (url == NULL || token_file == NULL)
    return usage_error ("admin: --url and --token-file are required");

  if (argc < 2)
    return usage_error ("admin: no command (see admin --help)");

  if (!attendant_secret_check_file_mode (token_file, &error) ||
      !g_file_get_contents (token_file, &token, NULL, &error))
    return usage_error ("admin: %s", error->message);
  g_strstrip (token);

  command = argv[1];
  if (g_str_equal (command, "state") && argc == 2)
    {
      method = "GET";
      path = g_strdup ("/state");
    }
  else if (g_str_equal (command, "call") && (argc == 3 || argc == 4))
    {
      path = g_strdup ("/calls");
      json_object_set_string_member (body, "number", argv[2]);
      if (argc == 4)
        json_object_set_string_member (body, "name", argv[3]);
      if (queue != NULL)
        json_object_set_string_member (body, "queue", queue);
      if (extension != NULL)
        json_object_set_string_member (body, "extension", extension);
      if (patience > 0)
        json_object_set_double_member (body, "patience", patience);
    }
  else if (g_str_equal (command, "hangup") && argc == 3)
    {
      g_autofree char *escaped = g_uri_escape_string (argv[2], NULL, FALSE);

      path = g_strdup_printf ("/calls/%s/hangup", escaped);
    }
  else if (g_str_equal (command, "presence") && argc == 4)
    {
      path = g_strdup ("/presence");
      json_object_set_string_member (body, "extension", argv[2]);
      json_object_set_string_member (body, "presence", argv[3]);
    }
  else if (g_str_equal (command, "phone-system") && argc >= 3 && argc <= 4 &&
           (g_str_equal (argv[2], "up") || g_str_equal (argv[2], "down")))
    {
      path = g_strdup ("/phone-system");
      json_object_set_boolean_member (body, "reachable", g_str_equal (argv[2], "up"));
      if (argc == 4)
        json_object_set_string_member (body, "reason", argv[3]);
    }
  else if (g_strv_contains (node_actions, command) && argc == 3)
    {
      g_autofree char *escaped = g_uri_escape_string (argv[2], NULL, FALSE);

      path = g_strdup_printf ("/nodes/%s/%s", escaped, command);
      if (grace >= 0)
        json_object_set_double_member (body, "grace_s", grace);
      if (text != NULL)
        json_object_set_string_member (body, "text", text);
    }
  else
    return usage_error ("admin: “%s” with %d argument(s) is not a command (see admin --help)",
                        command, argc - 2);

  full = g_strconcat (url, g_str_has_suffix (url, "/") ? path + 1 : path, NULL);
  message = soup_message_new (method, full);
  if (message == NULL)
    return usage_error ("admin: “%s” is not a URL", url);

  authorization = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", authorization);
  if (g_str_equal (method, "POST"))
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(GBytes) bytes = NULL;
      char *json;

      json_node_set_object (node, body);
      json = json_to_string (node, FALSE);

      bytes = g_bytes_new_take (json, strlen (json));
      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  /* The API is on loopback: no proxy must ever see the token. */
  no_proxy = g_simple_proxy_resolver_new (NULL, NULL);
  session = soup_session_new_with_options ("proxy-resolver", no_proxy, NULL);
  response = soup_session_send_and_read (session, message, NULL, &error);
  if (response == NULL)
    {
      g_printerr ("attendant-server: admin: %s\n", error->message);
      return ATTENDANT_SERVER_EXIT_FAILURE;
    }

  status = soup_message_get_status (message);
  if (status < 200 || status >= 300)
    {
      g_printerr ("attendant-server: admin: %u %s: %.*s\n", status,
                  soup_message_get_reason_phrase (message),
                  (int)g_bytes_get_size (response), (const char *)g_bytes_get_data (response, NULL));
      return ATTENDANT_SERVER_EXIT_FAILURE;
    }

  g_print ("%.*s\n", (int)g_bytes_get_size (response), (const char *)g_bytes_get_data (response, NULL));

  return ATTENDANT_SERVER_EXIT_OK;
}

/* }}} */

int
attendant_server_main (int    argc,
                       char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "add-user"))
    return add_user (argc - 1, argv + 1);

  if (argc >= 2 && g_str_equal (argv[1], "admin"))
    return admin (argc - 1, argv + 1);

  return run_server (argc, argv);
}
