/* attendant-asterisk.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-asterisk"

#include "config.h"

#include <string.h>

#include "attendant-asterisk.h"
#include "attendant-asterisk-directory.h"
#include "attendant-pbx.h"
#include "attendant-protocol.h"
#include "attendant-protocol-names.h"

/* The telephone system of a real Asterisk (docs/asterisk.md, "What each
 * command does in ARI" and "Nodes and failover").
 *
 * The call state lives in Asterisk, so that any node can rebuild it:
 *
 *  - a call is its caller's channel, in the Stasis application with the
 *    arguments "queue,<queue>" (the dialplan), or a channel this backend
 *    originated for a dial or a consultation ("leg,<call>,<number>");
 *    its id is "call-" and the channel's id;
 *  - what the console knows of it (state, attendant, peer, recalled, the
 *    leg it rings) is kept in the channel's variable ATTENDANT_CALL,
 *    written at every change;
 *  - once answered, the call has a mixing bridge whose id is "attendant-"
 *    and the call's id; the caller stays in it until the call ends or is
 *    handed over, the attendant's phone joins and leaves it;
 *  - the attendant's phone is one channel per attendant, a "line"
 *    ("line,<extension>"), originated when first needed and moved from
 *    bridge to bridge: hold takes it out of the call's bridge (which then
 *    plays music on hold), answer and resume put it in;
 *  - every node follows every event through an application of its own,
 *    and the queue's callers reach the one node that holds the shared
 *    application (docs/asterisk.md, "Nodes and failover");
 *  - the directory and presence are an AttendantAsteriskDirectory on that
 *    same own application (the shared one may be taken away), made again
 *    with it; its changes are events of this backend's sequence, and a
 *    connection's snapshots wait for both it and the calls to be read
 *    (docs/asterisk.md, "Directory and presence").
 *
 * Every command is a short sequence of ARI requests and of waits for the
 * events that confirm them (an Op); its events are emitted and the state
 * variable written before its task completes. */

#define STATE_VARIABLE "ATTENDANT_CALL"
/* Media through Asterisk, never bridged natively: each phone then hears
 * one stream from Asterisk whatever joins or leaves the bridge, and no
 * change of RTP source (SSRC) that a phone might take for a stream to
 * drop (baresip 1.0 drops the new one when its sequence numbers are
 * lower). */
#define BRIDGE_TYPE "mixing,proxy_media"
#define CONFIRM_TIMEOUT_MS 5000
/* How long a rebuilt connection's snapshot waits for the directory (whose
 * own retry is slower) before it goes without it. */
#define DIRECTORY_WAIT_MS 2000
#define MAX_CALLS 2000

typedef struct
{
  char     *id;
  char     *channel;        /* the caller's, or the dialled party's */
  char     *state;
  char     *queue;
  char     *caller_number;
  char     *caller_name;
  char     *since;
  char     *attendant;
  char     *peer;
  gboolean  recalled;
  char     *leg;            /* a channel ringing a transfer's target */
  char     *consult;        /* the other call of a consultation */
  gboolean  is_consult;     /* the consultation's own call */
  gboolean  is_dial;
  gboolean  handed;         /* given to an extension: off the consoles */
  gboolean  answered;       /* the channel is Up */
} Call;

typedef struct
{
  char     *bridge;        /* the bridge it is in, or NULL */
  gboolean  in_stasis;
  char     *role;          /* "queue", "line", "leg" */
  char     *extension;     /* a line's attendant, a leg's target */
  char     *call;          /* a leg's call */
} Channel;

typedef struct _Op Op;
typedef void (*OpRun) (Op *op);
typedef gboolean (*OpPredicate) (Op *op);

struct _AttendantAsterisk
{
  GObject       parent_instance;

  AttendantAri *ari;         /* the shared application, the queue's */
  AttendantAri *watch;       /* this node's own application: every event */
  char         *node;        /* this node's name, in its application's */
  guint         applications_poll;
  gboolean      replaced;    /* another node holds the shared application */
  guint         retake;
  guint         rebuild_retry;
  char         *endpoint_format;
  char         *waiting_sound;
  char         *moh_class;
  char         *answer_header;  /* "Name: value", nullable */
  guint         ring_timeout;
  GPtrArray    *queues;      /* JsonObject {id, name} */
  GPtrArray    *contacts;    /* JsonObject {number, name?, department?}: the file's */
  AttendantAsteriskDirectory *directory;  /* on watch */
  gboolean      directory_fresh;  /* read since watch last connected */
  gboolean      reset_pending;    /* calls rebuilt, the directory not yet */
  guint         reset_wait;
  GHashTable   *attendants;  /* extension → display name */

  guint64       seq;
  GPtrArray    *calls;       /* Call, in arrival order */
  GHashTable   *channels;    /* channel id → Channel, the ones this backend follows */
  GHashTable   *lines;       /* extension → line channel id */
  GHashTable   *line_users;  /* extension → how many of its commands run */
  GList        *waiters;     /* Op waiting for an event */
  GCancellable *cancellable;
  guint         generation;  /* bumped at each rebuild */
  gboolean      rebuilt;
  char         *unreachable;
};

struct _Op
{
  AttendantAsterisk *self;
  GTask             *task;
  OpRun              run;
  int                step;
  char              *extension;
  char              *call;
  char              *target;
  char              *channel;    /* what the op created or waits on */
  char              *bridge;
  JsonNode          *node;       /* the last request's answer */
  GError            *error;      /* the last request's error */
  OpPredicate        predicate;
  guint              timeout_source;
  gboolean           timed_out;
  JsonObject        *result;
  int                mode;
  int                after_check;  /* the step after the target's check */
  char              *held_bridge;  /* another call's bridge, put on hold */
};

enum {
  PROP_0,
  PROP_ENDPOINT_FORMAT,
  PROP_RING_TIMEOUT,
  PROP_WAITING_SOUND,
  PROP_MOH_CLASS,
  PROP_ANSWER_HEADER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void attendant_asterisk_telephony_init (AttendantTelephonyInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AttendantAsterisk, attendant_asterisk, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ATTENDANT_TYPE_TELEPHONY,
                                                      attendant_asterisk_telephony_init))

/* {{{ Calls */

static void
call_free (Call *call)
{
  g_free (call->id);
  g_free (call->channel);
  g_free (call->state);
  g_free (call->queue);
  g_free (call->caller_number);
  g_free (call->caller_name);
  g_free (call->since);
  g_free (call->attendant);
  g_free (call->peer);
  g_free (call->leg);
  g_free (call->consult);
  g_free (call);
}

static void
channel_free (Channel *channel)
{
  g_free (channel->bridge);
  g_free (channel->role);
  g_free (channel->extension);
  g_free (channel->call);
  g_free (channel);
}

static void
set_string (char       **field,
            const char  *value)
{
  if (*field != value)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static Call *
find_call (AttendantAsterisk *self,
           const char        *id)
{
  for (guint i = 0; id != NULL && i < self->calls->len; i++)
    {
      Call *call = g_ptr_array_index (self->calls, i);

      if (g_str_equal (call->id, id))
        return call;
    }
  return NULL;
}

static Call *
find_call_by_channel (AttendantAsterisk *self,
                      const char        *channel)
{
  for (guint i = 0; channel != NULL && i < self->calls->len; i++)
    {
      Call *call = g_ptr_array_index (self->calls, i);

      if (g_str_equal (call->channel, channel))
        return call;
    }
  return NULL;
}

static char *
bridge_id (Call *call)
{
  return g_strconcat ("attendant-", call->id, NULL);
}

static JsonObject *
call_to_json (Call *call)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", call->id);
  json_object_set_string_member (object, "state", call->state);
  if (call->queue != NULL)
    json_object_set_string_member (object, "queue", call->queue);
  else
    json_object_set_null_member (object, "queue");
  json_object_set_string_member (object, "caller_number", call->caller_number ? call->caller_number : "");
  if (call->caller_name != NULL && call->caller_name[0] != '\0')
    json_object_set_string_member (object, "caller_name", call->caller_name);
  else
    json_object_set_null_member (object, "caller_name");
  json_object_set_string_member (object, "since", call->since);
  if (call->attendant != NULL)
    json_object_set_string_member (object, "attendant", call->attendant);
  else
    json_object_set_null_member (object, "attendant");
  if (call->peer != NULL)
    json_object_set_string_member (object, "peer", call->peer);
  else
    json_object_set_null_member (object, "peer");
  json_object_set_boolean_member (object, "recalled", call->recalled);

  return object;
}

static void
emit (AttendantAsterisk *self,
      JsonObject        *message)
{
  json_object_set_int_member (message, "seq", (gint64)++self->seq);
  attendant_telephony_emit_event (ATTENDANT_TELEPHONY (self), message);
  json_object_unref (message);
}

/* The state variable: what a node that rebuilds needs and the channel
 * does not say itself. Fields are separated by '|', which none holds. */
static char *
call_encode (AttendantAsterisk *self,
             Call              *call)
{
  g_autofree char *name = g_strdup (call->caller_name ? call->caller_name : "");

  g_strdelimit (name, "|", '/');
  return g_strdup_printf ("%s|%s|%s|%s|%s|%d|%s|%s|%s|%d|%d|%d|%d|%s|%s",
                          self->node, call->state, call->queue ? call->queue : "",
                          call->attendant ? call->attendant : "",
                          call->peer ? call->peer : "", call->recalled, call->since,
                          call->leg ? call->leg : "", call->consult ? call->consult : "",
                          call->is_consult, call->is_dial, call->handed, call->answered,
                          call->caller_number ? call->caller_number : "", name);
}

#define EMPTY_TO_NULL(s) ((s)[0] != '\0' ? (s) : NULL)

/* The other way, at a rebuild; FALSE for what this backend did not write. */
static gboolean
call_decode (Call       *call,
             const char *value)
{
  g_auto(GStrv) all = g_strsplit (value, "|", 16);
  char **fields = all + 1;   /* after the node that wrote it */
  static const char * const states[] = {
    "queued", "ringing", "active", "held", "consulting", "transferring", NULL
  };

  if (g_strv_length (all) != 15 || !g_strv_contains (states, fields[0]))
    return FALSE;

  set_string (&call->state, fields[0]);
  set_string (&call->queue, EMPTY_TO_NULL (fields[1]));
  set_string (&call->attendant, EMPTY_TO_NULL (fields[2]));
  set_string (&call->peer, EMPTY_TO_NULL (fields[3]));
  call->recalled = g_str_equal (fields[4], "1");
  set_string (&call->since, fields[5]);
  set_string (&call->leg, EMPTY_TO_NULL (fields[6]));
  set_string (&call->consult, EMPTY_TO_NULL (fields[7]));
  call->is_consult = g_str_equal (fields[8], "1");
  call->is_dial = g_str_equal (fields[9], "1");
  call->handed = g_str_equal (fields[10], "1");
  call->answered = g_str_equal (fields[11], "1");
  if (fields[12][0] != '\0')
    set_string (&call->caller_number, fields[12]);
  if (fields[13][0] != '\0')
    set_string (&call->caller_name, fields[13]);
  return TRUE;
}

static void
ignore_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = attendant_ari_request_finish (ATTENDANT_ARI (object), result, &error);
  if (error != NULL)
    g_debug ("%s", error->message);
}

/* A request whose outcome nobody waits for (a hang-up of what is no longer
 * wanted, music stopped on a channel that may be gone). */
static void
fire (AttendantAsterisk  *self,
      const char         *method,
      const char         *path,
      const char * const *query)
{
  attendant_ari_request_async (self->ari, method, path, query, NULL, ignore_cb, NULL);
}

static char *
channel_path (const char *channel,
              const char *tail)
{
  g_autofree char *escaped = g_uri_escape_string (channel, NULL, FALSE);

  return g_strconcat ("channels/", escaped, tail, NULL);
}

static char *
bridge_path (const char *bridge,
             const char *tail)
{
  g_autofree char *escaped = g_uri_escape_string (bridge, NULL, FALSE);

  return g_strconcat ("bridges/", escaped, tail, NULL);
}

static void
call_store (AttendantAsterisk *self,
            Call              *call)
{
  g_autofree char *value = call_encode (self, call);
  g_autofree char *path = channel_path (call->channel, "/variable");

  fire (self, "POST", path, (const char *[]){ "variable", STATE_VARIABLE, "value", value, NULL });
}

/* The call changed: told to the consoles and written on its channel. */
static void
call_changed (AttendantAsterisk *self,
              Call              *call)
{
  JsonObject *message = attendant_protocol_message_new ("event");

  call_store (self, call);
  if (call->handed)
    return;
  json_object_set_string_member (message, "event", "call.updated");
  json_object_set_object_member (message, "call", call_to_json (call));
  emit (self, message);
}

static void
call_set_state (Call       *call,
                const char *state)
{
  if (g_strcmp0 (call->state, state) != 0)
    {
      set_string (&call->state, state);
      g_free (call->since);
      call->since = now_iso8601 ();
    }
}

static void
call_removed_event (AttendantAsterisk *self,
                    Call              *call)
{
  JsonObject *message = attendant_protocol_message_new ("event");

  json_object_set_string_member (message, "event", "call.removed");
  json_object_set_string_member (message, "id", call->id);
  emit (self, message);
}

/* A call ends: "ended", then removed; a call handed over just leaves. */
static void
call_forget (AttendantAsterisk *self,
             Call              *call,
             gboolean           ended)
{
  if (!call->handed)
    {
      if (ended)
        {
          JsonObject *message = attendant_protocol_message_new ("event");

          call_set_state (call, "ended");
          json_object_set_string_member (message, "event", "call.updated");
          json_object_set_object_member (message, "call", call_to_json (call));
          emit (self, message);
        }
      call_removed_event (self, call);
    }
  g_ptr_array_remove (self->calls, call);
}

