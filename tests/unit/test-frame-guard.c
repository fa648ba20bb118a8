/* test-frame-guard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include <libsoup/soup.h>

#include "attendant-core.h"

/* AttendantFrameGuard over bytes in memory, read in pieces of every size
 * from one byte up, blocking and non-blocking: what it lets through and
 * where it fails must not depend on how the reads split the frames. */

#define BOUND 1000

/* One frame: FIN, opcode, masked or not, @length payload bytes (only the
 * header when @with_payload is FALSE). The smallest length encoding is
 * used unless @force64. */
static void
add_frame (GByteArray *out,
           gboolean    fin,
           guint       opcode,
           gboolean    masked,
           guint64     length,
           gboolean    force64,
           gboolean    with_payload)
{
  guint8 b0 = (fin ? 0x80 : 0) | (opcode & 0x0f);
  guint8 mask_bit = masked ? 0x80 : 0;
  static const guint8 key[4] = { 0x12, 0x34, 0x56, 0x78 };

  g_byte_array_append (out, &b0, 1);
  if (length < 126 && !force64)
    {
      guint8 b1 = mask_bit | (guint8)length;
      g_byte_array_append (out, &b1, 1);
    }
  else if (length < 65536 && !force64)
    {
      guint8 ext[3] = { mask_bit | 126, (guint8)(length >> 8), (guint8)length };
      g_byte_array_append (out, ext, sizeof ext);
    }
  else
    {
      guint8 ext[9] = { mask_bit | 127 };
      for (guint i = 0; i < 8; i++)
        ext[1 + i] = (guint8)(length >> (56 - 8 * i));
      g_byte_array_append (out, ext, sizeof ext);
    }
  if (masked)
    g_byte_array_append (out, key, sizeof key);
  if (with_payload)
    for (guint64 i = 0; i < length; i++)
      {
        guint8 byte = (guint8)('a' + i % 26) ^ (masked ? key[i % 4] : 0);
        g_byte_array_append (out, &byte, 1);
      }
}

/* Reads @data through a guard in pieces of @piece bytes. Returns how many
 * bytes came through before the end or the error. */
static gsize
read_through (GByteArray               *data,
              AttendantFrameGuardStart  start,
              gsize                     piece,
              gboolean                  nonblocking,
              AttendantFrameGuard     **guard_out,
              GError                  **error)
{
  g_autoptr(GInputStream) memory = g_memory_input_stream_new_from_data (g_memdup2 (data->data, data->len),
                                                                        data->len, g_free);
  g_autoptr(AttendantFrameGuard) guard = attendant_frame_guard_new (memory, start, BOUND);
  g_autofree guint8 *buffer = g_malloc (piece);
  gsize total = 0;

  for (;;)
    {
      gssize n = nonblocking
                 ? g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (guard), buffer, piece, NULL, error)
                 : g_input_stream_read (G_INPUT_STREAM (guard), buffer, piece, NULL, error);

      if (n <= 0)
        break;
      g_assert_cmpmem (buffer, n, data->data + total, n);
      total += (gsize)n;
    }

  if (guard_out != NULL)
    *guard_out = g_steal_pointer (&guard);
  return total;
}

/* Every piece size passes all of @data, or fails with @code; returns the
 * fewest bytes any split let through before failing. */
static gsize
check_all_splits (GByteArray               *data,
                  AttendantFrameGuardStart  start,
                  int                       code)
{
  gsize fewest = G_MAXSIZE;

  for (gsize piece = 1; piece <= data->len + 1; piece += piece < 40 ? 1 : 37)
    for (guint nonblocking = 0; nonblocking < 2; nonblocking++)
      {
        g_autoptr(GError) error = NULL;
        gsize through = read_through (data, start, piece, nonblocking, NULL, &error);

        if (code == 0)
          {
            g_assert_no_error (error);
            g_assert_cmpuint (through, ==, data->len);
          }
        else
          {
            g_assert_error (error, SOUP_WEBSOCKET_ERROR, code);
            g_assert_cmpuint (through, <, data->len);
          }
        fewest = MIN (fewest, through);
      }

  return fewest;
}

