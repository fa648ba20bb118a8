/* test-connector.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-connector"

#include "config.h"

#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "attendant-core.h"
#include "attendant-test-pki.h"
#include "attendant-test-resolver.h"
#include "attendant-test-sanitizer.h"
#include "attendant-test-server.h"

/* The connector against real sockets on loopback (docs/architecture.md,
 * "Rules of discovery and connection", and "Trusted certificates"). Names
 * are answered by AttendantTestResolver and mapped to 127.0.0.x, so no query
 * ever reaches the machine's DNS server; the listeners, certificates and the
 * TLS 1.0-only server are made by the test itself. Everything waits on
 * events of the main loop; the only clocks are the attempt timeouts under
 * test, the delay of the "slow but alive" server, which is the scenario
 * itself, and a watchdog that turns a hang into a failure. */

static AttendantTestPki *pki;

#define DOMAIN "acme.test"
#define SRV_TLS "_iacsec._tcp." DOMAIN
#define SRV_PLAIN "_iac._tcp." DOMAIN

/* {{{ Running discovery and the connector */

typedef struct
{
  GMainLoop           *loop;
  AttendantPlan       *plan;
  AttendantConnection *connection;
  GError              *error;
  GPtrArray           *started;   /* "host address", "host -" while resolving */
  GPtrArray           *attempts;  /* AttendantAttempt */
  AttendantAttempt    *rejected;  /* attendant_connector_get_rejected_attempt() */
  gint64               began_at;
  gint64               finished_at;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_object (&run->plan);
  g_clear_object (&run->connection);
  g_clear_error (&run->error);
  g_clear_pointer (&run->started, g_ptr_array_unref);
  g_clear_pointer (&run->attempts, g_ptr_array_unref);
  g_clear_object (&run->rejected);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static gboolean
watchdog_cb (gpointer user_data)
{
  g_error ("%s: the run did not finish within 30 s", (const char *)user_data);
  return G_SOURCE_REMOVE;
}

static void
run_loop (GMainLoop  *loop,
          const char *what)
{
  guint watchdog = g_timeout_add_seconds (30, watchdog_cb, (gpointer)what);

  g_main_loop_run (loop);
  g_source_remove (watchdog);
}

static void
discover_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  run->plan = attendant_discovery_discover_finish (ATTENDANT_DISCOVERY (object), result,
                                                   &run->error);
  g_main_loop_quit (run->loop);
}

