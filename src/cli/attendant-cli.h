/* attendant-cli.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses, as docs/cli.md lists them. */
#define ATTENDANT_CLI_EXIT_OK          0
#define ATTENDANT_CLI_EXIT_UNREACHABLE 1
#define ATTENDANT_CLI_EXIT_USAGE       2

int attendant_cli_main  (int    argc,
                         char **argv);
int attendant_cli_check (int    argc,
                         char **argv);
int attendant_cli_watch (int    argc,
                         char **argv);

G_END_DECLS
