/* attendant-test-gui.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "attendant-server.h"

G_BEGIN_DECLS

typedef gboolean (*AttendantTestPredicate) (gpointer data);

void       attendant_test_gui_wait_for          (AttendantTestPredicate  predicate,
                                                 gpointer                data,
                                                 guint                   timeout_ms);
void       attendant_test_gui_run_for           (guint                   ms);
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
void       attendant_test_gui_reset_settings    (void);

/* A reference server in the test's process, with @nodes as its node
 * sections, on loopback. */
typedef struct
{
  char                  *dir;
  AttendantServerConfig *config;
  AttendantServer       *server;
} AttendantTestGuiServer;

AttendantTestGuiServer *attendant_test_gui_server_new     (const char             *nodes);
void                    attendant_test_gui_server_free    (AttendantTestGuiServer *server);
char                   *attendant_test_gui_server_address (AttendantTestGuiServer *server,
                                                           const char             *node,
                                                           const char             *transport);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantTestGuiServer, attendant_test_gui_server_free)

G_END_DECLS
