/* attendant-tls-record-guard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-tls"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "attendant-tls-record-guard.h"

/* The peer's side of a TLS connection, read record header by record header
 * before GnuTLS sees a byte, so that a renegotiation is refused before it
 * starts (see ATTENDANT_TLS_PRIORITY for why it cannot be refused above).
 *
 * The rule needs no state from the TLS layer: whatever the version, a
 * peer sends at most ONE handshake record (content type 22) after its
 * ChangeCipherSpec record (type 20). In TLS 1.2 that record is its
 * Finished, and any later one can only start a renegotiation (a
 * ClientHello from a client, a HelloRequest from a server). In TLS 1.3 the
 * ChangeCipherSpec is the optional compatibility one, sent once, followed
 * at most by the second ClientHello (or the ServerHello) after a
 * HelloRetryRequest, and everything after that travels as type 23. A
 * stream that does not start as TLS records at all (an SSLv2-style hello)
 * is refused as well: the walk over record headers would be meaningless.
 *
 * The bytes before the refused record are passed on; the next read fails,
 * so the TLS connection fails its read and its owner closes it. */
struct _AttendantTlsRecordGuard
{
  GFilterInputStream  parent_instance;

  GIOStream          *owner;          /* closed with this stream */
  guint8              header[5];
  guint               header_len;
  gsize               body_left;
  guint               handshakes_after_ccs;
  guint               seen_ccs : 1;
  guint               refused : 1;
};

static void attendant_tls_record_guard_pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AttendantTlsRecordGuard, attendant_tls_record_guard, G_TYPE_FILTER_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      attendant_tls_record_guard_pollable_iface_init))

enum {
  CONTENT_CHANGE_CIPHER_SPEC = 20,
  CONTENT_ALERT = 21,
  CONTENT_HANDSHAKE = 22,
  CONTENT_APPLICATION_DATA = 23,
  CONTENT_HEARTBEAT = 24,
};

/* Whether a record of @type may start here; counts it if so. */
static gboolean
admit_record (AttendantTlsRecordGuard *self,
              guint8                   type)
{
  switch (type)
    {
    case CONTENT_CHANGE_CIPHER_SPEC:
      self->seen_ccs = TRUE;
      return TRUE;

    case CONTENT_HANDSHAKE:
      if (self->seen_ccs && self->handshakes_after_ccs++ > 0)
        return FALSE;
      return TRUE;

    case CONTENT_ALERT:
    case CONTENT_APPLICATION_DATA:
    case CONTENT_HEARTBEAT:
      return TRUE;

    default:
      return FALSE;
    }
}

/* How many of the @len bytes just read may go on to GnuTLS: all of them,
 * or those before the first record that must not. */
static gsize
scan (AttendantTlsRecordGuard *self,
      const guint8            *data,
      gsize                    len)
{
  gsize i = 0;

  while (i < len)
    {
      if (self->body_left > 0)
        {
          gsize skip = MIN (self->body_left, len - i);

          i += skip;
          self->body_left -= skip;
          continue;
        }

      if (self->header_len == 0 && !admit_record (self, data[i]))
        {
          self->refused = TRUE;
          return i;
        }

      self->header[self->header_len++] = data[i++];
      if (self->header_len == sizeof self->header)
        {
          self->body_left = ((gsize)self->header[3] << 8) | self->header[4];
          self->header_len = 0;
        }
    }

  return len;
}

static void
set_refused_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("The peer tried to renegotiate TLS (or sent something that is not TLS); "
                         "the connection is closed"));
}

/* Filters what a read from the base stream returned (@n, or -1 with
 * @error set by that read). */
static gssize
filter_read (AttendantTlsRecordGuard  *self,
             const void               *buffer,
             gssize                    n,
             GError                  **error)
{
  gsize allowed;

  if (n <= 0)
    return n;

  allowed = scan (self, buffer, (gsize)n);
  if (allowed == 0)
    {
      set_refused_error (error);
      return -1;
    }

  return (gssize)allowed;
}

/* Whether the refusal has happened: then every read fails with it. */
static gboolean
check_refused (AttendantTlsRecordGuard  *self,
               GError                  **error)
{
  if (self->refused)
    set_refused_error (error);

  return self->refused;
}

