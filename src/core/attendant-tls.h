/* attendant-tls.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ATTENDANT_TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

void        attendant_tls_init                     (void);
const char *attendant_tls_version_to_string        (GTlsProtocolVersion   version);
gboolean    attendant_tls_version_is_acceptable    (GTlsProtocolVersion   version);
char       *attendant_tls_certificate_sha256       (GTlsCertificate      *certificate);
char       *attendant_tls_certificate_flags_to_string (GTlsCertificateFlags flags);

G_END_DECLS
