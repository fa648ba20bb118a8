/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include "attendant-cli.h"
#include "attendant-tls.h"

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* Its text and JSON stay English under any locale: the core's
   * messages are marked for the app's translation, and an installed
   * catalogue would otherwise mix Italian into this program's English. */
  setlocale (LC_MESSAGES, "C");
  /* stdout carries JSON (check --json, watch): debug output must not mix in. */
  g_log_writer_default_set_use_stderr (TRUE);
  attendant_tls_init ();

  return attendant_cli_main (argc, argv);
}
