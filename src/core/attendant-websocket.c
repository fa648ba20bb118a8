/* attendant-websocket.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-websocket"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdio.h>
#include <string.h>

#include "attendant-error.h"
#include "attendant-guarded-stream.h"
#include "attendant-protocol.h"
#include "attendant-secret.h"
#include "attendant-websocket.h"

/* The client side of the WebSocket opening handshake (RFC 6455 §4), over a
 * stream the connector already established. SoupSession cannot be used for
 * this: it insists on making its own connection, which would bypass the
 * strict failover and the TLS policy of the connector. Once the server has
 * agreed, libsoup's SoupWebsocketConnection takes over the framing. */

#define WEBSOCKET_GUID       "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define MAX_RESPONSE_BYTES   (16 * 1024)

typedef struct
{
  GIOStream        *stream;
  GString          *response;
  guint8            byte;
  char             *key;
  char             *request;
  char             *host;
  guint16           port;
  char             *path;
  char             *protocol;  /* nullable */
  char             *status_line;
  GHashTable       *headers;   /* lower-case name → value */
} Handshake;

static void
handshake_free (Handshake *hs)
{
  g_clear_object (&hs->stream);
  g_string_free (hs->response, TRUE);
  g_free (hs->key);
  /* The request may carry credentials (an Authorization header). */
  if (hs->request != NULL)
    attendant_secret_wipe (hs->request, strlen (hs->request));
  g_free (hs->request);
  g_free (hs->path);
  g_free (hs->protocol);
  g_free (hs->host);
  g_free (hs->status_line);
  g_clear_pointer (&hs->headers, g_hash_table_unref);
  g_free (hs);
}

static char *
expected_accept (const char *key)
{
  g_autofree char *joined = g_strconcat (key, WEBSOCKET_GUID, NULL);
  guint8 digest[20];
  gsize len = sizeof digest;
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);

  g_checksum_update (sha1, (const guchar *)joined, strlen (joined));
  g_checksum_get_digest (sha1, digest, &len);

  return g_base64_encode (digest, len);
}

static gboolean
header_has_token (const char *value,
                  const char *token)
{
  g_auto(GStrv) parts = NULL;

  if (value == NULL)
    return FALSE;

  parts = g_strsplit (value, ",", -1);
  for (guint i = 0; parts[i]; i++)
    if (g_ascii_strcasecmp (g_strstrip (parts[i]), token) == 0)
      return TRUE;

  return FALSE;
}

static void
finish_handshake (GTask *task)
{
  Handshake *hs = g_task_get_task_data (task);
  g_autofree char *accept = expected_accept (hs->key);
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(AttendantGuardedStream) guarded = NULL;
  SoupWebsocketConnection *connection;
  const char *protocol;
  int code = 0;

  if (hs->status_line == NULL || sscanf (hs->status_line, "HTTP/1.%*d %d", &code) != 1)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                               _("The server did not answer with HTTP"));
      return;
    }

  if (code != 101)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                               _("The server refused the WebSocket upgrade (HTTP %d)"), code);
      return;
    }

  if (!header_has_token (g_hash_table_lookup (hs->headers, "upgrade"), "websocket") ||
      !header_has_token (g_hash_table_lookup (hs->headers, "connection"), "upgrade") ||
      g_strcmp0 (g_hash_table_lookup (hs->headers, "sec-websocket-accept"), accept) != 0)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                               _("The server's WebSocket handshake is not valid"));
      return;
    }

  protocol = g_hash_table_lookup (hs->headers, "sec-websocket-protocol");
  if (hs->protocol != NULL && g_strcmp0 (protocol, hs->protocol) != 0)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                               /* TRANSLATORS: %s is the WebSocket subprotocol’s name. */
                               _("The server does not speak %s"), hs->protocol);
      return;
    }

  base = g_uri_build (G_URI_FLAGS_NONE, G_IS_TLS_CONNECTION (hs->stream) ? "wss" : "ws",
                      NULL, hs->host, hs->port, "/", NULL, NULL);
  uri = g_uri_parse_relative (base, hs->path, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                               _("The WebSocket path is not valid"));
      return;
    }
  /* libsoup bounds a frame, not a message: a server's continuation
   * frames would pile up in its buffer without end. The guard counts a
   * message over all its frames. No extension was offered, so none can
   * inflate a frame past it. */
  guarded = attendant_guarded_stream_new (hs->stream, ATTENDANT_FRAME_GUARD_START_FRAMES);
  connection = soup_websocket_connection_new (G_IO_STREAM (guarded), uri, SOUP_WEBSOCKET_CONNECTION_CLIENT,
                                              NULL, hs->protocol, NULL);
  /* libsoup drops a frame over its limit without closing, so its limit is
   * set above ours and the session refuses a message over 1 MiB itself,
   * with close code 1009. */
  soup_websocket_connection_set_max_incoming_payload_size (connection, 4 * ATTENDANT_PROTOCOL_MAX_MESSAGE);
  soup_websocket_connection_set_keepalive_interval (connection, 0);

  g_task_return_pointer (task, connection, g_object_unref);
}

