/* test-protocol-names.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-core.h"

/* The protocol's names and the enums that stand for them: each value has
 * its name and comes back from it, the names agree with the enums' nicks
 * (which attendant-cli's JSON prints), and a name the protocol does not
 * define is refused. */

static void
check_enum (GType        type,
            const char *(*to_string) (int),
            gboolean    (*from_string) (const char *, int *))
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);

  for (guint i = 0; i < klass->n_values; i++)
    {
      const GEnumValue *ev = &klass->values[i];
      const char *name = to_string (ev->value);
      int back = -1;

      g_assert_cmpstr (name, ==, ev->value_nick);
      g_assert_true (from_string (name, &back));
      g_assert_cmpint (back, ==, ev->value);
    }

  g_assert_false (from_string ("nonsense", &(int){ 0 }));
  g_assert_false (from_string (NULL, &(int){ 0 }));
  g_assert_false (from_string ("", &(int){ 0 }));
}

/* The typed helpers, as check_enum() takes them. */
static const char *
call_state_to (int value)
{
  return attendant_call_state_to_string (value);
}

static gboolean
call_state_from (const char *name,
                 int        *value)
{
  AttendantCallState state;

  if (!attendant_call_state_from_string (name, &state))
    return FALSE;
  *value = state;
  return TRUE;
}

static const char *
presence_to (int value)
{
  return attendant_presence_to_string (value);
}

static gboolean
presence_from (const char *name,
               int        *value)
{
  AttendantPresence presence;

  if (!attendant_presence_from_string (name, &presence))
    return FALSE;
  *value = presence;
  return TRUE;
}

static void
test_call_states (void)
{
  check_enum (ATTENDANT_TYPE_CALL_STATE, call_state_to, call_state_from);
  g_assert_cmpstr (attendant_call_state_to_string (ATTENDANT_CALL_STATE_HELD), ==, "held");
}

static void
test_presences (void)
{
  const char * const *all = attendant_protocol_presences ();

  check_enum (ATTENDANT_TYPE_PRESENCE, presence_to, presence_from);
  g_assert_cmpstr (attendant_presence_to_string (ATTENDANT_PRESENCE_DND), ==, "dnd");
  g_assert_cmpuint (g_strv_length ((char **)all), ==, 6);
  g_assert_true (g_strv_contains (all, ATTENDANT_PROTOCOL_PRESENCE_RINGING));
}

/* The commands' names are the protocol's, not the enum's nicks
 * ("call.answer", not "answer"), so they are checked one by one. */
static void
test_commands (void)
{
  static const struct { AttendantCommand command; const char *name; } cases[] = {
    { ATTENDANT_COMMAND_ANSWER, "call.answer" },
    { ATTENDANT_COMMAND_HOLD, "call.hold" },
    { ATTENDANT_COMMAND_RESUME, "call.resume" },
    { ATTENDANT_COMMAND_HANGUP, "call.hangup" },
    { ATTENDANT_COMMAND_TRANSFER, "call.transfer" },
    { ATTENDANT_COMMAND_CONSULT, "call.consult" },
    { ATTENDANT_COMMAND_COMPLETE, "call.complete" },
    { ATTENDANT_COMMAND_CANCEL_CONSULT, "call.cancel-consult" },
    { ATTENDANT_COMMAND_DIAL, "dial" },
    { ATTENDANT_COMMAND_SET_PRESENCE, "presence.set" },
  };
  g_autoptr(GEnumClass) klass = g_type_class_ref (ATTENDANT_TYPE_COMMAND);
  AttendantCommand command;

  g_assert_cmpuint (klass->n_values, ==, G_N_ELEMENTS (cases));
  g_assert_cmpuint (g_strv_length ((char **)attendant_protocol_commands ()), ==, G_N_ELEMENTS (cases));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpstr (attendant_command_to_string (cases[i].command), ==, cases[i].name);
      g_assert_true (attendant_command_from_string (cases[i].name, &command));
      g_assert_cmpint (command, ==, cases[i].command);
      g_assert_true (g_strv_contains (attendant_protocol_commands (), cases[i].name));
    }

  g_assert_false (attendant_command_from_string ("answer", &command));
  g_assert_false (attendant_command_from_string ("call.answer ", &command));
  g_assert_false (attendant_command_from_string (NULL, &command));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol-names/call-states", test_call_states);
  g_test_add_func ("/protocol-names/presences", test_presences);
  g_test_add_func ("/protocol-names/commands", test_commands);

  return g_test_run ();
}
