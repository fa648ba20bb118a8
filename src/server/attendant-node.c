/* attendant-node.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-node"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include <libsoup/soup.h>

#include "attendant-guarded-stream.h"
#include "attendant-node.h"
#include "attendant-http-guard.h"
#include "attendant-protocol.h"
#include "attendant-server.h"
#include "attendant-server-session.h"
#include "attendant-tls.h"

/* One named node of the cluster: its plain and TLS listeners and its
 * sessions (docs/server.md). The listeners are GSocketServices rather than
 * soup_server_listen(), because the node must control every connection
 * itself: finish the TLS handshake and refuse anything older than TLS 1.2
 * before HTTP starts, and be able to drop the sockets at once for "crash".
 * Each established stream is then handed to the node's SoupServer, which
 * upgrades it to the WebSocket on /attendant (subprotocol attendant.v1
 * only) and gives it to a new AttendantServerSession.
 *
 * The admin API drives the node through these states:
 *
 *   running ──freeze──▶ frozen ──thaw/start──▶ running
 *   running ──stop───▶ stopped   (close 1001, listeners closed)
 *   running ──crash──▶ stopped   (sockets shut down, nothing sent)
 *   running ──drain──▶ draining ──clients gone or grace over──▶ stopped
 *   stopped ──start──▶ running   (same ports as before)
 */

typedef struct
{
  AttendantNode     *node;          /* NULL once detached */
  GSocketConnection *connection;
  GIOStream         *stream;        /* what SoupServer got, once it has it */
  GSocketAddress    *remote;
  char              *peer;
  const char        *transport;
  GCancellable      *cancellable;
  guint              deadline;
  AttendantAdmissionTicket *ticket;  /* counted until logged in */
} Pending;

typedef struct
{
  const char             *transport;
  AttendantServerAddress *config;
  GSocketService         *service;
  guint16                 port;     /* bound, kept across restarts */
} Listener;

struct _AttendantNode
{
  GObject                          parent_instance;

  AttendantServer                 *server;
  const AttendantServerNodeConfig *config;
  char                            *name;
  AttendantNodeState               state;
  gboolean                         crashed;
  SoupServer                      *soup;
  Listener                         listeners[2];
  GPtrArray                       *pending;
  GPtrArray                       *sessions;
  guint                            drain_source;
};

