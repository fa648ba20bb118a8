/* fuzz-server-spec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-fuzz"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "fuzz-common.h"

/* Whatever the user types in the server field (docs/architecture.md, "What
 * the server field accepts"). Besides not crashing, the parser must refuse with a readable message (the GUI shows
 * it in a label and the CLI prints it in JSON, so it must be UTF-8), and
 * what it accepts for discovery must be a DNS name that parses back to
 * itself. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_setup ();
  return 0;
}

static void
check_hostname (const char *host)
{
  gsize len = strlen (host);

  g_assert_cmpuint (len, >, 0);
  g_assert_cmpuint (len, <=, 253);
  for (const char *p = host; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '.');
  g_assert_false (host[0] == '.' || host[len - 1] == '.');
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *)data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttendantServerSpec) spec = attendant_server_spec_parse (text, &error);
  const char *host;

  if (spec == NULL)
    {
      g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  g_assert_no_error (error);
  host = attendant_server_spec_get_host (spec);
  g_assert_nonnull (host);
  g_assert_true (g_utf8_validate (attendant_server_spec_get_input (spec), -1, NULL));

  if (!attendant_server_spec_is_direct (spec))
    {
      g_autoptr(AttendantServerSpec) again = NULL;

      /* A domain for SRV discovery: plain ASCII, within DNS limits, and
       * stable when parsed again (what the plan records as its domain is
       * what the user could have typed). */
      check_hostname (host);
      g_assert_cmpuint (attendant_server_spec_get_port (spec), ==, 0);

      again = attendant_server_spec_parse (host, &error);
      g_assert_no_error (error);
      g_assert_false (attendant_server_spec_is_direct (again));
      g_assert_cmpstr (attendant_server_spec_get_host (again), ==, host);
    }
  else if (!g_hostname_is_ip_address (host))
    {
      check_hostname (host);
    }

  return 0;
}
