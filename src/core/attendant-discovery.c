/* attendant-discovery.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-discovery"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "attendant-discovery.h"
#include "attendant-enum-types.h"
#include "attendant-plan-private.h"
#include "attendant-srv-order.h"

/* Turns a parsed server input into a plan (docs/architecture.md, "Rules of
 * discovery and connection"). Only the SRV query is made here; the A/AAAA
 * lookups of the endpoints are left to the connector, which makes each one
 * only when it reaches that endpoint. Nothing is cached: each call queries DNS afresh. */
struct _AttendantDiscovery
{
  GObject                 parent_instance;

  GResolver              *resolver;
  GRand                  *rand;
  AttendantTransport      transport;
  AttendantPriorityOrder  order;
  guint                   timeout;
};

/* An SRV answer fits in 64 KiB, so it can hold a few thousand records;
 * none of this is needed for a real cluster, but a hostile zone must not
 * make the ordering slow (it is quadratic within a priority) or the weight
 * sum overflow. */
#define MAX_USABLE_RECORDS 1024

G_DEFINE_FINAL_TYPE (AttendantDiscovery, attendant_discovery, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RESOLVER,
  PROP_TRANSPORT,
  PROP_PRIORITY_ORDER,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  AttendantPlan *plan;
  GPtrArray     *node_list;
  GCancellable  *lookup_cancellable;
  GSource       *timeout_source;
} Discover;

static void
discover_free (Discover *state)
{
  g_clear_object (&state->plan);
  g_clear_pointer (&state->node_list, g_ptr_array_unref);
  g_clear_object (&state->lookup_cancellable);
  if (state->timeout_source != NULL)
    {
      g_source_destroy (state->timeout_source);
      g_clear_pointer (&state->timeout_source, g_source_unref);
    }
  g_free (state);
}

static void
attendant_discovery_dispose (GObject *object)
{
  AttendantDiscovery *self = (AttendantDiscovery *)object;

  g_clear_object (&self->resolver);

  G_OBJECT_CLASS (attendant_discovery_parent_class)->dispose (object);
}

static void
attendant_discovery_finalize (GObject *object)
{
  AttendantDiscovery *self = (AttendantDiscovery *)object;

  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (attendant_discovery_parent_class)->finalize (object);
}

