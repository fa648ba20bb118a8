/* test-console.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-console"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "attendant-test-fixture.h"
#include "attendant-test-http.h"
#include "attendant-test-pki.h"
#include "attendant-test-resolver.h"
#include "attendant-test-sanitizer.h"
#include "attendant-test-server.h"
#include "attendant-test-wait.h"

/* The attendant console end to end below the GUI:
 * AttendantClient and AttendantConsole against the real reference server
 * hosted in this process — two nodes, "primary" on 127.0.0.1 and "backup"
 * on 127.0.0.2, sharing one telephone system, found through SRV records of
 * AttendantTestResolver, plain transport. Calls, presence and node
 * failures are made through the server's admin API over HTTP on loopback,
 * as an operator's tools would (two exceptions call the node directly:
 * freezing it from inside the telephone system's event, at the one moment
 * no HTTP request can, and the big directory's server, which has no admin
 * API). Every claim is checked on the console's models (the queue, the
 * attendant's calls, the directory, "online"), that is on what the panes
 * show, and where it matters against the server's own GET /state.
 *
 * The server's timers are short: an available extension answers after
 * ANSWER_DELAY, a transfer rings for RING_TIMEOUT before its recall. Waits
 * are on conditions with deadlines, never on a clock. */

static AttendantTestPki *pki;

#define DOMAIN        "acme.test"
#define SRV_PLAIN     "_iac._tcp." DOMAIN
#define PRIMARY_HOST  "primary." DOMAIN
#define BACKUP_HOST   "backup." DOMAIN
#define HEARTBEAT_S   1
#define TIMEOUT_MS    10000

#define SERVER_TIMERS "ring-timeout=1\nanswer-delay=0.2\n"

/* The fixture's directory (tests/server/attendant-test-fixture.c). */
#define EXT_AVAILABLE "201"
#define EXT_AWAY      "202"
#define EXT_DND       "203"
#define EXT_OTHER     "204"
#define EXT_OFFLINE   "205"

/* {{{ The fixture */

typedef struct
{
  AttendantTestFixture  *server;
  AttendantTestCluster  *cluster;     /* instead of server, for big directories */
  AttendantTestResolver *resolver;
  AttendantClient       *client;
  AttendantConsole      *console;

  GPtrArray             *incoming;    /* AttendantCall, one per incoming-call */
  GPtrArray             *online_log;  /* "online@ADDRESS" or "offline", per change */
  guint                  snapshots;
  gsize                  snapshot_size; /* the last one's, as sent */
  GPtrArray             *ids_when_online; /* the panes' ids when last going online */

  /* Freezes the primary at the next event of the telephone system, so
   * that a command takes effect but nothing of it reaches the client. */
  gboolean               freeze_at_event;
  gboolean               frozen_at_event;
} Fixture;

static AttendantServer *
fixture_server (Fixture *f)
{
  return f->server != NULL ? f->server->server : f->cluster->server;
}

static AttendantNode *
node (Fixture    *f,
      const char *name)
{
  AttendantNode *found = attendant_server_lookup_node (fixture_server (f), name);

  g_assert_nonnull (found);
  return found;
}

static void
on_pbx_event (AttendantPbx *pbx,
              JsonObject   *message,
              Fixture      *f)
{
  if (!f->freeze_at_event)
    return;

  f->freeze_at_event = FALSE;
  f->frozen_at_event = TRUE;
  /* Connected before any session's handler: the session sees the node
   * frozen and sends neither this event nor anything after it. */
  attendant_node_freeze (node (f, "primary"));
}

static void
publish_srv (Fixture *f)
{
  attendant_test_resolver_add_address (f->resolver, PRIMARY_HOST, "127.0.0.1");
  attendant_test_resolver_add_address (f->resolver, BACKUP_HOST, "127.0.0.2");
  attendant_test_resolver_add_srv (f->resolver, SRV_PLAIN, PRIMARY_HOST,
                                   attendant_node_get_port (node (f, "primary"), "plain"), 10, 100);
  attendant_test_resolver_add_srv (f->resolver, SRV_PLAIN, BACKUP_HOST,
                                   attendant_node_get_port (node (f, "backup"), "plain"), 8, 100);
}

static Fixture *
fixture_new (void)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->server = attendant_test_fixture_new (pki, SERVER_TIMERS);
  f->resolver = attendant_test_resolver_new ();
  publish_srv (f);
  g_signal_connect (attendant_server_get_pbx (f->server->server), "event",
                    G_CALLBACK (on_pbx_event), f);

  return f;
}

/* A server without admin API but with a directory of @n_contacts. */
static Fixture *
fixture_new_directory (guint n_contacts)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autoptr(GString) directory = g_string_new ("[directory]\n");

  /* Five digits: extensions, and unlike 4-digit numbers they can be
   * 10,000 of them. Names sort differently from numbers, and are long
   * enough that the directory does not fit one message. */
  for (guint i = 0; i < n_contacts; i++)
    g_string_append_printf (directory, "%u=Person%04u Surname%05u;Department of Things %u\n",
                            10000 + i, (i * 7919) % n_contacts, i, i % 10);

  f->cluster = attendant_test_cluster_new (ATTENDANT_TEST_TWO_NODES, HEARTBEAT_S, directory->str);
  f->resolver = attendant_test_resolver_new ();
  publish_srv (f);

  return f;
}

