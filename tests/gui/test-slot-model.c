/* test-slot-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AttendantSlotModel: positions that keep their identity while the model
 * underneath changes, and growth and shrinking in steps. */

#include "config.h"

#include "attendant-slot-model.h"

typedef struct
{
  GArray *changes;  /* (position, removed, added) triples */
} Recorder;

static void
record_change (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               Recorder   *recorder)
{
  guint change[] = { position, removed, added };

  g_array_append_vals (recorder->changes, change, 3);
}

static void
assert_change (Recorder *recorder,
               guint     index,
               guint     position,
               guint     removed,
               guint     added)
{
  g_assert_cmpuint (recorder->changes->len, >=, 3 * (index + 1));
  g_assert_cmpuint (g_array_index (recorder->changes, guint, 3 * index), ==, position);
  g_assert_cmpuint (g_array_index (recorder->changes, guint, 3 * index + 1), ==, removed);
  g_assert_cmpuint (g_array_index (recorder->changes, guint, 3 * index + 2), ==, added);
}

static GListStore *
store_new (guint n_items)
{
  GListStore *store = g_list_store_new (G_TYPE_OBJECT);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(GObject) item = g_object_new (G_TYPE_OBJECT, NULL);

      g_list_store_append (store, item);
    }

  return store;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* The filter's matches change under the rows: the rows' slots stay and
 * take the new items; only the change in length is a change of the list. */
static void
test_slot_model_identity (void)
{
  g_autoptr(GListStore) store = store_new (3);
  g_autoptr(AttendantSlotModel) slots = attendant_slot_model_new (G_LIST_MODEL (store));
  g_autoptr(AttendantSlot) first = NULL;
  g_autoptr(AttendantSlot) again = NULL;
  g_autoptr(GObject) d = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GObject) e = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GObject) a = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_autoptr(GObject) at = NULL;
  GObject *replacement[] = { d, e };
  Recorder recorder = { g_array_new (FALSE, FALSE, sizeof (guint)) };
  guint notified = 0;

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (slots)) == ATTENDANT_TYPE_SLOT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 3);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (slots), 3));

  first = g_list_model_get_item (G_LIST_MODEL (slots), 0);
  g_assert_true (attendant_slot_get_item (first) == a);
  g_signal_connect (first, "notify::item", G_CALLBACK (count_notify), &notified);
  g_signal_connect (slots, "items-changed", G_CALLBACK (record_change), &recorder);

  g_list_store_splice (store, 0, 3, (gpointer *)replacement, 2);

  g_assert_cmpuint (recorder.changes->len, ==, 3);
  assert_change (&recorder, 0, 2, 1, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 2);
  again = g_list_model_get_item (G_LIST_MODEL (slots), 0);
  g_assert_true (again == first);
  g_assert_true (attendant_slot_get_item (first) == d);
  g_assert_cmpuint (notified, ==, 1);
  at = attendant_slot_model_get_item_at (slots, 1);
  g_assert_true (at == e);
  g_assert_null (attendant_slot_model_get_item_at (slots, 2));

  /* The same item in its place: no notification. */
  g_list_store_remove (store, 1);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 1);

  attendant_slot_model_set_model (slots, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 0);
  g_assert_null (attendant_slot_model_get_model (slots));

  g_array_unref (recorder.changes);
  g_signal_handlers_disconnect_by_data (slots, &recorder);
  g_clear_object (&again);
  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&slots));
}

static void
iterate_until_shown (AttendantSlotModel *slots,
                     guint              *turns)
{
  *turns = 0;
  while (attendant_slot_model_get_pending (slots) > 0)
    {
      g_assert_cmpuint (*turns, <, 100);
      g_main_context_iteration (NULL, TRUE);
      (*turns)++;
    }
}

/* Growing, the first positions (each a row to build) come a step per
 * main-loop turn; the rest at once. */
