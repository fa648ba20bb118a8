/* attendant-scram.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-scram"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include <gsasl.h>

#include "attendant-error.h"
#include "attendant-scram.h"
#include "attendant-secret.h"

/* SCRAM-SHA-256 (RFC 5802, RFC 7677) through GNU SASL, for both ends of
 * the login: the password never crosses the network. Messages go in and out base64-encoded, as the
 * protocol carries them. The server side is given StoredKey and ServerKey,
 * so neither the password nor anything that lets one log in is stored. */

struct _AttendantScramCredentials
{
  guint  iterations;
  char  *salt;        /* base64 */
  char  *stored_key;  /* base64 */
  char  *server_key;  /* base64 */
};

G_DEFINE_BOXED_TYPE (AttendantScramCredentials, attendant_scram_credentials,
                     attendant_scram_credentials_copy, attendant_scram_credentials_free)

struct _AttendantScram
{
  GObject               parent_instance;

  Gsasl                *ctx;
  Gsasl_session        *session;
  AttendantScramLookup  lookup;
  gpointer              lookup_data;
  char                 *user;
  char                 *password_digest;   /* client: SHA-256 of the password, hex */
  gboolean              done;
  gboolean              reused_secret;
};

G_DEFINE_FINAL_TYPE (AttendantScram, attendant_scram, G_TYPE_OBJECT)

#define MECHANISM "SCRAM-SHA-256"

/* The client's SaltedPassword (RFC 5802 §3: Hi(password, salt, i)) from its
 * last verified exchange. A cluster's nodes share one users file, so after
 * a failover the new node offers the same salt and iteration count, and
 * the client can skip PBKDF2 — 4096 rounds of HMAC-SHA-256, several
 * milliseconds, most of a login's client CPU — as RFC 5802 §5.1 allows.
 * That matters when a thousand clients fail over at once (bench/). It is
 * as sensitive as the password the client already keeps for its
 * re-logins, and is only reused for the same user, password, salt and
 * iteration count. */
typedef struct
{
  char *user;
  char *password_digest;
  char *salt;
  char *iterations;
  char *salted_password;   /* hex, as GNU SASL's property */
} SaltedCache;

G_LOCK_DEFINE_STATIC (salted_cache);
static SaltedCache salted_cache;

static void
salted_cache_clear_locked (void)
{
  g_clear_pointer (&salted_cache.user, g_free);
  g_clear_pointer (&salted_cache.password_digest, attendant_secret_free);
  g_clear_pointer (&salted_cache.salt, g_free);
  g_clear_pointer (&salted_cache.iterations, g_free);
  g_clear_pointer (&salted_cache.salted_password, attendant_secret_free);
}

static void
set_gsasl_error (GError     **error,
                 int          code,
                 const char  *what)
{
  g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED,
               "%s: %s", what, gsasl_strerror (code));
}

AttendantScramCredentials *
attendant_scram_credentials_new_from_password (const char  *password,
                                               guint        iterations,
                                               GError     **error)
{
  g_autoptr(AttendantScramCredentials) self = NULL;
  char salted[GSASL_HASH_SHA256_SIZE];
  char client_key[GSASL_HASH_SHA256_SIZE];
  char server_key[GSASL_HASH_SHA256_SIZE];
  char stored_key[GSASL_HASH_SHA256_SIZE];
  guchar salt[16];
  int rc;

  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (iterations >= 1, NULL);

  rc = gsasl_nonce ((char *)salt, sizeof salt);
  if (rc != GSASL_OK)
    {
      set_gsasl_error (error, rc, _("Could not make a salt"));
      return NULL;
    }

  rc = gsasl_scram_secrets_from_password (GSASL_HASH_SHA256, password, iterations,
                                          (const char *)salt, sizeof salt,
                                          salted, client_key, server_key, stored_key);
  attendant_secret_wipe (salted, sizeof salted);
  attendant_secret_wipe (client_key, sizeof client_key);
  if (rc != GSASL_OK)
    {
      set_gsasl_error (error, rc, _("Could not derive the SCRAM keys"));
      return NULL;
    }

  self = g_new0 (AttendantScramCredentials, 1);
  self->iterations = iterations;
  self->salt = g_base64_encode (salt, sizeof salt);
  /* GNU SASL 2.2 reads GSASL_SCRAM_STOREDKEY and _SERVERKEY as base64,
   * whatever its header says about hex. */
  self->stored_key = g_base64_encode ((const guchar *)stored_key, sizeof stored_key);
  self->server_key = g_base64_encode ((const guchar *)server_key, sizeof server_key);

  return g_steal_pointer (&self);
}