/* A plan for @input, as the app would make it, from the test resolver. */
static AttendantPlan *
make_plan (AttendantTestResolver *resolver,
           const char            *input,
           AttendantTransport     transport)
{
  g_auto(Run) run = { 0 };
  g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
  g_autoptr(AttendantServerSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  spec = attendant_server_spec_parse (input, &error);
  g_assert_no_error (error);

  attendant_discovery_set_transport (discovery, transport);
  /* Every test gives distinct priorities; a fixed start for the random draw
   * only makes a mistake in that repeatable. */
  attendant_discovery_set_random_start (discovery, 42);

  run.loop = g_main_loop_new (NULL, FALSE);
  attendant_discovery_discover_async (discovery, spec, NULL, NULL, discover_cb, &run);
  run_loop (run.loop, "discovery");

  g_assert_no_error (run.error);
  g_assert_nonnull (run.plan);

  return g_steal_pointer (&run.plan);
}

static void
attempt_started_cb (AttendantConnector *connector,
                    AttendantEndpoint  *endpoint,
                    const char         *address,
                    Run                *run)
{
  g_ptr_array_add (run->started,
                   g_strdup_printf ("%s %s", attendant_endpoint_get_host (endpoint),
                                    address ? address : "-"));
}

static void
attempt_finished_cb (AttendantConnector *connector,
                     AttendantAttempt   *attempt,
                     Run                *run)
{
  const GError *error = attendant_attempt_get_error (attempt);

  /* In the log, so that a failure shows how the run went. */
  g_test_message ("attempt %s %s: %s after %.1f ms%s%s",
                  attendant_endpoint_get_host (attendant_attempt_get_endpoint (attempt)),
                  attendant_attempt_get_address (attempt) ? attendant_attempt_get_address (attempt) : "-",
                  attendant_enum_to_nick (ATTENDANT_TYPE_ATTEMPT_OUTCOME,
                                          attendant_attempt_get_outcome (attempt)),
                  attendant_attempt_get_elapsed_ms (attempt),
                  error ? ": " : "", error ? error->message : "");

  g_ptr_array_add (run->attempts, g_object_ref (attempt));
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;

  g_assert_null (run->connection);
  g_assert_null (run->error);

  run->connection = attendant_connector_connect_finish (ATTENDANT_CONNECTOR (object), result,
                                                        &run->error);
  g_set_object (&run->rejected,
                attendant_connector_get_rejected_attempt (ATTENDANT_CONNECTOR (object), result));
  run->finished_at = g_get_monotonic_time ();
  g_assert_true ((run->connection == NULL) != (run->error == NULL));

  g_main_loop_quit (run->loop);
}

static void
run_connector (Run                *run,
               AttendantConnector *connector,
               AttendantPlan      *plan,
               GCancellable       *cancellable)
{
  gulong started_id, finished_id;

  run->loop = g_main_loop_new (NULL, FALSE);
  run->started = g_ptr_array_new_with_free_func (g_free);
  run->attempts = g_ptr_array_new_with_free_func (g_object_unref);

  started_id = g_signal_connect (connector, "attempt-started",
                                 G_CALLBACK (attempt_started_cb), run);
  finished_id = g_signal_connect (connector, "attempt-finished",
                                  G_CALLBACK (attempt_finished_cb), run);

  run->began_at = g_get_monotonic_time ();
  attendant_connector_connect_async (connector, plan, cancellable, connect_cb, run);
  run_loop (run->loop, "connector");

  g_signal_handler_disconnect (connector, started_id);
  g_signal_handler_disconnect (connector, finished_id);
}

static AttendantAttempt *
assert_attempt (Run                     *run,
                guint                    i,
                const char              *host,
                const char              *address,
                AttendantAttemptOutcome  outcome)
{
  AttendantAttempt *attempt;

  g_assert_cmpuint (i, <, run->attempts->len);
  attempt = run->attempts->pdata[i];

  g_assert_cmpstr (attendant_endpoint_get_host (attendant_attempt_get_endpoint (attempt)), ==, host);
  g_assert_cmpstr (attendant_attempt_get_address (attempt), ==, address);
  g_assert_cmpstr (attendant_enum_to_nick (ATTENDANT_TYPE_ATTEMPT_OUTCOME,
                                           attendant_attempt_get_outcome (attempt)),
                   ==,
                   attendant_enum_to_nick (ATTENDANT_TYPE_ATTEMPT_OUTCOME, outcome));
  g_assert_cmpfloat (attendant_attempt_get_elapsed_ms (attempt), >=, 0.0);

  if (outcome == ATTENDANT_ATTEMPT_OUTCOME_CONNECTED)
    g_assert_null (attendant_attempt_get_error (attempt));
  else
    g_assert_nonnull (attendant_attempt_get_error (attempt));

  return attempt;
}

static void
assert_connected_to (Run        *run,
                     const char *host,
                     guint16     port,
                     const char *address)
{
  AttendantEndpoint *endpoint;

  g_assert_no_error (run->error);
  g_assert_nonnull (run->connection);

  endpoint = attendant_connection_get_endpoint (run->connection);
  g_assert_cmpstr (attendant_endpoint_get_host (endpoint), ==, host);
  g_assert_cmpuint (attendant_endpoint_get_port (endpoint), ==, port);
  g_assert_cmpstr (attendant_connection_get_address (run->connection), ==, address);
}

static void
assert_log (AttendantTestResolver *resolver,
            const char * const    *expected)
{
  g_autofree char *got = g_strjoinv (" | ", (char **)attendant_test_resolver_get_log (resolver));
  g_autofree char *want = g_strjoinv (" | ", (char **)expected);

  g_assert_cmpstr (got, ==, want);
}

static void
assert_started (Run                *run,
                const char * const *expected)
{
  g_autofree char *got = NULL;
  g_autofree char *want = g_strjoinv (" | ", (char **)expected);

  g_ptr_array_add (run->started, NULL);
  got = g_strjoinv (" | ", (char **)run->started->pdata);
  g_ptr_array_remove_index (run->started, run->started->len - 1);

  g_assert_cmpstr (got, ==, want);
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

static GSocket *
closed_port_new (const char *address,
                 guint16     port)
{
  g_autoptr(GError) error = NULL;
  GSocket *socket = attendant_test_closed_port_new (address, port, &error);

  g_assert_no_error (error);
  return socket;
}

static guint16
socket_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (socket, NULL);

  g_assert_nonnull (address);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

/* An SRV record of acme.test for @host, and @host's address. */
static void
add_endpoint (AttendantTestResolver *resolver,
              AttendantTransport     transport,
              const char            *host,
              const char            *address,
              guint16                port,
              guint16                priority)
{
  attendant_test_resolver_add_srv (resolver,
                                   transport == ATTENDANT_TRANSPORT_TLS ? SRV_TLS : SRV_PLAIN,
                                   host, port, priority, 0);
  if (address != NULL)
    attendant_test_resolver_add_address (resolver, host, address);
}

static void
stop_server (AttendantTestServer **server)
{
  if (*server != NULL)
    attendant_test_server_stop (*server);
  g_clear_object (server);
}

/* }}} */
/* {{{ TCP outcomes */

/* A closed port is `refused` and the connector goes on to the next
 * endpoint, which it reaches. */
static void
test_refused_then_next (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(GSocket) closed = closed_port_new ("127.0.0.1", 0);
  g_autoptr(AttendantTestServer) live = server_new ("127.0.0.1", NULL);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_auto(Run) run = { 0 };
  AttendantAttempt *attempt;

  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "node1.acme.test", "127.0.0.1",
                socket_port (closed), 10);
  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "node2.acme.test", "127.0.0.1",
                attendant_test_server_get_port (live), 5);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  connector = attendant_connector_new (G_RESOLVER (resolver));
  run_connector (&run, connector, plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 2);
  attempt = assert_attempt (&run, 0, "node1.acme.test", "127.0.0.1",
                            ATTENDANT_ATTEMPT_OUTCOME_REFUSED);
  g_assert_error (attendant_attempt_get_error (attempt), G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  assert_attempt (&run, 1, "node2.acme.test", "127.0.0.1", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);

  assert_connected_to (&run, "node2.acme.test", attendant_test_server_get_port (live), "127.0.0.1");
  g_assert_cmpuint (attendant_test_server_get_n_connections (live), ==, 1);

  attendant_test_server_stop (live);
  attendant_test_drain_main_context ();
}

/* An accepting endpoint is `connected`: the connection reports the address
 * and port really used, no TLS on a plain plan, and a plausible elapsed
 * time. */
static void
test_connected_plain (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantTestServer) live = server_new ("127.0.0.3", NULL);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *remote_text = NULL;
  g_auto(Run) run = { 0 };
  AttendantAttempt *attempt;
  GIOStream *stream;

  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "node1.acme.test", "127.0.0.3",
                attendant_test_server_get_port (live), 10);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  connector = attendant_connector_new (G_RESOLVER (resolver));
  run_connector (&run, connector, plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 1);
  attempt = assert_attempt (&run, 0, "node1.acme.test", "127.0.0.3",
                            ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  g_assert_cmpfloat (attendant_attempt_get_elapsed_ms (attempt), >, 0.0);
  g_assert_cmpfloat (attendant_attempt_get_elapsed_ms (attempt), <,
                     (run.finished_at - run.began_at) / 1000.0 + 0.001);
  g_assert_null (attendant_attempt_get_certificate (attempt));

  assert_connected_to (&run, "node1.acme.test", attendant_test_server_get_port (live), "127.0.0.3");
  g_assert_false (attendant_connection_is_encrypted (run.connection));
  g_assert_null (attendant_connection_get_tls_version (run.connection));
  g_assert_null (attendant_connection_get_certificate_sha256 (run.connection));

  /* The stream is really connected to that listener. */
  stream = attendant_connection_get_stream (run.connection);
  g_assert_true (G_IS_SOCKET_CONNECTION (stream));
  remote = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (stream), &error);
  g_assert_no_error (error);
  remote_text = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  g_assert_cmpstr (remote_text, ==, "127.0.0.3");
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)), ==,
                    attendant_test_server_get_port (live));

  attendant_test_server_stop (live);
  attendant_test_drain_main_context ();
}

/* A host that drops the SYN is a `timeout` after the attempt timeout, and
 * the connector then goes on. */
