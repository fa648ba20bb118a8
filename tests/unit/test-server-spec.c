/* test-server-spec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "attendant-core.h"

typedef struct
{
  const char *input;
  gboolean    direct;
  const char *host;
  guint16     port;
} Valid;

static void
test_valid (void)
{
  static const Valid cases[] = {
    { "acme.com", FALSE, "acme.com", 0 },
    { "ACME.com", FALSE, "acme.com", 0 },
    { "acme.com.", FALSE, "acme.com", 0 },
    { "  acme.com\t\n", FALSE, "acme.com", 0 },
    { "bücher.example", FALSE, "xn--bcher-kva.example", 0 },
    { "BÜCHER.example", FALSE, "xn--bcher-kva.example", 0 },
    { "localhost", FALSE, "localhost", 0 },
    { "a-b.c-d.example", FALSE, "a-b.c-d.example", 0 },
    { "acme.com:28101", TRUE, "acme.com", 28101 },
    { "Dc1.Acme.com:1", TRUE, "dc1.acme.com", 1 },
    { "acme.com:65535", TRUE, "acme.com", 65535 },
    { "192.0.2.1:51234", TRUE, "192.0.2.1", 51234 },
    { "[2001:db8::1]:51235", TRUE, "2001:db8::1", 51235 },
    { "[::1]", TRUE, "::1", 0 },
    { "192.0.2.1", TRUE, "192.0.2.1", 0 },
    { "2001:db8::1", TRUE, "2001:db8::1", 0 },
    { " ::1 ", TRUE, "::1", 0 },
    /* Found by fuzz/fuzz-server-spec: an address with the root dot. */
    { "192.0.2.10.", TRUE, "192.0.2.10", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AttendantServerSpec) spec = attendant_server_spec_parse (cases[i].input, &error);

      g_test_message ("input “%s”", cases[i].input);
      g_assert_no_error (error);
      g_assert_nonnull (spec);
      g_assert_cmpint (attendant_server_spec_is_direct (spec), ==, cases[i].direct);
      g_assert_cmpstr (attendant_server_spec_get_host (spec), ==, cases[i].host);
      g_assert_cmpuint (attendant_server_spec_get_port (spec), ==, cases[i].port);
    }
}

typedef struct
{
  const char *input;
  const char *expected_fragment;  /* the message must name the problem */
} Invalid;

static void
test_invalid (void)
{
  g_autofree char *long_label = NULL;
  g_autofree char *label_63 = NULL;
  g_autofree char *long_name = NULL;
  g_autofree char *name_253 = NULL;
  g_autofree char *ok_label = g_strnfill (63, 'a');
  const Invalid cases[] = {
    { "", "empty" },
    { "   ", "empty" },
    { "http://acme.com", "URL" },
    { "https://acme.com/login", "URL" },
    { "acme.com/path", "URL" },
    { "user@acme.com", "URL" },
    { "acme_com", "“_”" },
    { "acme com", "space" },
    { "acme..com", "empty label" },
    { ".acme.com", "empty label" },
    { "-acme.com", "hyphen" },
    { "acme-.com", "hyphen" },
    { "acme.com:0", "1–65535" },
    { "acme.com:65536", "1–65535" },
    { "acme.com:99999999999999999999", "1–65535" },
    { "acme.com:", "port" },
    { "acme.com:http", "not a number" },
    { ":51234", "host name" },
    { "[2001:db8::1", "“]”" },
    { "[acme.com]:1", "IPv6" },
    { "[::1]x", "[address]:port" },
    { "2001:db8::zz", "IPv6" },
    { "acme.com\x01", "control character" },
    { "acme!.com", "“!”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AttendantServerSpec) spec = attendant_server_spec_parse (cases[i].input, &error);

      g_test_message ("input “%s”", cases[i].input);
      g_assert_null (spec);
      g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, cases[i].expected_fragment));
      g_assert_null (strchr (error->message, '\n'));
    }

  /* A label of 63 bytes is fine, 64 is not. */
  label_63 = g_strdup_printf ("%s.example", ok_label);
  {
    g_autoptr(AttendantServerSpec) spec = attendant_server_spec_parse (label_63, NULL);
    g_assert_nonnull (spec);
  }

  long_label = g_strdup_printf ("%sa.example", ok_label);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AttendantServerSpec) spec = attendant_server_spec_parse (long_label, &error);

    g_assert_null (spec);
    g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "64 bytes"));
  }

  /* 253 bytes is the longest name; 254 is refused. */
  name_253 = g_strdup_printf ("%s.%s.%s.%s", ok_label, ok_label, ok_label, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  g_assert_cmpuint (strlen (name_253), ==, 253);
  {
    g_autoptr(AttendantServerSpec) spec = attendant_server_spec_parse (name_253, NULL);
    g_assert_nonnull (spec);
  }

  long_name = g_strdup_printf ("%sa", name_253);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AttendantServerSpec) spec = attendant_server_spec_parse (long_name, &error);

    g_assert_null (spec);
    g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "254 bytes"));
  }
}

/* Inputs fuzz/fuzz-server-spec found (each is also in its fuzz corpus):
 * every refusal must come with a UTF-8 message, since the GUI shows it in
 * a label and the CLI prints it in JSON. */
static void
test_fuzz_regressions (void)
{
  const char *inputs[] = {
    "\n\xff;\xff",          /* quoted in "contains “;”" */
    "\xff://acme.com",       /* quoted in "looks like a URL" */
    "acme.com:\xff",         /* quoted in "is not a number" */
    "[\xff]",                /* quoted in "not a valid IPv6 address" */
    "acme\xc3.com",          /* a truncated sequence */
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AttendantServerSpec) spec = attendant_server_spec_parse (inputs[i], &error);

      g_assert_null (spec);
      g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_nonnull (strstr (error->message, "UTF-8"));
    }
}

static void
test_input_kept (void)
{
  g_autoptr(AttendantServerSpec) spec = attendant_server_spec_parse ("  ACME.com. ", NULL);

  g_assert_cmpstr (attendant_server_spec_get_input (spec), ==, "ACME.com.");
  g_assert_finalize_object (g_steal_pointer (&spec));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-spec/valid", test_valid);
  g_test_add_func ("/server-spec/invalid", test_invalid);
  g_test_add_func ("/server-spec/input-kept", test_input_kept);
  g_test_add_func ("/server-spec/fuzz-regressions", test_fuzz_regressions);

  return g_test_run ();
}
