/* attendant-test-client.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "attendant-scram.h"
#include "attendant-test-http.h"

G_BEGIN_DECLS

/* Every wait of the server tests ends by this deadline at the latest; a
 * wait that reaches it fails the test. */
#define ATTENDANT_TEST_DEADLINE_S 20

typedef struct _AttendantTestClient AttendantTestClient;

typedef gboolean (*AttendantTestMatch) (JsonObject *message,
                                        gpointer    user_data);

AttendantTestClient *attendant_test_client_connect      (const char          *url,
                                                         GTlsDatabase        *anchors,
                                                         const char          *protocol,
                                                         GError             **error);
AttendantTestClient *attendant_test_client_new          (const char          *url,
                                                         GTlsDatabase        *anchors);
void                 attendant_test_client_free         (AttendantTestClient *self);
SoupWebsocketConnection *attendant_test_client_get_websocket (AttendantTestClient *self);
void                 attendant_test_client_send         (AttendantTestClient *self,
                                                         const char          *text);
void                 attendant_test_client_send_message (AttendantTestClient *self,
                                                         JsonObject          *message);
JsonObject          *attendant_test_client_next         (AttendantTestClient *self);
JsonObject          *attendant_test_client_next_within  (AttendantTestClient *self,
                                                         guint                milliseconds);
JsonObject          *attendant_test_client_expect       (AttendantTestClient *self,
                                                         const char          *type);
JsonObject          *attendant_test_client_wait_for     (AttendantTestClient *self,
                                                         AttendantTestMatch   match,
                                                         gpointer             user_data);
JsonObject          *attendant_test_client_wait_call    (AttendantTestClient *self,
                                                         const char          *id,
                                                         const char          *state);
JsonObject          *attendant_test_client_wait_presence (AttendantTestClient *self,
                                                          const char          *number,
                                                          const char          *presence);
gushort              attendant_test_client_wait_closed  (AttendantTestClient *self);
gboolean             attendant_test_client_is_closed    (AttendantTestClient *self);
void                 attendant_test_client_auth_start   (AttendantTestClient *self,
                                                         AttendantScram      *scram);
JsonObject          *attendant_test_client_auth_finish  (AttendantTestClient *self,
                                                         AttendantScram      *scram,
                                                         JsonObject          *challenge);
JsonObject          *attendant_test_client_login        (AttendantTestClient *self,
                                                         const char          *user,
                                                         const char          *password);
JsonObject          *attendant_test_client_command      (AttendantTestClient *self,
                                                         const char          *command,
                                                         const char          *args_json);
const char          *attendant_test_client_command_error (AttendantTestClient *self,
                                                          const char          *command,
                                                          const char          *args_json);
JsonObject          *attendant_test_client_ping         (AttendantTestClient *self);
guint                attendant_test_client_get_n_seq_errors (AttendantTestClient *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantTestClient, attendant_test_client_free)

void                 attendant_test_wait_until          (gboolean           (*condition) (gpointer),
                                                         gpointer             data,
                                                         const char          *what);
void                 attendant_test_let_time_pass       (guint                milliseconds);
JsonObject          *attendant_test_parse_object        (const char          *text);

G_END_DECLS
