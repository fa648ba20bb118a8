/* attendant-certificate-dialog.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-attempt.h"
#include "attendant-client.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_CERTIFICATE_DIALOG (attendant_certificate_dialog_get_type())

G_DECLARE_FINAL_TYPE (AttendantCertificateDialog, attendant_certificate_dialog, ATTENDANT, CERTIFICATE_DIALOG, AdwMessageDialog)

AttendantCertificateDialog *attendant_certificate_dialog_new         (GtkWindow                  *parent,
                                                                      AttendantClient            *client,
                                                                      AttendantAttempt           *attempt);
AttendantAttempt           *attendant_certificate_dialog_get_attempt (AttendantCertificateDialog *self);

G_END_DECLS
