/* test-server-telephony.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-telephony"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "attendant-test-client.h"
#include "attendant-test-fixture.h"
#include "attendant-test-pki.h"
#include "attendant-test-sanitizer.h"

/* The simulated telephone system through the protocol: every command of
 * docs/protocol.md §2.5 with its success and its errors, the events it
 * causes (before its reply, with increasing seq, on every node), presence
 * following the calls, and the simulated people: extension 201 answers,
 * 202 is away and lets it ring, 203 is on do-not-disturb, 205 offline.
 * Timers are short (ring 1 s, answer 0.2 s, talk 1 s) and every wait is
 * for an event, with a deadline. */

static AttendantTestPki *pki;

#define TIMING "ring-timeout=1\nanswer-delay=0.2\ntalk-time=1\n"
#define CALLER "+390212345678"

static AttendantTestClient *
login_as (AttendantTestFixture *fixture,
          const char           *node,
          const char           *transport,
          const char           *user,
          const char           *password,
          JsonObject          **snapshot_out)
{
  g_autofree char *url = attendant_test_fixture_url (fixture, node, transport);
  g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);
  AttendantTestClient *client = attendant_test_client_new (url, anchors);
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) ok = attendant_test_client_login (client, user, password);
  JsonObject *snapshot;

  g_assert_cmpstr (attendant_protocol_get_type (ok), ==, "auth.ok");
  snapshot = attendant_test_client_expect (client, "snapshot");
  if (snapshot_out != NULL)
    *snapshot_out = snapshot;
  else
    json_object_unref (snapshot);

  return client;
}

static AttendantTestClient *
reception (AttendantTestFixture *fixture)
{
  return login_as (fixture, "primary", "plain", TEST_USER, TEST_PASSWORD, NULL);
}

/* An incoming call to the queue, as the admin API makes one. */
static char *
inject (AttendantTestFixture *fixture,
        const char           *extension)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) call = NULL;

  call = attendant_pbx_inject_call (attendant_server_get_pbx (fixture->server), CALLER, "ACME Spa",
                                    NULL, extension, 0, &error);
  g_assert_no_error (error);

  return g_strdup (json_object_get_string_member (call, "id"));
}

static JsonObject *
call_of (JsonObject *event)
{
  return json_object_get_object_member (event, "call");
}

static void
assert_ok (JsonObject *reply)
{
  if (!json_object_get_boolean_member (reply, "ok"))
    {
      g_autofree char *text = attendant_protocol_encode (reply);

      g_error ("The command failed: %s", text);
    }
}

static void
command_ok (AttendantTestClient *client,
            const char          *command,
            const char          *args)
{
  g_autoptr(JsonObject) reply = attendant_test_client_command (client, command, args);

  assert_ok (reply);
}

static char *
args_call (const char *id)
{
  return g_strdup_printf ("{\"call\":\"%s\"}", id);
}

static char *
args_target (const char *id,
             const char *target)
{
  return g_strdup_printf ("{\"call\":\"%s\",\"target\":\"%s\"}", id, target);
}

/* Queued, then answered by TEST_USER: returns the call's id. */
static char *
answered_call (AttendantTestFixture *fixture,
               AttendantTestClient  *client)
{
  char *id = inject (fixture, NULL);
  g_autofree char *args = args_call (id);
  g_autoptr(JsonObject) queued = attendant_test_client_wait_call (client, id, "queued");
  g_autoptr(JsonObject) active = NULL;

  command_ok (client, "call.answer", args);
  active = attendant_test_client_wait_call (client, id, "active");

  return id;
}

/* {{{ Answer, hold, resume, hang up */

