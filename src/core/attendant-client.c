/* attendant-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "attendant-client.h"
#include "attendant-secret.h"
#include "attendant-connector.h"
#include "attendant-discovery.h"
#include "attendant-enum-types.h"
#include "attendant-error.h"
#include "attendant-greeting.h"
#include "attendant-plan-private.h"
#include "attendant-protocol.h"
#include "attendant-pin.h"
#include "attendant-protocol-greeter.h"
#include "attendant-server-spec.h"

/* The whole life of a logged-in client (docs/architecture.md, "Failover
 * and failback"): connection cycles of fresh discovery and strict
 * failover, a session, and what happens when it ends — at once a new cycle
 * with the dead node tried last, exponential backoff with full jitter when
 * nothing answers, a stop when retrying cannot help, moving away from a
 * draining node, failback to a preferred node when the user is idle, a
 * liveness check on network change or resume. Everything it does is told
 * through its signals, which the app, `attendant-cli watch` and the tests
 * consume alike. */
struct _AttendantClient
{
  GObject                 parent_instance;

  AttendantDiscovery     *discovery;
  AttendantConnector     *connector;
  AttendantConnector     *probe_connector;
  GRand                  *rand;

  char                   *server;
  char                   *user;
  char                   *password;
  gboolean                server_insecure; /* the last login refused a weak server */
  AttendantServerSpec    *spec;

  AttendantSession       *session;
  AttendantPlan          *plan;            /* that found the session */
  gint64                  connected_time;  /* monotonic, of the session */
  gboolean                on_preferred;    /* the session is on the first choice */
  char                   *phone_system_reason; /* NULL while the server reaches it */
  gint64                  next_retry_time; /* monotonic, of the backoff */
  AttendantEndpoint      *endpoint;        /* of the session */
  GPtrArray              *node_list;       /* AttendantEndpoint, after fallback/direct */
  AttendantEndpoint      *dead_endpoint;   /* tried last in the next cycle */
  AttendantEndpoint      *drained_endpoint;/* skipped in the next cycle */

  GCancellable           *cycle_cancellable;
  GCancellable           *probe_cancellable;
  GSource                *backoff_source;
  GSource                *failback_source;

  GHashTable             *busy_calls;      /* call id → itself */
  char                   *my_extension;
  char                  **trusted_certificates;

  GNetworkMonitor        *network_monitor;
  gulong                  network_changed_id;
  GDBusConnection        *system_bus;
  guint                   sleep_subscription;
  GCancellable           *bus_cancellable;

  AttendantClientState    state;
  AttendantTransport      transport;
  AttendantPriorityOrder  order;
  guint                   attempt_timeout;
  guint                   heartbeat;
  guint                   failback_interval;
  guint                   backoff_step;
  guint                   failovers;
  guint                   failback : 1;
  guint                   accept_target_identity : 1;
  guint                   lost_connection : 1;
};

G_DEFINE_FINAL_TYPE (AttendantClient, attendant_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SERVER,
  PROP_TRANSPORT,
  PROP_PRIORITY_ORDER,
  PROP_ATTEMPT_TIMEOUT,
  PROP_HEARTBEAT_INTERVAL,
  PROP_FAILBACK,
  PROP_FAILBACK_INTERVAL,
  PROP_ACCEPT_TARGET_IDENTITY,
  PROP_TRUSTED_CERTIFICATES,
  PROP_RESOLVER,
  PROP_STATE,
  PROP_SESSION,
  PROP_FAILOVERS,
  PROP_CALL_IN_PROGRESS,
  PROP_PLAN,
  PROP_CONNECTED_TIME,
  PROP_NEXT_RETRY_TIME,
  PROP_ON_PREFERRED,
  PROP_PHONE_SYSTEM_REASON,
  N_PROPS
};

enum {
  CONNECTING,
  ATTEMPT,
  CONNECTED,
  DISCONNECTED,
  RECONNECT_SCHEDULED,
  AUTH_FAILED,
  CERTIFICATE_REJECTED,
  SNAPSHOT,
  EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

#define BACKOFF_BASE_MS   1000
#define BACKOFF_CAP_MS    60000
#define BACKOFF_FLOOR_MS  50

static void start_cycle (AttendantClient *self);

static void
set_state (AttendantClient      *self,
           AttendantClientState  state)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
cancel_and_clear (GCancellable **cancellable)
{
  if (*cancellable != NULL)
    {
      g_cancellable_cancel (*cancellable);
      g_clear_object (cancellable);
    }
}

static gboolean
call_is_busy (JsonObject *call,
              const char *my_extension)
{
  const char *state = attendant_protocol_get_string (call, "state");
  const char *attendant = attendant_protocol_get_string (call, "attendant");

  return my_extension != NULL && state != NULL && g_strcmp0 (attendant, my_extension) == 0 &&
         (g_str_equal (state, "active") || g_str_equal (state, "held") ||
          g_str_equal (state, "consulting") || g_str_equal (state, "transferring"));
}

static void
update_call (AttendantClient *self,
             JsonObject      *call)
{
  const char *id = attendant_protocol_get_string (call, "id");
  gboolean was_busy = g_hash_table_size (self->busy_calls) > 0;

  if (id == NULL)
    return;

  if (call_is_busy (call, self->my_extension))
    g_hash_table_add (self->busy_calls, g_strdup (id));
  else
    g_hash_table_remove (self->busy_calls, id);

  if (was_busy != (g_hash_table_size (self->busy_calls) > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL_IN_PROGRESS]);
}

/* The snapshot's "phone_system" or a "phone-system" message: what to show
 * while the telephone system is out of reach, %NULL while it is not (or
 * the server does not say: a server from before the member). */
static char *
phone_system_reason (JsonObject *phone_system)
{
  JsonNode *reachable = phone_system != NULL ? json_object_get_member (phone_system, "reachable") : NULL;
  const char *reason;

  if (reachable == NULL || !JSON_NODE_HOLDS_VALUE (reachable) ||
      json_node_get_value_type (reachable) != G_TYPE_BOOLEAN || json_node_get_boolean (reachable))
    return NULL;

  reason = attendant_protocol_get_string (phone_system, "reason");
  if (reason == NULL || reason[0] == '\0')
    return g_strdup (_("The phone system cannot be reached"));

  /* A sentence for a banner, not a page. */
  return g_utf8_substring (reason, 0, MIN (g_utf8_strlen (reason, -1), 240));
}

static void
set_phone_system_reason (AttendantClient *self,
                         char            *reason)
{
  g_autofree char *owned = reason;

  if (g_strcmp0 (self->phone_system_reason, owned) == 0)
    return;

  g_free (self->phone_system_reason);
  self->phone_system_reason = g_steal_pointer (&owned);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHONE_SYSTEM_REASON]);
}

