/* attendant-users.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-users"

#include "config.h"

#include <string.h>
#include <sys/random.h>

#include "attendant-secret.h"
#include "attendant-server-config.h"
#include "attendant-users.h"

/* The users file: a GKeyFile with a [user NAME] group per user, holding
 * what SCRAM needs to check a proof (salt, iterations, StoredKey,
 * ServerKey) and never the password (docs/server.md, docs/protocol.md §2.2). It
 * is written by `attendant-server add-user` only, with mode 0600: the keys
 * do not let anyone log in, but they do allow an offline guess of the
 * password. */

struct _AttendantUsers
{
  GObject     parent_instance;

  char       *path;
  GPtrArray  *users;
  GBytes     *decoy_secret;   /* keys the unknown users' credentials */
};

/* [unknown-users] secret=: see attendant_users_lookup_credentials(). */
#define SECRET_GROUP "unknown-users"
#define SECRET_KEY   "secret"
#define SECRET_BYTES 32

G_DEFINE_FINAL_TYPE (AttendantUsers, attendant_users, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GKeyFile puts the "#" in front of every line. */
#define USERS_HEADER \
  " Attendant users, written by “attendant-server add-user”.\n" \
  " SCRAM-SHA-256 keys only (RFC 5802 §3): no password is stored here."

static void
user_free (gpointer data)
{
  AttendantUser *user = data;

  g_free (user->name);
  g_free (user->display_name);
  g_free (user->extension);
  g_clear_pointer (&user->credentials, attendant_scram_credentials_free);
  g_free (user);
}

static void
attendant_users_finalize (GObject *object)
{
  AttendantUsers *self = (AttendantUsers *)object;

  g_free (self->path);
  g_clear_pointer (&self->users, g_ptr_array_unref);
  g_clear_pointer (&self->decoy_secret, g_bytes_unref);

  G_OBJECT_CLASS (attendant_users_parent_class)->finalize (object);
}

static void
attendant_users_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AttendantUsers *self = ATTENDANT_USERS (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_users_class_init (AttendantUsersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = attendant_users_finalize;
  object_class->get_property = attendant_users_get_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_users_init (AttendantUsers *self)
{
  self->users = g_ptr_array_new_with_free_func (user_free);
}

/* SCRAM escapes "," and "=" in user names (RFC 5802 §5.1) and SASLprep
 * folds look-alikes; a conservative alphabet keeps the name the user types
 * the name that is looked up. */
gboolean
attendant_user_name_is_valid (const char *name)
{
  gsize len;

  if (name == NULL)
    return FALSE;

  len = strlen (name);
  if (len == 0 || len > 64)
    return FALSE;

  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-' && *p != '@')
      return FALSE;

  return TRUE;
}

static gboolean
is_extension (const char *text)
{
  gsize len = strlen (text);

  if (len == 0 || len > 8)
    return FALSE;

  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return TRUE;
}

static gboolean
load_secret (AttendantUsers    *self,
             AttendantKeyFile  *kf,
             GError           **error)
{
  GKeyFile *key_file = attendant_key_file_get_key_file (kf);
  g_auto(GStrv) keys = g_key_file_get_keys (key_file, SECRET_GROUP, NULL, NULL);
  g_autofree char *text = NULL;
  guchar *raw;
  gsize length = 0;

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (!g_str_equal (keys[i], SECRET_KEY))
      return attendant_key_file_fail (kf, SECRET_GROUP, keys[i], error, "unknown key “%s” in [%s]",
                                      keys[i], SECRET_GROUP);

  text = g_key_file_get_string (key_file, SECRET_GROUP, SECRET_KEY, NULL);
  raw = text != NULL ? g_base64_decode (g_strstrip (text), &length) : NULL;
  if (length < SECRET_BYTES)
    {
      attendant_secret_wipe (raw, length);
      g_free (raw);
      return attendant_key_file_fail (kf, SECRET_GROUP, text != NULL ? SECRET_KEY : NULL, error,
                                      "[%s] needs secret= (base64 of at least %u bytes; "
                                      "“attendant-server add-user” writes one)",
                                      SECRET_GROUP, SECRET_BYTES);
    }

  attendant_secret_wipe (text, strlen (text));
  g_clear_pointer (&self->decoy_secret, g_bytes_unref);
  self->decoy_secret = g_bytes_new_take (raw, length);
  return TRUE;
}

/* A users file without [unknown-users] (written by hand, or by a version
 * before it) still gets a secret that is the same on every node that reads
 * the file and after every restart: one derived from the users' keys,
 * which the file's mode keeps secret. Unlike a written one, it changes
 * whenever a user is added, removed or given a new password. */
static void
derive_secret (AttendantUsers *self)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[SECRET_BYTES];
  gsize length = sizeof digest;

  g_checksum_update (checksum, (const guchar *)"attendant unknown-users", sizeof "attendant unknown-users");
  for (guint i = 0; i < self->users->len; i++)
    {
      const AttendantUser *user = g_ptr_array_index (self->users, i);
      g_autofree char *text = attendant_scram_credentials_to_string (user->credentials);

      g_checksum_update (checksum, (const guchar *)text, strlen (text) + 1);
      attendant_secret_wipe (text, strlen (text));
    }
  g_checksum_get_digest (checksum, digest, &length);
  self->decoy_secret = g_bytes_new (digest, length);
  attendant_secret_wipe (digest, sizeof digest);
}

/**
 * attendant_users_new_from_file:
 *
 * Returns: (transfer full): the users, or %NULL with an
 *   %ATTENDANT_SERVER_CONFIG_ERROR naming the file and line at fault
 */
AttendantUsers *
attendant_users_new_from_file (const char  *path,
                               GError     **error)
{
  g_autoptr(AttendantUsers) self = NULL;
  g_autoptr(AttendantKeyFile) kf = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) groups = NULL;
  GKeyFile *key_file;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!attendant_secret_check_file_mode (path, &local_error) ||
      !g_file_get_contents (path, &contents, &length, &local_error))
    {
      /* The mode check's message names the file already. */
      g_set_error (error, ATTENDANT_SERVER_CONFIG_ERROR, ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
                   "%s%s%s", local_error->domain == G_FILE_ERROR ? path : "",
                   local_error->domain == G_FILE_ERROR ? ": " : "", local_error->message);
      return NULL;
    }

  if (!(kf = attendant_key_file_load (contents, length, path, error)))
    return NULL;

  self = g_object_new (ATTENDANT_TYPE_USERS, NULL);
  self->path = g_strdup (path);
  key_file = attendant_key_file_get_key_file (kf);
  groups = g_key_file_get_groups (key_file, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      static const char * const known[] = { "credentials", "display-name", "extension", NULL };
      const char *group = groups[i];
      const char *name = group + strlen ("user ");
      g_auto(GStrv) keys = NULL;
      g_autofree char *text = NULL;
      AttendantUser *user;

      if (g_str_equal (group, SECRET_GROUP))
        {
          if (!load_secret (self, kf, error))
            return NULL;
          continue;
        }

      if (!g_str_has_prefix (group, "user ") || !attendant_user_name_is_valid (name))
        {
          attendant_key_file_fail (kf, group, NULL, error,
                                   "expected [user NAME] (NAME: up to 64 letters, digits, “.-_@”)");
          return NULL;
        }

      keys = g_key_file_get_keys (key_file, group, NULL, NULL);
      for (guint j = 0; keys[j] != NULL; j++)
        if (!g_strv_contains (known, keys[j]))
          {
            attendant_key_file_fail (kf, group, keys[j], error, "unknown key “%s” in [%s]",
                                     keys[j], group);
            return NULL;
          }

      user = g_new0 (AttendantUser, 1);
      user->name = g_strdup (name);
      g_ptr_array_add (self->users, user);

      if (!(text = g_key_file_get_string (key_file, group, "credentials", NULL)))
        {
          attendant_key_file_fail (kf, group, NULL, error, "[%s] has no credentials=", group);
          return NULL;
        }

      if (!(user->credentials = attendant_scram_credentials_parse (g_strstrip (text), &local_error)))
        {
          attendant_key_file_fail (kf, group, "credentials", error, "credentials: %s",
                                   local_error->message);
          return NULL;
        }

      user->display_name = g_key_file_get_string (key_file, group, "display-name", NULL);
      if (user->display_name == NULL || g_strstrip (user->display_name)[0] == '\0')
        {
          g_free (user->display_name);
          user->display_name = g_strdup (name);
        }

      user->extension = g_key_file_get_string (key_file, group, "extension", NULL);
      if (user->extension != NULL && !is_extension (g_strstrip (user->extension)))
        {
          attendant_key_file_fail (kf, group, "extension", error,
                                   "extension: “%s” is not an extension number (1–8 digits)",
                                   user->extension);
          return NULL;
        }
    }

  if (self->decoy_secret == NULL)
    derive_secret (self);

  return g_steal_pointer (&self);
}

