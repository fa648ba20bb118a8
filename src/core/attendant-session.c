/* attendant-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-session"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "attendant-enum-types.h"
#include "attendant-error.h"
#include "attendant-greeting.h"
#include "attendant-protocol.h"
#include "attendant-scram.h"
#include "attendant-session.h"

/* One logged-in conversation with one node over one connection
 * (docs/architecture.md, "Heartbeat", "Nothing silently lost", "The
 * password"): the SCRAM login, the heartbeat that notices a silent server
 * within two intervals, commands matched to their replies, and the snapshot
 * and events passed on as signals. When the connection ends, for whatever
 * reason, `closed` is emitted exactly once and every command still waiting
 * for its reply fails with ATTENDANT_ERROR_RESULT_UNKNOWN: whether the
 * server carried it out cannot be known. Reconnecting is not its business;
 * AttendantClient makes a new session. */
struct _AttendantSession
{
  GObject                  parent_instance;

  AttendantConnection     *connection;
  SoupWebsocketConnection *websocket;
  AttendantScram          *scram;
  GTask                   *login;
  GHashTable              *pending;       /* request id → GTask */
  GSource                 *ping_source;
  GSource                 *dead_source;
  char                    *user;
  /* A snapshot that arrives in parts (docs/protocol.md §2.3): the first
   * part with the directory merged so far, until the last part. */
  JsonObject              *partial_snapshot;
  JsonArray               *partial_directory;
  gint64                   last_seq;
  guint64                  next_request;
  gint64                   next_ping;
  guint                    heartbeat;
  AttendantSessionState    state;
  gulong                   message_id;
  gulong                   closed_id;
  gulong                   error_id;
};

G_DEFINE_FINAL_TYPE (AttendantSession, attendant_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_USER,
  PROP_HEARTBEAT_INTERVAL,
  N_PROPS
};

