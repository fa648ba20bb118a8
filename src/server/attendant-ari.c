/* attendant-ari.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-ari"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "attendant-ari.h"
#include "attendant-error.h"
#include "attendant-protocol.h"
#include "attendant-secret.h"
#include "attendant-tls.h"
#include "attendant-websocket.h"

/* The connection of one attendant-server to Asterisk's REST Interface:
 * commands as HTTP requests (SoupSession), events over one WebSocket
 * (docs/asterisk.md, "The ARI client").
 *
 * The WebSocket is not opened with SoupSession: libsoup 3.2 bounds a
 * WebSocket frame, not a message, and SoupSession makes its own connection,
 * so the frame guard (attendant-frame-guard.c), which must sit under
 * libsoup from the first frame on, could not be put under it. The
 * connection is made here (TCP, then TLS with the product's checks) and
 * upgraded by attendant_websocket_connect_to_async(), like the console's.
 *
 * Liveness: libsoup sends a ping every second but never checks for the
 * pong, so a silent Asterisk (stopped, or a dead network path) would keep
 * the connection open for as long as TCP does. Any frame received (an
 * event or a pong) moves a deadline of 1.7 s; past it the connection
 * counts as lost. Pongs come a second apart, so a loaded main loop has
 * 0.7 s of slack, and a silence is noticed within 2 s. libsoup's first
 * ping comes 1 to 2 s after the connection opens: until the first frame,
 * the client asks GET /asterisk/ping itself, and each answer moves the
 * deadline the same way.
 *
 * A connection attempt (the version, the WebSocket, the application) has
 * deadlines too; when the connection is lost or an attempt fails, the
 * HTTP session's requests and connections are dropped, so that no request
 * waits behind keep-alive connections to an Asterisk that went silent. */

#define REQUEST_TIMEOUT_S       10
#define KEEPALIVE_INTERVAL_S    1
#define LIVENESS_DEADLINE_MS    1700
/* Between two of the client's own probes, before the first frame. */
#define PROBE_PAUSE_MS          250
/* How long an answered probe stands for the first frame: libsoup's first
 * ping goes 1 to 2 s after the connection opens, and Asterisk answers it
 * at once. A connection silent beyond that is dead, whatever HTTP says. */
#define FIRST_FRAME_MS          2700
#define ATTEMPT_TIMEOUT_MS      (REQUEST_TIMEOUT_S * 1000)
/* From the events connection's TCP connection to the application's
 * answer: Asterisk answers these within milliseconds, but now and then
 * leaves a WebSocket handshake unanswered, mostly right after the
 * application's previous connection closed; another attempt then gets
 * through (one it never answers: docs/asterisk.md, "The ARI client"). */
#define HANDSHAKE_TIMEOUT_MS    3000
#define BACKOFF_BASE_MS         1000
#define BACKOFF_CAP_MS          60000
#define READ_CHUNK              16384

G_DEFINE_QUARK (attendant-ari-status-error-quark, attendant_ari_status_error)

typedef enum
{
  STATE_STOPPED,
  STATE_CONNECTING,
  STATE_CONNECTED,
  STATE_WAITING,     /* for the next attempt */
  STATE_SILENT,      /* the events connection open, Asterisk silent */
  STATE_REPLACED,
} State;

struct _AttendantAri
{
  GObject parent_instance;

  char         *url;           /* the ARI root, without a trailing "/" */
  GUri         *uri;
  char         *user;
  char         *authorization; /* "Basic …", wiped when freed */
  char         *application;
  gboolean      subscribe_all;
  gboolean      liveness_enabled;
  GTlsDatabase *extra_anchors;
  char         *version;

  SoupSession  *session;

  State         state;
  GCancellable *attempt_cancellable;  /* the current attempt's steps */
  guint         attempt_deadline;
  const char   *attempt_step;         /* for the deadline's message */
  guint         attempt_step_ms;
  guint         retry_source;
  guint         failures;
  guint         attempt_id;  /* which attempt a request's answer is for */

  SoupWebsocketConnection *websocket;
  gulong        message_handler;
  gulong        closed_handler;
  gulong        error_handler;
  gulong        pong_handler;
  GSource      *liveness;
  gboolean      framed;        /* a frame came on this connection */
  gint64        opened_at;     /* monotonic, the events connection's */
  GCancellable *probe_cancellable;
  guint         probe_source;
  AttendantAriDisconnectReason pending_reason;
  char         *pending_message;
};

G_DEFINE_FINAL_TYPE (AttendantAri, attendant_ari, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URL,
  PROP_APPLICATION,
  PROP_CONNECTED,
  PROP_ASTERISK_VERSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CONNECTED,
  DISCONNECTED,
  ATTEMPT_FAILED,
  EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_attempt (AttendantAri *self,
                              const GError *error);

static SoupSession *
session_new (void)
{
  return soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_S,
                                        "user-agent", "Attendant/" PACKAGE_VERSION,
                                        NULL);
}

/* A connection lost or an attempt failed: the session's keep-alive
 * connections may lead to an Asterisk that went silent (stopped, or a
 * dead path), and libsoup would send the next requests over them, or
 * queue them behind the ones stuck there, until its 10 s I/O timeout.
 * Aborting fails the requests in flight at once and closes the
 * connections; the next requests make new ones. */
static void
drop_connections (AttendantAri *self)
{
  soup_session_abort (self->session);
}

/* {{{ Certificates */

/* An extra CA file adds trust anchors to the system's rather than
 * replacing them, as the console's --ca-file does: a chain the system does
 * not know is checked again against them, for the same host. */
static gboolean
accept_certificate (AttendantAri         *self,
                    GTlsCertificate      *certificate,
                    GTlsCertificateFlags  errors)
{
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificateFlags flags;

  if (!(errors & G_TLS_CERTIFICATE_UNKNOWN_CA) || self->extra_anchors == NULL)
    return FALSE;

  identity = g_network_address_new (g_uri_get_host (self->uri), 0);
  flags = g_tls_database_verify_chain (self->extra_anchors, certificate,
                                       G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                       identity, NULL, G_TLS_DATABASE_VERIFY_NONE,
                                       NULL, &error);

  return error == NULL && flags == 0;
}