G_DEFINE_FINAL_TYPE (AttendantNode, attendant_node, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
attendant_node_state_to_string (AttendantNodeState state)
{
  switch (state)
    {
    case ATTENDANT_NODE_STATE_STOPPED:
      return "stopped";
    case ATTENDANT_NODE_STATE_RUNNING:
      return "running";
    case ATTENDANT_NODE_STATE_FROZEN:
      return "frozen";
    case ATTENDANT_NODE_STATE_DRAINING:
      return "draining";
    default:
      return "unknown";
    }
}

static void
set_state (AttendantNode      *self,
           AttendantNodeState  state)
{
  if (self->state != state)
    {
      g_message ("node %s: %s", self->name, attendant_node_state_to_string (state));
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static double
auth_timeout (AttendantNode *self)
{
  return attendant_server_config_get_auth_timeout (attendant_server_get_config (self->server));
}

/* {{{ Connections before their session */

static void
pending_clear (gpointer data)
{
  Pending *pending = data;

  g_clear_object (&pending->connection);
  g_clear_object (&pending->stream);
  g_clear_object (&pending->remote);
  g_clear_object (&pending->cancellable);
  g_clear_pointer (&pending->ticket, attendant_admission_ticket_free);
  g_free (pending->peer);
}

static void
pending_unref (Pending *pending)
{
  g_rc_box_release_full (pending, pending_clear);
}

static void
pending_unref_cb (gpointer data)
{
  pending_unref (data);
}

/* Takes @pending out of the node; with @drop, also hangs up on it. */
static void
pending_remove (Pending  *pending,
                gboolean  drop)
{
  AttendantNode *self = pending->node;

  if (self == NULL)
    return;

  pending->node = NULL;
  if (pending->deadline != 0)
    g_source_remove (pending->deadline);
  pending->deadline = 0;
  g_cancellable_cancel (pending->cancellable);

  if (drop)
    {
      GSocket *socket = g_socket_connection_get_socket (pending->connection);

      /* Once libsoup has the stream, it must see the end itself; before,
       * the connection is only ours. */
      if (pending->stream != NULL)
        {
          if (!g_socket_is_closed (socket))
            g_socket_shutdown (socket, TRUE, TRUE, NULL);
        }
      else
        g_io_stream_close (G_IO_STREAM (pending->connection), NULL, NULL);
    }

  g_ptr_array_remove (self->pending, pending);
}

static void
drop_pending (AttendantNode *self)
{
  while (self->pending->len > 0)
    pending_remove (g_ptr_array_index (self->pending, 0), TRUE);
}

static gboolean
pending_deadline_cb (gpointer user_data)
{
  Pending *pending = user_data;

  g_message ("node %s: %s opened no session in time; hanging up",
             pending->node->name, pending->peer);
  pending->deadline = 0;
  pending_remove (pending, TRUE);

  return G_SOURCE_REMOVE;
}

static void
hand_over (Pending   *pending,
           GIOStream *stream)
{
  AttendantNode *self = pending->node;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) error = NULL;

  /* libsoup bounds a WebSocket frame, not a message: the guard counts a
   * message over its continuation frames, from the bytes libsoup reads. */
  pending->stream = G_IO_STREAM (attendant_guarded_stream_new (stream, ATTENDANT_FRAME_GUARD_START_HTTP));
  local = g_socket_connection_get_local_address (pending->connection, NULL);

  if (!soup_server_accept_iostream (self->soup, pending->stream, local, pending->remote, &error))
    {
      g_message ("node %s: %s: %s", self->name, pending->peer, error->message);
      g_clear_object (&pending->stream);
      pending_remove (pending, TRUE);
    }
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pending *pending = user_data;
  GTlsConnection *tls = G_TLS_CONNECTION (object);
  g_autoptr(GError) error = NULL;
  GTlsProtocolVersion version;

  if (!g_tls_connection_handshake_finish (tls, result, &error))
    {
      if (pending->node != NULL)
        {
          g_message ("node %s: TLS handshake with %s failed: %s",
                     pending->node->name, pending->peer, error->message);
          pending_remove (pending, TRUE);
        }
      pending_unref (pending);
      return;
    }

  if (pending->node == NULL)
    {
      pending_unref (pending);
      return;
    }

  /* attendant_tls_init() already keeps GnuTLS from offering anything older
   * than TLS 1.2; this holds even if someone overrode its priority string
   * (docs/architecture.md, "TLS version and identity"). */
  version = g_tls_connection_get_protocol_version (tls);
  if (!attendant_tls_version_is_acceptable (version))
    {
      g_message ("node %s: %s negotiated %s; refused (TLS 1.2 or newer only)",
                 pending->node->name, pending->peer, attendant_tls_version_to_string (version));
      pending_remove (pending, TRUE);
      pending_unref (pending);
      return;
    }

  hand_over (pending, G_IO_STREAM (tls));
  pending_unref (pending);
}

static char *
peer_to_string (GSocketAddress *address)
{
  GInetAddress *inet;
  g_autofree char *host = NULL;
  guint16 port;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
  host = g_inet_address_to_string (inet);

  return g_strdup_printf ("%s|%u", host, port);
}

/* Made room for a newer connection (attendant-admission.c). */
static void
pending_evict_cb (gpointer data)
{
  Pending *pending = data;

  pending_remove (pending, TRUE);
}

/* Whether libsoup, or the TLS handshake, has not already seen this
 * connection end. */
static gboolean
pending_alive_cb (gpointer data)
{
  Pending *pending = data;

  return pending->node != NULL &&
         !g_io_stream_is_closed (pending->stream != NULL ? pending->stream
                                                         : G_IO_STREAM (pending->connection)) &&
         !g_socket_is_closed (g_socket_connection_get_socket (pending->connection));
}

static char *
address_to_string (GSocketAddress *address)
{
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("unknown");

  return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
}

static void
accept_connection (AttendantNode     *self,
                   GSocketConnection *connection,
                   const char        *transport)
{
  Pending *pending = g_rc_box_new0 (Pending);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  pending->remote = g_socket_connection_get_remote_address (connection, NULL);
  address = address_to_string (pending->remote);
  /* Counted before anything is spent on it; over the cap for its address
   * it is closed at once (the kernel has already accepted it). */
  pending->ticket = attendant_admission_admit (attendant_server_get_admission (self->server), address,
                                               pending_evict_cb, pending_alive_cb, pending);
  if (pending->ticket == NULL)
    {
      g_debug ("node %s: %s has too many connections not yet logged in; closed", self->name, address);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      pending_unref (pending);
      return;
    }

  pending->node = self;
  /* Replies and events are small and come in bursts (an event, then the
   * reply it answers): Nagle's algorithm would hold every second one back
   * for the peer's delayed ACK, some 40 ms. */
  g_socket_set_option (g_socket_connection_get_socket (connection),
                       IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  pending->connection = g_object_ref (connection);
  pending->peer = peer_to_string (pending->remote);
  pending->transport = transport;
  pending->cancellable = g_cancellable_new ();
  g_ptr_array_add (self->pending, pending);

  /* A connection that never gets as far as the WebSocket (no TLS
   * handshake, no upgrade) is not kept for ever. */
  pending->deadline = g_timeout_add ((guint)(auth_timeout (self) * 1000) + 1,
                                     pending_deadline_cb, pending);

  if (g_str_equal (transport, "tls"))
    {
      g_autoptr(GIOStream) guarded = attendant_tls_guard_stream (G_IO_STREAM (connection));
      g_autoptr(GIOStream) tls = NULL;

      /* Guarded: a client's renegotiation closes its connection instead
       * of costing a second handshake (ATTENDANT_TLS_PRIORITY says why
       * GnuTLS cannot be told). */
      tls = g_tls_server_connection_new (guarded, self->config->certificate, &error);
      if (tls == NULL)
        {
          g_warning ("node %s: cannot start TLS: %s", self->name, error->message);
          pending_remove (pending, TRUE);
          return;
        }

      g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                        pending->cancellable, handshake_cb,
                                        g_rc_box_acquire (pending));
    }
  else
    hand_over (pending, G_IO_STREAM (connection));
}

static gboolean
on_incoming_plain (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source_object,
                   gpointer           user_data)
{
  accept_connection (user_data, connection, "plain");
  return TRUE;
}

static gboolean
on_incoming_tls (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source_object,
                 gpointer           user_data)
{
  accept_connection (user_data, connection, "tls");
  return TRUE;
}

/* }}} */
/* {{{ Sessions */

static void
finish_drain (AttendantNode *self)
{
  if (self->drain_source != 0)
    {
      g_source_remove (self->drain_source);
      self->drain_source = 0;
    }
  set_state (self, ATTENDANT_NODE_STATE_STOPPED);
}

static void
session_closed_cb (AttendantNode    *self,
                   AttendantServerSession *session)
{
  g_ptr_array_remove (self->sessions, session);

  if (self->state == ATTENDANT_NODE_STATE_DRAINING && self->sessions->len == 0)
    finish_drain (self);
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *text,
              gpointer           user_data)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
}

/* Every request is judged by its headers (attendant-http-guard.c): a node
 * serves nothing but the WebSocket upgrade on /attendant, a GET without a
 * body, for clients that speak attendant.v1 (libsoup would also upgrade a
 * client that names no subprotocol at all). Anything else is answered and
 * the connection closed without reading a byte of a body. */
static gboolean
judge_request (SoupServerMessage *msg,
               gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  static const char body[] = "This is an Attendant server: WebSocket, subprotocol "
                             ATTENDANT_PROTOCOL_SUBPROTOCOL ", on " ATTENDANT_PROTOCOL_PATH "\n";

  if (g_strcmp0 (g_uri_get_path (soup_server_message_get_uri (msg)), ATTENDANT_PROTOCOL_PATH) != 0)
    respond_text (msg, SOUP_STATUS_NOT_FOUND, body, user_data);
  else if (g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0)
    {
      respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, body, user_data);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET");
    }
  else if (!soup_message_headers_header_contains (headers, "Sec-WebSocket-Protocol",
                                                  ATTENDANT_PROTOCOL_SUBPROTOCOL))
    respond_text (msg, SOUP_STATUS_BAD_REQUEST, body, user_data);
  else
    return TRUE;

  return FALSE;
}

