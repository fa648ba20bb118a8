/* attendant-http-guard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-http-guard"

#include "config.h"

#include "attendant-guarded-stream.h"
#include "attendant-http-guard.h"

/* HTTP requests judged by their headers, before any of the body is read.
 *
 * libsoup 3.2's SoupServer reads a request's whole body into memory before
 * any handler runs, and a status set at "got-headers" does not stop that:
 * soup-server-message-io-http1.c goes from the headers straight on to the
 * body (only "Expect: 100-continue" makes it wait), then answers. So a
 * refusal here takes the connection from libsoup
 * (soup_server_message_steal_connection(), which is safe from a signal of
 * the message: libsoup does the same for the WebSocket upgrade), writes
 * the response itself with "Connection: close", and closes. A declared
 * length over the limit is refused the same way; a chunked body is counted
 * as it arrives and refused once over it.
 *
 * Before closing, what the client still sends is read and dropped for a
 * moment (at most LINGER_MS, LINGER_BYTES): closing a socket with unread
 * data makes the kernel answer with a reset, which can destroy the
 * response before the client has read it. */

#define LINGER_MS    2000
#define LINGER_BYTES (1024 * 1024)
#define LINGER_CHUNK 4096

typedef struct
{
  const AttendantHttpGuard *guard;
  GObject                  *owner;   /* not a reference: it owns the server */
} Attachment;

typedef struct
{
  const AttendantHttpGuard *guard;
  GWeakRef                  owner;
  GIOStream                *stream;
  GSocket                  *socket;      /* nullable: the TCP socket under it */
  GSocketAddress           *remote;
  GBytes                   *response;
  GCancellable             *cancellable;
  guint                     timeout;
  gsize                     drained;
  guint8                    buffer[LINGER_CHUNK];
} Refusal;

static void
refusal_free (Refusal *refusal)
{
  g_clear_handle_id (&refusal->timeout, g_source_remove);
  g_weak_ref_clear (&refusal->owner);
  g_clear_object (&refusal->stream);
  g_clear_object (&refusal->socket);
  g_clear_object (&refusal->remote);
  g_clear_object (&refusal->cancellable);
  g_clear_pointer (&refusal->response, g_bytes_unref);
  g_free (refusal);
}

/* The TCP socket under libsoup's stream (and the frame guard and TLS, if
 * any), to send FIN after the response while the rest of the request is
 * drained. */
static GSocket *
find_socket (GIOStream *stream)
{
  static const char * const names[] = { "base-iostream", "base-io-stream" };
  g_autoptr(GIOStream) current = g_object_ref (stream);

  for (guint depth = 0; depth < 4; depth++)
    {
      GIOStream *next = NULL;

      /* A node's connections are under the WebSocket frame guard. */
      g_set_object (&current, attendant_guarded_stream_unwrap (current));
      if (G_IS_SOCKET_CONNECTION (current))
        return g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (current)));

      for (guint i = 0; i < G_N_ELEMENTS (names) && next == NULL; i++)
        {
          GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (current), names[i]);

          if (pspec != NULL && (pspec->flags & G_PARAM_READABLE) &&
              g_type_is_a (pspec->value_type, G_TYPE_IO_STREAM))
            g_object_get (current, names[i], &next, NULL);
        }

      if (next == NULL)
        return NULL;
      g_set_object (&current, next);
      g_object_unref (next);
    }

  return NULL;
}

static void
closed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Refusal *refusal = user_data;
  g_autoptr(GObject) owner = g_weak_ref_get (&refusal->owner);

  g_io_stream_close_finish (G_IO_STREAM (object), result, NULL);
  /* The owner may have gone meanwhile (a node disposed of in a test). */
  if (owner != NULL && refusal->guard->closed != NULL)
    refusal->guard->closed (refusal->remote, owner);
  refusal_free (refusal);
}

static void
finish (Refusal *refusal)
{
  g_clear_handle_id (&refusal->timeout, g_source_remove);
  g_io_stream_close_async (refusal->stream, G_PRIORITY_DEFAULT, NULL, closed_cb, refusal);
}

static void drain (Refusal *refusal);

static void
drained_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Refusal *refusal = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0)
    {
      finish (refusal);
      return;
    }

  refusal->drained += (gsize)n;
  drain (refusal);
}

static void
drain (Refusal *refusal)
{
  if (refusal->drained >= LINGER_BYTES || g_cancellable_is_cancelled (refusal->cancellable))
    {
      finish (refusal);
      return;
    }

  g_input_stream_read_async (g_io_stream_get_input_stream (refusal->stream),
                             refusal->buffer, sizeof refusal->buffer, G_PRIORITY_DEFAULT,
                             refusal->cancellable, drained_cb, refusal);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Refusal *refusal = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL))
    {
      finish (refusal);
      return;
    }

  /* The response is complete: the client may stop reading at FIN. */
  if (refusal->socket != NULL && !g_socket_is_closed (refusal->socket))
    g_socket_shutdown (refusal->socket, FALSE, TRUE, NULL);
  drain (refusal);
}

