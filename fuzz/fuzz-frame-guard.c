/* fuzz-frame-guard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-fuzz"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "attendant-frame-guard.h"
#include "fuzz-common.h"

/* AttendantFrameGuard on any byte stream, read two ways: a byte at a time,
 * and in pieces of sizes drawn from the input, blocking or not. Both must
 * agree (pass everything, or fail with the same code), the piecewise read
 * must never pass a byte the bytewise read refused, and, on frames from
 * the first byte, the bytewise read must fail exactly where a plain
 * whole-buffer reading of RFC 6455 §5.2 says the first bad frame header
 * ends. The bound is small, so that inputs reach it.
 *
 * Input: byte 0, bit 0: the stream starts with HTTP (a node's connection);
 * byte 1: the seed of the piece sizes; the rest: the stream. */

#define BOUND 300

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_setup ();
  return 0;
}

typedef struct
{
  gsize   through;   /* bytes passed before the end or the failure */
  int     code;      /* 0, or the SOUP_WEBSOCKET_ERROR code */
  gboolean guarding;
} Outcome;

static Outcome
read_with (const guint8             *data,
           gsize                     size,
           AttendantFrameGuardStart  start,
           guint8                    seed)
{
  g_autoptr(GInputStream) memory = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(AttendantFrameGuard) guard = attendant_frame_guard_new (memory, start, BOUND);
  Outcome outcome = { 0, 0, FALSE };
  guint8 buffer[64];
  guint32 state = seed;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gsize piece = 1;
      gssize n;

      if (seed != 0)
        {
          state = state * 1103515245u + 12345u;
          piece = 1 + (state >> 16) % sizeof buffer;
        }

      n = seed % 2 == 0
          ? g_input_stream_read (G_INPUT_STREAM (guard), buffer, piece, NULL, &error)
          : g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (guard), buffer, piece, NULL, &error);

      if (n < 0)
        {
          g_assert_true (error->domain == SOUP_WEBSOCKET_ERROR);
          outcome.code = error->code;
          break;
        }
      if (n == 0)
        break;
      g_assert_true (memcmp (buffer, data + outcome.through, (gsize)n) == 0);
      outcome.through += (gsize)n;
    }

  outcome.guarding = attendant_frame_guard_is_guarding (guard);
  return outcome;
}

/* Where a byte-at-a-time reader must fail on frames: the index of the last
 * byte of the first frame header that breaks a rule, and the code; or
 * (@size, 0). */
static Outcome
expected_on_frames (const guint8 *data,
                    gsize         size)
{
  Outcome outcome = { size, 0, FALSE };
  gboolean in_message = FALSE;
  guint64 total = 0;
  gsize pos = 0;

  while (pos + 2 <= size)
    {
      guint opcode = data[pos] & 0x0f;
      gboolean fin = data[pos] & 0x80;
      guint length7 = data[pos + 1] & 0x7f;
      gsize head = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (data[pos + 1] & 0x80 ? 4 : 0);
      guint64 length = length7;
      gboolean data_frame = opcode <= 2;
      int code = 0;

      if (pos + head > size)
        break;
      if (length7 >= 126)
        {
          length = 0;
          for (gsize i = pos + 2; i < pos + (length7 == 126 ? 4 : 10); i++)
            length = (length << 8) | data[i];
        }

      if (length >> 63 || (data[pos] & 0x70) || opcode > 0xa || (opcode > 2 && opcode < 8))
        code = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR;
      else if (!data_frame && (!fin || length > 125))
        code = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR;
      else if (data_frame && (opcode == 0) != in_message)
        code = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR;
      else if (data_frame && (opcode != 0 ? 0 : total) + length > BOUND)
        code = SOUP_WEBSOCKET_CLOSE_TOO_BIG;

      if (code != 0)
        {
          outcome.through = pos + head - 1;
          outcome.code = code;
          return outcome;
        }

      if (data_frame)
        {
          total = (opcode != 0 ? 0 : total) + length;
          in_message = !fin;
        }
      if (length > size - pos - head)
        break;
      pos += head + (gsize)length;
    }

  return outcome;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  AttendantFrameGuardStart start;
  Outcome bytewise;
  Outcome piecewise;

  if (size < 2)
    return 0;

  start = data[0] & 1 ? ATTENDANT_FRAME_GUARD_START_HTTP : ATTENDANT_FRAME_GUARD_START_FRAMES;
  bytewise = read_with (data + 2, size - 2, start, 0);
  piecewise = read_with (data + 2, size - 2, start, data[1] != 0 ? data[1] : 2);

  g_assert_cmpint (bytewise.code, ==, piecewise.code);
  if (bytewise.code == 0)
    {
      g_assert_cmpuint (bytewise.through, ==, size - 2);
      g_assert_cmpuint (piecewise.through, ==, size - 2);
      g_assert_true (bytewise.guarding == piecewise.guarding);
    }
  else
    g_assert_cmpuint (piecewise.through, <=, bytewise.through);

  if (start == ATTENDANT_FRAME_GUARD_START_FRAMES)
    {
      Outcome expected = expected_on_frames (data + 2, size - 2);

      g_assert_cmpint (bytewise.code, ==, expected.code);
      g_assert_cmpuint (bytewise.through, ==, expected.through);
    }

  return 0;
}
