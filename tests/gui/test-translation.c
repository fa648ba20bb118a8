/* test-translation.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "attendant-node.h"
#include "attendant-preferences-window.h"
#include "attendant-status-button.h"
#include "attendant-test-fixture.h"
#include "attendant-test-gui.h"
#include "attendant-test-server.h"
#include "attendant-shortcuts.h"
#include "attendant-window.h"

/* The app under LANGUAGE=it, as an Italian operator meets it: the login
 * form, a failed login's attempts, the console connected to the reference
 * server on loopback, the status popover, Preferences and the shortcuts
 * window. Every text they show — labels, titles, subtitles, tooltips,
 * menu items, combo items, accessible labels and descriptions — is
 * compared with the English strings of po/it.po: none may appear, whole
 * or as the English frame of a formatted string. A string left unmarked
 * in the sources, missing from the catalogue, or set from code without
 * _() shows up here as English.
 *
 * main() sets LANGUAGE=it and LC_ALL=C.UTF-8 and calls setlocale():
 * gettext ignores LANGUAGE only under the "C" and "POSIX" locales, and
 * C.UTF-8 is built into glibc, so no Italian locale needs generating.
 * meson points ATTENDANT_LOCALEDIR at the build tree's catalogues.
 *
 * With ATTENDANT_SCREENSHOT_DIR set, the views are saved there as
 * it-*.png, to be looked at for clipped Italian. */

#define FINGERPRINT \
  "3f:1c:a8:90:27:5e:d4:6b:0c:e1:73:9a:42:b5:08:fd:66:21:c9:3e:17:a0:5b:d8:84:fe:30:6c:92:4d:e7:1b"

/* {{{ The English side of the catalogue */

/* Strings the translation leaves as they are (names, "TLS", "%u %u %u
 * %s") are not English to be caught. */
static GPtrArray *english_exact;    /* char*, with and without mnemonic underscores */
static GPtrArray *english_patterns; /* GRegex*, for strings with printf directives */

static void
add_english (const char *msgid)
{
  g_autoptr(GString) pattern = NULL;
  const char *p;

  if (strchr (msgid, '%') == NULL)
    {
      g_autofree char *plain = g_strdup (msgid);
      char *w = plain;

      g_ptr_array_add (english_exact, g_strdup (msgid));
      for (const char *r = msgid; *r; r++)
        if (*r != '_')
          *w++ = *r;
      *w = '\0';
      if (!g_str_equal (plain, msgid))
        g_ptr_array_add (english_exact, g_steal_pointer (&plain));
      return;
    }

  /* "Connected to %s, encrypted" → ^Connected to .+, encrypted$ */
  pattern = g_string_new ("^");
  p = msgid;
  while (*p)
    {
      const char *next = strchr (p, '%');
      g_autofree char *literal = g_strndup (p, next ? (gsize)(next - p) : strlen (p));
      g_autofree char *escaped = g_regex_escape_string (literal, -1);

      g_string_append (pattern, escaped);
      if (next == NULL)
        break;
      p = next + 1;
      if (*p == '%')
        {
          g_string_append (pattern, "%");
          p++;
          continue;
        }
      p += strspn (p, "0123456789.-+ #'lzhjt");
      if (*p)
        p++;
      g_string_append (pattern, ".*");
    }
  g_string_append (pattern, "$");
  g_ptr_array_add (english_patterns,
                   g_regex_new (pattern->str, G_REGEX_DOTALL | G_REGEX_OPTIMIZE, 0, NULL));
}

/* The quoted string after @keyword on @line, with its escapes resolved. */
static char *
po_string (const char *line)
{
  const char *open = strchr (line, '"');
  const char *close = strrchr (line, '"');
  g_autofree char *inner = NULL;

  g_assert_true (open != NULL && close > open);
  inner = g_strndup (open + 1, close - open - 1);
  return g_strcompress (inner);
}

typedef struct
{
  GString   *msgid;
  GString   *plural;
  GPtrArray *msgstrs;
  GString   *current;
} PoEntry;

static void
string_free (gpointer string)
{
  g_string_free (string, TRUE);
}