static void
test_answer_hold_hangup (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *id = inject (fixture, NULL);
  g_autofree char *args = args_call (id);
  g_autofree char *command = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(JsonObject) presence = NULL;
  g_autoptr(JsonObject) reply = NULL;
  JsonObject *call;

  event = attendant_test_client_wait_call (client, id, "queued");
  call = call_of (event);
  g_assert_cmpstr (json_object_get_string_member (call, "queue"), ==, "main");
  g_assert_cmpstr (json_object_get_string_member (call, "caller_number"), ==, CALLER);
  g_assert_cmpstr (json_object_get_string_member (call, "caller_name"), ==, "ACME Spa");
  g_assert_true (json_object_get_null_member (call, "attendant"));
  g_assert_true (json_object_get_null_member (call, "peer"));
  g_assert_false (json_object_get_boolean_member (call, "recalled"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (call, "since"), "Z"));
  g_clear_pointer (&event, json_object_unref);

  /* The effects come before the reply, in this order. */
  command = g_strdup_printf ("{\"type\":\"command\",\"id\":\"c-1\",\"command\":\"call.answer\","
                             "\"args\":{\"call\":\"%s\"}}", id);
  attendant_test_client_send (client, command);
  event = attendant_test_client_expect (client, "event");
  g_assert_cmpstr (json_object_get_string_member (event, "event"), ==, "call.updated");
  g_assert_cmpstr (json_object_get_string_member (call_of (event), "state"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (call_of (event), "attendant"), ==, TEST_EXTENSION);
  presence = attendant_test_client_expect (client, "event");
  g_assert_cmpstr (json_object_get_string_member (presence, "event"), ==, "presence");
  g_assert_cmpstr (json_object_get_string_member (presence, "id"), ==, "ext-" TEST_EXTENSION);
  g_assert_cmpstr (json_object_get_string_member (presence, "presence"), ==, "busy");
  reply = attendant_test_client_expect (client, "reply");
  g_assert_cmpstr (json_object_get_string_member (reply, "id"), ==, "c-1");
  assert_ok (reply);
  g_assert_true (json_object_has_member (reply, "result"));
  g_clear_pointer (&event, json_object_unref);

  command_ok (client, "call.hold", args);
  event = attendant_test_client_wait_call (client, id, "held");
  g_clear_pointer (&event, json_object_unref);

  g_assert_cmpstr (attendant_test_client_command_error (client, "call.hold", args), ==, "invalid-state");

  command_ok (client, "call.resume", args);
  event = attendant_test_client_wait_call (client, id, "active");
  g_clear_pointer (&event, json_object_unref);

  g_assert_cmpstr (attendant_test_client_command_error (client, "call.resume", args), ==, "invalid-state");
  g_assert_cmpstr (attendant_test_client_command_error (client, "call.answer", args), ==, "invalid-state");

  command_ok (client, "call.hangup", args);
  event = attendant_test_client_wait_call (client, id, "ended");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, id, NULL);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_presence (client, TEST_EXTENSION, "available");

  g_assert_cmpstr (attendant_test_client_command_error (client, "call.hangup", args), ==, "not-found");
  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (client), ==, 0);
}

static gboolean
is_reply (JsonObject *message,
          gpointer    user_data)
{
  return g_str_equal (attendant_protocol_get_type (message), "reply");
}