static void
test_timeout_tcp (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantTestServer) stalled = NULL;
  g_autoptr(AttendantTestServer) live = server_new ("127.0.0.1", NULL);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };
  AttendantAttempt *attempt;

  stalled = attendant_test_server_new_stalled ("127.0.0.1", &error);
  g_assert_no_error (error);
  if (stalled == NULL)
    {
      g_test_skip ("This kernel does not drop SYNs to a listener with a full queue");
      return;
    }

  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "node1.acme.test", "127.0.0.1",
                attendant_test_server_get_port (stalled), 10);
  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "node2.acme.test", "127.0.0.1",
                attendant_test_server_get_port (live), 5);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  connector = attendant_connector_new (G_RESOLVER (resolver));
  attendant_connector_set_attempt_timeout (connector, 1);
  run_connector (&run, connector, plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 2);
  attempt = assert_attempt (&run, 0, "node1.acme.test", "127.0.0.1",
                            ATTENDANT_ATTEMPT_OUTCOME_TIMEOUT);
  g_assert_error (attendant_attempt_get_error (attempt), ATTENDANT_ERROR, ATTENDANT_ERROR_TIMED_OUT);
  g_assert_cmpfloat (attendant_attempt_get_elapsed_ms (attempt), >=, 1000.0);
  g_assert_cmpfloat (attendant_attempt_get_elapsed_ms (attempt), <, 2500.0);
  assert_attempt (&run, 1, "node2.acme.test", "127.0.0.1", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  assert_connected_to (&run, "node2.acme.test", attendant_test_server_get_port (live), "127.0.0.1");
  /* The SYN never made it into the queue. */
  g_assert_cmpuint (attendant_test_server_get_n_connections (stalled), ==, 0);

  attendant_test_server_stop (stalled);
  attendant_test_server_stop (live);
  attendant_test_drain_main_context ();
}

/* A server that takes the TCP connection but never answers the TLS
 * handshake is a `timeout` too, not a TLS failure, and the run goes on. */
static void
test_timeout_tls_silent (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(GTlsCertificate) certificate = attendant_test_pki_load (pki, pki->acme_file);
  g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);
  g_autoptr(AttendantTestServer) silent = server_new ("127.0.0.1", NULL);
  g_autoptr(AttendantTestServer) live = server_new ("127.0.0.1", certificate);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_auto(Run) run = { 0 };
  AttendantAttempt *attempt;

  add_endpoint (resolver, ATTENDANT_TRANSPORT_TLS, "node1.acme.test", "127.0.0.1",
                attendant_test_server_get_port (silent), 10);
  add_endpoint (resolver, ATTENDANT_TRANSPORT_TLS, "node2.acme.test", "127.0.0.1",
                attendant_test_server_get_port (live), 5);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_TLS);
  connector = attendant_connector_new (G_RESOLVER (resolver));
  attendant_connector_set_extra_anchors (connector, anchors);
  attendant_connector_set_attempt_timeout (connector, 1);
  run_connector (&run, connector, plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 2);
  attempt = assert_attempt (&run, 0, "node1.acme.test", "127.0.0.1",
                            ATTENDANT_ATTEMPT_OUTCOME_TIMEOUT);
  g_assert_error (attendant_attempt_get_error (attempt), ATTENDANT_ERROR, ATTENDANT_ERROR_TIMED_OUT);
  g_assert_cmpfloat (attendant_attempt_get_elapsed_ms (attempt), >=, 1000.0);
  g_assert_cmpfloat (attendant_attempt_get_elapsed_ms (attempt), <, 2500.0);
  /* TCP did get through: the time ran out in TLS. */
  g_assert_cmpuint (attendant_test_server_get_n_connections (silent), ==, 1);

  assert_attempt (&run, 1, "node2.acme.test", "127.0.0.1", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  assert_connected_to (&run, "node2.acme.test", attendant_test_server_get_port (live), "127.0.0.1");
  g_assert_nonnull (attendant_connection_get_tls_version (run.connection));

  attendant_test_server_stop (silent);
  attendant_test_server_stop (live);
  attendant_test_drain_main_context ();
}

/* }}} */
/* {{{ Strict order */

/* Binds a listener on @live_address and a closed port on @closed_address
 * with the same port number, as two addresses of one endpoint share the
 * SRV record's port. */
static AttendantTestServer *
server_with_closed_twin (const char  *live_address,
                         const char  *closed_address,
                         GSocket    **closed)
{
  for (guint tries = 0; tries < 20; tries++)
    {
      g_autoptr(AttendantTestServer) live = server_new (live_address, NULL);

      *closed = attendant_test_closed_port_new (closed_address,
                                                attendant_test_server_get_port (live), NULL);
      if (*closed != NULL)
        return g_steal_pointer (&live);

      attendant_test_server_stop (live);
    }

  g_error ("No port free on both %s and %s", live_address, closed_address);
  return NULL;
}

/* Every address of an endpoint is tried before the next endpoint: A's
 * first address refuses, A's second is reached, and B is never contacted
 * (nor even resolved). */
static void
test_addresses_before_next_endpoint (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(GSocket) closed = NULL;
  g_autoptr(AttendantTestServer) a = server_with_closed_twin ("127.0.0.3", "127.0.0.2", &closed);
  g_autoptr(AttendantTestServer) b = server_new ("127.0.0.4", NULL);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_auto(Run) run = { 0 };
  guint16 port = attendant_test_server_get_port (a);

  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "a.acme.test", "127.0.0.2", port, 10);
  attendant_test_resolver_add_address (resolver, "a.acme.test", "127.0.0.3");
  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "b.acme.test", "127.0.0.4",
                attendant_test_server_get_port (b), 5);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, 2);
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_plan_get_endpoint (plan, 0)), ==, "a.acme.test");

  connector = attendant_connector_new (G_RESOLVER (resolver));
  run_connector (&run, connector, plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 2);
  assert_attempt (&run, 0, "a.acme.test", "127.0.0.2", ATTENDANT_ATTEMPT_OUTCOME_REFUSED);
  assert_attempt (&run, 1, "a.acme.test", "127.0.0.3", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  assert_connected_to (&run, "a.acme.test", port, "127.0.0.3");

  g_assert_cmpuint (attendant_test_server_get_n_connections (a), ==, 1);
  g_assert_cmpuint (attendant_test_server_get_n_connections (b), ==, 0);
  assert_log (resolver, (const char * const[]) {
    "SRV " SRV_PLAIN, "A a.acme.test", NULL });

  attendant_test_server_stop (a);
  attendant_test_server_stop (b);
  attendant_test_drain_main_context ();
}

/* When every address of A fails, B comes next, and only then. */
static void
test_all_addresses_then_next_endpoint (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(GSocket) closed2 = NULL;
  g_autoptr(GSocket) closed3 = NULL;
  g_autoptr(AttendantTestServer) b = server_new ("127.0.0.4", NULL);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_auto(Run) run = { 0 };
  guint16 port = 0;

  for (guint tries = 0; tries < 20 && closed3 == NULL; tries++)
    {
      g_clear_object (&closed2);
      closed2 = closed_port_new ("127.0.0.2", 0);
      port = socket_port (closed2);
      closed3 = attendant_test_closed_port_new ("127.0.0.3", port, NULL);
    }
  g_assert_nonnull (closed3);

  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "a.acme.test", "127.0.0.2", port, 10);
  attendant_test_resolver_add_address (resolver, "a.acme.test", "127.0.0.3");
  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "b.acme.test", "127.0.0.4",
                attendant_test_server_get_port (b), 5);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  connector = attendant_connector_new (G_RESOLVER (resolver));
  run_connector (&run, connector, plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 3);
  assert_attempt (&run, 0, "a.acme.test", "127.0.0.2", ATTENDANT_ATTEMPT_OUTCOME_REFUSED);
  assert_attempt (&run, 1, "a.acme.test", "127.0.0.3", ATTENDANT_ATTEMPT_OUTCOME_REFUSED);
  assert_attempt (&run, 2, "b.acme.test", "127.0.0.4", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  assert_connected_to (&run, "b.acme.test", attendant_test_server_get_port (b), "127.0.0.4");
  assert_started (&run, (const char * const[]) {
    "a.acme.test -", "a.acme.test 127.0.0.2", "a.acme.test 127.0.0.3",
    "b.acme.test -", "b.acme.test 127.0.0.4", NULL });

  attendant_test_server_stop (b);
  attendant_test_drain_main_context ();
}

