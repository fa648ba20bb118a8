/* attendant-server-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Over 800 lines: one connection's whole life (greeting, login with its
 * rate limit, commands, events, the bounds on what a client may send and
 * leave unread, freezing and closing) shares the state below; the parts
 * are folded ({{{ }}}) rather than split into classes that would each
 * need all of it.
 */

#define G_LOG_DOMAIN "attendant-server-session"

#include "config.h"

#include <string.h>

#include "attendant-error.h"
#include "attendant-protocol.h"
#include "attendant-rate-limit.h"
#include "attendant-scram.h"
#include "attendant-server.h"
#include "attendant-server-config.h"
#include "attendant-server-session.h"
#include "attendant-telephony.h"
#include "attendant-users.h"

/* One client on one node, from the WebSocket's opening to its close: the
 * server side of docs/protocol.md. hello at once; SCRAM-SHA-256 within the
 * auth timeout (4002), failures answered with auth.failed and 4001 and
 * counted per address; after auth.ok a snapshot, then the telephone
 * system's events as they happen and a reply to every command, sent when
 * the telephone system has carried it out (AttendantTelephony); ping is
 * answered at any time; a client silent for longer than the idle timeout is
 * closed with 4003; anything malformed with 1002.
 *
 * A frozen session (admin "freeze") keeps its connection open but reads
 * nothing into the protocol and sends nothing, and its timers stand still:
 * to its client the node is alive at the TCP level and silent above it. */

struct _AttendantServerSession
{
  GObject                  parent_instance;

  AttendantServer         *server;     /* owns the node that owns us */
  char                    *node;
  SoupWebsocketConnection *websocket;
  GSocket                 *socket;
  char                    *id;
  char                    *peer;       /* "address:port" */
  char                    *peer_host;  /* "address", the rate limit's key */
  char                    *transport;
  gint64                   opened_at;

  AttendantServerSessionState    state;
  AttendantScram          *scram;
  AttendantRateLimit      *rate_limit;
  char                    *first_message;  /* auth.start's data while queued */
  gboolean                 attempt_open;   /* counted by the rate limit */
  char                    *user;
  char                    *display_name;
  char                    *extension;

  gulong                   event_handler;
  gulong                   availability_handler;
  gulong                   reset_handler;
  GCancellable            *commands;       /* cancelled when nobody waits for their replies */
  guint                    auth_source;
  guint                    idle_source;
  gboolean                 frozen;
  gboolean                 greeted;
  gboolean                 draining;
  guint64                  messages_in;
  double                   message_tokens;   /* the message-rate bucket */
  gint64                   tokens_at;
  gsize                    backlog;          /* bytes queued while the socket was full */
};

