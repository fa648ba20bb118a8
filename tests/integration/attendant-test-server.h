/* attendant-test-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_TEST_SERVER (attendant_test_server_get_type())

G_DECLARE_FINAL_TYPE (AttendantTestServer, attendant_test_server, ATTENDANT, TEST_SERVER, GObject)

AttendantTestServer *attendant_test_server_new                 (const char          *address,
                                                                guint16              port,
                                                                GError             **error);
AttendantTestServer *attendant_test_server_new_stalled         (const char          *address,
                                                                GError             **error);
void                 attendant_test_server_set_certificate     (AttendantTestServer *self,
                                                                GTlsCertificate     *certificate);
void                 attendant_test_server_set_handshake_delay (AttendantTestServer *self,
                                                                guint                milliseconds);
guint16              attendant_test_server_get_port            (AttendantTestServer *self);
guint                attendant_test_server_get_n_connections   (AttendantTestServer *self);
guint                attendant_test_server_get_n_handshakes    (AttendantTestServer *self);
const GError        *attendant_test_server_get_handshake_error (AttendantTestServer *self);
void                 attendant_test_server_stop                (AttendantTestServer *self);

GSocket             *attendant_test_closed_port_new            (const char          *address,
                                                                guint16              port,
                                                                GError             **error);
gboolean             attendant_test_ipv6_loopback_available    (void);
void                 attendant_test_drain_main_context         (void);

G_END_DECLS
