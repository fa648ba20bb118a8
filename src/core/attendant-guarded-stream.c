/* attendant-guarded-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-guarded-stream"

#include "config.h"

#include "attendant-guarded-stream.h"
#include "attendant-protocol.h"

/* A connection as libsoup's WebSocket code gets it: the input through an
 * AttendantFrameGuard bounded by the protocol's message limit, the output
 * as it was. Closing it closes the connection underneath (a TLS session
 * says goodbye, a socket is closed), as closing that one would have. */

struct _AttendantGuardedStream
{
  GIOStream            parent_instance;

  GIOStream           *base;
  AttendantFrameGuard *guard;
};

G_DEFINE_FINAL_TYPE (AttendantGuardedStream, attendant_guarded_stream, G_TYPE_IO_STREAM)

static GInputStream *
attendant_guarded_stream_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (ATTENDANT_GUARDED_STREAM (stream)->guard);
}

static GOutputStream *
attendant_guarded_stream_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (ATTENDANT_GUARDED_STREAM (stream)->base);
}

static gboolean
attendant_guarded_stream_close (GIOStream     *stream,
                                GCancellable  *cancellable,
                                GError       **error)
{
  return g_io_stream_close (ATTENDANT_GUARDED_STREAM (stream)->base, cancellable, error);
}

static void
close_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Not GIOStream's default, which would run the blocking close in a thread. */
static void
attendant_guarded_stream_close_async (GIOStream           *stream,
                                      int                  io_priority,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, attendant_guarded_stream_close_async);
  g_io_stream_close_async (ATTENDANT_GUARDED_STREAM (stream)->base, io_priority, cancellable,
                           close_cb, task);
}

static gboolean
attendant_guarded_stream_close_finish (GIOStream     *stream,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
attendant_guarded_stream_finalize (GObject *object)
{
  AttendantGuardedStream *self = (AttendantGuardedStream *)object;

  g_clear_object (&self->guard);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (attendant_guarded_stream_parent_class)->finalize (object);
}

static void
attendant_guarded_stream_class_init (AttendantGuardedStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = attendant_guarded_stream_finalize;
  stream_class->get_input_stream = attendant_guarded_stream_get_input_stream;
  stream_class->get_output_stream = attendant_guarded_stream_get_output_stream;
  stream_class->close_fn = attendant_guarded_stream_close;
  stream_class->close_async = attendant_guarded_stream_close_async;
  stream_class->close_finish = attendant_guarded_stream_close_finish;
}

static void
attendant_guarded_stream_init (AttendantGuardedStream *self)
{
}

/**
 * attendant_guarded_stream_new:
 * @base_stream: a connection (TCP or TLS) to be spoken WebSocket over
 * @start: what @base_stream carries first
 *
 * Returns: (transfer full): @base_stream, its input guarded
 */
AttendantGuardedStream *
attendant_guarded_stream_new (GIOStream                *base_stream,
                              AttendantFrameGuardStart  start)
{
  AttendantGuardedStream *self;

  g_return_val_if_fail (G_IS_IO_STREAM (base_stream), NULL);

  self = g_object_new (ATTENDANT_TYPE_GUARDED_STREAM, NULL);
  self->base = g_object_ref (base_stream);
  self->guard = attendant_frame_guard_new (g_io_stream_get_input_stream (base_stream), start,
                                           ATTENDANT_PROTOCOL_MAX_MESSAGE);
  /* The base stream closes it with everything else. */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (self->guard), FALSE);

  return self;
}

GIOStream *
attendant_guarded_stream_get_base_stream (AttendantGuardedStream *self)
{
  g_return_val_if_fail (ATTENDANT_IS_GUARDED_STREAM (self), NULL);

  return self->base;
}

AttendantFrameGuard *
attendant_guarded_stream_get_guard (AttendantGuardedStream *self)
{
  g_return_val_if_fail (ATTENDANT_IS_GUARDED_STREAM (self), NULL);

  return self->guard;
}

/**
 * attendant_guarded_stream_unwrap:
 * @stream: a connection, guarded or not
 *
 * Returns: (transfer none): the connection under @stream's guard, or
 *   @stream: what to ask whether it is TLS
 */
GIOStream *
attendant_guarded_stream_unwrap (GIOStream *stream)
{
  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);

  return ATTENDANT_IS_GUARDED_STREAM (stream) ? ATTENDANT_GUARDED_STREAM (stream)->base : stream;
}
