/* test-cli-check.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-cli-check"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "attendant-core.h"
#include "attendant-test-pki.h"
#include "attendant-test-sanitizer.h"
#include "attendant-test-server.h"

/* `attendant-cli check --json` (docs/cli.md) run as a program against loopback
 * listeners hosted by this test. Only IP literals are ever given to it, so
 * it makes no DNS query at all: direct input skips SRV, and an address needs
 * no lookup. The whole JSON object is checked, member by member, with its
 * types, and so are the exit statuses. */

static AttendantTestPki *pki;

/* {{{ Running the program */

typedef struct
{
  GMainLoop *loop;
  char      *out;
  char      *err;
  int        status;
  gboolean   exited;
} Cli;

static void
cli_clear (Cli *cli)
{
  g_clear_pointer (&cli->loop, g_main_loop_unref);
  g_clear_pointer (&cli->out, g_free);
  g_clear_pointer (&cli->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cli, cli_clear)

static gboolean
watchdog_cb (gpointer user_data)
{
  g_error ("attendant-cli did not finish within 30 s");
  return G_SOURCE_REMOVE;
}

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GSubprocess *process = G_SUBPROCESS (object);
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (process, result, &cli->out, &cli->err, &error);
  g_assert_no_error (error);

  /* communicate() returns once the pipes are closed and the child reaped. */
  cli->exited = g_subprocess_get_if_exited (process);
  if (cli->exited)
    cli->status = g_subprocess_get_exit_status (process);

  g_main_loop_quit (cli->loop);
}

/* Runs `attendant-cli check ARGS…` in @cwd (%NULL: ours) while this
 * process's main loop keeps serving the listeners it connects to. */
static void
run_cli_in (Cli                *cli,
            const char         *cwd,
            const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *program = g_getenv ("ATTENDANT_CLI");
  guint watchdog;

  if (program == NULL)
    g_error ("ATTENDANT_CLI is not set: run this test with `meson test`");

  g_ptr_array_add (argv, (gpointer)program);
  g_ptr_array_add (argv, (gpointer)"check");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  cli->loop = g_main_loop_new (NULL, FALSE);
  watchdog = g_timeout_add_seconds (30, watchdog_cb, NULL);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, cli);
  g_main_loop_run (cli->loop);
  g_source_remove (watchdog);

  if (cli->err != NULL && cli->err[0] != '\0')
    g_test_message ("attendant-cli stderr:\n%s", cli->err);
}

static void
run_cli (Cli                *cli,
         const char * const *args)
{
  run_cli_in (cli, NULL, args);

  /* Not killed by a signal: under ASan, a leak or an error report ends
   * the program with a status of its own, which fails the caller. */
  if (!cli->exited)
    g_error ("attendant-cli did not exit normally\nstdout:\n%s\nstderr:\n%s",
             cli->out, cli->err);
}

/* The exit status, and on a mismatch everything the program said, which
 * is what one needs to see to understand why. */
static void
assert_status (Cli *cli,
               int  expected)
{
  if (cli->status != expected)
    g_error ("attendant-cli exited with %d, not %d\nstdout:\n%s\nstderr:\n%s",
             cli->status, expected, cli->out, cli->err);
}

/* }}} */
/* {{{ Checking the JSON */

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_nonnull (text);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_cmpint (JSON_NODE_TYPE (root), ==, JSON_NODE_OBJECT);

  return json_node_copy (root);
}

/* Exactly these members, no more and no fewer. */
static void
assert_members (JsonObject         *object,
                const char * const *names)
{
  g_autoptr(GList) members = json_object_get_members (object);

  g_assert_cmpuint (g_list_length (members), ==, g_strv_length ((char **)names));
  for (guint i = 0; names[i] != NULL; i++)
    if (!json_object_has_member (object, names[i]))
      g_error ("JSON object has no member “%s”", names[i]);
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    g_error ("JSON object has no member “%s”", name);

  return node;
}

