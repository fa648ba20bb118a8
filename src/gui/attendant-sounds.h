/* attendant-sounds.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "attendant-console.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_SOUNDS (attendant_sounds_get_type())

G_DECLARE_FINAL_TYPE (AttendantSounds, attendant_sounds, ATTENDANT, SOUNDS, GObject)

/* The event ids of the freedesktop sound theme the console plays. */
#define ATTENDANT_SOUND_RING       "phone-incoming-call"
#define ATTENDANT_SOUND_WAIT_ALERT "dialog-warning"

AttendantSounds *attendant_sounds_new         (void);
void             attendant_sounds_set_console (AttendantSounds  *self,
                                               AttendantConsole *console);
gboolean         attendant_sounds_play        (AttendantSounds  *self,
                                               const char       *event_id);

G_END_DECLS
