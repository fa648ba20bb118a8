/* test-server-cli.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-cli"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>

#include "attendant-core.h"
#include "attendant-test-client.h"
#include "attendant-test-fixture.h"
#include "attendant-test-pki.h"
#include "attendant-test-process.h"
#include "attendant-test-sanitizer.h"
#include "attendant-users.h"

/* The attendant-server program itself: add-user, every kind of bad
 * configuration refused with exit status 2 and "FILE:LINE: reason", the
 * server started from a file with its ports announced on stdout, the admin
 * subcommand, SIGTERM, and separate processes with one node each, one of
 * them killed. */

static AttendantTestPki *pki;
static char *dir;

#define PASSWORD "Sup3r-secret passphrase"

/* {{{ Running the program */

typedef struct
{
  char    *out;
  char    *err;
  GError  *error;
  gboolean done;
} Tool;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Tool *tool = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &tool->out, &tool->err, &tool->error);
  tool->done = TRUE;
}

static gboolean
tool_done (gpointer data)
{
  return ((Tool *)data)->done;
}

/* In the child, before exec: a test that fails half-way must not leave a
 * server running behind it. */
static void
die_with_parent (gpointer user_data)
{
#ifdef PR_SET_PDEATHSIG
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* Runs attendant-server with @args (NULL-terminated) in the test's
 * directory; returns its exit status. */
static int
run (const char  *input,
     char       **out,
     char       **err,
     ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  Tool tool = { 0 };
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *)ATTENDANT_SERVER_PATH);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, dir);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, input ? input : "", NULL, communicate_cb, &tool);
  attendant_test_wait_until (tool_done, &tool, "attendant-server to exit");
  g_assert_no_error (tool.error);

  *out = tool.out;
  *err = tool.err;

  g_test_message ("exit %d\nstdout: %s\nstderr: %s", g_subprocess_get_exit_status (process), tool.out, tool.err);

  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

typedef AttendantTestProcess Server;

/* Starts the server with @config and the extra arguments (NULL-terminated)
 * and waits for "ready". */
static Server *
server_start (const char *config,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *)ATTENDANT_SERVER_PATH);
  g_ptr_array_add (argv, (char *)"--config");
  g_ptr_array_add (argv, (char *)config);
  va_start (args, config);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *)arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  return attendant_test_process_start (dir, die_with_parent, NULL, (const char * const *)argv->pdata);
}

static char *
write_file (const char *name,
            const char *contents)
{
  return attendant_test_write_file (dir, name, contents);
}

static void
remove_file (const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_unlink (path);
}

/* }}} */
/* {{{ add-user */

