/* test-scram.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "attendant-core.h"

static AttendantScramCredentials *
lookup_alice (const char *user,
              gpointer    user_data)
{
  const AttendantScramCredentials *alice = user_data;

  if (g_strcmp0 (user, "alice") != 0)
    return NULL;

  return attendant_scram_credentials_copy (alice);
}

/* The server's lookup for any name: the credentials given, as a decoy. */
static AttendantScramCredentials *
lookup_any (const char *user,
            gpointer    user_data)
{
  return attendant_scram_credentials_copy (user_data);
}

/* Runs the whole exchange the way the protocol carries it; returns whether
 * both sides agreed, with the side that failed in @error. */
static gboolean
exchange (const char                *user,
          const char                *password,
          AttendantScramCredentials *stored,
          gboolean                   tamper_server_final,
          gboolean                  *reused_secret,
          GError                   **error)
{
  g_autoptr(AttendantScram) client = attendant_scram_new_client (user, password, NULL);
  g_autoptr(AttendantScram) server = attendant_scram_new_server (lookup_alice, stored, NULL);
  g_autofree char *client_first = NULL;
  g_autofree char *server_first = NULL;
  g_autofree char *client_final = NULL;
  g_autofree char *server_final = NULL;
  g_autofree char *last = NULL;
  gboolean done = FALSE;

  g_assert_nonnull (client);
  g_assert_nonnull (server);

  client_first = attendant_scram_step (client, NULL, &done, error);
  g_assert_nonnull (client_first);
  g_assert_false (done);

  server_first = attendant_scram_step (server, client_first, &done, error);
  g_assert_nonnull (server_first);
  g_assert_false (done);

  client_final = attendant_scram_step (client, server_first, &done, error);
  g_assert_nonnull (client_final);
  g_assert_false (done);
  if (reused_secret != NULL)
    *reused_secret = attendant_scram_get_reused_secret (client);

  server_final = attendant_scram_step (server, client_final, &done, error);
  if (server_final == NULL)
    return FALSE;
  g_assert_true (done);
  g_assert_cmpstr (attendant_scram_get_user (server), ==, user);

  if (tamper_server_final)
    {
      gsize len = 0;
      g_autofree guchar *raw = g_base64_decode (server_final, &len);

      /* Flip a bit of the server signature ("v=…"). */
      raw[len - 2] ^= 0x01;
      g_free (server_final);
      server_final = g_base64_encode (raw, len);
    }

  last = attendant_scram_step (client, server_final, &done, error);
  if (last == NULL)
    return FALSE;

  return done;
}

static void
test_exchange (void)
{
  g_autoptr(AttendantScramCredentials) alice = NULL;
  g_autoptr(GError) error = NULL;

  alice = attendant_scram_credentials_new_from_password ("correct horse", 4096, &error);
  g_assert_no_error (error);

  g_assert_true (exchange ("alice", "correct horse", alice, FALSE, NULL, &error));
  g_assert_no_error (error);
}

