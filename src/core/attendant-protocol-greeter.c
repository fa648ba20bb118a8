/* attendant-protocol-greeter.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-protocol-greeter"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "attendant-error.h"
#include "attendant-greeting.h"
#include "attendant-protocol.h"
#include "attendant-protocol-greeter.h"
#include "attendant-websocket.h"

/* The greeting stage of reaching an endpoint: it is only "reached" once it
 * has upgraded to attendant.v1 and sent a valid `hello`. Anything else — an
 * HTTP server, a TLS terminator with nothing behind it, a wrong protocol
 * version — is `protocol-failed`, and the connector moves on. The result is
 * an AttendantGreeting that owns the open WebSocket. */
struct _AttendantProtocolGreeter
{
  GObject parent_instance;
};

static void greeter_iface_init (AttendantGreeterInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AttendantProtocolGreeter, attendant_protocol_greeter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ATTENDANT_TYPE_GREETER, greeter_iface_init))

typedef struct
{
  GTask                   *self_ref;    /* keeps the task alive while waiting for hello */
  SoupWebsocketConnection *websocket;
  gulong                   message_id;
  gulong                   closed_id;
  gulong                   error_id;
} Greet;

static void
greet_disconnect (Greet *greet)
{
  if (greet->websocket != NULL)
    {
      g_clear_signal_handler (&greet->message_id, greet->websocket);
      g_clear_signal_handler (&greet->closed_id, greet->websocket);
      g_clear_signal_handler (&greet->error_id, greet->websocket);
    }
}

/* Drops the reference that kept the task alive while signals could still
 * come; the task (and this data) may be gone afterwards. */
static void
greet_release (Greet *greet)
{
  GTask *task = g_steal_pointer (&greet->self_ref);

  g_clear_object (&task);
}

static void
greet_free (Greet *greet)
{
  greet_disconnect (greet);
  g_clear_object (&greet->websocket);
  g_free (greet);
}

static void
greet_fail (GTask   *task,
            gushort  close_code,
            GError  *error)
{
  Greet *greet = g_task_get_task_data (task);

  greet_disconnect (greet);
  if (soup_websocket_connection_get_state (greet->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (greet->websocket, close_code, NULL);
  g_task_return_error (task, error);
  greet_release (greet);
}

static void
message_cb (SoupWebsocketConnection *websocket,
            gint                     type,
            GBytes                  *message,
            GTask                   *task)
{
  Greet *greet = g_task_get_task_data (task);
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(GError) error = NULL;
  AttendantGreeting *greeting;
  gsize length = 0;
  const char *data = g_bytes_get_data (message, &length);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      greet_fail (task, ATTENDANT_CLOSE_PROTOCOL_ERROR,
                  g_error_new_literal (ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                                       _("The server sent a binary frame")));
      return;
    }

  hello = attendant_protocol_decode (data, length, &error);
  if (hello == NULL)
    {
      /* libsoup's own limit is above the protocol's (see
       * attendant-websocket.c), so this is where 1 MiB is enforced. */
      greet_fail (task,
                  length > ATTENDANT_PROTOCOL_MAX_MESSAGE ? ATTENDANT_CLOSE_TOO_BIG
                                                          : ATTENDANT_CLOSE_PROTOCOL_ERROR,
                  g_steal_pointer (&error));
      return;
    }

  if (g_strcmp0 (attendant_protocol_get_type (hello), "hello") != 0)
    {
      greet_fail (task, ATTENDANT_CLOSE_PROTOCOL_ERROR,
                  g_error_new (ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                               /* TRANSLATORS: %s is a message type of the protocol. */
                               _("The server sent “%s” before its hello"),
                               attendant_protocol_get_type (hello)));
      return;
    }

  greeting = attendant_greeting_new (websocket, hello, &error);
  if (greeting == NULL)
    {
      greet_fail (task, ATTENDANT_CLOSE_PROTOCOL_ERROR, g_steal_pointer (&error));
      return;
    }

  greet_disconnect (greet);
  g_task_return_pointer (task, greeting, g_object_unref);
  greet_release (greet);
}

static void
error_cb (SoupWebsocketConnection *websocket,
          GError                  *error,
          GTask                   *task)
{
  gushort close_code;
  g_autofree char *what = attendant_protocol_describe_websocket_error (error, &close_code);

  /* libsoup also reports failed reads and writes here (a reset, a TLS
   * stream cut short): either way this endpoint did not greet. */
  greet_fail (task, close_code,
              g_error_new (ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                           error->domain == SOUP_WEBSOCKET_ERROR
                             ? _("The server sent %s")
                             : _("The connection failed before the server's hello: %s"),
                           what));
}

static void
closed_cb (SoupWebsocketConnection *websocket,
           GTask                   *task)
{
  Greet *greet = g_task_get_task_data (task);

  greet_disconnect (greet);
  g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                           _("The server closed the connection before its hello (code %u)"),
                           soup_websocket_connection_get_close_code (websocket));
  greet_release (greet);
}

static void
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  Greet *greet = g_task_get_task_data (task);

  if (g_task_get_completed (task) || greet->message_id == 0)
    return;

  greet_disconnect (greet);
  g_task_return_error_if_cancelled (task);
  greet_release (greet);
}

static void
websocket_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Greet *greet = g_task_get_task_data (task);
  GError *error = NULL;

  greet->websocket = attendant_websocket_connect_finish (result, &error);
  if (greet->websocket == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  greet->self_ref = g_object_ref (task);
  greet->message_id = g_signal_connect (greet->websocket, "message", G_CALLBACK (message_cb), task);
  greet->closed_id = g_signal_connect (greet->websocket, "closed", G_CALLBACK (closed_cb), task);
  greet->error_id = g_signal_connect (greet->websocket, "error", G_CALLBACK (error_cb), task);

  /* The attempt timeout reaches us as cancellation while waiting. */
  if (g_task_get_cancellable (task) != NULL)
    g_signal_connect_object (g_task_get_cancellable (task), "cancelled",
                             G_CALLBACK (cancelled_cb), task, 0);
}

static void
attendant_protocol_greeter_greet_async (AttendantGreeter    *greeter,
                                        GIOStream           *stream,
                                        AttendantEndpoint   *endpoint,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (greeter, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_protocol_greeter_greet_async);
  g_task_set_task_data (task, g_new0 (Greet, 1), (GDestroyNotify)greet_free);

  attendant_websocket_connect_async (stream,
                                     attendant_endpoint_get_host (endpoint),
                                     attendant_endpoint_get_port (endpoint),
                                     cancellable, websocket_cb, g_object_ref (task));
}

static GObject *
attendant_protocol_greeter_greet_finish (AttendantGreeter  *greeter,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, greeter), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
greeter_iface_init (AttendantGreeterInterface *iface)
{
  iface->greet_async = attendant_protocol_greeter_greet_async;
  iface->greet_finish = attendant_protocol_greeter_greet_finish;
}

static void
attendant_protocol_greeter_class_init (AttendantProtocolGreeterClass *klass)
{
}

static void
attendant_protocol_greeter_init (AttendantProtocolGreeter *self)
{
}

AttendantGreeter *
attendant_protocol_greeter_new (void)
{
  return g_object_new (ATTENDANT_TYPE_PROTOCOL_GREETER, NULL);
}
