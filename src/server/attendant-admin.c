/* attendant-admin.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-admin"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "attendant-admin.h"
#include "attendant-http-guard.h"
#include "attendant-error.h"
#include "attendant-protocol.h"
#include "attendant-server.h"

/* The admin API (docs/server.md, "Admin API"): JSON over HTTP on a loopback address, every
 * request with "Authorization: Bearer TOKEN". It is how tests and demos
 * act as the outside world (a caller, a colleague changing presence) and
 * as the operator of the nodes (crash, freeze, stop, start, drain).
 *
 *   GET  /state                       nodes, sessions, calls
 *   GET  /directory                   every contact, with its presence
 *   POST /calls                       {"number", "name"?, "queue"?, "extension"?, "patience"?}
 *   POST /calls/ID/hangup             the caller hangs up
 *   POST /presence                    {"extension", "presence"}, or
 *                                     {"changes": [{"extension", "presence"}, …]}
 *   POST /nodes/NAME/ACTION           crash | freeze | thaw | stop | start | drain
 *                                     (drain: {"grace_s"?, "text"?})
 *   POST /phone-system                {"reachable": bool, "reason"?}: a pretend outage
 *
 * Calls, presence, the directory and the phone system's outage are the
 * simulated telephone system's: with a real Asterisk ([asterisk]) the
 * outside world is real, and those endpoints answer 409.
 *
 * Answers are JSON objects; errors are {"error": "text"} with 400, 401,
 * 404, 405, 409 or 413.
 *
 * The token is checked, and the body's declared length, as soon as the
 * headers are in, before any of the body is read (attendant-http-guard.c):
 * a request without the token, or with a body over ADMIN_MAX_BODY, is
 * answered and its connection closed. Admin bodies are small JSON objects
 * (a presence change for every contact of a large directory is well under
 * a megabyte). */

#define ADMIN_MAX_BODY (1024 * 1024)

struct _AttendantAdmin
{
  GObject          parent_instance;

  AttendantServer *server;
  char            *token;
  SoupServer      *soup;
  GSocketService  *service;
  guint16          port;
};

G_DEFINE_FINAL_TYPE (AttendantAdmin, attendant_admin, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
respond (SoupServerMessage *msg,
         guint              status,
         JsonObject        *body)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  gsize length = 0;
  char *text;

  json_node_set_object (node, body);
  text = json_to_string (node, TRUE);
  length = strlen (text);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *text)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "error", text);
  respond (msg, status, body);
}

static void
respond_refusal (SoupServerMessage *msg,
                 guint              status,
                 const char        *text,
                 gpointer           user_data)
{
  respond_error (msg, status, text);
}

static void
respond_ok (SoupServerMessage *msg)
{
  g_autoptr(JsonObject) body = json_object_new ();

  respond (msg, SOUP_STATUS_OK, body);
}

static guint
pbx_status (const GError *error)
{
  if (g_error_matches (error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND))
    return SOUP_STATUS_NOT_FOUND;
  if (g_error_matches (error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS))
    return SOUP_STATUS_BAD_REQUEST;

  return SOUP_STATUS_CONFLICT;
}

/* Compares in time independent of where the first difference is. */
static gboolean
token_matches (const char *expected,
               const char *given)
{
  gsize expected_len = strlen (expected);
  gsize given_len = strlen (given);
  guchar diff = expected_len != given_len;

  for (gsize i = 0; i < expected_len; i++)
    diff |= (guchar)expected[i] ^ (guchar)given[i < given_len ? i : 0];

  return diff == 0;
}

static gboolean
is_authorized (AttendantAdmin    *self,
               SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return FALSE;

  return token_matches (self->token, header + 7);
}

static gboolean
judge_request (SoupServerMessage *msg,
               gpointer           user_data)
{
  AttendantAdmin *self = user_data;

  if (is_authorized (self, msg))
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer realm=\"attendant-server\"");
  respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "A valid “Authorization: Bearer TOKEN” is required");

  return FALSE;
}

static const AttendantHttpGuard http_guard = {
  .max_body = ADMIN_MAX_BODY,
  .judge = judge_request,
  .respond = respond_refusal,
};

/* The request's JSON object; an empty body counts as {}. Nested no deeper
 * than a protocol message, for the same reason: json-glib's parser
 * recurses once per level. */
