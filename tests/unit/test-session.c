/* test-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-session"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "fuzz-common.h"

/* AttendantSession against a scripted peer: a real WebSocket over a socket
 * pair, whose server end logs the client in with genuine SCRAM and then
 * sends what each test says. Here: a snapshot in parts (docs/protocol.md
 * §2.3) is merged into one "snapshot" signal, and the protocol errors
 * around it close the session with 1002. */

/* The fuzz targets' user and its keys (fuzz-common.c): the
 * test is about what follows the login. */
#define USER     FUZZ_USER
#define PASSWORD FUZZ_PASSWORD

typedef struct
{
  SoupWebsocketConnection *client_ws;
  SoupWebsocketConnection *server_ws;
  AttendantScram          *server_scram;
  AttendantSession        *session;
  GPtrArray               *snapshots;    /* JsonObject */
  GPtrArray               *events;       /* JsonObject */
  gboolean                 logged_in;
  gboolean                 closed;
  AttendantCloseReason     close_reason;
  char                    *close_message;
  gushort                  peer_close_code;
  gboolean                 peer_closed;
} Fixture;

static void
peer_send (Fixture    *f,
           const char *text)
{
  soup_websocket_connection_send_text (f->server_ws, text);
}

/* The server end: the SCRAM half of a genuine server, nothing more. */
static void
peer_message_cb (SoupWebsocketConnection *websocket,
                 int                      type,
                 GBytes                  *bytes,
                 Fixture                 *f)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  g_autoptr(JsonObject) message = attendant_protocol_decode (data, length, NULL);
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  const char *kind;
  gboolean done = FALSE;

  g_assert_nonnull (message);
  kind = attendant_protocol_get_type (message);

  if (g_str_equal (kind, "auth.start"))
    {
      g_clear_object (&f->server_scram);
      f->server_scram = attendant_scram_new_server (fuzz_lookup, NULL, NULL);
      out = attendant_scram_step (f->server_scram, json_object_get_string_member (message, "data"),
                                  &done, NULL);
      g_assert_nonnull (out);
      answer = attendant_protocol_message_new ("auth.challenge");
    }
  else if (g_str_equal (kind, "auth.finish"))
    {
      out = attendant_scram_step (f->server_scram, json_object_get_string_member (message, "data"),
                                  &done, NULL);
      g_assert_nonnull (out);
      g_assert_true (done);
      answer = attendant_protocol_message_new ("auth.ok");
      json_object_set_string_member (answer, "user", USER);
      json_object_set_string_member (answer, "extension", "200");
    }
  else
    return;

  json_object_set_string_member (answer, "data", out);
  text = attendant_protocol_encode (answer);
  peer_send (f, text);
}

static void
peer_closed_cb (SoupWebsocketConnection *websocket,
                Fixture                 *f)
{
  f->peer_closed = TRUE;
  f->peer_close_code = soup_websocket_connection_get_close_code (websocket);
}

static void
snapshot_cb (AttendantSession *session,
             JsonObject       *snapshot,
             Fixture          *f)
{
  g_ptr_array_add (f->snapshots, json_object_ref (snapshot));
}

static void
event_cb (AttendantSession *session,
          JsonObject       *event,
          Fixture          *f)
{
  g_ptr_array_add (f->events, json_object_ref (event));
}

static void
closed_cb (AttendantSession     *session,
           AttendantCloseReason  reason,
           const char           *message,
           Fixture              *f)
{
  g_assert_false (f->closed);
  f->closed = TRUE;
  f->close_reason = reason;
  f->close_message = g_strdup (message);
}

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  f->logged_in = attendant_session_login_finish (ATTENDANT_SESSION (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("Waited 10 s for %s in vain", (const char *)user_data);
  return G_SOURCE_REMOVE;
}

static void
wait_for (gboolean   *flag,
          const char *what)
{
  guint source = g_timeout_add_seconds (10, timeout_cb, (gpointer)what);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (source);
}

static Fixture *
fixture_new (void)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autoptr(AttendantGreeting) greeting = NULL;
  g_autoptr(AttendantEndpoint) endpoint = NULL;
  g_autoptr(AttendantConnection) connection = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(GError) error = NULL;
  const char *hello_text =
    "{\"type\":\"hello\",\"protocol\":1,\"server\":\"test\",\"cluster\":\"test\",\"node\":\"dc1\","
    "\"nodes\":[],\"mechanisms\":[\"SCRAM-SHA-256\"],\"heartbeat_s\":5}";

  fuzz_websocket_pair (&f->client_ws, &f->server_ws);
  g_signal_connect (f->server_ws, "message", G_CALLBACK (peer_message_cb), f);
  g_signal_connect (f->server_ws, "closed", G_CALLBACK (peer_closed_cb), f);
  f->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);

  /* What AttendantProtocolGreeter makes of the hello. */
  hello = attendant_protocol_decode (hello_text, strlen (hello_text), &error);
  g_assert_no_error (error);
  greeting = attendant_greeting_new (f->client_ws, hello, &error);
  g_assert_no_error (error);
  endpoint = attendant_endpoint_new ("127.0.0.1", 47001, 0, 0, ATTENDANT_ENDPOINT_ORIGIN_DIRECT);
  connection = attendant_connection_new (soup_websocket_connection_get_io_stream (f->client_ws),
                                         endpoint, "127.0.0.1", G_OBJECT (greeting));

  f->session = attendant_session_new (connection, 5);
  g_signal_connect (f->session, "snapshot", G_CALLBACK (snapshot_cb), f);
  g_signal_connect (f->session, "event", G_CALLBACK (event_cb), f);
  g_signal_connect (f->session, "closed", G_CALLBACK (closed_cb), f);
  attendant_session_login_async (f->session, USER, PASSWORD, NULL, login_cb, f);
  wait_for (&f->logged_in, "the login");

  return f;
}