static void
attendant_discovery_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  AttendantDiscovery *self = ATTENDANT_DISCOVERY (object);

  switch (prop_id)
    {
    case PROP_RESOLVER:
      g_value_set_object (value, self->resolver);
      break;

    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;

    case PROP_PRIORITY_ORDER:
      g_value_set_enum (value, self->order);
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_discovery_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  AttendantDiscovery *self = ATTENDANT_DISCOVERY (object);

  switch (prop_id)
    {
    case PROP_RESOLVER:
      self->resolver = g_value_dup_object (value);
      if (self->resolver == NULL)
        self->resolver = g_resolver_get_default ();
      break;

    case PROP_TRANSPORT:
      attendant_discovery_set_transport (self, g_value_get_enum (value));
      break;

    case PROP_PRIORITY_ORDER:
      attendant_discovery_set_priority_order (self, g_value_get_enum (value));
      break;

    case PROP_TIMEOUT:
      attendant_discovery_set_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_discovery_class_init (AttendantDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_discovery_dispose;
  object_class->finalize = attendant_discovery_finalize;
  object_class->get_property = attendant_discovery_get_property;
  object_class->set_property = attendant_discovery_set_property;

  properties[PROP_RESOLVER] =
    g_param_spec_object ("resolver", NULL, NULL,
                         G_TYPE_RESOLVER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL,
                       ATTENDANT_TYPE_TRANSPORT, ATTENDANT_TRANSPORT_TLS,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PRIORITY_ORDER] =
    g_param_spec_enum ("priority-order", NULL, NULL,
                       ATTENDANT_TYPE_PRIORITY_ORDER,
                       ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, 60, 5,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_discovery_init (AttendantDiscovery *self)
{
  self->rand = g_rand_new ();
  self->transport = ATTENDANT_TRANSPORT_TLS;
  self->order = ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST;
  self->timeout = 5;
}

/**
 * attendant_discovery_new:
 * @resolver: (nullable): the resolver to query, or %NULL for the default
 */
AttendantDiscovery *
attendant_discovery_new (GResolver *resolver)
{
  g_return_val_if_fail (resolver == NULL || G_IS_RESOLVER (resolver), NULL);

  return g_object_new (ATTENDANT_TYPE_DISCOVERY, "resolver", resolver, NULL);
}

GResolver *
attendant_discovery_get_resolver (AttendantDiscovery *self)
{
  g_return_val_if_fail (ATTENDANT_IS_DISCOVERY (self), NULL);
  return self->resolver;
}

AttendantTransport
attendant_discovery_get_transport (AttendantDiscovery *self)
{
  g_return_val_if_fail (ATTENDANT_IS_DISCOVERY (self), 0);
  return self->transport;
}

void
attendant_discovery_set_transport (AttendantDiscovery *self,
                                   AttendantTransport  transport)
{
  g_return_if_fail (ATTENDANT_IS_DISCOVERY (self));

  if (self->transport != transport)
    {
      self->transport = transport;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSPORT]);
    }
}

AttendantPriorityOrder
attendant_discovery_get_priority_order (AttendantDiscovery *self)
{
  g_return_val_if_fail (ATTENDANT_IS_DISCOVERY (self), 0);
  return self->order;
}

void
attendant_discovery_set_priority_order (AttendantDiscovery     *self,
                                        AttendantPriorityOrder  order)
{
  g_return_if_fail (ATTENDANT_IS_DISCOVERY (self));

  if (self->order != order)
    {
      self->order = order;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIORITY_ORDER]);
    }
}

guint
attendant_discovery_get_timeout (AttendantDiscovery *self)
{
  g_return_val_if_fail (ATTENDANT_IS_DISCOVERY (self), 0);
  return self->timeout;
}

/**
 * attendant_discovery_set_timeout:
 * @seconds: how long the SRV query may take, 1–60
 *
 * A query not answered in time counts as failed, so that a dead DNS
 * server cannot stall login for the stub resolver's own minutes.
 */
void
attendant_discovery_set_timeout (AttendantDiscovery *self,
                                 guint               seconds)
{
  g_return_if_fail (ATTENDANT_IS_DISCOVERY (self));
  g_return_if_fail (seconds >= 1 && seconds <= 60);

  if (self->timeout != seconds)
    {
      self->timeout = seconds;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
    }
}

/* Makes the weighted random order repeatable, for tests only. */
void
attendant_discovery_set_random_start (AttendantDiscovery *self,
                                      guint32             start)
{
  g_return_if_fail (ATTENDANT_IS_DISCOVERY (self));

  g_rand_set_seed (self->rand, start);
}

static void
append_node_list (AttendantPlan *plan,
                  GPtrArray     *node_list)
{
  if (node_list == NULL)
    return;

  for (guint i = 0; i < node_list->len; i++)
    {
      AttendantEndpoint *node = node_list->pdata[i];
      gboolean seen = FALSE;

      for (guint j = 0; j < attendant_plan_get_n_endpoints (plan); j++)
        seen |= attendant_endpoint_equal (node, attendant_plan_get_endpoint (plan, j));

      if (!seen)
        {
          g_autoptr(AttendantEndpoint) copy =
            attendant_endpoint_new (attendant_endpoint_get_host (node),
                                    attendant_endpoint_get_port (node),
                                    0, 0, ATTENDANT_ENDPOINT_ORIGIN_NODE_LIST);
          _attendant_plan_append (plan, copy);
        }
    }
}