static void
fixture_free (Fixture *f)
{
  if (f->client != NULL)
    attendant_client_stop (f->client);
  if (f->server != NULL)
    g_signal_handlers_disconnect_by_data (attendant_server_get_pbx (f->server->server), f);
  g_clear_object (&f->console);
  g_clear_object (&f->client);
  g_clear_pointer (&f->incoming, g_ptr_array_unref);
  g_clear_pointer (&f->online_log, g_ptr_array_unref);
  g_clear_pointer (&f->ids_when_online, g_ptr_array_unref);
  g_clear_pointer (&f->server, attendant_test_fixture_free);
  g_clear_pointer (&f->cluster, attendant_test_cluster_free);
  g_clear_object (&f->resolver);

  /* Let the sockets' last callbacks run before the next test. */
  attendant_test_drain_main_context ();

  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

/* }}} */
/* {{{ The admin API */

/* One request to the admin API, which must answer @expected. */
static JsonObject *
admin (Fixture    *f,
       const char *method,
       const char *path,
       const char *body,
       guint       expected)
{
  guint status = 0;
  JsonObject *answer = attendant_test_http (f->server->admin_url, f->server->token, method, path, body, &status);

  if (status != expected)
    {
      g_autofree char *text = attendant_protocol_encode (answer);

      g_error ("%s %s answered %u, not %u: %s", method, path, status, expected, text);
    }

  return answer;
}

/* An incoming call in the first queue; returns its id. */
static char *
inject_call (Fixture    *f,
             const char *number,
             const char *name)
{
  g_autofree char *body = g_strdup_printf ("{\"number\": \"%s\", \"name\": \"%s\"}", number, name);
  g_autoptr(JsonObject) answer = admin (f, "POST", "/calls", body, 201);

  return g_strdup (json_object_get_string_member (json_object_get_object_member (answer, "call"), "id"));
}

/* A direct call to @extension. */
static char *
inject_direct_call (Fixture    *f,
                    const char *number,
                    const char *extension)
{
  g_autofree char *body = g_strdup_printf ("{\"number\": \"%s\", \"extension\": \"%s\"}", number, extension);
  g_autoptr(JsonObject) answer = admin (f, "POST", "/calls", body, 201);

  return g_strdup (json_object_get_string_member (json_object_get_object_member (answer, "call"), "id"));
}

static void
node_action (Fixture    *f,
             const char *name,
             const char *action)
{
  g_autofree char *path = g_strdup_printf ("/nodes/%s/%s", name, action);
  g_autoptr(JsonObject) answer = admin (f, "POST", path, "{}", 200);
}

/* }}} */
/* {{{ Watching the console */

static void
on_incoming_call (AttendantConsole *console,
                  AttendantCall    *call,
                  Fixture          *f)
{
  g_ptr_array_add (f->incoming, g_object_ref (call));
}

static guint
count_incoming (Fixture    *f,
                const char *id)
{
  guint n = 0;

  for (guint i = 0; i < f->incoming->len; i++)
    if (g_str_equal (attendant_call_get_id (g_ptr_array_index (f->incoming, i)), id))
      n++;

  return n;
}

static void
on_snapshot (AttendantClient *client,
             JsonObject      *snapshot,
             Fixture         *f)
{
  g_autofree char *text = attendant_protocol_encode (snapshot);

  f->snapshots++;
  f->snapshot_size = strlen (text);
}

static void
add_ids (GPtrArray  *ids,
         GListModel *model)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(AttendantCall) call = g_list_model_get_item (model, i);

      g_ptr_array_add (ids, g_strdup (attendant_call_get_id (call)));
    }
}

static void
on_online (AttendantConsole *console,
           GParamSpec       *pspec,
           Fixture          *f)
{
  AttendantSession *session = attendant_client_get_session (f->client);

  if (!attendant_console_get_online (console))
    {
      g_ptr_array_add (f->online_log, g_strdup ("offline"));
      return;
    }

  g_assert_nonnull (session);
  g_ptr_array_add (f->online_log,
                   g_strdup_printf ("online@%s", attendant_connection_get_address (attendant_session_get_connection (session))));

  /* What the panes hold the moment they claim to be current. */
  g_clear_pointer (&f->ids_when_online, g_ptr_array_unref);
  f->ids_when_online = g_ptr_array_new_with_free_func (g_free);
  add_ids (f->ids_when_online, attendant_console_get_queue (console));
  add_ids (f->ids_when_online, attendant_console_get_calls (console));
}

static const char *
state_nick (AttendantCallState state)
{
  return attendant_enum_to_nick (ATTENDANT_TYPE_CALL_STATE, state);
}

/* What a test that waited in vain prints before it fails. */
static void
dump_models (gpointer data,
             gpointer unused)
{
  Fixture *f = data;
  const char *names[] = { "queue", "calls" };
  GListModel *panes[] = { attendant_console_get_queue (f->console), attendant_console_get_calls (f->console) };

  g_test_message ("online=%d, client state %s, %u snapshots", attendant_console_get_online (f->console),
                  attendant_enum_to_nick (ATTENDANT_TYPE_CLIENT_STATE, attendant_client_get_state (f->client)),
                  f->snapshots);
  for (guint p = 0; p < G_N_ELEMENTS (panes); p++)
    for (guint i = 0; i < g_list_model_get_n_items (panes[p]); i++)
      {
        g_autoptr(AttendantCall) call = g_list_model_get_item (panes[p], i);

        g_test_message ("%s[%u]: %s %s attendant=%s peer=%s recalled=%d pending=%d notice=%s",
                        names[p], i, attendant_call_get_id (call), state_nick (attendant_call_get_state (call)),
                        attendant_call_get_attendant (call), attendant_call_get_peer (call),
                        attendant_call_get_recalled (call), attendant_call_get_pending (call),
                        attendant_call_get_notice (call));
      }
  for (guint i = 0; i < f->online_log->len; i++)
    g_test_message ("online log %u: %s", i, (char *)g_ptr_array_index (f->online_log, i));
}

static void
wait_for (Fixture                *f,
          AttendantTestPredicate  predicate,
          gpointer                data,
          const char             *what)
{
  attendant_test_wait_until_full (predicate, data, TIMEOUT_MS, what, dump_models, f);
}

static gboolean
console_online (gpointer data)
{
  return attendant_console_get_online (((Fixture *)data)->console);
}

static gboolean
console_offline (gpointer data)
{
  return !attendant_console_get_online (((Fixture *)data)->console);
}

/* The client and its console, logged in to the primary, showing its
 * snapshot. */
static void
connect_console (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  AttendantSession *session;

  f->incoming = g_ptr_array_new_with_free_func (g_object_unref);
  f->online_log = g_ptr_array_new_with_free_func (g_free);

  f->client = attendant_client_new (G_RESOLVER (f->resolver));
  g_object_set (f->client,
                "server", DOMAIN,
                "transport", ATTENDANT_TRANSPORT_PLAIN,
                "attempt-timeout", 2u,
                "heartbeat-interval", (guint)HEARTBEAT_S,
                "failback", FALSE,
                NULL);
  attendant_client_set_credentials (f->client, TEST_USER, TEST_PASSWORD);
  /* Before the console's own handler: counted when the console sees it. */
  g_signal_connect (f->client, "snapshot", G_CALLBACK (on_snapshot), f);

  f->console = attendant_console_new (f->client);
  g_signal_connect (f->console, "incoming-call", G_CALLBACK (on_incoming_call), f);
  g_signal_connect (f->console, "notify::online", G_CALLBACK (on_online), f);

  attendant_client_start (f->client, &error);
  g_assert_no_error (error);
  wait_for (f, console_online, f, "the console online");

  session = attendant_client_get_session (f->client);
  g_assert_cmpstr (attendant_connection_get_address (attendant_session_get_connection (session)), ==, "127.0.0.1");
  g_assert_cmpstr (attendant_console_get_user (f->console), ==, TEST_USER);
  g_assert_cmpstr (attendant_console_get_extension (f->console), ==, TEST_EXTENSION);
  g_assert_cmpuint (f->snapshots, ==, 1);
}

typedef enum
{
  PANE_NONE,
  PANE_QUEUE,
  PANE_CALLS,
} Pane;

static const char * const pane_names[] = { "no pane", "the queue", "my calls" };

static guint
count_in (GListModel *model,
          const char *id)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(AttendantCall) call = g_list_model_get_item (model, i);

      if (g_str_equal (attendant_call_get_id (call), id))
        n++;
    }

  return n;
}

/* Where the panes show @id: in at most one pane, at most once. */
static Pane
pane_of (Fixture    *f,
         const char *id)
{
  guint in_queue = count_in (attendant_console_get_queue (f->console), id);
  guint in_calls = count_in (attendant_console_get_calls (f->console), id);

  g_assert_cmpuint (in_queue + in_calls, <=, 1);

  return in_queue ? PANE_QUEUE : in_calls ? PANE_CALLS : PANE_NONE;
}