/* A refused request's connection is closed: it no longer waits. */
static void
refused_closed (GSocketAddress *remote,
                gpointer        user_data)
{
  AttendantNode *self = user_data;
  g_autofree char *peer = peer_to_string (remote);

  for (guint i = 0; i < self->pending->len; i++)
    {
      Pending *pending = g_ptr_array_index (self->pending, i);

      if (g_str_equal (pending->peer, peer))
        {
          pending_remove (pending, FALSE);
          break;
        }
    }
}

static const AttendantHttpGuard http_guard = {
  .max_body = 0,
  .judge = judge_request,
  .respond = respond_text,
  .closed = refused_closed,
};

#define TICKET_KEY "attendant-admission-ticket"

static void
session_evict_cb (gpointer data)
{
  attendant_server_session_abort (data);
}

/* Logged in, or closing: no longer counted as waiting. */
static void
session_state_cb (AttendantServerSession *session,
                  GParamSpec             *pspec,
                  gpointer                user_data)
{
  if (attendant_server_session_get_state (session) >= ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED)
    g_object_set_data (G_OBJECT (session), TICKET_KEY, NULL);
}

static void
websocket_cb (SoupServer              *soup,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *websocket,
              gpointer                 user_data)
{
  AttendantNode *self = user_data;
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  g_autofree char *peer = peer_to_string (remote);
  g_autoptr(AttendantServerSession) session = NULL;
  GSocket *socket = NULL;
  const char *transport = "plain";
  g_autoptr(AttendantAdmissionTicket) ticket = NULL;
  gboolean guarded = FALSE;

  for (guint i = 0; i < self->pending->len; i++)
    {
      Pending *pending = g_ptr_array_index (self->pending, i);

      if (g_str_equal (pending->peer, peer))
        {
          socket = g_object_ref (g_socket_connection_get_socket (pending->connection));
          transport = pending->transport;
          ticket = g_steal_pointer (&pending->ticket);
          guarded = ATTENDANT_IS_GUARDED_STREAM (pending->stream) &&
                    attendant_frame_guard_is_guarding (attendant_guarded_stream_get_guard (ATTENDANT_GUARDED_STREAM (pending->stream)));
          pending_remove (pending, FALSE);
          break;
        }
    }

  /* An upgrade the frame guard did not follow (a request with a body: it
   * cannot tell where libsoup's frames begin) would be a WebSocket
   * without a bound on its messages. */
  if (!guarded)
    {
      g_message ("node %s: %s: a WebSocket upgrade the frame guard could not follow (a request with a body); refused",
                 self->name, peer);
      soup_websocket_connection_close (websocket, ATTENDANT_CLOSE_PROTOCOL_ERROR, "Unexpected upgrade");
      g_clear_object (&socket);
      return;
    }

  if (self->state == ATTENDANT_NODE_STATE_STOPPED || self->state == ATTENDANT_NODE_STATE_DRAINING)
    {
      soup_websocket_connection_close (websocket, ATTENDANT_CLOSE_GOING_AWAY, "Node stopping");
      g_clear_object (&socket);
      return;
    }

  session = attendant_server_session_new (self->server, self->name, websocket, socket, remote, transport);
  g_clear_object (&socket);
  g_ptr_array_add (self->sessions, g_object_ref (session));
  g_signal_connect_object (session, "closed", G_CALLBACK (session_closed_cb), self,
                           G_CONNECT_SWAPPED);
  if (ticket != NULL)
    {
      attendant_admission_ticket_set_holder (ticket, session_evict_cb, NULL, session);
      g_object_set_data_full (G_OBJECT (session), TICKET_KEY, g_steal_pointer (&ticket),
                              (GDestroyNotify)attendant_admission_ticket_free);
      g_signal_connect (session, "notify::state", G_CALLBACK (session_state_cb), NULL);
    }
  attendant_server_session_start (session, self->state == ATTENDANT_NODE_STATE_FROZEN);
}

