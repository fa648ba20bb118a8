/* test-tls-record-guard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The renegotiation guard on record sequences as TLS 1.2 and 1.3 peers
 * really send them (contents zeroed: only the record headers matter), read
 * whole, one byte at a time, and through the pollable interface that
 * glib-networking uses.
 */

#include "config.h"

#include <stdio.h>

#include <gio/gio.h>

#include "attendant-tls-record-guard.h"
#include "attendant-tls.h"

typedef enum
{
  READ_WHOLE,
  READ_BYTES,
  READ_NONBLOCKING,
} ReadMode;

/* Appends one record of @type with @len zero bytes of body. */
static void
add_record (GByteArray *stream,
            guint8      type,
            guint16     len)
{
  const guint8 header[5] = { type, 3, 3, len >> 8, len & 0xff };
  g_autofree guint8 *body = g_malloc0 (len);

  g_byte_array_append (stream, header, sizeof header);
  g_byte_array_append (stream, body, len);
}

/* Builds a stream from "22:200 20:1 22:40 23:100"-style specs. */
static GByteArray *
records (const char *spec)
{
  g_auto(GStrv) parts = g_strsplit (spec, " ", -1);
  GByteArray *stream = g_byte_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint type = 0, len = 0;

      g_assert_cmpint (sscanf (parts[i], "%u:%u", &type, &len), ==, 2);
      add_record (stream, type, len);
    }

  return stream;
}

/* Reads @input through a guard until the end or an error; returns how many
 * bytes came through and sets @error from the failing read. */
static gsize
read_through (GByteArray  *input,
              ReadMode     mode,
              GError     **error)
{
  g_autoptr(GInputStream) memory = g_memory_input_stream_new_from_data (g_memdup2 (input->data, input->len),
                                                                        input->len, g_free);
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) base = g_simple_io_stream_new (memory, sink);
  g_autoptr(GIOStream) guarded = attendant_tls_guard_stream (base);
  GInputStream *in = g_io_stream_get_input_stream (guarded);
  gsize total = 0;

  g_assert_true (ATTENDANT_IS_TLS_RECORD_GUARD (in));
  g_assert_true (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (in)));

  for (;;)
    {
      guint8 buffer[4096];
      gsize want = mode == READ_BYTES ? 1 : sizeof buffer;
      gssize n;

      if (mode == READ_NONBLOCKING)
        n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in), buffer, want,
                                                      NULL, error);
      else
        n = g_input_stream_read (in, buffer, want, NULL, error);

      if (n < 0)
        {
          /* Refused for good: readable, and the same error again. */
          g_autoptr(GError) again = NULL;

          g_assert_true (g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (in)));
          g_assert_cmpint (g_input_stream_read (in, buffer, want, NULL, &again), ==, -1);
          g_assert_error (again, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
          break;
        }
      if (n == 0)
        break;
      total += (gsize)n;
    }

  /* Closing the guarded stream closes the connection underneath. */
  g_assert_true (g_io_stream_close (guarded, NULL, NULL));
  g_assert_true (g_io_stream_is_closed (base));

  return total;
}

typedef struct
{
  const char *name;
  const char *spec;
  /* Records of @spec that must come through; all of them when < 0. */
  int         passed;
} Case;

static const Case cases[] = {
  /* Client to server, TLS 1.2: ClientHello; ClientKeyExchange, CCS,
   * Finished; then application data and an alert. */
  { "tls12-client", "22:512 22:70 20:1 22:40 23:300 23:16384 21:26", -1 },
  /* ...and then a renegotiation ClientHello: refused, nothing of it
   * passes, the data before it does. */
  { "tls12-client-renegotiates", "22:512 22:70 20:1 22:40 23:300 22:512 23:100", 5 },
  /* Server to client, TLS 1.2: ServerHello, Certificate, ServerKeyExchange,
   * ServerHelloDone; NewSessionTicket, CCS, Finished; data; then a
   * HelloRequest (a server asking to renegotiate): refused. */
  { "tls12-server", "22:90 22:1200 22:300 22:4 22:200 20:1 22:40 23:500", -1 },
  { "tls12-server-hello-request", "22:90 22:1200 20:1 22:40 23:500 22:4", 5 },
  /* Resumption: ClientHello, then CCS and Finished. */
  { "tls12-resumed", "22:512 20:1 22:40 23:50", -1 },
  /* TLS 1.3 with the compatibility CCS: everything after it is type 23. */
  { "tls13-client", "22:512 20:1 23:80 23:1000", -1 },
  { "tls13-server", "22:122 20:1 23:2000 23:300 23:80 23:200", -1 },
  /* TLS 1.3 after a HelloRetryRequest: ClientHello, CCS, the second
   * ClientHello (one handshake record after CCS is the allowance), then
   * encrypted records. */
  { "tls13-hello-retry", "22:512 20:1 22:540 23:80", -1 },
  /* Without the compatibility CCS nothing is counted at all. */
  { "tls13-no-ccs", "22:512 22:540 23:80 23:80", -1 },
  /* Not TLS records: an SSLv2-style hello (first byte 0x80) or a
   * content type that does not exist. */
  { "not-tls", "128:10", 0 },
  { "unknown-type", "22:100 99:10", 1 },
};

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GByteArray) input = records (c->spec);
  g_auto(GStrv) parts = g_strsplit (c->spec, " ", -1);
  gsize expected = 0;

  if (c->passed < 0)
    expected = input->len;
  else
    for (int i = 0; i < c->passed; i++)
      {
        guint type = 0, len = 0;

        g_assert_cmpint (sscanf (parts[i], "%u:%u", &type, &len), ==, 2);
        expected += 5 + len;
      }

  for (ReadMode mode = READ_WHOLE; mode <= READ_NONBLOCKING; mode++)
    {
      g_autoptr(GError) error = NULL;
      gsize got = read_through (input, mode, &error);

      g_test_message ("%s, read mode %d: %" G_GSIZE_FORMAT " of %u bytes", c->name, mode, got, input->len);
      g_assert_cmpuint (got, ==, expected);
      if (c->passed < 0)
        g_assert_no_error (error);
      else
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tls-record-guard/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }

  return g_test_run ();
}