static void
return_fallback (GTask                    *task,
                 AttendantDiscoveryResult  result,
                 const char               *message)
{
  AttendantDiscovery *self = g_task_get_source_object (task);
  Discover *state = g_task_get_task_data (task);
  AttendantPlan *plan = state->plan;
  g_autoptr(AttendantEndpoint) fallback = NULL;

  _attendant_plan_set_method (plan, ATTENDANT_DISCOVERY_METHOD_FALLBACK);
  _attendant_plan_set_result (plan, result, message);

  /* The Notes of Imagicle's SRV guide (docs/dns.md): if the SRV query fails,
   * connect to the domain itself on the default port. */
  fallback = attendant_endpoint_new (attendant_plan_get_domain (plan),
                                     attendant_transport_default_port (self->transport),
                                     0, 0, ATTENDANT_ENDPOINT_ORIGIN_FALLBACK);
  _attendant_plan_append (plan, fallback);
  append_node_list (plan, state->node_list);

  g_task_return_pointer (task, g_object_ref (plan), g_object_unref);
}

static GSrvTarget *
srv_target_from_variant (GVariant *record)
{
  guint16 priority, weight, port;
  const char *target;
  g_autofree char *name = NULL;
  gsize len;

  g_variant_get (record, "(qqq&s)", &priority, &weight, &port, &target);

  /* The root target "." reaches us as "" from the stub resolver; keep "."
   * so that it reads as what the zone file said. Other names lose their
   * trailing dot, as host names in the rest of the program have none. */
  name = g_strdup (target);
  len = strlen (name);
  if (len > 1 && name[len - 1] == '.')
    name[len - 1] = '\0';
  if (name[0] == '\0')
    {
      g_free (name);
      name = g_strdup (".");
    }

  return g_srv_target_new (name, port, priority, weight);
}

static gboolean
srv_target_is_root (GSrvTarget *target)
{
  return g_str_equal (g_srv_target_get_hostname (target), ".");
}

/* Returns a copy of @target to put in the plan, or %NULL when it cannot be
 * used: port 0 cannot be connected to; a target that is not a host name
 * (DNS carries any bytes) is refused by the same rules as typed input, so
 * nothing odd reaches the connector, the UI or TLS; a record repeated in
 * the answer would only double its chance of being tried first. */