/* Calls @func on every session; the list may shrink meanwhile. */
static void
foreach_session (AttendantNode *self,
                 void         (*func) (AttendantServerSession *session,
                                       gpointer          data),
                 gpointer       data)
{
  g_autoptr(GPtrArray) copy = g_ptr_array_copy (self->sessions, (GCopyFunc)(void (*)(void))g_object_ref, NULL);

  g_ptr_array_set_free_func (copy, g_object_unref);
  for (guint i = 0; i < copy->len; i++)
    func (g_ptr_array_index (copy, i), data);
}

static void
close_going_away (AttendantServerSession *session,
                  gpointer          data)
{
  attendant_server_session_close (session, ATTENDANT_CLOSE_GOING_AWAY, data);
}

static void
abort_session (AttendantServerSession *session,
               gpointer          data)
{
  attendant_server_session_abort (session);
}

static void
freeze_session (AttendantServerSession *session,
                gpointer          data)
{
  attendant_server_session_set_frozen (session, GPOINTER_TO_INT (data));
}

static void
drain_session (AttendantServerSession *session,
               gpointer          data)
{
  attendant_server_session_drain (session, data);
}

/* }}} */
/* {{{ Listeners */

static void
close_listeners (AttendantNode *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->listeners); i++)
    {
      Listener *listener = &self->listeners[i];

      if (listener->service == NULL)
        continue;

      g_signal_handlers_disconnect_by_data (listener->service, self);
      g_socket_service_stop (listener->service);
      g_socket_listener_close (G_SOCKET_LISTENER (listener->service));
      g_clear_object (&listener->service);
    }
}

