/* test-server-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-session"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "attendant-test-client.h"
#include "attendant-test-fixture.h"
#include "attendant-test-pki.h"
#include "attendant-test-sanitizer.h"

/* The server side of docs/protocol.md, against the real server in this
 * process and a libsoup client on loopback: the greeting, SCRAM login and
 * its failures, the rate limit, the timeouts, heartbeat, what is ignored
 * and what closes the connection, and TLS. */

static AttendantTestPki *pki;
static GTlsDatabase *anchors;

static AttendantTestClient *
connect_to (AttendantTestFixture *fixture,
            const char           *node,
            const char           *transport)
{
  g_autofree char *url = attendant_test_fixture_url (fixture, node, transport);

  return attendant_test_client_new (url, anchors);
}

/* Connected, greeted and logged in as TEST_USER; the snapshot read. */
static AttendantTestClient *
logged_in (AttendantTestFixture *fixture)
{
  AttendantTestClient *client = connect_to (fixture, "primary", "plain");
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) ok = attendant_test_client_login (client, TEST_USER, TEST_PASSWORD);
  g_autoptr(JsonObject) snapshot = NULL;

  g_assert_cmpstr (attendant_protocol_get_type (ok), ==, "auth.ok");
  snapshot = attendant_test_client_expect (client, "snapshot");

  return client;
}

static void
assert_node_entry (JsonArray  *nodes,
                   guint       index,
                   const char *node,
                   const char *host,
                   guint16     port,
                   const char *transport)
{
  JsonObject *entry = json_array_get_object_element (nodes, index);

  g_assert_cmpstr (json_object_get_string_member (entry, "node"), ==, node);
  g_assert_cmpstr (json_object_get_string_member (entry, "host"), ==, host);
  g_assert_cmpint (json_object_get_int_member (entry, "port"), ==, port);
  g_assert_cmpstr (json_object_get_string_member (entry, "transport"), ==, transport);
}

/* {{{ Greeting */

static void
test_hello (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = connect_to (fixture, "primary", "plain");
  g_autoptr(AttendantTestClient) backup = connect_to (fixture, "backup", "plain");
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) backup_hello = attendant_test_client_expect (backup, "hello");
  JsonArray *nodes = json_object_get_array_member (hello, "nodes");
  JsonArray *mechanisms = json_object_get_array_member (hello, "mechanisms");
  g_autofree char *server = g_strdup_printf ("attendant-server %s", PACKAGE_VERSION);

  g_assert_cmpint (json_object_get_int_member (hello, "protocol"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (hello, "server"), ==, server);
  g_assert_cmpstr (json_object_get_string_member (hello, "cluster"), ==, "test");
  g_assert_cmpstr (json_object_get_string_member (hello, "node"), ==, "primary");
  g_assert_cmpint (json_object_get_int_member (hello, "heartbeat_s"), ==, 1);
  g_assert_cmpuint (json_array_get_length (mechanisms), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (mechanisms, 0), ==, "SCRAM-SHA-256");

  /* The node list: every node with its listeners' real ports, TLS first. */
  g_assert_cmpuint (json_array_get_length (nodes), ==, 3);
  assert_node_entry (nodes, 0, "primary", "127.0.0.1",
                     attendant_test_fixture_port (fixture, "primary", "tls"), "tls");
  assert_node_entry (nodes, 1, "primary", "127.0.0.1",
                     attendant_test_fixture_port (fixture, "primary", "plain"), "plain");
  assert_node_entry (nodes, 2, "backup", "127.0.0.2",
                     attendant_test_fixture_port (fixture, "backup", "plain"), "plain");

  g_assert_cmpstr (json_object_get_string_member (backup_hello, "node"), ==, "backup");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (backup_hello, "nodes")), ==, 3);
}

/* A client that does not offer attendant.v1 is refused at the upgrade. */
static void
test_subprotocol_required (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autofree char *url = attendant_test_fixture_url (fixture, "primary", "plain");
  const char *offers[] = { "", "attendant.v2" };

  for (guint i = 0; i < G_N_ELEMENTS (offers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AttendantTestClient) client = attendant_test_client_connect (url, NULL, offers[i], &error);

      g_assert_null (client);
      g_assert_nonnull (error);
    }

  /* The server is fine afterwards. */
  {
    g_autoptr(AttendantTestClient) client = attendant_test_client_new (url, NULL);
    g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");

    g_assert_cmpstr (soup_websocket_connection_get_protocol (attendant_test_client_get_websocket (client)),
                     ==, "attendant.v1");
  }
}