static gboolean
message_accept_certificate_cb (SoupMessage          *message,
                               GTlsCertificate      *certificate,
                               GTlsCertificateFlags  errors,
                               AttendantAri         *self)
{
  return accept_certificate (self, certificate, errors);
}

static gboolean
connection_accept_certificate_cb (GTlsConnection       *connection,
                                  GTlsCertificate      *certificate,
                                  GTlsCertificateFlags  errors,
                                  AttendantAri         *self)
{
  return accept_certificate (self, certificate, errors);
}

/* }}} */
/* {{{ Errors */

/* What a failed connection means to the person who set the URL. */
static GError *
describe_transport_error (AttendantAri *self,
                          const GError *error)
{
  if (error->domain == G_TLS_ERROR)
    return g_error_new (ATTENDANT_ERROR, ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED,
                        "TLS with Asterisk at %s failed: %s", self->url, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  return g_error_new (ATTENDANT_ERROR, ATTENDANT_ERROR_SERVICE_UNAVAILABLE,
                      "Asterisk at %s is unreachable: %s", self->url, error->message);
}

/* Parses a body from Asterisk, its nesting checked before json-glib sees
 * it (json-glib recurses once per level). */
static JsonNode *
parse_body (const char  *data,
            gsize        length,
            GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                           "ARI's answer is not valid UTF-8");
      return NULL;
    }

  if (!attendant_json_check_depth (data, length, ATTENDANT_PROTOCOL_MAX_DEPTH, &local_error))
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                   "ARI's answer is refused: %s", local_error->message);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize)length, &local_error))
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                   "ARI's answer is not JSON: %s", local_error->message);
      return NULL;
    }

  return json_node_copy (json_parser_get_root (parser));
}

/* }}} */
/* {{{ Requests */

typedef struct
{
  SoupMessage *message;
  /* The request's own: soup_session_abort() cancels the cancellable a
   * request was sent with, and the caller's may serve many requests. */
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong        cancelled_handler;
  GInputStream *body_stream;
  GByteArray   *body;
  char         *what;   /* "POST /channels/…", for messages */
  guint8        chunk[READ_CHUNK];
} Request;

static void
request_free (Request *request)
{
  if (request->caller_cancellable != NULL)
    g_cancellable_disconnect (request->caller_cancellable, request->cancelled_handler);
  g_clear_object (&request->caller_cancellable);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->message);
  g_clear_object (&request->body_stream);
  g_clear_pointer (&request->body, g_byte_array_unref);
  g_free (request->what);
  g_free (request);
}

static void
request_complete (GTask *task)
{
  AttendantAri *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  guint status = soup_message_get_status (request->message);
  const char *data = (const char *)request->body->data;
  gsize length = request->body->len;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED,
                               "Asterisk refused the ARI user “%s” at %s: wrong user or password",
                               self->user, self->url);
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      const char *ari_message = NULL;

      /* ARI explains a refusal as {"message": "…"}. */
      if (length > 0)
        node = parse_body (data, length, NULL);
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        ari_message = attendant_protocol_get_string (json_node_get_object (node), "message");

      g_task_return_new_error (task, ATTENDANT_ARI_STATUS_ERROR, (int)status,
                               "ARI %s: HTTP %u: %s", request->what, status,
                               ari_message ? ari_message : soup_message_get_reason_phrase (request->message));
      return;
    }

  if (length == 0)
    {
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL), (GDestroyNotify)json_node_unref);
      return;
    }

  node = parse_body (data, length, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify)json_node_unref);
}

static gboolean
cancel_own_cb (gpointer own)
{
  g_cancellable_cancel (own);
  return G_SOURCE_REMOVE;
}

/* On the next turn of the main loop: cancelling may complete the request
 * at once, and freeing it disconnects from the caller's cancellable,
 * which must not happen while that one is emitting "cancelled". */
static void
cancel_request_cb (GCancellable *caller,
                   GCancellable *own)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, cancel_own_cb, g_object_ref (own), g_object_unref);
}

static void read_body_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);

/* Takes @task's reference. */
static void
read_body (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  g_input_stream_read_async (request->body_stream, request->chunk, sizeof request->chunk,
                             G_PRIORITY_DEFAULT, request->cancellable, read_body_cb, task);
}

static void
read_body_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AttendantAri *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n < 0)
    {
      g_task_return_error (task, describe_transport_error (self, error));
      return;
    }

  if (n == 0)
    {
      request_complete (task);
      return;
    }

  /* Bounded as it arrives, before anything parses it: what comes past the
   * bound is never read (the connection is dropped with the stream). */
  if (request->body->len + (gsize)n > ATTENDANT_ARI_MAX_BODY)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                               "ARI's answer to %s is over %d bytes",
                               request->what, ATTENDANT_ARI_MAX_BODY);
      return;
    }

  g_byte_array_append (request->body, request->chunk, (guint)n);
  read_body (g_steal_pointer (&task));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AttendantAri *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  goffset declared;

  request->body_stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (request->body_stream == NULL)
    {
      g_task_return_error (task, describe_transport_error (self, error));
      return;
    }

  declared = soup_message_headers_get_content_length (soup_message_get_response_headers (request->message));
  if (declared > ATTENDANT_ARI_MAX_BODY)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                               "ARI's answer to %s is over %d bytes",
                               request->what, ATTENDANT_ARI_MAX_BODY);
      return;
    }

  request->body = g_byte_array_new ();
  read_body (g_steal_pointer (&task));
}

/**
 * attendant_ari_request_async:
 * @method: "GET", "POST", "PUT" or "DELETE"
 * @path: below the ARI root, such as "channels/ID/answer"; each segment
 *   that comes from elsewhere must already be escaped
 * @query: (nullable) (array zero-terminated=1): name, value, name, value…
 *
 * Sends one ARI command. It completes once Asterisk answered, with the
 * answer's JSON (a %JSON_NODE_NULL node for an empty one), or with an
 * %ATTENDANT_ARI_STATUS_ERROR (the HTTP status and ARI's message), or an
 * %ATTENDANT_ERROR (unreachable, credentials, an answer over the bounds).
 */
