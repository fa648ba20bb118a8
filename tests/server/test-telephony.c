/* test-telephony.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-telephony"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "attendant-asterisk.h"
#include "attendant-pbx.h"
#include "attendant-server-session.h"
#include "attendant-telephony.h"
#include "attendant-test-client.h"
#include "attendant-test-fixture.h"
#include "attendant-test-pki.h"
#include "attendant-test-sanitizer.h"

/* The contract of AttendantTelephony (docs/server.md, "The telephone
 * system interface"), through its simulated implementation: a command's
 * events come before its completion, which never comes inside the call
 * that started it; completions keep the commands' order; malformed
 * commands fail alike for every implementation; a cancelled command still
 * takes effect; and a session closed while its command is under way
 * neither replies nor is kept alive by it. */

static AttendantTestPki *pki;

#define CALLER "+390212345678"

typedef struct
{
  AttendantPbx *pbx;
  guint         events;
  GPtrArray    *done;    /* Outcome, in the order of completion */
} Fixture;

typedef struct
{
  Fixture    *fixture;
  const char *name;
  guint       events_at_completion;
  JsonObject *result;
  GError     *error;
} Outcome;

static void
outcome_free (Outcome *outcome)
{
  g_clear_pointer (&outcome->result, json_object_unref);
  g_clear_error (&outcome->error);
  g_free (outcome);
}

static void
on_event (AttendantTelephony *telephony,
          JsonObject         *message,
          Fixture            *fixture)
{
  fixture->events++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->pbx = attendant_pbx_new ();
  attendant_pbx_add_queue (fixture->pbx, "main", "Main");
  attendant_pbx_add_attendant (fixture->pbx, "200", "Reception");
  attendant_pbx_add_contact (fixture->pbx, "201", "Bruno Bianchi", "Sales", "available");
  attendant_pbx_add_contact (fixture->pbx, "203", "Dario Neri", "Sales", "dnd");
  fixture->done = g_ptr_array_new_with_free_func ((GDestroyNotify)outcome_free);
  g_signal_connect (fixture->pbx, "event", G_CALLBACK (on_event), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->pbx);
  g_clear_pointer (&fixture->done, g_ptr_array_unref);
}

static char *
inject (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) call = attendant_pbx_inject_call (fixture->pbx, CALLER, "ACME Spa", NULL,
                                                          NULL, 0, &error);

  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (call, "id"));
}

static void
command_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->events_at_completion = outcome->fixture->events;
  outcome->result = attendant_telephony_command_finish (ATTENDANT_TELEPHONY (source), result,
                                                        &outcome->error);
  g_ptr_array_add (outcome->fixture->done, outcome);
}

static void
start (Fixture      *fixture,
       const char   *name,
       const char   *extension,
       const char   *command,
       const char   *args_json,
       GCancellable *cancellable)
{
  Outcome *outcome = g_new0 (Outcome, 1);
  g_autoptr(JsonNode) args = args_json != NULL ? json_from_string (args_json, NULL) : NULL;

  outcome->fixture = fixture;
  outcome->name = name;
  attendant_telephony_command_async (ATTENDANT_TELEPHONY (fixture->pbx), extension, command, args,
                                     cancellable, command_done_cb, outcome);
}

static gboolean
all_done (gpointer data)
{
  Fixture *fixture = data;

  return fixture->done->len == GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (fixture->pbx), "expected"));
}

static void
wait_done (Fixture *fixture,
           guint    n)
{
  g_object_set_data (G_OBJECT (fixture->pbx), "expected", GUINT_TO_POINTER (n));
  attendant_test_wait_until (all_done, fixture, "the commands to complete");
}

static Outcome *
outcome_at (Fixture *fixture,
            guint    i)
{
  return g_ptr_array_index (fixture->done, i);
}

static void
assert_failed (Outcome    *outcome,
               const char *code,
               const char *text)
{
  g_assert_null (outcome->result);
  g_assert_nonnull (outcome->error);
  g_assert_cmpstr (attendant_telephony_error_to_code (outcome->error), ==, code);
  if (text != NULL)
    g_assert_cmpstr (outcome->error->message, ==, text);
}