static void
test_fragments_with_control_frames (void)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();

  /* BOUND bytes of text over five frames, pings and pongs of the largest
   * size between them: control frames do not count. */
  for (guint round = 0; round < 2; round++)
    for (guint masked = 0; masked < 2; masked++)
      {
        add_frame (data, FALSE, 0x1, masked, 200, FALSE, TRUE);
        add_frame (data, TRUE, 0x9, masked, 125, FALSE, TRUE);
        add_frame (data, FALSE, 0x0, masked, 200, FALSE, TRUE);
        add_frame (data, TRUE, 0xa, masked, 125, FALSE, TRUE);
        add_frame (data, FALSE, 0x0, masked, 200, FALSE, TRUE);
        add_frame (data, FALSE, 0x0, masked, 0, FALSE, TRUE);
        add_frame (data, FALSE, 0x0, masked, 200, FALSE, TRUE);
        add_frame (data, TRUE, 0x9, masked, 0, FALSE, TRUE);
        add_frame (data, TRUE, 0x0, masked, 200, FALSE, TRUE);
        /* A new message starts from nothing. */
        add_frame (data, TRUE, 0x2, masked, BOUND, FALSE, TRUE);
      }

  check_all_splits (data, ATTENDANT_FRAME_GUARD_START_FRAMES, 0);
}

static void
test_message_over_bound (void)
{
  for (guint masked = 0; masked < 2; masked++)
    {
      g_autoptr(GByteArray) data = g_byte_array_new ();
      gsize before;

      add_frame (data, FALSE, 0x1, masked, 400, FALSE, TRUE);
      add_frame (data, TRUE, 0x9, masked, 125, FALSE, TRUE);
      add_frame (data, FALSE, 0x0, masked, 400, FALSE, TRUE);
      before = data->len;
      /* 201 more: one byte over the bound, refused on its header. */
      add_frame (data, TRUE, 0x0, masked, 201, FALSE, TRUE);

      g_assert_cmpuint (check_all_splits (data, ATTENDANT_FRAME_GUARD_START_FRAMES,
                                          SOUP_WEBSOCKET_CLOSE_TOO_BIG), <=, before);

      /* Skipping goes through the parser too. */
      {
        g_autoptr(GInputStream) memory = g_memory_input_stream_new_from_data (data->data, data->len, NULL);
        g_autoptr(AttendantFrameGuard) guard = attendant_frame_guard_new (memory, ATTENDANT_FRAME_GUARD_START_FRAMES, BOUND);
        g_autoptr(GError) error = NULL;

        g_assert_cmpint (g_input_stream_skip (G_INPUT_STREAM (guard), data->len, NULL, &error), ==, -1);
        g_assert_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
      }
    }
}

static void
test_exact_bound (void)
{
  g_autoptr(GByteArray) exact = g_byte_array_new ();
  g_autoptr(GByteArray) over = g_byte_array_new ();

  add_frame (exact, FALSE, 0x1, TRUE, BOUND - 1, FALSE, TRUE);
  add_frame (exact, TRUE, 0x0, TRUE, 1, FALSE, TRUE);
  check_all_splits (exact, ATTENDANT_FRAME_GUARD_START_FRAMES, 0);

  add_frame (over, TRUE, 0x1, TRUE, BOUND + 1, FALSE, TRUE);
  g_assert_cmpuint (check_all_splits (over, ATTENDANT_FRAME_GUARD_START_FRAMES,
                                      SOUP_WEBSOCKET_CLOSE_TOO_BIG), ==, 0);
}

