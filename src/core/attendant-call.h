/* attendant-call.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "attendant-enums.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_CALL (attendant_call_get_type())

G_DECLARE_FINAL_TYPE (AttendantCall, attendant_call, ATTENDANT, CALL, GObject)

AttendantCall      *attendant_call_new               (const char    *id);
gboolean            attendant_call_apply_json        (AttendantCall *self,
                                                      JsonObject    *json);
const char         *attendant_call_get_id            (AttendantCall *self);
AttendantCallState  attendant_call_get_state         (AttendantCall *self);
const char         *attendant_call_get_queue         (AttendantCall *self);
const char         *attendant_call_get_caller_number (AttendantCall *self);
const char         *attendant_call_get_caller_name   (AttendantCall *self);
gint64              attendant_call_get_since         (AttendantCall *self);
const char         *attendant_call_get_attendant     (AttendantCall *self);
const char         *attendant_call_get_peer          (AttendantCall *self);
gboolean            attendant_call_get_recalled      (AttendantCall *self);
gboolean            attendant_call_get_pending       (AttendantCall *self);
void                attendant_call_set_pending       (AttendantCall *self,
                                                      gboolean       pending);
AttendantCommand    attendant_call_get_pending_command (AttendantCall *self);
void                attendant_call_set_pending_command (AttendantCall    *self,
                                                        AttendantCommand  command);
const char         *attendant_call_get_notice        (AttendantCall *self);
void                attendant_call_set_notice        (AttendantCall *self,
                                                      const char    *notice);
gboolean            attendant_call_can               (AttendantCall *self,
                                                      AttendantCommand command);

G_END_DECLS
