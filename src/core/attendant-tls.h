/* attendant-tls.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The GnuTLS priority string of every Attendant program, client and server
 * alike: glib-networking 2.74 (GnuTLS backend) reads it once, from
 * G_TLS_GNUTLS_PRIORITY, when its backend loads, and uses that one priority
 * for client and server connections (a server has no default of its own
 * there; without the variable both sides get "NORMAL:%COMPAT"). Part by
 * part:
 *
 *   NORMAL                      GnuTLS's default set and order, to subtract
 *                               from;
 *   -VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2
 *                               TLS 1.2 and 1.3 only (docs/security.md);
 *   -KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:+DHE-RSA
 *                               TLS 1.2 key exchange with forward secrecy
 *                               only: no static RSA (nor PSK/SRP/anon); TLS
 *                               1.3's exchange is always (EC)DHE;
 *   -CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305
 *                               AEAD ciphers only: no CBC (Lucky 13 and
 *                               its kin), no 3DES, no CCM_8; these are also
 *                               exactly TLS 1.3's suites but CCM;
 *   -MAC-ALL:+AEAD              no separate MAC, as AEAD needs none
 *                               (which also drops every SHA-1 HMAC suite);
 *   %SAFE_RENEGOTIATION         RFC 5746 required of every peer, even on
 *                               the first handshake, so a client never
 *                               talks to a server that could be spliced
 *                               into a renegotiation attack.
 *
 * No keyword refuses renegotiation itself (%DISABLE_SAFE_RENEGOTIATION
 * would allow the UNSAFE kind), and glib-networking 2.74 answers a peer's
 * ClientHello (GNUTLS_E_REHANDSHAKE from gnutls_record_recv) with a new
 * handshake whatever its deprecated rehandshake-mode says: the refusal is
 * attendant_tls_guard_stream()'s, below the TLS connection. */
#define ATTENDANT_TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:" \
                               "-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:+DHE-RSA:" \
                               "-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:" \
                               "-MAC-ALL:+AEAD:%SAFE_RENEGOTIATION"

void        attendant_tls_init                     (void);
GIOStream  *attendant_tls_guard_stream             (GIOStream            *base);
const char *attendant_tls_version_to_string        (GTlsProtocolVersion   version);
gboolean    attendant_tls_version_is_acceptable    (GTlsProtocolVersion   version);
char       *attendant_tls_certificate_sha256       (GTlsCertificate      *certificate);
char       *attendant_tls_certificate_flags_to_string (GTlsCertificateFlags flags);

G_END_DECLS
