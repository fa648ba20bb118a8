/* test-dial-uri.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "attendant-core.h"

/* attendant_dial_uri_parse(): the links a browser or a terminal hands the
 * app, and numbers as typed, into what the `dial` command takes. */

typedef struct
{
  const char *input;
  const char *number;
} Valid;

static void
test_valid (void)
{
  static const Valid cases[] = {
    /* tel: (RFC 3966) */
    { "tel:+390123456", "+390123456" },
    { "tel:201", "201" },
    { "TEL:+390123456", "+390123456" },
    { "Tel:+390123456", "+390123456" },
    { "tel:+39-0123-456", "+390123456" },
    { "tel:+1-(212)-555.1212", "+12125551212" },
    { "tel:+39%20012%203456", "+390123456" },
    { "tel:%2B390123456", "+390123456" },
    { "tel:+39%2D012", "+39012" },
    { "tel:7042;phone-context=example.com", "7042" },
    { "tel:863-1234;phone-context=+1-914-555", "8631234" },
    { "tel:+1-201-555-0123;ext=1234", "+12015550123" },
    { "tel:+1-201-555-0123;isub=1411;ext=12", "+12015550123" },
    { "tel:+390123456?body=x", "+390123456" },
    { "tel://+390123456", "+390123456" },
    { "tel:*21%23", "*21#" },
    { "tel:*100#", "*100#" },
    { "tel:#31#201", "#31#201" },
    { "  tel:+390123456\n", "+390123456" },
    { "\ttel:201 ", "201" },
    /* callto:, with and without "//" */
    { "callto:+390123456", "+390123456" },
    { "callto://+390123456", "+390123456" },
    { "CALLTO://+39%20012%20345", "+39012345" },
    { "callto:201", "201" },
    { "callto://201?call", "201" },
    /* sip: and sips:, the user part when it is a number */
    { "sip:201@pbx.example", "201" },
    { "SIP:201@PBX.EXAMPLE", "201" },
    { "sips:201@pbx.example", "201" },
    { "sip:+390123456@gw.example;user=phone", "+390123456" },
    { "sip:+1-212-555-1212;phone-context=example.com@gw.example;user=phone", "+12125551212" },
    { "sip:201:secret@pbx.example", "201" },
    { "sip:201@pbx.example:5060;transport=udp", "201" },
    { "sip:201@pbx.example?subject=hello", "201" },
    { "sip:%2B39%20012@gw.example", "+39012" },
    /* numbers as typed or pasted */
    { "201", "201" },
    { "+39 012 3456", "+390123456" },
    { "+39 (0)12 3456", "+39123456" },
    { "+44 (0)20 7946 0958", "+442079460958" },
    { "(012) 345-678", "012345678" },
    { "012/345678", "012345678" },
    { "  +39.012.3456  ", "+390123456" },
    { "+39\u00a0012\u00a03456", "+390123456" },       /* no-break spaces */
    { "+39\u2009012\u20093456", "+390123456" },       /* thin spaces */
    { "+39\u2013012\u20133456", "+390123456" },       /* en dashes */
    { "\u0662\u0660\u0661", "201" },                  /* Arabic-Indic digits */
    { "*72", "*72" },
    /* exactly as long as the server takes */
    { "+1234567890123456789012345678901", "+1234567890123456789012345678901" },
    { "12345678901234567890123456789012", "12345678901234567890123456789012" },
    { "1234-5678-9012-3456-7890-1234-5678-9012", "12345678901234567890123456789012" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *number = NULL;

      g_test_message ("input “%s”", cases[i].input);
      number = attendant_dial_uri_parse (cases[i].input, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (number, ==, cases[i].number);
      g_assert_cmpuint (strlen (number), <=, ATTENDANT_DIAL_NUMBER_MAX_LENGTH);
    }
}

typedef struct
{
  const char *input;
  const char *fragment;  /* the message must say this */
} Invalid;

static void
test_invalid (void)
{
  static const Invalid cases[] = {
    { "", "no number" },
    { "   \t\n", "no number" },
    { "tel:", "no number" },
    { "tel:;ext=12", "no number" },
    { "tel:---", "no number" },
    { "callto://", "no number" },
    { "+", "no number" },
    { "()", "no number" },
    /* not a phone number */
    { "sip:alice@example.com", "“alice” is not a phone number" },
    { "sips:alice@example.com", "“alice” is not a phone number" },
    { "callto:alice", "“alice” is not a phone number" },
    { "callto://echo123", "“echo123” is not a phone number" },
    { "tel:1-800-FLOWERS", "“1-800-FLOWERS” is not a phone number" },
    { "tel:+39,012", "“+39,012” is not a phone number" },
    { "tel:201p3", "“201p3” is not a phone number" },
    { "alice", "“alice” is not a phone number" },
    { "201 ext 3", "“201 ext 3” is not a phone number" },
    { "sip:201x@pbx.example", "“201x” is not a phone number" },
    { "tel:%41", "“A” is not a phone number" },
    { "tel:%FF%FE", "is not a phone number" },
    { "\u00b2\u00b3", "is not a phone number" },   /* superscripts are not digits */
    /* SIP without a user */
    { "sip:pbx.example", "names no one" },
    { "sip:@pbx.example", "names no one" },
    { "sip:", "names no one" },
    /* "+" only in front */
    { "tel:39+012", "“+”" },
    { "++39", "“+”" },
    { "sip:201+1@pbx.example", "“+”" },
    /* other schemes */
    { "http://example.com/call?201", "“http:” links are not phone numbers" },
    { "mailto:201@example.com", "“mailto:” links are not phone numbers" },
    { "HTTPS://example.com", "“https:” links are not phone numbers" },
    { "skype:echo123?call", "“skype:” links are not phone numbers" },
    { "file:///tmp/201", "“file:” links are not phone numbers" },
    { "C:\\201", "“c:” links are not phone numbers" },
    /* broken escapes */
    { "tel:%", "invalid escape" },
    { "tel:%2", "invalid escape" },
    { "tel:%zz201", "invalid escape" },
    { "tel:201%00", "invalid escape" },
    { "sip:%@pbx.example", "invalid escape" },
    /* too long for the server */
    { "+12345678901234567890123456789012", "too long" },
    { "123456789012345678901234567890123", "too long" },
    { "tel:123456789012345678901234567890123;ext=1", "too long" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *number = NULL;

      g_test_message ("input “%s”", cases[i].input);
      number = attendant_dial_uri_parse (cases[i].input, &error);
      g_assert_null (number);
      g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
      g_test_message ("→ %s", error->message);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_nonnull (strstr (error->message, cases[i].fragment));
    }
}

/* A link of any size is refused with a message that quotes a bounded,
 * valid, single-line excerpt of it, fit for a toast. */
static void
test_hostile (void)
{
  g_autofree char *letters = g_strnfill (100000, 'a');
  g_autofree char *digits = g_strnfill (100000, '1');
  g_autofree char *long_link = g_strconcat ("callto:", letters, NULL);
  g_autofree char *long_number = g_strconcat ("tel:", digits, NULL);
  const char *binary = "tel:\x01\xff\x02";
  const char *newline = "tel:201%0Aalice";
  const char *inputs[] = { long_link, long_number, binary, newline };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *number = attendant_dial_uri_parse (inputs[i], &error);

      g_assert_null (number);
      g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpuint (g_utf8_strlen (error->message, -1), <, 120);
      g_assert_null (strchr (error->message, '\n'));
      g_assert_null (strchr (error->message, '\x01'));
    }
}

/* What the parser gives is a number it takes back unchanged: the app may
 * hand a parsed number to app.dial, which parses again. */
static void
test_idempotent (void)
{
  const char *inputs[] = {
    "tel:+39-0123-456", "sip:201@pbx.example", "callto://*21%23", "+44 (0)20 7946 0958",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *number = attendant_dial_uri_parse (inputs[i], &error);
      g_autofree char *again = NULL;

      g_assert_no_error (error);
      again = attendant_dial_uri_parse (number, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (again, ==, number);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dial-uri/valid", test_valid);
  g_test_add_func ("/dial-uri/invalid", test_invalid);
  g_test_add_func ("/dial-uri/hostile", test_hostile);
  g_test_add_func ("/dial-uri/idempotent", test_idempotent);

  return g_test_run ();
}
