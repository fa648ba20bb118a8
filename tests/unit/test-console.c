/* test-console.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-core.h"

/* AttendantConsole, AttendantCall, AttendantContact and AttendantDirectory
 * as models: fed snapshots and events the way AttendantClient delivers
 * them (its "snapshot" and "event" signals, emitted here on a client that
 * is not connected), they must show the queue oldest first, the
 * attendant's own calls, and a searchable directory, and stay honest
 * across a second snapshot: no duplicates, no ghosts. The same code runs
 * against the real server in the integration and GUI suites. */

#define ME "200"

static JsonObject *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = attendant_protocol_parse_object (json, strlen (json), &error);

  g_assert_no_error (error);
  return object;
}

static void
feed_snapshot (AttendantClient *client,
               const char      *json)
{
  g_autoptr(JsonObject) snapshot = parse (json);

  g_signal_emit_by_name (client, "snapshot", snapshot);
}

static void
feed_event (AttendantClient *client,
            const char      *json)
{
  g_autoptr(JsonObject) event = parse (json);

  g_signal_emit_by_name (client, "event", event);
}

static AttendantCall *
call_at (GListModel *model,
         guint       position)
{
  g_autoptr(AttendantCall) call = g_list_model_get_item (model, position);

  g_assert_nonnull (call);
  return call; /* still owned by the model */
}

static const char *
id_at (GListModel *model,
       guint       position)
{
  return attendant_call_get_id (call_at (model, position));
}

#define SNAPSHOT_1 \
  "{\"type\":\"snapshot\",\"seq\":10,\"me\":{\"user\":\"reception\",\"extension\":\"" ME "\"}," \
  "\"directory\":[" \
  "{\"id\":\"ext-203\",\"name\":\"Zoe Zanetti\",\"number\":\"203\",\"department\":\"Legal\",\"presence\":\"away\"}," \
  "{\"id\":\"ext-201\",\"name\":\"Bruno Bianchi\",\"number\":\"201\",\"department\":\"Sales\",\"presence\":\"available\"}," \
  "{\"id\":\"ext-202\",\"name\":\"Nicolò Rossi\",\"number\":\"202\",\"department\":\"Accounts\",\"presence\":\"teleporting\"}" \
  "]," \
  "\"queues\":[{\"id\":\"main\",\"name\":\"Reception\"}]," \
  "\"calls\":[" \
  "{\"id\":\"c-2\",\"state\":\"queued\",\"queue\":\"main\",\"caller_number\":\"+39021\",\"caller_name\":null,\"since\":\"2026-11-25T09:14:05.000Z\",\"attendant\":null,\"peer\":null,\"recalled\":false}," \
  "{\"id\":\"c-1\",\"state\":\"queued\",\"queue\":\"main\",\"caller_number\":\"+39022\",\"caller_name\":\"ACME Spa\",\"since\":\"2026-11-25T09:14:03.000Z\",\"attendant\":null,\"peer\":null,\"recalled\":false}," \
  "{\"id\":\"c-3\",\"state\":\"active\",\"queue\":\"main\",\"caller_number\":\"201\",\"caller_name\":null,\"since\":\"2026-11-25T09:10:00.000Z\",\"attendant\":\"" ME "\",\"peer\":null,\"recalled\":false}," \
  "{\"id\":\"c-4\",\"state\":\"active\",\"queue\":\"main\",\"caller_number\":\"+39023\",\"caller_name\":null,\"since\":\"2026-11-25T09:11:00.000Z\",\"attendant\":\"210\",\"peer\":null,\"recalled\":false}," \
  "{\"id\":\"c-5\",\"state\":\"levitating\",\"queue\":\"main\",\"caller_number\":\"+39024\",\"since\":\"2026-11-25T09:11:00.000Z\"}" \
  "]}"

/* The first snapshot: the queue oldest first, only the attendant's own
 * calls in "calls", other attendants' calls and calls in states the
 * console does not know nowhere, the directory sorted by name with
 * unknown presence shown as offline. */
