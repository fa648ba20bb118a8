/* attendant-pin.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-pin"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "attendant-error.h"
#include "attendant-pin.h"
#include "attendant-tls.h"

/* A certificate the user chose to trust is remembered as a pin
 * (docs/architecture.md, "Trusted certificates"), "IDENTITY FINGERPRINT": the reference identity it was checked against
 * (the domain or address typed at login, lower-case) and the SHA-256 of
 * its DER encoding in the form attendant_tls_certificate_sha256() gives
 * and `attendant-cli check` prints ("ab:cd:…", lower-case). A pin trusts
 * that one certificate for that one identity, nothing else: a renewed
 * certificate or another domain asks again. */

#define SHA256_LEN 32

/**
 * attendant_pin_normalize_fingerprint:
 * @text: a SHA-256 fingerprint, hex in either case, with or without colons
 *   between the pairs (as openssl and most tools print it)
 *
 * Returns: (transfer full) (nullable): the fingerprint as pins store it,
 *   or %NULL when @text is not 32 bytes of hex
 */
char *
attendant_pin_normalize_fingerprint (const char *text)
{
  g_autoptr(GString) out = NULL;
  guint n_digits = 0;
  gboolean colons;

  g_return_val_if_fail (text != NULL, NULL);

  colons = strchr (text, ':') != NULL;
  out = g_string_sized_new (SHA256_LEN * 3);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ':')
        {
          /* Colons, if any, separate every pair and nothing else. */
          if (n_digits == 0 || n_digits % 2 != 0 || p[1] == '\0' || p[1] == ':')
            return NULL;
          continue;
        }

      if (!g_ascii_isxdigit (*p))
        return NULL;

      if (colons && n_digits > 0 && n_digits % 2 == 0 && p[-1] != ':')
        return NULL;

      if (n_digits > 0 && n_digits % 2 == 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_tolower (*p));
      n_digits++;
    }

  if (n_digits != SHA256_LEN * 2)
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * attendant_pin_new:
 * @identity: the reference identity @certificate was checked against
 *
 * Returns: (transfer full): the pin trusting @certificate for @identity
 */
char *
attendant_pin_new (const char      *identity,
                   GTlsCertificate *certificate)
{
  g_autofree char *lower = NULL;
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (identity != NULL && *identity != '\0', NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  lower = g_ascii_strdown (identity, -1);
  fingerprint = attendant_tls_certificate_sha256 (certificate);
  g_return_val_if_fail (fingerprint != NULL, NULL);

  return g_strdup_printf ("%s %s", lower, fingerprint);
}

/**
 * attendant_pin_parse:
 * @identity: (out) (optional): the identity, lower-case
 * @fingerprint: (out) (optional): the fingerprint, normalized
 *
 * Splits a pin; the fingerprint may be written in any form
 * attendant_pin_normalize_fingerprint() takes.
 */
gboolean
attendant_pin_parse (const char  *pin,
                     char       **identity,
                     char       **fingerprint,
                     GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *normalized = NULL;

  g_return_val_if_fail (pin != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  parts = g_strsplit (pin, " ", -1);
  if (g_strv_length (parts) != 2 || *parts[0] == '\0')
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                   /* TRANSLATORS: IDENTITY and SHA256 stand for the two parts of a pin. */
                   _("“%s” is not a certificate pin: expected “IDENTITY SHA256”"), pin);
      return FALSE;
    }

  normalized = attendant_pin_normalize_fingerprint (parts[1]);
  if (normalized == NULL)
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                   _("“%s” is not a SHA-256 fingerprint"), parts[1]);
      return FALSE;
    }

  if (identity != NULL)
    *identity = g_ascii_strdown (parts[0], -1);
  if (fingerprint != NULL)
    *fingerprint = g_steal_pointer (&normalized);

  return TRUE;
}

/* Compares pins as parsed, so that one typed by hand in another case or
 * without colons still counts. */
static gboolean
pin_equal (const char *pin,
           const char *identity,
           const char *fingerprint)
{
  g_autofree char *pin_identity = NULL;
  g_autofree char *pin_fingerprint = NULL;

  if (!attendant_pin_parse (pin, &pin_identity, &pin_fingerprint, NULL))
    {
      g_debug ("ignoring malformed pin “%s”", pin);
      return FALSE;
    }

  return g_ascii_strcasecmp (pin_identity, identity) == 0 &&
         g_str_equal (pin_fingerprint, fingerprint);
}

/**
 * attendant_pin_list_contains:
 * @pins: (nullable): pins
 *
 * Returns: whether @pins already holds @pin, whatever its spelling
 */
gboolean
attendant_pin_list_contains (const char * const *pins,
                             const char         *pin)
{
  g_autofree char *identity = NULL;
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (pin != NULL, FALSE);

  if (pins == NULL || !attendant_pin_parse (pin, &identity, &fingerprint, NULL))
    return FALSE;

  for (guint i = 0; pins[i] != NULL; i++)
    if (pin_equal (pins[i], identity, fingerprint))
      return TRUE;

  return FALSE;
}

/**
 * attendant_pin_list_trusts:
 * @pins: (nullable): pins
 *
 * Returns: whether one of @pins trusts exactly @certificate for exactly
 *   @identity
 */
gboolean
attendant_pin_list_trusts (const char * const *pins,
                           const char         *identity,
                           GTlsCertificate    *certificate)
{
  g_autofree char *pin = NULL;

  g_return_val_if_fail (identity != NULL, FALSE);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);

  if (pins == NULL || *identity == '\0')
    return FALSE;

  pin = attendant_pin_new (identity, certificate);
  return attendant_pin_list_contains (pins, pin);
}

/**
 * attendant_certificate_problems:
 * @errors: what verification found
 * @identity: the reference identity the certificate was checked against
 *
 * Returns: (transfer full): one translated sentence per problem, for the
 *   user deciding whether to trust the certificate
 */
char **
attendant_certificate_problems (GTlsCertificateFlags  errors,
                                const char           *identity)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (identity != NULL, NULL);

  if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_strv_builder_add (builder, _("It is self-signed or its issuer is not a trusted authority."));
  if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    {
      g_autofree char *text = g_strdup_printf (_("It was not issued for “%s”."), identity);

      g_strv_builder_add (builder, text);
    }
  if (errors & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_strv_builder_add (builder, _("It is not valid yet."));
  if (errors & G_TLS_CERTIFICATE_EXPIRED)
    g_strv_builder_add (builder, _("It has expired."));
  if (errors & G_TLS_CERTIFICATE_REVOKED)
    g_strv_builder_add (builder, _("It has been revoked by its issuer."));
  if (errors & G_TLS_CERTIFICATE_INSECURE)
    g_strv_builder_add (builder, _("It uses an insecure algorithm."));
  if (errors & G_TLS_CERTIFICATE_GENERIC_ERROR)
    g_strv_builder_add (builder, _("It could not be verified."));

  return g_strv_builder_end (builder);
}
