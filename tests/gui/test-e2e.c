/* test-e2e.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-e2e"

#include "config.h"

#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <string.h>

#include "attendant-application.h"
#include "attendant-client.h"
#include "attendant-test-gui.h"
#include "attendant-test-wait.h"
#include "attendant-window.h"

/* The application end to end: AttendantApplication and
 * its AttendantWindow, in this process, against real attendant-server
 * processes in the network lab that tests/lab/lab_gui.py builds (dnsmasq
 * with the dual-data-centre SRV records of Imagicle's SRV guide, nftables
 * NAT, TLS with the lab's CA), on the private X server and session bus of
 * run-under-xvfb.sh, with python3-dbusmock's notification daemon on that
 * bus. The lab does what the window cannot: it kills and restarts the
 * nodes. The driver asks for that on standard output ("lab: kill dc1") and
 * reads the answer on standard input ("killed dc1 T", T the lab's
 * CLOCK_MONOTONIC in µs just before the signal, the clock
 * g_get_monotonic_time() reads), so every step waits on an event.
 *
 * Assertions are on widget state (labels found by widget name, the stack's
 * page, actions, the windows on screen), never on pixels; the screenshots
 * are for people. Outside the lab (no ATTENDANT_LAB_SERVER) every test
 * skips. */

/* Kill → the indicator shows the backup: the client notices a closed socket
 * at once, and lab_failover.py holds the client core to 1 s from the kill
 * to the login on the backup; the window adds one main-loop turn. */
#ifdef __SANITIZE_ADDRESS__
/* AddressSanitizer makes the process about three times slower. */
#define FAILOVER_BOUND_MS 2000
#else
#define FAILOVER_BOUND_MS 1000
#endif
#define LOGIN_DEADLINE_MS 20000
/* The client's failback interval for this run (60 s by default). */
#define FAILBACK_INTERVAL_S 2

typedef struct
{
  /* From the lab */
  const char           *server;         /* the SRV domain, "acme.com" */
  const char           *self_signed;    /* a name whose server is self-signed */
  const char           *user;
  char                 *password;

  AttendantApplication *app;
  AttendantWindow      *window;
  GtkWindow            *other;          /* takes the focus away */

  GDataInputStream     *lab_in;
  GCancellable         *cancellable;
  char                 *lab_reply;

  GSubprocess          *notifyd;        /* the fake notification daemon */
} E2e;

static E2e e2e;

/* {{{ The lab's side: requests on stdout, answers on stdin */

static void
lab_line_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                          result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("the lab closed the driver's standard input");
  e2e.lab_reply = line;
}

static gboolean
lab_replied (gpointer data)
{
  return e2e.lab_reply != NULL;
}

/* Asks the lab for @verb @node ("kill dc1"); returns when it is done, with
 * the lab's monotonic time of the deed. */
static gint64
lab_request (const char *verb,
             const char *node)
{
  g_autofree char *expected = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *what = g_strdup_printf ("answer of the lab to “%s %s”", verb, node);
  const char *time;
  gint64 when;

  g_assert_null (e2e.lab_reply);
  g_data_input_stream_read_line_async (e2e.lab_in, G_PRIORITY_DEFAULT, e2e.cancellable,
                                       lab_line_cb, NULL);
  printf ("lab: %s %s\n", verb, node);
  fflush (stdout);
  attendant_test_wait_until (lab_replied, NULL, 30000, what);
  reply = g_steal_pointer (&e2e.lab_reply);

  /* "kill" → "killed", "start" → "started" */
  expected = g_strdup_printf ("%sed %s ", verb, node);
  if (!g_str_has_prefix (reply, expected))
    g_error ("the lab answered “%s” to “%s %s”", reply, verb, node);
  time = reply + strlen (expected);
  when = g_ascii_strtoll (time, NULL, 10);
  g_assert_cmpint (when, >, 0);
  return when;
}

/* }}} */
/* {{{ The window */

static GtkWidget *
window_widget (void)
{
  return GTK_WIDGET (e2e.window);
}

