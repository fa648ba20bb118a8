/* attendant-plan.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-endpoint.h"
#include "attendant-enums.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_PLAN (attendant_plan_get_type())

G_DECLARE_FINAL_TYPE (AttendantPlan, attendant_plan, ATTENDANT, PLAN, GObject)

const char               *attendant_plan_get_input          (AttendantPlan *self);
const char               *attendant_plan_get_domain         (AttendantPlan *self);
AttendantTransport        attendant_plan_get_transport      (AttendantPlan *self);
AttendantPriorityOrder    attendant_plan_get_priority_order (AttendantPlan *self);
AttendantDiscoveryMethod  attendant_plan_get_method         (AttendantPlan *self);
AttendantDiscoveryResult  attendant_plan_get_result         (AttendantPlan *self);
const char               *attendant_plan_get_query          (AttendantPlan *self);
const char               *attendant_plan_get_error          (AttendantPlan *self);
GPtrArray                *attendant_plan_get_records        (AttendantPlan *self);
guint                     attendant_plan_get_n_endpoints    (AttendantPlan *self);
AttendantEndpoint        *attendant_plan_get_endpoint       (AttendantPlan *self,
                                                             guint          position);
gboolean                  attendant_plan_orders_disagree    (AttendantPlan *self);

G_END_DECLS
