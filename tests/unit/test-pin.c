/* test-pin.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-core.h"

/* Certificate pins: the fingerprint forms users paste, the "IDENTITY SHA256" form,
 * and that a pin trusts one certificate for one identity only. The
 * certificate is a fixed self-signed one whose fingerprint openssl gave:
 * `openssl x509 -noout -fingerprint -sha256`. */

static const char certificate_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBlTCCATugAwIBAgIUc7KA4rTC3ze9Ybk/XSM5gkznofQwCgYIKoZIzj0EAwIw\n"
  "FDESMBAGA1UEAwwJYWNtZS50ZXN0MCAXDTI2MTEyNTE0MTY0MVoYDzIxMjYxMTAx\n"
  "MTQxNjQxWjAUMRIwEAYDVQQDDAlhY21lLnRlc3QwWTATBgcqhkjOPQIBBggqhkjO\n"
  "PQMBBwNCAATPyl4XDVoXe71vipqGmahv2OaNaylcgobAg8tyajpvCjU84/lg/EVS\n"
  "NtBgjC1U4YnlDmHm1/Oc4NZXlhlBea3So2kwZzAdBgNVHQ4EFgQUuIEB/Lrdachg\n"
  "7Ai5bMoRHcOwWc4wHwYDVR0jBBgwFoAUuIEB/Lrdachg7Ai5bMoRHcOwWc4wDwYD\n"
  "VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglhY21lLnRlc3QwCgYIKoZIzj0EAwID\n"
  "SAAwRQIgGo+nV2k0Z3r5L9H5DpGUcQQiTJ/KZjDTGvUK6Y0m5NICIQC+U2I+8eFk\n"
  "o5cpo1hJYTeH5J1LyanTFtnM4mzoFDpkwg==\n"
  "-----END CERTIFICATE-----\n";

#define OPENSSL_FINGERPRINT \
  "0D:A0:E9:0D:37:A5:B0:6B:46:44:85:0E:27:0C:E8:81:F8:B9:E7:6E:C6:8F:7E:E6:7E:D5:07:34:A2:31:FE:50"
#define FINGERPRINT \
  "0d:a0:e9:0d:37:a5:b0:6b:46:44:85:0e:27:0c:e8:81:f8:b9:e7:6e:c6:8f:7e:e6:7e:d5:07:34:a2:31:fe:50"
#define OTHER_FINGERPRINT \
  "1d:a0:e9:0d:37:a5:b0:6b:46:44:85:0e:27:0c:e8:81:f8:b9:e7:6e:c6:8f:7e:e6:7e:d5:07:34:a2:31:fe:50"

static GTlsCertificate *
load_certificate (void)
{
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate = g_tls_certificate_new_from_pem (certificate_pem, -1, &error);

  g_assert_no_error (error);
  return certificate;
}

static void
test_normalize (void)
{
  static const char * const valid[] = {
    FINGERPRINT,
    OPENSSL_FINGERPRINT,
    "0DA0E90D37A5B06B4644850E270CE881F8B9E76EC68F7EE67ED50734A231FE50",
    "0da0e90d37a5b06b4644850e270ce881f8b9e76ec68f7ee67ed50734a231fe50",
  };
  static const char * const invalid[] = {
    "",
    "0d:a0",
    FINGERPRINT ":00",
    ":" FINGERPRINT,
    FINGERPRINT ":",
    "0da0:e9:0d:37:a5:b0:6b:46:44:85:0e:27:0c:e8:81:f8:b9:e7:6e:c6:8f:7e:e6:7e:d5:07:34:a2:31:fe:50",
    "0d:a0::e9:0d:37:a5:b0:6b:46:44:85:0e:27:0c:e8:81:f8:b9:e7:6e:c6:8f:7e:e6:7e:d5:07:34:a2:31:fe:50",
    "0d:a0:e9:0d:37:a5:b0:6b:46:44:85:0e:27:0c:e8:81:f8:b9:e7:6e:c6:8f:7e:e6:7e:d5:07:34:a2:31:fe:5g",
    "0 d:a0:e9:0d:37:a5:b0:6b:46:44:85:0e:27:0c:e8:81:f8:b9:e7:6e:c6:8f:7e:e6:7e:d5:07:34:a2:31:fe:50",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autofree char *normalized = attendant_pin_normalize_fingerprint (valid[i]);

      g_assert_cmpstr (normalized, ==, FINGERPRINT);
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *normalized = attendant_pin_normalize_fingerprint (invalid[i]);

      g_test_message ("invalid: “%s”", invalid[i]);
      g_assert_null (normalized);
    }
}