static const char *
indicator (void)
{
  return attendant_test_gui_label_text (window_widget (), "connection-label");
}

typedef struct
{
  const char *node;
  gint64      shown_at;
} AwaitNode;

static gboolean
indicator_shows (gpointer data)
{
  AwaitNode *await = data;

  if (g_strcmp0 (indicator (), await->node) != 0)
    return FALSE;
  await->shown_at = g_get_monotonic_time ();
  return TRUE;
}

/* Waits until the header's indicator names @node; returns the time it did. */
static gint64
wait_indicator (const char *node,
                guint       timeout_ms)
{
  AwaitNode await = { node, 0 };
  g_autofree char *what = g_strdup_printf ("“%s” in the connection indicator", node);

  attendant_test_wait_until (indicator_shows, &await, timeout_ms, what);
  return await.shown_at;
}

static gboolean
widget_visible (const char *name)
{
  GtkWidget *widget = attendant_test_gui_find_widget (window_widget (), GTK_TYPE_WIDGET, name);

  g_assert_nonnull (widget);
  return gtk_widget_get_visible (widget);
}

/* A connected, encrypted session: the console page, the padlock, no
 * "Unencrypted" warning, and the actions of a logged-in operator. */
static void
assert_connected_encrypted (void)
{
  GActionGroup *actions = G_ACTION_GROUP (e2e.window);
  GtkWidget *label = attendant_test_gui_find_widget (window_widget (), GTK_TYPE_LABEL, "connection-label");
  /* The padlock beside the node's name */
  GtkWidget *secure = attendant_test_gui_find_widget (gtk_widget_get_parent (label), GTK_TYPE_IMAGE, NULL);

  g_autofree char *accessible = g_strdup_printf ("Connected to %s, encrypted", indicator ());

  g_assert_cmpstr (attendant_test_gui_visible_page (window_widget ()), ==, "main");
  g_assert_false (widget_visible ("unencrypted-label"));
  /* What a screen reader says of the header's button */
  attendant_test_gui_assert_accessible_label_is (
    attendant_test_gui_find_widget (window_widget (), GTK_TYPE_MENU_BUTTON, "status-button"),
    accessible);
  g_assert_nonnull (secure);
  g_assert_true (gtk_widget_get_visible (secure));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (secure), ==, "Encrypted with TLS");
  g_assert_true (g_action_group_get_action_enabled (actions, "reconnect"));
  g_assert_true (g_action_group_get_action_enabled (actions, "log-out"));
  g_assert_false (g_action_group_get_action_enabled (actions, "log-in"));
}

/* The login form's row titled @title (the rows' accessible labels). */
static GtkEditable *
form_row (const char *title)
{
  GtkWidget *page = attendant_test_gui_find_widget (window_widget (), GTK_TYPE_STACK, "pages");

  for (GtkWidget *w = attendant_test_gui_find_widget (page, ADW_TYPE_PREFERENCES_ROW, NULL);
       w != NULL;
       w = gtk_widget_get_next_sibling (w))
    if (ADW_IS_PREFERENCES_ROW (w) &&
        g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)), title) == 0)
      return GTK_EDITABLE (w);

  g_error ("no row “%s” in the login form", title);
}

static void
fill_form_and_log_in (const char *server)
{
  gtk_editable_set_text (form_row ("Server"), server);
  gtk_editable_set_text (form_row ("User Name"), e2e.user);
  gtk_editable_set_text (form_row ("Password"), e2e.password);
  g_action_group_activate_action (G_ACTION_GROUP (e2e.window), "log-in", NULL);
}

static gboolean
on_login_page (gpointer data)
{
  return g_strcmp0 (attendant_test_gui_visible_page (window_widget ()), "login") == 0;
}

/* The texts of the toasts on screen: an AdwToastOverlay shows them as
 * children beside its own child. */
static gboolean
collect_labels (GtkWidget *widget,
                GString   *out)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_label (GTK_LABEL (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);

  return out->len > 0;
}

/* The window has two overlays: its own (the login page's toasts) and the
 * console's, over the directory. */