static void
test_command_errors (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autoptr(AttendantTestClient) other = login_as (fixture, "primary", "plain",
                                                   TEST_USER2, TEST_PASSWORD2, NULL);
  g_autoptr(AttendantTestClient) nobody = login_as (fixture, "primary", "plain",
                                                    TEST_NO_EXT_USER, TEST_NO_EXT_PASS, NULL);
  g_autofree char *id = answered_call (fixture, client);
  g_autofree char *args = args_call (id);
  static const char * const commands[] = {
    "call.answer", "call.hold", "call.resume", "call.hangup", "call.transfer",
    "call.consult", "call.complete", "call.cancel-consult",
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_assert_cmpstr (attendant_test_client_command_error (client, commands[i], "{\"call\":\"call-999\"}"),
                       ==, "not-found");
      g_assert_cmpstr (attendant_test_client_command_error (client, commands[i], NULL), ==, "invalid-args");
      g_assert_cmpstr (attendant_test_client_command_error (client, commands[i], "{\"call\":7}"),
                       ==, "invalid-args");
      /* Another attendant's call is not yours to handle. */
      g_assert_cmpstr (attendant_test_client_command_error (other, commands[i], args), ==, "invalid-state");
    }

  g_assert_cmpstr (attendant_test_client_command_error (client, "call.frobnicate", args), ==, "unknown-command");
  g_assert_cmpstr (attendant_test_client_command_error (client, "dial", NULL), ==, "invalid-args");
  g_assert_cmpstr (attendant_test_client_command_error (client, "presence.set", NULL), ==, "invalid-args");

  {
    g_autoptr(JsonObject) reply = NULL;

    attendant_test_client_send (client, "{\"type\":\"command\",\"id\":\"x\",\"command\":\"dial\",\"args\":[1]}");
    reply = attendant_test_client_wait_for (client, is_reply, NULL);
    g_assert_false (json_object_get_boolean_member (reply, "ok"));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (reply, "error"), "code"),
                     ==, "invalid-args");
  }

  /* A user without an extension cannot handle calls. */
  g_assert_cmpstr (attendant_test_client_command_error (nobody, "dial", "{\"number\":\"201\"}"),
                   ==, "invalid-state");
  g_assert_cmpstr (attendant_test_client_command_error (nobody, "call.frobnicate", NULL), ==, "unknown-command");

  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (client), ==, 0);
  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (other), ==, 0);
}

/* Taking a second call puts the first on hold: one active call at a time. */
static void
test_answer_holds_other (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *first = answered_call (fixture, client);
  g_autofree char *second = inject (fixture, NULL);
  g_autofree char *args = args_call (second);
  g_autofree char *args_first = args_call (first);
  g_autoptr(JsonObject) event = NULL;

  event = attendant_test_client_wait_call (client, second, "queued");
  g_clear_pointer (&event, json_object_unref);
  command_ok (client, "call.answer", args);
  event = attendant_test_client_wait_call (client, first, "held");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, second, "active");
  g_clear_pointer (&event, json_object_unref);

  command_ok (client, "call.resume", args_first);
  event = attendant_test_client_wait_call (client, second, "held");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, first, "active");
}

/* A queued call may be refused by any attendant. */
static void
test_hangup_queued (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *id = inject (fixture, NULL);
  g_autofree char *args = args_call (id);
  g_autoptr(JsonObject) event = attendant_test_client_wait_call (client, id, "queued");

  command_ok (client, "call.hangup", args);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, id, "ended");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, id, NULL);
}

/* }}} */
/* {{{ Transfers */

static void
test_blind_transfer (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *id = answered_call (fixture, client);
  g_autofree char *args = args_target (id, "201");
  g_autoptr(JsonObject) event = NULL;

  command_ok (client, "call.transfer", args);
  event = attendant_test_client_wait_call (client, id, "transferring");
  g_assert_cmpstr (json_object_get_string_member (call_of (event), "peer"), ==, "201");
  g_assert_cmpstr (json_object_get_string_member (call_of (event), "attendant"), ==, TEST_EXTENSION);
  g_clear_pointer (&event, json_object_unref);

  /* 201 rings, answers (the call leaves the console), talks, and is free. */
  event = attendant_test_client_wait_presence (client, "201", "ringing");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, id, NULL);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_presence (client, "201", "busy");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_presence (client, "201", "available");

  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (client), ==, 0);
}