/* The call leaves the consoles while its channel goes on (a transfer
 * answered, a consultation completed). */
static void
call_hand_over (AttendantAsterisk *self,
                Call              *call)
{
  if (call->handed)
    return;
  call_removed_event (self, call);
  call->handed = TRUE;
  call_store (self, call);
}

static Call *
call_new (AttendantAsterisk *self,
          const char        *channel,
          const char        *state)
{
  Call *call = g_new0 (Call, 1);

  call->channel = g_strdup (channel);
  call->id = g_strconcat ("call-", channel, NULL);
  call->state = g_strdup (state);
  call->since = now_iso8601 ();
  g_ptr_array_add (self->calls, call);
  return call;
}

static Channel *
channel_follow (AttendantAsterisk *self,
                const char        *id,
                const char        *role,
                const char        *extension,
                const char        *call)
{
  Channel *channel = g_hash_table_lookup (self->channels, id);

  if (channel == NULL)
    {
      channel = g_new0 (Channel, 1);
      g_hash_table_insert (self->channels, g_strdup (id), channel);
    }
  set_string (&channel->role, role);
  set_string (&channel->extension, extension);
  set_string (&channel->call, call);
  return channel;
}

static const char *
line_of (AttendantAsterisk *self,
         const char        *extension)
{
  return g_hash_table_lookup (self->lines, extension);
}

static gboolean
channel_in_bridge (AttendantAsterisk *self,
                   const char        *id,
                   const char        *bridge)
{
  Channel *channel = id != NULL ? g_hash_table_lookup (self->channels, id) : NULL;

  return channel != NULL && g_strcmp0 (channel->bridge, bridge) == 0;
}

static char *
endpoint_for (AttendantAsterisk *self,
              const char        *extension)
{
  g_autoptr(GString) endpoint = g_string_new (self->endpoint_format);

  g_string_replace (endpoint, "{extension}", extension, 0);
  return g_string_free (g_steal_pointer (&endpoint), FALSE);
}

/* The active call of an attendant: the one its line is in. */
static Call *
active_call_of (AttendantAsterisk *self,
                const char        *extension)
{
  for (guint i = 0; i < self->calls->len; i++)
    {
      Call *call = g_ptr_array_index (self->calls, i);

      if (!call->handed && g_strcmp0 (call->attendant, extension) == 0 &&
          (g_str_equal (call->state, "active") ||
           (g_str_equal (call->state, "consulting") && call->is_consult)))
        return call;
    }
  return NULL;
}

static gboolean
attendant_has_calls (AttendantAsterisk *self,
                     const char        *extension)
{
  for (guint i = 0; i < self->calls->len; i++)
    {
      Call *call = g_ptr_array_index (self->calls, i);

      if (!call->handed && g_strcmp0 (call->attendant, extension) == 0 &&
          (g_str_equal (call->state, "active") || g_str_equal (call->state, "held") ||
           g_str_equal (call->state, "consulting")))
        return TRUE;
    }
  return FALSE;
}

/* The attendant's phone is put down when nothing is left for it, and not
 * while one of the attendant's commands runs (an answer may be on its way
 * to it): the last command to end puts it down (op_free).
 *
 * It stops being the attendant's line the moment it is put down, not when
 * Asterisk says it is gone: the next answer, often at once, rings the
 * phone again instead of bridging a channel being hung up, whose end
 * would then take the new call with it ("the line put down",
 * on_channel_gone). */
static void
release_line_if_idle (AttendantAsterisk *self,
                      const char        *extension)
{
  const char *line = line_of (self, extension);
  g_autofree char *path = NULL;

  /* While the picture is being rebuilt the calls are not all known yet. */
  if (line == NULL || !self->rebuilt || attendant_has_calls (self, extension) ||
      g_hash_table_contains (self->line_users, extension))
    return;

  path = channel_path (line, "");
  g_hash_table_remove (self->lines, extension);
  fire (self, "DELETE", path, NULL);
}

/* }}} */
/* {{{ Ops: a command as a sequence of requests and waits */

static void
op_free (Op *op)
{
  guint users;

  if (op->extension != NULL)
    {
      users = GPOINTER_TO_UINT (g_hash_table_lookup (op->self->line_users, op->extension));
      g_assert (users > 0);
      if (users > 1)
        g_hash_table_insert (op->self->line_users, g_strdup (op->extension), GUINT_TO_POINTER (users - 1));
      else
        {
          g_hash_table_remove (op->self->line_users, op->extension);
          release_line_if_idle (op->self, op->extension);
        }
    }

  g_clear_handle_id (&op->timeout_source, g_source_remove);
  g_clear_object (&op->task);
  g_free (op->extension);
  g_free (op->call);
  g_free (op->target);
  g_free (op->channel);
  g_free (op->bridge);
  g_free (op->held_bridge);
  g_clear_pointer (&op->node, json_node_unref);
  g_clear_error (&op->error);
  g_clear_pointer (&op->result, json_object_unref);
  g_object_unref (op->self);
  g_free (op);
}

static Op *
op_new (AttendantAsterisk   *self,
        OpRun                run,
        const char          *extension,
        const char          *call,
        const char          *target,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  Op *op = g_new0 (Op, 1);

  op->self = g_object_ref (self);
  /* The cancellable only gives up the answer: the op goes on. */
  op->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (op->task, op_new);
  g_task_set_check_cancellable (op->task, FALSE);
  op->run = run;
  op->extension = g_strdup (extension);
  if (extension != NULL)
    g_hash_table_insert (self->line_users, g_strdup (extension),
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->line_users, extension)) + 1));
  op->call = g_strdup (call);
  op->target = g_strdup (target);
  return op;
}

static void
op_return (Op *op)
{
  JsonObject *result = op->result != NULL ? g_steal_pointer (&op->result) : json_object_new ();

  g_task_return_pointer (op->task, result, (GDestroyNotify)json_object_unref);
  op_free (op);
}

static void
op_fail (Op                      *op,
         AttendantTelephonyError  code,
         const char              *format,
         ...) G_GNUC_PRINTF (3, 4);

static void
op_fail (Op                      *op,
         AttendantTelephonyError  code,
         const char              *format,
         ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_task_return_new_error (op->task, ATTENDANT_TELEPHONY_ERROR, code, "%s", message);
  op_free (op);
}

/* Asterisk refused or could not be reached: "internal", with its words. */
static void
op_fail_with_error (Op *op)
{
  GError *error = g_steal_pointer (&op->error);

  if (error == NULL)
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "Asterisk did not confirm the command");
  g_task_return_error (op->task, error);
  op_free (op);
}

static void
op_request_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Op *op = user_data;

  g_clear_pointer (&op->node, json_node_unref);
  g_clear_error (&op->error);
  op->node = attendant_ari_request_finish (ATTENDANT_ARI (object), result, &op->error);
  op->run (op);
}

/* Sends a request; the op runs again at @next once Asterisk answered. */
static void
op_request (Op                 *op,
            int                 next,
            const char         *method,
            const char         *path,
            const char * const *query)
{
  op->step = next;
  attendant_ari_request_async (op->self->ari, method, path, query, NULL, op_request_cb, op);
}

static gboolean
op_timeout_cb (gpointer user_data)
{
  Op *op = user_data;

  op->timeout_source = 0;
  op->timed_out = TRUE;
  op->self->waiters = g_list_remove (op->self->waiters, op);
  op->run (op);
  return G_SOURCE_REMOVE;
}

/* Runs the op again at @next once @predicate holds after an event (at
 * once if it already does), or after @timeout_ms with op->timed_out. */
static void
op_wait (Op          *op,
         int          next,
         OpPredicate  predicate,
         guint        timeout_ms)
{
  op->step = next;
  op->timed_out = FALSE;
  if (predicate (op))
    {
      op->run (op);
      return;
    }
  op->predicate = predicate;
  op->timeout_source = g_timeout_add (timeout_ms, op_timeout_cb, op);
  op->self->waiters = g_list_append (op->self->waiters, op);
}

static void
wake_waiters (AttendantAsterisk *self)
{
  GList *ready = NULL;

  for (GList *l = self->waiters; l != NULL;)
    {
      Op *op = l->data;
      GList *next = l->next;

      if (op->predicate (op))
        {
          self->waiters = g_list_delete_link (self->waiters, l);
          ready = g_list_append (ready, op);
        }
      l = next;
    }

  for (GList *l = ready; l != NULL; l = l->next)
    {
      Op *op = l->data;

      g_clear_handle_id (&op->timeout_source, g_source_remove);
      op->run (op);
    }
  g_list_free (ready);
}

/* Predicates on op->channel and op->bridge. */
static gboolean
op_channel_in_bridge (Op *op)
{
  return channel_in_bridge (op->self, op->channel, op->bridge);
}

static gboolean
op_channel_out_of_bridge (Op *op)
{
  return !channel_in_bridge (op->self, op->channel, op->bridge);
}

static gboolean
op_channel_up_or_gone (Op *op)
{
  Channel *channel = g_hash_table_lookup (op->self->channels, op->channel);

  return channel == NULL || channel->in_stasis;
}

/* After a request that added the attendant's line to op->bridge: on to
 * @next once Asterisk says it is in. */
static void
op_wait_line_in (Op  *op,
                 int  next)
{
  if (op->error != NULL)
    {
      op_fail_with_error (op);
      return;
    }
  g_free (op->channel);
  op->channel = g_strdup (line_of (op->self, op->extension));
  op_wait (op, next, op_channel_in_bridge, CONFIRM_TIMEOUT_MS);
}

static gboolean
op_call_gone (Op *op)
{
  return find_call (op->self, op->call) == NULL;
}

/* }}} */
/* {{{ Events from Asterisk */

static void
queue_answered_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autofree char *id = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = attendant_ari_request_finish (ATTENDANT_ARI (object), result, &error);
  AttendantAsterisk *self = g_object_get_data (object, "attendant-asterisk");
  g_autofree char *path = NULL;
  Call *call;

  if (node == NULL || self == NULL)
    return;
  /* Answered by an attendant meanwhile: no music. */
  call = find_call_by_channel (self, id);
  if (call == NULL || !g_str_equal (call->state, "queued"))
    return;
  path = channel_path (id, "/moh");
  fire (self, "POST", path, (const char *[]){ "mohClass", self->moh_class, NULL });
}

static void
on_queue_start (AttendantAsterisk *self,
                JsonObject        *channel,
                const char        *id,
                const char        *queue)
{
  JsonObject *caller = attendant_protocol_get_object (channel, "caller");
  Call *call;
  g_autofree char *path = NULL;

  if (find_call_by_channel (self, id) != NULL || self->calls->len >= MAX_CALLS)
    return;

  channel_follow (self, id, "queue", NULL, NULL)->in_stasis = TRUE;
  call = call_new (self, id, "queued");
  call->queue = g_strdup (queue);
  if (caller != NULL)
    {
      call->caller_number = g_strdup (attendant_protocol_get_string (caller, "number"));
      call->caller_name = g_strdup (attendant_protocol_get_string (caller, "name"));
    }

  /* Music on hold needs the call answered; ringing is only an
   * indication, and the call is answered when an attendant takes it. */
  if (g_strcmp0 (self->waiting_sound, "ringing") == 0)
    {
      path = channel_path (id, "/ring");
      fire (self, "POST", path, NULL);
    }
  else
    {
      g_autofree char *answer = channel_path (id, "/answer");

      /* The music only once the answer is done: requests go over several
       * connections, and Asterisk may take them in any order. */
      call->answered = TRUE;
      attendant_ari_request_async (self->ari, "POST", answer, NULL, NULL, queue_answered_cb,
                                   g_strdup (id));
    }

  call_changed (self, call);
}

/* The @index-th of a StasisStart's arguments, when it is a string. */
static const char *
arg_string (JsonArray *args,
            guint      index)
{
  JsonNode *node;

  if (args == NULL || index >= json_array_get_length (args))
    return NULL;
  node = json_array_get_element (args, index);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
on_stasis_start (AttendantAsterisk *self,
                 JsonObject        *event)
{
  JsonObject *channel = attendant_protocol_get_object (event, "channel");
  JsonArray *args = attendant_protocol_get_array (event, "args");
  const char *id = channel ? attendant_protocol_get_string (channel, "id") : NULL;
  const char *role = NULL;
  Channel *followed;

  if (id == NULL)
    return;
  role = arg_string (args, 0);

  if (g_strcmp0 (role, "queue") == 0)
    {
      const char *queue = arg_string (args, 1);

      on_queue_start (self, channel, id, queue != NULL ? queue : "main");
      return;
    }

  /* A line or a leg: originated by an op, which follows it already. */
  followed = g_hash_table_lookup (self->channels, id);
  if (followed != NULL)
    followed->in_stasis = TRUE;
}

/* Once its bridge is ready (its music stopped, or it made), a leg that
 * answered joins it. */
static void
add_leg_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autofree char *id = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = attendant_ari_request_finish (ATTENDANT_ARI (object), result, &error);
  AttendantAsterisk *self = g_object_get_data (object, "attendant-asterisk");
  Channel *leg = self != NULL ? g_hash_table_lookup (self->channels, id) : NULL;
  Call *call = leg != NULL ? find_call (self, leg->call) : NULL;
  g_autofree char *bridge = NULL;
  g_autofree char *add = NULL;

  if (call == NULL)
    return;
  bridge = bridge_id (call);
  add = bridge_path (bridge, "/addChannel");
  fire (self, "POST", add, (const char *[]){ "channel", id, NULL });
}

