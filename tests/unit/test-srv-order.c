/* test-srv-order.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "attendant-core.h"

/* Statistical checks draw from a GRand started at a fixed value, so they are
 * repeatable, and bounds of five standard deviations around the exact
 * expected count, so a correct implementation passes whatever that value
 * while a biased one (like RFC 2782's literal algorithm, which favours the
 * first record) fails. This follows GLib's gio/tests/srvtarget.c. */

#define N_RUNS 20000

static GPtrArray *
make_records (const guint16 *spec,
              guint          n)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify)g_srv_target_free);

  /* spec: triples of port, priority, weight; the port names the record. */
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (records, g_srv_target_new ("acme.test", spec[i * 3],
                                                spec[i * 3 + 1], spec[i * 3 + 2]));

  return records;
}

static char *
order_string (GPtrArray *ordered)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < ordered->len; i++)
    g_string_append_printf (s, "%s%u", i ? "," : "", g_srv_target_get_port (ordered->pdata[i]));

  return g_string_free (s, FALSE);
}

static void
assert_count_near (guint  observed,
                   double probability,
                   guint  runs)
{
  double expected = probability * runs;
  double sd = sqrt (runs * probability * (1.0 - probability));

  g_test_message ("observed %u, expected %.1f ± %.1f", observed, expected, 5 * sd);
  g_assert_cmpfloat (fabs (observed - expected), <=, 5 * sd + 1);
}

static void
test_guide_records (void)
{
  /* The single-DC records of Imagicle's SRV guide: primary 10/100 port
   * 28101, backup 8/80 port 28102. */
  static const guint16 guide[] = { 28101, 10, 100, 28102, 8, 80 };
  g_autoptr(GPtrArray) records = make_records (guide, 2);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GPtrArray) high = attendant_srv_order (records, ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST, rand);
      g_autoptr(GPtrArray) low = attendant_srv_order (records, ATTENDANT_PRIORITY_ORDER_RFC2782, rand);
      g_autofree char *high_s = order_string (high);
      g_autofree char *low_s = order_string (low);

      g_assert_cmpstr (high_s, ==, "28101,28102");
      g_assert_cmpstr (low_s, ==, "28102,28101");
    }

  /* The input is left alone. */
  g_assert_cmpuint (g_srv_target_get_port (records->pdata[0]), ==, 28101);
}

static void
test_priority_groups (void)
{
  static const guint16 spec[] = {
    1, 5, 10,   2, 20, 10,   3, 5, 10,   4, 0, 10,   5, 20, 10,   6, 65535, 1,
  };
  g_autoptr(GPtrArray) records = make_records (spec, 6);
  g_autoptr(GRand) rand = g_rand_new_with_seed (2);

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GPtrArray) high = attendant_srv_order (records, ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST, rand);
      g_autoptr(GPtrArray) low = attendant_srv_order (records, ATTENDANT_PRIORITY_ORDER_RFC2782, rand);

      g_assert_cmpuint (high->len, ==, 6);
      g_assert_cmpuint (low->len, ==, 6);

      for (guint j = 1; j < 6; j++)
        {
          g_assert_cmpuint (g_srv_target_get_priority (high->pdata[j - 1]), >=,
                            g_srv_target_get_priority (high->pdata[j]));
          g_assert_cmpuint (g_srv_target_get_priority (low->pdata[j - 1]), <=,
                            g_srv_target_get_priority (low->pdata[j]));
        }

      g_assert_cmpuint (g_srv_target_get_port (high->pdata[0]), ==, 6);
      g_assert_cmpuint (g_srv_target_get_port (low->pdata[0]), ==, 4);
      g_assert_cmpuint (g_srv_target_get_port (low->pdata[5]), ==, 6);
    }
}

static void
test_weighted_first_unbiased (void)
{
  /* Two records of equal weight: each must come first half of the time.
   * RFC 2782's literal rule (random in [0, sum], first running sum ≥ it)
   * would put the first record first two times in three. */
  static const guint16 spec[] = { 1, 0, 1, 2, 0, 1 };
  g_autoptr(GPtrArray) records = make_records (spec, 2);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  guint first = 0;

  for (guint i = 0; i < N_RUNS; i++)
    {
      g_autoptr(GPtrArray) ordered = attendant_srv_order (records, ATTENDANT_PRIORITY_ORDER_RFC2782, rand);

      if (g_srv_target_get_port (ordered->pdata[0]) == 1)
        first++;
    }

  assert_count_near (first, 0.5, N_RUNS);
}

static void
test_weighted_permutations (void)
{
  /* Weights 100, 80, 20 in one priority: the probability of a whole order
   * a,b,c is w_a/S × w_b/(S − w_a). */
  static const guint16 spec[] = { 1, 7, 100, 2, 7, 80, 3, 7, 20 };
  static const struct { const char *order; double p; } expected[] = {
    { "1,2,3", 100.0 / 200 * 80.0 / 100 },
    { "1,3,2", 100.0 / 200 * 20.0 / 100 },
    { "2,1,3", 80.0 / 200 * 100.0 / 120 },
    { "2,3,1", 80.0 / 200 * 20.0 / 120 },
    { "3,1,2", 20.0 / 200 * 100.0 / 180 },
    { "3,2,1", 20.0 / 200 * 80.0 / 180 },
  };
  g_autoptr(GPtrArray) records = make_records (spec, 3);
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint policy = 0; policy < 2; policy++)
    {
      g_hash_table_remove_all (counts);

      for (guint i = 0; i < N_RUNS; i++)
        {
          g_autoptr(GPtrArray) ordered = attendant_srv_order (records, policy, rand);
          char *key = order_string (ordered);
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));

          g_hash_table_insert (counts, key, GUINT_TO_POINTER (n + 1));
        }

      g_assert_cmpuint (g_hash_table_size (counts), ==, 6);
      for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
        assert_count_near (GPOINTER_TO_UINT (g_hash_table_lookup (counts, expected[i].order)),
                           expected[i].p, N_RUNS);
    }
}