static void
assert_string (JsonObject *object,
               const char *name,
               const char *expected)
{
  JsonNode *node = member (object, name);

  g_assert_cmpint (JSON_NODE_TYPE (node), ==, JSON_NODE_VALUE);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  if (expected != NULL)
    g_assert_cmpstr (json_node_get_string (node), ==, expected);
}

static void
assert_null (JsonObject *object,
             const char *name)
{
  g_assert_true (JSON_NODE_HOLDS_NULL (member (object, name)));
}

static void
assert_int (JsonObject *object,
            const char *name,
            gint64      expected)
{
  JsonNode *node = member (object, name);

  g_assert_cmpint (JSON_NODE_TYPE (node), ==, JSON_NODE_VALUE);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (node), ==, expected);
}

static double
get_number (JsonObject *object,
            const char *name)
{
  JsonNode *node = member (object, name);
  GType type;

  g_assert_cmpint (JSON_NODE_TYPE (node), ==, JSON_NODE_VALUE);
  type = json_node_get_value_type (node);
  g_assert_true (type == G_TYPE_DOUBLE || type == G_TYPE_INT64);

  return type == G_TYPE_DOUBLE ? json_node_get_double (node) : json_node_get_int (node);
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = member (object, name);

  g_assert_cmpint (JSON_NODE_TYPE (node), ==, JSON_NODE_OBJECT);
  return json_node_get_object (node);
}

static JsonArray *
get_array (JsonObject *object,
           const char *name,
           guint       length)
{
  JsonNode *node = member (object, name);
  JsonArray *array;

  g_assert_cmpint (JSON_NODE_TYPE (node), ==, JSON_NODE_ARRAY);
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, length);

  return array;
}

static JsonObject *
array_object (JsonArray *array,
              guint      i)
{
  JsonNode *node = json_array_get_element (array, i);

  g_assert_cmpint (JSON_NODE_TYPE (node), ==, JSON_NODE_OBJECT);
  return json_node_get_object (node);
}

static const char * const top_members[] = {
  "input", "domain", "transport", "priority_order", "discovery", "plan", "attempts",
  "connected", NULL
};
static const char * const discovery_members[] = {
  "method", "query", "result", "error", "records", NULL
};
static const char * const plan_members[] = {
  "host", "port", "priority", "weight", "origin", NULL
};
static const char * const attempt_members[] = {
  "host", "port", "address", "outcome", "error", "elapsed_ms", NULL
};
static const char * const connected_members[] = {
  "host", "port", "address", "tls_version", "certificate_sha256", NULL
};

/* Everything of a direct input's report up to the attempts: the same for
 * every run with HOST and PORT, whatever happens when connecting. */
static JsonObject *
assert_direct_report (JsonNode   *root,
                      const char *input,
                      const char *host,
                      guint16     port,
                      const char *transport,
                      const char *order,
                      guint       n_attempts)
{
  JsonObject *report = json_node_get_object (root);
  JsonObject *discovery, *endpoint;
  JsonArray *plan;

  assert_members (report, top_members);
  assert_string (report, "input", input);
  assert_string (report, "domain", host);
  assert_string (report, "transport", transport);
  assert_string (report, "priority_order", order);

  /* Direct input: no SRV query was made, and the report says so. */
  discovery = get_object (report, "discovery");
  assert_members (discovery, discovery_members);
  assert_string (discovery, "method", "direct");
  assert_null (discovery, "query");
  assert_string (discovery, "result", "skipped");
  assert_null (discovery, "error");
  get_array (discovery, "records", 0);

  plan = get_array (report, "plan", 1);
  endpoint = array_object (plan, 0);
  assert_members (endpoint, plan_members);
  assert_string (endpoint, "host", host);
  assert_int (endpoint, "port", port);
  assert_int (endpoint, "priority", 0);
  assert_int (endpoint, "weight", 0);
  assert_string (endpoint, "origin", "direct");

  get_array (report, "attempts", n_attempts);

  return report;
}

/* The one attempt of a direct run; its error is a string exactly when it
 * failed. */