static gboolean
open_listener (AttendantNode  *self,
               Listener       *listener,
               GError        **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GError) local_error = NULL;
  guint16 port;

  if (listener->config == NULL)
    return TRUE;

  /* The same port after a stop: clients and the node list expect it. */
  port = listener->port != 0 ? listener->port : listener->config->port;
  address = g_inet_socket_address_new_from_string (listener->config->host, port);
  service = g_socket_service_new ();
  /* When a node dies, every client of the cluster arrives here at once;
   * GSocketListener's default backlog of 10 would have the kernel drop
   * most of their SYNs and each of those clients wait a second for the
   * retransmission. (Must be set before the address is added.) */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), 1024);

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "node %s: cannot listen on %s:%u (%s): %s", self->name,
                   listener->config->host, port, listener->transport, local_error->message);
      return FALSE;
    }

  listener->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect_object (service, "incoming",
                           g_str_equal (listener->transport, "tls")
                             ? G_CALLBACK (on_incoming_tls) : G_CALLBACK (on_incoming_plain),
                           self, 0);
  g_socket_service_start (service);
  listener->service = g_steal_pointer (&service);

  return TRUE;
}

/* }}} */
/* {{{ GObject */

static void
attendant_node_dispose (GObject *object)
{
  AttendantNode *self = (AttendantNode *)object;

  if (self->drain_source != 0)
    {
      g_source_remove (self->drain_source);
      self->drain_source = 0;
    }
  close_listeners (self);
  if (self->pending != NULL)
    drop_pending (self);
  if (self->sessions != NULL)
    foreach_session (self, abort_session, NULL);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);

  G_OBJECT_CLASS (attendant_node_parent_class)->dispose (object);
}

static void
attendant_node_finalize (GObject *object)
{
  AttendantNode *self = (AttendantNode *)object;

  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_free (self->name);

  G_OBJECT_CLASS (attendant_node_parent_class)->finalize (object);
}