static void
collect_toasts (GtkWidget *widget,
                GString   *out)
{
  GtkWidget *content = ADW_IS_TOAST_OVERLAY (widget) ? adw_toast_overlay_get_child (ADW_TOAST_OVERLAY (widget))
                                                     : NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (ADW_IS_TOAST_OVERLAY (widget) && child != content)
      collect_labels (child, out);
    else
      collect_toasts (child, out);
}

static char *
toasts_text (void)
{
  GString *out = g_string_new (NULL);

  collect_toasts (window_widget (), out);
  return g_string_free (out, FALSE);
}

static gboolean
toast_says (gpointer data)
{
  g_autofree char *text = toasts_text ();

  return strstr (text, data) != NULL;
}

static gboolean
window_is_inactive (gpointer data)
{
  return !gtk_window_is_active (GTK_WINDOW (e2e.window));
}

static gboolean
window_is_active (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (e2e.window));
}

/* At least @data (a count) Notify calls on the fake daemon */
static gboolean
notified (gpointer data)
{
  g_autoptr(GPtrArray) calls = attendant_test_gui_notify_calls ();

  return calls->len / 2 >= GPOINTER_TO_UINT (data);
}

static GVariant *
action_invoked_args (guint id)
{
  GVariant *args[] = {
    g_variant_new_variant (g_variant_new_uint32 (id)),
    g_variant_new_variant (g_variant_new_string ("default")),
  };

  return g_variant_new_array (G_VARIANT_TYPE_VARIANT, args, G_N_ELEMENTS (args));
}

/* }}} */
/* {{{ The steps, in order; each needs the one before */

static gboolean
in_lab (void)
{
  if (e2e.server != NULL)
    return TRUE;
  g_test_skip ("run by tests/lab/lab_gui.py (meson test --suite lab-gui) in the network lab");
  return FALSE;
}

/* Log in through the form (SRV discovery of acme.com in the lab's DNS,
 * TLS with the lab's CA): the indicator names dc1, the preferred node. */
static void
test_log_in (void)
{
  AttendantClient *client;

  if (!in_lab ())
    return;

  e2e.app = attendant_application_new ();
  {
    g_autoptr(GError) error = NULL;

    g_application_register (G_APPLICATION (e2e.app), NULL, &error);
    g_assert_no_error (error);
  }
  g_application_activate (G_APPLICATION (e2e.app));
  e2e.window = ATTENDANT_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (e2e.app)));
  g_assert_nonnull (e2e.window);
  g_object_ref (e2e.window);
  attendant_test_wait_until (window_is_active, NULL, 5000, "active window");

  client = attendant_window_get_client (e2e.window);
  /* The interval has no preference key: the client's own property,
   * shortened so that a failback comes within seconds. */
  g_object_set (client, "failback-interval", FAILBACK_INTERVAL_S, NULL);
  g_assert_cmpstr (indicator (), ==, "Offline");

  fill_form_and_log_in (e2e.server);
  wait_indicator ("dc1", LOGIN_DEADLINE_MS);
  assert_connected_encrypted ();
  g_assert_cmpuint (attendant_client_get_failovers (client), ==, 0);
  attendant_test_gui_screenshot (window_widget (), "e2e-connected-dc1.png");
}

/* dc1 SIGKILLed: within the bound, the indicator names dc2, a toast says
 * what happened, and the console stays on screen. */
static void
test_failover (void)
{
  gint64 killed_at, shown_at;

  if (!in_lab ())
    return;
  g_assert_cmpstr (indicator (), ==, "dc1");

  killed_at = lab_request ("kill", "dc1");
  shown_at = wait_indicator ("dc2", 10000);
  g_test_message ("kill dc1 → dc2 in the indicator: %.0f ms",
                  (shown_at - killed_at) / 1000.0);
  g_assert_cmpint ((shown_at - killed_at) / 1000, <=, FAILOVER_BOUND_MS);
  assert_connected_encrypted ();
  g_assert_cmpuint (attendant_client_get_failovers (attendant_window_get_client (e2e.window)), ==, 1);

  attendant_test_wait_until (toast_says, (gpointer)"now connected to dc2.acme.com", 5000,
                             "toast about the failover");
  attendant_test_gui_screenshot (window_widget (), "e2e-failover-toast-dc2.png");
}

