/* attendant-test-pki.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char *dir;
  char *ca_key_file;
  char *key_file;          /* the key of every server certificate below */
  char *ca_file;           /* the test CA, the extra trust anchor */
  char *acme_file;         /* CA-signed, DNS acme.test (the source domain) */
  char *node1_file;        /* CA-signed, DNS node1.acme.test only (an SRV target) */
  char *self_signed_file;  /* self-signed, DNS acme.test */
  char *expired_file;      /* CA-signed, DNS acme.test, valid 2019–2020 only */
  char *loopback_file;     /* CA-signed, IP 127.0.0.1 and ::1 (direct input) */
} AttendantTestPki;

AttendantTestPki *attendant_test_pki_new         (void);
void              attendant_test_pki_free        (AttendantTestPki *pki);
GTlsCertificate  *attendant_test_pki_load        (AttendantTestPki *pki,
                                                  const char       *cert_file);
GTlsDatabase     *attendant_test_pki_new_anchors (AttendantTestPki *pki);
char             *attendant_test_fingerprint     (const char       *cert_file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantTestPki, attendant_test_pki_free)

G_END_DECLS
