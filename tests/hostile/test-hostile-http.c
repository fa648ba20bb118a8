/* test-hostile-http.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-hostile-http"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>

#include "attendant-core.h"
#include "attendant-test-client.h"
#include "attendant-test-fixture.h"
#include "attendant-test-process.h"
#include "attendant-test-raw.h"
#include "attendant-test-sanitizer.h"

/* The real attendant-server process against hostile HTTP and idle
 * connection floods (docs/server.md, "Hostile clients"): bodies refused by
 * their declared length before they are read, chunked bodies cut off as
 * they arrive, and connections not yet logged in capped per address and
 * in all, so that a real user still logs in promptly. The hostile side is
 * raw sockets from 127.0.0.x source addresses; the real user is the test
 * client. */

#define TOKEN "hostile-http-token-0123456789"
/* What the server may grow by while it refuses what it is sent. */
#define GROWTH_BOUND_KIB (16 * 1024)

static char *dir;

/* {{{ The server process */

typedef struct
{
  AttendantTestProcess *process;
  guint16               node_port;
  guint16               admin_port;
} Server;

/* In the child, before exec: never outlive the test, and, with a file
 * limit, have as few descriptors as a flood would exhaust. */
static void
child_setup (gpointer user_data)
{
  guint nofile = GPOINTER_TO_UINT (user_data);

#ifdef PR_SET_PDEATHSIG
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
  if (nofile != 0)
    {
      struct rlimit limit = { nofile, nofile };

      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

/* Starts attendant-server with one plain node on 127.0.0.1 and the admin
 * API; @extra: more lines for [server]; @nofile: its descriptor limit (0:
 * the test's). */
static Server *
server_start (const char *extra,
              guint       nofile)
{
  g_autofree char *text = NULL;
  g_autofree char *config = NULL;
  const char *argv[] = { ATTENDANT_SERVER_PATH, "--config", NULL, NULL };
  Server *server = g_new0 (Server, 1);

  text = g_strdup_printf ("[server]\n"
                          "users=users.ini\n"
                          "admin=127.0.0.1:0\n"
                          "admin-token-file=admin.token\n"
                          "%s\n"
                          "[node primary]\n"
                          "plain=127.0.0.1:0\n",
                          extra != NULL ? extra : "");
  config = attendant_test_write_file (dir, "server.conf", text);

  argv[2] = config;
  server->process = attendant_test_process_start (dir, child_setup, GUINT_TO_POINTER (nofile), argv);
  server->node_port = attendant_test_process_port (server->process, "primary", "plain");
  g_assert_nonnull (server->process->admin_url);
  server->admin_port = (guint16)atoi (strrchr (server->process->admin_url, ':') + 1);

  return server;
}

/* SIGTERM: the server shuts down cleanly, and under the sanitizer checks
 * itself for leaks, whatever it was in the middle of. */
static void
server_free (Server *server)
{
  GSubprocess *process = server->process->process;

  g_subprocess_send_signal (process, SIGTERM);
  attendant_test_process_wait (server->process);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  attendant_test_process_free (server->process);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

static gsize
server_status_kib (Server     *server,
                   const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (server->process->process));
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, field);
  g_assert_nonnull (line);

  return (gsize)g_ascii_strtoull (line + strlen (field), NULL, 10);
}

/* The server's peak resident set is reset to its current one, so that
 * what is read afterwards belongs to what the test did. */
static gsize
server_reset_peak (Server *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/clear_refs", g_subprocess_get_identifier (server->process->process));
  FILE *clear_refs = fopen (path, "w");

  g_assert_nonnull (clear_refs);
  g_assert_cmpint (fputs ("5", clear_refs), >=, 0);
  g_assert_cmpint (fclose (clear_refs), ==, 0);

  return server_status_kib (server, "VmRSS:");
}

static void
assert_growth_bounded (Server *server,
                       gsize   before_kib)
{
  gsize peak = server_status_kib (server, "VmHWM:");

  g_test_message ("server: %zu KiB before, peak %zu KiB", before_kib, peak);
  g_assert_cmpuint (peak, <, before_kib + GROWTH_BOUND_KIB);
}

/* }}} */
/* {{{ Raw connections */

/* Everything @socket receives until the server closes it, or NULL if it
 * does not close within @ms. */
static GString *
read_until_closed (GSocket *socket,
                   guint    ms)
{
  g_autoptr(GString) received = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64)ms * 1000;

  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      char buffer[4096];
      gssize n;

      if (left <= 0)
        return NULL;
      g_socket_set_timeout (socket, 0);
      if (!g_socket_condition_timed_wait (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, left, NULL, NULL))
        continue;
      n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);
      if (n <= 0)
        return g_steal_pointer (&received);
      g_string_append_len (received, buffer, n);
    }
}