/* Nobody answers at 202 (away): the call comes back, ringing, recalled. */
static void
test_transfer_recall (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *id = answered_call (fixture, client);
  g_autofree char *args = args_target (id, "202");
  g_autofree char *answer = args_call (id);
  g_autoptr(JsonObject) event = NULL;
  gint64 transferred_at;

  command_ok (client, "call.transfer", args);
  transferred_at = g_get_monotonic_time ();
  event = attendant_test_client_wait_call (client, id, "transferring");
  g_assert_false (json_object_get_boolean_member (call_of (event), "recalled"));
  g_clear_pointer (&event, json_object_unref);

  event = attendant_test_client_wait_call (client, id, "ringing");
  g_assert_cmpint (g_get_monotonic_time () - transferred_at, >=, 900 * 1000);
  g_assert_true (json_object_get_boolean_member (call_of (event), "recalled"));
  g_assert_cmpstr (json_object_get_string_member (call_of (event), "attendant"), ==, TEST_EXTENSION);
  g_clear_pointer (&event, json_object_unref);

  command_ok (client, "call.answer", answer);
  event = attendant_test_client_wait_call (client, id, "active");
  g_assert_true (json_object_get_boolean_member (call_of (event), "recalled"));
}

static void
test_transfer_errors (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *queued = inject (fixture, NULL);
  g_autofree char *id = answered_call (fixture, client);
  g_autofree char *to_dnd = args_target (id, "203");
  g_autofree char *to_offline = args_target (id, "205");
  g_autofree char *to_nobody = args_target (id, "299");
  g_autofree char *to_garbage = args_target (id, "not a number");
  g_autofree char *to_self = args_target (id, TEST_EXTENSION);
  g_autofree char *queued_args = args_target (queued, "201");
  g_autofree char *outside = args_target (id, "+41445551234");
  g_autoptr(JsonObject) event = NULL;

  g_assert_cmpstr (attendant_test_client_command_error (client, "call.transfer", to_dnd), ==, "busy");
  g_assert_cmpstr (attendant_test_client_command_error (client, "call.transfer", to_offline), ==, "busy");
  g_assert_cmpstr (attendant_test_client_command_error (client, "call.transfer", to_nobody), ==, "not-found");
  g_assert_cmpstr (attendant_test_client_command_error (client, "call.transfer", to_garbage), ==, "invalid-args");
  g_assert_cmpstr (attendant_test_client_command_error (client, "call.transfer", to_self), ==, "invalid-args");
  g_assert_cmpstr (attendant_test_client_command_error (client, "call.transfer", queued_args), ==, "invalid-state");

  /* An outside number answers after the answer delay. */
  command_ok (client, "call.transfer", outside);
  event = attendant_test_client_wait_call (client, id, "transferring");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, id, NULL);
}

static void
test_consult_complete (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *id = answered_call (fixture, client);
  g_autofree char *args = args_target (id, "201");
  g_autofree char *original = args_call (id);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) event = NULL;
  JsonObject *leg;
  g_autofree char *leg_id = NULL;

  reply = attendant_test_client_command (client, "call.consult", args);
  assert_ok (reply);
  leg = json_object_get_object_member (json_object_get_object_member (reply, "result"), "call");
  leg_id = g_strdup (json_object_get_string_member (leg, "id"));
  g_assert_cmpstr (json_object_get_string_member (leg, "state"), ==, "consulting");
  g_assert_cmpstr (json_object_get_string_member (leg, "peer"), ==, "201");
  g_assert_cmpstr (json_object_get_string_member (leg, "caller_name"), ==, "Bruno Bianchi");
  g_assert_cmpstr (json_object_get_string_member (leg, "attendant"), ==, TEST_EXTENSION);

  event = attendant_test_client_wait_call (client, id, "held");
  g_assert_cmpstr (json_object_get_string_member (call_of (event), "peer"), ==, "201");
  g_clear_pointer (&event, json_object_unref);

  /* A consultation in progress: the original cannot be resumed now. */
  g_assert_cmpstr (attendant_test_client_command_error (client, "call.resume", original), ==, "invalid-state");
  g_assert_cmpstr (attendant_test_client_command_error (client, "call.consult", args), ==, "invalid-state");

  /* 201 answers the consultation, then the attendant joins the two. */
  event = attendant_test_client_wait_presence (client, "201", "busy");
  g_clear_pointer (&event, json_object_unref);
  command_ok (client, "call.complete", original);
  event = attendant_test_client_wait_call (client, leg_id, NULL);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, id, NULL);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_presence (client, TEST_EXTENSION, "available");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_presence (client, "201", "available");

  g_assert_cmpstr (attendant_test_client_command_error (client, "call.complete", original), ==, "not-found");
  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (client), ==, 0);
}