static gboolean
is_base64_key (const char *text)
{
  g_autofree guchar *raw = NULL;
  gsize len = 0;

  /* g_base64_decode() skips what is not base64, so check the alphabet. */
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return FALSE;

  raw = g_base64_decode (text, &len);
  return len == GSASL_HASH_SHA256_SIZE;
}

/**
 * attendant_scram_credentials_parse:
 * @text: "SCRAM-SHA-256$ITERATIONS$SALT$STOREDKEY$SERVERKEY", all three base64
 */
AttendantScramCredentials *
attendant_scram_credentials_parse (const char  *text,
                                   GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(AttendantScramCredentials) self = NULL;
  g_autofree guchar *salt = NULL;
  gsize salt_len = 0;
  guint64 iterations = 0;

  g_return_val_if_fail (text != NULL, NULL);

  parts = g_strsplit (text, "$", -1);
  if (g_strv_length (parts) != 5 || !g_str_equal (parts[0], MECHANISM))
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                           _("Expected SCRAM-SHA-256$iterations$salt$storedkey$serverkey"));
      return NULL;
    }

  if (!g_ascii_string_to_unsigned (parts[1], 10, ATTENDANT_SCRAM_MIN_ITERATIONS,
                                   ATTENDANT_SCRAM_MAX_ITERATIONS, &iterations, NULL))
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                   _("The iteration count “%s” is not a number from %d to %d"),
                   parts[1], ATTENDANT_SCRAM_MIN_ITERATIONS, ATTENDANT_SCRAM_MAX_ITERATIONS);
      return NULL;
    }

  salt = g_base64_decode (parts[2], &salt_len);
  if (salt_len < 8)
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                           _("The salt must be base64 of at least 8 bytes"));
      return NULL;
    }

  if (!is_base64_key (parts[3]) || !is_base64_key (parts[4]))
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                           _("StoredKey and ServerKey must be base64 of 32 bytes each"));
      return NULL;
    }

  self = g_new0 (AttendantScramCredentials, 1);
  self->iterations = (guint)iterations;
  self->salt = g_strdup (parts[2]);
  self->stored_key = g_strdup (parts[3]);
  self->server_key = g_strdup (parts[4]);

  return g_steal_pointer (&self);
}

char *
attendant_scram_credentials_to_string (const AttendantScramCredentials *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_strdup_printf (MECHANISM "$%u$%s$%s$%s", self->iterations,
                          self->salt, self->stored_key, self->server_key);
}

/* HMAC-SHA-256 (secret, label "\0" user): one 32-byte value per label. */
static void
decoy_hmac (GBytes     *secret,
            const char *label,
            const char *user,
            guint8      out[GSASL_HASH_SHA256_SIZE])
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, g_bytes_get_data (secret, NULL),
                                      g_bytes_get_size (secret));
  gsize length = GSASL_HASH_SHA256_SIZE;

  g_hmac_update (hmac, (const guchar *)label, strlen (label) + 1);
  g_hmac_update (hmac, (const guchar *)user, strlen (user));
  g_hmac_get_digest (hmac, out, &length);
}

/**
 * attendant_scram_credentials_new_decoy:
 * @like: (nullable): real credentials whose iteration count and salt
 *   length the decoy copies; %NULL for add-user's defaults
 * @secret: the server's secret key (see docs/server.md, "Unknown users")
 * @user: the unknown user name
 *
 * Credentials for a user that does not exist, so that a server answers an
 * unknown name exactly as a known one with a wrong password: the salt is
 * the same for every try (HMAC-SHA-256 of the name under @secret, where a
 * fresh random one would tell the name is unknown), the iteration count
 * and salt length are those of real users, and StoredKey and ServerKey
 * exist so the proof is checked as usual and fails. No PBKDF2 runs: a real
 * user's keys are read from the users file, so neither costs one.
 *
 * Returns: (transfer full): the decoy credentials
 */
