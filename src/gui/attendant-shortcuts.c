/* attendant-shortcuts.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-shortcuts"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "attendant-shortcuts.h"

/* Every key of the application, once: the application's accelerators, the
 * tooltips that name a key and the shortcuts window are all made from
 * this table, so none of them can promise a key the others do not know. */

#define GROUP_CALLS      NC_("shortcut window", "Calls")
#define GROUP_DIRECTORY  NC_("shortcut window", "Directory")
#define GROUP_CONNECTION NC_("shortcut window", "Connection")
#define GROUP_GENERAL    NC_("shortcut window", "General")

static const AttendantShortcut shortcuts[] = {
  /* Function keys: no text field takes them, so they work whatever has
   * the focus (an attendant typing a search can still answer). */
  { GROUP_CALLS, "console.answer", { "F2" }, NC_("shortcut window", "Answer the next call") },
  { GROUP_CALLS, "console.hold", { "F3" }, NC_("shortcut window", "Hold or resume the call") },
  { GROUP_CALLS, "console.hang-up", { "F4" }, NC_("shortcut window", "Hang up") },
  { GROUP_CALLS, "console.transfer", { "F6" }, NC_("shortcut window", "Transfer to the chosen colleague") },
  { GROUP_CALLS, "console.consult", { "F7" }, NC_("shortcut window", "Consult the chosen colleague first") },
  { GROUP_CALLS, "console.complete", { "F8" }, NC_("shortcut window", "Complete the transfer") },
  { GROUP_CALLS, "console.cancel-consult", { "F9" }, NC_("shortcut window", "Cancel the consultation") },
  { GROUP_CALLS, "console.next-call", { "<Alt>Down" }, NC_("shortcut window", "Next call") },
  { GROUP_CALLS, "console.previous-call", { "<Alt>Up" }, NC_("shortcut window", "Previous call") },
  { GROUP_DIRECTORY, "console.focus-search", { "<Primary>f", "F12" }, NC_("shortcut window", "Search the directory") },
  /* The directory's list and the search handle these themselves. */
  { GROUP_DIRECTORY, "directory.act", { "Return" },
    NC_("shortcut window", "Transfer to, or call, the chosen colleague or the number typed"),
    ATTENDANT_SHORTCUT_WIDGET },
  { GROUP_DIRECTORY, "directory.consult", { "<Shift>Return" },
    NC_("shortcut window", "Consult the chosen colleague or the number typed first"),
    ATTENDANT_SHORTCUT_WIDGET },
  { GROUP_DIRECTORY, "directory.enter-list", { "Down" },
    NC_("shortcut window", "From the search to the colleagues found"),
    ATTENDANT_SHORTCUT_WIDGET },
  { GROUP_CONNECTION, "win.show-status", { "<Primary>i" }, NC_("shortcut window", "Show connection details") },
  { GROUP_CONNECTION, "win.reconnect", { "<Primary>r" }, NC_("shortcut window", "Reconnect now") },
  /* GtkMenuButton's own key, through the window's "primary" menu. */
  { GROUP_GENERAL, "window.primary-menu", { "F10" }, NC_("shortcut window", "Show the main menu"),
    ATTENDANT_SHORTCUT_WIDGET },
  { GROUP_GENERAL, "win.help", { "F1" }, NC_("shortcut window", "Help") },
  { GROUP_GENERAL, "app.preferences", { "<Primary>comma" }, NC_("shortcut window", "Preferences") },
  { GROUP_GENERAL, "win.show-help-overlay", { "<Primary>question" }, NC_("shortcut window", "Keyboard shortcuts") },
  /* GtkWindow's own action; in the background mode it hides the window. */
  { GROUP_GENERAL, "window.close", { "<Primary>w" }, NC_("shortcut window", "Close the window") },
  { GROUP_GENERAL, "app.quit", { "<Primary>q" }, NC_("shortcut window", "Quit") },
};

/**
 * attendant_shortcuts_get:
 * @n_shortcuts: (out): the number of keys
 *
 * Returns: (transfer none) (array length=n_shortcuts): every key
 */
const AttendantShortcut *
attendant_shortcuts_get (guint *n_shortcuts)
{
  g_return_val_if_fail (n_shortcuts != NULL, NULL);

  *n_shortcuts = G_N_ELEMENTS (shortcuts);
  return shortcuts;
}

void
attendant_shortcuts_set_accels (GtkApplication *application)
{
  g_return_if_fail (GTK_IS_APPLICATION (application));

  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    if (!(shortcuts[i].flags & ATTENDANT_SHORTCUT_WIDGET))
      gtk_application_set_accels_for_action (application, shortcuts[i].action,
                                             shortcuts[i].accels);
}

static const AttendantShortcut *
lookup (const char *action)
{
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    if (g_strcmp0 (shortcuts[i].action, action) == 0)
      return &shortcuts[i];

  return NULL;
}

static char *
dup_accel_label (const char *accel)
{
  guint key = 0;
  GdkModifierType mods = 0;

  char *label;

  if (!gtk_accelerator_parse (accel, &key, &mods))
    g_return_val_if_reached (NULL);

  label = gtk_accelerator_get_label (key, mods);
  /* GTK names the key "Return"; keyboards and the shortcuts window's
   * keycap say Enter, and so do the hints a receptionist reads. */
  if (key == GDK_KEY_Return && g_str_has_suffix (label, "Return"))
    {
      g_autofree char *mods_label = g_strndup (label, strlen (label) - strlen ("Return"));

      g_free (label);
      /* TRANSLATORS: the key, as in "Shift+Enter" */
      label = g_strconcat (mods_label, C_("key", "Enter"), NULL);
    }

  return label;
}

