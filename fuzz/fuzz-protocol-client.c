/* fuzz-protocol-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-fuzz"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "fuzz-common.h"

/* Server → client: what a hostile server can make the client read, through
 * the code the client really runs. The input is a series of text frames
 * separated by NUL bytes, sent over a real WebSocket (a socket pair): the
 * first is read as the greeting, exactly as AttendantProtocolGreeter does,
 * then an AttendantSession logs in and reads the rest.
 *
 * A fuzzer cannot forge SCRAM, so "@SCRAM@" in a frame stands for what a
 * genuine server holding the user's keys would answer to the client's last
 * authentication message: with it the fuzzer reaches the logged-in
 * session, where the harness sends one command (id "c-1") whose reply the
 * frames may then answer. */

#define USER FUZZ_USER
#define PASSWORD FUZZ_PASSWORD
#define MAX_FRAMES 16

typedef struct
{
  AttendantScram *server_scram;
  char           *genuine;   /* the genuine server's last answer, base64 */
} Peer;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_setup ();
  return 0;
}

/* The harness's server end: answers the client's SCRAM messages for real. */
static void
peer_message_cb (SoupWebsocketConnection *websocket,
                 int                      type,
                 GBytes                  *bytes,
                 Peer                    *peer)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  g_autoptr(JsonObject) message = attendant_protocol_decode (data, length, NULL);
  const char *kind;
  gboolean done = FALSE;

  /* Our own client must only ever send valid messages. */
  g_assert_nonnull (message);
  kind = attendant_protocol_get_type (message);

  if (g_str_equal (kind, "auth.start"))
    {
      g_clear_object (&peer->server_scram);
      peer->server_scram = attendant_scram_new_server (fuzz_lookup, NULL, NULL);
    }

  if ((g_str_equal (kind, "auth.start") || g_str_equal (kind, "auth.finish")) &&
      peer->server_scram != NULL)
    {
      g_free (peer->genuine);
      peer->genuine = attendant_scram_step (peer->server_scram,
                                            json_object_get_string_member (message, "data"),
                                            &done, NULL);
    }
}

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  gboolean *logged_in = user_data;
  g_autoptr(GError) error = NULL;

  *logged_in = attendant_session_login_finish (ATTENDANT_SESSION (object), result, &error);
  g_assert_true (*logged_in == (error == NULL));
}

static void
command_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = attendant_session_send_command_finish (ATTENDANT_SESSION (object),
                                                                       result, &error);

  g_assert_true ((reply == NULL) != (error == NULL));
}

static char *
frame_text (const char *text,
            Peer       *peer)
{

  return fuzz_replace (text, "@SCRAM@", peer->genuine ? peer->genuine : "");
}

/* What AttendantProtocolGreeter does with the first message. */
static AttendantGreeting *
greet (SoupWebsocketConnection *websocket,
       const char              *text)
{
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(GError) error = NULL;
  AttendantGreeting *greeting;

  hello = attendant_protocol_decode (text, strlen (text), &error);
  if (hello == NULL || g_strcmp0 (attendant_protocol_get_type (hello), "hello") != 0)
    return NULL;

  greeting = attendant_greeting_new (websocket, hello, &error);
  if (greeting == NULL)
    {
      g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL);
      return NULL;
    }

  for (guint i = 0; i < attendant_greeting_get_nodes (greeting)->len; i++)
    {
      AttendantEndpoint *node = g_ptr_array_index (attendant_greeting_get_nodes (greeting), i);

      g_assert_cmpuint (attendant_endpoint_get_port (node), >, 0);
    }
  g_assert_cmpuint (attendant_greeting_get_heartbeat (greeting), >=, 1);

  return greeting;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) frames = fuzz_split (data, size, MAX_FRAMES);
  g_autoptr(SoupWebsocketConnection) client_ws = NULL;
  g_autoptr(SoupWebsocketConnection) server_ws = NULL;
  g_autoptr(AttendantGreeting) greeting = NULL;
  g_autoptr(AttendantEndpoint) endpoint = NULL;
  g_autoptr(AttendantConnection) connection = NULL;
  g_autoptr(AttendantSession) session = NULL;
  g_autofree char *hello = NULL;
  Peer peer = { NULL, NULL };
  gboolean logged_in = FALSE;
  gboolean command_sent = FALSE;

  fuzz_websocket_pair (&client_ws, &server_ws);
  g_signal_connect (server_ws, "message", G_CALLBACK (peer_message_cb), &peer);

  /* The first frame goes straight to the greeter's code, which is all the
   * greeter does with it; the rest travel over the socket. */
  hello = frame_text (frames->pdata[0], &peer);
  greeting = greet (client_ws, hello);

  if (greeting != NULL)
    {
      endpoint = attendant_endpoint_new ("127.0.0.1", 47001, 0, 0, ATTENDANT_ENDPOINT_ORIGIN_DIRECT);
      connection = attendant_connection_new (soup_websocket_connection_get_io_stream (client_ws),
                                             endpoint, "127.0.0.1", G_OBJECT (greeting));
      session = attendant_session_new (connection, attendant_greeting_get_heartbeat (greeting));
      attendant_session_login_async (session, USER, PASSWORD, NULL, login_cb, &logged_in);
      fuzz_drain_main_context ();

      for (guint i = 1; i < frames->len; i++)
        {
          g_autofree char *text = frame_text (frames->pdata[i], &peer);

          fuzz_send_text (server_ws, client_ws, text);

          if (logged_in && !command_sent)
            {
              attendant_session_send_command_async (session, "status", NULL, NULL, command_cb, NULL);
              command_sent = TRUE;
              fuzz_drain_main_context ();
            }
        }

      attendant_session_close (session);
      fuzz_drain_main_context ();
    }

  if (soup_websocket_connection_get_state (server_ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (server_ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  fuzz_drain_main_context ();
  g_signal_handlers_disconnect_by_data (server_ws, &peer);

  g_clear_object (&peer.server_scram);
  g_free (peer.genuine);

  return 0;
}
