/* attendant-protocol.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* docs/protocol.md is the reference; these are its constants. */
#define ATTENDANT_PROTOCOL_VERSION      1
#define ATTENDANT_PROTOCOL_SUBPROTOCOL  "attendant.v1"
#define ATTENDANT_PROTOCOL_PATH         "/attendant"
#define ATTENDANT_PROTOCOL_MAX_MESSAGE  (1024 * 1024)
/* Objects and arrays nested in one another, counting the outermost: json-glib's
 * parser recurses once per level, so a peer's text is refused past this
 * before it is parsed (docs/protocol.md §1). */
#define ATTENDANT_PROTOCOL_MAX_DEPTH    64

typedef enum
{
  ATTENDANT_CLOSE_NORMAL            = 1000,
  ATTENDANT_CLOSE_GOING_AWAY        = 1001,
  ATTENDANT_CLOSE_PROTOCOL_ERROR    = 1002,
  ATTENDANT_CLOSE_BAD_DATA          = 1007,
  ATTENDANT_CLOSE_POLICY            = 1008,
  ATTENDANT_CLOSE_TOO_BIG           = 1009,
  ATTENDANT_CLOSE_AUTH_FAILED       = 4001,
  ATTENDANT_CLOSE_AUTH_TIMEOUT      = 4002,
  ATTENDANT_CLOSE_IDLE_TIMEOUT      = 4003,
  ATTENDANT_CLOSE_UNSUPPORTED       = 4004,
  ATTENDANT_CLOSE_SEQUENCE_GAP      = 4005,
} AttendantCloseCode;

JsonObject *attendant_protocol_message_new (const char  *type);
JsonObject *attendant_protocol_decode      (const char  *data,
                                            gsize        length,
                                            GError     **error);
char       *attendant_protocol_encode      (JsonObject  *message);
const char *attendant_protocol_get_type    (JsonObject  *message);
char       *attendant_protocol_describe_websocket_error (const GError *error,
                                                         gushort      *close_code);
JsonObject *attendant_protocol_parse_object (const char  *data,
                                            gsize        length,
                                            GError     **error);
gboolean    attendant_json_check_depth     (const char  *data,
                                            gsize        length,
                                            guint        max_depth,
                                            GError     **error);

/* Members of a peer's message, read without trusting their JSON type:
 * %NULL (or @fallback) when missing, null or of another type. json-glib's
 * own getters emit a critical for a member of the wrong kind. */
const char *attendant_protocol_get_string  (JsonObject  *object,
                                            const char  *member);
gint64      attendant_protocol_get_int     (JsonObject  *object,
                                            const char  *member,
                                            gint64       fallback);
JsonObject *attendant_protocol_get_object  (JsonObject  *object,
                                            const char  *member);
JsonArray  *attendant_protocol_get_array   (JsonObject  *object,
                                            const char  *member);

G_END_DECLS
