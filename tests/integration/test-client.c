/* test-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-client"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "attendant-core.h"
#include "attendant-test-fixture.h"
#include "attendant-test-pki.h"
#include "attendant-test-resolver.h"
#include "attendant-test-sanitizer.h"
#include "attendant-test-server.h"
#include "attendant-test-wait.h"

/* AttendantClient, the whole life cycle (docs/architecture.md, "Failover
 * and failback") and the discovery rules it applies every cycle, against the
 * real reference server hosted in this process: two nodes of one cluster,
 * "primary" on 127.0.0.1 and "backup" on 127.0.0.2, found through SRV
 * records of AttendantTestResolver (priority 10 → primary, 8 → backup,
 * highest-first). The nodes are crashed, frozen, drained and restarted
 * through the server's own node methods (what the admin API calls), and
 * every claim is checked on the client's signals, recorded with their
 * time, and where it matters on the server's side as well. A few small
 * servers of the test's own stand in for what the reference server never
 * does: a hostile WebSocket peer, an HTTP server that is not Attendant, a
 * silent listener that counts who knocks.
 *
 * Only 127.0.0.0/8 is used, and names are answered by the test resolver.
 * Waiting is on events with deadlines; the only clocks are the timers under
 * test (heartbeat and failback interval of 1 s, backoff) and the windows in
 * which a test shows that something does NOT happen. */

static AttendantTestPki *pki;

#define DOMAIN        "acme.test"
#define SRV_PLAIN     "_iac._tcp." DOMAIN
#define SRV_TLS       "_iacsec._tcp." DOMAIN
#define PRIMARY_HOST  "primary." DOMAIN
#define BACKUP_HOST   "backup." DOMAIN
#define HEARTBEAT_S   1
#define CALLER        "+390212345678"


/* {{{ Waiting on the main loop */

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

typedef struct _Recorder Recorder;

/* }}} */
/* {{{ Recording the client's signals */

typedef enum
{
  EV_CONNECTING,
  EV_ATTEMPT,
  EV_CONNECTED,
  EV_DISCONNECTED,
  EV_RECONNECT,
  EV_AUTH_FAILED,
  EV_CERT_REJECTED,
  EV_SNAPSHOT,
  EV_EVENT,
} EvKind;

static const char * const kind_names[] = {
  "connecting", "attempt", "connected", "disconnected", "reconnect-scheduled",
  "auth-failed", "certificate-rejected", "snapshot", "event",
};

typedef struct
{
  EvKind                kind;
  gint64                time;      /* ms, monotonic */
  GObject              *object;    /* plan, attempt or session */
  JsonObject           *json;      /* snapshot or event */
  AttendantCloseReason  reason;
  char                 *message;
  guint                 delay_ms;
  gboolean              failover;
  gboolean              failback;
} Ev;

static void
ev_free (Ev *ev)
{
  g_clear_object (&ev->object);
  g_clear_pointer (&ev->json, json_object_unref);
  g_free (ev->message);
  g_free (ev);
}

struct _Recorder
{
  AttendantClient *client;
  GPtrArray       *events;
};

static Ev *
record (Recorder *rec,
        EvKind    kind)
{
  Ev *ev = g_new0 (Ev, 1);

  ev->kind = kind;
  ev->time = now_ms ();
  g_ptr_array_add (rec->events, ev);

  return ev;
}

static void
on_connecting (AttendantClient *client,
               AttendantPlan   *plan,
               Recorder        *rec)
{
  record (rec, EV_CONNECTING)->object = g_object_ref (G_OBJECT (plan));
}

static void
on_attempt (AttendantClient  *client,
            AttendantAttempt *attempt,
            Recorder         *rec)
{
  record (rec, EV_ATTEMPT)->object = g_object_ref (G_OBJECT (attempt));
}

static void
on_connected (AttendantClient  *client,
              AttendantSession *session,
              gboolean          failover,
              gboolean          failback,
              Recorder         *rec)
{
  Ev *ev = record (rec, EV_CONNECTED);

  ev->object = g_object_ref (G_OBJECT (session));
  ev->failover = failover;
  ev->failback = failback;
}

static void
on_disconnected (AttendantClient      *client,
                 AttendantCloseReason  reason,
                 const char           *message,
                 Recorder             *rec)
{
  Ev *ev = record (rec, EV_DISCONNECTED);

  ev->reason = reason;
  ev->message = g_strdup (message);
}

static void
on_reconnect (AttendantClient *client,
              guint            delay_ms,
              Recorder        *rec)
{
  gint64 now = g_get_monotonic_time ();
  gint64 next = attendant_client_get_next_retry_time (client);

  /* What a countdown shows: the delay, from now. */
  g_assert_cmpint (next, >, now);
  g_assert_cmpint (next, <=, now + (gint64)delay_ms * 1000);
  g_assert_cmpint (next, >=, now + (gint64)delay_ms * 1000 - 100000);
  record (rec, EV_RECONNECT)->delay_ms = delay_ms;
}

static void
on_auth_failed (AttendantClient *client,
                const char      *message,
                Recorder        *rec)
{
  record (rec, EV_AUTH_FAILED)->message = g_strdup (message);
}

static void
on_certificate_rejected (AttendantClient  *client,
                         AttendantAttempt *attempt,
                         Recorder         *rec)
{
  Ev *ev = record (rec, EV_CERT_REJECTED);

  if (attempt != NULL)
    ev->object = g_object_ref (G_OBJECT (attempt));
}

static void
on_snapshot (AttendantClient *client,
             JsonObject      *snapshot,
             Recorder        *rec)
{
  record (rec, EV_SNAPSHOT)->json = json_object_ref (snapshot);
}

static void
on_event (AttendantClient *client,
          JsonObject      *event,
          Recorder        *rec)
{
  record (rec, EV_EVENT)->json = json_object_ref (event);
}

static Recorder *
recorder_new (AttendantClient *client)
{
  Recorder *rec = g_new0 (Recorder, 1);

  rec->client = g_object_ref (client);
  rec->events = g_ptr_array_new_with_free_func ((GDestroyNotify)ev_free);

  g_signal_connect (client, "connecting", G_CALLBACK (on_connecting), rec);
  g_signal_connect (client, "attempt", G_CALLBACK (on_attempt), rec);
  g_signal_connect (client, "connected", G_CALLBACK (on_connected), rec);
  g_signal_connect (client, "disconnected", G_CALLBACK (on_disconnected), rec);
  g_signal_connect (client, "reconnect-scheduled", G_CALLBACK (on_reconnect), rec);
  g_signal_connect (client, "auth-failed", G_CALLBACK (on_auth_failed), rec);
  g_signal_connect (client, "certificate-rejected", G_CALLBACK (on_certificate_rejected), rec);
  g_signal_connect (client, "snapshot", G_CALLBACK (on_snapshot), rec);
  g_signal_connect (client, "event", G_CALLBACK (on_event), rec);

  return rec;
}

static void
recorder_free (Recorder *rec)
{
  if (rec == NULL)
    return;

  g_signal_handlers_disconnect_by_data (rec->client, rec);
  g_clear_object (&rec->client);
  g_ptr_array_unref (rec->events);
  g_free (rec);
}

static Ev *
ev_at (Recorder *rec,
       guint     index)
{
  g_assert_cmpuint (index, <, rec->events->len);
  return g_ptr_array_index (rec->events, index);
}

/* The index of the first @kind at or after @from, or -1. */
static int
find_event (Recorder *rec,
            EvKind    kind,
            guint     from)
{
  for (guint i = from; i < rec->events->len; i++)
    if (ev_at (rec, i)->kind == kind)
      return (int)i;

  return -1;
}

static guint
count_events (Recorder *rec,
              EvKind    kind,
              guint     from,
              guint     to)
{
  guint n = 0;

  for (guint i = from; i < MIN (to, rec->events->len); i++)
    if (ev_at (rec, i)->kind == kind)
      n++;

  return n;
}

static void
recorder_dump (Recorder *rec)
{
  gint64 start = rec->events->len > 0 ? ev_at (rec, 0)->time : 0;

  for (guint i = 0; i < rec->events->len; i++)
    {
      Ev *ev = ev_at (rec, i);
      g_autofree char *detail = NULL;

      switch (ev->kind)
        {
        case EV_ATTEMPT:
          {
            AttendantAttempt *attempt = ATTENDANT_ATTEMPT (ev->object);
            g_autofree char *endpoint = attendant_endpoint_to_string (attendant_attempt_get_endpoint (attempt));

            detail = g_strdup_printf ("%s %s %s", endpoint,
                                      attendant_attempt_get_address (attempt) ? attendant_attempt_get_address (attempt) : "-",
                                      attendant_enum_to_nick (ATTENDANT_TYPE_ATTEMPT_OUTCOME,
                                                              attendant_attempt_get_outcome (attempt)));
          }
          break;
        case EV_CONNECTED:
          detail = g_strdup_printf ("%s failover=%d failback=%d",
                                    attendant_endpoint_get_host (attendant_connection_get_endpoint (
                                      attendant_session_get_connection (ATTENDANT_SESSION (ev->object)))),
                                    ev->failover, ev->failback);
          break;
        case EV_DISCONNECTED:
          detail = g_strdup_printf ("%s: %s",
                                    attendant_enum_to_nick (ATTENDANT_TYPE_CLOSE_REASON, ev->reason),
                                    ev->message);
          break;
        case EV_RECONNECT:
          detail = g_strdup_printf ("%u ms", ev->delay_ms);
          break;
        case EV_EVENT:
          detail = g_strdup (json_object_get_string_member (ev->json, "event"));
          break;
        case EV_CONNECTING:
          detail = g_strdup_printf ("%u endpoints",
                                    attendant_plan_get_n_endpoints (ATTENDANT_PLAN (ev->object)));
          break;
        case EV_AUTH_FAILED:
        case EV_CERT_REJECTED:
        case EV_SNAPSHOT:
        default:
          detail = g_strdup (ev->message ? ev->message : "");
          break;
        }

      g_test_message ("%3u %6" G_GINT64_FORMAT " ms %s %s", i, ev->time - start,
                      kind_names[ev->kind], detail);
    }
}

/* What a test that waited in vain prints before it fails. */
static void
recorder_dump_cb (gpointer data,
                  gpointer unused)
{
  if (data != NULL)
    recorder_dump (data);
}

static void
wait_until (AttendantTestPredicate  predicate,
            gpointer                data,
            guint                   timeout_ms,
            Recorder               *rec,
            const char             *what)
{
  attendant_test_wait_until_full (predicate, data, timeout_ms, what, recorder_dump_cb, rec);
}

typedef struct
{
  Recorder *rec;
  EvKind    kind;
  guint     from;
  int       found;
} Await;

static gboolean
await_ready (gpointer data)
{
  Await *await = data;

  await->found = find_event (await->rec, await->kind, await->from);
  return await->found >= 0;
}

/* Waits for the first @kind at or after index @from; returns its index. */
static guint
wait_event (Recorder *rec,
            EvKind    kind,
            guint     from,
            guint     timeout_ms)
{
  Await await = { rec, kind, from, -1 };
  g_autofree char *what = g_strdup_printf ("“%s” signal (from #%u)", kind_names[kind], from);

  wait_until (await_ready, &await, timeout_ms, rec, what);

  return (guint)await.found;
}