void
attendant_ari_request_async (AttendantAri        *self,
                             const char          *method,
                             const char          *path,
                             const char * const  *query,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  attendant_ari_request_with_body_async (self, method, path, query, NULL, cancellable, callback, user_data);
}

/**
 * attendant_ari_request_with_body_async:
 * @body: (nullable): a JSON body, for the parameters ARI takes only
 *   there (an originate's "variables")
 *
 * attendant_ari_request_async() with a body; completes the same way
 * (attendant_ari_request_finish()).
 */
void
attendant_ari_request_with_body_async (AttendantAri        *self,
                                       const char          *method,
                                       const char          *path,
                                       const char * const  *query,
                                       JsonNode            *body,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GString) url = NULL;
  Request *request;

  g_return_if_fail (ATTENDANT_IS_ARI (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_ari_request_async);

  url = g_string_new (self->url);
  g_string_append_c (url, '/');
  g_string_append (url, path[0] == '/' ? path + 1 : path);
  for (guint i = 0; query != NULL && query[i] != NULL && query[i + 1] != NULL; i += 2)
    {
      g_string_append_c (url, i == 0 ? '?' : '&');
      g_string_append_uri_escaped (url, query[i], NULL, FALSE);
      g_string_append_c (url, '=');
      g_string_append_uri_escaped (url, query[i + 1], NULL, FALSE);
    }

  request = g_new0 (Request, 1);
  request->what = g_strdup_printf ("%s /%s", method, path[0] == '/' ? path + 1 : path);
  request->message = soup_message_new (method, url->str);
  request->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);
  if (cancellable != NULL)
    {
      request->caller_cancellable = g_object_ref (cancellable);
      request->cancelled_handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_request_cb),
                                                          g_object_ref (request->cancellable), g_object_unref);
    }

  if (request->message == NULL)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                               "ARI %s: not a valid request", request->what);
      return;
    }

  /* The credentials go with every request rather than after a challenge:
   * ARI wants Basic, and a challenge would cost a round trip each time. */
  soup_message_headers_replace (soup_message_get_request_headers (request->message),
                                "Authorization", self->authorization);
  g_signal_connect_object (request->message, "accept-certificate",
                           G_CALLBACK (message_accept_certificate_cb), self, 0);
  if (body != NULL)
    {
      gsize length;
      char *text = json_to_string (body, FALSE);
      g_autoptr(GBytes) bytes = NULL;

      length = strlen (text);
      bytes = g_bytes_new_take (text, length);
      soup_message_set_request_body_from_bytes (request->message, "application/json", bytes);
    }

  soup_session_send_async (self->session, request->message, G_PRIORITY_DEFAULT,
                           request->cancellable, send_cb, g_steal_pointer (&task));
}

/**
 * attendant_ari_request_finish:
 *
 * Returns: (transfer full): Asterisk's answer, or %NULL with @error set
 */
JsonNode *
attendant_ari_request_finish (AttendantAri  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (ATTENDANT_IS_ARI (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
info_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  AttendantAri *self = ATTENDANT_ARI (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *system = NULL;
  const char *version = NULL;

  node = attendant_ari_request_finish (self, result, &error);
  if (node == NULL)
    {
      /* Asterisk's HTTP server answers 503 while it boots. */
      if (error->domain == ATTENDANT_ARI_STATUS_ERROR && error->code >= 500)
        {
          g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_SERVICE_UNAVAILABLE,
                                   "Asterisk at %s is not ready: %s", self->url, error->message);
          return;
        }

      /* Anything but ARI answers its own 404 for this path. */
      if (error->domain == ATTENDANT_ARI_STATUS_ERROR || error->code == ATTENDANT_ERROR_PROTOCOL)
        {
          g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                                   "%s does not answer like Asterisk's ARI: %s",
                                   self->url, error->message);
          return;
        }

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    system = attendant_protocol_get_object (json_node_get_object (node), "system");
  if (system != NULL)
    version = attendant_protocol_get_string (system, "version");

  if (version == NULL || version[0] == '\0')
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                               "%s does not answer like Asterisk's ARI: no version",
                               self->url);
      return;
    }

  if (g_strcmp0 (self->version, version) != 0)
    {
      g_free (self->version);
      self->version = g_strdup (version);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASTERISK_VERSION]);
    }

  g_task_return_pointer (task, g_strdup (version), g_free);
}

/**
 * attendant_ari_get_info_async:
 *
 * Asks Asterisk who it is (GET /asterisk/info), which also proves that it
 * is reachable, speaks ARI and accepts the credentials.
 */
