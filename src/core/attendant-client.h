/* attendant-client.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "attendant-attempt.h"
#include "attendant-enums.h"
#include "attendant-plan.h"
#include "attendant-session.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_CLIENT (attendant_client_get_type())

G_DECLARE_FINAL_TYPE (AttendantClient, attendant_client, ATTENDANT, CLIENT, GObject)

AttendantClient      *attendant_client_new                  (GResolver            *resolver);
AttendantClientState  attendant_client_get_state            (AttendantClient      *self);
AttendantSession     *attendant_client_get_session          (AttendantClient      *self);
guint                 attendant_client_get_failovers        (AttendantClient      *self);
AttendantPlan        *attendant_client_get_plan             (AttendantClient      *self);
gint64                attendant_client_get_connected_time   (AttendantClient      *self);
gint64                attendant_client_get_next_retry_time  (AttendantClient      *self);
gboolean              attendant_client_get_call_in_progress (AttendantClient      *self);
gboolean              attendant_client_get_server_insecure  (AttendantClient      *self);
gboolean              attendant_client_get_on_preferred     (AttendantClient      *self);
const char           *attendant_client_get_phone_system_reason (AttendantClient   *self);
void                  attendant_client_set_credentials      (AttendantClient      *self,
                                                             const char           *user,
                                                             const char           *password);
void                  attendant_client_set_extra_anchors    (AttendantClient      *self,
                                                             GTlsDatabase         *anchors);
gboolean              attendant_client_start                (AttendantClient      *self,
                                                             GError              **error);
void                  attendant_client_reconnect_now        (AttendantClient      *self);
void                  attendant_client_stop                 (AttendantClient      *self);
void                  attendant_client_send_command_async   (AttendantClient      *self,
                                                             const char           *command,
                                                             JsonObject           *args,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
JsonObject           *attendant_client_send_command_finish  (AttendantClient      *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

G_END_DECLS