/* }}} */
/* {{{ Reading what was recorded */

static AttendantEndpoint *
session_endpoint (AttendantSession *session)
{
  return attendant_connection_get_endpoint (attendant_session_get_connection (session));
}

static AttendantSession *
ev_session (Ev *ev)
{
  g_assert_cmpint (ev->kind, ==, EV_CONNECTED);
  return ATTENDANT_SESSION (ev->object);
}

static AttendantAttempt *
ev_attempt (Ev *ev)
{
  g_assert_cmpint (ev->kind, ==, EV_ATTEMPT);
  return ATTENDANT_ATTEMPT (ev->object);
}

static AttendantPlan *
ev_plan (Ev *ev)
{
  g_assert_cmpint (ev->kind, ==, EV_CONNECTING);
  return ATTENDANT_PLAN (ev->object);
}

static void
assert_connected_to (Ev         *ev,
                     const char *host,
                     guint16     port,
                     const char *address,
                     gboolean    failover,
                     gboolean    failback)
{
  AttendantSession *session = ev_session (ev);
  AttendantEndpoint *endpoint = session_endpoint (session);

  g_assert_cmpstr (attendant_endpoint_get_host (endpoint), ==, host);
  g_assert_cmpuint (attendant_endpoint_get_port (endpoint), ==, port);
  g_assert_cmpstr (attendant_connection_get_address (attendant_session_get_connection (session)), ==, address);
  g_assert_cmpint (ev->failover, ==, failover);
  g_assert_cmpint (ev->failback, ==, failback);
}

static void
assert_attempt (Ev                      *ev,
                const char              *host,
                guint16                  port,
                AttendantAttemptOutcome  outcome)
{
  AttendantAttempt *attempt = ev_attempt (ev);
  AttendantEndpoint *endpoint = attendant_attempt_get_endpoint (attempt);

  g_assert_cmpstr (attendant_endpoint_get_host (endpoint), ==, host);
  if (port != 0)
    g_assert_cmpuint (attendant_endpoint_get_port (endpoint), ==, port);
  g_assert_cmpstr (attendant_enum_to_nick (ATTENDANT_TYPE_ATTEMPT_OUTCOME, attendant_attempt_get_outcome (attempt)), ==,
                   attendant_enum_to_nick (ATTENDANT_TYPE_ATTEMPT_OUTCOME, outcome));
}

static void
assert_reason (Ev                   *ev,
               AttendantCloseReason  reason)
{
  g_assert_cmpint (ev->kind, ==, EV_DISCONNECTED);
  g_assert_cmpstr (attendant_enum_to_nick (ATTENDANT_TYPE_CLOSE_REASON, ev->reason), ==,
                   attendant_enum_to_nick (ATTENDANT_TYPE_CLOSE_REASON, reason));
}

static gboolean
plan_has_host (AttendantPlan *plan,
               const char    *host)
{
  for (guint i = 0; i < attendant_plan_get_n_endpoints (plan); i++)
    if (g_str_equal (attendant_endpoint_get_host (attendant_plan_get_endpoint (plan, i)), host))
      return TRUE;

  return FALSE;
}

static JsonObject *
find_call (JsonArray  *calls,
           const char *id)
{
  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonObject *call = json_array_get_object_element (calls, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (call, "id", NULL), id) == 0)
        return call;
    }

  return NULL;
}

typedef struct
{
  Recorder   *rec;
  guint       from;
  const char *id;
  const char *state;
  int         found;
} AwaitCall;

static gboolean
call_state_ready (gpointer data)
{
  AwaitCall *await = data;

  for (guint i = await->from; i < await->rec->events->len; i++)
    {
      Ev *ev = ev_at (await->rec, i);
      JsonObject *call;

      if (ev->kind != EV_EVENT || g_strcmp0 (json_object_get_string_member (ev->json, "event"), "call.updated") != 0)
        continue;

      call = json_object_get_object_member (ev->json, "call");
      if (g_strcmp0 (json_object_get_string_member_with_default (call, "id", NULL), await->id) == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (call, "state", NULL), await->state) == 0)
        {
          await->found = (int)i;
          return TRUE;
        }
    }

  return FALSE;
}

/* Waits for the event that shows call @id in @state; returns its index. */
static guint
wait_call_state (Recorder   *rec,
                 guint       from,
                 const char *id,
                 const char *state,
                 guint       timeout_ms)
{
  AwaitCall await = { rec, from, id, state, -1 };
  g_autofree char *what = g_strdup_printf ("event with %s %s", id, state);

  wait_until (call_state_ready, &await, timeout_ms, rec, what);

  return (guint)await.found;
}

/* }}} */
/* {{{ Commands */

typedef struct
{
  Recorder   *rec;
  gboolean    done;
  JsonObject *result;
  GError     *error;
  gint64      time;
  guint       events_before;   /* how many signals were recorded before the reply */
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->result, json_object_unref);
  g_clear_error (&reply->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static void
command_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Reply *reply = user_data;

  reply->result = attendant_client_send_command_finish (ATTENDANT_CLIENT (object), result, &reply->error);
  reply->done = TRUE;
  reply->time = now_ms ();
  reply->events_before = reply->rec->events->len;
}

static gboolean
reply_done (gpointer data)
{
  return ((Reply *)data)->done;
}

/* Sends @command with one string argument (or none). */
static void
send_command (Recorder   *rec,
              const char *command,
              const char *arg_name,
              const char *arg_value,
              Reply      *reply)
{
  g_autoptr(JsonObject) args = json_object_new ();

  if (arg_name != NULL)
    json_object_set_string_member (args, arg_name, arg_value);

  memset (reply, 0, sizeof *reply);
  reply->rec = rec;
  attendant_client_send_command_async (rec->client, command, args, NULL, command_cb, reply);
}

static void
wait_reply (Reply      *reply,
            guint       timeout_ms,
            const char *what)
{
  wait_until (reply_done, reply, timeout_ms, reply->rec, what);
}

/* }}} */
/* {{{ The cluster, the resolver and the client */

typedef struct
{
  AttendantTestCluster  *cluster;
  AttendantTestResolver *resolver;
  AttendantClient       *client;
  Recorder              *rec;
} Fixture;

/* A cluster of the reference server with @nodes ([node …] groups), or no
 * server at all when %NULL; and the test resolver, which knows the two
 * nodes' names. */
static Fixture *
fixture_new (const char *nodes)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->resolver = attendant_test_resolver_new ();
  attendant_test_resolver_add_address (f->resolver, PRIMARY_HOST, "127.0.0.1");
  attendant_test_resolver_add_address (f->resolver, BACKUP_HOST, "127.0.0.2");

  /* The heartbeat is what the server advertises; the client's own
   * interval is its property, set to the same below. */
  if (nodes != NULL)
    f->cluster = attendant_test_cluster_new (nodes, HEARTBEAT_S,
                                             "[directory]\n"
                                             "201=Bruno Bianchi;Sales\n"
                                             "202=Carla Rossi;Support;away\n"
                                             "203=Dario Neri;Sales;dnd\n"
                                             "204=Elena Galli;Accounting\n"
                                             "205=Fabio Conti;Accounting;offline\n");

  return f;
}

static void
fixture_free (Fixture *f)
{
  if (f->client != NULL)
    attendant_client_stop (f->client);
  g_clear_pointer (&f->rec, recorder_free);
  g_clear_object (&f->client);
  g_clear_pointer (&f->cluster, attendant_test_cluster_free);
  g_clear_object (&f->resolver);

  /* Let the sockets' last callbacks run before the next test. */
  attendant_test_drain_main_context ();

  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

static AttendantNode *
node (Fixture    *f,
      const char *name)
{
  return attendant_test_cluster_node (f->cluster, name);
}

static guint16
node_port (Fixture    *f,
           const char *name,
           const char *transport)
{
  guint16 port = attendant_node_get_port (node (f, name), transport);

  g_assert_cmpuint (port, !=, 0);
  return port;
}

static gint64
node_logged_in (Fixture    *f,
                const char *name)
{
  g_autoptr(JsonObject) json = attendant_node_to_json (node (f, name));

  return json_object_get_int_member (json, "logged_in");
}

/* The set-up of Imagicle's SRV guide: primary with priority 10, backup with 8. */
static void
publish_srv (Fixture            *f,
             AttendantTransport  transport)
{
  const char *rrname = transport == ATTENDANT_TRANSPORT_TLS ? SRV_TLS : SRV_PLAIN;
  const char *name = transport == ATTENDANT_TRANSPORT_TLS ? "tls" : "plain";

  if (attendant_node_get_port (node (f, "primary"), name) != 0)
    attendant_test_resolver_add_srv (f->resolver, rrname, PRIMARY_HOST,
                                     node_port (f, "primary", name), 10, 100);
  if (attendant_node_get_port (node (f, "backup"), name) != 0)
    attendant_test_resolver_add_srv (f->resolver, rrname, BACKUP_HOST,
                                     node_port (f, "backup", name), 8, 100);
}

/* A client as a test wants it: the test resolver, plain transport unless
 * told otherwise, a heartbeat of 1 s, short attempts, no failback unless a
 * test turns it on. */
static AttendantClient *
fixture_client (Fixture            *f,
                const char         *server,
                AttendantTransport  transport)
{
  g_assert_null (f->client);

  f->client = attendant_client_new (G_RESOLVER (f->resolver));
  g_object_set (f->client,
                "server", server,
                "transport", transport,
                "attempt-timeout", 2u,
                "heartbeat-interval", (guint)HEARTBEAT_S,
                "failback", FALSE,
                NULL);
  attendant_client_set_credentials (f->client, TEST_USER, TEST_PASSWORD);
  f->rec = recorder_new (f->client);

  return f->client;
}

static void
start_client (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  attendant_client_start (f->client, &error);
  g_assert_no_error (error);
}

/* Starts the client and waits until it is logged in to the primary and
 * has its snapshot; returns the index of that snapshot. */
static guint
connect_to_primary (Fixture *f)
{
  guint connected;

  start_client (f);
  connected = wait_event (f->rec, EV_CONNECTED, 0, 10000);
  assert_connected_to (ev_at (f->rec, connected), PRIMARY_HOST, node_port (f, "primary", "plain"),
                       "127.0.0.1", FALSE, FALSE);

  return wait_event (f->rec, EV_SNAPSHOT, connected, 5000);
}

/* An incoming call in the first queue; returns its id. */
static char *
inject_call (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) call = NULL;

  call = attendant_pbx_inject_call (attendant_server_get_pbx (f->cluster->server), CALLER, "ACME Spa",
                                    NULL, NULL, 0, &error);
  g_assert_no_error (error);

  return g_strdup (json_object_get_string_member (call, "id"));
}

/* }}} */
/* {{{ Login */

/* Logged in: connected to the preferred node (priority 10), no failover,
 * the plan as SRV said, only the primary contacted, then the snapshot
 * with the directory of the server's configuration. */
