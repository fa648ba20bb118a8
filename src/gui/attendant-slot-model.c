/* attendant-slot-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-slot-model"

#include "config.h"

#include <gtk/gtk.h>

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
 * build. So the first positions come as many as the view can show at
 * once, then GROWTH_STEP per step ("pending" says how many are yet to
 * come); past GROWTH_STEPPED, where GTK builds no rows, all at once.
 * Shrinking is its mirror: each position
 * that goes near the top is a row GTK destroys, so the slots of positions
 * gone are emptied at once (their rows hide) and the positions removed
 * SHRINK_STEP per step, from the end.
 *
 * Relabelling is the third: GTK 4.8 keeps up to 200 rows past the screen,
 * and a search that hands every one of them a new contact makes the list
 * measure 200 rows' labels again in one frame. So a change updates at
 * once the slots of the rows the view can show from where it starts (a
 * search scrolls to the top) and the rest REFRESH_STEP per step. Until
 * then those slots are "stale": anyone who asks the model for one (a
 * selection's selected item) gets it brought up to date first, so only a
 * row off screen can show its old contact, for a few frames.
 *
 * The steps run one per frame of the view (attendant_slot_model_set_view(),
 * a tick callback): an idle would not wait for the frame, since GTK 4.8
 * paints a frame's time after the last one and the idle runs every turn
 * in between, so every step would land in the same frame's layout
 * (bench/console-load: 18–31 ms frames with idle steps of 16–24).
 *
 * The price: a selection over it follows positions, not items, and the
 * list keeps its scroll position; the directory view scrolls to the top
 * and chooses the first match itself on every search.
 */

#define GROWTH_STEP    16
#define GROWTH_STEPPED 256
#define SHRINK_STEP    16
#define REFRESH_STEP   16
/* No directory row is shorter: the view shows at most its height over
 * this many rows. */
#define MIN_ROW_HEIGHT 32

struct _AttendantSlotModel
{
  GObject     parent_instance;

