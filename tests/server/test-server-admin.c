/* test-server-admin.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-admin"

#include "config.h"

#include <string.h>

#include "attendant-admin.h"
#include "attendant-core.h"
#include "attendant-test-client.h"
#include "attendant-test-fixture.h"
#include "attendant-test-pki.h"
#include "attendant-test-sanitizer.h"

/* The admin API (docs/server.md) against the server in this process: the token,
 * injected calls and presence reaching clients, and what crash, freeze,
 * stop, start and drain do to a node, seen from its clients and from new
 * connections, while the other node goes on serving. */

static AttendantTestPki *pki;

static JsonObject *
admin (AttendantTestFixture *fixture,
       const char           *method,
       const char           *path,
       const char           *body,
       guint                 expected)
{
  guint status = 0;
  JsonObject *answer = attendant_test_http (fixture->admin_url, fixture->token, method, path, body, &status);

  if (status != expected)
    {
      g_autofree char *text = attendant_protocol_encode (answer);

      g_error ("%s %s answered %u, not %u: %s", method, path, status, expected, text);
    }

  return answer;
}

static AttendantTestClient *
logged_in_with_snapshot (AttendantTestFixture  *fixture,
                         const char            *node,
                         JsonObject           **snapshot)
{
  g_autofree char *url = attendant_test_fixture_url (fixture, node, "plain");
  AttendantTestClient *client = attendant_test_client_new (url, NULL);
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) ok = attendant_test_client_login (client, TEST_USER, TEST_PASSWORD);

  g_assert_cmpstr (attendant_protocol_get_type (ok), ==, "auth.ok");
  *snapshot = attendant_test_client_expect (client, "snapshot");

  return client;
}

static AttendantTestClient *
logged_in (AttendantTestFixture *fixture,
           const char           *node)
{
  g_autoptr(JsonObject) snapshot = NULL;

  return logged_in_with_snapshot (fixture, node, &snapshot);
}

typedef struct
{
  GSocketConnection *connection;
  GError            *error;
  gboolean           done;
} Connect;

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Connect *connect = user_data;

  connect->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &connect->error);
  connect->done = TRUE;
}

static gboolean
connect_done (gpointer data)
{
  return ((Connect *)data)->done;
}

/* A bare TCP connection, for what happens below the WebSocket. */
static GSocketConnection *
tcp_connect (const char  *host,
             guint16      port,
             GError     **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string (host, port);
  Connect connect = { 0 };

  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), NULL, connect_cb, &connect);
  attendant_test_wait_until (connect_done, &connect, "a TCP connection");
  if (connect.error != NULL)
    g_propagate_error (error, connect.error);

  return connect.connection;
}

static void
assert_refused (AttendantTestFixture *fixture,
                const char           *node)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  const char *host = g_str_equal (node, "backup") ? "127.0.0.2" : "127.0.0.1";

  connection = tcp_connect (host, attendant_test_fixture_port (fixture, node, "plain"), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&error);

  connection = tcp_connect (host, attendant_test_fixture_port (fixture, node, "tls"), &error);
  if (!g_str_equal (node, "backup"))
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static const char *
node_state (AttendantTestFixture *fixture,
            const char           *node)
{
  static char state[32];
  g_autoptr(JsonObject) answer = admin (fixture, "GET", "/state", NULL, 200);
  JsonArray *nodes = json_object_get_array_member (answer, "nodes");

  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonObject *entry = json_array_get_object_element (nodes, i);

      if (g_str_equal (json_object_get_string_member (entry, "name"), node))
        {
          g_strlcpy (state, json_object_get_string_member (entry, "state"), sizeof state);
          return state;
        }
    }

  g_assert_not_reached ();
}

static void
assert_served (AttendantTestFixture *fixture,
               const char           *node)
{
  g_autoptr(AttendantTestClient) client = logged_in (fixture, node);
  g_autoptr(JsonObject) pong = attendant_test_client_ping (client);
}

/* {{{ Token and endpoints */

