/* attendant-test-raw.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GSocket *attendant_test_raw_connect (const char *address,
                                     guint16     port,
                                     const char *local);
void     attendant_test_raw_send    (GSocket    *socket,
                                     const char *data,
                                     gsize       length);

G_END_DECLS