static void
attendant_node_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  AttendantNode *self = ATTENDANT_NODE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_node_class_init (AttendantNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_node_dispose;
  object_class->finalize = attendant_node_finalize;
  object_class->get_property = attendant_node_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      ATTENDANT_NODE_STATE_STOPPED, ATTENDANT_NODE_STATE_DRAINING,
                      ATTENDANT_NODE_STATE_STOPPED,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_node_init (AttendantNode *self)
{
  self->pending = g_ptr_array_new_with_free_func (pending_unref_cb);
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->listeners[0].transport = "plain";
  self->listeners[1].transport = "tls";
}

/**
 * attendant_node_new:
 * @server: the process's server, which outlives the node
 * @config: (transfer none): the node's configuration, owned by @server's
 *   configuration
 *
 * Returns: (transfer full): a stopped node
 */
AttendantNode *
attendant_node_new (AttendantServer                 *server,
                    const AttendantServerNodeConfig *config)
{
  AttendantNode *self;
  char *protocols[] = { (char *)ATTENDANT_PROTOCOL_SUBPROTOCOL, NULL };
  g_autofree char *header = g_strdup_printf ("attendant-server/%s", PACKAGE_VERSION);

  g_return_val_if_fail (ATTENDANT_IS_SERVER (server), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (ATTENDANT_TYPE_NODE, NULL);
  self->server = server;
  self->config = config;
  self->name = g_strdup (config->name);
  self->listeners[0].config = config->plain;
  self->listeners[1].config = config->tls;

  self->soup = soup_server_new ("server-header", header, NULL);
  /* permessage-deflate would let a small frame inflate past any limit. */
  soup_server_remove_websocket_extension (self->soup, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  attendant_http_guard_attach (self->soup, &http_guard, G_OBJECT (self));
  soup_server_add_websocket_handler (self->soup, ATTENDANT_PROTOCOL_PATH, NULL, protocols,
                                     websocket_cb, self, NULL);

  return self;
}

/* }}} */
/* {{{ Public */

const char *
attendant_node_get_name (AttendantNode *self)
{
  g_return_val_if_fail (ATTENDANT_IS_NODE (self), NULL);

  return self->name;
}

AttendantNodeState
attendant_node_get_state (AttendantNode *self)
{
  g_return_val_if_fail (ATTENDANT_IS_NODE (self), ATTENDANT_NODE_STATE_STOPPED);

  return self->state;
}

/**
 * attendant_node_get_port:
 * @transport: "plain" or "tls"
 *
 * Returns: the port the listener is (or was last) bound to, or the
 *   configured port before the first start; 0 without such a listener
 */
guint16
attendant_node_get_port (AttendantNode *self,
                         const char    *transport)
{
  g_return_val_if_fail (ATTENDANT_IS_NODE (self), 0);

  for (guint i = 0; i < G_N_ELEMENTS (self->listeners); i++)
    {
      Listener *listener = &self->listeners[i];

      if (listener->config != NULL && g_strcmp0 (listener->transport, transport) == 0)
        return listener->port != 0 ? listener->port : listener->config->port;
    }

  return 0;
}

guint
attendant_node_get_n_sessions (AttendantNode *self)
{
  g_return_val_if_fail (ATTENDANT_IS_NODE (self), 0);

  return self->sessions->len;
}

/**
 * attendant_node_get_sessions:
 *
 * Returns: (transfer none) (element-type AttendantServerSession):
 */
GPtrArray *
attendant_node_get_sessions (AttendantNode *self)
{
  g_return_val_if_fail (ATTENDANT_IS_NODE (self), NULL);

  return self->sessions;
}

/**
 * attendant_node_start:
 *
 * Listens again (on the ports of the last start), or thaws a frozen node.
 */
gboolean
attendant_node_start (AttendantNode  *self,
                      GError        **error)
{
  g_return_val_if_fail (ATTENDANT_IS_NODE (self), FALSE);

  switch (self->state)
    {
    case ATTENDANT_NODE_STATE_RUNNING:
      return TRUE;

    case ATTENDANT_NODE_STATE_FROZEN:
      attendant_node_thaw (self);
      return TRUE;

    case ATTENDANT_NODE_STATE_DRAINING:
      /* Those told to leave are let go now; newcomers are welcome. */
      foreach_session (self, close_going_away, (gpointer)"Node restarting");
      finish_drain (self);
      break;

    case ATTENDANT_NODE_STATE_STOPPED:
    default:
      break;
    }

  for (guint i = 0; i < G_N_ELEMENTS (self->listeners); i++)
    {
      if (!open_listener (self, &self->listeners[i], error))
        {
          close_listeners (self);
          return FALSE;
        }
    }

  self->crashed = FALSE;
  set_state (self, ATTENDANT_NODE_STATE_RUNNING);

  return TRUE;
}

void
attendant_node_stop (AttendantNode *self)
{
  g_return_if_fail (ATTENDANT_IS_NODE (self));

  if (self->drain_source != 0)
    {
      g_source_remove (self->drain_source);
      self->drain_source = 0;
    }

  close_listeners (self);
  drop_pending (self);
  foreach_session (self, close_going_away, (gpointer)"Node stopping");
  set_state (self, ATTENDANT_NODE_STATE_STOPPED);
}

void
attendant_node_crash (AttendantNode *self)
{
  g_return_if_fail (ATTENDANT_IS_NODE (self));

  if (self->drain_source != 0)
    {
      g_source_remove (self->drain_source);
      self->drain_source = 0;
    }

  close_listeners (self);
  drop_pending (self);
  foreach_session (self, abort_session, NULL);
  self->crashed = TRUE;
  set_state (self, ATTENDANT_NODE_STATE_STOPPED);
}

/* The listening sockets stay open, so new connections complete their TCP
 * handshake in the kernel's backlog and then hear nothing, exactly like
 * those already established. */
void
attendant_node_freeze (AttendantNode *self)
{
  g_return_if_fail (ATTENDANT_IS_NODE (self));

  if (self->state != ATTENDANT_NODE_STATE_RUNNING)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (self->listeners); i++)
    if (self->listeners[i].service != NULL)
      g_socket_service_stop (self->listeners[i].service);

  foreach_session (self, freeze_session, GINT_TO_POINTER (TRUE));
  set_state (self, ATTENDANT_NODE_STATE_FROZEN);
}

void
attendant_node_thaw (AttendantNode *self)
{
  g_return_if_fail (ATTENDANT_IS_NODE (self));

  if (self->state != ATTENDANT_NODE_STATE_FROZEN)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (self->listeners); i++)
    if (self->listeners[i].service != NULL)
      g_socket_service_start (self->listeners[i].service);

  foreach_session (self, freeze_session, GINT_TO_POINTER (FALSE));
  set_state (self, ATTENDANT_NODE_STATE_RUNNING);
}

static gboolean
drain_grace_cb (gpointer user_data)
{
  AttendantNode *self = user_data;

  self->drain_source = 0;
  foreach_session (self, close_going_away, (gpointer)"Node drained");
  set_state (self, ATTENDANT_NODE_STATE_STOPPED);

  return G_SOURCE_REMOVE;
}

/**
 * attendant_node_drain:
 * @text: (nullable): the drain message's text
 *
 * Stops taking connections, tells every client to leave
 * (docs/protocol.md §2.7), and closes with 1001 whoever is still there
 * after @grace_seconds. Commands are still answered meanwhile.
 */
void
attendant_node_drain (AttendantNode *self,
                      double         grace_seconds,
                      const char    *text)
{
  g_autofree char *default_text = NULL;

  g_return_if_fail (ATTENDANT_IS_NODE (self));

  if (self->state == ATTENDANT_NODE_STATE_STOPPED || self->state == ATTENDANT_NODE_STATE_DRAINING)
    return;

  if (self->state == ATTENDANT_NODE_STATE_FROZEN)
    attendant_node_thaw (self);

  if (text == NULL)
    text = default_text = g_strdup_printf ("Node %s is shutting down", self->name);

  close_listeners (self);
  drop_pending (self);
  foreach_session (self, drain_session, (gpointer)text);

  if (self->sessions->len == 0)
    {
      set_state (self, ATTENDANT_NODE_STATE_STOPPED);
      return;
    }

  set_state (self, ATTENDANT_NODE_STATE_DRAINING);
  self->drain_source = g_timeout_add ((guint)(grace_seconds * 1000) + 1, drain_grace_cb, self);
}

JsonObject *
attendant_node_to_json (AttendantNode *self)
{
  JsonObject *object;
  JsonArray *listeners;
  guint logged_in = 0;

  g_return_val_if_fail (ATTENDANT_IS_NODE (self), NULL);

  object = json_object_new ();
  json_object_set_string_member (object, "name", self->name);
  json_object_set_string_member (object, "state", attendant_node_state_to_string (self->state));
  json_object_set_boolean_member (object, "crashed", self->crashed);

  listeners = json_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (self->listeners); i++)
    {
      Listener *listener = &self->listeners[i];
      JsonObject *entry;

      if (listener->config == NULL)
        continue;

      entry = json_object_new ();
      json_object_set_string_member (entry, "transport", listener->transport);
      json_object_set_string_member (entry, "address", listener->config->host);
      json_object_set_int_member (entry, "port", attendant_node_get_port (self, listener->transport));
      json_object_set_boolean_member (entry, "listening", listener->service != NULL);
      json_array_add_object_element (listeners, entry);
    }
  json_object_set_array_member (object, "listeners", listeners);

  for (guint i = 0; i < self->sessions->len; i++)
    if (attendant_server_session_get_state (g_ptr_array_index (self->sessions, i)) ==
        ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED)
      logged_in++;

  json_object_set_int_member (object, "sessions", self->sessions->len);
  json_object_set_int_member (object, "logged_in", logged_in);

  return object;
}

/* }}} */
