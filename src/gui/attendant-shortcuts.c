/* attendant-shortcuts.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-shortcuts"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-shortcuts.h"

/* Every key of the application, once: the application's accelerators, the
 * tooltips that name a key and the shortcuts window are all made from
 * this table, so none of them can promise a key the others do not know. */

#define GROUP_CALLS      NC_("shortcut window", "Calls")
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
  { GROUP_CALLS, "console.focus-search", { "<Primary>f", "F12" }, NC_("shortcut window", "Search the directory") },
  { GROUP_CALLS, "console.next-call", { "<Alt>Down" }, NC_("shortcut window", "Next call") },
  { GROUP_CALLS, "console.previous-call", { "<Alt>Up" }, NC_("shortcut window", "Previous call") },
  /* The directory's list and the search handle these themselves. */
  { GROUP_CALLS, NULL, { "Return" }, NC_("shortcut window", "Transfer to, or call, the colleague chosen in the directory") },
  { GROUP_CALLS, NULL, { "<Shift>Return" }, NC_("shortcut window", "Consult the colleague chosen in the directory first") },
  { GROUP_CONNECTION, "win.show-status", { "<Primary>i" }, NC_("shortcut window", "Show connection details") },
  { GROUP_CONNECTION, "win.reconnect", { "<Primary>r" }, NC_("shortcut window", "Reconnect now") },
  /* GtkMenuButton's own key, through the window's "primary" menu. */
  { GROUP_GENERAL, NULL, { "F10" }, NC_("shortcut window", "Show the main menu") },
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
    if (shortcuts[i].action != NULL)
      gtk_application_set_accels_for_action (application, shortcuts[i].action,
                                             shortcuts[i].accels);
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

  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    if (g_strcmp0 (shortcuts[i].action, action) == 0)
      {
        guint key = 0;
        GdkModifierType mods = 0;
        g_autofree char *label = NULL;

        if (!gtk_accelerator_parse (shortcuts[i].accels[0], &key, &mods))
          break;
        label = gtk_accelerator_get_label (key, mods);
        /* TRANSLATORS: a tooltip: what a button does, and its key */
        return g_strdup_printf (_("%s (%s)"), text, label);
      }

  return g_strdup (text);
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

  g_string_append (xml,
                   "<interface>"
                   "<object class=\"GtkShortcutsWindow\" id=\"help_overlay\">"
                   "<property name=\"modal\">True</property>"
                   "<child><object class=\"GtkShortcutsSection\">"
                   "<property name=\"section-name\">shortcuts</property>"
                   "<property name=\"max-height\">12</property>");

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
      if (shortcut->action != NULL)
        append_property (xml, "action-name", shortcut->action);
      else
        append_property (xml, "accelerator", shortcut->accels[0]);
      g_string_append (xml, "</object></child>");
    }

  g_string_append (xml, "</object></child></object></child></object></interface>");

  builder = gtk_builder_new_from_string (xml->str, xml->len);
  return g_object_ref (GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay")));
}
