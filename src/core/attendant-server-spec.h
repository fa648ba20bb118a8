/* attendant-server-spec.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-enums.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_SERVER_SPEC (attendant_server_spec_get_type())

G_DECLARE_FINAL_TYPE (AttendantServerSpec, attendant_server_spec, ATTENDANT, SERVER_SPEC, GObject)

AttendantServerSpec *attendant_server_spec_parse      (const char          *text,
                                                       GError             **error);
const char          *attendant_server_spec_get_input  (AttendantServerSpec *self);
gboolean             attendant_server_spec_is_direct  (AttendantServerSpec *self);
const char          *attendant_server_spec_get_host   (AttendantServerSpec *self);
guint16              attendant_server_spec_get_port   (AttendantServerSpec *self);

G_END_DECLS