/* dc1 back: within a few failback intervals the indicator names dc1
 * again, without the login form in between. */
static void
test_failback (void)
{
  gint64 started_at, shown_at;

  if (!in_lab ())
    return;
  g_assert_cmpstr (indicator (), ==, "dc2");

  started_at = lab_request ("start", "dc1");
  shown_at = wait_indicator ("dc1", (FAILBACK_INTERVAL_S * 3 + 5) * 1000);
  g_test_message ("dc1 restarted → dc1 in the indicator: %.0f ms",
                  (shown_at - started_at) / 1000.0);
  assert_connected_encrypted ();
  attendant_test_wait_until (toast_says, (gpointer)"Back on primary server dc1.acme.com", 10000,
                             "toast about the failback");
}

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static const char *
popover_row (GtkWidget  *popover,
             const char *name)
{
  GtkWidget *label = attendant_test_gui_find_widget (popover, GTK_TYPE_LABEL, name);

  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_visible (label));
  return gtk_label_get_label (GTK_LABEL (label));
}

/* On dc2 after the failover: the status popover, opened as the header's
 * button opens it, tells where and how: the SRV query, dc2's
 * endpoint, TLS, the certificate's SHA-256 and one failover so far. */
static void
test_status_popover (void)
{
  GtkWidget *button, *popover;
  const char *fingerprint = g_getenv ("ATTENDANT_LAB_SHA256");

  if (!in_lab ())
    return;
  g_assert_cmpstr (indicator (), ==, "dc2");

  button = attendant_test_gui_find_widget (window_widget (), GTK_TYPE_MENU_BUTTON, "status-button");
  popover = attendant_test_gui_find_widget (window_widget (), GTK_TYPE_POPOVER, "status-popover");
  g_assert_nonnull (button);
  g_assert_nonnull (popover);
  gtk_widget_grab_focus (button);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  attendant_test_wait_until (popover_shown, popover, 5000, "status popover");

  g_assert_cmpstr (attendant_test_gui_label_text (popover, "status-title"), ==, "Connected to dc2");
  g_assert_nonnull (strstr (popover_row (popover, "status-discovery"), "_iacsec._tcp.acme.com"));
  g_assert_nonnull (strstr (popover_row (popover, "status-endpoint"), "dc2.acme.com"));
  g_assert_nonnull (strstr (popover_row (popover, "status-security"), "TLS 1."));
  g_assert_nonnull (fingerprint);
  g_assert_cmpstr (popover_row (popover, "status-fingerprint"), ==, fingerprint);
  g_assert_cmpstr (popover_row (popover, "status-failovers"), ==, "1");
  attendant_test_gui_screenshot (popover, "e2e-status-popover-dc2.png");

  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
}

/* With the window not active, a failover is also told by a desktop
 * notification: the fake daemon on the session bus gets Notify with the
 * summary "Now connected to dc2.acme.com"; its default action, invoked
 * as a click would, brings the console back. */
