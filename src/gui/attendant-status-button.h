/* attendant-status-button.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-client.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_STATUS_BUTTON (attendant_status_button_get_type())

G_DECLARE_FINAL_TYPE (AttendantStatusButton, attendant_status_button, ATTENDANT, STATUS_BUTTON, AdwBin)

AttendantClient *attendant_status_button_get_client (AttendantStatusButton *self);
void             attendant_status_button_set_client (AttendantStatusButton *self,
                                                     AttendantClient       *client);
GtkWidget       *attendant_status_button_new        (void);
void             attendant_status_button_popup      (AttendantStatusButton *self);

G_END_DECLS
