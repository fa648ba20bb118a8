/* attendant-cli-check.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-cli"

#include "config.h"

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "attendant-cli.h"
#include "attendant-cli-json.h"
#include "attendant-cli-options.h"
#include "attendant-core.h"

/* `attendant-cli check`: one discovery and one connector run, told
 * either as the JSON object of docs/cli.md or as text for an administrator who
 * is checking a DNS set-up like those of Imagicle's SRV guide (docs/dns.md). */

typedef struct
{
  GMainLoop           *loop;
  AttendantServerSpec *spec;
  AttendantDiscovery  *discovery;
  AttendantConnector  *connector;
  AttendantPlan       *plan;
  AttendantConnection *connection;
  GPtrArray           *attempts;
  GError              *error;
  gboolean             json;
  gboolean             no_connect;
  int                  status;
  gint64               started;
} Check;

static void check_clear (Check *check);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Check, check_clear)

static void
check_clear (Check *check)
{
  g_clear_pointer (&check->loop, g_main_loop_unref);
  g_clear_object (&check->spec);
  g_clear_object (&check->discovery);
  g_clear_object (&check->connector);
  g_clear_object (&check->plan);
  g_clear_object (&check->connection);
  g_clear_pointer (&check->attempts, g_ptr_array_unref);
  g_clear_error (&check->error);
}

static const char *
nick (GType type,
      int   value)
{
  return attendant_enum_to_nick (type, value);
}

static const char *
outcome_advice (AttendantAttemptOutcome outcome,
                AttendantTransport      transport)
{
  switch (outcome)
    {
    case ATTENDANT_ATTEMPT_OUTCOME_REFUSED:
      return transport == ATTENDANT_TRANSPORT_TLS
        ? "nothing listens there: check the NAT rule forwards this port to the server's port 51235 and that the server runs"
        : "nothing listens there: check the NAT rule forwards this port to the server's port 51234 and that the server runs";
    case ATTENDANT_ATTEMPT_OUTCOME_TIMEOUT:
      return "no answer: a firewall drops the packets, the NAT rule is missing, or the host is down";
    case ATTENDANT_ATTEMPT_OUTCOME_UNREACHABLE:
      return "no route to that address: check the address in DNS and the network path";
    case ATTENDANT_ATTEMPT_OUTCOME_RESOLVE_FAILED:
      return "the host name has no A or AAAA record: add one, or fix the SRV target";
    case ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED:
      return "the TLS handshake failed: check the server's certificate (it must be valid for the domain users type) and that it offers TLS 1.2 or newer";
    case ATTENDANT_ATTEMPT_OUTCOME_PROTOCOL_FAILED:
      return "something answered but it is not an Attendant server, or it is not ready";
    case ATTENDANT_ATTEMPT_OUTCOME_CONNECTED:
    default:
      return NULL;
    }
}

static char *
build_json (Check *check)
{
  AttendantPlan *plan = check->plan;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  GPtrArray *records = attendant_plan_get_records (plan);

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "input");
  json_builder_add_string_value (builder, attendant_plan_get_input (plan));
  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, attendant_plan_get_domain (plan));
  json_builder_set_member_name (builder, "transport");
  json_builder_add_string_value (builder, nick (ATTENDANT_TYPE_TRANSPORT,
                                                attendant_plan_get_transport (plan)));
  json_builder_set_member_name (builder, "priority_order");
  json_builder_add_string_value (builder, nick (ATTENDANT_TYPE_PRIORITY_ORDER,
                                                attendant_plan_get_priority_order (plan)));

  json_builder_set_member_name (builder, "discovery");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, nick (ATTENDANT_TYPE_DISCOVERY_METHOD,
                                                attendant_plan_get_method (plan)));
  attendant_cli_json_add_nullable_string (builder, "query", attendant_plan_get_query (plan));
  json_builder_set_member_name (builder, "result");
  json_builder_add_string_value (builder, nick (ATTENDANT_TYPE_DISCOVERY_RESULT,
                                                attendant_plan_get_result (plan)));
  attendant_cli_json_add_nullable_string (builder, "error", attendant_plan_get_error (plan));
  json_builder_set_member_name (builder, "records");
  json_builder_begin_array (builder);
  for (guint i = 0; i < records->len; i++)
    {
      GSrvTarget *target = records->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "target");
      json_builder_add_string_value (builder, g_srv_target_get_hostname (target));
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, g_srv_target_get_port (target));
      json_builder_set_member_name (builder, "priority");
      json_builder_add_int_value (builder, g_srv_target_get_priority (target));
      json_builder_set_member_name (builder, "weight");
      json_builder_add_int_value (builder, g_srv_target_get_weight (target));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "plan");
  attendant_cli_json_add_plan (builder, plan);

  json_builder_set_member_name (builder, "attempts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < check->attempts->len; i++)
    attendant_cli_json_add_attempt (builder, check->attempts->pdata[i], FALSE);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "connected");
  if (check->connection != NULL)
    {
      AttendantConnection *connection = check->connection;
      AttendantEndpoint *endpoint = attendant_connection_get_endpoint (connection);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "host");
      json_builder_add_string_value (builder, attendant_endpoint_get_host (endpoint));
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, attendant_endpoint_get_port (endpoint));
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, attendant_connection_get_address (connection));
      attendant_cli_json_add_nullable_string (builder, "tls_version",
                           attendant_connection_get_tls_version (connection));
      attendant_cli_json_add_nullable_string (builder, "certificate_sha256",
                           attendant_connection_get_certificate_sha256 (connection));
      json_builder_end_object (builder);
    }
  else
    {
      json_builder_add_null_value (builder);
    }

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);

  return attendant_cli_json_to_string (root, TRUE);
}