static void
test_long_lengths (void)
{
  g_autoptr(GByteArray) fits = g_byte_array_new ();
  g_autoptr(GByteArray) huge = g_byte_array_new ();
  g_autoptr(GByteArray) top_bit = g_byte_array_new ();
  gsize before;

  /* 16-bit and (needlessly) 64-bit lengths within the bound. */
  add_frame (fits, FALSE, 0x1, TRUE, 300, FALSE, TRUE);
  add_frame (fits, FALSE, 0x0, FALSE, 300, TRUE, TRUE);
  add_frame (fits, TRUE, 0x0, TRUE, 400, TRUE, TRUE);
  check_all_splits (fits, ATTENDANT_FRAME_GUARD_START_FRAMES, 0);

  /* 2^40 bytes declared: refused on the header, nothing of it read. */
  add_frame (huge, TRUE, 0x1, FALSE, 10, FALSE, TRUE);
  before = huge->len;
  add_frame (huge, FALSE, 0x1, TRUE, G_GUINT64_CONSTANT (1) << 40, FALSE, FALSE);
  g_byte_array_append (huge, (const guint8 *)"more bytes", 10);
  g_assert_cmpuint (check_all_splits (huge, ATTENDANT_FRAME_GUARD_START_FRAMES,
                                      SOUP_WEBSOCKET_CLOSE_TOO_BIG), <=, before);

  add_frame (top_bit, TRUE, 0x1, FALSE, G_GUINT64_CONSTANT (1) << 63, FALSE, FALSE);
  check_all_splits (top_bit, ATTENDANT_FRAME_GUARD_START_FRAMES, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR);
}

static void
test_invalid_frames (void)
{
  static const guint8 cases[][2] = {
    { 0x80, 0x00 },   /* a continuation without a message */
    { 0xc1, 0x00 },   /* RSV1: compressed, never negotiated */
    { 0x09, 0x00 },   /* a ping without FIN */
    { 0x89, 0x7e },   /* a ping over 125 bytes */
    { 0x83, 0x00 },   /* a reserved opcode */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) data = g_byte_array_new ();

      g_test_message ("case %u", i);
      g_byte_array_append (data, cases[i], 2);
      g_byte_array_append (data, (const guint8 *)"\0\0\0\0\0\0\0\0", 8);
      check_all_splits (data, ATTENDANT_FRAME_GUARD_START_FRAMES, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR);
    }

  {
    /* A new data message inside a fragmented one. */
    g_autoptr(GByteArray) data = g_byte_array_new ();

    add_frame (data, FALSE, 0x1, TRUE, 10, FALSE, TRUE);
    add_frame (data, TRUE, 0x1, TRUE, 10, FALSE, TRUE);
    check_all_splits (data, ATTENDANT_FRAME_GUARD_START_FRAMES, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR);
  }
}

static GByteArray *
http_then_frames (const char *request,
                  guint64     message)
{
  GByteArray *data = g_byte_array_new ();

  g_byte_array_append (data, (const guint8 *)request, strlen (request));
  add_frame (data, FALSE, 0x1, TRUE, message / 2, FALSE, TRUE);
  add_frame (data, TRUE, 0x0, TRUE, message - message / 2, FALSE, TRUE);

  return data;
}

