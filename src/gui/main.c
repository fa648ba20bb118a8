/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "attendant-application.h"
#include "attendant-tls.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AttendantApplication) app = NULL;
  const char *localedir = g_getenv ("ATTENDANT_LOCALEDIR");

  /* Before anything loads glib-networking (see docs/architecture.md). */
  attendant_tls_init ();

  setlocale (LC_ALL, "");
  /* Run from the build tree, the catalogues are in _build/po, not yet
   * under the prefix (HACKING.md, "Translations"). */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = attendant_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
