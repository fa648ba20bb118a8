/* attendant-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_APPLICATION (attendant_application_get_type())

G_DECLARE_FINAL_TYPE (AttendantApplication, attendant_application, ATTENDANT, APPLICATION, AdwApplication)

AttendantApplication *attendant_application_new (void);

G_END_DECLS
