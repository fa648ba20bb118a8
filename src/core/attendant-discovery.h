/* attendant-discovery.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-enums.h"
#include "attendant-plan.h"
#include "attendant-server-spec.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_DISCOVERY (attendant_discovery_get_type())

/* The most SRV endpoints a plan holds: with the default attempt timeout,
 * a plan this long already takes minutes to walk when nothing answers. */
#define ATTENDANT_DISCOVERY_MAX_SRV_ENDPOINTS 32

G_DECLARE_FINAL_TYPE (AttendantDiscovery, attendant_discovery, ATTENDANT, DISCOVERY, GObject)

AttendantDiscovery     *attendant_discovery_new                (GResolver              *resolver);
GResolver              *attendant_discovery_get_resolver       (AttendantDiscovery     *self);
AttendantTransport      attendant_discovery_get_transport      (AttendantDiscovery     *self);
void                    attendant_discovery_set_transport      (AttendantDiscovery     *self,
                                                                AttendantTransport      transport);
AttendantPriorityOrder  attendant_discovery_get_priority_order (AttendantDiscovery     *self);
void                    attendant_discovery_set_priority_order (AttendantDiscovery     *self,
                                                                AttendantPriorityOrder  order);
guint                   attendant_discovery_get_timeout        (AttendantDiscovery     *self);
void                    attendant_discovery_set_timeout        (AttendantDiscovery     *self,
                                                                guint                   seconds);
void                    attendant_discovery_set_random_start   (AttendantDiscovery     *self,
                                                                guint32                 start);
void                    attendant_discovery_discover_async     (AttendantDiscovery     *self,
                                                                AttendantServerSpec    *spec,
                                                                GPtrArray              *node_list,
                                                                GCancellable           *cancellable,
                                                                GAsyncReadyCallback     callback,
                                                                gpointer                user_data);
AttendantPlan          *attendant_discovery_discover_finish    (AttendantDiscovery     *self,
                                                                GAsyncResult           *result,
                                                                GError                **error);

G_END_DECLS