static void
session_snapshot_cb (AttendantSession *session,
                     JsonObject       *snapshot,
                     AttendantClient  *self)
{
  /* "calls" was checked by the decoder; "me" was not (a server could send
   * anything there, and json-glib's getter emits a critical for it). */
  JsonObject *me = attendant_protocol_get_object (snapshot, "me");
  JsonArray *calls = json_object_get_array_member (snapshot, "calls");
  gboolean was_busy = g_hash_table_size (self->busy_calls) > 0;

  g_free (self->my_extension);
  self->my_extension = me ? g_strdup (attendant_protocol_get_string (me, "extension")) : NULL;

  /* The snapshot is the truth: nothing from before it survives. */
  g_hash_table_remove_all (self->busy_calls);
  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonNode *node = json_array_get_element (calls, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        update_call (self, json_node_get_object (node));
    }

  if (was_busy != (g_hash_table_size (self->busy_calls) > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL_IN_PROGRESS]);

  set_phone_system_reason (self, phone_system_reason (attendant_protocol_get_object (snapshot, "phone_system")));

  g_signal_emit (self, signals[SNAPSHOT], 0, snapshot);
}

static void
session_phone_system_cb (AttendantSession *session,
                         JsonObject       *message,
                         AttendantClient  *self)
{
  set_phone_system_reason (self, phone_system_reason (message));
}

static void
session_event_cb (AttendantSession *session,
                  JsonObject       *event,
                  AttendantClient  *self)
{
  const char *kind = json_object_get_string_member (event, "event");

  if (g_str_equal (kind, "call.updated"))
    {
      JsonObject *call = attendant_protocol_get_object (event, "call");

      if (call != NULL)
        update_call (self, call);
    }
  else if (g_str_equal (kind, "call.removed"))
    {
      const char *id = attendant_protocol_get_string (event, "id");

      if (id != NULL && g_hash_table_remove (self->busy_calls, id) &&
          g_hash_table_size (self->busy_calls) == 0)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL_IN_PROGRESS]);
    }

  g_signal_emit (self, signals[EVENT], 0, event);
}

static void session_closed_cb (AttendantSession     *session,
                               AttendantCloseReason  reason,
                               const char           *message,
                               AttendantClient      *self);
static void session_drain_cb  (AttendantSession     *session,
                               const char           *text,
                               AttendantClient      *self);

/* Lets go of the current session without reacting to its end. */
static void
set_on_preferred (AttendantClient *self,
                  gboolean         on_preferred)
{
  if (self->on_preferred == on_preferred)
    return;

  self->on_preferred = on_preferred;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ON_PREFERRED]);
}

static void
drop_session (AttendantClient *self,
              gboolean         close)
{
  g_autoptr(AttendantSession) session = g_steal_pointer (&self->session);

  if (session == NULL)
    return;

  g_signal_handlers_disconnect_by_data (session, self);
  if (close)
    attendant_session_close (session);

  clear_source (&self->failback_source);
  cancel_and_clear (&self->probe_cancellable);
  self->connected_time = 0;
  set_on_preferred (self, FALSE);
  /* Unknown without a server to say: the lost connection is what to show. */
  set_phone_system_reason (self, NULL);
  g_clear_object (&self->plan);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAN]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED_TIME]);
}

static void
install_session (AttendantClient  *self,
                 AttendantSession *session,
                 AttendantPlan    *plan)
{
  g_assert (self->session == NULL);

  self->session = g_object_ref (session);
  self->plan = g_object_ref (plan);
  self->connected_time = g_get_monotonic_time ();
  g_set_object (&self->endpoint,
                attendant_connection_get_endpoint (attendant_session_get_connection (session)));

  g_signal_connect (session, "snapshot", G_CALLBACK (session_snapshot_cb), self);
  g_signal_connect (session, "event", G_CALLBACK (session_event_cb), self);
  g_signal_connect (session, "phone-system", G_CALLBACK (session_phone_system_cb), self);
  g_signal_connect (session, "closed", G_CALLBACK (session_closed_cb), self);
  g_signal_connect (session, "drain", G_CALLBACK (session_drain_cb), self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAN]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED_TIME]);
}

/* The UI counts down to it; the delay of ::reconnect-scheduled alone would
 * drift with every second the UI spends elsewhere. */
static void
set_next_retry_time (AttendantClient *self,
                     gint64           next_retry_time)
{
  if (self->next_retry_time == next_retry_time)
    return;

  self->next_retry_time = next_retry_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_RETRY_TIME]);
}

static gboolean
backoff_cb (gpointer user_data)
{
  AttendantClient *self = user_data;

  g_clear_pointer (&self->backoff_source, g_source_unref);
  start_cycle (self);

  return G_SOURCE_REMOVE;
}

/* Exponential backoff with full jitter, so that hundreds of clients
 * that lost the same server do not come back in lockstep, with a small
 * floor so that no draw can turn into a tight loop. */
static void
schedule_backoff (AttendantClient *self)
{
  guint cap = BACKOFF_BASE_MS << MIN (self->backoff_step, 6u);
  guint delay;

  cap = MIN (cap, BACKOFF_CAP_MS);
  delay = (guint)g_rand_int_range (self->rand, BACKOFF_FLOOR_MS, (gint32)cap + 1);
  self->backoff_step++;

  set_state (self, ATTENDANT_CLIENT_STATE_WAITING);

  clear_source (&self->backoff_source);
  self->backoff_source = g_timeout_source_new (delay);
  g_source_set_callback (self->backoff_source, backoff_cb, self, NULL);
  g_source_set_static_name (self->backoff_source, "[attendant] reconnect backoff");
  g_source_attach (self->backoff_source, g_main_context_get_thread_default ());

  set_next_retry_time (self, g_get_monotonic_time () + (gint64)delay * 1000);
  g_signal_emit (self, signals[RECONNECT_SCHEDULED], 0, delay);
}

