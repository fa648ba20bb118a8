/* attendant-cli-json.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "attendant-core.h"

G_BEGIN_DECLS

void attendant_cli_json_add_nullable_string (JsonBuilder      *builder,
                                             const char       *member,
                                             const char       *value);
void attendant_cli_json_add_attempt         (JsonBuilder      *builder,
                                             AttendantAttempt *attempt,
                                             gboolean          members_only);
char *attendant_cli_json_to_string         (JsonNode         *root,
                                             gboolean          pretty);
void attendant_cli_json_add_plan            (JsonBuilder      *builder,
                                             AttendantPlan    *plan);

G_END_DECLS