AttendantScramCredentials *
attendant_scram_credentials_new_decoy (const AttendantScramCredentials *like,
                                       GBytes                          *secret,
                                       const char                      *user)
{
  AttendantScramCredentials *self;
  guint8 salt[GSASL_HASH_SHA256_SIZE];
  guint8 stored_key[GSASL_HASH_SHA256_SIZE];
  guint8 server_key[GSASL_HASH_SHA256_SIZE];
  gsize salt_len = 16;

  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  if (like != NULL)
    {
      g_autofree guchar *raw = g_base64_decode (like->salt, &salt_len);

      salt_len = CLAMP (salt_len, 8, sizeof salt);
    }

  decoy_hmac (secret, "salt", user, salt);
  decoy_hmac (secret, "stored-key", user, stored_key);
  decoy_hmac (secret, "server-key", user, server_key);

  self = g_new0 (AttendantScramCredentials, 1);
  self->iterations = like != NULL ? like->iterations : ATTENDANT_SCRAM_DEFAULT_ITERATIONS;
  self->salt = g_base64_encode (salt, salt_len);
  self->stored_key = g_base64_encode (stored_key, sizeof stored_key);
  self->server_key = g_base64_encode (server_key, sizeof server_key);

  return self;
}

guint
attendant_scram_credentials_get_iterations (const AttendantScramCredentials *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->iterations;
}

AttendantScramCredentials *
attendant_scram_credentials_copy (const AttendantScramCredentials *self)
{
  AttendantScramCredentials *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (AttendantScramCredentials, 1);
  copy->iterations = self->iterations;
  copy->salt = g_strdup (self->salt);
  copy->stored_key = g_strdup (self->stored_key);
  copy->server_key = g_strdup (self->server_key);

  return copy;
}

void
attendant_scram_credentials_free (AttendantScramCredentials *self)
{
  if (self == NULL)
    return;

  g_free (self->salt);
  g_free (self->stored_key);
  g_free (self->server_key);
  g_free (self);
}

static int
server_callback (Gsasl          *ctx,
                 Gsasl_session  *session,
                 Gsasl_property  prop)
{
  AttendantScram *self = gsasl_session_hook_get (session);
  g_autoptr(AttendantScramCredentials) credentials = NULL;
  const char *authid;
  g_autofree char *iter = NULL;

  if (prop != GSASL_SCRAM_ITER && prop != GSASL_SCRAM_SALT &&
      prop != GSASL_SCRAM_STOREDKEY && prop != GSASL_SCRAM_SERVERKEY)
    return GSASL_NO_CALLBACK;

  authid = gsasl_property_fast (session, GSASL_AUTHID);
  if (authid == NULL || self->lookup == NULL)
    return GSASL_NO_CALLBACK;

  g_free (self->user);
  self->user = g_strdup (authid);

  credentials = self->lookup (authid, self->lookup_data);
  if (credentials == NULL)
    {
      /* An unknown user still gets a plausible challenge, so the answer
       * does not tell who has an account; the proof then fails. */
      credentials = attendant_scram_credentials_new_from_password ("", ATTENDANT_SCRAM_DEFAULT_ITERATIONS, NULL);
      if (credentials == NULL)
        return GSASL_NO_CALLBACK;
    }

  iter = g_strdup_printf ("%u", credentials->iterations);
  gsasl_property_set (session, GSASL_SCRAM_ITER, iter);
  gsasl_property_set (session, GSASL_SCRAM_SALT, credentials->salt);
  gsasl_property_set (session, GSASL_SCRAM_STOREDKEY, credentials->stored_key);
  gsasl_property_set (session, GSASL_SCRAM_SERVERKEY, credentials->server_key);

  return GSASL_OK;
}

static void
attendant_scram_finalize (GObject *object)
{
  AttendantScram *self = (AttendantScram *)object;

  g_clear_pointer (&self->session, gsasl_finish);
  g_clear_pointer (&self->ctx, gsasl_done);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->password_digest, attendant_secret_free);

  G_OBJECT_CLASS (attendant_scram_parent_class)->finalize (object);
}

static void
attendant_scram_class_init (AttendantScramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = attendant_scram_finalize;
}

static void
attendant_scram_init (AttendantScram *self)
{
}