G_DEFINE_FINAL_TYPE (AttendantServerSession, attendant_server_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum {
  CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void session_closed_cb (AttendantServerSession *self);

/* {{{ Helpers */

static guint
seconds_to_ms (double seconds)
{
  return (guint)CLAMP (seconds * 1000.0, 1.0, (double)G_MAXUINT);
}

static void
clear_source (guint *source)
{
  if (*source != 0)
    {
      g_source_remove (*source);
      *source = 0;
    }
}

/* Gives up this session's place in the rate limit's queue, if it has one. */
static void
cancel_wait (AttendantServerSession *self)
{
  if (self->first_message != NULL)
    {
      attendant_rate_limit_cancel (self->rate_limit, self->peer_host, self);
      g_clear_pointer (&self->first_message, g_free);
    }
}

/* Ends the rate limit's count of this session's login attempt, or its
 * place in the queue for one. */
static void
end_attempt (AttendantServerSession *self,
             gboolean                succeeded)
{
  cancel_wait (self);

  if (self->attempt_open)
    {
      self->attempt_open = FALSE;
      attendant_rate_limit_end (self->rate_limit, self->peer_host, succeeded);
    }
}

static void
set_state (AttendantServerSession      *self,
           AttendantServerSessionState  state)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static gboolean
is_open (AttendantServerSession *self)
{
  return self->websocket != NULL &&
         soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN;
}

/* A client that does not read what it is sent makes libsoup queue it
 * without end. While the socket is writable libsoup's queue drains at once,
 * so what is sent while it is not is what piles up; past this much the
 * client is dropped (a close frame would only join the queue). */
#define MAX_BACKLOG (4 * ATTENDANT_PROTOCOL_MAX_MESSAGE)

static void
send_message (AttendantServerSession *self,
              JsonObject       *message)
{
  g_autofree char *text = NULL;

  /* Closed also covers a dropped session, whose websocket libsoup still
   * believes open. */
  if (self->frozen || self->state == ATTENDANT_SERVER_SESSION_STATE_CLOSED || !is_open (self))
    return;

  text = attendant_protocol_encode (message);

  if (self->socket != NULL && !g_socket_condition_check (self->socket, G_IO_OUT))
    self->backlog += strlen (text);
  else
    self->backlog = 0;

  if (self->backlog > MAX_BACKLOG)
    {
      g_message ("%s: %s reads nothing of what it is sent; dropped", self->id, self->peer);
      attendant_server_session_abort (self);
      return;
    }

  soup_websocket_connection_send_text (self->websocket, text);
}

static void
stop_timers (AttendantServerSession *self)
{
  clear_source (&self->auth_source);
  clear_source (&self->idle_source);
}

/* Stops listening to the telephone system: its events, and the replies
 * to the commands still under way, which no client can read now. */
static void
disconnect_events (AttendantServerSession *self)
{
  AttendantTelephony *telephony = attendant_server_get_telephony (self->server);

  g_clear_signal_handler (&self->event_handler, telephony);
  g_clear_signal_handler (&self->availability_handler, telephony);
  g_clear_signal_handler (&self->reset_handler, telephony);
  g_cancellable_cancel (self->commands);
}

/* }}} */
/* {{{ Closing */

/**
 * attendant_server_session_close:
 * @reason: short ASCII: a close frame has room for 123 bytes
 *
 * Closes with a close frame; the session is gone once the client answers it
 * (or libsoup gives up waiting).
 */
void
attendant_server_session_close (AttendantServerSession *self,
                         gushort           code,
                         const char       *reason)
{
  g_return_if_fail (ATTENDANT_IS_SERVER_SESSION (self));

  if (self->state >= ATTENDANT_SERVER_SESSION_STATE_CLOSING)
    return;

  g_debug ("%s: closing with %u (%s)", self->id, code, reason);
  /* A login waiting for its turn never gets it now; one cut short by the
   * node going away (stop, shutdown) is not held against the client. */
  if (code == ATTENDANT_CLOSE_GOING_AWAY)
    end_attempt (self, TRUE);
  else
    cancel_wait (self);
  stop_timers (self);
  disconnect_events (self);
  set_state (self, ATTENDANT_SERVER_SESSION_STATE_CLOSING);

  if (is_open (self))
    soup_websocket_connection_close (self->websocket, code, reason);
  else if (self->websocket == NULL ||
           soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_CLOSED)
    session_closed_cb (self);
}

static void
finish (AttendantServerSession *self)
{
  g_autoptr(AttendantServerSession) hold = g_object_ref (self);

  if (self->state == ATTENDANT_SERVER_SESSION_STATE_CLOSED)
    return;

  /* Gone after the challenge without a right proof: a failure. */
  end_attempt (self, FALSE);
  stop_timers (self);
  disconnect_events (self);
  if (self->websocket != NULL)
    g_signal_handlers_disconnect_by_data (self->websocket, self);
  set_state (self, ATTENDANT_SERVER_SESSION_STATE_CLOSED);
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
session_closed_cb (AttendantServerSession *self)
{
  g_message ("%s: closed (%s, node %s, code %u%s%s)", self->id, self->peer, self->node,
             self->websocket ? soup_websocket_connection_get_close_code (self->websocket) : 0,
             self->user ? ", user " : "", self->user ? self->user : "");
  finish (self);
}

/**
 * attendant_server_session_abort:
 *
 * Drops the connection as a crashing server would: no close frame, no TLS
 * close_notify, nothing more on the wire. The socket is shut down under
 * libsoup's feet, so whatever it still has queued can never be sent.
 */
void
attendant_server_session_abort (AttendantServerSession *self)
{
  g_return_if_fail (ATTENDANT_IS_SERVER_SESSION (self));

  if (self->state == ATTENDANT_SERVER_SESSION_STATE_CLOSED)
    return;

  if (self->socket != NULL && !g_socket_is_closed (self->socket))
    g_socket_shutdown (self->socket, TRUE, TRUE, NULL);

  /* The server dropped it itself (admin "crash"): not the client's failure. */
  end_attempt (self, TRUE);
  g_message ("%s: dropped (%s, node %s)", self->id, self->peer, self->node);
  finish (self);
}

/* }}} */
/* {{{ Authentication */

static AttendantScramCredentials *
lookup_credentials (const char *user,
                    gpointer    user_data)
{
  AttendantServerSession *self = user_data;

  /* Never NULL: an unknown name gets decoy credentials, the same work. */
  return attendant_users_lookup_credentials (attendant_server_get_users (self->server), user);
}

static void
auth_failed (AttendantServerSession *self,
             const char       *reason,
             const char       *text)
{
  g_autoptr(JsonObject) message = attendant_protocol_message_new ("auth.failed");

  g_message ("%s: login refused (%s, %s)", self->id, self->peer, reason);

  json_object_set_string_member (message, "reason", reason);
  json_object_set_string_member (message, "text", text);
  send_message (self, message);
  g_clear_object (&self->scram);
  attendant_server_session_close (self, ATTENDANT_CLOSE_AUTH_FAILED, "Authentication failed");
}

static gboolean
auth_timeout_cb (gpointer user_data)
{
  AttendantServerSession *self = user_data;

  self->auth_source = 0;
  if (self->state < ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED)
    attendant_server_session_close (self, ATTENDANT_CLOSE_AUTH_TIMEOUT, "Authentication not completed in time");

  return G_SOURCE_REMOVE;
}

#define RATE_LIMITED_TEXT "Too many failed logins from your address: try again later"

/* The SCRAM exchange proper, once the rate limit has counted the attempt. */
static void
issue_challenge (AttendantServerSession *self,
                 const char             *data)
{
  g_autoptr(JsonObject) challenge = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server_first = NULL;
  gboolean done = FALSE;

  self->scram = attendant_scram_new_server (lookup_credentials, self, &error);
  if (self->scram == NULL)
    {
      /* Our failure, not the client's. */
      end_attempt (self, TRUE);
      g_warning ("%s: cannot start SCRAM: %s", self->id, error->message);
      attendant_server_session_close (self, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, "Internal error");
      return;
    }

  server_first = attendant_scram_step (self->scram, data, &done, &error);
  if (server_first == NULL || done)
    {
      end_attempt (self, FALSE);
      auth_failed (self, "malformed", "The SCRAM client-first message is not valid");
      return;
    }

  challenge = attendant_protocol_message_new ("auth.challenge");
  json_object_set_string_member (challenge, "data", server_first);
  send_message (self, challenge);
  set_state (self, ATTENDANT_SERVER_SESSION_STATE_CHALLENGED);
}

static void
rate_limit_ready_cb (gboolean admitted,
                     gpointer user_data)
{
  AttendantServerSession *self = user_data;
  g_autoptr(AttendantServerSession) hold = g_object_ref (self);
  g_autofree char *data = g_steal_pointer (&self->first_message);

  if (!admitted)
    {
      auth_failed (self, "rate-limited", RATE_LIMITED_TEXT);
      return;
    }

  self->attempt_open = TRUE;
  issue_challenge (self, data);
}

static void
handle_auth_start (AttendantServerSession *self,
                   JsonObject       *message)
{
  const char *mechanism = json_object_get_string_member (message, "mechanism");
  const char *data = json_object_get_string_member (message, "data");

  if (self->state != ATTENDANT_SERVER_SESSION_STATE_GREETED || self->first_message != NULL)
    {
      auth_failed (self, "malformed", "auth.start was not expected now");
      return;
    }

  if (!g_str_equal (mechanism, "SCRAM-SHA-256"))
    {
      auth_failed (self, "unsupported-mechanism", "Only SCRAM-SHA-256 is supported");
      return;
    }

  /* Counted now, before any challenge goes out (see attendant-rate-limit.c). */
  switch (attendant_rate_limit_begin (self->rate_limit, self->peer_host, rate_limit_ready_cb, self))
    {
    case ATTENDANT_RATE_LIMIT_ADMITTED:
      self->attempt_open = TRUE;
      issue_challenge (self, data);
      break;

    case ATTENDANT_RATE_LIMIT_QUEUED:
      /* Never NULL while queued: it marks the place to cancel. */
      self->first_message = g_strdup (data != NULL ? data : "");
      break;

    case ATTENDANT_RATE_LIMIT_REFUSED:
    default:
      auth_failed (self, "rate-limited", RATE_LIMITED_TEXT);
      break;
    }
}

static void
on_event (AttendantServerSession *self,
          JsonObject             *message,
          AttendantTelephony     *telephony)
{
  if (self->state == ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED)
    send_message (self, message);
}

/* The snapshot, all its parts, with whether the telephone system can be
 * reached (docs/protocol.md §2.3). */
static void
send_snapshot (AttendantServerSession *self)
{
  AttendantTelephony *telephony = attendant_server_get_telephony (self->server);
  g_autoptr(GPtrArray) snapshot = attendant_telephony_build_snapshot (telephony, self->user, self->extension);

  if (snapshot->len > 0)
    json_object_set_object_member (g_ptr_array_index (snapshot, 0), "phone_system",
                                   attendant_server_build_phone_system (self->server));

  for (guint i = 0; i < snapshot->len; i++)
    send_message (self, g_ptr_array_index (snapshot, i));
}

/* The telephone system went out of reach or came back: a message of its
 * own, outside the events' sequence, because no call changed. */
static void
on_availability_changed (AttendantServerSession *self,
                         AttendantTelephony     *telephony)
{
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(JsonObject) phone_system = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  if (self->state != ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED)
    return;

  message = attendant_protocol_message_new ("phone-system");
  phone_system = attendant_server_build_phone_system (self->server);
  json_object_iter_init (&iter, phone_system);
  while (json_object_iter_next (&iter, &name, &node))
    json_object_set_member (message, name, json_node_copy (node));

  send_message (self, message);
}

/* The telephone system's state was rebuilt (after an outage): the events
 * sent so far may not lead to it, so the client starts again from a
 * snapshot. */
static void
on_reset (AttendantServerSession *self,
          AttendantTelephony     *telephony)
{
  if (self->state == ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED)
    send_snapshot (self);
}

static void
handle_auth_finish (AttendantServerSession *self,
                    JsonObject       *message)
{
  AttendantTelephony *telephony = attendant_server_get_telephony (self->server);
  const char *data = json_object_get_string_member (message, "data");
  const AttendantUser *user;
  g_autoptr(JsonObject) ok = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server_final = NULL;
  gboolean done = FALSE;

  if (self->state != ATTENDANT_SERVER_SESSION_STATE_CHALLENGED)
    {
      auth_failed (self, "malformed", "auth.finish was not expected now");
      return;
    }

  server_final = attendant_scram_step (self->scram, data, &done, &error);
  user = attendant_users_lookup (attendant_server_get_users (self->server),
                                 attendant_scram_get_user (self->scram));

  /* An unknown user fails here too, at the proof against its decoy keys,
   * like a wrong password: the answer does not tell which was wrong. */
  if (server_final == NULL || !done || user == NULL)
    {
      end_attempt (self, FALSE);
      auth_failed (self, "invalid-credentials", "Wrong user name or password");
      return;
    }

  /* A right proof takes its own attempt off the count. */
  end_attempt (self, TRUE);
  g_clear_object (&self->scram);
  clear_source (&self->auth_source);
  self->user = g_strdup (user->name);
  self->display_name = g_strdup (user->display_name);
  self->extension = g_strdup (user->extension);

  ok = attendant_protocol_message_new ("auth.ok");
  json_object_set_string_member (ok, "data", server_final);
  json_object_set_string_member (ok, "user", self->user);
  json_object_set_string_member (ok, "display_name", self->display_name);
  if (self->extension != NULL)
    json_object_set_string_member (ok, "extension", self->extension);
  else
    json_object_set_null_member (ok, "extension");
  json_object_set_string_member (ok, "session", self->id);
  send_message (self, ok);
  if (self->state == ATTENDANT_SERVER_SESSION_STATE_CLOSED)
    return;

  set_state (self, ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED);
  g_message ("%s: logged in as %s (%s, node %s, %s)", self->id, self->user, self->peer,
             self->node, self->transport);

  /* The snapshot (all its parts) and the subscription are made in one go,
   * without a return to the main loop between them, so no event falls in
   * a gap or between the parts. */
  send_snapshot (self);
  if (self->state == ATTENDANT_SERVER_SESSION_STATE_CLOSED)
    return;
  self->event_handler = g_signal_connect_object (telephony, "event", G_CALLBACK (on_event), self,
                                                 G_CONNECT_SWAPPED);
  self->availability_handler = g_signal_connect_object (telephony, "availability-changed",
                                                        G_CALLBACK (on_availability_changed), self,
                                                        G_CONNECT_SWAPPED);
  self->reset_handler = g_signal_connect_object (telephony, "reset", G_CALLBACK (on_reset), self,
                                                 G_CONNECT_SWAPPED);
}

/* }}} */
/* {{{ Commands */

static void
reply_error (AttendantServerSession *self,
             const char       *id,
             const char       *code,
             const char       *text)
{
  g_autoptr(JsonObject) reply = attendant_protocol_message_new ("reply");
  JsonObject *error = json_object_new ();

  json_object_set_string_member (reply, "id", id);
  json_object_set_boolean_member (reply, "ok", FALSE);
  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "text", text);
  json_object_set_object_member (reply, "error", error);
  send_message (self, reply);
}

typedef struct
{
  AttendantServerSession *self;   /* a reference: the session may close meanwhile */
  char                   *id;
} PendingCommand;

static void
command_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PendingCommand *pending = user_data;
  g_autoptr(AttendantServerSession) self = g_steal_pointer (&pending->self);
  g_autofree char *id = g_steal_pointer (&pending->id);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) outcome = NULL;
  g_autoptr(GError) error = NULL;

  g_free (pending);
  outcome = attendant_telephony_command_finish (ATTENDANT_TELEPHONY (source), result, &error);

  /* Closed, closing or dropped since: there is nobody to reply to. */
  if (self->state != ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED ||
      g_cancellable_is_cancelled (self->commands))
    return;

  if (outcome == NULL)
    {
      reply_error (self, id, attendant_telephony_error_to_code (error), error->message);
      return;
    }

  reply = attendant_protocol_message_new ("reply");
  json_object_set_string_member (reply, "id", id);
  json_object_set_boolean_member (reply, "ok", TRUE);
  json_object_set_object_member (reply, "result", g_steal_pointer (&outcome));
  send_message (self, reply);
}

