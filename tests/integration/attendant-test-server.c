/* attendant-test-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-server"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "attendant-test-server.h"

/* A loopback listener for the integration suite that does only what a test
 * tells it: accept and hold the connection in silence, or accept and answer
 * a TLS handshake (at once or after a delay), or not accept at all with a
 * full queue so that the kernel drops every further SYN. It counts every
 * connection that reached it, including those the kernel has queued but
 * nobody accepted yet, so that "endpoint 2 was never contacted" is a fact
 * about the socket and not about how far the main loop got. */
struct _AttendantTestServer
{
  GObject          parent_instance;

  GSocket         *socket;
  GSource         *accept_source;
  GCancellable    *cancellable;
  GTlsCertificate *certificate;
  GPtrArray       *connections;  /* GSocketConnection, held open */
  GPtrArray       *tls;          /* GTlsConnection on top of them */
  GPtrArray       *fillers;      /* GSocket, client ends filling a stalled queue */
  GPtrArray       *delays;       /* GSource, handshakes not started yet */
  GError          *handshake_error;
  guint            handshake_delay;
  guint            n_accepted;
  guint            n_handshakes;
  guint16          port;
};

G_DEFINE_FINAL_TYPE (AttendantTestServer, attendant_test_server, G_TYPE_OBJECT)

enum {
  ACCEPTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
attendant_test_server_dispose (GObject *object)
{
  AttendantTestServer *self = (AttendantTestServer *)object;

  attendant_test_server_stop (self);

  g_clear_object (&self->socket);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  g_clear_pointer (&self->tls, g_ptr_array_unref);
  g_clear_pointer (&self->fillers, g_ptr_array_unref);
  g_clear_pointer (&self->delays, g_ptr_array_unref);
  g_clear_error (&self->handshake_error);

  G_OBJECT_CLASS (attendant_test_server_parent_class)->dispose (object);
}

static void
attendant_test_server_class_init (AttendantTestServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_test_server_dispose;

  /**
   * AttendantTestServer::accepted:
   * @connection: the connection just accepted
   */
  signals[ACCEPTED] =
    g_signal_new ("accepted",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_SOCKET_CONNECTION);
}

static void
attendant_test_server_init (AttendantTestServer *self)
{
  self->cancellable = g_cancellable_new ();
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
  self->tls = g_ptr_array_new_with_free_func (g_object_unref);
  self->fillers = g_ptr_array_new_with_free_func (g_object_unref);
  self->delays = g_ptr_array_new_with_free_func ((GDestroyNotify)g_source_unref);
}

static GSocket *
bound_socket_new (const char  *address,
                  guint16      port,
                  GError     **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) socket = NULL;

  g_assert (inet != NULL);

  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;

  /* No address reuse: the port must be ours alone, or a stranger's
   * listener could answer where a test expects a refusal. */
  socket_address = g_inet_socket_address_new (inet, port);
  if (!g_socket_bind (socket, socket_address, FALSE, error))
    return NULL;

  return g_steal_pointer (&socket);
}

static gboolean
listen_on (AttendantTestServer  *self,
           const char           *address,
           guint16               port,
           int                   backlog,
           GError              **error)
{
  g_autoptr(GSocketAddress) local = NULL;

  self->socket = bound_socket_new (address, port, error);
  if (self->socket == NULL)
    return FALSE;

  g_socket_set_listen_backlog (self->socket, backlog);
  if (!g_socket_listen (self->socket, error))
    return FALSE;

  local = g_socket_get_local_address (self->socket, error);
  if (local == NULL)
    return FALSE;

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return TRUE;
}

/* Connections the kernel has completed but nobody accepted yet, and the
 * most the queue holds (Linux reports both for a listening socket). */
