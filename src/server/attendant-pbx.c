/* attendant-pbx.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Over 800 lines: one state machine (calls, their legs and timers, and the
 * presence that follows them) whose structures no other file may touch;
 * split, its invariants would be spread over files that share them.
 */

#define G_LOG_DOMAIN "attendant-pbx"

#include "config.h"

#include <string.h>

#include "attendant-pbx.h"
#include "attendant-protocol.h"
#include "attendant-protocol-names.h"
#include "attendant-telephony.h"

/* The simulated telephone system every node of a process shares
 * (docs/server.md, "The simulated telephone system"), the first
 * implementation of AttendantTelephony:
 * a directory of extensions with presence, attendant queues, and calls
 * that queue, ring, are answered, held, transferred and recalled. It is
 * driven by the attendants' commands, by the admin API (incoming calls,
 * presence) and by its own timers, which stand in for the people on the
 * other end:
 *
 *  - an extension whose presence is "available" answers a call that rings
 *    it after answer-delay; "away" lets it ring; busy, ringing, dnd and
 *    offline extensions refuse it (error "busy");
 *  - the extensions of attendants never answer by themselves: a person
 *    does, with call.answer; with pickup-delay, the attendant's own phone
 *    rings that long first (as Asterisk rings it until picked up), and
 *    the command's reply waits for it;
 *  - a blind transfer not answered within ring-timeout comes back to the
 *    attendant, ringing, with recalled=true; a direct call to an extension
 *    that does not answer goes to the queue;
 *  - a call handed over to an extension keeps it busy for talk-time.
 *
 * Presence follows the calls: an extension rung by a call is "ringing", one
 * in a call is "busy", otherwise it shows the presence last set for it.
 *
 * Every change is an event with the next sequence number, emitted
 * synchronously, so the events a command causes reach the sessions before
 * the command's reply (docs/protocol.md §2.5; see complete_command()). */

typedef enum
{
  CALL_QUEUED,
  CALL_RINGING,
  CALL_ACTIVE,
  CALL_HELD,
  CALL_CONSULTING,
  CALL_TRANSFERRING,
  CALL_ENDED,
} CallState;

static const char * const state_names[] = {
  ATTENDANT_PROTOCOL_CALL_QUEUED, ATTENDANT_PROTOCOL_CALL_RINGING, ATTENDANT_PROTOCOL_CALL_ACTIVE,
  ATTENDANT_PROTOCOL_CALL_HELD, ATTENDANT_PROTOCOL_CALL_CONSULTING, ATTENDANT_PROTOCOL_CALL_TRANSFERRING,
  ATTENDANT_PROTOCOL_CALL_ENDED,
};

typedef struct _Call Call;

struct _Call
{
  AttendantPbx *pbx;
  char         *id;
  CallState     state;
  char         *queue;
  char         *caller_number;
  char         *caller_name;
  gint64        since;       /* wall clock, µs */
  char         *attendant;
  char         *peer;
  gboolean      recalled;

  /* The simulation behind the protocol's view of the call. */
  char         *ringing;     /* the extension it rings, if any */
  char         *target;      /* transfer or consultation target, internal or external */
  gboolean      answered;    /* a consultation leg or a dialled call was answered */
  gboolean      is_leg;      /* a consultation leg */
  char         *consult;     /* original: its leg's id; leg: the original's id */
  guint         answer_source;
  guint         ring_source;
  guint         abandon_source;
};

typedef struct
{
  AttendantPbx *pbx;
  char         *number;
  char         *name;
  char         *department;
  char         *base;        /* the presence set for it */
  char         *shown;       /* the presence last announced */
  guint         index;       /* its place in the directory's order */
  gboolean      attendant;
  gint64        talk_until;  /* monotonic µs; busy on a call that left the console */
  guint         talk_source;
} Contact;

typedef struct
{
  char *id;
  char *name;
} Queue;

struct _AttendantPbx
{
  GObject     parent_instance;

  /* The arrays keep the order snapshots and queues show; the tables find
   * by number or id, so a directory of thousands costs nothing per lookup. */
  GPtrArray  *contacts;
  GPtrArray  *queues;
  GPtrArray  *calls;
  GHashTable *contact_by_number;  /* number → Contact */
  GHashTable *queue_by_id;        /* id → Queue */
  GHashTable *call_by_id;         /* id → Call */

  /* Contacts whose presence may need announcing: those the last operation
   * touched (set_presence, a talk starting or ending) and those whose
   * shown presence differs from the one set for them (in a call, or on
   * the way back). refresh_presence() only looks at these and at the
   * calls' parties, never at the whole directory. */
  GHashTable *touched;            /* Contact set */
  GHashTable *unsettled;          /* Contact set */
  guint64     seq;
  guint       next_call;
  double      ring_timeout;
  double      answer_delay;
  double      pickup_delay;
  double      talk_time;
  char       *unreachable_reason;  /* the admin API's pretend outage */
};

static void attendant_pbx_telephony_init (AttendantTelephonyInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AttendantPbx, attendant_pbx, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ATTENDANT_TYPE_TELEPHONY,
                                                      attendant_pbx_telephony_init))

enum {
  PROP_0,
  PROP_RING_TIMEOUT,
  PROP_ANSWER_DELAY,
  PROP_PICKUP_DELAY,
  PROP_TALK_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gboolean
attendant_pbx_presence_is_valid (const char *presence)
{
  return presence != NULL && g_strv_contains (attendant_protocol_presences (), presence);
}

/* {{{ Helpers */

static guint
seconds_to_ms (double seconds)
{
  return (guint)CLAMP (seconds * 1000.0, 0.0, (double)G_MAXUINT);
}

static char *
format_time (gint64 real_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (real_time / G_USEC_PER_SEC);
  g_autofree char *seconds = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", seconds, (int)((real_time % G_USEC_PER_SEC) / 1000));
}

static void
clear_source (guint *source)
{
  if (*source != 0)
    {
      g_source_remove (*source);
      *source = 0;
    }
}

static void
call_free (Call *call)
{
  clear_source (&call->answer_source);
  clear_source (&call->ring_source);
  clear_source (&call->abandon_source);
  g_free (call->id);
  g_free (call->queue);
  g_free (call->caller_number);
  g_free (call->caller_name);
  g_free (call->attendant);
  g_free (call->peer);
  g_free (call->ringing);
  g_free (call->target);
  g_free (call->consult);
  g_free (call);
}

static void
contact_free (Contact *contact)
{
  clear_source (&contact->talk_source);
  g_free (contact->number);
  g_free (contact->name);
  g_free (contact->department);
  g_free (contact->base);
  g_free (contact->shown);
  g_free (contact);
}

static void
queue_free (Queue *queue)
{
  g_free (queue->id);
  g_free (queue->name);
  g_free (queue);
}

static void
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) != 0)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