static void
test_consult_cancel (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *id = answered_call (fixture, client);
  g_autofree char *args = args_target (id, "202");
  g_autofree char *original = args_call (id);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *leg_id = NULL;

  g_assert_cmpstr (attendant_test_client_command_error (client, "call.cancel-consult", original),
                   ==, "invalid-state");

  reply = attendant_test_client_command (client, "call.consult", args);
  assert_ok (reply);
  leg_id = g_strdup (json_object_get_string_member (
    json_object_get_object_member (json_object_get_object_member (reply, "result"), "call"), "id"));

  command_ok (client, "call.cancel-consult", original);
  event = attendant_test_client_wait_call (client, leg_id, "ended");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, leg_id, NULL);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, id, "active");
  g_assert_true (json_object_get_null_member (call_of (event), "peer"));
}

/* The consulted party never answers: the consultation ends by itself and
 * the original stays on hold. */
static void
test_consult_unanswered (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *id = answered_call (fixture, client);
  g_autofree char *args = args_target (id, "202");
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *leg_id = NULL;

  reply = attendant_test_client_command (client, "call.consult", args);
  assert_ok (reply);
  leg_id = g_strdup (json_object_get_string_member (
    json_object_get_object_member (json_object_get_object_member (reply, "result"), "call"), "id"));

  /* First on hold for the consultation, with 202 as its peer... */
  event = attendant_test_client_wait_call (client, id, "held");
  g_assert_cmpstr (json_object_get_string_member (call_of (event), "peer"), ==, "202");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, leg_id, "ended");
  g_clear_pointer (&event, json_object_unref);
  /* ...then still on hold, the consultation over. */
  event = attendant_test_client_wait_call (client, id, "held");
  g_assert_true (json_object_get_null_member (call_of (event), "peer"));
}

/* Completing while the consulted party still rings leaves a blind
 * transfer, with its recall. */
static void
test_complete_while_ringing (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *id = answered_call (fixture, client);
  g_autofree char *args = args_target (id, "202");
  g_autofree char *original = args_call (id);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) event = NULL;

  reply = attendant_test_client_command (client, "call.consult", args);
  assert_ok (reply);
  command_ok (client, "call.complete", original);
  event = attendant_test_client_wait_call (client, id, "transferring");
  g_assert_cmpstr (json_object_get_string_member (call_of (event), "peer"), ==, "202");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, id, "ringing");
  g_assert_true (json_object_get_boolean_member (call_of (event), "recalled"));
}

/* }}} */
/* {{{ Dial, presence, direct calls */

