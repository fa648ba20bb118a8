/* attendant-test-memory.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gsize    attendant_test_memory_rss_kib  (void);
gsize    attendant_test_memory_peak_kib (void);
gboolean attendant_test_memory_reset_peak (void);

G_END_DECLS
