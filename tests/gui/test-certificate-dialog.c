/* test-certificate-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "attendant-certificate-dialog.h"
#include "attendant-client.h"
#include "attendant-node.h"
#include "attendant-pin.h"
#include "attendant-server.h"
#include "attendant-test-fixture.h"
#include "attendant-test-gui.h"
#include "attendant-test-pki.h"
#include "attendant-test-server.h"
#include "attendant-tls.h"
#include "attendant-window.h"

/* AttendantCertificateDialog (docs/architecture.md, "Trusted certificates"): what it shows of a rejected
 * certificate, and what its two answers do. Through the window, against
 * the reference server on 127.0.0.1 presenting a self-signed certificate
 * made for acme.test (so both "unknown issuer" and "not issued for
 * 127.0.0.1"): "Trust This Certificate" stores the pin and logs in,
 * "Cancel" leaves the operator on the login form, disconnected.
 *
 * With ATTENDANT_SCREENSHOT_DIR set, the dialog is saved there. */

#define TRUST_LABEL  "_Trust This Certificate"
#define CANCEL_LABEL "_Cancel"

static AttendantTestPki *pki;

/* {{{ A reference server with a self-signed certificate */

typedef AttendantTestGuiServer Server;

static Server *
server_new (void)
{
  g_autofree char *nodes = g_strdup_printf ("[node primary]\n"
                                            "tls=127.0.0.1:0\n"
                                            "certificate=%s\n"
                                            "key=%s\n",
                                            pki->self_signed_file, pki->key_file);

  return attendant_test_gui_server_new (nodes);
}

/* }}} */
/* {{{ Helpers */

static const char *
label_text (GtkWidget  *widget,
            const char *name)
{
  GtkWidget *label = attendant_test_gui_find_widget (widget, GTK_TYPE_LABEL, name);

  g_assert_nonnull (label);
  return gtk_label_get_label (GTK_LABEL (label));
}

static char *
expected_pin (const char *identity)
{
  g_autofree char *fingerprint = attendant_test_fingerprint (pki->self_signed_file);

  return g_strdup_printf ("%s %s", identity, fingerprint);
}

static AttendantAttempt *
rejected_attempt (void)
{
  g_autoptr(GTlsCertificate) certificate = attendant_test_pki_load (pki, pki->self_signed_file);
  g_autoptr(AttendantEndpoint) endpoint = attendant_endpoint_new ("127.0.0.1", 1, 0, 0, ATTENDANT_ENDPOINT_ORIGIN_DIRECT);
  AttendantAttempt *attempt = attendant_attempt_new (endpoint, "127.0.0.1",
                                                     ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED,
                                                     NULL, 1);

  attendant_attempt_set_certificate (attempt, certificate,
                                     G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY,
                                     "127.0.0.1");
  return attempt;
}

static char **
trusted_certificates (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  return g_settings_get_strv (settings, "trusted-certificates");
}

static AttendantCertificateDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ATTENDANT_IS_CERTIFICATE_DIALOG (window))
        return ATTENDANT_CERTIFICATE_DIALOG (window);
    }

  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  AttendantCertificateDialog *dialog = find_dialog ();

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
dialog_gone (gpointer data)
{
  return find_dialog () == NULL;
}

static gboolean
is_connected (gpointer data)
{
  return attendant_client_get_state (data) == ATTENDANT_CLIENT_STATE_CONNECTED;
}

/* A new window for @client, its form filled for @server over TLS, and
 * "Log In" activated. */
static AttendantWindow *
log_in (AttendantClient *client,
        const char      *server)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  AttendantWindow *window;
  GtkWidget *password;

  g_settings_set_string (settings, "server", server);
  g_settings_set_string (settings, "user-name", TEST_USER);
  g_settings_set_string (settings, "transport", "tls");
  /* Room for a TLS handshake in the sanitizer build (over 5 s once). */
  g_settings_set_uint (settings, "attempt-timeout", 15);

  window = g_object_ref (attendant_window_new (NULL, client));
  gtk_window_present (GTK_WINDOW (window));
  password = attendant_test_gui_find_widget (GTK_WIDGET (window), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  g_assert_nonnull (password);
  gtk_editable_set_text (GTK_EDITABLE (password), TEST_PASSWORD);

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);

  return window;
}