static JsonObject *
assert_attempt (JsonObject *report,
                const char *host,
                guint16     port,
                const char *outcome)
{
  JsonObject *attempt = array_object (get_array (report, "attempts", 1), 0);
  double elapsed;

  assert_members (attempt, attempt_members);
  assert_string (attempt, "host", host);
  assert_int (attempt, "port", port);
  assert_string (attempt, "address", host);
  assert_string (attempt, "outcome", outcome);
  if (g_str_equal (outcome, "connected"))
    assert_null (attempt, "error");
  else
    assert_string (attempt, "error", NULL);

  elapsed = get_number (attempt, "elapsed_ms");
  g_assert_cmpfloat (elapsed, >=, 0.0);
  g_assert_cmpfloat (elapsed, <, 30000.0);

  return attempt;
}

static JsonObject *
assert_connected (JsonObject *report,
                  const char *host,
                  guint16     port)
{
  JsonObject *connected = get_object (report, "connected");

  assert_members (connected, connected_members);
  assert_string (connected, "host", host);
  assert_int (connected, "port", port);
  assert_string (connected, "address", host);

  return connected;
}

/* }}} */
/* {{{ Set-ups */

static AttendantTestServer *
server_new (const char      *address,
            GTlsCertificate *certificate)
{
  g_autoptr(GError) error = NULL;
  AttendantTestServer *server = attendant_test_server_new (address, 0, &error);

  g_assert_no_error (error);
  if (certificate != NULL)
    attendant_test_server_set_certificate (server, certificate);

  return server;
}

/* "127.0.0.1:PORT", or "[::1]:PORT" for an IPv6 literal. */
static char *
input_for (const char *host,
           guint16     port)
{
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, port);

  return g_strdup_printf ("%s:%u", host, port);
}

/* }}} */
/* {{{ Reaching a server */

static void
check_plain (const char *host)
{
  g_autoptr(AttendantTestServer) server = server_new (host, NULL);
  guint16 port = attendant_test_server_get_port (server);
  g_autofree char *input = input_for (host, port);
  g_autoptr(JsonNode) root = NULL;
  g_auto(Cli) cli = { 0 };
  JsonObject *report, *connected;

  run_cli (&cli, (const char * const[]) { "--json", "--tcp-only", "--plain", input, NULL });
  assert_status (&cli, 0);

  root = parse_json (cli.out);
  report = assert_direct_report (root, input, host, port, "plain", "highest-first", 1);
  assert_attempt (report, host, port, "connected");
  connected = assert_connected (report, host, port);
  assert_null (connected, "tls_version");
  assert_null (connected, "certificate_sha256");

  g_assert_cmpuint (attendant_test_server_get_n_connections (server), ==, 1);

  attendant_test_server_stop (server);
  attendant_test_drain_main_context ();
}

/* A plain direct connection: every member of the report, with its type;
 * a plain connection has no TLS version and no fingerprint. */
static void
test_plain_ipv4 (void)
{
  check_plain ("127.0.0.1");
}

static void
test_plain_ipv6 (void)
{
  if (!attendant_test_ipv6_loopback_available ())
    {
      g_test_skip ("No IPv6 loopback here");
      return;
    }

  check_plain ("::1");
}

/* TLS to a direct address: the address is the identity, the test CA
 * comes from --ca-file, and the report has the TLS version and openssl's
 * fingerprint of the certificate. */