static void
test_token (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = logged_in (fixture, "primary");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) state = NULL;
  guint status = 0;
  JsonArray *nodes;
  JsonArray *sessions;

  answer = attendant_test_http (fixture->admin_url, NULL, "GET", "/state", NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  g_clear_pointer (&answer, json_object_unref);
  answer = attendant_test_http (fixture->admin_url, "test-token-0123456789abcdeX", "GET", "/state", NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  g_clear_pointer (&answer, json_object_unref);
  answer = attendant_test_http (fixture->admin_url, "", "POST", "/nodes/primary/crash", NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpstr (node_state (fixture, "primary"), ==, "running");

  state = admin (fixture, "GET", "/state", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (state, "cluster"), ==, "test");
  nodes = json_object_get_array_member (state, "nodes");
  g_assert_cmpuint (json_array_get_length (nodes), ==, 2);
  sessions = json_object_get_array_member (state, "sessions");
  g_assert_cmpuint (json_array_get_length (sessions), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (sessions, 0), "user"), ==, TEST_USER);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (sessions, 0), "node"), ==, "primary");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (state, "calls")), ==, 0);
}

static void
test_endpoints (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  static const struct {
    const char *method;
    const char *path;
    const char *body;
    guint status;
  } cases[] = {
    { "GET", "/nowhere", NULL, 404 },
    { "POST", "/state", NULL, 405 },
    { "GET", "/calls", NULL, 405 },
    { "POST", "/calls", "not json", 400 },
    { "POST", "/calls", "{}", 400 },
    { "POST", "/calls", "{\"number\":\"hello\"}", 400 },
    { "POST", "/calls", "{\"number\":\"+3902123\",\"queue\":\"nope\"}", 404 },
    { "POST", "/calls", "{\"number\":\"+3902123\",\"extension\":\"299\"}", 404 },
    { "POST", "/calls/call-99/hangup", NULL, 404 },
    { "POST", "/presence", "{\"extension\":\"201\"}", 400 },
    { "POST", "/presence", "{\"extension\":\"201\",\"presence\":\"asleep\"}", 400 },
    { "POST", "/presence", "{\"extension\":\"299\",\"presence\":\"away\"}", 404 },
    { "POST", "/presence", "{\"changes\":\"201=away\"}", 400 },
    { "POST", "/presence", "{\"changes\":[[\"201\",\"away\"]]}", 400 },
    { "POST", "/directory", NULL, 405 },
    { "POST", "/nodes/nope/crash", NULL, 404 },
    { "POST", "/nodes/primary/explode", NULL, 404 },
    { "POST", "/nodes/primary/drain", "{\"grace_s\":-1}", 400 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) answer = admin (fixture, cases[i].method, cases[i].path, cases[i].body,
                                            cases[i].status);

      g_assert_nonnull (json_object_get_string_member (answer, "error"));
    }

  g_assert_cmpstr (node_state (fixture, "primary"), ==, "running");
}

/* The admin API cannot be made to listen beyond this machine. */
static void
test_loopback_only (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantAdmin) other = attendant_admin_new (fixture->server, "another-token-0123456789");
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("0.0.0.0", 0);
  g_autoptr(GError) error = NULL;

  g_assert_false (attendant_admin_listen (other, G_INET_SOCKET_ADDRESS (any), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
}

/* }}} */
/* {{{ The outside world */

static void
test_inject_call (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = logged_in (fixture, "primary");
  g_autoptr(AttendantTestClient) backup = logged_in (fixture, "backup");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autofree char *id = NULL;
  g_autofree char *hangup = NULL;
  JsonObject *call;

  answer = admin (fixture, "POST", "/calls", "{\"number\":\"+390287654321\",\"name\":\"Ferretti Logistica\"}", 201);
  call = json_object_get_object_member (answer, "call");
  id = g_strdup (json_object_get_string_member (call, "id"));
  g_assert_cmpstr (json_object_get_string_member (call, "state"), ==, "queued");

  event = attendant_test_client_wait_call (client, id, "queued");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (event, "call"), "caller_name"),
                   ==, "Ferretti Logistica");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (backup, id, "queued");
  g_clear_pointer (&event, json_object_unref);

  state = admin (fixture, "GET", "/state", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (state, "calls")), ==, 1);

  /* The caller gives up. */
  hangup = g_strdup_printf ("/calls/%s/hangup", id);
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", hangup, NULL, 200);
  event = attendant_test_client_wait_call (client, id, "ended");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, id, NULL);
}