static void
remember_node_list (AttendantClient   *self,
                    AttendantPlan     *plan,
                    AttendantSession  *session)
{
  GObject *greeting = attendant_connection_get_greeting (attendant_session_get_connection (session));

  /* After SRV, the node list (private addresses, usually) is ignored
   * entirely; after a fallback or a direct connection, it is what later
   * cycles try when the domain itself is down (docs/architecture.md, "The
   * node list"). */
  if (attendant_plan_get_method (plan) == ATTENDANT_DISCOVERY_METHOD_SRV ||
      !ATTENDANT_IS_GREETING (greeting))
    return;

  g_clear_pointer (&self->node_list, g_ptr_array_unref);
  self->node_list = g_ptr_array_ref (attendant_greeting_get_nodes (ATTENDANT_GREETING (greeting)));
}

static gboolean
is_first_choice (AttendantPlan     *plan,
                 AttendantEndpoint *endpoint)
{
  return attendant_plan_get_n_endpoints (plan) > 0 &&
         attendant_endpoint_equal (attendant_plan_get_endpoint (plan, 0), endpoint);
}

static void failback_probe (AttendantClient *self);

static gboolean
failback_cb (gpointer user_data)
{
  failback_probe (user_data);
  return G_SOURCE_CONTINUE;
}

static void
start_failback_timer (AttendantClient *self)
{
  clear_source (&self->failback_source);

  if (!self->failback)
    return;

  self->failback_source = g_timeout_source_new (self->failback_interval * 1000);
  g_source_set_callback (self->failback_source, failback_cb, self, NULL);
  g_source_set_static_name (self->failback_source, "[attendant] failback probe");
  g_source_attach (self->failback_source, g_main_context_get_thread_default ());
}

typedef struct
{
  AttendantPlan    *plan;
  AttendantPlan    *preferred;  /* the order of preference, before a loss or a drain adjusts it */
  AttendantSession *session;
  GPtrArray        *held;          /* JsonObject: snapshot and events before login_cb */
  char             *drain_text;
  char             *close_message;
  AttendantCloseReason close_reason;
  gboolean          failback;
  gboolean          closed;
} Login;

/* auth.ok and what follows it (the snapshot, events, even the end of the
 * session) can be read in the same main-loop iteration that started the
 * login; GTask then runs login_cb later, so until it has installed the
 * session these handlers keep what arrives, to be replayed in order. */
static void
hold_message_cb (AttendantSession *session,
                 JsonObject       *message,
                 Login            *login)
{
  g_ptr_array_add (login->held, json_object_ref (message));
}

static void
hold_drain_cb (AttendantSession *session,
               const char       *text,
               Login            *login)
{
  if (login->drain_text == NULL)
    login->drain_text = g_strdup (text);
}

static void
hold_closed_cb (AttendantSession     *session,
                AttendantCloseReason  reason,
                const char           *message,
                Login                *login)
{
  login->closed = TRUE;
  login->close_reason = reason;
  g_free (login->close_message);
  login->close_message = g_strdup (message);
}

static void
login_free (Login *login)
{
  if (login->session != NULL)
    g_signal_handlers_disconnect_by_data (login->session, login);
  g_clear_pointer (&login->held, g_ptr_array_unref);
  g_clear_pointer (&login->drain_text, g_free);
  g_clear_pointer (&login->close_message, g_free);
  g_clear_object (&login->plan);
  g_clear_object (&login->preferred);
  g_clear_object (&login->session);
  g_free (login);
}

/* A cycle's plan twice: as discovered, which says which endpoint is
 * preferred, and as walked, with the node that just died moved last
 * and a draining node left out. After a failover the first endpoint
 * walked is the backup: judged by that plan, the backup would look like
 * the first choice and failback would never be tried. */
typedef struct
{
  AttendantPlan *discovered;
  AttendantPlan *walked;
} CyclePlans;

static void
cycle_plans_free (CyclePlans *plans)
{
  g_clear_object (&plans->discovered);
  g_clear_object (&plans->walked);
  g_free (plans);
}

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AttendantClient *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean failover;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      /* Stopped, or superseded by a newer cycle, while logging in. */
      attendant_session_close (login->session);
      return;
    }

  if (!attendant_session_login_finish (login->session, result, &error))
    {
      if (login->failback)
        {
          /* The preferred node did not take us: stay where we are. */
          g_debug ("failback login failed: %s", error->message);
          attendant_session_close (login->session);
          return;
        }

      /* A server that asks for too few iterations is not worth the
       * password on any node either: it may be an impostor on the path. */
      self->server_insecure = g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INSECURE_SERVER);
      if (g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED) || self->server_insecure)
        {
          /* A wrong password is wrong on every node: ask the user. */
          set_state (self, ATTENDANT_CLIENT_STATE_AUTH_FAILED);
          g_signal_emit (self, signals[AUTH_FAILED], 0, error->message);
          return;
        }

      g_signal_emit (self, signals[DISCONNECTED], 0, ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR, error->message);
      schedule_backoff (self);
      return;
    }

  if (login->failback)
    {
      /* Failback makes before it breaks: the new session is logged in
       * before the old one is closed. */
      drop_session (self, TRUE);
    }

  failover = self->lost_connection && !login->failback;
  if (failover)
    self->failovers++;

  self->lost_connection = FALSE;
  self->backoff_step = 0;
  g_clear_object (&self->dead_endpoint);
  g_clear_object (&self->drained_endpoint);

  remember_node_list (self, login->plan, login->session);
  install_session (self, login->session, login->plan);
  set_state (self, ATTENDANT_CLIENT_STATE_CONNECTED);

  if (failover)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILOVERS]);

  set_on_preferred (self, is_first_choice (login->preferred, self->endpoint));
  if (!self->on_preferred)
    start_failback_timer (self);

  g_signal_emit (self, signals[CONNECTED], 0, self->session, failover, login->failback);

  /* What the session said before it was installed, in order. */
  g_signal_handlers_disconnect_by_data (login->session, login);
  for (guint i = 0; i < login->held->len && self->session == login->session; i++)
    {
      JsonObject *message = login->held->pdata[i];

      if (g_strcmp0 (attendant_protocol_get_type (message), "snapshot") == 0)
        session_snapshot_cb (login->session, message, self);
      else if (g_strcmp0 (attendant_protocol_get_type (message), "phone-system") == 0)
        session_phone_system_cb (login->session, message, self);
      else
        session_event_cb (login->session, message, self);
    }

  if (self->session != login->session)
    return;

  if (login->drain_text != NULL)
    session_drain_cb (login->session, login->drain_text, self);
  else if (login->closed)
    session_closed_cb (login->session, login->close_reason, login->close_message, self);
}

