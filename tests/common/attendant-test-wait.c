/* attendant-test-wait.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-wait"

#include "config.h"

#include "attendant-test-wait.h"

/* Tests wait on events, never on a clock: the main loop runs until what
 * they await holds, and the deadline only decides when to give up. */

static gboolean
expire_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * attendant_test_wait_until_full:
 * @what: what is awaited, for the failure message
 * @on_timeout: (nullable): called before failing, to dump what the test saw
 *
 * Runs the default main context until @predicate holds; fails the test
 * after @timeout_ms.
 */
void
attendant_test_wait_until_full (AttendantTestPredicate  predicate,
                                gpointer                data,
                                guint                   timeout_ms,
                                const char             *what,
                                GFunc                   on_timeout,
                                gpointer                on_timeout_data)
{
  gboolean expired = FALSE;
  guint source = g_timeout_add (timeout_ms, expire_cb, &expired);

  while (!predicate (data))
    {
      if (expired)
        {
          if (on_timeout != NULL)
            on_timeout (on_timeout_data, NULL);
          g_error ("no %s within %u ms", what, timeout_ms);
        }
      g_main_context_iteration (NULL, TRUE);
    }

  if (!expired)
    g_source_remove (source);
}

void
attendant_test_wait_until (AttendantTestPredicate  predicate,
                           gpointer                data,
                           guint                   timeout_ms,
                           const char             *what)
{
  attendant_test_wait_until_full (predicate, data, timeout_ms, what, NULL, NULL);
}

/* Keeps the main loop running for @ms: the window in which a test shows
 * that something does not happen. */
void
attendant_test_run_for (guint ms)
{
  gboolean expired = FALSE;

  g_timeout_add (ms, expire_cb, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}