/* Gone from the server, so gone from the console altogether. */
static void
assert_forgotten (Fixture    *f,
                  const char *id)
{
  g_assert_cmpint (pane_of (f, id), ==, PANE_NONE);
  g_assert_null (attendant_console_lookup_call (f->console, id));
}

typedef struct
{
  Fixture            *f;
  const char         *id;
  Pane                pane;
  AttendantCallState  state;
} AwaitCall;

static gboolean
call_shown (gpointer data)
{
  AwaitCall *await = data;
  AttendantCall *call;

  if (pane_of (await->f, await->id) != await->pane)
    return FALSE;
  if (await->pane == PANE_NONE)
    return TRUE;

  call = attendant_console_lookup_call (await->f->console, await->id);
  return call != NULL && attendant_call_get_state (call) == await->state;
}

/* Waits until @id shows in @pane in @state (or in no pane); returns it. */
static AttendantCall *
wait_call (Fixture            *f,
           const char         *id,
           Pane                pane,
           AttendantCallState  state)
{
  AwaitCall await = { f, id, pane, state };
  g_autofree char *what = g_strdup_printf ("%s in %s%s%s", id, pane_names[pane],
                                           pane != PANE_NONE ? ", " : "",
                                           pane != PANE_NONE ? state_nick (state) : "");

  wait_for (f, call_shown, &await, what);

  return attendant_console_lookup_call (f->console, id);
}

/* }}} */
/* {{{ The panes against the server's state */

static JsonObject *
find_call_json (JsonArray  *calls,
                const char *id)
{
  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonObject *call = json_array_get_object_element (calls, i);

      if (g_str_equal (json_object_get_string_member (call, "id"), id))
        return call;
    }

  return NULL;
}

static void
assert_same_call (AttendantCall *shown,
                  JsonObject    *json)
{
  g_autoptr(AttendantCall) truth = attendant_call_new (json_object_get_string_member (json, "id"));

  g_assert_true (attendant_call_apply_json (truth, json));
  g_assert_cmpstr (attendant_call_get_id (shown), ==, attendant_call_get_id (truth));
  g_assert_cmpstr (state_nick (attendant_call_get_state (shown)), ==, state_nick (attendant_call_get_state (truth)));
  g_assert_cmpstr (attendant_call_get_attendant (shown), ==, attendant_call_get_attendant (truth));
  g_assert_cmpstr (attendant_call_get_peer (shown), ==, attendant_call_get_peer (truth));
  g_assert_cmpstr (attendant_call_get_caller_number (shown), ==, attendant_call_get_caller_number (truth));
  g_assert_cmpstr (attendant_call_get_caller_name (shown), ==, attendant_call_get_caller_name (truth));
  g_assert_cmpint (attendant_call_get_since (shown), ==, attendant_call_get_since (truth));
  g_assert_cmpint (attendant_call_get_recalled (shown), ==, attendant_call_get_recalled (truth));
}

/* The panes show exactly what GET /state says: every queued call in the
 * queue, oldest first; every call of this attendant's in "my calls"; each
 * id once; nothing the server does not have. */
static void
assert_panes_match_server (Fixture *f)
{
  g_autoptr(JsonObject) state = admin (f, "GET", "/state", NULL, 200);
  JsonArray *calls = json_object_get_array_member (state, "calls");
  GListModel *queue = attendant_console_get_queue (f->console);
  GListModel *mine = attendant_console_get_calls (f->console);
  guint expect_queue = 0, expect_mine = 0;
  gint64 last_since = 0;

  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonObject *json = json_array_get_object_element (calls, i);
      const char *id = json_object_get_string_member (json, "id");
      const char *state_name = json_object_get_string_member (json, "state");
      const char *attendant = json_object_get_string_member_with_default (json, "attendant", NULL);
      Pane expected = PANE_NONE;

      if (g_str_equal (state_name, "queued"))
        expected = PANE_QUEUE, expect_queue++;
      else if (g_strcmp0 (attendant, TEST_EXTENSION) == 0)
        expected = PANE_CALLS, expect_mine++;

      g_assert_cmpstr (pane_names[pane_of (f, id)], ==, pane_names[expected]);
      if (expected != PANE_NONE)
        assert_same_call (attendant_console_lookup_call (f->console, id), json);
    }

  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, expect_queue);
  g_assert_cmpuint (g_list_model_get_n_items (mine), ==, expect_mine);

  for (guint i = 0; i < g_list_model_get_n_items (queue); i++)
    {
      g_autoptr(AttendantCall) call = g_list_model_get_item (queue, i);

      g_assert_nonnull (find_call_json (calls, attendant_call_get_id (call)));
      g_assert_cmpint (attendant_call_get_since (call), >=, last_since);
      last_since = attendant_call_get_since (call);
    }
  for (guint i = 0; i < g_list_model_get_n_items (mine); i++)
    {
      g_autoptr(AttendantCall) call = g_list_model_get_item (mine, i);

      g_assert_nonnull (find_call_json (calls, attendant_call_get_id (call)));
    }
}

/* }}} */
/* {{{ Commands */

typedef struct
{
  gboolean    done;
  JsonObject *result;
  GError     *error;
  gint64      sent;      /* µs, monotonic */
  gint64      finished;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->result, json_object_unref);
  g_clear_error (&run->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Run *run = user_data;

  run->result = attendant_console_run_finish (ATTENDANT_CONSOLE (object), result, &run->error);
  run->finished = g_get_monotonic_time ();
  run->done = TRUE;
}

static gboolean
run_done (gpointer data)
{
  return ((Run *)data)->done;
}

static void
run_start (Fixture          *f,
           AttendantCommand  command,
           AttendantCall    *call,
           const char       *target,
           Run              *run)
{
  memset (run, 0, sizeof *run);
  run->sent = g_get_monotonic_time ();
  attendant_console_run_async (f->console, command, call, target, NULL, run_cb, run);
}

static void
run_wait (Fixture          *f,
          AttendantCommand  command,
          Run              *run)
{
  wait_for (f, run_done, run, attendant_command_get_label (command));
}

/* Runs @command and expects the server's confirmation; while it is in
 * flight its call shows pending. */
static void
run_ok (Fixture          *f,
        AttendantCommand  command,
        AttendantCall    *call,
        const char       *target)
{
  /* The call may leave the panes before the reply (a completed transfer). */
  g_autoptr(AttendantCall) held = call != NULL ? g_object_ref (call) : NULL;
  g_auto(Run) run = { 0 };

  run_start (f, command, call, target, &run);
  if (call != NULL)
    g_assert_true (attendant_call_get_pending (call));
  run_wait (f, command, &run);
  g_assert_no_error (run.error);
  g_assert_nonnull (run.result);
  if (call != NULL)
    {
      g_assert_false (attendant_call_get_pending (call));
      g_assert_null (attendant_call_get_notice (call));
    }
}

