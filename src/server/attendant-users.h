/* attendant-users.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-scram.h"

G_BEGIN_DECLS

typedef struct
{
  char                      *name;
  char                      *display_name;
  char                      *extension;     /* nullable */
  AttendantScramCredentials *credentials;
} AttendantUser;

#define ATTENDANT_TYPE_USERS (attendant_users_get_type())

G_DECLARE_FINAL_TYPE (AttendantUsers, attendant_users, ATTENDANT, USERS, GObject)

AttendantUsers      *attendant_users_new_from_file (const char      *path,
                                                    GError         **error);
const char          *attendant_users_get_path      (AttendantUsers  *self);
const AttendantUser *attendant_users_lookup        (AttendantUsers  *self,
                                                    const char      *name);
AttendantScramCredentials *attendant_users_lookup_credentials (AttendantUsers *self,
                                                               const char     *name);
GPtrArray           *attendant_users_get_all       (AttendantUsers  *self);

gboolean             attendant_users_add_to_file   (const char      *path,
                                                    const char      *name,
                                                    const char      *display_name,
                                                    const char      *extension,
                                                    const char      *password,
                                                    guint            iterations,
                                                    GError         **error);
gboolean             attendant_user_name_is_valid  (const char      *name);

G_END_DECLS