/* Logs in to @server through a new window, up to the dialog. */
static AttendantWindow *
log_in_until_rejected (Server *server)
{
  g_autofree char *address = attendant_test_gui_server_address (server, "primary", "tls");
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  AttendantWindow *window = log_in (client, address);

  attendant_test_gui_wait_for (dialog_shown, NULL, 30000);

  return window;
}

static void
window_free (AttendantWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (window);
}

/* }}} */
/* {{{ Tests */

/* Everything needed to decide, from the certificate itself; Cancel the
 * default and the answer to Escape; trusting is styled as the risk it is. */
static void
test_dialog_shows_certificate (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  g_autoptr(AttendantAttempt) attempt = rejected_attempt ();
  g_autofree char *fingerprint = attendant_tls_certificate_sha256 (attendant_attempt_get_certificate (attempt));
  g_autofree char *flat = NULL;
  AttendantCertificateDialog *dialog;
  AdwMessageDialog *message;
  const char *body;
  GtkWidget *trust;

  attendant_test_gui_reset_settings ();
  dialog = g_object_ref (attendant_certificate_dialog_new (NULL, client, attempt));
  message = ADW_MESSAGE_DIALOG (dialog);
  g_assert_true (attendant_certificate_dialog_get_attempt (dialog) == attempt);

  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, "Untrusted Certificate");
  body = adw_message_dialog_get_body (message);
  g_test_message ("body: %s", body);
  g_assert_nonnull (strstr (body, "“127.0.0.1”"));
  g_assert_nonnull (strstr (body, "self-signed"));
  g_assert_nonnull (strstr (body, "It was not issued for “127.0.0.1”."));

  g_assert_nonnull (strstr (label_text (GTK_WIDGET (dialog), "subject-label"), "CN=acme.test"));
  g_assert_nonnull (strstr (label_text (GTK_WIDGET (dialog), "issuer-label"), "CN=acme.test"));
  g_assert_cmpstr (label_text (GTK_WIDGET (dialog), "valid-from-label"), !=, "");
  g_assert_cmpstr (label_text (GTK_WIDGET (dialog), "valid-from-label"), !=, "Unknown");
  g_assert_cmpstr (label_text (GTK_WIDGET (dialog), "valid-until-label"), !=, "Unknown");
  /* Shown in lines of eight pairs, the same fingerprint. */
  flat = g_strdelimit (g_strdup (label_text (GTK_WIDGET (dialog), "fingerprint-label")), "\n", ':');
  g_assert_cmpstr (flat, ==, fingerprint);
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (attendant_test_gui_find_widget (GTK_WIDGET (dialog), GTK_TYPE_LABEL, "fingerprint-label"))));

  g_assert_cmpstr (adw_message_dialog_get_default_response (message), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (message), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_response_label (message, "trust"), ==, TRUST_LABEL);
  g_assert_cmpstr (adw_message_dialog_get_response_label (message, "cancel"), ==, CANCEL_LABEL);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (message, "trust"), ==, ADW_RESPONSE_DESTRUCTIVE);
  trust = attendant_test_gui_find_button (GTK_WIDGET (dialog), TRUST_LABEL);
  g_assert_nonnull (trust);
  g_assert_true (gtk_button_get_use_underline (GTK_BUTTON (trust)));

  /* Cancel stores nothing. */
  adw_message_dialog_response (message, "cancel");
  {
    g_auto(GStrv) pins = trusted_certificates ();

    g_assert_cmpuint (g_strv_length (pins), ==, 0);
  }

  gtk_window_destroy (GTK_WINDOW (dialog));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (dialog);
}

/* Trusting the same certificate twice stores one pin; another pin
 * already there stays. */
static void
test_dialog_trust_no_duplicate (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  g_autoptr(AttendantAttempt) attempt = rejected_attempt ();
  g_autofree char *pin = expected_pin ("127.0.0.1");
  const char * const before[] = { "other.test 00:11", NULL };
  g_auto(GStrv) pins = NULL;

  attendant_test_gui_reset_settings ();
  g_settings_set_strv (settings, "trusted-certificates", before);

  for (int i = 0; i < 2; i++)
    {
      AttendantCertificateDialog *dialog = g_object_ref (attendant_certificate_dialog_new (NULL, client, attempt));

      adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "trust");
      gtk_window_destroy (GTK_WINDOW (dialog));
      attendant_test_drain_main_context ();
      g_assert_finalize_object (dialog);
    }

  pins = g_settings_get_strv (settings, "trusted-certificates");
  g_assert_cmpuint (g_strv_length (pins), ==, 2);
  g_assert_cmpstr (pins[0], ==, before[0]);
  g_assert_cmpstr (pins[1], ==, pin);
}

