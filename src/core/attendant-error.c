/* attendant-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-error.h"

G_DEFINE_QUARK (attendant-error-quark, attendant_error)