static void
test_wrong_password (void)
{
  g_autoptr(AttendantScramCredentials) alice =
    attendant_scram_credentials_new_from_password ("correct horse", 4096, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (exchange ("alice", "battery staple", alice, FALSE, NULL, &error));
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
}

static void
test_unknown_user (void)
{
  g_autoptr(AttendantScramCredentials) alice =
    attendant_scram_credentials_new_from_password ("correct horse", 4096, NULL);
  g_autoptr(GError) error = NULL;

  /* Even the right password of someone else fails for a user that does
   * not exist, and only at the proof, like a wrong password. */
  g_assert_false (exchange ("mallory", "correct horse", alice, FALSE, NULL, &error));
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
}

static void
test_forged_server (void)
{
  g_autoptr(AttendantScramCredentials) alice =
    attendant_scram_credentials_new_from_password ("correct horse", 4096, NULL);
  g_autoptr(GError) error = NULL;

  /* Mutual authentication: a server that does not know the keys cannot
   * produce the signature the client expects. */
  g_assert_false (exchange ("alice", "correct horse", alice, TRUE, NULL, &error));
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
}

static void
test_salted_password_reuse (void)
{
  g_autoptr(AttendantScramCredentials) alice =
    attendant_scram_credentials_new_from_password ("correct horse", 4096, NULL);
  g_autoptr(AttendantScramCredentials) other_salt =
    attendant_scram_credentials_new_from_password ("correct horse", 4096, NULL);
  g_autoptr(GError) error = NULL;
  gboolean reused = TRUE;

  /* A fresh salt: PBKDF2 runs. */
  g_assert_true (exchange ("alice", "correct horse", alice, FALSE, &reused, &error));
  g_assert_no_error (error);
  g_assert_false (reused);

  /* The same user, password, salt and count (a failover to another node
   * of the cluster): the verified SaltedPassword is reused, and the
   * server still accepts the proof and proves itself. */
  g_assert_true (exchange ("alice", "correct horse", alice, FALSE, &reused, &error));
  g_assert_no_error (error);
  g_assert_true (reused);

  /* Another password with the same salt never gets the cached secret. */
  g_assert_false (exchange ("alice", "battery staple", alice, FALSE, &reused, &error));
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
  g_assert_false (reused);
  g_clear_error (&error);

  /* Another salt (the user's password set again): computed afresh. */
  g_assert_true (exchange ("alice", "correct horse", other_salt, FALSE, &reused, &error));
  g_assert_no_error (error);
  g_assert_false (reused);
}

static void
test_salted_password_needs_verified_server (void)
{
  g_autoptr(AttendantScramCredentials) alice =
    attendant_scram_credentials_new_from_password ("correct horse", 4096, NULL);
  g_autoptr(GError) error = NULL;
  gboolean reused = TRUE;

  /* A server whose signature is wrong does not get its salt's secret
   * remembered: the next exchange with that salt computes it again. */
  g_assert_false (exchange ("alice", "correct horse", alice, TRUE, &reused, &error));
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
  g_clear_error (&error);

  g_assert_true (exchange ("alice", "correct horse", alice, FALSE, &reused, &error));
  g_assert_no_error (error);
  g_assert_false (reused);
}

/* base64 of 32 zero bytes */
#define KEY "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static void
test_credentials_text (void)
{
  g_autoptr(AttendantScramCredentials) alice =
    attendant_scram_credentials_new_from_password ("correct horse", 4096, NULL);
  g_autoptr(AttendantScramCredentials) parsed = NULL;
  g_autofree char *text = attendant_scram_credentials_to_string (alice);
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  static const char *bad[] = {
    "",
    "SCRAM-SHA-1$4096$c2FsdHNhbHQ=$00$00",
    "SCRAM-SHA-256$0$c2FsdHNhbHQ=$" KEY "$" KEY,
    "SCRAM-SHA-256$4096$$" KEY "$" KEY,
    "SCRAM-SHA-256$4096$c2FsdHNhbHQ=$zz$" KEY,
    "SCRAM-SHA-256$4096$c2FsdHNhbHQ=$" KEY "$" KEY "$",
    "SCRAM-SHA-256$4096$c2FsdHNhbHQ=$" KEY "$AAAA",
    "SCRAM-SHA-256$100001$c2FsdHNhbHQ=$" KEY "$" KEY,
  };

  /* The stored form never contains the password. */
  g_assert_null (strstr (text, "correct horse"));
  g_assert_true (g_str_has_prefix (text, "SCRAM-SHA-256$4096$"));

  parsed = attendant_scram_credentials_parse (text, &error);
  g_assert_no_error (error);
  again = attendant_scram_credentials_to_string (parsed);
  g_assert_cmpstr (again, ==, text);

  /* Parsed credentials still log the user in. */
  g_assert_true (exchange ("alice", "correct horse", parsed, FALSE, NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(AttendantScramCredentials) none = attendant_scram_credentials_parse (bad[i], &bad_error);

      g_assert_null (none);
      g_assert_error (bad_error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
    }
}

static void
test_garbage_input (void)
{
  g_autoptr(AttendantScramCredentials) alice =
    attendant_scram_credentials_new_from_password ("x", 4096, NULL);
  g_autoptr(AttendantScram) server = attendant_scram_new_server (lookup_alice, alice, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gboolean done = TRUE;

  out = attendant_scram_step (server, "bm90IHNjcmFt", &done, &error);  /* "not scram" */
  g_assert_null (out);
  g_assert_false (done);
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
}

/* The client's answer to a server-first message with @iterations, the
 * server echoing the client's nonce as a real server would. */
static char *
answer_server_first (const char  *iterations,
                     GError     **error)
{
  g_autoptr(AttendantScram) client = attendant_scram_new_client ("alice", "x", NULL);
  g_autofree char *first = NULL;
  g_autofree guchar *raw = NULL;
  g_autofree char *server_first = NULL;
  g_autofree char *server_first64 = NULL;
  g_autofree char *text = NULL;
  const char *nonce;
  gboolean done = FALSE;
  gsize len = 0;

  first = attendant_scram_step (client, NULL, &done, NULL);
  raw = g_base64_decode (first, &len);
  text = g_strndup ((const char *)raw, len);
  nonce = strstr (text, ",r=");
  g_assert_nonnull (nonce);

  server_first = g_strdup_printf ("r=%sserverpart,s=c2FsdHNhbHQ=,i=%s", nonce + 3, iterations);
  server_first64 = g_base64_encode ((const guchar *)server_first, strlen (server_first));

  return attendant_scram_step (client, server_first64, &done, error);
}

/* Found by fuzz/fuzz-scram (corpus/scram/regression-huge-iterations): the
 * client ran PBKDF2 for whatever count the server named, before the server
 * had proved anything; 99999999 rounds stalled it for minutes. */
static void
test_iteration_limit (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *accepted = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *huge = NULL;
  gint64 start;

  accepted = answer_server_first ("4096", &error);
  g_assert_no_error (error);
  g_assert_nonnull (accepted);

  refused = answer_server_first ("100001", &error);
  g_assert_null (refused);
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
  g_clear_error (&error);

  start = g_get_monotonic_time ();
  huge = answer_server_first ("99999999", &error);
  g_assert_null (huge);
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

/* The iteration floor: one iteration makes the proof that follows cheap
 * to guess the password from offline; the client refuses before sending
 * it, with an error of its own that says why. 4096 is the floor. */
static void
test_iteration_floor (void)
{
  const char *weak[] = { "1", "0", "4095" };
  g_autoptr(GError) error = NULL;
  g_autofree char *floor = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (weak); i++)
    {
      g_autofree char *refused = answer_server_first (weak[i], &error);

      g_assert_null (refused);
      g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INSECURE_SERVER);
      g_assert_nonnull (strstr (error->message, weak[i]));
      g_assert_nonnull (strstr (error->message, "4096"));
      g_clear_error (&error);
    }

  floor = answer_server_first ("4096", &error);
  g_assert_no_error (error);
  g_assert_nonnull (floor);

  /* The users file keeps the same floor. */
  g_assert_null (attendant_scram_credentials_parse ("SCRAM-SHA-256$4095$c2FsdHNhbHQ=$" KEY "$" KEY, &error));
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
}

/* The decoy of an unknown user is a function of the
 * name and the secret (the same salt on every try), shaped like the real
 * credentials it copies, and no password's proof passes against it. */
static void
test_decoy (void)
{
  g_autoptr(AttendantScramCredentials) real = attendant_scram_credentials_new_from_password ("pw", 4096, NULL);
  g_autoptr(GBytes) secret = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  g_autoptr(GBytes) other_secret = g_bytes_new_static ("fedcba9876543210fedcba9876543210", 32);
  g_autoptr(AttendantScramCredentials) a = attendant_scram_credentials_new_decoy (real, secret, "mallory");
  g_autoptr(AttendantScramCredentials) b = attendant_scram_credentials_new_decoy (real, secret, "mallory");
  g_autoptr(AttendantScramCredentials) c = attendant_scram_credentials_new_decoy (real, secret, "trudy");
  g_autoptr(AttendantScramCredentials) d = attendant_scram_credentials_new_decoy (real, other_secret, "mallory");
  g_autofree char *real_text = attendant_scram_credentials_to_string (real);
  g_autofree char *a_text = attendant_scram_credentials_to_string (a);
  g_autofree char *b_text = attendant_scram_credentials_to_string (b);
  g_autofree char *c_text = attendant_scram_credentials_to_string (c);
  g_autofree char *d_text = attendant_scram_credentials_to_string (d);
  g_auto(GStrv) real_parts = g_strsplit (real_text, "$", -1);
  g_auto(GStrv) a_parts = g_strsplit (a_text, "$", -1);
  g_autoptr(AttendantScramCredentials) parsed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (a_text, ==, b_text);
  g_assert_cmpstr (a_text, !=, c_text);
  g_assert_cmpstr (a_text, !=, d_text);

  /* Same form: mechanism, iterations, and the lengths of salt and keys. */
  g_assert_cmpstr (a_parts[0], ==, real_parts[0]);
  g_assert_cmpstr (a_parts[1], ==, real_parts[1]);
  for (guint i = 2; i < 5; i++)
    g_assert_cmpuint (strlen (a_parts[i]), ==, strlen (real_parts[i]));
  parsed = attendant_scram_credentials_parse (a_text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attendant_scram_credentials_get_iterations (parsed), ==, 4096);

  /* The proof is checked against the decoy's keys, and fails. */
  {
    g_autoptr(AttendantScram) client = attendant_scram_new_client ("mallory", "", NULL);
    g_autoptr(AttendantScram) server = attendant_scram_new_server (lookup_any, a, NULL);
    g_autofree char *m1 = NULL;
    g_autofree char *m2 = NULL;
    g_autofree char *m3 = NULL;
    g_autofree char *m4 = NULL;
    gboolean done = FALSE;

    m1 = attendant_scram_step (client, NULL, &done, &error);
    g_assert_no_error (error);
    m2 = attendant_scram_step (server, m1, &done, &error);
    g_assert_no_error (error);
    m3 = attendant_scram_step (client, m2, &done, &error);
    g_assert_no_error (error);
    m4 = attendant_scram_step (server, m3, &done, &error);
    g_assert_null (m4);
    g_assert_false (done);
    g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scram/exchange", test_exchange);
  g_test_add_func ("/scram/wrong-password", test_wrong_password);
  g_test_add_func ("/scram/unknown-user", test_unknown_user);
  g_test_add_func ("/scram/forged-server", test_forged_server);
  g_test_add_func ("/scram/credentials-text", test_credentials_text);
  g_test_add_func ("/scram/salted-password-reuse", test_salted_password_reuse);
  g_test_add_func ("/scram/salted-password-needs-verified-server", test_salted_password_needs_verified_server);
  g_test_add_func ("/scram/garbage-input", test_garbage_input);
  g_test_add_func ("/scram/iteration-limit", test_iteration_limit);
  g_test_add_func ("/scram/iteration-floor", test_iteration_floor);
  g_test_add_func ("/scram/decoy", test_decoy);

  return g_test_run ();
}
