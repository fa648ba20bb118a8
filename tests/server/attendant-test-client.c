/* attendant-test-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-client"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "attendant-test-client.h"

/* A small Attendant client for the server tests, on libsoup's WebSocket
 * support and the core's SCRAM: it queues what the server sends, checks
 * every message the way a real client would decode it, and checks that
 * event sequence numbers increase by one. Every wait runs the main loop
 * until what is awaited arrives, bounded by ATTENDANT_TEST_DEADLINE_S. */

struct _AttendantTestClient
{
  SoupSession             *session;
  SoupWebsocketConnection *websocket;
  GError                  *connect_error;
  gboolean                 connecting;
  GQueue                   messages;
  gboolean                 closed;
  gushort                  close_code;
  gint64                   last_seq;     /* -1 before the snapshot */
  guint                    seq_errors;
  guint                    next_command;
  gint64                   next_ping;
};

/* {{{ Waiting */

typedef struct
{
  gboolean (*condition) (gpointer);
  gpointer data;
  gboolean expired;
} Wait;

static gboolean
deadline_cb (gpointer user_data)
{
  Wait *wait = user_data;

  wait->expired = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
wait_with_deadline (gboolean  (*condition) (gpointer),
                    gpointer    data,
                    guint       milliseconds)
{
  Wait wait = { condition, data, FALSE };
  guint source = g_timeout_add (milliseconds, deadline_cb, &wait);

  while (!condition (data) && !wait.expired)
    g_main_context_iteration (NULL, TRUE);

  if (!wait.expired)
    g_source_remove (source);

  return condition (data);
}

void
attendant_test_wait_until (gboolean  (*condition) (gpointer),
                           gpointer    data,
                           const char *what)
{
  if (!wait_with_deadline (condition, data, ATTENDANT_TEST_DEADLINE_S * 1000))
    g_error ("Waited %d s for %s in vain", ATTENDANT_TEST_DEADLINE_S, what);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* For tests whose scenario is time itself (a window, a timeout): runs the
 * main loop for @milliseconds. */
void
attendant_test_let_time_pass (guint milliseconds)
{
  wait_with_deadline (never, NULL, milliseconds);
}

/* }}} */
/* {{{ Connection */

static void
on_message (SoupWebsocketConnection *websocket,
            int                      type,
            GBytes                  *bytes,
            AttendantTestClient     *self)
{
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonObject *message;
  const char *kind;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);

  /* What the server sends must pass the client's own checks. */
  message = attendant_protocol_decode (data, length, &error);
  g_assert_no_error (error);

  kind = attendant_protocol_get_type (message);
  if (g_str_equal (kind, "snapshot"))
    self->last_seq = json_object_get_int_member (message, "seq");
  else if (g_str_equal (kind, "event"))
    {
      gint64 seq = json_object_get_int_member (message, "seq");

      if (self->last_seq >= 0 && seq != self->last_seq + 1)
        {
          g_test_message ("sequence gap: %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT,
                          seq, self->last_seq);
          self->seq_errors++;
        }
      self->last_seq = seq;
    }

  g_queue_push_tail (&self->messages, message);
}

static void
on_closed (SoupWebsocketConnection *websocket,
           AttendantTestClient     *self)
{
  self->closed = TRUE;
  self->close_code = soup_websocket_connection_get_close_code (websocket);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  AttendantTestClient *self = user_data;

  self->websocket = soup_session_websocket_connect_finish (SOUP_SESSION (object), result,
                                                           &self->connect_error);
  self->connecting = FALSE;
}

static gboolean
connected (gpointer data)
{
  AttendantTestClient *self = data;

  return !self->connecting;
}

/**
 * attendant_test_client_connect:
 * @anchors: (nullable): the test CA, for wss://
 * @protocol: (nullable): the subprotocol to offer; %NULL for
 *   attendant.v1, "" for none
 *
 * Returns: (transfer full) (nullable): the client, once the WebSocket is
 *   open, or %NULL with @error
 */
AttendantTestClient *
attendant_test_client_connect (const char    *url,
                               GTlsDatabase  *anchors,
                               const char    *protocol,
                               GError       **error)
{
  g_autoptr(AttendantTestClient) self = g_new0 (AttendantTestClient, 1);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GProxyResolver) no_proxy = g_simple_proxy_resolver_new (NULL, NULL);
  char *protocols[] = { (char *)(protocol != NULL ? protocol : ATTENDANT_PROTOCOL_SUBPROTOCOL), NULL };

  g_assert_nonnull (message);

  g_queue_init (&self->messages);
  self->last_seq = -1;
  self->session = soup_session_new_with_options ("proxy-resolver", no_proxy,
                                                 "tls-database", anchors,
                                                 NULL);
  self->connecting = TRUE;
  soup_session_websocket_connect_async (self->session, message, NULL,
                                        protocol != NULL && protocol[0] == '\0' ? NULL : protocols,
                                        G_PRIORITY_DEFAULT, NULL, connect_cb, self);
  attendant_test_wait_until (connected, self, "the WebSocket connection");

  if (self->websocket == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->connect_error));
      return NULL;
    }

  /* A snapshot may well be bigger than libsoup's default 128 KiB. */
  soup_websocket_connection_set_max_incoming_payload_size (self->websocket, 16 * 1024 * 1024);
  g_signal_connect (self->websocket, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->websocket, "closed", G_CALLBACK (on_closed), self);

  return g_steal_pointer (&self);
}

