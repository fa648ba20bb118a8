/* attendant-ari.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_ARI (attendant_ari_get_type())

G_DECLARE_FINAL_TYPE (AttendantAri, attendant_ari, ATTENDANT, ARI, GObject)

/* A command that Asterisk answered with an HTTP error: the error's code is
 * the HTTP status (404, 409, …), its message names the request and carries
 * ARI's own "message". */
#define ATTENDANT_ARI_STATUS_ERROR (attendant_ari_status_error_quark ())
GQuark attendant_ari_status_error_quark (void);

/* The largest HTTP response body read from Asterisk (a list of a thousand
 * channels is about 1 MiB); an event, over all its WebSocket frames, is
 * bounded like a protocol message, at 1 MiB (docs/asterisk.md, "Bounds"). */
#define ATTENDANT_ARI_MAX_BODY     (4 * 1024 * 1024)

/**
 * AttendantAriDisconnectReason:
 * @ATTENDANT_ARI_DISCONNECT_CLOSED: the events connection closed or broke
 *   (Asterisk stopped, restarted, or the network failed)
 * @ATTENDANT_ARI_DISCONNECT_TIMED_OUT: nothing, not even a pong, came for
 *   the liveness deadline
 * @ATTENDANT_ARI_DISCONNECT_INVALID: Asterisk sent an event over the bounds
 *   or not valid JSON; the connection was dropped
 * @ATTENDANT_ARI_DISCONNECT_REPLACED: another connection took the Stasis
 *   application over (ApplicationReplaced); no reconnection follows
 */
typedef enum
{
  ATTENDANT_ARI_DISCONNECT_CLOSED,
  ATTENDANT_ARI_DISCONNECT_TIMED_OUT,
  ATTENDANT_ARI_DISCONNECT_INVALID,
  ATTENDANT_ARI_DISCONNECT_REPLACED,
} AttendantAriDisconnectReason;

AttendantAri *attendant_ari_new                   (const char           *url,
                                                   const char           *user,
                                                   const char           *password,
                                                   const char           *application,
                                                   GError              **error);
AttendantAri *attendant_ari_new_sibling           (AttendantAri         *self,
                                                   const char           *application);
void          attendant_ari_set_extra_anchors     (AttendantAri         *self,
                                                   GTlsDatabase         *database);
void          attendant_ari_set_subscribe_all     (AttendantAri         *self,
                                                   gboolean              subscribe_all);
void          attendant_ari_set_liveness          (AttendantAri         *self,
                                                   gboolean              liveness);
const char   *attendant_ari_get_url               (AttendantAri         *self);
const char   *attendant_ari_get_application       (AttendantAri         *self);
gboolean      attendant_ari_get_connected         (AttendantAri         *self);
const char   *attendant_ari_get_asterisk_version  (AttendantAri         *self);

void          attendant_ari_get_info_async        (AttendantAri         *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
char         *attendant_ari_get_info_finish       (AttendantAri         *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

void          attendant_ari_request_async         (AttendantAri         *self,
                                                   const char           *method,
                                                   const char           *path,
                                                   const char * const   *query,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
void          attendant_ari_request_with_body_async (AttendantAri       *self,
                                                     const char         *method,
                                                     const char         *path,
                                                     const char * const *query,
                                                     JsonNode           *body,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
JsonNode     *attendant_ari_request_finish        (AttendantAri         *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

void          attendant_ari_start                 (AttendantAri         *self);
void          attendant_ari_stop                  (AttendantAri         *self);
void          attendant_ari_drop_connections      (AttendantAri         *self);
guint         attendant_ari_get_n_closing         (void);

G_END_DECLS
