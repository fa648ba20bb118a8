/* attendant-frame-guard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-frame-guard"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "attendant-frame-guard.h"

/* libsoup 3.2 bounds a WebSocket frame, not a message: continuation frames
 * without FIN pile up in its buffer for as long as a peer sends them (300
 * frames of 1 MiB took a server from 11 to 328 MiB). This stream sits
 * under libsoup and reads the frame headers (RFC 6455 §5.2) as the bytes
 * go by, whatever way the reads split them: once the payloads of one data
 * message add up past the bound, the read fails, libsoup reports the error
 * and closes the connection. The bound is judged on each frame's declared
 * length, so the refusal comes before its payload is read. Control frames
 * (at most 125 bytes each) do not count.
 *
 * On a server's connection the frames come after an HTTP request. The
 * guard follows the request's header lines the way libsoup does (a header
 * ends at an empty line) and starts on frames after a GET that mentions
 * "websocket" and carries no body. A request with a body indicator, or an
 * upgrade libsoup sees where this guard does not, leaves the guard
 * unarmed: the node then refuses the WebSocket (attendant_frame_guard_is_guarding()).
 * A request the guard took for an upgrade but libsoup did not is followed
 * by another request, whose first byte (a method's capital letter, a CR or
 * a LF) is no valid frame header: the guard fails that read. Either way no
 * WebSocket runs with frames the guard has not seen from its first byte. */

#define MAX_CONTROL_PAYLOAD  125
#define LINE_KEEP            256   /* of a header line, enough to judge it */

typedef enum
{
  STATE_HTTP,         /* in a request's header lines */
  STATE_UNGUARDED,    /* passing bytes through; never a WebSocket */
  STATE_FRAME_HEADER,
  STATE_PAYLOAD,
  STATE_FAILED,
} State;

struct _AttendantFrameGuard
{
  GFilterInputStream parent_instance;

  State    state;
  guint64  max_message;
  GError  *error;

  /* HTTP: the current line (its first LINE_KEEP bytes but NULs, which
   * libsoup deletes from headers before it reads them), its length as
   * sent, and the block. */
  char     line[LINE_KEEP];
  gsize    line_kept;
  gsize    line_length;
  gboolean line_is_cr;
  guint    block_lines;
  gboolean block_is_get;
  gboolean block_mentions_websocket;
  gboolean block_has_body;

  /* Frames. */
  guint8   header[14];
  gsize    header_length;
  gsize    header_needed;
  guint64  payload_left;
  guint64  message_total;
  gboolean in_message;   /* a data message's FIN is still to come */
};

static void attendant_frame_guard_pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AttendantFrameGuard, attendant_frame_guard, G_TYPE_FILTER_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      attendant_frame_guard_pollable_iface_init))

/* {{{ Parsing */

static gboolean
fail (AttendantFrameGuard *self,
      int                  code,
      const char          *message)
{
  self->state = STATE_FAILED;
  self->error = g_error_new_literal (SOUP_WEBSOCKET_ERROR, code, message);
  return FALSE;
}

static gboolean
contains_ci (const char *haystack,
             gsize       length,
             const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= length; i++)
    if (g_ascii_strncasecmp (haystack + i, needle, n) == 0)
      return TRUE;

  return FALSE;
}

static void
start_block (AttendantFrameGuard *self)
{
  self->block_lines = 0;
  self->block_is_get = FALSE;
  self->block_mentions_websocket = FALSE;
  self->block_has_body = FALSE;
}

static void
start_frame (AttendantFrameGuard *self)
{
  self->state = STATE_FRAME_HEADER;
  self->header_length = 0;
  self->header_needed = 2;
}

/* A whole header line (without its LF) has gone by. */
static void
end_line (AttendantFrameGuard *self)
{
  gsize kept = self->line_kept;
  /* Judged on the bytes as sent, as libsoup finds the end of a header. */
  gboolean empty = self->line_length == 0 || (self->line_length == 1 && self->line_is_cr);

  self->line_length = 0;   /* the next line's */
  self->line_kept = 0;

  if (!empty)
    {
      if (self->block_lines++ == 0)
        self->block_is_get = kept >= 4 && memcmp (self->line, "GET ", 4) == 0;
      /* Judged liberally, anywhere in the line's start: a mention the
       * guard reads as a body or an upgrade only makes it more careful. */
      if (contains_ci (self->line, kept, "websocket"))
        self->block_mentions_websocket = TRUE;
      if (contains_ci (self->line, kept, "content-length") ||
          contains_ci (self->line, kept, "transfer-encoding"))
        self->block_has_body = TRUE;
      return;
    }

  /* Empty lines before a request line are skipped, as libsoup does. */
  if (self->block_lines == 0)
    return;

  if (self->block_has_body)
    self->state = STATE_UNGUARDED;
  else if (self->block_is_get && self->block_mentions_websocket)
    start_frame (self);
  else
    start_block (self);
}