void
attendant_ari_get_info_async (AttendantAri        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (ATTENDANT_IS_ARI (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_ari_get_info_async);
  attendant_ari_request_async (self, "GET", "asterisk/info", NULL, cancellable, info_cb, task);
}

/**
 * attendant_ari_get_info_finish:
 *
 * Returns: (transfer full): Asterisk's version, such as "22.10.1"
 */
char *
attendant_ari_get_info_finish (AttendantAri  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (ATTENDANT_IS_ARI (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* }}} */
/* {{{ Events */

static void
set_state (AttendantAri *self,
           State         state)
{
  gboolean was_connected = self->state == STATE_CONNECTED;

  self->state = state;
  if (was_connected != (state == STATE_CONNECTED))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static gboolean
release_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
stop_probing (AttendantAri *self)
{
  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  g_clear_handle_id (&self->probe_source, g_source_remove);
}

static gboolean liveness_cb (gpointer user_data);

static void
arm_liveness (AttendantAri *self)
{
  g_assert (self->liveness == NULL);
  self->liveness = g_timeout_source_new (LIVENESS_DEADLINE_MS);
  g_source_set_callback (self->liveness, liveness_cb, self, NULL);
  g_source_attach (self->liveness, NULL);
}

static void
disarm_liveness (AttendantAri *self)
{
  if (self->liveness != NULL)
    {
      g_source_destroy (self->liveness);
      g_clear_pointer (&self->liveness, g_source_unref);
    }
}

/* {{{ Closing the events connection */

/* Asterisk 22 can deadlock for good when an application's WebSocket
 * closes while a device state is being dispatched to it: the teardown
 * joins the device state subscription while it holds the session's lock,
 * which the dispatch waits for (asterisk/asterisk#2170; every later
 * WebSocket handshake then hangs). With subscribeAll every device state
 * goes to the application, so a close on a busy Asterisk can meet one.
 * The subscription is dropped first over HTTP, in a thread of Asterisk's
 * that holds no such lock, and the WebSocket closed once Asterisk has
 * answered, or after CLOSING_TIMEOUT_MS whatever happens. */
#define CLOSING_TIMEOUT_MS 1000

typedef struct
{
  SoupWebsocketConnection *websocket;
  AttendantAri            *closer;   /* its own HTTP session: the owner's may be aborted */
  guint                    deadline;
  gboolean                 closed;
} Closing;

static guint n_closing;

static void
closing_close (Closing *closing)
{
  g_clear_handle_id (&closing->deadline, g_source_remove);
  if (closing->closed)
    return;
  closing->closed = TRUE;
  g_assert (n_closing > 0);
  n_closing--;
  if (soup_websocket_connection_get_state (closing->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (closing->websocket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
}

static void
closing_release (Closing *closing)
{
  closing_close (closing);
  g_clear_object (&closing->websocket);
  g_clear_object (&closing->closer);
}

static void
closing_unref (Closing *closing)
{
  g_rc_box_release_full (closing, (GDestroyNotify)closing_release);
}

static gboolean
closing_deadline_cb (gpointer user_data)
{
  Closing *closing = user_data;

  closing->deadline = 0;
  g_debug ("%s: Asterisk did not answer the unsubscription; closing all the same",
           attendant_ari_get_application (closing->closer));
  closing_close (closing);
  return G_SOURCE_REMOVE;
}

static void
closing_unsubscribed_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  Closing *closing = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = attendant_ari_request_finish (ATTENDANT_ARI (object), result, &error);

  if (error != NULL)
    g_debug ("%s: device states not unsubscribed before closing: %s",
             attendant_ari_get_application (closing->closer), error->message);
  closing_close (closing);
  closing_unref (closing);
}

static void
close_politely (AttendantAri            *self,
                SoupWebsocketConnection *websocket)
{
  const char * const query[] = { "eventSource", "deviceState:", NULL };
  g_autofree char *escaped = g_uri_escape_string (self->application, NULL, FALSE);
  g_autofree char *path = g_strconcat ("applications/", escaped, "/subscription", NULL);
  Closing *closing = g_rc_box_new0 (Closing);

  n_closing++;
  closing->websocket = g_object_ref (websocket);
  closing->closer = attendant_ari_new_sibling (self, self->application);
  closing->deadline = g_timeout_add_full (G_PRIORITY_DEFAULT, CLOSING_TIMEOUT_MS, closing_deadline_cb,
                                          g_rc_box_acquire (closing), (GDestroyNotify)closing_unref);
  attendant_ari_request_async (closing->closer, "DELETE", path, query, NULL,
                               closing_unsubscribed_cb, closing);
}

/**
 * attendant_ari_get_n_closing:
 *
 * How many events connections are still being closed (their device
 * states unsubscribed first): a process should let its main loop run
 * until none is left, for a second at most, before it exits.
 */
guint
attendant_ari_get_n_closing (void)
{
  return n_closing;
}

/* }}} */

/* @politely: whether the application is still this connection's (not
 * replaced), and its device states should be unsubscribed first. */
static void
drop_websocket (AttendantAri *self,
                gboolean      politely)
{
  stop_probing (self);
  disarm_liveness (self);

  if (self->websocket == NULL)
    return;

  g_clear_signal_handler (&self->message_handler, self->websocket);
  g_clear_signal_handler (&self->closed_handler, self->websocket);
  g_clear_signal_handler (&self->error_handler, self->websocket);
  g_clear_signal_handler (&self->pong_handler, self->websocket);

  /* A close frame, without waiting here for Asterisk's: the peer may be
   * gone or silent. The connection is let go on the next turn of the main
   * loop, as this may run inside one of its own signals. */
  if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      if (politely && self->subscribe_all)
        close_politely (self, self->websocket);
      else
        soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
    }
  g_idle_add_full (G_PRIORITY_DEFAULT, release_cb, g_steal_pointer (&self->websocket), g_object_unref);
}

/* The events connection is gone: say why, and try again unless another
 * connection took the application over or the owner stopped. */
static void
lose_connection (AttendantAri                 *self,
                 AttendantAriDisconnectReason  reason,
                 const char                   *message)
{
  g_autofree char *why = g_strdup (message);
  gboolean was_connected = self->state == STATE_CONNECTED;

  drop_websocket (self, reason != ATTENDANT_ARI_DISCONNECT_REPLACED);
  g_clear_pointer (&self->pending_message, g_free);

  if (reason == ATTENDANT_ARI_DISCONNECT_REPLACED)
    set_state (self, STATE_REPLACED);
  else
    {
      set_state (self, STATE_WAITING);
      drop_connections (self);
    }

  if (was_connected)
    g_signal_emit (self, signals[DISCONNECTED], 0, (int)reason, why);

  if (reason != ATTENDANT_ARI_DISCONNECT_REPLACED && self->state == STATE_WAITING)
    {
      g_autoptr(GError) error = g_error_new_literal (ATTENDANT_ERROR, ATTENDANT_ERROR_NOT_CONNECTED, why);

      schedule_attempt (self, error);
    }
}

static void start_probing (AttendantAri *self);

/* Asterisk fell silent on an open events connection: the clients are told
 * (disconnected), but the connection is kept. A frozen Asterisk that comes
 * back sends on it again and the connection resumes (resume()); closing it
 * instead would have Asterisk tear it down as it thaws, amid the device
 * states it then sends, which is what its deadlock needs (see "Closing
 * the events connection"). Asterisk's HTTP side is asked meanwhile: if it
 * answers and the events connection stays silent, that one is dead. */
static void
go_silent (AttendantAri *self,
           const char   *message)
{
  disarm_liveness (self);
  stop_probing (self);
  set_state (self, STATE_SILENT);
  drop_connections (self);
  start_probing (self);
  g_signal_emit (self, signals[DISCONNECTED], 0, (int)ATTENDANT_ARI_DISCONNECT_TIMED_OUT, message);
}

static void
resume (AttendantAri *self)
{
  g_debug ("%s: Asterisk sends again; the events connection resumes", self->application);
  stop_probing (self);
  disarm_liveness (self);
  arm_liveness (self);
  self->framed = TRUE;
  self->failures = 0;
  set_state (self, STATE_CONNECTED);
  g_signal_emit (self, signals[CONNECTED], 0);
}

/* Asterisk proved alive (a frame, or an answer to a probe): the
 * deadline moves. */
static void
alive (AttendantAri *self)
{
  if (self->liveness != NULL)
    g_source_set_ready_time (self->liveness, g_get_monotonic_time () + LIVENESS_DEADLINE_MS * 1000);
}

static void
framed (AttendantAri *self)
{
  if (self->state == STATE_SILENT)
    {
      resume (self);
      return;
    }
  alive (self);
  if (!self->framed)
    {
      self->framed = TRUE;
      stop_probing (self);
    }
}

static void probe (AttendantAri *self);

static gboolean
probe_again_cb (gpointer user_data)
{
  AttendantAri *self = user_data;

  self->probe_source = 0;
  probe (self);
  return G_SOURCE_REMOVE;
}

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  AttendantAri *self = ATTENDANT_ARI (object);
  g_autoptr(GCancellable) cancellable = user_data;
  g_autoptr(JsonNode) node = attendant_ari_request_finish (self, result, NULL);

  if (g_cancellable_is_cancelled (cancellable))
    return;
  if (self->state == STATE_SILENT)
    {
      /* Asterisk answers: its events must follow within the deadline. */
      if (node != NULL && self->liveness == NULL)
        arm_liveness (self);
    }
  else
    {
      /* A failed probe moves nothing: the deadline says when to give up. */
      if (self->framed || self->liveness == NULL)
        return;
      if (node != NULL && g_get_monotonic_time () - self->opened_at < FIRST_FRAME_MS * 1000)
        alive (self);
    }
  self->probe_source = g_timeout_add (PROBE_PAUSE_MS, probe_again_cb, self);
}

/* libsoup's first ping comes 1 to 2 s after the connection opens, past
 * the deadline: until the first frame, Asterisk's HTTP side is asked
 * instead, so that a silence right after a connection is noticed within
 * the same 1.7 s as later. */
static void
probe (AttendantAri *self)
{
  g_assert (self->probe_cancellable != NULL);
  attendant_ari_request_async (self, "GET", "asterisk/ping", NULL, self->probe_cancellable,
                               probe_cb, g_object_ref (self->probe_cancellable));
}

static void
start_probing (AttendantAri *self)
{
  g_assert (self->probe_cancellable == NULL);
  self->probe_cancellable = g_cancellable_new ();
  probe (self);
}

static void
refuse_event (AttendantAri *self,
              const char   *message)
{
  lose_connection (self, ATTENDANT_ARI_DISCONNECT_INVALID, message);
}

static void
websocket_message_cb (SoupWebsocketConnection *websocket,
                      gint                     type,
                      GBytes                  *message,
                      AttendantAri            *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GObject) keep = g_object_ref (G_OBJECT (self));
  JsonObject *event;
  const char *event_type;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  framed (self);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      refuse_event (self, "Asterisk sent a binary event");
      return;
    }

  node = parse_body (data, length, &error);
  if (node == NULL)
    {
      refuse_event (self, error->message);
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      (event_type = attendant_protocol_get_string (json_node_get_object (node), "type")) == NULL)
    {
      refuse_event (self, "Asterisk sent an event without a type");
      return;
    }

  event = json_node_get_object (node);

  /* Another connection (another node, most likely) took the application:
   * connecting again would take it back, and the two would go on taking it
   * from each other at every backoff. Who owns the application is for the
   * owner of this client to decide (docs/asterisk.md), so the loss is
   * reported as its own reason and nothing reconnects. */
  if (g_str_equal (event_type, "ApplicationReplaced"))
    {
      lose_connection (self, ATTENDANT_ARI_DISCONNECT_REPLACED,
                       "Another connection took the Stasis application over");
      return;
    }

  g_signal_emit (self, signals[EVENT], g_quark_try_string (event_type), event_type, event);
}

