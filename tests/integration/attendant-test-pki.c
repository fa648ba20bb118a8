/* attendant-test-pki.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-pki"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "attendant-test-pki.h"

/* The certificates of the integration suite, made afresh by certtool in a
 * temporary directory every time a test program starts. Nothing is checked
 * in, so nothing can expire between a commit and a test run, and the
 * "expired" certificate is expired because its dates say so, not because
 * time passed. The fingerprints are computed by openssl, not by our code, so
 * that the connector's fingerprint is checked against an independent tool. */

static void
run_tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, &out, &err, &status, &error))
    g_error ("Cannot run %s: %s", argv[0], error->message);

  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed (%s):\n%s", argv[0], error->message, err);
}

static char *
write_template (AttendantTestPki *pki,
                const char       *name,
                const char       *contents)
{
  g_autofree char *path = g_build_filename (pki->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, contents, -1, &error))
    g_error ("Cannot write %s: %s", path, error->message);

  return g_steal_pointer (&path);
}

static char *
make_key (AttendantTestPki *pki,
          const char       *name)
{
  char *path = g_build_filename (pki->dir, name, NULL);

  /* ECDSA keys take milliseconds to make; RSA keys would dominate the
   * start-up time of every test program, under ASan above all. */
  run_tool ((const char * const[]) {
    "certtool", "--generate-privkey", "--key-type=ecdsa",
    "--no-text", "--outfile", path, NULL });

  /* The server refuses a private key that others may read. */
  if (g_chmod (path, 0600) != 0)
    g_error ("Cannot chmod %s: %s", path, g_strerror (errno));

  return path;
}

static char *
make_certificate (AttendantTestPki *pki,
                  const char       *name,
                  const char       *template_text,
                  gboolean          self_signed)
{
  g_autofree char *template_name = g_strconcat (name, ".tmpl", NULL);
  g_autofree char *template_file = write_template (pki, template_name, template_text);
  char *path = g_build_filename (pki->dir, name, NULL);

  if (self_signed)
    run_tool ((const char * const[]) {
      "certtool", "--generate-self-signed", "--no-text",
      "--load-privkey", pki->key_file,
      "--template", template_file, "--outfile", path, NULL });
  else
    run_tool ((const char * const[]) {
      "certtool", "--generate-certificate", "--no-text",
      "--load-privkey", pki->key_file,
      "--load-ca-certificate", pki->ca_file,
      "--load-ca-privkey", pki->ca_key_file,
      "--template", template_file, "--outfile", path, NULL });

  return path;
}

#define SERVER_USAGE \
  "tls_www_server\n" \
  "signing_key\n" \
  "expiration_days = 2\n"

AttendantTestPki *
attendant_test_pki_new (void)
{
  g_autoptr(AttendantTestPki) pki = g_new0 (AttendantTestPki, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *ca_template = NULL;

  pki->dir = g_dir_make_tmp (NULL, &error);
  g_assert_no_error (error);

  pki->ca_key_file = make_key (pki, "ca-key.pem");
  pki->key_file = make_key (pki, "server-key.pem");

  /* The CA has its own key: were it the servers' key, the self-signed
   * certificate's authority key identifier would name the CA's key and a
   * chain builder could be tempted to link the two. */
  ca_template = write_template (pki, "ca.tmpl",
                                "cn = \"Attendant Test CA\"\n"
                                "ca\n"
                                "cert_signing_key\n"
                                "crl_signing_key\n"
                                "expiration_days = 2\n");
  pki->ca_file = g_build_filename (pki->dir, "ca.pem", NULL);
  run_tool ((const char * const[]) {
    "certtool", "--generate-self-signed", "--no-text",
    "--load-privkey", pki->ca_key_file,
    "--template", ca_template, "--outfile", pki->ca_file, NULL });

  pki->acme_file = make_certificate (pki, "acme.pem",
                                     "cn = \"acme.test\"\n"
                                     "dns_name = \"acme.test\"\n"
                                     SERVER_USAGE, FALSE);
  pki->node1_file = make_certificate (pki, "node1.pem",
                                      "cn = \"node1.acme.test\"\n"
                                      "dns_name = \"node1.acme.test\"\n"
                                      SERVER_USAGE, FALSE);
  pki->self_signed_file = make_certificate (pki, "self-signed.pem",
                                            "cn = \"acme.test\"\n"
                                            "dns_name = \"acme.test\"\n"
                                            SERVER_USAGE, TRUE);
  pki->expired_file = make_certificate (pki, "expired.pem",
                                        "cn = \"acme.test\"\n"
                                        "dns_name = \"acme.test\"\n"
                                        "tls_www_server\n"
                                        "signing_key\n"
                                        "activation_date = \"2019-01-01 00:00:00 UTC\"\n"
                                        "expiration_date = \"2020-01-01 00:00:00 UTC\"\n",
                                        FALSE);
  pki->loopback_file = make_certificate (pki, "loopback.pem",
                                         "cn = \"loopback\"\n"
                                         "ip_address = \"127.0.0.1\"\n"
                                         "ip_address = \"::1\"\n"
                                         SERVER_USAGE, FALSE);

  return g_steal_pointer (&pki);
}

void
attendant_test_pki_free (AttendantTestPki *pki)
{
  if (pki == NULL)
    return;

  if (pki->dir != NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (pki->dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (pki->dir, name, NULL);
          g_unlink (path);
        }
      g_rmdir (pki->dir);
    }

  g_free (pki->dir);
  g_free (pki->ca_key_file);
  g_free (pki->key_file);
  g_free (pki->ca_file);
  g_free (pki->acme_file);
  g_free (pki->node1_file);
  g_free (pki->self_signed_file);
  g_free (pki->expired_file);
  g_free (pki->loopback_file);
  g_free (pki);
}

/* The server side of a test: the certificate with the servers' key. */
GTlsCertificate *
attendant_test_pki_load (AttendantTestPki *pki,
                         const char       *cert_file)
{
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  certificate = g_tls_certificate_new_from_files (cert_file, pki->key_file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (certificate);

  return certificate;
}

GTlsDatabase *
attendant_test_pki_new_anchors (AttendantTestPki *pki)
{
  g_autoptr(GError) error = NULL;
  GTlsDatabase *database;

  database = g_tls_file_database_new (pki->ca_file, &error);
  g_assert_no_error (error);

  return database;
}

/* "ab:cd:…", lower case, as openssl computes it from the file. */
char *
attendant_test_fingerprint (const char *cert_file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  char *value;
  int status = 0;
  const char * const argv[] = {
    "openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", cert_file, NULL
  };

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, &out, &err, &status, &error))
    g_error ("Cannot run openssl: %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("openssl failed (%s):\n%s", error->message, err);

  /* "sha256 Fingerprint=AB:CD:…" (or "SHA256 Fingerprint=" before 3.0) */
  value = strchr (out, '=');
  g_assert_nonnull (value);

  return g_ascii_strdown (g_strstrip (value + 1), -1);
}
