/* attendant-plan.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-plan"

#include "config.h"

#include "attendant-enum-types.h"
#include "attendant-plan-private.h"

/* The ordered list of endpoints one connection cycle will try, together with
 * the story of how it was made (which query, what DNS said, which records),
 * because the UI and `attendant-cli check` must explain the order to an
 * administrator, not just follow it. A GListModel of AttendantEndpoint so the
 * login view can bind a list to it. Built once by AttendantDiscovery and
 * read-only afterwards. */
struct _AttendantPlan
{
  GObject                   parent_instance;

  char                     *input;
  char                     *domain;
  char                     *query;
  char                     *error;
  GPtrArray                *records;    /* GSrvTarget, as received */
  GPtrArray                *endpoints;  /* AttendantEndpoint, in order */
  AttendantTransport        transport;
  AttendantPriorityOrder    order;
  AttendantDiscoveryMethod  method;
  AttendantDiscoveryResult  result;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AttendantPlan, attendant_plan, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_INPUT,
  PROP_DOMAIN,
  PROP_TRANSPORT,
  PROP_PRIORITY_ORDER,
  PROP_METHOD,
  PROP_RESULT,
  PROP_QUERY,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
attendant_plan_get_item_type (GListModel *model)
{
  return ATTENDANT_TYPE_ENDPOINT;
}

static guint
attendant_plan_get_n_items (GListModel *model)
{
  return ATTENDANT_PLAN (model)->endpoints->len;
}

static gpointer
attendant_plan_get_item (GListModel *model,
                         guint       position)
{
  AttendantPlan *self = ATTENDANT_PLAN (model);

  if (position >= self->endpoints->len)
    return NULL;

  return g_object_ref (self->endpoints->pdata[position]);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = attendant_plan_get_item_type;
  iface->get_n_items = attendant_plan_get_n_items;
  iface->get_item = attendant_plan_get_item;
}

static void
attendant_plan_finalize (GObject *object)
{
  AttendantPlan *self = (AttendantPlan *)object;

  g_clear_pointer (&self->input, g_free);
  g_clear_pointer (&self->domain, g_free);
  g_clear_pointer (&self->query, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  g_clear_pointer (&self->endpoints, g_ptr_array_unref);

  G_OBJECT_CLASS (attendant_plan_parent_class)->finalize (object);
}

static void
attendant_plan_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  AttendantPlan *self = ATTENDANT_PLAN (object);

  switch (prop_id)
    {
    case PROP_INPUT:
      g_value_set_string (value, self->input);
      break;

    case PROP_DOMAIN:
      g_value_set_string (value, self->domain);
      break;

    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;

    case PROP_PRIORITY_ORDER:
      g_value_set_enum (value, self->order);
      break;

    case PROP_METHOD:
      g_value_set_enum (value, self->method);
      break;

    case PROP_RESULT:
      g_value_set_enum (value, self->result);
      break;

    case PROP_QUERY:
      g_value_set_string (value, self->query);
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_plan_class_init (AttendantPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = attendant_plan_finalize;
  object_class->get_property = attendant_plan_get_property;

  properties[PROP_INPUT] =
    g_param_spec_string ("input", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_DOMAIN] =
    g_param_spec_string ("domain", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL,
                       ATTENDANT_TYPE_TRANSPORT, ATTENDANT_TRANSPORT_TLS,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_PRIORITY_ORDER] =
    g_param_spec_enum ("priority-order", NULL, NULL,
                       ATTENDANT_TYPE_PRIORITY_ORDER,
                       ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_METHOD] =
    g_param_spec_enum ("method", NULL, NULL,
                       ATTENDANT_TYPE_DISCOVERY_METHOD,
                       ATTENDANT_DISCOVERY_METHOD_SRV,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_RESULT] =
    g_param_spec_enum ("result", NULL, NULL,
                       ATTENDANT_TYPE_DISCOVERY_RESULT,
                       ATTENDANT_DISCOVERY_RESULT_ANSWERED,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_QUERY] =
    g_param_spec_string ("query", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_plan_init (AttendantPlan *self)
{
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify)g_srv_target_free);
  self->endpoints = g_ptr_array_new_with_free_func (g_object_unref);
}

AttendantPlan *
_attendant_plan_new (const char               *input,
                     const char               *domain,
                     AttendantTransport        transport,
                     AttendantPriorityOrder    order,
                     AttendantDiscoveryMethod  method,
                     const char               *query)
{
  AttendantPlan *self = g_object_new (ATTENDANT_TYPE_PLAN, NULL);

  self->input = g_strdup (input);
  self->domain = g_strdup (domain);
  self->transport = transport;
  self->order = order;
  self->method = method;
  self->query = g_strdup (query);

  return self;
}

/* The same discovery story with another list of endpoints: what a cycle
 * actually tries after moving a dead node last or skipping a draining one,
 * or what a failback probe tries. */
AttendantPlan *
_attendant_plan_new_derived (AttendantPlan *base,
                             GPtrArray     *endpoints)
{
  AttendantPlan *self;

  g_assert (ATTENDANT_IS_PLAN (base));

  self = _attendant_plan_new (base->input, base->domain, base->transport,
                              base->order, base->method, base->query);
  _attendant_plan_set_result (self, base->result, base->error);
  _attendant_plan_take_records (self, g_ptr_array_ref (base->records));
  for (guint i = 0; i < endpoints->len; i++)
    _attendant_plan_append (self, endpoints->pdata[i]);

  return self;
}

void
_attendant_plan_set_method (AttendantPlan            *self,
                            AttendantDiscoveryMethod  method)
{
  g_assert (ATTENDANT_IS_PLAN (self));

  self->method = method;
}

void
_attendant_plan_set_result (AttendantPlan            *self,
                            AttendantDiscoveryResult  result,
                            const char               *error)
{
  g_assert (ATTENDANT_IS_PLAN (self));

  self->result = result;
  g_free (self->error);
  self->error = g_strdup (error);
}

void
_attendant_plan_take_records (AttendantPlan *self,
                              GPtrArray     *records)
{
  g_assert (ATTENDANT_IS_PLAN (self));
  g_assert (records != NULL);

  g_ptr_array_unref (self->records);
  self->records = records;
}

void
_attendant_plan_append (AttendantPlan     *self,
                        AttendantEndpoint *endpoint)
{
  g_assert (ATTENDANT_IS_PLAN (self));
  g_assert (ATTENDANT_IS_ENDPOINT (endpoint));

  g_ptr_array_add (self->endpoints, g_object_ref (endpoint));
}

const char *
attendant_plan_get_input (AttendantPlan *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), NULL);
  return self->input;
}

/**
 * attendant_plan_get_domain:
 *
 * Returns: the source domain (or, for direct input, the host): the reference
 *   identity a TLS certificate is checked against and the SNI sent.
 */
const char *
attendant_plan_get_domain (AttendantPlan *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), NULL);
  return self->domain;
}