AttendantTestClient *
attendant_test_client_new (const char   *url,
                           GTlsDatabase *anchors)
{
  g_autoptr(GError) error = NULL;
  AttendantTestClient *self = attendant_test_client_connect (url, anchors, NULL, &error);

  g_assert_no_error (error);

  return self;
}

static gboolean
is_closed (gpointer data)
{
  AttendantTestClient *self = data;

  return self->closed;
}

void
attendant_test_client_free (AttendantTestClient *self)
{
  if (self == NULL)
    return;

  if (self->websocket != NULL)
    {
      if (!self->closed &&
          soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);

      /* Let the close handshake finish, so the server is not left with a
       * half-closed connection that the next test would see. */
      if (!self->closed)
        wait_with_deadline (is_closed, self, 5000);

      g_signal_handlers_disconnect_by_data (self->websocket, self);
      g_clear_object (&self->websocket);
    }

  g_queue_clear_full (&self->messages, (GDestroyNotify)json_object_unref);
  g_clear_object (&self->session);
  g_clear_error (&self->connect_error);
  g_free (self);
}

SoupWebsocketConnection *
attendant_test_client_get_websocket (AttendantTestClient *self)
{
  return self->websocket;
}

void
attendant_test_client_send (AttendantTestClient *self,
                            const char          *text)
{
  g_assert_cmpint (soup_websocket_connection_get_state (self->websocket), ==, SOUP_WEBSOCKET_STATE_OPEN);
  soup_websocket_connection_send_text (self->websocket, text);
}

void
attendant_test_client_send_message (AttendantTestClient *self,
                                    JsonObject          *message)
{
  g_autofree char *text = attendant_protocol_encode (message);

  attendant_test_client_send (self, text);
}

/* }}} */
/* {{{ Receiving */

static gboolean
has_message_or_closed (gpointer data)
{
  AttendantTestClient *self = data;

  return !g_queue_is_empty (&self->messages) || self->closed;
}

/**
 * attendant_test_client_next_within:
 *
 * Returns: (transfer full) (nullable): the next message, or %NULL if none
 *   came within @milliseconds (or the connection closed)
 */
JsonObject *
attendant_test_client_next_within (AttendantTestClient *self,
                                   guint                milliseconds)
{
  wait_with_deadline (has_message_or_closed, self, milliseconds);

  return g_queue_pop_head (&self->messages);
}

/**
 * attendant_test_client_next:
 *
 * Returns: (transfer full): the next message; fails the test if the
 *   connection closes or nothing comes
 */
JsonObject *
attendant_test_client_next (AttendantTestClient *self)
{
  JsonObject *message;

  attendant_test_wait_until (has_message_or_closed, self, "a message from the server");
  message = g_queue_pop_head (&self->messages);
  if (message == NULL)
    g_error ("The server closed the connection (code %u) instead of sending a message",
             self->close_code);

  return message;
}

/* The next message, which must be of @type. */
JsonObject *
attendant_test_client_expect (AttendantTestClient *self,
                              const char          *type)
{
  JsonObject *message = attendant_test_client_next (self);

  if (!g_str_equal (attendant_protocol_get_type (message), type))
    {
      g_autofree char *text = attendant_protocol_encode (message);

      g_error ("Expected “%s”, got %s", type, text);
    }

  return message;
}

