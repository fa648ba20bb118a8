/* attendant-telephony.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-telephony"

#include "config.h"

#include <string.h>

#include "attendant-protocol-names.h"
#include "attendant-protocol.h"
#include "attendant-telephony.h"

/* The telephone system as the nodes and sessions see it
 * (docs/server.md, "The telephone system interface"). Today its one
 * implementation is the simulated AttendantPbx; an Asterisk (ARI) backend
 * is to be the second. The contract:
 *
 *  - Commands are asynchronous, because a real system answers a command
 *    only once it has carried it out (ARI replies over HTTP, and the
 *    change shows on its event WebSocket). The session sends the
 *    protocol's reply from the command's callback.
 *  - An implementation emits ::event for every change a command causes
 *    BEFORE it completes the command's task, so the events reach every
 *    session before the reply (docs/protocol.md §2.5). Events not caused
 *    by a command (a caller arriving or hanging up, a ring timeout) may
 *    come at any time; each carries the next "seq".
 *  - A failed command completes with an ATTENDANT_TELEPHONY_ERROR whose
 *    code is the protocol's error code (attendant_telephony_error_to_code).
 *    Any other error is the protocol's "internal".
 *  - The cancellable only says that nobody waits for the reply any more
 *    (the session closed): a command already handed to the telephone
 *    system may still take effect, and its events are still emitted.
 *  - The state queries (seq, snapshot, calls) are synchronous: they read
 *    the implementation's own picture of the calls, kept up to date by its
 *    events, so a snapshot and the subscription to ::event can be made in
 *    one go with no event falling in between.
 *
 * This file also turns a protocol command (its name and "args") into a
 * call of the interface, so that every implementation sees arguments of
 * the right type and answers a malformed command the same way.
 *
 * Not in the interface: the simulated system's own seams (incoming calls,
 * presence and hang-ups of the admin API, the demo's callers, the
 * directory from the configuration) stay on AttendantPbx.
 *
 * A real telephone system can be out of reach while the server runs
 * (Asterisk restarting, its ARI refusing the user): get_unreachable_reason
 * says so, ::availability-changed says when that changes, and ::reset says
 * that the implementation rebuilt its picture of the calls from the
 * telephone system itself, so every session must send a fresh snapshot
 * rather than trust the events it sent before. */

G_DEFINE_QUARK (attendant-telephony-error-quark, attendant_telephony_error)

G_DEFINE_INTERFACE (AttendantTelephony, attendant_telephony, G_TYPE_OBJECT)