static void
test_set_presence (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = logged_in (fixture, "primary");
  g_autoptr(JsonObject) answer = admin (fixture, "POST", "/presence",
                                        "{\"extension\":\"201\",\"presence\":\"dnd\"}", 200);
  g_autoptr(JsonObject) event = attendant_test_client_wait_presence (client, "201", "dnd");
}

/* Many at once, or none if one of them is wrong. */
static void
test_set_presence_many (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = logged_in (fixture, "primary");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(JsonObject) directory = NULL;
  JsonArray *contacts;

  answer = admin (fixture, "POST", "/presence",
                  "{\"changes\":[{\"extension\":\"201\",\"presence\":\"offline\"},"
                  "{\"extension\":\"299\",\"presence\":\"away\"}]}", 404);
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/presence",
                  "{\"changes\":[{\"extension\":\"201\",\"presence\":\"offline\"},"
                  "{\"extension\":\"204\",\"presence\":\"ringing\"}]}", 400);
  g_clear_pointer (&answer, json_object_unref);

  directory = admin (fixture, "GET", "/directory", NULL, 200);
  contacts = json_object_get_array_member (directory, "directory");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (contacts, 0), "number"), ==, "201");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (contacts, 0), "presence"), ==, "available");

  answer = admin (fixture, "POST", "/presence",
                  "{\"changes\":[{\"extension\":\"201\",\"presence\":\"away\"},"
                  "{\"extension\":\"204\",\"presence\":\"dnd\"}]}", 200);
  g_assert_cmpint (json_object_get_int_member (answer, "applied"), ==, 2);
  event = attendant_test_client_wait_presence (client, "201", "away");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_presence (client, "204", "dnd");
}

/* The directory as scripts need it: order, presence, and which
 * extensions are the attendants'. */
static void
test_directory (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(JsonObject) answer = admin (fixture, "GET", "/directory", NULL, 200);
  JsonArray *contacts = json_object_get_array_member (answer, "directory");
  const char * const numbers[] = { "201", "202", "203", "204", "205", TEST_EXTENSION, TEST_EXTENSION2 };

  g_assert_cmpuint (json_array_get_length (contacts), ==, G_N_ELEMENTS (numbers));
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      JsonObject *contact = json_array_get_object_element (contacts, i);

      g_assert_cmpstr (json_object_get_string_member (contact, "number"), ==, numbers[i]);
      g_assert_true (json_object_get_boolean_member (contact, "attendant") == (i >= 5));
    }
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (contacts, 1), "presence"),
                   ==, "away");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (contacts, 0), "name"),
                   ==, "Bruno Bianchi");
}

typedef struct
{
  char     *out;
  char     *err;
  GError   *error;
  gboolean  done;
} Script;

static void
script_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Script *script = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &script->out, &script->err,
                                        &script->error);
  script->done = TRUE;
}

static gboolean
script_done (gpointer data)
{
  return ((Script *)data)->done;
}

/* build-aux/morning.py plays a whole morning (fast) against the server:
 * a console sees callers queue with names, colleagues change presence,
 * callers give up; the attendants' own presence is left alone. */
