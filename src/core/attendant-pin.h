/* attendant-pin.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char      *attendant_pin_normalize_fingerprint (const char            *text);
char      *attendant_pin_new                   (const char            *identity,
                                                GTlsCertificate       *certificate);
gboolean   attendant_pin_parse                 (const char            *pin,
                                                char                 **identity,
                                                char                 **fingerprint,
                                                GError               **error);
gboolean   attendant_pin_list_contains         (const char * const    *pins,
                                                const char            *pin);
gboolean   attendant_pin_list_trusts           (const char * const    *pins,
                                                const char            *identity,
                                                GTlsCertificate       *certificate);
char     **attendant_certificate_problems      (GTlsCertificateFlags   errors,
                                                const char            *identity);

G_END_DECLS