/* A queued call, answered: returns it, active in my calls. */
static AttendantCall *
answer_new_call (Fixture    *f,
                 const char *number,
                 const char *name,
                 char      **id_out)
{
  g_autofree char *id = inject_call (f, number, name);
  AttendantCall *call = wait_call (f, id, PANE_QUEUE, ATTENDANT_CALL_STATE_QUEUED);

  run_ok (f, ATTENDANT_COMMAND_ANSWER, call, NULL);
  g_assert_true (wait_call (f, id, PANE_CALLS, ATTENDANT_CALL_STATE_ACTIVE) == call);
  *id_out = g_steal_pointer (&id);

  return call;
}

static AttendantPresence
presence_of (Fixture    *f,
             const char *number)
{
  AttendantContact *contact = attendant_directory_lookup_number (attendant_console_get_directory (f->console), number);

  g_assert_nonnull (contact);
  return attendant_contact_get_presence (contact);
}

typedef struct
{
  Fixture           *f;
  const char        *number;
  AttendantPresence  presence;
} AwaitPresence;

static gboolean
presence_shown (gpointer data)
{
  AwaitPresence *await = data;

  return presence_of (await->f, await->number) == await->presence;
}

static void
wait_presence (Fixture           *f,
               const char        *number,
               AttendantPresence  presence)
{
  AwaitPresence await = { f, number, presence };
  g_autofree char *what = g_strdup_printf ("%s %s in the directory", number,
                                           attendant_enum_to_nick (ATTENDANT_TYPE_PRESENCE, presence));

  wait_for (f, presence_shown, &await, what);
}

/* }}} */
/* {{{ The queue and one's own calls */

typedef struct
{
  AttendantCall *call;
  GArray        *states;    /* AttendantCallState, each change */
  GArray        *in_calls;  /* gboolean: in my calls when it changed */
  Fixture       *f;
} StateLog;

static void
on_call_state (AttendantCall *call,
               GParamSpec    *pspec,
               StateLog      *log)
{
  AttendantCallState state = attendant_call_get_state (call);
  gboolean in_calls = count_in (attendant_console_get_calls (log->f->console), attendant_call_get_id (call)) == 1;

  g_array_append_val (log->states, state);
  g_array_append_val (log->in_calls, in_calls);
}

/* A call from the admin API shows in the queue with a live waiting time,
 * oldest first, and rings once (incoming-call); answered, it moves to my
 * calls, active; held and resumed; hung up, it shows ended, then goes. */
static void
test_queue_answer_hold_hangup (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  GListModel *queue, *mine;
  AttendantCall *call;
  StateLog log = { 0 };
  gint64 before, after, since_queued;

  connect_console (f);
  queue = attendant_console_get_queue (f->console);
  mine = attendant_console_get_calls (f->console);
  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (mine), ==, 0);

  before = g_get_real_time ();
  first = inject_call (f, "+390212345678", "ACME Spa");
  after = g_get_real_time ();
  call = wait_call (f, first, PANE_QUEUE, ATTENDANT_CALL_STATE_QUEUED);

  /* "since" is the server's clock at the injection (ms precision). */
  since_queued = attendant_call_get_since (call);
  g_assert_cmpint (since_queued, >=, before - 1000);
  g_assert_cmpint (since_queued, <=, after + 1000);
  g_assert_cmpstr (attendant_call_get_caller_number (call), ==, "+390212345678");
  g_assert_cmpstr (attendant_call_get_caller_name (call), ==, "ACME Spa");
  g_assert_cmpuint (count_incoming (f, first), ==, 1);

  second = inject_call (f, "+390298765432", "Brambilla Srl");
  wait_call (f, second, PANE_QUEUE, ATTENDANT_CALL_STATE_QUEUED);
  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, 2);
  {
    g_autoptr(AttendantCall) oldest = g_list_model_get_item (queue, 0);
    g_autoptr(AttendantCall) newest = g_list_model_get_item (queue, 1);

    g_assert_cmpstr (attendant_call_get_id (oldest), ==, first);
    g_assert_cmpstr (attendant_call_get_id (newest), ==, second);
    g_assert_cmpint (attendant_call_get_since (oldest), <=, attendant_call_get_since (newest));
  }
  g_assert_cmpuint (count_incoming (f, second), ==, 1);
  g_assert_cmpuint (f->incoming->len, ==, 2);
  assert_panes_match_server (f);

  /* Answer the oldest. */
  log.f = f;
  log.call = call;
  log.states = g_array_new (FALSE, FALSE, sizeof (AttendantCallState));
  log.in_calls = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_signal_connect (call, "notify::state", G_CALLBACK (on_call_state), &log);

  run_ok (f, ATTENDANT_COMMAND_ANSWER, call, NULL);
  g_assert_true (wait_call (f, first, PANE_CALLS, ATTENDANT_CALL_STATE_ACTIVE) == call);
  g_assert_cmpstr (attendant_call_get_attendant (call), ==, TEST_EXTENSION);
  g_assert_cmpint (attendant_call_get_since (call), >=, since_queued);
  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (mine), ==, 1);
  assert_panes_match_server (f);

  run_ok (f, ATTENDANT_COMMAND_HOLD, call, NULL);
  wait_call (f, first, PANE_CALLS, ATTENDANT_CALL_STATE_HELD);
  g_assert_true (attendant_call_can (call, ATTENDANT_COMMAND_RESUME));
  assert_panes_match_server (f);

  run_ok (f, ATTENDANT_COMMAND_RESUME, call, NULL);
  wait_call (f, first, PANE_CALLS, ATTENDANT_CALL_STATE_ACTIVE);
  assert_panes_match_server (f);

  /* Hung up: shown ended, in my calls, then gone. The model holds the
   * object; the test keeps a reference to look at it afterwards. */
  g_object_ref (call);
  run_ok (f, ATTENDANT_COMMAND_HANGUP, call, NULL);
  wait_call (f, first, PANE_NONE, 0);
  assert_forgotten (f, first);
  g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_ENDED);

  {
    AttendantCallState expected[] = {
      ATTENDANT_CALL_STATE_ACTIVE, ATTENDANT_CALL_STATE_HELD,
      ATTENDANT_CALL_STATE_ACTIVE, ATTENDANT_CALL_STATE_ENDED,
    };

    g_assert_cmpuint (log.states->len, ==, G_N_ELEMENTS (expected));
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      g_assert_cmpstr (state_nick (g_array_index (log.states, AttendantCallState, i)), ==, state_nick (expected[i]));
    g_assert_true (g_array_index (log.in_calls, gboolean, 3));
  }
  g_signal_handlers_disconnect_by_data (call, &log);
  g_object_unref (call);
  g_array_unref (log.states);
  g_array_unref (log.in_calls);

  g_assert_cmpuint (g_list_model_get_n_items (mine), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, 1);
  assert_panes_match_server (f);

  /* Nothing rang again along the way. */
  g_assert_cmpuint (f->incoming->len, ==, 2);
}

/* A direct call to a colleague who does not answer goes to the queue:
 * it joins it, so it rings the attendants (incoming-call), once. A direct
 * call to the attendant's own extension rings there: in my calls,
 * ringing, announced once. */