static Contact *
find_contact (AttendantPbx *self,
              const char   *number)
{
  return number != NULL ? g_hash_table_lookup (self->contact_by_number, number) : NULL;
}

static Call *
find_call (AttendantPbx *self,
           const char   *id)
{
  return id != NULL ? g_hash_table_lookup (self->call_by_id, id) : NULL;
}

static Queue *
find_queue (AttendantPbx *self,
            const char   *id)
{
  return id != NULL ? g_hash_table_lookup (self->queue_by_id, id) : NULL;
}

/* A phone number as the simulation accepts it: digits with an optional
 * leading "+", and "*" or "#" for feature codes. */
static gboolean
is_number (const char *text)
{
  gsize len;

  if (text == NULL)
    return FALSE;

  len = strlen (text);
  if (len == 0 || len > 32)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]) && text[i] != '*' && text[i] != '#' &&
        !(text[i] == '+' && i == 0))
      return FALSE;

  return TRUE;
}

/* Short numbers are extensions; anything longer leaves the building. */
static gboolean
is_external (const char *number)
{
  return strlen (number) > 4;
}

static JsonObject *
call_to_json (Call *call)
{
  JsonObject *object = json_object_new ();
  g_autofree char *since = format_time (call->since);

  json_object_set_string_member (object, "id", call->id);
  json_object_set_string_member (object, "state", state_names[call->state]);
  if (call->queue != NULL)
    json_object_set_string_member (object, "queue", call->queue);
  else
    json_object_set_null_member (object, "queue");
  json_object_set_string_member (object, "caller_number", call->caller_number);
  if (call->caller_name != NULL)
    json_object_set_string_member (object, "caller_name", call->caller_name);
  else
    json_object_set_null_member (object, "caller_name");
  json_object_set_string_member (object, "since", since);
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

static JsonObject *
contact_to_json (Contact *contact)
{
  JsonObject *object = json_object_new ();
  g_autofree char *id = g_strconcat ("ext-", contact->number, NULL);

  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "name", contact->name);
  json_object_set_string_member (object, "number", contact->number);
  if (contact->department != NULL)
    json_object_set_string_member (object, "department", contact->department);
  else
    json_object_set_null_member (object, "department");
  json_object_set_string_member (object, "presence", contact->shown);

  return object;
}

/* }}} */
/* {{{ Events */

static JsonObject *
event_new (AttendantPbx *self,
           const char   *kind)
{
  JsonObject *message = attendant_protocol_message_new ("event");

  json_object_set_int_member (message, "seq", (gint64)++self->seq);
  json_object_set_string_member (message, "event", kind);

  return message;
}

static void
emit_event (AttendantPbx *self,
            JsonObject   *message)
{
  attendant_telephony_emit_event (ATTENDANT_TELEPHONY (self), message);
  json_object_unref (message);
}

static void
call_changed (AttendantPbx *self,
              Call         *call)
{
  JsonObject *message = event_new (self, ATTENDANT_PROTOCOL_EVENT_CALL_UPDATED);

  json_object_set_object_member (message, "call", call_to_json (call));
  emit_event (self, message);
}

static void
call_set_state (Call      *call,
                CallState  state)
{
  call->state = state;
  call->since = g_get_real_time ();
}

#define PARTY_RINGING (1u << 0)
#define PARTY_BUSY    (1u << 1)

/* What @call makes of the presence of the extension @number. */
static guint
call_party_flags (Call       *call,
                  const char *number)
{
  guint flags = 0;

  if (call->state == CALL_ENDED)
    return 0;

  if (g_strcmp0 (call->ringing, number) == 0)
    flags |= PARTY_RINGING;
  if (call->answered && g_strcmp0 (call->target, number) == 0)
    flags |= PARTY_BUSY;
  if (g_strcmp0 (call->attendant, number) == 0 &&
      (call->state == CALL_ACTIVE || call->state == CALL_HELD || call->state == CALL_CONSULTING))
    flags |= PARTY_BUSY;

  return flags;
}

static const char *
presence_from_flags (Contact *contact,
                     guint    flags)
{
  if (flags & PARTY_RINGING)
    return ATTENDANT_PROTOCOL_PRESENCE_RINGING;
  if ((flags & PARTY_BUSY) || contact->talk_until > g_get_monotonic_time ())
    return ATTENDANT_PROTOCOL_PRESENCE_BUSY;

  return contact->base;
}

static const char *
effective_presence (AttendantPbx *self,
                    Contact      *contact)
{
  guint flags = 0;

  for (guint i = 0; i < self->calls->len; i++)
    flags |= call_party_flags (g_ptr_array_index (self->calls, i), contact->number);

  return presence_from_flags (contact, flags);
}

static void
add_candidate (GHashTable *candidates,
               Contact    *contact,
               guint       flags)
{
  gpointer old = NULL;

  if (contact == NULL)
    return;

  g_hash_table_lookup_extended (candidates, contact, NULL, &old);
  g_hash_table_insert (candidates, contact, GUINT_TO_POINTER (GPOINTER_TO_UINT (old) | flags));
}

static int
compare_contact_index (gconstpointer a,
                       gconstpointer b)
{
  const Contact *ca = *(Contact * const *)a;
  const Contact *cb = *(Contact * const *)b;

  return ca->index < cb->index ? -1 : ca->index > cb->index;
}

/* Announces every presence that the last change altered; called at the end
 * of each operation, after its call events. Only the calls' parties and
 * the touched and unsettled contacts can have changed, so the work is in
 * the number of calls, not the size of the directory; the announcements
 * keep the directory's order. */
static void
refresh_presence (AttendantPbx *self)
{
  g_autoptr(GHashTable) candidates = g_hash_table_new (NULL, NULL);  /* Contact → flags */
  g_autoptr(GPtrArray) ordered = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < self->calls->len; i++)
    {
      Call *call = g_ptr_array_index (self->calls, i);
      const char *parties[] = { call->ringing, call->target, call->attendant };

      for (guint j = 0; j < G_N_ELEMENTS (parties); j++)
        {
          Contact *contact = find_contact (self, parties[j]);

          if (contact != NULL)
            add_candidate (candidates, contact, call_party_flags (call, contact->number));
        }
    }

  g_hash_table_iter_init (&iter, self->touched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    add_candidate (candidates, key, 0);
  g_hash_table_remove_all (self->touched);

  g_hash_table_iter_init (&iter, self->unsettled);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    add_candidate (candidates, key, 0);

  g_hash_table_iter_init (&iter, candidates);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ordered, key);
  g_ptr_array_sort (ordered, compare_contact_index);

  for (guint i = 0; i < ordered->len; i++)
    {
      Contact *contact = g_ptr_array_index (ordered, i);
      guint flags = GPOINTER_TO_UINT (g_hash_table_lookup (candidates, contact));
      const char *presence = presence_from_flags (contact, flags);

      if (g_strcmp0 (presence, contact->shown) != 0)
        {
          g_autofree char *id = g_strconcat ("ext-", contact->number, NULL);
          JsonObject *message;

          set_string (&contact->shown, presence);
          message = event_new (self, ATTENDANT_PROTOCOL_EVENT_PRESENCE);
          json_object_set_string_member (message, "id", id);
          json_object_set_string_member (message, "presence", presence);
          emit_event (self, message);
        }

      if (g_strcmp0 (contact->shown, contact->base) != 0)
        g_hash_table_add (self->unsettled, contact);
      else
        g_hash_table_remove (self->unsettled, contact);
    }
}