static GSrvTarget *
srv_target_check (GSrvTarget *target,
                  GHashTable *seen)
{
  g_autoptr(AttendantServerSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  const char *host;
  char *key;

  if (g_srv_target_get_port (target) == 0)
    {
      g_debug ("SRV target %s has port 0; ignored", g_srv_target_get_hostname (target));
      return NULL;
    }

  spec = attendant_server_spec_parse (g_srv_target_get_hostname (target), &error);
  if (spec == NULL || attendant_server_spec_get_port (spec) != 0)
    {
      g_autofree char *escaped = g_strescape (g_srv_target_get_hostname (target), NULL);

      g_debug ("SRV target “%s” is not a host name; ignored", escaped);
      return NULL;
    }

  host = attendant_server_spec_get_host (spec);
  key = g_strdup_printf ("%s|%u", host, g_srv_target_get_port (target));
  if (!g_hash_table_add (seen, key))
    {
      g_debug ("SRV target %s:%u repeated; tried once", host, g_srv_target_get_port (target));
      return NULL;
    }

  return g_srv_target_new (host, g_srv_target_get_port (target),
                           g_srv_target_get_priority (target),
                           g_srv_target_get_weight (target));
}

static void
lookup_records_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AttendantDiscovery *self = g_task_get_source_object (task);
  Discover *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autolist(GVariant) records = NULL;
  g_autoptr(GPtrArray) received = NULL;
  g_autoptr(GPtrArray) usable = NULL;
  g_autoptr(GPtrArray) ordered = NULL;
  g_autoptr(GHashTable) seen = NULL;
  gboolean saw_root = FALSE;

  /* Already answered by the timeout or a cancellation. */
  if (g_task_get_completed (task) || state->timeout_source == NULL)
    return;

  g_source_destroy (state->timeout_source);
  g_clear_pointer (&state->timeout_source, g_source_unref);

  records = g_resolver_lookup_records_finish (G_RESOLVER (object), result, &error);

  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
        return_fallback (task, ATTENDANT_DISCOVERY_RESULT_NOT_FOUND, error->message);
      else
        return_fallback (task, ATTENDANT_DISCOVERY_RESULT_FAILED, error->message);
      return;
    }

  received = g_ptr_array_new_with_free_func ((GDestroyNotify)g_srv_target_free);
  usable = g_ptr_array_new_with_free_func ((GDestroyNotify)g_srv_target_free);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (const GList *l = records; l; l = l->next)
    {
      GSrvTarget *target = srv_target_from_variant (l->data);
      GSrvTarget *checked;

      g_ptr_array_add (received, target);

      if (srv_target_is_root (target))
        {
          saw_root = TRUE;
          continue;
        }

      checked = srv_target_check (target, seen);
      if (checked == NULL)
        continue;

      /* Past this many, a hostile or broken zone is only making the
       * weighted draw slower; the records kept are the first received. */
      if (usable->len == MAX_USABLE_RECORDS)
        {
          g_debug ("%s: more than %d usable SRV records; the rest are ignored",
                   attendant_plan_get_query (state->plan), MAX_USABLE_RECORDS);
          g_srv_target_free (checked);
          break;
        }

      g_ptr_array_add (usable, checked);
    }

  ordered = attendant_srv_order (usable, self->order, self->rand);
  _attendant_plan_take_records (state->plan, g_ptr_array_ref (received));

  if (ordered->len == 0 && saw_root)
    {
      g_autofree char *message =
        g_strdup_printf (_("The service is decidedly not available at %s "
                           "(its SRV record has the target “.”)"),
                         attendant_plan_get_domain (state->plan));

      _attendant_plan_set_result (state->plan, ATTENDANT_DISCOVERY_RESULT_UNAVAILABLE, message);
      g_task_return_pointer (task, g_object_ref (state->plan), g_object_unref);
      return;
    }

  if (ordered->len == 0)
    {
      return_fallback (task, ATTENDANT_DISCOVERY_RESULT_FAILED,
                       _("The SRV answer has no usable record "
                         "(every one has port 0 or a target that is not a host name)"));
      return;
    }

  /* An answered SRV query is the whole plan: no fallback, no node list
   * (docs/architecture.md). */
  _attendant_plan_set_result (state->plan, ATTENDANT_DISCOVERY_RESULT_ANSWERED, NULL);
  if (ordered->len > ATTENDANT_DISCOVERY_MAX_SRV_ENDPOINTS)
    g_debug ("%s: %u usable SRV records; the plan keeps the first %d in policy order",
             attendant_plan_get_query (state->plan), ordered->len,
             ATTENDANT_DISCOVERY_MAX_SRV_ENDPOINTS);
  for (guint i = 0; i < MIN (ordered->len, ATTENDANT_DISCOVERY_MAX_SRV_ENDPOINTS); i++)
    {
      g_autoptr(AttendantEndpoint) endpoint = attendant_endpoint_new_for_srv (ordered->pdata[i]);
      _attendant_plan_append (state->plan, endpoint);
    }

  g_task_return_pointer (task, g_object_ref (state->plan), g_object_unref);
}

static gboolean
lookup_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  AttendantDiscovery *self = g_task_get_source_object (task);
  Discover *state = g_task_get_task_data (task);
  g_autofree char *message = NULL;

  g_clear_pointer (&state->timeout_source, g_source_unref);
  g_cancellable_cancel (state->lookup_cancellable);

  message = g_strdup_printf (_("The DNS server did not answer within %u s"), self->timeout);
  return_fallback (task, ATTENDANT_DISCOVERY_RESULT_FAILED, message);

  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  Discover *state = g_task_get_task_data (task);

  g_cancellable_cancel (state->lookup_cancellable);
}