/* A leg answered: a transfer's target takes the caller; a consultation's
 * or a dial's joins the attendant's line. */
static void
on_leg_up (AttendantAsterisk *self,
           const char        *id,
           Channel           *leg)
{
  Call *call = find_call (self, leg->call);
  g_autofree char *bridge = NULL;
  g_autofree char *add = NULL;
  g_autofree char *moh = NULL;

  if (call == NULL)
    {
      g_autofree char *path = channel_path (id, "");

      fire (self, "DELETE", path, NULL);
      return;
    }

  bridge = bridge_id (call);
  add = bridge_path (bridge, "/addChannel");
  /* The leg may answer before Asterisk's answer to the originate has
   * made the call "transferring": the leg alone says it is a transfer. */
  if (g_strcmp0 (call->leg, id) == 0)
    {
      moh = bridge_path (bridge, "/moh");
      /* The music stops before the target joins: a phone that heard it
       * would see the caller's audio as another source (a new SSRC),
       * which some phones drop. Handed over once the target is in the
       * caller's bridge (on_bridge_change). */
      attendant_ari_request_async (self->ari, "DELETE", moh, NULL, NULL, add_leg_cb,
                                   g_strdup (id));
      return;
    }

  if (call->is_consult || call->is_dial)
    {
      g_autofree char *create = bridge_path (bridge, "");

      /* The phone may answer before the command made the bridge: it is
       * made here too (a second one is refused, 409), then joined. */
      call->answered = TRUE;
      attendant_ari_request_async (self->ari, "POST", create,
                                   (const char *[]){ "type", BRIDGE_TYPE, "name", call->id, NULL },
                                   NULL, add_leg_cb, g_strdup (id));
      call_store (self, call);
    }
}

static void
on_channel_gone (AttendantAsterisk *self,
                 const char        *id)
{
  Channel *channel = g_hash_table_lookup (self->channels, id);
  Call *call;

  /* The leg of a transfer: not answered, the call comes back to the
   * attendant; answered (the call handed over), its caller is hung up too.
   * Followed or not: the node that rang it may be gone. */
  for (guint i = 0; i < self->calls->len; i++)
    {
      Call *other = g_ptr_array_index (self->calls, i);

      if (g_strcmp0 (other->leg, id) != 0)
        continue;
      g_clear_pointer (&other->leg, g_free);
      if (other->handed)
        {
          g_autofree char *path = channel_path (other->channel, "");

          fire (self, "DELETE", path, NULL);
        }
      else
        {
          call_set_state (other, "ringing");
          other->recalled = TRUE;
          g_clear_pointer (&other->peer, g_free);
          call_changed (self, other);
        }
    }

  if (channel == NULL)
    return;

  /* A line put down: the call it was in ends, as when a person hangs up. */
  if (g_strcmp0 (channel->role, "line") == 0)
    {
      if (g_strcmp0 (line_of (self, channel->extension), id) == 0)
        {
          Call *active = active_call_of (self, channel->extension);

          g_hash_table_remove (self->lines, channel->extension);
          if (active != NULL)
            {
              g_autofree char *path = channel_path (active->channel, "");

              fire (self, "DELETE", path, NULL);
            }
        }
    }


  call = find_call_by_channel (self, id);
  if (call != NULL)
    {
      g_autofree char *bridge = bridge_id (call);
      g_autofree char *path = bridge_path (bridge, "");
      Call *other = find_call (self, call->consult);
      g_autofree char *attendant = g_strdup (call->attendant);
      gboolean handed = call->handed;

      if (call->leg != NULL)
        {
          g_autofree char *leg = channel_path (call->leg, "");

          fire (self, "DELETE", leg, NULL);
        }

      /* Who was talking with it is hung up too once it is handed over;
       * otherwise the bridge simply goes. */
      if (handed)
        {
          GHashTableIter iter;
          gpointer key, value;

          g_hash_table_iter_init (&iter, self->channels);
          while (g_hash_table_iter_next (&iter, &key, &value))
            if (g_strcmp0 (((Channel *)value)->bridge, bridge) == 0 && !g_str_equal (key, id) &&
                g_strcmp0 (((Channel *)value)->role, "line") != 0)
              {
                g_autofree char *peer = channel_path (key, "");

                fire (self, "DELETE", peer, NULL);
              }
        }
      fire (self, "DELETE", path, NULL);

      if (other != NULL)
        {
          g_clear_pointer (&other->consult, g_free);
          if (other->is_consult)
            {
              /* The held caller hung up during a consultation: the
               * attendant goes on talking with the consulted party. */
              other->is_consult = FALSE;
              other->is_dial = TRUE;
              call_set_state (other, "active");
              call_changed (self, other);
            }
          else if (!other->handed)
            {
              g_clear_pointer (&other->peer, g_free);
              call_changed (self, other);
            }
        }

      call_forget (self, call, TRUE);
      if (attendant != NULL)
        release_line_if_idle (self, attendant);
    }

  g_hash_table_remove (self->channels, id);
}

static void
on_bridge_change (AttendantAsterisk *self,
                  JsonObject        *event,
                  gboolean           entered)
{
  JsonObject *channel = attendant_protocol_get_object (event, "channel");
  JsonObject *bridge = attendant_protocol_get_object (event, "bridge");
  const char *id = channel ? attendant_protocol_get_string (channel, "id") : NULL;
  Channel *followed = id ? g_hash_table_lookup (self->channels, id) : NULL;
  const char *bridge_id_ = bridge ? attendant_protocol_get_string (bridge, "id") : NULL;

  /* Another node's line for an attendant, named after the attendant. */
  if (followed == NULL && entered && id != NULL && g_str_has_prefix (id, "attendant-line-"))
    {
      const char *extension = id + strlen ("attendant-line-");
      const char *end = strrchr (extension, '-');

      if (end != NULL && end > extension)
        {
          g_autofree char *owner = g_strndup (extension, (gsize)(end - extension));

          followed = channel_follow (self, id, "line", owner, NULL);
          followed->in_stasis = TRUE;
          g_hash_table_replace (self->lines, g_strdup (owner), g_strdup (id));
        }
    }

  if (followed == NULL || bridge_id_ == NULL)
    return;

  if (entered)
    {
      Call *call = find_call (self, followed->call);
      g_autofree char *bridge_of_call = call != NULL ? bridge_id (call) : NULL;

      set_string (&followed->bridge, bridge_id_);
      if (call != NULL && g_strcmp0 (call->leg, id) == 0 && g_str_equal (bridge_of_call, bridge_id_))
        call_hand_over (self, call);
    }
  else if (g_strcmp0 (followed->bridge, bridge_id_) == 0)
    g_clear_pointer (&followed->bridge, g_free);
}

/* Another node changed a call: every node writes the state variable at
 * every change, and every node sees the writes of the others. */
static void
on_varset (AttendantAsterisk *self,
           JsonObject        *event,
           const char        *id)
{
  const char *value = attendant_protocol_get_string (event, "value");
  JsonObject *channel = attendant_protocol_get_object (event, "channel");
  JsonObject *caller = channel ? attendant_protocol_get_object (channel, "caller") : NULL;
  g_autofree char *writer = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  Call *call;
  gboolean was_handed;
  gboolean is_new = FALSE;

  if (g_strcmp0 (attendant_protocol_get_string (event, "variable"), STATE_VARIABLE) != 0 ||
      value == NULL || strchr (value, '|') == NULL)
    return;
  writer = g_strndup (value, (gsize)(strchr (value, '|') - value));
  if (g_str_equal (writer, self->node))
    return;

  call = find_call_by_channel (self, id);
  if (call == NULL)
    {
      if (self->calls->len >= MAX_CALLS)
        return;
      call = call_new (self, id, "queued");
      is_new = TRUE;
      if (caller != NULL)
        {
          call->caller_number = g_strdup (attendant_protocol_get_string (caller, "number"));
          call->caller_name = g_strdup (attendant_protocol_get_string (caller, "name"));
        }
      channel_follow (self, id, "queue", NULL, NULL)->in_stasis = TRUE;
    }

  was_handed = call->handed;
  before = call_encode (self, call);
  if (!call_decode (call, value))
    {
      if (is_new)
        g_ptr_array_remove (self->calls, call);
      return;
    }
  after = call_encode (self, call);

  if (call->handed && !was_handed && !is_new)
    call_removed_event (self, call);
  else if (!call->handed && (is_new || g_strcmp0 (before, after) != 0))
    {
      JsonObject *message = attendant_protocol_message_new ("event");

      json_object_set_string_member (message, "event", "call.updated");
      json_object_set_object_member (message, "call", call_to_json (call));
      emit (self, message);
    }
}

static void
ari_event_cb (AttendantAri      *ari,
              const char        *type,
              JsonObject        *event,
              AttendantAsterisk *self)
{
  JsonObject *channel = attendant_protocol_get_object (event, "channel");
  const char *id = channel ? attendant_protocol_get_string (channel, "id") : NULL;

  /* Until the state is rebuilt from Asterisk, events could only make a
   * partial picture; the rebuild reads everything after they happened. */
  if (!self->rebuilt)
    return;

  if (g_str_equal (type, "StasisStart"))
    on_stasis_start (self, event);
  else if ((g_str_equal (type, "ChannelDestroyed") || g_str_equal (type, "StasisEnd")) && id != NULL)
    on_channel_gone (self, id);
  else if (g_str_equal (type, "ChannelVarset") && id != NULL)
    on_varset (self, event, id);
  else if (g_str_equal (type, "ChannelEnteredBridge"))
    on_bridge_change (self, event, TRUE);
  else if (g_str_equal (type, "ChannelLeftBridge"))
    on_bridge_change (self, event, FALSE);
  else if (g_str_equal (type, "ChannelStateChange") && id != NULL)
    {
      Call *call = find_call_by_channel (self, id);

      if (call != NULL && g_strcmp0 (attendant_protocol_get_string (channel, "state"), "Up") == 0)
        call->answered = TRUE;
    }

  if (g_str_equal (type, "StasisStart") && id != NULL)
    {
      Channel *followed = g_hash_table_lookup (self->channels, id);

      if (followed != NULL && g_strcmp0 (followed->role, "leg") == 0)
        on_leg_up (self, id, followed);
    }

  wake_waiters (self);
}

/* }}} */
/* {{{ Checks shared by the commands */

static gboolean
check_call (Op    *op,
            Call **out)
{
  Call *call = find_call (op->self, op->call);

  if (call == NULL || call->handed)
    {
      op_fail (op, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "No call %s", op->call);
      return FALSE;
    }
  *out = call;
  return TRUE;
}

static gboolean
check_owner (Op   *op,
             Call *call)
{
  if (g_strcmp0 (call->attendant, op->extension) != 0)
    {
      op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "%s is handled by another attendant", call->id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_state (Op         *op,
             Call       *call,
             const char *first,
             const char *second)
{
  if (g_strcmp0 (call->state, first) != 0 && g_strcmp0 (call->state, second) != 0)
    {
      op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "%s is %s", call->id, call->state);
      return FALSE;
    }
  return TRUE;
}

static gboolean
number_is_valid (const char *number)
{
  gsize length = strlen (number);

  if (length == 0 || length > 32)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (number[i]) && number[i] != '*' && number[i] != '#' &&
        !(number[i] == '+' && i == 0))
      return FALSE;
  return TRUE;
}

static gboolean
number_is_extension (const char *number)
{
  gsize length = strlen (number);

  if (length > 4)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (number[i]))
      return FALSE;
  return TRUE;
}

/* The name the directory shows: the file's, else the endpoint's caller ID. */
static char *
contact_name (AttendantAsterisk *self,
              const char        *number)
{
  g_autoptr(JsonObject) contact = attendant_asterisk_directory_get_contact (self->directory, number);

  return contact != NULL ? g_strdup (attendant_protocol_get_string (contact, "name")) : NULL;
}

enum {
  STEP_CHECK_TARGET = 100,
  STEP_CHECKED_TARGET,
};

/* The target's own checks (invalid-args), then, for an extension, its
 * presence in the directory: none is "not-found", busy, ringing, dnd or
 * offline is "busy" (or, before the directory was read, its endpoint in
 * Asterisk: none, not registered, or with a call). Runs the op again at
 * @after when the target may be rung. */
static void
check_target (Op  *op,
              int  after)
{
  const char *tech_end;
  g_autofree char *endpoint = NULL;
  g_autofree char *path = NULL;

  if (op->target == NULL)
    {
      op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS, "The argument “target” (a string) is missing");
      return;
    }
  if (!number_is_valid (op->target))
    {
      op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS, "“%s” is not a phone number", op->target);
      return;
    }
  if (g_str_equal (op->target, op->extension))
    {
      op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS, "%s is your own extension", op->target);
      return;
    }

  op->after_check = after;
  endpoint = endpoint_for (op->self, op->target);
  tech_end = strchr (endpoint, '/');
  if (!number_is_extension (op->target) || tech_end == NULL)
    {
      op->step = after;
      op->run (op);
      return;
    }

  /* The directory's numbers are the endpoints' names: it answers for the
   * extensions whose endpoint is named after them. */
  if (attendant_asterisk_directory_get_ready (op->self->directory) && g_str_equal (tech_end + 1, op->target))
    {
      const char *presence = attendant_asterisk_directory_get_presence (op->self->directory, op->target);

      if (presence == NULL)
        op_fail (op, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "No extension %s", op->target);
      else if (g_str_equal (presence, ATTENDANT_PROTOCOL_PRESENCE_OFFLINE))
        op_fail (op, ATTENDANT_TELEPHONY_ERROR_BUSY, "%s is unreachable", op->target);
      else if (!g_str_equal (presence, ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE) &&
               !g_str_equal (presence, ATTENDANT_PROTOCOL_PRESENCE_AWAY))
        op_fail (op, ATTENDANT_TELEPHONY_ERROR_BUSY, "%s is %s", op->target, presence);
      else
        {
          op->step = after;
          op->run (op);
        }
      return;
    }

  {
    g_autofree char *tech = g_strndup (endpoint, (gsize)(tech_end - endpoint));
    g_autofree char *tech_escaped = g_uri_escape_string (tech, NULL, FALSE);
    g_autofree char *resource = g_uri_escape_string (tech_end + 1, NULL, FALSE);

    path = g_strdup_printf ("endpoints/%s/%s", tech_escaped, resource);
  }
  op_request (op, STEP_CHECKED_TARGET, "GET", path, NULL);
}

