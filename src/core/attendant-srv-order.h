/* attendant-srv-order.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-enums.h"

G_BEGIN_DECLS

GPtrArray *attendant_srv_order (GPtrArray              *records,
                                AttendantPriorityOrder  order,
                                GRand                  *rand);

G_END_DECLS
