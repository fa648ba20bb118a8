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
    credentials = attendant_scram_credentials_new_from_password (FUZZ_PASSWORD, ATTENDANT_SCRAM_MIN_ITERATIONS,
                                                                 NULL);

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
  g_autoptr(GUri) uri = g_uri_parse ("ws://127.0.0.1:47001" ATTENDANT_PROTOCOL_PATH, G_URI_FLAGS_NONE, NULL);
  SoupWebsocketConnection *websocket;

  g_assert_no_error (error);
  stream = g_socket_connection_factory_create_connection (socket);
  websocket = soup_websocket_connection_new (G_IO_STREAM (stream), uri, type, NULL,
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
 * still meets it. */
void
fuzz_send_text (SoupWebsocketConnection *from,
                SoupWebsocketConnection *to,
                const char              *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  if (soup_websocket_connection_get_state (from) != SOUP_WEBSOCKET_STATE_OPEN ||
      soup_websocket_connection_get_state (to) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  if (g_utf8_validate (text, -1, NULL))
    soup_websocket_connection_send_message (from, SOUP_WEBSOCKET_DATA_TEXT, bytes);
  else
    g_signal_emit_by_name (to, "message", (int)SOUP_WEBSOCKET_DATA_TEXT, bytes);

  fuzz_drain_main_context ();
}