static void
test_direct_calls (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  g_autofree char *to_colleague = NULL;
  g_autofree char *to_me = NULL;
  AttendantCall *call;

  connect_console (f);

  to_colleague = inject_direct_call (f, "+390212121212", EXT_AWAY);
  wait_presence (f, EXT_AWAY, ATTENDANT_PRESENCE_RINGING);
  /* Ringing someone else: no pane of mine shows it, nothing rings here. */
  g_assert_cmpint (pane_of (f, to_colleague), ==, PANE_NONE);
  g_assert_cmpuint (count_incoming (f, to_colleague), ==, 0);

  call = wait_call (f, to_colleague, PANE_QUEUE, ATTENDANT_CALL_STATE_QUEUED);
  g_assert_null (attendant_call_get_attendant (call));
  g_assert_cmpuint (count_incoming (f, to_colleague), ==, 1);
  assert_panes_match_server (f);

  to_me = inject_direct_call (f, "+390234343434", TEST_EXTENSION);
  call = wait_call (f, to_me, PANE_CALLS, ATTENDANT_CALL_STATE_RINGING);
  g_assert_false (attendant_call_get_recalled (call));
  g_assert_cmpuint (count_incoming (f, to_me), ==, 1);
  run_ok (f, ATTENDANT_COMMAND_ANSWER, call, NULL);
  wait_call (f, to_me, PANE_CALLS, ATTENDANT_CALL_STATE_ACTIVE);
  assert_panes_match_server (f);

  g_assert_cmpuint (count_incoming (f, to_colleague), ==, 1);
  g_assert_cmpuint (count_incoming (f, to_me), ==, 1);
}

/* Calls that came while the console was offline ring when it is back:
 * the snapshot is the first the console hears of them. Calls it already
 * showed do not ring again. */
static void
test_calls_while_offline (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  g_autofree char *before = NULL;
  g_autofree char *queued = NULL;
  g_autofree char *direct = NULL;

  connect_console (f);
  before = inject_call (f, "+390256565656", "Known Before");
  wait_call (f, before, PANE_QUEUE, ATTENDANT_CALL_STATE_QUEUED);

  node_action (f, "backup", "stop");
  node_action (f, "primary", "crash");
  wait_for (f, console_offline, f, "the console offline");

  queued = inject_call (f, "+390278787878", "Came Meanwhile");
  direct = inject_direct_call (f, "+390290909090", TEST_EXTENSION);
  g_assert_cmpint (pane_of (f, queued), ==, PANE_NONE);

  node_action (f, "backup", "start");
  wait_for (f, console_online, f, "the console online on the backup");
  g_assert_cmpuint (f->snapshots, ==, 2);
  wait_call (f, queued, PANE_QUEUE, ATTENDANT_CALL_STATE_QUEUED);
  wait_call (f, direct, PANE_CALLS, ATTENDANT_CALL_STATE_RINGING);
  assert_panes_match_server (f);

  g_assert_cmpuint (count_incoming (f, before), ==, 1);
  g_assert_cmpuint (count_incoming (f, queued), ==, 1);
  g_assert_cmpuint (count_incoming (f, direct), ==, 1);
  g_assert_cmpuint (f->incoming->len, ==, 3);
}

/* }}} */
/* {{{ Transfers */

/* Blind transfer to an available extension: the call leaves my calls
 * once the extension answers. To an "away" one: nobody answers, the call
 * comes back ringing me, recalled, and rings (incoming-call); answered,
 * it is mine and active again. */
static void
test_blind_transfer (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  g_autofree char *answered_id = NULL;
  g_autofree char *recalled_id = NULL;
  AttendantCall *call;

  connect_console (f);

  call = answer_new_call (f, "+390211111111", "Answered Later", &answered_id);
  g_assert_true (attendant_call_can (call, ATTENDANT_COMMAND_TRANSFER));
  run_ok (f, ATTENDANT_COMMAND_TRANSFER, call, EXT_AVAILABLE);
  /* Either seen transferring first, or already answered. */
  if (pane_of (f, answered_id) == PANE_CALLS)
    {
      g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_TRANSFERRING);
      g_assert_cmpstr (attendant_call_get_peer (call), ==, EXT_AVAILABLE);
    }
  wait_call (f, answered_id, PANE_NONE, 0);
  assert_forgotten (f, answered_id);
  /* Handed over: the extension talks to the caller now. */
  wait_presence (f, EXT_AVAILABLE, ATTENDANT_PRESENCE_BUSY);
  assert_panes_match_server (f);

  call = answer_new_call (f, "+390222222222", "Comes Back", &recalled_id);
  g_assert_cmpuint (count_incoming (f, recalled_id), ==, 1);
  run_ok (f, ATTENDANT_COMMAND_TRANSFER, call, EXT_AWAY);
  g_assert_true (wait_call (f, recalled_id, PANE_CALLS, ATTENDANT_CALL_STATE_TRANSFERRING) == call);
  g_assert_cmpstr (attendant_call_get_peer (call), ==, EXT_AWAY);
  g_assert_false (attendant_call_get_recalled (call));

  /* The ring timeout: back to me. */
  g_assert_true (wait_call (f, recalled_id, PANE_CALLS, ATTENDANT_CALL_STATE_RINGING) == call);
  g_assert_true (attendant_call_get_recalled (call));
  g_assert_cmpstr (attendant_call_get_attendant (call), ==, TEST_EXTENSION);
  g_assert_cmpuint (count_incoming (f, recalled_id), ==, 2);
  g_assert_true (g_ptr_array_index (f->incoming, f->incoming->len - 1) == call);
  g_assert_true (attendant_call_can (call, ATTENDANT_COMMAND_ANSWER));
  assert_panes_match_server (f);

  run_ok (f, ATTENDANT_COMMAND_ANSWER, call, NULL);
  g_assert_true (wait_call (f, recalled_id, PANE_CALLS, ATTENDANT_CALL_STATE_ACTIVE) == call);
  g_assert_cmpuint (count_incoming (f, recalled_id), ==, 2);
  assert_panes_match_server (f);
}

/* Consultative transfer: consult → the original held, a consulting leg
 * beside it; complete → both leave. Again, cancelled this time → the leg
 * goes, the original is active again. */
