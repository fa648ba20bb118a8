/* attendant-test-http.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonObject *attendant_test_http (const char *base_url,
                                 const char *token,
                                 const char *method,
                                 const char *path,
                                 const char *body,
                                 guint      *status);

G_END_DECLS
