/* baseline-connect.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark's baseline: what an application gets from the obvious GLib
 * call, g_socket_client_connect_to_service_async(), on the same SRV records
 * the Attendant client reads. GLib's GNetworkService sorts the records the
 * RFC 2782 way, and GSocketClient starts the next address 250 ms after the
 * previous one without waiting for it to fail (it races them); there is no
 * fallback to DOMAIN:51234 when the SRV query fails. None of that is
 * corrected here on purpose: this program is the thing being compared
 * against, so it must stay the plain, default use of the API.
 *
 * Usage: baseline-connect [--service=iac] DOMAIN
 * Prints one JSON object on stdout:
 *   {"connected": "ADDRESS:PORT" or null, "error": null or "text",
 *    "elapsed_ms": N}
 * and exits 0 when connected, 1 when not, 2 on bad usage.
 */

#define G_LOG_DOMAIN "baseline-connect"

#include <gio/gio.h>
#include <stdio.h>

typedef struct
{
  GMainLoop *loop;
  gint64     started;
  gboolean   connected;
} Run;

/* A JSON string literal; UTF-8 passes through as it is. */
static char *
json_string (const char *text)
{
  GString *out = g_string_new ("\"");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if ((guchar)*p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guint)(guchar)*p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');

  return g_string_free (out, FALSE);
}

static void
print_result (Run          *run,
              const char   *peer,
              const GError *error)
{
  double elapsed_ms = (g_get_monotonic_time () - run->started) / 1000.0;
  g_autofree char *peer_json = peer != NULL ? json_string (peer) : g_strdup ("null");
  g_autofree char *error_json = error != NULL ? json_string (error->message) : g_strdup ("null");

  printf ("{\"connected\": %s, \"error\": %s, \"elapsed_ms\": %.3f}\n",
          peer_json, error_json, elapsed_ms);
  fflush (stdout);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_service_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      print_result (run, NULL, error);
    }
  else
    {
      /* Behind DNAT the socket's peer is still the public address the
       * client dialled, so the port says which SRV record won. */
      g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, &error);
      g_autofree char *peer = NULL;

      if (remote != NULL)
        {
          GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (remote);
          g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));

          peer = g_strdup_printf ("%s:%u", host, g_inet_socket_address_get_port (inet));
        }
      print_result (run, peer, error);
      run->connected = TRUE;
    }

  g_main_loop_quit (run->loop);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *service = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Run run = { 0 };
  const GOptionEntry entries[] = {
    { "service", 0, 0, G_OPTION_ARG_STRING, &service,
      "SRV service label without the underscore (default iac: _iac._tcp)", "NAME" },
    { NULL }
  };

  context = g_option_context_new ("DOMAIN — connect the way g_socket_client_connect_to_service_async does");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      fprintf (stderr, "baseline-connect: %s\n",
               error != NULL ? error->message : "give exactly one DOMAIN");
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  client = g_socket_client_new ();
  run.loop = loop;
  run.started = g_get_monotonic_time ();

  g_socket_client_connect_to_service_async (client, argv[1], service != NULL ? service : "iac",
                                            NULL, connected_cb, &run);
  g_main_loop_run (loop);

  return run.connected ? 0 : 1;
}