static void
test_events_before_completion (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *id = inject (fixture);
  g_autofree char *args = g_strdup_printf ("{\"call\":\"%s\"}", id);
  guint before = fixture->events;
  g_autoptr(JsonArray) calls = NULL;

  start (fixture, "answer", "200", "call.answer", args, NULL);

  /* Carried out at once, completed later: never inside the call. */
  g_assert_cmpuint (fixture->events, >, before);
  g_assert_cmpuint (fixture->done->len, ==, 0);

  wait_done (fixture, 1);
  g_assert_no_error (outcome_at (fixture, 0)->error);
  g_assert_nonnull (outcome_at (fixture, 0)->result);
  g_assert_cmpuint (outcome_at (fixture, 0)->events_at_completion, ==, fixture->events);

  calls = attendant_telephony_list_calls (ATTENDANT_TELEPHONY (fixture->pbx));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calls, 0), "state"),
                   ==, "active");
  g_assert_cmpuint (attendant_telephony_get_seq (ATTENDANT_TELEPHONY (fixture->pbx)), ==, fixture->events);
}

/* With pickup-delay, call.answer rings the attendant's own phone first:
 * the call stays queued, and the reply waits, until it is picked up; a
 * caller who hangs up meanwhile makes the answer fail then. */
static void
test_pickup_delay (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *id = inject (fixture);
  g_autofree char *args = g_strdup_printf ("{\"call\":\"%s\"}", id);
  g_autofree char *gone = NULL;
  g_autofree char *gone_args = NULL;
  g_autoptr(JsonArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start_time = g_get_monotonic_time ();

  g_object_set (fixture->pbx, "pickup-delay", 0.3, NULL);
  start (fixture, "answer", "200", "call.answer", args, NULL);
  calls = attendant_telephony_list_calls (ATTENDANT_TELEPHONY (fixture->pbx));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calls, 0), "state"),
                   ==, "queued");

  wait_done (fixture, 1);
  g_assert_cmpint (g_get_monotonic_time () - start_time, >=, 300 * 1000);
  g_assert_no_error (outcome_at (fixture, 0)->error);
  g_clear_pointer (&calls, json_array_unref);
  calls = attendant_telephony_list_calls (ATTENDANT_TELEPHONY (fixture->pbx));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calls, 0), "state"),
                   ==, "active");

  gone = inject (fixture);
  gone_args = g_strdup_printf ("{\"call\":\"%s\"}", gone);
  start (fixture, "gone", "200", "call.answer", gone_args, NULL);
  g_assert_true (attendant_pbx_caller_hangup (fixture->pbx, gone, &error));
  g_assert_no_error (error);
  wait_done (fixture, 2);
  g_assert_nonnull (outcome_at (fixture, 1)->error);
}

/* Commands the interface refuses itself and commands the implementation
 * carries out complete in the order they were made. */