static void
print_discovery (Check *check)
{
  AttendantPlan *plan = check->plan;
  GPtrArray *records = attendant_plan_get_records (plan);
  AttendantTransport transport = attendant_plan_get_transport (plan);
  guint n = attendant_plan_get_n_endpoints (plan);

  printf ("Checking %s (%s)\n\n", attendant_plan_get_input (plan),
          transport == ATTENDANT_TRANSPORT_TLS ? "TLS" : "plain, unencrypted");

  printf ("Discovery\n");

  switch (attendant_plan_get_method (plan))
    {
    case ATTENDANT_DISCOVERY_METHOD_DIRECT:
      printf ("  Direct connection: a host and port or an address was given, so no SRV query was made.\n");
      break;

    case ATTENDANT_DISCOVERY_METHOD_SRV:
    case ATTENDANT_DISCOVERY_METHOD_FALLBACK:
    default:
      printf ("  SRV query %s: %s\n", attendant_plan_get_query (plan),
              nick (ATTENDANT_TYPE_DISCOVERY_RESULT, attendant_plan_get_result (plan)));
      for (guint i = 0; i < records->len; i++)
        {
          GSrvTarget *t = records->pdata[i];

          printf ("    priority %5u  weight %5u  port %5u  target %s\n",
                  g_srv_target_get_priority (t), g_srv_target_get_weight (t),
                  g_srv_target_get_port (t), g_srv_target_get_hostname (t));
        }
      if (attendant_plan_get_error (plan) != NULL)
        printf ("  %s\n", attendant_plan_get_error (plan));
      break;
    }

  switch (attendant_plan_get_result (plan))
    {
    case ATTENDANT_DISCOVERY_RESULT_NOT_FOUND:
    case ATTENDANT_DISCOVERY_RESULT_FAILED:
      printf ("  No usable SRV answer, so the client falls back to %s on the default port %u,\n"
              "  as the notes of Imagicle's SRV guide say.\n",
              attendant_plan_get_domain (plan), attendant_transport_default_port (transport));
      break;

    case ATTENDANT_DISCOVERY_RESULT_UNAVAILABLE:
      printf ("  The domain says the service is not offered: no connection will be attempted.\n");
      break;

    case ATTENDANT_DISCOVERY_RESULT_ANSWERED:
      if (attendant_plan_get_priority_order (plan) == ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST)
        printf ("  Order: highest-first — higher priority numbers are tried first, as Imagicle's SRV guide\n"
                "  specifies (primary 10, backup 8); equal priorities are drawn at random by weight.\n");
      else
        printf ("  Order: rfc2782 — lower priority numbers are tried first, as RFC 2782 says;\n"
                "  equal priorities are drawn at random by weight.\n");
      if (attendant_plan_orders_disagree (plan))
        printf ("  Note: these records have different priorities, so the two orders disagree:\n"
                "  with --priority-order=%s the other end of the list would be tried first.\n",
                attendant_plan_get_priority_order (plan) == ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST
                  ? "rfc2782" : "highest-first");
      break;

    case ATTENDANT_DISCOVERY_RESULT_SKIPPED:
    default:
      break;
    }

  if (n > 0)
    {
      printf ("\nPlan\n");
      for (guint i = 0; i < n; i++)
        {
          AttendantEndpoint *endpoint = attendant_plan_get_endpoint (plan, i);
          g_autofree char *where = attendant_endpoint_to_string (endpoint);

          if (attendant_endpoint_get_origin (endpoint) == ATTENDANT_ENDPOINT_ORIGIN_SRV)
            printf ("  %u. %-40s priority %u, weight %u\n", i + 1, where,
                    attendant_endpoint_get_priority (endpoint),
                    attendant_endpoint_get_weight (endpoint));
          else
            printf ("  %u. %-40s %s\n", i + 1, where,
                    nick (ATTENDANT_TYPE_ENDPOINT_ORIGIN, attendant_endpoint_get_origin (endpoint)));
        }
    }

  fflush (stdout);
}

