/* fuzz-protocol-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-fuzz"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "attendant-core.h"
#include "attendant-server.h"
#include "attendant-server-session.h"
#include "attendant-pbx.h"
#include "attendant-users.h"
#include "fuzz-common.h"

/* Client → server: what a hostile client can make the reference server
 * read, through the server's own session code. The input is a series of
 * text frames separated by NUL bytes, sent over a real WebSocket (a socket
 * pair) to an AttendantServerSession of a fresh AttendantServer, which
 * greets first, as on the wire.
 *
 * A fuzzer cannot forge SCRAM, so "@SCRAM@" in a frame stands for what a
 * genuine client knowing the password would send next (client-first, then
 * client-final once the server has challenged): with it the fuzzer reaches
 * the logged-in session and the telephone system's commands. Two calls
 * wait in the queue ("call-1", "call-2"). */

#define USER "reception"
#define PASSWORD "secret"
#define MAX_FRAMES 16

typedef struct
{
  AttendantScram *client_scram;
  char           *genuine;     /* the genuine client's next message, base64 */
} Peer;

static AttendantServerConfig *config;
static char *workdir;

static void
remove_workdir (void)
{
  g_autoptr(GDir) handle = g_dir_open (workdir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (workdir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (workdir);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *users = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *text = NULL;

  fuzz_setup ();

  dir = g_dir_make_tmp (NULL, &error);
  g_assert_no_error (error);
  users = g_build_filename (dir, "users.ini", NULL);
  conf = g_build_filename (dir, "server.conf", NULL);

  /* The floor clients accept; the harness's client runs PBKDF2 once and
   * then reuses its SaltedPassword (same user, password and salt). */
  attendant_users_add_to_file (users, USER, "Reception Desk", "200", PASSWORD,
                               ATTENDANT_SCRAM_MIN_ITERATIONS, &error);
  g_assert_no_error (error);
  attendant_users_add_to_file (users, "nobody", NULL, NULL, PASSWORD,
                               ATTENDANT_SCRAM_MIN_ITERATIONS, &error);
  g_assert_no_error (error);

  text = g_strdup_printf ("[server]\n"
                          "cluster=fuzz\n"
                          "users=%s\n"
                          "heartbeat=5\n"
                          "login-failures=100000\n"
                          "\n"
                          "[node primary]\n"
                          "plain=127.0.0.1:0\n"
                          "\n"
                          "[node backup]\n"
                          "plain=127.0.0.2:0\n"
                          "\n"
                          "[queue main]\n"
                          "name=Reception\n"
                          "\n"
                          "[queue sales]\n"
                          "name=Sales\n"
                          "\n"
                          "[directory]\n"
                          "201=Bruno Bianchi;Sales\n"
                          "202=Carla Rossi;Support;away\n"
                          "203=Dario Neri;Sales;dnd\n",
                          users);
  config = attendant_server_config_new_from_data (text, conf, &error);
  g_assert_no_error (error);

  /* The server reads the users file when it is made, once per run: keep
   * it until the process ends. */
  workdir = g_steal_pointer (&dir);
  atexit (remove_workdir);

  return 0;
}

/* The harness's client end: answers the server's SCRAM messages for real. */
static void
peer_message_cb (SoupWebsocketConnection *websocket,
                 int                      type,
                 GBytes                  *bytes,
                 Peer                    *peer)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  g_autoptr(JsonObject) message = attendant_protocol_decode (data, length, NULL);
  gboolean done = FALSE;

  /* The server must only ever send valid messages. */
  g_assert_nonnull (message);

  if (g_str_equal (attendant_protocol_get_type (message), "auth.challenge") &&
      peer->client_scram != NULL)
    {
      g_free (peer->genuine);
      peer->genuine = attendant_scram_step (peer->client_scram,
                                            json_object_get_string_member (message, "data"),
                                            &done, NULL);
    }
}

static char *
frame_text (const char *text,
            Peer       *peer)
{

  if (strstr (text, "@SCRAM@") == NULL)
    return g_strdup (text);

  /* The first placeholder starts a genuine login. */
  if (peer->client_scram == NULL)
    {
      gboolean done = FALSE;

      peer->client_scram = attendant_scram_new_client (USER, PASSWORD, NULL);
      peer->genuine = attendant_scram_step (peer->client_scram, NULL, &done, NULL);
    }

  return fuzz_replace (text, "@SCRAM@", peer->genuine ? peer->genuine : "");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) frames = fuzz_split (data, size, MAX_FRAMES);
  g_autoptr(SoupWebsocketConnection) client_ws = NULL;
  g_autoptr(SoupWebsocketConnection) server_ws = NULL;
  g_autoptr(AttendantServer) server = NULL;
  g_autoptr(AttendantServerSession) session = NULL;
  g_autoptr(GSocketAddress) remote = g_inet_socket_address_new_from_string ("127.0.0.1", 40000);
  g_autoptr(GError) error = NULL;
  const char * const nodes[] = { "primary", NULL };
  Peer peer = { NULL, NULL };

  server = attendant_server_new (config, nodes, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *call = attendant_pbx_inject_call (attendant_server_get_pbx (server),
                                                    "+390212345678", "Caller", NULL,
                                                    NULL, 0, &error);

      g_assert_no_error (error);
      json_object_unref (call);
    }

  fuzz_websocket_pair (&client_ws, &server_ws);
  g_signal_connect (client_ws, "message", G_CALLBACK (peer_message_cb), &peer);

  session = attendant_server_session_new (server, "primary", server_ws, NULL, remote, "plain");
  attendant_server_session_start (session, FALSE);
  fuzz_drain_main_context ();

  for (guint i = 0; i < frames->len; i++)
    {
      g_autofree char *text = frame_text (frames->pdata[i], &peer);

      fuzz_send_text (client_ws, server_ws, text);
    }

  attendant_server_session_close (session, ATTENDANT_CLOSE_NORMAL, "done");
  fuzz_drain_main_context ();
  g_signal_handlers_disconnect_by_data (client_ws, &peer);

  g_clear_object (&peer.client_scram);
  g_free (peer.genuine);

  return 0;
}
