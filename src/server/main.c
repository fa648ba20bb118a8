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
  attendant_tls_init ();

  return attendant_server_main (argc, argv);
}
