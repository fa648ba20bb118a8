/* attendant-connector.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-attempt.h"
#include "attendant-connection.h"
#include "attendant-greeter.h"
#include "attendant-plan.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_CONNECTOR (attendant_connector_get_type())

G_DECLARE_FINAL_TYPE (AttendantConnector, attendant_connector, ATTENDANT, CONNECTOR, GObject)

AttendantConnector  *attendant_connector_new                        (GResolver           *resolver);
guint                attendant_connector_get_attempt_timeout        (AttendantConnector  *self);
void                 attendant_connector_set_attempt_timeout        (AttendantConnector  *self,
                                                                     guint                seconds);
gboolean             attendant_connector_get_accept_target_identity (AttendantConnector  *self);
void                 attendant_connector_set_accept_target_identity (AttendantConnector  *self,
                                                                     gboolean             accept);
GTlsDatabase        *attendant_connector_get_extra_anchors          (AttendantConnector  *self);
void                 attendant_connector_set_extra_anchors          (AttendantConnector  *self,
                                                                     GTlsDatabase        *database);
AttendantGreeter    *attendant_connector_get_greeter                (AttendantConnector  *self);
void                 attendant_connector_set_greeter                (AttendantConnector  *self,
                                                                     AttendantGreeter    *greeter);
void                 attendant_connector_connect_async              (AttendantConnector  *self,
                                                                     AttendantPlan       *plan,
                                                                     GCancellable        *cancellable,
                                                                     GAsyncReadyCallback  callback,
                                                                     gpointer             user_data);
AttendantConnection *attendant_connector_connect_finish             (AttendantConnector  *self,
                                                                     GAsyncResult        *result,
                                                                     GError             **error);
AttendantAttempt    *attendant_connector_get_rejected_attempt       (AttendantConnector  *self,
                                                                     GAsyncResult        *result);

G_END_DECLS
