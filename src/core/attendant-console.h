/* attendant-console.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-call.h"
#include "attendant-client.h"
#include "attendant-contact.h"
#include "attendant-directory.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_CONSOLE (attendant_console_get_type())

G_DECLARE_FINAL_TYPE (AttendantConsole, attendant_console, ATTENDANT, CONSOLE, GObject)

AttendantConsole   *attendant_console_new              (AttendantClient   *client);
AttendantClient    *attendant_console_get_client       (AttendantConsole  *self);
gboolean            attendant_console_get_online       (AttendantConsole  *self);
const char         *attendant_console_get_user         (AttendantConsole  *self);
const char         *attendant_console_get_extension    (AttendantConsole  *self);
const char         *attendant_console_get_phone_system_reason (AttendantConsole *self);
GListModel         *attendant_console_get_queue        (AttendantConsole  *self);
GListModel         *attendant_console_get_calls        (AttendantConsole  *self);
AttendantDirectory *attendant_console_get_directory    (AttendantConsole  *self);
AttendantCall      *attendant_console_lookup_call      (AttendantConsole  *self,
                                                        const char        *id);
const char         *attendant_console_get_queue_name   (AttendantConsole  *self,
                                                        const char        *id);
char               *attendant_console_dup_caller_name  (AttendantConsole  *self,
                                                        AttendantCall     *call);
void                attendant_console_run_async        (AttendantConsole  *self,
                                                        AttendantCommand   command,
                                                        AttendantCall     *call,
                                                        const char        *target,
                                                        GCancellable      *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer           user_data);
JsonObject         *attendant_console_run_finish       (AttendantConsole  *self,
                                                        GAsyncResult      *result,
                                                        GError           **error);
const char         *attendant_command_get_label        (AttendantCommand   command);
char               *attendant_command_describe_error   (AttendantCommand   command,
                                                        const char        *target,
                                                        const GError      *error);

G_END_DECLS