static void
test_weight_zero (void)
{
  /* Weight-0 records come after the weighted ones of their priority, in
   * random order (both orders seen about equally). */
  static const guint16 spec[] = { 1, 3, 0, 2, 3, 10, 3, 3, 0, 4, 3, 5 };
  g_autoptr(GPtrArray) records = make_records (spec, 4);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  guint zero_first_is_1 = 0;
  guint two_first = 0;

  for (guint i = 0; i < N_RUNS; i++)
    {
      g_autoptr(GPtrArray) ordered = attendant_srv_order (records, ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST, rand);

      g_assert_cmpuint (g_srv_target_get_weight (ordered->pdata[0]), >, 0);
      g_assert_cmpuint (g_srv_target_get_weight (ordered->pdata[1]), >, 0);
      g_assert_cmpuint (g_srv_target_get_weight (ordered->pdata[2]), ==, 0);
      g_assert_cmpuint (g_srv_target_get_weight (ordered->pdata[3]), ==, 0);

      if (g_srv_target_get_port (ordered->pdata[2]) == 1)
        zero_first_is_1++;
      if (g_srv_target_get_port (ordered->pdata[0]) == 2)
        two_first++;
    }

  assert_count_near (zero_first_is_1, 0.5, N_RUNS);
  assert_count_near (two_first, 10.0 / 15.0, N_RUNS);
}

static void
test_only_weight_zero (void)
{
  static const guint16 spec[] = { 1, 3, 0, 2, 3, 0, 3, 3, 0 };
  g_autoptr(GPtrArray) records = make_records (spec, 3);
  g_autoptr(GRand) rand = g_rand_new_with_seed (6);
  guint first[4] = { 0 };

  for (guint i = 0; i < N_RUNS; i++)
    {
      g_autoptr(GPtrArray) ordered = attendant_srv_order (records, ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST, rand);

      g_assert_cmpuint (ordered->len, ==, 3);
      first[g_srv_target_get_port (ordered->pdata[0])]++;
    }

  for (guint port = 1; port <= 3; port++)
    assert_count_near (first[port], 1.0 / 3.0, N_RUNS);
}

static void
test_one_and_none (void)
{
  static const guint16 spec[] = { 9, 1, 1 };
  g_autoptr(GPtrArray) one = make_records (spec, 1);
  g_autoptr(GPtrArray) none = make_records (spec, 0);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GPtrArray) ordered_one = attendant_srv_order (one, ATTENDANT_PRIORITY_ORDER_RFC2782, rand);
  g_autoptr(GPtrArray) ordered_none = attendant_srv_order (none, ATTENDANT_PRIORITY_ORDER_RFC2782, rand);

  g_assert_cmpuint (ordered_one->len, ==, 1);
  g_assert_cmpuint (g_srv_target_get_port (ordered_one->pdata[0]), ==, 9);
  g_assert_cmpuint (ordered_none->len, ==, 0);
}

static void
test_many_records (void)
{
  /* 500 records over 5 priorities with the full range of weights: every
   * record is kept exactly once and groups stay contiguous. */
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify)g_srv_target_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  g_autoptr(GPtrArray) ordered = NULL;
  g_autofree gboolean *seen = g_new0 (gboolean, 500);

  for (guint i = 0; i < 500; i++)
    g_ptr_array_add (records, g_srv_target_new ("acme.test", (guint16)(i + 1),
                                                (guint16)(i % 5), (guint16)(i * 131 % 65536)));

  ordered = attendant_srv_order (records, ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST, rand);
  g_assert_cmpuint (ordered->len, ==, 500);

  for (guint i = 0; i < 500; i++)
    {
      guint16 port = g_srv_target_get_port (ordered->pdata[i]);

      g_assert_false (seen[port - 1]);
      seen[port - 1] = TRUE;
      if (i > 0)
        g_assert_cmpuint (g_srv_target_get_priority (ordered->pdata[i - 1]), >=,
                          g_srv_target_get_priority (ordered->pdata[i]));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/srv-order/guide-records", test_guide_records);
  g_test_add_func ("/srv-order/priority-groups", test_priority_groups);
  g_test_add_func ("/srv-order/weighted-first-unbiased", test_weighted_first_unbiased);
  g_test_add_func ("/srv-order/weighted-permutations", test_weighted_permutations);
  g_test_add_func ("/srv-order/weight-zero", test_weight_zero);
  g_test_add_func ("/srv-order/only-weight-zero", test_only_weight_zero);
  g_test_add_func ("/srv-order/one-and-none", test_one_and_none);
  g_test_add_func ("/srv-order/many-records", test_many_records);

  return g_test_run ();
}
