/* attendant-test-asterisk.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The real parts of the telephony tests: a private Asterisk and baresip
 * phones on loopback, run with the shared scripts (docs/asterisk.md,
 * "The test lab"). */

typedef struct _AttendantTestAsterisk AttendantTestAsterisk;
typedef struct _AttendantTestPhone AttendantTestPhone;

char                  *attendant_test_asterisk_find      (char                 **why);
AttendantTestAsterisk *attendant_test_asterisk_new       (void);
void                   attendant_test_asterisk_set_etc   (AttendantTestAsterisk  *lab,
                                                          const char             *etc);
const char            *attendant_test_asterisk_get_dir   (AttendantTestAsterisk  *lab);
void                   attendant_test_asterisk_start     (AttendantTestAsterisk  *lab);
void                   attendant_test_asterisk_kill      (AttendantTestAsterisk  *lab);
void                   attendant_test_asterisk_signal    (AttendantTestAsterisk  *lab,
                                                          int                     signum);
void                   attendant_test_asterisk_free      (AttendantTestAsterisk  *lab);
char                  *attendant_test_asterisk_get_url   (AttendantTestAsterisk  *lab);
guint16                attendant_test_asterisk_get_http_port (AttendantTestAsterisk *lab);
guint16                attendant_test_asterisk_get_sip_port  (AttendantTestAsterisk *lab);

AttendantTestPhone    *attendant_test_phone_start        (AttendantTestAsterisk  *lab,
                                                          const char             *extension,
                                                          const char             *password,
                                                          guint                   tone_hz);
void                   attendant_test_phone_dial         (AttendantTestPhone     *phone,
                                                          const char             *extension);
void                   attendant_test_phone_command      (AttendantTestPhone     *phone,
                                                          const char             *command,
                                                          const char             *params);
void                   attendant_test_phone_kill         (AttendantTestPhone     *phone);
void                   attendant_test_phone_free         (AttendantTestPhone     *phone);

guint16                attendant_test_free_port          (GSocketType             type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantTestAsterisk, attendant_test_asterisk_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantTestPhone, attendant_test_phone_free)

G_END_DECLS
