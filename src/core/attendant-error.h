/* attendant-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ATTENDANT_ERROR (attendant_error_quark ())

typedef enum
{
  ATTENDANT_ERROR_INVALID_INPUT,
  ATTENDANT_ERROR_SERVICE_UNAVAILABLE,
  ATTENDANT_ERROR_NO_ENDPOINTS,
  ATTENDANT_ERROR_ALL_FAILED,
  ATTENDANT_ERROR_TIMED_OUT,
  ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED,
  ATTENDANT_ERROR_TLS_VERSION,
  ATTENDANT_ERROR_PROTOCOL,
  ATTENDANT_ERROR_AUTH_FAILED,
  ATTENDANT_ERROR_NOT_CONNECTED,
  ATTENDANT_ERROR_RESULT_UNKNOWN,
  ATTENDANT_ERROR_COMMAND_FAILED,
} AttendantError;

GQuark  attendant_error_quark            (void);
char   *attendant_error_dup_command_code (const GError *error);

G_END_DECLS