static JsonObject *
read_body (SoupServerMessage  *msg,
           GError            **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonNode *root;

  if (length == 0)
    return json_object_new ();

  if (!attendant_json_check_depth (data, length, ATTENDANT_PROTOCOL_MAX_DEPTH, error))
    return NULL;

  if (!json_parser_load_from_data (parser, data, (gssize)length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                           "The body must be a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static double
number_member (JsonObject *object,
               const char *name,
               double      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double)json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);

  return fallback;
}

#define SIMULATED_ONLY_TEXT \
  "The telephone system is Asterisk ([asterisk]): calls, presence and outages " \
  "come from Asterisk itself, not from the admin API"

/* The simulated telephone system, or %NULL after answering 409. */
static AttendantPbx *
require_pbx (AttendantAdmin    *self,
             SoupServerMessage *msg)
{
  AttendantPbx *pbx = attendant_server_get_pbx (self->server);

  if (pbx == NULL)
    respond_error (msg, SOUP_STATUS_CONFLICT, SIMULATED_ONLY_TEXT);

  return pbx;
}

static void
post_phone_system (AttendantAdmin    *self,
                   SoupServerMessage *msg,
                   JsonObject        *body)
{
  AttendantPbx *pbx;
  JsonNode *reachable = json_object_get_member (body, "reachable");
  JsonNode *reason_node = json_object_get_member (body, "reason");
  const char *reason = string_member (body, "reason");
  g_autoptr(JsonObject) answer = json_object_new ();

  if (reachable == NULL || !JSON_NODE_HOLDS_VALUE (reachable) ||
      json_node_get_value_type (reachable) != G_TYPE_BOOLEAN)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "“reachable” (true or false) is required");
      return;
    }

  if (reason_node != NULL && !JSON_NODE_HOLDS_NULL (reason_node) &&
      (reason == NULL || reason[0] == '\0' || strlen (reason) > 200))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "“reason” must be a string of 1 to 200 bytes");
      return;
    }

  if (!(pbx = require_pbx (self, msg)))
    return;

  if (json_node_get_boolean (reachable))
    attendant_pbx_set_unreachable (pbx, NULL);
  else
    attendant_pbx_set_unreachable (pbx, reason != NULL ? reason : "The phone system does not answer");

  g_message ("admin: the phone system is %s", json_node_get_boolean (reachable) ? "back" : "unreachable");
  json_object_set_object_member (answer, "phone_system", attendant_server_build_phone_system (self->server));
  respond (msg, SOUP_STATUS_OK, answer);
}

static void
post_call (AttendantAdmin    *self,
           SoupServerMessage *msg,
           JsonObject        *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) call = NULL;
  g_autoptr(JsonObject) answer = json_object_new ();
  const char *number = string_member (body, "number");
  AttendantPbx *pbx;

  if (number == NULL)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "“number” (a string) is required");
      return;
    }

  if (!(pbx = require_pbx (self, msg)))
    return;

  call = attendant_pbx_inject_call (pbx, number,
                                    string_member (body, "name"), string_member (body, "queue"),
                                    string_member (body, "extension"),
                                    number_member (body, "patience", 0), &error);
  if (call == NULL)
    {
      respond_error (msg, pbx_status (error), error->message);
      return;
    }

  g_message ("admin: incoming call %s from %s", json_object_get_string_member (call, "id"), number);
  json_object_set_object_member (answer, "call", g_steal_pointer (&call));
  respond (msg, SOUP_STATUS_CREATED, answer);
}

/* One change, or many at once ("changes"): all are checked before any is
 * made, so a script's mistake changes nothing. */