/* TRUE when the op may go on to op->after_check. */
static gboolean
checked_target (Op *op)
{
  JsonObject *endpoint;
  JsonArray *channels;

  if (g_error_matches (op->error, ATTENDANT_ARI_STATUS_ERROR, 404))
    {
      op_fail (op, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "No extension %s", op->target);
      return FALSE;
    }
  if (op->error != NULL || !JSON_NODE_HOLDS_OBJECT (op->node))
    {
      op_fail_with_error (op);
      return FALSE;
    }

  endpoint = json_node_get_object (op->node);
  if (g_strcmp0 (attendant_protocol_get_string (endpoint, "state"), "online") != 0)
    {
      op_fail (op, ATTENDANT_TELEPHONY_ERROR_BUSY, "%s is unreachable", op->target);
      return FALSE;
    }
  channels = attendant_protocol_get_array (endpoint, "channel_ids");
  if (channels != NULL && json_array_get_length (channels) > 0)
    {
      op_fail (op, ATTENDANT_TELEPHONY_ERROR_BUSY, "%s is busy", op->target);
      return FALSE;
    }
  op->step = op->after_check;
  return TRUE;
}

/* A line's id names its attendant ("attendant-line-200-…"), so that a
 * node learns another node's lines from their events alone. */
static char *
new_channel_id (const char *kind,
                const char *extension)
{
  if (extension != NULL)
    return g_strdup_printf ("attendant-%s-%s-%08x%08x", kind, extension, g_random_int (), g_random_int ());
  return g_strdup_printf ("attendant-%s-%08x%08x", kind, g_random_int (), g_random_int ());
}

/* Rings @endpoint into the application with @args; the channel's id is
 * chosen here, so that its events are followed from the first. @header
 * ("Name: value", nullable) goes into the INVITE. */
static void
originate (Op         *op,
           int         next,
           const char *id,
           const char *endpoint,
           const char *args,
           const char *caller_id,
           guint       timeout_s,
           const char *header)
{
  g_autofree char *path = channel_path (id, "");
  g_autofree char *timeout = g_strdup_printf ("%u", timeout_s);
  const char * const query[] = {
    "endpoint", endpoint,
    "app", attendant_ari_get_application (op->self->watch),
    "appArgs", args,
    "timeout", timeout,
    "callerId", caller_id != NULL ? caller_id : "",
    NULL
  };
  g_autoptr(JsonNode) body = NULL;
  const char *colon = header != NULL ? strchr (header, ':') : NULL;

  op->step = next;
  /* ARI takes channel variables only in the body; PJSIP_HEADER(add,…) on
   * the new channel, before Asterisk sends its INVITE, goes into it. */
  if (colon != NULL)
    {
      g_autoptr(JsonObject) variables = json_object_new ();
      g_autoptr(JsonObject) object = json_object_new ();
      g_autofree char *name = g_strndup (header, (gsize)(colon - header));
      g_autofree char *function = g_strdup_printf ("PJSIP_HEADER(add,%s)", name);
      g_autofree char *value = g_strstrip (g_strdup (colon + 1));

      json_object_set_string_member (variables, function, value);
      json_object_set_object_member (object, "variables", g_steal_pointer (&variables));
      body = json_node_init_object (json_node_alloc (), object);
    }
  attendant_ari_request_with_body_async (op->self->ari, "POST", path, query, body, NULL, op_request_cb, op);
}

static char *
caller_id_of (Call *call)
{
  if (call == NULL || call->caller_number == NULL)
    return NULL;
  if (call->caller_name != NULL && call->caller_name[0] != '\0')
    return g_strdup_printf ("\"%s\" <%s>", call->caller_name, call->caller_number);
  return g_strdup (call->caller_number);
}

/* }}} */
/* {{{ Answer, resume, dial: the attendant's line into a call */

enum {
  MODE_ANSWER,
  MODE_RESUME,
  MODE_DIAL,
};

enum {
  LINE_START,
  LINE_HOLD_OTHER_REMOVED,
  LINE_HOLD_OTHER_MOH,
  LINE_ENSURE,
  LINE_ORIGINATED,
  LINE_UP,
  CALL_BRIDGE,
  CALL_BRIDGED,
  CALL_ANSWERED,
  CALL_ADD,
  CALL_ADDED,
  CALL_LINE_IN,
  CALL_CALLER_IN,
  DIAL_ORIGINATED,
  DIAL_BRIDGE,
  DIAL_ADDED,
  DIAL_LINE_IN,
};

static void
line_run (Op *op)
{
  AttendantAsterisk *self = op->self;
  Call *call = NULL;
  const char *line;
  g_autofree char *path = NULL;

  switch (op->step)
    {
    case LINE_START:
      if (op->mode != MODE_DIAL)
        {
          if (!check_call (op, &call))
            return;
          if (op->mode == MODE_ANSWER)
            {
              if (!g_str_equal (call->state, "queued") &&
                  !(g_str_equal (call->state, "ringing") && g_strcmp0 (call->attendant, op->extension) == 0))
                {
                  op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "%s is %s", call->id, call->state);
                  return;
                }
            }
          else
            {
              if (!check_owner (op, call) || !check_state (op, call, "held", NULL))
                return;
              if (call->consult != NULL)
                {
                  op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE,
                           "%s has a consultation: complete or cancel it", call->id);
                  return;
                }
            }
          g_free (op->bridge);
          op->bridge = bridge_id (call);
          op->step = LINE_ENSURE;
        }
      else
        {
          if (!number_is_valid (op->target) || g_str_equal (op->target, op->extension))
            {
              op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS, "“%s” is not a number you can dial", op->target);
              return;
            }
          check_target (op, LINE_ENSURE);
          return;
        }
      G_GNUC_FALLTHROUGH;

    case LINE_ENSURE:
      /* One call at a time: the one the line is in goes on hold first. */
      call = active_call_of (self, op->extension);
      line = line_of (self, op->extension);
      if (call != NULL && line != NULL && g_strcmp0 (call->id, op->call) != 0 &&
          !call->is_consult)
        {
          g_free (op->held_bridge);
          op->held_bridge = bridge_id (call);
          call_set_state (call, "held");
          call_changed (self, call);
          path = bridge_path (op->held_bridge, "/removeChannel");
          op_request (op, LINE_HOLD_OTHER_REMOVED, "POST", path, (const char *[]){ "channel", line, NULL });
          return;
        }
      op->step = LINE_HOLD_OTHER_MOH;
      G_GNUC_FALLTHROUGH;

    case LINE_HOLD_OTHER_REMOVED:
      if (op->step == LINE_HOLD_OTHER_REMOVED)
        {
          path = bridge_path (op->held_bridge, "/moh");
          op_request (op, LINE_HOLD_OTHER_MOH, "POST", path, (const char *[]){ "mohClass", self->moh_class, NULL });
          return;
        }
      G_GNUC_FALLTHROUGH;

    case LINE_HOLD_OTHER_MOH:
      if (line_of (self, op->extension) == NULL)
        {
          g_autofree char *endpoint = endpoint_for (self, op->extension);
          g_autofree char *args = g_strconcat ("line,", op->extension, NULL);
          g_autofree char *caller_id = caller_id_of (find_call (self, op->call));

          g_free (op->channel);
          op->channel = new_channel_id ("line", op->extension);
          channel_follow (self, op->channel, "line", op->extension, NULL);
          originate (op, LINE_ORIGINATED, op->channel, endpoint, args, caller_id,
                     self->ring_timeout, self->answer_header);
          return;
        }
      op->step = LINE_UP;
      G_GNUC_FALLTHROUGH;

    case LINE_ORIGINATED:
      if (op->step == LINE_ORIGINATED)
        {
          if (op->error != NULL)
            {
              g_hash_table_remove (self->channels, op->channel);
              op_fail (op, ATTENDANT_TELEPHONY_ERROR_BUSY, "Your phone (%s) cannot be rung: %s",
                       op->extension, op->error->message);
              return;
            }
          op_wait (op, LINE_UP, op_channel_up_or_gone, (self->ring_timeout + 5) * 1000);
          return;
        }
      G_GNUC_FALLTHROUGH;

    case LINE_UP:
      if (op->channel != NULL && line_of (self, op->extension) == NULL)
        {
          Channel *channel = g_hash_table_lookup (self->channels, op->channel);

          if (channel == NULL || !channel->in_stasis)
            {
              path = channel_path (op->channel, "");
              fire (self, "DELETE", path, NULL);
              op_fail (op, ATTENDANT_TELEPHONY_ERROR_BUSY, "Your phone (%s) did not answer", op->extension);
              return;
            }
          g_hash_table_replace (self->lines, g_strdup (op->extension), g_strdup (op->channel));
        }
      if (op->mode == MODE_DIAL)
        {
          g_autofree char *endpoint = endpoint_for (self, op->target);
          g_autofree char *args = NULL;
          const char *name = g_hash_table_lookup (self->attendants, op->extension);
          g_autofree char *caller_id = g_strdup_printf ("\"%s\" <%s>", name != NULL ? name : op->extension,
                                                        op->extension);
          Call *dialled;

          g_free (op->channel);
          op->channel = new_channel_id ("leg", NULL);
          dialled = call_new (self, op->channel, "active");
          dialled->is_dial = TRUE;
          dialled->attendant = g_strdup (op->extension);
          dialled->caller_number = g_strdup (op->target);
          dialled->caller_name = contact_name (self, op->target);
          g_free (op->call);
          op->call = g_strdup (dialled->id);
          args = g_strconcat ("leg,", dialled->id, ",", op->target, NULL);
          channel_follow (self, op->channel, "leg", op->target, dialled->id);
          originate (op, DIAL_ORIGINATED, op->channel, endpoint, args, caller_id, self->ring_timeout, NULL);
          return;
        }
      op->step = CALL_BRIDGE;
      G_GNUC_FALLTHROUGH;

    case CALL_BRIDGE:
      if ((call = find_call (self, op->call)) == NULL)
        {
          release_line_if_idle (self, op->extension);
          op_fail (op, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "The caller of %s hung up", op->call);
          return;
        }
      path = bridge_path (op->bridge, "");
      op_request (op, CALL_BRIDGED, "POST", path, (const char *[]){ "type", BRIDGE_TYPE, "name", call->id, NULL });
      return;

    case CALL_BRIDGED:
      /* A held or recalled call has its bridge already. */
      if (op->error != NULL && !g_error_matches (op->error, ATTENDANT_ARI_STATUS_ERROR, 409))
        {
          op_fail_with_error (op);
          return;
        }
      if ((call = find_call (self, op->call)) == NULL)
        {
          op->step = CALL_BRIDGE;
          op->run (op);
          return;
        }
      if (!call->answered)
        {
          path = channel_path (call->channel, "/answer");
          op_request (op, CALL_ANSWERED, "POST", path, NULL);
          return;
        }
      G_GNUC_FALLTHROUGH;

    case CALL_ANSWERED:
      if ((call = find_call (self, op->call)) == NULL)
        {
          op->step = CALL_BRIDGE;
          op->run (op);
          return;
        }
      call->answered = TRUE;
      path = channel_path (call->channel, "/moh");
      fire (self, "DELETE", path, NULL);
      g_free (path);
      path = bridge_path (op->bridge, "/moh");
      op_request (op, CALL_ADD, "DELETE", path, NULL);
      return;

    case CALL_ADD:
      if ((call = find_call (self, op->call)) == NULL)
        {
          op->step = CALL_BRIDGE;
          op->run (op);
          return;
        }
      {
        g_autofree char *channels = NULL;

        line = line_of (self, op->extension);
        if (line == NULL)
          {
            op_fail (op, ATTENDANT_TELEPHONY_ERROR_BUSY, "Your phone (%s) hung up", op->extension);
            return;
          }
        if (channel_in_bridge (self, call->channel, op->bridge))
          channels = g_strdup (line);
        else
          channels = g_strconcat (call->channel, ",", line, NULL);
        path = bridge_path (op->bridge, "/addChannel");
        op_request (op, CALL_ADDED, "POST", path, (const char *[]){ "channel", channels, NULL });
      }
      return;

    case CALL_ADDED:
      op_wait_line_in (op, CALL_LINE_IN);
      return;

    case CALL_LINE_IN:
      if (op->timed_out || (call = find_call (self, op->call)) == NULL)
        {
          op_fail (op, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "%s ended before it was connected", op->call);
          return;
        }
      g_free (op->channel);
      op->channel = g_strdup (call->channel);
      op_wait (op, CALL_CALLER_IN, op_channel_in_bridge, CONFIRM_TIMEOUT_MS);
      return;

    case CALL_CALLER_IN:
      if (op->timed_out || (call = find_call (self, op->call)) == NULL)
        {
          op_fail (op, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "%s ended before it was connected", op->call);
          return;
        }
      call_set_state (call, "active");
      set_string (&call->attendant, op->extension);
      call_changed (self, call);
      op_return (op);
      return;

    case DIAL_ORIGINATED:
      if (op->error != NULL)
        {
          call = find_call (self, op->call);
          g_hash_table_remove (self->channels, op->channel);
          if (call != NULL)
            g_ptr_array_remove (self->calls, call);
          op_fail_with_error (op);
          return;
        }
      g_free (op->bridge);
      op->bridge = g_strconcat ("attendant-", op->call, NULL);
      path = bridge_path (op->bridge, "");
      op_request (op, DIAL_BRIDGE, "POST", path, (const char *[]){ "type", BRIDGE_TYPE, "name", op->call, NULL });
      return;

    case DIAL_BRIDGE:
      /* 409: the answer of the number made it first (on_leg_up). */
      if (op->error != NULL && !g_error_matches (op->error, ATTENDANT_ARI_STATUS_ERROR, 409))
        {
          op_fail_with_error (op);
          return;
        }
      path = bridge_path (op->bridge, "/addChannel");
      op_request (op, DIAL_ADDED, "POST", path,
                  (const char *[]){ "channel", line_of (self, op->extension), NULL });
      return;

    case DIAL_ADDED:
      op_wait_line_in (op, DIAL_LINE_IN);
      return;

    case DIAL_LINE_IN:
      if (op->timed_out || (call = find_call (self, op->call)) == NULL)
        {
          op_fail (op, ATTENDANT_TELEPHONY_ERROR_BUSY, "%s did not answer", op->target);
          return;
        }
      call_changed (self, call);
      op->result = json_object_new ();
      json_object_set_object_member (op->result, "call", call_to_json (call));
      op_return (op);
      return;

    case STEP_CHECKED_TARGET:
      if (checked_target (op))
        op->run (op);
      return;

    default:
      g_assert_not_reached ();
    }
}

