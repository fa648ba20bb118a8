/* attendant-call.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-call"

#include "config.h"

#include "attendant-call.h"
#include "attendant-enum-types.h"
#include "attendant-protocol.h"
#include "attendant-protocol-names.h"

/* One call as the server last described it (docs/protocol.md §2.3), plus
 * what the console knows of it that the server does not: whether a
 * command on it awaits its reply, and a notice for the operator when a
 * command's outcome was lost with the connection (docs/architecture.md,
 * "Nothing silently lost"). */
struct _AttendantCall
{
  GObject             parent_instance;

  char               *id;
  AttendantCallState  state;
  char               *queue;
  char               *caller_number;
  char               *caller_name;
  gint64              since;
  char               *attendant;
  char               *peer;
  gboolean            recalled;

  gboolean            pending;
  /* what it waits for, while pending */
  AttendantCommand    pending_command;
  char               *notice;
};

G_DEFINE_FINAL_TYPE (AttendantCall, attendant_call, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_STATE,
  PROP_QUEUE,
  PROP_CALLER_NUMBER,
  PROP_CALLER_NAME,
  PROP_SINCE,
  PROP_ATTENDANT,
  PROP_PEER,
  PROP_RECALLED,
  PROP_PENDING,
  PROP_NOTICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
attendant_call_finalize (GObject *object)
{
  AttendantCall *self = (AttendantCall *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->queue, g_free);
  g_clear_pointer (&self->caller_number, g_free);
  g_clear_pointer (&self->caller_name, g_free);
  g_clear_pointer (&self->attendant, g_free);
  g_clear_pointer (&self->peer, g_free);
  g_clear_pointer (&self->notice, g_free);

  G_OBJECT_CLASS (attendant_call_parent_class)->finalize (object);
}

static void
attendant_call_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  AttendantCall *self = ATTENDANT_CALL (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_QUEUE:
      g_value_set_string (value, self->queue);
      break;

    case PROP_CALLER_NUMBER:
      g_value_set_string (value, self->caller_number);
      break;

    case PROP_CALLER_NAME:
      g_value_set_string (value, self->caller_name);
      break;

    case PROP_SINCE:
      g_value_set_int64 (value, self->since);
      break;

    case PROP_ATTENDANT:
      g_value_set_string (value, self->attendant);
      break;

    case PROP_PEER:
      g_value_set_string (value, self->peer);
      break;

    case PROP_RECALLED:
      g_value_set_boolean (value, self->recalled);
      break;

    case PROP_PENDING:
      g_value_set_boolean (value, self->pending);
      break;

    case PROP_NOTICE:
      g_value_set_string (value, self->notice);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_call_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  AttendantCall *self = ATTENDANT_CALL (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_call_class_init (AttendantCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = attendant_call_finalize;
  object_class->get_property = attendant_call_get_property;
  object_class->set_property = attendant_call_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, ATTENDANT_TYPE_CALL_STATE, ATTENDANT_CALL_STATE_QUEUED, ro);
  properties[PROP_QUEUE] = g_param_spec_string ("queue", NULL, NULL, NULL, ro);
  properties[PROP_CALLER_NUMBER] = g_param_spec_string ("caller-number", NULL, NULL, NULL, ro);
  properties[PROP_CALLER_NAME] = g_param_spec_string ("caller-name", NULL, NULL, NULL, ro);
  /* Real time in µs, when the call entered its state. */
  properties[PROP_SINCE] = g_param_spec_int64 ("since", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_ATTENDANT] = g_param_spec_string ("attendant", NULL, NULL, NULL, ro);
  properties[PROP_PEER] = g_param_spec_string ("peer", NULL, NULL, NULL, ro);
  properties[PROP_RECALLED] = g_param_spec_boolean ("recalled", NULL, NULL, FALSE, ro);
  properties[PROP_PENDING] = g_param_spec_boolean ("pending", NULL, NULL, FALSE, ro);
  properties[PROP_NOTICE] = g_param_spec_string ("notice", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_call_init (AttendantCall *self)
{
}

AttendantCall *
attendant_call_new (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return g_object_new (ATTENDANT_TYPE_CALL, "id", id, NULL);
}

static void
set_string (AttendantCall  *self,
            char          **field,
            const char     *value,
            int             prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/**
 * attendant_call_apply_json:
 * @json: a call as the protocol sends it
 *
 * Takes the members of @json, notifying what changed. A call whose state
 * is not one the protocol defines is left as it was: showing it in a
 * guessed state could make the operator act on it wrongly.
 *
 * Returns: whether @json was a call this console understands
 */
gboolean
attendant_call_apply_json (AttendantCall *self,
                           JsonObject    *json)
{
  const char *state = NULL;
  const char *since = NULL;
  AttendantCallState value;
  gint64 since_us = 0;

  g_return_val_if_fail (ATTENDANT_IS_CALL (self), FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  state = attendant_protocol_get_string (json, "state");
  if (state == NULL || !attendant_call_state_from_string (state, &value))
    return FALSE;

  since = attendant_protocol_get_string (json, "since");
  if (since != NULL)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (since, NULL);

      if (dt != NULL)
        since_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
    }

  g_object_freeze_notify (G_OBJECT (self));

  if (self->state != (AttendantCallState)value)
    {
      self->state = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }

  set_string (self, &self->queue, attendant_protocol_get_string (json, "queue"), PROP_QUEUE);
  set_string (self, &self->caller_number, attendant_protocol_get_string (json, "caller_number"), PROP_CALLER_NUMBER);
  set_string (self, &self->caller_name, attendant_protocol_get_string (json, "caller_name"), PROP_CALLER_NAME);
  set_string (self, &self->attendant, attendant_protocol_get_string (json, "attendant"), PROP_ATTENDANT);
  set_string (self, &self->peer, attendant_protocol_get_string (json, "peer"), PROP_PEER);

  if (self->since != since_us)
    {
      self->since = since_us;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SINCE]);
    }

  {
    JsonNode *node = json_object_get_member (json, "recalled");
    gboolean recalled = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                        json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
                        json_node_get_boolean (node);

    if (self->recalled != recalled)
      {
        self->recalled = recalled;
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECALLED]);
      }
  }

  g_object_thaw_notify (G_OBJECT (self));

  return TRUE;
}

const char *
attendant_call_get_id (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), NULL);

  return self->id;
}