static void
post_presence (AttendantAdmin    *self,
               SoupServerMessage *msg,
               JsonObject        *body)
{
  AttendantPbx *pbx = require_pbx (self, msg);
  g_autoptr(GPtrArray) changes = g_ptr_array_new ();
  g_autoptr(JsonObject) answer = json_object_new ();
  JsonNode *list = json_object_get_member (body, "changes");

  if (pbx == NULL)
    return;

  if (list != NULL)
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;

      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_OBJECT (element))
            {
              array = NULL;
              break;
            }
          g_ptr_array_add (changes, json_node_get_object (element));
        }

      if (array == NULL)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "“changes” must be an array of objects");
          return;
        }
    }
  else
    g_ptr_array_add (changes, body);

  for (guint i = 0; i < changes->len; i++)
    {
      const char *extension = string_member (changes->pdata[i], "extension");
      const char *presence = string_member (changes->pdata[i], "presence");

      if (extension == NULL || presence == NULL)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "“extension” and “presence” (strings) are required");
          return;
        }

      if (!attendant_pbx_presence_is_valid (presence) || g_str_equal (presence, "ringing"))
        {
          g_autofree char *text =
            g_strdup_printf ("“%s” is not a presence to set (available, busy, away, dnd, offline)", presence);

          respond_error (msg, SOUP_STATUS_BAD_REQUEST, text);
          return;
        }

      if (!attendant_pbx_has_contact (pbx, extension))
        {
          g_autofree char *text = g_strdup_printf ("No extension %s", extension);

          respond_error (msg, SOUP_STATUS_NOT_FOUND, text);
          return;
        }
    }

  for (guint i = 0; i < changes->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!attendant_pbx_set_presence (pbx, string_member (changes->pdata[i], "extension"),
                                       string_member (changes->pdata[i], "presence"), &error))
        {
          respond_error (msg, pbx_status (error), error->message);
          return;
        }
    }

  json_object_set_int_member (answer, "applied", changes->len);
  respond (msg, SOUP_STATUS_OK, answer);
}

static void
post_node (AttendantAdmin    *self,
           SoupServerMessage *msg,
           const char        *name,
           const char        *action,
           JsonObject        *body)
{
  AttendantNode *node = attendant_server_lookup_node (self->server, name);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = json_object_new ();

  if (node == NULL)
    {
      g_autofree char *text = g_strdup_printf ("This process hosts no node “%s”", name);

      respond_error (msg, SOUP_STATUS_NOT_FOUND, text);
      return;
    }

  g_message ("admin: %s node %s", action, name);

  if (g_str_equal (action, "crash"))
    attendant_node_crash (node);
  else if (g_str_equal (action, "freeze"))
    attendant_node_freeze (node);
  else if (g_str_equal (action, "thaw"))
    attendant_node_thaw (node);
  else if (g_str_equal (action, "stop"))
    attendant_node_stop (node);
  else if (g_str_equal (action, "start"))
    {
      if (!attendant_node_start (node, &error))
        {
          respond_error (msg, SOUP_STATUS_CONFLICT, error->message);
          return;
        }
    }
  else if (g_str_equal (action, "drain"))
    {
      AttendantServerConfig *config = attendant_server_get_config (self->server);
      double grace = number_member (body, "grace_s", attendant_server_config_get_drain_grace (config));

      if (grace < 0 || grace > 3600)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "“grace_s” must be from 0 to 3600");
          return;
        }
      attendant_node_drain (node, grace, string_member (body, "text"));
    }
  else
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND,
                     "Node actions: crash, freeze, thaw, stop, start, drain");
      return;
    }

  json_object_set_object_member (answer, "node", attendant_node_to_json (node));
  respond (msg, SOUP_STATUS_OK, answer);
}

static void
handle_request (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  AttendantAdmin *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) body_error = NULL;
  guint n;

  /* Authorized already, at its headers. */
  parts = g_strsplit (path[0] == '/' ? path + 1 : path, "/", -1);
  n = g_strv_length (parts);

  if (n == 1 && g_str_equal (parts[0], "state"))
    {
      g_autoptr(JsonObject) state = NULL;

      if (!g_str_equal (method, "GET"))
        {
          respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Use GET");
          return;
        }
      state = attendant_server_get_state (self->server);
      respond (msg, SOUP_STATUS_OK, state);
      return;
    }

  if (n == 1 && g_str_equal (parts[0], "directory"))
    {
      g_autoptr(JsonObject) answer = json_object_new ();
      AttendantPbx *pbx;

      if (!g_str_equal (method, "GET"))
        {
          respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Use GET");
          return;
        }
      if (!(pbx = require_pbx (self, msg)))
        return;
      json_object_set_array_member (answer, "directory", attendant_pbx_list_directory (pbx));
      respond (msg, SOUP_STATUS_OK, answer);
      return;
    }

  if (!g_str_equal (method, "POST"))
    {
      respond_error (msg, n >= 1 && (g_str_equal (parts[0], "calls") || g_str_equal (parts[0], "presence") ||
                                     g_str_equal (parts[0], "nodes") || g_str_equal (parts[0], "phone-system"))
                            ? SOUP_STATUS_METHOD_NOT_ALLOWED : SOUP_STATUS_NOT_FOUND,
                     "Use POST");
      return;
    }

  if (!(body = read_body (msg, &body_error)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, body_error->message);
      return;
    }

  if (n == 1 && g_str_equal (parts[0], "calls"))
    post_call (self, msg, body);
  else if (n == 3 && g_str_equal (parts[0], "calls") && g_str_equal (parts[2], "hangup"))
    {
      g_autoptr(GError) error = NULL;
      AttendantPbx *pbx = require_pbx (self, msg);

      if (pbx == NULL)
        return;
      if (attendant_pbx_caller_hangup (pbx, parts[1], &error))
        respond_ok (msg);
      else
        respond_error (msg, pbx_status (error), error->message);
    }
  else if (n == 1 && g_str_equal (parts[0], "presence"))
    post_presence (self, msg, body);
  else if (n == 3 && g_str_equal (parts[0], "nodes"))
    post_node (self, msg, parts[1], parts[2], body);
  else if (n == 1 && g_str_equal (parts[0], "phone-system"))
    post_phone_system (self, msg, body);
  else
    respond_error (msg, SOUP_STATUS_NOT_FOUND, "No such endpoint");
}