static void
begin_login (AttendantClient     *self,
             AttendantPlan       *plan,
             AttendantPlan       *preferred,
             AttendantConnection *connection,
             GCancellable        *cancellable,
             gboolean             failback)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, NULL, NULL);
  Login *login = g_new0 (Login, 1);

  login->plan = g_object_ref (plan);
  login->preferred = g_object_ref (preferred);
  login->session = attendant_session_new (connection, self->heartbeat);
  login->held = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  login->failback = failback;
  g_signal_connect (login->session, "snapshot", G_CALLBACK (hold_message_cb), login);
  g_signal_connect (login->session, "event", G_CALLBACK (hold_message_cb), login);
  g_signal_connect (login->session, "phone-system", G_CALLBACK (hold_message_cb), login);
  g_signal_connect (login->session, "drain", G_CALLBACK (hold_drain_cb), login);
  g_signal_connect (login->session, "closed", G_CALLBACK (hold_closed_cb), login);
  g_task_set_task_data (task, login, (GDestroyNotify)login_free);

  attendant_session_login_async (login->session, self->user, self->password, cancellable,
                                 login_cb, g_object_ref (task));
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AttendantClient *self = g_task_get_source_object (task);
  CyclePlans *plans = g_task_get_task_data (task);
  g_autoptr(AttendantConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = attendant_connector_connect_finish (ATTENDANT_CONNECTOR (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED))
    {
      /* Nothing was reached and a certificate was not trusted: never
       * trust silently, never retry silently; ask about the first one met
       * (docs/architecture.md, "Trusted certificates"). */
      set_state (self, ATTENDANT_CLIENT_STATE_CERTIFICATE_REJECTED);
      g_signal_emit (self, signals[CERTIFICATE_REJECTED], 0,
                     attendant_connector_get_rejected_attempt (ATTENDANT_CONNECTOR (object), result));
      return;
    }

  if (connection == NULL)
    {
      g_debug ("cycle failed: %s", error->message);
      schedule_backoff (self);
      return;
    }

  begin_login (self, plans->walked, plans->discovered, connection,
               g_task_get_cancellable (task), FALSE);
}

/* The plan a cycle really walks: a node that just died goes last (a silent
 * death then costs one detection, not another attempt timeout) and a node
 * that is draining is left out, for this cycle only. */
static AttendantPlan *
adjust_plan (AttendantClient *self,
             AttendantPlan   *plan)
{
  g_autoptr(GPtrArray) first = g_ptr_array_new ();
  g_autoptr(GPtrArray) last = g_ptr_array_new ();

  for (guint i = 0; i < attendant_plan_get_n_endpoints (plan); i++)
    {
      AttendantEndpoint *endpoint = attendant_plan_get_endpoint (plan, i);

      if (self->drained_endpoint != NULL && attendant_endpoint_equal (endpoint, self->drained_endpoint))
        continue;

      if (self->dead_endpoint != NULL && attendant_endpoint_equal (endpoint, self->dead_endpoint))
        g_ptr_array_add (last, endpoint);
      else
        g_ptr_array_add (first, endpoint);
    }

  g_ptr_array_extend (first, last, NULL, NULL);

  return _attendant_plan_new_derived (plan, first);
}

static void
discover_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AttendantClient *self = g_task_get_source_object (task);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantPlan) adjusted = NULL;
  CyclePlans *plans;

  plan = attendant_discovery_discover_finish (ATTENDANT_DISCOVERY (object), result, NULL);
  if (plan == NULL)
    return;

  adjusted = adjust_plan (self, plan);

  /* Only the first cycle after a loss or a drain is adjusted:
   * if it fails, later cycles try the nodes in their own order again. */
  g_clear_object (&self->dead_endpoint);
  g_clear_object (&self->drained_endpoint);
  g_signal_emit (self, signals[CONNECTING], 0, adjusted);

  if (attendant_plan_get_result (plan) == ATTENDANT_DISCOVERY_RESULT_UNAVAILABLE ||
      attendant_plan_get_n_endpoints (adjusted) == 0)
    {
      schedule_backoff (self);
      return;
    }

  plans = g_new0 (CyclePlans, 1);
  plans->discovered = g_object_ref (plan);
  plans->walked = g_object_ref (adjusted);
  g_task_set_task_data (task, plans, (GDestroyNotify)cycle_plans_free);
  attendant_connector_connect_async (self->connector, adjusted, g_task_get_cancellable (task),
                                     connect_cb, g_object_ref (task));
}

static void
configure (AttendantClient *self)
{
  attendant_discovery_set_transport (self->discovery, self->transport);
  attendant_discovery_set_priority_order (self->discovery, self->order);
  attendant_discovery_set_timeout (self->discovery, self->attempt_timeout);

  attendant_connector_set_attempt_timeout (self->connector, self->attempt_timeout);
  attendant_connector_set_accept_target_identity (self->connector, self->accept_target_identity);
  attendant_connector_set_attempt_timeout (self->probe_connector, self->attempt_timeout);
  attendant_connector_set_accept_target_identity (self->probe_connector, self->accept_target_identity);
}

