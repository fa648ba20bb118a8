/* attendant-test-resolver.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-resolver"

#include "config.h"

#include <string.h>

#include "attendant-test-resolver.h"

/* The seam for unit tests: a GResolver that answers from tables instead of
 * DNS, answers asynchronously like the real one, can fail or never answer,
 * and logs every query ("SRV name" / "A name") so tests can prove which
 * lookups were made and in what order. The real DNS path is exercised by
 * the lab suite against dnsmasq. */
struct _AttendantTestResolver
{
  GResolver   parent_instance;

  GHashTable *srv;        /* name → GPtrArray of GVariant (qqqs) */
  GHashTable *addresses;  /* host → GPtrArray of GInetAddress */
  GHashTable *errors;     /* name → GError */
  GHashTable *hangs;      /* name set */
  GPtrArray  *log;        /* char*, NULL-terminated */
};

G_DEFINE_FINAL_TYPE (AttendantTestResolver, attendant_test_resolver, G_TYPE_RESOLVER)

static char *
normalize (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  gsize len = strlen (lower);

  if (len > 1 && lower[len - 1] == '.')
    lower[len - 1] = '\0';

  return g_steal_pointer (&lower);
}

static void
log_query (AttendantTestResolver *self,
           const char            *kind,
           const char            *name)
{
  /* Keep the array NULL-terminated for get_log(). */
  g_ptr_array_remove_index (self->log, self->log->len - 1);
  g_ptr_array_add (self->log, g_strdup_printf ("%s %s", kind, name));
  g_ptr_array_add (self->log, NULL);
}

static void
return_cancelled (GCancellable *cancellable,
                  GTask        *task)
{
  g_task_return_error_if_cancelled (task);
}

static gboolean
maybe_fail_or_hang (AttendantTestResolver *self,
                    GTask                 *task,
                    const char            *name)
{
  const GError *error = g_hash_table_lookup (self->errors, name);

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return TRUE;
    }

  if (g_hash_table_contains (self->hangs, name))
    {
      /* Answer only when cancelled, like a dead DNS server would, so that
       * the caller's own timeout is what ends the wait. The handler holds
       * the task until the cancellable goes away. */
      GCancellable *cancellable = g_task_get_cancellable (task);

      g_assert (cancellable != NULL);
      /* g_cancellable_connect() also answers a lookup started with a
       * cancellable that is already cancelled. */
      g_cancellable_connect (cancellable, G_CALLBACK (return_cancelled),
                             g_object_ref (task), g_object_unref);
      return TRUE;
    }

  return FALSE;
}

static void
free_list_of_objects (gpointer data)
{
  g_list_free_full (data, g_object_unref);
}

static void
free_list_of_variants (gpointer data)
{
  g_list_free_full (data, (GDestroyNotify)g_variant_unref);
}

static void
lookup_by_name_async (GResolver           *resolver,
                      const char          *hostname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  AttendantTestResolver *self = ATTENDANT_TEST_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  g_autofree char *name = normalize (hostname);
  GPtrArray *found;
  GList *list = NULL;

  log_query (self, "A", name);

  if (maybe_fail_or_hang (self, task, name))
    return;

  found = g_hash_table_lookup (self->addresses, name);
  if (found == NULL)
    {
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                               "Error resolving “%s”: Name or service not known", name);
      return;
    }

  for (guint i = found->len; i > 0; i--)
    list = g_list_prepend (list, g_object_ref (found->pdata[i - 1]));

  g_task_return_pointer (task, list, free_list_of_objects);
}