static void
websocket_pong_cb (SoupWebsocketConnection *websocket,
                   GBytes                  *message,
                   AttendantAri            *self)
{
  framed (self);
}

static void
websocket_error_cb (SoupWebsocketConnection *websocket,
                    GError                  *error,
                    AttendantAri            *self)
{
  /* The frame guard's refusal (a message over the bound) comes here,
   * before "closed". */
  if (self->pending_message == NULL)
    {
      self->pending_message = g_strdup (error->message);
      self->pending_reason = error->domain == SOUP_WEBSOCKET_ERROR ? ATTENDANT_ARI_DISCONNECT_INVALID
                                                                  : ATTENDANT_ARI_DISCONNECT_CLOSED;
    }
}

static void
websocket_closed_cb (SoupWebsocketConnection *websocket,
                     AttendantAri            *self)
{
  g_autofree char *message = NULL;
  AttendantAriDisconnectReason reason = ATTENDANT_ARI_DISCONNECT_CLOSED;

  if (self->pending_message != NULL)
    {
      reason = self->pending_reason;
      message = g_steal_pointer (&self->pending_message);
    }
  else if (soup_websocket_connection_get_close_code (websocket) == 0)
    message = g_strdup ("The events connection to Asterisk broke");
  else
    message = g_strdup_printf ("Asterisk closed the events connection (code %u)",
                               soup_websocket_connection_get_close_code (websocket));

  lose_connection (self, reason, message);
}

static gboolean
liveness_cb (gpointer user_data)
{
  AttendantAri *self = user_data;
  g_autofree char *message = NULL;

  g_clear_pointer (&self->liveness, g_source_unref);
  if (self->state == STATE_SILENT)
    {
      message = g_strdup_printf ("Asterisk answers, but sent nothing on the events connection for %d ms",
                                 LIVENESS_DEADLINE_MS);
      lose_connection (self, ATTENDANT_ARI_DISCONNECT_TIMED_OUT, message);
    }
  else
    {
      message = g_strdup_printf ("Asterisk sent nothing for %d ms, not even a pong", LIVENESS_DEADLINE_MS);
      go_silent (self, message);
    }
  return G_SOURCE_REMOVE;
}