const char *
attendant_users_get_path (AttendantUsers *self)
{
  g_return_val_if_fail (ATTENDANT_IS_USERS (self), NULL);

  return self->path;
}

/**
 * attendant_users_lookup:
 *
 * Returns: (transfer none) (nullable): the user called @name
 */
const AttendantUser *
attendant_users_lookup (AttendantUsers *self,
                        const char     *name)
{
  g_return_val_if_fail (ATTENDANT_IS_USERS (self), NULL);

  if (name == NULL)
    return NULL;

  for (guint i = 0; i < self->users->len; i++)
    {
      const AttendantUser *user = g_ptr_array_index (self->users, i);

      if (g_str_equal (user->name, name))
        return user;
    }

  return NULL;
}

/**
 * attendant_users_lookup_credentials:
 * @name: the name a client logs in with
 *
 * What SCRAM needs for @name. For a name that is no user, decoy credentials
 * (attendant_scram_credentials_new_decoy()) under the file's secret, with
 * the first user's iteration count and salt length: the client gets the
 * same salt on every try and a challenge of the same form, the proof is
 * checked against keys that no password matches, and no PBKDF2 runs for
 * either, so neither the answer nor its time tells whether the name exists.
 *
 * Returns: (transfer full): the credentials, never %NULL
 */
