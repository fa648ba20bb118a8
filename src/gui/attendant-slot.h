/* attendant-slot.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_SLOT (attendant_slot_get_type())

G_DECLARE_FINAL_TYPE (AttendantSlot, attendant_slot, ATTENDANT, SLOT, GObject)

gpointer attendant_slot_get_item (AttendantSlot *self);

G_END_DECLS