static void
handle_command (AttendantServerSession *self,
                JsonObject       *message)
{
  const char *id = json_object_get_string_member (message, "id");
  PendingCommand *pending;

  if (strlen (id) > 64)
    {
      attendant_server_session_close (self, ATTENDANT_CLOSE_PROTOCOL_ERROR, "Command id over 64 bytes");
      return;
    }

  if (self->state != ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED)
    {
      reply_error (self, id, "not-authenticated", "Log in first");
      return;
    }

  pending = g_new0 (PendingCommand, 1);
  pending->self = g_object_ref (self);
  pending->id = g_strdup (id);
  attendant_telephony_command_async (attendant_server_get_telephony (self->server), self->extension,
                                     json_object_get_string_member (message, "command"),
                                     json_object_get_member (message, "args"),
                                     self->commands, command_done_cb, pending);
}

/* }}} */
/* {{{ Input */

static gboolean
idle_timeout_cb (gpointer user_data)
{
  AttendantServerSession *self = user_data;

  self->idle_source = 0;
  attendant_server_session_close (self, ATTENDANT_CLOSE_IDLE_TIMEOUT, "Idle timeout");

  return G_SOURCE_REMOVE;
}

static void
restart_idle_timer (AttendantServerSession *self)
{
  AttendantServerConfig *config = attendant_server_get_config (self->server);

  clear_source (&self->idle_source);
  self->idle_source = g_timeout_add (seconds_to_ms (attendant_server_config_get_idle_timeout (config)),
                                     idle_timeout_cb, self);
}

