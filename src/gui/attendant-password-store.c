/* attendant-password-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-password-store"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "attendant-password-store.h"
#include "attendant-secret.h"

/* "Remember password": the password goes to the Secret Service (the
 * desktop keyring), never to GSettings, under one item per server and
 * user name.
 *
 * The in-memory store is a test seam: the GUI tests run on a private
 * session bus where no keyring is unlocked (gnome-keyring-daemon there
 * asks a prompter for the login keyring's password, which needs a
 * display of its own), so they install an in-memory store as the default
 * and check what the window saved, found and cleared. Only the three
 * libsecret calls below are not covered by them. */

struct _AttendantPasswordStore
{
  GObject     parent_instance;

  GHashTable *memory;  /* "server\nuser" → password, or NULL for libsecret */
};

G_DEFINE_FINAL_TYPE (AttendantPasswordStore, attendant_password_store, G_TYPE_OBJECT)

static AttendantPasswordStore *default_store;

static const SecretSchema *
password_schema (void)
{
  static const SecretSchema schema = {
    "io.github.attendant.Attendant.Password", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

AttendantPasswordStore *
attendant_password_store_new (void)
{
  return g_object_new (ATTENDANT_TYPE_PASSWORD_STORE, NULL);
}

AttendantPasswordStore *
attendant_password_store_new_in_memory (void)
{
  AttendantPasswordStore *self = attendant_password_store_new ();

  self->memory = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)attendant_secret_free);
  return self;
}

/**
 * attendant_password_store_get_default:
 *
 * Returns: (transfer none): the store the windows use, libsecret's unless
 *   a test installed another one
 */
AttendantPasswordStore *
attendant_password_store_get_default (void)
{
  if (default_store == NULL)
    default_store = attendant_password_store_new ();

  return default_store;
}

void
attendant_password_store_set_default (AttendantPasswordStore *store)
{
  g_return_if_fail (store == NULL || ATTENDANT_IS_PASSWORD_STORE (store));

  g_set_object (&default_store, store);
}

static char *
memory_key (const char *server,
            const char *user)
{
  return g_strconcat (server, "\n", user, NULL);
}

/* For tests: what the in-memory store holds. */
char *
attendant_password_store_peek (AttendantPasswordStore *self,
                               const char             *server,
                               const char             *user)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (ATTENDANT_IS_PASSWORD_STORE (self), NULL);
  g_return_val_if_fail (self->memory != NULL, NULL);

  key = memory_key (server, user);
  return g_strdup (g_hash_table_lookup (self->memory, key));
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
attendant_password_store_save_async (AttendantPasswordStore *self,
                                     const char             *server,
                                     const char             *user,
                                     const char             *password,
                                     GCancellable           *cancellable,
                                     GAsyncReadyCallback     callback,
                                     gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (ATTENDANT_IS_PASSWORD_STORE (self));
  g_return_if_fail (server != NULL && user != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_password_store_save_async);

  if (self->memory != NULL)
    {
      g_hash_table_replace (self->memory, memory_key (server, user), g_strdup (password));
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* TRANSLATORS: the keyring item's name; the user name and the server */
  label = g_strdup_printf (_("Attendant password for %s on %s"), user, server);
  secret_password_store (password_schema (), SECRET_COLLECTION_DEFAULT, label, password,
                         cancellable, store_cb, g_steal_pointer (&task),
                         "server", server, "user", user, NULL);
}

gboolean
attendant_password_store_save_finish (AttendantPasswordStore  *self,
                                      GAsyncResult            *result,
                                      GError                 **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *password = secret_password_lookup_finish (result, &error);

  /* Copied, so that callers free (and wipe) what either store returns the
   * same way: attendant_secret_free(). */
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_strdup (password), (GDestroyNotify)attendant_secret_free);
  secret_password_free (password);
}

void
attendant_password_store_lookup_async (AttendantPasswordStore *self,
                                       const char             *server,
                                       const char             *user,
                                       GCancellable           *cancellable,
                                       GAsyncReadyCallback     callback,
                                       gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ATTENDANT_IS_PASSWORD_STORE (self));
  g_return_if_fail (server != NULL && user != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_password_store_lookup_async);

  if (self->memory != NULL)
    {
      g_autofree char *key = memory_key (server, user);

      g_task_return_pointer (task, g_strdup (g_hash_table_lookup (self->memory, key)),
                             (GDestroyNotify)attendant_secret_free);
      return;
    }

  secret_password_lookup (password_schema (), cancellable, lookup_cb, g_steal_pointer (&task),
                          "server", server, "user", user, NULL);
}

/* Returns: (nullable): the password, or %NULL when none is stored */
char *
attendant_password_store_lookup_finish (AttendantPasswordStore  *self,
                                        GAsyncResult            *result,
                                        GError                 **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error: there was nothing to remove. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
attendant_password_store_clear_async (AttendantPasswordStore *self,
                                      const char             *server,
                                      const char             *user,
                                      GCancellable           *cancellable,
                                      GAsyncReadyCallback     callback,
                                      gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ATTENDANT_IS_PASSWORD_STORE (self));
  g_return_if_fail (server != NULL && user != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_password_store_clear_async);

  if (self->memory != NULL)
    {
      g_autofree char *key = memory_key (server, user);

      g_hash_table_remove (self->memory, key);
      g_task_return_boolean (task, TRUE);
      return;
    }

  secret_password_clear (password_schema (), cancellable, clear_cb, g_steal_pointer (&task),
                         "server", server, "user", user, NULL);
}

gboolean
attendant_password_store_clear_finish (AttendantPasswordStore  *self,
                                       GAsyncResult            *result,
                                       GError                 **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
attendant_password_store_finalize (GObject *object)
{
  AttendantPasswordStore *self = ATTENDANT_PASSWORD_STORE (object);

  g_clear_pointer (&self->memory, g_hash_table_unref);

  G_OBJECT_CLASS (attendant_password_store_parent_class)->finalize (object);
}

static void
attendant_password_store_class_init (AttendantPasswordStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = attendant_password_store_finalize;
}

static void
attendant_password_store_init (AttendantPasswordStore *self)
{
}
