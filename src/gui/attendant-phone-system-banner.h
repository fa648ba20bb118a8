/* attendant-phone-system-banner.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-console.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_PHONE_SYSTEM_BANNER (attendant_phone_system_banner_get_type())

G_DECLARE_FINAL_TYPE (AttendantPhoneSystemBanner, attendant_phone_system_banner, ATTENDANT, PHONE_SYSTEM_BANNER, AdwBin)

GtkWidget        *attendant_phone_system_banner_new          (void);
AttendantConsole *attendant_phone_system_banner_get_console  (AttendantPhoneSystemBanner *self);
void              attendant_phone_system_banner_set_console  (AttendantPhoneSystemBanner *self,
                                                              AttendantConsole           *console);
gboolean          attendant_phone_system_banner_get_revealed (AttendantPhoneSystemBanner *self);
const char       *attendant_phone_system_banner_get_reason   (AttendantPhoneSystemBanner *self);

G_END_DECLS
