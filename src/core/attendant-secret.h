/* attendant-secret.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A NUL-terminated secret (a password, a token) that is wiped when freed:
 * g_autoptr(AttendantSecret) password = … */
typedef char AttendantSecret;

void     attendant_secret_wipe            (gpointer     data,
                                           gsize        length);
void     attendant_secret_free            (char        *secret);
gboolean attendant_secret_check_file_mode (const char  *path,
                                           GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantSecret, attendant_secret_free)

G_END_DECLS