static void
po_entry_finish (PoEntry *entry)
{
  if (entry->msgid->len > 0 && entry->msgstrs->len > 0)
    {
      gboolean same = TRUE;

      for (guint i = 0; i < entry->msgstrs->len; i++)
        {
          const char *msgstr = ((GString *)entry->msgstrs->pdata[i])->str;

          same &= g_str_equal (msgstr, entry->msgid->str) ||
                  (entry->plural->len > 0 && g_str_equal (msgstr, entry->plural->str));
        }
      if (!same)
        {
          add_english (entry->msgid->str);
          if (entry->plural->len > 0)
            add_english (entry->plural->str);
        }
    }

  g_string_truncate (entry->msgid, 0);
  g_string_truncate (entry->plural, 0);
  g_ptr_array_set_size (entry->msgstrs, 0);
  entry->current = NULL;
}

static void
load_catalogue (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  PoEntry entry = {
    g_string_new (NULL), g_string_new (NULL),
    g_ptr_array_new_with_free_func (string_free), NULL,
  };

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);

  english_exact = g_ptr_array_new_with_free_func (g_free);
  english_patterns = g_ptr_array_new_with_free_func ((GDestroyNotify)g_regex_unref);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      g_autofree char *value = NULL;

      if (line[0] == '#' || line[0] == '\0')
        continue;
      if (line[0] == '"')
        {
          value = po_string (line);
          g_assert_nonnull (entry.current);
          g_string_append (entry.current, value);
          continue;
        }

      value = po_string (line);
      if (g_str_has_prefix (line, "msgctxt ") ||
          (g_str_has_prefix (line, "msgid ") && entry.msgstrs->len > 0))
        po_entry_finish (&entry);
      if (g_str_has_prefix (line, "msgctxt "))
        entry.current = NULL;
      else if (g_str_has_prefix (line, "msgid_plural "))
        entry.current = g_string_append (entry.plural, value);
      else if (g_str_has_prefix (line, "msgid "))
        entry.current = g_string_append (entry.msgid, value);
      else if (g_str_has_prefix (line, "msgstr"))
        {
          entry.current = g_string_new (value);
          g_ptr_array_add (entry.msgstrs, entry.current);
        }
    }
  po_entry_finish (&entry);

  g_string_free (entry.msgid, TRUE);
  g_string_free (entry.plural, TRUE);
  g_ptr_array_unref (entry.msgstrs);

  /* Enough of the catalogue to mean something. */
  g_assert_cmpuint (english_exact->len, >, 100);
  g_assert_cmpuint (english_patterns->len, >, 20);
}

static gboolean
is_english (const char *text)
{
  for (guint i = 0; i < english_exact->len; i++)
    if (g_str_equal (text, english_exact->pdata[i]))
      return TRUE;
  for (guint i = 0; i < english_patterns->len; i++)
    if (g_regex_match (english_patterns->pdata[i], text, 0, NULL))
      return TRUE;
  return FALSE;
}

/* }}} */
/* {{{ What the widgets show */

typedef struct
{
  GPtrArray *english;  /* "where: text" */
  guint      checked;
} Scan;

static void
check (Scan       *scan,
       GtkWidget  *widget,
       const char *what,
       const char *text)
{
  if (text == NULL || *text == '\0')
    return;

  scan->checked++;
  if (is_english (text))
    g_ptr_array_add (scan->english,
                     g_strdup_printf ("%s %s (%s): “%s”", G_OBJECT_TYPE_NAME (widget),
                                      gtk_widget_get_name (widget), what, text));
}

static void
check_menu (Scan       *scan,
            GtkWidget  *widget,
            GMenuModel *menu)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *label = NULL;
      g_autoptr(GMenuLinkIter) links = NULL;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        check (scan, widget, "menu item", label);

      links = g_menu_model_iterate_item_links (menu, i);
      while (g_menu_link_iter_next (links))
        {
          g_autoptr(GMenuModel) link = g_menu_link_iter_get_value (links);

          check_menu (scan, widget, link);
        }
    }
}

/* GTK 4.8 has no getter for an accessible property: the test context
 * prints the value it holds when asked to compare it with another. */
static void
check_accessible (Scan                  *scan,
                  GtkWidget             *widget,
                  GtkAccessibleProperty  property,
                  const char            *what)
{
  g_autofree char *value = NULL;

  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), property))
    return;

  value = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), property, "\x01");
  check (scan, widget, what, value);
}

