/* test-cli-watch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-cli-watch"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "attendant-core.h"
#include "attendant-test-fixture.h"
#include "attendant-test-pki.h"
#include "attendant-test-sanitizer.h"
#include "attendant-test-server.h"
#include "attendant-test-wait.h"

/* `attendant-cli watch` (docs/cli.md) run as a program against the reference
 * server hosted in this process, nodes "primary" (127.0.0.1) and "backup"
 * (127.0.0.2). It is only ever given an IP literal and port (direct input:
 * no SRV query, no address lookup), so it makes no DNS query at all; the
 * backup is reached through the node list of the primary's hello, as
 * docs/architecture.md ("The node list") says for a direct connection.
 *
 * The contract under test: every line of standard output is one JSON
 * object with a string "event" and a numeric "t" that never goes back; the
 * connection's life is told as connecting → attempt → connected →
 * snapshot, and after the primary crashes as disconnected → connecting →
 * attempt → connected with failover true; a command on standard input gets
 * a "reply" line; SIGTERM ends it with status 0, a refused password with
 * an auth-failed line and status 1, bad usage with status 2 and nothing on
 * standard output. Everything waits on the program's lines or its exit,
 * with deadlines. */

#define HEARTBEAT "1"

/* {{{ The program and its lines */

typedef struct _Watch Watch;

struct _Watch
{
  GSubprocess      *process;
  GDataInputStream *out;
  GOutputStream    *in;
  GCancellable     *cancellable;
  GPtrArray        *lines;    /* JsonObject, in order */
  GPtrArray        *texts;    /* char *, as printed */
  double            last_t;
  gboolean          eof;
  gboolean          exited;
  gboolean          signalled;
  int               status;
};

static void read_next_line (Watch *watch);

/* Every line, as it comes: one JSON object, "event" a string, "t" a
 * number of seconds that never decreases. */
static void
line_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *line = NULL;
  JsonNode *root;
  JsonNode *t;
  JsonObject *object_line;
  double value;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_assert_no_error (error);

  if (line == NULL)
    {
      watch->eof = TRUE;
      return;
    }

  g_ptr_array_add (watch->texts, g_strdup (line));

  if (!json_parser_load_from_data (parser, line, -1, &error))
    g_error ("attendant-cli watch printed a line that is not JSON (%s): %s", error->message, line);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    g_error ("attendant-cli watch printed a line that is not one JSON object: %s", line);
  object_line = json_node_get_object (root);

  if (json_object_get_string_member_with_default (object_line, "event", NULL) == NULL)
    g_error ("a line without a string “event”: %s", line);

  t = json_object_get_member (object_line, "t");
  if (t == NULL || JSON_NODE_TYPE (t) != JSON_NODE_VALUE ||
      (json_node_get_value_type (t) != G_TYPE_DOUBLE && json_node_get_value_type (t) != G_TYPE_INT64))
    g_error ("a line without a numeric “t”: %s", line);
  value = json_node_get_double (t);
  if (value < 0 || value < watch->last_t)
    g_error ("“t” went from %g to %g: %s", watch->last_t, value, line);
  watch->last_t = value;

  g_ptr_array_add (watch->lines, json_object_ref (object_line));
  read_next_line (watch);
}

static void
read_next_line (Watch *watch)
{
  g_data_input_stream_read_line_async (watch->out, G_PRIORITY_DEFAULT, watch->cancellable,
                                       line_cb, watch);
}

static void
exit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Watch *watch = user_data;
  GSubprocess *process = G_SUBPROCESS (object);
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_finish (process, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_assert_no_error (error);

  watch->exited = TRUE;
  if (g_subprocess_get_if_exited (process))
    watch->status = g_subprocess_get_exit_status (process);
  else
    watch->signalled = TRUE;
}

/* Starts `attendant-cli watch ARGS…` with pipes on its standard input and
 * output; its standard error goes to the test's log. */
