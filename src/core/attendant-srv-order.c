/* attendant-srv-order.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-srv-order"

#include "config.h"

#include "attendant-srv-order.h"

/* docs/architecture.md, "Priority order". Priorities are grouped by the chosen policy; within a group the
 * next record is drawn with probability weight / (sum of remaining weights).
 * RFC 2782's literal algorithm (and GLib's g_srv_target_list_sort) gives
 * the first record an extra share because the random number starts at 0;
 * drawing from [0, sum) and picking the first record whose running sum
 * exceeds it removes that bias. Weight-0 records follow the others of their
 * priority, shuffled. */

typedef struct
{
  AttendantPriorityOrder order;
} SortData;

static int
compare_priority (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  GSrvTarget *ta = *(GSrvTarget * const *)a;
  GSrvTarget *tb = *(GSrvTarget * const *)b;
  const SortData *data = user_data;
  int pa = g_srv_target_get_priority (ta);
  int pb = g_srv_target_get_priority (tb);

  if (data->order == ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST)
    return pb - pa;

  return pa - pb;
}

static void
shuffle (GPtrArray *array,
         guint      first,
         guint      last,
         GRand     *rand)
{
  /* Fisher–Yates over [first, last). */
  for (guint i = last; i > first + 1; i--)
    {
      guint j = first + (guint)g_rand_int_range (rand, 0, (gint32)(i - first));
      gpointer tmp = array->pdata[i - 1];

      array->pdata[i - 1] = array->pdata[j];
      array->pdata[j] = tmp;
    }
}

static void
order_group (GPtrArray *array,
             guint      first,
             guint      last,
             GRand     *rand)
{
  guint n_weighted = 0;
  guint64 sum = 0;

  /* Move weighted records to the front of the group, keeping them apart
   * from the weight-0 ones. */
  for (guint i = first; i < last; i++)
    {
      GSrvTarget *t = array->pdata[i];

      if (g_srv_target_get_weight (t) > 0)
        {
          gpointer tmp = array->pdata[first + n_weighted];

          array->pdata[first + n_weighted] = t;
          array->pdata[i] = tmp;
          sum += g_srv_target_get_weight (t);
          n_weighted++;
        }
    }

  g_assert (sum <= G_MAXINT32);

  for (guint pos = first; pos < first + n_weighted; pos++)
    {
      guint64 pick = (guint64)g_rand_int_range (rand, 0, (gint32)sum);
      guint64 running = 0;

      for (guint i = pos; i < first + n_weighted; i++)
        {
          GSrvTarget *t = array->pdata[i];

          running += g_srv_target_get_weight (t);
          if (running > pick)
            {
              array->pdata[i] = array->pdata[pos];
              array->pdata[pos] = t;
              sum -= g_srv_target_get_weight (t);
              break;
            }
        }
    }

  shuffle (array, first + n_weighted, last, rand);
}

/**
 * attendant_srv_order:
 * @records: (element-type GSrvTarget): usable SRV records
 * @order: which priorities come first
 * @rand: the source of randomness (started at a fixed value in tests)
 *
 * Returns: (transfer full) (element-type GSrvTarget): a new array of copies of
 *   @records in the order to try them.
 */
GPtrArray *
attendant_srv_order (GPtrArray              *records,
                     AttendantPriorityOrder  order,
                     GRand                  *rand)
{
  g_autoptr(GPtrArray) result = NULL;
  SortData data = { order };
  guint start = 0;

  g_return_val_if_fail (records != NULL, NULL);
  g_return_val_if_fail (rand != NULL, NULL);

  result = g_ptr_array_new_full (records->len, (GDestroyNotify)g_srv_target_free);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (result, g_srv_target_copy (records->pdata[i]));

  /* g_ptr_array_sort_with_data is a stable merge sort in GLib, so records of
   * equal priority keep their received order before the weighted draw. */
  g_ptr_array_sort_with_data (result, compare_priority, &data);

  while (start < result->len)
    {
      guint16 priority = g_srv_target_get_priority (result->pdata[start]);
      guint end = start + 1;

      while (end < result->len &&
             g_srv_target_get_priority (result->pdata[end]) == priority)
        end++;

      order_group (result, start, end, rand);
      start = end;
    }

  return g_steal_pointer (&result);
}