static void
test_morning (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = logged_in (fixture, "primary");
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *token_file = g_build_filename (fixture->dir, "admin.token", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GHashTable) queued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) ended = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) presence = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  Script script = { 0 };
  guint named = 0;
  JsonObject *message;

  g_assert_nonnull (python);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              python, ATTENDANT_MORNING_SCRIPT, "--url", fixture->admin_url,
                              "--token-file", token_file, "--once", "--speed", "150", "--morning", "7",
                              NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, script_cb, &script);
  attendant_test_wait_until (script_done, &script, "morning.py --once --speed 150");
  g_assert_no_error (script.error);
  g_test_message ("morning.py said:\n%s%s", script.out, script.err);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (script.out, "arrive"));
  g_assert_nonnull (strstr (script.out, "go to lunch"));
  g_assert_nonnull (strstr (script.out, "hangs up after waiting"));

  while ((message = attendant_test_client_next_within (client, 200)) != NULL)
    {
      const char *kind = json_object_get_string_member (message, "event");

      if (g_strcmp0 (kind, "call.updated") == 0)
        {
          JsonObject *call = json_object_get_object_member (message, "call");
          const char *id = json_object_get_string_member (call, "id");
          const char *state = json_object_get_string_member (call, "state");

          if (g_str_equal (state, "queued") && !g_hash_table_contains (queued, id))
            {
              g_hash_table_add (queued, g_strdup (id));
              named += !json_object_get_null_member (call, "caller_name");
            }
          else if (g_str_equal (state, "ended") && g_hash_table_contains (queued, id))
            g_hash_table_add (ended, g_strdup (id));
        }
      else if (g_strcmp0 (kind, "presence") == 0)
        g_hash_table_add (presence, g_strdup (json_object_get_string_member (message, "id")));

      json_object_unref (message);
    }

  g_test_message ("%u calls queued (%u with a name), %u ended while queued, %u extensions changed presence",
                  g_hash_table_size (queued), named, g_hash_table_size (ended), g_hash_table_size (presence));
  g_assert_cmpuint (g_hash_table_size (queued), >=, 20);
  g_assert_cmpuint (named, >=, g_hash_table_size (queued) / 2);
  g_assert_cmpuint (g_hash_table_size (ended), >=, 1);
  g_assert_true (g_hash_table_contains (presence, "ext-205"));
  g_assert_cmpuint (g_hash_table_size (presence), >=, 3);
  g_assert_false (g_hash_table_contains (presence, "ext-" TEST_EXTENSION));
  g_assert_false (g_hash_table_contains (presence, "ext-" TEST_EXTENSION2));
  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (client), ==, 0);

  g_free (script.out);
  g_free (script.err);
}

/* }}} */
/* {{{ Node control */

static void
test_crash (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = logged_in (fixture, "primary");
  g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);
  g_autofree char *tls_url = attendant_test_fixture_url (fixture, "primary", "tls");
  g_autoptr(AttendantTestClient) secure = attendant_test_client_new (tls_url, anchors);
  g_autoptr(JsonObject) hello = attendant_test_client_expect (secure, "hello");
  g_autoptr(AttendantTestClient) backup = logged_in (fixture, "backup");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) pong = NULL;
  JsonObject *node;

  answer = admin (fixture, "POST", "/nodes/primary/crash", NULL, 200);
  node = json_object_get_object_member (answer, "node");
  g_assert_cmpstr (json_object_get_string_member (node, "state"), ==, "stopped");
  g_assert_true (json_object_get_boolean_member (node, "crashed"));
  g_assert_cmpint (json_object_get_int_member (node, "sessions"), ==, 0);

  /* Dropped without a close frame: no close code at all, on TLS too. */
  g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, 0);
  g_assert_cmpuint (attendant_test_client_wait_closed (secure), ==, 0);
  assert_refused (fixture, "primary");

  /* The other node goes on. */
  pong = attendant_test_client_ping (backup);

  /* Restarted, on the same ports. */
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/nodes/primary/start", NULL, 200);
  g_assert_cmpstr (node_state (fixture, "primary"), ==, "running");
  assert_served (fixture, "primary");
}