static void
test_console_snapshot (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  g_autoptr(AttendantConsole) console = attendant_console_new (client);
  GListModel *queue = attendant_console_get_queue (console);
  GListModel *calls = attendant_console_get_calls (console);
  GListModel *directory = G_LIST_MODEL (attendant_console_get_directory (console));
  g_autofree char *caller = NULL;
  g_autoptr(AttendantContact) first = NULL;
  g_autoptr(AttendantContact) second = NULL;

  feed_snapshot (client, SNAPSHOT_1);

  g_assert_cmpstr (attendant_console_get_user (console), ==, "reception");
  g_assert_cmpstr (attendant_console_get_extension (console), ==, ME);
  /* The client is not connected: the panes show state, but not as live. */
  g_assert_false (attendant_console_get_online (console));

  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, 2);
  g_assert_cmpstr (id_at (queue, 0), ==, "c-1");
  g_assert_cmpstr (id_at (queue, 1), ==, "c-2");
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 1);
  g_assert_cmpstr (id_at (calls, 0), ==, "c-3");
  g_assert_null (attendant_console_lookup_call (console, "c-5"));
  g_assert_nonnull (attendant_console_lookup_call (console, "c-4"));

  g_assert_cmpint (attendant_call_get_since (call_at (queue, 0)), ==,
                   G_GINT64_CONSTANT (1795598043) * G_USEC_PER_SEC);
  caller = attendant_console_dup_caller_name (console, call_at (calls, 0));
  g_assert_cmpstr (caller, ==, "Bruno Bianchi");
  g_clear_pointer (&caller, g_free);
  caller = attendant_console_dup_caller_name (console, call_at (queue, 0));
  g_assert_cmpstr (caller, ==, "ACME Spa");
  g_clear_pointer (&caller, g_free);
  caller = attendant_console_dup_caller_name (console, call_at (queue, 1));
  g_assert_null (caller);

  g_assert_cmpuint (g_list_model_get_n_items (directory), ==, 3);
  first = g_list_model_get_item (directory, 0);
  second = g_list_model_get_item (directory, 1);
  g_assert_cmpstr (attendant_contact_get_name (first), ==, "Bruno Bianchi");
  g_assert_cmpstr (attendant_contact_get_name (second), ==, "Nicolò Rossi");
  g_assert_cmpint (attendant_contact_get_presence (second), ==, ATTENDANT_PRESENCE_OFFLINE);
  g_assert_true (attendant_directory_lookup_number (attendant_console_get_directory (console), "203") != NULL);
}

static void
count_incoming (AttendantConsole *console,
                AttendantCall    *call,
                GPtrArray        *seen)
{
  g_ptr_array_add (seen, g_strdup (attendant_call_get_id (call)));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* Events move calls between the panes as the server says, and only new
 * queued calls or calls starting to ring the attendant are announced. */
static void
test_console_events (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  g_autoptr(AttendantConsole) console = attendant_console_new (client);
  g_autoptr(GPtrArray) incoming = g_ptr_array_new_with_free_func (g_free);
  GListModel *queue = attendant_console_get_queue (console);
  GListModel *calls = attendant_console_get_calls (console);
  AttendantContact *bruno;
  AttendantCall *c1;
  guint presence_notifies = 0;

  feed_snapshot (client, SNAPSHOT_1);
  g_signal_connect (console, "incoming-call", G_CALLBACK (count_incoming), incoming);
  c1 = attendant_console_lookup_call (console, "c-1");

  /* A new caller joins the queue, at its end. */
  feed_event (client, "{\"type\":\"event\",\"seq\":11,\"event\":\"call.updated\",\"call\":"
              "{\"id\":\"c-6\",\"state\":\"queued\",\"queue\":\"main\",\"caller_number\":\"+39025\","
              "\"since\":\"2026-11-25T09:15:00.000Z\",\"attendant\":null,\"recalled\":false}}");
  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, 3);
  g_assert_cmpstr (id_at (queue, 2), ==, "c-6");
  g_assert_cmpuint (incoming->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (incoming, 0), ==, "c-6");

  /* The attendant answers c-1: out of the queue, into "my calls"; the
   * same object, not a copy. */
  feed_event (client, "{\"type\":\"event\",\"seq\":12,\"event\":\"call.updated\",\"call\":"
              "{\"id\":\"c-1\",\"state\":\"active\",\"queue\":\"main\",\"caller_number\":\"+39022\","
              "\"caller_name\":\"ACME Spa\",\"since\":\"2026-11-25T09:16:00.000Z\",\"attendant\":\"" ME "\",\"recalled\":false}}");
  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 2);
  g_assert_true (call_at (calls, 1) == c1);
  g_assert_cmpint (attendant_call_get_state (c1), ==, ATTENDANT_CALL_STATE_ACTIVE);
  g_assert_true (attendant_call_can (c1, ATTENDANT_COMMAND_HOLD));
  g_assert_false (attendant_call_can (c1, ATTENDANT_COMMAND_RESUME));
  g_assert_cmpuint (incoming->len, ==, 1);

  /* Transferred blind, nobody answered: it comes back ringing the
   * attendant, recalled, and that is announced. */
  feed_event (client, "{\"type\":\"event\",\"seq\":13,\"event\":\"call.updated\",\"call\":"
              "{\"id\":\"c-1\",\"state\":\"transferring\",\"queue\":\"main\",\"caller_number\":\"+39022\","
              "\"since\":\"2026-11-25T09:17:00.000Z\",\"attendant\":\"" ME "\",\"peer\":\"201\",\"recalled\":false}}");
  g_assert_cmpuint (incoming->len, ==, 1);
  feed_event (client, "{\"type\":\"event\",\"seq\":14,\"event\":\"call.updated\",\"call\":"
              "{\"id\":\"c-1\",\"state\":\"ringing\",\"queue\":\"main\",\"caller_number\":\"+39022\","
              "\"since\":\"2026-11-25T09:17:20.000Z\",\"attendant\":\"" ME "\",\"peer\":null,\"recalled\":true}}");
  g_assert_cmpuint (incoming->len, ==, 2);
  g_assert_true (attendant_call_get_recalled (c1));
  g_assert_true (attendant_call_can (c1, ATTENDANT_COMMAND_ANSWER));

  /* The caller hangs up: announced ended, then removed. */
  feed_event (client, "{\"type\":\"event\",\"seq\":15,\"event\":\"call.updated\",\"call\":"
              "{\"id\":\"c-1\",\"state\":\"ended\",\"queue\":\"main\",\"caller_number\":\"+39022\","
              "\"since\":\"2026-11-25T09:17:30.000Z\",\"attendant\":\"" ME "\",\"recalled\":true}}");
  g_assert_false (attendant_call_can (c1, ATTENDANT_COMMAND_HANGUP));
  feed_event (client, "{\"type\":\"event\",\"seq\":16,\"event\":\"call.removed\",\"id\":\"c-1\"}");
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 1);
  g_assert_null (attendant_console_lookup_call (console, "c-1"));

  /* Presence: the contact notifies, once, and the list does not change. */
  bruno = attendant_directory_lookup_id (attendant_console_get_directory (console), "ext-201");
  g_signal_connect (bruno, "notify::presence", G_CALLBACK (count_notify), &presence_notifies);
  feed_event (client, "{\"type\":\"event\",\"seq\":17,\"event\":\"presence\",\"id\":\"ext-201\",\"presence\":\"busy\"}");
  feed_event (client, "{\"type\":\"event\",\"seq\":18,\"event\":\"presence\",\"id\":\"ext-201\",\"presence\":\"busy\"}");
  g_assert_cmpint (attendant_contact_get_presence (bruno), ==, ATTENDANT_PRESENCE_BUSY);
  g_assert_cmpuint (presence_notifies, ==, 1);
  g_signal_handlers_disconnect_by_data (bruno, &presence_notifies);

  /* A renamed contact moves to its place in the order. */
  feed_event (client, "{\"type\":\"event\",\"seq\":19,\"event\":\"directory.updated\",\"contact\":"
              "{\"id\":\"ext-201\",\"name\":\"Zuzanna Bianchi\",\"number\":\"201\",\"department\":\"Sales\",\"presence\":\"busy\"}}");
  {
    GListModel *directory = G_LIST_MODEL (attendant_console_get_directory (console));
    g_autoptr(AttendantContact) last = g_list_model_get_item (directory, 2);

    g_assert_true (last == bruno);
    g_assert_cmpuint (g_list_model_get_n_items (directory), ==, 3);
  }
}

