/* test-status-button.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-test-gui.h"
#include "attendant-node.h"
#include "attendant-status-button.h"
#include "attendant-test-fixture.h"
#include "attendant-test-pki.h"
#include "attendant-test-server.h"

/* AttendantStatusButton: the header's indicator and its popover, as an
 * operator reads them, with a client logged in over TLS, found through
 * SRV records of the test resolver, to the reference server on loopback. */

#define NODES_TLS_FORMAT \
  "[node primary]\n" \
  "tls=127.0.0.1:0\n" \
  "certificate=%s\n" \
  "key=%s\n" \
  "\n" \
  "[node backup]\n" \
  "plain=127.0.0.2:0\n"

static AttendantTestPki *pki;

static GtkWidget *
window_with_button (AttendantClient        *client,
                    AttendantStatusButton **button)
{
  static const GActionEntry win_actions[] = { { "reconnect" }, { "log-out" } };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *header = adw_header_bar_new ();
  g_autoptr(GSimpleActionGroup) actions = g_simple_action_group_new ();

  /* The popover's buttons are the window's actions, enabled while the
   * client runs (AttendantWindow's own are tested in test-window): here
   * stand-ins, so that the popover looks as it does in the app. */
  g_action_map_add_action_entries (G_ACTION_MAP (actions), win_actions, G_N_ELEMENTS (win_actions), NULL);
  gtk_widget_insert_action_group (window, "win", G_ACTION_GROUP (actions));

  *button = ATTENDANT_STATUS_BUTTON (attendant_status_button_new ());
  attendant_status_button_set_client (*button, client);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (*button));
  gtk_window_set_titlebar (GTK_WINDOW (window), header);
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 360);
  gtk_window_present (GTK_WINDOW (window));

  return g_object_ref (window);
}

static const char *
row (GtkWidget  *popover,
     const char *name)
{
  GtkWidget *label = attendant_test_gui_find_widget (popover, GTK_TYPE_LABEL, name);

  g_assert_nonnull (label);
  return gtk_widget_get_visible (label) ? gtk_label_get_label (GTK_LABEL (label)) : NULL;
}