static void
test_consult (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  g_autoptr(JsonObject) result = NULL;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;
  g_autofree char *leg_id = NULL;
  g_auto(Run) run = { 0 };
  AttendantCall *call, *leg;

  connect_console (f);

  call = answer_new_call (f, "+390233333333", "Consulted About", &id);
  run_start (f, ATTENDANT_COMMAND_CONSULT, call, EXT_AVAILABLE, &run);
  run_wait (f, ATTENDANT_COMMAND_CONSULT, &run);
  g_assert_no_error (run.error);
  leg_id = g_strdup (json_object_get_string_member (json_object_get_object_member (run.result, "call"), "id"));

  /* The reply comes after its events: the panes show both already. */
  g_assert_cmpint (pane_of (f, id), ==, PANE_CALLS);
  g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_HELD);
  g_assert_cmpstr (attendant_call_get_peer (call), ==, EXT_AVAILABLE);
  g_assert_cmpint (pane_of (f, leg_id), ==, PANE_CALLS);
  leg = attendant_console_lookup_call (f->console, leg_id);
  g_assert_cmpint (attendant_call_get_state (leg), ==, ATTENDANT_CALL_STATE_CONSULTING);
  g_assert_cmpstr (attendant_call_get_peer (leg), ==, EXT_AVAILABLE);
  /* The console offers completing on the leg (the server takes either). */
  g_assert_true (attendant_call_can (leg, ATTENDANT_COMMAND_COMPLETE));
  g_assert_true (attendant_call_can (leg, ATTENDANT_COMMAND_CANCEL_CONSULT));
  g_assert_false (attendant_call_get_pending (call));
  g_assert_cmpuint (count_incoming (f, leg_id), ==, 0);
  assert_panes_match_server (f);

  /* The consulted colleague picks up (busy), then the caller is theirs. */
  wait_presence (f, EXT_AVAILABLE, ATTENDANT_PRESENCE_BUSY);
  run_ok (f, ATTENDANT_COMMAND_COMPLETE, leg, NULL);
  assert_forgotten (f, id);
  assert_forgotten (f, leg_id);
  g_assert_cmpuint (g_list_model_get_n_items (attendant_console_get_calls (f->console)), ==, 0);
  assert_panes_match_server (f);

  /* Another one, cancelled once the colleague picked up (a consultation
   * still ringing would end by itself at the ring timeout). */
  g_clear_pointer (&leg_id, g_free);
  run_clear (&run);
  call = answer_new_call (f, "+390244444444", "Kept", &again);
  run_start (f, ATTENDANT_COMMAND_CONSULT, call, EXT_OTHER, &run);
  run_wait (f, ATTENDANT_COMMAND_CONSULT, &run);
  g_assert_no_error (run.error);
  leg_id = g_strdup (json_object_get_string_member (json_object_get_object_member (run.result, "call"), "id"));
  g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_HELD);
  g_assert_cmpint (pane_of (f, leg_id), ==, PANE_CALLS);
  leg = attendant_console_lookup_call (f->console, leg_id);
  wait_presence (f, EXT_OTHER, ATTENDANT_PRESENCE_BUSY);

  run_ok (f, ATTENDANT_COMMAND_CANCEL_CONSULT, leg, NULL);
  assert_forgotten (f, leg_id);
  g_assert_true (wait_call (f, again, PANE_CALLS, ATTENDANT_CALL_STATE_ACTIVE) == call);
  g_assert_null (attendant_call_get_peer (call));
  wait_presence (f, EXT_OTHER, ATTENDANT_PRESENCE_AVAILABLE);
  g_assert_cmpuint (g_list_model_get_n_items (attendant_console_get_calls (f->console)), ==, 1);
  assert_panes_match_server (f);
}

/* }}} */
/* {{{ Refusals */

/* A transfer to a busy or dnd extension is refused with the message the
 * operator reads, the call untouched. A command while disconnected is
 * refused at once and leaves nothing pending; the panes keep the last
 * known state, offline. */
static void
test_refused (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  g_autofree char *id = NULL;
  g_autofree char *other = NULL;
  const char *targets[] = { EXT_DND, EXT_OFFLINE, EXT_AVAILABLE };
  AttendantCall *call;

  connect_console (f);

  /* 201 busy: on a call handed to it. */
  {
    AttendantCall *first = answer_new_call (f, "+390255555555", "Makes 201 Busy", &other);

    run_ok (f, ATTENDANT_COMMAND_TRANSFER, first, EXT_AVAILABLE);
    wait_call (f, other, PANE_NONE, 0);
    assert_forgotten (f, other);
    wait_presence (f, EXT_AVAILABLE, ATTENDANT_PRESENCE_BUSY);
  }

  call = answer_new_call (f, "+390266666666", "Stays Put", &id);
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    for (AttendantCommand command = ATTENDANT_COMMAND_TRANSFER; command <= ATTENDANT_COMMAND_CONSULT; command++)
      {
        g_auto(Run) run = { 0 };
        g_autofree char *message = NULL;
        g_autofree char *expected = g_strdup_printf ("%s is busy or not available", targets[i]);

        run_start (f, command, call, targets[i], &run);
        g_assert_true (attendant_call_get_pending (call));
        run_wait (f, command, &run);
        g_assert_error (run.error, ATTENDANT_ERROR, ATTENDANT_ERROR_COMMAND_FAILED);
        g_assert_null (run.result);

        message = attendant_command_describe_error (command, targets[i], run.error);
        g_assert_cmpstr (message, ==, expected);

        g_assert_cmpint (pane_of (f, id), ==, PANE_CALLS);
        g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_ACTIVE);
        g_assert_null (attendant_call_get_peer (call));
        g_assert_false (attendant_call_get_pending (call));
        g_assert_null (attendant_call_get_notice (call));
        g_assert_cmpuint (g_list_model_get_n_items (attendant_console_get_calls (f->console)), ==, 1);
      }
  assert_panes_match_server (f);

  /* No node left to go to. */
  node_action (f, "backup", "stop");
  node_action (f, "primary", "crash");
  wait_for (f, console_offline, f, "the console offline");
  g_assert_cmpint (pane_of (f, id), ==, PANE_CALLS);

  for (AttendantCommand command = ATTENDANT_COMMAND_HOLD; command <= ATTENDANT_COMMAND_TRANSFER; command++)
    {
      g_auto(Run) run = { 0 };
      g_autofree char *message = NULL;

      run_start (f, command, call, EXT_OTHER, &run);
      /* Refused within the main loop's next turns, no network involved. */
      attendant_test_wait_until_full (run_done, &run, 500, "an immediate refusal", dump_models, f);
      g_assert_error (run.error, ATTENDANT_ERROR, ATTENDANT_ERROR_NOT_CONNECTED);
      g_assert_cmpint (run.finished - run.sent, <, 500000);
      g_assert_false (attendant_call_get_pending (call));
      g_assert_null (attendant_call_get_notice (call));
      g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_ACTIVE);

      message = attendant_command_describe_error (command, EXT_OTHER, run.error);
      g_assert_true (g_str_has_suffix (message, "was not sent: not connected to a server"));
    }
  g_assert_false (attendant_console_get_online (f->console));
}

/* }}} */
/* {{{ Failover in the middle of a consultative transfer */

typedef enum
{
  LOST_UNREAD,   /* the node froze before reading call.complete */
  LOST_REPLY,    /* the node did it, but its events and reply never left */
} Lost;

static gboolean
frozen_at_event (gpointer data)
{
  return ((Fixture *)data)->frozen_at_event;
}

/* The snapshot after a failover is the truth: the panes show it exactly,
 * keep the objects of calls that are still there, show nothing that is
 * gone, and say of the command cut off that its result is unknown.
 * "online" drops with the connection and comes back with the snapshot. */