/* What rings: a call that joins the queue, even one the console knew
 * ringing a colleague (a direct call nobody answered); a call that starts
 * ringing the attendant; and, in a snapshot after the first (a failover),
 * such calls the console did not show so before. Never twice, and not
 * the login's first snapshot, which is where the operator starts from. */
static void
test_console_incoming (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  g_autoptr(AttendantConsole) console = attendant_console_new (client);
  g_autoptr(GPtrArray) incoming = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (console, "incoming-call", G_CALLBACK (count_incoming), incoming);
  feed_snapshot (client, SNAPSHOT_1);
  g_assert_cmpuint (incoming->len, ==, 0);

  /* A direct call to 201: not the attendant's business, until nobody
   * answers and it goes to the queue. */
  feed_event (client, "{\"type\":\"event\",\"seq\":11,\"event\":\"call.updated\",\"call\":"
              "{\"id\":\"c-8\",\"state\":\"ringing\",\"queue\":\"main\",\"caller_number\":\"+39027\","
              "\"since\":\"2026-11-25T09:15:00.000Z\",\"attendant\":\"201\",\"recalled\":false}}");
  g_assert_cmpuint (incoming->len, ==, 0);
  feed_event (client, "{\"type\":\"event\",\"seq\":12,\"event\":\"call.updated\",\"call\":"
              "{\"id\":\"c-8\",\"state\":\"queued\",\"queue\":\"main\",\"caller_number\":\"+39027\","
              "\"since\":\"2026-11-25T09:15:20.000Z\",\"attendant\":null,\"recalled\":false}}");
  g_assert_cmpuint (incoming->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (incoming, 0), ==, "c-8");
  g_assert_cmpstr (id_at (attendant_console_get_queue (console), 2), ==, "c-8");

  /* Still queued, updated: no second ring. */
  feed_event (client, "{\"type\":\"event\",\"seq\":13,\"event\":\"call.updated\",\"call\":"
              "{\"id\":\"c-8\",\"state\":\"queued\",\"queue\":\"main\",\"caller_number\":\"+39027\","
              "\"caller_name\":\"Late Name\",\"since\":\"2026-11-25T09:15:20.000Z\",\"attendant\":null,\"recalled\":false}}");
  g_assert_cmpuint (incoming->len, ==, 1);

  /* After a failover: c-2 and c-8 still queued (known), c-9 new in the
   * queue, c-3 (was active) recalled to the attendant meanwhile, c-10
   * ringing someone else. */
  feed_snapshot (client,
                 "{\"type\":\"snapshot\",\"seq\":40,\"me\":{\"user\":\"reception\",\"extension\":\"" ME "\"},"
                 "\"directory\":[],\"queues\":[],"
                 "\"calls\":["
                 "{\"id\":\"c-2\",\"state\":\"queued\",\"queue\":\"main\",\"caller_number\":\"+39021\",\"since\":\"2026-11-25T09:14:05.000Z\",\"attendant\":null,\"recalled\":false},"
                 "{\"id\":\"c-8\",\"state\":\"queued\",\"queue\":\"main\",\"caller_number\":\"+39027\",\"since\":\"2026-11-25T09:15:20.000Z\",\"attendant\":null,\"recalled\":false},"
                 "{\"id\":\"c-9\",\"state\":\"queued\",\"queue\":\"main\",\"caller_number\":\"+39028\",\"since\":\"2026-11-25T09:19:00.000Z\",\"attendant\":null,\"recalled\":false},"
                 "{\"id\":\"c-3\",\"state\":\"ringing\",\"queue\":\"main\",\"caller_number\":\"201\",\"since\":\"2026-11-25T09:19:30.000Z\",\"attendant\":\"" ME "\",\"recalled\":true},"
                 "{\"id\":\"c-10\",\"state\":\"ringing\",\"queue\":\"main\",\"caller_number\":\"+39029\",\"since\":\"2026-11-25T09:19:40.000Z\",\"attendant\":\"210\",\"recalled\":false}"
                 "]}");
  g_assert_cmpuint (incoming->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (incoming, 1), ==, "c-9");
  g_assert_cmpstr (g_ptr_array_index (incoming, 2), ==, "c-3");
  g_assert_true (attendant_console_lookup_call (console, "c-3") ==
                 call_at (attendant_console_get_calls (console), 0));
}

