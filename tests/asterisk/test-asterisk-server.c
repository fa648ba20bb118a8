/* test-asterisk-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "attendant-asterisk.h"
#include "attendant-protocol.h"
#include "attendant-server.h"
#include "attendant-test-asterisk.h"
#include "attendant-test-client.h"
#include "attendant-test-fixture.h"
#include "attendant-test-pki.h"

/* attendant-server with [asterisk] against a real Asterisk 22 on
 * loopback: --check (reachable, credentials, version; wrong password, not
 * ARI, TLS with and without ca-file=, nothing listening), and what a
 * client is told of the phone system while Asterisk is up, killed and
 * back. The tests share one Asterisk and run in order. */

static AttendantTestAsterisk *lab;
static GPtrArray *log_lines;   /* what the server logged, for test_wrong_password_running */
static AttendantTestPki *pki;
static char *dir;
static guint16 tls_port;

/* {{{ Helpers */

/* Runs attendant-server --config @config --check; its exit status. */
static int
check (const char  *config,
       char       **out,
       char       **err)
{
  g_autofree char *path = attendant_test_write_file (dir, "check.conf", config);
  const char *argv[] = { g_getenv ("ATTENDANT_SERVER"), "--config", path, "--check", NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (argv[0]);
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", g_subprocess_get_exit_status (process), *out, *err);

  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

static char *
config_for (const char *url,
            const char *password_file,
            const char *extra)
{
  return g_strdup_printf ("[server]\nusers=users.ini\nheartbeat=1\n"
                          "[node a]\nplain=127.0.0.1:0\n"
                          "[directory]\n201=Bruno Bianchi;Sales\n"
                          "[asterisk]\nurl=%s\nuser=attendant\npassword-file=%s\n%s",
                          url, password_file, extra != NULL ? extra : "");
}

static char *
plain_url (const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", attendant_test_asterisk_get_http_port (lab), path);
}

/* }}} */
/* {{{ --check */

static void
test_check_ok (void)
{
  g_autofree char *url = plain_url ("/ari");
  g_autofree char *config = config_for (url, "ari.pw", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = g_strdup_printf ("Asterisk at %s: reachable, ARI user attendant accepted, Asterisk 22.", url);

  attendant_test_asterisk_start (lab);

  g_assert_cmpint (check (config, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "telephone system: Asterisk"));
  g_assert_nonnull (strstr (out, expected));
  g_assert_nonnull (strstr (out, "Stasis application attendant"));
  g_assert_null (strstr (out, "ari-secret"));
  g_assert_cmpstr (err, ==, "");
}

static void
test_check_wrong_password (void)
{
  g_autofree char *url = plain_url ("/ari");
  g_autofree char *config = config_for (url, "wrong.pw", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (check (config, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "Asterisk refused the ARI user “attendant”"));
  g_assert_nonnull (strstr (err, "wrong user or password"));
  g_assert_nonnull (strstr (err, "→ check user= and password-file= against the user in Asterisk's ari.conf"));
  g_assert_null (strstr (err, "not-the-secret"));
}

static void
test_check_not_ari (void)
{
  g_autofree char *url = plain_url ("/not-ari");
  g_autofree char *config = config_for (url, "ari.pw", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (check (config, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "does not answer like Asterisk's ARI"));
  g_assert_nonnull (strstr (err, "→ something answers at url=, but not Asterisk's ARI"));
}

/* ARI over TLS with a certificate from the test's CA: refused with the
 * system's anchors alone, accepted with the CA as ca-file=. */
static void
test_check_tls (void)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u/ari", tls_port);
  g_autofree char *without = config_for (url, "ari.pw", NULL);
  g_autofree char *extra = g_strdup_printf ("ca-file=%s\n", pki->ca_file);
  g_autofree char *with = config_for (url, "ari.pw", extra);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (check (without, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "→ check Asterisk's certificate"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (check (with, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "reachable, ARI user attendant accepted, Asterisk 22."));
}

/* }}} */
/* {{{ The phone system's reachability, told to clients */

static gboolean
ari_connected (gpointer data)
{
  return attendant_ari_get_connected (data);
}

static gboolean
ari_disconnected (gpointer data)
{
  return !attendant_ari_get_connected (data);
}

static gboolean
is_phone_system (JsonObject *message,
                 gpointer    user_data)
{
  return g_strcmp0 (attendant_protocol_get_type (message), "phone-system") == 0;
}

static JsonObject *
log_in (AttendantServer      *server,
        AttendantTestClient **client)
{
  g_autofree char *url =
    g_strdup_printf ("ws://127.0.0.1:%u/attendant",
                     attendant_node_get_port (attendant_server_lookup_node (server, "a"), "plain"));
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(JsonObject) ok = NULL;

  *client = attendant_test_client_new (url, NULL);
  hello = attendant_test_client_expect (*client, "hello");
  ok = attendant_test_client_login (*client, TEST_USER, TEST_PASSWORD);
  g_assert_cmpstr (attendant_protocol_get_type (ok), ==, "auth.ok");

  return attendant_test_client_expect (*client, "snapshot");
}

/* A server of the lab's Asterisk with the password of @password_file,
 * started: it connects in the background. */
static AttendantServer *
start_server (const char    *password_file,
              AttendantAri **ari)
{
  g_autofree char *url = plain_url ("/ari");
  g_autofree char *config_text = config_for (url, password_file, NULL);
  g_autofree char *config_path = attendant_test_write_file (dir, "server.conf", config_text);
  g_autoptr(AttendantServerConfig) config = NULL;
  g_autoptr(AttendantServer) server = NULL;
  g_autoptr(GError) error = NULL;

  config = attendant_server_config_new_from_file (config_path, &error);
  g_assert_no_error (error);
  server = attendant_server_new (config, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (attendant_server_get_pbx (server));
  g_assert_true (ATTENDANT_IS_ASTERISK (attendant_server_get_telephony (server)));
  *ari = attendant_asterisk_get_ari (ATTENDANT_ASTERISK (attendant_server_get_telephony (server)));
  g_assert_true (attendant_server_start (server, NULL, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&server);
}

/* The server up with Asterisk: the snapshot says reachable; Asterisk
 * killed: the connected client is told within 2 s, with a reason, and a
 * new login finds it in the snapshot; Asterisk back: told again. */
static void
test_reachability (void)
{
  AttendantAri *ari = NULL;
  g_autoptr(AttendantServer) server = start_server ("ari.pw", &ari);
  g_autoptr(AttendantTestClient) client = NULL;
  g_autoptr(AttendantTestClient) later = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) later_snapshot = NULL;
  g_autoptr(JsonObject) message = NULL;
  JsonObject *phone_system;
  gint64 killed_at;

  attendant_test_wait_until (ari_connected, ari, "ARI connected");
  snapshot = log_in (server, &client);
  phone_system = json_object_get_object_member (snapshot, "phone_system");
  g_assert_true (json_object_get_boolean_member (phone_system, "reachable"));
  g_assert_true (json_object_get_null_member (phone_system, "reason"));

  killed_at = g_get_monotonic_time ();
  attendant_test_asterisk_kill (lab);
  message = attendant_test_client_wait_for (client, is_phone_system, NULL);
  g_test_message ("told %.0f ms after the kill", (g_get_monotonic_time () - killed_at) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - killed_at, <=, 2 * G_USEC_PER_SEC);
  g_assert_false (json_object_get_boolean_member (message, "reachable"));
  g_assert_cmpstr (json_object_get_string_member (message, "reason"), !=, "");
  g_assert_true (ari_disconnected (ari));

  later_snapshot = log_in (server, &later);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (later_snapshot, "phone_system"),
                                                  "reachable"));

  /* Back, after the backoff. */
  g_clear_pointer (&message, json_object_unref);
  attendant_test_asterisk_start (lab);
  message = attendant_test_client_wait_for (client, is_phone_system, NULL);
  g_assert_true (json_object_get_boolean_member (message, "reachable"));

  attendant_server_stop (server);
}

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      g_ptr_array_add (log_lines, g_strdup (fields[i].value));

  return g_log_writer_default (level, fields, n_fields, user_data);
}

static guint
count_logged (const char *text)
{
  guint n = 0;

  for (guint i = 0; i < log_lines->len; i++)
    n += strstr (g_ptr_array_index (log_lines, i), text) != NULL;

  return n;
}

static void
count_attempt (AttendantAri *ari,
               GError       *error,
               guint         delay_ms,
               guint        *attempts)
{
  (*attempts)++;
}

static gboolean
three_attempts (gpointer data)
{
  return *(guint *)data >= 3;
}

/* A running server with the wrong password: unreachable for its clients,
 * the reason in the log once, and attempts going on (with backoff) so
 * that fixing Asterisk's side is enough. */
static void
test_wrong_password_running (void)
{
  g_autoptr(AttendantServer) server = NULL;
  g_autoptr(AttendantTestClient) client = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  AttendantAri *ari = NULL;
  guint attempts = 0;

  /* The first attempt is made from the main loop, after this. */
  g_ptr_array_set_size (log_lines, 0);
  server = start_server ("wrong.pw", &ari);
  g_signal_connect (ari, "attempt-failed", G_CALLBACK (count_attempt), &attempts);

  attendant_test_wait_until (three_attempts, &attempts, "three attempts refused");
  g_assert_cmpuint (count_logged ("wrong user or password (trying again with backoff)"), ==, 1);
  g_assert_cmpuint (count_logged ("ari-secret"), ==, 0);

  snapshot = log_in (server, &client);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (snapshot, "phone_system"),
                                                  "reachable"));

  g_signal_handlers_disconnect_by_data (ari, &attempts);
  attendant_server_stop (server);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  g_autofree char *why = NULL;
  g_autofree char *found = NULL;
  g_autofree char *users = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  found = attendant_test_asterisk_find (&why);
  if (found == NULL)
    {
      g_test_add_data_func ("/asterisk-server/lab", why, attendant_test_asterisk_lab_missing);
      return g_test_run ();
    }
  g_test_message ("using %s", found);
  log_lines = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (log_writer, NULL, NULL);

  g_test_add_func ("/asterisk-server/check", test_check_ok);
  g_test_add_func ("/asterisk-server/check-wrong-password", test_check_wrong_password);
  g_test_add_func ("/asterisk-server/check-not-ari", test_check_not_ari);
  g_test_add_func ("/asterisk-server/check-tls", test_check_tls);
  g_test_add_func ("/asterisk-server/reachability", test_reachability);
  g_test_add_func ("/asterisk-server/wrong-password-running", test_wrong_password_running);

  dir = g_dir_make_tmp ("attendant-asterisk-server-XXXXXX", &error);
  g_assert_no_error (error);
  users = g_build_filename (dir, "users.ini", NULL);
  attendant_test_write_users (users);
  g_free (attendant_test_write_file (dir, "ari.pw", "ari-secret\n"));
  g_free (attendant_test_write_file (dir, "wrong.pw", "not-the-secret\n"));

  lab = attendant_test_asterisk_new ();
  pki = attendant_test_pki_new ();
  tls_port = attendant_test_asterisk_enable_tls (lab, pki->loopback_file, pki->key_file);

  status = g_test_run ();

  attendant_test_asterisk_free (lab);
  attendant_test_pki_free (pki);
  attendant_test_remove_dir (dir);
  g_free (dir);
  g_ptr_array_unref (log_lines);

  return status;
}