enum {
  SNAPSHOT,
  EVENT,
  PHONE_SYSTEM,
  DRAIN,
  CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void session_end (AttendantSession     *self,
                         AttendantCloseReason  reason,
                         gushort               code,
                         const char           *message);

static void
set_state (AttendantSession      *self,
           AttendantSessionState  state)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
send_message (AttendantSession *self,
              JsonObject       *message)
{
  g_autofree char *text = NULL;

  if (self->websocket == NULL ||
      soup_websocket_connection_get_state (self->websocket) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  text = attendant_protocol_encode (message);
  soup_websocket_connection_send_text (self->websocket, text);
}

/* A GSource that only fires at its ready time, so the death deadline can be
 * pushed back on every message without making a new source each time. */
static gboolean
deadline_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs deadline_funcs = {
  .dispatch = deadline_dispatch,
};

static void
push_deadline (AttendantSession *self,
               guint             ms)
{
  if (self->dead_source != NULL)
    g_source_set_ready_time (self->dead_source, g_get_monotonic_time () + (gint64)ms * 1000);
}

static gboolean
dead_cb (gpointer user_data)
{
  AttendantSession *self = user_data;
  g_autofree char *message =
    g_strdup_printf (_("Nothing received from the server for %u s"), 2 * self->heartbeat);

  session_end (self, ATTENDANT_CLOSE_REASON_HEARTBEAT_TIMEOUT, 0, message);
  return G_SOURCE_CONTINUE;
}

static void
send_ping (AttendantSession *self)
{
  g_autoptr(JsonObject) ping = attendant_protocol_message_new ("ping");

  json_object_set_int_member (ping, "id", ++self->next_ping);
  send_message (self, ping);
}

static gboolean
ping_cb (gpointer user_data)
{
  send_ping (user_data);
  return G_SOURCE_CONTINUE;
}

static void
stop_timers (AttendantSession *self)
{
  if (self->ping_source != NULL)
    {
      g_source_destroy (self->ping_source);
      g_clear_pointer (&self->ping_source, g_source_unref);
    }

  if (self->dead_source != NULL)
    {
      g_source_destroy (self->dead_source);
      g_clear_pointer (&self->dead_source, g_source_unref);
    }
}

static void
fail_pending (AttendantSession *self)
{
  g_autoptr(GList) tasks = NULL;

  if (self->pending == NULL)
    return;

  /* The table owns the request ids: take the tasks out with a reference
   * of our own and let the table free the rest. */
  tasks = g_hash_table_get_values (self->pending);
  g_list_foreach (tasks, (GFunc)(void (*) (void))g_object_ref, NULL);
  g_hash_table_remove_all (self->pending);

  for (GList *l = tasks; l; l = l->next)
    {
      g_autoptr(GTask) task = l->data;

      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_RESULT_UNKNOWN,
                               /* TRANSLATORS: %s is a command name, such as “transfer”. */
                               _("The connection was lost before the server answered; "
                                 "whether “%s” was carried out is unknown"),
                               (const char *)g_task_get_task_data (task));
    }
}

static void
session_end (AttendantSession     *self,
             AttendantCloseReason  reason,
             gushort               code,
             const char           *message)
{
  g_autoptr(AttendantSession) hold = g_object_ref (self);

  if (self->state == ATTENDANT_SESSION_STATE_CLOSED)
    return;

  g_debug ("session ends: %s (%s)", message,
           attendant_enum_to_nick (ATTENDANT_TYPE_CLOSE_REASON, reason));

  stop_timers (self);
  set_state (self, ATTENDANT_SESSION_STATE_CLOSED);

  if (self->websocket != NULL)
    {
      g_clear_signal_handler (&self->message_id, self->websocket);
      g_clear_signal_handler (&self->closed_id, self->websocket);
      g_clear_signal_handler (&self->error_id, self->websocket);

      /* The session is over for us now, whatever the server does: libsoup
       * finishes the closing handshake on its own, and closes the stream
       * after its own timeout if a dead server never answers. Closing the
       * stream under libsoup instead would leave its sources polling a
       * closed socket. */
      if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->websocket,
                                         code != 0 ? code : ATTENDANT_CLOSE_GOING_AWAY, NULL);
    }

  if (self->login != NULL)
    {
      g_autoptr(GTask) login = g_steal_pointer (&self->login);

      if (reason == ATTENDANT_CLOSE_REASON_AUTH_FAILED)
        g_task_return_new_error (login, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED, "%s", message);
      else
        g_task_return_new_error (login, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                                 _("The connection ended during login: %s"), message);
    }

  fail_pending (self);

  g_signal_emit (self, signals[CLOSED], 0, reason, message);
}

static void
handle_reply (AttendantSession *self,
              JsonObject       *message)
{
  const char *id = json_object_get_string_member (message, "id");
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;
  gpointer stolen = NULL;

  /* Stealing hands over the key as well as the task: both are ours now. */
  if (!g_hash_table_steal_extended (self->pending, id, (gpointer *)&key, &stolen))
    return;

  task = stolen;

  if (json_object_get_boolean_member (message, "ok"))
    {
      JsonObject *result = attendant_protocol_get_object (message, "result");

      g_task_return_pointer (task,
                             result ? json_object_ref (result) : json_object_new (),
                             (GDestroyNotify)json_object_unref);
    }
  else
    {
      JsonObject *error = attendant_protocol_get_object (message, "error");
      const char *code = error ? attendant_protocol_get_string (error, "code") : NULL;
      const char *text = error ? attendant_protocol_get_string (error, "text") : NULL;

      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_COMMAND_FAILED,
                               "%s: %s", code ? code : "internal",
                               text ? text : _("the server refused the command"));
    }
}