static AttendantScram *
scram_new (GError **error)
{
  g_autoptr(AttendantScram) self = g_object_new (ATTENDANT_TYPE_SCRAM, NULL);
  int rc = gsasl_init (&self->ctx);

  if (rc != GSASL_OK)
    {
      set_gsasl_error (error, rc, _("Could not initialize GNU SASL"));
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* GNU SASL asks for the SaltedPassword once the server's first message has
 * set GSASL_SCRAM_SALT and GSASL_SCRAM_ITER; without an answer it runs
 * PBKDF2 on GSASL_PASSWORD. */
static int
client_callback (Gsasl          *ctx,
                 Gsasl_session  *session,
                 Gsasl_property  prop)
{
  AttendantScram *self = gsasl_session_hook_get (session);
  const char *salt;
  const char *iterations;
  int rc = GSASL_NO_CALLBACK;

  if (prop != GSASL_SCRAM_SALTED_PASSWORD || self == NULL)
    return GSASL_NO_CALLBACK;

  salt = gsasl_property_fast (session, GSASL_SCRAM_SALT);
  iterations = gsasl_property_fast (session, GSASL_SCRAM_ITER);

  G_LOCK (salted_cache);
  if (salted_cache.salted_password != NULL &&
      g_strcmp0 (salted_cache.user, self->user) == 0 &&
      g_strcmp0 (salted_cache.password_digest, self->password_digest) == 0 &&
      g_strcmp0 (salted_cache.salt, salt) == 0 &&
      g_strcmp0 (salted_cache.iterations, iterations) == 0)
    {
      rc = gsasl_property_set (session, GSASL_SCRAM_SALTED_PASSWORD, salted_cache.salted_password);
      self->reused_secret = rc == GSASL_OK;
    }
  G_UNLOCK (salted_cache);

  return rc;
}

/* Called once the client has verified the server's signature: only a
 * secret that a server holding the right keys accepted is kept. */
static void
client_remember_secret (AttendantScram *self)
{
  const char *salted = gsasl_property_fast (self->session, GSASL_SCRAM_SALTED_PASSWORD);
  const char *salt = gsasl_property_fast (self->session, GSASL_SCRAM_SALT);
  const char *iterations = gsasl_property_fast (self->session, GSASL_SCRAM_ITER);

  if (salted == NULL || salt == NULL || iterations == NULL)
    return;

  G_LOCK (salted_cache);
  salted_cache_clear_locked ();
  salted_cache.user = g_strdup (self->user);
  salted_cache.password_digest = g_strdup (self->password_digest);
  salted_cache.salt = g_strdup (salt);
  salted_cache.iterations = g_strdup (iterations);
  salted_cache.salted_password = g_strdup (salted);
  G_UNLOCK (salted_cache);
}

AttendantScram *
attendant_scram_new_client (const char  *user,
                            const char  *password,
                            GError     **error)
{
  g_autoptr(AttendantScram) self = NULL;
  int rc;

  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  if (!(self = scram_new (error)))
    return NULL;

  rc = gsasl_client_start (self->ctx, MECHANISM, &self->session);
  if (rc != GSASL_OK)
    {
      set_gsasl_error (error, rc, _("Could not start SCRAM-SHA-256"));
      return NULL;
    }

  self->user = g_strdup (user);
  self->password_digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, password, -1);
  gsasl_callback_set (self->ctx, client_callback);
  gsasl_session_hook_set (self->session, self);
  gsasl_property_set (self->session, GSASL_AUTHID, user);
  gsasl_property_set (self->session, GSASL_PASSWORD, password);

  return g_steal_pointer (&self);
}

AttendantScram *
attendant_scram_new_server (AttendantScramLookup   lookup,
                            gpointer               user_data,
                            GError               **error)
{
  g_autoptr(AttendantScram) self = NULL;
  int rc;

  g_return_val_if_fail (lookup != NULL, NULL);

  if (!(self = scram_new (error)))
    return NULL;

  self->lookup = lookup;
  self->lookup_data = user_data;
  gsasl_callback_set (self->ctx, server_callback);

  rc = gsasl_server_start (self->ctx, MECHANISM, &self->session);
  if (rc != GSASL_OK)
    {
      set_gsasl_error (error, rc, _("Could not start SCRAM-SHA-256"));
      return NULL;
    }

  gsasl_session_hook_set (self->session, self);

  return g_steal_pointer (&self);
}

/* The server-first message (RFC 5802 §5.1) names the PBKDF2 iteration
 * count the client must spend. GNU SASL accepts any count. Too many, and a
 * hostile server makes the client compute for minutes on the main thread
 * (found by fuzz/fuzz-scram); too few, and the proof the client sends next
 * is cheap to guess the password from offline. Both are refused before any
 * key is derived or proof sent. */
static gboolean
check_iterations (const char  *input,
                  GError     **error)
{
  g_autofree guchar *raw = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) attributes = NULL;
  gsize len = 0;

  raw = g_base64_decode (input, &len);
  if (raw == NULL || len == 0)
    return TRUE;

  text = g_strndup ((const char *)raw, len);
  attributes = g_strsplit (text, ",", -1);
  for (guint i = 0; attributes[i]; i++)
    {
      guint64 count = 0;

      if (!g_str_has_prefix (attributes[i], "i="))
        continue;

      if (!g_ascii_string_to_unsigned (attributes[i] + 2, 10, 0, G_MAXUINT64, &count, NULL) ||
          count > ATTENDANT_SCRAM_MAX_ITERATIONS)
        {
          g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED,
                       _("The server asks for an iteration count that is not from %d to %d"),
                       ATTENDANT_SCRAM_MIN_ITERATIONS, ATTENDANT_SCRAM_MAX_ITERATIONS);
          return FALSE;
        }

      if (count < ATTENDANT_SCRAM_MIN_ITERATIONS)
        {
          g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INSECURE_SERVER,
                       /* TRANSLATORS: %s is a number from the server, %d is 4096 */
                       _("The server asks for only %s PBKDF2 iterations, fewer than the %d that "
                         "keep a password safe from whoever sees the login: it may not be the "
                         "real server, so the password was not used"),
                       attributes[i] + 2, ATTENDANT_SCRAM_MIN_ITERATIONS);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * attendant_scram_step:
 * @input: (nullable): the peer's last message, base64; %NULL or "" to begin
 * @done: (out): set when the exchange completed successfully
 *
 * Returns: (transfer full) (nullable): the message to send, base64 (may be
 *   "" when there is nothing to send); %NULL with @error when the exchange
 *   failed (for the server: the proof was wrong; for the client: the
 *   server's signature was wrong)
 */
char *
attendant_scram_step (AttendantScram  *self,
                      const char      *input,
                      gboolean        *done,
                      GError         **error)
{
  char *output = NULL;
  g_autofree char *result = NULL;
  int rc;

  g_return_val_if_fail (ATTENDANT_IS_SCRAM (self), NULL);
  g_return_val_if_fail (done != NULL, NULL);

  *done = FALSE;

  if (self->done)
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED,
                           _("The SCRAM exchange is already complete"));
      return NULL;
    }

  /* Only the client reads an iteration count from its peer. */
  if (self->lookup == NULL && input != NULL && !check_iterations (input, error))
    return NULL;

  rc = gsasl_step64 (self->session, input ? input : "", &output);
  result = g_strdup (output ? output : "");
  gsasl_free (output);

  if (rc == GSASL_OK)
    {
      self->done = TRUE;
      *done = TRUE;
      if (self->lookup == NULL)
        client_remember_secret (self);
      return g_steal_pointer (&result);
    }

  if (rc == GSASL_NEEDS_MORE)
    return g_steal_pointer (&result);

  set_gsasl_error (error, rc, _("Authentication failed"));
  return NULL;
}

/**
 * attendant_scram_get_user:
 *
 * Returns: (nullable): the user name: the one given (client) or the one the
 *   client claimed (server; authenticated only once a step reported done)
 */
const char *
attendant_scram_get_user (AttendantScram *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SCRAM (self), NULL);

  return self->user;
}

/**
 * attendant_scram_get_reused_secret:
 *
 * Returns: whether this client took its SaltedPassword from an earlier
 *   verified exchange with the same user, password, salt and iteration
 *   count instead of running PBKDF2 again (always %FALSE on the server)
 */
gboolean
attendant_scram_get_reused_secret (AttendantScram *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SCRAM (self), FALSE);

  return self->reused_secret;
}
