/* attendant-guarded-stream.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-frame-guard.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_GUARDED_STREAM (attendant_guarded_stream_get_type ())

G_DECLARE_FINAL_TYPE (AttendantGuardedStream, attendant_guarded_stream, ATTENDANT, GUARDED_STREAM, GIOStream)

AttendantGuardedStream *attendant_guarded_stream_new             (GIOStream                *base_stream,
                                                                  AttendantFrameGuardStart  start);
GIOStream              *attendant_guarded_stream_get_base_stream (AttendantGuardedStream   *self);
AttendantFrameGuard    *attendant_guarded_stream_get_guard       (AttendantGuardedStream   *self);
GIOStream              *attendant_guarded_stream_unwrap          (GIOStream                *stream);

G_END_DECLS