/* The call is gone from the consoles without having ended (handed over to
 * an extension or merged into another call). */
static void
call_remove (AttendantPbx *self,
             Call         *call)
{
  JsonObject *message = event_new (self, ATTENDANT_PROTOCOL_EVENT_CALL_REMOVED);

  json_object_set_string_member (message, "id", call->id);
  g_hash_table_remove (self->call_by_id, call->id);
  g_ptr_array_remove (self->calls, call);
  emit_event (self, message);
}

static void
call_end (AttendantPbx *self,
          Call         *call)
{
  call_set_state (call, CALL_ENDED);
  clear_source (&call->answer_source);
  clear_source (&call->ring_source);
  clear_source (&call->abandon_source);
  call_changed (self, call);
  call_remove (self, call);
}

static Call *
call_new (AttendantPbx *self,
          CallState     state)
{
  Call *call = g_new0 (Call, 1);

  call->pbx = self;
  call->id = g_strdup_printf ("call-%u", ++self->next_call);
  call->state = state;
  call->since = g_get_real_time ();
  g_ptr_array_add (self->calls, call);
  g_hash_table_insert (self->call_by_id, call->id, call);

  return call;
}

static gboolean
talk_done_cb (gpointer user_data)
{
  Contact *contact = user_data;

  contact->talk_source = 0;
  g_hash_table_add (contact->pbx->touched, contact);
  refresh_presence (contact->pbx);

  return G_SOURCE_REMOVE;
}

/* A call handed over to @number: it is busy for talk-time. */
static void
start_talk (AttendantPbx *self,
            const char   *number)
{
  Contact *contact = find_contact (self, number);
  guint ms = seconds_to_ms (self->talk_time);

  if (contact == NULL)
    return;

  contact->talk_until = g_get_monotonic_time () + (gint64)ms * 1000;
  g_hash_table_add (self->touched, contact);
  clear_source (&contact->talk_source);
  contact->talk_source = g_timeout_add (ms + 1, talk_done_cb, contact);
}

/* }}} */
/* {{{ Ringing */

static gboolean
contact_can_ring (AttendantPbx *self,
                  Contact      *contact)
{
  const char *presence = effective_presence (self, contact);

  /* An attendant who paused (away) is offered no call: one dialled
   * straight to their extension goes to the queue, for the others. */
  if (contact->attendant)
    return g_str_equal (presence, ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE);

  return g_str_equal (presence, ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE) ||
         g_str_equal (presence, ATTENDANT_PROTOCOL_PRESENCE_AWAY);
}

/* Whether the simulated person behind @number picks up by themselves. */
static gboolean
answers_by_itself (AttendantPbx *self,
                   const char   *number)
{
  Contact *contact = find_contact (self, number);

  if (contact == NULL)
    return is_external (number);

  return !contact->attendant && g_str_equal (contact->base, ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE);
}

static gboolean answer_cb (gpointer user_data);
static gboolean ring_timeout_cb (gpointer user_data);

/* Starts ringing @target for @call: its phone if internal, the outside
 * world otherwise; the timers decide how it ends. */
static void
start_ringing (AttendantPbx *self,
               Call         *call,
               const char   *target,
               gboolean      with_timeout)
{
  set_string (&call->target, target);
  call->answered = FALSE;
  set_string (&call->ringing, find_contact (self, target) != NULL ? target : NULL);

  clear_source (&call->answer_source);
  clear_source (&call->ring_source);

  if (answers_by_itself (self, target))
    call->answer_source = g_timeout_add (seconds_to_ms (self->answer_delay), answer_cb, call);
  if (with_timeout)
    call->ring_source = g_timeout_add (seconds_to_ms (self->ring_timeout), ring_timeout_cb, call);
}

static void
stop_ringing (Call *call)
{
  clear_source (&call->answer_source);
  clear_source (&call->ring_source);
  g_clear_pointer (&call->ringing, g_free);
}

static gboolean
answer_cb (gpointer user_data)
{
  Call *call = user_data;
  AttendantPbx *self = call->pbx;
  g_autofree char *target = g_strdup (call->target);

  call->answer_source = 0;
  stop_ringing (call);

  switch (call->state)
    {
    case CALL_TRANSFERRING:
    case CALL_RINGING:
      /* A blind transfer or a direct call: the extension has it now. */
      call_remove (self, call);
      start_talk (self, target);
      break;

    case CALL_CONSULTING:
    case CALL_ACTIVE:
      /* A consultation or a dialled call: the attendant talks to them. */
      call->answered = TRUE;
      call_changed (self, call);
      break;

    case CALL_QUEUED:
    case CALL_HELD:
    case CALL_ENDED:
    default:
      break;
    }

  refresh_presence (self);

  return G_SOURCE_REMOVE;
}

static gboolean
ring_timeout_cb (gpointer user_data)
{
  Call *call = user_data;
  AttendantPbx *self = call->pbx;

  call->ring_source = 0;
  stop_ringing (call);

  switch (call->state)
    {
    case CALL_TRANSFERRING:
      /* Recall: back to the attendant who transferred it, ringing. */
      call_set_state (call, CALL_RINGING);
      call->recalled = TRUE;
      set_string (&call->ringing, call->attendant);
      call_changed (self, call);
      break;

    case CALL_RINGING:
      /* A direct call nobody answered goes to the attendants. */
      call_set_state (call, CALL_QUEUED);
      g_clear_pointer (&call->attendant, g_free);
      call_changed (self, call);
      break;

    case CALL_CONSULTING:
      {
        Call *original = find_call (self, call->consult);

        call_end (self, call);
        if (original != NULL)
          {
            g_clear_pointer (&original->consult, g_free);
            g_clear_pointer (&original->peer, g_free);
            call_changed (self, original);
          }
      }
      break;

    case CALL_QUEUED:
    case CALL_ACTIVE:
    case CALL_HELD:
    case CALL_ENDED:
    default:
      break;
    }

  refresh_presence (self);

  return G_SOURCE_REMOVE;
}