/* The whole path of an untrusted certificate: rejected, the dialog over the form, "Trust This
 * Certificate" clicked: the pin is stored for 127.0.0.1, the client
 * reconnects with it and logs in. */
static void
test_window_trust (void)
{
  g_autoptr(AttendantTestGuiServer) server = server_new ();
  g_autofree char *pin = expected_pin ("127.0.0.1");
  AttendantWindow *window;
  AttendantCertificateDialog *dialog;
  AttendantClient *client;
  GtkWidget *trust;
  g_auto(GStrv) pins = NULL;
  g_auto(GStrv) client_pins = NULL;

  attendant_test_gui_reset_settings ();
  window = log_in_until_rejected (server);
  client = attendant_window_get_client (window);
  g_assert_cmpint (attendant_client_get_state (client), ==, ATTENDANT_CLIENT_STATE_CERTIFICATE_REJECTED);

  dialog = g_object_ref (find_dialog ());
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  attendant_test_gui_screenshot (GTK_WIDGET (dialog), "certificate-dialog.png");

  trust = attendant_test_gui_find_button (GTK_WIDGET (dialog), TRUST_LABEL);
  g_assert_nonnull (trust);
  g_signal_emit_by_name (trust, "clicked");

  pins = trusted_certificates ();
  g_assert_cmpuint (g_strv_length (pins), ==, 1);
  g_assert_cmpstr (pins[0], ==, pin);
  g_object_get (client, "trusted-certificates", &client_pins, NULL);
  g_assert_true (g_strv_equal ((const char * const *)client_pins, (const char * const *)pins));

  attendant_test_gui_wait_for (is_connected, client, 30000);
  attendant_test_gui_wait_for (dialog_gone, NULL, 5000);
  g_assert_cmpuint (attendant_node_get_port (attendant_server_lookup_node (server->server, "primary"), "tls"), >, 0);

  attendant_test_drain_main_context ();
  g_assert_finalize_object (dialog);
  window_free (window);
}

/* "Cancel": nothing stored, nothing connected, no retry; the form says
 * why. */
static void
test_window_cancel (void)
{
  g_autoptr(AttendantTestGuiServer) server = server_new ();
  AttendantWindow *window;
  AttendantCertificateDialog *dialog;
  AttendantClient *client;
  GtkWidget *cancel, *error_label;
  g_auto(GStrv) pins = NULL;

  attendant_test_gui_reset_settings ();
  window = log_in_until_rejected (server);
  client = attendant_window_get_client (window);

  dialog = g_object_ref (find_dialog ());
  cancel = attendant_test_gui_find_button (GTK_WIDGET (dialog), CANCEL_LABEL);
  g_assert_nonnull (cancel);
  g_signal_emit_by_name (cancel, "clicked");
  attendant_test_gui_wait_for (dialog_gone, NULL, 5000);
  attendant_test_drain_main_context ();
  g_assert_finalize_object (dialog);

  pins = trusted_certificates ();
  g_assert_cmpuint (g_strv_length (pins), ==, 0);

  /* A while with nothing happening: still stopped. */
  attendant_test_run_for (1500);
  g_assert_cmpint (attendant_client_get_state (client), ==, ATTENDANT_CLIENT_STATE_CERTIFICATE_REJECTED);
  g_assert_null (attendant_client_get_session (client));
  error_label = attendant_test_gui_find_widget (GTK_WIDGET (window), GTK_TYPE_LABEL, "error-label");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), ==, "The certificate of 127.0.0.1 is not trusted.");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "log-in"));

  window_free (window);
}

/* Two data centres behind SRV for acme.test: the primary with a
 * self-signed certificate, the backup with one from the test CA, which the
 * client trusts as an extra anchor only when two_dc_log_in() is told to. */
static Server *
two_dc_server_new (void)
{
  g_autofree char *nodes = g_strdup_printf ("[node primary]\n"
                                            "tls=127.0.0.1:0\n"
                                            "certificate=%s\n"
                                            "key=%s\n"
                                            "\n"
                                            "[node backup]\n"
                                            "tls=127.0.0.2:0\n"
                                            "certificate=%s\n"
                                            "key=%s\n",
                                            pki->self_signed_file, pki->key_file,
                                            pki->acme_file, pki->key_file);
  Server *server = attendant_test_gui_server_new (nodes);

  attendant_test_gui_server_publish_srv (server, "tls");
  return server;
}