/* Without a client, or before it connects: "Offline", no details. */
static void
test_status_offline (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  AttendantStatusButton *button;
  GtkWidget *window = window_with_button (client, &button);
  GtkWidget *popover = attendant_test_gui_find_widget (GTK_WIDGET (button), GTK_TYPE_POPOVER, "status-popover");

  g_assert_true (attendant_status_button_get_client (button) == client);
  g_assert_cmpstr (attendant_test_gui_label_text (GTK_WIDGET (button), "connection-label"), ==, "Offline");
  g_assert_false (gtk_widget_get_visible (attendant_test_gui_find_widget (GTK_WIDGET (button), GTK_TYPE_LABEL, "unencrypted-label")));
  g_assert_nonnull (popover);
  g_assert_null (row (popover, "status-endpoint"));
  g_assert_null (row (popover, "status-uptime"));
  g_assert_cmpstr (attendant_test_gui_label_text (popover, "status-title"), ==, "Not connected");
  /* Logged out, Reconnect and Log Out would do nothing: not offered. */
  g_assert_false (gtk_widget_get_visible (attendant_test_gui_find_widget (popover, GTK_TYPE_BOX, "status-actions")));
  attendant_test_gui_assert_accessible_label_is (attendant_test_gui_find_widget (GTK_WIDGET (button), GTK_TYPE_MENU_BUTTON, "status-button"),
                                       "Connection: Offline");

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

static gboolean
is_connected (gpointer data)
{
  return attendant_client_get_state (data) == ATTENDANT_CLIENT_STATE_CONNECTED;
}

static gboolean
uptime_moved (gpointer data)
{
  return g_strcmp0 (row (data, "status-uptime"), "0:00") != 0;
}

/* The popover says how the server was found (the SRV query and
 * its records), the endpoint, the address, the TLS version and the
 * certificate's SHA-256 fingerprint, a live uptime and the failovers. */
static void
test_status_tls_popover (void)
{
  g_autofree char *nodes = g_strdup_printf (NODES_TLS_FORMAT, pki->acme_file, pki->key_file);
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (nodes);
  g_autoptr(AttendantClient) client = attendant_test_gui_client_new (server);
  g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = attendant_test_fingerprint (pki->acme_file);
  g_autofree char *endpoint = NULL;
  g_autofree char *records = NULL;
  AttendantStatusButton *button;
  GtkWidget *window, *popover, *menu_button;
  const char *security;

  attendant_test_gui_server_publish_srv (server, "tls");
  /* A TLS handshake in the sanitizer build, under LeakSanitizer's slow
   * unwinder, took over 2 s now and then: the attempt's own timeout is not
   * what this test is about. */
  g_object_set (client, "server", TEST_DOMAIN, "transport", ATTENDANT_TRANSPORT_TLS,
                "attempt-timeout", 10u, "failback", FALSE, NULL);
  attendant_client_set_extra_anchors (client, anchors);
  attendant_client_set_credentials (client, TEST_USER, TEST_PASSWORD);

  window = window_with_button (client, &button);
  popover = attendant_test_gui_find_widget (GTK_WIDGET (button), GTK_TYPE_POPOVER, "status-popover");
  menu_button = attendant_test_gui_find_widget (GTK_WIDGET (button), GTK_TYPE_MENU_BUTTON, "status-button");

  attendant_client_start (client, &error);
  g_assert_no_error (error);
  attendant_test_gui_wait_for (is_connected, client, 30000);

  /* The header: the node's name and the lock, not "Unencrypted". */
  g_assert_cmpstr (attendant_test_gui_label_text (GTK_WIDGET (button), "connection-label"), ==, "primary");
  g_assert_true (gtk_widget_get_visible (attendant_test_gui_find_widget (GTK_WIDGET (button), GTK_TYPE_IMAGE, "secure-icon")));
  g_assert_false (gtk_widget_get_visible (attendant_test_gui_find_widget (GTK_WIDGET (button), GTK_TYPE_LABEL, "unencrypted-label")));
  attendant_test_gui_assert_accessible_label_is (menu_button, "Connected to primary, encrypted");

  attendant_status_button_popup (button);
  g_assert_true (gtk_widget_get_visible (popover));

  endpoint = g_strdup_printf (TEST_PRIMARY_HOST ":%u",
                              attendant_node_get_port (attendant_server_lookup_node (server->server, "primary"), "tls"));
  records = g_strdup_printf ("10 100 %u " TEST_PRIMARY_HOST,
                             attendant_node_get_port (attendant_server_lookup_node (server->server, "primary"), "tls"));
  g_assert_cmpstr (attendant_test_gui_label_text (popover, "status-title"), ==, "Connected to primary");
  g_assert_cmpstr (row (popover, "status-discovery"), ==, "DNS SRV query _iacsec._tcp." TEST_DOMAIN);
  g_assert_cmpstr (row (popover, "status-records"), ==, records);
  g_assert_cmpstr (row (popover, "status-endpoint"), ==, endpoint);
  g_assert_true (g_str_has_prefix (row (popover, "status-address"), "127.0.0.1"));
  security = row (popover, "status-security");
  g_assert_true (g_strcmp0 (security, "TLS 1.2") == 0 || g_strcmp0 (security, "TLS 1.3") == 0);
  g_assert_cmpstr (row (popover, "status-fingerprint"), ==, fingerprint);
  g_assert_cmpstr (row (popover, "status-failovers"), ==, "0");
  g_assert_nonnull (row (popover, "status-uptime"));

  /* Every value is labelled by its title for a screen reader. */
  for (const char **name = (const char *[]) { "status-discovery", "status-records", "status-endpoint",
                                              "status-address", "status-security", "status-fingerprint",
                                              "status-uptime", "status-failovers", NULL };
       *name != NULL; name++)
    attendant_test_gui_assert_accessible_label (attendant_test_gui_find_widget (popover, GTK_TYPE_LABEL, *name));
  attendant_test_gui_assert_accessible_label (attendant_test_gui_find_widget (popover, GTK_TYPE_BUTTON, "status-reconnect"));
  attendant_test_gui_assert_accessible_label (attendant_test_gui_find_widget (popover, GTK_TYPE_BUTTON, "status-log-out"));

  g_assert_true (gtk_widget_get_visible (attendant_test_gui_find_widget (popover, GTK_TYPE_BOX, "status-actions")));

  /* The uptime is live while the popover is open. */
  attendant_test_gui_wait_for (uptime_moved, popover, 3000);
  g_assert_true (g_str_has_prefix (row (popover, "status-uptime"), "0:0"));
  attendant_test_gui_screenshot (popover, "status-popover.png");

  gtk_popover_popdown (GTK_POPOVER (popover));
  attendant_client_stop (client);
  g_assert_cmpstr (attendant_test_gui_label_text (GTK_WIDGET (button), "connection-label"), ==, "Offline");
  g_assert_null (row (popover, "status-fingerprint"));
  g_assert_false (gtk_widget_get_visible (attendant_test_gui_find_widget (popover, GTK_TYPE_BOX, "status-actions")));

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  attendant_test_gui_init (&argc, &argv);
  pki = attendant_test_pki_new ();

  g_test_add_func ("/status-button/offline", test_status_offline);
  g_test_add_func ("/status-button/tls-popover", test_status_tls_popover);

  ret = g_test_run ();
  g_clear_pointer (&pki, attendant_test_pki_free);
  return ret;
}
