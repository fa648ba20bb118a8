/* attendant-test-gui.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef gboolean (*AttendantTestPredicate) (gpointer data);

void       attendant_test_gui_wait_for          (AttendantTestPredicate  predicate,
                                                 gpointer                data,
                                                 guint                   timeout_ms);
void       attendant_test_gui_run_for           (guint                   ms);
GtkWidget *attendant_test_gui_find_widget       (GtkWidget              *widget,
                                                 GType                   type,
                                                 const char             *name);
GtkWidget *attendant_test_gui_find_button       (GtkWidget              *widget,
                                                 const char             *label);
guint      attendant_test_gui_count_widgets     (GtkWidget              *widget,
                                                 GType                   type,
                                                 const char             *name);
void       attendant_test_gui_screenshot        (GtkWidget              *window,
                                                 const char             *name);
void       attendant_test_gui_reset_settings    (void);

G_END_DECLS
