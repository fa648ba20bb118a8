/* attendant-reconnect-banner.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-client.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_RECONNECT_BANNER (attendant_reconnect_banner_get_type())

G_DECLARE_FINAL_TYPE (AttendantReconnectBanner, attendant_reconnect_banner, ATTENDANT, RECONNECT_BANNER, AdwBin)

GtkWidget       *attendant_reconnect_banner_new          (void);
AttendantClient *attendant_reconnect_banner_get_client   (AttendantReconnectBanner *self);
void             attendant_reconnect_banner_set_client   (AttendantReconnectBanner *self,
                                                          AttendantClient          *client);
gboolean         attendant_reconnect_banner_get_revealed (AttendantReconnectBanner *self);
const char      *attendant_reconnect_banner_get_title    (AttendantReconnectBanner *self);

G_END_DECLS
