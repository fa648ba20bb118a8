/* fuzz-scram.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-fuzz"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "fuzz-common.h"

/* The login (docs/protocol.md, section 2.2): the SCRAM-SHA-256 exchange
 * with a hostile peer, both ways.
 *
 * The first byte picks the side and the encoding; the rest are the peer's
 * messages, separated by NUL bytes, in SCRAM's text form (the harness
 * base64-encodes them, as the protocol carries them) unless the byte says
 * to pass them as they are, which fuzzes the base64 decoding too. A peer
 * that follows the protocol echoes the other side's nonce, which a fuzzer
 * cannot guess: "@NONCE@" in a message stands for it.
 *
 *  - client side (bit 0 clear): the input is server-first, then
 *    server-final, fed to a client logging in as "reception";
 *  - server side (bit 0 set): client-first, then client-final, fed to a
 *    server knowing "reception" (fuzz_lookup) and nobody else. */

#define USER FUZZ_USER
#define PASSWORD FUZZ_PASSWORD

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_setup ();
  return 0;
}

/* The nonce of a SCRAM message in base64: the value of its "r=" attribute. */
static char *
nonce_of (const char *message64)
{
  g_autofree guchar *raw = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) attributes = NULL;
  gsize len = 0;

  raw = g_base64_decode (message64, &len);
  text = raw != NULL ? g_strndup ((const char *)raw, len) : g_strdup ("");
  attributes = g_strsplit (text, ",", -1);
  for (guint i = 0; attributes[i]; i++)
    if (g_str_has_prefix (attributes[i], "r="))
      return g_strdup (attributes[i] + 2);

  return g_strdup ("");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(AttendantScram) scram = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *nonce = NULL;
  gboolean server_side;
  gboolean raw;
  gboolean done = FALSE;

  if (size < 1)
    return 0;

  server_side = data[0] & 1;
  raw = data[0] & 2;
  messages = fuzz_split (data + 1, size - 1, 3);

  if (server_side)
    {
      scram = attendant_scram_new_server (fuzz_lookup, NULL, &error);
      g_assert_no_error (error);
    }
  else
    {
      g_autofree char *first = NULL;

      scram = attendant_scram_new_client (USER, PASSWORD, &error);
      g_assert_no_error (error);
      first = attendant_scram_step (scram, NULL, &done, &error);
      g_assert_no_error (error);
      g_assert_false (done);
      nonce = nonce_of (first);
    }

  for (guint i = 0; i < messages->len; i++)
    {
      const char *text = messages->pdata[i];
      g_autofree char *filled = fuzz_replace (text, "@NONCE@", nonce ? nonce : "");
      g_autofree char *input = raw ? g_strdup (filled)
                                   : g_base64_encode ((const guchar *)filled, strlen (filled));
      g_autofree char *output = NULL;

      output = attendant_scram_step (scram, input, &done, &error);
      if (output == NULL)
        {
          /* A client also refuses too few iterations, as insecure. */
          if (!server_side && g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INSECURE_SERVER))
            break;
          g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
          g_assert_false (done);
          break;
        }

      /* Nobody logs in without the password: the fuzzer cannot know the
       * proof (the server side), nor the server's signature (the client
       * side, which would then have accepted an impostor). */
      g_assert_false (done);

      if (server_side && nonce == NULL)
        nonce = nonce_of (output);
    }

  return 0;
}