static gboolean
linger_timeout_cb (gpointer user_data)
{
  Refusal *refusal = user_data;

  refusal->timeout = 0;
  g_cancellable_cancel (refusal->cancellable);

  return G_SOURCE_REMOVE;
}

/* Sends @msg's response as it stands, without reading any more of the
 * request, and closes the connection. */
static void
refuse (Attachment        *attachment,
        SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_response_body (msg));
  GString *text = g_string_new (NULL);
  guint status = soup_server_message_get_status (msg);
  const char *phrase = soup_server_message_get_reason_phrase (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  Refusal *refusal;
  GIOStream *stream;

  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_set_content_length (headers, (goffset)g_bytes_get_size (body));
  g_string_append_printf (text, "HTTP/1.%c %u %s\r\n",
                          soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0 ? '0' : '1',
                          status, phrase != NULL ? phrase : soup_status_get_phrase (status));
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (text, "%s: %s\r\n", name, value);
  g_string_append (text, "\r\n");
  g_string_append_len (text, g_bytes_get_data (body, NULL), (gssize)g_bytes_get_size (body));

  refusal = g_new0 (Refusal, 1);
  refusal->guard = attachment->guard;
  g_weak_ref_init (&refusal->owner, attachment->owner);
  refusal->remote = g_object_ref (soup_server_message_get_remote_address (msg));
  refusal->response = g_string_free_to_bytes (text);
  refusal->cancellable = g_cancellable_new ();

  g_debug ("refused with %u before reading the body", status);

  /* @msg is most likely gone after this. */
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    {
      refusal_free (refusal);
      return;
    }

  refusal->stream = stream;
  refusal->socket = find_socket (stream);
  refusal->timeout = g_timeout_add (LINGER_MS, linger_timeout_cb, refusal);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   g_bytes_get_data (refusal->response, NULL),
                                   g_bytes_get_size (refusal->response),
                                   G_PRIORITY_DEFAULT, refusal->cancellable, written_cb, refusal);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  Attachment *attachment = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (body->length <= attachment->guard->max_body)
    return;

  g_signal_handlers_disconnect_by_data (msg, attachment);
  attachment->guard->respond (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                              "The request's body is too large", attachment->owner);
  refuse (attachment, msg);
}

static void
got_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  Attachment *attachment = user_data;
  const AttendantHttpGuard *guard = attachment->guard;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  /* libsoup itself has refused it (a bad path, say): it would still read
   * the body before answering. */
  if (soup_server_message_get_status (msg) != 0 || !guard->judge (msg, attachment->owner))
    {
      refuse (attachment, msg);
      return;
    }

  if ((encoding == SOUP_ENCODING_CONTENT_LENGTH &&
       soup_message_headers_get_content_length (headers) > guard->max_body) ||
      (encoding != SOUP_ENCODING_CONTENT_LENGTH && encoding != SOUP_ENCODING_NONE &&
       guard->max_body == 0))
    {
      guard->respond (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                      guard->max_body == 0 ? "This request takes no body"
                                           : "The request's body is too large",
                      attachment->owner);
      refuse (attachment, msg);
      return;
    }

  if (encoding != SOUP_ENCODING_CONTENT_LENGTH && encoding != SOUP_ENCODING_NONE)
    g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), attachment);
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  /* Connected after libsoup's own handler, so it runs after libsoup has
   * checked the path. */
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), user_data);
}

/**
 * attendant_http_guard_attach:
 * @soup: a server whose connections are all handed to it with
 *   soup_server_accept_iostream()
 * @guard: (transfer none): the rules, which must outlive @soup
 * @owner: what the callbacks are given: the object that owns @soup
 *
 * Has @soup judge every request by its headers and bound its body.
 */
void
attendant_http_guard_attach (SoupServer               *soup,
                             const AttendantHttpGuard *guard,
                             GObject                  *owner)
{
  Attachment *attachment;

  g_return_if_fail (SOUP_IS_SERVER (soup));
  g_return_if_fail (guard != NULL && guard->judge != NULL && guard->respond != NULL);

  attachment = g_new0 (Attachment, 1);
  attachment->guard = guard;
  attachment->owner = owner;
  g_signal_connect_data (soup, "request-started", G_CALLBACK (request_started_cb),
                         attachment, (GClosureNotify)(void (*)(void))g_free, 0);
}