/* }}} */
/* {{{ Login */

static void
test_login (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = connect_to (fixture, "primary", "plain");
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) ok = attendant_test_client_login (client, TEST_USER, TEST_PASSWORD);
  g_autoptr(JsonObject) snapshot = NULL;
  JsonObject *me;
  JsonArray *directory;
  JsonArray *queues;
  JsonObject *contact = NULL;

  g_assert_cmpstr (attendant_protocol_get_type (ok), ==, "auth.ok");
  g_assert_cmpstr (json_object_get_string_member (ok, "user"), ==, TEST_USER);
  g_assert_cmpstr (json_object_get_string_member (ok, "display_name"), ==, "Reception Desk");
  g_assert_cmpstr (json_object_get_string_member (ok, "extension"), ==, TEST_EXTENSION);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (ok, "session"), "s-"));

  /* The snapshot comes right after auth.ok. */
  snapshot = attendant_test_client_expect (client, "snapshot");
  me = json_object_get_object_member (snapshot, "me");
  g_assert_cmpstr (json_object_get_string_member (me, "user"), ==, TEST_USER);
  g_assert_cmpstr (json_object_get_string_member (me, "extension"), ==, TEST_EXTENSION);
  g_assert_cmpint (json_object_get_int_member (snapshot, "seq"), >=, 0);

  directory = json_object_get_array_member (snapshot, "directory");
  /* Five from the directory, and the attendants' extensions 200 and 210. */
  g_assert_cmpuint (json_array_get_length (directory), ==, 7);
  for (guint i = 0; i < json_array_get_length (directory); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (directory, i), "id"), "ext-202"))
      contact = json_array_get_object_element (directory, i);
  g_assert_nonnull (contact);
  g_assert_cmpstr (json_object_get_string_member (contact, "name"), ==, "Carla Rossi");
  g_assert_cmpstr (json_object_get_string_member (contact, "number"), ==, "202");
  g_assert_cmpstr (json_object_get_string_member (contact, "department"), ==, "Support");
  g_assert_cmpstr (json_object_get_string_member (contact, "presence"), ==, "away");

  queues = json_object_get_array_member (snapshot, "queues");
  g_assert_cmpuint (json_array_get_length (queues), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (queues, 0), "id"), ==, "main");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (queues, 0), "name"), ==, "Reception");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snapshot, "calls")), ==, 0);
}

static void
assert_refused (AttendantTestFixture *fixture,
                const char           *user,
                const char           *password,
                const char           *reason)
{
  g_autoptr(AttendantTestClient) client = connect_to (fixture, "primary", "plain");
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) answer = attendant_test_client_login (client, user, password);

  g_assert_cmpstr (attendant_protocol_get_type (answer), ==, "auth.failed");
  g_assert_cmpstr (json_object_get_string_member (answer, "reason"), ==, reason);
  g_assert_nonnull (json_object_get_string_member (answer, "text"));
  g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, ATTENDANT_CLOSE_AUTH_FAILED);
}

static void
test_wrong_password (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);

  assert_refused (fixture, TEST_USER, "wrong horse", "invalid-credentials");
}

/* Exactly like a wrong password: nothing tells that the user is unknown. */
static void
test_unknown_user (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);

  assert_refused (fixture, "mallory", TEST_PASSWORD, "invalid-credentials");
}

static char *
decoy_salt (const char *users_file,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AttendantUsers) users = attendant_users_new_from_file (users_file, &error);
  g_autoptr(AttendantScramCredentials) credentials = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;

  g_assert_no_error (error);
  credentials = attendant_users_lookup_credentials (users, name);
  text = attendant_scram_credentials_to_string (credentials);
  parts = g_strsplit (text, "$", -1);
  return g_strdup (parts[2]);
}

/* An unknown name's salt is the same from every
 * AttendantUsers that reads the same file (another node, a restart):
 * with the secret add-user writes, and, derived from the users' keys,
 * without it; two files with different secrets give different salts. */