static void
fixture_free (Fixture *f)
{
  if (!f->closed)
    attendant_session_close (f->session);
  if (soup_websocket_connection_get_state (f->server_ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (f->server_ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  wait_for (&f->peer_closed, "the peer's end to close");

  g_signal_handlers_disconnect_by_data (f->server_ws, f);
  g_signal_handlers_disconnect_by_data (f->session, f);
  g_clear_object (&f->session);
  g_clear_object (&f->client_ws);
  g_clear_object (&f->server_ws);
  g_clear_object (&f->server_scram);
  g_clear_pointer (&f->snapshots, g_ptr_array_unref);
  g_clear_pointer (&f->events, g_ptr_array_unref);
  g_free (f->close_message);

  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

#define SNAPSHOT_HEAD \
  "{\"type\":\"snapshot\",\"seq\":41,\"me\":{\"user\":\"reception\",\"extension\":\"200\"}," \
  "\"queues\":[{\"id\":\"main\",\"name\":\"Reception\"}],\"calls\":[],"

#define CONTACT(n) \
  "{\"id\":\"ext-" n "\",\"name\":\"Person " n "\",\"number\":\"" n "\"," \
  "\"department\":\"Sales\",\"presence\":\"available\"}"

#define PRESENCE_EVENT(seq) \
  "{\"type\":\"event\",\"seq\":" seq ",\"event\":\"presence\",\"id\":\"ext-201\",\"presence\":\"busy\"}"

static void
script (Fixture           *f,
        const char * const *frames)
{
  for (guint i = 0; frames[i] != NULL; i++)
    peer_send (f, frames[i]);
}

static gboolean pong_seen;

static void
pong_cb (SoupWebsocketConnection *websocket,
         int                      type,
         GBytes                  *bytes,
         gpointer                 user_data)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  if (g_strstr_len (data, length, "\"pong\"") != NULL)
    pong_seen = TRUE;
}

/* Waits until the session has read everything sent so far: it answers a
 * ping sent after it with a pong (or has closed by then). */
static void
settle (Fixture *f)
{
  gulong id = g_signal_connect (f->server_ws, "message", G_CALLBACK (pong_cb), NULL);
  guint source = g_timeout_add_seconds (10, timeout_cb, (gpointer)"the session to read the script");

  pong_seen = FALSE;
  peer_send (f, "{\"type\":\"ping\",\"id\":99}");
  while (!pong_seen && !f->closed)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (source);
  g_signal_handler_disconnect (f->server_ws, id);
}

static void
assert_protocol_error (Fixture    *f,
                       const char *words)
{
  g_assert_true (f->closed);
  g_assert_cmpint (f->close_reason, ==, ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR);
  g_test_message ("closed: %s", f->close_message);
  g_assert_nonnull (strstr (f->close_message, words));
  wait_for (&f->peer_closed, "the close frame");
  g_assert_cmpuint (f->peer_close_code, ==, ATTENDANT_CLOSE_PROTOCOL_ERROR);
  g_assert_cmpuint (f->snapshots->len, ==, 0);
  g_assert_cmpuint (f->events->len, ==, 0);
}

static void
test_snapshot_whole (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  const char * const frames[] = {
    SNAPSHOT_HEAD "\"directory\":[" CONTACT ("201") "]}",
    PRESENCE_EVENT ("42"),
    NULL
  };

  script (f, frames);
  settle (f);

  g_assert_false (f->closed);
  g_assert_cmpuint (f->snapshots->len, ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (f->snapshots->pdata[0], "directory")), ==, 1);
  g_assert_cmpuint (f->events->len, ==, 1);
}

/* Three parts, one signal: the directory in order, everything else from
 * the first part, no "more"; the event after it continues its seq. */
static void
test_snapshot_parts (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  const char * const first[] = {
    SNAPSHOT_HEAD "\"directory\":[" CONTACT ("201") "," CONTACT ("202") "],\"more\":true}",
    "{\"type\":\"snapshot.more\",\"directory\":[" CONTACT ("203") "],\"more\":true}",
    NULL
  };
  const char * const last[] = {
    "{\"type\":\"snapshot.more\",\"directory\":[" CONTACT ("204") "," CONTACT ("205") "],\"more\":false}",
    PRESENCE_EVENT ("42"),
    NULL
  };
  JsonObject *snapshot;
  JsonArray *directory;

  script (f, first);
  settle (f);
  g_assert_false (f->closed);
  g_assert_cmpuint (f->snapshots->len, ==, 0);

  script (f, last);
  settle (f);
  g_assert_false (f->closed);
  g_assert_cmpuint (f->snapshots->len, ==, 1);
  snapshot = f->snapshots->pdata[0];
  g_assert_cmpint (json_object_get_int_member (snapshot, "seq"), ==, 41);
  g_assert_false (json_object_has_member (snapshot, "more"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (snapshot, "me"), "extension"), ==, "200");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snapshot, "queues")), ==, 1);
  directory = json_object_get_array_member (snapshot, "directory");
  g_assert_cmpuint (json_array_get_length (directory), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *number = g_strdup_printf ("%u", 201 + i);

      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (directory, i), "number"),
                       ==, number);
    }
  g_assert_cmpuint (f->events->len, ==, 1);
}