/* TRUE if nothing has arrived on @socket, not even its end. */
static gboolean
is_open (GSocket *socket)
{
  return g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR) == 0;
}

/* Sends a request's headers and a little of its body, never the rest, and
 * returns the response: it must come, and the connection end, although
 * most of the declared body was never sent. */
static GString *
request_without_body (guint16     port,
                      const char *headers)
{
  g_autoptr(GSocket) socket = attendant_test_raw_connect ("127.0.0.1", port, "127.0.0.1");
  g_autofree char *some_body = g_malloc0 (64 * 1024);
  GString *response;

  attendant_test_raw_send (socket, headers, strlen (headers));
  attendant_test_raw_send (socket, some_body, 64 * 1024);
  /* The response, then FIN at once: the server does not wait for the
   * rest of the body, nor for its own drain of what is still sent. */
  response = read_until_closed (socket, 1500);
  if (response == NULL)
    g_error ("no answer and end within 1.5 s to a request whose body was not sent:\n%s", headers);
  g_test_message ("%s", response->str);

  return response;
}

static void
assert_refused (GString    *response,
                const char *status_line)
{
  g_assert_true (g_str_has_prefix (response->str, status_line));
  g_assert_nonnull (strstr (response->str, "\r\nConnection: close\r\n"));
}

/* }}} */
/* {{{ Bodies */

#define HUGE_LENGTH "419430400"

static void
test_declared_length (void)
{
  g_autoptr(Server) server = server_start (NULL, 0);
  g_autofree char *node_post = g_strdup ("POST /attendant HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                         "Content-Length: " HUGE_LENGTH "\r\n\r\n");
  g_autofree char *node_get = g_strdup ("GET /attendant HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                        "Sec-WebSocket-Version: 13\r\n"
                                        "Sec-WebSocket-Protocol: attendant.v1\r\n"
                                        "Content-Length: " HUGE_LENGTH "\r\n\r\n");
  g_autofree char *node_elsewhere = g_strdup ("PUT /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Content-Length: " HUGE_LENGTH "\r\n\r\n");
  g_autofree char *admin_anonymous = g_strdup ("POST /calls HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                               "Content-Type: application/json\r\n"
                                               "Content-Length: " HUGE_LENGTH "\r\n\r\n");
  g_autofree char *admin_authorized = g_strdup ("POST /calls HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                "Authorization: Bearer " TOKEN "\r\n"
                                                "Content-Length: " HUGE_LENGTH "\r\n\r\n");
  g_autoptr(GString) response = NULL;
  gsize before = server_reset_peak (server);

  response = request_without_body (server->node_port, node_post);
  assert_refused (response, "HTTP/1.1 405 ");
  g_string_free (g_steal_pointer (&response), TRUE);

  /* The WebSocket path takes a GET without a body only. */
  response = request_without_body (server->node_port, node_get);
  assert_refused (response, "HTTP/1.1 413 ");
  g_string_free (g_steal_pointer (&response), TRUE);

  response = request_without_body (server->node_port, node_elsewhere);
  assert_refused (response, "HTTP/1.1 404 ");
  g_string_free (g_steal_pointer (&response), TRUE);

  /* Without the token: 401 before a byte of the body. */
  response = request_without_body (server->admin_port, admin_anonymous);
  assert_refused (response, "HTTP/1.1 401 ");
  g_assert_nonnull (strstr (response->str, "WWW-Authenticate: Bearer"));
  g_string_free (g_steal_pointer (&response), TRUE);

  /* With it, but over the admin API's limit: 413 just the same. */
  response = request_without_body (server->admin_port, admin_authorized);
  assert_refused (response, "HTTP/1.1 413 ");

  assert_growth_bounded (server, before);
}

/* Sends chunk after chunk of an endless chunked body; returns how much
 * went out before the server closed the connection, or fails if it takes
 * all of @limit. */
static gsize
send_endless_chunks (guint16     port,
                     const char *headers,
                     gsize       limit)
{
  g_autoptr(GSocket) socket = attendant_test_raw_connect ("127.0.0.1", port, "127.0.0.1");
  g_autoptr(GString) chunk = g_string_new ("10000\r\n");
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  gsize sent = 0;
  gsize offset = 0;

  g_string_set_size (chunk, 7 + 0x10000);
  memset (chunk->str + 7, 'x', 0x10000);
  g_string_append (chunk, "\r\n");

  attendant_test_raw_send (socket, headers, strlen (headers));
  while (sent < limit)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (!g_socket_condition_timed_wait (socket, G_IO_OUT, 100000, NULL, NULL))
        continue;
      n = g_socket_send (socket, chunk->str + offset, chunk->len - offset, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        continue;
      if (n < 0)
        {
          g_test_message ("closed after %zu bytes: %s", sent, error->message);
          return sent;
        }
      sent += (gsize)n;
      offset = (offset + (gsize)n) % chunk->len;
    }

  g_error ("the server took %zu bytes of an endless chunked body without closing", sent);
}

static void
test_endless_chunks (void)
{
  g_autoptr(Server) server = server_start (NULL, 0);
  static const char node_get[] = "GET /attendant HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                 "Sec-WebSocket-Version: 13\r\n"
                                 "Sec-WebSocket-Protocol: attendant.v1\r\n"
                                 "Transfer-Encoding: chunked\r\n\r\n";
  static const char admin_post[] = "POST /presence HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Authorization: Bearer " TOKEN "\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\n";
  /* Loopback's socket buffers hold several MiB on each side; what gets
   * past them the server must have read. */
  gsize limit = 96 * 1024 * 1024;
  gsize before = server_reset_peak (server);

  g_assert_cmpuint (send_endless_chunks (server->node_port, node_get, limit), <, limit);
  g_assert_cmpuint (send_endless_chunks (server->admin_port, admin_post, limit), <, limit);

  assert_growth_bounded (server, before);
}

/* }}} */
/* {{{ Idle floods */

/* The real user: connects and logs in; returns how long that took. */
static double
real_login_s (Server *server)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/attendant", server->node_port);
  g_autoptr(AttendantTestClient) client = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  client = attendant_test_client_connect (url, NULL, NULL, &error);
  g_assert_no_error (error);
  hello = attendant_test_client_expect (client, "hello");
  g_assert_nonnull (hello);
  answer = attendant_test_client_login (client, TEST_USER, TEST_PASSWORD);
  elapsed = (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
  g_assert_cmpstr (attendant_protocol_get_type (answer), ==, "auth.ok");
  g_test_message ("real user logged in after %.3f s", elapsed);

  return elapsed;
}

/* Opens @n idle connections, from 127.0.0.@first onwards, @per_address
 * from each; returns how many of them the server closed at once. */
static GPtrArray *
flood (Server *server,
       guint   n,
       guint   first,
       guint   per_address)
{
  GPtrArray *sockets = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *local = g_strdup_printf ("127.0.0.%u", first + i / per_address);

      g_ptr_array_add (sockets, attendant_test_raw_connect ("127.0.0.1", server->node_port, local));
    }

  return sockets;
}