static void
test_add_user (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *first = NULL;
  g_autofree char *path = g_build_filename (dir, "add-user.ini", NULL);
  g_autoptr(AttendantUsers) users = NULL;
  g_autoptr(GError) error = NULL;
  const AttendantUser *alice;
  GStatBuf st;

  remove_file ("add-user.ini");
  g_assert_cmpint (run (PASSWORD "\n", &out, &err, "add-user", "add-user.ini", "alice",
                        "--display-name=Alice Reception", "--extension=200", NULL), ==, 0);

  /* Neither the file nor the program's output has the password. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_null (strstr (contents, PASSWORD));
  g_assert_null (strstr (contents, "Sup3r"));
  g_assert_null (strstr (out, "Sup3r"));
  g_assert_null (strstr (err, "Sup3r"));
  g_assert_nonnull (strstr (contents, "[user alice]"));
  g_assert_nonnull (strstr (contents, "credentials=SCRAM-SHA-256$4096$"));

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  users = attendant_users_new_from_file (path, &error);
  g_assert_no_error (error);
  alice = attendant_users_lookup (users, "alice");
  g_assert_nonnull (alice);
  g_assert_cmpstr (alice->display_name, ==, "Alice Reception");
  g_assert_cmpstr (alice->extension, ==, "200");
  first = attendant_scram_credentials_to_string (alice->credentials);

  /* Again, from a file: the user is replaced, not added twice. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&contents, g_free);
  g_free (write_file ("password.txt", "another one\n"));
  g_assert_cmpint (run (NULL, &out, &err, "add-user", "add-user.ini", "alice",
                        "--password-file=password.txt", NULL), ==, 0);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_null (strstr (contents, "another one"));
  g_assert_nonnull (strstr (contents, "[user alice]"));
  g_assert_null (strstr (strstr (contents, "[user alice]") + 1, "[user alice]"));
  g_assert_null (strstr (contents, first));

  /* And another user beside her. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run ("x" PASSWORD, &out, &err, "add-user", "add-user.ini", "bob", NULL), ==, 0);
  g_clear_object (&users);
  users = attendant_users_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (attendant_users_lookup (users, "alice"));
  g_assert_nonnull (attendant_users_lookup (users, "bob"));
  g_assert_null (attendant_users_lookup (users, "bob")->extension);
}

static void
test_add_user_errors (void)
{
  static const struct {
    const char *input;
    const char *args[4];
    const char *message;
  } cases[] = {
    { PASSWORD "\n", { "bad name", NULL }, "is not a user name" },
    { PASSWORD "\n", { "carol", "--extension=2x0", NULL }, "is not an extension" },
    { "", { "carol", NULL }, "empty" },
    { "\n", { "carol", NULL }, "empty" },
    { "first line\nsecond line\n", { "carol", NULL }, "more than one line" },
    { PASSWORD "\n", { "carol", "--password-file=missing.txt", NULL }, "missing.txt" },
    { PASSWORD "\n", { "carol", "--iterations=10", NULL }, "iterations" },
    { PASSWORD "\n", { NULL }, "expected USERS-FILE NAME" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run (cases[i].input, &out, &err, "add-user", "errors.ini",
                        cases[i].args[0], cases[i].args[1], cases[i].args[2], NULL);

      g_assert_cmpint (status, ==, 2);
      g_assert_true (g_str_has_prefix (err, "attendant-server: add-user: "));
      g_assert_nonnull (strstr (err, cases[i].message));
      g_assert_null (strchr (strchr (err, '\n') + 1, '\n'));
      g_assert_null (strstr (err, "Sup3r"));
    }

  {
    g_autofree char *path = g_build_filename (dir, "errors.ini", NULL);

    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
}

/* }}} */
/* {{{ Bad configurations */

static void write_users (void);
static int  admin_command (Server *server, const char *token_file, char **out,
                           const char *command, const char *arg1, const char *arg2);

#define USERS_LINE "users=users.ini\n"

static void
test_bad_config (void)
{
  g_autofree char *tls = g_strdup_printf ("certificate=%s\nkey=%s\n", pki->loopback_file, pki->key_file);
  struct {
    const char *text;
    guint line;          /* 0: the message names the file only */
    const char *reason;
  } cases[] = {
    { "[server]\n" USERS_LINE "this is not a key\n", 3, "expected “key=value”" },
    { "cluster=acme\n[server]\n", 1, "before the first [group]" },
    { "[server]\n" USERS_LINE "cluster=a\ncluster=b\n", 4, "set twice" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:0\n[server]\n", 5, "appears twice" },
    { "[server]\n" USERS_LINE "[nodes a]\nplain=127.0.0.1:0\n", 3, "unknown group [nodes a]" },
    { "[server]\n" USERS_LINE "ring-timout=5\n[node a]\nplain=127.0.0.1:0\n", 3, "unknown key “ring-timout”" },
    { "[node a]\nplain=127.0.0.1:0\n", 0, "there is no [server] group" },
    { "\n[server]\ncluster=x\n[node a]\nplain=127.0.0.1:0\n", 2, "needs “users=FILE”" },
    { "[server]\nusers=nobody.ini\n[node a]\nplain=127.0.0.1:0\n", 2, "nobody.ini does not exist" },
    { "[server]\n" USERS_LINE "ring-timeout=soon\n[node a]\nplain=127.0.0.1:0\n", 3, "not a number of seconds" },
    { "[server]\n" USERS_LINE "heartbeat=0\n[node a]\nplain=127.0.0.1:0\n", 3, "heartbeat" },
    { "[server]\n" USERS_LINE "heartbeat=5\nidle-timeout=10\n[node a]\nplain=127.0.0.1:0\n", 4, "three times" },
    { "[server]\n" USERS_LINE "unauthenticated-total=0\n[node a]\nplain=127.0.0.1:0\n", 3,
      "unauthenticated-total: “0” is not a whole number from 1 to 1000000" },
    { "[server]\n" USERS_LINE "unauthenticated-per-address=64\nunauthenticated-total=32\n"
      "[node a]\nplain=127.0.0.1:0\n", 3, "must not be more than unauthenticated-total (32)" },
    { "[server]\n" USERS_LINE "admin=0.0.0.0:7000\nadmin-token-file=token\n[node a]\nplain=127.0.0.1:0\n", 3, "not a loopback address" },
    { "[server]\n" USERS_LINE "admin=127.0.0.1:7000\n[node a]\nplain=127.0.0.1:0\n", 3, "needs admin-token-file" },
    { "[server]\n" USERS_LINE "admin=127.0.0.1:7000\nadmin-token-file=short.token\n[node a]\nplain=127.0.0.1:0\n", 4, "at least 16 characters" },
    { "[server]\n" USERS_LINE "admin=127.0.0.1:7000\nadmin-token-file=none.token\n[node a]\nplain=127.0.0.1:0\n", 4, "none.token" },
    { "[server]\n" USERS_LINE "[node a]\nplain=1.2.3.4.5:1\n", 4, "not an IP address" },
    { "[server]\n" USERS_LINE "[node a]\nplain=acme.test:51234\n", 4, "not an IP address" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:70000\n", 4, "not a port number" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1\n", 4, "has no port" },
    { "[server]\n" USERS_LINE "[node a]\nplain=::1:5000\n", 4, "must be in brackets" },
    { "[server]\n" USERS_LINE "[node a]\ntls=127.0.0.1:0\n", 4, "needs certificate=" },
    { "[server]\n" USERS_LINE "[node a]\ntls=127.0.0.1:0\ncertificate=missing.pem\nkey=missing.pem\n", 5, "certificate:" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:0\ncertificate=x.pem\n", 5, "only used with tls=" },
    { "[server]\n" USERS_LINE "[node a]\n", 3, "neither a listener" },
    { "[server]\n" USERS_LINE "[node bad/name]\nplain=127.0.0.1:0\n", 3, "is not a node name" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:7001\n[node b]\nplain=127.0.0.1:7001\n", 6, "already listens" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:0\nadvertise=a.test:51234:udp\n", 5, "“:plain” or “:tls”" },
    { "[server]\n" USERS_LINE "[node a]\nplain=0.0.0.0:7001\n", 4, "advertise=" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:0\n[directory]\nreception=Front desk\n", 6, "not an extension number" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:0\n[directory]\n201=Bruno;Sales;sleeping\n", 6, "not a presence" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:0\n[directory]\nfile=people.ini\n", 6, "people.ini" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:0\n[demo]\nincoming-calls=maybe\n", 6, "neither “true” nor “false”" },
    { "[server]\n" USERS_LINE, 1, "no [node NAME]" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:0\n[queue main]\ncolour=red\n", 6, "unknown key" },
  };

  write_users ();
  g_free (write_file ("short.token", "abc\n"));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *path = write_file ("bad.conf", cases[i].text);
      int status;

      g_test_message ("bad config %u: %s", i, cases[i].text);
      status = run (NULL, &out, &err, "--config", "bad.conf", NULL);
      g_assert_cmpint (status, ==, 2);

      if (cases[i].line > 0)
        expected = g_strdup_printf ("attendant-server: bad.conf:%u: ", cases[i].line);
      else
        expected = g_strdup ("attendant-server: bad.conf: ");

      if (!g_str_has_prefix (err, expected) || strstr (err, cases[i].reason) == NULL)
        g_error ("case %u: expected “%s…%s”, got “%s”", i, expected, cases[i].reason, err);

      /* One line, and nothing on stdout: the server never got going. */
      g_assert_cmpuint (strlen (err), ==, strcspn (err, "\n") + 1);
      g_assert_cmpstr (out, ==, "");
    }

  /* The TLS node of a valid file loads: the table above is not refusing
   * everything. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *text = g_strdup_printf ("[server]\n" USERS_LINE "[node a]\ntls=127.0.0.1:0\n%s"
                                             "[directory]\nfile=people.ini\n", tls);
    g_autofree char *path = write_file ("bad.conf", text);
    g_autofree char *people = write_file ("people.ini", "[directory]\n201=Bruno\n202=Carla;Sales\nx=y\n");

    g_assert_cmpint (run (NULL, &out, &err, "--config", "bad.conf", NULL), ==, 2);
    g_assert_true (g_str_has_prefix (err, "attendant-server: "));
    g_assert_nonnull (strstr (err, "people.ini:4: "));
    remove_file ("people.ini");
  }

  /* A private key that others may read is refused, with its path, its
   * mode and the fix (docs/server.md, "Secret files"). */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *key = NULL;
    g_autofree char *contents = NULL;
    g_autofree char *text = NULL;
    g_autofree char *path = NULL;
    g_autofree char *expected = NULL;

    g_assert_true (g_file_get_contents (pki->key_file, &contents, NULL, NULL));
    key = write_file ("open-key.pem", contents);
    g_assert_cmpint (g_chmod (key, 0640), ==, 0);
    text = g_strdup_printf ("[server]\n" USERS_LINE "[node a]\ntls=127.0.0.1:0\ncertificate=%s\nkey=%s\n",
                            pki->loopback_file, key);
    path = write_file ("bad.conf", text);

    g_assert_cmpint (run (NULL, &out, &err, "--config", "bad.conf", NULL), ==, 2);
    expected = g_strdup_printf ("bad.conf:6: key: %s: mode 0640 is readable by others; chmod 600 %s", key, key);
    g_assert_nonnull (strstr (err, expected));
    remove_file ("open-key.pem");
  }

  /* A users file with a mistake is named with its own line. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *users = write_file ("broken-users.ini", "[user ann]\ncredentials=SCRAM-SHA-256$1$x$y$z\n");
    g_autofree char *path = write_file ("bad.conf", "[server]\nusers=broken-users.ini\n[node a]\nplain=127.0.0.1:0\n");

    g_assert_cmpint (run (NULL, &out, &err, "--config", "bad.conf", NULL), ==, 2);
    g_assert_nonnull (strstr (err, "broken-users.ini:2: credentials: "));
  }

  /* And the command line itself. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run (NULL, &out, &err, NULL), ==, 2);
    g_assert_nonnull (strstr (err, "--config"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (NULL, &out, &err, "--config", "nowhere.conf", NULL), ==, 2);
    g_assert_true (g_str_has_prefix (err, "attendant-server: nowhere.conf: "));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (NULL, &out, &err, "--frobnicate", NULL), ==, 2);
  }
}

/* A loopback port that nothing listens on (bound and let go at once). */
static guint16
unused_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

#define AST_HEAD "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:0\n[asterisk]\n"
#define AST_OK "url=http://127.0.0.1:8088/ari\nuser=attendant\npassword-file=ari.pw\n"

/* Every key of [asterisk] refused with its line and why (lines 6, 7 and 8
 * are url=, user= and password-file= of AST_OK; 9 is the key under test). */
static void
test_bad_asterisk_config (void)
{
  g_autofree char *https_ca = g_strdup_printf (AST_HEAD "url=https://127.0.0.1:8089/ari\nuser=attendant\n"
                                               "password-file=ari.pw\nca-file=ari.pw\n");
  g_autofree char *http_ca = g_strdup_printf (AST_HEAD AST_OK "ca-file=%s\n", pki->ca_file);
  struct {
    const char *text;
    guint line;
    const char *reason;
  } cases[] = {
    { AST_HEAD "user=attendant\npassword-file=ari.pw\n", 5, "[asterisk] needs “url=" },
    { AST_HEAD "url=ftp://127.0.0.1/ari\nuser=a\npassword-file=ari.pw\n", 6, "is not an http:// or https:// URL" },
    { AST_HEAD "url=127.0.0.1:8088\nuser=a\npassword-file=ari.pw\n", 6, "url: " },
    { AST_HEAD "url=http://attendant:secret@127.0.0.1:8088/ari\nuser=a\npassword-file=ari.pw\n", 6,
      "no user or password in the URL" },
    { AST_HEAD "url=http://127.0.0.1:8088/ari?x=1\nuser=a\npassword-file=ari.pw\n", 6, "has a query" },
    { AST_HEAD "url=\nuser=a\npassword-file=ari.pw\n", 6, "url: the value is empty" },
    { AST_HEAD "url=http://127.0.0.1:8088/ari\npassword-file=ari.pw\n", 5, "[asterisk] needs “user=NAME”" },
    { AST_HEAD "url=http://127.0.0.1:8088/ari\nuser=a:b\npassword-file=ari.pw\n", 7, "has a “:”" },
    { AST_HEAD "url=http://127.0.0.1:8088/ari\nuser=a\n", 5, "[asterisk] needs “password-file=FILE”" },
    { AST_HEAD "url=http://127.0.0.1:8088/ari\nuser=a\npassword-file=open.pw\n", 8,
      "mode 0644 is readable by others" },
    { AST_HEAD "url=http://127.0.0.1:8088/ari\nuser=a\npassword-file=none.pw\n", 8, "none.pw" },
    { AST_HEAD "url=http://127.0.0.1:8088/ari\nuser=a\npassword-file=empty.pw\n", 8, "first line" },
    { AST_HEAD AST_OK "application=my app\n", 9, "is not a Stasis application name" },
    { AST_HEAD AST_OK "endpoint=PJSIP/200\n", 9, "“{extension}” once" },
    { AST_HEAD AST_OK "endpoint={extension}\n", 9, "TECHNOLOGY/RESOURCE" },
    { AST_HEAD AST_OK "ring-timeout=0\n", 9, "ring-timeout: “0” is not a whole number from 1 to 600" },
    { AST_HEAD AST_OK "ring-timeout=soon\n", 9, "ring-timeout: " },
    { AST_HEAD AST_OK "waiting-sound=silence\n", 9, "neither “moh” (music on hold) nor “ringing”" },
    { AST_HEAD AST_OK "moh-class=jazz band\n", 9, "is not a music-on-hold class name" },
    { AST_HEAD AST_OK "answer-header=answer-after=0\n", 9, "is not one SIP header “Name: value”" },
    { AST_HEAD AST_OK "answer-header=Call Info: x\n", 9, "is not one SIP header “Name: value”" },
    { AST_HEAD AST_OK "answer-header=Call-Info:\n", 9, "is not one SIP header “Name: value”" },
    { AST_HEAD AST_OK "answer-header=Alert-Info: a\001b\n", 9, "not printable ASCII" },
    { AST_HEAD AST_OK "endpoint=IAX2/{extension}\nanswer-header=Call-Info: <sip:a>;answer-after=0\n", 10,
      "only for PJSIP phones" },
    { AST_HEAD AST_OK "ca-file=missing.pem\n", 9, "missing.pem does not exist" },
    { https_ca, 9, "ca-file: " },
    { http_ca, 9, "only used with an https:// url" },
    { AST_HEAD AST_OK "colour=red\n", 9, "unknown key “colour” in [asterisk]" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:0\n[demo]\nincoming-calls=true\n[asterisk]\n" AST_OK,
      5, "with [asterisk] the calls are real: remove [demo]" },
    { "[server]\n" USERS_LINE "[node a]\nplain=127.0.0.1:0\n[asterix]\n", 5, "[asterisk])" },
  };

  write_users ();
  g_free (write_file ("ari.pw", "ari-secret\n"));
  g_free (write_file ("empty.pw", "\n"));
  {
    g_autofree char *open = write_file ("open.pw", "ari-secret\n");

    g_assert_cmpint (g_chmod (open, 0644), ==, 0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *expected = g_strdup_printf ("attendant-server: bad.conf:%u: ", cases[i].line);
      g_autofree char *path = write_file ("bad.conf", cases[i].text);

      g_test_message ("bad [asterisk] %u: %s", i, cases[i].text);
      g_assert_cmpint (run (NULL, &out, &err, "--config", "bad.conf", "--check", NULL), ==, 2);
      if (!g_str_has_prefix (err, expected) || strstr (err, cases[i].reason) == NULL)
        g_error ("case %u: expected “%s…%s”, got “%s”", i, expected, cases[i].reason, err);
      g_assert_cmpuint (strlen (err), ==, strcspn (err, "\n") + 1);
      g_assert_cmpstr (out, ==, "");
      /* The password never shows, whatever went wrong. */
      g_assert_null (strstr (err, "ari-secret"));
    }
}

/* --check with [asterisk] and nothing listening at the URL: the
 * configuration is fine, Asterisk is not there, and the exit status says
 * so. */
static void
test_check_asterisk_unreachable (void)
{
  guint16 port = unused_port ();
  g_autofree char *config = g_strdup_printf (AST_HEAD "url=http://127.0.0.1:%u/ari\nuser=attendant\n"
                                             "password-file=ari.pw\n"
                                             "[directory]\n201=Bruno Bianchi\n202=Chiara Esposito\n", port);
  g_autofree char *path = write_file ("nothing.conf", config);
  g_autofree char *expected = g_strdup_printf ("attendant-server: Asterisk at http://127.0.0.1:%u/ari ", port);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  write_users ();
  g_free (write_file ("ari.pw", "ari-secret\n"));

  g_assert_cmpint (run (NULL, &out, &err, "--config", "nothing.conf", "--check", NULL), ==, 1);
  /* The count says what it counts: the configuration's [directory], not
   * the endpoints Asterisk adds once the server runs. */
  g_assert_nonnull (strstr (out, "2 contact(s) in [directory], telephone system: Asterisk"));
  g_assert_true (g_str_has_prefix (err, expected));
  g_assert_nonnull (strstr (err, "→ check url= and that Asterisk runs"));
  g_assert_null (strstr (err, "ari-secret"));
}

/* Asterisk down when the server starts: the server starts all the same,
 * and its clients are told the phone system is unreachable, in the
 * snapshot, not by a lost connection; its directory is the directory
 * file's, no presence known. The admin API's pretend outage is the
 * simulated system's only. */
static void
test_asterisk_down_at_start (void)
{
  guint16 port = unused_port ();
  g_autofree char *config = g_strdup_printf ("[server]\n" USERS_LINE
                                             "admin=127.0.0.1:0\nadmin-token-file=admin.token\n"
                                             "[node a]\nplain=127.0.0.1:0\n"
                                             "[directory]\n201=Bruno Bianchi;Sales\n[asterisk]\n"
                                             "url=http://127.0.0.1:%u/ari\nuser=attendant\n"
                                             "password-file=ari.pw\n", port);
  g_autofree char *path = write_file ("down.conf", config);
  g_autofree char *token = write_file ("admin.token", "run-token-0123456789abcdef\n");
  g_autoptr(AttendantTestProcess) server = NULL;
  g_autoptr(AttendantTestClient) client = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(JsonObject) ok = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;
  JsonObject *phone_system;

  write_users ();
  g_free (write_file ("ari.pw", "ari-secret\n"));
  server = server_start ("down.conf", NULL);

  url = g_strdup_printf ("ws://127.0.0.1:%u/attendant", attendant_test_process_port (server, "a", "plain"));
  client = attendant_test_client_new (url, NULL);
  hello = attendant_test_client_expect (client, "hello");
  ok = attendant_test_client_login (client, "alice", PASSWORD);
  g_assert_cmpstr (attendant_protocol_get_type (ok), ==, "auth.ok");
  snapshot = attendant_test_client_expect (client, "snapshot");
  phone_system = json_object_get_object_member (snapshot, "phone_system");
  g_assert_nonnull (phone_system);
  g_assert_false (json_object_get_boolean_member (phone_system, "reachable"));
  g_assert_nonnull (json_object_get_string_member (phone_system, "reason"));
  {
    JsonArray *directory = json_object_get_array_member (snapshot, "directory");
    JsonObject *contact;

    g_assert_cmpuint (json_array_get_length (directory), ==, 1);
    contact = json_array_get_object_element (directory, 0);
    g_assert_cmpstr (json_object_get_string_member (contact, "name"), ==, "Bruno Bianchi");
    g_assert_cmpstr (json_object_get_string_member (contact, "department"), ==, "Sales");
    g_assert_cmpstr (json_object_get_string_member (contact, "presence"), ==, "offline");
  }

  g_assert_cmpint (admin_command (server, "admin.token", &out, "state", NULL, NULL), ==, 0);
  state = attendant_test_parse_object (out);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (state, "phone_system"),
                                                  "reachable"));
  g_clear_pointer (&out, g_free);

  /* Calls, presence and outages are Asterisk's own: 409, said plainly. */
  g_assert_cmpint (admin_command (server, "admin.token", &out, "call", "+390287654321", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (admin_command (server, "admin.token", &out, "phone-system", "down", NULL), ==, 1);
  g_clear_pointer (&out, g_free);

  g_subprocess_send_signal (server->process, SIGTERM);
  g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, ATTENDANT_CLOSE_GOING_AWAY);
  attendant_test_process_wait (server);
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
}

/* }}} */
/* {{{ Running from a file */

static void
write_users (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  remove_file ("users.ini");
  g_assert_cmpint (run (PASSWORD "\n", &out, &err, "add-user", "users.ini", "alice",
                        "--extension=200", NULL), ==, 0);
}

static AttendantTestClient *
login (const char *url,
       const char *node)
{
  AttendantTestClient *client = attendant_test_client_new (url, NULL);
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) ok = attendant_test_client_login (client, "alice", PASSWORD);
  g_autoptr(JsonObject) snapshot = NULL;

  g_assert_cmpstr (json_object_get_string_member (hello, "node"), ==, node);
  g_assert_cmpstr (attendant_protocol_get_type (ok), ==, "auth.ok");
  snapshot = attendant_test_client_expect (client, "snapshot");

  return client;
}

static int
admin_command (Server      *server,
               const char  *token_file,
               char       **out,
               const char  *command,
               const char  *arg1,
               const char  *arg2)
{
  g_autofree char *err = NULL;

  return run (NULL, out, &err, "admin", "--url", server->admin_url, "--token-file", token_file,
              command, arg1, arg2, NULL);
}

static void
test_run (void)
{
  g_autofree char *config = g_strdup_printf ("[server]\n"
                                             "cluster=acme\n"
                                             USERS_LINE
                                             "admin=127.0.0.1:0\n"
                                             "admin-token-file=admin.token\n"
                                             "[node primary]\n"
                                             "plain=127.0.0.1:0\n"
                                             "tls=127.0.0.1:0\n"
                                             "certificate=%s\n"
                                             "key=%s\n"
                                             "[directory]\n"
                                             "201=Bruno Bianchi;Sales\n",
                                             pki->loopback_file, pki->key_file);
  g_autofree char *config_file = write_file ("run.conf", config);
  g_autofree char *token = write_file ("admin.token", "run-token-0123456789abcdef\n");
  g_autofree char *wrong = write_file ("wrong.token", "not-the-token-0123456789\n");
  g_autoptr(AttendantTestProcess) server = NULL;
  g_autoptr(AttendantTestClient) client = NULL;
  g_autoptr(AttendantTestClient) secure = NULL;
  g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autofree char *url = NULL;
  g_autofree char *tls_url = NULL;
  g_autofree char *out = NULL;

  write_users ();
  server = server_start ("run.conf", NULL);
  g_assert_nonnull (server->admin_url);
  g_assert_true (g_str_has_prefix (server->admin_url, "http://127.0.0.1:"));

  /* The user written by add-user logs in. */
  url = g_strdup_printf ("ws://127.0.0.1:%u/attendant",
                         attendant_test_process_port (server, "primary", "plain"));
  client = login (url, "primary");
  tls_url = g_strdup_printf ("wss://127.0.0.1:%u/attendant",
                             attendant_test_process_port (server, "primary", "tls"));
  secure = attendant_test_client_new (tls_url, anchors);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_expect (secure, "hello");

  /* The admin subcommand. */
  g_assert_cmpint (admin_command (server, "admin.token", &out, "state", NULL, NULL), ==, 0);
  state = attendant_test_parse_object (out);
  g_assert_cmpstr (json_object_get_string_member (state, "cluster"), ==, "acme");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (state, "sessions")), ==, 2);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (admin_command (server, "admin.token", &out, "call", "+390287654321", "Ferretti Logistica"), ==, 0);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, NULL, "queued");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (event, "call"), "caller_name"),
                   ==, "Ferretti Logistica");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (admin_command (server, "admin.token", &out, "presence", "201", "away"), ==, 0);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_presence (client, "201", "away");
  g_clear_pointer (&out, g_free);

  /* The simulated phone system out of reach, and back. */
  g_assert_cmpint (admin_command (server, "admin.token", &out, "phone-system", "down", "Asterisk is restarting"), ==, 0);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_expect (client, "phone-system");
  g_assert_false (json_object_get_boolean_member (event, "reachable"));
  g_assert_cmpstr (json_object_get_string_member (event, "reason"), ==, "Asterisk is restarting");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (admin_command (server, "admin.token", &out, "phone-system", "up", NULL), ==, 0);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_expect (client, "phone-system");
  g_assert_true (json_object_get_boolean_member (event, "reachable"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (admin_command (server, "admin.token", &out, "phone-system", "sideways", NULL), ==, 2);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (admin_command (server, "admin.token", &out, "crash", "nowhere", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (admin_command (server, "wrong.token", &out, "state", NULL, NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (admin_command (server, "admin.token", &out, "explode", "primary", NULL), ==, 2);
  g_clear_pointer (&out, g_free);

  /* SIGTERM: clients are closed with 1001, and the program exits 0. */
  g_subprocess_send_signal (server->process, SIGTERM);
  g_assert_cmpuint (attendant_test_client_wait_closed (client), ==, ATTENDANT_CLOSE_GOING_AWAY);
  g_assert_cmpuint (attendant_test_client_wait_closed (secure), ==, ATTENDANT_CLOSE_GOING_AWAY);
  attendant_test_process_wait (server);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
}

/* Two processes, one node each, one cluster: each announces both nodes,
 * and killing one leaves the other serving. */
static void
test_separate_processes (void)
{
  g_autofree char *primary_conf = write_file ("primary.conf",
                                              "[server]\ncluster=acme\n" USERS_LINE
                                              "[node primary]\nplain=127.0.0.1:0\n"
                                              "advertise=dc1.acme.test:51234:plain\n"
                                              "[node backup]\nadvertise=dc2.acme.test:51234:plain\n");
  g_autofree char *backup_conf = write_file ("backup.conf",
                                             "[server]\ncluster=acme\n" USERS_LINE
                                             "[node primary]\nadvertise=dc1.acme.test:51234:plain\n"
                                             "[node backup]\nplain=127.0.0.2:0\n"
                                             "advertise=dc2.acme.test:51234:plain\n");
  g_autoptr(AttendantTestProcess) primary = NULL;
  g_autoptr(AttendantTestProcess) backup = NULL;
  g_autoptr(AttendantTestClient) on_primary = NULL;
  g_autoptr(AttendantTestClient) on_backup = NULL;
  g_autoptr(AttendantTestClient) again = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(JsonObject) pong = NULL;
  g_autofree char *primary_url = NULL;
  g_autofree char *backup_url = NULL;
  JsonArray *nodes;

  write_users ();
  primary = server_start ("primary.conf", NULL);
  backup = server_start ("backup.conf", NULL);
  g_assert_cmpuint (g_hash_table_size (primary->ports), ==, 1);
  g_assert_cmpuint (g_hash_table_size (backup->ports), ==, 1);

  primary_url = g_strdup_printf ("ws://127.0.0.1:%u/attendant",
                                 attendant_test_process_port (primary, "primary", "plain"));
  backup_url = g_strdup_printf ("ws://127.0.0.2:%u/attendant",
                                attendant_test_process_port (backup, "backup", "plain"));

  again = attendant_test_client_new (backup_url, NULL);
  hello = attendant_test_client_expect (again, "hello");
  nodes = json_object_get_array_member (hello, "nodes");
  g_assert_cmpuint (json_array_get_length (nodes), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (nodes, 0), "host"), ==, "dc1.acme.test");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (nodes, 1), "host"), ==, "dc2.acme.test");
  g_clear_pointer (&again, attendant_test_client_free);

  on_primary = login (primary_url, "primary");
  on_backup = login (backup_url, "backup");

  g_subprocess_force_exit (primary->process);
  attendant_test_process_wait (primary);
  /* A killed process sends no close frame. */
  g_assert_cmpuint (attendant_test_client_wait_closed (on_primary), ==, 0);

  pong = attendant_test_client_ping (on_backup);
  again = login (backup_url, "backup");
}

/* --node hosts one node of a shared configuration; the others are still
 * in the node list. */
static void
test_node_option (void)
{
  g_autofree char *config = write_file ("shared.conf",
                                        "[server]\ncluster=acme\n" USERS_LINE
                                        "[node primary]\nplain=127.0.0.1:0\n"
                                        "advertise=dc1.acme.test:51234:plain\n"
                                        "[node backup]\nplain=127.0.0.2:0\n");
  g_autoptr(AttendantTestProcess) server = NULL;
  g_autoptr(AttendantTestClient) client = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonArray *nodes;

  write_users ();
  server = server_start ("shared.conf", "--node", "backup", NULL);
  g_assert_cmpuint (g_hash_table_size (server->ports), ==, 1);

  url = g_strdup_printf ("ws://127.0.0.2:%u/attendant",
                         attendant_test_process_port (server, "backup", "plain"));
  client = attendant_test_client_new (url, NULL);
  hello = attendant_test_client_expect (client, "hello");
  g_assert_cmpstr (json_object_get_string_member (hello, "node"), ==, "backup");
  nodes = json_object_get_array_member (hello, "nodes");
  g_assert_cmpuint (json_array_get_length (nodes), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (nodes, 0), "node"), ==, "primary");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (nodes, 1), "port"), ==,
                   attendant_test_process_port (server, "backup", "plain"));

  g_assert_cmpint (run (NULL, &out, &err, "--config", "shared.conf", "--node", "elsewhere", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "there is no [node elsewhere]"));
}

