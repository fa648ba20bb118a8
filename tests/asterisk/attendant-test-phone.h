/* attendant-test-phone.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "attendant-test-asterisk.h"

G_BEGIN_DECLS

/* A real SIP phone for the telephony tests: Debian's baresip, started by
 * the shared run-phone.sh, registered to a lab's Asterisk, answering by
 * itself, sending a tone and recording every call; driven over its
 * ctrl_tcp port (docs/asterisk.md, "The test lab"). */

typedef struct _AttendantTestPhone AttendantTestPhone;

AttendantTestPhone *attendant_test_phone_start          (AttendantTestAsterisk *lab,
                                                         const char            *extension,
                                                         const char            *password,
                                                         guint                  tone_hz);
const char         *attendant_test_phone_get_extension  (AttendantTestPhone    *phone);
const char         *attendant_test_phone_get_dir        (AttendantTestPhone    *phone);
void                attendant_test_phone_trace_sip      (void);
char               *attendant_test_phone_get_log        (AttendantTestPhone    *phone);
char               *attendant_test_phone_command        (AttendantTestPhone    *phone,
                                                         const char            *command,
                                                         const char            *params);
void                attendant_test_phone_dial           (AttendantTestPhone    *phone,
                                                         const char            *extension);
void                attendant_test_phone_hangup         (AttendantTestPhone    *phone);
void                attendant_test_phone_accept         (AttendantTestPhone    *phone);
void                attendant_test_phone_set_auto_answer (AttendantTestPhone   *phone,
                                                         gboolean               auto_answer);
GPtrArray          *attendant_test_phone_get_recordings (AttendantTestPhone    *phone);
void                attendant_test_phone_kill           (AttendantTestPhone    *phone);
void                attendant_test_phone_free           (AttendantTestPhone    *phone);

/* What a recording holds, in blocks of 50 ms. */
typedef struct
{
  guint blocks;
  guint silent;
  guint tone;    /* the given tone dominates */
  guint moh;     /* the music on hold's 440 or 554 Hz dominates */
} AttendantTestToneCount;

gboolean            attendant_test_wav_count_tones      (const char             *path,
                                                         guint                   tone_hz,
                                                         AttendantTestToneCount *count,
                                                         GError                **error);
double              attendant_test_goertzel             (const gint16           *samples,
                                                         gsize                   n,
                                                         guint                   rate,
                                                         double                  hz);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantTestPhone, attendant_test_phone_free)

G_END_DECLS
