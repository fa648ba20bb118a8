/* attendant-admin.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-server-types.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_ADMIN (attendant_admin_get_type())

G_DECLARE_FINAL_TYPE (AttendantAdmin, attendant_admin, ATTENDANT, ADMIN, GObject)

AttendantAdmin *attendant_admin_new      (AttendantServer     *server,
                                          const char          *token);
gboolean        attendant_admin_listen   (AttendantAdmin      *self,
                                          GInetSocketAddress  *address,
                                          GError             **error);
guint16         attendant_admin_get_port (AttendantAdmin      *self);

G_END_DECLS