static void
scan_widget (Scan      *scan,
             GtkWidget *widget)
{
  check (scan, widget, "tooltip", gtk_widget_get_tooltip_text (widget));
  check_accessible (scan, widget, GTK_ACCESSIBLE_PROPERTY_LABEL, "accessible label");
  check_accessible (scan, widget, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "accessible description");

  if (GTK_IS_LABEL (widget))
    check (scan, widget, "label", gtk_label_get_text (GTK_LABEL (widget)));
  if (GTK_IS_WINDOW (widget))
    check (scan, widget, "title", gtk_window_get_title (GTK_WINDOW (widget)));
  if (GTK_IS_BUTTON (widget))
    check (scan, widget, "button", gtk_button_get_label (GTK_BUTTON (widget)));
  if (GTK_IS_TEXT (widget))
    check (scan, widget, "placeholder", gtk_text_get_placeholder_text (GTK_TEXT (widget)));
  if (ADW_IS_PREFERENCES_ROW (widget))
    check (scan, widget, "row title", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)));
  if (ADW_IS_ACTION_ROW (widget))
    check (scan, widget, "row subtitle", adw_action_row_get_subtitle (ADW_ACTION_ROW (widget)));
  if (ADW_IS_PREFERENCES_GROUP (widget))
    {
      check (scan, widget, "group title", adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)));
      check (scan, widget, "group description", adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (widget)));
    }
  if (ADW_IS_PREFERENCES_PAGE (widget))
    check (scan, widget, "page title", adw_preferences_page_get_title (ADW_PREFERENCES_PAGE (widget)));
  if (ADW_IS_STATUS_PAGE (widget))
    {
      check (scan, widget, "status title", adw_status_page_get_title (ADW_STATUS_PAGE (widget)));
      check (scan, widget, "status description", adw_status_page_get_description (ADW_STATUS_PAGE (widget)));
    }
  if (ADW_IS_WINDOW_TITLE (widget))
    {
      check (scan, widget, "window title", adw_window_title_get_title (ADW_WINDOW_TITLE (widget)));
      check (scan, widget, "window subtitle", adw_window_title_get_subtitle (ADW_WINDOW_TITLE (widget)));
    }
  if (ADW_IS_COMBO_ROW (widget) && GTK_IS_STRING_LIST (adw_combo_row_get_model (ADW_COMBO_ROW (widget))))
    {
      GtkStringList *items = GTK_STRING_LIST (adw_combo_row_get_model (ADW_COMBO_ROW (widget)));

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (items)); i++)
        check (scan, widget, "combo item", gtk_string_list_get_string (items, i));
    }
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)) != NULL)
    check_menu (scan, widget, gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)));

  /* Popovers are children of what they pop up from, so shown or not,
   * their contents are scanned too. */
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    scan_widget (scan, child);
}

/* Every text of @widget and its descendants is Italian; @min_texts makes
 * sure the walk saw the view it meant to. */
static void
assert_no_english (GtkWidget *widget,
                   guint      min_texts)
{
  Scan scan = { g_ptr_array_new_with_free_func (g_free), 0 };

  scan_widget (&scan, widget);
  for (guint i = 0; i < scan.english->len; i++)
    g_test_message ("English: %s", (const char *)scan.english->pdata[i]);
  g_test_message ("%u texts checked in %s", scan.checked, G_OBJECT_TYPE_NAME (widget));
  g_assert_cmpuint (scan.english->len, ==, 0);
  g_assert_cmpuint (scan.checked, >=, min_texts);
  g_ptr_array_unref (scan.english);
}

/* }}} */
/* {{{ Helpers */

static AttendantWindow *
window_new_for (AttendantTestGuiServer *server)
{
  g_autoptr(AttendantClient) client = attendant_test_gui_client_new (server);

  return g_object_ref (attendant_window_new (NULL, client));
}