  GListModel *model;
  /* One entry per position shown; a slot only once someone asked for it. */
  GPtrArray  *slots;
  /* positions the model has that are not shown yet */
  guint       pending;
  /* slots in [stale_from, stale_to) may still hold an item of before the
   * last change */
  guint       stale_from;
  guint       stale_to;
  /* The widget whose frames pace the steps (a tick callback: one step per
   * frame); without one, or while it is not mapped, an idle. */
  GtkWidget  *view;
  guint       tick_id;
  guint       idle_source;
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

static guint
model_n_items (AttendantSlotModel *self)
{
  return self->model != NULL ? g_list_model_get_n_items (self->model) : 0;
}

/* How many rows the view can show: a change refreshes that many slots at
 * once (a search scrolls it to the top), and growth shows that many
 * positions at once, the rest a step per frame. */
static guint
rows_on_screen (AttendantSlotModel *self)
{
  int height = self->view != NULL ? gtk_widget_get_height (self->view) : 0;

  return MAX (REFRESH_STEP, (guint)(height / MIN_ROW_HEIGHT) + 1);
}

/* Takes the positions shown one step towards the model's @n_items. */
static void
resize (AttendantSlotModel *self,
        guint               n_items)
{
  guint old = self->slots->len;
  guint shown = n_items;

  /* Many new positions near the top: what fills the screen at once, then
   * a step per frame. */
  if (n_items > old && old < GROWTH_STEPPED && n_items - old > GROWTH_STEP)
    shown = MIN (n_items, old < rows_on_screen (self) ? rows_on_screen (self) : old + GROWTH_STEP);
  /* Many positions gone near the top: their slots empty now (the rows
   * hide), and the positions go a step per frame from the end, as each
   * one that goes is a row widget GTK destroys. Past GROWTH_STEPPED,
   * where GTK has no rows, all at once. */
  else if (n_items < old && n_items < GROWTH_STEPPED &&
           MIN (old, GROWTH_STEPPED) - n_items > SHRINK_STEP)
    {
      guint i;

      shown = MIN (old, GROWTH_STEPPED) - SHRINK_STEP;
      for (i = n_items; i < shown; i++)
        {
          AttendantSlot *slot = g_ptr_array_index (self->slots, i);

          if (slot != NULL)
            attendant_slot_set_item (slot, NULL);
        }
    }

  set_pending (self, n_items > shown ? n_items - shown : 0);

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
has_steps (AttendantSlotModel *self)
{
  return self->stale_from < MIN (self->stale_to, self->slots->len) ||
         self->slots->len != model_n_items (self);
}

/* One step of what is left: a refresh and a resize. Returns whether more
 * steps are left. */
static gboolean
step (AttendantSlotModel *self)
{
  guint stale_to = MIN (self->stale_to, self->slots->len);

  if (self->stale_from < stale_to)
    self->stale_from = refresh_slots (self, self->stale_from, stale_to, REFRESH_STEP);
  if (self->stale_from >= MIN (self->stale_to, self->slots->len))
    self->stale_from = self->stale_to = 0;

  resize (self, model_n_items (self));

  return has_steps (self);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  AttendantSlotModel *self = user_data;

  /* In the frame's update phase: the step's rows are laid out and painted
   * in this same frame, and the next step waits for the next frame. */
  if (step (self))
    return G_SOURCE_CONTINUE;

  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
idle_cb (gpointer user_data)
{
  AttendantSlotModel *self = user_data;

  if (step (self))
    return G_SOURCE_CONTINUE;

  self->idle_source = 0;
  return G_SOURCE_REMOVE;
}

/* The steps left run one per frame of the view; with no view on screen,
 * in an idle (nothing is painted then). */
static void
schedule (AttendantSlotModel *self)
{
  if (!has_steps (self))
    {
      g_clear_handle_id (&self->idle_source, g_source_remove);
      if (self->tick_id != 0 && self->view != NULL)
        gtk_widget_remove_tick_callback (self->view, self->tick_id);
      self->tick_id = 0;
      return;
    }

  /* A view gone took its tick callback with it. */
  if (self->view == NULL)
    self->tick_id = 0;
  if (self->tick_id != 0 || self->idle_source != 0)
    return;

  if (self->view != NULL && gtk_widget_get_mapped (self->view))
    self->tick_id = gtk_widget_add_tick_callback (self->view, tick_cb, self, NULL);
  else
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_static_name (source, "[attendant] slot model steps");
      g_source_set_callback (source, idle_cb, self, NULL);
      self->idle_source = g_source_attach (source, NULL);
    }
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
   * a step per frame. */
  done = refresh_slots (self, position, common, rows_on_screen (self));
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
    }

  resize (self, n_items);
  schedule (self);
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
    {
      resize (self, 0);
      schedule (self);
    }
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

/**
 * attendant_slot_model_set_view:
 * @view: (nullable): the widget that shows the model
 *
 * Paces the steps (growth, shrinking, the later refreshes) by @view's
 * frames, one step per frame while it is mapped: GTK 4.8 schedules a
 * frame a frame's time after the last one, and an idle would run every
 * step before it, in one frame's layout.
 */
void
attendant_slot_model_set_view (AttendantSlotModel *self,
                               GtkWidget          *view)
{
  g_return_if_fail (ATTENDANT_IS_SLOT_MODEL (self));
  g_return_if_fail (view == NULL || GTK_IS_WIDGET (view));

  if (self->view == view)
    return;

  if (self->tick_id != 0 && self->view != NULL)
    gtk_widget_remove_tick_callback (self->view, self->tick_id);
  self->tick_id = 0;
  g_set_weak_pointer (&self->view, view);
  schedule (self);
}

static void
attendant_slot_model_dispose (GObject *object)
{
  AttendantSlotModel *self = (AttendantSlotModel *)object;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed, self);
  g_clear_object (&self->model);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (self->tick_id != 0 && self->view != NULL)
    gtk_widget_remove_tick_callback (self->view, self->tick_id);
  self->tick_id = 0;
  g_clear_weak_pointer (&self->view);
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