static void
parse_response (Handshake *hs)
{
  g_auto(GStrv) lines = g_strsplit (hs->response->str, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      char *line = lines[i];
      gsize length = strlen (line);
      char *colon;

      /* Lines end in CRLF; a lone LF is tolerated. */
      if (length > 0 && line[length - 1] == '\r')
        line[--length] = '\0';

      if (i == 0)
        {
          hs->status_line = g_strdup (line);
          continue;
        }

      colon = strchr (line, ':');
      if (colon != NULL)
        {
          g_autofree char *name = g_ascii_strdown (line, colon - line);
          g_autofree char *value = g_strstrip (g_strdup (colon + 1));

          g_hash_table_replace (hs->headers, g_steal_pointer (&name), g_steal_pointer (&value));
        }
    }
}

static void read_byte_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);
static void read_response (GTask *task);

/* Takes one byte of the response (@n from a read of one, @error its
 * failure). Returns whether to read on; when not, @task has returned. */
static gboolean
take_byte (GTask   *task,
           gssize   n,
           GError  *error)
{
  Handshake *hs = g_task_get_task_data (task);

  if (n < 0)
    {
      g_task_return_error (task, g_error_copy (error));
      return FALSE;
    }

  if (n == 0)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                               _("The server closed the connection during the WebSocket handshake"));
      return FALSE;
    }

  g_string_append_c (hs->response, (char)hs->byte);

  if (hs->response->len > MAX_RESPONSE_BYTES)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                               _("The server's handshake response is over %d bytes"), MAX_RESPONSE_BYTES);
      return FALSE;
    }

  if (g_str_has_suffix (hs->response->str, "\r\n\r\n") ||
      g_str_has_suffix (hs->response->str, "\n\n"))
    {
      parse_response (hs);
      finish_handshake (task);
      return FALSE;
    }

  return TRUE;
}

static void
read_byte_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (take_byte (task, n, error))
    read_response (task);
}

static gboolean
response_readable_cb (GObject *stream,
                      gpointer user_data)
{
  read_response (user_data);
  return G_SOURCE_REMOVE;
}

/* The response is read one byte at a time so that not a byte past its end
 * is consumed: the server may send its first frame right behind it, and
 * SoupWebsocketConnection needs the stream itself (pollable), not a
 * buffered wrapper that could hold that frame back. The bytes already
 * there are taken in one go; an asynchronous read per byte cost a
 * main-loop turn each, some 200 per connection, a third of a client's
 * work in a failover (bench: the storm of a thousand clients). */
static void
read_response (GTask *task)
{
  Handshake *hs = g_task_get_task_data (task);
  GInputStream *input = g_io_stream_get_input_stream (hs->stream);
  GPollableInputStream *pollable = G_IS_POLLABLE_INPUT_STREAM (input) ? G_POLLABLE_INPUT_STREAM (input) : NULL;

  if (pollable == NULL || !g_pollable_input_stream_can_poll (pollable))
    {
      g_input_stream_read_async (input, &hs->byte, 1, G_PRIORITY_DEFAULT,
                                 g_task_get_cancellable (task),
                                 read_byte_cb, g_object_ref (task));
      return;
    }

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (pollable, &hs->byte, 1,
                                                           g_task_get_cancellable (task), &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_autoptr(GSource) source = g_pollable_input_stream_create_source (pollable,
                                                                             g_task_get_cancellable (task));

          g_task_attach_source (task, source, (GSourceFunc)(void (*)(void))response_readable_cb);
          return;
        }

      if (!take_byte (task, n, error))
        return;
    }
}

