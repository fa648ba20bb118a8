/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include "attendant-server-cli.h"
#include "attendant-tls.h"

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* Its log and what it sends stay English under any locale: the core's
   * messages are marked for the app's translation, and an installed
   * catalogue would otherwise mix Italian into this program's English. */
  setlocale (LC_MESSAGES, "C");
  attendant_tls_init ();

  return attendant_server_main (argc, argv);
}