static void
check_tls (const char *host)
{
  g_autoptr(GTlsCertificate) certificate = attendant_test_pki_load (pki, pki->loopback_file);
  g_autoptr(AttendantTestServer) server = server_new (host, certificate);
  guint16 port = attendant_test_server_get_port (server);
  g_autofree char *input = input_for (host, port);
  g_autofree char *ca_option = g_strconcat ("--ca-file=", pki->ca_file, NULL);
  g_autofree char *fingerprint = attendant_test_fingerprint (pki->loopback_file);
  g_autoptr(JsonNode) root = NULL;
  g_auto(Cli) cli = { 0 };
  JsonObject *report, *connected;
  const char *version;

  run_cli (&cli, (const char * const[]) { "--json", "--tcp-only", ca_option, input, NULL });

  assert_status (&cli, 0);

  root = parse_json (cli.out);
  report = assert_direct_report (root, input, host, port, "tls", "highest-first", 1);
  assert_attempt (report, host, port, "connected");
  connected = assert_connected (report, host, port);

  assert_string (connected, "tls_version", NULL);
  version = json_object_get_string_member (connected, "tls_version");
  g_assert_true (g_str_equal (version, "TLS 1.2") || g_str_equal (version, "TLS 1.3"));
  assert_string (connected, "certificate_sha256", fingerprint);

  attendant_test_server_stop (server);
  attendant_test_drain_main_context ();
}

static void
test_tls_ipv4 (void)
{
  check_tls ("127.0.0.1");
}

static void
test_tls_ipv6 (void)
{
  if (!attendant_test_ipv6_loopback_available ())
    {
      g_test_skip ("No IPv6 loopback here");
      return;
    }

  check_tls ("::1");
}

/* }}} */
/* {{{ Reaching nothing */

/* Without --ca-file the certificate's issuer is unknown: `tls-failed`,
 * nothing connected, exit status 1. */
static void
test_tls_untrusted (void)
{
  g_autoptr(GTlsCertificate) certificate = attendant_test_pki_load (pki, pki->loopback_file);
  g_autoptr(AttendantTestServer) server = server_new ("127.0.0.1", certificate);
  guint16 port = attendant_test_server_get_port (server);
  g_autofree char *input = input_for ("127.0.0.1", port);
  g_autoptr(JsonNode) root = NULL;
  g_auto(Cli) cli = { 0 };
  JsonObject *report;

  run_cli (&cli, (const char * const[]) { "--json", "--tcp-only", input, NULL });
  assert_status (&cli, 1);

  root = parse_json (cli.out);
  report = assert_direct_report (root, input, "127.0.0.1", port, "tls", "highest-first", 1);
  assert_attempt (report, "127.0.0.1", port, "tls-failed");
  assert_null (report, "connected");

  attendant_test_server_stop (server);
  attendant_test_drain_main_context ();
}

/* For a direct address the address is the identity: a certificate
 * from the trusted CA that is valid only for a name is still refused. */
static void
test_tls_wrong_identity (void)
{
  g_autoptr(GTlsCertificate) certificate = attendant_test_pki_load (pki, pki->acme_file);
  g_autoptr(AttendantTestServer) server = server_new ("127.0.0.1", certificate);
  guint16 port = attendant_test_server_get_port (server);
  g_autofree char *input = input_for ("127.0.0.1", port);
  g_autofree char *ca_option = g_strconcat ("--ca-file=", pki->ca_file, NULL);
  g_autoptr(JsonNode) root = NULL;
  g_auto(Cli) cli = { 0 };
  JsonObject *report, *attempt;

  run_cli (&cli, (const char * const[]) { "--json", "--tcp-only", ca_option, input, NULL });
  assert_status (&cli, 1);

  root = parse_json (cli.out);
  report = assert_direct_report (root, input, "127.0.0.1", port, "tls", "highest-first", 1);
  attempt = assert_attempt (report, "127.0.0.1", port, "tls-failed");
  g_assert_nonnull (strstr (json_object_get_string_member (attempt, "error"), "not issued for this server name"));
  assert_null (report, "connected");

  attendant_test_server_stop (server);
  attendant_test_drain_main_context ();
}

