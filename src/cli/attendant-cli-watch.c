/* attendant-cli-watch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-cli"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include "attendant-cli.h"
#include "attendant-cli-json.h"
#include "attendant-cli-options.h"
#include "attendant-core.h"

/* `attendant-cli watch` (docs/cli.md): the same client core as the app, logged
 * in and kept connected, telling every change of connection state and every
 * telephony event as one JSON object per line. Commands can be fed on
 * standard input, one JSON object per line ({"id", "command", "args"}), and
 * their replies are printed as "reply" lines — which is how tests issue a
 * command and watch what becomes of it across a failover. */

typedef struct
{
  GMainLoop        *loop;
  AttendantClient  *client;
  GDataInputStream *input;
  GCancellable     *cancellable;
  gint64            start;
  int               status;
} Watch;

static JsonBuilder *
begin_line (Watch      *watch,
            const char *event)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  g_object_set_data (G_OBJECT (builder), "t",
                     GINT_TO_POINTER ((int)((g_get_monotonic_time () - watch->start) / 1000)));

  return builder;
}

static void
end_line (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  int ms = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (builder), "t"));
  const char *rest;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = attendant_cli_json_to_string (root, FALSE);

  /* "t" goes in by hand, right after "event", with millisecond precision:
   * json-glib would print a double such as 0.004 with 17 digits. */
  rest = strchr (text, ',');
  if (rest != NULL)
    printf ("%.*s,\"t\":%d.%03d%s\n", (int)(rest - text), text, ms / 1000, ms % 1000, rest);
  else
    printf ("%.*s,\"t\":%d.%03d}\n", (int)strlen (text) - 1, text, ms / 1000, ms % 1000);
  fflush (stdout);
  g_object_unref (builder);
}

/* Copies every member but "type" of a protocol message into the line. */
static void
add_members (JsonBuilder *builder,
             JsonObject  *object,
             const char  *skip)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    {
      if (g_str_equal (name, "type") || (skip != NULL && g_str_equal (name, skip)))
        continue;

      json_builder_set_member_name (builder, name);
      json_builder_add_value (builder, json_node_copy (node));
    }
}

static void
connecting_cb (AttendantClient *client,
               AttendantPlan   *plan,
               Watch           *watch)
{
  JsonBuilder *builder = begin_line (watch, "connecting");

  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder,
                                 attendant_enum_to_nick (ATTENDANT_TYPE_DISCOVERY_METHOD,
                                                         attendant_plan_get_method (plan)));
  json_builder_set_member_name (builder, "result");
  json_builder_add_string_value (builder,
                                 attendant_enum_to_nick (ATTENDANT_TYPE_DISCOVERY_RESULT,
                                                         attendant_plan_get_result (plan)));
  json_builder_set_member_name (builder, "plan");
  attendant_cli_json_add_plan (builder, plan);
  end_line (builder);
}

static void
attempt_cb (AttendantClient  *client,
            AttendantAttempt *attempt,
            Watch            *watch)
{
  JsonBuilder *builder = begin_line (watch, "attempt");

  attendant_cli_json_add_attempt (builder, attempt, TRUE);
  end_line (builder);
}

static void
connected_cb (AttendantClient  *client,
              AttendantSession *session,
              gboolean          failover,
              gboolean          failback,
              Watch            *watch)
{
  AttendantConnection *connection = attendant_session_get_connection (session);
  AttendantEndpoint *endpoint = attendant_connection_get_endpoint (connection);
  GObject *greeting = attendant_connection_get_greeting (connection);
  JsonBuilder *builder = begin_line (watch, "connected");

  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, attendant_endpoint_get_host (endpoint));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, attendant_endpoint_get_port (endpoint));
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, attendant_connection_get_address (connection));
  attendant_cli_json_add_nullable_string (builder, "node",
                                          ATTENDANT_IS_GREETING (greeting)
                                            ? attendant_greeting_get_node (ATTENDANT_GREETING (greeting))
                                            : NULL);
  attendant_cli_json_add_nullable_string (builder, "tls_version",
                                          attendant_connection_get_tls_version (connection));
  json_builder_set_member_name (builder, "failover");
  json_builder_add_boolean_value (builder, failover);
  json_builder_set_member_name (builder, "failback");
  json_builder_add_boolean_value (builder, failback);
  end_line (builder);
}