static void
test_slot_model_growth (void)
{
  g_autoptr(GListStore) store = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(GListStore) many = store_new (1000);
  g_autoptr(AttendantSlotModel) slots = attendant_slot_model_new (G_LIST_MODEL (store));
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  Recorder recorder = { g_array_new (FALSE, FALSE, sizeof (guint)) };
  guint pending_notified = 0;
  guint turns;

  for (guint i = 0; i < 1000; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (many), i));

  g_signal_connect (slots, "items-changed", G_CALLBACK (record_change), &recorder);
  g_signal_connect (slots, "notify::pending", G_CALLBACK (count_notify), &pending_notified);

  g_list_store_splice (store, 0, 0, items->pdata, 1000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 16);
  g_assert_cmpuint (attendant_slot_model_get_pending (slots), ==, 984);

  iterate_until_shown (slots, &turns);
  g_assert_cmpuint (turns, >=, 16);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 1000);
  g_assert_cmpuint (recorder.changes->len, ==, 3 * 17);
  for (guint i = 0; i < 16; i++)
    assert_change (&recorder, i, 16 * i, 0, 16);
  assert_change (&recorder, 16, 256, 0, 744);
  g_assert_cmpuint (pending_notified, ==, 17);

  /* Shrinking while it grows: the growth stops where the model ends (and
   * the positions past it go in steps, test_slot_model_shrink()). */
  g_list_store_remove_all (store);
  while (g_list_model_get_n_items (G_LIST_MODEL (slots)) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_array_set_size (recorder.changes, 0);
  g_list_store_splice (store, 0, 0, items->pdata, 1000);
  g_assert_cmpuint (attendant_slot_model_get_pending (slots), >, 0);
  g_list_store_splice (store, 10, 990, NULL, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 10);
  g_assert_cmpuint (attendant_slot_model_get_pending (slots), ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 10);

  /* A small growth comes at once. */
  g_list_store_append (store, g_ptr_array_index (items, 999));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 11);
  g_assert_cmpuint (attendant_slot_model_get_pending (slots), ==, 0);

  g_signal_handlers_disconnect_by_data (slots, &recorder);
  g_signal_handlers_disconnect_by_data (slots, &pending_notified);
  g_array_unref (recorder.changes);
  g_assert_finalize_object (g_steal_pointer (&slots));
}

/* Gone while it grows: its growth goes with it. */
static void
test_slot_model_dispose_growing (void)
{
  g_autoptr(GListStore) many = store_new (1000);
  AttendantSlotModel *slots = attendant_slot_model_new (NULL);

  attendant_slot_model_set_model (slots, G_LIST_MODEL (many));
  g_assert_true (attendant_slot_model_get_model (slots) == G_LIST_MODEL (many));
  g_assert_cmpuint (attendant_slot_model_get_pending (slots), >, 0);
  g_assert_finalize_object (slots);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A change under many slots (the rows GTK keeps past the screen): the
 * first ones take their new items at once, the others a step per
 * main-loop turn; a slot asked for meanwhile is up to date. */
static void
test_slot_model_refresh_in_steps (void)
{
  g_autoptr(GListStore) store = store_new (200);
  g_autoptr(GListStore) other = store_new (200);
  g_autoptr(AttendantSlotModel) slots = attendant_slot_model_new (G_LIST_MODEL (store));
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(AttendantSlot) asked = NULL;
  guint up_to_date = 0;
  guint turns = 0;

  while (attendant_slot_model_get_pending (slots) > 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 200; i++)
    {
      g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (slots), i));
      g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (other), i));
    }

  g_list_store_splice (store, 0, 200, items->pdata, 200);

  for (guint i = 0; i < 200; i++)
    if (attendant_slot_get_item (held->pdata[i]) == items->pdata[i])
      up_to_date++;
  g_assert_cmpuint (up_to_date, ==, 16);
  g_assert_true (attendant_slot_get_item (held->pdata[15]) == items->pdata[15]);
  g_assert_true (attendant_slot_get_item (held->pdata[16]) != items->pdata[16]);

  /* Asked for, a stale slot is brought up to date first. */
  asked = g_list_model_get_item (G_LIST_MODEL (slots), 150);
  g_assert_true (asked == held->pdata[150]);
  g_assert_true (attendant_slot_get_item (asked) == items->pdata[150]);

  while (attendant_slot_get_item (held->pdata[199]) != items->pdata[199])
    {
      g_assert_cmpuint (turns, <, 100);
      g_main_context_iteration (NULL, TRUE);
      turns++;
    }
  g_assert_cmpuint (turns, >=, 2);
  for (guint i = 0; i < 200; i++)
    g_assert_true (attendant_slot_get_item (held->pdata[i]) == items->pdata[i]);

  /* Gone while stale slots wait: their refresh goes with it. */
  g_list_store_splice (store, 0, 200, NULL, 0);
  g_list_store_splice (store, 0, 0, items->pdata, 200);
  g_clear_object (&asked);
  g_ptr_array_set_size (held, 0);
  g_assert_finalize_object (g_steal_pointer (&slots));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A long list narrowed to a short one near the top: the positions gone
 * are emptied at once and removed a step per turn from the end (each is a
 * row GTK would destroy); widened again meanwhile, the emptied slots take
 * items again, the same objects, rows kept. */
