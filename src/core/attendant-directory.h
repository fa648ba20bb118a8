/* attendant-directory.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "attendant-contact.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_DIRECTORY (attendant_directory_get_type())

G_DECLARE_FINAL_TYPE (AttendantDirectory, attendant_directory, ATTENDANT, DIRECTORY, GObject)

AttendantDirectory *attendant_directory_new           (void);
void                attendant_directory_replace       (AttendantDirectory *self,
                                                       JsonArray          *contacts);
void                attendant_directory_update        (AttendantDirectory *self,
                                                       JsonObject         *contact);
gboolean            attendant_directory_set_presence  (AttendantDirectory *self,
                                                       const char         *id,
                                                       AttendantPresence   presence);
AttendantContact   *attendant_directory_lookup_id     (AttendantDirectory *self,
                                                       const char         *id);
AttendantContact   *attendant_directory_lookup_number (AttendantDirectory *self,
                                                       const char         *number);
void                attendant_directory_clear         (AttendantDirectory *self);

G_END_DECLS
