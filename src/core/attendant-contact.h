/* attendant-contact.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "attendant-enums.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_CONTACT (attendant_contact_get_type())

G_DECLARE_FINAL_TYPE (AttendantContact, attendant_contact, ATTENDANT, CONTACT, GObject)

AttendantContact   *attendant_contact_new            (const char        *id);
gboolean            attendant_contact_apply_json     (AttendantContact  *self,
                                                      JsonObject        *json);
const char         *attendant_contact_get_id         (AttendantContact  *self);
const char         *attendant_contact_get_name       (AttendantContact  *self);
const char         *attendant_contact_get_number     (AttendantContact  *self);
const char         *attendant_contact_get_department (AttendantContact  *self);
AttendantPresence   attendant_contact_get_presence   (AttendantContact  *self);
void                attendant_contact_set_presence   (AttendantContact  *self,
                                                      AttendantPresence  presence);
const char         *attendant_contact_get_sort_key   (AttendantContact  *self);
gboolean            attendant_contact_matches        (AttendantContact  *self,
                                                      const char *const *terms);

/* Search-as-you-type: @text split into words, each folded (case, accents,
 * compatibility forms) the way contacts are; %NULL when @text has no word,
 * which matches everything. */
char              **attendant_search_terms_new       (const char        *text);
char               *attendant_search_fold            (const char        *text);
gboolean            attendant_search_terms_narrow    (const char *const *narrow,
                                                      const char *const *wide);

G_END_DECLS