/**
 * attendant_discovery_discover_async:
 * @spec: what the user typed
 * @node_list: (nullable) (element-type AttendantEndpoint): the node list
 *   remembered from the last session with this server, appended after a
 *   fallback or a direct endpoint and never after an SRV answer
 *
 * Makes a plan. The plan is returned even when the SRV query fails (it then
 * holds the fallback) or the service is unavailable (it then holds no
 * endpoint); only cancellation is an error.
 */
void
attendant_discovery_discover_async (AttendantDiscovery  *self,
                                    AttendantServerSpec *spec,
                                    GPtrArray           *node_list,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *query = NULL;
  const char *host;
  Discover *state;

  g_return_if_fail (ATTENDANT_IS_DISCOVERY (self));
  g_return_if_fail (ATTENDANT_IS_SERVER_SPEC (spec));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_discovery_discover_async);

  host = attendant_server_spec_get_host (spec);
  state = g_new0 (Discover, 1);
  state->node_list = node_list ? g_ptr_array_ref (node_list) : NULL;
  state->lookup_cancellable = g_cancellable_new ();
  g_task_set_task_data (task, state, (GDestroyNotify)discover_free);

  if (attendant_server_spec_is_direct (spec))
    {
      g_autoptr(AttendantEndpoint) direct = NULL;
      guint16 port = attendant_server_spec_get_port (spec);

      if (port == 0)
        port = attendant_transport_default_port (self->transport);

      state->plan = _attendant_plan_new (attendant_server_spec_get_input (spec), host,
                                         self->transport, self->order,
                                         ATTENDANT_DISCOVERY_METHOD_DIRECT, NULL);
      _attendant_plan_set_result (state->plan, ATTENDANT_DISCOVERY_RESULT_SKIPPED, NULL);
      direct = attendant_endpoint_new (host, port, 0, 0, ATTENDANT_ENDPOINT_ORIGIN_DIRECT);
      _attendant_plan_append (state->plan, direct);
      append_node_list (state->plan, state->node_list);

      g_task_return_pointer (task, g_object_ref (state->plan), g_object_unref);
      return;
    }

  query = g_strdup_printf ("%s.%s", attendant_transport_service (self->transport), host);
  state->plan = _attendant_plan_new (attendant_server_spec_get_input (spec), host,
                                     self->transport, self->order,
                                     ATTENDANT_DISCOVERY_METHOD_SRV, query);

  if (g_task_return_error_if_cancelled (task))
    return;

  /* A domain near the 253-byte limit is valid on its own, but the service
   * labels in front of it can push the SRV name past what DNS allows. */
  if (strlen (query) > 253)
    {
      g_autofree char *message =
        /* TRANSLATORS: %s is the service's labels, such as “_iacsec._tcp”,
         * before the domain, which is too long to show. */
        g_strdup_printf (_("The SRV name %s.… would be %zu bytes long, "
                           "more than DNS allows (253), so it was not queried"),
                         attendant_transport_service (self->transport), strlen (query));

      return_fallback (task, ATTENDANT_DISCOVERY_RESULT_FAILED, message);
      return;
    }

  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (cancelled_cb), task, 0);

  state->timeout_source = g_timeout_source_new (self->timeout * 1000);
  g_source_set_callback (state->timeout_source, lookup_timeout_cb, task, NULL);
  g_source_set_static_name (state->timeout_source, "[attendant] SRV lookup timeout");
  g_source_attach (state->timeout_source, g_main_context_get_thread_default ());

  g_resolver_lookup_records_async (self->resolver, query, G_RESOLVER_RECORD_SRV,
                                   state->lookup_cancellable,
                                   lookup_records_cb, g_object_ref (task));
}

/**
 * attendant_discovery_discover_finish:
 *
 * Returns: (transfer full): the plan, or %NULL if cancelled
 */
AttendantPlan *
attendant_discovery_discover_finish (AttendantDiscovery  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (ATTENDANT_IS_DISCOVERY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == attendant_discovery_discover_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
