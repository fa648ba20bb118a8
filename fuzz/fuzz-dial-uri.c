/* fuzz-dial-uri.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-fuzz"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "fuzz-common.h"

/* Desktop CTI: whatever a web page puts in a tel:, callto: or
 * sip: link reaches attendant_dial_uri_parse(). A refusal must be
 * INVALID_INPUT with a UTF-8 message of one line (the app shows it in a
 * toast); an accepted number must be what the server's `dial` takes
 * (docs/protocol.md §2.5) and parse back to itself. */

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_setup ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *)data, size);
  g_autoptr(GError) error = NULL;
  g_autofree char *number = attendant_dial_uri_parse (text, &error);
  g_autofree char *again = NULL;
  gsize len;

  if (number == NULL)
    {
      g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_null (strchr (error->message, '\n'));
      return 0;
    }

  g_assert_no_error (error);
  len = strlen (number);
  g_assert_cmpuint (len, >, 0);
  g_assert_cmpuint (len, <=, ATTENDANT_DIAL_NUMBER_MAX_LENGTH);
  for (gsize i = 0; i < len; i++)
    g_assert_true (g_ascii_isdigit (number[i]) || number[i] == '*' || number[i] == '#' ||
                   (number[i] == '+' && i == 0));

  again = attendant_dial_uri_parse (number, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, number);

  return 0;
}
