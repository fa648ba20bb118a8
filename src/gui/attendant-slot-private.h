/* attendant-slot-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "attendant-slot.h"

G_BEGIN_DECLS

AttendantSlot *attendant_slot_new      (gpointer       item);
void           attendant_slot_set_item (AttendantSlot *self,
                                        gpointer       item);

G_END_DECLS
