/* attendant-slot-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-slot-model"

#include "config.h"

#include "attendant-slot-model.h"
#include "attendant-slot-private.h"

/**
 * AttendantSlotModel:
 *
 * A list model that shows another one through positions that keep their
 * identity: its items are #AttendantSlot objects, one per position, and
 * when the model underneath changes, the slots already handed out take
 * their position's new item ("item" notifies) instead of being removed
 * and replaced. Only a change in length is an "items-changed", at the end.
 *
 * Why: GTK 4.8's list views recycle no row widgets. A search that changes
 * the rows on screen made the directory's list destroy every visible row
 * and build, style and lay out new ones, most of a keystroke's cost with
 * 10,000 contacts (bench/console-load). With slots the rows stay and only
 * their labels change.
 *
 * Growing is the other cost: each new position near the top is a row to
 * build. So the first positions come at most GROWTH_STEP per main-loop
 * turn, with a frame painted in between ("pending" says how many are yet
 * to come); past GROWTH_STEPPED, where GTK builds no rows, all at once.
 *
 * Relabelling is the third: GTK 4.8 keeps up to 200 rows past the screen,
 * and a search that hands every one of them a new contact makes the list
 * measure 200 rows' labels again in the keystroke's frame (most of its
 * cost under callgrind, bench/console-load). So a change updates the
 * first REFRESH_STEP slots from where it starts at once — the rows the
 * search, which scrolls to the top, puts on screen — and the rest
 * REFRESH_STEP per main-loop turn after the frame. Until then those slots
 * are "stale": anyone who asks the model for one (a selection's selected
 * item) gets it brought up to date first, so only a row off screen can
 * show its old contact, for a few frames.
 *
 * The price: a selection over it follows positions, not items, and the
 * list keeps its scroll position; the directory view scrolls to the top
 * and chooses the first match itself on every search.
 */

#define GROWTH_STEP    32
#define GROWTH_STEPPED 256
#define REFRESH_STEP   64

struct _AttendantSlotModel
{
  GObject     parent_instance;

  GListModel *model;
  /* One entry per position shown; a slot only once someone asked for it. */
  GPtrArray  *slots;
  /* positions the model has that are not shown yet */
  guint       pending;
  guint       grow_source;
  /* slots in [stale_from, stale_to) may still hold an item of before the
   * last change; refresh_source brings them up to date */
  guint       stale_from;
  guint       stale_to;
  guint       refresh_source;
};

static void attendant_slot_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AttendantSlotModel, attendant_slot_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      attendant_slot_model_list_model_init))