static void
test_completion_order (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *id = inject (fixture);
  g_autofree char *args = g_strdup_printf ("{\"call\":\"%s\"}", id);
  const char *expected[] = { "unknown", "answer", "bad-args", "hold", "no-call", "resume" };

  start (fixture, "unknown", "200", "call.juggle", NULL, NULL);
  start (fixture, "answer", "200", "call.answer", args, NULL);
  start (fixture, "bad-args", "200", "call.hold", "[1]", NULL);
  start (fixture, "hold", "200", "call.hold", args, NULL);
  start (fixture, "no-call", "200", "call.hold", "{}", NULL);
  start (fixture, "resume", "200", "call.resume", args, NULL);

  wait_done (fixture, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (outcome_at (fixture, i)->name, ==, expected[i]);

  assert_failed (outcome_at (fixture, 0), "unknown-command", "Unknown command “call.juggle”");
  assert_failed (outcome_at (fixture, 2), "invalid-args", "“args” must be an object");
  assert_failed (outcome_at (fixture, 4), "invalid-args", "The argument “call” (a string) is missing");
  g_assert_no_error (outcome_at (fixture, 5)->error);
}

/* The protocol's error codes, and which error wins when a command has
 * more than one thing wrong with it (as before the interface). */
static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *id = inject (fixture);
  g_autofree char *args = g_strdup_printf ("{\"call\":\"%s\"}", id);
  g_autofree char *busy = g_strdup_printf ("{\"call\":\"%s\",\"target\":\"203\"}", id);
  g_autofree char *no_target = g_strdup_printf ("{\"call\":\"%s\",\"target\":7}", id);

  start (fixture, "no-extension", NULL, "call.answer", args, NULL);
  start (fixture, "no-number", "200", "dial", "{\"number\":201}", NULL);
  /* A call that is not there says so before a missing target. */
  start (fixture, "not-found", "200", "call.transfer", "{\"call\":\"call-none\"}", NULL);
  start (fixture, "answer", "200", "call.answer", args, NULL);
  start (fixture, "no-target", "200", "call.consult", no_target, NULL);
  start (fixture, "busy", "200", "call.transfer", busy, NULL);
  start (fixture, "bad-presence", "200", "presence.set", "{\"presence\":\"ringing\"}", NULL);
  start (fixture, "no-such-extension", "200", "dial", "{\"number\":\"299\"}", NULL);

  wait_done (fixture, 8);
  assert_failed (outcome_at (fixture, 0), "invalid-state",
                 "Your user has no extension: the console cannot handle calls");
  assert_failed (outcome_at (fixture, 1), "invalid-args", "The argument “number” (a string) is missing");
  assert_failed (outcome_at (fixture, 2), "not-found", "No call call-none");
  g_assert_no_error (outcome_at (fixture, 3)->error);
  assert_failed (outcome_at (fixture, 4), "invalid-args", "The argument “target” (a string) is missing");
  assert_failed (outcome_at (fixture, 5), "busy", NULL);
  assert_failed (outcome_at (fixture, 6), "invalid-args", NULL);
  assert_failed (outcome_at (fixture, 7), "not-found", "No extension 299");
}

/* Cancelling only gives up the answer: the command was carried out. */
static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *id = inject (fixture);
  g_autofree char *args = g_strdup_printf ("{\"call\":\"%s\"}", id);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonArray) calls = NULL;

  start (fixture, "answer", "200", "call.answer", args, cancellable);
  g_cancellable_cancel (cancellable);

  wait_done (fixture, 1);
  g_assert_error (outcome_at (fixture, 0)->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  calls = attendant_telephony_list_calls (ATTENDANT_TELEPHONY (fixture->pbx));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calls, 0), "state"),
                   ==, "active");
}

/* {{{ A session closed while its command is under way */

typedef struct
{
  AttendantServerSession *session;   /* weak */
  gboolean                dropped;
} Closing;

/* The command's own event: drop its session there, before its reply. */
static void
drop_on_event (AttendantTelephony *telephony,
               JsonObject         *message,
               Closing            *closing)
{
  if (!closing->dropped && closing->session != NULL)
    {
      closing->dropped = TRUE;
      attendant_server_session_abort (closing->session);
    }
}

static gboolean
session_gone (gpointer data)
{
  Closing *closing = data;

  return closing->session == NULL;
}

