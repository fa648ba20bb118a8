/* attendant-connection.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-connection"

#include "config.h"

#include "attendant-connection.h"
#include "attendant-tls.h"

/* An endpoint reached: the stream (TLS or plain) and the facts the status
 * popover shows about it. */
struct _AttendantConnection
{
  GObject            parent_instance;

  GIOStream         *stream;
  AttendantEndpoint *endpoint;
  GObject           *greeting;
  GTlsCertificate   *certificate;
  char              *address;
  char              *certificate_sha256;
  const char        *tls_version;
};

G_DEFINE_FINAL_TYPE (AttendantConnection, attendant_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STREAM,
  PROP_ENDPOINT,
  PROP_ADDRESS,
  PROP_TLS_VERSION,
  PROP_CERTIFICATE,
  PROP_GREETING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
attendant_connection_dispose (GObject *object)
{
  AttendantConnection *self = (AttendantConnection *)object;

  g_clear_object (&self->stream);
  g_clear_object (&self->endpoint);
  g_clear_object (&self->greeting);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (attendant_connection_parent_class)->dispose (object);
}

static void
attendant_connection_finalize (GObject *object)
{
  AttendantConnection *self = (AttendantConnection *)object;

  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->certificate_sha256, g_free);

  G_OBJECT_CLASS (attendant_connection_parent_class)->finalize (object);
}

static void
attendant_connection_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  AttendantConnection *self = ATTENDANT_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      g_value_set_object (value, self->stream);
      break;

    case PROP_ENDPOINT:
      g_value_set_object (value, self->endpoint);
      break;

    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;

    case PROP_TLS_VERSION:
      g_value_set_string (value, self->tls_version);
      break;

    case PROP_CERTIFICATE:
      g_value_set_object (value, self->certificate);
      break;

    case PROP_GREETING:
      g_value_set_object (value, self->greeting);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_connection_class_init (AttendantConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_connection_dispose;
  object_class->finalize = attendant_connection_finalize;
  object_class->get_property = attendant_connection_get_property;

  properties[PROP_STREAM] =
    g_param_spec_object ("stream", NULL, NULL, G_TYPE_IO_STREAM,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_ENDPOINT] =
    g_param_spec_object ("endpoint", NULL, NULL, ATTENDANT_TYPE_ENDPOINT,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_TLS_VERSION] =
    g_param_spec_string ("tls-version", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_CERTIFICATE] =
    g_param_spec_object ("certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_GREETING] =
    g_param_spec_object ("greeting", NULL, NULL, G_TYPE_OBJECT,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_connection_init (AttendantConnection *self)
{
}

/**
 * attendant_connection_new:
 * @greeting: (nullable): what the greeter returned, if there was one
 */
AttendantConnection *
attendant_connection_new (GIOStream         *stream,
                          AttendantEndpoint *endpoint,
                          const char        *address,
                          GObject           *greeting)
{
  AttendantConnection *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (ATTENDANT_IS_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  self = g_object_new (ATTENDANT_TYPE_CONNECTION, NULL);
  self->stream = g_object_ref (stream);
  self->endpoint = g_object_ref (endpoint);
  self->address = g_strdup (address);
  g_set_object (&self->greeting, greeting);

  if (G_IS_TLS_CONNECTION (stream))
    {
      GTlsConnection *tls = G_TLS_CONNECTION (stream);

      self->tls_version =
        attendant_tls_version_to_string (g_tls_connection_get_protocol_version (tls));
      g_set_object (&self->certificate, g_tls_connection_get_peer_certificate (tls));
      if (self->certificate != NULL)
        self->certificate_sha256 = attendant_tls_certificate_sha256 (self->certificate);
    }

  return self;
}

GIOStream *
attendant_connection_get_stream (AttendantConnection *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTION (self), NULL);
  return self->stream;
}

AttendantEndpoint *
attendant_connection_get_endpoint (AttendantConnection *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTION (self), NULL);
  return self->endpoint;
}

const char *
attendant_connection_get_address (AttendantConnection *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTION (self), NULL);
  return self->address;
}

gboolean
attendant_connection_is_encrypted (AttendantConnection *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTION (self), FALSE);
  return G_IS_TLS_CONNECTION (self->stream);
}

/**
 * attendant_connection_get_tls_version:
 *
 * Returns: (nullable): "TLS 1.2" or "TLS 1.3", %NULL on a plain connection
 */
const char *
attendant_connection_get_tls_version (AttendantConnection *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTION (self), NULL);
  return self->tls_version;
}

GTlsCertificate *
attendant_connection_get_certificate (AttendantConnection *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTION (self), NULL);
  return self->certificate;
}

const char *
attendant_connection_get_certificate_sha256 (AttendantConnection *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTION (self), NULL);
  return self->certificate_sha256;
}

GObject *
attendant_connection_get_greeting (AttendantConnection *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTION (self), NULL);
  return self->greeting;
}