/* Every cycle starts from a fresh SRV query, with the settings as
 * they are now, so a preference changed meanwhile applies at once. */
static void
start_cycle (AttendantClient *self)
{
  g_autoptr(GTask) task = NULL;

  clear_source (&self->backoff_source);
  set_next_retry_time (self, 0);
  cancel_and_clear (&self->cycle_cancellable);
  self->cycle_cancellable = g_cancellable_new ();

  configure (self);
  set_state (self, ATTENDANT_CLIENT_STATE_CONNECTING);

  task = g_task_new (self, self->cycle_cancellable, NULL, NULL);
  attendant_discovery_discover_async (self->discovery, self->spec, self->node_list,
                                      self->cycle_cancellable, discover_cb, g_object_ref (task));
}

static void
connection_lost (AttendantClient      *self,
                 AttendantCloseReason  reason,
                 const char           *message)
{
  self->lost_connection = TRUE;
  drop_session (self, reason == ATTENDANT_CLOSE_REASON_DRAIN);
  g_signal_emit (self, signals[DISCONNECTED], 0, reason, message);

  if (reason == ATTENDANT_CLOSE_REASON_AUTH_FAILED)
    {
      set_state (self, ATTENDANT_CLIENT_STATE_AUTH_FAILED);
      g_signal_emit (self, signals[AUTH_FAILED], 0, message);
      return;
    }

  start_cycle (self);
}

static void
session_closed_cb (AttendantSession     *session,
                   AttendantCloseReason  reason,
                   const char           *message,
                   AttendantClient      *self)
{
  g_set_object (&self->dead_endpoint, self->endpoint);
  connection_lost (self, reason, message);
}

static void
session_drain_cb (AttendantSession *session,
                  const char       *text,
                  AttendantClient  *self)
{
  g_set_object (&self->drained_endpoint, self->endpoint);
  connection_lost (self, ATTENDANT_CLOSE_REASON_DRAIN, text);
}

static void
probe_connect_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AttendantClient *self = g_task_get_source_object (task);
  AttendantPlan *plan = g_task_get_task_data (task);
  g_autoptr(AttendantConnection) connection = NULL;

  connection = attendant_connector_connect_finish (ATTENDANT_CONNECTOR (object), result, NULL);
  if (connection == NULL || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return;

  /* Only move while nobody is on the phone through us. */
  if (self->session == NULL || g_hash_table_size (self->busy_calls) > 0)
    {
      g_io_stream_close_async (attendant_connection_get_stream (connection),
                               G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      return;
    }

  begin_login (self, plan, plan, connection, g_task_get_cancellable (task), TRUE);
}

static void
probe_discover_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AttendantClient *self = g_task_get_source_object (task);
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantPlan) preferred = NULL;
  g_autoptr(GPtrArray) better = g_ptr_array_new ();

  plan = attendant_discovery_discover_finish (ATTENDANT_DISCOVERY (object), result, NULL);
  if (plan == NULL || self->endpoint == NULL)
    return;

  for (guint i = 0; i < attendant_plan_get_n_endpoints (plan); i++)
    {
      AttendantEndpoint *endpoint = attendant_plan_get_endpoint (plan, i);

      if (attendant_endpoint_equal (endpoint, self->endpoint))
        break;
      g_ptr_array_add (better, endpoint);
    }

  if (better->len == 0)
    {
      clear_source (&self->failback_source);
      return;
    }

  preferred = _attendant_plan_new_derived (plan, better);
  g_task_set_task_data (task, g_object_ref (preferred), g_object_unref);
  attendant_connector_connect_async (self->probe_connector, preferred,
                                     g_task_get_cancellable (task),
                                     probe_connect_cb, g_object_ref (task));
}

/* Failback: look for a more preferred node (greeting only) while idle on a
 * less preferred one. */
static void
failback_probe (AttendantClient *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->session == NULL || g_hash_table_size (self->busy_calls) > 0)
    return;

  /* A probe still going after a whole interval is stale: replace it. */
  cancel_and_clear (&self->probe_cancellable);
  self->probe_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->probe_cancellable, NULL, NULL);
  configure (self);
  attendant_discovery_discover_async (self->discovery, self->spec, self->node_list,
                                      self->probe_cancellable, probe_discover_cb,
                                      g_object_ref (task));
}

/* Only the very certificate the user pinned for this very identity;
 * anything else stays rejected and stops the cycle (connect_cb). */
static gboolean
accept_certificate_cb (AttendantConnector   *connector,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       const char           *identity,
                       AttendantClient      *self)
{
  return attendant_pin_list_trusts ((const char * const *)self->trusted_certificates,
                                    identity, certificate);
}

static void
attempt_finished_cb (AttendantConnector *connector,
                     AttendantAttempt   *attempt,
                     AttendantClient    *self)
{
  g_signal_emit (self, signals[ATTEMPT], 0, attempt);
}

static void
check_liveness (AttendantClient *self)
{
  if (self->session != NULL)
    attendant_session_check_liveness (self->session);
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    AttendantClient *self)
{
  check_liveness (self);
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender,
                      const char      *path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  gboolean going_to_sleep = TRUE;

  if (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    g_variant_get (parameters, "(b)", &going_to_sleep);

  /* After a resume, the old TCP connection may be dead without a
   * socket error to show for it. */
  if (!going_to_sleep)
    check_liveness (user_data);
}

static void
system_bus_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  AttendantClient *self;

  if (bus == NULL)
    {
      /* No system bus (a container, CI): no resume notifications. */
      g_debug ("no system bus: %s", error->message);
      return;
    }

  self = ATTENDANT_CLIENT (user_data);
  self->system_bus = bus;
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                        "org.freedesktop.login1.Manager", "PrepareForSleep",
                                        "/org/freedesktop/login1", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        prepare_for_sleep_cb, self, NULL);
}