/* Skips messages until one matches. */
JsonObject *
attendant_test_client_wait_for (AttendantTestClient *self,
                                AttendantTestMatch   match,
                                gpointer             user_data)
{
  for (;;)
    {
      JsonObject *message = attendant_test_client_next (self);

      if (match (message, user_data))
        return message;

      json_object_unref (message);
    }
}

typedef struct
{
  const char *id;
  const char *state;
} CallMatch;

static gboolean
match_call (JsonObject *message,
            gpointer    user_data)
{
  CallMatch *want = user_data;
  JsonObject *call;

  if (!g_str_equal (attendant_protocol_get_type (message), "event"))
    return FALSE;

  if (want->state == NULL)
    return g_str_equal (json_object_get_string_member (message, "event"), "call.removed") &&
           g_strcmp0 (json_object_get_string_member (message, "id"), want->id) == 0;

  if (!g_str_equal (json_object_get_string_member (message, "event"), "call.updated"))
    return FALSE;

  call = json_object_get_object_member (message, "call");
  return (want->id == NULL || g_str_equal (json_object_get_string_member (call, "id"), want->id)) &&
         g_str_equal (json_object_get_string_member (call, "state"), want->state);
}

/**
 * attendant_test_client_wait_call:
 * @id: (nullable): any call if %NULL
 * @state: (nullable): the call's state; %NULL to wait for call.removed
 *
 * Returns: (transfer full): the event
 */
JsonObject *
attendant_test_client_wait_call (AttendantTestClient *self,
                                 const char          *id,
                                 const char          *state)
{
  CallMatch want = { id, state };

  return attendant_test_client_wait_for (self, match_call, &want);
}

typedef struct
{
  const char *id;
  const char *presence;
} PresenceMatch;

static gboolean
match_presence (JsonObject *message,
                gpointer    user_data)
{
  PresenceMatch *want = user_data;

  return g_str_equal (attendant_protocol_get_type (message), "event") &&
         g_str_equal (json_object_get_string_member (message, "event"), "presence") &&
         g_str_equal (json_object_get_string_member (message, "id"), want->id) &&
         g_str_equal (json_object_get_string_member (message, "presence"), want->presence);
}

JsonObject *
attendant_test_client_wait_presence (AttendantTestClient *self,
                                     const char          *number,
                                     const char          *presence)
{
  g_autofree char *id = g_strconcat ("ext-", number, NULL);
  PresenceMatch want = { id, presence };

  return attendant_test_client_wait_for (self, match_presence, &want);
}

gushort
attendant_test_client_wait_closed (AttendantTestClient *self)
{
  attendant_test_wait_until (is_closed, self, "the connection to close");

  return self->close_code;
}

gboolean
attendant_test_client_is_closed (AttendantTestClient *self)
{
  return self->closed;
}

guint
attendant_test_client_get_n_seq_errors (AttendantTestClient *self)
{
  return self->seq_errors;
}

/* }}} */
/* {{{ Protocol */

/**
 * attendant_test_client_auth_start:
 *
 * Sends auth.start with @scram's client-first message.
 */
void
attendant_test_client_auth_start (AttendantTestClient *self,
                                  AttendantScram      *scram)
{
  g_autoptr(JsonObject) start = attendant_protocol_message_new ("auth.start");
  g_autoptr(GError) error = NULL;
  g_autofree char *client_first = NULL;
  gboolean done = FALSE;

  client_first = attendant_scram_step (scram, NULL, &done, &error);
  g_assert_no_error (error);

  json_object_set_string_member (start, "mechanism", "SCRAM-SHA-256");
  json_object_set_string_member (start, "data", client_first);
  attendant_test_client_send_message (self, start);
}

/**
 * attendant_test_client_auth_finish:
 *
 * Sends auth.finish with @scram's proof for @challenge.
 *
 * Returns: (transfer full): the answer: auth.ok (its signature checked)
 *   or auth.failed
 */
JsonObject *
attendant_test_client_auth_finish (AttendantTestClient *self,
                                   AttendantScram      *scram,
                                   JsonObject          *challenge)
{
  g_autoptr(JsonObject) finish = attendant_protocol_message_new ("auth.finish");
  g_autoptr(GError) error = NULL;
  g_autofree char *client_final = NULL;
  g_autofree char *last = NULL;
  JsonObject *answer;
  gboolean done = FALSE;

  client_final = attendant_scram_step (scram, json_object_get_string_member (challenge, "data"), &done, &error);
  g_assert_no_error (error);

  json_object_set_string_member (finish, "data", client_final);
  attendant_test_client_send_message (self, finish);

  answer = attendant_test_client_next (self);
  if (g_str_equal (attendant_protocol_get_type (answer), "auth.ok"))
    {
      /* Mutual authentication: the server proves it knows the keys. */
      last = attendant_scram_step (scram, json_object_get_string_member (answer, "data"), &done, &error);
      g_assert_no_error (error);
      g_assert_true (done);
    }

  return answer;
}