static Watch *
watch_start (const char * const *args)
{
  Watch *watch = g_new0 (Watch, 1);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *program = g_getenv ("ATTENDANT_CLI");

  if (program == NULL)
    g_error ("ATTENDANT_CLI is not set: run this test with `meson test`");

  g_ptr_array_add (argv, (gpointer)program);
  g_ptr_array_add (argv, (gpointer)"watch");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* The password comes from the file the test names, never from here. */
  g_subprocess_launcher_unsetenv (launcher, "ATTENDANT_PASSWORD");
  watch->process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  watch->cancellable = g_cancellable_new ();
  watch->lines = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  watch->texts = g_ptr_array_new_with_free_func (g_free);
  watch->last_t = 0;
  watch->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (watch->process));
  watch->in = g_object_ref (g_subprocess_get_stdin_pipe (watch->process));

  read_next_line (watch);
  g_subprocess_wait_async (watch->process, watch->cancellable, exit_cb, watch);

  return watch;
}

static void
watch_free (Watch *watch)
{
  if (watch == NULL)
    return;

  if (!watch->exited)
    {
      g_subprocess_force_exit (watch->process);
      while (!watch->exited)
        g_main_context_iteration (NULL, TRUE);
    }

  g_cancellable_cancel (watch->cancellable);
  /* Let the cancelled reads finish before their data goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_clear_object (&watch->in);
  g_clear_object (&watch->out);
  g_clear_object (&watch->process);
  g_clear_object (&watch->cancellable);
  g_ptr_array_unref (watch->lines);
  g_ptr_array_unref (watch->texts);
  g_free (watch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Watch, watch_free)

static void
watch_dump (Watch *watch)
{
  for (guint i = 0; i < watch->texts->len; i++)
    g_test_message ("%3u %s", i, (const char *)g_ptr_array_index (watch->texts, i));
}

/* What a test that waited in vain prints before it fails. */
static void
watch_dump_cb (gpointer data,
               gpointer unused)
{
  watch_dump (data);
}

static JsonObject *
line_at (Watch *watch,
         guint  index)
{
  g_assert_cmpuint (index, <, watch->lines->len);
  return g_ptr_array_index (watch->lines, index);
}

static const char *
event_of (Watch *watch,
          guint  index)
{
  return json_object_get_string_member (line_at (watch, index), "event");
}

typedef struct
{
  Watch      *watch;
  guint       from;
  const char *event;
  int         found;
} AwaitLine;

static gboolean
line_ready (gpointer data)
{
  AwaitLine *await = data;

  for (guint i = await->from; i < await->watch->lines->len; i++)
    if (g_str_equal (event_of (await->watch, i), await->event))
      {
        await->found = (int)i;
        return TRUE;
      }

  /* The program ended without printing it: no use waiting. */
  if (await->watch->eof)
    {
      watch_dump (await->watch);
      g_error ("attendant-cli watch ended its output without a “%s” line", await->event);
    }

  return FALSE;
}

/* Waits for the first line with @event at or after @from; its index. */
static guint
wait_line (Watch      *watch,
           guint       from,
           const char *event,
           guint       timeout_ms)
{
  AwaitLine await = { watch, from, event, -1 };
  g_autofree char *what = g_strdup_printf ("“%s” line (from #%u)", event, from);

  attendant_test_wait_until_full (line_ready, &await, timeout_ms, what, watch_dump_cb, watch);

  return (guint)await.found;
}

static gboolean
exited (gpointer data)
{
  return ((Watch *)data)->exited;
}

static gboolean
at_eof (gpointer data)
{
  return ((Watch *)data)->eof;
}

static void
wait_exit (Watch *watch,
           int    expected)
{
  attendant_test_wait_until_full (exited, watch, 20000, "exit of attendant-cli watch",
                                  watch_dump_cb, watch);
  /* All it printed, up to the end of its output. */
  attendant_test_wait_until_full (at_eof, watch, 5000, "end of attendant-cli watch's output",
                                  watch_dump_cb, watch);

  if (watch->signalled)
    {
      watch_dump (watch);
      g_error ("attendant-cli watch was killed by a signal");
    }
  if (watch->status != expected)
    {
      watch_dump (watch);
      g_error ("attendant-cli watch exited with %d, not %d", watch->status, expected);
    }
}

static void
send_line (Watch      *watch,
           const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strconcat (line, "\n", NULL);

  g_output_stream_write_all (watch->in, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (watch->in, NULL, &error);
  g_assert_no_error (error);
}

/* }}} */
/* {{{ The server */

typedef struct
{
  AttendantTestCluster *nodes;
  char                 *password_file;
  char                 *wrong_password_file;
} Cluster;

static Cluster *
cluster_new (void)
{
  Cluster *cluster = g_new0 (Cluster, 1);

  cluster->nodes = attendant_test_cluster_new (ATTENDANT_TEST_TWO_NODES, 1,
                                               "[directory]\n"
                                               "201=Bruno Bianchi;Sales\n"
                                               "202=Carla Rossi;Support;away\n");
  /* As `echo PASSWORD > file` writes it: the line break is not part of it. */
  cluster->password_file = attendant_test_write_file (cluster->nodes->dir, "password", TEST_PASSWORD "\n");
  cluster->wrong_password_file = attendant_test_write_file (cluster->nodes->dir, "wrong", "not the password\n");

  return cluster;
}

static void
cluster_free (Cluster *cluster)
{
  g_free (cluster->password_file);
  g_free (cluster->wrong_password_file);
  attendant_test_cluster_free (cluster->nodes);
  g_free (cluster);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cluster, cluster_free)

static AttendantNode *
node (Cluster    *cluster,
      const char *name)
{
  return attendant_test_cluster_node (cluster->nodes, name);
}

static guint16
plain_port (Cluster    *cluster,
            const char *name)
{
  return attendant_node_get_port (node (cluster, name), "plain");
}

/* }}} */
/* {{{ Checking lines */

static void
assert_string_member (JsonObject *object,
                      const char *name,
                      const char *expected)
{
  JsonNode *member = json_object_get_member (object, name);

  if (member == NULL || JSON_NODE_TYPE (member) != JSON_NODE_VALUE ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    g_error ("no string “%s”", name);
  g_assert_cmpstr (json_node_get_string (member), ==, expected);
}

static void
assert_boolean_member (JsonObject *object,
                       const char *name,
                       gboolean    expected)
{
  JsonNode *member = json_object_get_member (object, name);

  if (member == NULL || JSON_NODE_TYPE (member) != JSON_NODE_VALUE ||
      json_node_get_value_type (member) != G_TYPE_BOOLEAN)
    g_error ("no boolean “%s”", name);
  g_assert_cmpint (json_node_get_boolean (member), ==, expected);
}

static void
assert_int_member (JsonObject *object,
                   const char *name,
                   gint64      expected)
{
  JsonNode *member = json_object_get_member (object, name);

  if (member == NULL || JSON_NODE_TYPE (member) != JSON_NODE_VALUE ||
      json_node_get_value_type (member) != G_TYPE_INT64)
    g_error ("no integer “%s”", name);
  g_assert_cmpint (json_node_get_int (member), ==, expected);
}

/* A "connected" line: where, and whether a failover. */
static void
assert_connected (JsonObject *line,
                  const char *address,
                  guint16     port,
                  gboolean    failover)
{
  assert_string_member (line, "host", address);
  assert_int_member (line, "port", port);
  assert_string_member (line, "address", address);
  assert_boolean_member (line, "failover", failover);
  assert_boolean_member (line, "failback", FALSE);
}

/* }}} */
/* {{{ Tests */

/* The whole life: login, a command, a crash of the primary and the
 * failover to the node its hello named, another command, SIGTERM. */
static void
test_watch_session (void)
{
  g_autoptr(Cluster) cluster = cluster_new ();
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", plain_port (cluster, "primary"));
  const char * const args[] = {
    "--plain", "--heartbeat", HEARTBEAT, "--timeout", "2", "--no-failback",
    "--user", TEST_USER, "--password-file", cluster->password_file, server, NULL
  };
  g_autoptr(Watch) watch = watch_start (args);
  JsonObject *line;
  JsonArray *directory;
  guint snapshot, reply, mark, disconnected, connecting, attempt, connected;

  /* Login, in this order and nothing else in between. */
  snapshot = wait_line (watch, 0, "snapshot", 10000);
  g_assert_cmpuint (snapshot, ==, 3);
  g_assert_cmpstr (event_of (watch, 0), ==, "connecting");
  g_assert_cmpstr (event_of (watch, 1), ==, "attempt");
  g_assert_cmpstr (event_of (watch, 2), ==, "connected");

  line = line_at (watch, 0);
  assert_string_member (line, "method", "direct");
  assert_string_member (line, "result", "skipped");
  line = line_at (watch, 1);
  assert_string_member (line, "outcome", "connected");
  assert_string_member (line, "address", "127.0.0.1");
  assert_connected (line_at (watch, 2), "127.0.0.1", plain_port (cluster, "primary"), FALSE);
  assert_string_member (line_at (watch, 2), "node", "primary");

  directory = json_object_get_array_member (line_at (watch, 3), "directory");
  g_assert_nonnull (directory);
  {
    guint configured = 0;

    /* The configuration's contacts (the attendants are listed as well). */
    for (guint i = 0; i < json_array_get_length (directory); i++)
      {
        const char *number = json_object_get_string_member (json_array_get_object_element (directory, i), "number");

        configured += g_strcmp0 (number, "201") == 0 || g_strcmp0 (number, "202") == 0;
      }
    g_assert_cmpuint (configured, ==, 2);
  }

  /* The phone system reachable, said in the snapshot; then out of reach
   * and back, a line each. */
  {
    JsonObject *phone_system = json_object_get_object_member (line_at (watch, 3), "phone_system");
    guint changed;

    g_assert_nonnull (phone_system);
    g_assert_true (json_object_get_boolean_member (phone_system, "reachable"));

    attendant_pbx_set_unreachable (attendant_server_get_pbx (cluster->nodes->server), "Asterisk is restarting");
    changed = wait_line (watch, snapshot, "phone-system", 5000);
    assert_boolean_member (line_at (watch, changed), "reachable", FALSE);
    assert_string_member (line_at (watch, changed), "reason", "Asterisk is restarting");

    attendant_pbx_set_unreachable (attendant_server_get_pbx (cluster->nodes->server), NULL);
    changed = wait_line (watch, changed + 1, "phone-system", 5000);
    assert_boolean_member (line_at (watch, changed), "reachable", TRUE);
    g_assert_true (json_object_get_null_member (line_at (watch, changed), "reason"));
  }

  /* A command, and one the server refuses. */
  send_line (watch, "{\"id\": \"7\", \"command\": \"presence.set\", \"args\": {\"presence\": \"away\"}}");
  reply = wait_line (watch, snapshot, "reply", 5000);
  line = line_at (watch, reply);
  assert_string_member (line, "id", "7");
  assert_boolean_member (line, "ok", TRUE);

  send_line (watch, "{\"id\": \"8\", \"command\": \"call.answer\", \"args\": {\"call\": \"call-nope\"}}");
  reply = wait_line (watch, reply + 1, "reply", 5000);
  line = line_at (watch, reply);
  assert_string_member (line, "id", "8");
  assert_boolean_member (line, "ok", FALSE);
  assert_string_member (line, "code", "refused");

  /* The primary crashes: the failover, told in order. */
  mark = watch->lines->len;
  attendant_node_crash (node (cluster, "primary"));

  disconnected = wait_line (watch, mark, "disconnected", 2000);
  assert_string_member (line_at (watch, disconnected), "reason", "connection-lost");
  connected = wait_line (watch, disconnected, "connected", 5000);
  connecting = wait_line (watch, disconnected, "connecting", 1);
  attempt = wait_line (watch, connecting, "attempt", 1);
  g_assert_cmpuint (disconnected, <, connecting);
  g_assert_cmpuint (connecting, <, attempt);
  g_assert_cmpuint (attempt, <, connected);
  for (guint i = mark; i < connected; i++)
    g_assert_cmpstr (event_of (watch, i), !=, "reconnect-scheduled");
  assert_string_member (line_at (watch, attempt), "outcome", "connected");
  assert_string_member (line_at (watch, attempt), "address", "127.0.0.2");
  assert_connected (line_at (watch, connected), "127.0.0.2", plain_port (cluster, "backup"), TRUE);
  assert_string_member (line_at (watch, connected), "node", "backup");
  wait_line (watch, connected, "snapshot", 5000);

  /* Commands go to the new node. */
  send_line (watch, "{\"id\": \"9\", \"command\": \"presence.set\", \"args\": {\"presence\": \"available\"}}");
  reply = wait_line (watch, connected, "reply", 5000);
  assert_string_member (line_at (watch, reply), "id", "9");
  assert_boolean_member (line_at (watch, reply), "ok", TRUE);

  g_subprocess_send_signal (watch->process, SIGTERM);
  wait_exit (watch, 0);

  /* The transcript, for whoever reads the log. */
  watch_dump (watch);
}

/* A refused password is an auth-failed line and status 1, at once. */
static void
test_watch_wrong_password (void)
{
  g_autoptr(Cluster) cluster = cluster_new ();
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", plain_port (cluster, "primary"));
  const char * const args[] = {
    "--plain", "--heartbeat", HEARTBEAT, "--user", TEST_USER,
    "--password-file", cluster->wrong_password_file, server, NULL
  };
  g_autoptr(Watch) watch = watch_start (args);
  guint failed;

  failed = wait_line (watch, 0, "auth-failed", 10000);
  wait_exit (watch, 1);

  g_assert_cmpuint (failed, ==, watch->lines->len - 1);
  for (guint i = 0; i < watch->lines->len; i++)
    {
      g_assert_cmpstr (event_of (watch, i), !=, "connected");
      g_assert_cmpstr (event_of (watch, i), !=, "reconnect-scheduled");
    }
  g_assert_cmpstr (event_of (watch, 0), ==, "connecting");
}

/* Bad usage or bad input: status 2, a message on standard error, nothing
 * on standard output, no connection. */
static void
test_watch_usage (void)
{
  g_autoptr(Cluster) cluster = cluster_new ();
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", plain_port (cluster, "primary"));
  g_autofree char *missing = g_build_filename (cluster->nodes->dir, "no-such-file", NULL);
  const char * const no_user[] = { "--plain", "--password-file", cluster->password_file, server, NULL };
  const char * const no_server[] = { "--plain", "--user", TEST_USER, "--password-file", cluster->password_file, NULL };
  const char * const two_servers[] = { "--user", TEST_USER, "--password-file", cluster->password_file,
                                       server, server, NULL };
  const char * const bad_input[] = { "--user", TEST_USER, "--password-file", cluster->password_file,
                                     "http://acme.test/", NULL };
  const char * const bad_heartbeat[] = { "--heartbeat", "0", "--user", TEST_USER,
                                         "--password-file", cluster->password_file, server, NULL };
  const char * const bad_option[] = { "--no-such-option", "--user", TEST_USER, server, NULL };
  const char * const no_password[] = { "--user", TEST_USER, "--password-file", missing, server, NULL };
  const char * const * const cases[] = {
    no_user, no_server, two_servers, bad_input, bad_heartbeat, bad_option, no_password,
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Watch) watch = watch_start (cases[i]);

      wait_exit (watch, 2);
      g_assert_cmpuint (watch->texts->len, ==, 0);
    }

  g_assert_cmpuint (attendant_node_get_n_sessions (node (cluster, "primary")), ==, 0);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  /* First of all: it may start the program again. */
  attendant_test_sanitizer_setup (argv);

  attendant_tls_init ();
  g_test_init (&argc, &argv, NULL);

  /* A pipe whose reader is gone must be an error, not the end of us. */
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/watch/session", test_watch_session);
  g_test_add_func ("/watch/wrong-password", test_watch_wrong_password);
  g_test_add_func ("/watch/usage", test_watch_usage);

  return g_test_run ();
}
