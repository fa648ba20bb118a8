/* attendant-protocol-names.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "attendant-enums.h"

G_BEGIN_DECLS

/* The protocol's vocabulary (docs/protocol.md), spelled once for the
 * client, the console, the CLI and the server. The enums of
 * attendant-enums.h name the same things for C; the helpers below are the
 * one mapping between the two. */

/* Commands (docs/protocol.md §2.5) */
#define ATTENDANT_PROTOCOL_COMMAND_CALL_ANSWER         "call.answer"
#define ATTENDANT_PROTOCOL_COMMAND_CALL_HOLD           "call.hold"
#define ATTENDANT_PROTOCOL_COMMAND_CALL_RESUME         "call.resume"
#define ATTENDANT_PROTOCOL_COMMAND_CALL_HANGUP         "call.hangup"
#define ATTENDANT_PROTOCOL_COMMAND_CALL_TRANSFER       "call.transfer"
#define ATTENDANT_PROTOCOL_COMMAND_CALL_CONSULT        "call.consult"
#define ATTENDANT_PROTOCOL_COMMAND_CALL_COMPLETE       "call.complete"
#define ATTENDANT_PROTOCOL_COMMAND_CALL_CANCEL_CONSULT "call.cancel-consult"
#define ATTENDANT_PROTOCOL_COMMAND_DIAL                "dial"
#define ATTENDANT_PROTOCOL_COMMAND_PRESENCE_SET        "presence.set"

/* Events (docs/protocol.md §2.4) */
#define ATTENDANT_PROTOCOL_EVENT_CALL_UPDATED          "call.updated"
#define ATTENDANT_PROTOCOL_EVENT_CALL_REMOVED          "call.removed"
#define ATTENDANT_PROTOCOL_EVENT_PRESENCE              "presence"
#define ATTENDANT_PROTOCOL_EVENT_DIRECTORY_UPDATED     "directory.updated"

/* A call's "state" */
#define ATTENDANT_PROTOCOL_CALL_QUEUED                 "queued"
#define ATTENDANT_PROTOCOL_CALL_RINGING                "ringing"
#define ATTENDANT_PROTOCOL_CALL_ACTIVE                 "active"
#define ATTENDANT_PROTOCOL_CALL_HELD                   "held"
#define ATTENDANT_PROTOCOL_CALL_CONSULTING             "consulting"
#define ATTENDANT_PROTOCOL_CALL_TRANSFERRING           "transferring"
#define ATTENDANT_PROTOCOL_CALL_ENDED                  "ended"

/* A contact's "presence" */
#define ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE          "available"
#define ATTENDANT_PROTOCOL_PRESENCE_BUSY               "busy"
#define ATTENDANT_PROTOCOL_PRESENCE_RINGING            "ringing"
#define ATTENDANT_PROTOCOL_PRESENCE_AWAY               "away"
#define ATTENDANT_PROTOCOL_PRESENCE_DND                "dnd"
#define ATTENDANT_PROTOCOL_PRESENCE_OFFLINE            "offline"

const char * const *attendant_protocol_commands          (void);
const char * const *attendant_protocol_presences         (void);
const char         *attendant_command_to_string          (AttendantCommand    command);
gboolean            attendant_command_from_string        (const char         *name,
                                                          AttendantCommand   *command);
const char         *attendant_call_state_to_string       (AttendantCallState  state);
gboolean            attendant_call_state_from_string     (const char         *name,
                                                          AttendantCallState *state);
const char         *attendant_presence_to_string         (AttendantPresence   presence);
gboolean            attendant_presence_from_string       (const char         *name,
                                                          AttendantPresence  *presence);

G_END_DECLS