/* --ca-file=ca.pem, relative to the working directory, as a user types it. */
static void
test_tls_relative_ca_file (void)
{
  g_autoptr(GTlsCertificate) certificate = attendant_test_pki_load (pki, pki->loopback_file);
  g_autoptr(AttendantTestServer) server = server_new ("127.0.0.1", certificate);
  guint16 port = attendant_test_server_get_port (server);
  g_autofree char *input = input_for ("127.0.0.1", port);
  g_autofree char *ca_name = g_path_get_basename (pki->ca_file);
  g_autofree char *ca_option = g_strconcat ("--ca-file=", ca_name, NULL);
  g_autoptr(JsonNode) root = NULL;
  g_auto(Cli) cli = { 0 };
  JsonObject *report;

  run_cli_in (&cli, pki->dir, (const char * const[]) { "--json", "--tcp-only", ca_option, input, NULL });

  g_assert_true (cli.exited);
  assert_status (&cli, 0);
  root = parse_json (cli.out);
  report = assert_direct_report (root, input, "127.0.0.1", port, "tls", "highest-first", 1);
  assert_attempt (report, "127.0.0.1", port, "connected");
  assert_connected (report, "127.0.0.1", port);

  attendant_test_server_stop (server);
  attendant_test_drain_main_context ();
}

/* A closed port: `refused`, exit status 1. */
static void
test_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) closed = attendant_test_closed_port_new ("127.0.0.1", 0, &error);
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *input = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(Cli) cli = { 0 };
  JsonObject *report;
  guint16 port;

  g_assert_no_error (error);
  local = g_socket_get_local_address (closed, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  input = input_for ("127.0.0.1", port);

  run_cli (&cli, (const char * const[]) { "--json", "--tcp-only", "--plain", input, NULL });
  assert_status (&cli, 1);

  root = parse_json (cli.out);
  report = assert_direct_report (root, input, "127.0.0.1", port, "plain", "highest-first", 1);
  assert_attempt (report, "127.0.0.1", port, "refused");
  assert_null (report, "connected");
}

/* A host that drops the SYN: `timeout` after --timeout seconds. */
static void
test_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AttendantTestServer) stalled = attendant_test_server_new_stalled ("127.0.0.1", &error);
  g_autofree char *input = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(Cli) cli = { 0 };
  JsonObject *report, *attempt;
  guint16 port;

  g_assert_no_error (error);
  if (stalled == NULL)
    {
      g_test_skip ("This kernel does not drop SYNs to a listener with a full queue");
      return;
    }

  port = attendant_test_server_get_port (stalled);
  input = input_for ("127.0.0.1", port);

  run_cli (&cli, (const char * const[]) {
    "--json", "--tcp-only", "--plain", "--timeout=1", input, NULL });
  assert_status (&cli, 1);

  root = parse_json (cli.out);
  report = assert_direct_report (root, input, "127.0.0.1", port, "plain", "highest-first", 1);
  attempt = assert_attempt (report, "127.0.0.1", port, "timeout");
  g_assert_cmpfloat (get_number (attempt, "elapsed_ms"), >=, 1000.0);
  assert_null (report, "connected");

  attendant_test_server_stop (stalled);
}

/* --no-connect stops after the plan (exit status 0, no attempt, nothing
 * contacted), and the report names the priority order asked for. */
static void
test_no_connect (void)
{
  g_autoptr(AttendantTestServer) server = server_new ("127.0.0.1", NULL);
  guint16 port = attendant_test_server_get_port (server);
  g_autofree char *input = input_for ("127.0.0.1", port);
  g_autoptr(JsonNode) root = NULL;
  g_auto(Cli) cli = { 0 };
  JsonObject *report;

  run_cli (&cli, (const char * const[]) {
    "--json", "--no-connect", "--priority-order=rfc2782", input, NULL });
  assert_status (&cli, 0);

  root = parse_json (cli.out);
  report = assert_direct_report (root, input, "127.0.0.1", port, "tls", "rfc2782", 0);
  assert_null (report, "connected");

  g_assert_cmpuint (attendant_test_server_get_n_connections (server), ==, 0);

  attendant_test_server_stop (server);
}

