/* fuzz-common.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-fuzz"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "attendant-guarded-stream.h"
#include "attendant-protocol.h"

#include "fuzz-common.h"

/* Every target runs with criticals and warnings fatal: a g_return_if_fail()
 * reached from input is a bug like any crash (docs/security.md). Messages
 * and debug output are dropped, so that the fuzzer's own log stays
 * readable and millions of runs do not spend their time formatting. */
static GLogWriterOutput
quiet_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_default (level, fields, n_fields, user_data);
      /* GLib would end a fatal message with SIGTRAP, which libFuzzer does
       * not catch: abort instead, so that the input is saved. */
      abort ();
    }

  return G_LOG_WRITER_HANDLED;
}

void
fuzz_setup (void)
{
  g_setenv ("G_DEBUG", "fatal-warnings", TRUE);
  g_setenv ("G_SLICE", "always-malloc", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* G_DEBUG is read once, at GLib's first message: make it certain. */
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_writer_func (quiet_writer, NULL, NULL);
}

/* An AttendantScramLookup for a server that knows FUZZ_USER only. */
AttendantScramCredentials *
fuzz_lookup (const char *user,
             gpointer    user_data)
{
  static AttendantScramCredentials *credentials;

  if (g_strcmp0 (user, FUZZ_USER) != 0)
    return NULL;

  if (credentials == NULL)
    credentials = attendant_scram_credentials_new_from_password (FUZZ_PASSWORD, 1, NULL);

  return attendant_scram_credentials_copy (credentials);
}

/* Runs what the code under test queued (idle completions of GTask, writes
 * to the peer), without blocking: nothing in a fuzz target waits on a
 * timer. */
void
fuzz_drain_main_context (void)
{
  for (guint i = 0; i < 10000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

/* Splits the input at NUL bytes into strings: the targets that take
 * several messages get them this way. JSON text and SCRAM messages never
 * hold a NUL, so no input is lost to the separator. */
GPtrArray *
fuzz_split (const uint8_t *data,
            size_t         size,
            guint          max_parts)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  size_t start = 0;

  for (size_t i = 0; i <= size && parts->len < max_parts; i++)
    {
      if (i == size || data[i] == '\0')
        {
          char *part = g_malloc (i - start + 1);

          memcpy (part, data + start, i - start);
          part[i - start] = '\0';
          g_ptr_array_add (parts, part);
          start = i + 1;
        }
    }

  return parts;
}

char *
fuzz_replace (const char *text,
              const char *placeholder,
              const char *value)
{
  g_auto(GStrv) pieces = g_strsplit (text, placeholder, -1);

  return g_strjoinv (value, pieces);
}

static SoupWebsocketConnection *
websocket_on_fd (int                          fd,
                 SoupWebsocketConnectionType  type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, &error);
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(AttendantGuardedStream) guarded = NULL;
  g_autoptr(GUri) uri = g_uri_parse ("ws://127.0.0.1:47001" ATTENDANT_PROTOCOL_PATH, G_URI_FLAGS_NONE, NULL);
  SoupWebsocketConnection *websocket;

  g_assert_no_error (error);
  stream = g_socket_connection_factory_create_connection (socket);
  /* Under libsoup, the frame guard, as in the client and the node. */
  guarded = attendant_guarded_stream_new (G_IO_STREAM (stream), ATTENDANT_FRAME_GUARD_START_FRAMES);
  websocket = soup_websocket_connection_new (G_IO_STREAM (guarded), uri, type, NULL,
                                             ATTENDANT_PROTOCOL_SUBPROTOCOL, NULL);
  soup_websocket_connection_set_keepalive_interval (websocket, 0);
  soup_websocket_connection_set_max_incoming_payload_size (websocket, 4 * ATTENDANT_PROTOCOL_MAX_MESSAGE);

  return websocket;
}

/* Both ends of an open WebSocket over a socket pair: the real framing of
 * libsoup, and no address anyone else could reach. */
void
fuzz_websocket_pair (SoupWebsocketConnection **client,
                     SoupWebsocketConnection **server)
{
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    g_error ("socketpair: %s", g_strerror (errno));

  *client = websocket_on_fd (fds[0], SOUP_WEBSOCKET_CONNECTION_CLIENT);
  *server = websocket_on_fd (fds[1], SOUP_WEBSOCKET_CONNECTION_SERVER);
}

/* Sends a text frame from @from to @to over the socket pair. Text that is
 * not UTF-8 cannot be sent (libsoup refuses it, and its receiving end would
 * fail the connection before our code sees it); it is handed to the
 * receiver's "message" handlers directly instead, so that our own decoder
 * still meets it. Text that starts with FUZZ_FRAGMENTS goes onto the wire
 * by hand, in fragments (send_fragments()). */
/* Writes @length bytes onto the socket under @from, letting the main
 * loop run whenever the socket is full so that the receiver reads: the
 * receiver may hang up before the end, and that is the point. */
static void
write_raw (SoupWebsocketConnection *from,
           const guint8            *data,
           gsize                    length)
{
  GIOStream *stream = attendant_guarded_stream_unwrap (soup_websocket_connection_get_io_stream (from));
  GPollableOutputStream *output = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (stream));
  guint idle = 0;

  while (length > 0 && idle < 100)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (output, data, length, NULL, &error);

      if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return;
      if (n > 0)
        {
          data += n;
          length -= (gsize)n;
          idle = 0;
        }
      else if (!g_main_context_iteration (NULL, FALSE))
        idle++;
    }
}