static void
handle_auth (AttendantSession *self,
             const char       *type,
             JsonObject       *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gboolean done = FALSE;

  if (self->login == NULL || self->scram == NULL)
    {
      session_end (self, ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR, ATTENDANT_CLOSE_PROTOCOL_ERROR,
                   _("The server sent an authentication message out of turn"));
      return;
    }

  if (g_str_equal (type, "auth.failed"))
    {
      const char *text = attendant_protocol_get_string (message, "text");

      session_end (self, ATTENDANT_CLOSE_REASON_AUTH_FAILED, ATTENDANT_CLOSE_NORMAL,
                   text ? text : _("The server refused the user name or password"));
      return;
    }

  out = attendant_scram_step (self->scram, json_object_get_string_member (message, "data"),
                              &done, &error);
  if (out == NULL && g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INSECURE_SERVER))
    {
      /* Refused before any proof was sent: the login fails with that
       * reason, for the user to see, not as a broken connection. */
      g_autoptr(GTask) login = g_steal_pointer (&self->login);

      session_end (self, ATTENDANT_CLOSE_REASON_AUTH_FAILED, ATTENDANT_CLOSE_AUTH_FAILED, error->message);
      g_task_return_error (login, g_steal_pointer (&error));
      return;
    }

  if (out == NULL)
    {
      /* On the client, a failing last step means the server's signature is
       * wrong: it is not the server that holds our credentials. */
      session_end (self, ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR, ATTENDANT_CLOSE_AUTH_FAILED,
                   _("The server could not prove it knows the credentials"));
      return;
    }

  if (g_str_equal (type, "auth.challenge") && !done)
    {
      g_autoptr(JsonObject) finish = attendant_protocol_message_new ("auth.finish");

      json_object_set_string_member (finish, "data", out);
      send_message (self, finish);
      return;
    }

  if (g_str_equal (type, "auth.ok") && done)
    {
      g_autoptr(GTask) login = g_steal_pointer (&self->login);

      g_clear_object (&self->scram);
      set_state (self, ATTENDANT_SESSION_STATE_READY);
      g_task_return_boolean (login, TRUE);
      return;
    }

  session_end (self, ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR, ATTENDANT_CLOSE_PROTOCOL_ERROR,
               _("The server's authentication messages are out of order"));
}

static void
append_directory (JsonArray *to,
                  JsonArray *from)
{
  for (guint i = 0; i < json_array_get_length (from); i++)
    json_array_add_element (to, json_node_copy (json_array_get_element (from, i)));
}

/* "more" is optional, but a peer that sends it sends a boolean. */
static gboolean
get_more (JsonObject *message,
          gboolean   *more)
{
  JsonNode *node = json_object_get_member (message, "more");

  *more = FALSE;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;

  *more = json_node_get_boolean (node);
  return TRUE;
}

static void
emit_snapshot (AttendantSession *self,
               JsonObject       *snapshot)
{
  self->last_seq = json_object_get_int_member (snapshot, "seq");
  g_signal_emit (self, signals[SNAPSHOT], 0, snapshot);
}

static void
protocol_error (AttendantSession *self,
                const char       *text)
{
  session_end (self, ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR, ATTENDANT_CLOSE_PROTOCOL_ERROR, text);
}

/* A directory too big for one message comes as "snapshot" with "more",
 * then "snapshot.more" parts, back to back: the rest of the client only
 * ever sees the whole snapshot, in one signal. */