static void
test_unknown_user_salt (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *bare_file = NULL;
  g_autofree char *bare_first = NULL;
  g_autofree char *bare_again = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  first = decoy_salt (fixture->users_file, "mallory");
  again = decoy_salt (fixture->users_file, "mallory");
  g_assert_cmpstr (first, ==, again);

  /* Without [unknown-users] (a file from before it): still stable, but a
   * salt of its own. */
  g_key_file_load_from_file (key_file, fixture->users_file, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_key_file_has_group (key_file, "unknown-users"));
  g_key_file_remove_group (key_file, "unknown-users", NULL);
  contents = g_key_file_to_data (key_file, NULL, NULL);
  bare_file = attendant_test_write_file (fixture->dir, "bare-users.ini", contents);
  bare_first = decoy_salt (bare_file, "mallory");
  bare_again = decoy_salt (bare_file, "mallory");
  g_assert_cmpstr (bare_first, ==, bare_again);
  g_assert_cmpstr (bare_first, !=, first);
}

static void
test_rate_limit (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, "login-failures=3\n");

  for (guint i = 0; i < 3; i++)
    assert_refused (fixture, TEST_USER, "guess", "invalid-credentials");

  /* Now even the right password is refused from this address. */
  assert_refused (fixture, TEST_USER, TEST_PASSWORD, "rate-limited");
}

/* The rate limit's queue: with login-failures=1, a second auth.start from the
 * same address while the first is challenged waits (a ping sent after it
 * is answered first); the first's right proof takes its attempt off, and
 * the second is challenged and logs in. Then a client that stops after
 * its challenge leaves a failure: the next login is refused. */
static void
test_rate_limit_queue (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, "login-failures=1\n");
  g_autoptr(AttendantTestClient) a = connect_to (fixture, "primary", "plain");
  g_autoptr(AttendantTestClient) b = connect_to (fixture, "primary", "plain");
  g_autoptr(AttendantScram) a_scram = attendant_scram_new_client (TEST_USER, TEST_PASSWORD, NULL);
  g_autoptr(AttendantScram) b_scram = attendant_scram_new_client (TEST_USER, TEST_PASSWORD, NULL);
  g_autoptr(JsonObject) a_hello = attendant_test_client_expect (a, "hello");
  g_autoptr(JsonObject) b_hello = attendant_test_client_expect (b, "hello");
  g_autoptr(JsonObject) a_challenge = NULL;
  g_autoptr(JsonObject) b_challenge = NULL;
  g_autoptr(JsonObject) pong = NULL;
  g_autoptr(JsonObject) a_answer = NULL;
  g_autoptr(JsonObject) b_answer = NULL;

  attendant_test_client_auth_start (a, a_scram);
  a_challenge = attendant_test_client_expect (a, "auth.challenge");

  attendant_test_client_auth_start (b, b_scram);
  attendant_test_client_send (b, "{\"type\":\"ping\",\"id\":7}");
  pong = attendant_test_client_expect (b, "pong");

  a_answer = attendant_test_client_auth_finish (a, a_scram, a_challenge);
  g_assert_cmpstr (attendant_protocol_get_type (a_answer), ==, "auth.ok");
  b_challenge = attendant_test_client_expect (b, "auth.challenge");
  b_answer = attendant_test_client_auth_finish (b, b_scram, b_challenge);
  g_assert_cmpstr (attendant_protocol_get_type (b_answer), ==, "auth.ok");

  /* Two right logins left nothing on the count; a probe that stops after
   * its challenge does. */
  {
    g_autoptr(AttendantTestClient) probe = connect_to (fixture, "primary", "plain");
    g_autoptr(AttendantScram) scram = attendant_scram_new_client (TEST_USER, "a guess", NULL);
    g_autoptr(JsonObject) hello = attendant_test_client_expect (probe, "hello");
    g_autoptr(JsonObject) challenge = NULL;

    attendant_test_client_auth_start (probe, scram);
    challenge = attendant_test_client_expect (probe, "auth.challenge");
  }
  assert_refused (fixture, TEST_USER, TEST_PASSWORD, "rate-limited");
}

