/* attendant-attempt.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-endpoint.h"
#include "attendant-enums.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_ATTEMPT (attendant_attempt_get_type())

G_DECLARE_FINAL_TYPE (AttendantAttempt, attendant_attempt, ATTENDANT, ATTEMPT, GObject)

AttendantAttempt        *attendant_attempt_new                    (AttendantEndpoint       *endpoint,
                                                                   const char              *address,
                                                                   AttendantAttemptOutcome  outcome,
                                                                   const GError            *error,
                                                                   double                   elapsed_ms);
AttendantEndpoint       *attendant_attempt_get_endpoint           (AttendantAttempt        *self);
const char              *attendant_attempt_get_address            (AttendantAttempt        *self);
AttendantAttemptOutcome  attendant_attempt_get_outcome            (AttendantAttempt        *self);
const GError            *attendant_attempt_get_error              (AttendantAttempt        *self);
double                   attendant_attempt_get_elapsed_ms         (AttendantAttempt        *self);
GTlsCertificate         *attendant_attempt_get_certificate        (AttendantAttempt        *self);
GTlsCertificateFlags     attendant_attempt_get_certificate_errors (AttendantAttempt        *self);
const char              *attendant_attempt_get_identity           (AttendantAttempt        *self);
void                     attendant_attempt_set_certificate        (AttendantAttempt        *self,
                                                                   GTlsCertificate         *certificate,
                                                                   GTlsCertificateFlags     errors,
                                                                   const char              *identity);

G_END_DECLS
