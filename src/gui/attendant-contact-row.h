/* attendant-contact-row.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-contact.h"
#include "attendant-slot.h"

G_BEGIN_DECLS

/* What a colleague's row offers: nothing (offline console, no number), to
 * call them, or to hand them the call in hand. */
typedef enum
{
  ATTENDANT_CONTACT_OFFER_NONE,
  ATTENDANT_CONTACT_OFFER_CALL,
  ATTENDANT_CONTACT_OFFER_TRANSFER,
} AttendantContactOffer;

#define ATTENDANT_TYPE_CONTACT_ROW (attendant_contact_row_get_type())

G_DECLARE_FINAL_TYPE (AttendantContactRow, attendant_contact_row, ATTENDANT, CONTACT_ROW, GtkWidget)

GtkWidget        *attendant_contact_row_new         (void);
AttendantSlot    *attendant_contact_row_get_slot    (AttendantContactRow   *self);
void              attendant_contact_row_set_slot    (AttendantContactRow   *self,
                                                     AttendantSlot         *slot);
AttendantContact *attendant_contact_row_get_contact (AttendantContactRow   *self);
void              attendant_contact_row_set_offer   (AttendantContactRow   *self,
                                                     AttendantContactOffer  offer);
void              attendant_contact_row_set_own_number (AttendantContactRow *self,
                                                        const char          *number);

const char       *attendant_presence_get_label      (AttendantPresence      presence);
const char       *attendant_presence_get_icon_name  (AttendantPresence      presence);
const char       *attendant_presence_get_css_class  (AttendantPresence      presence);

G_END_DECLS