static void
handle_snapshot (AttendantSession *self,
                 const char       *type,
                 JsonObject       *message)
{
  gboolean more;

  if (!get_more (message, &more))
    {
      protocol_error (self, _("The server sent a snapshot whose “more” is not a boolean"));
      return;
    }

  if (g_str_equal (type, "snapshot"))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *node;

      if (self->partial_snapshot != NULL)
        {
          protocol_error (self, _("The server began a snapshot before it finished the last one"));
          return;
        }

      if (!more)
        {
          emit_snapshot (self, message);
          return;
        }

      self->partial_snapshot = json_object_new ();
      json_object_iter_init (&iter, message);
      while (json_object_iter_next (&iter, &name, &node))
        if (!g_str_equal (name, "directory") && !g_str_equal (name, "more"))
          json_object_set_member (self->partial_snapshot, name, json_node_copy (node));
      self->partial_directory = json_array_new ();
      json_object_set_array_member (self->partial_snapshot, "directory",
                                    json_array_ref (self->partial_directory));
      append_directory (self->partial_directory, json_object_get_array_member (message, "directory"));
      return;
    }

  if (self->partial_snapshot == NULL)
    {
      protocol_error (self, _("The server sent part of a snapshot without its beginning"));
      return;
    }

  append_directory (self->partial_directory, json_object_get_array_member (message, "directory"));
  if (!more)
    {
      g_autoptr(JsonObject) snapshot = g_steal_pointer (&self->partial_snapshot);

      g_clear_pointer (&self->partial_directory, json_array_unref);
      emit_snapshot (self, snapshot);
    }
}

static void
message_cb (SoupWebsocketConnection *websocket,
            gint                     data_type,
            GBytes                  *bytes,
            AttendantSession        *self)
{
  g_autoptr(AttendantSession) hold = g_object_ref (self);
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  const char *type;

  push_deadline (self, 2 * self->heartbeat * 1000);

  if (data_type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      session_end (self, ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR, ATTENDANT_CLOSE_PROTOCOL_ERROR,
                   _("The server sent a binary frame"));
      return;
    }

  message = attendant_protocol_decode (data, length, &error);
  if (message == NULL)
    {
      session_end (self, ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR,
                   length > ATTENDANT_PROTOCOL_MAX_MESSAGE ? ATTENDANT_CLOSE_TOO_BIG
                                                           : ATTENDANT_CLOSE_PROTOCOL_ERROR,
                   error->message);
      return;
    }

  type = attendant_protocol_get_type (message);

  if (g_str_equal (type, "ping"))
    {
      g_autoptr(JsonObject) pong = attendant_protocol_message_new ("pong");

      json_object_set_int_member (pong, "id", json_object_get_int_member (message, "id"));
      send_message (self, pong);
    }
  else if (g_str_equal (type, "auth.challenge") || g_str_equal (type, "auth.ok") ||
           g_str_equal (type, "auth.failed"))
    {
      /* Only these three: the decoder checked their members, and any other
       * "auth." type is as unknown as the rest (found by
       * fuzz/fuzz-protocol-client: "auth.x" reached handle_auth() without
       * its "data"). */
      handle_auth (self, type, message);
    }
  else if (g_str_equal (type, "reply"))
    {
      handle_reply (self, message);
    }
  else if (g_str_equal (type, "snapshot") || g_str_equal (type, "snapshot.more"))
    {
      handle_snapshot (self, type, message);
    }
  else if (g_str_equal (type, "event"))
    {
      gint64 seq = json_object_get_int_member (message, "seq");

      /* The server sends a snapshot's parts in one go: an event between
       * them would belong to a state the client does not have yet. */
      if (self->partial_snapshot != NULL)
        {
          protocol_error (self, _("The server sent an event in the middle of a snapshot"));
          return;
        }

      /* A lost event would leave the UI showing something untrue; a new
       * session brings a fresh snapshot instead. */
      if (seq != self->last_seq + 1)
        {
          g_autofree char *text =
            g_strdup_printf (_("Event %lld arrived after %lld"),
                             (long long) seq, (long long) self->last_seq);

          session_end (self, ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR, ATTENDANT_CLOSE_SEQUENCE_GAP, text);
          return;
        }

      self->last_seq = seq;
      g_signal_emit (self, signals[EVENT], 0, message);
    }
  else if (g_str_equal (type, "phone-system"))
    {
      /* Outside the events' sequence: it says nothing about calls. */
      if (self->partial_snapshot != NULL)
        {
          protocol_error (self, _("The server sent a message in the middle of a snapshot"));
          return;
        }

      g_signal_emit (self, signals[PHONE_SYSTEM], 0, message);
    }
  else if (g_str_equal (type, "drain"))
    {
      const char *text = attendant_protocol_get_string (message, "text");

      g_signal_emit (self, signals[DRAIN], 0, text ? text : _("The server is shutting down"));
    }

  /* Anything else (pong included) only proved the server alive. */
}