static guint
count_open (GPtrArray *sockets)
{
  guint open = 0;

  for (guint i = 0; i < sockets->len; i++)
    if (is_open (g_ptr_array_index (sockets, i)))
      open++;

  return open;
}

/* The descriptor limit is what a flood exhausts first: with 256, 300 idle
 * connections would leave the real user unaccepted. */
#define FLOOD_NOFILE 256
#define FLOOD_SIZE   300

static void
test_flood_one_address (void)
{
  g_autoptr(Server) server = server_start (NULL, FLOOD_NOFILE);
  g_autoptr(GPtrArray) sockets = flood (server, FLOOD_SIZE, 2, FLOOD_SIZE);
  guint open;

  /* The real user comes after the whole flood, so by the time it is in,
   * the server has judged every flood connection. */
  g_assert_cmpfloat (real_login_s (server), <, 1.0);
  open = count_open (sockets);
  g_test_message ("%u of %u idle connections from 127.0.0.2 left open", open, FLOOD_SIZE);
  /* The default cap per address. */
  g_assert_cmpuint (open, ==, 64);
}

static void
test_flood_many_addresses (void)
{
  g_autoptr(Server) server = server_start ("unauthenticated-total=100\n", FLOOD_NOFILE);
  g_autoptr(GPtrArray) sockets = flood (server, FLOOD_SIZE, 10, 2);
  guint open;

  g_assert_cmpfloat (real_login_s (server), <, 1.0);
  open = count_open (sockets);
  g_test_message ("%u of %u idle connections from 150 addresses left open", open, FLOOD_SIZE);
  /* The oldest were dropped to make room: at most the total (the real
   * user, now logged in, no longer counts). */
  g_assert_cmpuint (open, <=, 100);
  g_assert_true (is_open (g_ptr_array_index (sockets, FLOOD_SIZE - 1)));
}

/* @n idle connections from @local are let in, and then one more is
 * closed at once (after which the @n are seen still open: the server
 * takes connections in order). */
static GPtrArray *
assert_cap (Server     *server,
            const char *local,
            guint       n)
{
  GPtrArray *sockets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocket) one_more = NULL;
  g_autoptr(GString) nothing = NULL;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (sockets, attendant_test_raw_connect ("127.0.0.1", server->node_port, local));
  one_more = attendant_test_raw_connect ("127.0.0.1", server->node_port, local);
  nothing = read_until_closed (one_more, 1000);
  if (nothing == NULL)
    g_error ("connection %u from %s not closed at once", n + 1, local);
  g_assert_cmpuint (nothing->len, ==, 0);
  g_assert_cmpuint (count_open (sockets), ==, n);

  return sockets;
}