static void
disconnected_cb (AttendantClient      *client,
                 AttendantCloseReason  reason,
                 const char           *message,
                 Watch                *watch)
{
  JsonBuilder *builder = begin_line (watch, "disconnected");

  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, attendant_enum_to_nick (ATTENDANT_TYPE_CLOSE_REASON, reason));
  attendant_cli_json_add_nullable_string (builder, "message", message);
  end_line (builder);
}

static void
reconnect_scheduled_cb (AttendantClient *client,
                        guint            delay_ms,
                        Watch           *watch)
{
  JsonBuilder *builder = begin_line (watch, "reconnect-scheduled");

  json_builder_set_member_name (builder, "delay_s");
  json_builder_add_double_value (builder, delay_ms / 1000.0);
  end_line (builder);
}

static void
auth_failed_cb (AttendantClient *client,
                const char      *message,
                Watch           *watch)
{
  JsonBuilder *builder = begin_line (watch, "auth-failed");

  attendant_cli_json_add_nullable_string (builder, "message", message);
  end_line (builder);

  /* Nothing more will happen without the user: say so by the exit status. */
  watch->status = ATTENDANT_CLI_EXIT_UNREACHABLE;
  g_main_loop_quit (watch->loop);
}

static void
certificate_rejected_cb (AttendantClient  *client,
                         AttendantAttempt *attempt,
                         Watch            *watch)
{
  JsonBuilder *builder = begin_line (watch, "certificate-rejected");
  GTlsCertificate *certificate = attempt ? attendant_attempt_get_certificate (attempt) : NULL;
  g_autofree char *fingerprint = certificate ? attendant_tls_certificate_sha256 (certificate) : NULL;

  if (attempt != NULL)
    attendant_cli_json_add_attempt (builder, attempt, TRUE);
  attendant_cli_json_add_nullable_string (builder, "certificate_sha256", fingerprint);
  end_line (builder);

  watch->status = ATTENDANT_CLI_EXIT_UNREACHABLE;
  g_main_loop_quit (watch->loop);
}

static void
snapshot_cb (AttendantClient *client,
             JsonObject      *snapshot,
             Watch           *watch)
{
  JsonBuilder *builder = begin_line (watch, "snapshot");

  add_members (builder, snapshot, NULL);
  end_line (builder);
}

static void
event_cb (AttendantClient *client,
          JsonObject      *event,
          Watch           *watch)
{
  JsonBuilder *builder = begin_line (watch, json_object_get_string_member (event, "event"));

  add_members (builder, event, "event");
  end_line (builder);
}

/* The server reaching its telephone system, or not: one line per change
 * while connected (the snapshot's line has it too, as "phone_system"); a
 * lost connection says nothing about the telephone system. */
static void
phone_system_cb (AttendantClient *client,
                 GParamSpec      *pspec,
                 Watch           *watch)
{
  const char *reason = attendant_client_get_phone_system_reason (client);
  JsonBuilder *builder;

  if (attendant_client_get_session (client) == NULL)
    return;

  builder = begin_line (watch, "phone-system");
  json_builder_set_member_name (builder, "reachable");
  json_builder_add_boolean_value (builder, reason == NULL);
  json_builder_set_member_name (builder, "reason");
  if (reason != NULL)
    json_builder_add_string_value (builder, reason);
  else
    json_builder_add_null_value (builder);
  end_line (builder);
}

typedef struct
{
  Watch *watch;
  char  *id;
} Command;

static void
command_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Command *command = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  JsonBuilder *builder;

  reply = attendant_client_send_command_finish (ATTENDANT_CLIENT (object), result, &error);

  builder = begin_line (command->watch, "reply");
  attendant_cli_json_add_nullable_string (builder, "id", command->id);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, reply != NULL);

  if (reply != NULL)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, reply);
      json_builder_set_member_name (builder, "result");
      json_builder_add_value (builder, g_steal_pointer (&node));
    }
  else
    {
      const char *code = "failed";

      if (g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_RESULT_UNKNOWN))
        code = "result-unknown";
      else if (g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_NOT_CONNECTED))
        code = "not-connected";
      else if (g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_COMMAND_FAILED))
        code = "refused";

      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, code);
      attendant_cli_json_add_nullable_string (builder, "error", error->message);
    }

  end_line (builder);

  g_free (command->id);
  g_free (command);
}

static void read_command (Watch *watch);