static void
test_failover_consult (gconstpointer data)
{
  Lost lost = GPOINTER_TO_INT (data);
  g_autoptr(Fixture) f = fixture_new ();
  g_autoptr(GPtrArray) ids_before = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *id = NULL;
  g_autofree char *leg_id = NULL;
  g_autofree char *queued = NULL;
  g_auto(Run) consult = { 0 };
  g_auto(Run) complete = { 0 };
  g_autoptr(AttendantCall) call = NULL;
  g_autoptr(AttendantCall) leg = NULL;
  AttendantCall *waiting;
  const char *notice;
  guint log_at;

  connect_console (f);

  queued = inject_call (f, "+390277777777", "Still Waiting");
  waiting = wait_call (f, queued, PANE_QUEUE, ATTENDANT_CALL_STATE_QUEUED);
  /* The test's own references: the panes may drop these calls. */
  call = g_object_ref (answer_new_call (f, "+390288888888", "Mid Transfer", &id));

  run_start (f, ATTENDANT_COMMAND_CONSULT, call, EXT_AVAILABLE, &consult);
  run_wait (f, ATTENDANT_COMMAND_CONSULT, &consult);
  g_assert_no_error (consult.error);
  leg_id = g_strdup (json_object_get_string_member (json_object_get_object_member (consult.result, "call"), "id"));
  leg = g_object_ref (attendant_console_lookup_call (f->console, leg_id));
  wait_presence (f, EXT_AVAILABLE, ATTENDANT_PRESENCE_BUSY);
  g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_HELD);
  g_assert_cmpint (attendant_call_get_state (leg), ==, ATTENDANT_CALL_STATE_CONSULTING);
  add_ids (ids_before, attendant_console_get_queue (f->console));
  add_ids (ids_before, attendant_console_get_calls (f->console));
  g_assert_cmpuint (ids_before->len, ==, 3);

  /* call.complete must be in flight when the node dies, with no reply
   * possible: the node is frozen first, before it reads it or right
   * after it carried it out. */
  if (lost == LOST_UNREAD)
    node_action (f, "primary", "freeze");
  else
    f->freeze_at_event = TRUE;

  log_at = f->online_log->len;
  /* On the leg, where the console offers it. */
  run_start (f, ATTENDANT_COMMAND_COMPLETE, leg, NULL, &complete);
  g_assert_true (attendant_call_get_pending (leg));

  if (lost == LOST_REPLY)
    {
      /* The telephone system completes the transfer within the node's
       * handling of the message; the console hears nothing of it. */
      wait_for (f, frozen_at_event, f, "call.complete carried out");
    }

  node_action (f, "primary", "crash");
  run_wait (f, ATTENDANT_COMMAND_COMPLETE, &complete);
  g_assert_error (complete.error, ATTENDANT_ERROR, ATTENDANT_ERROR_RESULT_UNKNOWN);
  g_assert_null (complete.result);
  g_assert_false (attendant_call_get_pending (leg));
  g_assert_null (attendant_call_get_notice (call));
  notice = attendant_call_get_notice (leg);
  g_assert_nonnull (notice);
  g_assert_true (g_str_has_prefix (notice, "Result unknown"));
  g_assert_nonnull (strstr (notice, attendant_command_get_label (ATTENDANT_COMMAND_COMPLETE)));

  /* Offline at once, and back with the backup's snapshot. */
  wait_for (f, console_online, f, "the console online again");
  g_assert_cmpuint (f->online_log->len, ==, log_at + 2);
  g_assert_cmpstr (g_ptr_array_index (f->online_log, log_at), ==, "offline");
  g_assert_cmpstr (g_ptr_array_index (f->online_log, log_at + 1), ==, "online@127.0.0.2");
  g_assert_cmpuint (f->snapshots, ==, 2);
  g_assert_cmpuint (attendant_client_get_failovers (f->client), ==, 1);
  assert_panes_match_server (f);

  /* The queued call stays the same object, and never rang again. */
  g_assert_true (attendant_console_lookup_call (f->console, queued) == waiting);
  g_assert_cmpuint (count_incoming (f, queued), ==, 1);

  if (lost == LOST_UNREAD)
    {
      /* Nothing happened: the consultation is still there, the same
       * objects, the notice still asking the operator to check. */
      g_assert_true (attendant_console_lookup_call (f->console, id) == call);
      g_assert_true (attendant_console_lookup_call (f->console, leg_id) == leg);
      g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_HELD);
      g_assert_cmpint (attendant_call_get_state (leg), ==, ATTENDANT_CALL_STATE_CONSULTING);
      g_assert_cmpstr (attendant_call_get_notice (leg), ==, notice);
      g_assert_cmpuint (g_list_model_get_n_items (attendant_console_get_calls (f->console)), ==, 2);

      /* The operator checks and completes it on the backup. */
      run_ok (f, ATTENDANT_COMMAND_COMPLETE, leg, NULL);
      assert_forgotten (f, id);
      assert_forgotten (f, leg_id);
    }
  else
    {
      /* It happened: no ghost of either call. */
      g_assert_true (f->frozen_at_event);
      assert_forgotten (f, id);
      assert_forgotten (f, leg_id);
      g_assert_cmpuint (g_list_model_get_n_items (attendant_console_get_calls (f->console)), ==, 0);
    }

  /* When the panes said "online", they already showed the snapshot: the
   * calls then are the calls now, which match the server. */
  g_assert_nonnull (f->ids_when_online);
  g_assert_cmpuint (f->ids_when_online->len, ==, lost == LOST_UNREAD ? 3 : 1);
  if (lost == LOST_REPLY)
    {
      g_autoptr(GPtrArray) now = g_ptr_array_new_with_free_func (g_free);

      add_ids (now, attendant_console_get_queue (f->console));
      add_ids (now, attendant_console_get_calls (f->console));
      g_assert_cmpuint (now->len, ==, f->ids_when_online->len);
      for (guint i = 0; i < now->len; i++)
        g_assert_true (g_ptr_array_find_with_equal_func (f->ids_when_online, now->pdata[i], g_str_equal, NULL));
    }
  else
    for (guint i = 0; i < ids_before->len; i++)
      g_assert_true (g_ptr_array_find_with_equal_func (f->ids_when_online, ids_before->pdata[i], g_str_equal, NULL));
  assert_panes_match_server (f);
}

/* }}} */
/* {{{ The directory */

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
set_presence (Fixture    *f,
              const char *extension,
              const char *presence)
{
  g_autofree char *body = g_strdup_printf ("{\"extension\": \"%s\", \"presence\": \"%s\"}", extension, presence);
  g_autoptr(JsonObject) answer = admin (f, "POST", "/presence", body, 200);
}

