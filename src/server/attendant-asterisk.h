/* attendant-asterisk.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "attendant-ari.h"
#include "attendant-telephony.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_ASTERISK (attendant_asterisk_get_type())

G_DECLARE_FINAL_TYPE (AttendantAsterisk, attendant_asterisk, ATTENDANT, ASTERISK, GObject)

/* The telephone system of a real Asterisk, driven through @ari
 * (docs/asterisk.md). Properties: "endpoint-format" (how an extension
 * becomes the endpoint its phone is rung on, "PJSIP/{extension}"),
 * "ring-timeout" (seconds), "waiting-sound" ("moh" or "ringing": what a
 * queued caller hears), "moh-class" (Asterisk's music-on-hold class). */
AttendantAsterisk *attendant_asterisk_new            (AttendantAri      *ari);
AttendantAri      *attendant_asterisk_get_ari        (AttendantAsterisk *self);
void               attendant_asterisk_add_queue      (AttendantAsterisk *self,
                                                      const char        *id,
                                                      const char        *name);
void               attendant_asterisk_add_contact    (AttendantAsterisk *self,
                                                      const char        *number,
                                                      const char        *name,
                                                      const char        *department);
void               attendant_asterisk_add_attendant  (AttendantAsterisk *self,
                                                      const char        *extension,
                                                      const char        *display_name);
void               attendant_asterisk_start          (AttendantAsterisk *self);
void               attendant_asterisk_stop           (AttendantAsterisk *self);

G_END_DECLS