static GList *
lookup_by_name_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lookup_records_async (GResolver           *resolver,
                      const char          *rrname,
                      GResolverRecordType  record_type,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  AttendantTestResolver *self = ATTENDANT_TEST_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  g_autofree char *name = normalize (rrname);
  GPtrArray *found;
  GList *list = NULL;

  g_assert (record_type == G_RESOLVER_RECORD_SRV);

  log_query (self, "SRV", name);

  if (maybe_fail_or_hang (self, task, name))
    return;

  found = g_hash_table_lookup (self->srv, name);
  if (found == NULL)
    {
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                               "No DNS record of the requested type for “%s”", name);
      return;
    }

  for (guint i = found->len; i > 0; i--)
    list = g_list_prepend (list, g_variant_ref (found->pdata[i - 1]));

  g_task_return_pointer (task, list, free_list_of_variants);
}

static GList *
lookup_records_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
attendant_test_resolver_finalize (GObject *object)
{
  AttendantTestResolver *self = (AttendantTestResolver *)object;

  g_clear_pointer (&self->srv, g_hash_table_unref);
  g_clear_pointer (&self->addresses, g_hash_table_unref);
  g_clear_pointer (&self->errors, g_hash_table_unref);
  g_clear_pointer (&self->hangs, g_hash_table_unref);
  g_clear_pointer (&self->log, g_ptr_array_unref);

  G_OBJECT_CLASS (attendant_test_resolver_parent_class)->finalize (object);
}

static void
attendant_test_resolver_class_init (AttendantTestResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = attendant_test_resolver_finalize;

  resolver_class->lookup_by_name_async = lookup_by_name_async;
  resolver_class->lookup_by_name_finish = lookup_by_name_finish;
  resolver_class->lookup_records_async = lookup_records_async;
  resolver_class->lookup_records_finish = lookup_records_finish;
}

static void
attendant_test_resolver_init (AttendantTestResolver *self)
{
  self->srv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)g_ptr_array_unref);
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)g_ptr_array_unref);
  self->errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_error_free);
  self->hangs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->log = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->log, NULL);
}

AttendantTestResolver *
attendant_test_resolver_new (void)
{
  return g_object_new (ATTENDANT_TYPE_TEST_RESOLVER, NULL);
}

/* target "" stands for the root target ".", as the stub resolver reports it. */
void
attendant_test_resolver_add_srv (AttendantTestResolver *self,
                                 const char            *rrname,
                                 const char            *target,
                                 guint16                port,
                                 guint16                priority,
                                 guint16                weight)
{
  g_autofree char *name = normalize (rrname);
  GPtrArray *records = g_hash_table_lookup (self->srv, name);

  if (records == NULL)
    {
      records = g_ptr_array_new_with_free_func ((GDestroyNotify)g_variant_unref);
      g_hash_table_insert (self->srv, g_strdup (name), records);
    }

  g_ptr_array_add (records,
                   g_variant_ref_sink (g_variant_new ("(qqqs)", priority, weight, port, target)));
}

void
attendant_test_resolver_add_address (AttendantTestResolver *self,
                                     const char            *host,
                                     const char            *address)
{
  g_autofree char *name = normalize (host);
  GPtrArray *list = g_hash_table_lookup (self->addresses, name);
  GInetAddress *inet = g_inet_address_new_from_string (address);

  g_assert (inet != NULL);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->addresses, g_strdup (name), list);
    }

  g_ptr_array_add (list, inet);
}

void
attendant_test_resolver_set_error (AttendantTestResolver *self,
                                   const char            *name,
                                   GResolverError         code,
                                   const char            *message)
{
  g_hash_table_insert (self->errors, normalize (name),
                       g_error_new_literal (G_RESOLVER_ERROR, code, message));
}

void
attendant_test_resolver_set_hang (AttendantTestResolver *self,
                                  const char            *name)
{
  g_hash_table_add (self->hangs, normalize (name));
}

/* Every query so far, oldest first: "SRV _iac._tcp.acme.com", "A acme.com". */
const char * const *
attendant_test_resolver_get_log (AttendantTestResolver *self)
{
  return (const char * const *)self->log->pdata;
}

guint
attendant_test_resolver_get_n_queries (AttendantTestResolver *self)
{
  return self->log->len - 1;
}
