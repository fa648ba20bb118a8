/* attendant-history-entry.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-history-entry"

#include "config.h"

#include "attendant-history-entry.h"

/* One line of the attendant's day: a call answered, placed, handed over
 * or lost from the queue, with its times (microseconds of real time, as
 * the calls' "since"). An answered call becomes a transferred one when the
 * server confirms the hand-over; its row follows through notify. */
struct _AttendantHistoryEntry
{
  GObject               parent_instance;

  char                 *call_id;
  AttendantHistoryKind  kind;
  char                 *number;
  char                 *name;
  char                 *target;
  gint64                time;
  gint64                end_time;
};

G_DEFINE_FINAL_TYPE (AttendantHistoryEntry, attendant_history_entry, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (AttendantHistoryKind, attendant_history_kind,
                    G_DEFINE_ENUM_VALUE (ATTENDANT_HISTORY_ANSWERED, "answered"),
                    G_DEFINE_ENUM_VALUE (ATTENDANT_HISTORY_DIALLED, "dialled"),
                    G_DEFINE_ENUM_VALUE (ATTENDANT_HISTORY_TRANSFERRED, "transferred"),
                    G_DEFINE_ENUM_VALUE (ATTENDANT_HISTORY_MISSED, "missed"))

enum {
  PROP_0,
  PROP_KIND,
  PROP_TARGET,
  PROP_END_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
attendant_history_entry_finalize (GObject *object)
{
  AttendantHistoryEntry *self = (AttendantHistoryEntry *)object;

  g_clear_pointer (&self->call_id, g_free);
  g_clear_pointer (&self->number, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->target, g_free);

  G_OBJECT_CLASS (attendant_history_entry_parent_class)->finalize (object);
}

static void
attendant_history_entry_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  AttendantHistoryEntry *self = ATTENDANT_HISTORY_ENTRY (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;

    case PROP_TARGET:
      g_value_set_string (value, self->target);
      break;

    case PROP_END_TIME:
      g_value_set_int64 (value, self->end_time);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_history_entry_class_init (AttendantHistoryEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = attendant_history_entry_finalize;
  object_class->get_property = attendant_history_entry_get_property;

  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, ATTENDANT_TYPE_HISTORY_KIND,
                                             ATTENDANT_HISTORY_ANSWERED, ro);
  properties[PROP_TARGET] = g_param_spec_string ("target", NULL, NULL, NULL, ro);
  properties[PROP_END_TIME] = g_param_spec_int64 ("end-time", NULL, NULL, 0, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_history_entry_init (AttendantHistoryEntry *self)
{
}

/**
 * attendant_history_entry_new:
 * @number: (nullable): the caller's number, or the number dialled
 * @name: (nullable): their name, if anyone knew it
 * @time: when it happened, in microseconds of real time
 */
AttendantHistoryEntry *
attendant_history_entry_new (const char           *call_id,
                             AttendantHistoryKind  kind,
                             const char           *number,
                             const char           *name,
                             gint64                time)
{
  AttendantHistoryEntry *self;

  g_return_val_if_fail (call_id != NULL, NULL);

  self = g_object_new (ATTENDANT_TYPE_HISTORY_ENTRY, NULL);
  self->call_id = g_strdup (call_id);
  self->kind = kind;
  self->number = g_strdup (number);
  self->name = g_strdup (name);
  self->time = time;

  return self;
}

const char *
attendant_history_entry_get_call_id (AttendantHistoryEntry *self)
{
  g_return_val_if_fail (ATTENDANT_IS_HISTORY_ENTRY (self), NULL);

  return self->call_id;
}

AttendantHistoryKind
attendant_history_entry_get_kind (AttendantHistoryEntry *self)
{
  g_return_val_if_fail (ATTENDANT_IS_HISTORY_ENTRY (self), ATTENDANT_HISTORY_ANSWERED);

  return self->kind;
}

const char *
attendant_history_entry_get_number (AttendantHistoryEntry *self)
{
  g_return_val_if_fail (ATTENDANT_IS_HISTORY_ENTRY (self), NULL);

  return self->number;
}

const char *
attendant_history_entry_get_name (AttendantHistoryEntry *self)
{
  g_return_val_if_fail (ATTENDANT_IS_HISTORY_ENTRY (self), NULL);

  return self->name;
}

gint64
attendant_history_entry_get_time (AttendantHistoryEntry *self)
{
  g_return_val_if_fail (ATTENDANT_IS_HISTORY_ENTRY (self), 0);

  return self->time;
}

/**
 * attendant_history_entry_get_target:
 *
 * Returns: (nullable): the number the call was handed over to
 */
const char *
attendant_history_entry_get_target (AttendantHistoryEntry *self)
{
  g_return_val_if_fail (ATTENDANT_IS_HISTORY_ENTRY (self), NULL);

  return self->target;
}

/**
 * attendant_history_entry_get_end_time:
 *
 * Returns: when the call left the attendant, 0 while it has not
 */
gint64
attendant_history_entry_get_end_time (AttendantHistoryEntry *self)
{
  g_return_val_if_fail (ATTENDANT_IS_HISTORY_ENTRY (self), 0);

  return self->end_time;
}

void
attendant_history_entry_set_transferred (AttendantHistoryEntry *self,
                                         const char            *target,
                                         gint64                 time)
{
  g_return_if_fail (ATTENDANT_IS_HISTORY_ENTRY (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->kind != ATTENDANT_HISTORY_TRANSFERRED)
    {
      self->kind = ATTENDANT_HISTORY_TRANSFERRED;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
    }
  if (g_strcmp0 (self->target, target) != 0)
    {
      g_free (self->target);
      self->target = g_strdup (target);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGET]);
    }
  attendant_history_entry_set_end_time (self, time);
  g_object_thaw_notify (G_OBJECT (self));
}

void
attendant_history_entry_set_end_time (AttendantHistoryEntry *self,
                                      gint64                 time)
{
  g_return_if_fail (ATTENDANT_IS_HISTORY_ENTRY (self));

  if (self->end_time == time)
    return;

  self->end_time = time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_END_TIME]);
}