/* }}} */
/* {{{ Hold, hang up */

enum {
  HOLD_START,
  HOLD_REMOVED,
  HOLD_OUT,
  HOLD_MOH,
};

static void
hold_run (Op *op)
{
  AttendantAsterisk *self = op->self;
  Call *call = NULL;
  g_autofree char *path = NULL;

  switch (op->step)
    {
    case HOLD_START:
      if (!check_call (op, &call) || !check_owner (op, call) || !check_state (op, call, "active", NULL))
        return;
      op->bridge = bridge_id (call);
      op->channel = g_strdup (line_of (self, op->extension));
      if (op->channel == NULL || !channel_in_bridge (self, op->channel, op->bridge))
        {
          op->step = HOLD_OUT;
          op->run (op);
          return;
        }
      path = bridge_path (op->bridge, "/removeChannel");
      op_request (op, HOLD_REMOVED, "POST", path, (const char *[]){ "channel", op->channel, NULL });
      return;

    case HOLD_REMOVED:
      if (op->error != NULL)
        {
          op_fail_with_error (op);
          return;
        }
      op_wait (op, HOLD_OUT, op_channel_out_of_bridge, CONFIRM_TIMEOUT_MS);
      return;

    case HOLD_OUT:
      path = bridge_path (op->bridge, "/moh");
      op_request (op, HOLD_MOH, "POST", path, (const char *[]){ "mohClass", self->moh_class, NULL });
      return;

    case HOLD_MOH:
      if (!check_call (op, &call))
        return;
      if (op->error != NULL)
        {
          op_fail_with_error (op);
          return;
        }
      call_set_state (call, "held");
      call_changed (self, call);
      op_return (op);
      return;

    default:
      g_assert_not_reached ();
    }
}

enum {
  HANGUP_START,
  HANGUP_SENT,
  HANGUP_GONE,
};

static void
hangup_run (Op *op)
{
  Call *call = NULL;
  g_autofree char *path = NULL;

  switch (op->step)
    {
    case HANGUP_START:
      if (!check_call (op, &call))
        return;
      if (!g_str_equal (call->state, "queued") && !check_owner (op, call))
        return;
      path = channel_path (call->channel, "");
      op_request (op, HANGUP_SENT, "DELETE", path, (const char *[]){ "reason", "normal", NULL });
      return;

    case HANGUP_SENT:
      if (op->error != NULL && !g_error_matches (op->error, ATTENDANT_ARI_STATUS_ERROR, 404))
        {
          op_fail_with_error (op);
          return;
        }
      op_wait (op, HANGUP_GONE, op_call_gone, CONFIRM_TIMEOUT_MS);
      return;

    case HANGUP_GONE:
      if (op->timed_out)
        {
          op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "Asterisk did not end %s", op->call);
          return;
        }
      op_return (op);
      return;

    default:
      g_assert_not_reached ();
    }
}

/* }}} */
/* {{{ Transfer and consultation */

enum {
  XFER_START,
  XFER_LINE_OUT,
  XFER_MOH,
  XFER_ORIGINATED,
  XFER_CONSULT_BRIDGE,
  XFER_CONSULT_ADDED,
  XFER_CONSULT_LINE_IN,
};

static void
transfer_run (Op *op)
{
  AttendantAsterisk *self = op->self;
  gboolean consult = op->mode == 1;
  Call *call = NULL;
  const char *line;
  g_autofree char *path = NULL;

  switch (op->step)
    {
    case XFER_START:
      if (!check_call (op, &call) || !check_owner (op, call) || !check_state (op, call, "active", "held"))
        return;
      if (call->consult != NULL || call->is_consult)
        {
          op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE,
                   "%s is part of a consultation: complete or cancel it", call->id);
          return;
        }
      op->bridge = bridge_id (call);
      check_target (op, XFER_LINE_OUT);
      return;

    case STEP_CHECKED_TARGET:
      if (checked_target (op))
        op->run (op);
      return;

    case XFER_LINE_OUT:
      if (!check_call (op, &call))
        return;
      line = line_of (self, op->extension);
      if (line != NULL && channel_in_bridge (self, line, op->bridge))
        {
          path = bridge_path (op->bridge, "/removeChannel");
          op_request (op, XFER_MOH, "POST", path, (const char *[]){ "channel", line, NULL });
          return;
        }
      op->step = XFER_MOH;
      G_GNUC_FALLTHROUGH;

    case XFER_MOH:
      if (!check_call (op, &call))
        return;
      {
        g_autofree char *endpoint = endpoint_for (self, op->target);
        g_autofree char *args = NULL;
        g_autofree char *caller_id = caller_id_of (call);
        g_autofree char *moh = bridge_path (op->bridge, "/moh");

        fire (self, "POST", moh, (const char *[]){ "mohClass", self->moh_class, NULL });
        op->channel = new_channel_id ("leg", NULL);
        if (consult)
          {
            Call *leg = call_new (self, op->channel, "consulting");

            leg->is_consult = TRUE;
            leg->attendant = g_strdup (op->extension);
            leg->caller_number = g_strdup (op->target);
            leg->caller_name = contact_name (self, op->target);
            leg->peer = g_strdup (op->target);
            leg->consult = g_strdup (call->id);
            set_string (&call->consult, leg->id);
            args = g_strconcat ("leg,", leg->id, ",", op->target, NULL);
            channel_follow (self, op->channel, "leg", op->target, leg->id);
          }
        else
          {
            set_string (&call->leg, op->channel);
            args = g_strconcat ("leg,", call->id, ",", op->target, NULL);
            channel_follow (self, op->channel, "leg", op->target, call->id);
          }
        originate (op, XFER_ORIGINATED, op->channel, endpoint, args, caller_id, self->ring_timeout, NULL);
      }
      return;

    case XFER_ORIGINATED:
      call = find_call (self, op->call);
      if (op->error != NULL)
        {
          Call *leg = find_call_by_channel (self, op->channel);

          g_hash_table_remove (self->channels, op->channel);
          if (consult && leg != NULL)
            g_ptr_array_remove (self->calls, leg);
          if (call != NULL)
            {
              g_clear_pointer (&call->leg, g_free);
              g_clear_pointer (&call->consult, g_free);
            }
          op_fail (op, ATTENDANT_TELEPHONY_ERROR_BUSY, "%s cannot be rung: %s", op->target, op->error->message);
          return;
        }
      if (call == NULL)
        {
          op_fail (op, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "The caller of %s hung up", op->call);
          return;
        }
      if (!consult)
        {
          /* Answered or refused already (its events are out). */
          if (call->leg == NULL || call->handed)
            {
              release_line_if_idle (self, op->extension);
              op_return (op);
              return;
            }
          call_set_state (call, "transferring");
          call->recalled = FALSE;
          set_string (&call->peer, op->target);
          call_changed (self, call);
          release_line_if_idle (self, op->extension);
          op_return (op);
          return;
        }
      /* The consultation's bridge, with the attendant's line in it. */
      {
        Call *leg = find_call_by_channel (self, op->channel);
        g_autofree char *leg_bridge = leg != NULL ? bridge_id (leg) : NULL;

        if (leg == NULL)
          {
            op_fail (op, ATTENDANT_TELEPHONY_ERROR_BUSY, "%s did not answer", op->target);
            return;
          }
        call_set_state (call, "held");
        set_string (&call->peer, op->target);
        g_free (op->bridge);
        op->bridge = g_steal_pointer (&leg_bridge);
        path = bridge_path (op->bridge, "");
        op_request (op, XFER_CONSULT_BRIDGE, "POST", path, (const char *[]){ "type", BRIDGE_TYPE, "name", leg->id, NULL });
      }
      return;

    case XFER_CONSULT_BRIDGE:
      line = line_of (self, op->extension);
      if ((op->error != NULL && !g_error_matches (op->error, ATTENDANT_ARI_STATUS_ERROR, 409)) || line == NULL)
        {
          op_fail_with_error (op);
          return;
        }
      path = bridge_path (op->bridge, "/addChannel");
      op_request (op, XFER_CONSULT_ADDED, "POST", path, (const char *[]){ "channel", line, NULL });
      return;

    case XFER_CONSULT_ADDED:
      if (op->error == NULL)
        {
          g_free (op->target);
          op->target = g_strdup (op->channel);   /* the leg */
        }
      op_wait_line_in (op, XFER_CONSULT_LINE_IN);
      return;

    case XFER_CONSULT_LINE_IN:
      {
        Call *leg = find_call_by_channel (self, op->target);

        call = find_call (self, op->call);
        if (call != NULL)
          call_changed (self, call);
        if (leg == NULL)
          {
            op_fail (op, ATTENDANT_TELEPHONY_ERROR_BUSY, "The consultation ended at once");
            return;
          }
        call_changed (self, leg);
        op->result = json_object_new ();
        json_object_set_object_member (op->result, "call", call_to_json (leg));
        op_return (op);
      }
      return;

    default:
      g_assert_not_reached ();
    }
}

/* The original call and its consultation, from either id. */
static gboolean
get_consultation (Op    *op,
                  Call **original,
                  Call **leg)
{
  Call *call;

  if (!check_call (op, &call) || !check_owner (op, call))
    return FALSE;

  if (call->is_consult)
    {
      *leg = call;
      *original = find_call (op->self, call->consult);
    }
  else
    {
      *original = call;
      *leg = find_call (op->self, call->consult);
    }

  if (*original == NULL || *leg == NULL)
    {
      op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "%s has no consultation", call->id);
      return FALSE;
    }
  g_free (op->call);
  op->call = g_strdup ((*original)->id);
  return TRUE;
}

enum {
  COMPLETE_START,
  COMPLETE_LEG_OUT,
  COMPLETE_LEG_GONE_OUT,
  COMPLETE_ADDED,
  COMPLETE_LEG_IN,
};

static void
complete_run (Op *op)
{
  AttendantAsterisk *self = op->self;
  Call *original = NULL;
  Call *leg = NULL;
  g_autofree char *path = NULL;

  switch (op->step)
    {
    case COMPLETE_START:
      if (!get_consultation (op, &original, &leg))
        return;
      op->channel = g_strdup (leg->channel);
      op->target = g_strdup (leg->caller_number);
      op->held_bridge = bridge_id (leg);
      op->bridge = bridge_id (original);

      if (!leg->answered)
        {
          /* Still ringing: what is left is a blind transfer, with its
           * recall, to the same ringing leg. */
          Channel *channel = g_hash_table_lookup (self->channels, leg->channel);

          if (channel != NULL)
            set_string (&channel->call, original->id);
          set_string (&original->leg, leg->channel);
          g_clear_pointer (&original->consult, g_free);
          call_removed_event (self, leg);
          g_ptr_array_remove (self->calls, leg);
          call_set_state (original, "transferring");
          set_string (&original->peer, op->target);
          call_changed (self, original);
          path = bridge_path (op->held_bridge, "");
          fire (self, "DELETE", path, NULL);
          release_line_if_idle (self, op->extension);
          op_return (op);
          return;
        }

      path = bridge_path (op->held_bridge, "/removeChannel");
      op_request (op, COMPLETE_LEG_OUT, "POST", path, (const char *[]){ "channel", op->channel, NULL });
      return;

    case COMPLETE_LEG_OUT:
      if (op->error != NULL)
        {
          op_fail_with_error (op);
          return;
        }
      {
        /* Waiting for the leg out of the consultation's bridge. */
        char *swap = op->bridge;

        op->bridge = op->held_bridge;
        op->held_bridge = swap;
      }
      op_wait (op, COMPLETE_LEG_GONE_OUT, op_channel_out_of_bridge, CONFIRM_TIMEOUT_MS);
      return;

    case COMPLETE_LEG_GONE_OUT:
      {
        char *swap = op->bridge;

        op->bridge = op->held_bridge;
        op->held_bridge = swap;
      }
      path = bridge_path (op->bridge, "/moh");
      fire (self, "DELETE", path, NULL);
      g_free (path);
      path = bridge_path (op->bridge, "/addChannel");
      op_request (op, COMPLETE_ADDED, "POST", path, (const char *[]){ "channel", op->channel, NULL });
      return;

    case COMPLETE_ADDED:
      if (op->error != NULL)
        {
          op_fail_with_error (op);
          return;
        }
      op_wait (op, COMPLETE_LEG_IN, op_channel_in_bridge, CONFIRM_TIMEOUT_MS);
      return;

    case COMPLETE_LEG_IN:
      original = find_call (self, op->call);
      leg = find_call_by_channel (self, op->channel);
      if (op->timed_out || original == NULL)
        {
          op_fail (op, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "%s ended before it was joined", op->call);
          return;
        }
      if (leg != NULL)
        {
          Channel *channel = g_hash_table_lookup (self->channels, leg->channel);

          if (channel != NULL)
            set_string (&channel->call, original->id);
          call_removed_event (self, leg);
          g_ptr_array_remove (self->calls, leg);
        }
      g_clear_pointer (&original->consult, g_free);
      set_string (&original->leg, op->channel);
      call_hand_over (self, original);
      path = bridge_path (op->held_bridge, "");
      fire (self, "DELETE", path, NULL);
      release_line_if_idle (self, op->extension);
      op_return (op);
      return;

    default:
      g_assert_not_reached ();
    }
}

