/* attendant-connection.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-endpoint.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_CONNECTION (attendant_connection_get_type())

G_DECLARE_FINAL_TYPE (AttendantConnection, attendant_connection, ATTENDANT, CONNECTION, GObject)

AttendantConnection *attendant_connection_new                  (GIOStream           *stream,
                                                                AttendantEndpoint   *endpoint,
                                                                const char          *address,
                                                                GObject             *greeting);
GIOStream           *attendant_connection_get_stream           (AttendantConnection *self);
AttendantEndpoint   *attendant_connection_get_endpoint         (AttendantConnection *self);
const char          *attendant_connection_get_address          (AttendantConnection *self);
gboolean             attendant_connection_is_encrypted         (AttendantConnection *self);
const char          *attendant_connection_get_tls_version      (AttendantConnection *self);
GTlsCertificate     *attendant_connection_get_certificate      (AttendantConnection *self);
const char          *attendant_connection_get_certificate_sha256 (AttendantConnection *self);
GObject             *attendant_connection_get_greeting         (AttendantConnection *self);

G_END_DECLS