static void
closed_cb (SoupWebsocketConnection *websocket,
           AttendantSession        *self)
{
  gushort code = soup_websocket_connection_get_close_code (websocket);
  const char *data = soup_websocket_connection_get_close_data (websocket);
  g_autofree char *message = NULL;

  if (code == 0)
    {
      session_end (self, ATTENDANT_CLOSE_REASON_CONNECTION_LOST, 0,
                   _("The connection to the server was lost"));
      return;
    }

  /* TRANSLATORS: %u is a WebSocket close code; the two %s add “: ” and
   * the reason the server gave, when it gave one. */
  message = g_strdup_printf (_("The server closed the connection (code %u%s%s)"), code,
                             data && *data ? ": " : "", data && *data ? data : "");
  session_end (self,
               code == ATTENDANT_CLOSE_AUTH_FAILED ? ATTENDANT_CLOSE_REASON_AUTH_FAILED
                                                   : ATTENDANT_CLOSE_REASON_SERVER_CLOSED,
               0, message);
}

/* libsoup reports what it cannot frame (a frame over its limit, a bad
 * frame) as an error without always closing: the session ends here. It
 * reports a failed read or write the same way, before "closed": a reset,
 * or a TLS stream cut without close_notify because the server died. That
 * is a lost connection, not something the server sent. */
static void
error_cb (SoupWebsocketConnection *websocket,
          GError                  *error,
          AttendantSession        *self)
{
  g_autofree char *message = NULL;
  g_autofree char *what = NULL;
  gushort close_code;

  if (error->domain != SOUP_WEBSOCKET_ERROR)
    {
      message = g_strdup_printf (_("The connection to the server was lost: %s"), error->message);
      session_end (self, ATTENDANT_CLOSE_REASON_CONNECTION_LOST, 0, message);
      return;
    }

  what = attendant_protocol_describe_websocket_error (error, &close_code);
  /* TRANSLATORS: %s says what was wrong with it, such as “a message
   * larger than the limit”. */
  message = g_strdup_printf (_("The server sent %s"), what);
  session_end (self, ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR, close_code, message);
}

static void
attendant_session_dispose (GObject *object)
{
  AttendantSession *self = (AttendantSession *)object;

  stop_timers (self);

  if (self->websocket != NULL)
    {
      g_clear_signal_handler (&self->message_id, self->websocket);
      g_clear_signal_handler (&self->closed_id, self->websocket);
      g_clear_signal_handler (&self->error_id, self->websocket);
    }

  g_clear_object (&self->websocket);
  g_clear_object (&self->connection);
  g_clear_object (&self->scram);
  g_clear_object (&self->login);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->partial_snapshot, json_object_unref);
  g_clear_pointer (&self->partial_directory, json_array_unref);

  G_OBJECT_CLASS (attendant_session_parent_class)->dispose (object);
}

static void
attendant_session_finalize (GObject *object)
{
  AttendantSession *self = (AttendantSession *)object;

  g_clear_pointer (&self->user, g_free);

  G_OBJECT_CLASS (attendant_session_parent_class)->finalize (object);
}

