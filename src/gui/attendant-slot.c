/* attendant-slot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-slot"

#include "config.h"

#include "attendant-slot-private.h"

/**
 * AttendantSlot:
 *
 * One position of an #AttendantSlotModel: the same object for as long as
 * the position exists, holding whichever item is there now ("item",
 * notified when another one takes the place).
 */
struct _AttendantSlot
{
  GObject   parent_instance;

  GObject  *item;
};

G_DEFINE_FINAL_TYPE (AttendantSlot, attendant_slot, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

AttendantSlot *
attendant_slot_new (gpointer item)
{
  AttendantSlot *self = g_object_new (ATTENDANT_TYPE_SLOT, NULL);

  self->item = item != NULL ? g_object_ref (item) : NULL;
  return self;
}

/**
 * attendant_slot_get_item:
 *
 * Returns: (transfer none) (type GObject) (nullable): the item now in this
 *   position
 */
gpointer
attendant_slot_get_item (AttendantSlot *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SLOT (self), NULL);

  return self->item;
}

void
attendant_slot_set_item (AttendantSlot *self,
                         gpointer       item)
{
  g_assert (ATTENDANT_IS_SLOT (self));

  if (g_set_object (&self->item, item))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

static void
attendant_slot_dispose (GObject *object)
{
  AttendantSlot *self = (AttendantSlot *)object;

  g_clear_object (&self->item);

  G_OBJECT_CLASS (attendant_slot_parent_class)->dispose (object);
}

static void
attendant_slot_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  AttendantSlot *self = ATTENDANT_SLOT (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_slot_class_init (AttendantSlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_slot_dispose;
  object_class->get_property = attendant_slot_get_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL,
                         G_TYPE_OBJECT,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_slot_init (AttendantSlot *self)
{
}