enum {
  CANCEL_START,
  CANCEL_SENT,
  CANCEL_GONE,
};

static void
cancel_run (Op *op)
{
  Call *original = NULL;
  Call *leg = NULL;
  g_autofree char *path = NULL;

  switch (op->step)
    {
    case CANCEL_START:
      if (!get_consultation (op, &original, &leg))
        return;
      g_free (op->target);
      op->target = g_strdup (leg->id);
      path = channel_path (leg->channel, "");
      op_request (op, CANCEL_SENT, "DELETE", path, (const char *[]){ "reason", "normal", NULL });
      return;

    case CANCEL_SENT:
      {
        /* op_call_gone looks at op->call: the consultation's, for now. */
        char *swap = op->call;

        op->call = op->target;
        op->target = swap;
      }
      op_wait (op, CANCEL_GONE, op_call_gone, CONFIRM_TIMEOUT_MS);
      return;

    case CANCEL_GONE:
      {
        char *swap = op->call;

        op->call = op->target;
        op->target = swap;
      }
      if (op->timed_out)
        {
          op_fail (op, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "Asterisk did not end the consultation");
          return;
        }
      /* Back to the caller, as a resume. */
      op->run = line_run;
      op->mode = MODE_RESUME;
      op->step = LINE_START;
      op->run (op);
      return;

    default:
      g_assert_not_reached ();
    }
}

/* }}} */
/* {{{ Rebuilding from Asterisk */

typedef struct
{
  AttendantAsterisk *self;
  guint              generation;
  JsonArray         *channels;
  GPtrArray         *stasis;      /* JsonObject: our channels, in order */
  GPtrArray         *values;      /* their state variables, or NULL */
  guint              next;
  GPtrArray         *buffered;    /* events that came meanwhile */
} Rebuild;

static Rebuild *rebuilding_of (AttendantAsterisk *self);

static void
rebuild_free (Rebuild *rebuild)
{
  g_clear_pointer (&rebuild->channels, json_array_unref);
  g_ptr_array_unref (rebuild->stasis);
  g_ptr_array_unref (rebuild->values);
  g_ptr_array_unref (rebuild->buffered);
  g_object_unref (rebuild->self);
  g_free (rebuild);
}

/* The arguments a channel was handed to this application with, from its
 * dialplan location (Stasis(app,args…), or an originate into the app). */
static char **
stasis_args (AttendantAsterisk *self,
             JsonObject        *channel)
{
  JsonObject *dialplan = attendant_protocol_get_object (channel, "dialplan");
  const char *app = dialplan ? attendant_protocol_get_string (dialplan, "app_name") : NULL;
  const char *data = dialplan ? attendant_protocol_get_string (dialplan, "app_data") : NULL;
  const char *application = attendant_ari_get_application (self->ari);
  const char *rest;

  /* The shared application, or a node's own ("<app>-node-…"). */
  if (g_strcmp0 (app, "Stasis") != 0 || data == NULL || !g_str_has_prefix (data, application))
    return NULL;
  rest = data + strlen (application);
  if (g_str_has_prefix (rest, "-node-"))
    rest = strchr (rest, ',');
  if (rest == NULL || rest[0] != ',')
    return NULL;
  return g_strsplit (rest + 1, ",", 8);
}

static void rebuild_next_variable (Rebuild *rebuild);

/* The connection's picture is complete: one snapshot for every session,
 * and the telephone system reachable again. */
static void
announce_rebuilt (AttendantAsterisk *self)
{
  g_clear_handle_id (&self->reset_wait, g_source_remove);
  self->reset_pending = FALSE;
  attendant_telephony_emit_reset (ATTENDANT_TELEPHONY (self));
  attendant_telephony_emit_availability_changed (ATTENDANT_TELEPHONY (self));
}

static gboolean
reset_wait_cb (gpointer user_data)
{
  AttendantAsterisk *self = user_data;

  self->reset_wait = 0;
  /* Lost again meanwhile: the next rebuild announces. */
  if (!self->rebuilt)
    return G_SOURCE_REMOVE;
  g_debug ("the directory is not read yet: the snapshots go without it");
  announce_rebuilt (self);
  return G_SOURCE_REMOVE;
}

/* One reset per connection: the calls are rebuilt, and the directory,
 * read at the same connection, emits its own "reset" when done; whichever
 * comes last announces both. */
static void
announce_when_directory_read (AttendantAsterisk *self)
{
  g_clear_handle_id (&self->reset_wait, g_source_remove);
  self->reset_pending = !self->directory_fresh;
  if (self->reset_pending)
    self->reset_wait = g_timeout_add (DIRECTORY_WAIT_MS, reset_wait_cb, self);
  else
    announce_rebuilt (self);
}

static void
rebuild_finish (Rebuild *rebuild)
{
  AttendantAsterisk *self = rebuild->self;

  g_ptr_array_set_size (self->calls, 0);
  g_hash_table_remove_all (self->channels);
  g_hash_table_remove_all (self->lines);

  for (guint i = 0; i < rebuild->stasis->len; i++)
    {
      JsonObject *channel = g_ptr_array_index (rebuild->stasis, i);
      const char *value = g_ptr_array_index (rebuild->values, i);
      const char *id = attendant_protocol_get_string (channel, "id");
      g_auto(GStrv) args = stasis_args (self, channel);
      Channel *followed;

      if (args == NULL || args[0] == NULL)
        continue;

      if (g_str_equal (args[0], "line") && args[1] != NULL)
        {
          followed = channel_follow (self, id, "line", args[1], NULL);
          followed->in_stasis = TRUE;
          g_hash_table_replace (self->lines, g_strdup (args[1]), g_strdup (id));
          continue;
        }

      if (g_str_equal (args[0], "leg") && args[1] != NULL)
        followed = channel_follow (self, id, "leg", args[2], args[1]);
      else if (g_str_equal (args[0], "queue"))
        followed = channel_follow (self, id, "queue", NULL, NULL);
      else
        continue;
      followed->in_stasis = TRUE;

      if (value != NULL || g_str_equal (args[0], "queue"))
        {
          JsonObject *caller = attendant_protocol_get_object (channel, "caller");
          Call *call = call_new (self, id, "queued");

          if (caller != NULL)
            {
              call->caller_number = g_strdup (attendant_protocol_get_string (caller, "number"));
              call->caller_name = g_strdup (attendant_protocol_get_string (caller, "name"));
            }
          call->answered = g_strcmp0 (attendant_protocol_get_string (channel, "state"), "Up") == 0;
          if (g_str_equal (args[0], "queue"))
            set_string (&call->queue, args[1] != NULL ? args[1] : "main");
          if (value != NULL && !call_decode (call, value))
            g_ptr_array_remove (self->calls, call);
          else if (value == NULL && !g_str_equal (args[0], "queue"))
            g_ptr_array_remove (self->calls, call);
        }
    }
}

static void rebuild (AttendantAsterisk *self);

static gboolean
rebuild_retry_cb (gpointer user_data)
{
  AttendantAsterisk *self = user_data;

  self->rebuild_retry = 0;
  if (attendant_ari_get_connected (self->watch))
    rebuild (self);
  return G_SOURCE_REMOVE;
}

/* The answer to one of the rebuild's lists, or NULL when the rebuild is
 * over: superseded, or failed (then tried again a second later, as long as
 * the events connection holds). */
static JsonNode *
rebuild_read_list (Rebuild      *rebuild,
                   GObject      *object,
                   GAsyncResult *result,
                   const char   *what)
{
  AttendantAsterisk *self = rebuild->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = attendant_ari_request_finish (ATTENDANT_ARI (object), result, &error);

  if (rebuild->generation != self->generation)
    {
      rebuild_free (rebuild);
      return NULL;
    }
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_message ("Could not read Asterisk's %s (%s); trying again", what, error ? error->message : "not a list");
      g_clear_handle_id (&self->rebuild_retry, g_source_remove);
      self->rebuild_retry = g_timeout_add_seconds (1, rebuild_retry_cb, self);
      rebuild_free (rebuild);
      return NULL;
    }
  return g_steal_pointer (&node);
}

static void
rebuild_bridges_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Rebuild *rebuild = user_data;
  AttendantAsterisk *self = rebuild->self;
  g_autoptr(JsonNode) node = rebuild_read_list (rebuild, object, result, "bridges");

  if (node == NULL)
    return;

  rebuild_finish (rebuild);

  /* Where each followed channel is. */
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (node), i);
      JsonObject *bridge = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      JsonArray *members = bridge ? attendant_protocol_get_array (bridge, "channels") : NULL;
      const char *bridge_name = bridge ? attendant_protocol_get_string (bridge, "id") : NULL;

      for (guint j = 0; members != NULL && bridge_name != NULL && j < json_array_get_length (members); j++)
        {
          JsonNode *member = json_array_get_element (members, j);
          Channel *channel = JSON_NODE_HOLDS_VALUE (member)
            ? g_hash_table_lookup (self->channels, json_node_get_string (member)) : NULL;

          if (channel != NULL)
            set_string (&channel->bridge, bridge_name);
        }
    }

  /* What ended while no node watched: a transfer's leg gone. */
  for (guint i = self->calls->len; i > 0; i--)
    {
      Call *call = g_ptr_array_index (self->calls, i - 1);

      if (call->leg != NULL && !g_hash_table_contains (self->channels, call->leg))
        {
          g_autofree char *leg = g_strdup (call->leg);

          on_channel_gone (self, leg);
        }
    }

  self->rebuilt = TRUE;
  g_clear_pointer (&self->unreachable, g_free);
  g_object_set_data (G_OBJECT (self), "attendant-rebuild", NULL);

  /* The events that came while Asterisk was being read, now on a picture
   * that is complete; what they repeat is ignored. */
  for (guint i = 0; i < rebuild->buffered->len; i++)
    {
      JsonObject *event = g_ptr_array_index (rebuild->buffered, i);

      ari_event_cb (self->ari, attendant_protocol_get_string (event, "type"), event, self);
    }

  announce_when_directory_read (self);
  wake_waiters (self);
  rebuild_free (rebuild);
}

static void
rebuild_variable_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Rebuild *rebuild = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = attendant_ari_request_finish (ATTENDANT_ARI (object), result, &error);
  const char *value = NULL;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    value = attendant_protocol_get_string (json_node_get_object (node), "value");
  g_ptr_array_add (rebuild->values, g_strdup (value != NULL && value[0] != '\0' ? value : NULL));
  rebuild->next++;

  if (rebuild->generation != rebuild->self->generation)
    {
      rebuild_free (rebuild);
      return;
    }
  rebuild_next_variable (rebuild);
}

static void
rebuild_next_variable (Rebuild *rebuild)
{
  AttendantAsterisk *self = rebuild->self;

  if (rebuild->next < rebuild->stasis->len)
    {
      JsonObject *channel = g_ptr_array_index (rebuild->stasis, rebuild->next);
      g_autofree char *path = channel_path (attendant_protocol_get_string (channel, "id"), "/variable");

      attendant_ari_request_async (self->ari, "GET", path, (const char *[]){ "variable", STATE_VARIABLE, NULL },
                                   self->cancellable, rebuild_variable_cb, rebuild);
      return;
    }

  attendant_ari_request_async (self->ari, "GET", "bridges", NULL, self->cancellable, rebuild_bridges_cb, rebuild);
}

static int
compare_creation (gconstpointer a,
                  gconstpointer b)
{
  JsonObject *first = *(JsonObject * const *)a;
  JsonObject *second = *(JsonObject * const *)b;
  int by_time = g_strcmp0 (attendant_protocol_get_string (first, "creationtime"),
                           attendant_protocol_get_string (second, "creationtime"));

  return by_time != 0 ? by_time
                      : g_strcmp0 (attendant_protocol_get_string (first, "id"),
                                   attendant_protocol_get_string (second, "id"));
}