/* Without --json: the same run told as text. */
static void
test_text (void)
{
  g_autoptr(AttendantTestServer) server = server_new ("127.0.0.1", NULL);
  guint16 port = attendant_test_server_get_port (server);
  g_autofree char *input = input_for ("127.0.0.1", port);
  g_autofree char *reached = g_strdup_printf ("Reached %s at 127.0.0.1", input);
  g_auto(Cli) cli = { 0 };

  run_cli (&cli, (const char * const[]) { "--tcp-only", "--plain", input, NULL });
  assert_status (&cli, 0);
  g_assert_nonnull (strstr (cli.out, "Direct connection"));
  g_assert_nonnull (strstr (cli.out, reached));
  g_assert_nonnull (strstr (cli.out, "unencrypted"));

  attendant_test_server_stop (server);
  attendant_test_drain_main_context ();
}

/* }}} */
/* {{{ Bad usage */

/* Exit status 2, nothing on stdout, a reason on stderr, for bad input and
 * bad option values alike. */
static void
test_bad_usage (void)
{
  static const struct {
    const char *args[4];
    const char *input;  /* the SERVER argument, if any */
  } cases[] = {
    { { "http://x" }, "http://x" },
    { { "" }, "" },
    { { "127.0.0.1:0" }, "127.0.0.1:0" },
    { { "127.0.0.1:65536" }, "127.0.0.1:65536" },
    { { "--timeout=0", "127.0.0.1:9" }, NULL },
    { { "--timeout=61", "127.0.0.1:9" }, NULL },
    { { "--timeout=soon", "127.0.0.1:9" }, NULL },
    { { "--priority-order=foo", "127.0.0.1:9" }, NULL },
    { { "--ca-file=/nonexistent/ca.pem", "127.0.0.1:9" }, NULL },
    { { "--no-such-option", "127.0.0.1:9" }, NULL },
    { { NULL }, NULL },
    { { "127.0.0.1:9", "127.0.0.2:9" }, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autofree char *shown = NULL;
      g_auto(Cli) cli = { 0 };

      /* A SERVER that this very parser accepted would make the program
       * query DNS for it; that must fail here, not on the network. */
      if (cases[i].input != NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(AttendantServerSpec) spec = attendant_server_spec_parse (cases[i].input, &error);

          g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
          g_assert_null (spec);
        }

      g_ptr_array_add (args, (gpointer)"--json");
      for (guint j = 0; cases[i].args[j] != NULL; j++)
        g_ptr_array_add (args, (gpointer)cases[i].args[j]);
      g_ptr_array_add (args, NULL);

      shown = g_strjoinv (" ", (char **)args->pdata);
      g_test_message ("attendant-cli check %s", shown);

      run_cli (&cli, (const char * const *)args->pdata);
      assert_status (&cli, 2);
      g_assert_cmpstr (cli.out, ==, "");
      g_assert_cmpstr (cli.err, !=, "");
    }
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  int status;

  /* First of all: it may start the program again. */
  attendant_test_sanitizer_setup (argv);

  /* This process hosts the TLS servers; like every Attendant program it
   * allows nothing older than TLS 1.2. */
  g_unsetenv ("G_TLS_GNUTLS_PRIORITY");
  attendant_tls_init ();

  g_test_init (&argc, &argv, NULL);

  pki = attendant_test_pki_new ();

  g_test_add_func ("/cli/check/plain/ipv4", test_plain_ipv4);
  g_test_add_func ("/cli/check/plain/ipv6", test_plain_ipv6);
  g_test_add_func ("/cli/check/tls/ipv4", test_tls_ipv4);
  g_test_add_func ("/cli/check/tls/ipv6", test_tls_ipv6);
  g_test_add_func ("/cli/check/tls/untrusted", test_tls_untrusted);
  g_test_add_func ("/cli/check/tls/wrong-identity", test_tls_wrong_identity);
  g_test_add_func ("/cli/check/tls/relative-ca-file", test_tls_relative_ca_file);
  g_test_add_func ("/cli/check/refused", test_refused);
  g_test_add_func ("/cli/check/timeout", test_timeout);
  g_test_add_func ("/cli/check/no-connect", test_no_connect);
  g_test_add_func ("/cli/check/text", test_text);
  g_test_add_func ("/cli/check/bad-usage", test_bad_usage);

  status = g_test_run ();

  g_clear_pointer (&pki, attendant_test_pki_free);

  return status;
}