static void
attendant_client_dispose (GObject *object)
{
  AttendantClient *self = (AttendantClient *)object;

  clear_source (&self->backoff_source);
  clear_source (&self->failback_source);
  cancel_and_clear (&self->cycle_cancellable);
  cancel_and_clear (&self->probe_cancellable);
  cancel_and_clear (&self->bus_cancellable);
  drop_session (self, TRUE);

  if (self->system_bus != NULL && self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);
  g_clear_signal_handler (&self->network_changed_id, self->network_monitor);
  g_clear_object (&self->network_monitor);

  if (self->connector != NULL)
    g_signal_handlers_disconnect_by_data (self->connector, self);
  if (self->probe_connector != NULL)
    g_signal_handlers_disconnect_by_data (self->probe_connector, self);
  g_clear_object (&self->discovery);
  g_clear_object (&self->connector);
  g_clear_object (&self->probe_connector);
  g_clear_object (&self->spec);
  g_clear_object (&self->endpoint);
  g_clear_object (&self->dead_endpoint);
  g_clear_object (&self->drained_endpoint);
  g_clear_pointer (&self->node_list, g_ptr_array_unref);

  G_OBJECT_CLASS (attendant_client_parent_class)->dispose (object);
}

static void
attendant_client_finalize (GObject *object)
{
  AttendantClient *self = (AttendantClient *)object;

  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->server, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->password, attendant_secret_free);
  g_clear_pointer (&self->my_extension, g_free);
  g_clear_pointer (&self->phone_system_reason, g_free);
  g_clear_pointer (&self->trusted_certificates, g_strfreev);
  g_clear_pointer (&self->busy_calls, g_hash_table_unref);

  G_OBJECT_CLASS (attendant_client_parent_class)->finalize (object);
}