static void
test_dial (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autofree char *id = NULL;
  g_autofree char *args = NULL;
  JsonObject *call;

  reply = attendant_test_client_command (client, "dial", "{\"number\":\"201\"}");
  assert_ok (reply);
  call = json_object_get_object_member (json_object_get_object_member (reply, "result"), "call");
  id = g_strdup (json_object_get_string_member (call, "id"));
  g_assert_cmpstr (json_object_get_string_member (call, "state"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (call, "peer"), ==, "201");
  g_assert_cmpstr (json_object_get_string_member (call, "caller_name"), ==, "Bruno Bianchi");

  event = attendant_test_client_wait_presence (client, "201", "ringing");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_presence (client, "201", "busy");
  g_clear_pointer (&event, json_object_unref);

  args = args_call (id);
  command_ok (client, "call.hangup", args);
  event = attendant_test_client_wait_presence (client, "201", "available");
  g_clear_pointer (&event, json_object_unref);

  g_assert_cmpstr (attendant_test_client_command_error (client, "dial", "{\"number\":\"203\"}"), ==, "busy");
  g_assert_cmpstr (attendant_test_client_command_error (client, "dial", "{\"number\":\"12\"}"), ==, "not-found");
  g_assert_cmpstr (attendant_test_client_command_error (client, "dial", "{\"number\":\"0x12\"}"), ==, "invalid-args");
  g_assert_cmpstr (attendant_test_client_command_error (client, "dial", "{\"number\":\"" TEST_EXTENSION "\"}"),
                   ==, "invalid-args");

  g_clear_pointer (&reply, json_object_unref);
  reply = attendant_test_client_command (client, "dial", "{\"number\":\"+390612398765\"}");
  assert_ok (reply);
}

static void
test_presence_set (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autoptr(AttendantTestClient) other = login_as (fixture, "backup", "plain", TEST_USER2, TEST_PASSWORD2, NULL);
  g_autoptr(JsonObject) event = NULL;

  command_ok (client, "presence.set", "{\"presence\":\"dnd\"}");
  event = attendant_test_client_wait_presence (client, TEST_EXTENSION, "dnd");
  g_clear_pointer (&event, json_object_unref);
  /* Everyone sees it, on every node. */
  event = attendant_test_client_wait_presence (other, TEST_EXTENSION, "dnd");
  g_clear_pointer (&event, json_object_unref);

  /* Another attendant's extension on dnd refuses calls. */
  g_assert_cmpstr (attendant_test_client_command_error (other, "dial", "{\"number\":\"" TEST_EXTENSION "\"}"),
                   ==, "busy");

  g_assert_cmpstr (attendant_test_client_command_error (client, "presence.set", "{\"presence\":\"ringing\"}"),
                   ==, "invalid-args");
  g_assert_cmpstr (attendant_test_client_command_error (client, "presence.set", "{\"presence\":\"asleep\"}"),
                   ==, "invalid-args");
  command_ok (client, "presence.set", "{\"presence\":\"available\"}");
  event = attendant_test_client_wait_presence (other, TEST_EXTENSION, "available");
}

/* Presence follows the calls and refuses what a real phone would: a
 * colleague whose phone rings, or who talks, is "busy" to a transfer or a
 * dial, and is free again when the call ends; the attendant's own
 * extension is busy while it holds a call. */
static void
test_busy_by_calls (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *first = answered_call (fixture, client);
  g_autofree char *consult_202 = args_target (first, "202");
  g_autofree char *original = args_call (first);
  g_autofree char *second = NULL;
  g_autofree char *transfer_202 = NULL;
  g_autofree char *transfer_201 = NULL;
  g_autofree char *second_args = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) event = NULL;

  event = attendant_test_client_wait_presence (client, TEST_EXTENSION, "busy");
  g_clear_pointer (&event, json_object_unref);

  /* 202 (away) rings for the consultation and lets it ring. */
  reply = attendant_test_client_command (client, "call.consult", consult_202);
  assert_ok (reply);
  event = attendant_test_client_wait_presence (client, "202", "ringing");
  g_clear_pointer (&event, json_object_unref);

  /* Meanwhile a second caller, answered: 202 is ringing, so refused. */
  second = answered_call (fixture, client);
  transfer_202 = args_target (second, "202");
  transfer_201 = args_target (second, "201");
  second_args = args_call (second);
  g_assert_cmpstr (attendant_test_client_command_error (client, "call.transfer", transfer_202), ==, "busy");
  g_assert_cmpstr (attendant_test_client_command_error (client, "dial", "{\"number\":\"202\"}"), ==, "busy");

  /* 201 takes the second call and talks: busy for talk-time, refused. */
  command_ok (client, "call.transfer", transfer_201);
  event = attendant_test_client_wait_presence (client, "201", "ringing");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, second, NULL);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_presence (client, "201", "busy");
  g_clear_pointer (&event, json_object_unref);
  g_assert_cmpstr (attendant_test_client_command_error (client, "dial", "{\"number\":\"201\"}"), ==, "busy");

  /* The consultation cancelled, 202 shows its own presence again; after
   * talk-time 201 is available, and takes calls again. */
  command_ok (client, "call.cancel-consult", original);
  event = attendant_test_client_wait_presence (client, "202", "away");
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_presence (client, "201", "available");
  g_clear_pointer (&event, json_object_unref);

  /* Hanging up the last call frees the attendant's extension. */
  command_ok (client, "call.hangup", original);
  event = attendant_test_client_wait_presence (client, TEST_EXTENSION, "available");
  g_clear_pointer (&event, json_object_unref);
  g_clear_pointer (&reply, json_object_unref);
  reply = attendant_test_client_command (client, "dial", "{\"number\":\"201\"}");
  assert_ok (reply);

  g_assert_cmpstr (attendant_test_client_command_error (client, "call.answer", second_args), ==, "not-found");
  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (client), ==, 0);
}

