/* attendant-password-store.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_PASSWORD_STORE (attendant_password_store_get_type())

G_DECLARE_FINAL_TYPE (AttendantPasswordStore, attendant_password_store, ATTENDANT, PASSWORD_STORE, GObject)

AttendantPasswordStore *attendant_password_store_new             (void);
AttendantPasswordStore *attendant_password_store_new_in_memory   (void);
AttendantPasswordStore *attendant_password_store_get_default     (void);
void                    attendant_password_store_set_default     (AttendantPasswordStore  *store);
void                    attendant_password_store_save_async      (AttendantPasswordStore  *self,
                                                                  const char              *server,
                                                                  const char              *user,
                                                                  const char              *password,
                                                                  GCancellable            *cancellable,
                                                                  GAsyncReadyCallback      callback,
                                                                  gpointer                 user_data);
gboolean                attendant_password_store_save_finish     (AttendantPasswordStore  *self,
                                                                  GAsyncResult            *result,
                                                                  GError                 **error);
void                    attendant_password_store_lookup_async    (AttendantPasswordStore  *self,
                                                                  const char              *server,
                                                                  const char              *user,
                                                                  GCancellable            *cancellable,
                                                                  GAsyncReadyCallback      callback,
                                                                  gpointer                 user_data);
char                   *attendant_password_store_lookup_finish   (AttendantPasswordStore  *self,
                                                                  GAsyncResult            *result,
                                                                  GError                 **error);
void                    attendant_password_store_clear_async     (AttendantPasswordStore  *self,
                                                                  const char              *server,
                                                                  const char              *user,
                                                                  GCancellable            *cancellable,
                                                                  GAsyncReadyCallback      callback,
                                                                  gpointer                 user_data);
gboolean                attendant_password_store_clear_finish    (AttendantPasswordStore  *self,
                                                                  GAsyncResult            *result,
                                                                  GError                 **error);
char                   *attendant_password_store_peek            (AttendantPasswordStore  *self,
                                                                  const char              *server,
                                                                  const char              *user);

G_END_DECLS