static void
test_more_without_snapshot (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  const char * const frames[] = {
    "{\"type\":\"snapshot.more\",\"directory\":[" CONTACT ("203") "],\"more\":false}",
    NULL
  };

  script (f, frames);
  settle (f);
  assert_protocol_error (f, "without its beginning");
}

static void
test_event_between_parts (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  const char * const frames[] = {
    SNAPSHOT_HEAD "\"directory\":[" CONTACT ("201") "],\"more\":true}",
    PRESENCE_EVENT ("42"),
    "{\"type\":\"snapshot.more\",\"directory\":[" CONTACT ("203") "],\"more\":false}",
    NULL
  };

  script (f, frames);
  settle (f);
  assert_protocol_error (f, "in the middle of a snapshot");
}

/* The phone system's reachability has no seq, but it comes between the
 * parts of a snapshot no more than an event does. */
static void
test_phone_system_between_parts (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  const char * const frames[] = {
    SNAPSHOT_HEAD "\"directory\":[" CONTACT ("201") "],\"more\":true}",
    "{\"type\":\"phone-system\",\"reachable\":false,\"reason\":\"Asterisk is restarting\"}",
    "{\"type\":\"snapshot.more\",\"directory\":[" CONTACT ("203") "],\"more\":false}",
    NULL
  };

  script (f, frames);
  settle (f);
  assert_protocol_error (f, "message in the middle of a snapshot");
}

static void
test_snapshot_between_parts (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  const char * const frames[] = {
    SNAPSHOT_HEAD "\"directory\":[" CONTACT ("201") "],\"more\":true}",
    SNAPSHOT_HEAD "\"directory\":[" CONTACT ("202") "]}",
    NULL
  };

  script (f, frames);
  settle (f);
  assert_protocol_error (f, "before it finished");
}

static void
test_more_not_boolean (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  const char * const frames[] = {
    SNAPSHOT_HEAD "\"directory\":[" CONTACT ("201") "],\"more\":\"yes\"}",
    NULL
  };

  script (f, frames);
  settle (f);
  assert_protocol_error (f, "not a boolean");
}

/* The decoder: a part lacking its members is malformed before the session
 * sees it. */
static void
test_more_malformed (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  const char * const frames[] = {
    SNAPSHOT_HEAD "\"directory\":[" CONTACT ("201") "],\"more\":true}",
    "{\"type\":\"snapshot.more\",\"directory\":[" CONTACT ("203") "]}",
    NULL
  };

  script (f, frames);
  settle (f);
  assert_protocol_error (f, "“more”");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session/snapshot/whole", test_snapshot_whole);
  g_test_add_func ("/session/snapshot/parts", test_snapshot_parts);
  g_test_add_func ("/session/snapshot/more-without-snapshot", test_more_without_snapshot);
  g_test_add_func ("/session/snapshot/event-between-parts", test_event_between_parts);
  g_test_add_func ("/session/snapshot/snapshot-between-parts", test_snapshot_between_parts);
  g_test_add_func ("/session/snapshot/phone-system-between-parts", test_phone_system_between_parts);
  g_test_add_func ("/session/snapshot/more-not-boolean", test_more_not_boolean);
  g_test_add_func ("/session/snapshot/more-malformed", test_more_malformed);

  return g_test_run ();
}