static void
test_session_closed_before_reply (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, NULL);
  g_autofree char *url = attendant_test_fixture_url (fixture, "primary", "plain");
  g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);
  g_autoptr(AttendantTestClient) client = attendant_test_client_new (url, anchors);
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) ok = attendant_test_client_login (client, TEST_USER, TEST_PASSWORD);
  g_autoptr(JsonObject) snapshot = attendant_test_client_expect (client, "snapshot");
  AttendantTelephony *telephony = attendant_server_get_telephony (fixture->server);
  AttendantNode *node = attendant_server_lookup_node (fixture->server, "primary");
  g_autoptr(JsonObject) call = NULL;
  g_autoptr(JsonArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  Closing closing = { NULL, FALSE };
  gulong handler;

  g_assert_cmpuint (attendant_node_get_sessions (node)->len, ==, 1);
  closing.session = g_ptr_array_index (attendant_node_get_sessions (node), 0);
  g_object_add_weak_pointer (G_OBJECT (closing.session), (gpointer *)&closing.session);

  call = attendant_pbx_inject_call (attendant_server_get_pbx (fixture->server), CALLER, NULL, NULL,
                                    NULL, 0, &error);
  g_assert_no_error (error);
  handler = g_signal_connect (telephony, "event", G_CALLBACK (drop_on_event), &closing);

  command = g_strdup_printf ("{\"type\":\"command\",\"id\":\"c-1\",\"command\":\"call.answer\","
                             "\"args\":{\"call\":\"%s\"}}",
                             json_object_get_string_member (call, "id"));
  attendant_test_client_send (client, command);

  /* Dropped by the node, the session lives on only in its pending reply,
   * which finds it closed, sends nothing, and lets it go. */
  attendant_test_wait_until (session_gone, &closing, "the dropped session to be freed");
  g_assert_true (closing.dropped);
  g_signal_handler_disconnect (telephony, handler);

  /* Nothing but the drop reached the client, and the command did happen. */
  attendant_test_client_wait_closed (client);
  calls = attendant_telephony_list_calls (telephony);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calls, 0), "state"),
                   ==, "active");
}

/* }}} */

/* Asterisk's directory may be as big as 20,000 endpoints: its snapshot
 * comes in parts, each well under the 1 MiB message limit, as the
 * simulated system's does. Nothing is asked of Asterisk here (the
 * directory file's entries, before Asterisk was read). */
static void
test_asterisk_snapshot_parts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AttendantAri) ari = attendant_ari_new ("http://127.0.0.1:9/ari", "attendant", "secret",
                                                   "attendant", &error);
  g_autoptr(AttendantAsterisk) asterisk = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *name = g_strnfill (60, 'n');
  guint contacts = 0;

  g_assert_no_error (error);
  asterisk = attendant_asterisk_new (ari);
  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *number = g_strdup_printf ("%u", 100000 + i);

      attendant_asterisk_add_contact (asterisk, number, name, "Department of Examples");
    }

  messages = attendant_telephony_build_snapshot (ATTENDANT_TELEPHONY (asterisk), "reception", "200");
  g_assert_cmpuint (messages->len, >, 1);
  for (guint i = 0; i < messages->len; i++)
    {
      JsonObject *message = g_ptr_array_index (messages, i);
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), message);
      g_autofree char *text = json_to_string (node, FALSE);

      g_assert_cmpstr (json_object_get_string_member (message, "type"), ==, i == 0 ? "snapshot" : "snapshot.more");
      g_assert_cmpuint (strlen (text), <, 1024 * 1024);
      g_assert_cmpint (json_object_get_boolean_member (message, "more"), ==, i + 1 < messages->len);
      contacts += json_array_get_length (json_object_get_array_member (message, "directory"));
    }
  g_assert_cmpuint (contacts, ==, 10000);
}

int
main (int    argc,
      char **argv)
{
  int status;

  attendant_test_sanitizer_setup (argv);
  attendant_tls_init ();
  g_test_init (&argc, &argv, NULL);

  pki = attendant_test_pki_new ();

  g_test_add ("/server/telephony-interface/events-before-completion", Fixture, NULL,
              fixture_set_up, test_events_before_completion, fixture_tear_down);
  g_test_add ("/server/telephony-interface/pickup-delay", Fixture, NULL,
              fixture_set_up, test_pickup_delay, fixture_tear_down);
  g_test_add ("/server/telephony-interface/completion-order", Fixture, NULL,
              fixture_set_up, test_completion_order, fixture_tear_down);
  g_test_add ("/server/telephony-interface/errors", Fixture, NULL,
              fixture_set_up, test_errors, fixture_tear_down);
  g_test_add ("/server/telephony-interface/cancelled", Fixture, NULL,
              fixture_set_up, test_cancelled, fixture_tear_down);
  g_test_add_func ("/server/telephony-interface/asterisk-snapshot-parts", test_asterisk_snapshot_parts);
  g_test_add_func ("/server/telephony-interface/session-closed-before-reply",
                   test_session_closed_before_reply);

  status = g_test_run ();
  attendant_test_pki_free (pki);

  return status;
}