static AttendantWindow *
two_dc_log_in (Server   *server,
               gboolean  trust_backup)
{
  g_autoptr(AttendantClient) client = attendant_test_gui_client_new (server);

  if (trust_backup)
    {
      g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);

      attendant_client_set_extra_anchors (client, anchors);
    }

  return log_in (client, TEST_DOMAIN);
}

/* A broken certificate on the first data centre does not keep the user
 * off the second (docs/architecture.md, "Trusted certificates"): the
 * window logs in on the backup and never asks about the primary's
 * certificate. */
static void
test_window_walks_on (void)
{
  g_autoptr(AttendantTestGuiServer) server = two_dc_server_new ();
  AttendantWindow *window;
  AttendantClient *client;
  AttendantSession *session;

  attendant_test_gui_reset_settings ();
  window = two_dc_log_in (server, TRUE);
  client = attendant_window_get_client (window);

  attendant_test_gui_wait_for (is_connected, client, 30000);
  session = attendant_client_get_session (client);
  g_assert_nonnull (session);
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_connection_get_endpoint (attendant_session_get_connection (session))),
                   ==, TEST_BACKUP_HOST);
  attendant_test_drain_main_context ();
  g_assert_null (find_dialog ());
  {
    g_auto(GStrv) pins = trusted_certificates ();

    g_assert_cmpuint (g_strv_length (pins), ==, 0);
  }

  window_free (window);
}

/* No data centre reached, both certificates untrusted: the dialog comes
 * up for the FIRST one met (the primary's self-signed certificate, not the
 * backup's), and trusting it pins that one for acme.test and logs in on
 * the primary. */
static void
test_window_all_untrusted (void)
{
  g_autoptr(AttendantTestGuiServer) server = two_dc_server_new ();
  g_autofree char *pin = expected_pin (TEST_DOMAIN);
  g_autofree char *fingerprint = attendant_test_fingerprint (pki->self_signed_file);
  g_autofree char *flat = NULL;
  AttendantWindow *window;
  AttendantCertificateDialog *dialog;
  AttendantClient *client;
  AttendantSession *session;
  g_auto(GStrv) pins = NULL;

  attendant_test_gui_reset_settings ();
  window = two_dc_log_in (server, FALSE);
  client = attendant_window_get_client (window);
  attendant_test_gui_wait_for (dialog_shown, NULL, 30000);
  g_assert_cmpint (attendant_client_get_state (client), ==, ATTENDANT_CLIENT_STATE_CERTIFICATE_REJECTED);

  dialog = g_object_ref (find_dialog ());
  flat = g_strdelimit (g_strdup (label_text (GTK_WIDGET (dialog), "fingerprint-label")), "\n", ':');
  g_assert_cmpstr (flat, ==, fingerprint);

  g_signal_emit_by_name (attendant_test_gui_find_button (GTK_WIDGET (dialog), TRUST_LABEL), "clicked");
  pins = trusted_certificates ();
  g_assert_cmpuint (g_strv_length (pins), ==, 1);
  g_assert_cmpstr (pins[0], ==, pin);

  attendant_test_gui_wait_for (is_connected, client, 30000);
  session = attendant_client_get_session (client);
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_connection_get_endpoint (attendant_session_get_connection (session))),
                   ==, TEST_PRIMARY_HOST);
  attendant_test_gui_wait_for (dialog_gone, NULL, 5000);

  attendant_test_drain_main_context ();
  g_assert_finalize_object (dialog);
  window_free (window);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  int status;

  attendant_tls_init ();

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  pki = attendant_test_pki_new ();

  g_test_add_func ("/certificate-dialog/shows-certificate", test_dialog_shows_certificate);
  g_test_add_func ("/certificate-dialog/trust-no-duplicate", test_dialog_trust_no_duplicate);
  g_test_add_func ("/certificate-dialog/window-trust", test_window_trust);
  g_test_add_func ("/certificate-dialog/window-cancel", test_window_cancel);
  g_test_add_func ("/certificate-dialog/window-walks-on", test_window_walks_on);
  g_test_add_func ("/certificate-dialog/window-all-untrusted", test_window_all_untrusted);

  status = g_test_run ();

  g_clear_pointer (&pki, attendant_test_pki_free);

  return status;
}