static void
test_login_ok (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  AttendantPlan *plan;
  AttendantSession *session;
  JsonObject *snapshot;
  JsonObject *me;
  JsonArray *directory;
  guint connected, snap;

  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_IDLE);

  snap = connect_to_primary (f);
  connected = (guint)find_event (f->rec, EV_CONNECTED, 0);

  /* One cycle, from SRV, highest priority first; one attempt. */
  g_assert_cmpint (ev_at (f->rec, 0)->kind, ==, EV_CONNECTING);
  plan = ev_plan (ev_at (f->rec, 0));
  g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_SRV);
  g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_ANSWERED);
  g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, 2);
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_plan_get_endpoint (plan, 0)), ==, PRIMARY_HOST);
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_plan_get_endpoint (plan, 1)), ==, BACKUP_HOST);
  g_assert_cmpuint (count_events (f->rec, EV_CONNECTING, 0, connected), ==, 1);
  g_assert_cmpuint (count_events (f->rec, EV_ATTEMPT, 0, connected), ==, 1);
  assert_attempt (ev_at (f->rec, 1), PRIMARY_HOST, node_port (f, "primary", "plain"),
                  ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);

  session = ev_session (ev_at (f->rec, connected));
  g_assert_true (attendant_client_get_session (f->client) == session);
  g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_CONNECTED);
  g_assert_cmpint (attendant_session_get_state (session), ==, ATTENDANT_SESSION_STATE_READY);
  g_assert_cmpstr (attendant_session_get_user (session), ==, TEST_USER);
  g_assert_false (attendant_connection_is_encrypted (attendant_session_get_connection (session)));
  g_assert_null (attendant_connection_get_tls_version (attendant_session_get_connection (session)));
  g_assert_cmpuint (attendant_client_get_failovers (f->client), ==, 0);
  g_assert_false (attendant_client_get_call_in_progress (f->client));
  g_assert_cmpint (attendant_client_get_next_retry_time (f->client), ==, 0);
  g_assert_true (attendant_client_get_on_preferred (f->client));

  /* What the status popover shows: how the session was found, and since
   * when it runs. */
  plan = attendant_client_get_plan (f->client);
  g_assert_nonnull (plan);
  g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_SRV);
  g_assert_cmpstr (attendant_plan_get_query (plan), ==, attendant_plan_get_query (ev_plan (ev_at (f->rec, 0))));
  g_assert_cmpuint (attendant_plan_get_records (plan)->len, ==, 2);
  g_assert_cmpint (attendant_client_get_connected_time (f->client), >, 0);
  g_assert_cmpint (attendant_client_get_connected_time (f->client), <=, g_get_monotonic_time ());

  /* The snapshot: who I am, and the directory of the configuration. */
  snapshot = ev_at (f->rec, snap)->json;
  me = json_object_get_object_member (snapshot, "me");
  g_assert_nonnull (me);
  g_assert_cmpstr (json_object_get_string_member (me, "user"), ==, TEST_USER);
  g_assert_cmpstr (json_object_get_string_member (me, "extension"), ==, TEST_EXTENSION);
  directory = json_object_get_array_member (snapshot, "directory");
  g_assert_nonnull (directory);
  {
    gboolean bruno = FALSE, carla_away = FALSE;

    for (guint i = 0; i < json_array_get_length (directory); i++)
      {
        JsonObject *contact = json_array_get_object_element (directory, i);
        const char *number = json_object_get_string_member (contact, "number");

        if (g_strcmp0 (number, "201") == 0)
          bruno = g_strcmp0 (json_object_get_string_member (contact, "name"), "Bruno Bianchi") == 0;
        if (g_strcmp0 (number, "202") == 0)
          carla_away = g_strcmp0 (json_object_get_string_member (contact, "presence"), "away") == 0;
      }
    g_assert_true (bruno);
    g_assert_true (carla_away);
  }
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (snapshot, "calls")), ==, 0);

  /* The server agrees: one logged-in client, on the primary only. */
  g_assert_cmpint (node_logged_in (f, "primary"), ==, 1);
  g_assert_cmpint (node_logged_in (f, "backup"), ==, 0);

  attendant_client_stop (f->client);
  g_assert_null (attendant_client_get_plan (f->client));
  g_assert_cmpint (attendant_client_get_connected_time (f->client), ==, 0);
}

/* When the client stops and asks: a refused password stops everything: auth-failed, the state says
 * so, and no further attempt for several heartbeat intervals — not on the
 * backup either (wrong there too). "Reconnect now" with the right
 * password then logs in. */
static void
test_login_wrong_password (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  guint failed, n_events;
  Ev *ev;

  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  attendant_client_set_credentials (f->client, TEST_USER, "wrong password");
  start_client (f);

  failed = wait_event (f->rec, EV_AUTH_FAILED, 0, 10000);
  ev = ev_at (f->rec, failed);
  g_assert_nonnull (ev->message);
  g_assert_cmpstr (ev->message, !=, "");
  g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_AUTH_FAILED);
  g_assert_null (attendant_client_get_session (f->client));
  g_assert_cmpuint (count_events (f->rec, EV_ATTEMPT, 0, G_MAXUINT), ==, 1);
  g_assert_cmpuint (count_events (f->rec, EV_CONNECTED, 0, G_MAXUINT), ==, 0);

  /* Several heartbeat intervals, and several backoff caps: nothing. */
  n_events = f->rec->events->len;
  attendant_test_run_for (3 * HEARTBEAT_S * 1000 + 500);
  if (f->rec->events->len != n_events)
    {
      recorder_dump (f->rec);
      g_error ("the client went on after auth-failed");
    }
  g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_AUTH_FAILED);
  g_assert_cmpuint (attendant_node_get_n_sessions (node (f, "backup")), ==, 0);

  /* The user corrects the password and asks again. */
  attendant_client_set_credentials (f->client, TEST_USER, TEST_PASSWORD);
  attendant_client_reconnect_now (f->client);
  ev = ev_at (f->rec, wait_event (f->rec, EV_CONNECTED, n_events, 5000));
  assert_connected_to (ev, PRIMARY_HOST, node_port (f, "primary", "plain"), "127.0.0.1", FALSE, FALSE);
  g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_CONNECTED);
}

/* }}} */
/* {{{ Failover */

/* The cycle that follows a loss: the plan puts the dead node last,
 * so the first and only attempt is the backup, which connects. */
static void
assert_failover_cycle (Fixture *f,
                       guint    disconnected,
                       guint    connected)
{
  guint connecting = (guint)find_event (f->rec, EV_CONNECTING, disconnected);
  AttendantPlan *plan;
  int attempt;

  g_assert_cmpuint (connecting, <, connected);
  plan = ev_plan (ev_at (f->rec, connecting));
  g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, 2);
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_plan_get_endpoint (plan, 0)), ==, BACKUP_HOST);
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_plan_get_endpoint (plan, 1)), ==, PRIMARY_HOST);

  g_assert_cmpuint (count_events (f->rec, EV_ATTEMPT, connecting, connected), ==, 1);
  attempt = find_event (f->rec, EV_ATTEMPT, connecting);
  assert_attempt (ev_at (f->rec, (guint)attempt), BACKUP_HOST, node_port (f, "backup", "plain"),
                  ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  g_assert_cmpuint (count_events (f->rec, EV_RECONNECT, disconnected, connected), ==, 0);
}

/* A fresh snapshot after the failover, from the backup, with everything
 * the first one had. */
static void
assert_fresh_snapshot (Fixture *f,
                       guint    first,
                       guint    connected)
{
  guint second = wait_event (f->rec, EV_SNAPSHOT, connected, 5000);
  JsonObject *a = ev_at (f->rec, first)->json;
  JsonObject *b = ev_at (f->rec, second)->json;

  g_assert_true (a != b);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (b, "directory")), ==,
                    json_array_get_length (json_object_get_array_member (a, "directory")));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (b, "me"), "user"), ==, TEST_USER);
  /* The same telephone system behind both nodes: time never goes back. */
  g_assert_cmpint (json_object_get_int_member (b, "seq"), >=, json_object_get_int_member (a, "seq"));
}

/* Heartbeat, after a loss: a crashed primary (sockets dropped, nothing sent) is noticed at
 * once — well within 1 s — as connection-lost, and the client is on the
 * backup with failover=true and a fresh snapshot, without trying the dead
 * node first. */
static void
test_failover_crash (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  guint snap, disconnected, connected;
  gint64 crashed_at;

  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  snap = connect_to_primary (f);

  crashed_at = now_ms ();
  attendant_node_crash (node (f, "primary"));

  disconnected = wait_event (f->rec, EV_DISCONNECTED, snap, 1000);
  assert_reason (ev_at (f->rec, disconnected), ATTENDANT_CLOSE_REASON_CONNECTION_LOST);
  g_assert_cmpint (ev_at (f->rec, disconnected)->time - crashed_at, <, 1000);

  connected = wait_event (f->rec, EV_CONNECTED, disconnected, 5000);
  assert_connected_to (ev_at (f->rec, connected), BACKUP_HOST, node_port (f, "backup", "plain"),
                       "127.0.0.2", TRUE, FALSE);
  assert_failover_cycle (f, disconnected, connected);
  g_assert_cmpint (ev_at (f->rec, connected)->time - crashed_at, <, 1000);

  g_assert_cmpuint (attendant_client_get_failovers (f->client), ==, 1);
  g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_CONNECTED);
  g_assert_true (attendant_client_get_session (f->client) == ev_session (ev_at (f->rec, connected)));
  /* On the backup, whatever order this cycle tried the nodes in. */
  g_assert_false (attendant_client_get_on_preferred (f->client));
  assert_fresh_snapshot (f, snap, connected);
  g_assert_cmpint (node_logged_in (f, "backup"), ==, 1);
}

/* Heartbeat: a frozen primary (TCP alive, silent above it) is declared dead after
 * two heartbeat intervals of silence — not sooner than one, not later than
 * two plus slack — and the client is on the backup at once: the frozen
 * node, last in the plan, costs no attempt timeout. */
static void
test_failover_freeze (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  guint snap, disconnected, connected;
  gint64 frozen_at, detected;

  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  snap = connect_to_primary (f);

  /* Let a heartbeat or two go by, so the deadline is the steady one. */
  attendant_test_run_for (HEARTBEAT_S * 1000 + 200);
  g_assert_cmpint (find_event (f->rec, EV_DISCONNECTED, 0), ==, -1);

  frozen_at = now_ms ();
  attendant_node_freeze (node (f, "primary"));

  disconnected = wait_event (f->rec, EV_DISCONNECTED, snap, 2 * HEARTBEAT_S * 1000 + 700);
  assert_reason (ev_at (f->rec, disconnected), ATTENDANT_CLOSE_REASON_HEARTBEAT_TIMEOUT);
  detected = ev_at (f->rec, disconnected)->time - frozen_at;
  g_test_message ("frozen primary detected after %" G_GINT64_FORMAT " ms", detected);
  g_assert_cmpint (detected, >=, HEARTBEAT_S * 1000 - 200);
  g_assert_cmpint (detected, <=, 2 * HEARTBEAT_S * 1000 + 700);

  connected = wait_event (f->rec, EV_CONNECTED, disconnected, 5000);
  assert_connected_to (ev_at (f->rec, connected), BACKUP_HOST, node_port (f, "backup", "plain"),
                       "127.0.0.2", TRUE, FALSE);
  assert_failover_cycle (f, disconnected, connected);
  /* Far less than the 2 s attempt timeout a try of the frozen node costs. */
  g_assert_cmpint (ev_at (f->rec, connected)->time - ev_at (f->rec, disconnected)->time, <, 1000);
  assert_fresh_snapshot (f, snap, connected);

  attendant_node_thaw (node (f, "primary"));
}