static void
attendant_admin_dispose (GObject *object)
{
  AttendantAdmin *self = (AttendantAdmin *)object;

  if (self->service != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
    }
  g_clear_object (&self->service);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);

  G_OBJECT_CLASS (attendant_admin_parent_class)->dispose (object);
}

static void
attendant_admin_finalize (GObject *object)
{
  AttendantAdmin *self = (AttendantAdmin *)object;

  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);

  G_OBJECT_CLASS (attendant_admin_parent_class)->finalize (object);
}

static void
attendant_admin_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AttendantAdmin *self = ATTENDANT_ADMIN (object);

  switch (prop_id)
    {
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_admin_class_init (AttendantAdminClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_admin_dispose;
  object_class->finalize = attendant_admin_finalize;
  object_class->get_property = attendant_admin_get_property;

  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_admin_init (AttendantAdmin *self)
{
}

AttendantAdmin *
attendant_admin_new (AttendantServer *server,
                     const char      *token)
{
  AttendantAdmin *self;
  g_autofree char *header = g_strdup_printf ("attendant-server/%s", PACKAGE_VERSION);

  g_return_val_if_fail (ATTENDANT_IS_SERVER (server), NULL);
  g_return_val_if_fail (token != NULL && token[0] != '\0', NULL);

  self = g_object_new (ATTENDANT_TYPE_ADMIN, NULL);
  self->server = server;
  self->token = g_strdup (token);
  self->soup = soup_server_new ("server-header", header, NULL);
  soup_server_add_handler (self->soup, NULL, handle_request, self, NULL);
  attendant_http_guard_attach (self->soup, &http_guard, G_OBJECT (self));

  return self;
}

/* The admin API takes its connections itself and hands them to libsoup,
 * like the nodes: soup_server_listen() in libsoup 3.2 leaks the GSocket of
 * every connection it accepts. */
static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  AttendantAdmin *self = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (connection), local, remote, &error))
    g_message ("admin API: %s", error->message);

  return TRUE;
}

/**
 * attendant_admin_listen:
 * @address: a loopback address; anything else is refused
 */
gboolean
attendant_admin_listen (AttendantAdmin      *self,
                        GInetSocketAddress  *address,
                        GError             **error)
{
  GInetAddress *inet;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (ATTENDANT_IS_ADMIN (self), FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), FALSE);
  g_return_val_if_fail (self->service == NULL, FALSE);

  inet = g_inet_socket_address_get_address (address);
  host = g_inet_address_to_string (inet);

  /* The API can crash nodes: it is for this machine only. */
  if (!g_inet_address_get_is_loopback (inet))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "The admin API listens on loopback only, not on %s", host);
      return FALSE;
    }

  service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), G_SOCKET_ADDRESS (address),
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "admin API: cannot listen on %s:%u: %s", host,
                   g_inet_socket_address_get_port (address), local_error->message);
      return FALSE;
    }

  g_signal_connect_object (service, "incoming", G_CALLBACK (on_incoming), self, 0);
  g_socket_service_start (service);
  self->service = g_steal_pointer (&service);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);

  return TRUE;
}

guint16
attendant_admin_get_port (AttendantAdmin *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ADMIN (self), 0);

  return self->port;
}