enum {
  EVENT,
  AVAILABILITY_CHANGED,
  RESET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
attendant_telephony_error_to_code (const GError *error)
{
  if (error == NULL || error->domain != ATTENDANT_TELEPHONY_ERROR)
    return "internal";

  switch ((AttendantTelephonyError)error->code)
    {
    case ATTENDANT_TELEPHONY_ERROR_NOT_FOUND:
      return "not-found";
    case ATTENDANT_TELEPHONY_ERROR_INVALID_STATE:
      return "invalid-state";
    case ATTENDANT_TELEPHONY_ERROR_BUSY:
      return "busy";
    case ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS:
      return "invalid-args";
    case ATTENDANT_TELEPHONY_ERROR_UNKNOWN_COMMAND:
      return "unknown-command";
    default:
      return "internal";
    }
}

static void
attendant_telephony_default_init (AttendantTelephonyInterface *iface)
{
  /**
   * AttendantTelephony::event:
   * @message: the whole "event" message, seq included
   *
   * A change, emitted as it happens; for a command's changes, before the
   * command completes.
   */
  signals[EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * AttendantTelephony::availability-changed:
   *
   * attendant_telephony_get_unreachable_reason() changed.
   */
  signals[AVAILABILITY_CHANGED] =
    g_signal_new ("availability-changed",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * AttendantTelephony::reset:
   *
   * The implementation's state was rebuilt from the telephone system (after
   * it was out of reach, say): the events emitted before may not lead to
   * it, so whoever follows the events must take a new snapshot.
   */
  signals[RESET] =
    g_signal_new ("reset",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

/* A bound on the encoded size of @contact: every string byte may become a
 * six-byte \uXXXX escape, plus the members' names and punctuation. */
static gsize
contact_size_bound (JsonObject *contact)
{
  gsize text = 0;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init (&iter, contact);
  while (json_object_iter_next (&iter, &name, &value))
    if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
      text += strlen (json_node_get_string (value));

  return 100 + 6 * text;
}

/**
 * attendant_telephony_split_snapshot:
 * @snapshot: (transfer full): a "snapshot" message without "directory"
 * @directory: (transfer full): its directory
 * @max_contacts: the most contacts in one message
 * @max_bytes: a bound on one message's encoded contacts
 *
 * The "snapshot" and, when the directory does not fit in one message,
 * its "snapshot.more" parts (docs/protocol.md §2.3), so that no message
 * comes near the 1 MiB limit whatever the directory's size.
 *
 * Returns: (transfer full) (element-type JsonObject): the messages
 */
GPtrArray *
attendant_telephony_split_snapshot (JsonObject *snapshot,
                                    JsonArray  *directory,
                                    guint       max_contacts,
                                    gsize       max_bytes)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  JsonObject *message = snapshot;
  JsonArray *part = json_array_new ();
  gsize size = 0;

  g_return_val_if_fail (snapshot != NULL, messages);
  g_return_val_if_fail (directory != NULL, messages);

  g_ptr_array_add (messages, message);
  json_object_set_array_member (message, "directory", part);
  for (guint i = 0; i < json_array_get_length (directory); i++)
    {
      JsonObject *contact = json_array_get_object_element (directory, i);
      gsize bound = contact_size_bound (contact);

      if (json_array_get_length (part) > 0 &&
          (json_array_get_length (part) >= max_contacts || size + bound > max_bytes))
        {
          json_object_set_boolean_member (message, "more", TRUE);
          message = attendant_protocol_message_new ("snapshot.more");
          g_ptr_array_add (messages, message);
          part = json_array_new ();
          json_object_set_array_member (message, "directory", part);
          size = 0;
        }

      json_array_add_object_element (part, json_object_ref (contact));
      size += bound;
    }

  if (messages->len > 1)
    json_object_set_boolean_member (message, "more", FALSE);
  json_array_unref (directory);

  return messages;
}

void
attendant_telephony_emit_availability_changed (AttendantTelephony *self)
{
  g_return_if_fail (ATTENDANT_IS_TELEPHONY (self));

  g_signal_emit (self, signals[AVAILABILITY_CHANGED], 0);
}

void
attendant_telephony_emit_reset (AttendantTelephony *self)
{
  g_return_if_fail (ATTENDANT_IS_TELEPHONY (self));

  g_signal_emit (self, signals[RESET], 0);
}

/**
 * attendant_telephony_get_unreachable_reason:
 *
 * Returns: (nullable): why the telephone system cannot be reached, in a
 *   sentence for a person, or %NULL when it can
 */
const char *
attendant_telephony_get_unreachable_reason (AttendantTelephony *self)
{
  AttendantTelephonyInterface *iface;

  g_return_val_if_fail (ATTENDANT_IS_TELEPHONY (self), NULL);

  iface = ATTENDANT_TELEPHONY_GET_IFACE (self);
  return iface->get_unreachable_reason != NULL ? iface->get_unreachable_reason (self) : NULL;
}

void
attendant_telephony_emit_event (AttendantTelephony *self,
                                JsonObject         *message)
{
  g_return_if_fail (ATTENDANT_IS_TELEPHONY (self));
  g_return_if_fail (message != NULL);

  g_signal_emit (self, signals[EVENT], 0, message);
}

/* The one wording of a missing argument, whoever finds it missing. */
void
attendant_telephony_set_missing_arg (GError     **error,
                                     const char  *name)
{
  g_set_error (error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS,
               "The argument “%s” (a string) is missing", name);
}

guint64
attendant_telephony_get_seq (AttendantTelephony *self)
{
  g_return_val_if_fail (ATTENDANT_IS_TELEPHONY (self), 0);

  return ATTENDANT_TELEPHONY_GET_IFACE (self)->get_seq (self);
}

/**
 * attendant_telephony_build_snapshot:
 * @extension: (nullable):
 *
 * The state as a "snapshot" message (docs/protocol.md §2.3), split into
 * "snapshot.more" parts when the directory does not fit in one message.
 * The caller sends them all in one go, with no event between them.
 *
 * Returns: (transfer full) (element-type JsonObject): the messages
 */
GPtrArray *
attendant_telephony_build_snapshot (AttendantTelephony *self,
                                    const char         *user,
                                    const char         *extension)
{
  g_return_val_if_fail (ATTENDANT_IS_TELEPHONY (self), NULL);
  g_return_val_if_fail (user != NULL, NULL);

  return ATTENDANT_TELEPHONY_GET_IFACE (self)->build_snapshot (self, user, extension);
}

/**
 * attendant_telephony_list_calls:
 *
 * Returns: (transfer full): every call that has not ended, as in a snapshot
 */
JsonArray *
attendant_telephony_list_calls (AttendantTelephony *self)
{
  g_return_val_if_fail (ATTENDANT_IS_TELEPHONY (self), NULL);

  return ATTENDANT_TELEPHONY_GET_IFACE (self)->list_calls (self);
}

/* A string argument, or NULL when it is missing or not a string. */
static const char *
get_string_arg (JsonObject *args,
                const char *name)
{
  JsonNode *node = args != NULL ? json_object_get_member (args, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* The interface's own refusals complete at the priority the simulated
 * system's replies do, so that with it the replies keep the order of the
 * commands, as they did when every reply was sent at once. */
static void
report_error (AttendantTelephony  *self,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              GError              *error)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, attendant_telephony_command_async);
  g_task_set_priority (task, G_PRIORITY_HIGH);
  g_task_return_error (task, error);
}

/**
 * attendant_telephony_command_async:
 * @extension: (nullable): the attendant's extension
 * @args_node: (nullable): the command's "args": an object, null or missing
 *
 * Runs one command of docs/protocol.md §2.5 for the attendant at
 * @extension. "args" of the wrong type, an unknown command, a user
 * without an extension and a missing argument fail here, for every
 * implementation alike; a transfer's or consultation's "target" is
 * checked by the implementation, after the call, so that a command on a
 * call that is not there says so first.
 */
void
attendant_telephony_command_async (AttendantTelephony  *self,
                                   const char          *extension,
                                   const char          *command,
                                   JsonNode            *args_node,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  AttendantTelephonyInterface *iface;
  JsonObject *args = NULL;
  const char *name;
  const char *arg;

  g_return_if_fail (ATTENDANT_IS_TELEPHONY (self));
  g_return_if_fail (command != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (args_node != NULL && !JSON_NODE_HOLDS_NULL (args_node))
    {
      if (!JSON_NODE_HOLDS_OBJECT (args_node))
        {
          report_error (self, callback, user_data,
                        g_error_new_literal (ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS,
                                             "“args” must be an object"));
          return;
        }
      args = json_node_get_object (args_node);
    }

  if (!g_strv_contains (attendant_protocol_commands (), command))
    {
      report_error (self, callback, user_data,
                    g_error_new (ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_UNKNOWN_COMMAND,
                                 "Unknown command “%s”", command));
      return;
    }

  if (extension == NULL)
    {
      report_error (self, callback, user_data,
                    g_error_new_literal (ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_INVALID_STATE,
                                         "Your user has no extension: the console cannot handle calls"));
      return;
    }

  if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_DIAL))
    name = "number";
  else if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_PRESENCE_SET))
    name = "presence";
  else
    name = "call";