/* The demo of data/demo: its script makes users, token and certificates
 * and the server accepts the result (--check: the demo's fixed ports are
 * not for a test to take). */
static void
test_demo_config (void)
{
  g_autofree char *work = g_build_filename (dir, "demo", NULL);
  g_autofree char *script = g_build_filename (ATTENDANT_DEMO_SOURCE, "run.sh", NULL);
  g_autofree char *users_file = g_build_filename (work, "users.ini", NULL);
  g_autofree char *users = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  Tool tool = { 0 };

  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "ATTENDANT_SERVER", ATTENDANT_SERVER_PATH, TRUE);
  g_subprocess_launcher_setenv (launcher, "ATTENDANT_DEMO_DIR", work, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, "sh", script, "--check", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, &tool);
  attendant_test_wait_until (tool_done, &tool, "data/demo/run.sh --check");
  g_assert_no_error (tool.error);
  g_test_message ("stdout: %s\nstderr: %s", tool.out, tool.err);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (tool.out, "cluster acme, 2 node(s) to host, 2 users, 302 extensions"));

  /* The demo's password is in the script, never in the users file. */
  g_assert_true (g_file_get_contents (users_file, &users, NULL, &error));
  g_assert_null (strstr (users, "attendant-demo"));

  g_free (tool.out);
  g_free (tool.err);
  attendant_test_remove_dir (work);
}

/* }}} */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  attendant_test_sanitizer_setup (argv);
  attendant_tls_init ();
  g_test_init (&argc, &argv, NULL);

  pki = attendant_test_pki_new ();
  dir = g_dir_make_tmp (NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/server/cli/add-user", test_add_user);
  g_test_add_func ("/server/cli/add-user-errors", test_add_user_errors);
  g_test_add_func ("/server/cli/bad-config", test_bad_config);
  g_test_add_func ("/server/cli/bad-asterisk-config", test_bad_asterisk_config);
  g_test_add_func ("/server/cli/check-asterisk-unreachable", test_check_asterisk_unreachable);
  g_test_add_func ("/server/cli/asterisk-down-at-start", test_asterisk_down_at_start);
  g_test_add_func ("/server/cli/run", test_run);
  g_test_add_func ("/server/cli/separate-processes", test_separate_processes);
  g_test_add_func ("/server/cli/node-option", test_node_option);
  g_test_add_func ("/server/cli/demo-config", test_demo_config);

  status = g_test_run ();

  attendant_test_remove_dir (dir);
  g_free (dir);
  g_clear_pointer (&pki, attendant_test_pki_free);

  return status;
}