static guint
queue_length (GSocket *socket,
              guint   *max)
{
#ifdef TCP_INFO
  struct tcp_info info = { 0 };
  socklen_t len = sizeof info;

  if (getsockopt (g_socket_get_fd (socket), IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
    g_error ("getsockopt (TCP_INFO) failed");

  if (max != NULL)
    *max = info.tcpi_sacked;
  return info.tcpi_unacked;
#else
  if (max != NULL)
    *max = G_MAXUINT;
  return 0;
#endif
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AttendantTestServer) self = user_data;
  g_autoptr(GError) error = NULL;

  /* A client that refuses our certificate makes this fail, which is what
   * some tests want: it is no reason to complain here. */
  if (g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), result, &error))
    {
      self->n_handshakes++;
      return;
    }

  g_debug ("server handshake: %s", error->message);
  g_clear_error (&self->handshake_error);
  self->handshake_error = g_steal_pointer (&error);

  /* Like any real server, hang up on a failed handshake rather than leave
   * the client waiting for its timeout. */
  g_io_stream_close_async (G_IO_STREAM (object), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static void
start_handshake (AttendantTestServer *self,
                 GSocketConnection   *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;

  tls = g_tls_server_connection_new (G_IO_STREAM (connection), self->certificate, &error);
  g_assert_no_error (error);

  g_ptr_array_add (self->tls, g_object_ref (tls));
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    self->cancellable, handshake_cb, g_object_ref (self));
}

typedef struct
{
  AttendantTestServer *self;
  GSocketConnection   *connection;
  GSource             *source;
} Delayed;

static void
delayed_free (Delayed *delayed)
{
  g_object_unref (delayed->self);
  g_object_unref (delayed->connection);
  g_free (delayed);
}

static gboolean
delayed_handshake_cb (gpointer user_data)
{
  Delayed *delayed = user_data;

  g_ptr_array_remove_fast (delayed->self->delays, delayed->source);
  start_handshake (delayed->self, delayed->connection);

  return G_SOURCE_REMOVE;
}

static void
handle_client (AttendantTestServer *self,
               GSocket             *client)
{
  g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection (client);

  self->n_accepted++;
  g_ptr_array_add (self->connections, g_object_ref (connection));
  g_signal_emit (self, signals[ACCEPTED], 0, connection);

  if (self->certificate == NULL)
    return;

  if (self->handshake_delay > 0)
    {
      Delayed *delayed = g_new0 (Delayed, 1);

      /* The client's ClientHello waits in the socket meanwhile: to the
       * client this server is alive but slow. */
      delayed->self = g_object_ref (self);
      delayed->connection = g_object_ref (connection);
      delayed->source = g_timeout_source_new (self->handshake_delay);
      g_source_set_callback (delayed->source, delayed_handshake_cb, delayed,
                             (GDestroyNotify)delayed_free);
      g_source_attach (delayed->source, g_main_context_get_thread_default ());
      g_ptr_array_add (self->delays, delayed->source);
      return;
    }

  start_handshake (self, connection);
}

static gboolean
accept_cb (GSocket      *socket,
           GIOCondition  condition,
           gpointer      user_data)
{
  AttendantTestServer *self = user_data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) client = g_socket_accept (socket, NULL, &error);

      if (client == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("accept: %s", error->message);
          break;
        }

      handle_client (self, client);
    }

  return G_SOURCE_CONTINUE;
}

/**
 * attendant_test_server_new:
 * @address: a loopback address, such as "127.0.0.3" or "::1"
 * @port: the port, 0 for any free one
 *
 * A listener that accepts every connection and holds it open. It speaks
 * TLS once given a certificate, and nothing otherwise.
 */
AttendantTestServer *
attendant_test_server_new (const char  *address,
                           guint16      port,
                           GError     **error)
{
  g_autoptr(AttendantTestServer) self = g_object_new (ATTENDANT_TYPE_TEST_SERVER, NULL);

  if (!listen_on (self, address, port, 16, error))
    return NULL;

  g_socket_set_blocking (self->socket, FALSE);
  self->accept_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->accept_source, (GSourceFunc)(void (*) (void))accept_cb, self, NULL);
  g_source_set_static_name (self->accept_source, "[attendant-test] accept");
  g_source_attach (self->accept_source, g_main_context_get_thread_default ());

  return g_steal_pointer (&self);
}

/**
 * attendant_test_server_new_stalled:
 *
 * A listener that never accepts and whose accept queue is already full, so
 * that the kernel silently drops the SYN of any further client: to a client
 * it is a host behind a firewall that drops packets, without needing root
 * for a firewall rule.
 *
 * Returns: (nullable): the server, or %NULL with @error; %NULL without
 *   @error if this kernel does not let a queue be filled this way
 */