static gboolean
node_stopped (gpointer data)
{
  return attendant_node_get_state (data) == ATTENDANT_NODE_STATE_STOPPED;
}

/* Drain: a draining primary tells its clients; the client moves to the
 * backup at once (long before the 10 s grace), leaves the drained node
 * out of that cycle's plan, and closes its end so the node can stop. */
static void
test_failover_drain (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  guint snap, disconnected, connecting, connected;
  AttendantPlan *plan;
  gint64 drained_at;

  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  snap = connect_to_primary (f);

  drained_at = now_ms ();
  attendant_node_drain (node (f, "primary"), 10.0, "Maintenance");

  disconnected = wait_event (f->rec, EV_DISCONNECTED, snap, 1000);
  assert_reason (ev_at (f->rec, disconnected), ATTENDANT_CLOSE_REASON_DRAIN);

  connected = wait_event (f->rec, EV_CONNECTED, disconnected, 2000);
  assert_connected_to (ev_at (f->rec, connected), BACKUP_HOST, node_port (f, "backup", "plain"),
                       "127.0.0.2", TRUE, FALSE);
  g_assert_cmpint (ev_at (f->rec, connected)->time - drained_at, <, 1000);

  /* The drained node was not in that cycle at all. */
  connecting = (guint)find_event (f->rec, EV_CONNECTING, disconnected);
  g_assert_cmpuint (connecting, <, connected);
  plan = ev_plan (ev_at (f->rec, connecting));
  g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, 1);
  g_assert_false (plan_has_host (plan, PRIMARY_HOST));
  for (guint i = connecting; i < connected; i++)
    if (ev_at (f->rec, i)->kind == EV_ATTEMPT)
      assert_attempt (ev_at (f->rec, i), BACKUP_HOST, 0, ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);

  assert_fresh_snapshot (f, snap, connected);

  /* The client left by itself: the node finishes draining long before
   * its 10 s grace is over. */
  wait_until (node_stopped, node (f, "primary"), 3000, f->rec, "end of the drain");
}

/* }}} */
/* {{{ Failback */

typedef struct
{
  Fixture  *f;
  gboolean  closed;
  gint64    primary_logged_in;
} BreakWatch;

static void
old_session_state_cb (AttendantSession *session,
                      GParamSpec       *pspec,
                      BreakWatch       *watch)
{
  if (watch->closed || attendant_session_get_state (session) != ATTENDANT_SESSION_STATE_CLOSED)
    return;

  /* What the primary knows at the moment the old session ends: a client
   * that broke before making would not be logged in there yet. */
  watch->closed = TRUE;
  watch->primary_logged_in = node_logged_in (watch->f, "primary");
}

/* Crash the primary, fail over to the backup; returns the index of the
 * backup's snapshot. */
static guint
fail_over_to_backup (Fixture *f)
{
  guint snap = connect_to_primary (f);
  guint connected;

  attendant_node_crash (node (f, "primary"));
  connected = wait_event (f->rec, EV_CONNECTED, snap, 5000);
  assert_connected_to (ev_at (f->rec, connected), BACKUP_HOST, node_port (f, "backup", "plain"),
                       "127.0.0.2", TRUE, FALSE);

  return wait_event (f->rec, EV_SNAPSHOT, connected, 5000);
}

/* Failback: on the backup after a failover, with failback every 1 s: once the
 * primary is back, the client moves there (failback=true, failover=false),
 * logged in on the primary before the backup's session is closed, and
 * without a "disconnected" in between. */
static void
test_failback_idle (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  g_autoptr(GError) error = NULL;
  BreakWatch watch = { f, FALSE, -1 };
  AttendantSession *old;
  guint snap, connected;
  gulong handler;
  gint64 restarted_at;

  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  g_object_set (f->client, "failback", TRUE, "failback-interval", 1u, NULL);
  snap = fail_over_to_backup (f);

  old = g_object_ref (attendant_client_get_session (f->client));
  handler = g_signal_connect (old, "notify::state", G_CALLBACK (old_session_state_cb), &watch);

  restarted_at = now_ms ();
  attendant_node_start (node (f, "primary"), &error);
  g_assert_no_error (error);

  connected = wait_event (f->rec, EV_CONNECTED, snap, 5000);
  assert_connected_to (ev_at (f->rec, connected), PRIMARY_HOST, node_port (f, "primary", "plain"),
                       "127.0.0.1", FALSE, TRUE);
  g_test_message ("failback %" G_GINT64_FORMAT " ms after the restart",
                  ev_at (f->rec, connected)->time - restarted_at);
  g_assert_cmpint (ev_at (f->rec, connected)->time - restarted_at, <=, 3000);

  /* Make before break. */
  g_assert_true (watch.closed);
  g_assert_cmpint (watch.primary_logged_in, ==, 1);
  g_assert_cmpint (attendant_session_get_state (old), ==, ATTENDANT_SESSION_STATE_CLOSED);
  g_assert_cmpuint (count_events (f->rec, EV_DISCONNECTED, snap, connected), ==, 0);
  g_assert_true (attendant_client_get_session (f->client) == ev_session (ev_at (f->rec, connected)));
  g_assert_cmpuint (attendant_client_get_failovers (f->client), ==, 1);
  g_assert_true (attendant_client_get_on_preferred (f->client));

  wait_event (f->rec, EV_SNAPSHOT, connected, 5000);
  g_signal_handler_disconnect (old, handler);
  g_object_unref (old);
}

/* Failback: none while the attendant has a call in progress through the
 * backup; once it is hung up, the client moves back. */
static void
test_failback_call_in_progress (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  g_autoptr(GError) error = NULL;
  g_auto(Reply) answer = { 0 };
  g_auto(Reply) hangup = { 0 };
  g_autofree char *id = NULL;
  AttendantSession *backup_session;
  guint snap, mark, connected;
  gint64 hung_up_at;

  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  g_object_set (f->client, "failback", TRUE, "failback-interval", 1u, NULL);
  snap = fail_over_to_backup (f);
  backup_session = attendant_client_get_session (f->client);

  id = inject_call (f);
  wait_call_state (f->rec, snap, id, "queued", 5000);
  send_command (f->rec, "call.answer", "call", id, &answer);
  wait_reply (&answer, 5000, "reply to call.answer");
  g_assert_no_error (answer.error);
  g_assert_true (attendant_client_get_call_in_progress (f->client));

  attendant_node_start (node (f, "primary"), &error);
  g_assert_no_error (error);

  /* Three failback intervals and more: the client stays. */
  mark = f->rec->events->len;
  attendant_test_run_for (3500);
  if (find_event (f->rec, EV_CONNECTED, mark) >= 0)
    {
      recorder_dump (f->rec);
      g_error ("the client failed back during a call");
    }
  g_assert_true (attendant_client_get_session (f->client) == backup_session);
  g_assert_cmpint (node_logged_in (f, "primary"), ==, 0);

  send_command (f->rec, "call.hangup", "call", id, &hangup);
  wait_reply (&hangup, 5000, "reply to call.hangup");
  g_assert_no_error (hangup.error);
  g_assert_false (attendant_client_get_call_in_progress (f->client));
  hung_up_at = now_ms ();

  connected = wait_event (f->rec, EV_CONNECTED, mark, 4000);
  assert_connected_to (ev_at (f->rec, connected), PRIMARY_HOST, node_port (f, "primary", "plain"),
                       "127.0.0.1", FALSE, TRUE);
  g_assert_cmpint (ev_at (f->rec, connected)->time - hung_up_at, <=, 3000);
}

/* }}} */
/* {{{ Discovery rules across cycles */

/* An answered SRV query is the whole plan: when SRV answered, the node list of hello (here naming a third
 * live listener on 127.0.0.3) is never contacted — not after a failover,
 * not when both SRV targets are dead and the client cycles. */
static void
test_srv_node_list_ignored (void)
{
  g_autoptr(AttendantTestServer) third = NULL;
  g_autoptr(Fixture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *nodes = NULL;
  GPtrArray *announced;
  AttendantSession *session;
  guint snap, connected, disconnected, cycles;
  gboolean named = FALSE;
  guint16 third_port;

  third = attendant_test_server_new ("127.0.0.3", 0, &error);
  g_assert_no_error (error);
  third_port = attendant_test_server_get_port (third);

  nodes = g_strdup_printf ("[node primary]\n"
                           "plain=127.0.0.1:0\n"
                           "advertise=127.0.0.3:%u:plain\n"
                           "\n"
                           "[node backup]\n"
                           "plain=127.0.0.2:0\n"
                           "advertise=127.0.0.3:%u:plain\n",
                           third_port, third_port);
  f = fixture_new (nodes);
  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  snap = connect_to_primary (f);

  /* The server did announce the third listener. */
  session = attendant_client_get_session (f->client);
  announced = attendant_greeting_get_nodes (ATTENDANT_GREETING (
    attendant_connection_get_greeting (attendant_session_get_connection (session))));
  for (guint i = 0; i < announced->len; i++)
    {
      AttendantEndpoint *endpoint = g_ptr_array_index (announced, i);

      named |= g_str_equal (attendant_endpoint_get_host (endpoint), "127.0.0.3") &&
               attendant_endpoint_get_port (endpoint) == third_port;
    }
  g_assert_true (named);

  attendant_node_crash (node (f, "primary"));
  connected = wait_event (f->rec, EV_CONNECTED, snap, 5000);
  assert_connected_to (ev_at (f->rec, connected), BACKUP_HOST, node_port (f, "backup", "plain"),
                       "127.0.0.2", TRUE, FALSE);

  attendant_node_crash (node (f, "backup"));
  disconnected = wait_event (f->rec, EV_DISCONNECTED, connected, 2000);

  /* Three whole cycles with both SRV targets refusing. */
  cycles = disconnected;
  for (guint i = 0; i < 3; i++)
    cycles = wait_event (f->rec, EV_RECONNECT, cycles, 10000) + 1;

  g_assert_cmpuint (attendant_test_server_get_n_connections (third), ==, 0);
  for (guint i = 0; i < f->rec->events->len; i++)
    {
      Ev *ev = ev_at (f->rec, i);

      if (ev->kind == EV_CONNECTING)
        {
          AttendantPlan *plan = ev_plan (ev);

          g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_SRV);
          g_assert_false (plan_has_host (plan, "127.0.0.3"));
          for (guint j = 0; j < attendant_plan_get_n_endpoints (plan); j++)
            g_assert_cmpint (attendant_endpoint_get_origin (attendant_plan_get_endpoint (plan, j)), ==,
                             ATTENDANT_ENDPOINT_ORIGIN_SRV);
        }
      else if (ev->kind == EV_ATTEMPT)
        {
          const char *host = attendant_endpoint_get_host (attendant_attempt_get_endpoint (ev_attempt (ev)));

          g_assert_true (g_str_equal (host, PRIMARY_HOST) || g_str_equal (host, BACKUP_HOST));
        }
    }
}

