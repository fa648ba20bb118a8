/* attendant-slot-model.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "attendant-slot.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_SLOT_MODEL (attendant_slot_model_get_type())

G_DECLARE_FINAL_TYPE (AttendantSlotModel, attendant_slot_model, ATTENDANT, SLOT_MODEL, GObject)

AttendantSlotModel *attendant_slot_model_new       (GListModel         *model);
GListModel         *attendant_slot_model_get_model (AttendantSlotModel *self);
void                attendant_slot_model_set_model (AttendantSlotModel *self,
                                                    GListModel         *model);
guint               attendant_slot_model_get_pending (AttendantSlotModel *self);
gpointer            attendant_slot_model_get_item_at (AttendantSlotModel *self,
                                                      guint               position);
void                attendant_slot_model_set_view    (AttendantSlotModel *self,
                                                      GtkWidget          *view);

G_END_DECLS
