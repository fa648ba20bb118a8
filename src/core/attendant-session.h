/* attendant-session.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "attendant-connection.h"
#include "attendant-enums.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_SESSION (attendant_session_get_type())

G_DECLARE_FINAL_TYPE (AttendantSession, attendant_session, ATTENDANT, SESSION, GObject)

AttendantSession      *attendant_session_new                   (AttendantConnection  *connection,
                                                                guint                 heartbeat_interval);
AttendantConnection   *attendant_session_get_connection        (AttendantSession     *self);
AttendantSessionState  attendant_session_get_state             (AttendantSession     *self);
const char            *attendant_session_get_user              (AttendantSession     *self);
guint                  attendant_session_get_heartbeat_interval (AttendantSession    *self);
void                   attendant_session_login_async           (AttendantSession     *self,
                                                                const char           *user,
                                                                const char           *password,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
gboolean               attendant_session_login_finish          (AttendantSession     *self,
                                                                GAsyncResult         *result,
                                                                GError              **error);
void                   attendant_session_send_command_async    (AttendantSession     *self,
                                                                const char           *command,
                                                                JsonObject           *args,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
JsonObject            *attendant_session_send_command_finish   (AttendantSession     *self,
                                                                GAsyncResult         *result,
                                                                GError              **error);
void                   attendant_session_check_liveness        (AttendantSession     *self);
void                   attendant_session_close                 (AttendantSession     *self);

G_END_DECLS
