/* attendant-asterisk-directory.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "attendant-ari.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_ASTERISK_DIRECTORY (attendant_asterisk_directory_get_type())

G_DECLARE_FINAL_TYPE (AttendantAsteriskDirectory, attendant_asterisk_directory,
                      ATTENDANT, ASTERISK_DIRECTORY, GObject)

/* The most endpoints taken from Asterisk, and the longest name (in bytes,
 * cut at a character boundary) taken from a caller ID (docs/asterisk.md,
 * "Directory and presence"). */
#define ATTENDANT_ASTERISK_DIRECTORY_MAX_CONTACTS 20000
#define ATTENDANT_ASTERISK_DIRECTORY_MAX_NAME     128

/* The directory and presence of a real Asterisk's endpoints.
 *
 * How the backend uses it:
 *
 *   directory = attendant_asterisk_directory_new (ari, "PJSIP");
 *   for each entry of the server's directory file:
 *     attendant_asterisk_directory_add_contact (directory, number, name, department);
 *   g_signal_connect (directory, "contact-changed", …);  // → a protocol event
 *   g_signal_connect (directory, "reset", …);            // → a fresh snapshot
 *
 * - Give it a connection that every node keeps open, with subscribeAll
 *   (the default): the node's own application, not the shared one that
 *   another node may take over (after ApplicationReplaced nothing
 *   reconnects, and the directory would go stale).
 * - The directory follows @ari by itself: it reads everything again each
 *   time @ari emits "connected" (and at once if @ari is already
 *   connected), then emits "reset". There is nothing to start or stop;
 *   dropping the last reference stops it.
 * - A snapshot's "directory" is attendant_asterisk_directory_list_contacts():
 *   the protocol's contact objects {id, name, number, department,
 *   presence}, sorted by number, ready to send.
 * - "contact-changed" (detailed: "contact-changed::presence" when only the
 *   presence changed, "contact-changed::contact" when the name or
 *   department did) carries the whole contact: send it as a "presence"
 *   event ({id, presence}) for the first, as "directory.updated" for the
 *   second. It comes within milliseconds of Asterisk's event.
 * - "reset" comes after each complete read from Asterisk (the first one,
 *   and after every reconnection): contacts may have appeared or gone and
 *   any presence may have changed without a "contact-changed", so send
 *   every session a new snapshot. "ready" turns TRUE at the first.
 * - The "presence.set" command is attendant_asterisk_directory_set_presence_async()
 *   with the attendant's extension; it completes after Asterisk stored
 *   the presence, and after the resulting "contact-changed".
 * - attendant_asterisk_directory_get_presence() is what a transfer or dial
 *   checks against (busy, ringing, dnd, offline → the protocol's "busy"). */
AttendantAsteriskDirectory *attendant_asterisk_directory_new      (AttendantAri               *ari,
                                                                   const char                 *technology);
AttendantAri *attendant_asterisk_directory_get_ari                (AttendantAsteriskDirectory *self);
gboolean      attendant_asterisk_directory_get_ready              (AttendantAsteriskDirectory *self);
void          attendant_asterisk_directory_set_max_contacts       (AttendantAsteriskDirectory *self,
                                                                   guint                       max_contacts);
void          attendant_asterisk_directory_add_contact            (AttendantAsteriskDirectory *self,
                                                                   const char                 *number,
                                                                   const char                 *name,
                                                                   const char                 *department);
void          attendant_asterisk_directory_refresh                (AttendantAsteriskDirectory *self);
JsonArray    *attendant_asterisk_directory_list_contacts          (AttendantAsteriskDirectory *self);
JsonObject   *attendant_asterisk_directory_get_contact            (AttendantAsteriskDirectory *self,
                                                                   const char                 *number);
const char   *attendant_asterisk_directory_get_presence           (AttendantAsteriskDirectory *self,
                                                                   const char                 *number);

void          attendant_asterisk_directory_set_presence_async     (AttendantAsteriskDirectory *self,
                                                                   const char                 *number,
                                                                   const char                 *presence,
                                                                   GCancellable               *cancellable,
                                                                   GAsyncReadyCallback         callback,
                                                                   gpointer                    user_data);
gboolean      attendant_asterisk_directory_set_presence_finish    (AttendantAsteriskDirectory *self,
                                                                   GAsyncResult               *result,
                                                                   GError                    **error);

G_END_DECLS