/* Fallback when SRV fails, and the node list: the SRV query fails (SERVFAIL) and the domain itself resolves
 * to the primary: the fallback plan reaches it on the default port; its
 * hello's node list is remembered, and once the primary dies the next
 * cycle does use it and reaches the backup it names. */
static void
test_srv_failed_fallback (void)
{
  g_autoptr(Fixture) f = NULL;
  AttendantPlan *plan;
  AttendantEndpoint *endpoint;
  GPtrArray *announced;
  g_autofree char *backup_port = NULL;
  guint snap, connected, connecting;
  gboolean named = FALSE;

  /* The fallback goes to the default port: a loopback address of its own
   * keeps it clear of anything else on this machine. */
  f = fixture_new ("[node primary]\n"
                   "plain=127.0.0.61:51234\n"
                   "\n"
                   "[node backup]\n"
                   "plain=127.0.0.2:0\n");
  attendant_test_resolver_set_error (f->resolver, "_iac._tcp.fallback.test",
                                     G_RESOLVER_ERROR_TEMPORARY_FAILURE, "SERVFAIL");
  attendant_test_resolver_add_address (f->resolver, "fallback.test", "127.0.0.61");
  fixture_client (f, "fallback.test", ATTENDANT_TRANSPORT_PLAIN);
  start_client (f);

  connected = wait_event (f->rec, EV_CONNECTED, 0, 10000);
  assert_connected_to (ev_at (f->rec, connected), "fallback.test", ATTENDANT_DEFAULT_PORT_PLAIN,
                       "127.0.0.61", FALSE, FALSE);
  plan = ev_plan (ev_at (f->rec, 0));
  g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_FALLBACK);
  g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_FAILED);
  g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, 1);
  g_assert_cmpint (attendant_endpoint_get_origin (attendant_plan_get_endpoint (plan, 0)), ==,
                   ATTENDANT_ENDPOINT_ORIGIN_FALLBACK);
  snap = wait_event (f->rec, EV_SNAPSHOT, connected, 5000);

  announced = attendant_greeting_get_nodes (ATTENDANT_GREETING (
    attendant_connection_get_greeting (attendant_session_get_connection (ev_session (ev_at (f->rec, connected))))));
  for (guint i = 0; i < announced->len; i++)
    {
      AttendantEndpoint *e = g_ptr_array_index (announced, i);

      named |= g_str_equal (attendant_endpoint_get_host (e), "127.0.0.2") &&
               attendant_endpoint_get_port (e) == node_port (f, "backup", "plain");
    }
  g_assert_true (named);

  attendant_node_crash (node (f, "primary"));
  connected = wait_event (f->rec, EV_CONNECTED, snap, 10000);
  endpoint = session_endpoint (ev_session (ev_at (f->rec, connected)));
  assert_connected_to (ev_at (f->rec, connected), "127.0.0.2", node_port (f, "backup", "plain"),
                       "127.0.0.2", TRUE, FALSE);
  g_assert_cmpint (attendant_endpoint_get_origin (endpoint), ==, ATTENDANT_ENDPOINT_ORIGIN_NODE_LIST);

  /* That cycle's plan: still the fallback, now followed by the node list. */
  connecting = (guint)find_event (f->rec, EV_CONNECTING, snap);
  plan = ev_plan (ev_at (f->rec, connecting));
  g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_FALLBACK);
  g_assert_true (plan_has_host (plan, "127.0.0.2"));
  g_assert_true (plan_has_host (plan, "fallback.test"));
}

/* }}} */
/* {{{ Backoff */

/* After a loss: with every endpoint down, the delays of reconnect-scheduled follow
 * exponential backoff with full jitter — the n-th within its cap of 1 s,
 * 2 s, 4 s, 8 s, not all at the cap — and are honoured; few cycles in a
 * 5 s window, so no tight loop. "Reconnect now" starts a cycle at once
 * and begins the backoff again from 1 s. */
static void
test_backoff_all_down (void)
{
  g_autoptr(Fixture) f = fixture_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) closed1 = NULL;
  g_autoptr(GSocket) closed2 = NULL;
  g_autoptr(GSocketAddress) a1 = NULL;
  g_autoptr(GSocketAddress) a2 = NULL;
  guint16 p1, p2;
  gint64 started;
  guint index = 0;
  guint reconnects[4];
  gboolean jittered = FALSE;
  guint in_window = 0;
  guint connecting, next;
  gint64 asked;

  closed1 = attendant_test_closed_port_new ("127.0.0.1", 0, &error);
  g_assert_no_error (error);
  closed2 = attendant_test_closed_port_new ("127.0.0.2", 0, &error);
  g_assert_no_error (error);
  a1 = g_socket_get_local_address (closed1, &error);
  g_assert_no_error (error);
  a2 = g_socket_get_local_address (closed2, &error);
  g_assert_no_error (error);
  p1 = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (a1));
  p2 = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (a2));
  attendant_test_resolver_add_srv (f->resolver, SRV_PLAIN, PRIMARY_HOST, p1, 10, 100);
  attendant_test_resolver_add_srv (f->resolver, SRV_PLAIN, BACKUP_HOST, p2, 8, 100);

  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  started = now_ms ();
  start_client (f);

  for (guint k = 0; k < G_N_ELEMENTS (reconnects); k++)
    {
      Ev *ev;
      guint cap = 1000u << k;
      int cycle_start;

      reconnects[k] = wait_event (f->rec, EV_RECONNECT, index, cap + 3000);
      ev = ev_at (f->rec, reconnects[k]);
      g_test_message ("backoff %u: %u ms (cap %u ms)", k, ev->delay_ms, cap);
      g_assert_cmpuint (ev->delay_ms, >=, 1);
      g_assert_cmpuint (ev->delay_ms, <=, cap);
      jittered |= ev->delay_ms < cap;
      g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_WAITING);

      /* Each cycle tried both endpoints, each refused. */
      cycle_start = k == 0 ? 0 : (int)reconnects[k - 1] + 1;
      g_assert_cmpuint (count_events (f->rec, EV_CONNECTING, (guint)cycle_start, reconnects[k]), ==, 1);
      g_assert_cmpuint (count_events (f->rec, EV_ATTEMPT, (guint)cycle_start, reconnects[k]), ==, 2);
      for (guint i = (guint)cycle_start; i < reconnects[k]; i++)
        if (ev_at (f->rec, i)->kind == EV_ATTEMPT)
          g_assert_cmpint (attendant_attempt_get_outcome (ev_attempt (ev_at (f->rec, i))), ==,
                           ATTENDANT_ATTEMPT_OUTCOME_REFUSED);

      /* The delay is honoured: the next cycle starts no sooner, and not
       * much later. */
      if (k + 1 < G_N_ELEMENTS (reconnects))
        {
          Ev *next_cycle;

          next = wait_event (f->rec, EV_CONNECTING, reconnects[k], ev->delay_ms + 2000);
          next_cycle = ev_at (f->rec, next);
          g_assert_cmpint (next_cycle->time - ev->time, >=, (gint64)ev->delay_ms - 2);
          g_assert_cmpint (next_cycle->time - ev->time, <=, (gint64)ev->delay_ms + 1000);
        }
      index = reconnects[k] + 1;
    }
  g_assert_true (jittered);

  /* No tight loop: in the first 5 s, a handful of cycles. With full
   * jitter under caps of 1, 2, 4, 8 s… more than 7 happen with a
   * probability of about 3e-6; a loop would make hundreds. */
  if (now_ms () < started + 5000)
    attendant_test_run_for ((guint)(started + 5000 - now_ms ()));
  for (guint i = 0; i < f->rec->events->len; i++)
    if (ev_at (f->rec, i)->kind == EV_CONNECTING && ev_at (f->rec, i)->time < started + 5000)
      in_window++;
  g_test_message ("%u cycles in the first 5 s", in_window);
  g_assert_cmpuint (in_window, >=, 2);
  g_assert_cmpuint (in_window, <=, 7);

  /* "Reconnect now", while a delay runs: a cycle at once, and the backoff
   * starts again from its first cap. */
  index = f->rec->events->len;
  asked = now_ms ();
  attendant_client_reconnect_now (f->client);
  connecting = wait_event (f->rec, EV_CONNECTING, index, 1000);
  g_assert_cmpint (ev_at (f->rec, connecting)->time - asked, <, 200);
  g_assert_cmpint (attendant_client_get_next_retry_time (f->client), ==, 0);
  next = wait_event (f->rec, EV_RECONNECT, connecting, 5000);
  g_assert_cmpuint (ev_at (f->rec, next)->delay_ms, <=, 1000);
  g_assert_cmpuint (count_events (f->rec, EV_CONNECTING, index, next), ==, 1);
}

/* }}} */
/* {{{ Commands */

/* Nothing silently lost: a command the server carries out: its effect arrives as an event
 * before its reply, which is ok. */
static void
test_command_ok (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  g_auto(Reply) reply = { 0 };
  g_autofree char *id = NULL;
  guint snap, queued;
  int active = -1;

  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  snap = connect_to_primary (f);

  id = inject_call (f);
  queued = wait_call_state (f->rec, snap, id, "queued", 5000);

  send_command (f->rec, "call.answer", "call", id, &reply);
  wait_reply (&reply, 5000, "reply to call.answer");
  g_assert_no_error (reply.error);
  g_assert_nonnull (reply.result);

  for (guint i = queued; i < reply.events_before; i++)
    {
      Ev *ev = ev_at (f->rec, i);

      if (ev->kind == EV_EVENT && g_strcmp0 (json_object_get_string_member (ev->json, "event"), "call.updated") == 0)
        {
          JsonObject *call = json_object_get_object_member (ev->json, "call");

          if (g_strcmp0 (json_object_get_string_member (call, "state"), "active") == 0)
            {
              g_assert_cmpstr (json_object_get_string_member (call, "attendant"), ==, TEST_EXTENSION);
              active = (int)i;
            }
        }
    }
  g_assert_cmpint (active, >=, 0);
  g_assert_true (attendant_client_get_call_in_progress (f->client));
}

/* Nothing silently lost: a command the server refuses fails with COMMAND_FAILED, naming the
 * server's error code; so does one it does not know. */
static void
test_command_refused (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  g_auto(Reply) missing = { 0 };
  g_auto(Reply) unknown = { 0 };

  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  connect_to_primary (f);

  send_command (f->rec, "call.answer", "call", "call-nope", &missing);
  wait_reply (&missing, 5000, "reply to call.answer");
  g_assert_error (missing.error, ATTENDANT_ERROR, ATTENDANT_ERROR_COMMAND_FAILED);
  g_assert_nonnull (strstr (missing.error->message, "not-found"));
  g_assert_null (missing.result);

  send_command (f->rec, "no.such.command", NULL, NULL, &unknown);
  wait_reply (&unknown, 5000, "reply to no.such.command");
  g_assert_error (unknown.error, ATTENDANT_ERROR, ATTENDANT_ERROR_COMMAND_FAILED);
  g_assert_nonnull (strstr (unknown.error->message, "unknown-command"));

  /* The session is none the worse for it. */
  g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_CONNECTED);
  g_assert_cmpint (find_event (f->rec, EV_DISCONNECTED, 0), ==, -1);
}