/**
 * attendant_test_client_login:
 *
 * Runs the SCRAM exchange; the hello must have been read already.
 *
 * Returns: (transfer full): auth.ok (its signature checked) or auth.failed
 */
JsonObject *
attendant_test_client_login (AttendantTestClient *self,
                             const char          *user,
                             const char          *password)
{
  g_autoptr(AttendantScram) scram = attendant_scram_new_client (user, password, NULL);
  g_autoptr(JsonObject) answer = NULL;

  attendant_test_client_auth_start (self, scram);
  answer = attendant_test_client_next (self);
  if (!g_str_equal (attendant_protocol_get_type (answer), "auth.challenge"))
    return g_steal_pointer (&answer);

  return attendant_test_client_auth_finish (self, scram, answer);
}

typedef struct
{
  const char          *id;
  AttendantTestClient *self;
} ReplyMatch;

static gboolean
match_reply (JsonObject *message,
             gpointer    user_data)
{
  ReplyMatch *want = user_data;

  return g_str_equal (attendant_protocol_get_type (message), "reply") &&
         g_str_equal (json_object_get_string_member (message, "id"), want->id);
}

static gboolean
reply_arrived (gpointer data)
{
  ReplyMatch *want = data;

  for (GList *l = want->self->messages.head; l != NULL; l = l->next)
    if (match_reply (l->data, want))
      return TRUE;

  return want->self->closed;
}

/**
 * attendant_test_client_command:
 * @args_json: (nullable): the args object as JSON text
 *
 * Sends a command and waits for its reply. The messages that came before
 * the reply (its events) stay queued, in order, ahead of anything else:
 * the reply is taken out of the queue.
 *
 * Returns: (transfer full): the reply
 */
JsonObject *
attendant_test_client_command (AttendantTestClient *self,
                               const char          *command,
                               const char          *args_json)
{
  g_autoptr(JsonObject) message = attendant_protocol_message_new ("command");
  g_autofree char *id = g_strdup_printf ("c-%u", ++self->next_command);
  ReplyMatch want = { id, NULL };

  json_object_set_string_member (message, "id", id);
  json_object_set_string_member (message, "command", command);
  if (args_json != NULL)
    json_object_set_object_member (message, "args", attendant_test_parse_object (args_json));
  attendant_test_client_send_message (self, message);

  want.self = self;
  attendant_test_wait_until (reply_arrived, &want, command);

  for (GList *l = self->messages.head; l != NULL; l = l->next)
    if (match_reply (l->data, &want))
      {
        JsonObject *reply = l->data;

        g_queue_delete_link (&self->messages, l);
        return reply;
      }

  g_error ("The connection closed (code %u) before the reply to %s", self->close_code, command);
}

/* Sends a command that must fail; returns its error code. */
const char *
attendant_test_client_command_error (AttendantTestClient *self,
                                     const char          *command,
                                     const char          *args_json)
{
  static char code[64];
  g_autoptr(JsonObject) reply = attendant_test_client_command (self, command, args_json);
  JsonObject *error;

  if (json_object_get_boolean_member (reply, "ok"))
    g_error ("%s %s succeeded but should have failed", command, args_json ? args_json : "");

  error = json_object_get_object_member (reply, "error");
  g_assert_nonnull (json_object_get_string_member (error, "text"));
  g_strlcpy (code, json_object_get_string_member (error, "code"), sizeof code);

  return code;
}

/* Pings and returns the pong, skipping nothing: the pong must be next. */
JsonObject *
attendant_test_client_ping (AttendantTestClient *self)
{
  g_autoptr(JsonObject) ping = attendant_protocol_message_new ("ping");
  gint64 id = ++self->next_ping;
  JsonObject *pong;

  json_object_set_int_member (ping, "id", id);
  attendant_test_client_send_message (self, ping);
  pong = attendant_test_client_expect (self, "pong");
  g_assert_cmpint (json_object_get_int_member (pong, "id"), ==, id);

  return pong;
}

/* }}} */
/* {{{ JSON */

JsonObject *
attendant_test_parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* }}} */
