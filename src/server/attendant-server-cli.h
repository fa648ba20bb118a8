/* attendant-server-cli.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of attendant-server. */
#define ATTENDANT_SERVER_EXIT_OK      0
#define ATTENDANT_SERVER_EXIT_FAILURE 1
#define ATTENDANT_SERVER_EXIT_USAGE   2

int attendant_server_main (int    argc,
                           char **argv);

G_END_DECLS