AttendantTestServer *
attendant_test_server_new_stalled (const char  *address,
                                   GError     **error)
{
  g_autoptr(AttendantTestServer) self = g_object_new (ATTENDANT_TYPE_TEST_SERVER, NULL);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) filler = NULL;
  guint max = 0;

  /* Linux counts a queue as full when it holds more than the backlog, so
   * with a backlog of 0 one connection fills it. */
  if (!listen_on (self, address, 0, 0, error))
    return NULL;

  local = g_socket_get_local_address (self->socket, error);
  if (local == NULL)
    return NULL;

  filler = g_socket_new (g_socket_get_family (self->socket), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (filler == NULL)
    return NULL;

  /* The queue is empty, so this completes at once. */
  if (!g_socket_connect (filler, local, NULL, error))
    return NULL;
  g_ptr_array_add (self->fillers, g_steal_pointer (&filler));

  /* The kernel may move the connection into the accept queue a moment after
   * connect() returned on the client side; the listener becomes readable
   * exactly when it has. */
  if (!g_socket_condition_timed_wait (self->socket, G_IO_IN, 5 * G_USEC_PER_SEC, NULL, error))
    return NULL;

  if (queue_length (self->socket, &max) <= max)
    return NULL;

  return g_steal_pointer (&self);
}

/* Makes the server answer with TLS, using @certificate. */
void
attendant_test_server_set_certificate (AttendantTestServer *self,
                                       GTlsCertificate     *certificate)
{
  g_return_if_fail (ATTENDANT_IS_TEST_SERVER (self));

  g_set_object (&self->certificate, certificate);
}

/* Makes the server start each TLS handshake only after @milliseconds. */
void
attendant_test_server_set_handshake_delay (AttendantTestServer *self,
                                           guint                milliseconds)
{
  g_return_if_fail (ATTENDANT_IS_TEST_SERVER (self));

  self->handshake_delay = milliseconds;
}

guint16
attendant_test_server_get_port (AttendantTestServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_TEST_SERVER (self), 0);

  return self->port;
}

/* Every connection that reached the server: accepted, or waiting in the
 * kernel's queue to be. */
guint
attendant_test_server_get_n_connections (AttendantTestServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_TEST_SERVER (self), 0);

  if (self->socket == NULL || g_socket_is_closed (self->socket))
    return self->n_accepted;

  return self->n_accepted + queue_length (self->socket, NULL) - self->fillers->len;
}

guint
attendant_test_server_get_n_handshakes (AttendantTestServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_TEST_SERVER (self), 0);

  return self->n_handshakes;
}

/* Why the last failed server-side handshake failed, if one did. */
const GError *
attendant_test_server_get_handshake_error (AttendantTestServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_TEST_SERVER (self), NULL);

  return self->handshake_error;
}

/* Closes everything at once; async work still in flight ends cancelled. */
void
attendant_test_server_stop (AttendantTestServer *self)
{
  g_return_if_fail (ATTENDANT_IS_TEST_SERVER (self));

  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }

  g_cancellable_cancel (self->cancellable);

  /* A delay that never fired must not start a handshake on a closed
   * socket; destroying its source drops the callback and its references. */
  for (guint i = 0; i < self->delays->len; i++)
    g_source_destroy (self->delays->pdata[i]);
  g_ptr_array_set_size (self->delays, 0);

  for (guint i = 0; i < self->connections->len; i++)
    g_socket_close (g_socket_connection_get_socket (self->connections->pdata[i]), NULL);
  for (guint i = 0; i < self->fillers->len; i++)
    g_socket_close (self->fillers->pdata[i], NULL);
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
}

/**
 * attendant_test_closed_port_new:
 *
 * A socket bound to @address:@port that does not listen: a connection to
 * that port is refused at once, and as long as the socket lives nobody
 * else can start listening there.
 */
GSocket *
attendant_test_closed_port_new (const char  *address,
                                guint16      port,
                                GError     **error)
{
  return bound_socket_new (address, port, error);
}

gboolean
attendant_test_ipv6_loopback_available (void)
{
  g_autoptr(GSocket) socket = bound_socket_new ("::1", 0, NULL);

  return socket != NULL;
}

/* Runs whatever the last test left pending (cancelled handshakes finishing,
 * closes completing), so that it does not spill into the next test. */
void
attendant_test_drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}