/* }}} */
/* {{{ Connecting */

/* The current attempt's steps are cancelled, its deadline cleared. */
static void
end_attempt (AttendantAri *self)
{
  g_clear_handle_id (&self->attempt_deadline, g_source_remove);
  g_cancellable_cancel (self->attempt_cancellable);
  g_clear_object (&self->attempt_cancellable);
}

static void
attempt_fail (AttendantAri *self,
              GError       *error)
{
  end_attempt (self);
  drop_websocket (self, TRUE);
  set_state (self, STATE_WAITING);
  drop_connections (self);
  schedule_attempt (self, error);
}

/* Whatever step it is at (an HTTP answer, the WebSocket's handshake, TLS),
 * an attempt that takes too long is given up and the next one scheduled:
 * a silent Asterisk must not stop the client from trying again. */
static gboolean
attempt_deadline_cb (gpointer user_data)
{
  AttendantAri *self = user_data;
  g_autoptr(GError) error =
    g_error_new (ATTENDANT_ERROR, ATTENDANT_ERROR_SERVICE_UNAVAILABLE,
                 "Asterisk at %s is unreachable: %s took over %u ms", self->url,
                 self->attempt_step, self->attempt_step_ms);

  self->attempt_deadline = 0;
  attempt_fail (self, error);
  return G_SOURCE_REMOVE;
}

static void
set_attempt_deadline (AttendantAri *self,
                      const char   *step,
                      guint         timeout_ms)
{
  g_clear_handle_id (&self->attempt_deadline, g_source_remove);
  self->attempt_step = step;
  self->attempt_step_ms = timeout_ms;
  self->attempt_deadline = g_timeout_add (timeout_ms, attempt_deadline_cb, self);
}

static void
application_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AttendantAri *self = ATTENDANT_ARI (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = attendant_ari_request_finish (self, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      GPOINTER_TO_UINT (user_data) != self->attempt_id || self->state != STATE_CONNECTING)
    return;

  if (node == NULL)
    {
      attempt_fail (self, error);
      return;
    }

  self->failures = 0;
  g_clear_handle_id (&self->attempt_deadline, g_source_remove);
  g_clear_object (&self->attempt_cancellable);
  set_state (self, STATE_CONNECTED);
  g_signal_emit (self, signals[CONNECTED], 0);
}

static void
websocket_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(AttendantAri) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *escaped = NULL;
  SoupWebsocketConnection *websocket;

  websocket = attendant_websocket_connect_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (websocket == NULL)
    {
      attempt_fail (self, error);
      return;
    }

  g_debug ("%s: the WebSocket is open; asking for the application", self->application);
  self->websocket = websocket;
  soup_websocket_connection_set_keepalive_interval (websocket, KEEPALIVE_INTERVAL_S);
  /* An event is a few kilobytes; libsoup's own frame limit stays above
   * the guard's message bound, which is the one that closes. */
  self->message_handler = g_signal_connect (websocket, "message", G_CALLBACK (websocket_message_cb), self);
  self->pong_handler = g_signal_connect (websocket, "pong", G_CALLBACK (websocket_pong_cb), self);
  self->error_handler = g_signal_connect (websocket, "error", G_CALLBACK (websocket_error_cb), self);
  self->closed_handler = g_signal_connect (websocket, "closed", G_CALLBACK (websocket_closed_cb), self);

  self->framed = FALSE;
  self->opened_at = g_get_monotonic_time ();
  if (self->liveness_enabled)
    {
      arm_liveness (self);
      start_probing (self);
    }

  /* Asterisk registers the application as the WebSocket opens; asking for
   * it proves that calls will reach this connection before "connected"
   * says so. */
  escaped = g_uri_escape_string (self->application, NULL, FALSE);
  path = g_strconcat ("applications/", escaped, NULL);
  attendant_ari_request_async (self, "GET", path, NULL, self->attempt_cancellable, application_cb,
                               GUINT_TO_POINTER (self->attempt_id));
}

static void
tls_handshake_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AttendantAri) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_signal_handlers_disconnect_by_func (object, connection_accept_certificate_cb, self);

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), result, &error))
    {
      g_autoptr(GError) described = describe_transport_error (self, error);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        attempt_fail (self, described);
      return;
    }

  if (!attendant_tls_version_is_acceptable (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (object))))
    {
      g_autoptr(GError) version_error =
        g_error_new (ATTENDANT_ERROR, ATTENDANT_ERROR_TLS_VERSION,
                     "Asterisk at %s negotiated %s; at least TLS 1.2 is required", self->url,
                     attendant_tls_version_to_string (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (object))));

      attempt_fail (self, version_error);
      return;
    }

  path = g_object_steal_data (object, "attendant-ari-path");
  {
    g_autofree char *headers = g_strdup_printf ("Authorization: %s\r\n", self->authorization);

    attendant_websocket_connect_to_async (G_IO_STREAM (object), g_uri_get_host (self->uri),
                                          (guint16)g_uri_get_port (self->uri), path, NULL, headers,
                                          self->attempt_cancellable, websocket_cb, g_object_ref (self));
    attendant_secret_wipe (headers, strlen (headers));
  }
}

static char *
events_path (AttendantAri *self)
{
  g_autofree char *escaped = g_uri_escape_string (self->application, NULL, FALSE);
  const char *base = g_uri_get_path (self->uri);

  return g_strdup_printf ("%s/events?app=%s&subscribeAll=%s", base, escaped,
                          self->subscribe_all ? "true" : "false");
}