static void
print_attempt (Check            *check,
               AttendantAttempt *attempt)
{
  AttendantEndpoint *endpoint = attendant_attempt_get_endpoint (attempt);
  AttendantAttemptOutcome outcome = attendant_attempt_get_outcome (attempt);
  const GError *error = attendant_attempt_get_error (attempt);
  g_autofree char *where = attendant_endpoint_to_string (endpoint);
  const char *advice = outcome_advice (outcome, attendant_plan_get_transport (check->plan));

  if (check->attempts->len == 1)
    printf ("\nAttempts\n");

  printf ("  %s at %s: %s after %.1f ms\n", where,
          attendant_attempt_get_address (attempt) ? attendant_attempt_get_address (attempt)
                                                   : "(no address)",
          nick (ATTENDANT_TYPE_ATTEMPT_OUTCOME, outcome),
          attendant_attempt_get_elapsed_ms (attempt));
  if (error != NULL)
    printf ("      %s\n", error->message);
  if (advice != NULL)
    printf ("      → %s\n", advice);

  fflush (stdout);
}

static void
print_result (Check *check)
{
  if (check->connection != NULL)
    {
      AttendantConnection *connection = check->connection;
      g_autofree char *where = attendant_endpoint_to_string (attendant_connection_get_endpoint (connection));

      printf ("\nReached %s at %s", where, attendant_connection_get_address (connection));
      if (attendant_connection_is_encrypted (connection))
        printf (" over %s\n  certificate SHA-256 %s\n",
                attendant_connection_get_tls_version (connection),
                attendant_connection_get_certificate_sha256 (connection));
      else
        printf (" — unencrypted\n");
    }
  else if (check->error != NULL)
    {
      printf ("\nNo server reached: %s\n", check->error->message);
    }
  else if (check->no_connect)
    {
      printf ("\nNo connection attempted (--no-connect).\n");
    }
}

static void
attempt_finished_cb (AttendantConnector *connector,
                     AttendantAttempt   *attempt,
                     Check              *check)
{
  g_ptr_array_add (check->attempts, g_object_ref (attempt));

  if (!check->json)
    print_attempt (check, attempt);
}

static void
finish (Check *check)
{
  /* For bench/bench.py: the time from the start of discovery to the
   * result, without the process's own start-up and exit, which is what the
   * benchmark compares with GLib's stock connect; on stderr so that the
   * output docs/cli.md defines is untouched. */
  if (g_getenv ("ATTENDANT_CLI_TIMING") != NULL)
    fprintf (stderr, "attendant-cli check: timing %.3f ms\n",
             (g_get_monotonic_time () - check->started) / 1000.0);

  if (check->json)
    {
      g_autofree char *json = build_json (check);
      printf ("%s\n", json);
    }
  else
    {
      print_result (check);
    }

  g_main_loop_quit (check->loop);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Check *check = user_data;

  check->connection = attendant_connector_connect_finish (ATTENDANT_CONNECTOR (object),
                                                          result, &check->error);
  check->status = check->connection != NULL ? ATTENDANT_CLI_EXIT_OK
                                            : ATTENDANT_CLI_EXIT_UNREACHABLE;
  finish (check);
}

