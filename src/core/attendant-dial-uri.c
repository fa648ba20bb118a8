/* attendant-dial-uri.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-dial-uri"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "attendant-dial-uri.h"
#include "attendant-error.h"

/* Desktop CTI (README, "The desktop app `attendant`"): what a browser, a file manager, the desktop's
 * launcher or a terminal hands the app as a "call this" link, turned into
 * the number the `dial` command takes. Links come from web pages and mail,
 * so anything may arrive: what is not plainly a phone number is refused
 * with a sentence the operator can act on, never guessed at. */

/* How much of a refused input an error message quotes: a link from a web
 * page can be any length, and the message ends up in a toast. */
#define EXCERPT_CHARS 40

static char *
excerpt (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *cut = NULL;

  /* Control characters would break the toast's single line. */
  for (char *p = valid; *p != '\0'; p++)
    if (g_ascii_iscntrl (*p))
      *p = ' ';

  if (g_utf8_strlen (valid, -1) <= EXCERPT_CHARS)
    return g_steal_pointer (&valid);

  cut = g_utf8_substring (valid, 0, EXCERPT_CHARS);
  return g_strconcat (cut, "…", NULL);
}

static gboolean
fail (GError     **error,
      const char  *message)
{
  g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT, message);
  return FALSE;
}

static char *
fail_not_a_number (GError     **error,
                   const char  *text)
{
  g_autofree char *quoted = excerpt (text);

  g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
               /* TRANSLATORS: %s is what a link or the operator asked to call */
               _("“%s” is not a phone number"), quoted);
  return NULL;
}

/* What people write between digits to make a number readable: the
 * visual separators of RFC 3966 (- . ( )), spaces (typed, or %20 in a
 * link), the slash of European directories, and the Unicode spaces and
 * dashes that come with a number copied from a web page. */
static gboolean
is_separator (gunichar c)
{
  switch (c)
    {
    case '-':
    case '.':
    case '(':
    case ')':
    case '/':
      return TRUE;

    default:
      return g_unichar_isspace (c) ||
             g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR ||
             g_unichar_type (c) == G_UNICODE_DASH_PUNCTUATION;
    }
}

/* @text, the number part of a link or what the operator typed, as the
 * server's rule has it: digits, “*”, “#”, a “+” only in front, at most
 * ATTENDANT_DIAL_NUMBER_MAX_LENGTH. */
static char *
normalize_number (const char  *text,
                  GError     **error)
{
  g_autoptr(GString) number = NULL;
  gboolean has_digit = FALSE;

  if (!g_utf8_validate (text, -1, NULL))
    return fail_not_a_number (error, text);

  number = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      int digit = g_unichar_digit_value (c);

      if (digit >= 0)
        {
          g_string_append_c (number, '0' + digit);
          has_digit = TRUE;
        }
      else if (c == '*' || c == '#')
        g_string_append_c (number, c);
      else if (c == '+')
        {
          if (number->len > 0)
            {
              fail (error, _("A “+” can only stand at the start of a phone number"));
              return NULL;
            }
          g_string_append_c (number, '+');
        }
      else if (c == '(' && number->len > 1 && number->str[0] == '+' &&
               g_str_has_prefix (p, "(0)"))
        /* "+44 (0)20 …": the trunk zero is for callers inside the
         * country; an international number is dialled without it. */
        p += 2;
      else if (!is_separator (c))
        return fail_not_a_number (error, text);

      /* No need to read a megabyte of digits to refuse them. */
      if (number->len > ATTENDANT_DIAL_NUMBER_MAX_LENGTH)
        break;
    }

  if (!has_digit && number->len <= ATTENDANT_DIAL_NUMBER_MAX_LENGTH)
    {
      fail (error, _("There is no number to call"));
      return NULL;
    }

  if (number->len > ATTENDANT_DIAL_NUMBER_MAX_LENGTH)
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                   ngettext ("The number is too long: at most %d digit can be called",
                             "The number is too long: at most %d digits can be called",
                             ATTENDANT_DIAL_NUMBER_MAX_LENGTH),
                   ATTENDANT_DIAL_NUMBER_MAX_LENGTH);
      return NULL;
    }

  return g_string_free (g_steal_pointer (&number), FALSE);
}

/* The length of @text's URI scheme (RFC 3986 §3.1), 0 when it has none:
 * a number never starts with a letter, so "+39 02…" or "201" are numbers
 * and "tel:…" is a link. */