static void
rebuild_channels_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Rebuild *rebuild = user_data;
  AttendantAsterisk *self = rebuild->self;
  g_autoptr(JsonNode) node = rebuild_read_list (rebuild, object, result, "channels");

  if (node == NULL)
    return;

  rebuild->channels = json_array_ref (json_node_get_array (node));
  for (guint i = 0; i < json_array_get_length (rebuild->channels) && rebuild->stasis->len < MAX_CALLS; i++)
    {
      JsonNode *element = json_array_get_element (rebuild->channels, i);
      JsonObject *channel = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      g_auto(GStrv) args = channel ? stasis_args (self, channel) : NULL;

      if (args != NULL && attendant_protocol_get_string (channel, "id") != NULL)
        g_ptr_array_add (rebuild->stasis, channel);
    }
  /* The calls in the order they came, as every node lists them. */
  g_ptr_array_sort (rebuild->stasis, compare_creation);
  rebuild_next_variable (rebuild);
}

static Rebuild *
rebuilding_of (AttendantAsterisk *self)
{
  return g_object_get_data (G_OBJECT (self), "attendant-rebuild");
}

/* Reads the calls from Asterisk (/channels, each one's state variable,
 * /bridges) and replaces the picture with them. */
static void
rebuild (AttendantAsterisk *self)
{
  Rebuild *rebuild = g_new0 (Rebuild, 1);

  self->generation++;
  self->rebuilt = FALSE;
  rebuild->self = g_object_ref (self);
  rebuild->generation = self->generation;
  rebuild->stasis = g_ptr_array_new ();
  rebuild->values = g_ptr_array_new_with_free_func (g_free);
  rebuild->buffered = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  g_object_set_data (G_OBJECT (self), "attendant-rebuild", rebuild);
  attendant_ari_request_async (self->ari, "GET", "channels", NULL, self->cancellable, rebuild_channels_cb, rebuild);
}

/* }}} */
/* {{{ Connection */

static void
watch_connected_cb (AttendantAri      *ari,
                    AttendantAsterisk *self)
{
  self->directory_fresh = FALSE;
  rebuild (self);
}

/* {{{ Directory */

/* A presence is an event of its own; a new name or department is the
 * contact again. */
static void
directory_contact_changed_cb (AttendantAsteriskDirectory *directory,
                              JsonObject                 *contact,
                              AttendantAsterisk          *self)
{
  JsonObject *message = attendant_protocol_message_new ("event");
  GSignalInvocationHint *hint = g_signal_get_invocation_hint (directory);

  if (hint->detail == g_quark_from_static_string ("presence"))
    {
      json_object_set_string_member (message, "event", ATTENDANT_PROTOCOL_EVENT_PRESENCE);
      json_object_set_string_member (message, "id", attendant_protocol_get_string (contact, "id"));
      json_object_set_string_member (message, "presence", attendant_protocol_get_string (contact, "presence"));
    }
  else
    {
      json_object_set_string_member (message, "event", ATTENDANT_PROTOCOL_EVENT_DIRECTORY_UPDATED);
      json_object_set_object_member (message, "contact", json_object_ref (contact));
    }
  emit (self, message);
}

static void
directory_reset_cb (AttendantAsteriskDirectory *directory,
                    AttendantAsterisk          *self)
{
  self->directory_fresh = TRUE;
  /* While the calls are being rebuilt, their end announces both. */
  if (!self->rebuilt)
    return;
  if (self->reset_pending)
    announce_rebuilt (self);
  else
    attendant_telephony_emit_reset (ATTENDANT_TELEPHONY (self));
}

static void
drop_directory (AttendantAsterisk *self)
{
  if (self->directory == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->directory, self);
  g_clear_object (&self->directory);
}

/* A directory on the node's own application, of the endpoints'
 * technology, with the file's contacts: made again with either. */
static void
new_directory (AttendantAsterisk *self)
{
  const char *slash = strchr (self->endpoint_format, '/');
  g_autofree char *technology = slash != NULL && slash > self->endpoint_format
    ? g_strndup (self->endpoint_format, (gsize)(slash - self->endpoint_format)) : g_strdup ("PJSIP");

  drop_directory (self);
  self->directory_fresh = FALSE;
  self->directory = attendant_asterisk_directory_new (self->watch, technology);
  for (guint i = 0; i < self->contacts->len; i++)
    {
      JsonObject *contact = g_ptr_array_index (self->contacts, i);

      attendant_asterisk_directory_add_contact (self->directory,
                                                attendant_protocol_get_string (contact, "number"),
                                                attendant_protocol_get_string (contact, "name"),
                                                attendant_protocol_get_string (contact, "department"));
    }
  g_signal_connect (self->directory, "contact-changed", G_CALLBACK (directory_contact_changed_cb), self);
  g_signal_connect (self->directory, "reset", G_CALLBACK (directory_reset_cb), self);
}

/* }}} */

static gboolean
applications_contain (JsonNode   *node,
                      const char *name)
{
  JsonArray *applications = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  for (guint i = 0; applications != NULL && i < json_array_get_length (applications); i++)
    {
      JsonNode *element = json_array_get_element (applications, i);

      if (JSON_NODE_HOLDS_OBJECT (element) &&
          g_strcmp0 (attendant_protocol_get_string (json_node_get_object (element), "name"), name) == 0)
        return TRUE;
    }
  return FALSE;
}

static void new_watch (AttendantAsterisk *self);

static gboolean
retake_cb (gpointer user_data)
{
  AttendantAsterisk *self = user_data;

  self->retake = 0;
  attendant_ari_start (self->ari);
  return G_SOURCE_REMOVE;
}

static void
applications_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(AttendantAsterisk) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = attendant_ari_request_finish (ATTENDANT_ARI (object), result, &error);

  if (node == NULL || self->applications_poll == 0)
    return;

  /* The shared application has no connection: its owner is gone (or
   * Asterisk dropped it under a live one, as it does when an old
   * connection's end reaches it after a new one's start). This node
   * takes it. */
  if (!applications_contain (node, attendant_ari_get_application (self->ari)) &&
      (self->replaced || attendant_ari_get_connected (self->ari)))
    {
      g_debug ("the shared application has no owner: %s takes it", self->node);
      /* Replaced: nothing of this node's to end. Held: the end of the
       * connection must reach Asterisk before the new one starts, or it
       * takes the application away again. */
      if (self->replaced)
        attendant_ari_start (self->ari);
      else
        {
          attendant_ari_stop (self->ari);
          g_clear_handle_id (&self->retake, g_source_remove);
          self->retake = g_timeout_add (300, retake_cb, self);
        }
      self->replaced = FALSE;
    }

  /* The same for the node's own: without it the node would be blind. */
  if (!applications_contain (node, attendant_ari_get_application (self->watch)) &&
      attendant_ari_get_connected (self->watch))
    {
      g_debug ("Asterisk lost %s's own application: connecting again", self->node);
      self->generation++;
      self->rebuilt = FALSE;
      new_watch (self);
      attendant_ari_start (self->watch);
    }
}

/* About once a second (a little off the other nodes' beat), which
 * applications Asterisk has. */
static gboolean
applications_tick (gpointer user_data)
{
  AttendantAsterisk *self = user_data;

  if (attendant_ari_get_connected (self->watch))
    attendant_ari_request_async (self->watch, "GET", "applications", NULL, self->cancellable,
                                 applications_cb, g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

static void
shared_connected_cb (AttendantAri      *ari,
                     AttendantAsterisk *self)
{
  self->replaced = FALSE;
}

/* Replaced by a newer node: it owns the queue now, and this node watches
 * for it to go (applications_tick). */
static void
shared_disconnected_cb (AttendantAri      *ari,
                        int                reason,
                        const char        *message,
                        AttendantAsterisk *self)
{
  if (reason == ATTENDANT_ARI_DISCONNECT_REPLACED)
    self->replaced = TRUE;
}

static void watch_disconnected_cb (AttendantAri *ari, int reason, const char *message,
                                   AttendantAsterisk *self);
static void ari_event_buffer_cb (AttendantAri *ari, const char *type, JsonObject *event,
                                 AttendantAsterisk *self);

/* The node's own application, under a name never used before. Asterisk
 * takes the end of a connection that it learns late (after a pause, or
 * after the new one's start) for the end of the application, even when a
 * new connection holds it: a fresh name is out of reach of the old one. */
static void
new_watch (AttendantAsterisk *self)
{
  g_autofree char *own = NULL;

  if (self->watch != NULL)
    {
      attendant_ari_stop (self->watch);
      g_signal_handlers_disconnect_by_data (self->watch, self);
      g_clear_object (&self->watch);
    }

  g_free (self->node);
  self->node = g_strdup_printf ("node-%08x", g_random_int ());
  own = g_strconcat (attendant_ari_get_application (self->ari), "-", self->node, NULL);
  self->watch = attendant_ari_new_sibling (self->ari, own);
  attendant_ari_set_subscribe_all (self->watch, TRUE);
  g_signal_connect (self->watch, "connected", G_CALLBACK (watch_connected_cb), self);
  g_signal_connect (self->watch, "disconnected", G_CALLBACK (watch_disconnected_cb), self);
  g_signal_connect (self->watch, "event", G_CALLBACK (ari_event_buffer_cb), self);
  g_signal_connect (self->watch, "event", G_CALLBACK (ari_event_cb), self);
  new_directory (self);
}

/* The node's own application lost: nothing it knows can be trusted until
 * it is rebuilt. */
static void
watch_disconnected_cb (AttendantAri      *ari,
                       int                reason,
                       const char        *message,
                       AttendantAsterisk *self)
{
  g_free (self->unreachable);
  self->unreachable = g_strdup_printf ("Asterisk cannot be reached: %s", message);
  /* Asterisk went away or silent: the shared application's client, which
   * carries the commands and the rebuild's reads, may be replaced and then
   * has no liveness of its own; its keep-alive connections would hold the
   * first requests after Asterisk is back for as long as libsoup's
   * timeout. */
  if (reason == ATTENDANT_ARI_DISCONNECT_CLOSED || reason == ATTENDANT_ARI_DISCONNECT_TIMED_OUT)
    attendant_ari_drop_connections (self->ari);
  self->generation++;
  self->rebuilt = FALSE;
  g_object_set_data (G_OBJECT (self), "attendant-rebuild", NULL);
  attendant_telephony_emit_availability_changed (ATTENDANT_TELEPHONY (self));
}

/* Events are taken once the picture is rebuilt; while it is, they wait. */
static void
ari_event_buffer_cb (AttendantAri      *ari,
                     const char        *type,
                     JsonObject        *event,
                     AttendantAsterisk *self)
{
  Rebuild *rebuild = rebuilding_of (self);

  if (!self->rebuilt && rebuild != NULL)
    g_ptr_array_add (rebuild->buffered, json_object_ref (event));
}

/* }}} */
/* {{{ AttendantTelephony */

static guint64
asterisk_get_seq (AttendantTelephony *telephony)
{
  return ATTENDANT_ASTERISK (telephony)->seq;
}

static JsonArray *
asterisk_list_calls (AttendantTelephony *telephony)
{
  AttendantAsterisk *self = ATTENDANT_ASTERISK (telephony);
  JsonArray *calls = json_array_new ();

  for (guint i = 0; i < self->calls->len; i++)
    {
      Call *call = g_ptr_array_index (self->calls, i);

      if (!call->handed)
        json_array_add_object_element (calls, call_to_json (call));
    }
  return calls;
}

/* Until the directory is first read from Asterisk (Asterisk down at the
 * start), the directory file's entries, none of whose presence is known. */
static JsonArray *
list_contacts (AttendantAsterisk *self)
{
  JsonArray *contacts;

  if (attendant_asterisk_directory_get_ready (self->directory))
    return attendant_asterisk_directory_list_contacts (self->directory);

  contacts = json_array_sized_new (self->contacts->len);
  for (guint i = 0; i < self->contacts->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (self->contacts, i);
      const char *number = attendant_protocol_get_string (entry, "number");
      const char *name = attendant_protocol_get_string (entry, "name");
      const char *department = attendant_protocol_get_string (entry, "department");
      JsonObject *contact = json_object_new ();
      g_autofree char *id = g_strconcat ("ext-", number, NULL);

      json_object_set_string_member (contact, "id", id);
      json_object_set_string_member (contact, "name", name != NULL ? name : number);
      json_object_set_string_member (contact, "number", number);
      if (department != NULL)
        json_object_set_string_member (contact, "department", department);
      else
        json_object_set_null_member (contact, "department");
      json_object_set_string_member (contact, "presence", ATTENDANT_PROTOCOL_PRESENCE_OFFLINE);
      json_array_add_object_element (contacts, contact);
    }
  return contacts;
}

static GPtrArray *
asterisk_build_snapshot (AttendantTelephony *telephony,
                         const char         *user,
                         const char         *extension)
{
  AttendantAsterisk *self = ATTENDANT_ASTERISK (telephony);
  JsonObject *snapshot = attendant_protocol_message_new ("snapshot");
  JsonObject *me = json_object_new ();
  JsonArray *directory = list_contacts (self);
  JsonArray *queues = json_array_new ();

  json_object_set_string_member (me, "user", user);
  if (extension != NULL)
    json_object_set_string_member (me, "extension", extension);
  else
    json_object_set_null_member (me, "extension");
  for (guint i = 0; i < self->queues->len; i++)
    json_array_add_object_element (queues, json_object_ref (g_ptr_array_index (self->queues, i)));

  json_object_set_int_member (snapshot, "seq", (gint64)self->seq);
  json_object_set_object_member (snapshot, "me", me);
  json_object_set_array_member (snapshot, "queues", queues);
  json_object_set_array_member (snapshot, "calls", asterisk_list_calls (telephony));

  /* Asterisk's directory may hold 20,000 endpoints: in parts, as the
   * simulated system's, under the 1 MiB message limit. */
  return attendant_telephony_split_snapshot (snapshot, directory,
                                             ATTENDANT_PBX_SNAPSHOT_PART_CONTACTS,
                                             ATTENDANT_PBX_SNAPSHOT_PART_BYTES);
}

/* Every command starts the same way: while Asterisk is out of reach (or
 * the picture is being rebuilt) nothing can be confirmed. */
static void
start_op (AttendantAsterisk   *self,
          OpRun                run,
          int                  mode,
          const char          *extension,
          const char          *call,
          const char          *target,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  Op *op = op_new (self, run, extension, call, target, cancellable, callback, user_data);

  op->mode = mode;
  if (!self->rebuilt)
    {
      g_task_return_new_error (op->task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s",
                               self->unreachable != NULL ? self->unreachable : "Asterisk is not connected yet");
      op_free (op);
      return;
    }
  op->run (op);
}

#define CALL_COMMAND(name, run, mode) \
  static void \
  asterisk_##name (AttendantTelephony *t, const char *extension, const char *call, \
                   ATTENDANT_TELEPHONY_COMMAND_ARGS) \
  { start_op (ATTENDANT_ASTERISK (t), run, mode, extension, call, NULL, cancellable, callback, user_data); }
#define TARGET_COMMAND(name, run, mode) \
  static void \
  asterisk_##name (AttendantTelephony *t, const char *extension, const char *call, \
                   const char *target, ATTENDANT_TELEPHONY_COMMAND_ARGS) \
  { start_op (ATTENDANT_ASTERISK (t), run, mode, extension, call, target, cancellable, callback, user_data); }