/* Once the failures leave the window, logins are accepted again. */
static void
test_rate_limit_window (void)
{
  g_autoptr(AttendantTestFixture) fixture =
    attendant_test_fixture_new (pki, "login-failures=1\nlogin-window=1\n");
  g_autoptr(AttendantTestClient) client = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(JsonObject) ok = NULL;
  gint64 failed_at = g_get_monotonic_time ();

  assert_refused (fixture, TEST_USER, "guess", "invalid-credentials");
  assert_refused (fixture, TEST_USER, TEST_PASSWORD, "rate-limited");

  /* The window is the scenario here: the test has to let it pass. */
  attendant_test_let_time_pass (1100 - (guint)((g_get_monotonic_time () - failed_at) / 1000));

  client = connect_to (fixture, "primary", "plain");
  hello = attendant_test_client_expect (client, "hello");
  ok = attendant_test_client_login (client, TEST_USER, TEST_PASSWORD);
  g_assert_cmpstr (attendant_protocol_get_type (ok), ==, "auth.ok");
}

static void
test_unsupported_mechanism (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = connect_to (fixture, "primary", "plain");
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) answer = NULL;

  attendant_test_client_send (client, "{\"type\":\"auth.start\",\"mechanism\":\"PLAIN\",\"data\":\"AGEAYg==\"}");
  answer = attendant_test_client_expect (client, "auth.failed");
  g_assert_cmpstr (json_object_get_string_member (answer, "reason"), ==, "unsupported-mechanism");
  g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, ATTENDANT_CLOSE_AUTH_FAILED);
}

static void
test_auth_out_of_order (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = connect_to (fixture, "primary", "plain");
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) answer = NULL;

  attendant_test_client_send (client, "{\"type\":\"auth.finish\",\"data\":\"Yz1iaXdz\"}");
  answer = attendant_test_client_expect (client, "auth.failed");
  g_assert_cmpstr (json_object_get_string_member (answer, "reason"), ==, "malformed");
  g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, ATTENDANT_CLOSE_AUTH_FAILED);
}

static void
test_auth_timeout (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, "auth-timeout=0.5\n");
  g_autoptr(AttendantTestClient) client = connect_to (fixture, "primary", "plain");
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");

  /* A ping is not a login. */
  g_clear_pointer (&hello, json_object_unref);
  hello = attendant_test_client_ping (client);
  g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, ATTENDANT_CLOSE_AUTH_TIMEOUT);
}

static void
test_command_before_login (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = connect_to (fixture, "primary", "plain");
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");

  g_assert_cmpstr (attendant_test_client_command_error (client, "call.answer", "{\"call\":\"call-1\"}"),
                   ==, "not-authenticated");
  /* Still connected, and still able to log in. */
  g_clear_pointer (&hello, json_object_unref);
  hello = attendant_test_client_login (client, TEST_USER, TEST_PASSWORD);
  g_assert_cmpstr (attendant_protocol_get_type (hello), ==, "auth.ok");
}

/* }}} */
/* {{{ Heartbeat and timeouts */

static void
test_ping_before_login (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = connect_to (fixture, "primary", "plain");
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) pong = attendant_test_client_ping (client);
}

static void
test_idle_timeout (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, "idle-timeout=3\n");
  g_autoptr(AttendantTestClient) client = logged_in (fixture);
  g_autoptr(AttendantTestClient) quiet = logged_in (fixture);
  gint64 started = g_get_monotonic_time ();

  /* The one that pings every second (the heartbeat) stays while the quiet
   * one is closed with 4003 once 3 s have passed. */
  while (!attendant_test_client_is_closed (quiet))
    {
      g_autoptr(JsonObject) nothing = attendant_test_client_next_within (client, 1000);

      g_assert_null (nothing);
      g_clear_pointer (&nothing, json_object_unref);
      nothing = attendant_test_client_ping (client);
      g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);
    }

  g_assert_cmpuint (attendant_test_client_wait_closed (quiet), ==, ATTENDANT_CLOSE_IDLE_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 2500 * 1000);
  g_assert_false (attendant_test_client_is_closed (client));
}

/* }}} */
/* {{{ What is ignored and what closes */

static void
test_unknown_type_ignored (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = logged_in (fixture);
  g_autoptr(JsonObject) pong = NULL;

  attendant_test_client_send (client, "{\"type\":\"x-future\",\"whatever\":[1,2,3]}");
  /* So is a known type with members nobody has heard of. */
  attendant_test_client_send (client, "{\"type\":\"pong\",\"id\":3,\"extra\":true}");

  /* Nothing came back for them: the pong is the very next message. */
  pong = attendant_test_client_ping (client);
  g_assert_false (attendant_test_client_is_closed (client));
}

