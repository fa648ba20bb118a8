/* test-ari-hostile.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "attendant-ari.h"
#include "attendant-asterisk-directory.h"
#include "attendant-error.h"
#include "attendant-protocol.h"
#include "attendant-test-memory.h"
#include "attendant-test-wait.h"

/* AttendantAri against a hostile "Asterisk" (fake_ari.py): answers and
 * events nested 100,000 deep or of 100 MB are refused with a clear error,
 * before they are parsed or buffered whole (docs/security.md);
 * AttendantAsteriskDirectory against one with too many endpoints; and
 * what the real Asterisk cannot be made to show on demand: the order of
 * an events connection's end, and a dead one beside a live HTTP side. */

/* What the client may grow by while refusing 100 MB. */
#define RSS_BOUND_KIB (48 * 1024)

static GSubprocess *fake;
static guint16 fake_port;

typedef struct
{
  gboolean  done;
  char     *version;
  GError   *error;
  guint     connected;
  guint     disconnected;
  int       reason;
  char     *message;
} Outcome;

static gboolean
outcome_done (gpointer data)
{
  return ((Outcome *)data)->done;
}

static gboolean
outcome_disconnected (gpointer data)
{
  return ((Outcome *)data)->disconnected > 0;
}

static void
info_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->version = attendant_ari_get_info_finish (ATTENDANT_ARI (object), result, &outcome->error);
  outcome->done = TRUE;
}

static void
connected_cb (AttendantAri *ari,
              Outcome      *outcome)
{
  outcome->connected++;
}

static void
disconnected_cb (AttendantAri *ari,
                 int           reason,
                 const char   *message,
                 Outcome      *outcome)
{
  outcome->disconnected++;
  outcome->reason = reason;
  g_free (outcome->message);
  outcome->message = g_strdup (message);
}

static AttendantAri *
client_for (const char *user)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/ari", fake_port);
  g_autoptr(GError) error = NULL;
  AttendantAri *ari = attendant_ari_new (url, user, "secret", "attendant", &error);

  g_assert_no_error (error);
  return ari;
}

static void
assert_info_refused (const char *user,
                     const char *expected)
{
  g_autoptr(AttendantAri) ari = client_for (user);
  Outcome outcome = { 0 };
  gsize before = attendant_test_memory_rss_kib ();
  gsize after;

  attendant_ari_get_info_async (ari, NULL, info_cb, &outcome);
  attendant_test_wait_until (outcome_done, &outcome, 30000, "the info's refusal");
  after = attendant_test_memory_rss_kib ();
  g_test_message ("%s: %s (RSS %zu → %zu KiB)", user,
                  outcome.error ? outcome.error->message : "(no error)", before, after);

  g_assert_null (outcome.version);
  g_assert_error (outcome.error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (outcome.error->message, expected));
  g_assert_cmpuint (after, <, before + RSS_BOUND_KIB);

  g_clear_error (&outcome.error);
}

static void
test_deep_info (void)
{
  assert_info_refused ("deep", "nests objects and arrays more than");
}

static void
test_huge_info (void)
{
  assert_info_refused ("huge", "bytes");
}

static void
test_chunked_info (void)
{
  assert_info_refused ("chunked", "bytes");
}

static void
assert_event_refused (const char *user,
                      const char *expected)
{
  g_autoptr(AttendantAri) ari = client_for (user);
  Outcome outcome = { 0 };
  gsize before = attendant_test_memory_rss_kib ();
  gsize after;

  g_signal_connect (ari, "connected", G_CALLBACK (connected_cb), &outcome);
  g_signal_connect (ari, "disconnected", G_CALLBACK (disconnected_cb), &outcome);
  attendant_ari_start (ari);
  attendant_test_wait_until (outcome_disconnected, &outcome, 30000, "the event's refusal");
  after = attendant_test_memory_rss_kib ();
  g_test_message ("%s: %s (RSS %zu → %zu KiB)", user, outcome.message, before, after);
  attendant_ari_stop (ari);

  g_assert_cmpuint (outcome.connected, ==, 1);
  g_assert_cmpint (outcome.reason, ==, ATTENDANT_ARI_DISCONNECT_INVALID);
  g_assert_nonnull (strstr (outcome.message, expected));
  g_assert_cmpuint (after, <, before + RSS_BOUND_KIB);

  g_free (outcome.message);
}