CALL_COMMAND (answer, line_run, MODE_ANSWER)
CALL_COMMAND (resume, line_run, MODE_RESUME)
CALL_COMMAND (hold, hold_run, 0)
CALL_COMMAND (hangup, hangup_run, 0)
TARGET_COMMAND (transfer, transfer_run, 0)
TARGET_COMMAND (consult, transfer_run, 1)
CALL_COMMAND (complete, complete_run, 0)
CALL_COMMAND (cancel_consult, cancel_run, 0)

static void
asterisk_dial (AttendantTelephony *telephony,
               const char         *extension,
               const char         *number,
               ATTENDANT_TELEPHONY_COMMAND_ARGS)
{
  start_op (ATTENDANT_ASTERISK (telephony), line_run, MODE_DIAL, extension, NULL, number,
            cancellable, callback, user_data);
}

static void
set_presence_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (attendant_asterisk_directory_set_presence_finish (ATTENDANT_ASTERISK_DIRECTORY (object), result, &error))
    g_task_return_pointer (task, json_object_new (), (GDestroyNotify)json_object_unref);
  else
    g_task_return_error (task, error);
}

/* Stored in Asterisk, where every node's directory sees it; the presence
 * event (if the shown presence changed) comes before the reply. */
static void
asterisk_set_presence (AttendantTelephony *telephony,
                       const char         *extension,
                       const char         *presence,
                       ATTENDANT_TELEPHONY_COMMAND_ARGS)
{
  AttendantAsterisk *self = ATTENDANT_ASTERISK (telephony);
  g_autoptr(GTask) task = g_task_new (telephony, cancellable, callback, user_data);

  g_task_set_source_tag (task, op_new);
  if (!self->rebuilt)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s",
                               self->unreachable != NULL ? self->unreachable : "Asterisk is not connected yet");
      return;
    }
  attendant_asterisk_directory_set_presence_async (self->directory, extension, presence, cancellable,
                                                   set_presence_cb, g_steal_pointer (&task));
}

static JsonObject *
asterisk_command_finish (AttendantTelephony  *telephony,
                         GAsyncResult        *result,
                         GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, telephony), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *
asterisk_get_unreachable_reason (AttendantTelephony *telephony)
{
  AttendantAsterisk *self = ATTENDANT_ASTERISK (telephony);

  /* Reachable once the clients can have the whole picture. */
  if (self->rebuilt)
    return self->reset_pending ? "Reading the directory from Asterisk" : NULL;
  return self->unreachable != NULL ? self->unreachable : "Asterisk is not connected yet";
}

static void
attendant_asterisk_telephony_init (AttendantTelephonyInterface *iface)
{
  iface->get_seq = asterisk_get_seq;
  iface->build_snapshot = asterisk_build_snapshot;
  iface->list_calls = asterisk_list_calls;
  iface->answer = asterisk_answer;
  iface->hold = asterisk_hold;
  iface->resume = asterisk_resume;
  iface->hangup = asterisk_hangup;
  iface->transfer = asterisk_transfer;
  iface->consult = asterisk_consult;
  iface->complete = asterisk_complete;
  iface->cancel_consult = asterisk_cancel_consult;
  iface->dial = asterisk_dial;
  iface->set_presence = asterisk_set_presence;
  iface->command_finish = asterisk_command_finish;
  iface->get_unreachable_reason = asterisk_get_unreachable_reason;
}

/* }}} */
/* {{{ GObject */

static void
attendant_asterisk_dispose (GObject *object)
{
  AttendantAsterisk *self = (AttendantAsterisk *)object;

  g_clear_handle_id (&self->applications_poll, g_source_remove);
  g_clear_handle_id (&self->retake, g_source_remove);
  g_clear_handle_id (&self->rebuild_retry, g_source_remove);
  g_clear_handle_id (&self->reset_wait, g_source_remove);
  drop_directory (self);
  if (self->watch != NULL)
    {
      attendant_ari_stop (self->watch);
      g_signal_handlers_disconnect_by_data (self->watch, self);
      g_clear_object (&self->watch);
    }
  if (self->ari != NULL)
    {
      g_object_set_data (G_OBJECT (self->ari), "attendant-asterisk", NULL);
      g_signal_handlers_disconnect_by_data (self->ari, self);
      g_clear_object (&self->ari);
    }

  G_OBJECT_CLASS (attendant_asterisk_parent_class)->dispose (object);
}

static void
attendant_asterisk_finalize (GObject *object)
{
  AttendantAsterisk *self = (AttendantAsterisk *)object;

  g_free (self->endpoint_format);
  g_free (self->waiting_sound);
  g_free (self->moh_class);
  g_free (self->answer_header);
  g_free (self->unreachable);
  g_free (self->node);
  g_ptr_array_unref (self->queues);
  g_ptr_array_unref (self->contacts);
  g_hash_table_unref (self->attendants);
  g_ptr_array_unref (self->calls);
  g_hash_table_unref (self->channels);
  g_hash_table_unref (self->lines);
  g_hash_table_unref (self->line_users);
  g_clear_object (&self->cancellable);
  g_assert (self->waiters == NULL);

  G_OBJECT_CLASS (attendant_asterisk_parent_class)->finalize (object);
}

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
attendant_asterisk_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AttendantAsterisk *self = ATTENDANT_ASTERISK (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT_FORMAT:
      g_value_set_string (value, self->endpoint_format);
      break;
    case PROP_RING_TIMEOUT:
      g_value_set_uint (value, self->ring_timeout);
      break;
    case PROP_WAITING_SOUND:
      g_value_set_string (value, self->waiting_sound);
      break;
    case PROP_MOH_CLASS:
      g_value_set_string (value, self->moh_class);
      break;
    case PROP_ANSWER_HEADER:
      g_value_set_string (value, self->answer_header);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_asterisk_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  AttendantAsterisk *self = ATTENDANT_ASTERISK (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT_FORMAT:
      if (replace_string (&self->endpoint_format, g_value_get_string (value)))
        {
          if (self->watch != NULL)
            new_directory (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RING_TIMEOUT:
      if (self->ring_timeout != g_value_get_uint (value))
        {
          self->ring_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_WAITING_SOUND:
      if (replace_string (&self->waiting_sound, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_MOH_CLASS:
      if (replace_string (&self->moh_class, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_ANSWER_HEADER:
      if (replace_string (&self->answer_header, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_asterisk_class_init (AttendantAsteriskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_asterisk_dispose;
  object_class->finalize = attendant_asterisk_finalize;
  object_class->get_property = attendant_asterisk_get_property;
  object_class->set_property = attendant_asterisk_set_property;

  properties[PROP_ENDPOINT_FORMAT] =
    g_param_spec_string ("endpoint-format", NULL, NULL, "PJSIP/{extension}",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RING_TIMEOUT] =
    g_param_spec_uint ("ring-timeout", NULL, NULL, 1, 600, 20,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WAITING_SOUND] =
    g_param_spec_string ("waiting-sound", NULL, NULL, "moh",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MOH_CLASS] =
    g_param_spec_string ("moh-class", NULL, NULL, "default",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * AttendantAsterisk:answer-header:
   *
   * A SIP header, "Name: value", added to the INVITE that rings the
   * attendant's own phone (PJSIP only), such as "Call-Info:
   * <sip:attendant>;answer-after=0": phones that honour it answer by
   * themselves, so that answering a caller is one key, not a key and the
   * handset. %NULL: none.
   */
  properties[PROP_ANSWER_HEADER] =
    g_param_spec_string ("answer-header", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_asterisk_init (AttendantAsterisk *self)
{
  self->endpoint_format = g_strdup ("PJSIP/{extension}");
  self->waiting_sound = g_strdup ("moh");
  self->moh_class = g_strdup ("default");
  self->ring_timeout = 20;
  self->queues = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  self->contacts = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  self->attendants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->calls = g_ptr_array_new_with_free_func ((GDestroyNotify)call_free);
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)channel_free);
  self->lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->line_users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* }}} */

AttendantAsterisk *
attendant_asterisk_new (AttendantAri *ari)
{
  AttendantAsterisk *self;

  g_return_val_if_fail (ATTENDANT_IS_ARI (ari), NULL);

  self = g_object_new (ATTENDANT_TYPE_ASTERISK, NULL);
  self->ari = g_object_ref (ari);
  /* For the callbacks of requests that do not hold the backend. */
  g_object_set_data (G_OBJECT (ari), "attendant-asterisk", self);
  /* The node's own application tells when Asterisk falls silent; the
   * shared one's connection is let be, and outlives a frozen Asterisk.
   * Asterisk 22 can deadlock for good (every later WebSocket handshake
   * hangs) when two connections with subscribeAll end at the same moment,
   * as both would when a frozen Asterisk is thawed. It needs subscribeAll
   * all the same: without it, Asterisk keeps listing the application of a
   * dead owner while one of its callers is in it, and no node takes over. */
  attendant_ari_set_liveness (ari, FALSE);
  new_watch (self);
  g_signal_connect (ari, "connected", G_CALLBACK (shared_connected_cb), self);
  g_signal_connect (ari, "disconnected", G_CALLBACK (shared_disconnected_cb), self);
  g_signal_connect (ari, "event", G_CALLBACK (ari_event_buffer_cb), self);
  g_signal_connect (ari, "event", G_CALLBACK (ari_event_cb), self);
  return self;
}

AttendantAri *
attendant_asterisk_get_ari (AttendantAsterisk *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ASTERISK (self), NULL);
  return self->ari;
}

void
attendant_asterisk_add_queue (AttendantAsterisk *self,
                              const char        *id,
                              const char        *name)
{
  JsonObject *queue;

  g_return_if_fail (ATTENDANT_IS_ASTERISK (self));
  g_return_if_fail (id != NULL);

  queue = json_object_new ();
  json_object_set_string_member (queue, "id", id);
  json_object_set_string_member (queue, "name", name != NULL ? name : id);
  g_ptr_array_add (self->queues, queue);
}

void
attendant_asterisk_add_contact (AttendantAsterisk *self,
                                const char        *number,
                                const char        *name,
                                const char        *department)
{
  JsonObject *contact;

  g_return_if_fail (ATTENDANT_IS_ASTERISK (self));
  g_return_if_fail (number != NULL);

  /* Kept for the directories made after a reconnection. */
  contact = json_object_new ();
  json_object_set_string_member (contact, "number", number);
  if (name != NULL)
    json_object_set_string_member (contact, "name", name);
  if (department != NULL)
    json_object_set_string_member (contact, "department", department);
  g_ptr_array_add (self->contacts, contact);
  attendant_asterisk_directory_add_contact (self->directory, number, name, department);
}

void
attendant_asterisk_add_attendant (AttendantAsterisk *self,
                                  const char        *extension,
                                  const char        *display_name)
{
  g_return_if_fail (ATTENDANT_IS_ASTERISK (self));
  g_return_if_fail (extension != NULL);

  g_hash_table_replace (self->attendants, g_strdup (extension),
                        g_strdup (display_name != NULL ? display_name : extension));
}

void
attendant_asterisk_start (AttendantAsterisk *self)
{
  g_return_if_fail (ATTENDANT_IS_ASTERISK (self));

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (attendant_ari_get_connected (self->watch) || self->generation > 0)
    new_watch (self);
  attendant_ari_start (self->watch);
  attendant_ari_start (self->ari);
  g_clear_handle_id (&self->applications_poll, g_source_remove);
  g_clear_handle_id (&self->retake, g_source_remove);
  self->applications_poll = g_timeout_add (900 + g_random_int_range (0, 200), applications_tick, self);
}

void
attendant_asterisk_stop (AttendantAsterisk *self)
{
  g_return_if_fail (ATTENDANT_IS_ASTERISK (self));

  g_cancellable_cancel (self->cancellable);
  self->generation++;
  self->rebuilt = FALSE;
  g_clear_handle_id (&self->applications_poll, g_source_remove);
  g_clear_handle_id (&self->retake, g_source_remove);
  g_clear_handle_id (&self->rebuild_retry, g_source_remove);
  g_clear_handle_id (&self->reset_wait, g_source_remove);
  attendant_ari_stop (self->ari);
  attendant_ari_stop (self->watch);
}