static void
test_freeze (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, "idle-timeout=3\n");
  g_autoptr(AttendantTestClient) client = logged_in (fixture, "primary");
  g_autoptr(AttendantTestClient) backup = logged_in (fixture, "backup");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) nothing = NULL;
  g_autoptr(JsonObject) pong = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(GSocketConnection) raw = NULL;
  g_autoptr(GError) error = NULL;
  char byte;
  gssize n;

  answer = admin (fixture, "POST", "/nodes/primary/freeze", NULL, 200);
  g_assert_cmpstr (node_state (fixture, "primary"), ==, "frozen");

  /* The connection stays open, but nothing answers: not the ping, not the
   * events of a new call. Silence can only be observed over time: these
   * windows are the scenario, not synchronisation. Four seconds also
   * outlast the idle timeout, which stands still while frozen. */
  attendant_test_client_send (client, "{\"type\":\"ping\",\"id\":99}");
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/calls", "{\"number\":\"+390612398765\"}", 201);
  event = attendant_test_client_wait_call (backup, NULL, "queued");
  for (guint i = 0; i < 2; i++)
    {
      nothing = attendant_test_client_next_within (client, 2000);
      g_assert_null (nothing);
      g_assert_false (attendant_test_client_is_closed (client));
      /* The other node's client keeps its own idle timer happy. */
      g_clear_pointer (&pong, json_object_unref);
      pong = attendant_test_client_ping (backup);
    }

  /* A new connection is taken by the kernel and then hears nothing. */
  raw = tcp_connect ("127.0.0.1", attendant_test_fixture_port (fixture, "primary", "plain"), &error);
  g_assert_no_error (error);
  g_socket_set_blocking (g_socket_connection_get_socket (raw), FALSE);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (raw)),
                             "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, NULL, NULL, &error);
  g_assert_no_error (error);
  attendant_test_let_time_pass (500);
  n = g_socket_receive (g_socket_connection_get_socket (raw), &byte, 1, NULL, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);

  /* The other node answers meanwhile. */
  g_clear_pointer (&pong, json_object_unref);
  pong = attendant_test_client_ping (backup);

  /* Thawed, it answers again; the events it did not send show as a gap,
   * which makes a real client resynchronise (docs/protocol.md §2.3). */
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/nodes/primary/thaw", NULL, 200);
  g_clear_pointer (&pong, json_object_unref);
  pong = attendant_test_client_ping (client);
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/calls", "{\"number\":\"+390612398765\"}", 201);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, NULL, "queued");
  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (client), ==, 1);
  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (backup), ==, 0);
}

static void
test_stop_start (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = logged_in (fixture, "primary");
  g_autoptr(AttendantTestClient) backup = logged_in (fixture, "backup");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) pong = NULL;
  guint16 port = attendant_test_fixture_port (fixture, "primary", "plain");

  answer = admin (fixture, "POST", "/nodes/primary/stop", NULL, 200);
  g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, ATTENDANT_CLOSE_GOING_AWAY);
  assert_refused (fixture, "primary");
  pong = attendant_test_client_ping (backup);

  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/nodes/primary/start", NULL, 200);
  g_assert_cmpuint (attendant_test_fixture_port (fixture, "primary", "plain"), ==, port);
  assert_served (fixture, "primary");

  /* Starting a running node changes nothing. */
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/nodes/primary/start", NULL, 200);
  assert_served (fixture, "primary");
}

static gboolean
is_drain (JsonObject *message,
          gpointer    user_data)
{
  return g_str_equal (attendant_protocol_get_type (message), "drain");
}

static void
test_drain (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) stays = logged_in (fixture, "primary");
  g_autoptr(AttendantTestClient) leaves = logged_in (fixture, "primary");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) drain = NULL;
  g_autoptr(JsonObject) pong = NULL;
  g_autoptr(JsonObject) reply = NULL;
  gint64 drained_at;

  answer = admin (fixture, "POST", "/nodes/primary/drain", "{\"grace_s\":1,\"text\":\"Maintenance at noon\"}", 200);
  drained_at = g_get_monotonic_time ();
  g_assert_cmpstr (node_state (fixture, "primary"), ==, "draining");

  drain = attendant_test_client_wait_for (stays, is_drain, NULL);
  g_assert_cmpstr (json_object_get_string_member (drain, "reason"), ==, "maintenance");
  g_assert_cmpstr (json_object_get_string_member (drain, "text"), ==, "Maintenance at noon");
  g_clear_pointer (&drain, json_object_unref);
  drain = attendant_test_client_wait_for (leaves, is_drain, NULL);

  /* No newcomers; those still there are answered until they go. */
  assert_refused (fixture, "primary");
  pong = attendant_test_client_ping (stays);
  reply = attendant_test_client_command (stays, "presence.set", "{\"presence\":\"away\"}");
  g_assert_true (json_object_get_boolean_member (reply, "ok"));

  /* One leaves by itself; the other is closed after the grace period. */
  soup_websocket_connection_close (attendant_test_client_get_websocket (leaves), ATTENDANT_CLOSE_NORMAL, NULL);
  attendant_test_client_wait_closed (leaves);
  g_assert_cmpuint (attendant_test_client_wait_closed (stays), ==, ATTENDANT_CLOSE_GOING_AWAY);
  g_assert_cmpint (g_get_monotonic_time () - drained_at, >=, 900 * 1000);
  g_assert_cmpstr (node_state (fixture, "primary"), ==, "stopped");

  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/nodes/primary/start", NULL, 200);
  assert_served (fixture, "primary");
}

