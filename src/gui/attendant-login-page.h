/* attendant-login-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-client.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_LOGIN_PAGE (attendant_login_page_get_type())

G_DECLARE_FINAL_TYPE (AttendantLoginPage, attendant_login_page, ATTENDANT, LOGIN_PAGE, AdwBin)

AttendantClient *attendant_login_page_get_client   (AttendantLoginPage *self);
void             attendant_login_page_set_client   (AttendantLoginPage *self,
                                                    AttendantClient    *client);
void             attendant_login_page_log_in       (AttendantLoginPage *self);
void             attendant_login_page_set_password (AttendantLoginPage *self,
                                                    const char         *password);
void             attendant_login_page_prefill      (AttendantLoginPage *self,
                                                    const char         *server,
                                                    const char         *user);
void             attendant_login_page_show_error   (AttendantLoginPage *self,
                                                    const char         *message);
void             attendant_login_page_reset        (AttendantLoginPage *self);

G_END_DECLS