static void
test_malformed (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  static const char * const cases[] = {
    "this is not JSON",
    "[1, 2, 3]",
    "{\"no\": \"type\"}",
    "{\"type\": 42}",
    "{\"type\": \"ping\", \"id\": \"seven\"}",
    "{\"type\": \"command\", \"command\": \"dial\"}",
    "{\"type\": \"auth.start\", \"mechanism\": \"SCRAM-SHA-256\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AttendantTestClient) client = connect_to (fixture, "primary", "plain");
      g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");

      g_test_message ("malformed: %s", cases[i]);
      attendant_test_client_send (client, cases[i]);
      g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, ATTENDANT_CLOSE_PROTOCOL_ERROR);
    }

  /* Another client is still served. */
  {
    g_autoptr(AttendantTestClient) client = logged_in (fixture);
    g_autoptr(JsonObject) pong = attendant_test_client_ping (client);
  }
}

static void
test_binary_frame (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = connect_to (fixture, "primary", "plain");
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  static const char data[] = "{\"type\":\"ping\",\"id\":1}";

  soup_websocket_connection_send_binary (attendant_test_client_get_websocket (client), data, sizeof data - 1);
  g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, ATTENDANT_CLOSE_PROTOCOL_ERROR);
}

static void
test_command_id_too_long (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = logged_in (fixture);
  g_autofree char *id = g_strnfill (65, 'x');
  g_autofree char *text = g_strdup_printf ("{\"type\":\"command\",\"id\":\"%s\",\"command\":\"dial\","
                                           "\"args\":{\"number\":\"201\"}}", id);

  attendant_test_client_send (client, text);
  g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, ATTENDANT_CLOSE_PROTOCOL_ERROR);
}

/* A message of @size bytes: an object of an unknown type, padded. */
static char *
padded_message (gsize size)
{
  static const char head[] = "{\"type\":\"x-padding\",\"pad\":\"";
  static const char tail[] = "\"}";
  g_autofree char *pad = g_strnfill (size - (sizeof head - 1) - (sizeof tail - 1), 'a');
  char *text = g_strconcat (head, pad, tail, NULL);

  g_assert_cmpuint (strlen (text), ==, size);

  return text;
}

static void
test_size_limit (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = logged_in (fixture);
  g_autoptr(AttendantTestClient) big = logged_in (fixture);
  g_autoptr(AttendantTestClient) huge = logged_in (fixture);
  g_autofree char *exactly = padded_message (ATTENDANT_PROTOCOL_MAX_MESSAGE);
  g_autofree char *over = padded_message (ATTENDANT_PROTOCOL_MAX_MESSAGE + 1);
  g_autofree char *far_over = padded_message (8 * ATTENDANT_PROTOCOL_MAX_MESSAGE);
  g_autoptr(JsonObject) pong = NULL;

  /* 1 MiB is allowed (and this one is ignored: its type is unknown). */
  attendant_test_client_send (client, exactly);
  pong = attendant_test_client_ping (client);

  /* One byte more is not: 1009. */
  attendant_test_client_send (big, over);
  g_assert_cmpuint (attendant_test_client_wait_closed (big), ==, ATTENDANT_CLOSE_TOO_BIG);

  /* Nor is far more, which the server refuses before reading it all. */
  attendant_test_client_send (huge, far_over);
  g_assert_cmpuint (attendant_test_client_wait_closed (huge), ==, ATTENDANT_CLOSE_TOO_BIG);

  g_clear_pointer (&pong, json_object_unref);
  pong = attendant_test_client_ping (client);
}

/* }}} */
/* {{{ TLS */

static void
test_tls_login (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autoptr(AttendantTestClient) client = connect_to (fixture, "primary", "tls");
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) ok = attendant_test_client_login (client, TEST_USER, TEST_PASSWORD);
  g_autoptr(JsonObject) snapshot = NULL;

  g_assert_cmpstr (json_object_get_string_member (hello, "node"), ==, "primary");
  g_assert_cmpstr (attendant_protocol_get_type (ok), ==, "auth.ok");
  snapshot = attendant_test_client_expect (client, "snapshot");
}

typedef struct
{
  char    *out;
  char    *err;
  GError  *error;
  gboolean done;
} Tool;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Tool *tool = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &tool->out, &tool->err, &tool->error);
  tool->done = TRUE;
}