static const char *
visible_page (gpointer window)
{
  GtkWidget *stack = attendant_test_gui_find_widget (window, GTK_TYPE_STACK, "pages");

  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static gboolean
on_main_page (gpointer window)
{
  return g_strcmp0 (visible_page (window), "main") == 0;
}

static gboolean
error_shown (gpointer window)
{
  GtkWidget *label = attendant_test_gui_find_widget (window, GTK_TYPE_LABEL, "error-label");

  return gtk_widget_get_visible (label) && *gtk_label_get_text (GTK_LABEL (label)) != '\0';
}

static void
log_in (AttendantWindow *window,
        const char      *password)
{
  GtkWidget *row = attendant_test_gui_find_widget (GTK_WIDGET (window), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);

  gtk_editable_set_text (GTK_EDITABLE (row), password);
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
}

/* }}} */
/* {{{ The views */

/* The environment this test relies on: without it every other case
 * would pass on English. */
static void
test_translation_catalogue (void)
{
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "it");
  g_assert_cmpstr (_("Preferences"), ==, "Preferenze");
  g_assert_cmpstr (C_("shortcut window", "Quit"), ==, "Esci");
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "Connection lost — reconnecting in %u second",
                                "Connection lost — reconnecting in %u seconds", 1),
                   ==, "Connessione persa — nuovo tentativo tra %u secondo");
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "Connection lost — reconnecting in %u second",
                                "Connection lost — reconnecting in %u seconds", 5),
                   ==, "Connessione persa — nuovo tentativo tra %u secondi");
  /* The detector itself: whole strings, mnemonics, formatted strings;
   * and what the translation keeps, or fills in, is not English. */
  g_assert_true (is_english ("Log In to the Console"));
  g_assert_true (is_english ("Log Out"));
  g_assert_true (is_english ("Connected to primary, encrypted"));
  g_assert_true (is_english ("Connection lost — reconnecting in 3 seconds"));
  g_assert_false (is_english ("Attendant"));
  g_assert_false (is_english ("Connesso a primary, con cifratura"));
  g_assert_false (is_english ("primary"));

  /* The core's messages, through the same catalogue. */
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "The server name is empty"),
                   ==, "Il nome del server è vuoto");
}

/* The form as it opens, then after every address refused: the summary,
 * each attempt's outcome and what to check. */
static void
test_translation_login (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  AttendantWindow *window;
  GtkWidget *error_label;

  attendant_test_gui_reset_settings ();
  window = window_new_for (NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (attendant_test_gui_label_text (GTK_WIDGET (window), "connection-label"), ==, "Non in linea");
  assert_no_english (GTK_WIDGET (window), 20);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "it-login.png");
  attendant_test_gui_window_free (GTK_WIDGET (window));

  attendant_test_gui_use_server (TEST_DOMAIN);
  attendant_test_gui_server_publish_srv (server, "plain");
  attendant_node_stop (attendant_server_lookup_node (server->server, "primary"));
  attendant_node_stop (attendant_server_lookup_node (server->server, "backup"));
  window = window_new_for (server);
  gtk_window_present (GTK_WINDOW (window));
  log_in (window, TEST_PASSWORD);
  attendant_test_gui_wait_for (error_shown, window, 10000);

  error_label = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "error-label");
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (error_label)), "Nessun server ha risposto"));
  g_assert_nonnull (attendant_test_gui_find_widget (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "attempt-row"));
  assert_no_english (GTK_WIDGET (window), 20);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "it-login-failed.png");

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-out", NULL);
  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* A wrong password: the form says so in Italian. */
static void
test_translation_wrong_password (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "plain");
  AttendantWindow *window;

  attendant_test_gui_use_server (address);
  window = window_new_for (server);
  gtk_window_present (GTK_WINDOW (window));
  log_in (window, "wrong");
  attendant_test_gui_wait_for (error_shown, window, 10000);

  g_assert_cmpstr (attendant_test_gui_label_text (GTK_WIDGET (window), "error-label"), ==,
                   "Il server non ha accettato la password di " TEST_USER ". Verificarla e accedere di nuovo.");
  assert_no_english (GTK_WIDGET (window), 20);

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-out", NULL);
  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* Connected through SRV: the console, its header and the status popover
 * with every detail row. */
static void
test_translation_main_window (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  AttendantWindow *window;
  GtkWidget *status, *popover;

  attendant_test_gui_use_server (TEST_DOMAIN);
  attendant_test_gui_server_publish_srv (server, "plain");
  window = window_new_for (server);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 560);
  gtk_window_present (GTK_WINDOW (window));
  log_in (window, TEST_PASSWORD);
  attendant_test_gui_wait_for (on_main_page, window, 10000);

  assert_no_english (GTK_WIDGET (window), 30);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "it-main.png");

  status = attendant_test_gui_find_widget (GTK_WIDGET (window), ATTENDANT_TYPE_STATUS_BUTTON, NULL);
  g_assert_nonnull (status);
  attendant_status_button_popup (ATTENDANT_STATUS_BUTTON (status));
  popover = attendant_test_gui_find_widget (status, GTK_TYPE_POPOVER, "status-popover");
  g_assert_true (gtk_widget_get_visible (popover));
  g_assert_cmpstr (attendant_test_gui_label_text (popover, "status-title"), ==, "Connesso a primary");
  assert_no_english (popover, 10);
  attendant_test_gui_screenshot (popover, "it-status.png");
  gtk_popover_popdown (GTK_POPOVER (popover));

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-out", NULL);
  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* A call from a link: the banner while it waits for the login, the
 * toast once the server placed it, and a link that is no number, whose
 * reason comes from the core's catalogue. */
