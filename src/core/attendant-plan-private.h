/* attendant-plan-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "attendant-plan.h"

G_BEGIN_DECLS

AttendantPlan *_attendant_plan_new           (const char               *input,
                                              const char               *domain,
                                              AttendantTransport        transport,
                                              AttendantPriorityOrder    order,
                                              AttendantDiscoveryMethod  method,
                                              const char               *query);
void           _attendant_plan_set_method    (AttendantPlan            *self,
                                              AttendantDiscoveryMethod  method);
void           _attendant_plan_set_result    (AttendantPlan            *self,
                                              AttendantDiscoveryResult  result,
                                              const char               *error);
void           _attendant_plan_take_records  (AttendantPlan            *self,
                                              GPtrArray                *records);
AttendantPlan *_attendant_plan_new_derived   (AttendantPlan            *base,
                                              GPtrArray                *endpoints);
void           _attendant_plan_append        (AttendantPlan            *self,
                                              AttendantEndpoint        *endpoint);

G_END_DECLS