/* No racing: a preferred endpoint that is alive but answers its TLS
 * handshake only after 600 ms wins over a fast backup, which never sees a
 * connection. (GSocketClient over a GNetworkService would have started
 * the backup after 250 ms.) */
static void
test_slow_primary_wins (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(GTlsCertificate) certificate = attendant_test_pki_load (pki, pki->acme_file);
  g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);
  g_autoptr(AttendantTestServer) slow = server_new ("127.0.0.1", certificate);
  g_autoptr(AttendantTestServer) fast = server_new ("127.0.0.2", certificate);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_auto(Run) run = { 0 };
  AttendantAttempt *attempt;

  attendant_test_server_set_handshake_delay (slow, 600);

  add_endpoint (resolver, ATTENDANT_TRANSPORT_TLS, "node1.acme.test", "127.0.0.1",
                attendant_test_server_get_port (slow), 10);
  add_endpoint (resolver, ATTENDANT_TRANSPORT_TLS, "node2.acme.test", "127.0.0.2",
                attendant_test_server_get_port (fast), 5);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_TLS);
  connector = attendant_connector_new (G_RESOLVER (resolver));
  attendant_connector_set_extra_anchors (connector, anchors);
  attendant_connector_set_attempt_timeout (connector, 5);
  run_connector (&run, connector, plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 1);
  attempt = assert_attempt (&run, 0, "node1.acme.test", "127.0.0.1",
                            ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  g_assert_cmpfloat (attendant_attempt_get_elapsed_ms (attempt), >=, 600.0);
  assert_connected_to (&run, "node1.acme.test", attendant_test_server_get_port (slow), "127.0.0.1");
  g_assert_nonnull (attendant_connection_get_tls_version (run.connection));

  g_assert_cmpuint (attendant_test_server_get_n_connections (slow), ==, 1);
  g_assert_cmpuint (attendant_test_server_get_n_connections (fast), ==, 0);
  assert_started (&run, (const char * const[]) {
    "node1.acme.test -", "node1.acme.test 127.0.0.1", NULL });
  assert_log (resolver, (const char * const[]) {
    "SRV " SRV_TLS, "A node1.acme.test", NULL });

  attendant_test_server_stop (slow);
  attendant_test_server_stop (fast);
  attendant_test_drain_main_context ();
}

/* }}} */
/* {{{ Lazy resolution */

/* The first endpoint is reachable, so the second's name is never looked
 * up. */
static void
test_lazy_first_reachable (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantTestServer) first = server_new ("127.0.0.1", NULL);
  g_autoptr(AttendantTestServer) second = server_new ("127.0.0.2", NULL);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_auto(Run) run = { 0 };

  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "node1.acme.test", "127.0.0.1",
                attendant_test_server_get_port (first), 10);
  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "node2.acme.test", "127.0.0.2",
                attendant_test_server_get_port (second), 5);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  /* Discovery itself resolves nothing. */
  assert_log (resolver, (const char * const[]) { "SRV " SRV_PLAIN, NULL });

  connector = attendant_connector_new (G_RESOLVER (resolver));
  run_connector (&run, connector, plan, NULL);

  assert_connected_to (&run, "node1.acme.test", attendant_test_server_get_port (first), "127.0.0.1");
  assert_log (resolver, (const char * const[]) {
    "SRV " SRV_PLAIN, "A node1.acme.test", NULL });
  g_assert_cmpuint (attendant_test_server_get_n_connections (second), ==, 0);

  attendant_test_server_stop (first);
  attendant_test_server_stop (second);
  attendant_test_drain_main_context ();
}

/* The first endpoint's name does not resolve: a `resolve-failed` attempt
 * with no address, then the second endpoint, resolved only now. */
static void
test_lazy_unresolvable_first (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantTestServer) second = server_new ("127.0.0.2", NULL);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_auto(Run) run = { 0 };
  AttendantAttempt *attempt;

  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "node1.acme.test", NULL, 51234, 10);
  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "node2.acme.test", "127.0.0.2",
                attendant_test_server_get_port (second), 5);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  connector = attendant_connector_new (G_RESOLVER (resolver));
  run_connector (&run, connector, plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 2);
  attempt = assert_attempt (&run, 0, "node1.acme.test", NULL,
                            ATTENDANT_ATTEMPT_OUTCOME_RESOLVE_FAILED);
  g_assert_error (attendant_attempt_get_error (attempt), G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  assert_attempt (&run, 1, "node2.acme.test", "127.0.0.2", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  assert_connected_to (&run, "node2.acme.test", attendant_test_server_get_port (second), "127.0.0.2");
  assert_log (resolver, (const char * const[]) {
    "SRV " SRV_PLAIN, "A node1.acme.test", "A node2.acme.test", NULL });

  attendant_test_server_stop (second);
  attendant_test_drain_main_context ();
}

/* A name whose lookup is never answered costs one attempt timeout and
 * counts as `resolve-failed`, still with no address. */
static void
test_lazy_resolution_timeout (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantTestServer) second = server_new ("127.0.0.2", NULL);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_auto(Run) run = { 0 };
  AttendantAttempt *attempt;

  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "node1.acme.test", NULL, 51234, 10);
  attendant_test_resolver_set_hang (resolver, "node1.acme.test");
  add_endpoint (resolver, ATTENDANT_TRANSPORT_PLAIN, "node2.acme.test", "127.0.0.2",
                attendant_test_server_get_port (second), 5);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  connector = attendant_connector_new (G_RESOLVER (resolver));
  attendant_connector_set_attempt_timeout (connector, 1);
  run_connector (&run, connector, plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 2);
  attempt = assert_attempt (&run, 0, "node1.acme.test", NULL,
                            ATTENDANT_ATTEMPT_OUTCOME_RESOLVE_FAILED);
  g_assert_error (attendant_attempt_get_error (attempt), ATTENDANT_ERROR, ATTENDANT_ERROR_TIMED_OUT);
  g_assert_cmpfloat (attendant_attempt_get_elapsed_ms (attempt), >=, 1000.0);
  assert_attempt (&run, 1, "node2.acme.test", "127.0.0.2", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);

  attendant_test_server_stop (second);
  attendant_test_drain_main_context ();
}