static void
test_translation_dial (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "plain");
  AttendantWindow *window;

  attendant_test_gui_use_server (address);
  window = window_new_for (server);
  gtk_window_present (GTK_WINDOW (window));
  attendant_window_dial (window, "tel:+39 0123 456");
  attendant_test_gui_wait_for_label (GTK_WIDGET (window), "+390123456 sarà chiamato appena effettuato l'accesso", 5000);
  assert_no_english (GTK_WIDGET (window), 20);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "it-dial-pending.png");

  log_in (window, TEST_PASSWORD);
  attendant_test_gui_wait_for_label (GTK_WIDGET (window), "Chiamata a +390123456 in corso…", 10000);
  assert_no_english (GTK_WIDGET (window), 5);
  attendant_test_gui_screenshot (GTK_WIDGET (window), "it-dial-calling.png");

  attendant_window_dial (window, "sip:alice@example.com");
  attendant_test_gui_wait_for_label (GTK_WIDGET (window), "Nessuna chiamata effettuata: «alice» non è un numero di telefono", 10000);
  assert_no_english (GTK_WIDGET (window), 5);

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-out", NULL);
  attendant_test_gui_window_free (GTK_WIDGET (window));
}

/* Preferences, every page, with and without a trusted certificate. */
static void
test_translation_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  const char * const pins[] = { "acme.test " FINGERPRINT, NULL };
  AttendantPreferencesWindow *prefs;

  attendant_test_gui_reset_settings ();
  prefs = g_object_ref (attendant_preferences_window_new ());
  gtk_window_present (GTK_WINDOW (prefs));
  assert_no_english (GTK_WIDGET (prefs), 30);
  attendant_test_gui_screenshot (GTK_WIDGET (prefs), "it-preferences.png");

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "certificates");
  assert_no_english (GTK_WIDGET (prefs), 30);
  attendant_test_gui_screenshot (GTK_WIDGET (prefs), "it-preferences-certificates-empty.png");

  g_settings_set_strv (settings, "trusted-certificates", pins);
  g_assert_nonnull (attendant_test_gui_find_widget (GTK_WIDGET (prefs), GTK_TYPE_BUTTON, "remove-certificate-button"));
  assert_no_english (GTK_WIDGET (prefs), 30);
  attendant_test_gui_screenshot (GTK_WIDGET (prefs), "it-preferences-certificates.png");

  gtk_window_destroy (GTK_WINDOW (prefs));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (prefs);
}

/* The keyboard shortcuts window, as the window makes it from the table
 * of keys. */
static void
test_translation_shortcuts (void)
{
  GtkShortcutsWindow *overlay = attendant_shortcuts_window_new ();

  g_assert_nonnull (overlay);
  assert_no_english (GTK_WIDGET (overlay), 8);
  gtk_window_destroy (GTK_WINDOW (overlay));
  g_object_unref (overlay);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("ATTENDANT_LOCALEDIR");
  g_autofree char *catalogue = NULL;

  g_setenv ("LANGUAGE", "it", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  attendant_test_gui_init (&argc, &argv);
  /* gtk_test_init() keeps the "C" locale; the program takes the user's. */
  g_assert_nonnull (setlocale (LC_ALL, ""));
  catalogue = g_test_build_filename (G_TEST_DIST, "..", "..", "po", "it.po", NULL);

  /* What main() does, with the build tree's catalogues. */
  g_assert_nonnull (localedir);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  load_catalogue (catalogue);

  g_test_add_func ("/translation/catalogue", test_translation_catalogue);
  g_test_add_func ("/translation/login", test_translation_login);
  g_test_add_func ("/translation/wrong-password", test_translation_wrong_password);
  g_test_add_func ("/translation/main-window", test_translation_main_window);
  g_test_add_func ("/translation/dial", test_translation_dial);
  g_test_add_func ("/translation/preferences", test_translation_preferences);
  g_test_add_func ("/translation/shortcuts", test_translation_shortcuts);

  return g_test_run ();
}
