/* attendant-history-view.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-console.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_HISTORY_VIEW (attendant_history_view_get_type())

G_DECLARE_FINAL_TYPE (AttendantHistoryView, attendant_history_view, ATTENDANT, HISTORY_VIEW, GtkWidget)

GtkWidget        *attendant_history_view_new         (void);
AttendantConsole *attendant_history_view_get_console (AttendantHistoryView *self);
void              attendant_history_view_set_console (AttendantHistoryView *self,
                                                      AttendantConsole     *console);

G_END_DECLS