/* After a failover the new server's snapshot replaces everything: calls
 * it repeats keep their objects and appear once; calls it lacks vanish
 * from both panes. */
static void
test_console_resnapshot (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  g_autoptr(AttendantConsole) console = attendant_console_new (client);
  GListModel *queue = attendant_console_get_queue (console);
  GListModel *calls = attendant_console_get_calls (console);
  AttendantCall *c2;
  AttendantContact *zoe;

  feed_snapshot (client, SNAPSHOT_1);
  c2 = attendant_console_lookup_call (console, "c-2");
  zoe = attendant_directory_lookup_id (attendant_console_get_directory (console), "ext-203");

  feed_snapshot (client,
                 "{\"type\":\"snapshot\",\"seq\":40,\"me\":{\"user\":\"reception\",\"extension\":\"" ME "\"},"
                 "\"directory\":[{\"id\":\"ext-203\",\"name\":\"Zoe Zanetti\",\"number\":\"203\",\"department\":\"Legal\",\"presence\":\"dnd\"}],"
                 "\"queues\":[],"
                 "\"calls\":["
                 "{\"id\":\"c-2\",\"state\":\"active\",\"queue\":\"main\",\"caller_number\":\"+39021\",\"since\":\"2026-11-25T09:20:00.000Z\",\"attendant\":\"" ME "\",\"recalled\":false},"
                 "{\"id\":\"c-7\",\"state\":\"queued\",\"queue\":\"main\",\"caller_number\":\"+39026\",\"since\":\"2026-11-25T09:19:00.000Z\",\"attendant\":null,\"recalled\":false},"
                 "{\"id\":\"c-7\",\"state\":\"queued\",\"queue\":\"main\",\"caller_number\":\"+39026\",\"since\":\"2026-11-25T09:19:00.000Z\",\"attendant\":null,\"recalled\":false}"
                 "]}");

  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, 1);
  g_assert_cmpstr (id_at (queue, 0), ==, "c-7");
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 1);
  g_assert_true (call_at (calls, 0) == c2);
  g_assert_null (attendant_console_lookup_call (console, "c-1"));
  g_assert_null (attendant_console_lookup_call (console, "c-3"));
  g_assert_null (attendant_console_lookup_call (console, "c-4"));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (attendant_console_get_directory (console))), ==, 1);
  g_assert_true (attendant_directory_lookup_id (attendant_console_get_directory (console), "ext-203") == zoe);
  g_assert_cmpint (attendant_contact_get_presence (zoe), ==, ATTENDANT_PRESENCE_DND);
  g_assert_null (attendant_directory_lookup_number (attendant_console_get_directory (console), "201"));
}

static void
count_changes (guint *changes)
{
  (*changes)++;
}

#define QUEUED(id, number, since) \
  "{\"id\":\"" id "\",\"state\":\"queued\",\"queue\":\"main\",\"caller_number\":\"" number "\"," \
  "\"since\":\"" since "\",\"attendant\":null,\"recalled\":false}"

#define QUEUE_SNAPSHOT(seq, calls) \
  "{\"type\":\"snapshot\",\"seq\":" seq ",\"me\":{\"user\":\"reception\",\"extension\":\"" ME "\"}," \
  "\"directory\":[],\"queues\":[],\"calls\":[" calls "]}"