static gboolean
tool_done (gpointer data)
{
  return ((Tool *)data)->done;
}

/* gnutls-cli limited to @priority against the TLS listener; the server in
 * this process answers while the test waits for the tool. */
static gboolean
gnutls_handshake (guint16      port,
                  const char  *priority,
                  char       **out)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  Tool tool = { 0 };
  gboolean ok;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              "gnutls-cli", "--priority", priority, "--x509cafile", pki->ca_file,
                              "--port", port_text, "127.0.0.1", NULL);
  g_assert_no_error (error);

  /* An empty standard input: gnutls-cli leaves after the handshake. */
  g_subprocess_communicate_utf8_async (process, "", NULL, communicate_cb, &tool);
  attendant_test_wait_until (tool_done, &tool, "gnutls-cli");
  g_assert_no_error (tool.error);

  ok = g_subprocess_get_successful (process);
  g_test_message ("gnutls-cli %s: %s\n%s\n%s", priority, ok ? "succeeded" : "failed", tool.out, tool.err);
  *out = tool.out;
  g_free (tool.err);

  return ok;
}

static void
test_tls10_refused (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  guint16 port = attendant_test_fixture_port (fixture, "primary", "tls");
  g_autofree char *out10 = NULL;
  g_autofree char *out11 = NULL;
  g_autofree char *out12 = NULL;
  g_autofree char *out13 = NULL;
  g_autofree char *tool = g_find_program_in_path ("gnutls-cli");

  if (tool == NULL)
    {
      g_test_skip ("gnutls-cli is not installed");
      return;
    }

  g_assert_false (gnutls_handshake (port, "NORMAL:-VERS-ALL:+VERS-TLS1.0", &out10));
  g_assert_false (gnutls_handshake (port, "NORMAL:-VERS-ALL:+VERS-TLS1.1", &out11));

  /* The controls: the same tool and certificate work with 1.2 and 1.3. */
  g_assert_true (gnutls_handshake (port, "NORMAL:-VERS-ALL:+VERS-TLS1.2", &out12));
  g_assert_nonnull (strstr (out12, "TLS1.2"));
  g_assert_true (gnutls_handshake (port, "NORMAL:-VERS-ALL:+VERS-TLS1.3", &out13));
  g_assert_nonnull (strstr (out13, "TLS1.3"));
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
  anchors = attendant_test_pki_new_anchors (pki);

  g_test_add_func ("/server/session/hello", test_hello);
  g_test_add_func ("/server/session/subprotocol-required", test_subprotocol_required);
  g_test_add_func ("/server/session/login", test_login);
  g_test_add_func ("/server/session/wrong-password", test_wrong_password);
  g_test_add_func ("/server/session/unknown-user", test_unknown_user);
  g_test_add_func ("/server/session/unknown-user-salt", test_unknown_user_salt);
  g_test_add_func ("/server/session/rate-limit", test_rate_limit);
  g_test_add_func ("/server/session/rate-limit-window", test_rate_limit_window);
  g_test_add_func ("/server/session/rate-limit-queue", test_rate_limit_queue);
  g_test_add_func ("/server/session/unsupported-mechanism", test_unsupported_mechanism);
  g_test_add_func ("/server/session/auth-out-of-order", test_auth_out_of_order);
  g_test_add_func ("/server/session/auth-timeout", test_auth_timeout);
  g_test_add_func ("/server/session/command-before-login", test_command_before_login);
  g_test_add_func ("/server/session/ping-before-login", test_ping_before_login);
  g_test_add_func ("/server/session/idle-timeout", test_idle_timeout);
  g_test_add_func ("/server/session/unknown-type-ignored", test_unknown_type_ignored);
  g_test_add_func ("/server/session/malformed", test_malformed);
  g_test_add_func ("/server/session/binary-frame", test_binary_frame);
  g_test_add_func ("/server/session/command-id-too-long", test_command_id_too_long);
  g_test_add_func ("/server/session/size-limit", test_size_limit);
  g_test_add_func ("/server/session/tls-login", test_tls_login);
  g_test_add_func ("/server/session/tls10-refused", test_tls10_refused);

  status = g_test_run ();

  g_clear_object (&anchors);
  g_clear_pointer (&pki, attendant_test_pki_free);

  return status;
}