static void
write_request_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  read_response (task);
}

/**
 * attendant_websocket_connect_async:
 * @stream: an established connection (TCP or TLS)
 * @host: the host for the Host header
 *
 * Upgrades @stream to a WebSocket speaking attendant.v1.
 */
void
attendant_websocket_connect_async (GIOStream           *stream,
                                   const char          *host,
                                   guint16              port,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  attendant_websocket_connect_to_async (stream, host, port, ATTENDANT_PROTOCOL_PATH,
                                        ATTENDANT_PROTOCOL_SUBPROTOCOL, NULL,
                                        cancellable, callback, user_data);
}

/**
 * attendant_websocket_connect_to_async:
 * @stream: an established connection (TCP or TLS)
 * @host: the host for the Host header
 * @path: the request target (path and query), starting with "/"
 * @protocol: (nullable): the subprotocol to ask for and require back
 * @extra_headers: (nullable): more header lines, each ending in CRLF
 *   (for example an Authorization header; wiped from memory when done)
 *
 * Upgrades @stream to a WebSocket at @path, its messages bounded over their
 * frames like attendant_websocket_connect_async()'s. Finish with
 * attendant_websocket_connect_finish().
 */
void
attendant_websocket_connect_to_async (GIOStream           *stream,
                                      const char          *host,
                                      guint16              port,
                                      const char          *path,
                                      const char          *protocol,
                                      const char          *extra_headers,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *host_header = NULL;
  g_autofree char *protocol_header = NULL;
  guint8 nonce[16];
  Handshake *hs;

  g_return_if_fail (G_IS_IO_STREAM (stream));
  g_return_if_fail (host != NULL);
  g_return_if_fail (path != NULL && path[0] == '/');

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_websocket_connect_async);

  for (guint i = 0; i < sizeof nonce; i++)
    nonce[i] = (guint8)g_random_int_range (0, 256);

  hs = g_new0 (Handshake, 1);
  hs->stream = g_object_ref (stream);
  hs->host = g_strdup (host);
  hs->port = port;
  hs->path = g_strdup (path);
  hs->protocol = g_strdup (protocol);
  hs->key = g_base64_encode (nonce, sizeof nonce);
  hs->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  hs->response = g_string_new (NULL);
  g_task_set_task_data (task, hs, (GDestroyNotify)handshake_free);

  host_header = strchr (host, ':') ? g_strdup_printf ("[%s]:%u", host, port)
                                   : g_strdup_printf ("%s:%u", host, port);
  if (protocol != NULL)
    protocol_header = g_strdup_printf ("Sec-WebSocket-Protocol: %s\r\n", protocol);
  hs->request = g_strdup_printf ("GET %s HTTP/1.1\r\n"
                                 "Host: %s\r\n"
                                 "Upgrade: websocket\r\n"
                                 "Connection: Upgrade\r\n"
                                 "Sec-WebSocket-Key: %s\r\n"
                                 "Sec-WebSocket-Version: 13\r\n"
                                 "%s"
                                 "%s"
                                 "User-Agent: Attendant/" PACKAGE_VERSION "\r\n"
                                 "\r\n",
                                 path, host_header, hs->key,
                                 protocol_header ? protocol_header : "",
                                 extra_headers ? extra_headers : "");

  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   hs->request, strlen (hs->request),
                                   G_PRIORITY_DEFAULT, cancellable,
                                   write_request_cb, g_steal_pointer (&task));
}

/**
 * attendant_websocket_connect_finish:
 *
 * Returns: (transfer full): the open WebSocket connection
 */
SoupWebsocketConnection *
attendant_websocket_connect_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