static gboolean
feed_http (AttendantFrameGuard *self,
           guint8               byte)
{
  if (byte == '\n')
    {
      end_line (self);
      return TRUE;
    }

  if (self->line_length == 0)
    self->line_is_cr = byte == '\r';
  self->line_length = MIN (self->line_length + 1, 2);

  /* A header's name starts its line (libsoup ignores a name with white
   * space in it), so the start of a long line is enough to judge it. */
  if (byte != '\0' && self->line_kept < sizeof self->line)
    self->line[self->line_kept++] = (char)byte;

  return TRUE;
}

static gboolean
end_frame_header (AttendantFrameGuard *self)
{
  gboolean fin = (self->header[0] & 0x80) != 0;
  guint opcode = self->header[0] & 0x0f;
  guint8 length7 = self->header[1] & 0x7f;
  guint64 length = length7;

  if (length7 == 126)
    length = ((guint64)self->header[2] << 8) | self->header[3];
  else if (length7 == 127)
    {
      length = 0;
      for (guint i = 2; i < 10; i++)
        length = (length << 8) | self->header[i];
      if (length >> 63)
        return fail (self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
                     "Invalid WebSocket frame: a length with its top bit set");
    }

  /* No extension is ever negotiated (a compressed frame could inflate
   * past any bound), so the reserved bits must be clear. */
  if ((self->header[0] & 0x70) != 0)
    return fail (self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
                 "Invalid WebSocket frame: reserved bits set");

  switch (opcode)
    {
    case 0x8: case 0x9: case 0xa:   /* close, ping, pong */
      if (!fin || length > MAX_CONTROL_PAYLOAD)
        return fail (self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
                     "Invalid WebSocket frame: a fragmented or oversized control frame");
      break;

    case 0x1: case 0x2:             /* text, binary */
      if (self->in_message)
        return fail (self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
                     "Invalid WebSocket frame: a new message inside a fragmented one");
      self->message_total = 0;
      G_GNUC_FALLTHROUGH;

    case 0x0:                       /* continuation */
      if (opcode == 0x0 && !self->in_message)
        return fail (self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
                     "Invalid WebSocket frame: a continuation without a message");
      if (length > self->max_message - self->message_total)
        {
          g_autofree char *text =
            g_strdup_printf ("A WebSocket message over the limit of %" G_GUINT64_FORMAT " bytes"
                             " (%" G_GUINT64_FORMAT " bytes and more)",
                             self->max_message, self->message_total + length);
          return fail (self, SOUP_WEBSOCKET_CLOSE_TOO_BIG, text);
        }
      self->message_total += length;
      self->in_message = !fin;
      break;

    default:
      return fail (self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
                   "Invalid WebSocket frame: a reserved opcode");
    }

  if (length == 0)
    start_frame (self);
  else
    {
      self->state = STATE_PAYLOAD;
      self->payload_left = length;
    }

  return TRUE;
}

static gboolean
feed_frame_header (AttendantFrameGuard *self,
                   guint8               byte)
{
  self->header[self->header_length++] = byte;

  if (self->header_length == 2)
    {
      guint8 length7 = self->header[1] & 0x7f;

      self->header_needed = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) +
                            ((self->header[1] & 0x80) ? 4 : 0);
    }

  if (self->header_length < self->header_needed)
    return TRUE;

  return end_frame_header (self);
}

/* Follows @data as it goes by; %FALSE once the stream has failed. */
static gboolean
feed (AttendantFrameGuard *self,
      const guint8        *data,
      gsize                length)
{
  gsize i = 0;

  while (i < length)
    {
      switch (self->state)
        {
        case STATE_HTTP:
          feed_http (self, data[i++]);
          break;

        case STATE_UNGUARDED:
          return TRUE;

        case STATE_FRAME_HEADER:
          if (!feed_frame_header (self, data[i++]))
            return FALSE;
          break;

        case STATE_PAYLOAD:
          {
            guint64 skip = MIN (self->payload_left, (guint64)(length - i));

            i += (gsize)skip;
            self->payload_left -= skip;
            if (self->payload_left == 0)
              start_frame (self);
          }
          break;

        case STATE_FAILED:
        default:
          return FALSE;
        }
    }

  return TRUE;
}

/* What a read of the base stream gave (@n, or -1 with @error set), judged. */
static gssize
judge (AttendantFrameGuard  *self,
       const void           *buffer,
       gssize                n,
       GError              **error)
{
  if (n > 0 && !feed (self, buffer, (gsize)n))
    {
      g_set_error_literal (error, self->error->domain, self->error->code, self->error->message);
      return -1;
    }

  return n;
}

static gboolean
check_failed (AttendantFrameGuard  *self,
              GError              **error)
{
  if (self->state != STATE_FAILED)
    return FALSE;

  g_set_error_literal (error, self->error->domain, self->error->code, self->error->message);
  return TRUE;
}

/* }}} */
/* {{{ GInputStream */

static GInputStream *
base_of (gpointer self)
{
  return g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (self));
}

