/* attendant-pbx.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "attendant-telephony.h"

G_BEGIN_DECLS

/* A snapshot's directory goes in parts of at most this many contacts and
 * this many bytes (a bound on the encoding, well under the 1 MiB limit). */
#define ATTENDANT_PBX_SNAPSHOT_PART_CONTACTS 2000
#define ATTENDANT_PBX_SNAPSHOT_PART_BYTES    (512 * 1024)

#define ATTENDANT_TYPE_PBX (attendant_pbx_get_type())

/* The simulated telephone system, an AttendantTelephony. What is here
 * besides the interface is its own: the set-up from the configuration and
 * the seams through which the admin API, the demo and the tests play the
 * world outside (callers, colleagues' presence). */
G_DECLARE_FINAL_TYPE (AttendantPbx, attendant_pbx, ATTENDANT, PBX, GObject)

AttendantPbx *attendant_pbx_new              (void);
void          attendant_pbx_add_queue        (AttendantPbx  *self,
                                              const char    *id,
                                              const char    *name);
void          attendant_pbx_add_contact      (AttendantPbx  *self,
                                              const char    *number,
                                              const char    *name,
                                              const char    *department,
                                              const char    *presence);
void          attendant_pbx_add_attendant    (AttendantPbx  *self,
                                              const char    *extension,
                                              const char    *name);
gboolean      attendant_pbx_has_contact      (AttendantPbx  *self,
                                              const char    *number);
GStrv         attendant_pbx_list_numbers     (AttendantPbx  *self,
                                              gboolean       attendants);
JsonObject   *attendant_pbx_inject_call      (AttendantPbx  *self,
                                              const char    *number,
                                              const char    *name,
                                              const char    *queue,
                                              const char    *extension,
                                              double         patience,
                                              GError       **error);
gboolean      attendant_pbx_set_presence     (AttendantPbx  *self,
                                              const char    *number,
                                              const char    *presence,
                                              GError       **error);
gboolean      attendant_pbx_caller_hangup    (AttendantPbx  *self,
                                              const char    *id,
                                              GError       **error);
JsonArray    *attendant_pbx_list_calls       (AttendantPbx  *self);
JsonArray    *attendant_pbx_list_directory   (AttendantPbx  *self);
guint         attendant_pbx_get_n_calls      (AttendantPbx  *self);

void          attendant_pbx_set_unreachable  (AttendantPbx  *self,
                                              const char    *reason);
gboolean      attendant_pbx_presence_is_valid (const char   *presence);

G_END_DECLS