static void
attendant_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  AttendantClient *self = ATTENDANT_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_string (value, self->server);
      break;

    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;

    case PROP_PRIORITY_ORDER:
      g_value_set_enum (value, self->order);
      break;

    case PROP_ATTEMPT_TIMEOUT:
      g_value_set_uint (value, self->attempt_timeout);
      break;

    case PROP_HEARTBEAT_INTERVAL:
      g_value_set_uint (value, self->heartbeat);
      break;

    case PROP_FAILBACK:
      g_value_set_boolean (value, self->failback);
      break;

    case PROP_FAILBACK_INTERVAL:
      g_value_set_uint (value, self->failback_interval);
      break;

    case PROP_ACCEPT_TARGET_IDENTITY:
      g_value_set_boolean (value, self->accept_target_identity);
      break;

    case PROP_TRUSTED_CERTIFICATES:
      g_value_set_boxed (value, self->trusted_certificates);
      break;

    case PROP_RESOLVER:
      g_value_set_object (value, attendant_discovery_get_resolver (self->discovery));
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_FAILOVERS:
      g_value_set_uint (value, self->failovers);
      break;

    case PROP_CALL_IN_PROGRESS:
      g_value_set_boolean (value, g_hash_table_size (self->busy_calls) > 0);
      break;

    case PROP_PLAN:
      g_value_set_object (value, self->plan);
      break;

    case PROP_CONNECTED_TIME:
      g_value_set_int64 (value, self->connected_time);
      break;

    case PROP_NEXT_RETRY_TIME:
      g_value_set_int64 (value, self->next_retry_time);
      break;

    case PROP_ON_PREFERRED:
      g_value_set_boolean (value, self->on_preferred);
      break;

    case PROP_PHONE_SYSTEM_REASON:
      g_value_set_string (value, self->phone_system_reason);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_client_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  AttendantClient *self = ATTENDANT_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      if (g_strcmp0 (self->server, g_value_get_string (value)) != 0)
        {
          g_free (self->server);
          self->server = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_TRANSPORT:
      if (self->transport != (AttendantTransport)g_value_get_enum (value))
        {
          self->transport = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_PRIORITY_ORDER:
      if (self->order != (AttendantPriorityOrder)g_value_get_enum (value))
        {
          self->order = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_ATTEMPT_TIMEOUT:
      if (self->attempt_timeout != g_value_get_uint (value))
        {
          self->attempt_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_HEARTBEAT_INTERVAL:
      if (self->heartbeat != g_value_get_uint (value))
        {
          self->heartbeat = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_FAILBACK:
      if (self->failback != g_value_get_boolean (value))
        {
          self->failback = g_value_get_boolean (value);
          if (!self->failback)
            clear_source (&self->failback_source);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_FAILBACK_INTERVAL:
      if (self->failback_interval != g_value_get_uint (value))
        {
          self->failback_interval = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_ACCEPT_TARGET_IDENTITY:
      if (self->accept_target_identity != g_value_get_boolean (value))
        {
          self->accept_target_identity = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_TRUSTED_CERTIFICATES:
      {
        const char * const *pins = g_value_get_boxed (value);
        const char * const empty[] = { NULL };

        if (!g_strv_equal (pins ? pins : empty,
                           self->trusted_certificates ? (const char * const *)self->trusted_certificates : empty))
          {
            g_strfreev (self->trusted_certificates);
            self->trusted_certificates = g_strdupv ((char **)pins);
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;

    case PROP_RESOLVER:
      {
        GResolver *resolver = g_value_get_object (value);

        g_assert (self->discovery == NULL);
        self->discovery = attendant_discovery_new (resolver);
        self->connector = attendant_connector_new (resolver);
        self->probe_connector = attendant_connector_new (resolver);
      }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_client_constructed (GObject *object)
{
  AttendantClient *self = (AttendantClient *)object;
  g_autoptr(AttendantGreeter) greeter = attendant_protocol_greeter_new ();

  G_OBJECT_CLASS (attendant_client_parent_class)->constructed (object);

  /* Constructed without a resolver: the system's. */
  if (self->discovery == NULL)
    {
      self->discovery = attendant_discovery_new (NULL);
      self->connector = attendant_connector_new (NULL);
      self->probe_connector = attendant_connector_new (NULL);
    }

  attendant_connector_set_greeter (self->connector, greeter);
  attendant_connector_set_greeter (self->probe_connector, greeter);
  g_signal_connect (self->connector, "attempt-finished", G_CALLBACK (attempt_finished_cb), self);
  g_signal_connect (self->connector, "accept-certificate", G_CALLBACK (accept_certificate_cb), self);
  g_signal_connect (self->probe_connector, "accept-certificate", G_CALLBACK (accept_certificate_cb), self);

  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_changed_id = g_signal_connect (self->network_monitor, "network-changed",
                                               G_CALLBACK (network_changed_cb), self);

  self->bus_cancellable = g_cancellable_new ();
  g_bus_get (G_BUS_TYPE_SYSTEM, self->bus_cancellable, system_bus_cb, self);
}

static void
attendant_client_class_init (AttendantClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = attendant_client_constructed;
  object_class->dispose = attendant_client_dispose;
  object_class->finalize = attendant_client_finalize;
  object_class->get_property = attendant_client_get_property;
  object_class->set_property = attendant_client_set_property;

  properties[PROP_SERVER] =
    g_param_spec_string ("server", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL,
                       ATTENDANT_TYPE_TRANSPORT, ATTENDANT_TRANSPORT_TLS,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PRIORITY_ORDER] =
    g_param_spec_enum ("priority-order", NULL, NULL,
                       ATTENDANT_TYPE_PRIORITY_ORDER, ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ATTEMPT_TIMEOUT] =
    g_param_spec_uint ("attempt-timeout", NULL, NULL, 1, 60, 5,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_HEARTBEAT_INTERVAL] =
    g_param_spec_uint ("heartbeat-interval", NULL, NULL, 1, 300, 5,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_FAILBACK] =
    g_param_spec_boolean ("failback", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_FAILBACK_INTERVAL] =
    g_param_spec_uint ("failback-interval", NULL, NULL, 1, 3600, 60,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ACCEPT_TARGET_IDENTITY] =
    g_param_spec_boolean ("accept-target-identity", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /**
   * AttendantClient:trusted-certificates:
   *
   * Certificates the user trusted although they failed verification,
   * as pins "IDENTITY SHA256" (see attendant_pin_new()). Read at each
   * handshake, so a pin added after a rejection counts on the next
   * attendant_client_reconnect_now().
   */
  properties[PROP_TRUSTED_CERTIFICATES] =
    g_param_spec_boxed ("trusted-certificates", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_RESOLVER] =
    g_param_spec_object ("resolver", NULL, NULL, G_TYPE_RESOLVER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       ATTENDANT_TYPE_CLIENT_STATE, ATTENDANT_CLIENT_STATE_IDLE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, ATTENDANT_TYPE_SESSION,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_FAILOVERS] =
    g_param_spec_uint ("failovers", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CALL_IN_PROGRESS] =
    g_param_spec_boolean ("call-in-progress", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * AttendantClient:plan:
   *
   * The plan of the cycle that found the current session (how the server
   * was discovered, the SRV query and its records), or %NULL.
   */
  properties[PROP_PLAN] =
    g_param_spec_object ("plan", NULL, NULL, ATTENDANT_TYPE_PLAN,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * AttendantClient:connected-time:
   *
   * When the current session logged in, in g_get_monotonic_time() µs, or 0.
   */
  properties[PROP_CONNECTED_TIME] =
    g_param_spec_int64 ("connected-time", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * AttendantClient:next-retry-time:
   *
   * When the scheduled reconnection starts, in g_get_monotonic_time() µs,
   * or 0 when none is scheduled.
   */
  properties[PROP_NEXT_RETRY_TIME] =
    g_param_spec_int64 ("next-retry-time", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * AttendantClient:on-preferred:
   *
   * Whether the session is on the most preferred endpoint (the primary),
   * in the order of preference before a failed or draining node was moved
   * last. %FALSE when not connected.
   */
  properties[PROP_ON_PREFERRED] =
    g_param_spec_boolean ("on-preferred", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * AttendantClient:phone-system-reason:
   *
   * Why the server cannot reach its telephone system (an Asterisk down),
   * in a sentence for a person; %NULL while it can, and while not
   * connected (docs/protocol.md §2.8).
   */
  properties[PROP_PHONE_SYSTEM_REASON] =
    g_param_spec_string ("phone-system-reason", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AttendantClient::connecting:
   * @plan: what this cycle will try, in order
   */
  signals[CONNECTING] =
    g_signal_new ("connecting", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ATTENDANT_TYPE_PLAN);

  /**
   * AttendantClient::attempt:
   * @attempt: the outcome of one address
   */
  signals[ATTEMPT] =
    g_signal_new ("attempt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ATTENDANT_TYPE_ATTEMPT);

  /**
   * AttendantClient::connected:
   * @session: the logged-in session
   * @failover: whether this follows the loss of a connection
   * @failback: whether this moved back to a preferred node
   */
  signals[CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  ATTENDANT_TYPE_SESSION, G_TYPE_BOOLEAN, G_TYPE_BOOLEAN);

  /**
   * AttendantClient::disconnected:
   * @reason: why the session ended
   * @message: the same in words
   */
  signals[DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  ATTENDANT_TYPE_CLOSE_REASON, G_TYPE_STRING);

  /**
   * AttendantClient::reconnect-scheduled:
   * @delay_ms: when the next cycle starts
   */
  signals[RECONNECT_SCHEDULED] =
    g_signal_new ("reconnect-scheduled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  signals[AUTH_FAILED] =
    g_signal_new ("auth-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * AttendantClient::certificate-rejected:
   * @attempt: the attempt that met the cycle's first untrusted certificate,
   *   with that certificate and what is wrong with it
   *
   * Emitted when a cycle reached no endpoint and at least one of them
   * presented a certificate that is not trusted; the client then stops
   * retrying until attendant_client_reconnect_now(). An untrusted
   * certificate on one endpoint while another is reached is only that
   * endpoint's `tls-failed` attempt.
   */
  signals[CERTIFICATE_REJECTED] =
    g_signal_new ("certificate-rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ATTENDANT_TYPE_ATTEMPT);

  signals[SNAPSHOT] =
    g_signal_new ("snapshot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);

  signals[EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
}

static void
attendant_client_init (AttendantClient *self)
{
  self->rand = g_rand_new ();
  self->busy_calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->transport = ATTENDANT_TRANSPORT_TLS;
  self->order = ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST;
  self->attempt_timeout = 5;
  self->heartbeat = 5;
  self->failback = TRUE;
  self->failback_interval = 60;
}

/**
 * attendant_client_new:
 * @resolver: (nullable): for tests; %NULL for the system's
 */
AttendantClient *
attendant_client_new (GResolver *resolver)
{
  g_return_val_if_fail (resolver == NULL || G_IS_RESOLVER (resolver), NULL);

  return g_object_new (ATTENDANT_TYPE_CLIENT, "resolver", resolver, NULL);
}

AttendantClientState
attendant_client_get_state (AttendantClient *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), 0);
  return self->state;
}

/**
 * attendant_client_get_session:
 *
 * Returns: (transfer none) (nullable): the logged-in session, if any
 */
AttendantSession *
attendant_client_get_session (AttendantClient *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), NULL);
  return self->session;
}

guint
attendant_client_get_failovers (AttendantClient *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), 0);
  return self->failovers;
}

AttendantPlan *
attendant_client_get_plan (AttendantClient *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), NULL);
  return self->plan;
}

gint64
attendant_client_get_connected_time (AttendantClient *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), 0);
  return self->connected_time;
}

gint64
attendant_client_get_next_retry_time (AttendantClient *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), 0);
  return self->next_retry_time;
}

/**
 * attendant_client_get_on_preferred:
 *
 * Returns: whether the session is on the most preferred endpoint
 */
gboolean
attendant_client_get_on_preferred (AttendantClient *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), FALSE);
  return self->on_preferred;
}

/**
 * attendant_client_get_phone_system_reason:
 *
 * Returns: (nullable): why the server's telephone system is out of reach,
 *   or %NULL
 */
const char *
attendant_client_get_phone_system_reason (AttendantClient *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), NULL);
  return self->phone_system_reason;
}

/**
 * attendant_client_get_server_insecure:
 *
 * Returns: whether the last #AttendantClient::auth-failed was the client's
 *   own refusal of a server that asked for too few PBKDF2 iterations (see
 *   %ATTENDANT_SCRAM_MIN_ITERATIONS), not the server's of the password
 */
gboolean
attendant_client_get_server_insecure (AttendantClient *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), FALSE);
  return self->server_insecure;
}

gboolean
attendant_client_get_call_in_progress (AttendantClient *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), FALSE);
  return g_hash_table_size (self->busy_calls) > 0;
}

void
attendant_client_set_credentials (AttendantClient *self,
                                  const char      *user,
                                  const char      *password)
{
  g_return_if_fail (ATTENDANT_IS_CLIENT (self));

  g_free (self->user);
  self->user = g_strdup (user);

  attendant_secret_free (self->password);
  self->password = g_strdup (password);
}

/**
 * attendant_client_set_extra_anchors:
 * @anchors: (nullable): trust anchors besides the system's
 */
void
attendant_client_set_extra_anchors (AttendantClient *self,
                                    GTlsDatabase    *anchors)
{
  g_return_if_fail (ATTENDANT_IS_CLIENT (self));

  attendant_connector_set_extra_anchors (self->connector, anchors);
  attendant_connector_set_extra_anchors (self->probe_connector, anchors);
}

/**
 * attendant_client_start:
 *
 * Parses the server and starts the first connection cycle. Fails, before
 * any network traffic, when the server is not valid input.
 */
gboolean
attendant_client_start (AttendantClient  *self,
                        GError          **error)
{
  AttendantServerSpec *spec;

  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (self->user != NULL && self->password != NULL, FALSE);

  spec = attendant_server_spec_parse (self->server, error);
  if (spec == NULL)
    return FALSE;

  g_set_object (&self->spec, spec);
  g_object_unref (spec);

  self->backoff_step = 0;
  self->lost_connection = FALSE;
  drop_session (self, TRUE);
  start_cycle (self);

  return TRUE;
}

/**
 * attendant_client_reconnect_now:
 *
 * Starts a new cycle at once, whatever the client is doing: the user's
 * "Reconnect now", also after a refused password or certificate.
 */
void
attendant_client_reconnect_now (AttendantClient *self)
{
  g_return_if_fail (ATTENDANT_IS_CLIENT (self));

  if (self->spec == NULL)
    return;

  self->backoff_step = 0;
  if (self->session != NULL)
    {
      self->lost_connection = TRUE;
      drop_session (self, TRUE);
    }

  start_cycle (self);
}

/**
 * attendant_client_stop:
 *
 * Logs out and stops every cycle, timer and probe.
 */
void
attendant_client_stop (AttendantClient *self)
{
  g_return_if_fail (ATTENDANT_IS_CLIENT (self));

  clear_source (&self->backoff_source);
  set_next_retry_time (self, 0);
  cancel_and_clear (&self->cycle_cancellable);
  drop_session (self, TRUE);
  set_state (self, ATTENDANT_CLIENT_STATE_IDLE);
}

static void
command_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  JsonObject *reply;

  reply = attendant_session_send_command_finish (ATTENDANT_SESSION (object), result, &error);
  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, reply, (GDestroyNotify)json_object_unref);
}

/**
 * attendant_client_send_command_async:
 *
 * Sends a command through the current session. While disconnected it is
 * refused at once with %ATTENDANT_ERROR_NOT_CONNECTED, never queued; see
 * attendant_session_send_command_async() for the other outcomes.
 */
void
attendant_client_send_command_async (AttendantClient     *self,
                                     const char          *command,
                                     JsonObject          *args,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ATTENDANT_IS_CLIENT (self));
  g_return_if_fail (command != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_client_send_command_async);

  if (self->session == NULL)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_NOT_CONNECTED,
                               _("Not connected to a server: “%s” was not sent"), command);
      return;
    }

  attendant_session_send_command_async (self->session, command, args, cancellable,
                                        command_cb, g_steal_pointer (&task));
}

/**
 * attendant_client_send_command_finish:
 *
 * Returns: (transfer full): the command's result
 */
JsonObject *
attendant_client_send_command_finish (AttendantClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