static gboolean
abandon_cb (gpointer user_data)
{
  Call *call = user_data;
  AttendantPbx *self = call->pbx;

  call->abandon_source = 0;
  if (call->state == CALL_QUEUED)
    {
      call_end (self, call);
      refresh_presence (self);
    }

  return G_SOURCE_REMOVE;
}

/* }}} */
/* {{{ GObject */

static void
attendant_pbx_finalize (GObject *object)
{
  AttendantPbx *self = (AttendantPbx *)object;

  g_clear_pointer (&self->touched, g_hash_table_unref);
  g_clear_pointer (&self->unsettled, g_hash_table_unref);
  g_clear_pointer (&self->call_by_id, g_hash_table_unref);
  g_clear_pointer (&self->contact_by_number, g_hash_table_unref);
  g_clear_pointer (&self->queue_by_id, g_hash_table_unref);
  g_clear_pointer (&self->calls, g_ptr_array_unref);
  g_clear_pointer (&self->contacts, g_ptr_array_unref);
  g_clear_pointer (&self->queues, g_ptr_array_unref);
  g_clear_pointer (&self->unreachable_reason, g_free);

  G_OBJECT_CLASS (attendant_pbx_parent_class)->finalize (object);
}

static void
attendant_pbx_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  AttendantPbx *self = ATTENDANT_PBX (object);

  switch (prop_id)
    {
    case PROP_RING_TIMEOUT:
      g_value_set_double (value, self->ring_timeout);
      break;

    case PROP_ANSWER_DELAY:
      g_value_set_double (value, self->answer_delay);
      break;

    case PROP_PICKUP_DELAY:
      g_value_set_double (value, self->pickup_delay);
      break;

    case PROP_TALK_TIME:
      g_value_set_double (value, self->talk_time);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_double_property (AttendantPbx *self,
                     double       *field,
                     double        value,
                     guint         prop_id)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
    }
}

