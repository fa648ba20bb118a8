/* attendant-test-sanitizer.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void attendant_test_sanitizer_setup (char **argv);

G_END_DECLS