/* When every client leaves at once, the node stops without waiting. */
static void
test_drain_early (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = logged_in (fixture, "primary");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) drain = NULL;

  answer = admin (fixture, "POST", "/nodes/primary/drain", "{\"grace_s\":600}", 200);
  drain = attendant_test_client_wait_for (client, is_drain, NULL);
  soup_websocket_connection_close (attendant_test_client_get_websocket (client), ATTENDANT_CLOSE_NORMAL, NULL);
  g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, ATTENDANT_CLOSE_NORMAL);
  g_assert_cmpstr (node_state (fixture, "primary"), ==, "stopped");

  /* A node without clients stops at once. */
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/nodes/backup/drain", NULL, 200);
  g_assert_cmpstr (node_state (fixture, "backup"), ==, "stopped");
}

/* {{{ The phone system's reachability */

static void
assert_phone_system (JsonObject *phone_system,
                     gboolean    reachable,
                     const char *reason)
{
  g_assert_nonnull (phone_system);
  g_assert_cmpint (json_object_get_boolean_member (phone_system, "reachable"), ==, reachable);
  if (reason == NULL)
    g_assert_true (json_object_get_null_member (phone_system, "reason"));
  else
    g_assert_cmpstr (json_object_get_string_member (phone_system, "reason"), ==, reason);
}


static gboolean
is_phone_system (JsonObject *message,
                 gpointer    user_data)
{
  return g_strcmp0 (attendant_protocol_get_type (message), "phone-system") == 0;
}

/* POST /phone-system makes the simulated telephone system unreachable
 * and back: every client is told at once with a "phone-system" message
 * (outside the events' sequence), a new login finds it in the snapshot,
 * and the calls carry on. */
static void
test_phone_system (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) later_snapshot = NULL;
  g_autoptr(AttendantTestClient) client = logged_in_with_snapshot (fixture, "primary", &snapshot);
  g_autoptr(AttendantTestClient) other = logged_in (fixture, "backup");
  g_autoptr(AttendantTestClient) later = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(JsonObject) event = NULL;

  assert_phone_system (json_object_get_object_member (snapshot, "phone_system"), TRUE, NULL);

  /* Refused before anything changes. */
  answer = admin (fixture, "POST", "/phone-system", "{}", 400);
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/phone-system", "{\"reachable\":\"no\"}", 400);
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/phone-system", "{\"reachable\":false,\"reason\":5}", 400);
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "GET", "/phone-system", NULL, 405);
  g_clear_pointer (&answer, json_object_unref);

  answer = admin (fixture, "POST", "/phone-system",
                  "{\"reachable\":false,\"reason\":\"Asterisk is restarting\"}", 200);
  assert_phone_system (json_object_get_object_member (answer, "phone_system"), FALSE, "Asterisk is restarting");

  message = attendant_test_client_expect (client, "phone-system");
  assert_phone_system (message, FALSE, "Asterisk is restarting");
  g_clear_pointer (&message, json_object_unref);
  message = attendant_test_client_expect (other, "phone-system");
  assert_phone_system (message, FALSE, "Asterisk is restarting");
  g_clear_pointer (&message, json_object_unref);

  /* Said once: the same outage again changes nothing. */
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/phone-system",
                  "{\"reachable\":false,\"reason\":\"Asterisk is restarting\"}", 200);

  later = logged_in_with_snapshot (fixture, "primary", &later_snapshot);
  assert_phone_system (json_object_get_object_member (later_snapshot, "phone_system"), FALSE,
                       "Asterisk is restarting");
  state = admin (fixture, "GET", "/state", NULL, 200);
  assert_phone_system (json_object_get_object_member (state, "phone_system"), FALSE, "Asterisk is restarting");

  /* Calls go on meanwhile, in sequence. */
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/calls", "{\"number\":\"+390212345678\"}", 201);
  event = attendant_test_client_wait_call (client, NULL, "queued");

  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/phone-system", "{\"reachable\":true}", 200);
  message = attendant_test_client_expect (client, "phone-system");
  assert_phone_system (message, TRUE, NULL);
  g_clear_pointer (&message, json_object_unref);
  message = attendant_test_client_wait_for (later, is_phone_system, NULL);
  g_clear_pointer (&message, json_object_unref);

  /* A reason of its own when none is given. */
  g_clear_pointer (&answer, json_object_unref);
  answer = admin (fixture, "POST", "/phone-system", "{\"reachable\":false}", 200);
  message = attendant_test_client_expect (client, "phone-system");
  g_assert_false (json_object_get_boolean_member (message, "reachable"));
  g_assert_cmpstr (json_object_get_string_member (message, "reason"), !=, "");

  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (client), ==, 0);
}