/* The queue through snapshots: longest waiting first, callers of the same
 * millisecond in the order the console learned of them (not by id, where
 * "c-10" sorts before "c-9"); a snapshot that repeats the queue changes
 * nothing in it (the list keeps its rows, selection and scroll), one with
 * a new caller only adds that one, and a caller whose wait started anew
 * moves. */
static void
test_console_queue_in_place (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  g_autoptr(AttendantConsole) console = attendant_console_new (client);
  GListModel *queue = attendant_console_get_queue (console);
  guint changes = 0;

  feed_snapshot (client, QUEUE_SNAPSHOT ("1",
                 QUEUED ("c-9", "+3901", "2026-11-25T09:14:03.120Z") ","
                 QUEUED ("c-10", "+3902", "2026-11-25T09:14:03.120Z") ","
                 QUEUED ("c-8", "+3903", "2026-11-25T09:14:01.000Z")));
  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, 3);
  g_assert_cmpstr (id_at (queue, 0), ==, "c-8");
  g_assert_cmpstr (id_at (queue, 1), ==, "c-9");
  g_assert_cmpstr (id_at (queue, 2), ==, "c-10");

  g_signal_connect_swapped (queue, "items-changed", G_CALLBACK (count_changes), &changes);

  /* The same queue, listed in another order: nothing moves. */
  feed_snapshot (client, QUEUE_SNAPSHOT ("2",
                 QUEUED ("c-10", "+3902", "2026-11-25T09:14:03.120Z") ","
                 QUEUED ("c-8", "+3903", "2026-11-25T09:14:01.000Z") ","
                 QUEUED ("c-9", "+3901", "2026-11-25T09:14:03.120Z")));
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpstr (id_at (queue, 1), ==, "c-9");

  /* A new caller: one change, at the end. */
  feed_snapshot (client, QUEUE_SNAPSHOT ("3",
                 QUEUED ("c-8", "+3903", "2026-11-25T09:14:01.000Z") ","
                 QUEUED ("c-9", "+3901", "2026-11-25T09:14:03.120Z") ","
                 QUEUED ("c-10", "+3902", "2026-11-25T09:14:03.120Z") ","
                 QUEUED ("c-11", "+3904", "2026-11-25T09:15:00.000Z")));
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpstr (id_at (queue, 3), ==, "c-11");

  /* c-8 waits anew (say, back from an extension): it goes to the end. */
  changes = 0;
  feed_event (client, "{\"type\":\"event\",\"seq\":4,\"event\":\"call.updated\",\"call\":"
                      QUEUED ("c-8", "+3903", "2026-11-25T09:16:00.000Z") "}");
  g_assert_cmpstr (id_at (queue, 0), ==, "c-9");
  g_assert_cmpstr (id_at (queue, 3), ==, "c-8");
  g_assert_cmpuint (changes, ==, 2);

  g_signal_handlers_disconnect_by_func (queue, count_changes, &changes);
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(JsonObject) reply = attendant_console_run_finish (ATTENDANT_CONSOLE (object), result, error);

  g_assert_null (reply);
}

/* Nothing silently lost: offline, a command is refused at once, says so, and leaves the call
 * as it was (not pending, not changed). */
static void
test_console_offline_command (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  g_autoptr(AttendantConsole) console = attendant_console_new (client);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  AttendantCall *c3;

  feed_snapshot (client, SNAPSHOT_1);
  c3 = attendant_console_lookup_call (console, "c-3");

  attendant_console_run_async (console, ATTENDANT_COMMAND_TRANSFER, c3, "201", NULL, run_done, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_NOT_CONNECTED);
  g_assert_false (attendant_call_get_pending (c3));
  g_assert_cmpint (attendant_call_get_state (c3), ==, ATTENDANT_CALL_STATE_ACTIVE);
  g_assert_null (attendant_call_get_notice (c3));
  text = attendant_command_describe_error (ATTENDANT_COMMAND_TRANSFER, "201", error);
  g_assert_cmpstr (text, ==, "“Transfer” was not sent: not connected to a server");
}