static void
attendant_pbx_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  AttendantPbx *self = ATTENDANT_PBX (object);

  switch (prop_id)
    {
    case PROP_RING_TIMEOUT:
      set_double_property (self, &self->ring_timeout, g_value_get_double (value), prop_id);
      break;

    case PROP_ANSWER_DELAY:
      set_double_property (self, &self->answer_delay, g_value_get_double (value), prop_id);
      break;

    case PROP_PICKUP_DELAY:
      set_double_property (self, &self->pickup_delay, g_value_get_double (value), prop_id);
      break;

    case PROP_TALK_TIME:
      set_double_property (self, &self->talk_time, g_value_get_double (value), prop_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_pbx_class_init (AttendantPbxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = attendant_pbx_finalize;
  object_class->get_property = attendant_pbx_get_property;
  object_class->set_property = attendant_pbx_set_property;

  properties[PROP_RING_TIMEOUT] =
    g_param_spec_double ("ring-timeout", NULL, NULL, 0, 86400, 20,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ANSWER_DELAY] =
    g_param_spec_double ("answer-delay", NULL, NULL, 0, 86400, 3,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Seconds the attendant takes to pick up their own phone on call.answer:
   * 0, at once, unless a test wants the time in between. */
  properties[PROP_PICKUP_DELAY] =
    g_param_spec_double ("pickup-delay", NULL, NULL, 0, 86400, 0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TALK_TIME] =
    g_param_spec_double ("talk-time", NULL, NULL, 0, 86400, 60,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_pbx_init (AttendantPbx *self)
{
  self->contacts = g_ptr_array_new_with_free_func ((GDestroyNotify)contact_free);
  self->queues = g_ptr_array_new_with_free_func ((GDestroyNotify)queue_free);
  self->calls = g_ptr_array_new_with_free_func ((GDestroyNotify)call_free);
  self->contact_by_number = g_hash_table_new (g_str_hash, g_str_equal);
  self->queue_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->call_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->touched = g_hash_table_new (NULL, NULL);
  self->unsettled = g_hash_table_new (NULL, NULL);
  self->ring_timeout = 20;
  self->answer_delay = 3;
  self->talk_time = 60;
}

AttendantPbx *
attendant_pbx_new (void)
{
  return g_object_new (ATTENDANT_TYPE_PBX, NULL);
}

/* }}} */
/* {{{ Set-up */

void
attendant_pbx_add_queue (AttendantPbx *self,
                         const char   *id,
                         const char   *name)
{
  Queue *queue;

  g_return_if_fail (ATTENDANT_IS_PBX (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (find_queue (self, id) == NULL);

  queue = g_new0 (Queue, 1);
  queue->id = g_strdup (id);
  queue->name = g_strdup (name != NULL ? name : id);
  g_ptr_array_add (self->queues, queue);
  g_hash_table_insert (self->queue_by_id, queue->id, queue);
}

void
attendant_pbx_add_contact (AttendantPbx *self,
                           const char   *number,
                           const char   *name,
                           const char   *department,
                           const char   *presence)
{
  Contact *contact;

  g_return_if_fail (ATTENDANT_IS_PBX (self));
  g_return_if_fail (number != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (find_contact (self, number) == NULL);

  if (presence == NULL || !attendant_pbx_presence_is_valid (presence) ||
      g_str_equal (presence, ATTENDANT_PROTOCOL_PRESENCE_RINGING))
    presence = ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE;

  contact = g_new0 (Contact, 1);
  contact->pbx = self;
  contact->number = g_strdup (number);
  contact->name = g_strdup (name);
  contact->department = g_strdup (department);
  contact->base = g_strdup (presence);
  contact->shown = g_strdup (presence);
  contact->index = self->contacts->len;
  g_ptr_array_add (self->contacts, contact);
  g_hash_table_insert (self->contact_by_number, contact->number, contact);
}

/* The extension of a user of the console: a person answers its calls. It
 * joins the directory if the directory does not have it. */
void
attendant_pbx_add_attendant (AttendantPbx *self,
                             const char   *extension,
                             const char   *name)
{
  Contact *contact;

  g_return_if_fail (ATTENDANT_IS_PBX (self));
  g_return_if_fail (extension != NULL);

  if ((contact = find_contact (self, extension)) == NULL)
    {
      attendant_pbx_add_contact (self, extension, name != NULL ? name : extension,
                                 "Reception", ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE);
      contact = find_contact (self, extension);
      g_assert (contact != NULL);
    }

  contact->attendant = TRUE;
}

gboolean
attendant_pbx_has_contact (AttendantPbx *self,
                           const char   *number)
{
  g_return_val_if_fail (ATTENDANT_IS_PBX (self), FALSE);

  return find_contact (self, number) != NULL;
}

/**
 * attendant_pbx_list_numbers:
 * @attendants: whether to list the attendants' extensions or the others
 *
 * Returns: (transfer full): extension numbers
 */
GStrv
attendant_pbx_list_numbers (AttendantPbx *self,
                            gboolean      attendants)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (ATTENDANT_IS_PBX (self), NULL);

  for (guint i = 0; i < self->contacts->len; i++)
    {
      Contact *contact = g_ptr_array_index (self->contacts, i);

      if (contact->attendant == attendants)
        g_strv_builder_add (builder, contact->number);
    }

  return g_strv_builder_end (builder);
}

/* Worst case of a contact's encoded size: every byte of its strings
 * escaped as a six-byte \u escape, plus the member names. */
static gsize
contact_size_bound (Contact *contact)
{
  gsize text = strlen (contact->name) + 2 * strlen (contact->number) +
               (contact->department != NULL ? strlen (contact->department) : 0) +
               strlen (contact->shown);

  return 100 + 6 * text;
}

/* The state as a "snapshot" message (docs/protocol.md §2.3). A directory
 * that does not fit in one message under the 1 MiB limit is split: the
 * "snapshot" carries its first part and "more": true, and "snapshot.more"
 * messages the rest, the last with "more": false. The caller sends them
 * all in one go, with no event between them. */
static GPtrArray *
build_snapshot (AttendantPbx *self,
                const char   *user,
                const char   *extension)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  JsonObject *message;
  JsonObject *me;
  JsonArray *directory;
  JsonArray *queues;
  gsize size = 0;

  message = attendant_protocol_message_new ("snapshot");
  g_ptr_array_add (messages, message);
  json_object_set_int_member (message, "seq", (gint64)self->seq);

  me = json_object_new ();
  json_object_set_string_member (me, "user", user);
  if (extension != NULL)
    json_object_set_string_member (me, "extension", extension);
  else
    json_object_set_null_member (me, "extension");
  json_object_set_object_member (message, "me", me);

  queues = json_array_new ();
  for (guint i = 0; i < self->queues->len; i++)
    {
      Queue *queue = g_ptr_array_index (self->queues, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "id", queue->id);
      json_object_set_string_member (object, "name", queue->name);
      json_array_add_object_element (queues, object);
    }
  json_object_set_array_member (message, "queues", queues);

  json_object_set_array_member (message, "calls", attendant_pbx_list_calls (self));

  directory = json_array_new ();
  json_object_set_array_member (message, "directory", directory);
  for (guint i = 0; i < self->contacts->len; i++)
    {
      Contact *contact = g_ptr_array_index (self->contacts, i);
      gsize bound = contact_size_bound (contact);

      if (json_array_get_length (directory) > 0 &&
          (json_array_get_length (directory) >= ATTENDANT_PBX_SNAPSHOT_PART_CONTACTS ||
           size + bound > ATTENDANT_PBX_SNAPSHOT_PART_BYTES))
        {
          json_object_set_boolean_member (message, "more", TRUE);
          message = attendant_protocol_message_new ("snapshot.more");
          g_ptr_array_add (messages, message);
          directory = json_array_new ();
          json_object_set_array_member (message, "directory", directory);
          size = 0;
        }

      json_array_add_object_element (directory, contact_to_json (contact));
      size += bound;
    }

  if (messages->len > 1)
    json_object_set_boolean_member (message, "more", FALSE);

  return g_steal_pointer (&messages);
}

/**
 * attendant_pbx_list_directory:
 *
 * The directory in its order, each contact as in a snapshot plus
 * "attendant" (whether a user of the console has that extension): for the
 * admin API, whose scripts must not change the attendants' presence.
 *
 * Returns: (transfer full): the contacts
 */
JsonArray *
attendant_pbx_list_directory (AttendantPbx *self)
{
  JsonArray *directory;

  g_return_val_if_fail (ATTENDANT_IS_PBX (self), NULL);

  directory = json_array_new ();
  for (guint i = 0; i < self->contacts->len; i++)
    {
      Contact *contact = g_ptr_array_index (self->contacts, i);
      JsonObject *object = contact_to_json (contact);

      json_object_set_boolean_member (object, "attendant", contact->attendant);
      json_array_add_object_element (directory, object);
    }

  return directory;
}

/**
 * attendant_pbx_list_calls:
 *
 * Returns: (transfer full): every call that has not ended
 */
JsonArray *
attendant_pbx_list_calls (AttendantPbx *self)
{
  JsonArray *calls;

  g_return_val_if_fail (ATTENDANT_IS_PBX (self), NULL);

  calls = json_array_new ();
  for (guint i = 0; i < self->calls->len; i++)
    json_array_add_object_element (calls, call_to_json (g_ptr_array_index (self->calls, i)));

  return calls;
}

guint
attendant_pbx_get_n_calls (AttendantPbx *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PBX (self), 0);

  return self->calls->len;
}

/* }}} */
/* {{{ Commands */

static gboolean
fail (GError                 **error,
      AttendantTelephonyError   code,
      const char               *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError                 **error,
      AttendantTelephonyError   code,
      const char               *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (ATTENDANT_TELEPHONY_ERROR, code, format, args));
  va_end (args);

  return FALSE;
}

static Call *
get_call_arg (AttendantPbx  *self,
              const char    *id,
              GError       **error)
{
  Call *call;

  if ((call = find_call (self, id)) == NULL)
    {
      fail (error, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "No call %s", id);
      return NULL;
    }

  return call;
}

static gboolean
check_owner (Call        *call,
             const char  *extension,
             GError     **error)
{
  if (g_strcmp0 (call->attendant, extension) != 0)
    {
      if (call->attendant == NULL)
        return fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "%s is not yours: it is %s",
                     call->id, state_names[call->state]);
      return fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "%s is handled by extension %s",
                   call->id, call->attendant);
    }

  return TRUE;
}

static gboolean
check_state (Call        *call,
             CallState    a,
             CallState    b,
             GError     **error)
{
  if (call->state != a && call->state != b)
    return fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "%s is %s", call->id,
                 state_names[call->state]);

  return TRUE;
}

/* Resolves the number to ring for a transfer, a consultation or a dial:
 * a directory extension that can ring, or an outside number. */
static gboolean
check_target (AttendantPbx  *self,
              const char    *extension,
              const char    *target,
              GError       **error)
{
  Contact *contact;

  if (!is_number (target))
    return fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS, "“%s” is not a phone number", target);

  if (g_str_equal (target, extension))
    return fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS, "%s is your own extension", target);

  contact = find_contact (self, target);
  if (contact == NULL && !is_external (target))
    return fail (error, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "No extension %s", target);

  if (contact != NULL && !contact_can_ring (self, contact))
    return fail (error, ATTENDANT_TELEPHONY_ERROR_BUSY, "%s (%s) is %s", contact->name, target,
                 effective_presence (self, contact));

  return TRUE;
}

