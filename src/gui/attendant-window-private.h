/* attendant-window-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "attendant-window.h"

G_BEGIN_DECLS

/* What the window does when the client moves to another server: a toast,
 * and a desktop notification when the window is not active. Separate from
 * the client's signals so that tests can replay moves faster than a real
 * failover can happen. */
void attendant_window_notify_move (AttendantWindow *self,
                                   const char      *id,
                                   const char      *title,
                                   const char      *body);

G_END_DECLS
