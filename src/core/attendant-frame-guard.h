/* attendant-frame-guard.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_FRAME_GUARD (attendant_frame_guard_get_type ())

G_DECLARE_FINAL_TYPE (AttendantFrameGuard, attendant_frame_guard, ATTENDANT, FRAME_GUARD, GFilterInputStream)

/**
 * AttendantFrameGuardStart:
 * @ATTENDANT_FRAME_GUARD_START_FRAMES: the stream carries WebSocket frames
 *   from its first byte (a client, after its own handshake)
 * @ATTENDANT_FRAME_GUARD_START_HTTP: the stream carries HTTP/1.1 requests
 *   first, frames only after an upgrade request (a server's connection)
 */
typedef enum
{
  ATTENDANT_FRAME_GUARD_START_FRAMES,
  ATTENDANT_FRAME_GUARD_START_HTTP,
} AttendantFrameGuardStart;

AttendantFrameGuard *attendant_frame_guard_new         (GInputStream             *base_stream,
                                                        AttendantFrameGuardStart  start,
                                                        guint64                   max_message);
gboolean             attendant_frame_guard_is_guarding (AttendantFrameGuard      *self);

G_END_DECLS