/* }}} */
/* {{{ Certificates */

/* The SRV set-up of the TLS tests: the primary node1.acme.test (priority
 * 10) with the certificate under test, and a backup node2.acme.test
 * (priority 5) with a good certificate, which must be reached only when the
 * primary's failure does not stop the run. */
typedef struct
{
  AttendantTestResolver *resolver;
  AttendantTestServer   *primary;
  AttendantTestServer   *backup;
  GTlsCertificate       *certificate;
  AttendantPlan         *plan;
  AttendantConnector    *connector;
} TlsLab;

static void
tls_lab_init (TlsLab     *lab,
              const char *primary_cert_file,
              gboolean    with_anchors)
{
  g_autoptr(GTlsCertificate) good = attendant_test_pki_load (pki, pki->acme_file);

  lab->resolver = attendant_test_resolver_new ();
  lab->certificate = attendant_test_pki_load (pki, primary_cert_file);
  lab->primary = server_new ("127.0.0.1", lab->certificate);
  lab->backup = server_new ("127.0.0.2", good);

  add_endpoint (lab->resolver, ATTENDANT_TRANSPORT_TLS, "node1.acme.test", "127.0.0.1",
                attendant_test_server_get_port (lab->primary), 10);
  add_endpoint (lab->resolver, ATTENDANT_TRANSPORT_TLS, "node2.acme.test", "127.0.0.2",
                attendant_test_server_get_port (lab->backup), 5);

  lab->plan = make_plan (lab->resolver, DOMAIN, ATTENDANT_TRANSPORT_TLS);
  lab->connector = attendant_connector_new (G_RESOLVER (lab->resolver));

  if (with_anchors)
    {
      g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);
      attendant_connector_set_extra_anchors (lab->connector, anchors);
    }
}

static void
tls_lab_clear (TlsLab *lab)
{
  stop_server (&lab->primary);
  stop_server (&lab->backup);
  g_clear_object (&lab->connector);
  g_clear_object (&lab->plan);
  g_clear_object (&lab->certificate);
  g_clear_object (&lab->resolver);
  attendant_test_drain_main_context ();
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TlsLab, tls_lab_clear)

static void
assert_tls_connected (Run        *run,
                      TlsLab     *lab,
                      const char *cert_file)
{
  g_autofree char *fingerprint = attendant_test_fingerprint (cert_file);
  const char *version;

  assert_connected_to (run, "node1.acme.test", attendant_test_server_get_port (lab->primary),
                       "127.0.0.1");
  g_assert_true (attendant_connection_is_encrypted (run->connection));

  version = attendant_connection_get_tls_version (run->connection);
  g_assert_true (g_strcmp0 (version, "TLS 1.2") == 0 || g_strcmp0 (version, "TLS 1.3") == 0);

  g_assert_cmpstr (attendant_connection_get_certificate_sha256 (run->connection), ==, fingerprint);
  g_assert_true (g_tls_certificate_is_same (attendant_connection_get_certificate (run->connection),
                                            lab->certificate));

  g_assert_cmpuint (attendant_test_server_get_n_connections (lab->backup), ==, 0);
}

/* The primary's certificate is refused: its attempt is `tls-failed` with
 * CERTIFICATE_UNTRUSTED and says why, and the walk went on to the backup,
 * whose certificate is fine, exactly as after a refused connection
 * (docs/architecture.md, "Trusted certificates"). */