/* A token bucket: message-burst messages at once, message-rate a second
 * after that. Every reply and event the server sends is bounded by what
 * it is asked, so this also bounds what a flooding client can make the
 * server queue for it. */
static gboolean
take_message_token (AttendantServerSession *self)
{
  AttendantServerConfig *config = attendant_server_get_config (self->server);
  double burst = attendant_server_config_get_message_burst (config);
  gint64 now = g_get_monotonic_time ();

  if (self->tokens_at == 0)
    self->message_tokens = burst;
  else
    self->message_tokens = MIN (burst, self->message_tokens +
                                (now - self->tokens_at) / (double)G_USEC_PER_SEC *
                                attendant_server_config_get_message_rate (config));
  self->tokens_at = now;

  if (self->message_tokens < 1.0)
    return FALSE;

  self->message_tokens -= 1.0;
  return TRUE;
}

static void
on_message (AttendantServerSession *self,
            int               type,
            GBytes           *bytes,
            SoupWebsocketConnection *websocket)
{
  /* A command's own events can push this session's backlog over its bound
   * and drop it mid-handler (send_message), which would free it under the
   * handler's feet: the node held the last reference. */
  g_autoptr(AttendantServerSession) hold = g_object_ref (self);
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(GError) error = NULL;
  const char *kind;
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  /* Frozen: the bytes arrived, but the node "does not answer". */
  if (self->frozen || self->state >= ATTENDANT_SERVER_SESSION_STATE_CLOSING)
    return;

  self->messages_in++;
  restart_idle_timer (self);

  if (!take_message_token (self))
    {
      g_message ("%s: more than %u messages a second from %s", self->id,
                 attendant_server_config_get_message_rate (attendant_server_get_config (self->server)),
                 self->peer);
      attendant_server_session_close (self, ATTENDANT_CLOSE_POLICY, "Too many messages");
      return;
    }

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      attendant_server_session_close (self, ATTENDANT_CLOSE_PROTOCOL_ERROR, "Binary frames are not allowed");
      return;
    }

  if (length > ATTENDANT_PROTOCOL_MAX_MESSAGE)
    {
      attendant_server_session_close (self, ATTENDANT_CLOSE_TOO_BIG, "Message over 1 MiB");
      return;
    }

  if (!(message = attendant_protocol_decode (data, length, &error)))
    {
      g_message ("%s: malformed message: %s", self->id, error->message);
      attendant_server_session_close (self, ATTENDANT_CLOSE_PROTOCOL_ERROR, "Malformed message");
      return;
    }

  kind = attendant_protocol_get_type (message);

  if (g_str_equal (kind, "ping"))
    {
      g_autoptr(JsonObject) pong = attendant_protocol_message_new ("pong");

      json_object_set_int_member (pong, "id", json_object_get_int_member (message, "id"));
      send_message (self, pong);
    }
  else if (g_str_equal (kind, "auth.start"))
    handle_auth_start (self, message);
  else if (g_str_equal (kind, "auth.finish"))
    handle_auth_finish (self, message);
  else if (g_str_equal (kind, "command"))
    handle_command (self, message);
  /* pong, messages only a server sends, and unknown types: ignored
   * (docs/protocol.md §1). */
}