AttendantCallState
attendant_call_get_state (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), ATTENDANT_CALL_STATE_ENDED);

  return self->state;
}

const char *
attendant_call_get_queue (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), NULL);

  return self->queue;
}

const char *
attendant_call_get_caller_number (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), NULL);

  return self->caller_number;
}

const char *
attendant_call_get_caller_name (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), NULL);

  return self->caller_name;
}

gint64
attendant_call_get_since (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), 0);

  return self->since;
}

const char *
attendant_call_get_attendant (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), NULL);

  return self->attendant;
}

const char *
attendant_call_get_peer (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), NULL);

  return self->peer;
}

gboolean
attendant_call_get_recalled (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), FALSE);

  return self->recalled;
}

gboolean
attendant_call_get_pending (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), FALSE);

  return self->pending;
}

void
attendant_call_set_pending (AttendantCall *self,
                            gboolean       pending)
{
  g_return_if_fail (ATTENDANT_IS_CALL (self));

  pending = !!pending;
  if (self->pending == pending)
    return;

  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

/**
 * attendant_call_get_pending_command:
 *
 * Returns: the command the call waits on the server for; meaningful
 *   only while #AttendantCall:pending
 */
AttendantCommand
attendant_call_get_pending_command (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), ATTENDANT_COMMAND_ANSWER);

  return self->pending_command;
}

/**
 * attendant_call_set_pending_command:
 *
 * Marks the call pending on @command: an answer may wait for the
 * attendant to pick up their phone, which the console says, where a hold
 * only waits for the server.
 */
void
attendant_call_set_pending_command (AttendantCall    *self,
                                    AttendantCommand  command)
{
  g_return_if_fail (ATTENDANT_IS_CALL (self));

  /* Before the notification, for whoever follows it. */
  self->pending_command = command;
  attendant_call_set_pending (self, TRUE);
}

const char *
attendant_call_get_notice (AttendantCall *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), NULL);

  return self->notice;
}

void
attendant_call_set_notice (AttendantCall *self,
                           const char    *notice)
{
  g_return_if_fail (ATTENDANT_IS_CALL (self));

  set_string (self, &self->notice, notice, PROP_NOTICE);
}

/**
 * attendant_call_can:
 *
 * Whether @command makes sense on the call in its present state, by the
 * rules of docs/protocol.md §2.5 that the console can check without the
 * server. The server still decides; this only keeps pointless buttons
 * insensitive.
 */
gboolean
attendant_call_can (AttendantCall    *self,
                    AttendantCommand  command)
{
  g_return_val_if_fail (ATTENDANT_IS_CALL (self), FALSE);

  if (self->pending)
    return FALSE;

  switch (command)
    {
    case ATTENDANT_COMMAND_ANSWER:
      return self->state == ATTENDANT_CALL_STATE_QUEUED ||
             self->state == ATTENDANT_CALL_STATE_RINGING;

    case ATTENDANT_COMMAND_HOLD:
      return self->state == ATTENDANT_CALL_STATE_ACTIVE;

    case ATTENDANT_COMMAND_RESUME:
      return self->state == ATTENDANT_CALL_STATE_HELD;

    case ATTENDANT_COMMAND_HANGUP:
      return self->state != ATTENDANT_CALL_STATE_ENDED;

    case ATTENDANT_COMMAND_TRANSFER:
    case ATTENDANT_COMMAND_CONSULT:
      return self->state == ATTENDANT_CALL_STATE_ACTIVE ||
             self->state == ATTENDANT_CALL_STATE_HELD;

    case ATTENDANT_COMMAND_COMPLETE:
    case ATTENDANT_COMMAND_CANCEL_CONSULT:
      return self->state == ATTENDANT_CALL_STATE_CONSULTING;

    case ATTENDANT_COMMAND_DIAL:
    case ATTENDANT_COMMAND_SET_PRESENCE:
    default:
      return FALSE;
    }
}