static void
input_line_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonObject) request = NULL;
  JsonNode *args;
  Command *command;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  if (line == NULL)
    return;  /* end of input, or an error: commands just stop */

  if (*g_strstrip (line) == '\0')
    {
      read_command (watch);
      return;
    }

  /* The protocol's parser and getters: json-glib's own leak the extra
   * values of "{…} {…}" and emit criticals for members of the wrong kind
   * (docs/security.md). */
  request = attendant_protocol_parse_object (line, strlen (line), NULL);
  args = request != NULL ? json_object_get_member (request, "args") : NULL;
  if (request == NULL || attendant_protocol_get_string (request, "command") == NULL ||
      (args != NULL && !JSON_NODE_HOLDS_OBJECT (args) && !JSON_NODE_HOLDS_NULL (args)))
    {
      JsonBuilder *builder = begin_line (watch, "reply");

      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, "bad-input");
      attendant_cli_json_add_nullable_string (builder, "error",
                                              "A command line must be a JSON object with a string “command” "
                                              "and, if any, an object “args”");
      end_line (builder);
      read_command (watch);
      return;
    }

  command = g_new0 (Command, 1);
  command->watch = watch;
  command->id = g_strdup (attendant_protocol_get_string (request, "id"));

  attendant_client_send_command_async (watch->client,
                                       attendant_protocol_get_string (request, "command"),
                                       attendant_protocol_get_object (request, "args"),
                                       NULL, command_cb, command);
  read_command (watch);
}

static void
read_command (Watch *watch)
{
  g_data_input_stream_read_line_async (watch->input, G_PRIORITY_DEFAULT, watch->cancellable,
                                       input_line_cb, watch);
}

static gboolean
quit_cb (gpointer user_data)
{
  Watch *watch = user_data;

  watch->status = ATTENDANT_CLI_EXIT_OK;
  g_main_loop_quit (watch->loop);

  return G_SOURCE_CONTINUE;
}

static int
usage_error (const char *message)
{
  fprintf (stderr, "attendant-cli watch: %s (see attendant-cli watch --help)\n", message);
  return ATTENDANT_CLI_EXIT_USAGE;
}

static char *
read_password (const char  *password_file,
               GError     **error)
{
  g_autoptr(AttendantSecret) contents = NULL;
  const char *env = g_getenv ("ATTENDANT_PASSWORD");

  if (password_file != NULL)
    {
      /* A password file that others may read is no secret: say so. */
      if (!attendant_secret_check_file_mode (password_file, error) ||
          !g_file_get_contents (password_file, &contents, NULL, error))
        return NULL;

      /* The file's last line break is not part of the password. */
      if (g_str_has_suffix (contents, "\n"))
        contents[strlen (contents) - 1] = '\0';
      if (g_str_has_suffix (contents, "\r"))
        contents[strlen (contents) - 1] = '\0';

      return g_steal_pointer (&contents);
    }

  if (env != NULL)
    return g_strdup (env);

  g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                       "give the password with --password-file or ATTENDANT_PASSWORD");
  return NULL;
}

