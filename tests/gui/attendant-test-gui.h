/* attendant-test-gui.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-client.h"
#include "attendant-server.h"
#include "attendant-test-fixture.h"
#include "attendant-test-resolver.h"
#include "attendant-test-wait.h"

G_BEGIN_DECLS

/* The names the test resolver answers for; nothing leaves the process. */
#define TEST_DOMAIN       "acme.test"
#define TEST_PRIMARY_HOST "primary.acme.test"
#define TEST_BACKUP_HOST  "backup.acme.test"

/* Two plain-text nodes on loopback. */
#define TEST_GUI_NODES ATTENDANT_TEST_TWO_NODES

void       attendant_test_gui_init              (int                    *argc,
                                                 char                 ***argv);

void       attendant_test_gui_wait_for          (AttendantTestPredicate  predicate,
                                                 gpointer                data,
                                                 guint                   timeout_ms);
GtkWidget *attendant_test_gui_find_widget       (GtkWidget              *widget,
                                                 GType                   type,
                                                 const char             *name);
GtkWidget *attendant_test_gui_find_button       (GtkWidget              *widget,
                                                 const char             *label);
guint      attendant_test_gui_count_widgets     (GtkWidget              *widget,
                                                 GType                   type,
                                                 const char             *name);
void       attendant_test_gui_screenshot        (GtkWidget              *window,
                                                 const char             *name);
void       attendant_test_gui_screenshot_dialog (GtkWidget              *window,
                                                 GtkWidget              *dialog,
                                                 const char             *name);
void       attendant_test_gui_reset_settings    (void);
void       attendant_test_gui_use_server        (const char             *server);
GtkWidget *attendant_test_gui_find_label        (GtkWidget              *widget,
                                                 const char             *text);
void       attendant_test_gui_wait_for_label    (GtkWidget              *widget,
                                                 const char             *text,
                                                 guint                   timeout_ms);
GtkWindow *attendant_test_gui_find_toplevel     (GType                   type);
const char *attendant_test_gui_label_text       (GtkWidget              *widget,
                                                 const char             *name);
const char *attendant_test_gui_visible_page     (GtkWidget              *window);
void       attendant_test_gui_assert_accessible_label    (GtkWidget      *widget);
void       attendant_test_gui_assert_accessible_label_is (GtkWidget      *widget,
                                                          const char     *label);
void       attendant_test_gui_window_free       (GtkWidget              *window);
void       attendant_test_gui_log_in            (GtkWidget              *window);
void       attendant_test_gui_type_key          (GtkWidget              *window,
                                                 guint                   keyval,
                                                 GdkModifierType         modifiers);

GSubprocess *attendant_test_gui_notification_daemon_new  (void);
void         attendant_test_gui_notification_daemon_stop (GSubprocess *daemon);
GPtrArray   *attendant_test_gui_notify_calls             (void);

/* A reference server in the test's process, with @nodes as its node
 * sections, on loopback. */
typedef struct
{
  AttendantTestCluster  *cluster;
  AttendantServer       *server;     /* the cluster's */
  AttendantTestResolver *resolver;
} AttendantTestGuiServer;

AttendantTestGuiServer *attendant_test_gui_server_new     (const char             *nodes);
AttendantTestGuiServer *attendant_test_gui_server_new_full (const char             *nodes,
                                                           const char             *more);
void                    attendant_test_gui_server_free    (AttendantTestGuiServer *server);
char                   *attendant_test_gui_server_address (AttendantTestGuiServer *server,
                                                           const char             *node,
                                                           const char             *transport);

void                    attendant_test_gui_server_publish_srv (AttendantTestGuiServer *server,
                                                               const char             *transport);
AttendantClient        *attendant_test_gui_client_new     (AttendantTestGuiServer *server);
guint                   attendant_test_gui_server_count_dialled (AttendantTestGuiServer *server,
                                                                 const char             *number);
void                    attendant_test_gui_server_inject_call (AttendantTestGuiServer *server,
                                                               const char             *number,
                                                               const char             *name);
void                    attendant_test_gui_wait_n_items   (GListModel             *model,
                                                           guint                   n,
                                                           const char             *what);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantTestGuiServer, attendant_test_gui_server_free)

G_END_DECLS