static void
socket_connect_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(AttendantAri) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) guarded = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  const char *host = g_uri_get_host (self->uri);
  guint16 port = (guint16)g_uri_get_port (self->uri);

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (connection == NULL)
    {
      g_autoptr(GError) described = describe_transport_error (self, error);

      attempt_fail (self, described);
      return;
    }

  /* The connect's timeout would end the events connection after 10 s
   * without a byte in, through a freeze that the liveness deadline has
   * said and that it outlives (go_silent()); the attempt's deadline covers
   * the handshake instead. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 0);
  g_debug ("%s: connected; the WebSocket handshake", self->application);
  set_attempt_deadline (self, "the events connection's handshake", HANDSHAKE_TIMEOUT_MS);
  if (g_strcmp0 (g_uri_get_scheme (self->uri), "https") != 0)
    {
      g_autofree char *path = events_path (self);
      g_autofree char *headers = g_strdup_printf ("Authorization: %s\r\n", self->authorization);

      attendant_websocket_connect_to_async (G_IO_STREAM (connection), host, port, path, NULL, headers,
                                            self->attempt_cancellable, websocket_cb, g_object_ref (self));
      attendant_secret_wipe (headers, strlen (headers));
      return;
    }

  /* As the console's connector does: an address is checked against the
   * certificate's IP addresses and not sent as SNI; a renegotiation
   * Asterisk asks for fails the connection. */
  identity = (GSocketConnectable *)g_inet_socket_address_new_from_string (host, port);
  if (identity == NULL)
    identity = g_network_address_new (host, port);
  guarded = attendant_tls_guard_stream (G_IO_STREAM (connection));
  tls = g_tls_client_connection_new (guarded, identity, &error);
  if (tls == NULL)
    {
      g_autoptr(GError) described = describe_transport_error (self, error);

      attempt_fail (self, described);
      return;
    }

  g_object_set_data_full (G_OBJECT (tls), "attendant-ari-path", events_path (self), g_free);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (connection_accept_certificate_cb), self);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, self->attempt_cancellable,
                                    tls_handshake_cb, g_object_ref (self));
}

static void
attempt_info_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AttendantAri *self = ATTENDANT_ARI (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autoptr(GSocketClient) client = NULL;

  version = attendant_ari_get_info_finish (self, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (version == NULL)
    {
      attempt_fail (self, error);
      return;
    }

  g_debug ("%s: Asterisk %s; opening the events connection", self->application, version);
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, REQUEST_TIMEOUT_S);
  g_socket_client_connect_to_host_async (client, g_uri_get_host (self->uri),
                                         (guint16)g_uri_get_port (self->uri),
                                         self->attempt_cancellable, socket_connect_cb, g_object_ref (self));
}

/* One attempt: the version first (reachable, ARI, credentials: the
 * clearest errors), then the events WebSocket, then the application. */
static void
attempt (AttendantAri *self)
{
  self->attempt_id++;
  end_attempt (self);
  self->attempt_cancellable = g_cancellable_new ();
  set_attempt_deadline (self, "the connection", ATTEMPT_TIMEOUT_MS);
  set_state (self, STATE_CONNECTING);
  attendant_ari_get_info_async (self, self->attempt_cancellable, attempt_info_cb, NULL);
}

static gboolean
retry_cb (gpointer user_data)
{
  AttendantAri *self = user_data;

  self->retry_source = 0;
  attempt (self);
  return G_SOURCE_REMOVE;
}

/* Exponential backoff with full jitter (a delay drawn from zero to the
 * ceiling): nodes that lost the same Asterisk do not come back in step. */
static void
schedule_attempt (AttendantAri *self,
                  const GError *error)
{
  guint ceiling = BACKOFF_BASE_MS << MIN (self->failures, 6u);
  guint delay;

  ceiling = MIN (ceiling, (guint)BACKOFF_CAP_MS);
  delay = (guint)g_random_int_range (0, (gint32)ceiling + 1);
  self->failures++;

  g_debug ("next attempt in %u ms: %s", delay, error->message);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add (delay, retry_cb, self);
  g_signal_emit (self, signals[ATTEMPT_FAILED], 0, error, delay);
}

/**
 * attendant_ari_start:
 *
 * Connects to Asterisk, and keeps connecting: after each failure or loss
 * (but ApplicationReplaced) it tries again with backoff, until
 * attendant_ari_stop().
 */
void
attendant_ari_start (AttendantAri *self)
{
  g_return_if_fail (ATTENDANT_IS_ARI (self));

  if (self->state != STATE_STOPPED && self->state != STATE_REPLACED)
    return;

  self->failures = 0;
  attempt (self);
}

/**
 * attendant_ari_drop_connections:
 *
 * Drops the HTTP connections to Asterisk: the requests in flight fail
 * (cancelled), the next ones make new connections. For a client that has
 * no events connection of its own to notice that Asterisk went silent
 * (one that was replaced), when another client of the same Asterisk has.
 */
void
attendant_ari_drop_connections (AttendantAri *self)
{
  g_return_if_fail (ATTENDANT_IS_ARI (self));

  drop_connections (self);
}

/**
 * attendant_ari_stop:
 *
 * Drops the events connection and cancels every attempt; emits nothing.
 */