static gboolean
is_snapshot (JsonObject *message,
             gpointer    user_data)
{
  return g_strcmp0 (attendant_protocol_get_type (message), "snapshot") == 0;
}

/* The telephone system's ::reset (its state rebuilt after an outage):
 * every session sends a fresh snapshot, with the calls as they are now. */
static void
test_reset_snapshot (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(AttendantTestClient) client = logged_in_with_snapshot (fixture, "primary", &snapshot);
  g_autoptr(AttendantTestClient) other = logged_in (fixture, "backup");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(JsonObject) fresh = NULL;
  g_autoptr(JsonObject) fresh_other = NULL;

  answer = admin (fixture, "POST", "/calls", "{\"number\":\"+390212345678\"}", 201);
  event = attendant_test_client_wait_call (client, NULL, "queued");

  attendant_telephony_emit_reset (attendant_server_get_telephony (fixture->server));

  fresh = attendant_test_client_expect (client, "snapshot");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (fresh, "calls")), ==, 1);
  assert_phone_system (json_object_get_object_member (fresh, "phone_system"), TRUE, NULL);
  fresh_other = attendant_test_client_wait_for (other, is_snapshot, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (fresh_other, "calls")), ==, 1);
}

/* }}} */

int
main (int    argc,
      char **argv)
{
  int status;

  attendant_test_sanitizer_setup (argv);
  attendant_tls_init ();
  g_test_init (&argc, &argv, NULL);

  pki = attendant_test_pki_new ();

  g_test_add_func ("/server/admin/token", test_token);
  g_test_add_func ("/server/admin/endpoints", test_endpoints);
  g_test_add_func ("/server/admin/loopback-only", test_loopback_only);
  g_test_add_func ("/server/admin/inject-call", test_inject_call);
  g_test_add_func ("/server/admin/set-presence", test_set_presence);
  g_test_add_func ("/server/admin/set-presence-many", test_set_presence_many);
  g_test_add_func ("/server/admin/directory", test_directory);
  g_test_add_func ("/server/admin/morning", test_morning);
  g_test_add_func ("/server/admin/crash", test_crash);
  g_test_add_func ("/server/admin/freeze", test_freeze);
  g_test_add_func ("/server/admin/stop-start", test_stop_start);
  g_test_add_func ("/server/admin/drain", test_drain);
  g_test_add_func ("/server/admin/drain-early", test_drain_early);
  g_test_add_func ("/server/admin/phone-system", test_phone_system);
  g_test_add_func ("/server/admin/reset-snapshot", test_reset_snapshot);

  status = g_test_run ();

  g_clear_pointer (&pki, attendant_test_pki_free);

  return status;
}