/* Nothing silently lost: a command issued while disconnected is refused at once, without any
 * network traffic — before the client was started, and in the moment the
 * connection is lost, with no node to go to. */
static void
test_command_not_connected (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  g_auto(Reply) before = { 0 };
  g_auto(Reply) after = { 0 };
  guint snap, disconnected;
  gint64 sent;

  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);

  sent = now_ms ();
  send_command (f->rec, "presence.set", "presence", "away", &before);
  wait_reply (&before, 100, "refusal before start");
  g_assert_error (before.error, ATTENDANT_ERROR, ATTENDANT_ERROR_NOT_CONNECTED);
  g_assert_cmpint (before.time - sent, <, 100);

  attendant_node_stop (node (f, "backup"));
  snap = connect_to_primary (f);
  attendant_node_crash (node (f, "primary"));
  disconnected = wait_event (f->rec, EV_DISCONNECTED, snap, 1000);
  g_assert_null (attendant_client_get_session (f->client));

  sent = now_ms ();
  send_command (f->rec, "presence.set", "presence", "away", &after);
  wait_reply (&after, 100, "refusal while disconnected");
  g_assert_error (after.error, ATTENDANT_ERROR, ATTENDANT_ERROR_NOT_CONNECTED);
  g_assert_cmpint (after.time - sent, <, 100);
  g_assert_cmpuint (count_events (f->rec, EV_CONNECTED, disconnected, G_MAXUINT), ==, 0);
}

/* Nothing silently lost: a command sent to a primary that froze just before is reported
 * "result unknown" when the heartbeat declares the node dead; after the
 * failover, the backup's snapshot tells the truth: the call was never
 * answered (the frozen node read nothing). */
static void
test_command_result_unknown (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  g_auto(Reply) reply = { 0 };
  g_autofree char *id = NULL;
  guint snap, disconnected, connected, fresh;
  JsonObject *call;

  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  snap = connect_to_primary (f);

  id = inject_call (f);
  wait_call_state (f->rec, snap, id, "queued", 5000);

  attendant_node_freeze (node (f, "primary"));
  send_command (f->rec, "call.answer", "call", id, &reply);

  wait_reply (&reply, 2 * HEARTBEAT_S * 1000 + 1000, "reply to call.answer on a frozen node");
  g_assert_error (reply.error, ATTENDANT_ERROR, ATTENDANT_ERROR_RESULT_UNKNOWN);
  g_assert_null (reply.result);

  disconnected = wait_event (f->rec, EV_DISCONNECTED, snap, 1000);
  assert_reason (ev_at (f->rec, disconnected), ATTENDANT_CLOSE_REASON_HEARTBEAT_TIMEOUT);
  connected = wait_event (f->rec, EV_CONNECTED, disconnected, 5000);
  assert_connected_to (ev_at (f->rec, connected), BACKUP_HOST, node_port (f, "backup", "plain"),
                       "127.0.0.2", TRUE, FALSE);

  fresh = wait_event (f->rec, EV_SNAPSHOT, connected, 5000);
  call = find_call (json_object_get_array_member (ev_at (f->rec, fresh)->json, "calls"), id);
  g_assert_nonnull (call);
  g_assert_cmpstr (json_object_get_string_member (call, "state"), ==, "queued");
  g_assert_false (attendant_client_get_call_in_progress (f->client));

  attendant_node_thaw (node (f, "primary"));
}

/* }}} */
/* {{{ Protocol robustness */

/* A SoupServer fed by a GSocketService of ours, as the reference server
 * does it: soup_server_listen() in libsoup 3.2 leaks the GSocket of every
 * connection it accepts, which LeakSanitizer would rightly report. */
typedef struct
{
  SoupServer     *soup;
  GSocketService *service;
  guint16         port;
} HttpListener;

static gboolean
http_incoming_cb (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source_object,
                  gpointer           user_data)
{
  HttpListener *listener = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  soup_server_accept_iostream (listener->soup, G_IO_STREAM (connection), local, remote, &error);
  g_assert_no_error (error);

  return TRUE;
}