static void
test_new (void)
{
  g_autoptr(GTlsCertificate) certificate = load_certificate ();
  g_autofree char *pin = attendant_pin_new ("ACME.test", certificate);
  g_autofree char *address_pin = attendant_pin_new ("::1", certificate);

  g_assert_cmpstr (pin, ==, "acme.test " FINGERPRINT);
  g_assert_cmpstr (address_pin, ==, "::1 " FINGERPRINT);
}

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *fingerprint = NULL;
  static const char * const invalid[] = {
    "",
    "acme.test",
    FINGERPRINT,
    " " FINGERPRINT,
    "acme.test  " FINGERPRINT,
    "acme.test " FINGERPRINT " extra",
    "acme.test 0d:a0",
  };

  g_assert_true (attendant_pin_parse ("Acme.Test " OPENSSL_FINGERPRINT, &identity, &fingerprint, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (identity, ==, "acme.test");
  g_assert_cmpstr (fingerprint, ==, FINGERPRINT);

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) parse_error = NULL;

      g_assert_false (attendant_pin_parse (invalid[i], NULL, NULL, &parse_error));
      g_assert_error (parse_error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
    }
}

static void
test_trusts (void)
{
  g_autoptr(GTlsCertificate) certificate = load_certificate ();
  const char * const pins[] = {
    "garbage",
    "other.test " FINGERPRINT,
    "acme.test " OTHER_FINGERPRINT,
    NULL
  };
  const char * const openssl_pins[] = { "ACME.TEST " OPENSSL_FINGERPRINT, NULL };

  g_assert_false (attendant_pin_list_trusts (NULL, "acme.test", certificate));
  g_assert_false (attendant_pin_list_trusts (pins, "acme.test", certificate));
  g_assert_true (attendant_pin_list_trusts (pins, "other.test", certificate));
  g_assert_false (attendant_pin_list_trusts (pins, "www.other.test", certificate));
  g_assert_true (attendant_pin_list_trusts (openssl_pins, "acme.test", certificate));
  g_assert_true (attendant_pin_list_trusts (openssl_pins, "Acme.Test", certificate));
  g_assert_false (attendant_pin_list_trusts (openssl_pins, "", certificate));

  g_assert_true (attendant_pin_list_contains (pins, "OTHER.test " OPENSSL_FINGERPRINT));
  g_assert_false (attendant_pin_list_contains (pins, "acme.test " FINGERPRINT));
  g_assert_false (attendant_pin_list_contains (pins, "garbage"));
}

static void
test_problems (void)
{
  g_auto(GStrv) none = attendant_certificate_problems (0, "acme.test");
  g_auto(GStrv) self_signed = attendant_certificate_problems (G_TLS_CERTIFICATE_UNKNOWN_CA, "acme.test");
  g_auto(GStrv) all = attendant_certificate_problems (G_TLS_CERTIFICATE_VALIDATE_ALL, "acme.test");

  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_cmpuint (g_strv_length (self_signed), ==, 1);
  g_assert_nonnull (strstr (self_signed[0], "self-signed"));
  g_assert_cmpuint (g_strv_length (all), ==, 7);
  g_assert_true (g_strv_contains ((const char * const *)all, "It was not issued for “acme.test”."));
  g_assert_true (g_strv_contains ((const char * const *)all, "It has expired."));
  g_assert_true (g_strv_contains ((const char * const *)all, "It is not valid yet."));
  g_assert_true (g_strv_contains ((const char * const *)all, "It has been revoked by its issuer."));
  g_assert_true (g_strv_contains ((const char * const *)all, "It uses an insecure algorithm."));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pin/normalize", test_normalize);
  g_test_add_func ("/pin/new", test_new);
  g_test_add_func ("/pin/parse", test_parse);
  g_test_add_func ("/pin/trusts", test_trusts);
  g_test_add_func ("/pin/problems", test_problems);

  return g_test_run ();
}
