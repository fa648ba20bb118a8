/* attendant-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-client.h"
#include "attendant-console.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_WINDOW (attendant_window_get_type())

G_DECLARE_FINAL_TYPE (AttendantWindow, attendant_window, ATTENDANT, WINDOW, AdwApplicationWindow)

AttendantWindow *attendant_window_new        (AdwApplication  *application,
                                              AttendantClient *client);
AttendantClient *attendant_window_get_client (AttendantWindow *self);
AttendantConsole *attendant_window_get_console (AttendantWindow *self);
void             attendant_window_answer_call  (AttendantWindow *self,
                                                const char      *id);
void             attendant_window_decline_call (AttendantWindow *self,
                                                const char      *id);
void             attendant_window_log_in     (AttendantWindow *self,
                                              const char      *password);
void             attendant_window_prefill    (AttendantWindow *self,
                                              const char      *server,
                                              const char      *user);
void             attendant_window_dial       (AttendantWindow *self,
                                              const char      *link);
void             attendant_window_quit       (AttendantWindow *self);

G_END_DECLS
