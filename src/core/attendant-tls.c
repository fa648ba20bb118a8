/* attendant-tls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-tls"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "attendant-tls.h"
#include "attendant-tls-record-guard.h"

/**
 * attendant_tls_init:
 *
 * Restricts glib-networking to TLS 1.2 and newer, on both ends.
 * glib-networking 2.74 with GnuTLS still negotiates TLS 1.0 by default and only takes a priority
 * string from the environment, read once when the backend loads, so every
 * program calls this first thing in main(). A priority the user set
 * explicitly is respected; the connector and the server still refuse
 * anything older than TLS 1.2 after the handshake.
 */
void
attendant_tls_init (void)
{
  g_setenv ("G_TLS_GNUTLS_PRIORITY", ATTENDANT_TLS_PRIORITY, FALSE);
}

/**
 * attendant_tls_guard_stream:
 * @base: a connection (a #GSocketConnection) about to carry TLS
 *
 * What to give g_tls_client_connection_new() or
 * g_tls_server_connection_new() instead of @base: the same connection,
 * whose incoming TLS records are checked before GnuTLS reads them, so that
 * a renegotiation the peer starts fails the connection instead of running
 * a second handshake (ATTENDANT_TLS_PRIORITY says why this cannot be left
 * to GnuTLS or glib-networking). Closing it closes @base.
 *
 * Returns: (transfer full): the stream to run TLS over
 */
GIOStream *
attendant_tls_guard_stream (GIOStream *base)
{
  g_autoptr(GInputStream) input = NULL;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  input = attendant_tls_record_guard_new (base);

  return g_simple_io_stream_new (input, g_io_stream_get_output_stream (base));
}

const char *
attendant_tls_version_to_string (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
      return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:
      return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:
      return "TLS 1.3";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
      return "DTLS 1.0";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2:
      return "DTLS 1.2";
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    default:
      return "unknown";
    }
}

gboolean
attendant_tls_version_is_acceptable (GTlsProtocolVersion version)
{
  return version == G_TLS_PROTOCOL_VERSION_TLS_1_2 ||
         version == G_TLS_PROTOCOL_VERSION_TLS_1_3;
}

/**
 * attendant_tls_certificate_sha256:
 *
 * Returns: (transfer full): the SHA-256 fingerprint of the DER encoding, as
 *   colon-separated lower-case hex pairs ("ab:cd:…"), the form users compare
 */
char *
attendant_tls_certificate_sha256 (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *hex = NULL;
  GString *out;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;

  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  out = g_string_sized_new (96);
  for (guint i = 0; hex[i] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_len (out, hex + i, 2);
    }

  return g_string_free (out, FALSE);
}

/**
 * attendant_tls_certificate_flags_to_string:
 *
 * Returns: (transfer full): what is wrong with a certificate, in words
 */
char *
attendant_tls_certificate_flags_to_string (GTlsCertificateFlags flags)
{
  static const struct {
    GTlsCertificateFlags flag;
    const char *text;
  } names[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, N_("its issuer is not trusted") },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, N_("it was not issued for this server name") },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, N_("it is not valid yet") },
    { G_TLS_CERTIFICATE_EXPIRED, N_("it has expired") },
    { G_TLS_CERTIFICATE_REVOKED, N_("it has been revoked") },
    { G_TLS_CERTIFICATE_INSECURE, N_("it uses an insecure algorithm") },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, N_("it could not be verified") },
  };
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (flags & names[i].flag)
        {
          if (out->len > 0)
            g_string_append (out, "; ");
          g_string_append (out, _(names[i].text));
        }
    }

  if (out->len == 0)
    g_string_append (out, _("no problem found"));

  return g_string_free (g_steal_pointer (&out), FALSE);
}
