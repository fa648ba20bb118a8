/* bench-probe.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the benchmark's GUI probes (first-frame, console-load) share.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gint64 bench_probe_rss_kb (void);

G_END_DECLS