/* What each state allows, and nothing while a command awaits its reply. */
static void
test_call_state_machine (void)
{
  static const struct {
    const char *state;
    gboolean answer, hold, resume, hangup, transfer, consult, complete;
  } cases[] = {
    { "queued",       TRUE,  FALSE, FALSE, TRUE,  FALSE, FALSE, FALSE },
    { "ringing",      TRUE,  FALSE, FALSE, TRUE,  FALSE, FALSE, FALSE },
    { "active",       FALSE, TRUE,  FALSE, TRUE,  TRUE,  TRUE,  FALSE },
    { "held",         FALSE, FALSE, TRUE,  TRUE,  TRUE,  TRUE,  FALSE },
    { "consulting",   FALSE, FALSE, FALSE, TRUE,  FALSE, FALSE, TRUE  },
    { "transferring", FALSE, FALSE, FALSE, TRUE,  FALSE, FALSE, FALSE },
    { "ended",        FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AttendantCall) call = attendant_call_new ("c");
      g_autofree char *json = g_strdup_printf ("{\"id\":\"c\",\"state\":\"%s\"}", cases[i].state);
      g_autoptr(JsonObject) object = parse (json);

      g_assert_true (attendant_call_apply_json (call, object));
      g_assert_cmpint (attendant_call_can (call, ATTENDANT_COMMAND_ANSWER), ==, cases[i].answer);
      g_assert_cmpint (attendant_call_can (call, ATTENDANT_COMMAND_HOLD), ==, cases[i].hold);
      g_assert_cmpint (attendant_call_can (call, ATTENDANT_COMMAND_RESUME), ==, cases[i].resume);
      g_assert_cmpint (attendant_call_can (call, ATTENDANT_COMMAND_HANGUP), ==, cases[i].hangup);
      g_assert_cmpint (attendant_call_can (call, ATTENDANT_COMMAND_TRANSFER), ==, cases[i].transfer);
      g_assert_cmpint (attendant_call_can (call, ATTENDANT_COMMAND_CONSULT), ==, cases[i].consult);
      g_assert_cmpint (attendant_call_can (call, ATTENDANT_COMMAND_COMPLETE), ==, cases[i].complete);
      g_assert_cmpint (attendant_call_can (call, ATTENDANT_COMMAND_CANCEL_CONSULT), ==, cases[i].complete);

      attendant_call_set_pending (call, TRUE);
      g_assert_false (attendant_call_can (call, ATTENDANT_COMMAND_HANGUP));
    }

  {
    g_autoptr(AttendantCall) call = attendant_call_new ("c");
    g_autoptr(JsonObject) object = parse ("{\"id\":\"c\",\"state\":\"held\"}");
    g_autoptr(JsonObject) bogus = parse ("{\"id\":\"c\",\"state\":\"exploded\"}");

    g_assert_true (attendant_call_apply_json (call, object));
    g_assert_false (attendant_call_apply_json (call, bogus));
    g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_HELD);
  }
}

static guint
count_matches (AttendantDirectory *directory,
               const char         *text)
{
  g_auto(GStrv) terms = attendant_search_terms_new (text);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (directory)); i++)
    {
      g_autoptr(AttendantContact) contact = g_list_model_get_item (G_LIST_MODEL (directory), i);

      if (attendant_contact_matches (contact, (const char * const *)terms))
        n++;
    }

  return n;
}

static gboolean
narrow (const char *narrow,
        const char *wide)
{
  g_auto(GStrv) n = attendant_search_terms_new (narrow);
  g_auto(GStrv) w = attendant_search_terms_new (wide);

  return attendant_search_terms_narrow ((const char * const *)n, (const char * const *)w);
}

/* Typing on narrows a search, so the filter only looks again at what it
 * shows; deleting or changing a word does not. */
static void
test_search_narrow (void)
{
  g_assert_true (narrow ("c", ""));
  g_assert_true (narrow ("ch", "c"));
  g_assert_true (narrow ("chiara", "chiara"));
  g_assert_true (narrow ("chiara ", "chiara"));
  g_assert_true (narrow ("chiara r", "chiara"));
  g_assert_true (narrow ("Chiara Rom", "chiara ro"));
  g_assert_true (narrow ("nicolò", "NICOLO"));
  g_assert_true (narrow ("", ""));
  g_assert_false (narrow ("", "c"));
  g_assert_false (narrow ("c", "ch"));
  g_assert_false (narrow ("chiara", "chiara b"));
  /* "r" is part of "chiara": whatever the one matches, so does the other. */
  g_assert_true (narrow ("chiara", "chiara r"));
  g_assert_false (narrow ("chiara rossi", "chiara bruno"));
  g_assert_false (narrow ("rossi", "chiara"));
}

/* Search-as-you-type: by name, number or department, every word, any
 * case, with or without accents. */
static void
test_directory_filter (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  g_autoptr(AttendantConsole) console = attendant_console_new (client);
  AttendantDirectory *directory = attendant_console_get_directory (console);
  g_auto(GStrv) none = attendant_search_terms_new ("   ");

  feed_snapshot (client, SNAPSHOT_1);

  g_assert_null (none);
  g_assert_cmpuint (count_matches (directory, ""), ==, 3);
  g_assert_cmpuint (count_matches (directory, "bruno"), ==, 1);
  g_assert_cmpuint (count_matches (directory, "BIANCHI"), ==, 1);
  g_assert_cmpuint (count_matches (directory, "nicolo"), ==, 1);
  g_assert_cmpuint (count_matches (directory, "NICOLÒ"), ==, 1);
  g_assert_cmpuint (count_matches (directory, "20"), ==, 3);
  g_assert_cmpuint (count_matches (directory, "203"), ==, 1);
  g_assert_cmpuint (count_matches (directory, "sales"), ==, 1);
  g_assert_cmpuint (count_matches (directory, "rossi accounts"), ==, 1);
  g_assert_cmpuint (count_matches (directory, "rossi sales"), ==, 0);
  g_assert_cmpuint (count_matches (directory, "nobody"), ==, 0);
}