static void
test_direct_calls (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autofree char *to_me = inject (fixture, TEST_EXTENSION);
  g_autofree char *to_201 = inject (fixture, "201");
  g_autofree char *to_202 = inject (fixture, "202");
  g_autofree char *to_203 = inject (fixture, "203");
  g_autofree char *args = args_call (to_me);
  g_autoptr(JsonObject) event = NULL;

  /* To the attendant: it rings until the attendant answers. */
  event = attendant_test_client_wait_call (client, to_me, "ringing");
  g_assert_cmpstr (json_object_get_string_member (call_of (event), "attendant"), ==, TEST_EXTENSION);
  g_clear_pointer (&event, json_object_unref);
  /* To 203, on dnd: straight to the queue. */
  event = attendant_test_client_wait_call (client, to_203, "queued");
  g_clear_pointer (&event, json_object_unref);

  /* 201 answers its call, which leaves the console; nobody answers 202,
   * so after the ring timeout its call goes to the attendants. */
  event = attendant_test_client_wait_call (client, to_201, NULL);
  g_clear_pointer (&event, json_object_unref);
  event = attendant_test_client_wait_call (client, to_202, "queued");
  g_assert_true (json_object_get_null_member (call_of (event), "attendant"));
  g_clear_pointer (&event, json_object_unref);

  /* The attendant's own call still rings for them. */
  command_ok (client, "call.answer", args);
  event = attendant_test_client_wait_call (client, to_me, "active");
}

/* }}} */
/* {{{ Events and snapshots */

static void
test_events_everywhere (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) primary = reception (fixture);
  g_autoptr(AttendantTestClient) tls = login_as (fixture, "primary", "tls", TEST_USER2, TEST_PASSWORD2, NULL);
  g_autoptr(AttendantTestClient) backup = login_as (fixture, "backup", "plain", TEST_USER2, TEST_PASSWORD2, NULL);
  g_autofree char *id = inject (fixture, NULL);
  g_autofree char *args = args_call (id);
  g_autoptr(JsonObject) a = attendant_test_client_wait_call (primary, id, "queued");
  g_autoptr(JsonObject) b = attendant_test_client_wait_call (tls, id, "queued");
  g_autoptr(JsonObject) c = attendant_test_client_wait_call (backup, id, "queued");

  /* One telephone system, one sequence. */
  g_assert_cmpint (json_object_get_int_member (a, "seq"), ==, json_object_get_int_member (b, "seq"));
  g_assert_cmpint (json_object_get_int_member (a, "seq"), ==, json_object_get_int_member (c, "seq"));

  command_ok (primary, "call.answer", args);
  g_clear_pointer (&c, json_object_unref);
  c = attendant_test_client_wait_call (backup, id, "active");
  g_assert_cmpstr (json_object_get_string_member (call_of (c), "attendant"), ==, TEST_EXTENSION);

  /* The other attendant lost the race for it. */
  g_assert_cmpstr (attendant_test_client_command_error (backup, "call.answer", args), ==, "invalid-state");

  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (primary), ==, 0);
  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (tls), ==, 0);
  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (backup), ==, 0);
}

