/* attendant-test-asterisk.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* The real parts of the telephony tests: a private Asterisk and baresip
 * phones on loopback, run with the shared scripts (docs/asterisk.md,
 * "The test lab"). */

typedef struct _AttendantTestAsterisk AttendantTestAsterisk;

char                  *attendant_test_asterisk_find      (char                 **why);
void                   attendant_test_asterisk_missing   (gconstpointer          data);
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
guint16                attendant_test_asterisk_enable_tls (AttendantTestAsterisk  *lab,
                                                          const char             *certificate,
                                                          const char             *key);
void                   attendant_test_asterisk_lab_missing (gconstpointer         why);

const char            *attendant_test_asterisk_get_scripts   (AttendantTestAsterisk *lab);

guint16                attendant_test_free_port          (GSocketType             type);
gboolean               attendant_test_port_is_free       (GSocketType             type,
                                                          guint16                 port);
guint16                attendant_test_free_udp_range     (guint                   low,
                                                          guint                   high,
                                                          guint                   count);

/* For the phones (attendant-test-phone.c): a starting script run to its
 * "ready PID" line, its process tracked, stopped and reaped. */
pid_t                  attendant_test_lab_run_script     (const char * const     *argv,
                                                          const char             *etc,
                                                          const char             *what);
void                   attendant_test_lab_stop_pid       (pid_t                   pid,
                                                          int                     first_signal);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantTestAsterisk, attendant_test_asterisk_free)

G_END_DECLS