/* An attendant talks on one call at a time: taking another puts the
 * current one on hold, as on a real console. */
static void
hold_others (AttendantPbx *self,
             const char   *extension,
             Call         *except)
{
  for (guint i = 0; i < self->calls->len; i++)
    {
      Call *call = g_ptr_array_index (self->calls, i);

      if (call != except && call->state == CALL_ACTIVE &&
          g_strcmp0 (call->attendant, extension) == 0)
        {
          call_set_state (call, CALL_HELD);
          call_changed (self, call);
        }
    }
}

static JsonObject *
result_with_call (Call *call)
{
  JsonObject *result = json_object_new ();

  json_object_set_object_member (result, "call", call_to_json (call));

  return result;
}

static gboolean
do_answer (AttendantPbx  *self,
           const char    *extension,
           const char    *id,
           GError       **error)
{
  Call *call = get_call_arg (self, id, error);

  if (call == NULL)
    return FALSE;

  if (call->state == CALL_RINGING || call->state == CALL_TRANSFERRING)
    {
      if (g_strcmp0 (call->ringing, extension) != 0)
        return fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "%s is not ringing your extension",
                     call->id);
    }
  else if (call->state != CALL_QUEUED)
    return fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "%s is %s", call->id,
                 state_names[call->state]);

  hold_others (self, extension, call);
  stop_ringing (call);
  clear_source (&call->abandon_source);
  call_set_state (call, CALL_ACTIVE);
  set_string (&call->attendant, extension);
  g_clear_pointer (&call->peer, g_free);
  g_clear_pointer (&call->target, g_free);
  call_changed (self, call);

  return TRUE;
}

static gboolean
do_hold (AttendantPbx  *self,
         const char    *extension,
         const char    *id,
         GError       **error)
{
  Call *call = get_call_arg (self, id, error);

  if (call == NULL || !check_owner (call, extension, error) ||
      !check_state (call, CALL_ACTIVE, CALL_ACTIVE, error))
    return FALSE;

  call_set_state (call, CALL_HELD);
  call_changed (self, call);

  return TRUE;
}

static gboolean
do_resume (AttendantPbx  *self,
           const char    *extension,
           const char    *id,
           GError       **error)
{
  Call *call = get_call_arg (self, id, error);

  if (call == NULL || !check_owner (call, extension, error) ||
      !check_state (call, CALL_HELD, CALL_HELD, error))
    return FALSE;

  if (call->consult != NULL)
    return fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE,
                 "%s has a consultation in progress: complete or cancel it", call->id);

  hold_others (self, extension, call);
  call_set_state (call, CALL_ACTIVE);
  call_changed (self, call);

  return TRUE;
}

static void
end_with_leg (AttendantPbx *self,
              Call         *call)
{
  if (call->is_leg)
    {
      Call *original = find_call (self, call->consult);

      call_end (self, call);
      if (original != NULL)
        {
          g_clear_pointer (&original->consult, g_free);
          g_clear_pointer (&original->peer, g_free);
          call_changed (self, original);
        }
      return;
    }

  if (call->consult != NULL)
    {
      Call *leg = find_call (self, call->consult);

      if (leg != NULL)
        call_end (self, leg);
    }

  call_end (self, call);
}

static gboolean
do_hangup (AttendantPbx  *self,
           const char    *extension,
           const char    *id,
           GError       **error)
{
  Call *call = get_call_arg (self, id, error);

  if (call == NULL)
    return FALSE;

  /* A queued call may be refused by any attendant; others only by theirs. */
  if (call->state != CALL_QUEUED && !check_owner (call, extension, error))
    return FALSE;

  end_with_leg (self, call);

  return TRUE;
}

static gboolean
do_transfer (AttendantPbx  *self,
             const char    *extension,
             const char    *id,
             const char    *target,
             GError       **error)
{
  Call *call = get_call_arg (self, id, error);

  if (call == NULL || !check_owner (call, extension, error) ||
      !check_state (call, CALL_ACTIVE, CALL_HELD, error))
    return FALSE;

  if (call->is_leg || call->consult != NULL)
    return fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE,
                 "%s is part of a consultation: complete or cancel it", call->id);

  if (target == NULL)
    {
      attendant_telephony_set_missing_arg (error, "target");
      return FALSE;
    }

  if (!check_target (self, extension, target, error))
    return FALSE;

  call_set_state (call, CALL_TRANSFERRING);
  call->recalled = FALSE;
  set_string (&call->peer, target);
  start_ringing (self, call, target, TRUE);
  call_changed (self, call);

  return TRUE;
}

static JsonObject *
do_consult (AttendantPbx  *self,
            const char    *extension,
            const char    *id,
            const char    *target,
            GError       **error)
{
  Call *call = get_call_arg (self, id, error);
  Contact *contact;
  Call *leg;

  if (call == NULL || !check_owner (call, extension, error) ||
      !check_state (call, CALL_ACTIVE, CALL_HELD, error))
    return NULL;

  if (call->is_leg || call->consult != NULL)
    {
      fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "%s already has a consultation", call->id);
      return NULL;
    }

  if (target == NULL)
    {
      attendant_telephony_set_missing_arg (error, "target");
      return NULL;
    }

  if (!check_target (self, extension, target, error))
    return NULL;

  contact = find_contact (self, target);

  hold_others (self, extension, call);
  if (call->state != CALL_HELD)
    call_set_state (call, CALL_HELD);

  leg = call_new (self, CALL_CONSULTING);
  leg->is_leg = TRUE;
  leg->consult = g_strdup (call->id);
  leg->attendant = g_strdup (extension);
  leg->caller_number = g_strdup (target);
  leg->caller_name = g_strdup (contact != NULL ? contact->name : NULL);
  leg->peer = g_strdup (target);
  start_ringing (self, leg, target, TRUE);

  set_string (&call->consult, leg->id);
  set_string (&call->peer, target);
  call_changed (self, call);
  call_changed (self, leg);

  return result_with_call (leg);
}

/* The command names the original call; the leg is accepted too, since a
 * console may well offer "complete" on either. */
static gboolean
get_consultation (AttendantPbx  *self,
                  const char    *id,
                  const char    *extension,
                  Call         **original,
                  Call         **leg,
                  GError       **error)
{
  Call *call = get_call_arg (self, id, error);

  if (call == NULL || !check_owner (call, extension, error))
    return FALSE;

  if (call->is_leg)
    {
      *leg = call;
      *original = find_call (self, call->consult);
    }
  else
    {
      *original = call;
      *leg = find_call (self, call->consult);
    }

  if (*original == NULL || *leg == NULL)
    return fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE, "%s has no consultation", call->id);

  return TRUE;
}

