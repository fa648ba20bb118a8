/* attendant-telephony.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ATTENDANT_TELEPHONY_ERROR (attendant_telephony_error_quark ())

/* The command errors of docs/protocol.md §2.5, but not-authenticated,
 * which is the session's to say. */
typedef enum
{
  ATTENDANT_TELEPHONY_ERROR_NOT_FOUND,
  ATTENDANT_TELEPHONY_ERROR_INVALID_STATE,
  ATTENDANT_TELEPHONY_ERROR_BUSY,
  ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS,
  ATTENDANT_TELEPHONY_ERROR_UNKNOWN_COMMAND,
} AttendantTelephonyError;

GQuark      attendant_telephony_error_quark   (void);
const char *attendant_telephony_error_to_code (const GError *error);

#define ATTENDANT_TYPE_TELEPHONY (attendant_telephony_get_type ())

G_DECLARE_INTERFACE (AttendantTelephony, attendant_telephony, ATTENDANT, TELEPHONY, GObject)

/* Every command: @extension is the attendant's (never %NULL: the
 * interface answers a user without one itself); the task completes with
 * the reply's "result" object (json_object_ref'd) or an
 * ATTENDANT_TELEPHONY_ERROR. See attendant-telephony.c for the contract. */
#define ATTENDANT_TELEPHONY_COMMAND_ARGS \
  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data

struct _AttendantTelephonyInterface
{
  GTypeInterface parent_iface;

  /* State, read synchronously for the snapshot and the admin API. */
  guint64     (*get_seq)          (AttendantTelephony *self);
  GPtrArray  *(*build_snapshot)   (AttendantTelephony *self,
                                   const char         *user,
                                   const char         *extension);
  JsonArray  *(*list_calls)       (AttendantTelephony *self);

  /* The commands of docs/protocol.md §2.5. */
  void        (*answer)           (AttendantTelephony *self,
                                   const char         *extension,
                                   const char         *call,
                                   ATTENDANT_TELEPHONY_COMMAND_ARGS);
  void        (*hold)             (AttendantTelephony *self,
                                   const char         *extension,
                                   const char         *call,
                                   ATTENDANT_TELEPHONY_COMMAND_ARGS);
  void        (*resume)           (AttendantTelephony *self,
                                   const char         *extension,
                                   const char         *call,
                                   ATTENDANT_TELEPHONY_COMMAND_ARGS);
  void        (*hangup)           (AttendantTelephony *self,
                                   const char         *extension,
                                   const char         *call,
                                   ATTENDANT_TELEPHONY_COMMAND_ARGS);
  void        (*transfer)         (AttendantTelephony *self,
                                   const char         *extension,
                                   const char         *call,
                                   const char         *target,
                                   ATTENDANT_TELEPHONY_COMMAND_ARGS);
  void        (*consult)          (AttendantTelephony *self,
                                   const char         *extension,
                                   const char         *call,
                                   const char         *target,
                                   ATTENDANT_TELEPHONY_COMMAND_ARGS);
  void        (*complete)         (AttendantTelephony *self,
                                   const char         *extension,
                                   const char         *call,
                                   ATTENDANT_TELEPHONY_COMMAND_ARGS);
  void        (*cancel_consult)   (AttendantTelephony *self,
                                   const char         *extension,
                                   const char         *call,
                                   ATTENDANT_TELEPHONY_COMMAND_ARGS);
  void        (*dial)             (AttendantTelephony *self,
                                   const char         *extension,
                                   const char         *number,
                                   ATTENDANT_TELEPHONY_COMMAND_ARGS);
  void        (*set_presence)     (AttendantTelephony *self,
                                   const char         *extension,
                                   const char         *presence,
                                   ATTENDANT_TELEPHONY_COMMAND_ARGS);
  JsonObject *(*command_finish)   (AttendantTelephony *self,
                                   GAsyncResult       *result,
                                   GError            **error);

  /* Optional: why the telephone system cannot be reached now, or %NULL
   * when it can (the default). */
  const char *(*get_unreachable_reason) (AttendantTelephony *self);
};

guint64     attendant_telephony_get_seq          (AttendantTelephony  *self);
GPtrArray  *attendant_telephony_build_snapshot   (AttendantTelephony  *self,
                                                  const char          *user,
                                                  const char          *extension);
JsonArray  *attendant_telephony_list_calls       (AttendantTelephony  *self);
const char *attendant_telephony_get_unreachable_reason (AttendantTelephony *self);
void        attendant_telephony_command_async    (AttendantTelephony  *self,
                                                  const char          *extension,
                                                  const char          *command,
                                                  JsonNode            *args_node,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
JsonObject *attendant_telephony_command_finish   (AttendantTelephony  *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* For implementations. */
void        attendant_telephony_emit_event       (AttendantTelephony  *self,
                                                  JsonObject          *message);
void        attendant_telephony_set_missing_arg  (GError             **error,
                                                  const char          *name);
GPtrArray  *attendant_telephony_split_snapshot   (JsonObject          *snapshot,
                                                  JsonArray           *directory,
                                                  guint                max_contacts,
                                                  gsize                max_bytes);
void        attendant_telephony_emit_availability_changed (AttendantTelephony *self);
void        attendant_telephony_emit_reset       (AttendantTelephony  *self);

G_END_DECLS