/* strstr() for binary data. */
static gboolean
contains (GString    *data,
          const char *needle)
{
  gsize length = strlen (needle);

  for (gsize i = 0; i + length <= data->len; i++)
    if (memcmp (data->str + i, needle, length) == 0)
      return TRUE;

  return FALSE;
}

static void
upgrade (GSocket *socket)
{
  static const char request[] = "GET /attendant HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\n"
                                "Sec-WebSocket-Protocol: attendant.v1\r\n\r\n";
  g_autoptr(GString) received = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  attendant_test_raw_send (socket, request, strlen (request));
  /* The 101 and then the hello frame (whose header may hold a zero). */
  while (!contains (received, "\"hello\""))
    {
      char buffer[4096];
      gssize n;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (!g_socket_condition_timed_wait (socket, G_IO_IN, 100000, NULL, NULL))
        continue;
      n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (received, buffer, n);
    }
  g_assert_true (g_str_has_prefix (received->str, "HTTP/1.1 101 "));
}

static void
wait_all_closed (GPtrArray *sockets)
{
  for (guint i = 0; i < sockets->len; i++)
    {
      g_autoptr(GString) rest = read_until_closed (g_ptr_array_index (sockets, i), 10000);

      g_assert_nonnull (rest);
    }
}

/* Every way out of "not yet logged in" gives the place back. */
static void
test_cap_released (void)
{
  g_autoptr(Server) server = server_start ("unauthenticated-per-address=4\n"
                                           "auth-timeout=2\n", 0);
  GPtrArray *sockets;
  AttendantTestClient *clients[4];

  /* Closed by the client. */
  sockets = assert_cap (server, "127.0.0.3", 4);
  g_ptr_array_unref (sockets);

  /* Hung up on at auth-timeout, before the WebSocket. */
  sockets = assert_cap (server, "127.0.0.3", 4);
  wait_all_closed (sockets);
  g_ptr_array_unref (sockets);

  /* WebSocket sessions that never log in count too, until auth-timeout
   * closes them (4002). */
  sockets = assert_cap (server, "127.0.0.3", 4);
  for (guint i = 0; i < sockets->len; i++)
    upgrade (g_ptr_array_index (sockets, i));
  {
    g_autoptr(GSocket) one_more = attendant_test_raw_connect ("127.0.0.1", server->node_port, "127.0.0.3");
    g_autoptr(GString) nothing = read_until_closed (one_more, 1000);

    g_assert_nonnull (nothing);
  }
  wait_all_closed (sockets);
  g_ptr_array_unref (sockets);
  g_ptr_array_unref (assert_cap (server, "127.0.0.3", 4));

  /* Logged in: no longer counted. */
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/attendant", server->node_port);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) hello = NULL;
      g_autoptr(JsonObject) answer = NULL;

      clients[i] = attendant_test_client_connect (url, NULL, NULL, &error);
      g_assert_no_error (error);
      hello = attendant_test_client_expect (clients[i], "hello");
      g_assert_nonnull (hello);
      answer = attendant_test_client_login (clients[i], TEST_USER, TEST_PASSWORD);
      g_assert_cmpstr (attendant_protocol_get_type (answer), ==, "auth.ok");
    }
  g_ptr_array_unref (assert_cap (server, "127.0.0.1", 4));
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    attendant_test_client_free (clients[i]);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *users = NULL;
  g_autofree char *token = NULL;
  int status;

  attendant_test_sanitizer_setup (argv);
  g_test_init (&argc, &argv, NULL);

  dir = g_dir_make_tmp ("hostile-http-XXXXXX", &error);
  g_assert_no_error (error);
  users = g_build_filename (dir, "users.ini", NULL);
  attendant_test_write_users (users);
  token = attendant_test_write_file (dir, "admin.token", TOKEN "\n");
  /* Secrets are kept owner-only. */
  g_assert_cmpint (g_chmod (token, 0600), ==, 0);
  g_assert_cmpint (g_chmod (users, 0600), ==, 0);

  g_test_add_func ("/hostile/http/declared-length", test_declared_length);
  g_test_add_func ("/hostile/http/endless-chunks", test_endless_chunks);
  g_test_add_func ("/hostile/http/flood-one-address", test_flood_one_address);
  g_test_add_func ("/hostile/http/flood-many-addresses", test_flood_many_addresses);
  g_test_add_func ("/hostile/http/cap-released", test_cap_released);

  status = g_test_run ();
  attendant_test_remove_dir (dir);
  g_free (dir);

  return status;
}
