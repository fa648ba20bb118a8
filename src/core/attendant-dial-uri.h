/* attendant-dial-uri.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest number the `dial` command takes (docs/protocol.md §2.5),
 * counting a leading “+”. */
#define ATTENDANT_DIAL_NUMBER_MAX_LENGTH 32

char *attendant_dial_uri_parse (const char  *uri,
                                GError     **error);

G_END_DECLS
