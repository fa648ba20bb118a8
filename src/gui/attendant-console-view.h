/* attendant-console-view.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-console.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_CONSOLE_VIEW (attendant_console_view_get_type())

G_DECLARE_FINAL_TYPE (AttendantConsoleView, attendant_console_view, ATTENDANT, CONSOLE_VIEW, GtkWidget)

AttendantConsole *attendant_console_view_get_console (AttendantConsoleView *self);
void              attendant_console_view_set_console (AttendantConsoleView *self,
                                                      AttendantConsole     *console);
GActionGroup     *attendant_console_view_get_actions (AttendantConsoleView *self);
void              attendant_console_view_run         (AttendantConsoleView *self,
                                                      AttendantCommand      command,
                                                      AttendantCall        *call,
                                                      const char           *target);
void              attendant_console_view_dial        (AttendantConsoleView *self,
                                                      const char           *number);
void              attendant_console_view_focus_search (AttendantConsoleView *self);
void              attendant_console_view_clear_search (AttendantConsoleView *self);
AdwToastOverlay  *attendant_console_view_get_toast_overlay (AttendantConsoleView *self);

G_END_DECLS