static void
http_listen (HttpListener *listener,
             const char   *address)
{
  g_autoptr(GSocketAddress) where = g_inet_socket_address_new_from_string (address, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  listener->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (listener->service), where, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  listener->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (listener->service, "incoming", G_CALLBACK (http_incoming_cb), listener);
  g_socket_service_start (listener->service);
}

static void
http_close (HttpListener *listener)
{
  if (listener->service != NULL)
    {
      g_signal_handlers_disconnect_by_data (listener->service, listener);
      g_socket_service_stop (listener->service);
      g_socket_listener_close (G_SOCKET_LISTENER (listener->service));
      g_clear_object (&listener->service);
    }
  if (listener->soup != NULL)
    soup_server_disconnect (listener->soup);
  g_clear_object (&listener->soup);
}

/* A WebSocket server of the test's own that speaks attendant.v1 well
 * enough to log the client in (hello, SCRAM-SHA-256 with the real
 * credentials, an empty snapshot, pongs), then, when told, breaks the
 * protocol. */

typedef enum
{
  HOSTILE_GARBAGE,
  HOSTILE_BINARY,
  HOSTILE_OVERSIZED,
  HOSTILE_BAD_UTF8,
} HostileMode;

typedef struct
{
  SoupWebsocketConnection *websocket;
  AttendantScram          *scram;
  gboolean                 ready;
} HostileConnection;

typedef struct
{
  HttpListener  http;
  GPtrArray    *connections;
} Hostile;

static void
hostile_connection_free (HostileConnection *connection)
{
  g_signal_handlers_disconnect_by_data (connection->websocket, connection);
  if (soup_websocket_connection_get_state (connection->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (connection->websocket, ATTENDANT_CLOSE_GOING_AWAY, NULL);
  g_clear_object (&connection->websocket);
  g_clear_object (&connection->scram);
  g_free (connection);
}

static AttendantScramCredentials *
hostile_lookup (const char *user,
                gpointer    user_data)
{
  if (g_strcmp0 (user, TEST_USER) != 0)
    return NULL;

  return attendant_scram_credentials_new_from_password (TEST_PASSWORD, 4096, NULL);
}

static void
hostile_send (HostileConnection *connection,
              JsonObject        *message)
{
  g_autofree char *text = attendant_protocol_encode (message);

  soup_websocket_connection_send_text (connection->websocket, text);
}

static void
hostile_message_cb (SoupWebsocketConnection *websocket,
                    gint                     type,
                    GBytes                  *bytes,
                    HostileConnection       *connection)
{
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  const char *kind;
  gboolean done = FALSE;

  message = attendant_protocol_decode (data, length, &error);
  g_assert_no_error (error);
  kind = attendant_protocol_get_type (message);

  if (g_str_equal (kind, "ping"))
    {
      answer = attendant_protocol_message_new ("pong");
      json_object_set_int_member (answer, "id", json_object_get_int_member (message, "id"));
      hostile_send (connection, answer);
    }
  else if (g_str_equal (kind, "auth.start"))
    {
      connection->scram = attendant_scram_new_server (hostile_lookup, NULL, &error);
      g_assert_no_error (error);
      out = attendant_scram_step (connection->scram, json_object_get_string_member (message, "data"),
                                  &done, &error);
      g_assert_no_error (error);
      answer = attendant_protocol_message_new ("auth.challenge");
      json_object_set_string_member (answer, "data", out);
      hostile_send (connection, answer);
    }
  else if (g_str_equal (kind, "auth.finish"))
    {
      g_autoptr(JsonObject) snapshot = attendant_protocol_message_new ("snapshot");
      g_autoptr(JsonObject) me = json_object_new ();

      out = attendant_scram_step (connection->scram, json_object_get_string_member (message, "data"),
                                  &done, &error);
      g_assert_no_error (error);
      g_assert_true (done);
      answer = attendant_protocol_message_new ("auth.ok");
      json_object_set_string_member (answer, "data", out);
      hostile_send (connection, answer);

      json_object_set_int_member (snapshot, "seq", 0);
      json_object_set_string_member (me, "user", TEST_USER);
      json_object_set_string_member (me, "extension", TEST_EXTENSION);
      json_object_set_object_member (snapshot, "me", g_steal_pointer (&me));
      json_object_set_array_member (snapshot, "directory", json_array_new ());
      json_object_set_array_member (snapshot, "queues", json_array_new ());
      json_object_set_array_member (snapshot, "calls", json_array_new ());
      hostile_send (connection, snapshot);
      connection->ready = TRUE;
    }
}

static void
hostile_websocket_cb (SoupServer              *soup,
                      SoupServerMessage       *msg,
                      const char              *path,
                      SoupWebsocketConnection *websocket,
                      gpointer                 user_data)
{
  Hostile *hostile = user_data;
  HostileConnection *connection = g_new0 (HostileConnection, 1);
  g_autoptr(JsonObject) hello = attendant_protocol_message_new ("hello");

  connection->websocket = g_object_ref (websocket);
  g_ptr_array_add (hostile->connections, connection);
  g_signal_connect (websocket, "message", G_CALLBACK (hostile_message_cb), connection);

  json_object_set_int_member (hello, "protocol", ATTENDANT_PROTOCOL_VERSION);
  json_object_set_string_member (hello, "server", "hostile");
  json_object_set_string_member (hello, "node", "hostile");
  json_object_set_array_member (hello, "nodes", json_array_new ());
  hostile_send (connection, hello);
}

static Hostile *
hostile_new (const char *address)
{
  Hostile *hostile = g_new0 (Hostile, 1);
  char *protocols[] = { (char *)ATTENDANT_PROTOCOL_SUBPROTOCOL, NULL };

  hostile->connections = g_ptr_array_new_with_free_func ((GDestroyNotify)hostile_connection_free);
  hostile->http.soup = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (hostile->http.soup, ATTENDANT_PROTOCOL_PATH, NULL, protocols,
                                     hostile_websocket_cb, hostile, NULL);
  http_listen (&hostile->http, address);

  return hostile;
}

static void
hostile_free (Hostile *hostile)
{
  g_ptr_array_unref (hostile->connections);
  http_close (&hostile->http);
  g_free (hostile);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Hostile, hostile_free)

static void
hostile_misbehave (Hostile     *hostile,
                   HostileMode  mode)
{
  HostileConnection *connection = NULL;

  for (guint i = 0; i < hostile->connections->len; i++)
    {
      HostileConnection *c = g_ptr_array_index (hostile->connections, i);

      if (c->ready && soup_websocket_connection_get_state (c->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
        connection = c;
    }
  g_assert_nonnull (connection);

  switch (mode)
    {
    case HOSTILE_GARBAGE:
      soup_websocket_connection_send_text (connection->websocket, "this is {not JSON");
      break;

    case HOSTILE_BINARY:
      {
        static const guint8 binary[] = { 0x00, 0xff, 0x7b, 0x7d, 0x01 };

        soup_websocket_connection_send_binary (connection->websocket, binary, sizeof binary);
      }
      break;

    case HOSTILE_OVERSIZED:
      {
        /* A well-formed message, one byte past the 1 MiB limit. */
        const char *head = "{\"type\":\"event\",\"seq\":1,\"event\":\"x\",\"pad\":\"";
        const char *tail = "\"}";
        gsize size = ATTENDANT_PROTOCOL_MAX_MESSAGE + 1;
        g_autofree char *text = g_malloc (size + 1);

        memset (text, 'a', size);
        memcpy (text, head, strlen (head));
        memcpy (text + size - strlen (tail), tail, strlen (tail));
        text[size] = '\0';
        soup_websocket_connection_send_text (connection->websocket, text);
      }
      break;

    case HOSTILE_BAD_UTF8:
      {
        /* libsoup will not send such a text frame, so it goes onto the
         * wire by hand: FIN + text, unmasked (server to client). */
        static const guint8 frame[] = { 0x81, 14, '{', '"', 't', 'y', 'p', 'e', '"', ':', '"',
                                        0xff, 0xfe, '"', '}', '\n' };
        GIOStream *stream = soup_websocket_connection_get_io_stream (connection->websocket);
        GOutputStream *output = g_io_stream_get_output_stream (stream);
        g_autoptr(GError) error = NULL;
        gsize written = 0;

        g_output_stream_write_all (output, frame, sizeof frame, &written, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (written, ==, sizeof frame);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* docs/protocol.md: whatever a logged-in server sends that breaks the protocol — text
 * that is not JSON, a binary frame, a message over 1 MiB, text that is
 * not UTF-8 — ends the session with protocol-error (no crash, no hang);
 * the client then carries on with a new cycle. */
static void
test_protocol_hostile (gconstpointer data)
{
  HostileMode mode = GPOINTER_TO_INT (data);
  g_autoptr(Fixture) f = fixture_new (NULL);
  g_autoptr(Hostile) hostile = hostile_new ("127.0.0.5");
  guint connected, snap, disconnected;

  attendant_test_resolver_add_address (f->resolver, "hostile." DOMAIN, "127.0.0.5");
  attendant_test_resolver_add_srv (f->resolver, SRV_PLAIN, "hostile." DOMAIN, hostile->http.port, 10, 100);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  start_client (f);

  connected = wait_event (f->rec, EV_CONNECTED, 0, 10000);
  snap = wait_event (f->rec, EV_SNAPSHOT, connected, 5000);
  g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_CONNECTED);

  hostile_misbehave (hostile, mode);

  disconnected = wait_event (f->rec, EV_DISCONNECTED, snap, 3000);
  g_test_message ("disconnected: %s", ev_at (f->rec, disconnected)->message);
  assert_reason (ev_at (f->rec, disconnected), ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR);
  g_assert_cmpuint (count_events (f->rec, EV_EVENT, snap, disconnected), ==, 0);

  /* And on it goes: a new cycle, which this server also logs in. */
  wait_event (f->rec, EV_CONNECTING, disconnected, 2000);
  wait_event (f->rec, EV_CONNECTED, disconnected, 5000);

  attendant_client_stop (f->client);
}

static void
not_attendant_cb (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  static const char body[] = "<html><body>It works!</body></html>\n";

  (*(guint *)user_data)++;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, body, sizeof body - 1);
}

/* When an endpoint is reached: an HTTP server that is not Attendant, first in the SRV order, is a
 * protocol-failed attempt, and the client goes on to the next endpoint. */
static void
test_protocol_not_attendant (void)
{
  g_autoptr(Fixture) f = fixture_new (ATTENDANT_TEST_TWO_NODES);
  HttpListener http = { soup_server_new (NULL, NULL), NULL, 0 };
  guint requests = 0;
  guint connected;
  int first;

  soup_server_add_handler (http.soup, NULL, not_attendant_cb, &requests, NULL);
  http_listen (&http, "127.0.0.4");

  attendant_test_resolver_add_address (f->resolver, "www." DOMAIN, "127.0.0.4");
  attendant_test_resolver_add_srv (f->resolver, SRV_PLAIN, "www." DOMAIN, http.port, 20, 100);
  publish_srv (f, ATTENDANT_TRANSPORT_PLAIN);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_PLAIN);
  start_client (f);

  connected = wait_event (f->rec, EV_CONNECTED, 0, 10000);
  assert_connected_to (ev_at (f->rec, connected), PRIMARY_HOST, node_port (f, "primary", "plain"),
                       "127.0.0.1", FALSE, FALSE);
  g_assert_cmpuint (count_events (f->rec, EV_ATTEMPT, 0, connected), ==, 2);
  first = find_event (f->rec, EV_ATTEMPT, 0);
  assert_attempt (ev_at (f->rec, (guint)first), "www." DOMAIN, 0, ATTENDANT_ATTEMPT_OUTCOME_PROTOCOL_FAILED);
  g_assert_nonnull (attendant_attempt_get_error (ev_attempt (ev_at (f->rec, (guint)first))));
  assert_attempt (ev_at (f->rec, (guint)find_event (f->rec, EV_ATTEMPT, (guint)first + 1)),
                  PRIMARY_HOST, 0, ATTENDANT_ATTEMPT_OUTCOME_CONNECTED);
  g_assert_cmpuint (requests, ==, 1);

  attendant_client_stop (f->client);
  http_close (&http);
}

/* }}} */
/* {{{ TLS */

#define NODES_TLS_FORMAT \
  "[node primary]\n" \
  "tls=127.0.0.1:0\n" \
  "certificate=%s\n" \
  "key=%s\n" \
  "\n" \
  "[node backup]\n" \
  "plain=127.0.0.2:0\n"

/* A TLS client of the fixture's nodes through SRV, trusting the test CA
 * when @with_anchors, started. */
static void
start_tls_client (Fixture  *f,
                  gboolean  with_anchors)
{
  publish_srv (f, ATTENDANT_TRANSPORT_TLS);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_TLS);
  if (with_anchors)
    {
      g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);

      attendant_client_set_extra_anchors (f->client, anchors);
    }
  start_client (f);
}

/* TLS version and identity (docs/architecture.md): the TLS path end to end: SRV for _iacsec._tcp, the certificate
 * checked against the source domain with the test CA as extra anchor,
 * TLS 1.2 or newer reported, login and snapshot over it. */
static void
test_tls (void)
{
  g_autofree char *nodes = g_strdup_printf (NODES_TLS_FORMAT, pki->acme_file, pki->key_file);
  g_autoptr(Fixture) f = fixture_new (nodes);
  AttendantConnection *connection;
  const char *version;
  guint connected;

  start_tls_client (f, TRUE);

  connected = wait_event (f->rec, EV_CONNECTED, 0, 10000);
  assert_connected_to (ev_at (f->rec, connected), PRIMARY_HOST, node_port (f, "primary", "tls"),
                       "127.0.0.1", FALSE, FALSE);
  connection = attendant_session_get_connection (ev_session (ev_at (f->rec, connected)));
  g_assert_true (attendant_connection_is_encrypted (connection));
  g_assert_true (G_IS_TLS_CONNECTION (attendant_connection_get_stream (connection)));
  version = attendant_connection_get_tls_version (connection);
  g_test_message ("negotiated %s", version);
  g_assert_true (g_strcmp0 (version, "TLS 1.2") == 0 || g_strcmp0 (version, "TLS 1.3") == 0);
  g_assert_nonnull (attendant_connection_get_certificate (connection));
  g_assert_cmpint (attendant_plan_get_transport (ev_plan (ev_at (f->rec, 0))), ==, ATTENDANT_TRANSPORT_TLS);

  wait_event (f->rec, EV_SNAPSHOT, connected, 5000);
  g_assert_cmpint (node_logged_in (f, "primary"), ==, 1);
}

/* When the client stops and asks: without the test CA the certificate is untrusted: the client
 * says so and stops — no plain-text fallback, no retry. */
static void
test_tls_untrusted (void)
{
  g_autofree char *nodes = g_strdup_printf (NODES_TLS_FORMAT, pki->acme_file, pki->key_file);
  g_autoptr(Fixture) f = fixture_new (nodes);
  AttendantAttempt *attempt;
  guint rejected, n_events;

  publish_srv (f, ATTENDANT_TRANSPORT_TLS);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_TLS);
  start_client (f);

  rejected = wait_event (f->rec, EV_CERT_REJECTED, 0, 10000);
  attempt = ATTENDANT_ATTEMPT (ev_at (f->rec, rejected)->object);
  g_assert_nonnull (attempt);
  g_assert_cmpint (attendant_attempt_get_outcome (attempt), ==, ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED);
  g_assert_nonnull (attendant_attempt_get_certificate (attempt));
  g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_CERTIFICATE_REJECTED);

  n_events = f->rec->events->len;
  attendant_test_run_for (1500);
  g_assert_cmpuint (f->rec->events->len, ==, n_events);
  g_assert_cmpint (node_logged_in (f, "primary"), ==, 0);
}

typedef enum
{
  PIN_NONE,
  PIN_WRONG_FINGERPRINT,
  PIN_OTHER_IDENTITY,
} PinCase;

static char *
self_signed_pin (const char *identity)
{
  g_autofree char *fingerprint = attendant_test_fingerprint (pki->self_signed_file);

  return g_strdup_printf ("%s %s", identity, fingerprint);
}

static void
set_pins (AttendantClient *client,
          const char      *pin)
{
  const char * const pins[] = { "garbage", pin, NULL };

  g_object_set (client, "trusted-certificates", pins, NULL);
}

/* Trusted certificates: a self-signed certificate is rejected unless the user pinned that
 * very certificate for that very identity (the domain typed): no pin, a
 * pin of another certificate or a pin for another name all stop the
 * client with the certificate, its problem and the identity to show, and
 * no login. Pinning the right one then and reconnecting logs in. */
static void
test_tls_pinned (gconstpointer data)
{
  PinCase pin_case = GPOINTER_TO_INT (data);
  g_autofree char *nodes = g_strdup_printf (NODES_TLS_FORMAT, pki->self_signed_file, pki->key_file);
  g_autoptr(Fixture) f = fixture_new (nodes);
  g_autofree char *right_pin = self_signed_pin (DOMAIN);
  g_autofree char *wrong_pin = NULL;
  g_autofree char *fingerprint = attendant_test_fingerprint (pki->self_signed_file);
  AttendantAttempt *attempt;
  AttendantConnection *connection;
  guint rejected, connected, n_events;
  GTlsCertificateFlags flags;

  switch (pin_case)
    {
    case PIN_NONE:
      break;
    case PIN_WRONG_FINGERPRINT:
      {
        g_autofree char *other = attendant_test_fingerprint (pki->acme_file);

        g_assert_cmpstr (other, !=, fingerprint);
        wrong_pin = g_strdup_printf ("%s %s", DOMAIN, other);
      }
      break;
    case PIN_OTHER_IDENTITY:
      wrong_pin = self_signed_pin ("www." DOMAIN);
      break;
    default:
      g_assert_not_reached ();
    }

  publish_srv (f, ATTENDANT_TRANSPORT_TLS);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_TLS);
  set_pins (f->client, wrong_pin);
  start_client (f);

  rejected = wait_event (f->rec, EV_CERT_REJECTED, 0, 10000);
  attempt = ATTENDANT_ATTEMPT (ev_at (f->rec, rejected)->object);
  g_assert_nonnull (attempt);
  g_assert_cmpint (attendant_attempt_get_outcome (attempt), ==, ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED);
  g_assert_error (attendant_attempt_get_error (attempt), ATTENDANT_ERROR, ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED);
  g_assert_nonnull (attendant_attempt_get_certificate (attempt));
  flags = attendant_attempt_get_certificate_errors (attempt);
  g_assert_cmpint (flags, ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmpstr (attendant_attempt_get_identity (attempt), ==, DOMAIN);
  {
    g_autofree char *pin = attendant_pin_new (attendant_attempt_get_identity (attempt),
                                              attendant_attempt_get_certificate (attempt));

    g_assert_cmpstr (pin, ==, right_pin);
  }
  g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_CERTIFICATE_REJECTED);
  g_assert_cmpint (find_event (f->rec, EV_CONNECTED, 0), ==, -1);

  /* Stopped: no retry, no other node, nobody logged in. */
  n_events = f->rec->events->len;
  attendant_test_run_for (1500);
  g_assert_cmpuint (f->rec->events->len, ==, n_events);
  g_assert_cmpint (node_logged_in (f, "primary"), ==, 0);

  /* "Trust this certificate": the pin, then a new cycle. */
  set_pins (f->client, right_pin);
  attendant_client_reconnect_now (f->client);
  connected = wait_event (f->rec, EV_CONNECTED, n_events, 10000);
  g_assert_cmpint (find_event (f->rec, EV_CERT_REJECTED, n_events), ==, -1);
  connection = attendant_session_get_connection (ev_session (ev_at (f->rec, connected)));
  g_assert_true (attendant_connection_is_encrypted (connection));
  g_assert_cmpstr (attendant_connection_get_certificate_sha256 (connection), ==, fingerprint);
  wait_event (f->rec, EV_SNAPSHOT, connected, 5000);
  g_assert_cmpint (node_logged_in (f, "primary"), ==, 1);
}

#define NODES_TLS_TWO_FORMAT \
  "[node primary]\n" \
  "tls=127.0.0.1:0\n" \
  "certificate=%s\n" \
  "key=%s\n" \
  "\n" \
  "[node backup]\n" \
  "tls=127.0.0.2:0\n" \
  "certificate=%s\n" \
  "key=%s\n"

/* An untrusted certificate fails only its endpoint (docs/architecture.md,
 * "Trusted certificates"): the primary's self-signed one is `tls-failed`
 * and the client logs in on the backup, whose certificate the test CA
 * vouches for, with no certificate-rejected and no question to the user. */
static void
test_tls_untrusted_then_trusted (void)
{
  g_autofree char *nodes = g_strdup_printf (NODES_TLS_TWO_FORMAT, pki->self_signed_file, pki->key_file,
                                            pki->acme_file, pki->key_file);
  g_autoptr(Fixture) f = fixture_new (nodes);
  AttendantAttempt *attempt;
  guint connected;

  start_tls_client (f, TRUE);

  connected = wait_event (f->rec, EV_CONNECTED, 0, 10000);
  assert_connected_to (ev_at (f->rec, connected), BACKUP_HOST, node_port (f, "backup", "tls"),
                       "127.0.0.2", FALSE, FALSE);
  g_assert_cmpuint (count_events (f->rec, EV_ATTEMPT, 0, connected), ==, 2);
  attempt = ev_attempt (ev_at (f->rec, find_event (f->rec, EV_ATTEMPT, 0)));
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_attempt_get_endpoint (attempt)), ==, PRIMARY_HOST);
  g_assert_cmpint (attendant_attempt_get_outcome (attempt), ==, ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED);
  g_assert_error (attendant_attempt_get_error (attempt), ATTENDANT_ERROR, ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED);
  g_assert_cmpint (find_event (f->rec, EV_CERT_REJECTED, 0), ==, -1);

  wait_event (f->rec, EV_SNAPSHOT, connected, 5000);
  g_assert_cmpint (node_logged_in (f, "backup"), ==, 1);
  g_assert_cmpint (node_logged_in (f, "primary"), ==, 0);
}