static GInputStream *
base_stream (AttendantTlsRecordGuard *self)
{
  return g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (self));
}

static gssize
attendant_tls_record_guard_read (GInputStream  *stream,
                                 void          *buffer,
                                 gsize          count,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  AttendantTlsRecordGuard *self = ATTENDANT_TLS_RECORD_GUARD (stream);

  if (check_refused (self, error))
    return -1;

  return filter_read (self, buffer,
                      g_input_stream_read (base_stream (self), buffer, count, cancellable, error),
                      error);
}

static gboolean
attendant_tls_record_guard_close (GInputStream  *stream,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  AttendantTlsRecordGuard *self = ATTENDANT_TLS_RECORD_GUARD (stream);

  /* Closing the socket connection itself, not only its input stream (which
   * would leave the socket open): the peer sees the end at once. */
  return g_io_stream_close (self->owner, cancellable, error);
}

static gboolean
attendant_tls_record_guard_can_poll (GPollableInputStream *stream)
{
  AttendantTlsRecordGuard *self = ATTENDANT_TLS_RECORD_GUARD (stream);
  GInputStream *base = base_stream (self);

  return G_IS_POLLABLE_INPUT_STREAM (base) &&
         g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (base));
}

static gboolean
attendant_tls_record_guard_is_readable (GPollableInputStream *stream)
{
  AttendantTlsRecordGuard *self = ATTENDANT_TLS_RECORD_GUARD (stream);

  /* Refused: "readable" so that the reader comes and gets the error. */
  return self->refused ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (base_stream (self)));
}

static GSource *
attendant_tls_record_guard_create_source (GPollableInputStream *stream,
                                          GCancellable         *cancellable)
{
  AttendantTlsRecordGuard *self = ATTENDANT_TLS_RECORD_GUARD (stream);
  g_autoptr(GSource) child = NULL;

  if (self->refused)
    child = g_timeout_source_new (0);
  else
    child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (base_stream (self)),
                                                   cancellable);

  return g_pollable_source_new_full (stream, child, cancellable);
}

static gssize
attendant_tls_record_guard_read_nonblocking (GPollableInputStream  *stream,
                                             void                  *buffer,
                                             gsize                  count,
                                             GError               **error)
{
  AttendantTlsRecordGuard *self = ATTENDANT_TLS_RECORD_GUARD (stream);

  if (check_refused (self, error))
    return -1;

  return filter_read (self, buffer,
                      g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (base_stream (self)),
                                                                buffer, count, NULL, error),
                      error);
}

static void
attendant_tls_record_guard_pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = attendant_tls_record_guard_can_poll;
  iface->is_readable = attendant_tls_record_guard_is_readable;
  iface->create_source = attendant_tls_record_guard_create_source;
  iface->read_nonblocking = attendant_tls_record_guard_read_nonblocking;
}

static void
attendant_tls_record_guard_dispose (GObject *object)
{
  AttendantTlsRecordGuard *self = (AttendantTlsRecordGuard *)object;

  g_clear_object (&self->owner);

  G_OBJECT_CLASS (attendant_tls_record_guard_parent_class)->dispose (object);
}

static void
attendant_tls_record_guard_class_init (AttendantTlsRecordGuardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->dispose = attendant_tls_record_guard_dispose;
  stream_class->read_fn = attendant_tls_record_guard_read;
  stream_class->close_fn = attendant_tls_record_guard_close;
}

static void
attendant_tls_record_guard_init (AttendantTlsRecordGuard *self)
{
}

/**
 * attendant_tls_record_guard_new:
 * @base: the connection whose input is guarded; closing the guard closes it
 *
 * Returns: (transfer full): @base's input stream, refusing a renegotiation
 */
GInputStream *
attendant_tls_record_guard_new (GIOStream *base)
{
  AttendantTlsRecordGuard *self;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  self = g_object_new (ATTENDANT_TYPE_TLS_RECORD_GUARD,
                       "base-stream", g_io_stream_get_input_stream (base),
                       "close-base-stream", FALSE,
                       NULL);
  self->owner = g_object_ref (base);

  return G_INPUT_STREAM (self);
}