static void
discover_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Check *check = user_data;

  check->plan = attendant_discovery_discover_finish (ATTENDANT_DISCOVERY (object),
                                                     result, &check->error);
  g_assert (check->plan != NULL);

  if (!check->json)
    print_discovery (check);

  if (attendant_plan_get_result (check->plan) == ATTENDANT_DISCOVERY_RESULT_UNAVAILABLE)
    {
      check->error = g_error_new_literal (ATTENDANT_ERROR, ATTENDANT_ERROR_SERVICE_UNAVAILABLE,
                                          attendant_plan_get_error (check->plan));
      check->status = ATTENDANT_CLI_EXIT_UNREACHABLE;
      finish (check);
      return;
    }

  if (check->no_connect)
    {
      check->status = ATTENDANT_CLI_EXIT_OK;
      finish (check);
      return;
    }

  attendant_connector_connect_async (check->connector, check->plan, NULL,
                                     connect_cb, check);
}

static int
usage_error (const char *message)
{
  fprintf (stderr, "attendant-cli check: %s (see attendant-cli check --help)\n", message);
  return ATTENDANT_CLI_EXIT_USAGE;
}

int
attendant_cli_check (int    argc,
                     char **argv)
{
  gboolean no_connect = FALSE;
  gboolean tcp_only = FALSE;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "no-connect", 0, 0, G_OPTION_ARG_NONE, &no_connect,
      "Stop after making the plan", NULL },
    { "tcp-only", 0, 0, G_OPTION_ARG_NONE, &tcp_only,
      "Count an endpoint as reached after TCP and TLS, without the protocol greeting", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      "Print one JSON object instead of text", NULL },
    { NULL }
  };
  g_auto(AttendantCliConnectOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *invalid = NULL;
  const char *usage = NULL;
  g_auto(Check) check = { 0 };

  attendant_cli_connect_options_init (&options);

  /* The usage line then reads "attendant-cli check [OPTION…] SERVER". */
  g_set_prgname ("attendant-cli check");
  context = g_option_context_new ("SERVER");
  g_option_context_set_summary (context,
    "Runs the DNS SRV discovery of SERVER (a domain such as acme.com, host:port,\n"
    "or an address) and tries the servers found in order, as the app would.\n"
    "Exit status: 0 a server was reached (with --no-connect: a plan was made),\n"
    "1 none was reached or the service is unavailable, 2 bad usage or input.");
  attendant_cli_connect_options_add (&options, context);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);

  if (!attendant_cli_take_server (&argc, &argv, &usage))
    return usage_error (usage);

  if (!attendant_cli_connect_options_finish (&options, &invalid))
    return usage_error (invalid);

  /* Refuse bad input before any packet is sent (docs/architecture.md,
   * "What the server field accepts"). */
  check.spec = attendant_server_spec_parse (argv[1], &error);
  if (check.spec == NULL)
    {
      fprintf (stderr, "attendant-cli check: %s\n", error->message);
      return ATTENDANT_CLI_EXIT_USAGE;
    }

  check.json = json;
  check.no_connect = no_connect;
  check.attempts = g_ptr_array_new_with_free_func (g_object_unref);
  check.loop = g_main_loop_new (NULL, FALSE);

  check.discovery = attendant_discovery_new (NULL);
  attendant_discovery_set_transport (check.discovery, options.transport);
  attendant_discovery_set_priority_order (check.discovery, options.order);
  attendant_discovery_set_timeout (check.discovery, (guint)options.timeout);

  check.connector = attendant_connector_new (NULL);
  attendant_connector_set_attempt_timeout (check.connector, (guint)options.timeout);
  attendant_connector_set_extra_anchors (check.connector, options.anchors);
  /* An endpoint is only reached once it greets as an Attendant server
   * (docs/architecture.md, "When an endpoint is reached"), unless the
   * administrator only wants to see the network path. */
  if (!tcp_only)
    {
      g_autoptr(AttendantGreeter) greeter = attendant_protocol_greeter_new ();

      attendant_connector_set_greeter (check.connector, greeter);
    }
  g_signal_connect (check.connector, "attempt-finished",
                    G_CALLBACK (attempt_finished_cb), &check);

  check.started = g_get_monotonic_time ();
  attendant_discovery_discover_async (check.discovery, check.spec, NULL, NULL,
                                      discover_cb, &check);
  g_main_loop_run (check.loop);

  return check.status;
}
