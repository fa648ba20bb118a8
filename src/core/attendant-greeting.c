/* attendant-greeting.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-greeting"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "attendant-endpoint.h"
#include "attendant-error.h"
#include "attendant-greeting.h"
#include "attendant-guarded-stream.h"
#include "attendant-protocol.h"

/* What a server said in its `hello`, and the open WebSocket it said it on,
 * handed from the greeter (the connector's last stage) to the session. */
struct _AttendantGreeting
{
  GObject                  parent_instance;

  SoupWebsocketConnection *websocket;
  char                    *server;
  char                    *cluster;
  char                    *node;
  GPtrArray               *nodes;      /* AttendantEndpoint, this transport only */
  gint64                   protocol;
  guint                    heartbeat;
};

G_DEFINE_FINAL_TYPE (AttendantGreeting, attendant_greeting, G_TYPE_OBJECT)

static void
attendant_greeting_dispose (GObject *object)
{
  AttendantGreeting *self = (AttendantGreeting *)object;

  g_clear_object (&self->websocket);
  g_clear_pointer (&self->nodes, g_ptr_array_unref);

  G_OBJECT_CLASS (attendant_greeting_parent_class)->dispose (object);
}

static void
attendant_greeting_finalize (GObject *object)
{
  AttendantGreeting *self = (AttendantGreeting *)object;

  g_clear_pointer (&self->server, g_free);
  g_clear_pointer (&self->cluster, g_free);
  g_clear_pointer (&self->node, g_free);

  G_OBJECT_CLASS (attendant_greeting_parent_class)->finalize (object);
}

static void
attendant_greeting_class_init (AttendantGreetingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_greeting_dispose;
  object_class->finalize = attendant_greeting_finalize;
}

static void
attendant_greeting_init (AttendantGreeting *self)
{
  self->nodes = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * attendant_greeting_new:
 * @hello: a decoded `hello` message (attendant_protocol_decode() checked
 *   its required members)
 *
 * Returns: (transfer full): the greeting, or %NULL with
 *   %ATTENDANT_ERROR_PROTOCOL if the server's protocol is too old
 */
AttendantGreeting *
attendant_greeting_new (SoupWebsocketConnection  *websocket,
                        JsonObject               *hello,
                        GError                  **error)
{
  g_autoptr(AttendantGreeting) self = NULL;
  gboolean tls;
  JsonArray *nodes;

  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (websocket), NULL);
  g_return_val_if_fail (hello != NULL, NULL);

  self = g_object_new (ATTENDANT_TYPE_GREETING, NULL);
  self->websocket = g_object_ref (websocket);
  self->protocol = json_object_get_int_member (hello, "protocol");
  self->node = g_strdup (json_object_get_string_member (hello, "node"));
  /* The optional members are read with the protocol's getters: json-glib's
   * emit a critical for a member of the wrong kind (fuzz-protocol-client). */
  self->server = g_strdup (attendant_protocol_get_string (hello, "server"));
  self->cluster = g_strdup (attendant_protocol_get_string (hello, "cluster"));
  self->heartbeat = (guint)CLAMP (attendant_protocol_get_int (hello, "heartbeat_s", 5), 1, 3600);

  if (self->protocol < ATTENDANT_PROTOCOL_VERSION)
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                   _("The server speaks protocol %lld; version %d is needed"),
                   (long long) self->protocol, ATTENDANT_PROTOCOL_VERSION);
      return NULL;
    }

  /* Only the nodes reachable with the transport in use are worth keeping:
   * the plan of a TLS client never falls back to plain text. */
  tls = G_IS_TLS_CONNECTION (attendant_guarded_stream_unwrap (soup_websocket_connection_get_io_stream (websocket)));
  nodes = json_object_get_array_member (hello, "nodes");
  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonNode *element = json_array_get_element (nodes, i);
      JsonObject *entry;
      const char *host;
      const char *transport;
      gint64 port;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      entry = json_node_get_object (element);
      host = attendant_protocol_get_string (entry, "host");
      transport = json_object_has_member (entry, "transport")
                  ? attendant_protocol_get_string (entry, "transport") : "tls";
      port = attendant_protocol_get_int (entry, "port", 0);

      if (host == NULL || port < 1 || port > G_MAXUINT16 ||
          g_strcmp0 (transport, tls ? "tls" : "plain") != 0)
        continue;

      g_ptr_array_add (self->nodes,
                       attendant_endpoint_new (host, (guint16)port, 0, 0,
                                               ATTENDANT_ENDPOINT_ORIGIN_NODE_LIST));
    }

  return g_steal_pointer (&self);
}

SoupWebsocketConnection *
attendant_greeting_get_websocket (AttendantGreeting *self)
{
  g_return_val_if_fail (ATTENDANT_IS_GREETING (self), NULL);
  return self->websocket;
}

gint64
attendant_greeting_get_protocol (AttendantGreeting *self)
{
  g_return_val_if_fail (ATTENDANT_IS_GREETING (self), 0);
  return self->protocol;
}

const char *
attendant_greeting_get_server (AttendantGreeting *self)
{
  g_return_val_if_fail (ATTENDANT_IS_GREETING (self), NULL);
  return self->server;
}

const char *
attendant_greeting_get_cluster (AttendantGreeting *self)
{
  g_return_val_if_fail (ATTENDANT_IS_GREETING (self), NULL);
  return self->cluster;
}

const char *
attendant_greeting_get_node (AttendantGreeting *self)
{
  g_return_val_if_fail (ATTENDANT_IS_GREETING (self), NULL);
  return self->node;
}

/**
 * attendant_greeting_get_heartbeat:
 *
 * Returns: the server's advertised heartbeat, in seconds
 */
guint
attendant_greeting_get_heartbeat (AttendantGreeting *self)
{
  g_return_val_if_fail (ATTENDANT_IS_GREETING (self), 0);
  return self->heartbeat;
}

/**
 * attendant_greeting_get_nodes:
 *
 * Returns: (transfer none) (element-type AttendantEndpoint): the cluster's
 *   node list for the transport in use
 */
GPtrArray *
attendant_greeting_get_nodes (AttendantGreeting *self)
{
  g_return_val_if_fail (ATTENDANT_IS_GREETING (self), NULL);
  return self->nodes;
}