static gboolean
do_complete (AttendantPbx  *self,
             const char    *extension,
             const char    *id,
             GError       **error)
{
  Call *original = NULL;
  Call *leg = NULL;
  g_autofree char *target = NULL;

  if (!get_consultation (self, id, extension, &original, &leg, error))
    return FALSE;

  target = g_strdup (leg->target);

  if (leg->answered)
    {
      /* Caller and consulted party talk; both leave the console. */
      call_remove (self, leg);
      call_remove (self, original);
      start_talk (self, target);
      return TRUE;
    }

  /* Completed while it still rings: what is left is a blind transfer,
   * with its recall if nobody answers. */
  call_remove (self, leg);
  g_clear_pointer (&original->consult, g_free);
  call_set_state (original, CALL_TRANSFERRING);
  set_string (&original->peer, target);
  start_ringing (self, original, target, TRUE);
  call_changed (self, original);

  return TRUE;
}

static gboolean
do_cancel_consult (AttendantPbx  *self,
                   const char    *extension,
                   const char    *id,
                   GError       **error)
{
  Call *original = NULL;
  Call *leg = NULL;

  if (!get_consultation (self, id, extension, &original, &leg, error))
    return FALSE;

  call_end (self, leg);
  g_clear_pointer (&original->consult, g_free);
  g_clear_pointer (&original->peer, g_free);
  hold_others (self, extension, original);
  call_set_state (original, CALL_ACTIVE);
  call_changed (self, original);

  return TRUE;
}

static JsonObject *
do_dial (AttendantPbx  *self,
         const char    *extension,
         const char    *number,
         GError       **error)
{
  Contact *contact;
  Call *call;

  if (!check_target (self, extension, number, error))
    return NULL;

  contact = find_contact (self, number);

  hold_others (self, extension, NULL);
  call = call_new (self, CALL_ACTIVE);
  call->attendant = g_strdup (extension);
  call->caller_number = g_strdup (number);
  call->caller_name = g_strdup (contact != NULL ? contact->name : NULL);
  call->peer = g_strdup (number);
  if (contact != NULL)
    start_ringing (self, call, number, FALSE);
  else
    {
      call->target = g_strdup (number);
      call->answered = TRUE;
    }
  call_changed (self, call);

  return result_with_call (call);
}

/* }}} */
/* {{{ AttendantTelephony */

/* The simulated system carries a command out at once, inside the _async
 * call: its changes and their events happen when the command arrives, in
 * the same order against other commands, the admin API and the timers as
 * before the interface existed. Its task returns at once too, which GTask
 * turns into a callback from the next main-loop iteration (a task never
 * completes inside the call that started it), so the reply follows the
 * command's events. The high priority puts the reply before anything the
 * command itself set going (a ring or answer timer) and before whatever
 * the main loop reads next. */
static void
complete_command (AttendantTelephony  *telephony,
                  JsonObject          *result,
                  GError              *error,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (telephony, cancellable, callback, user_data);

  g_task_set_source_tag (task, complete_command);
  g_task_set_priority (task, G_PRIORITY_HIGH);

  /* After a failure too, as before: announced before the reply. */
  refresh_presence (ATTENDANT_PBX (telephony));

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify)json_object_unref);
}

static JsonObject *
pbx_command_finish (AttendantTelephony  *telephony,
                    GAsyncResult        *result,
                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, telephony), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static JsonObject *
ok_or_null (gboolean ok)
{
  return ok ? json_object_new () : NULL;
}

/* One vfunc per command of one argument: run, then complete. */
#define PBX_COMMAND(name, run)                                                     \
  static void                                                                      \
  pbx_##name (AttendantTelephony *telephony,                                       \
              const char         *extension,                                       \
              const char         *id,                                              \
              ATTENDANT_TELEPHONY_COMMAND_ARGS)                                    \
  {                                                                                \
    AttendantPbx *self = ATTENDANT_PBX (telephony);                                \
    GError *error = NULL;                                                          \
    JsonObject *result = run;                                                      \
                                                                                   \
    complete_command (telephony, result, error, cancellable, callback, user_data); \
  }

/* The attendant's phone ringing until picked up: the call is answered
 * only then, if it is still there to answer. */
typedef struct
{
  AttendantPbx        *pbx;
  char                *extension;
  char                *id;
  GCancellable        *cancellable;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
} Pickup;

static void
pickup_free (Pickup *pickup)
{
  g_clear_object (&pickup->pbx);
  g_clear_object (&pickup->cancellable);
  g_free (pickup->extension);
  g_free (pickup->id);
  g_free (pickup);
}

static gboolean
pickup_cb (gpointer user_data)
{
  Pickup *pickup = user_data;
  GError *error = NULL;
  JsonObject *result = ok_or_null (do_answer (pickup->pbx, pickup->extension, pickup->id, &error));

  complete_command (ATTENDANT_TELEPHONY (pickup->pbx), result, error, pickup->cancellable,
                    pickup->callback, pickup->user_data);
  return G_SOURCE_REMOVE;
}

static void
pbx_answer (AttendantTelephony *telephony,
            const char         *extension,
            const char         *id,
            ATTENDANT_TELEPHONY_COMMAND_ARGS)
{
  AttendantPbx *self = ATTENDANT_PBX (telephony);
  GError *error = NULL;
  Pickup *pickup;

  if (self->pickup_delay <= 0)
    {
      JsonObject *result = ok_or_null (do_answer (self, extension, id, &error));

      complete_command (telephony, result, error, cancellable, callback, user_data);
      return;
    }

  pickup = g_new0 (Pickup, 1);
  pickup->pbx = g_object_ref (self);
  pickup->extension = g_strdup (extension);
  pickup->id = g_strdup (id);
  pickup->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  pickup->callback = callback;
  pickup->user_data = user_data;
  g_timeout_add_full (G_PRIORITY_DEFAULT, seconds_to_ms (self->pickup_delay), pickup_cb, pickup,
                      (GDestroyNotify)pickup_free);
}

PBX_COMMAND (hold, ok_or_null (do_hold (self, extension, id, &error)))
PBX_COMMAND (resume, ok_or_null (do_resume (self, extension, id, &error)))
PBX_COMMAND (hangup, ok_or_null (do_hangup (self, extension, id, &error)))
PBX_COMMAND (complete, ok_or_null (do_complete (self, extension, id, &error)))
PBX_COMMAND (cancel_consult, ok_or_null (do_cancel_consult (self, extension, id, &error)))
PBX_COMMAND (dial, do_dial (self, extension, id, &error))
PBX_COMMAND (set_presence, ok_or_null (attendant_pbx_set_presence (self, extension, id, &error)))