static void
attendant_session_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AttendantSession *self = ATTENDANT_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_USER:
      g_value_set_string (value, self->user);
      break;

    case PROP_HEARTBEAT_INTERVAL:
      g_value_set_uint (value, self->heartbeat);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_session_class_init (AttendantSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_session_dispose;
  object_class->finalize = attendant_session_finalize;
  object_class->get_property = attendant_session_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       ATTENDANT_TYPE_SESSION_STATE, ATTENDANT_SESSION_STATE_GREETED,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_HEARTBEAT_INTERVAL] =
    g_param_spec_uint ("heartbeat-interval", NULL, NULL, 1, 3600, 5,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AttendantSession::snapshot:
   * @snapshot: the whole state after login (docs/protocol.md §2.3), its
   *   directory merged from every part when it came in several
   */
  signals[SNAPSHOT] =
    g_signal_new ("snapshot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);

  /**
   * AttendantSession::event:
   * @event: one change, in order (docs/protocol.md §2.4)
   */
  signals[EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);

  /**
   * AttendantSession::phone-system:
   * @message: the telephone system went out of reach or came back
   *   (docs/protocol.md §2.8), with "reachable" and "reason"
   */
  signals[PHONE_SYSTEM] =
    g_signal_new ("phone-system", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);

  /**
   * AttendantSession::drain:
   * @text: what the server said
   *
   * The node is going away: the client should move elsewhere at once.
   */
  signals[DRAIN] =
    g_signal_new ("drain", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * AttendantSession::closed:
   * @reason: why
   * @message: the same in words
   */
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  ATTENDANT_TYPE_CLOSE_REASON, G_TYPE_STRING);
}

static void
attendant_session_init (AttendantSession *self)
{
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->heartbeat = 5;
}

/**
 * attendant_session_new:
 * @connection: a connection whose greeting is an #AttendantGreeting
 * @heartbeat_interval: seconds between pings; silence for twice as long
 *   ends the session
 */
AttendantSession *
attendant_session_new (AttendantConnection *connection,
                       guint                heartbeat_interval)
{
  AttendantSession *self;
  AttendantGreeting *greeting;

  g_return_val_if_fail (ATTENDANT_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (ATTENDANT_IS_GREETING (attendant_connection_get_greeting (connection)), NULL);
  g_return_val_if_fail (heartbeat_interval >= 1, NULL);

  greeting = ATTENDANT_GREETING (attendant_connection_get_greeting (connection));

  self = g_object_new (ATTENDANT_TYPE_SESSION, NULL);
  self->connection = g_object_ref (connection);
  self->websocket = g_object_ref (attendant_greeting_get_websocket (greeting));
  self->heartbeat = heartbeat_interval;

  self->message_id = g_signal_connect (self->websocket, "message", G_CALLBACK (message_cb), self);
  self->closed_id = g_signal_connect (self->websocket, "closed", G_CALLBACK (closed_cb), self);
  self->error_id = g_signal_connect (self->websocket, "error", G_CALLBACK (error_cb), self);

  self->ping_source = g_timeout_source_new (heartbeat_interval * 1000);
  g_source_set_callback (self->ping_source, ping_cb, self, NULL);
  g_source_set_static_name (self->ping_source, "[attendant] heartbeat ping");
  g_source_attach (self->ping_source, g_main_context_get_thread_default ());

  self->dead_source = g_source_new (&deadline_funcs, sizeof (GSource));
  g_source_set_callback (self->dead_source, dead_cb, self, NULL);
  g_source_set_static_name (self->dead_source, "[attendant] heartbeat deadline");
  g_source_attach (self->dead_source, g_main_context_get_thread_default ());
  push_deadline (self, 2 * heartbeat_interval * 1000);

  return self;
}

AttendantConnection *
attendant_session_get_connection (AttendantSession *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SESSION (self), NULL);
  return self->connection;
}

AttendantSessionState
attendant_session_get_state (AttendantSession *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SESSION (self), 0);
  return self->state;
}

const char *
attendant_session_get_user (AttendantSession *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SESSION (self), NULL);
  return self->user;
}

guint
attendant_session_get_heartbeat_interval (AttendantSession *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SESSION (self), 0);
  return self->heartbeat;
}

/**
 * attendant_session_login_async:
 *
 * Logs in with SCRAM-SHA-256: the password never leaves this process.
 * Fails with %ATTENDANT_ERROR_AUTH_FAILED when the server refuses
 * the credentials — retrying elsewhere would not help.
 */