AttendantTransport
attendant_plan_get_transport (AttendantPlan *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), 0);
  return self->transport;
}

AttendantPriorityOrder
attendant_plan_get_priority_order (AttendantPlan *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), 0);
  return self->order;
}

AttendantDiscoveryMethod
attendant_plan_get_method (AttendantPlan *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), 0);
  return self->method;
}

AttendantDiscoveryResult
attendant_plan_get_result (AttendantPlan *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), 0);
  return self->result;
}

/**
 * attendant_plan_get_query:
 *
 * Returns: (nullable): the SRV name queried, %NULL for direct input
 */
const char *
attendant_plan_get_query (AttendantPlan *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), NULL);
  return self->query;
}

/**
 * attendant_plan_get_error:
 *
 * Returns: (nullable): why the SRV query gave no usable answer
 */
const char *
attendant_plan_get_error (AttendantPlan *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), NULL);
  return self->error;
}

/**
 * attendant_plan_get_records:
 *
 * Returns: (transfer none) (element-type GSrvTarget): the SRV records as
 *   received, usable or not; empty when there were none
 */
GPtrArray *
attendant_plan_get_records (AttendantPlan *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), NULL);
  return self->records;
}

guint
attendant_plan_get_n_endpoints (AttendantPlan *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), 0);
  return self->endpoints->len;
}

/**
 * attendant_plan_get_endpoint:
 *
 * Returns: (transfer none): the endpoint at @position
 */
AttendantEndpoint *
attendant_plan_get_endpoint (AttendantPlan *self,
                             guint          position)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), NULL);
  g_return_val_if_fail (position < self->endpoints->len, NULL);

  return self->endpoints->pdata[position];
}

/**
 * attendant_plan_orders_disagree:
 *
 * Returns: whether `highest-first` and `rfc2782` would try the SRV records
 *   in a different order — true as soon as two usable records have
 *   different priorities. Administrators are warned about this, since
 *   Imagicle's SRV guide and RFC 2782 read priorities in opposite directions.
 */
gboolean
attendant_plan_orders_disagree (AttendantPlan *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PLAN (self), FALSE);

  for (guint i = 1; i < self->endpoints->len; i++)
    {
      AttendantEndpoint *a = self->endpoints->pdata[0];
      AttendantEndpoint *b = self->endpoints->pdata[i];

      if (attendant_endpoint_get_origin (a) == ATTENDANT_ENDPOINT_ORIGIN_SRV &&
          attendant_endpoint_get_origin (b) == ATTENDANT_ENDPOINT_ORIGIN_SRV &&
          attendant_endpoint_get_priority (a) != attendant_endpoint_get_priority (b))
        return TRUE;
    }

  return FALSE;
}
