/* attendant-server-session.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "attendant-server-types.h"

G_BEGIN_DECLS

typedef enum
{
  ATTENDANT_SERVER_SESSION_STATE_GREETED,        /* hello sent, waiting for auth.start */
  ATTENDANT_SERVER_SESSION_STATE_CHALLENGED,     /* auth.challenge sent */
  ATTENDANT_SERVER_SESSION_STATE_AUTHENTICATED,
  ATTENDANT_SERVER_SESSION_STATE_CLOSING,
  ATTENDANT_SERVER_SESSION_STATE_CLOSED,
} AttendantServerSessionState;

#define ATTENDANT_TYPE_SERVER_SESSION (attendant_server_session_get_type())

G_DECLARE_FINAL_TYPE (AttendantServerSession, attendant_server_session, ATTENDANT, SERVER_SESSION, GObject)

AttendantServerSession      *attendant_server_session_new           (AttendantServer         *server,
                                                        const char              *node,
                                                        SoupWebsocketConnection *websocket,
                                                        GSocket                 *socket,
                                                        GSocketAddress          *remote,
                                                        const char              *transport);
void                   attendant_server_session_start         (AttendantServerSession        *self,
                                                        gboolean                 frozen);
void                   attendant_server_session_close         (AttendantServerSession        *self,
                                                        gushort                  code,
                                                        const char              *reason);
void                   attendant_server_session_abort         (AttendantServerSession        *self);
void                   attendant_server_session_set_frozen    (AttendantServerSession        *self,
                                                        gboolean                 frozen);
void                   attendant_server_session_drain         (AttendantServerSession        *self,
                                                        const char              *text);
const char            *attendant_server_session_get_id        (AttendantServerSession        *self);
const char            *attendant_server_session_get_user      (AttendantServerSession        *self);
AttendantServerSessionState  attendant_server_session_get_state     (AttendantServerSession        *self);
JsonObject            *attendant_server_session_to_json       (AttendantServerSession        *self);

G_END_DECLS
