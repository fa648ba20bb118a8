/* attendant-protocol-greeter.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "attendant-greeter.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_PROTOCOL_GREETER (attendant_protocol_greeter_get_type())

G_DECLARE_FINAL_TYPE (AttendantProtocolGreeter, attendant_protocol_greeter, ATTENDANT, PROTOCOL_GREETER, GObject)

AttendantGreeter *attendant_protocol_greeter_new (void);

G_END_DECLS