/* One frame as @from would put it on the wire (masked from a client). */
static void
write_frame (SoupWebsocketConnection *from,
             gboolean                 fin,
             guint                    opcode,
             const guint8            *payload,
             gsize                    length)
{
  static const guint8 key[4] = { 0x5a, 0xa5, 0x3c, 0xc3 };
  gboolean masked = soup_websocket_connection_get_connection_type (from) == SOUP_WEBSOCKET_CONNECTION_CLIENT;
  g_autoptr(GByteArray) frame = g_byte_array_sized_new ((guint)length + 14);
  guint8 head[10];
  gsize head_length = 2;

  head[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126)
    head[1] = (guint8)length;
  else if (length < 65536)
    {
      head[1] = 126;
      head[2] = (guint8)(length >> 8);
      head[3] = (guint8)length;
      head_length = 4;
    }
  else
    {
      head[1] = 127;
      for (guint i = 0; i < 8; i++)
        head[2 + i] = (guint8)((guint64)length >> (56 - 8 * i));
      head_length = 10;
    }
  if (masked)
    head[1] |= 0x80;
  g_byte_array_append (frame, head, (guint)head_length);
  if (masked)
    g_byte_array_append (frame, key, sizeof key);
  for (gsize i = 0; i < length; i++)
    {
      guint8 byte = payload[i] ^ (masked ? key[i % 4] : 0);
      g_byte_array_append (frame, &byte, 1);
    }

  write_raw (from, frame->data, frame->len);
}

/* FUZZ_FRAGMENTS text: the message in fragments, each its own frame, cut
 * at \x01; \x02 puts a ping between two fragments, \x03 a fragment of
 * 256 KiB of spaces (five make a message over the 1 MiB bound), and \x04
 * at the very end leaves the message without its FIN. */
static void
send_fragments (SoupWebsocketConnection *from,
                const char              *text)
{
  gsize length = strlen (text);
  gboolean unfinished = length > 0 && text[length - 1] == '\x04';
  gsize start = 0;
  guint opcode = 0x1;

  if (unfinished)
    length--;

  for (gsize i = 0; i <= length; i++)
    {
      gboolean last = i == length;
      char c = last ? '\0' : text[i];

      if (!last && c != '\x01' && c != '\x02' && c != '\x03')
        continue;

      if (c == '\x03')
        {
          g_autofree guint8 *spaces = g_malloc (256 * 1024);

          memset (spaces, ' ', 256 * 1024);
          write_frame (from, FALSE, opcode, (const guint8 *)text + start, i - start);
          opcode = 0x0;
          write_frame (from, FALSE, opcode, spaces, 256 * 1024);
        }
      else if (c == '\x02')
        {
          write_frame (from, FALSE, opcode, (const guint8 *)text + start, i - start);
          opcode = 0x0;
          write_frame (from, TRUE, 0x9, (const guint8 *)"fuzz", 4);
        }
      else
        {
          write_frame (from, last && !unfinished, opcode, (const guint8 *)text + start, i - start);
          opcode = 0x0;
        }
      start = i + 1;
    }
}

void
fuzz_send_text (SoupWebsocketConnection *from,
                SoupWebsocketConnection *to,
                const char              *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  if (soup_websocket_connection_get_state (from) != SOUP_WEBSOCKET_STATE_OPEN ||
      soup_websocket_connection_get_state (to) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  if (g_str_has_prefix (text, FUZZ_FRAGMENTS))
    send_fragments (from, text + strlen (FUZZ_FRAGMENTS));
  else if (g_utf8_validate (text, -1, NULL))
    soup_websocket_connection_send_message (from, SOUP_WEBSOCKET_DATA_TEXT, bytes);
  else
    g_signal_emit_by_name (to, "message", (int)SOUP_WEBSOCKET_DATA_TEXT, bytes);

  fuzz_drain_main_context ();
}
