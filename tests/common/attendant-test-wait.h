/* attendant-test-wait.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef gboolean (*AttendantTestPredicate) (gpointer data);

void attendant_test_wait_until_full (AttendantTestPredicate  predicate,
                                     gpointer                data,
                                     guint                   timeout_ms,
                                     const char             *what,
                                     GFunc                   on_timeout,
                                     gpointer                on_timeout_data);
void attendant_test_wait_until      (AttendantTestPredicate  predicate,
                                     gpointer                data,
                                     guint                   timeout_ms,
                                     const char             *what);
void attendant_test_run_for         (guint                   ms);

G_END_DECLS
