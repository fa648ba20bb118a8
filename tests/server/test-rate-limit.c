/* test-rate-limit.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-rate-limit"

#include "config.h"

#include "attendant-rate-limit.h"

/* AttendantRateLimit through its API (docs/server.md, "Rate limiting"): attempts
 * counted when they begin, however many begin at once; a right proof takes
 * its own off; the queue; the sweep of addresses that never come back. The
 * real server process under the same rules: tests/hostile/hostile_auth.py. */

typedef struct
{
  guint admitted;
  guint refused;
} Outcome;

static void
ready_cb (gboolean admitted,
          gpointer user_data)
{
  Outcome *outcome = user_data;

  if (admitted)
    outcome->admitted++;
  else
    outcome->refused++;
}

/* 500 attempts begun before any ends: 5 admitted, the rest wait; five
 * wrong proofs then refuse every waiter. */
static void
test_parallel_guesses (void)
{
  g_autoptr(AttendantRateLimit) limit = attendant_rate_limit_new (5, 60);
  Outcome waiters[500] = { { 0 } };
  guint admitted = 0, queued = 0;

  for (guint i = 0; i < G_N_ELEMENTS (waiters); i++)
    switch (attendant_rate_limit_begin (limit, "192.0.2.1", ready_cb, &waiters[i]))
      {
      case ATTENDANT_RATE_LIMIT_ADMITTED: admitted++; break;
      case ATTENDANT_RATE_LIMIT_QUEUED: queued++; break;
      case ATTENDANT_RATE_LIMIT_REFUSED: default: g_assert_not_reached ();
      }
  g_assert_cmpuint (admitted, ==, 5);
  g_assert_cmpuint (queued, ==, 495);

  for (guint i = 0; i < 5; i++)
    attendant_rate_limit_end (limit, "192.0.2.1", FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (waiters); i++)
    {
      g_assert_cmpuint (waiters[i].admitted, ==, 0);
      g_assert_cmpuint (waiters[i].refused, ==, i < 5 ? 0 : 1);
    }
  g_assert_cmpint (attendant_rate_limit_begin (limit, "192.0.2.1", ready_cb, NULL), ==,
                   ATTENDANT_RATE_LIMIT_REFUSED);

  /* Another address is not touched. */
  g_assert_cmpint (attendant_rate_limit_begin (limit, "192.0.2.2", ready_cb, NULL), ==,
                   ATTENDANT_RATE_LIMIT_ADMITTED);
}

/* 1,000 right logins at once from one address (a failover storm behind one
 * NAT address): all of them get in, five at a time, and none counts. */
static void
test_parallel_logins (void)
{
  g_autoptr(AttendantRateLimit) limit = attendant_rate_limit_new (5, 60);
  Outcome outcome = { 0 };
  guint open = 0;

  for (guint i = 0; i < 1000; i++)
    if (attendant_rate_limit_begin (limit, "192.0.2.1", ready_cb, &outcome) == ATTENDANT_RATE_LIMIT_ADMITTED)
      open++;
  g_assert_cmpuint (open, ==, 5);

  /* Each success admits one waiter, which later succeeds too. */
  for (guint ended = 0; ended < 1000; ended++)
    attendant_rate_limit_end (limit, "192.0.2.1", TRUE);
  g_assert_cmpuint (outcome.admitted, ==, 995);
  g_assert_cmpuint (outcome.refused, ==, 0);

  g_assert_cmpint (attendant_rate_limit_begin (limit, "192.0.2.1", ready_cb, NULL), ==,
                   ATTENDANT_RATE_LIMIT_ADMITTED);
}

/* A waiter that goes away is never called; failures mixed with successes:
 * only the failures stay. */
static void
test_cancel_and_mix (void)
{
  g_autoptr(AttendantRateLimit) limit = attendant_rate_limit_new (2, 60);
  Outcome gone = { 0 };
  Outcome stays = { 0 };

  g_assert_cmpint (attendant_rate_limit_begin (limit, "a", ready_cb, NULL), ==, ATTENDANT_RATE_LIMIT_ADMITTED);
  g_assert_cmpint (attendant_rate_limit_begin (limit, "a", ready_cb, NULL), ==, ATTENDANT_RATE_LIMIT_ADMITTED);
  g_assert_cmpint (attendant_rate_limit_begin (limit, "a", ready_cb, &gone), ==, ATTENDANT_RATE_LIMIT_QUEUED);
  g_assert_cmpint (attendant_rate_limit_begin (limit, "a", ready_cb, &stays), ==, ATTENDANT_RATE_LIMIT_QUEUED);
  attendant_rate_limit_cancel (limit, "a", &gone);

  attendant_rate_limit_end (limit, "a", FALSE);   /* one failure: no room yet */
  g_assert_cmpuint (stays.admitted + stays.refused, ==, 0);
  attendant_rate_limit_end (limit, "a", TRUE);    /* room for one */
  g_assert_cmpuint (stays.admitted, ==, 1);
  g_assert_cmpuint (gone.admitted + gone.refused, ==, 0);

  attendant_rate_limit_end (limit, "a", FALSE);   /* two failures: full */
  g_assert_cmpint (attendant_rate_limit_begin (limit, "a", ready_cb, NULL), ==, ATTENDANT_RATE_LIMIT_REFUSED);
}

/* The sweep: 100,000 addresses that fail once and never come back. Once
 * their window (1 ms here) has passed, the table does not keep them: it
 * holds about the addresses of one window, not every address ever seen. */
static void
test_sweep (void)
{
  g_autoptr(AttendantRateLimit) limit = attendant_rate_limit_new (5, 0.001);
  guint most = 0;

  for (guint i = 0; i < 100000; i++)
    {
      g_autofree char *address = g_strdup_printf ("127.%u.%u.%u", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);

      g_assert_cmpint (attendant_rate_limit_begin (limit, address, ready_cb, NULL), ==,
                       ATTENDANT_RATE_LIMIT_ADMITTED);
      attendant_rate_limit_end (limit, address, FALSE);
      most = MAX (most, attendant_rate_limit_get_n_addresses (limit));
    }

  g_test_message ("100000 addresses: at most %u in the table at once", most);
  /* Bounded by the addresses of one window (at most a few thousand a
   * millisecond here) twice over, not by the 100,000 that came. */
  g_assert_cmpuint (most, <, 20000);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rate-limit/parallel-guesses", test_parallel_guesses);
  g_test_add_func ("/rate-limit/parallel-logins", test_parallel_logins);
  g_test_add_func ("/rate-limit/cancel-and-mix", test_cancel_and_mix);
  g_test_add_func ("/rate-limit/sweep", test_sweep);

  return g_test_run ();
}
