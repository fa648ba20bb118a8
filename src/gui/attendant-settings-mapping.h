/* attendant-settings-mapping.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void attendant_settings_bind_enum_to_selected (GSettings  *settings,
                                               const char *key,
                                               gpointer    object,
                                               const char *property);

G_END_DECLS