static void
pbx_transfer (AttendantTelephony *telephony,
              const char         *extension,
              const char         *id,
              const char         *target,
              ATTENDANT_TELEPHONY_COMMAND_ARGS)
{
  GError *error = NULL;
  gboolean ok = do_transfer (ATTENDANT_PBX (telephony), extension, id, target, &error);

  complete_command (telephony, ok_or_null (ok), error, cancellable, callback, user_data);
}

static void
pbx_consult (AttendantTelephony *telephony,
             const char         *extension,
             const char         *id,
             const char         *target,
             ATTENDANT_TELEPHONY_COMMAND_ARGS)
{
  GError *error = NULL;
  JsonObject *result = do_consult (ATTENDANT_PBX (telephony), extension, id, target, &error);

  complete_command (telephony, result, error, cancellable, callback, user_data);
}

static guint64
pbx_get_seq (AttendantTelephony *telephony)
{
  return ATTENDANT_PBX (telephony)->seq;
}

static GPtrArray *
pbx_build_snapshot (AttendantTelephony *telephony,
                    const char         *user,
                    const char         *extension)
{
  return build_snapshot (ATTENDANT_PBX (telephony), user, extension);
}

static JsonArray *
pbx_list_calls (AttendantTelephony *telephony)
{
  return attendant_pbx_list_calls (ATTENDANT_PBX (telephony));
}

static const char *
pbx_get_unreachable_reason (AttendantTelephony *telephony)
{
  return ATTENDANT_PBX (telephony)->unreachable_reason;
}

static void
attendant_pbx_telephony_init (AttendantTelephonyInterface *iface)
{
  iface->get_seq = pbx_get_seq;
  iface->build_snapshot = pbx_build_snapshot;
  iface->list_calls = pbx_list_calls;
  iface->answer = pbx_answer;
  iface->hold = pbx_hold;
  iface->resume = pbx_resume;
  iface->hangup = pbx_hangup;
  iface->transfer = pbx_transfer;
  iface->consult = pbx_consult;
  iface->complete = pbx_complete;
  iface->cancel_consult = pbx_cancel_consult;
  iface->dial = pbx_dial;
  iface->set_presence = pbx_set_presence;
  iface->command_finish = pbx_command_finish;
  iface->get_unreachable_reason = pbx_get_unreachable_reason;
}

/* }}} */
/* {{{ Admin */

/**
 * attendant_pbx_set_unreachable:
 * @reason: (nullable): why the telephone system is out of reach, or %NULL
 *   when it is back
 *
 * Pretends an outage, so that what clients are told about a real one (an
 * Asterisk down) can be shown and tested without one. Calls and commands
 * carry on as before: only the telephone system's reachability changes.
 */
void
attendant_pbx_set_unreachable (AttendantPbx *self,
                               const char   *reason)
{
  g_return_if_fail (ATTENDANT_IS_PBX (self));

  if (g_strcmp0 (self->unreachable_reason, reason) == 0)
    return;

  g_free (self->unreachable_reason);
  self->unreachable_reason = g_strdup (reason);
  attendant_telephony_emit_availability_changed (ATTENDANT_TELEPHONY (self));
}

/**
 * attendant_pbx_inject_call:
 * @name: (nullable): the caller's name
 * @queue: (nullable): the queue, the first one when %NULL
 * @extension: (nullable): ring this extension instead of queueing
 * @patience: seconds the caller waits in the queue; 0 for ever
 *
 * An incoming call from outside.
 *
 * Returns: (transfer full): the call
 */
JsonObject *
attendant_pbx_inject_call (AttendantPbx  *self,
                           const char    *number,
                           const char    *name,
                           const char    *queue,
                           const char    *extension,
                           double         patience,
                           GError       **error)
{
  Queue *target_queue;
  Contact *contact = NULL;
  Call *call;

  g_return_val_if_fail (ATTENDANT_IS_PBX (self), NULL);

  if (!is_number (number))
    {
      fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS, "“%s” is not a phone number", number ? number : "");
      return NULL;
    }

  if (name != NULL && (strlen (name) > 128 || !g_utf8_validate (name, -1, NULL)))
    {
      fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS, "The caller's name is over 128 bytes");
      return NULL;
    }

  target_queue = queue != NULL ? find_queue (self, queue) : g_ptr_array_index (self->queues, 0);
  if (target_queue == NULL)
    {
      fail (error, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "No queue %s", queue);
      return NULL;
    }

  if (extension != NULL && (contact = find_contact (self, extension)) == NULL)
    {
      fail (error, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "No extension %s", extension);
      return NULL;
    }

  call = call_new (self, CALL_QUEUED);
  call->queue = g_strdup (target_queue->id);
  call->caller_number = g_strdup (number);
  call->caller_name = g_strdup (name != NULL && name[0] != '\0' ? name : NULL);

  /* A direct call rings its extension; one that cannot ring goes to the
   * attendants, as a real PBX forwards "busy" to the operator. */
  if (contact != NULL && contact_can_ring (self, contact))
    {
      call->state = CALL_RINGING;
      call->attendant = g_strdup (extension);
      start_ringing (self, call, extension, !contact->attendant);
    }
  else if (patience > 0)
    call->abandon_source = g_timeout_add (seconds_to_ms (patience), abandon_cb, call);

  call_changed (self, call);
  refresh_presence (self);

  return call_to_json (call);
}

gboolean
attendant_pbx_set_presence (AttendantPbx  *self,
                            const char    *number,
                            const char    *presence,
                            GError       **error)
{
  Contact *contact;

  g_return_val_if_fail (ATTENDANT_IS_PBX (self), FALSE);

  if (!attendant_pbx_presence_is_valid (presence) || g_str_equal (presence, ATTENDANT_PROTOCOL_PRESENCE_RINGING))
    return fail (error, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS,
                 "“%s” is not a presence to set (available, busy, away, dnd, offline)",
                 presence ? presence : "");

  if ((contact = find_contact (self, number)) == NULL)
    return fail (error, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "No extension %s", number ? number : "");

  set_string (&contact->base, presence);
  g_hash_table_add (self->touched, contact);
  refresh_presence (self);

  return TRUE;
}

/* The party outside hangs up, whatever the call's state. */
gboolean
attendant_pbx_caller_hangup (AttendantPbx  *self,
                             const char    *id,
                             GError       **error)
{
  Call *call;

  g_return_val_if_fail (ATTENDANT_IS_PBX (self), FALSE);

  if ((call = find_call (self, id)) == NULL)
    return fail (error, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND, "No call %s", id ? id : "");

  end_with_leg (self, call);
  refresh_presence (self);

  return TRUE;
}

/* }}} */