void
attendant_ari_stop (AttendantAri *self)
{
  g_return_if_fail (ATTENDANT_IS_ARI (self));

  end_attempt (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  drop_websocket (self, TRUE);
  g_clear_pointer (&self->pending_message, g_free);
  set_state (self, STATE_STOPPED);
}

/* }}} */
/* {{{ GObject */

static void
attendant_ari_dispose (GObject *object)
{
  AttendantAri *self = (AttendantAri *)object;

  attendant_ari_stop (self);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (attendant_ari_parent_class)->dispose (object);
}

static void
attendant_ari_finalize (GObject *object)
{
  AttendantAri *self = (AttendantAri *)object;

  g_free (self->url);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_free (self->user);
  g_clear_pointer (&self->authorization, attendant_secret_free);
  g_free (self->application);
  g_clear_object (&self->extra_anchors);
  g_free (self->version);

  G_OBJECT_CLASS (attendant_ari_parent_class)->finalize (object);
}

static void
attendant_ari_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  AttendantAri *self = ATTENDANT_ARI (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;

    case PROP_APPLICATION:
      g_value_set_string (value, self->application);
      break;

    case PROP_CONNECTED:
      g_value_set_boolean (value, self->state == STATE_CONNECTED);
      break;

    case PROP_ASTERISK_VERSION:
      g_value_set_string (value, self->version);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_ari_class_init (AttendantAriClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_ari_dispose;
  object_class->finalize = attendant_ari_finalize;
  object_class->get_property = attendant_ari_get_property;

  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_APPLICATION] =
    g_param_spec_string ("application", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ASTERISK_VERSION] =
    g_param_spec_string ("asterisk-version", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AttendantAri::connected:
   *
   * The events connection is open and the Stasis application is this
   * connection's.
   */
  signals[CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * AttendantAri::disconnected:
   * @reason: an #AttendantAriDisconnectReason
   * @message: what happened, for a person
   */
  signals[DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);

  /**
   * AttendantAri::attempt-failed:
   * @error: why (unreachable, credentials, not ARI, …)
   * @delay_ms: when the next attempt comes
   */
  signals[ATTEMPT_FAILED] =
    g_signal_new ("attempt-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_ERROR, G_TYPE_UINT);

  /**
   * AttendantAri::event:
   * @type: the event's "type", also the signal's detail ("event::StasisStart")
   * @event: the whole event
   */
  signals[EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
}

static void
attendant_ari_init (AttendantAri *self)
{
  self->subscribe_all = TRUE;
  self->liveness_enabled = TRUE;
}

/**
 * attendant_ari_new:
 * @url: the ARI root, such as "http://127.0.0.1:8088/ari" (http or https)
 * @user: the ARI user (ari.conf)
 * @password: its password (only the Authorization header made from it is
 *   kept, and wiped when freed)
 * @application: the Stasis application's name
 *
 * Returns: (transfer full): the client, not yet connecting; %NULL with
 *   @error set when @url is not an http or https URL
 */
AttendantAri *
attendant_ari_new (const char  *url,
                   const char  *user,
                   const char  *password,
                   const char  *application,
                   GError     **error)
{
  g_autoptr(AttendantAri) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *credentials = NULL;
  g_autofree char *encoded = NULL;
  const char *scheme;
  gsize length;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (application != NULL && application[0] != '\0', NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL ||
      (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                   "“%s” is not an ARI URL (http:// or https://, a host, a path such as /ari)", url);
      return NULL;
    }

  attendant_tls_init ();

  self = g_object_new (ATTENDANT_TYPE_ARI, NULL);
  self->url = g_strdup (url);
  length = strlen (self->url);
  while (length > 0 && self->url[length - 1] == '/')
    self->url[--length] = '\0';
  {
    int port = g_uri_get_port (uri);
    g_autofree char *path = g_strdup (g_uri_get_path (uri));
    gsize path_length = strlen (path);

    while (path_length > 0 && path[path_length - 1] == '/')
      path[--path_length] = '\0';
    if (port < 0)
      port = g_str_equal (scheme, "https") ? 443 : 80;
    self->uri = g_uri_build (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri), port, path, NULL, NULL);
  }
  self->user = g_strdup (user);
  self->application = g_strdup (application);

  credentials = g_strconcat (user, ":", password, NULL);
  encoded = g_base64_encode ((const guchar *)credentials, strlen (credentials));
  self->authorization = g_strconcat ("Basic ", encoded, NULL);
  attendant_secret_wipe (credentials, strlen (credentials));
  attendant_secret_wipe (encoded, strlen (encoded));

  self->session = session_new ();

  return g_steal_pointer (&self);
}

/**
 * attendant_ari_new_sibling:
 * @application: another Stasis application's name
 *
 * A client of the same Asterisk, with the same credentials and trust
 * anchors, for another application: a node's own events connection
 * beside the shared application's (docs/asterisk.md, "Nodes and
 * failover"), made without the password, which is not kept.
 *
 * Returns: (transfer full): the client, not yet connecting
 */
AttendantAri *
attendant_ari_new_sibling (AttendantAri *self,
                           const char   *application)
{
  AttendantAri *sibling;

  g_return_val_if_fail (ATTENDANT_IS_ARI (self), NULL);
  g_return_val_if_fail (application != NULL && application[0] != '\0', NULL);

  sibling = g_object_new (ATTENDANT_TYPE_ARI, NULL);
  sibling->url = g_strdup (self->url);
  sibling->uri = g_uri_ref (self->uri);
  sibling->user = g_strdup (self->user);
  sibling->application = g_strdup (application);
  sibling->authorization = g_strdup (self->authorization);
  sibling->subscribe_all = self->subscribe_all;
  g_set_object (&sibling->extra_anchors, self->extra_anchors);
  sibling->session = session_new ();
  return sibling;
}

/**
 * attendant_ari_set_extra_anchors:
 * @database: (nullable): CA certificates trusted besides the system's
 */
void
attendant_ari_set_extra_anchors (AttendantAri *self,
                                 GTlsDatabase *database)
{
  g_return_if_fail (ATTENDANT_IS_ARI (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_set_object (&self->extra_anchors, database);
}

/**
 * attendant_ari_set_subscribe_all:
 *
 * Whether the events connection asks for every event source (endpoints,
 * device states, …; the default) or only the application's own channels.
 * Takes effect at the next connection.
 */
void
attendant_ari_set_subscribe_all (AttendantAri *self,
                                 gboolean      subscribe_all)
{
  g_return_if_fail (ATTENDANT_IS_ARI (self));

  self->subscribe_all = !!subscribe_all;
}

/**
 * attendant_ari_set_liveness:
 *
 * Whether a silent Asterisk drops the events connection (the default):
 * without, the connection is lost only when it closes or breaks, and
 * outlives a frozen Asterisk. For a client beside another one that
 * watches the same Asterisk. Takes effect at the next connection.
 */
void
attendant_ari_set_liveness (AttendantAri *self,
                            gboolean      liveness)
{
  g_return_if_fail (ATTENDANT_IS_ARI (self));

  self->liveness_enabled = !!liveness;
}

const char *
attendant_ari_get_url (AttendantAri *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ARI (self), NULL);

  return self->url;
}

const char *
attendant_ari_get_application (AttendantAri *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ARI (self), NULL);

  return self->application;
}

gboolean
attendant_ari_get_connected (AttendantAri *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ARI (self), FALSE);

  return self->state == STATE_CONNECTED;
}

/**
 * attendant_ari_get_asterisk_version:
 *
 * Returns: (nullable): the version Asterisk last said it is
 */
const char *
attendant_ari_get_asterisk_version (AttendantAri *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ARI (self), NULL);

  return self->version;
}

/* }}} */