static void
count_items_changed (guint *count)
{
  (*count)++;
}

/* 10,000 contacts: one items-changed for the snapshot, lookups by number,
 * and a search over all of them (its time is reported, bench/ measures
 * what the window does with it). */
static void
test_directory_large (void)
{
  g_autoptr(AttendantDirectory) directory = attendant_directory_new ();
  g_autoptr(JsonArray) contacts = json_array_new ();
  guint changes = 0;
  gint64 start;

  for (guint i = 0; i < 10000; i++)
    {
      g_autoptr(JsonObject) contact = json_object_new ();
      g_autofree char *id = g_strdup_printf ("ext-%u", 10000 + i);
      g_autofree char *name = g_strdup_printf ("Person %05u Surname%u", (i * 7919) % 10000, i % 97);
      g_autofree char *number = g_strdup_printf ("%u", 10000 + i);

      json_object_set_string_member (contact, "id", id);
      json_object_set_string_member (contact, "name", name);
      json_object_set_string_member (contact, "number", number);
      json_object_set_string_member (contact, "department", i % 2 ? "Sales" : "Support");
      json_object_set_string_member (contact, "presence", "available");
      json_array_add_object_element (contacts, g_steal_pointer (&contact));
    }

  g_signal_connect_swapped (directory, "items-changed", G_CALLBACK (count_items_changed), &changes);

  start = g_get_monotonic_time ();
  attendant_directory_replace (directory, contacts);
  g_test_message ("10,000 contacts loaded in %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (directory)), ==, 10000);
  g_assert_cmpuint (changes, ==, 1);
  for (guint i = 1; i < 10000; i++)
    {
      g_autoptr(AttendantContact) a = g_list_model_get_item (G_LIST_MODEL (directory), i - 1);
      g_autoptr(AttendantContact) b = g_list_model_get_item (G_LIST_MODEL (directory), i);

      g_assert_cmpint (g_utf8_collate (attendant_contact_get_name (a), attendant_contact_get_name (b)), <, 0);
    }
  g_assert_nonnull (attendant_directory_lookup_number (directory, "19999"));

  start = g_get_monotonic_time ();
  /* Odd i (Sales) with i % 97 == 42: i = 42 + 97k for odd k < 103. */
  g_assert_cmpuint (count_matches (directory, "surname42 sales"), ==, 51);
  g_test_message ("a two-word search over 10,000 contacts: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
}

static void
record_transferred (AttendantConsole *console,
                    AttendantCall    *call,
                    const char       *target,
                    GPtrArray        *seen)
{
  g_ptr_array_add (seen, g_strdup_printf ("%s→%s", attendant_call_get_id (call), target));
}

#define CALL_EVENT(seq, id, state, since, extra) \
  "{\"type\":\"event\",\"seq\":" #seq ",\"event\":\"call.updated\",\"call\":" \
  "{\"id\":\"" id "\",\"state\":\"" state "\",\"queue\":\"main\",\"caller_number\":\"+39029\"," \
  "\"caller_name\":\"Verdi Spa\",\"since\":\"2026-11-25T09:" since ".000Z\",\"attendant\":\"" ME "\"" extra "}}"

/* What the server does not say: a call's start, which a hold and a resume
 * do not move; the day's history (answered, transferred to whom, missed);
 * "transferred" when the server removes a call it handed over, not when
 * the transfer is only under way; the attendant's own presence. */
static void
test_console_history (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  g_autoptr(AttendantConsole) console = attendant_console_new (client);
  g_autoptr(GPtrArray) transferred = g_ptr_array_new_with_free_func (g_free);
  GListModel *history = attendant_console_get_history (console);
  AttendantHistoryEntry *entry;
  AttendantCall *call;
  gint64 start;

  feed_snapshot (client, SNAPSHOT_1);
  g_signal_connect (console, "transferred", G_CALLBACK (record_transferred), transferred);
  /* c-3 was already the attendant's: it starts the history. */
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, 1);
  g_assert_cmpint (attendant_console_get_presence (console), ==, ATTENDANT_PRESENCE_OFFLINE);

  feed_event (client, CALL_EVENT (11, "c-7", "active", "20:00", ""));
  call = attendant_console_lookup_call (console, "c-7");
  start = attendant_console_get_call_start (console, call);
  g_assert_cmpint (start, ==, attendant_call_get_since (call));
  feed_event (client, CALL_EVENT (12, "c-7", "held", "21:00", ""));
  feed_event (client, CALL_EVENT (13, "c-7", "active", "22:00", ""));
  g_assert_cmpint (attendant_call_get_since (call), >, start);
  g_assert_cmpint (attendant_console_get_call_start (console, call), ==, start);

  g_assert_cmpuint (g_list_model_get_n_items (history), ==, 2);
  entry = g_list_model_get_item (history, 0);
  g_object_unref (entry); /* the list keeps it */
  g_assert_cmpint (attendant_history_entry_get_kind (entry), ==, ATTENDANT_HISTORY_ANSWERED);
  g_assert_cmpstr (attendant_history_entry_get_name (entry), ==, "Verdi Spa");
  g_assert_cmpint (attendant_history_entry_get_time (entry), ==, start);

  /* Ringing the colleague is not yet a transfer; their answer is. */
  feed_event (client, CALL_EVENT (14, "c-7", "transferring", "23:00", ",\"peer\":\"201\""));
  g_assert_cmpuint (transferred->len, ==, 0);
  feed_event (client, "{\"type\":\"event\",\"seq\":15,\"event\":\"call.removed\",\"id\":\"c-7\"}");
  g_assert_cmpuint (transferred->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (transferred, 0), ==, "c-7→201");
  g_assert_cmpint (attendant_history_entry_get_kind (entry), ==, ATTENDANT_HISTORY_TRANSFERRED);
  g_assert_cmpstr (attendant_history_entry_get_target (entry), ==, "201");
  g_assert_cmpint (attendant_history_entry_get_end_time (entry), >, 0);

  /* A caller who leaves the queue is a missed call; an ended call of the
   * attendant's is no transfer. */
  feed_event (client, "{\"type\":\"event\",\"seq\":16,\"event\":\"call.updated\",\"call\":"
              "{\"id\":\"c-2\",\"state\":\"ended\",\"queue\":\"main\",\"caller_number\":\"+39021\","
              "\"since\":\"2026-11-25T09:24:00.000Z\",\"attendant\":null,\"recalled\":false}}");
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, 3);
  entry = g_list_model_get_item (history, 0);
  g_object_unref (entry);
  g_assert_cmpint (attendant_history_entry_get_kind (entry), ==, ATTENDANT_HISTORY_MISSED);
  g_assert_cmpstr (attendant_history_entry_get_number (entry), ==, "+39021");
  feed_event (client, CALL_EVENT (17, "c-3", "ended", "25:00", ""));
  feed_event (client, "{\"type\":\"event\",\"seq\":18,\"event\":\"call.removed\",\"id\":\"c-3\"}");
  g_assert_cmpuint (transferred->len, ==, 1);
  entry = g_list_model_get_item (history, 2);
  g_object_unref (entry);
  g_assert_cmpint (attendant_history_entry_get_kind (entry), ==, ATTENDANT_HISTORY_ANSWERED);
  g_assert_cmpint (attendant_history_entry_get_end_time (entry), >, 0);

  /* The attendant's presence is their extension's. */
  feed_event (client, "{\"type\":\"event\",\"seq\":19,\"event\":\"directory.updated\",\"contact\":"
              "{\"id\":\"ext-" ME "\",\"name\":\"Reception\",\"number\":\"" ME "\",\"presence\":\"available\"}}");
  feed_event (client, "{\"type\":\"event\",\"seq\":20,\"event\":\"presence\",\"id\":\"ext-" ME "\",\"presence\":\"away\"}");
  g_assert_cmpint (attendant_console_get_presence (console), ==, ATTENDANT_PRESENCE_AWAY);
}

