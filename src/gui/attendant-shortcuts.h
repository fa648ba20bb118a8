/* attendant-shortcuts.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* One key of the application: the action it activates (NULL for a key
 * a widget handles itself, listed so that the shortcuts window is
 * complete), its accelerators, and what it does, in the shortcuts
 * window's words (context "shortcut window"). */
typedef struct
{
  const char *group;
  const char *action;
  const char *accels[3];
  const char *title;
} AttendantShortcut;

const AttendantShortcut *attendant_shortcuts_get            (guint          *n_shortcuts);
void                     attendant_shortcuts_set_accels     (GtkApplication *application);
char                    *attendant_shortcuts_dup_tooltip    (const char     *action,
                                                             const char     *text);
GtkShortcutsWindow      *attendant_shortcuts_window_new     (void);

G_END_DECLS

