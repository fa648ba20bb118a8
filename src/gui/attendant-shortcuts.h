/* attendant-shortcuts.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* ATTENDANT_SHORTCUT_WIDGET: a widget handles the key itself (the
 * directory's Enter, the menu button's F10); the entry's action only
 * names it for the tooltips, and is not an accelerator. */
typedef enum
{
  ATTENDANT_SHORTCUT_ACCEL  = 0,
  ATTENDANT_SHORTCUT_WIDGET = 1 << 0,
} AttendantShortcutFlags;

/* One key of the application: the action it activates (or, for a key a
 * widget handles, the name tooltips ask for it by), its accelerators,
 * and what it does, in the shortcuts window's words (context "shortcut
 * window"). */
typedef struct
{
  const char             *group;
  const char             *action;
  const char             *accels[3];
  const char             *title;
  AttendantShortcutFlags  flags;
} AttendantShortcut;

const AttendantShortcut *attendant_shortcuts_get            (guint          *n_shortcuts);
void                     attendant_shortcuts_set_accels     (GtkApplication *application);
char                    *attendant_shortcuts_dup_label      (const char     *action);
char                    *attendant_shortcuts_dup_tooltip    (const char     *action,
                                                             const char     *text);
char                    *attendant_shortcuts_dup_tooltip_keys (const char   *text,
                                                             const char     *first_action,
                                                             ...) G_GNUC_NULL_TERMINATED;
gboolean                 attendant_shortcuts_has_label      (const char     *label);
GtkShortcutsWindow      *attendant_shortcuts_window_new     (void);

G_END_DECLS

