/* attendant-greeting.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_GREETING (attendant_greeting_get_type())

G_DECLARE_FINAL_TYPE (AttendantGreeting, attendant_greeting, ATTENDANT, GREETING, GObject)

AttendantGreeting       *attendant_greeting_new            (SoupWebsocketConnection  *websocket,
                                                            JsonObject               *hello,
                                                            GError                  **error);
SoupWebsocketConnection *attendant_greeting_get_websocket  (AttendantGreeting        *self);
gint64                   attendant_greeting_get_protocol   (AttendantGreeting        *self);
const char              *attendant_greeting_get_server     (AttendantGreeting        *self);
const char              *attendant_greeting_get_cluster    (AttendantGreeting        *self);
const char              *attendant_greeting_get_node       (AttendantGreeting        *self);
guint                    attendant_greeting_get_heartbeat  (AttendantGreeting        *self);
GPtrArray               *attendant_greeting_get_nodes      (AttendantGreeting        *self);

G_END_DECLS
