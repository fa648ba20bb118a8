/* attendant-endpoint.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-enums.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_ENDPOINT (attendant_endpoint_get_type())

G_DECLARE_FINAL_TYPE (AttendantEndpoint, attendant_endpoint, ATTENDANT, ENDPOINT, GObject)

AttendantEndpoint       *attendant_endpoint_new          (const char              *host,
                                                          guint16                  port,
                                                          guint16                  priority,
                                                          guint16                  weight,
                                                          AttendantEndpointOrigin  origin);
AttendantEndpoint       *attendant_endpoint_new_for_srv  (GSrvTarget              *target);
const char              *attendant_endpoint_get_host     (AttendantEndpoint       *self);
guint16                  attendant_endpoint_get_port     (AttendantEndpoint       *self);
guint16                  attendant_endpoint_get_priority (AttendantEndpoint       *self);
guint16                  attendant_endpoint_get_weight   (AttendantEndpoint       *self);
AttendantEndpointOrigin  attendant_endpoint_get_origin   (AttendantEndpoint       *self);
char                    *attendant_endpoint_to_string    (AttendantEndpoint       *self);
gboolean                 attendant_endpoint_equal        (AttendantEndpoint       *a,
                                                          AttendantEndpoint       *b);

G_END_DECLS