static void
test_notification (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  guint before;

  if (!in_lab ())
    return;
  g_assert_cmpstr (indicator (), ==, "dc1");

  e2e.other = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (e2e.other, "Another application");
  gtk_window_present (e2e.other);
  attendant_test_wait_until (window_is_inactive, NULL, 5000, "the console window losing the focus");

  calls = attendant_test_gui_notify_calls ();
  before = calls->len / 2;
  g_clear_pointer (&calls, g_ptr_array_unref);
  lab_request ("kill", "dc1");
  wait_indicator ("dc2", 10000);
  attendant_test_wait_until (notified, GUINT_TO_POINTER (before + 1), 5000,
                             "Notify call on the notification daemon");
  calls = attendant_test_gui_notify_calls ();
  g_assert_cmpuint (calls->len / 2, ==, before + 1);
  g_assert_cmpstr (calls->pdata[2 * before], ==, "Now connected to dc2.acme.com");
  g_assert_cmpstr (calls->pdata[2 * before + 1], ==,
                   "Primary server dc1.acme.com unreachable — now connected to dc2.acme.com");

  /* The daemon numbers notifications from 1, one per Notify. */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.Notifications",
                                       "/org/freedesktop/Notifications",
                                       "org.freedesktop.DBus.Mock", "EmitSignal",
                                       g_variant_new ("(sss@av)", "org.freedesktop.Notifications",
                                                      "ActionInvoked", "us",
                                                      action_invoked_args (before + 1)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
  attendant_test_wait_until (window_is_active, NULL, 5000,
                             "the console window raised by the notification's default action");
}

static gboolean
banner_revealed (gpointer data)
{
  GtkWidget *revealer = attendant_test_gui_find_widget (window_widget (), GTK_TYPE_REVEALER,
                                                        "reconnect-banner");

  g_assert_nonnull (revealer);
  return gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)) == GPOINTER_TO_INT (data);
}

static gboolean
client_waiting (gpointer data)
{
  return attendant_client_get_state (attendant_window_get_client (e2e.window)) ==
         ATTENDANT_CLIENT_STATE_WAITING;
}

/* dc1 is still down; dc2 SIGKILLed too: the console stays, a banner says
 * the app is reconnecting and offers "Reconnect Now"; once dc1
 * is back, that action logs in there without waiting for the backoff. */
static void
test_reconnecting (void)
{
  GtkWidget *button;

  if (!in_lab ())
    return;
  g_assert_cmpstr (indicator (), ==, "dc2");

  lab_request ("kill", "dc2");
  attendant_test_wait_until (banner_revealed, GINT_TO_POINTER (TRUE), 10000, "reconnecting banner");
  /* The cycle after the loss fails (dc2 refused, dc1 refused): the app
   * waits for its next retry, which the banner counts down. */
  attendant_test_wait_until (client_waiting, NULL, 10000, "client waiting for its next retry");
  g_assert_true (banner_revealed (GINT_TO_POINTER (TRUE)));
  g_assert_cmpstr (attendant_test_gui_visible_page (window_widget ()), ==, "main");
  button = attendant_test_gui_find_widget (window_widget (), GTK_TYPE_BUTTON, "reconnect-banner-button");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.reconnect");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (e2e.window), "reconnect"));
  g_assert_cmpstr (indicator (), !=, "dc2");
  g_assert_cmpstr (attendant_test_gui_label_text (window_widget (), "reconnect-banner-title"), !=, "");
  attendant_test_gui_screenshot (window_widget (), "e2e-reconnecting-banner.png");

  lab_request ("start", "dc1");
  g_signal_emit_by_name (button, "clicked");
  wait_indicator ("dc1", 10000);
  attendant_test_wait_until (banner_revealed, GINT_TO_POINTER (FALSE), 5000, "banner gone");
  assert_connected_encrypted ();
}

static gboolean
certificate_dialog_shown (gpointer data)
{
  GtkWidget **dialog = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (window) &&
          g_strcmp0 (gtk_widget_get_name (window), "certificate-dialog") == 0)
        {
          *dialog = window;
          return TRUE;
        }
    }

  return FALSE;
}

/* A self-signed server: the trust dialog, modal for the window, with the
 * certificate's subject and SHA-256 fingerprint; "trust" pins it and the
 * app logs in. Nothing is trusted before the answer. */
