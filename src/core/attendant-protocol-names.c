/* attendant-protocol-names.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-protocol-names"

#include "config.h"

#include <string.h>

#include "attendant-protocol-names.h"

/* Indexed by the enums, NULL-terminated so that each is also a strv for
 * g_strv_contains(). The static asserts keep a new enum value from
 * slipping in without its name. */

static const char * const commands[] = {
  [ATTENDANT_COMMAND_ANSWER]         = ATTENDANT_PROTOCOL_COMMAND_CALL_ANSWER,
  [ATTENDANT_COMMAND_HOLD]           = ATTENDANT_PROTOCOL_COMMAND_CALL_HOLD,
  [ATTENDANT_COMMAND_RESUME]         = ATTENDANT_PROTOCOL_COMMAND_CALL_RESUME,
  [ATTENDANT_COMMAND_HANGUP]         = ATTENDANT_PROTOCOL_COMMAND_CALL_HANGUP,
  [ATTENDANT_COMMAND_TRANSFER]       = ATTENDANT_PROTOCOL_COMMAND_CALL_TRANSFER,
  [ATTENDANT_COMMAND_CONSULT]        = ATTENDANT_PROTOCOL_COMMAND_CALL_CONSULT,
  [ATTENDANT_COMMAND_COMPLETE]       = ATTENDANT_PROTOCOL_COMMAND_CALL_COMPLETE,
  [ATTENDANT_COMMAND_CANCEL_CONSULT] = ATTENDANT_PROTOCOL_COMMAND_CALL_CANCEL_CONSULT,
  [ATTENDANT_COMMAND_DIAL]           = ATTENDANT_PROTOCOL_COMMAND_DIAL,
  [ATTENDANT_COMMAND_SET_PRESENCE]   = ATTENDANT_PROTOCOL_COMMAND_PRESENCE_SET,
  NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (commands) == ATTENDANT_COMMAND_SET_PRESENCE + 2);

static const char * const call_states[] = {
  [ATTENDANT_CALL_STATE_QUEUED]       = ATTENDANT_PROTOCOL_CALL_QUEUED,
  [ATTENDANT_CALL_STATE_RINGING]      = ATTENDANT_PROTOCOL_CALL_RINGING,
  [ATTENDANT_CALL_STATE_ACTIVE]       = ATTENDANT_PROTOCOL_CALL_ACTIVE,
  [ATTENDANT_CALL_STATE_HELD]         = ATTENDANT_PROTOCOL_CALL_HELD,
  [ATTENDANT_CALL_STATE_CONSULTING]   = ATTENDANT_PROTOCOL_CALL_CONSULTING,
  [ATTENDANT_CALL_STATE_TRANSFERRING] = ATTENDANT_PROTOCOL_CALL_TRANSFERRING,
  [ATTENDANT_CALL_STATE_ENDED]        = ATTENDANT_PROTOCOL_CALL_ENDED,
  NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (call_states) == ATTENDANT_CALL_STATE_ENDED + 2);

static const char * const presences[] = {
  [ATTENDANT_PRESENCE_AVAILABLE] = ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE,
  [ATTENDANT_PRESENCE_BUSY]      = ATTENDANT_PROTOCOL_PRESENCE_BUSY,
  [ATTENDANT_PRESENCE_RINGING]   = ATTENDANT_PROTOCOL_PRESENCE_RINGING,
  [ATTENDANT_PRESENCE_AWAY]      = ATTENDANT_PROTOCOL_PRESENCE_AWAY,
  [ATTENDANT_PRESENCE_DND]       = ATTENDANT_PROTOCOL_PRESENCE_DND,
  [ATTENDANT_PRESENCE_OFFLINE]   = ATTENDANT_PROTOCOL_PRESENCE_OFFLINE,
  NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (presences) == ATTENDANT_PRESENCE_OFFLINE + 2);

static gboolean
lookup (const char * const *names,
        const char         *name,
        int                *value)
{
  if (name == NULL)
    return FALSE;

  for (int i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], name) == 0)
      {
        *value = i;
        return TRUE;
      }

  return FALSE;
}

/**
 * attendant_protocol_commands:
 *
 * Returns: (transfer none): every command name, %NULL-terminated
 */
const char * const *
attendant_protocol_commands (void)
{
  return commands;
}

/**
 * attendant_protocol_presences:
 *
 * Returns: (transfer none): every presence value, %NULL-terminated
 */
const char * const *
attendant_protocol_presences (void)
{
  return presences;
}

const char *
attendant_command_to_string (AttendantCommand command)
{
  g_return_val_if_fail ((guint)command < G_N_ELEMENTS (commands) - 1, NULL);

  return commands[command];
}

gboolean
attendant_command_from_string (const char       *name,
                               AttendantCommand *command)
{
  int value;

  g_return_val_if_fail (command != NULL, FALSE);

  if (!lookup (commands, name, &value))
    return FALSE;

  *command = value;
  return TRUE;
}

const char *
attendant_call_state_to_string (AttendantCallState state)
{
  g_return_val_if_fail ((guint)state < G_N_ELEMENTS (call_states) - 1, NULL);

  return call_states[state];
}

gboolean
attendant_call_state_from_string (const char         *name,
                                  AttendantCallState *state)
{
  int value;

  g_return_val_if_fail (state != NULL, FALSE);

  if (!lookup (call_states, name, &value))
    return FALSE;

  *state = value;
  return TRUE;
}

const char *
attendant_presence_to_string (AttendantPresence presence)
{
  g_return_val_if_fail ((guint)presence < G_N_ELEMENTS (presences) - 1, NULL);

  return presences[presence];
}

gboolean
attendant_presence_from_string (const char        *name,
                                AttendantPresence *presence)
{
  int value;

  g_return_val_if_fail (presence != NULL, FALSE);

  if (!lookup (presences, name, &value))
    return FALSE;

  *presence = value;
  return TRUE;
}