/* Both certificates untrusted, each its own: nothing is reached, so the
 * cycle ends certificate-rejected, on the FIRST one met (the primary's,
 * which the app offers to trust), and the client stops retrying. */
static void
test_tls_all_untrusted (void)
{
  g_autofree char *nodes = g_strdup_printf (NODES_TLS_TWO_FORMAT, pki->self_signed_file, pki->key_file,
                                            pki->acme_file, pki->key_file);
  g_autoptr(Fixture) f = fixture_new (nodes);
  g_autofree char *fingerprint = attendant_test_fingerprint (pki->self_signed_file);
  AttendantAttempt *attempt;
  guint rejected, n_events;

  start_tls_client (f, FALSE);

  rejected = wait_event (f->rec, EV_CERT_REJECTED, 0, 10000);
  g_assert_cmpuint (count_events (f->rec, EV_ATTEMPT, 0, rejected), ==, 2);
  attempt = ATTENDANT_ATTEMPT (ev_at (f->rec, rejected)->object);
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_attempt_get_endpoint (attempt)), ==, PRIMARY_HOST);
  g_assert_error (attendant_attempt_get_error (attempt), ATTENDANT_ERROR, ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED);
  {
    g_autofree char *sha256 = attendant_tls_certificate_sha256 (attendant_attempt_get_certificate (attempt));

    g_assert_cmpstr (sha256, ==, fingerprint);
  }
  g_assert_cmpint (attendant_client_get_state (f->client), ==, ATTENDANT_CLIENT_STATE_CERTIFICATE_REJECTED);

  /* Stopped: no retry, nobody logged in. */
  n_events = f->rec->events->len;
  attendant_test_run_for (1500);
  g_assert_cmpuint (f->rec->events->len, ==, n_events);
  g_assert_cmpint (node_logged_in (f, "primary"), ==, 0);
  g_assert_cmpint (node_logged_in (f, "backup"), ==, 0);
}

static void
count_notify (guint *notifies)
{
  (*notifies)++;
}

/* Trusted certificates: with the pin already there, the first cycle logs in at once. */
static void
test_tls_pinned_ok (void)
{
  g_autofree char *nodes = g_strdup_printf (NODES_TLS_FORMAT, pki->self_signed_file, pki->key_file);
  g_autoptr(Fixture) f = fixture_new (nodes);
  g_autofree char *pin = self_signed_pin (DOMAIN);
  g_auto(GStrv) read_back = NULL;
  guint notifies = 0;
  guint connected;

  publish_srv (f, ATTENDANT_TRANSPORT_TLS);
  fixture_client (f, DOMAIN, ATTENDANT_TRANSPORT_TLS);
  set_pins (f->client, pin);
  g_object_get (f->client, "trusted-certificates", &read_back, NULL);
  g_assert_cmpuint (g_strv_length (read_back), ==, 2);
  g_assert_cmpstr (read_back[1], ==, pin);

  /* Notified only on a change. */
  g_signal_connect_swapped (f->client, "notify::trusted-certificates", G_CALLBACK (count_notify), &notifies);
  set_pins (f->client, pin);
  g_assert_cmpuint (notifies, ==, 0);
  set_pins (f->client, NULL);
  g_assert_cmpuint (notifies, ==, 1);
  set_pins (f->client, pin);
  g_assert_cmpuint (notifies, ==, 2);
  g_signal_handlers_disconnect_by_data (f->client, &notifies);
  start_client (f);

  connected = wait_event (f->rec, EV_CONNECTED, 0, 10000);
  g_assert_cmpint (find_event (f->rec, EV_CERT_REJECTED, 0), ==, -1);
  assert_connected_to (ev_at (f->rec, connected), PRIMARY_HOST, node_port (f, "primary", "tls"),
                       "127.0.0.1", FALSE, FALSE);
  wait_event (f->rec, EV_SNAPSHOT, connected, 5000);
  g_assert_cmpint (node_logged_in (f, "primary"), ==, 1);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTlsDatabase) system_trust = NULL;
  int status;

  /* First of all: it may start the program again. */
  attendant_test_sanitizer_setup (argv);

  g_unsetenv ("G_TLS_GNUTLS_PRIORITY");
  attendant_tls_init ();

  g_test_init (&argc, &argv, NULL);

  pki = attendant_test_pki_new ();

  /* Load the TLS backend and the system trust store once, here, not
   * inside the first test's attempt timeout. */
  system_trust = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  g_assert_nonnull (system_trust);

  g_test_add_func ("/client/login/ok", test_login_ok);
  g_test_add_func ("/client/login/wrong-password", test_login_wrong_password);
  g_test_add_func ("/client/failover/crash", test_failover_crash);
  g_test_add_func ("/client/failover/freeze", test_failover_freeze);
  g_test_add_func ("/client/failover/drain", test_failover_drain);
  g_test_add_func ("/client/failback/idle", test_failback_idle);
  g_test_add_func ("/client/failback/call-in-progress", test_failback_call_in_progress);
  g_test_add_func ("/client/discovery/srv-node-list-ignored", test_srv_node_list_ignored);
  g_test_add_func ("/client/discovery/srv-failed-fallback", test_srv_failed_fallback);
  g_test_add_func ("/client/backoff/all-down", test_backoff_all_down);
  g_test_add_func ("/client/command/ok", test_command_ok);
  g_test_add_func ("/client/command/refused", test_command_refused);
  g_test_add_func ("/client/command/not-connected", test_command_not_connected);
  g_test_add_func ("/client/command/result-unknown", test_command_result_unknown);
  g_test_add_data_func ("/client/protocol/garbage", GINT_TO_POINTER (HOSTILE_GARBAGE), test_protocol_hostile);
  g_test_add_data_func ("/client/protocol/binary", GINT_TO_POINTER (HOSTILE_BINARY), test_protocol_hostile);
  g_test_add_data_func ("/client/protocol/oversized", GINT_TO_POINTER (HOSTILE_OVERSIZED), test_protocol_hostile);
  g_test_add_data_func ("/client/protocol/bad-utf8", GINT_TO_POINTER (HOSTILE_BAD_UTF8), test_protocol_hostile);
  g_test_add_func ("/client/protocol/not-attendant", test_protocol_not_attendant);
  g_test_add_func ("/client/tls/connected", test_tls);
  g_test_add_func ("/client/tls/untrusted", test_tls_untrusted);
  g_test_add_func ("/client/tls/untrusted-then-trusted", test_tls_untrusted_then_trusted);
  g_test_add_func ("/client/tls/all-untrusted", test_tls_all_untrusted);
  g_test_add_data_func ("/client/tls/pin/none", GINT_TO_POINTER (PIN_NONE), test_tls_pinned);
  g_test_add_data_func ("/client/tls/pin/wrong-fingerprint", GINT_TO_POINTER (PIN_WRONG_FINGERPRINT), test_tls_pinned);
  g_test_add_data_func ("/client/tls/pin/other-identity", GINT_TO_POINTER (PIN_OTHER_IDENTITY), test_tls_pinned);
  g_test_add_func ("/client/tls/pin/ok", test_tls_pinned_ok);

  status = g_test_run ();

  g_clear_pointer (&pki, attendant_test_pki_free);

  return status;
}