void
attendant_session_login_async (AttendantSession    *self,
                               const char          *user,
                               const char          *password,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) start = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  gboolean done = FALSE;

  g_return_if_fail (ATTENDANT_IS_SESSION (self));
  g_return_if_fail (user != NULL);
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_session_login_async);

  if (self->state != ATTENDANT_SESSION_STATE_GREETED || self->login != NULL)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_NOT_CONNECTED,
                               _("The session cannot log in now"));
      return;
    }

  self->scram = attendant_scram_new_client (user, password, &error);
  if (self->scram == NULL || !(first = attendant_scram_step (self->scram, NULL, &done, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_free (self->user);
  self->user = g_strdup (user);
  self->login = g_steal_pointer (&task);
  set_state (self, ATTENDANT_SESSION_STATE_AUTHENTICATING);

  start = attendant_protocol_message_new ("auth.start");
  json_object_set_string_member (start, "mechanism", "SCRAM-SHA-256");
  json_object_set_string_member (start, "data", first);
  send_message (self, start);
}

gboolean
attendant_session_login_finish (AttendantSession  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (ATTENDANT_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * attendant_session_send_command_async:
 * @args: (nullable): the command's arguments
 *
 * Sends a command and waits for its reply. Refused at once with
 * %ATTENDANT_ERROR_NOT_CONNECTED when the session is not ready; fails with
 * %ATTENDANT_ERROR_RESULT_UNKNOWN if the connection is lost before the
 * reply, and %ATTENDANT_ERROR_COMMAND_FAILED ("code: text") when the
 * server refused it.
 */
void
attendant_session_send_command_async (AttendantSession    *self,
                                      const char          *command,
                                      JsonObject          *args,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autofree char *id = NULL;

  g_return_if_fail (ATTENDANT_IS_SESSION (self));
  g_return_if_fail (command != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_session_send_command_async);
  g_task_set_task_data (task, g_strdup (command), g_free);

  if (self->state != ATTENDANT_SESSION_STATE_READY)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_NOT_CONNECTED,
                               _("Not connected to a server: “%s” was not sent"), command);
      return;
    }

  id = g_strdup_printf ("c-%" G_GUINT64_FORMAT, ++self->next_request);
  message = attendant_protocol_message_new ("command");
  json_object_set_string_member (message, "id", id);
  json_object_set_string_member (message, "command", command);
  json_object_set_object_member (message, "args", args ? json_object_ref (args) : json_object_new ());

  g_hash_table_insert (self->pending, g_steal_pointer (&id), g_object_ref (task));
  send_message (self, message);
}

/**
 * attendant_session_send_command_finish:
 *
 * Returns: (transfer full): the reply's `result` object
 */
JsonObject *
attendant_session_send_command_finish (AttendantSession  *self,
                                       GAsyncResult      *result,
                                       GError           **error)
{
  g_return_val_if_fail (ATTENDANT_IS_SESSION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * attendant_session_check_liveness:
 *
 * Pings now and expects to hear from the server within one heartbeat
 * interval, after a network change or a resume from suspend, when the
 * old connection may be dead without any socket error to show for it.
 */
void
attendant_session_check_liveness (AttendantSession *self)
{
  g_return_if_fail (ATTENDANT_IS_SESSION (self));

  if (self->state == ATTENDANT_SESSION_STATE_CLOSED)
    return;

  send_ping (self);
  push_deadline (self, self->heartbeat * 1000);
}

/**
 * attendant_session_close:
 *
 * Ends the session on purpose (log out, or after a failback).
 */
void
attendant_session_close (AttendantSession *self)
{
  g_return_if_fail (ATTENDANT_IS_SESSION (self));

  session_end (self, ATTENDANT_CLOSE_REASON_LOGOUT, ATTENDANT_CLOSE_NORMAL, _("Logged out"));
}