static void
on_error (AttendantServerSession        *self,
          GError                  *error,
          SoupWebsocketConnection *websocket)
{
  g_message ("%s: %s", self->id, error->message);

  /* libsoup refuses a frame over the incoming limit by dropping the
   * connection without a close frame; the protocol promises 1009, so say
   * it before libsoup closes the stream (it emits this signal first). */
  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG) && is_open (self))
    {
      stop_timers (self);
      disconnect_events (self);
      set_state (self, ATTENDANT_SERVER_SESSION_STATE_CLOSING);
      soup_websocket_connection_close (websocket, ATTENDANT_CLOSE_TOO_BIG, "Message over 1 MiB");
    }
}

/* }}} */
/* {{{ GObject */

static void
attendant_server_session_dispose (GObject *object)
{
  AttendantServerSession *self = (AttendantServerSession *)object;

  /* Torn down with its server: nothing the client did. */
  end_attempt (self, TRUE);
  stop_timers (self);
  disconnect_events (self);
  if (self->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->websocket, self);
      if (soup_websocket_connection_get_state (self->websocket) != SOUP_WEBSOCKET_STATE_CLOSED &&
          self->socket != NULL && !g_socket_is_closed (self->socket))
        g_socket_shutdown (self->socket, TRUE, TRUE, NULL);
    }
  g_clear_object (&self->websocket);
  g_clear_object (&self->scram);

  G_OBJECT_CLASS (attendant_server_session_parent_class)->dispose (object);
}

