/* attendant-history-entry.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What became of a call the attendant had a part in. */
typedef enum
{
  ATTENDANT_HISTORY_ANSWERED,
  ATTENDANT_HISTORY_DIALLED,
  ATTENDANT_HISTORY_TRANSFERRED,
  ATTENDANT_HISTORY_MISSED,
} AttendantHistoryKind;

#define ATTENDANT_TYPE_HISTORY_KIND (attendant_history_kind_get_type())
GType attendant_history_kind_get_type (void) G_GNUC_CONST;

#define ATTENDANT_TYPE_HISTORY_ENTRY (attendant_history_entry_get_type())

G_DECLARE_FINAL_TYPE (AttendantHistoryEntry, attendant_history_entry, ATTENDANT, HISTORY_ENTRY, GObject)

AttendantHistoryEntry *attendant_history_entry_new        (const char            *call_id,
                                                           AttendantHistoryKind   kind,
                                                           const char            *number,
                                                           const char            *name,
                                                           gint64                 time);
const char            *attendant_history_entry_get_call_id (AttendantHistoryEntry *self);
AttendantHistoryKind   attendant_history_entry_get_kind   (AttendantHistoryEntry *self);
const char            *attendant_history_entry_get_number (AttendantHistoryEntry *self);
const char            *attendant_history_entry_get_name   (AttendantHistoryEntry *self);
gint64                 attendant_history_entry_get_time   (AttendantHistoryEntry *self);
const char            *attendant_history_entry_get_target (AttendantHistoryEntry *self);
gint64                 attendant_history_entry_get_end_time (AttendantHistoryEntry *self);
void                   attendant_history_entry_set_transferred (AttendantHistoryEntry *self,
                                                                const char            *target,
                                                                gint64                 time);
void                   attendant_history_entry_set_end_time (AttendantHistoryEntry *self,
                                                             gint64                 time);

G_END_DECLS