static void
test_slot_model_shrink (void)
{
  g_autoptr(GListStore) store = store_new (200);
  g_autoptr(AttendantSlotModel) slots = attendant_slot_model_new (G_LIST_MODEL (store));
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  Recorder recorder = { g_array_new (FALSE, FALSE, sizeof (guint)) };
  guint turns = 0;

  while (attendant_slot_model_get_pending (slots) > 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 200; i++)
    {
      g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (slots), i));
      g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (store), i));
    }
  g_signal_connect (slots, "items-changed", G_CALLBACK (record_change), &recorder);

  g_list_store_splice (store, 5, 195, NULL, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 184);
  assert_change (&recorder, 0, 184, 16, 0);
  g_assert_cmpuint (attendant_slot_model_get_pending (slots), ==, 0);
  for (guint i = 0; i < 184; i++)
    g_assert_true (attendant_slot_get_item (held->pdata[i]) == (i < 5 ? items->pdata[i] : NULL));
  g_assert_null (attendant_slot_model_get_item_at (slots, 5));

  while (g_list_model_get_n_items (G_LIST_MODEL (slots)) > 5)
    {
      g_assert_cmpuint (turns, <, 100);
      g_main_context_iteration (NULL, TRUE);
      turns++;
    }
  g_assert_cmpuint (recorder.changes->len, ==, 3 * 13);
  for (guint i = 1; i < 13; i++)
    assert_change (&recorder, i, MAX (5, 184 - 16 * (int)i), MIN (16, 184 - 16 * (int)(i - 1) - 5), 0);

  /* Narrowed, then widened before the steps are done. */
  g_list_store_splice (store, 0, 5, items->pdata, 200);
  while (attendant_slot_model_get_pending (slots) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_ptr_array_set_size (held, 0);
  for (guint i = 0; i < 200; i++)
    g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (slots), i));
  g_list_store_splice (store, 5, 195, NULL, 0);
  g_list_store_splice (store, 5, 0, items->pdata + 5, 195);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 200);
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(AttendantSlot) slot = g_list_model_get_item (G_LIST_MODEL (slots), i);

      /* The last positions went at once: past them, new slots. */
      if (i < 184)
        g_assert_true (slot == held->pdata[i]);
      g_assert_true (attendant_slot_get_item (slot) == items->pdata[i]);
    }

  g_signal_handlers_disconnect_by_data (slots, &recorder);
  g_array_unref (recorder.changes);
  g_ptr_array_set_size (held, 0);
  g_assert_finalize_object (g_steal_pointer (&slots));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/slot-model/identity", test_slot_model_identity);
  g_test_add_func ("/slot-model/growth", test_slot_model_growth);
  g_test_add_func ("/slot-model/dispose-growing", test_slot_model_dispose_growing);
  g_test_add_func ("/slot-model/refresh-in-steps", test_slot_model_refresh_in_steps);
  g_test_add_func ("/slot-model/shrink", test_slot_model_shrink);

  return g_test_run ();
}
