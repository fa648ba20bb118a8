/* attendant-endpoint.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-endpoint"

#include "config.h"

#include <string.h>

#include "attendant-endpoint.h"
#include "attendant-enum-types.h"

/* One place to try: a host (name or literal) and a port, with where it came
 * from. Immutable, so plans and attempts can share it freely. */
struct _AttendantEndpoint
{
  GObject                  parent_instance;

  char                    *host;
  guint16                  port;
  guint16                  priority;
  guint16                  weight;
  AttendantEndpointOrigin  origin;
};

G_DEFINE_FINAL_TYPE (AttendantEndpoint, attendant_endpoint, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_PRIORITY,
  PROP_WEIGHT,
  PROP_ORIGIN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
attendant_endpoint_finalize (GObject *object)
{
  AttendantEndpoint *self = (AttendantEndpoint *)object;

  g_clear_pointer (&self->host, g_free);

  G_OBJECT_CLASS (attendant_endpoint_parent_class)->finalize (object);
}

static void
attendant_endpoint_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AttendantEndpoint *self = ATTENDANT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;

    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;

    case PROP_PRIORITY:
      g_value_set_uint (value, self->priority);
      break;

    case PROP_WEIGHT:
      g_value_set_uint (value, self->weight);
      break;

    case PROP_ORIGIN:
      g_value_set_enum (value, self->origin);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_endpoint_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  AttendantEndpoint *self = ATTENDANT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_HOST:
      self->host = g_value_dup_string (value);
      break;

    case PROP_PORT:
      self->port = (guint16)g_value_get_uint (value);
      break;

    case PROP_PRIORITY:
      self->priority = (guint16)g_value_get_uint (value);
      break;

    case PROP_WEIGHT:
      self->weight = (guint16)g_value_get_uint (value);
      break;

    case PROP_ORIGIN:
      self->origin = g_value_get_enum (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_endpoint_class_init (AttendantEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = attendant_endpoint_finalize;
  object_class->get_property = attendant_endpoint_get_property;
  object_class->set_property = attendant_endpoint_set_property;

  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PRIORITY] =
    g_param_spec_uint ("priority", NULL, NULL, 0, G_MAXUINT16, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_WEIGHT] =
    g_param_spec_uint ("weight", NULL, NULL, 0, G_MAXUINT16, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ORIGIN] =
    g_param_spec_enum ("origin", NULL, NULL,
                       ATTENDANT_TYPE_ENDPOINT_ORIGIN,
                       ATTENDANT_ENDPOINT_ORIGIN_SRV,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_endpoint_init (AttendantEndpoint *self)
{
}

AttendantEndpoint *
attendant_endpoint_new (const char              *host,
                        guint16                  port,
                        guint16                  priority,
                        guint16                  weight,
                        AttendantEndpointOrigin  origin)
{
  g_return_val_if_fail (host != NULL, NULL);

  return g_object_new (ATTENDANT_TYPE_ENDPOINT,
                       "host", host,
                       "port", (guint)port,
                       "priority", (guint)priority,
                       "weight", (guint)weight,
                       "origin", origin,
                       NULL);
}

AttendantEndpoint *
attendant_endpoint_new_for_srv (GSrvTarget *target)
{
  g_return_val_if_fail (target != NULL, NULL);

  return attendant_endpoint_new (g_srv_target_get_hostname (target),
                                 g_srv_target_get_port (target),
                                 g_srv_target_get_priority (target),
                                 g_srv_target_get_weight (target),
                                 ATTENDANT_ENDPOINT_ORIGIN_SRV);
}

const char *
attendant_endpoint_get_host (AttendantEndpoint *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ENDPOINT (self), NULL);
  return self->host;
}

guint16
attendant_endpoint_get_port (AttendantEndpoint *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ENDPOINT (self), 0);
  return self->port;
}

guint16
attendant_endpoint_get_priority (AttendantEndpoint *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ENDPOINT (self), 0);
  return self->priority;
}

guint16
attendant_endpoint_get_weight (AttendantEndpoint *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ENDPOINT (self), 0);
  return self->weight;
}

AttendantEndpointOrigin
attendant_endpoint_get_origin (AttendantEndpoint *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ENDPOINT (self), 0);
  return self->origin;
}

/* "host:port", with IPv6 literals bracketed as users would type them. */
char *
attendant_endpoint_to_string (AttendantEndpoint *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ENDPOINT (self), NULL);

  if (strchr (self->host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", self->host, self->port);

  return g_strdup_printf ("%s:%u", self->host, self->port);
}

/* Same place to connect to, whatever the record's priority or origin. */
gboolean
attendant_endpoint_equal (AttendantEndpoint *a,
                          AttendantEndpoint *b)
{
  g_return_val_if_fail (ATTENDANT_IS_ENDPOINT (a), FALSE);
  g_return_val_if_fail (ATTENDANT_IS_ENDPOINT (b), FALSE);

  return a->port == b->port && g_ascii_strcasecmp (a->host, b->host) == 0;
}