int
attendant_cli_watch (int    argc,
                     char **argv)
{
  gboolean no_failback = FALSE;
  g_autofree char *user = NULL;
  g_autofree char *password_file = NULL;
  g_autoptr(AttendantSecret) password = NULL;
  int heartbeat = 5;
  int failback_interval = 60;
  const GOptionEntry entries[] = {
    { "heartbeat", 0, 0, G_OPTION_ARG_INT, &heartbeat,
      "Seconds between heartbeats, 1–300 (default 5); silence for two ends the session", "SECONDS" },
    { "no-failback", 0, 0, G_OPTION_ARG_NONE, &no_failback,
      "Stay on a less preferred server instead of moving back when the preferred one returns", NULL },
    { "failback-interval", 0, 0, G_OPTION_ARG_INT, &failback_interval,
      "Seconds between probes of more preferred servers, 1–3600 (default 60)", "SECONDS" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user,
      "The user name to log in with (required)", "NAME" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      "Read the password from this file (else from ATTENDANT_PASSWORD)", "FILE" },
    { NULL }
  };
  g_auto(AttendantCliConnectOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stdin_stream = NULL;
  g_autofree char *invalid = NULL;
  const char *usage = NULL;
  Watch watch = { 0 };
  guint sigint_id, sigterm_id;

  attendant_cli_connect_options_init (&options);

  /* The usage line then reads "attendant-cli watch [OPTION…] SERVER". */
  g_set_prgname ("attendant-cli watch");
  context = g_option_context_new ("SERVER");
  g_option_context_set_summary (context,
    "Logs in to SERVER with the client core of the app and prints one JSON object\n"
    "per line for every change of connection state and every telephony event,\n"
    "until interrupted. Commands may be given on standard input, one JSON object\n"
    "per line: {\"id\": \"1\", \"command\": \"call.answer\", \"args\": {\"call\": \"…\"}}.\n"
    "Exit status: 0 when interrupted, 1 when the password or the certificate is\n"
    "refused, or the server asks for fewer than 4096 PBKDF2 iterations (an\n"
    "auth-failed line says which), 2 bad usage or input (a password file that\n"
    "others may read, too).");
  attendant_cli_connect_options_add (&options, context);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);

  if (!attendant_cli_take_server (&argc, &argv, &usage))
    return usage_error (usage);

  if (!attendant_cli_connect_options_finish (&options, &invalid))
    return usage_error (invalid);

  if (user == NULL)
    return usage_error ("--user is required");

  if (heartbeat < 1 || heartbeat > 300)
    return usage_error ("--heartbeat must be a whole number of seconds from 1 to 300");

  if (failback_interval < 1 || failback_interval > 3600)
    return usage_error ("--failback-interval must be a whole number of seconds from 1 to 3600");

  if (!(password = read_password (password_file, &error)))
    {
      fprintf (stderr, "attendant-cli watch: %s\n", error->message);
      return ATTENDANT_CLI_EXIT_USAGE;
    }

  watch.start = g_get_monotonic_time ();
  watch.loop = g_main_loop_new (NULL, FALSE);
  watch.client = attendant_client_new (NULL);
  watch.cancellable = g_cancellable_new ();
  g_object_set (watch.client,
                "server", argv[1],
                "transport", options.transport,
                "priority-order", options.order,
                "attempt-timeout", (guint)options.timeout,
                "heartbeat-interval", (guint)heartbeat,
                "failback", !no_failback,
                "failback-interval", (guint)failback_interval,
                NULL);
  attendant_client_set_credentials (watch.client, user, password);
  attendant_client_set_extra_anchors (watch.client, options.anchors);
  g_clear_pointer (&password, attendant_secret_free);

  g_signal_connect (watch.client, "connecting", G_CALLBACK (connecting_cb), &watch);
  g_signal_connect (watch.client, "attempt", G_CALLBACK (attempt_cb), &watch);
  g_signal_connect (watch.client, "connected", G_CALLBACK (connected_cb), &watch);
  g_signal_connect (watch.client, "disconnected", G_CALLBACK (disconnected_cb), &watch);
  g_signal_connect (watch.client, "reconnect-scheduled", G_CALLBACK (reconnect_scheduled_cb), &watch);
  g_signal_connect (watch.client, "auth-failed", G_CALLBACK (auth_failed_cb), &watch);
  g_signal_connect (watch.client, "certificate-rejected", G_CALLBACK (certificate_rejected_cb), &watch);
  g_signal_connect (watch.client, "snapshot", G_CALLBACK (snapshot_cb), &watch);
  g_signal_connect (watch.client, "event", G_CALLBACK (event_cb), &watch);
  g_signal_connect (watch.client, "notify::phone-system-reason", G_CALLBACK (phone_system_cb), &watch);

  if (!attendant_client_start (watch.client, &error))
    {
      fprintf (stderr, "attendant-cli watch: %s\n", error->message);
      g_clear_object (&watch.client);
      g_clear_object (&watch.cancellable);
      g_main_loop_unref (watch.loop);
      return ATTENDANT_CLI_EXIT_USAGE;
    }

  stdin_stream = g_unix_input_stream_new (0, FALSE);
  watch.input = g_data_input_stream_new (stdin_stream);
  read_command (&watch);

  sigint_id = g_unix_signal_add (SIGINT, quit_cb, &watch);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, &watch);

  g_main_loop_run (watch.loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_cancellable_cancel (watch.cancellable);
  attendant_client_stop (watch.client);

  g_signal_handlers_disconnect_by_data (watch.client, &watch);
  g_clear_object (&watch.client);
  g_clear_object (&watch.input);
  g_clear_object (&watch.cancellable);
  g_main_loop_unref (watch.loop);

  return watch.status;
}