/**
 * attendant_shortcuts_dup_label:
 * @action: a detailed action name of the table
 *
 * Returns: (transfer full) (nullable): the action's first key, as the
 *   keyboard shows it ("Shift+Enter"), or %NULL for an action without one
 */
char *
attendant_shortcuts_dup_label (const char *action)
{
  const AttendantShortcut *shortcut;

  g_return_val_if_fail (action != NULL, NULL);

  shortcut = lookup (action);
  return shortcut != NULL ? dup_accel_label (shortcut->accels[0]) : NULL;
}

static char *
dup_tooltip_valist (const char *text,
                    const char *first_action,
                    va_list     args)
{
  g_autoptr(GString) keys = g_string_new (NULL);

  for (const char *action = first_action; action != NULL; action = va_arg (args, const char *))
    {
      g_autofree char *label = attendant_shortcuts_dup_label (action);

      if (label == NULL)
        continue;
      if (keys->len == 0)
        g_string_append (keys, label);
      else
        {
          /* TRANSLATORS: two keys that do the same, as in "Enter or F6" */
          g_autofree char *both = g_strdup_printf (_("%s or %s"), keys->str, label);

          g_string_assign (keys, both);
        }
    }

  if (keys->len == 0)
    return g_strdup (text);

  /* TRANSLATORS: a tooltip: what a button does, and its key */
  return g_strdup_printf (_("%s (%s)"), text, keys->str);
}

/**
 * attendant_shortcuts_dup_tooltip:
 * @action: a detailed action name of the table
 * @text: what the widget does
 *
 * Returns: (transfer full): @text followed by the action's first key, as
 *   the keyboard shows it, or @text alone for an action without a key
 */
char *
attendant_shortcuts_dup_tooltip (const char *action,
                                 const char *text)
{
  g_return_val_if_fail (action != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return attendant_shortcuts_dup_tooltip_keys (text, action, NULL);
}

/**
 * attendant_shortcuts_dup_tooltip_keys:
 * @text: what the widget does
 * @first_action: an action name of the table, then more, then %NULL
 *
 * For a button two keys press, such as the directory's Transfer (Enter
 * in the list, F6 anywhere).
 *
 * Returns: (transfer full): @text followed by each action's first key
 */
char *
attendant_shortcuts_dup_tooltip_keys (const char *text,
                                      const char *first_action,
                                      ...)
{
  va_list args;
  char *tooltip;

  g_return_val_if_fail (text != NULL, NULL);

  va_start (args, first_action);
  tooltip = dup_tooltip_valist (text, first_action, args);
  va_end (args);

  return tooltip;
}

/**
 * attendant_shortcuts_has_label:
 * @label: a key as the keyboard shows it ("Ctrl+F")
 *
 * Returns: whether any key of the table is shown as @label: a tooltip
 *   that names another key promises one the application does not have
 */
gboolean
attendant_shortcuts_has_label (const char *label)
{
  g_return_val_if_fail (label != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    for (guint j = 0; shortcuts[i].accels[j] != NULL; j++)
      {
        g_autofree char *shown = dup_accel_label (shortcuts[i].accels[j]);

        if (g_strcmp0 (shown, label) == 0)
          return TRUE;
      }

  return FALSE;
}

static void
append_property (GString    *xml,
                 const char *name,
                 const char *value)
{
  g_autofree char *escaped = g_markup_escape_text (value, -1);

  g_string_append_printf (xml, "<property name=\"%s\">%s</property>", name, escaped);
}

/**
 * attendant_shortcuts_window_new:
 *
 * The shortcuts window of the table, in its order, in the user's
 * language. GTK 4.8 builds one only from a builder description (its
 * sections and groups have no API to add children), so the table is
 * written as one.
 *
 * Returns: (transfer full): a new shortcuts window
 */
GtkShortcutsWindow *
attendant_shortcuts_window_new (void)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autoptr(GtkBuilder) builder = NULL;
  const char *group = NULL;

  /* A column of fifteen rows: calls and the directory in one, connection
   * and general in the other. (Shorter columns break the sections into
   * a layout where GTK 4.8 measures a label below zero width.) */
  g_string_append (xml,
                   "<interface>"
                   "<object class=\"GtkShortcutsWindow\" id=\"help_overlay\">"
                   "<property name=\"modal\">True</property>"
                   "<child><object class=\"GtkShortcutsSection\">"
                   "<property name=\"section-name\">shortcuts</property>"
                   "<property name=\"max-height\">15</property>");

  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    {
      const AttendantShortcut *shortcut = &shortcuts[i];

      if (group != shortcut->group)
        {
          if (group != NULL)
            g_string_append (xml, "</object></child>");
          g_string_append (xml, "<child><object class=\"GtkShortcutsGroup\">");
          append_property (xml, "title", g_dpgettext2 (NULL, "shortcut window", shortcut->group));
          group = shortcut->group;
        }

      g_string_append (xml, "<child><object class=\"GtkShortcutsShortcut\">");
      append_property (xml, "title", g_dpgettext2 (NULL, "shortcut window", shortcut->title));
      if (!(shortcut->flags & ATTENDANT_SHORTCUT_WIDGET))
        append_property (xml, "action-name", shortcut->action);
      else
        append_property (xml, "accelerator", shortcut->accels[0]);
      g_string_append (xml, "</object></child>");
    }

  g_string_append (xml, "</object></child></object></child></object></interface>");

  builder = gtk_builder_new_from_string (xml->str, xml->len);
  return g_object_ref (GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay")));
}