static gsize
scheme_length (const char *text)
{
  gsize i;

  if (!g_ascii_isalpha (text[0]))
    return 0;

  for (i = 1; g_ascii_isalnum (text[i]) || text[i] == '+' || text[i] == '-' || text[i] == '.'; i++)
    ;

  return text[i] == ':' ? i : 0;
}

/* The first @length bytes of @text, percent-decoded. */
static char *
unescape (const char  *text,
          gsize        length,
          GError     **error)
{
  g_autofree char *escaped = g_strndup (text, length);
  char *unescaped = g_uri_unescape_string (escaped, NULL);

  /* A stray “%”, a “%” without two hex digits, or an encoded NUL. */
  if (unescaped == NULL)
    fail (error, _("The link is damaged: it has an invalid escape sequence"));

  return unescaped;
}

/**
 * attendant_dial_uri_parse:
 * @uri: a `tel:`, `callto:`, `sip:` or `sips:` link, or a phone number
 *   as typed
 * @error: return location for an %ATTENDANT_ERROR_INVALID_INPUT error
 *
 * The number to give the `dial` command for @uri (docs/protocol.md §2.5):
 * only digits, `*` and `#`, with a `+` in front for an international
 * number, at most %ATTENDANT_DIAL_NUMBER_MAX_LENGTH characters.
 *
 * - Surrounding white space is ignored, and the scheme's case.
 * - `tel:` (RFC 3966) and `callto:` (also `callto://`, as Skype and web
 *   pages write it; `tel://` likewise): the number is what comes before
 *   the first `;` or `?`, percent-decoded.
 * - `sip:` and `sips:` (RFC 3261): the user part (before `@`, without a
 *   password or its `;` parameters), and only when it is a phone number:
 *   `sip:201@pbx.example` gives `201`, `sip:alice@example.com` is refused.
 *   A SIP address without a user part is refused too.
 * - Visual separators are dropped: `-`, `.`, `(`, `)`, `/`, spaces, and
 *   the Unicode spaces and dashes of a number copied from a web page. A
 *   `(0)` after an international prefix (`+44 (0)20 …`) is dropped whole.
 *   Decimal digits of other scripts count as their ASCII digits.
 * - `#` may be written as itself or `%23` (RFC 3966 wants the latter;
 *   links in the wild use the former).
 * - Parameters are ignored: `;phone-context=` (the number is dialled as
 *   written; the telephone system knows its own context), `;isub=`, and
 *   `;ext=`: the `dial` command has no post-dial digits, so the call goes
 *   to the main number, where the operator asks for the extension.
 * - Anything else is refused: other schemes (`http:`, `mailto:`), letters
 *   (`callto:alice`, `tel:1-800-FLOWERS`), a `+` after the start, no
 *   digit at all, more than %ATTENDANT_DIAL_NUMBER_MAX_LENGTH characters,
 *   broken percent-escapes. The message says which, in words for the
 *   operator, quoting at most 40 characters of the input.
 *
 * Returns: (transfer full): the number, or %NULL with @error set
 */
char *
attendant_dial_uri_parse (const char  *uri,
                          GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *part = NULL;
  const char *rest;
  gsize scheme_len;
  gsize end;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  text = g_strstrip (g_strdup (uri));
  if (*text == '\0')
    {
      fail (error, _("There is no number to call"));
      return NULL;
    }

  scheme_len = scheme_length (text);
  if (scheme_len == 0)
    return normalize_number (text, error);

  scheme = g_ascii_strdown (text, scheme_len);
  rest = text + scheme_len + 1;

  if (g_str_equal (scheme, "tel") || g_str_equal (scheme, "callto"))
    {
      if (g_str_has_prefix (rest, "//"))
        rest += 2;
      end = strcspn (rest, ";?");
    }
  else if (g_str_equal (scheme, "sip") || g_str_equal (scheme, "sips"))
    {
      /* userinfo cannot hold a raw "@", so the first one ends it. */
      const char *at = strchr (rest, '@');

      if (at == NULL || at == rest)
        {
          fail (error, _("The SIP address names no one to call"));
          return NULL;
        }
      end = strcspn (rest, ";:@");
    }
  else
    {
      g_autofree char *quoted = excerpt (scheme);

      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                   /* TRANSLATORS: %s is a link's scheme, such as “http” or “mailto” */
                   _("“%s:” links are not phone numbers; only tel:, callto: and sip: links are"),
                   quoted);
      return NULL;
    }

  part = unescape (rest, end, error);
  if (part == NULL)
    return NULL;

  return normalize_number (part, error);
}