static void
attendant_server_session_finalize (GObject *object)
{
  AttendantServerSession *self = (AttendantServerSession *)object;

  g_clear_object (&self->socket);
  g_free (self->node);
  g_free (self->id);
  g_free (self->peer);
  g_free (self->peer_host);
  g_free (self->transport);
  g_free (self->user);
  g_free (self->display_name);
  g_free (self->extension);
  g_free (self->first_message);
  g_clear_object (&self->rate_limit);
  g_clear_object (&self->commands);

  G_OBJECT_CLASS (attendant_server_session_parent_class)->finalize (object);
}

static void
attendant_server_session_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AttendantServerSession *self = ATTENDANT_SERVER_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_server_session_class_init (AttendantServerSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_server_session_dispose;
  object_class->finalize = attendant_server_session_finalize;
  object_class->get_property = attendant_server_session_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      ATTENDANT_SERVER_SESSION_STATE_GREETED, ATTENDANT_SERVER_SESSION_STATE_CLOSED,
                      ATTENDANT_SERVER_SESSION_STATE_GREETED,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AttendantServerSession::closed:
   *
   * The connection is gone, cleanly or not; emitted once.
   */
  signals[CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
attendant_server_session_init (AttendantServerSession *self)
{
  static guint counter;

  self->id = g_strdup_printf ("s-%x%04x", ++counter, g_random_int_range (0, 0x10000));
  self->opened_at = g_get_real_time ();
  self->commands = g_cancellable_new ();
}

static char *
address_to_string (GSocketAddress *address,
                   gboolean        with_port)
{
  g_autofree char *host = NULL;
  GInetAddress *inet;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  host = g_inet_address_to_string (inet);

  if (!with_port)
    return g_steal_pointer (&host);

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", host,
                            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));

  return g_strdup_printf ("%s:%u", host,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

/**
 * attendant_server_session_new:
 * @socket: the connection's socket, to drop it on a crash
 * @remote: the client's address
 * @transport: "plain" or "tls"
 */
AttendantServerSession *
attendant_server_session_new (AttendantServer         *server,
                       const char              *node,
                       SoupWebsocketConnection *websocket,
                       GSocket                 *socket,
                       GSocketAddress          *remote,
                       const char              *transport)
{
  AttendantServerSession *self;

  g_return_val_if_fail (ATTENDANT_IS_SERVER (server), NULL);
  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (websocket), NULL);

  self = g_object_new (ATTENDANT_TYPE_SERVER_SESSION, NULL);
  self->server = server;
  self->node = g_strdup (node);
  self->websocket = g_object_ref (websocket);
  self->socket = socket != NULL ? g_object_ref (socket) : NULL;
  self->peer = address_to_string (remote, TRUE);
  self->peer_host = address_to_string (remote, FALSE);
  self->transport = g_strdup (transport);
  self->rate_limit = g_object_ref (attendant_server_get_rate_limit (server));

  /* libsoup's own limit is larger than the protocol's, so that a message
   * just over 1 MiB arrives whole and gets a clean 1009 (on_message); past
   * this limit libsoup stops reading and on_error still says 1009. */
  soup_websocket_connection_set_max_incoming_payload_size (websocket, 4 * ATTENDANT_PROTOCOL_MAX_MESSAGE);

  g_signal_connect_object (websocket, "message", G_CALLBACK (on_message), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (websocket, "error", G_CALLBACK (on_error), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (websocket, "closed", G_CALLBACK (session_closed_cb), self, G_CONNECT_SWAPPED);

  return self;
}

static void
send_hello (AttendantServerSession *self)
{
  AttendantServerConfig *config = attendant_server_get_config (self->server);
  g_autoptr(JsonObject) hello = attendant_server_build_hello (self->server, self->node);

  self->greeted = TRUE;
  send_message (self, hello);
  restart_idle_timer (self);
  clear_source (&self->auth_source);
  if (self->state < ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED)
    self->auth_source = g_timeout_add (seconds_to_ms (attendant_server_config_get_auth_timeout (config)),
                                       auth_timeout_cb, self);
}

/**
 * attendant_server_session_start:
 * @frozen: the node is frozen: greet only once it thaws
 */
void
attendant_server_session_start (AttendantServerSession *self,
                         gboolean          frozen)
{
  g_return_if_fail (ATTENDANT_IS_SERVER_SESSION (self));

  g_message ("%s: connected (%s, node %s, %s)", self->id, self->peer, self->node, self->transport);

  self->frozen = frozen;
  if (!frozen)
    send_hello (self);
}

void
attendant_server_session_set_frozen (AttendantServerSession *self,
                              gboolean          frozen)
{
  g_return_if_fail (ATTENDANT_IS_SERVER_SESSION (self));

  if (self->frozen == frozen || self->state >= ATTENDANT_SERVER_SESSION_STATE_CLOSING)
    return;

  self->frozen = frozen;
  if (frozen)
    {
      stop_timers (self);
      return;
    }

  /* The timers start afresh: the client was not to blame for the pause. */
  if (!self->greeted)
    send_hello (self);
  else
    {
      AttendantServerConfig *config = attendant_server_get_config (self->server);

      restart_idle_timer (self);
      if (self->state < ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED)
        self->auth_source = g_timeout_add (seconds_to_ms (attendant_server_config_get_auth_timeout (config)),
                                           auth_timeout_cb, self);
    }
}

void
attendant_server_session_drain (AttendantServerSession *self,
                         const char       *text)
{
  g_autoptr(JsonObject) drain = NULL;

  g_return_if_fail (ATTENDANT_IS_SERVER_SESSION (self));

  if (self->draining || self->state >= ATTENDANT_SERVER_SESSION_STATE_CLOSING)
    return;

  self->draining = TRUE;
  drain = attendant_protocol_message_new ("drain");
  json_object_set_string_member (drain, "reason", "maintenance");
  json_object_set_string_member (drain, "text", text);
  send_message (self, drain);
}

const char *
attendant_server_session_get_id (AttendantServerSession *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_SESSION (self), NULL);

  return self->id;
}

const char *
attendant_server_session_get_user (AttendantServerSession *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_SESSION (self), NULL);

  return self->user;
}

AttendantServerSessionState
attendant_server_session_get_state (AttendantServerSession *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_SESSION (self), ATTENDANT_SERVER_SESSION_STATE_CLOSED);

  return self->state;
}

JsonObject *
attendant_server_session_to_json (AttendantServerSession *self)
{
  static const char * const states[] = {
    "greeted", "challenged", "authenticated", "closing", "closed",
  };
  JsonObject *object;
  g_autoptr(GDateTime) opened = NULL;
  g_autofree char *since = NULL;

  g_return_val_if_fail (ATTENDANT_IS_SERVER_SESSION (self), NULL);

  opened = g_date_time_new_from_unix_utc (self->opened_at / G_USEC_PER_SEC);
  since = g_date_time_format (opened, "%Y-%m-%dT%H:%M:%SZ");

  object = json_object_new ();
  json_object_set_string_member (object, "id", self->id);
  json_object_set_string_member (object, "node", self->node);
  json_object_set_string_member (object, "peer", self->peer);
  json_object_set_string_member (object, "transport", self->transport);
  json_object_set_string_member (object, "state", states[self->state]);
  if (self->user != NULL)
    json_object_set_string_member (object, "user", self->user);
  else
    json_object_set_null_member (object, "user");
  json_object_set_boolean_member (object, "frozen", self->frozen);
  json_object_set_boolean_member (object, "draining", self->draining);
  json_object_set_string_member (object, "since", since);

  return object;
}

/* }}} */
