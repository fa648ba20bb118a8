/* attendant-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "attendant-node.h"
#include "attendant-pbx.h"
#include "attendant-rate-limit.h"
#include "attendant-admission.h"
#include "attendant-server-config.h"
#include "attendant-server-types.h"
#include "attendant-telephony.h"
#include "attendant-users.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_SERVER (attendant_server_get_type())

G_DECLARE_FINAL_TYPE (AttendantServer, attendant_server, ATTENDANT, SERVER, GObject)

AttendantServer       *attendant_server_new              (AttendantServerConfig  *config,
                                                          const char * const     *nodes,
                                                          GError                **error);
gboolean               attendant_server_start            (AttendantServer        *self,
                                                          GInetSocketAddress     *admin_address,
                                                          GError                **error);
void                   attendant_server_stop             (AttendantServer        *self);
AttendantServerConfig *attendant_server_get_config       (AttendantServer        *self);
AttendantUsers        *attendant_server_get_users        (AttendantServer        *self);
AttendantPbx          *attendant_server_get_pbx          (AttendantServer        *self);
AttendantTelephony    *attendant_server_get_telephony    (AttendantServer        *self);
AttendantRateLimit    *attendant_server_get_rate_limit   (AttendantServer        *self);
AttendantAdmission    *attendant_server_get_admission    (AttendantServer        *self);
GPtrArray             *attendant_server_get_nodes        (AttendantServer        *self);
AttendantNode         *attendant_server_lookup_node      (AttendantServer        *self,
                                                          const char             *name);
guint                  attendant_server_get_n_sessions   (AttendantServer        *self);
guint16                attendant_server_get_admin_port   (AttendantServer        *self);
JsonObject            *attendant_server_build_hello      (AttendantServer        *self,
                                                          const char             *node);
JsonObject            *attendant_server_get_state        (AttendantServer        *self);
JsonObject            *attendant_server_build_phone_system (AttendantServer      *self);

G_END_DECLS