static void
assert_tls_rejected (Run                  *run,
                     TlsLab               *lab,
                     GTlsCertificateFlags  must_have,
                     GTlsCertificateFlags  must_not_have)
{
  AttendantAttempt *attempt;
  GTlsCertificateFlags errors;

  g_assert_cmpuint (run->attempts->len, ==, 2);
  attempt = assert_attempt (run, 0, "node1.acme.test", "127.0.0.1",
                            ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED);
  g_assert_error (attendant_attempt_get_error (attempt), ATTENDANT_ERROR,
                  ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED);

  /* What the user would be shown to decide on a pin. */
  g_assert_nonnull (attendant_attempt_get_certificate (attempt));
  g_assert_true (g_tls_certificate_is_same (attendant_attempt_get_certificate (attempt),
                                            lab->certificate));
  errors = attendant_attempt_get_certificate_errors (attempt);
  g_assert_cmpuint (errors & must_have, ==, must_have);
  g_assert_cmpuint (errors & must_not_have, ==, 0);

  assert_attempt (run, 1, "node2.acme.test", "127.0.0.2", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  assert_connected_to (run, "node2.acme.test", attendant_test_server_get_port (lab->backup),
                       "127.0.0.2");
  /* The run was not ended by it, but it still remembers the first
   * untrusted certificate it met. */
  g_assert_true (run->rejected == attempt);

  g_assert_cmpuint (attendant_test_server_get_n_connections (lab->primary), ==, 1);
  g_assert_cmpuint (attendant_test_server_get_n_connections (lab->backup), ==, 1);
  assert_log (lab->resolver, (const char * const[]) {
    "SRV " SRV_TLS, "A node1.acme.test", "A node2.acme.test", NULL });
}

/* Every endpoint's certificate is refused: nothing was reached, so the run
 * ends CERTIFICATE_UNTRUSTED, with the message and the attempt of the first
 * one met (the primary's), which is the one the user is asked about. */
static void
assert_all_rejected (Run                  *run,
                     TlsLab               *lab,
                     GTlsCertificateFlags  must_have,
                     GTlsCertificateFlags  must_not_have)
{
  AttendantAttempt *first;
  AttendantAttempt *second;
  GTlsCertificateFlags errors;

  g_assert_error (run->error, ATTENDANT_ERROR, ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED);
  g_assert_null (run->connection);

  g_assert_cmpuint (run->attempts->len, ==, 2);
  first = assert_attempt (run, 0, "node1.acme.test", "127.0.0.1",
                          ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED);
  second = assert_attempt (run, 1, "node2.acme.test", "127.0.0.2",
                           ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED);
  g_assert_error (attendant_attempt_get_error (first), ATTENDANT_ERROR,
                  ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED);
  g_assert_error (attendant_attempt_get_error (second), ATTENDANT_ERROR,
                  ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED);

  g_assert_true (run->rejected == first);
  g_assert_cmpstr (run->error->message, ==, attendant_attempt_get_error (first)->message);
  g_assert_true (g_tls_certificate_is_same (attendant_attempt_get_certificate (first),
                                            lab->certificate));
  g_assert_cmpstr (attendant_attempt_get_identity (first), ==, DOMAIN);
  errors = attendant_attempt_get_certificate_errors (first);
  g_assert_cmpuint (errors & must_have, ==, must_have);
  g_assert_cmpuint (errors & must_not_have, ==, 0);

  g_assert_cmpuint (attendant_test_server_get_n_connections (lab->primary), ==, 1);
  g_assert_cmpuint (attendant_test_server_get_n_connections (lab->backup), ==, 1);
}

/* A CA-signed certificate for the domain the user typed is trusted through
 * the extra anchors, and the connection reports the TLS version and the
 * certificate's SHA-256 fingerprint as openssl computes it. */
static void
test_tls_source_domain (void)
{
  g_auto(TlsLab) lab = { 0 };
  g_auto(Run) run = { 0 };

  tls_lab_init (&lab, pki->acme_file, TRUE);
  run_connector (&run, lab.connector, lab.plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 1);
  assert_attempt (&run, 0, "node1.acme.test", "127.0.0.1", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  assert_tls_connected (&run, &lab, pki->acme_file);
}

/* Without the extra anchors the very same certificate is refused as coming
 * from an unknown CA, on both nodes: nothing was reached, so the run ends
 * CERTIFICATE_UNTRUSTED on the first one. With them it is accepted. */
static void
test_tls_extra_anchors (void)
{
  g_auto(TlsLab) lab = { 0 };
  g_auto(Run) without = { 0 };
  g_auto(Run) with = { 0 };
  g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);

  tls_lab_init (&lab, pki->acme_file, FALSE);
  run_connector (&without, lab.connector, lab.plan, NULL);
  assert_all_rejected (&without, &lab, G_TLS_CERTIFICATE_UNKNOWN_CA, G_TLS_CERTIFICATE_BAD_IDENTITY);

  attendant_connector_set_extra_anchors (lab.connector, anchors);
  run_connector (&with, lab.connector, lab.plan, NULL);
  g_assert_cmpuint (with.attempts->len, ==, 1);
  g_assert_null (with.rejected);
  g_assert_cmpuint (attendant_test_server_get_n_connections (lab.primary), ==, 2);
  g_assert_cmpuint (attendant_test_server_get_n_connections (lab.backup), ==, 1);
  assert_connected_to (&with, "node1.acme.test", attendant_test_server_get_port (lab.primary),
                       "127.0.0.1");
}

/* A certificate valid only for the SRV target, not for the domain the user
 * typed, is refused, and the walk goes on to the backup... */
static void
test_tls_target_identity_rejected (void)
{
  g_auto(TlsLab) lab = { 0 };
  g_auto(Run) run = { 0 };

  tls_lab_init (&lab, pki->node1_file, TRUE);
  g_assert_false (attendant_connector_get_accept_target_identity (lab.connector));
  run_connector (&run, lab.connector, lab.plan, NULL);

  assert_tls_rejected (&run, &lab, G_TLS_CERTIFICATE_BAD_IDENTITY, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmpuint (attendant_attempt_get_certificate_errors (run.attempts->pdata[0]), ==,
                    G_TLS_CERTIFICATE_BAD_IDENTITY);
}

/* ...unless the user turned on accept-target-identity. */
static void
test_tls_target_identity_accepted (void)
{
  g_auto(TlsLab) lab = { 0 };
  g_auto(Run) run = { 0 };

  tls_lab_init (&lab, pki->node1_file, TRUE);
  attendant_connector_set_accept_target_identity (lab.connector, TRUE);
  run_connector (&run, lab.connector, lab.plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 1);
  assert_attempt (&run, 0, "node1.acme.test", "127.0.0.1", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  assert_tls_connected (&run, &lab, pki->node1_file);
}

static void
test_tls_self_signed (void)
{
  g_auto(TlsLab) lab = { 0 };
  g_auto(Run) run = { 0 };

  tls_lab_init (&lab, pki->self_signed_file, TRUE);
  run_connector (&run, lab.connector, lab.plan, NULL);

  assert_tls_rejected (&run, &lab, G_TLS_CERTIFICATE_UNKNOWN_CA, G_TLS_CERTIFICATE_BAD_IDENTITY);
}

static void
test_tls_expired (void)
{
  g_auto(TlsLab) lab = { 0 };
  g_auto(Run) run = { 0 };

  tls_lab_init (&lab, pki->expired_file, TRUE);
  run_connector (&run, lab.connector, lab.plan, NULL);

  assert_tls_rejected (&run, &lab, G_TLS_CERTIFICATE_EXPIRED,
                       G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY);
}

/* Two endpoints, both with certificates that are not trusted, each its
 * own: both are tried, both `tls-failed`, and the run ends
 * CERTIFICATE_UNTRUSTED carrying the first one (the primary's self-signed
 * one), not the last. */
static void
test_tls_all_untrusted (void)
{
  g_auto(TlsLab) lab = { 0 };
  g_auto(Run) run = { 0 };
  g_autoptr(GTlsCertificate) backup = attendant_test_pki_load (pki, pki->acme_file);

  tls_lab_init (&lab, pki->self_signed_file, FALSE);
  run_connector (&run, lab.connector, lab.plan, NULL);

  assert_all_rejected (&run, &lab, G_TLS_CERTIFICATE_UNKNOWN_CA, G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_true (g_tls_certificate_is_same (attendant_attempt_get_certificate (run.attempts->pdata[1]),
                                            backup));
  g_assert_false (g_tls_certificate_is_same (attendant_attempt_get_certificate (run.rejected),
                                             backup));
}

typedef struct
{
  GTlsCertificate *pinned;
  guint            n_calls;
} Pin;

static gboolean
accept_pinned_cb (AttendantConnector   *connector,
                  GTlsCertificate      *certificate,
                  GTlsCertificateFlags  errors,
                  const char           *identity,
                  Pin                  *pin)
{
  pin->n_calls++;

  /* The pin is stored per reference identity: the domain the user typed. */
  g_assert_cmpstr (identity, ==, DOMAIN);
  g_assert_cmpuint (errors & G_TLS_CERTIFICATE_UNKNOWN_CA, !=, 0);

  return g_tls_certificate_is_same (certificate, pin->pinned);
}

/* A handler of accept-certificate that recognises a pinned certificate
 * makes an otherwise untrusted self-signed certificate connect. */
static void
test_tls_pinned (void)
{
  g_auto(TlsLab) lab = { 0 };
  g_auto(Run) run = { 0 };
  Pin pin = { 0 };

  tls_lab_init (&lab, pki->self_signed_file, TRUE);
  pin.pinned = lab.certificate;
  g_signal_connect (lab.connector, "accept-certificate", G_CALLBACK (accept_pinned_cb), &pin);
  run_connector (&run, lab.connector, lab.plan, NULL);

  g_assert_cmpuint (pin.n_calls, ==, 1);
  g_assert_cmpuint (run.attempts->len, ==, 1);
  assert_attempt (&run, 0, "node1.acme.test", "127.0.0.1", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  assert_tls_connected (&run, &lab, pki->self_signed_file);
}

/* A pin matches only that exact certificate: pinning another one does not
 * let this one in. */
static void
test_tls_pinned_other (void)
{
  g_auto(TlsLab) lab = { 0 };
  g_auto(Run) run = { 0 };
  g_autoptr(GTlsCertificate) other = attendant_test_pki_load (pki, pki->acme_file);
  Pin pin = { 0 };

  tls_lab_init (&lab, pki->self_signed_file, TRUE);
  pin.pinned = other;
  g_signal_connect (lab.connector, "accept-certificate", G_CALLBACK (accept_pinned_cb), &pin);
  run_connector (&run, lab.connector, lab.plan, NULL);

  g_assert_cmpuint (pin.n_calls, ==, 1);
  assert_tls_rejected (&run, &lab, G_TLS_CERTIFICATE_UNKNOWN_CA, 0);
}

/* }}} */
/* {{{ TLS 1.0 */

typedef struct
{
  GMainLoop        *loop;
  GDataInputStream *lines;
  guint16           port;
  gboolean          eof;
} Announce;

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Announce *announce = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *colon;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  g_assert_no_error (error);

  if (line == NULL)
    {
      announce->eof = TRUE;
      g_main_loop_quit (announce->loop);
      return;
    }

  /* s_server says "ACCEPT 127.0.0.1:PORT" once it listens. */
  if (g_str_has_prefix (line, "ACCEPT ") && (colon = strrchr (line, ':')) != NULL)
    {
      guint64 port = 0;

      g_assert_true (g_ascii_string_to_unsigned (colon + 1, 10, 1, G_MAXUINT16, &port, NULL));
      announce->port = port;
      g_main_loop_quit (announce->loop);
      return;
    }

  g_data_input_stream_read_line_async (announce->lines, G_PRIORITY_DEFAULT, NULL,
                                       read_line_cb, announce);
}

/* In the child, before exec: a test that fails half-way must not leave a
 * server running behind it. */
static void
die_with_parent (gpointer user_data)
{
#ifdef PR_SET_PDEATHSIG
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* An external server that speaks only TLS 1.0 (this process cannot host
 * one: its own GnuTLS is limited to TLS 1.2 and newer). openssl chooses the
 * port and says which, so there is no window for another program to take
 * it; the server is proven to complete a TLS 1.0 handshake with gnutls-cli
 * before the test relies on it, so a refusal by our connector is ours and
 * not a broken server's. */
static GSubprocess *
tls10_server_new (guint16 *port)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Announce announce = { 0 };
  int status = 0;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error,
                                         "openssl", "s_server",
                                         "-accept", "127.0.0.1:0",
                                         "-tls1", "-cipher", "DEFAULT@SECLEVEL=0",
                                         "-cert", pki->acme_file, "-key", pki->key_file,
                                         "-www", NULL);
  g_assert_no_error (error);

  announce.loop = g_main_loop_new (NULL, FALSE);
  announce.lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (announce.lines, G_PRIORITY_DEFAULT, NULL,
                                       read_line_cb, &announce);
  run_loop (announce.loop, "openssl s_server start-up");
  g_clear_pointer (&announce.loop, g_main_loop_unref);
  g_clear_object (&announce.lines);

  g_assert_false (announce.eof);
  g_assert_cmpuint (announce.port, !=, 0);
  *port = announce.port;

  port_text = g_strdup_printf ("%u", announce.port);
  if (!g_spawn_sync (NULL,
                     (char **)(const char * const[]) {
                       "gnutls-cli", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.0",
                       "--x509cafile", pki->ca_file, "--verify-hostname", DOMAIN,
                       "--port", port_text, "127.0.0.1", NULL },
                     NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                     NULL, NULL, &out, &err, &status, &error))
    g_error ("Cannot run gnutls-cli: %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("The TLS 1.0 server does not complete a TLS 1.0 handshake: %s\n%s\n%s",
             error->message, out, err);
  g_assert_nonnull (strstr (out, "TLS1.0"));

  return g_steal_pointer (&process);
}

/* A server limited to TLS 1.0 is refused (`tls-failed`), and since that is
 * not a certificate problem the run goes on to the next endpoint. */
static void
test_tls10_server (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(GTlsCertificate) certificate = attendant_test_pki_load (pki, pki->acme_file);
  g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);
  g_autoptr(AttendantTestServer) backup = server_new ("127.0.0.2", certificate);
  g_autoptr(GSubprocess) old = NULL;
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_auto(Run) run = { 0 };
  AttendantAttempt *attempt;
  guint16 old_port = 0;

  old = tls10_server_new (&old_port);

  add_endpoint (resolver, ATTENDANT_TRANSPORT_TLS, "node1.acme.test", "127.0.0.1", old_port, 10);
  add_endpoint (resolver, ATTENDANT_TRANSPORT_TLS, "node2.acme.test", "127.0.0.2",
                attendant_test_server_get_port (backup), 5);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_TLS);
  connector = attendant_connector_new (G_RESOLVER (resolver));
  attendant_connector_set_extra_anchors (connector, anchors);
  run_connector (&run, connector, plan, NULL);

  g_assert_cmpuint (run.attempts->len, ==, 2);
  attempt = assert_attempt (&run, 0, "node1.acme.test", "127.0.0.1",
                            ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED);
  /* Refused before any certificate was seen: a version problem. */
  g_assert_false (g_error_matches (attendant_attempt_get_error (attempt), ATTENDANT_ERROR,
                                   ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED));
  g_assert_null (attendant_attempt_get_certificate (attempt));
  g_assert_cmpfloat (attendant_attempt_get_elapsed_ms (attempt), <, 5000.0);

  assert_attempt (&run, 1, "node2.acme.test", "127.0.0.2", ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  assert_connected_to (&run, "node2.acme.test", attendant_test_server_get_port (backup), "127.0.0.2");
  g_assert_true (attendant_connection_is_encrypted (run.connection));

  g_subprocess_force_exit (old);
  g_subprocess_wait (old, NULL, NULL);
  attendant_test_server_stop (backup);
  attendant_test_drain_main_context ();
}

/* }}} */
/* {{{ Cancellation, unavailable service */

typedef struct
{
  GCancellable *cancellable;
  gint64        cancelled_at;
} Canceller;

static void
cancel_on_accept_cb (AttendantTestServer *server,
                     GSocketConnection   *connection,
                     Canceller           *canceller)
{
  canceller->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (canceller->cancellable);
}

/* Cancelled in the middle of an attempt (TCP accepted, TLS handshake
 * waiting for an answer that never comes): the run ends at once with
 * G_IO_ERROR_CANCELLED instead of waiting for the attempt timeout, and
 * neither the connector nor the plan is leaked. */
static void
test_cancel_mid_attempt (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantTestServer) silent = server_new ("127.0.0.1", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AttendantPlan *plan;
  AttendantConnector *connector;
  g_auto(Run) run = { 0 };
  Canceller canceller = { cancellable, 0 };

  add_endpoint (resolver, ATTENDANT_TRANSPORT_TLS, "node1.acme.test", "127.0.0.1",
                attendant_test_server_get_port (silent), 10);

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_TLS);
  connector = attendant_connector_new (G_RESOLVER (resolver));
  attendant_connector_set_attempt_timeout (connector, 5);
  g_signal_connect (silent, "accepted", G_CALLBACK (cancel_on_accept_cb), &canceller);
  run_connector (&run, connector, plan, cancellable);

  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (run.connection);
  g_assert_cmpint (canceller.cancelled_at, >, 0);
  g_assert_cmpint (run.finished_at - canceller.cancelled_at, <, 500 * 1000);

  g_assert_finalize_object (connector);
  g_assert_finalize_object (plan);

  attendant_test_server_stop (silent);
  attendant_test_drain_main_context ();
}

static gboolean
cancel_idle_cb (gpointer user_data)
{
  Canceller *canceller = user_data;

  canceller->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (canceller->cancellable);

  return G_SOURCE_REMOVE;
}

static void
cancel_while_resolving_cb (AttendantConnector *connector,
                           AttendantEndpoint  *endpoint,
                           const char         *address,
                           Canceller          *canceller)
{
  /* From an idle, so that the lookup has been started by the time the
   * cancellation comes. */
  if (address == NULL)
    g_idle_add (cancel_idle_cb, canceller);
}

/* Cancelled while the endpoint's name is being resolved. */
static void
test_cancel_while_resolving (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AttendantPlan *plan;
  AttendantConnector *connector;
  g_auto(Run) run = { 0 };
  Canceller canceller = { cancellable, 0 };

  add_endpoint (resolver, ATTENDANT_TRANSPORT_TLS, "node1.acme.test", NULL, 51235, 10);
  attendant_test_resolver_set_hang (resolver, "node1.acme.test");

  plan = make_plan (resolver, DOMAIN, ATTENDANT_TRANSPORT_TLS);
  connector = attendant_connector_new (G_RESOLVER (resolver));
  g_signal_connect (connector, "attempt-started", G_CALLBACK (cancel_while_resolving_cb), &canceller);
  run_connector (&run, connector, plan, cancellable);

  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (canceller.cancelled_at, >, 0);
  g_assert_cmpint (run.finished_at - canceller.cancelled_at, <, 500 * 1000);
  assert_log (resolver, (const char * const[]) { "SRV " SRV_TLS, "A node1.acme.test", NULL });

  g_assert_finalize_object (connector);
  g_assert_finalize_object (plan);
  attendant_test_drain_main_context ();
}

/* An SRV answer whose only record is ".": no attempt at all, and the
 * connector says SERVICE_UNAVAILABLE. */
static void
test_service_unavailable (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnector) connector = NULL;
  g_auto(Run) run = { 0 };

  attendant_test_resolver_add_srv (resolver, "_iacsec._tcp.none.test", "", 0, 0, 0);

  plan = make_plan (resolver, "none.test", ATTENDANT_TRANSPORT_TLS);
  g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_UNAVAILABLE);
  g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, 0);

  connector = attendant_connector_new (G_RESOLVER (resolver));
  run_connector (&run, connector, plan, NULL);

  g_assert_error (run.error, ATTENDANT_ERROR, ATTENDANT_ERROR_SERVICE_UNAVAILABLE);
  g_assert_null (run.connection);
  g_assert_cmpuint (run.started->len, ==, 0);
  g_assert_cmpuint (run.attempts->len, ==, 0);
  assert_log (resolver, (const char * const[]) { "SRV _iacsec._tcp.none.test", NULL });
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTlsDatabase) system_trust = NULL;
  int status;

  /* First of all: it may start the program again. */
  attendant_test_sanitizer_setup (argv);

  /* Before anything loads the TLS backend, which reads the priority once.
   * A priority in the caller's environment would win over ours (by design,
   * for users), and these tests are about the default. */
  g_unsetenv ("G_TLS_GNUTLS_PRIORITY");
  attendant_tls_init ();

  g_test_init (&argc, &argv, NULL);

  pki = attendant_test_pki_new ();

  /* Load the TLS backend and the system trust store once, here: otherwise
   * the first test to make a TLS connection pays for it inside a 1 s
   * attempt timeout, which a slow sanitizer build can overrun. */
  system_trust = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  g_assert_nonnull (system_trust);

  g_test_add_func ("/connector/tcp/refused-then-next", test_refused_then_next);
  g_test_add_func ("/connector/tcp/connected", test_connected_plain);
  g_test_add_func ("/connector/tcp/timeout", test_timeout_tcp);
  g_test_add_func ("/connector/tls/timeout-silent-server", test_timeout_tls_silent);
  g_test_add_func ("/connector/order/addresses-before-next-endpoint", test_addresses_before_next_endpoint);
  g_test_add_func ("/connector/order/all-addresses-then-next-endpoint", test_all_addresses_then_next_endpoint);
  g_test_add_func ("/connector/order/slow-primary-wins", test_slow_primary_wins);
  g_test_add_func ("/connector/lazy/first-reachable", test_lazy_first_reachable);
  g_test_add_func ("/connector/lazy/unresolvable-first", test_lazy_unresolvable_first);
  g_test_add_func ("/connector/lazy/resolution-timeout", test_lazy_resolution_timeout);
  g_test_add_func ("/connector/tls/source-domain", test_tls_source_domain);
  g_test_add_func ("/connector/tls/extra-anchors", test_tls_extra_anchors);
  g_test_add_func ("/connector/tls/target-identity-rejected", test_tls_target_identity_rejected);
  g_test_add_func ("/connector/tls/target-identity-accepted", test_tls_target_identity_accepted);
  g_test_add_func ("/connector/tls/self-signed", test_tls_self_signed);
  g_test_add_func ("/connector/tls/expired", test_tls_expired);
  g_test_add_func ("/connector/tls/all-untrusted", test_tls_all_untrusted);
  g_test_add_func ("/connector/tls/pinned", test_tls_pinned);
  g_test_add_func ("/connector/tls/pinned-other", test_tls_pinned_other);
  g_test_add_func ("/connector/tls/tls10-server", test_tls10_server);
  g_test_add_func ("/connector/cancel/mid-attempt", test_cancel_mid_attempt);
  g_test_add_func ("/connector/cancel/while-resolving", test_cancel_while_resolving);
  g_test_add_func ("/connector/service-unavailable", test_service_unavailable);

  status = g_test_run ();

  g_clear_pointer (&pki, attendant_test_pki_free);

  return status;
}