/* Presence changes made with the admin API show on the contact. */
static void
test_presence (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  AttendantDirectory *directory;
  AttendantContact *contact;
  guint notifies = 0;

  connect_console (f);
  directory = attendant_console_get_directory (f->console);
  /* The five of the configuration and the two attendants. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (directory)), >=, 5);
  contact = attendant_directory_lookup_id (directory, "ext-" EXT_OTHER);
  g_assert_nonnull (contact);
  g_assert_true (attendant_directory_lookup_number (directory, EXT_OTHER) == contact);
  g_assert_cmpstr (attendant_contact_get_name (contact), ==, "Elena Galli");
  g_assert_cmpint (attendant_contact_get_presence (contact), ==, ATTENDANT_PRESENCE_AVAILABLE);
  g_assert_cmpint (presence_of (f, EXT_AWAY), ==, ATTENDANT_PRESENCE_AWAY);
  g_assert_cmpint (presence_of (f, EXT_DND), ==, ATTENDANT_PRESENCE_DND);
  g_assert_cmpint (presence_of (f, EXT_OFFLINE), ==, ATTENDANT_PRESENCE_OFFLINE);

  g_signal_connect (contact, "notify::presence", G_CALLBACK (count_notify), &notifies);

  set_presence (f, EXT_OTHER, "dnd");
  wait_presence (f, EXT_OTHER, ATTENDANT_PRESENCE_DND);
  g_assert_cmpuint (notifies, ==, 1);

  set_presence (f, EXT_OTHER, "away");
  wait_presence (f, EXT_OTHER, ATTENDANT_PRESENCE_AWAY);
  g_assert_cmpuint (notifies, ==, 2);

  /* The same object all along: rows bound to it follow. */
  g_assert_true (attendant_directory_lookup_id (directory, "ext-" EXT_OTHER) == contact);
  g_signal_handlers_disconnect_by_data (contact, &notifies);
}

/* {{{ The phone system's reachability */

typedef struct
{
  Fixture    *f;
  const char *reason;   /* NULL: reachable */
} AwaitReason;

static gboolean
reason_shown (gpointer data)
{
  AwaitReason *await = data;

  return attendant_console_get_online (await->f->console) &&
         g_strcmp0 (attendant_console_get_phone_system_reason (await->f->console), await->reason) == 0 &&
         g_strcmp0 (attendant_client_get_phone_system_reason (await->f->client), await->reason) == 0;
}

static gboolean
reason_cleared (gpointer data)
{
  return attendant_console_get_phone_system_reason (((Fixture *)data)->console) == NULL;
}

static void
wait_reason (Fixture    *f,
             const char *reason)
{
  AwaitReason await = { f, reason };

  wait_for (f, reason_shown, &await, reason != NULL ? reason : "the phone system reachable");
}

/* The server's telephone system out of reach and back (the simulated
 * system's pretend outage): the console says why, notifies once per
 * change, finds it again in the snapshot after a failover, and forgets it
 * while there is no server to say (the lost connection is then what to
 * show). */
static void
test_phone_system (void)
{
  g_autoptr(Fixture) f = fixture_new ();
  g_autoptr(JsonObject) answer = NULL;
  guint notifies = 0;

  connect_console (f);
  g_assert_null (attendant_console_get_phone_system_reason (f->console));
  g_signal_connect (f->console, "notify::phone-system-reason", G_CALLBACK (count_notify), &notifies);

  answer = admin (f, "POST", "/phone-system", "{\"reachable\": false, \"reason\": \"Asterisk is restarting\"}", 200);
  wait_reason (f, "Asterisk is restarting");
  g_assert_cmpuint (notifies, ==, 1);

  /* After a failover, from the backup's snapshot: nothing in between
   * claims the phone system is back. */
  node_action (f, "primary", "crash");
  wait_for (f, console_offline, f, "the console offline");
  wait_for (f, reason_cleared, f, "no reason without a server");
  wait_reason (f, "Asterisk is restarting");
  g_assert_cmpuint (notifies, ==, 3);

  g_clear_pointer (&answer, json_object_unref);
  answer = admin (f, "POST", "/phone-system", "{\"reachable\": true}", 200);
  wait_reason (f, NULL);
  g_assert_cmpuint (notifies, ==, 4);

  g_signal_handlers_disconnect_by_data (f->console, &notifies);
}

/* }}} */

/* A directory of @n contacts, too big for one message: all of them,
 * sorted, found by number and by search; after a failover the second
 * snapshot keeps the same objects. */
static void
test_directory_large (gconstpointer data)
{
  guint n = GPOINTER_TO_UINT (data);
  g_autoptr(Fixture) f = fixture_new_directory (n);
  AttendantDirectory *directory;
  AttendantContact *contact;
  g_auto(GStrv) terms = NULL;
  guint matches = 0;
  GListModel *model;

  connect_console (f);
  directory = attendant_console_get_directory (f->console);
  model = G_LIST_MODEL (directory);
  /* The configuration's contacts and the two attendants. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n + 2);
  /* More than one message holds: it came in parts (snapshot.more), which
   * the console sees as one snapshot. */
  g_test_message ("a snapshot with %u contacts: %" G_GSIZE_FORMAT " bytes", n + 2, f->snapshot_size);
  g_assert_cmpuint (f->snapshot_size, >, ATTENDANT_PROTOCOL_MAX_MESSAGE);

  for (guint i = 1; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(AttendantContact) a = g_list_model_get_item (model, i - 1);
      g_autoptr(AttendantContact) b = g_list_model_get_item (model, i);

      g_assert_cmpstr (attendant_contact_get_sort_key (a), <=, attendant_contact_get_sort_key (b));
    }

  contact = attendant_directory_lookup_number (directory, "10042");
  g_assert_nonnull (contact);
  g_assert_cmpstr (attendant_contact_get_id (contact), ==, "ext-10042");

  terms = attendant_search_terms_new (attendant_contact_get_name (contact));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(AttendantContact) c = g_list_model_get_item (model, i);

      if (attendant_contact_matches (c, (const char * const *)terms))
        matches++;
    }
  g_assert_cmpuint (matches, ==, 1);

  /* Failover: a second snapshot of the same directory. */
  attendant_node_crash (node (f, "primary"));
  wait_for (f, console_offline, f, "the console offline");
  wait_for (f, console_online, f, "the console online on the backup");
  g_assert_cmpuint (f->snapshots, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n + 2);
  g_assert_true (attendant_directory_lookup_number (directory, "10042") == contact);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  /* First of all: it may start the program again. */
  attendant_test_sanitizer_setup (argv);

  g_test_init (&argc, &argv, NULL);

  pki = attendant_test_pki_new ();

  g_test_add_func ("/console/queue-answer-hold-hangup", test_queue_answer_hold_hangup);
  g_test_add_func ("/console/direct-calls", test_direct_calls);
  g_test_add_func ("/console/calls-while-offline", test_calls_while_offline);
  g_test_add_func ("/console/transfer/blind", test_blind_transfer);
  g_test_add_func ("/console/transfer/consult", test_consult);
  g_test_add_func ("/console/refused", test_refused);
  g_test_add_data_func ("/console/failover/complete-unread", GINT_TO_POINTER (LOST_UNREAD), test_failover_consult);
  g_test_add_data_func ("/console/failover/complete-reply-lost", GINT_TO_POINTER (LOST_REPLY), test_failover_consult);
  g_test_add_func ("/console/directory/presence", test_presence);
  g_test_add_func ("/console/phone-system", test_phone_system);
  g_test_add_data_func ("/console/directory/large", GUINT_TO_POINTER (10000), test_directory_large);

  {
    int status = g_test_run ();

    g_clear_pointer (&pki, attendant_test_pki_free);
    return status;
  }
}