static void
test_trust (void)
{
  GtkWidget *dialog = NULL;
  GActionGroup *actions;
  g_autofree char *fingerprint = NULL;
  const char *expected = g_getenv ("ATTENDANT_LAB_SELF_SIGNED_SHA256");
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  if (!in_lab ())
    return;

  g_clear_pointer (&e2e.other, gtk_window_destroy);
  g_action_group_activate_action (G_ACTION_GROUP (e2e.window), "log-out", NULL);
  attendant_test_wait_until (on_login_page, NULL, 5000, "login page after logging out");

  fill_form_and_log_in (e2e.self_signed);
  attendant_test_wait_until (certificate_dialog_shown, &dialog, LOGIN_DEADLINE_MS,
                             "certificate dialog");
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (dialog), ==, "AttendantCertificateDialog");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (e2e.window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_cmpstr (attendant_test_gui_visible_page (window_widget ()), ==, "login");
  g_assert_cmpstr (indicator (), !=, "self");
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "trust"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "cancel"));
  g_assert_true (strstr (attendant_test_gui_label_text (dialog, "subject-label"), e2e.self_signed) != NULL);

  /* Shown in lines of pairs; the same hex digits as openssl's. */
  g_assert_nonnull (expected);
  fingerprint = g_strdup (attendant_test_gui_label_text (dialog, "fingerprint-label"));
  g_strdelimit (fingerprint, "\n", ':');
  g_assert_cmpstr (fingerprint, ==, expected);
  {
    g_auto(GStrv) pins = g_settings_get_strv (settings, "trusted-certificates");

    g_assert_cmpuint (g_strv_length (pins), ==, 0);
  }
  attendant_test_gui_screenshot (dialog, "e2e-trust-dialog.png");

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "trust");
  wait_indicator ("self", LOGIN_DEADLINE_MS);
  assert_connected_encrypted ();
  {
    g_auto(GStrv) pins = g_settings_get_strv (settings, "trusted-certificates");

    g_assert_cmpuint (g_strv_length (pins), ==, 1);
  }
  actions = G_ACTION_GROUP (e2e.window);
  g_assert_true (g_action_group_get_action_enabled (actions, "log-out"));
}

/* }}} */

static void
e2e_set_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = NULL;
  const char *password_file;

  e2e.server = g_getenv ("ATTENDANT_LAB_SERVER");
  if (e2e.server == NULL)
    return;
  e2e.self_signed = g_getenv ("ATTENDANT_LAB_SELF_SIGNED");
  e2e.user = g_getenv ("ATTENDANT_LAB_USER");
  password_file = g_getenv ("ATTENDANT_LAB_PASSWORD_FILE");
  g_assert_nonnull (e2e.self_signed);
  g_assert_nonnull (e2e.user);
  g_assert_nonnull (password_file);
  g_file_get_contents (password_file, &e2e.password, NULL, &error);
  g_assert_no_error (error);
  g_strchomp (e2e.password);

  in = g_unix_input_stream_new (0, FALSE);
  e2e.lab_in = g_data_input_stream_new (in);
  e2e.cancellable = g_cancellable_new ();

  attendant_test_gui_reset_settings ();
  e2e.notifyd = attendant_test_gui_notification_daemon_new ();
  g_assert_nonnull (e2e.notifyd);
}

static void
e2e_tear_down (void)
{
  if (e2e.server == NULL)
    return;

  g_cancellable_cancel (e2e.cancellable);
  g_clear_pointer (&e2e.other, gtk_window_destroy);
  if (e2e.window != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (e2e.window));
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_finalize_object (e2e.window);
    }
  g_clear_object (&e2e.app);
  if (e2e.notifyd != NULL)
    attendant_test_gui_notification_daemon_stop (e2e.notifyd);
  g_clear_object (&e2e.notifyd);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&e2e.lab_in);
  g_clear_object (&e2e.cancellable);
  g_free (e2e.password);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  attendant_test_gui_init (&argc, &argv);

  g_test_add_func ("/e2e/log-in", test_log_in);
  g_test_add_func ("/e2e/failover", test_failover);
  g_test_add_func ("/e2e/status-popover", test_status_popover);
  g_test_add_func ("/e2e/failback", test_failback);
  g_test_add_func ("/e2e/notification", test_notification);
  g_test_add_func ("/e2e/reconnecting", test_reconnecting);
  g_test_add_func ("/e2e/trust", test_trust);

  e2e_set_up ();
  status = g_test_run ();
  e2e_tear_down ();

  return status;
}
