/* test-reconnect-banner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-test-gui.h"
#include "attendant-node.h"
#include "attendant-reconnect-banner.h"
#include "attendant-test-fixture.h"
#include "attendant-test-server.h"

/* AttendantReconnectBanner against a client whose servers (the reference
 * server's two nodes on loopback) go away and come back. */

static GtkWidget *
window_with_banner (AttendantClient           *client,
                    AttendantReconnectBanner **banner)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *content = adw_status_page_new ();

  *banner = ATTENDANT_RECONNECT_BANNER (attendant_reconnect_banner_new ());
  attendant_reconnect_banner_set_client (*banner, client);
  adw_status_page_set_title (ADW_STATUS_PAGE (content), "Console");
  gtk_widget_set_vexpand (content, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*banner));
  gtk_box_append (GTK_BOX (box), content);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_titlebar (GTK_WINDOW (window), adw_header_bar_new ());
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 360);
  gtk_window_present (GTK_WINDOW (window));

  return g_object_ref (window);
}

/* Not shown for a client that never connected, nor for a first login
 * still looking (the login form shows that). */
static void
test_banner_hidden (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  g_autoptr(GError) error = NULL;
  AttendantReconnectBanner *banner;
  GtkWidget *window = window_with_banner (client, &banner);

  g_assert_false (attendant_reconnect_banner_get_revealed (banner));

  /* Nothing listens on the discard port of 127.0.0.1. */
  g_object_set (client, "server", "127.0.0.1:9", "transport", ATTENDANT_TRANSPORT_PLAIN, NULL);
  attendant_client_set_credentials (client, "nobody", "nothing");
  attendant_client_start (client, &error);
  g_assert_no_error (error);
  g_assert_false (attendant_reconnect_banner_get_revealed (banner));
  attendant_client_stop (client);

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

static gboolean
is_state (AttendantClient      *client,
          AttendantClientState  state)
{
  return attendant_client_get_state (client) == state;
}

static gboolean
is_connected (gpointer data)
{
  return is_state (data, ATTENDANT_CLIENT_STATE_CONNECTED);
}

static gboolean
is_waiting (gpointer data)
{
  return is_state (data, ATTENDANT_CLIENT_STATE_WAITING) &&
         attendant_client_get_next_retry_time (data) - g_get_monotonic_time () > 1500 * 1000;
}

static gboolean
is_revealed (gpointer data)
{
  return attendant_reconnect_banner_get_revealed (data);
}

static gboolean
is_hidden (gpointer data)
{
  return !attendant_reconnect_banner_get_revealed (data);
}

static guint
seconds_in_title (AttendantReconnectBanner *banner)
{
  const char *title = attendant_reconnect_banner_get_title (banner);
  const char *prefix = "Connection lost — reconnecting in ";

  g_assert_true (g_str_has_prefix (title, prefix));
  return (guint)g_ascii_strtoull (title + strlen (prefix), NULL, 10);
}

typedef struct
{
  AttendantClient          *client;
  AttendantReconnectBanner *banner;
  guint                     first;
} Countdown;

/* The banner counted down from @first, or the wait ended (the retry
 * began) before it had to. */
static gboolean
counted_down (gpointer data)
{
  Countdown *countdown = data;

  return !is_state (countdown->client, ATTENDANT_CLIENT_STATE_WAITING) ||
         seconds_in_title (countdown->banner) < countdown->first;
}

/* Both nodes lost: the banner, counting down to the next retry the
 * client scheduled; "Reconnect Now" in it; gone once connected again. */
static void
test_banner_countdown (void)
{
  g_autoptr(AttendantTestGuiServer) server = attendant_test_gui_server_new (TEST_GUI_NODES);
  g_autoptr(AttendantClient) client = attendant_test_gui_client_new (server);
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "plain");
  g_autoptr(GError) error = NULL;
  AttendantNode *primary = attendant_server_lookup_node (server->server, "primary");
  AttendantNode *backup = attendant_server_lookup_node (server->server, "backup");
  AttendantReconnectBanner *banner;
  GtkWidget *window = window_with_banner (client, &banner);
  GtkWidget *button;
  Countdown countdown = { client, NULL, 0 };
  guint first;

  g_object_set (client, "server", address, "transport", ATTENDANT_TRANSPORT_PLAIN,
                "attempt-timeout", 1u, "heartbeat-interval", 1u, "failback", FALSE, NULL);
  attendant_client_set_credentials (client, TEST_USER, TEST_PASSWORD);
  attendant_client_start (client, &error);
  g_assert_no_error (error);
  attendant_test_gui_wait_for (is_connected, client, 10000);
  g_assert_false (attendant_reconnect_banner_get_revealed (banner));

  attendant_node_crash (backup);
  attendant_node_crash (primary);
  attendant_test_gui_wait_for (is_revealed, banner, 10000);

  /* The backoff grows: wait for a delay long enough to watch it count. */
  attendant_test_gui_wait_for (is_waiting, client, 30000);
  g_assert_true (attendant_reconnect_banner_get_revealed (banner));
  first = seconds_in_title (banner);
  g_assert_cmpuint (first, >=, 2);
  /* A second later the title says less; a loaded machine (the sanitizer
   * build) may redraw it late, so it is awaited, not slept on. */
  countdown.banner = banner;
  countdown.first = first;
  attendant_test_gui_wait_for (counted_down, &countdown, 10000);
  if (is_state (client, ATTENDANT_CLIENT_STATE_WAITING))
    g_assert_cmpuint (seconds_in_title (banner), <, first);
  button = attendant_test_gui_find_widget (GTK_WIDGET (banner), GTK_TYPE_BUTTON, "reconnect-banner-button");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.reconnect");
  attendant_test_gui_assert_accessible_label (button);
  attendant_test_gui_screenshot (window, "reconnect-banner-widget.png");

  attendant_node_start (primary, &error);
  g_assert_no_error (error);
  attendant_client_reconnect_now (client);
  attendant_test_gui_wait_for (is_connected, client, 10000);
  attendant_test_gui_wait_for (is_hidden, banner, 1000);

  /* Logging out hides it for good, even while the nodes are down. */
  attendant_client_stop (client);
  g_assert_false (attendant_reconnect_banner_get_revealed (banner));

  attendant_test_gui_window_free (GTK_WIDGET (window));
}

int
main (int   argc,
      char *argv[])
{
  attendant_test_gui_init (&argc, &argv);

  g_test_add_func ("/reconnect-banner/hidden", test_banner_hidden);
  g_test_add_func ("/reconnect-banner/countdown", test_banner_countdown);

  return g_test_run ();
}