/* What the operator types is a number a command takes, or not. */
static void
test_phone_number (void)
{
  char *number;

  number = attendant_phone_number_from_text ("061 234 5678");
  g_assert_cmpstr (number, ==, "0612345678");
  g_free (number);
  number = attendant_phone_number_from_text ("+39 (02) 123-45.67");
  g_assert_cmpstr (number, ==, "+39021234567");
  g_free (number);
  number = attendant_phone_number_from_text ("*72#");
  g_assert_cmpstr (number, ==, "*72#");
  g_free (number);
  g_assert_null (attendant_phone_number_from_text ("bianchi"));
  g_assert_null (attendant_phone_number_from_text ("20a"));
  g_assert_null (attendant_phone_number_from_text ("3+9"));
  g_assert_null (attendant_phone_number_from_text ("++39"));
  g_assert_null (attendant_phone_number_from_text ("+"));
  g_assert_null (attendant_phone_number_from_text ("  "));
  g_assert_null (attendant_phone_number_from_text ("123456789012345678901234567890123"));
  number = attendant_phone_number_from_text ("12345678901234567890123456789012");
  g_assert_cmpuint (strlen (number), ==, 32);
  g_free (number);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/console/snapshot", test_console_snapshot);
  g_test_add_func ("/console/events", test_console_events);
  g_test_add_func ("/console/history", test_console_history);
  g_test_add_func ("/console/phone-number", test_phone_number);
  g_test_add_func ("/console/incoming", test_console_incoming);
  g_test_add_func ("/console/resnapshot", test_console_resnapshot);
  g_test_add_func ("/console/queue-in-place", test_console_queue_in_place);
  g_test_add_func ("/console/offline-command", test_console_offline_command);
  g_test_add_func ("/call/state-machine", test_call_state_machine);
  g_test_add_func ("/directory/filter", test_directory_filter);
  g_test_add_func ("/directory/search-narrow", test_search_narrow);
  g_test_add_func ("/directory/large", test_directory_large);

  return g_test_run ();
}