static void
test_http_first (void)
{
  static const char upgrade[] =
    "\r\nGET /attendant HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
  static const char two_requests[] =
    "GET / HTTP/1.1\r\nHost: x\n\nGET /attendant HTTP/1.1\nUpgrade: WebSocket\n\n";
  static const char with_body[] =
    "GET /attendant HTTP/1.1\r\nUpgrade: websocket\r\nContent-Length: 4\r\n\r\n";
  g_autoptr(GByteArray) fits = http_then_frames (upgrade, BOUND);
  g_autoptr(GByteArray) over = http_then_frames (upgrade, BOUND + 1);
  g_autoptr(GByteArray) second = http_then_frames (two_requests, BOUND + 1);
  g_autoptr(GByteArray) body = http_then_frames (with_body, 10 * BOUND);
  /* libsoup deletes NULs from headers before it reads them. */
  static const char hidden_body[] =
    "GET /attendant HTTP/1.1\r\nUpgrade: websocket\r\nCon\0tent-Len\0gth: 4\r\n\r\n";
  g_autoptr(GByteArray) hidden = g_byte_array_new ();
  g_autoptr(AttendantFrameGuard) guard = NULL;
  g_autoptr(GError) error = NULL;

  check_all_splits (fits, ATTENDANT_FRAME_GUARD_START_HTTP, 0);
  check_all_splits (over, ATTENDANT_FRAME_GUARD_START_HTTP, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  /* Byte by byte, the request itself goes through whole. */
  g_assert_cmpuint (read_through (over, ATTENDANT_FRAME_GUARD_START_HTTP, 1, FALSE, NULL, &error),
                    >=, strlen (upgrade));
  g_assert_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_clear_error (&error);
  check_all_splits (second, ATTENDANT_FRAME_GUARD_START_HTTP, SOUP_WEBSOCKET_CLOSE_TOO_BIG);

  read_through (fits, ATTENDANT_FRAME_GUARD_START_HTTP, 7, FALSE, &guard, &error);
  g_assert_no_error (error);
  g_assert_true (attendant_frame_guard_is_guarding (guard));
  g_clear_object (&guard);

  /* A request with a body is passed on whole, but no WebSocket may
   * follow it: the node asks is_guarding() and refuses. */
  g_assert_cmpuint (read_through (body, ATTENDANT_FRAME_GUARD_START_HTTP, 5, TRUE, &guard, &error), ==, body->len);
  g_assert_no_error (error);
  g_assert_false (attendant_frame_guard_is_guarding (guard));
  g_clear_object (&guard);

  g_byte_array_append (hidden, (const guint8 *)hidden_body, sizeof hidden_body - 1);
  add_frame (hidden, TRUE, 0x1, TRUE, 10 * BOUND, FALSE, TRUE);
  read_through (hidden, ATTENDANT_FRAME_GUARD_START_HTTP, 3, FALSE, &guard, &error);
  g_assert_no_error (error);
  g_assert_false (attendant_frame_guard_is_guarding (guard));
}

static void
test_guarded_stream (void)
{
  g_autoptr(GError) error = NULL;
  GSocket *sockets[2];
  g_autoptr(GSocketConnection) a = NULL;
  g_autoptr(GSocketConnection) b = NULL;
  g_autoptr(AttendantGuardedStream) guarded = NULL;
  int fds[2];

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM, 0, fds));
  sockets[0] = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  sockets[1] = g_socket_new_from_fd (fds[1], &error);
  g_assert_no_error (error);
  a = g_socket_connection_factory_create_connection (sockets[0]);
  b = g_socket_connection_factory_create_connection (sockets[1]);
  g_object_unref (sockets[0]);
  g_object_unref (sockets[1]);

  guarded = attendant_guarded_stream_new (G_IO_STREAM (a), ATTENDANT_FRAME_GUARD_START_FRAMES);
  g_assert_true (attendant_guarded_stream_unwrap (G_IO_STREAM (guarded)) == G_IO_STREAM (a));
  g_assert_true (attendant_guarded_stream_unwrap (G_IO_STREAM (b)) == G_IO_STREAM (b));
  g_assert_true (g_io_stream_get_output_stream (G_IO_STREAM (guarded)) == g_io_stream_get_output_stream (G_IO_STREAM (a)));
  g_assert_true (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (guarded)))));

  /* Closing it closes the connection under it. */
  g_assert_true (g_io_stream_close (G_IO_STREAM (guarded), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (a)));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/frame-guard/fragments-with-control-frames", test_fragments_with_control_frames);
  g_test_add_func ("/frame-guard/message-over-bound", test_message_over_bound);
  g_test_add_func ("/frame-guard/exact-bound", test_exact_bound);
  g_test_add_func ("/frame-guard/long-lengths", test_long_lengths);
  g_test_add_func ("/frame-guard/invalid-frames", test_invalid_frames);
  g_test_add_func ("/frame-guard/http-first", test_http_first);
  g_test_add_func ("/frame-guard/guarded-stream", test_guarded_stream);

  return g_test_run ();
}
