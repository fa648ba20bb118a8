/* attendant-call-row.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-console.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_CALL_ROW (attendant_call_row_get_type())

G_DECLARE_FINAL_TYPE (AttendantCallRow, attendant_call_row, ATTENDANT, CALL_ROW, GtkWidget)

GtkWidget     *attendant_call_row_new        (AttendantConsole *console,
                                              gboolean          queue);
AttendantCall *attendant_call_row_get_call   (AttendantCallRow *self);
void           attendant_call_row_set_call   (AttendantCallRow *self,
                                              AttendantCall    *call);
gboolean       attendant_call_row_get_queue  (AttendantCallRow *self);
void           attendant_call_row_update     (AttendantCallRow *self);
void           attendant_call_row_tick       (AttendantCallRow *self,
                                              guint             wait_warning,
                                              guint             wait_alert);

GtkWidget     *attendant_row_button_new      (const char       *icon,
                                              const char       *label,
                                              const char       *tooltip,
                                              const char       *style);

G_END_DECLS
