/* attendant-pbx.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ATTENDANT_PBX_ERROR (attendant_pbx_error_quark ())

/* The command errors of docs/protocol.md §2.5. */
typedef enum
{
  ATTENDANT_PBX_ERROR_NOT_FOUND,
  ATTENDANT_PBX_ERROR_INVALID_STATE,
  ATTENDANT_PBX_ERROR_BUSY,
  ATTENDANT_PBX_ERROR_INVALID_ARGS,
  ATTENDANT_PBX_ERROR_UNKNOWN_COMMAND,
} AttendantPbxError;

GQuark      attendant_pbx_error_quark   (void);
const char *attendant_pbx_error_to_code (const GError *error);

/* A snapshot's directory goes in parts of at most this many contacts and
 * this many bytes (a bound on the encoding, well under the 1 MiB limit). */
#define ATTENDANT_PBX_SNAPSHOT_PART_CONTACTS 2000
#define ATTENDANT_PBX_SNAPSHOT_PART_BYTES    (512 * 1024)

#define ATTENDANT_TYPE_PBX (attendant_pbx_get_type())

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
guint64       attendant_pbx_get_seq          (AttendantPbx  *self);
GPtrArray    *attendant_pbx_build_snapshot   (AttendantPbx  *self,
                                              const char    *user,
                                              const char    *extension);
JsonObject   *attendant_pbx_execute          (AttendantPbx  *self,
                                              const char    *extension,
                                              const char    *command,
                                              JsonObject    *args,
                                              GError       **error);
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

gboolean      attendant_pbx_presence_is_valid (const char   *presence);

G_END_DECLS
