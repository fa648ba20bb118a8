/* attendant-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-error"

#include "config.h"

#include <string.h>

#include "attendant-error.h"

G_DEFINE_QUARK (attendant-error-quark, attendant_error)

/**
 * attendant_error_dup_command_code:
 * @error: an error from a command
 *
 * The protocol's error code (docs/protocol.md §2.5: `busy`, `not-found`,
 * `invalid-args`, …) of a command the server refused, so that a caller
 * can say what went wrong in its own words. The session words such an
 * %ATTENDANT_ERROR_COMMAND_FAILED error "code: text".
 *
 * Returns: (transfer full) (nullable): the code, or %NULL when @error is
 *   not a refusal by the server
 */
char *
attendant_error_dup_command_code (const GError *error)
{
  const char *colon;

  g_return_val_if_fail (error != NULL, NULL);

  if (!g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_COMMAND_FAILED))
    return NULL;

  colon = strchr (error->message, ':');
  if (colon == NULL)
    return NULL;

  return g_strndup (error->message, colon - error->message);
}
