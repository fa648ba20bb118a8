/* test-phone-system-banner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-node.h"
#include "attendant-phone-system-banner.h"
#include "attendant-reconnect-banner.h"
#include "attendant-test-fixture.h"
#include "attendant-test-gui.h"
#include "attendant-test-server.h"
#include "attendant-window.h"

/* AttendantPhoneSystemBanner in the real window, logged in to the
 * reference server, whose simulated telephone system is made unreachable
 * and back (the seam a real Asterisk outage goes through): shown with the
 * server's reason while the server stays connected, apart from the
 * reconnect banner, and gone when the phone system is back. */

#define TITLE  "The phone system is unreachable — calls cannot be handled until it is back"
#define REASON "Asterisk at http://127.0.0.1:8088/ari is unreachable: Connection refused"

static gboolean
on_main_page (gpointer data)
{
  return g_strcmp0 (attendant_test_gui_visible_page (data), "main") == 0;
}

static gboolean
is_revealed (gpointer data)
{
  return attendant_phone_system_banner_get_revealed (data);
}

static gboolean
is_hidden (gpointer data)
{
  return !attendant_phone_system_banner_get_revealed (data);
}

static GtkWidget *
find (GtkWidget  *window,
      GType       type)
{
  GtkWidget *widget = attendant_test_gui_find_widget (window, type, NULL);

  g_assert_nonnull (widget);
  return widget;
}

static void
test_banner_in_window (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autoptr(AttendantClient) client = attendant_test_gui_client_new (server);
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "plain");
  AttendantPbx *pbx = attendant_server_get_pbx (server->server);
  AttendantPhoneSystemBanner *banner;
  AttendantReconnectBanner *reconnect;
  GtkWidget *window;
  GtkWidget *revealer;
  GtkWidget *password;

  attendant_test_gui_use_server (address);
  window = g_object_ref (GTK_WIDGET (attendant_window_new (NULL, client)));
  gtk_window_present (GTK_WINDOW (window));
  banner = ATTENDANT_PHONE_SYSTEM_BANNER (find (window, ATTENDANT_TYPE_PHONE_SYSTEM_BANNER));
  reconnect = ATTENDANT_RECONNECT_BANNER (find (window, ATTENDANT_TYPE_RECONNECT_BANNER));

  password = find (window, ADW_TYPE_PASSWORD_ENTRY_ROW);
  gtk_editable_set_text (GTK_EDITABLE (password), TEST_PASSWORD);
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  attendant_test_gui_wait_for (on_main_page, window, 10000);
  g_assert_false (attendant_phone_system_banner_get_revealed (banner));

  attendant_pbx_set_unreachable (pbx, REASON);
  attendant_test_gui_wait_for (is_revealed, banner, 5000);
  g_assert_cmpstr (attendant_phone_system_banner_get_reason (banner), ==, REASON);
  g_assert_cmpstr (attendant_test_gui_label_text (GTK_WIDGET (banner), "phone-system-banner-title"), ==, TITLE);
  g_assert_cmpstr (attendant_test_gui_label_text (GTK_WIDGET (banner), "phone-system-banner-reason"), ==, REASON);
  /* The server itself is fine: not the lost-connection banner. */
  g_assert_false (attendant_reconnect_banner_get_revealed (reconnect));
  g_assert_cmpstr (attendant_test_gui_visible_page (window), ==, "main");
  revealer = attendant_test_gui_find_widget (GTK_WIDGET (banner), GTK_TYPE_REVEALER, "phone-system-banner");
  g_assert_nonnull (revealer);
  attendant_test_run_for (400);   /* the slide, for the picture */
  attendant_test_gui_screenshot (window, "phone-system-banner.png");

  attendant_pbx_set_unreachable (pbx, NULL);
  attendant_test_gui_wait_for (is_hidden, banner, 5000);
  g_assert_null (attendant_phone_system_banner_get_reason (banner));
  attendant_test_run_for (400);
  attendant_test_gui_screenshot (window, "phone-system-back.png");

  attendant_client_stop (client);
  attendant_test_gui_window_free (window);
}

/* Without a console, or before any snapshot, there is nothing to say. */
static void
test_banner_hidden (void)
{
  GtkWidget *banner = g_object_ref_sink (attendant_phone_system_banner_new ());

  g_assert_false (attendant_phone_system_banner_get_revealed (ATTENDANT_PHONE_SYSTEM_BANNER (banner)));
  g_assert_null (attendant_phone_system_banner_get_reason (ATTENDANT_PHONE_SYSTEM_BANNER (banner)));
  g_assert_null (attendant_phone_system_banner_get_console (ATTENDANT_PHONE_SYSTEM_BANNER (banner)));
  g_object_unref (banner);
}

int
main (int   argc,
      char *argv[])
{
  attendant_test_gui_init (&argc, &argv);

  g_test_add_func ("/phone-system-banner/hidden", test_banner_hidden);
  g_test_add_func ("/phone-system-banner/in-window", test_banner_in_window);

  return g_test_run ();
}