static void
test_snapshot_has_calls (void)
{
  g_autoptr(AttendantTestFixture) fixture = attendant_test_fixture_new (pki, TIMING);
  g_autoptr(AttendantTestClient) watcher = reception (fixture);
  g_autofree char *first = inject (fixture, NULL);
  g_autofree char *second = inject (fixture, NULL);
  g_autoptr(JsonObject) last = attendant_test_client_wait_call (watcher, second, "queued");
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(AttendantTestClient) late = login_as (fixture, "primary", "plain", TEST_USER2, TEST_PASSWORD2, &snapshot);
  g_autofree char *third = NULL;
  g_autoptr(JsonObject) next = NULL;
  JsonArray *calls = json_object_get_array_member (snapshot, "calls");

  g_assert_cmpuint (json_array_get_length (calls), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calls, 0), "id"), ==, first);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calls, 1), "id"), ==, second);
  /* seq is that of the last event the snapshot includes... */
  g_assert_cmpint (json_object_get_int_member (snapshot, "seq"), ==, json_object_get_int_member (last, "seq"));

  /* ...and the next event follows it. */
  third = inject (fixture, NULL);
  next = attendant_test_client_wait_call (late, third, "queued");
  g_assert_cmpint (json_object_get_int_member (next, "seq"), ==, json_object_get_int_member (snapshot, "seq") + 1);
}

/* The demo's trickle: callers arrive by themselves and give up after a
 * while in the queue. */
static void
test_demo_trickle (void)
{
  g_autoptr(AttendantTestFixture) fixture =
    attendant_test_fixture_new (pki, TIMING "[demo]\nincoming-calls=true\ninterval=0.2\npatience=1\n");
  g_autoptr(AttendantTestClient) client = reception (fixture);
  g_autoptr(JsonObject) queued = attendant_test_client_wait_call (client, NULL, "queued");
  g_autofree char *id = g_strdup (json_object_get_string_member (call_of (queued), "id"));
  g_autoptr(JsonObject) ended = attendant_test_client_wait_call (client, id, "ended");

  g_assert_true (g_str_has_prefix (json_object_get_string_member (call_of (queued), "caller_number"), "+"));
}

/* }}} */

int
main (int    argc,
      char **argv)
{
  int status;

  attendant_test_sanitizer_setup (argv);
  attendant_tls_init ();
  g_test_init (&argc, &argv, NULL);

  pki = attendant_test_pki_new ();

  g_test_add_func ("/server/telephony/answer-hold-hangup", test_answer_hold_hangup);
  g_test_add_func ("/server/telephony/command-errors", test_command_errors);
  g_test_add_func ("/server/telephony/answer-holds-other", test_answer_holds_other);
  g_test_add_func ("/server/telephony/hangup-queued", test_hangup_queued);
  g_test_add_func ("/server/telephony/blind-transfer", test_blind_transfer);
  g_test_add_func ("/server/telephony/transfer-recall", test_transfer_recall);
  g_test_add_func ("/server/telephony/transfer-errors", test_transfer_errors);
  g_test_add_func ("/server/telephony/consult-complete", test_consult_complete);
  g_test_add_func ("/server/telephony/consult-cancel", test_consult_cancel);
  g_test_add_func ("/server/telephony/consult-unanswered", test_consult_unanswered);
  g_test_add_func ("/server/telephony/complete-while-ringing", test_complete_while_ringing);
  g_test_add_func ("/server/telephony/dial", test_dial);
  g_test_add_func ("/server/telephony/presence-set", test_presence_set);
  g_test_add_func ("/server/telephony/busy-by-calls", test_busy_by_calls);
  g_test_add_func ("/server/telephony/direct-calls", test_direct_calls);
  g_test_add_func ("/server/telephony/events-everywhere", test_events_everywhere);
  g_test_add_func ("/server/telephony/snapshot-has-calls", test_snapshot_has_calls);
  g_test_add_func ("/server/telephony/demo-trickle", test_demo_trickle);

  status = g_test_run ();

  g_clear_pointer (&pki, attendant_test_pki_free);

  return status;
}
