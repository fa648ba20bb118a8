/* attendant-rate-limit.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_RATE_LIMIT (attendant_rate_limit_get_type())

G_DECLARE_FINAL_TYPE (AttendantRateLimit, attendant_rate_limit, ATTENDANT, RATE_LIMIT, GObject)

AttendantRateLimit *attendant_rate_limit_new            (guint               max_failures,
                                                         double              window_seconds);
gboolean            attendant_rate_limit_is_limited     (AttendantRateLimit *self,
                                                         const char         *address);
void                attendant_rate_limit_record_failure (AttendantRateLimit *self,
                                                         const char         *address);

G_END_DECLS