static void
test_deep_event (void)
{
  assert_event_refused ("deepevent", "nests objects and arrays more than");
}

static void
test_huge_event (void)
{
  assert_event_refused ("hugeevent", "over the limit");
}

static gboolean
outcome_connected (gpointer data)
{
  return ((Outcome *)data)->connected > 0;
}

static gboolean
outcome_reconnected (gpointer data)
{
  return ((Outcome *)data)->connected > 1;
}

static gboolean
none_closing (gpointer data)
{
  return attendant_ari_get_n_closing () == 0;
}

static void
log_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  JsonNode **log = user_data;
  g_autoptr(GError) error = NULL;

  *log = attendant_ari_request_finish (ATTENDANT_ARI (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
log_ready (gpointer data)
{
  return *(JsonNode **)data != NULL;
}

/* What the fake noted for @user, once it noted @count things (its
 * WebSocket's end is read after the client's last request). */
static char *
fake_log (const char *user,
          guint       count)
{
  g_autoptr(AttendantAri) ari = client_for (user);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(JsonNode) log = NULL;

      attendant_ari_request_async (ari, "GET", "fake/log", NULL, NULL, log_cb, &log);
      attendant_test_wait_until (log_ready, &log, 10000, "the fake's log");
      if (json_array_get_length (json_node_get_array (log)) >= count || g_get_monotonic_time () > deadline)
        return json_to_string (log, FALSE);
      attendant_test_run_for (20);
    }
}

/* Closing the events connection of an application that gets every device
 * state (subscribeAll): its device states are unsubscribed over HTTP
 * first, and the WebSocket closed once that is answered; Asterisk 22
 * can deadlock when the connection ends amid a device state
 * (docs/asterisk.md, "The ARI client"). Without subscribeAll there is
 * nothing to unsubscribe. */
static void
test_unsubscribe_before_close (void)
{
  const struct { const char *user; gboolean subscribe_all; const char *expected; } cases[] = {
    { "polite", TRUE, "[\"unsubscribe deviceState:\",\"closed\"]" },
    { "plain", FALSE, "[\"closed\"]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AttendantAri) ari = client_for (cases[i].user);
      g_autofree char *log = NULL;
      Outcome outcome = { 0 };

      attendant_ari_set_subscribe_all (ari, cases[i].subscribe_all);
      g_signal_connect (ari, "connected", G_CALLBACK (connected_cb), &outcome);
      attendant_ari_start (ari);
      attendant_test_wait_until (outcome_connected, &outcome, 10000, "connected to the fake");
      attendant_ari_stop (ari);
      g_assert_cmpuint (attendant_ari_get_n_closing (), ==, cases[i].subscribe_all ? 1 : 0);
      attendant_test_wait_until (none_closing, NULL, 5000, "the connection closed");

      log = fake_log (cases[i].user, cases[i].subscribe_all ? 2 : 1);
      g_test_message ("%s: %s", cases[i].user, log);
      g_assert_cmpstr (log, ==, cases[i].expected);
    }
}

/* An events connection that stays silent while Asterisk's HTTP side
 * answers is dead: the client says so (timed out) and makes a new one,
 * closing the old one as above. (A frozen Asterisk answers neither, and
 * keeps its connection until it comes back: test-ari /silent.) */
static void
test_dead_events_connection (void)
{
  g_autoptr(AttendantAri) ari = client_for ("mute");
  g_autofree char *log = NULL;
  Outcome outcome = { 0 };

  g_signal_connect (ari, "connected", G_CALLBACK (connected_cb), &outcome);
  g_signal_connect (ari, "disconnected", G_CALLBACK (disconnected_cb), &outcome);
  attendant_ari_start (ari);
  attendant_test_wait_until (outcome_reconnected, &outcome, 15000, "connected anew");
  g_test_message ("mute: %s", outcome.message);
  g_assert_cmpuint (outcome.disconnected, ==, 1);
  g_assert_cmpint (outcome.reason, ==, ATTENDANT_ARI_DISCONNECT_TIMED_OUT);
  attendant_ari_stop (ari);
  attendant_test_wait_until (none_closing, NULL, 5000, "the connection closed");

  log = fake_log ("mute", 4);
  g_assert_cmpstr (log, ==, "[\"unsubscribe deviceState:\",\"closed\",\"unsubscribe deviceState:\",\"closed\"]");
  g_free (outcome.message);
}

static gboolean
directory_ready (gpointer data)
{
  return attendant_asterisk_directory_get_ready (data);
}

/* An "Asterisk" with 30,000 endpoints, names of 305 bytes with control
 * characters, and 30,000 presence mirrors: the directory keeps the lowest
 * 20,000 numbers, names cut at a character within 128 bytes. */
static void
test_directory_crowd (void)
{
  g_autoptr(AttendantAri) ari = client_for ("crowd");
  g_autoptr(AttendantAsteriskDirectory) directory = attendant_asterisk_directory_new (ari, "PJSIP");
  g_autoptr(JsonArray) contacts = NULL;
  gint64 started = g_get_monotonic_time ();
  JsonObject *first;
  JsonObject *last;
  const char *name;

  attendant_asterisk_directory_refresh (directory);
  attendant_test_wait_until (directory_ready, directory, 90000, "the crowded directory");
  g_test_message ("20,000 endpoints read (a request for each name) in %.1f s",
                  (g_get_monotonic_time () - started) / 1e6);

  contacts = attendant_asterisk_directory_list_contacts (directory);
  g_assert_cmpuint (json_array_get_length (contacts), ==, ATTENDANT_ASTERISK_DIRECTORY_MAX_CONTACTS);
  first = json_array_get_object_element (contacts, 0);
  last = json_array_get_object_element (contacts, ATTENDANT_ASTERISK_DIRECTORY_MAX_CONTACTS - 1);
  g_assert_cmpstr (attendant_protocol_get_string (first, "number"), ==, "10000");
  g_assert_cmpstr (attendant_protocol_get_string (last, "number"), ==, "29999");
  g_assert_cmpstr (attendant_protocol_get_string (first, "presence"), ==, "dnd");

  name = attendant_protocol_get_string (first, "name");
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_cmpuint (strlen (name), <=, ATTENDANT_ASTERISK_DIRECTORY_MAX_NAME);
  g_assert_cmpuint (strlen (name), >=, ATTENDANT_ASTERISK_DIRECTORY_MAX_NAME - 3);
  g_assert_true (g_str_has_prefix (name, "A B C\xc3\x84"));
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
start_fake (void)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "asterisk", "fake_ari.py", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  /* The fake dies with the test, even when an assertion aborts it. */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  fake = g_subprocess_launcher_spawn (launcher, &error, "python3", script, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fake));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "ready "));
  fake_port = (guint16)g_ascii_strtoull (line + 6, NULL, 10);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ari-hostile/deep-info", test_deep_info);
  g_test_add_func ("/ari-hostile/huge-info", test_huge_info);
  g_test_add_func ("/ari-hostile/chunked-info", test_chunked_info);
  g_test_add_func ("/ari-hostile/deep-event", test_deep_event);
  g_test_add_func ("/ari-hostile/huge-event", test_huge_event);
  g_test_add_func ("/ari-hostile/directory-crowd", test_directory_crowd);
  g_test_add_func ("/ari-hostile/unsubscribe-before-close", test_unsubscribe_before_close);
  g_test_add_func ("/ari-hostile/dead-events-connection", test_dead_events_connection);

  start_fake ();
  status = g_test_run ();
  g_subprocess_force_exit (fake);
  g_subprocess_wait (fake, NULL, NULL);
  g_clear_object (&fake);

  return status;
}
