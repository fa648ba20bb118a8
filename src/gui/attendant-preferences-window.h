/* attendant-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_PREFERENCES_WINDOW (attendant_preferences_window_get_type())

G_DECLARE_FINAL_TYPE (AttendantPreferencesWindow, attendant_preferences_window, ATTENDANT, PREFERENCES_WINDOW, AdwPreferencesWindow)

AttendantPreferencesWindow *attendant_preferences_window_new (void);

G_END_DECLS