AttendantScramCredentials *
attendant_users_lookup_credentials (AttendantUsers *self,
                                    const char     *name)
{
  const AttendantUser *user;
  const AttendantUser *first;
  g_autoptr(AttendantScramCredentials) decoy = NULL;

  g_return_val_if_fail (ATTENDANT_IS_USERS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  /* Made for every name, known or not, so that both cost the same three
   * HMACs (a few microseconds that many samples could otherwise tell). */
  first = self->users->len > 0 ? g_ptr_array_index (self->users, 0) : NULL;
  decoy = attendant_scram_credentials_new_decoy (first != NULL ? first->credentials : NULL,
                                                 self->decoy_secret, name);

  if ((user = attendant_users_lookup (self, name)) != NULL)
    return attendant_scram_credentials_copy (user->credentials);

  return g_steal_pointer (&decoy);
}

/**
 * attendant_users_get_all:
 *
 * Returns: (transfer none) (element-type AttendantUser):
 */
GPtrArray *
attendant_users_get_all (AttendantUsers *self)
{
  g_return_val_if_fail (ATTENDANT_IS_USERS (self), NULL);

  return self->users;
}

/**
 * attendant_users_add_to_file:
 * @display_name: (nullable):
 * @extension: (nullable):
 *
 * Adds a user to the file at @path, or replaces the user's entry, creating
 * the file if needed. Only attendant_scram_credentials_to_string() of
 * @password is written.
 */
gboolean
attendant_users_add_to_file (const char  *path,
                             const char  *name,
                             const char  *display_name,
                             const char  *extension,
                             const char  *password,
                             guint        iterations,
                             GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(AttendantScramCredentials) credentials = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *group = NULL;
  g_autofree char *text = NULL;
  g_autofree char *data = NULL;
  gboolean new_file;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (!attendant_user_name_is_valid (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a user name (up to 64 letters, digits, “.-_@”)", name);
      return FALSE;
    }

  if (extension != NULL && !is_extension (extension))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an extension number (1–8 digits)", extension);
      return FALSE;
    }

  if (password[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "The password is empty");
      return FALSE;
    }

  /* The file's reader and every client refuse other counts. */
  if (iterations < ATTENDANT_SCRAM_MIN_ITERATIONS || iterations > ATTENDANT_SCRAM_MAX_ITERATIONS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The iteration count must be from %d to %d", ATTENDANT_SCRAM_MIN_ITERATIONS,
                   ATTENDANT_SCRAM_MAX_ITERATIONS);
      return FALSE;
    }

  new_file = !g_file_test (path, G_FILE_TEST_EXISTS);
  if (!new_file)
    {
      /* Refuse to rewrite a file we could not read back afterwards. */
      g_autoptr(AttendantUsers) existing = attendant_users_new_from_file (path, error);

      if (existing == NULL)
        return FALSE;

      if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_KEEP_COMMENTS, error))
        return FALSE;
    }

  credentials = attendant_scram_credentials_new_from_password (password, iterations, error);
  if (credentials == NULL)
    return FALSE;

  group = g_strconcat ("user ", name, NULL);
  g_key_file_remove_group (key_file, group, NULL);
  text = attendant_scram_credentials_to_string (credentials);
  g_key_file_set_string (key_file, group, "credentials", text);
  g_key_file_set_string (key_file, group, "display-name",
                         display_name != NULL && display_name[0] != '\0' ? display_name : name);
  if (extension != NULL)
    g_key_file_set_string (key_file, group, "extension", extension);
  if (new_file)
    g_key_file_set_comment (key_file, NULL, NULL, USERS_HEADER, NULL);
  if (!g_key_file_has_key (key_file, SECRET_GROUP, SECRET_KEY, NULL))
    {
      guint8 secret[SECRET_BYTES];
      g_autofree char *encoded = NULL;

      if (getrandom (secret, sizeof secret, 0) != sizeof secret)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "Could not make a secret for unknown users");
          return FALSE;
        }
      encoded = g_base64_encode (secret, sizeof secret);
      attendant_secret_wipe (secret, sizeof secret);
      g_key_file_set_string (key_file, SECRET_GROUP, SECRET_KEY, encoded);
      g_key_file_set_comment (key_file, SECRET_GROUP, NULL,
                              " Keys the answers to user names that do not exist, so they look\n"
                              " like those to names that do. Keep it, and this file, secret.", NULL);
      attendant_secret_wipe (encoded, strlen (encoded));
    }

  data = g_key_file_to_data (key_file, &length, NULL);
  if (!g_file_set_contents_full (path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      attendant_secret_wipe (data, length);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  attendant_secret_wipe (data, length);

  return TRUE;
}