enum {
  PROP_0,
  PROP_MODEL,
  PROP_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* {{{ GListModel */

static GType
attendant_slot_model_get_item_type (GListModel *list)
{
  return ATTENDANT_TYPE_SLOT;
}

static guint
attendant_slot_model_get_n_items (GListModel *list)
{
  AttendantSlotModel *self = ATTENDANT_SLOT_MODEL (list);

  return self->slots->len;
}

static gpointer
attendant_slot_model_get_item (GListModel *list,
                               guint       position)
{
  AttendantSlotModel *self = ATTENDANT_SLOT_MODEL (list);
  AttendantSlot *slot;

  if (position >= self->slots->len)
    return NULL;

  slot = g_ptr_array_index (self->slots, position);
  if (slot != NULL && position >= self->stale_from && position < self->stale_to)
    {
      g_autoptr(GObject) item = g_list_model_get_item (self->model, position);

      attendant_slot_set_item (slot, item);
    }
  else if (slot == NULL)
    {
      g_autoptr(GObject) item = g_list_model_get_item (self->model, position);

      slot = attendant_slot_new (item);
      g_ptr_array_index (self->slots, position) = slot;
    }

  return g_object_ref (slot);
}

static void
attendant_slot_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = attendant_slot_model_get_item_type;
  iface->get_n_items = attendant_slot_model_get_n_items;
  iface->get_item = attendant_slot_model_get_item;
}

/* }}} */

/* Positions no one asked for hold no slot. */
static void
slot_unref (gpointer slot)
{
  if (slot != NULL)
    g_object_unref (slot);
}

static void
set_pending (AttendantSlotModel *self,
             guint               pending)
{
  if (self->pending != pending)
    {
      self->pending = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }
}

static gboolean grow_cb (gpointer user_data);

/* Shows the model's first @n_items positions, in steps when growing. */
static void
resize (AttendantSlotModel *self,
        guint               n_items)
{
  guint old = self->slots->len;
  guint shown = n_items;

  /* Many new positions near the top: a step now, the rest after the frame
   * (GTK paints at a higher priority than this idle). */
  if (n_items > old && old < GROWTH_STEPPED && n_items - old > GROWTH_STEP)
    shown = old + GROWTH_STEP;

  set_pending (self, n_items - shown);
  if (shown == n_items)
    g_clear_handle_id (&self->grow_source, g_source_remove);
  else if (self->grow_source == 0)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_static_name (source, "[attendant] slot model growth");
      g_source_set_callback (source, grow_cb, self, NULL);
      self->grow_source = g_source_attach (source, NULL);
    }

  if (shown < old)
    {
      g_ptr_array_remove_range (self->slots, shown, old - shown);
      g_list_model_items_changed (G_LIST_MODEL (self), shown, old - shown, 0);
    }
  else if (shown > old)
    {
      g_ptr_array_set_size (self->slots, shown);
      g_list_model_items_changed (G_LIST_MODEL (self), old, 0, shown - old);
    }
}

static gboolean
grow_cb (gpointer user_data)
{
  AttendantSlotModel *self = user_data;

  self->grow_source = 0;
  resize (self, self->model != NULL ? g_list_model_get_n_items (self->model) : 0);

  return G_SOURCE_REMOVE;
}

/* Gives the slots from @from on their position's item, up to @budget of
 * them (positions without a slot cost nothing); returns where it stopped. */
static guint
refresh_slots (AttendantSlotModel *self,
               guint               from,
               guint               to,
               guint               budget)
{
  guint i;

  for (i = from; i < to && budget > 0; i++)
    {
      AttendantSlot *slot = g_ptr_array_index (self->slots, i);

      if (slot != NULL)
        {
          g_autoptr(GObject) item = g_list_model_get_item (self->model, i);

          attendant_slot_set_item (slot, item);
          budget--;
        }
    }

  return i;
}

static gboolean
refresh_cb (gpointer user_data)
{
  AttendantSlotModel *self = user_data;

  self->stale_from = refresh_slots (self, self->stale_from, MIN (self->stale_to, self->slots->len),
                                    REFRESH_STEP);
  if (self->stale_from < MIN (self->stale_to, self->slots->len))
    return G_SOURCE_CONTINUE;

  self->stale_from = self->stale_to = 0;
  self->refresh_source = 0;
  return G_SOURCE_REMOVE;
}

static void
on_items_changed (AttendantSlotModel *self,
                  guint               position,
                  guint               removed,
                  guint               added,
                  GListModel         *model)
{
  guint n_items = g_list_model_get_n_items (model);
  guint common = MIN (n_items, self->slots->len);
  guint done;

  /* Every position from @position on may hold another item now (they
   * shift when @removed and @added differ): the first ones now, the rest
   * after the frame. */
  done = refresh_slots (self, position, common, REFRESH_STEP);
  if (done < common)
    {
      if (self->stale_from < self->stale_to)
        {
          self->stale_from = MIN (self->stale_from, done);
          self->stale_to = MAX (self->stale_to, common);
        }
      else
        {
          self->stale_from = done;
          self->stale_to = common;
        }

      if (self->refresh_source == 0)
        {
          /* After GTK's layout and paint (G_PRIORITY_HIGH_IDLE + 20). */
          g_autoptr(GSource) source = g_idle_source_new ();

          g_source_set_static_name (source, "[attendant] slot model refresh");
          g_source_set_callback (source, refresh_cb, self, NULL);
          self->refresh_source = g_source_attach (source, NULL);
        }
    }

  resize (self, n_items);
}

/**
 * attendant_slot_model_new:
 * @model: (transfer none) (nullable): the model to show
 */
AttendantSlotModel *
attendant_slot_model_new (GListModel *model)
{
  g_return_val_if_fail (model == NULL || G_IS_LIST_MODEL (model), NULL);

  return g_object_new (ATTENDANT_TYPE_SLOT_MODEL, "model", model, NULL);
}

/**
 * attendant_slot_model_get_model:
 *
 * Returns: (transfer none) (nullable): the model shown
 */
GListModel *
attendant_slot_model_get_model (AttendantSlotModel *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SLOT_MODEL (self), NULL);

  return self->model;
}

void
attendant_slot_model_set_model (AttendantSlotModel *self,
                                GListModel         *model)
{
  g_return_if_fail (ATTENDANT_IS_SLOT_MODEL (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);
  g_set_object (&self->model, model);
  if (model != NULL)
    g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed), self,
                             G_CONNECT_SWAPPED);

  /* A new model is a change in every position. */
  if (model != NULL)
    on_items_changed (self, 0, 0, 0, model);
  else
    resize (self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

/**
 * attendant_slot_model_get_pending:
 *
 * Returns: how many of the model's items are not shown yet (the model
 *   grew, and the slots follow in steps)
 */
guint
attendant_slot_model_get_pending (AttendantSlotModel *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SLOT_MODEL (self), 0);

  return self->pending;
}

/**
 * attendant_slot_model_get_item_at:
 *
 * Returns: (transfer full) (type GObject) (nullable): the item now at
 *   @position, without making a slot for it
 */
gpointer
attendant_slot_model_get_item_at (AttendantSlotModel *self,
                                  guint               position)
{
  g_return_val_if_fail (ATTENDANT_IS_SLOT_MODEL (self), NULL);

  if (self->model == NULL || position >= self->slots->len)
    return NULL;

  return g_list_model_get_item (self->model, position);
}

static void
attendant_slot_model_dispose (GObject *object)
{
  AttendantSlotModel *self = (AttendantSlotModel *)object;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);
  g_clear_object (&self->model);
  g_clear_handle_id (&self->grow_source, g_source_remove);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_ptr_array_set_size (self->slots, 0);

  G_OBJECT_CLASS (attendant_slot_model_parent_class)->dispose (object);
}

static void
attendant_slot_model_finalize (GObject *object)
{
  AttendantSlotModel *self = (AttendantSlotModel *)object;

  g_ptr_array_unref (self->slots);

  G_OBJECT_CLASS (attendant_slot_model_parent_class)->finalize (object);
}

static void
attendant_slot_model_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  AttendantSlotModel *self = ATTENDANT_SLOT_MODEL (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_slot_model_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  AttendantSlotModel *self = ATTENDANT_SLOT_MODEL (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      attendant_slot_model_set_model (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_slot_model_class_init (AttendantSlotModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_slot_model_dispose;
  object_class->finalize = attendant_slot_model_finalize;
  object_class->get_property = attendant_slot_model_get_property;
  object_class->set_property = attendant_slot_model_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_slot_model_init (AttendantSlotModel *self)
{
  self->slots = g_ptr_array_new_with_free_func (slot_unref);
}