  if ((arg = get_string_arg (args, name)) == NULL)
    {
      GError *error = NULL;

      attendant_telephony_set_missing_arg (&error, name);
      report_error (self, callback, user_data, error);
      return;
    }

  iface = ATTENDANT_TELEPHONY_GET_IFACE (self);

  if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_CALL_ANSWER))
    iface->answer (self, extension, arg, cancellable, callback, user_data);
  else if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_CALL_HOLD))
    iface->hold (self, extension, arg, cancellable, callback, user_data);
  else if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_CALL_RESUME))
    iface->resume (self, extension, arg, cancellable, callback, user_data);
  else if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_CALL_HANGUP))
    iface->hangup (self, extension, arg, cancellable, callback, user_data);
  else if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_CALL_TRANSFER))
    iface->transfer (self, extension, arg, get_string_arg (args, "target"),
                     cancellable, callback, user_data);
  else if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_CALL_CONSULT))
    iface->consult (self, extension, arg, get_string_arg (args, "target"),
                    cancellable, callback, user_data);
  else if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_CALL_COMPLETE))
    iface->complete (self, extension, arg, cancellable, callback, user_data);
  else if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_CALL_CANCEL_CONSULT))
    iface->cancel_consult (self, extension, arg, cancellable, callback, user_data);
  else if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_DIAL))
    iface->dial (self, extension, arg, cancellable, callback, user_data);
  else if (g_str_equal (command, ATTENDANT_PROTOCOL_COMMAND_PRESENCE_SET))
    iface->set_presence (self, extension, arg, cancellable, callback, user_data);
  else
    g_assert_not_reached ();
}

/**
 * attendant_telephony_command_finish:
 *
 * Returns: (transfer full): the reply's result, or %NULL with an error
 *   (an ATTENDANT_TELEPHONY_ERROR for the protocol's errors)
 */
JsonObject *
attendant_telephony_command_finish (AttendantTelephony  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (ATTENDANT_IS_TELEPHONY (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  if (g_async_result_is_tagged (result, attendant_telephony_command_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  return ATTENDANT_TELEPHONY_GET_IFACE (self)->command_finish (self, result, error);
}