static gssize
attendant_frame_guard_read (GInputStream  *stream,
                            void          *buffer,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  AttendantFrameGuard *self = ATTENDANT_FRAME_GUARD (stream);

  if (check_failed (self, error))
    return -1;

  return judge (self, buffer, g_input_stream_read (base_of (self), buffer, count, cancellable, error), error);
}

/* GFilterInputStream would skip on the base stream, past the parser. */
static gssize
attendant_frame_guard_skip (GInputStream  *stream,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  guint8 buffer[8192];
  gsize skipped = 0;

  while (skipped < count)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n = attendant_frame_guard_read (stream, buffer, MIN (sizeof buffer, count - skipped),
                                             cancellable, &local_error);

      /* What was skipped counts; a failed guard says so again next time. */
      if (n < 0 && skipped > 0)
        break;
      if (n < 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
      if (n == 0)
        break;
      skipped += (gsize)n;
    }

  return (gssize)skipped;
}

static gboolean
attendant_frame_guard_can_poll (GPollableInputStream *stream)
{
  GInputStream *base = base_of (stream);

  return G_IS_POLLABLE_INPUT_STREAM (base) &&
         g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (base));
}

static gboolean
attendant_frame_guard_is_readable (GPollableInputStream *stream)
{
  AttendantFrameGuard *self = ATTENDANT_FRAME_GUARD (stream);

  /* A failed guard has its error to give at once. */
  return self->state == STATE_FAILED ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (base_of (self)));
}

static GSource *
attendant_frame_guard_create_source (GPollableInputStream *stream,
                                     GCancellable         *cancellable)
{
  AttendantFrameGuard *self = ATTENDANT_FRAME_GUARD (stream);
  g_autoptr(GSource) base_source = NULL;

  if (self->state == STATE_FAILED)
    base_source = g_timeout_source_new (0);
  else
    base_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (base_of (self)), NULL);

  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gssize
attendant_frame_guard_read_nonblocking (GPollableInputStream  *stream,
                                        void                  *buffer,
                                        gsize                  count,
                                        GError               **error)
{
  AttendantFrameGuard *self = ATTENDANT_FRAME_GUARD (stream);

  if (check_failed (self, error))
    return -1;

  return judge (self, buffer,
                g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (base_of (self)),
                                                          buffer, count, NULL, error),
                error);
}

static void
attendant_frame_guard_pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = attendant_frame_guard_can_poll;
  iface->is_readable = attendant_frame_guard_is_readable;
  iface->create_source = attendant_frame_guard_create_source;
  iface->read_nonblocking = attendant_frame_guard_read_nonblocking;
}

/* }}} */
/* {{{ GObject */

static void
attendant_frame_guard_finalize (GObject *object)
{
  AttendantFrameGuard *self = (AttendantFrameGuard *)object;

  g_clear_error (&self->error);

  G_OBJECT_CLASS (attendant_frame_guard_parent_class)->finalize (object);
}

static void
attendant_frame_guard_class_init (AttendantFrameGuardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = attendant_frame_guard_finalize;
  input_class->read_fn = attendant_frame_guard_read;
  input_class->skip = attendant_frame_guard_skip;
}

static void
attendant_frame_guard_init (AttendantFrameGuard *self)
{
}

/* }}} */
/* {{{ Public */

/**
 * attendant_frame_guard_new:
 * @base_stream: the connection's input, as read from the network
 * @start: what the stream carries first
 * @max_message: the most payload one data message may carry, over all
 *   its frames
 *
 * Returns: (transfer full): a stream that reads @base_stream and fails
 *   with %SOUP_WEBSOCKET_CLOSE_TOO_BIG (in %SOUP_WEBSOCKET_ERROR) once a
 *   message would exceed @max_message, or with
 *   %SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR on a frame it cannot follow
 */
AttendantFrameGuard *
attendant_frame_guard_new (GInputStream             *base_stream,
                           AttendantFrameGuardStart  start,
                           guint64                   max_message)
{
  AttendantFrameGuard *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (base_stream), NULL);

  self = g_object_new (ATTENDANT_TYPE_FRAME_GUARD, "base-stream", base_stream, NULL);
  self->max_message = max_message;
  if (start == ATTENDANT_FRAME_GUARD_START_HTTP)
    {
      self->state = STATE_HTTP;
      start_block (self);
    }
  else
    start_frame (self);

  return self;
}

/**
 * attendant_frame_guard_is_guarding:
 *
 * Returns: whether the guard follows WebSocket frames (it started on them,
 *   or saw an upgrade request end) and has not failed: a WebSocket on this
 *   stream is only safe while this holds
 */
gboolean
attendant_frame_guard_is_guarding (AttendantFrameGuard *self)
{
  g_return_val_if_fail (ATTENDANT_IS_FRAME_GUARD (self), FALSE);

  return self->state == STATE_FRAME_HEADER || self->state == STATE_PAYLOAD;
}

/* }}} */
