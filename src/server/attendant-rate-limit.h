/* attendant-rate-limit.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_RATE_LIMIT (attendant_rate_limit_get_type())

G_DECLARE_FINAL_TYPE (AttendantRateLimit, attendant_rate_limit, ATTENDANT, RATE_LIMIT, GObject)

typedef enum
{
  ATTENDANT_RATE_LIMIT_ADMITTED,
  ATTENDANT_RATE_LIMIT_QUEUED,
  ATTENDANT_RATE_LIMIT_REFUSED,
} AttendantRateLimitVerdict;

/**
 * AttendantRateLimitReady:
 * @admitted: %TRUE when the attempt is now counted and may go on; %FALSE
 *   when it is refused (the address reached its limit while it waited)
 *
 * Called once for an attempt that attendant_rate_limit_begin() queued.
 */
typedef void (*AttendantRateLimitReady) (gboolean admitted,
                                         gpointer user_data);

AttendantRateLimit        *attendant_rate_limit_new             (guint                    max_failures,
                                                                 double                   window_seconds);
AttendantRateLimitVerdict  attendant_rate_limit_begin           (AttendantRateLimit      *self,
                                                                 const char              *address,
                                                                 AttendantRateLimitReady  ready,
                                                                 gpointer                 user_data);
void                       attendant_rate_limit_cancel          (AttendantRateLimit      *self,
                                                                 const char              *address,
                                                                 gpointer                 user_data);
void                       attendant_rate_limit_end             (AttendantRateLimit      *self,
                                                                 const char              *address,
                                                                 gboolean                 succeeded);
guint                      attendant_rate_limit_get_n_addresses (AttendantRateLimit      *self);

G_END_DECLS
