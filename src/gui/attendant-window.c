/* attendant-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-window"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-certificate-dialog.h"
#include "attendant-secret.h"
#include "attendant-connection.h"
#include "attendant-console-view.h"
#include "attendant-dial-uri.h"
#include "attendant-enum-types.h"
#include "attendant-greeting.h"
#include "attendant-password-store.h"
#include "attendant-protocol.h"
#include "attendant-phone-system-banner.h"
#include "attendant-reconnect-banner.h"
#include "attendant-settings-mapping.h"
#include "attendant-status-button.h"
#include "attendant-window.h"
#include "attendant-window-private.h"

/* The window only listens to AttendantClient and sets its properties: every
 * socket, timer and failover decision stays in the GTK-free core, which the
 * CLI and the tests drive the same way. */

struct _AttendantWindow
{
  AdwApplicationWindow  parent_instance;

  AttendantClient      *client;
  AttendantConsole     *console;
  GSettings            *settings;
  /* "host:port" of each endpoint of the current plan → its row */
  GHashTable           *attempt_rows;
  /* What the last log-in typed, kept until it succeeds, for the keyring */
  char                 *login_server;
  char                 *login_user;
  char                 *login_password;
  /* The endpoint host of the last session, for the failover message */
  char                 *last_host;
  /* whether last_host was the primary, for the failover toast's words */
  gboolean              last_was_preferred;
  /* the toast on screen, rewritten by the next message */
  AdwToast             *message_toast;
  /* The number a link asked to call while not logged in, called at the
   * next login unless the operator cancels it or logs out */
  char                 *pending_number;
  GCancellable         *cancellable;

  AttendantStatusButton    *status_button;
  AttendantReconnectBanner *banner;
  AttendantPhoneSystemBanner *phone_system_banner;
  GtkStack             *stack;
  AdwToastOverlay      *toast_overlay;
  AdwEntryRow          *server_row;
  AdwEntryRow          *user_row;
  AdwPasswordEntryRow  *password_row;
  AdwComboRow          *transport_row;
  GtkSwitch            *remember_switch;
  GtkButton            *log_in_button;
  GtkButton            *cancel_button;
  GtkLabel             *error_label;
  AdwPreferencesGroup  *attempts_group;
  GtkListBox           *attempts_list;
  AttendantConsoleView *console_view;
  GtkRevealer          *dial_banner;
  GtkLabel             *dial_banner_label;
};

G_DEFINE_FINAL_TYPE (AttendantWindow, attendant_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

AttendantWindow *
attendant_window_new (AdwApplication  *application,
                      AttendantClient *client)
{
  g_return_val_if_fail (application == NULL || ADW_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (client), NULL);

  return g_object_new (ATTENDANT_TYPE_WINDOW,
                       "application", application,
                       "client", client,
                       NULL);
}

AttendantClient *
attendant_window_get_client (AttendantWindow *self)
{
  g_return_val_if_fail (ATTENDANT_IS_WINDOW (self), NULL);

  return self->client;
}

static void
show_error (AttendantWindow *self,
            const char      *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static char *
endpoint_key (AttendantEndpoint *endpoint)
{
  return g_strdup_printf ("%s:%u",
                          attendant_endpoint_get_host (endpoint),
                          attendant_endpoint_get_port (endpoint));
}

static const char *
outcome_text (AttendantAttemptOutcome outcome)
{
  switch (outcome)
    {
    case ATTENDANT_ATTEMPT_OUTCOME_CONNECTED:
      return _("Connected");
    case ATTENDANT_ATTEMPT_OUTCOME_REFUSED:
      return _("Refused");
    case ATTENDANT_ATTEMPT_OUTCOME_TIMEOUT:
      return _("No answer");
    case ATTENDANT_ATTEMPT_OUTCOME_UNREACHABLE:
      return _("Unreachable");
    case ATTENDANT_ATTEMPT_OUTCOME_RESOLVE_FAILED:
      return _("Name not found");
    case ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED:
      return _("Secure connection failed");
    case ATTENDANT_ATTEMPT_OUTCOME_PROTOCOL_FAILED:
      return _("Not an Attendant server");
    default:
      return _("Failed");
    }
}

/* What to check, as `attendant-cli check` says it, in the words of
 * someone who calls the administrator about it. */
static const char *
outcome_advice (AttendantAttemptOutcome outcome)
{
  switch (outcome)
    {
    case ATTENDANT_ATTEMPT_OUTCOME_REFUSED:
      return _("Nothing listens there: check that the server runs and that the firewall forwards this port to it.");
    case ATTENDANT_ATTEMPT_OUTCOME_TIMEOUT:
      return _("No answer: a firewall drops the connection, a forwarding rule is missing, or the host is down.");
    case ATTENDANT_ATTEMPT_OUTCOME_UNREACHABLE:
      return _("No route to this address: check the address in DNS and the network.");
    case ATTENDANT_ATTEMPT_OUTCOME_RESOLVE_FAILED:
      return _("The host name has no address in DNS: check the name, or the SRV record’s target.");
    case ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED:
      return _("The secure connection failed: check the server’s certificate and that it offers TLS 1.2 or newer.");
    case ATTENDANT_ATTEMPT_OUTCOME_PROTOCOL_FAILED:
      return _("Something answered, but not an Attendant server, or one that is not ready.");
    case ATTENDANT_ATTEMPT_OUTCOME_CONNECTED:
    default:
      return NULL;
    }
}

/* {{{ The keyring */

static void
password_saved_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!attendant_password_store_save_finish (ATTENDANT_PASSWORD_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not keep the password in the keyring: %s", error->message);
}

static void
password_cleared_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!attendant_password_store_clear_finish (ATTENDANT_PASSWORD_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not remove the password from the keyring: %s", error->message);
}

static void
password_found_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(AttendantWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AttendantSecret) password = NULL;

  password = attendant_password_store_lookup_finish (ATTENDANT_PASSWORD_STORE (object), result, &error);
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No password from the keyring: %s", error->message);
      return;
    }

  /* What the operator typed meanwhile wins. */
  if (password != NULL && self->password_row != NULL &&
      *gtk_editable_get_text (GTK_EDITABLE (self->password_row)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
}

static void
look_up_password (AttendantWindow *self)
{
  const char *server = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));

  if (!gtk_switch_get_active (self->remember_switch) || *server == '\0' || *user == '\0')
    return;

  attendant_password_store_lookup_async (attendant_password_store_get_default (),
                                         server, user, self->cancellable,
                                         password_found_cb, g_object_ref (self));
}

static void
on_remember_changed (AttendantWindow *self)
{
  const char *server = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));

  if (gtk_switch_get_active (self->remember_switch) || *server == '\0' || *user == '\0')
    return;

  attendant_password_store_clear_async (attendant_password_store_get_default (),
                                        server, user, self->cancellable,
                                        password_cleared_cb, NULL);
}

static void
forget_login (AttendantWindow *self)
{
  g_clear_pointer (&self->login_server, g_free);
  g_clear_pointer (&self->login_user, g_free);
  g_clear_pointer (&self->login_password, attendant_secret_free);
}

/* }}} */
/* {{{ Toasts */

static void
on_message_toast_dismissed (AttendantWindow *self,
                         AdwToast        *toast)
{
  /* A dismissed toast cannot be shown again; the next move gets a new one. */
  if (self->message_toast == toast)
    g_clear_object (&self->message_toast);
}

/* One toast at a time, the latest news: an older one would tell the
 * operator about a server the console has left since, or a command long
 * done. The toast on screen is rewritten in place rather than dismissed
 * and replaced: libadwaita 1.2 frees a dismissed toast's bookkeeping while
 * its entry animation may still be running, and that animation's end (or
 * the window closing) then reads freed memory. Re-adding the shown toast
 * restarts its timeout. */
static void
show_toast (AttendantWindow *self,
            const char      *text)
{
  g_autofree char *markup = g_markup_escape_text (text, -1);

  if (self->message_toast == NULL)
    {
      self->message_toast = adw_toast_new (markup);
      g_signal_connect_object (self->message_toast, "dismissed",
                               G_CALLBACK (on_message_toast_dismissed), self,
                               G_CONNECT_SWAPPED);
    }
  else
    adw_toast_set_title (self->message_toast, markup);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->message_toast));
}

/* }}} */
/* {{{ Calls from links (desktop CTI) */

static void
update_dial_banner (AttendantWindow *self)
{
  AttendantClientState state = attendant_client_get_state (self->client);
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "cancel-dial");

  if (self->pending_number != NULL)
    {
      g_autofree char *text = NULL;

      /* Whether the call waits for the client or for the operator. */
      if (state == ATTENDANT_CLIENT_STATE_CONNECTING || state == ATTENDANT_CLIENT_STATE_WAITING)
        /* TRANSLATORS: %s is the phone number a link asked to call */
        text = g_strdup_printf (_("Will call %s once connected"), self->pending_number);
      else
        /* TRANSLATORS: %s is the phone number a link asked to call */
        text = g_strdup_printf (_("Will call %s once you log in"), self->pending_number);
      gtk_label_set_label (self->dial_banner_label, text);
    }

  gtk_revealer_set_reveal_child (self->dial_banner, self->pending_number != NULL);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), self->pending_number != NULL);
}

static void
set_pending_number (AttendantWindow *self,
                    const char      *number)
{
  if (g_strcmp0 (self->pending_number, number) != 0)
    {
      g_free (self->pending_number);
      self->pending_number = g_strdup (number);
    }

  update_dial_banner (self);
}

typedef struct
{
  AttendantWindow *window;
  char            *number;
} Dial;

static void
dial_free (Dial *dial)
{
  g_clear_object (&dial->window);
  g_free (dial->number);
  g_free (dial);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Dial, dial_free)

static void
dial_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Dial) dial = user_data;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  reply = attendant_console_run_finish (ATTENDANT_CONSOLE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (reply == NULL)
    /* Busy, no such extension, not a number, not connected, or result
     * unknown: in the words the console uses for its own commands. */
    text = attendant_command_describe_error (ATTENDANT_COMMAND_DIAL, dial->number, error);
  else
    {
      /* Only now is the call real: the server placed it. */
      JsonObject *call = attendant_protocol_get_object (reply, "call");
      const char *name = call != NULL ? attendant_protocol_get_string (call, "caller_name") : NULL;

      if (name != NULL && *name != '\0')
        /* TRANSLATORS: the name of whom is being called, and the number */
        text = g_strdup_printf (_("Calling %s (%s)…"), name, dial->number);
      else
        /* TRANSLATORS: %s is the number being called */
        text = g_strdup_printf (_("Calling %s…"), dial->number);
    }

  show_toast (dial->window, text);
}

static void
send_dial (AttendantWindow *self,
           const char      *number)
{
  Dial *dial = g_new0 (Dial, 1);

  dial->window = g_object_ref (self);
  dial->number = g_strdup (number);
  attendant_console_run_async (self->console, ATTENDANT_COMMAND_DIAL, NULL, number,
                               self->cancellable, dial_cb, dial);
}

static void
send_pending_dial (AttendantWindow *self)
{
  g_autofree char *number = g_steal_pointer (&self->pending_number);

  update_dial_banner (self);
  if (number != NULL)
    send_dial (self, number);
}

static void
cancel_dial_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  set_pending_number (ATTENDANT_WINDOW (user_data), NULL);
}

/**
 * attendant_window_dial:
 * @link: a `tel:`, `callto:` or `sip:` link, or a phone number
 *
 * Calls the number @link names through the server: at once when logged
 * in, otherwise at the next login, with a banner saying so and a way to
 * cancel it. Whether the server placed the call, or why not, is a toast;
 * so is why @link is not something to call.
 */
void
attendant_window_dial (AttendantWindow *self,
                       const char      *link)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  g_return_if_fail (ATTENDANT_IS_WINDOW (self));
  g_return_if_fail (link != NULL);

  number = attendant_dial_uri_parse (link, &error);
  if (number == NULL)
    {
      g_autofree char *text = NULL;

      /* TRANSLATORS: %s says what is wrong with a link the operator opened */
      text = g_strdup_printf (_("Nothing was called: %s"), error->message);
      show_toast (self, text);
      return;
    }

  if (attendant_client_get_state (self->client) == ATTENDANT_CLIENT_STATE_CONNECTED)
    send_dial (self, number);
  else
    set_pending_number (self, number);
}

/* }}} */
/* {{{ Actions and the indicator follow the client's state */

static void
update_state (AttendantWindow *self)
{
  AttendantClientState state = attendant_client_get_state (self->client);
  gboolean connected = state == ATTENDANT_CLIENT_STATE_CONNECTED;
  gboolean running = (state == ATTENDANT_CLIENT_STATE_CONNECTING ||
                      state == ATTENDANT_CLIENT_STATE_CONNECTED ||
                      state == ATTENDANT_CLIENT_STATE_WAITING);
  GAction *action;

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "log-in");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), !running);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "log-out");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), running);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "reconnect");
  /* "Reconnect now" is always there while the client runs; during an
   * attempt it starts the cycle afresh. */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               state == ATTENDANT_CLIENT_STATE_WAITING ||
                               state == ATTENDANT_CLIENT_STATE_CONNECTING ||
                               connected);

  /* The form is the client's input only while it is not using it. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->user_row), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->transport_row), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remember_switch), !running);
  /* While the form's login runs, the way out is beside where the way in
   * was. */
  gtk_widget_set_visible (GTK_WIDGET (self->log_in_button), !running);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), running);

  /* A failover keeps the console on screen (the indicator says what is
   * going on); only an operator who is not logged in sees the form. */
  if (connected)
    gtk_stack_set_visible_child_name (self->stack, "main");
  else if (!running)
    gtk_stack_set_visible_child_name (self->stack, "login");
}

static void
log_in_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  AttendantWindow *self = ATTENDANT_WINDOW (user_data);
  const char *server = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  g_autoptr(GError) error = NULL;

  if (*server == '\0' || *user == '\0')
    {
      show_error (self, _("Enter the server and your user name."));
      return;
    }

  g_settings_set_string (self->settings, "server", server);
  g_settings_set_string (self->settings, "user-name", user);

  forget_login (self);
  self->login_server = g_strdup (server);
  self->login_user = g_strdup (user);
  self->login_password = g_strdup (password);

  show_error (self, NULL);
  g_object_set (self->client, "server", server, NULL);
  attendant_client_set_credentials (self->client, user, password);
  if (!attendant_client_start (self->client, &error))
    show_error (self, error->message);
}

static void
log_out_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  AttendantWindow *self = ATTENDANT_WINDOW (user_data);

  forget_login (self);
  attendant_client_stop (self->client);

  /* A call asked for before is not carried over to whoever logs in next. */
  if (self->pending_number != NULL)
    {
      /* TRANSLATORS: %s is the phone number a link asked to call */
      g_autofree char *text = g_strdup_printf (_("%s was not called: you logged out"),
                                               self->pending_number);

      set_pending_number (self, NULL);
      show_toast (self, text);
    }
}

static void
reconnect_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  AttendantWindow *self = ATTENDANT_WINDOW (user_data);

  attendant_client_reconnect_now (self->client);
}

static void
show_status_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  AttendantWindow *self = ATTENDANT_WINDOW (user_data);

  attendant_status_button_popup (self->status_button);
}

static const GActionEntry win_actions[] = {
  { "log-in", log_in_activated },
  { "log-out", log_out_activated },
  { "reconnect", reconnect_activated },
  { "show-status", show_status_activated },
  { "cancel-dial", cancel_dial_activated },
};

static void
on_entry_activated (AttendantWindow *self)
{
  g_action_group_activate_action (G_ACTION_GROUP (self), "log-in", NULL);
}

/* }}} */
/* {{{ Client signals */

static void
on_state_changed (AttendantWindow *self)
{
  update_state (self);
  update_dial_banner (self);
}

static void
on_connecting (AttendantWindow *self,
               AttendantPlan   *plan)
{
  GtkWidget *child;
  guint n = attendant_plan_get_n_endpoints (plan);

  g_hash_table_remove_all (self->attempt_rows);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attempts_list))) != NULL)
    gtk_list_box_remove (self->attempts_list, child);

  for (guint i = 0; i < n; i++)
    {
      AttendantEndpoint *endpoint = attendant_plan_get_endpoint (plan, i);
      AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
      char *key = endpoint_key (endpoint);

      g_autofree char *subtitle = NULL;

      /* Priority and weight mean something only for an SRV record. */
      if (attendant_endpoint_get_origin (endpoint) == ATTENDANT_ENDPOINT_ORIGIN_SRV)
        /* TRANSLATORS: an endpoint's SRV priority and weight, before its attempt */
        subtitle = g_strdup_printf (_("Priority %u, weight %u — waiting"),
                                    attendant_endpoint_get_priority (endpoint),
                                    attendant_endpoint_get_weight (endpoint));
      else
        /* TRANSLATORS: an address not tried yet, in the login's list of connection attempts; not a caller waiting in the queue */
        subtitle = g_strdup (C_("attempt", "Waiting"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), key);
      adw_action_row_set_subtitle (row, subtitle);
      gtk_widget_set_name (GTK_WIDGET (row), "attempt-row");
      gtk_list_box_append (self->attempts_list, GTK_WIDGET (row));
      g_hash_table_insert (self->attempt_rows, key, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->attempts_group), n > 0);
}

static void
on_attempt (AttendantWindow  *self,
            AttendantAttempt *attempt)
{
  g_autofree char *key = endpoint_key (attendant_attempt_get_endpoint (attempt));
  AdwActionRow *row = g_hash_table_lookup (self->attempt_rows, key);
  const GError *error = attendant_attempt_get_error (attempt);
  AttendantAttemptOutcome outcome = attendant_attempt_get_outcome (attempt);
  const char *advice = outcome_advice (outcome);
  g_autofree char *subtitle = NULL;

  if (row == NULL)
    return;

  /* TRANSLATORS: an address's outcome, the address, and how long it took */
  subtitle = g_strdup_printf (_("%s — %s, %.0f ms"),
                              outcome_text (outcome),
                              attendant_attempt_get_address (attempt) != NULL ?
                                attendant_attempt_get_address (attempt) : key,
                              attendant_attempt_get_elapsed_ms (attempt));
  if (error != NULL)
    {
      char *with_error = g_strdup_printf ("%s\n%s", subtitle, error->message);

      g_free (subtitle);
      subtitle = with_error;
    }
  if (advice != NULL)
    {
      char *with_advice = g_strdup_printf ("%s\n%s", subtitle, advice);

      g_free (subtitle);
      subtitle = with_advice;
    }

  adw_action_row_set_subtitle (row, subtitle);
}

static void
on_disconnected (AttendantWindow      *self,
                 AttendantCloseReason  reason,
                 const char           *message)
{
  /* The banner says it while the console is shown; the login form has
   * its attempts. */
  if (reason == ATTENDANT_CLOSE_REASON_LOGOUT || reason == ATTENDANT_CLOSE_REASON_FAILBACK)
    return;

  g_debug ("Disconnected: %s", message);
}

static void
on_reconnect_scheduled (AttendantWindow *self,
                        guint            delay_ms)
{
  g_autofree char *text = NULL;

  /* While the console is shown the banner counts down instead. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "login") != 0)
    return;

  text = g_strdup_printf (ngettext ("No server answered. Trying again in %u second. "
                                    "What each address said, and what to check, is below.",
                                    "No server answered. Trying again in %u seconds. "
                                    "What each address said, and what to check, is below.",
                                    (delay_ms + 999) / 1000),
                          (delay_ms + 999) / 1000);
  show_error (self, text);
}

static void
on_auth_failed (AttendantWindow *self,
                const char      *message)
{
  g_autofree char *text = NULL;

  g_debug ("Login refused: %s", message);

  /* Our own refusal of a weak server says why; the password is not at fault. */
  if (attendant_client_get_server_insecure (self->client))
    text = g_strdup (message);
  else
    /* TRANSLATORS: %s is the user name */
    text = g_strdup_printf (_("The server did not accept the password for %s. Check it and log in again."),
                            gtk_editable_get_text (GTK_EDITABLE (self->user_row)));
  show_error (self, text);

  /* A remembered password that no longer works is not kept. */
  if (self->login_server != NULL && gtk_switch_get_active (self->remember_switch))
    attendant_password_store_clear_async (attendant_password_store_get_default (),
                                          self->login_server, self->login_user,
                                          self->cancellable, password_cleared_cb, NULL);
  forget_login (self);

  gtk_stack_set_visible_child_name (self->stack, "login");
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  gtk_editable_select_region (GTK_EDITABLE (self->password_row), 0, -1);
}

void
attendant_window_notify_move (AttendantWindow *self,
             const char      *id,
             const char      *title,
             const char      *body)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = NULL;

  show_toast (self, body);

  /* The operator may be in another window: the desktop tells them too. */
  if (app == NULL || gtk_window_is_active (GTK_WINDOW (self)))
    return;

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action (notification, "app.show-window");
  g_application_withdraw_notification (app, "failover");
  g_application_withdraw_notification (app, "failback");
  g_application_send_notification (app, id, notification);
}

static void
on_incoming_call_handled (AttendantWindow *self,
                          GParamSpec      *pspec,
                          AttendantCall   *call)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  AttendantCallState state = attendant_call_get_state (call);
  g_autofree char *id = NULL;

  if (state == ATTENDANT_CALL_STATE_QUEUED || state == ATTENDANT_CALL_STATE_RINGING)
    return;

  /* Answered, taken by a colleague or gone: the notification is moot. */
  id = g_strdup_printf ("call-%s", attendant_call_get_id (call));
  if (app != NULL)
    g_application_withdraw_notification (app, id);
  g_signal_handlers_disconnect_by_func (call, on_incoming_call_handled, self);
}

static void
on_incoming_call (AttendantWindow *self,
                  AttendantCall   *call)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *name = attendant_console_dup_caller_name (self->console, call);
  g_autofree char *title = NULL;
  g_autofree char *id = g_strdup_printf ("call-%s", attendant_call_get_id (call));
  const char *number = attendant_call_get_caller_number (call);
  const char *caller = name != NULL ? name : number != NULL ? number : _("Unknown caller");

  /* In the window, the queue shows it; elsewhere, the desktop does. */
  if (app == NULL || gtk_window_is_active (GTK_WINDOW (self)))
    return;

  if (attendant_call_get_recalled (call))
    /* TRANSLATORS: %s is the caller, whose transfer nobody answered */
    title = g_strdup_printf (_("Transfer not answered: %s is ringing you again"), caller);
  else
    /* TRANSLATORS: %s is the caller's name or number */
    title = g_strdup_printf (_("Incoming call from %s"), caller);

  notification = g_notification_new (title);
  if (name != NULL && number != NULL)
    g_notification_set_body (notification, number);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
  g_notification_set_default_action (notification, "app.show-window");
  g_notification_add_button_with_target (notification, _("Answer"), "app.answer-call",
                                         "s", attendant_call_get_id (call));
  g_notification_add_button_with_target (notification, _("Decline"), "app.decline-call",
                                         "s", attendant_call_get_id (call));
  g_application_send_notification (app, id, notification);

  g_signal_connect_object (call, "notify::state", G_CALLBACK (on_incoming_call_handled), self, G_CONNECT_SWAPPED);
}

/**
 * attendant_window_answer_call:
 * @id: a call's id, as an incoming-call notification names it
 *
 * Answers the call, as its notification's "Answer" button asks.
 */
void
attendant_window_answer_call (AttendantWindow *self,
                              const char      *id)
{
  AttendantCall *call;

  g_return_if_fail (ATTENDANT_IS_WINDOW (self));
  g_return_if_fail (id != NULL);

  call = attendant_console_lookup_call (self->console, id);
  if (call != NULL)
    attendant_console_view_run (self->console_view, ATTENDANT_COMMAND_ANSWER, call, NULL);
}

/**
 * attendant_window_decline_call:
 *
 * Refuses the call, as its notification's "Decline" button asks.
 */
void
attendant_window_decline_call (AttendantWindow *self,
                               const char      *id)
{
  AttendantCall *call;

  g_return_if_fail (ATTENDANT_IS_WINDOW (self));
  g_return_if_fail (id != NULL);

  call = attendant_console_lookup_call (self->console, id);
  if (call != NULL)
    attendant_console_view_run (self->console_view, ATTENDANT_COMMAND_HANGUP, call, NULL);
}

/**
 * attendant_window_get_console:
 *
 * Returns: (transfer none): the console the window shows
 */
AttendantConsole *
attendant_window_get_console (AttendantWindow *self)
{
  g_return_val_if_fail (ATTENDANT_IS_WINDOW (self), NULL);

  return self->console;
}

static void
on_connected (AttendantWindow  *self,
              AttendantSession *session,
              gboolean          failover,
              gboolean          failback)
{
  AttendantConnection *connection = attendant_session_get_connection (session);
  const char *host = attendant_endpoint_get_host (attendant_connection_get_endpoint (connection));

  if (!failover && !failback && self->login_server != NULL)
    {
      if (gtk_switch_get_active (self->remember_switch))
        attendant_password_store_save_async (attendant_password_store_get_default (),
                                             self->login_server, self->login_user,
                                             self->login_password, self->cancellable,
                                             password_saved_cb, NULL);
      forget_login (self);
    }

  if (g_settings_get_boolean (self->settings, "notifications"))
    {
      if (failover && self->last_host != NULL)
        {
          g_autofree char *title = g_strdup_printf (_("Now connected to %s"), host);
          g_autofree char *body = NULL;

          if (self->last_was_preferred)
            /* TRANSLATORS: the primary server, which stopped answering, and the one the console uses now */
            body = g_strdup_printf (_("Primary server %s unreachable — now connected to %s"),
                                    self->last_host, host);
          else
            /* TRANSLATORS: a backup server, which stopped answering, and the one the console uses now */
            body = g_strdup_printf (_("Server %s unreachable — now connected to %s"),
                                    self->last_host, host);

          attendant_window_notify_move (self, "failover", title, body);
        }
      else if (failback)
        {
          /* TRANSLATORS: the preferred server, answering again */
          g_autofree char *body = g_strdup_printf (_("Back on primary server %s"), host);

          attendant_window_notify_move (self, "failback", _("Back on the primary server"), body);
        }
    }

  g_free (self->last_host);
  self->last_host = g_strdup (host);
  self->last_was_preferred = attendant_client_get_on_preferred (self->client);

  send_pending_dial (self);
}

/* The form keeps saying why nothing is connected, whatever the
 * operator answers; only "Trust This Certificate" starts a new cycle. */
static void
on_certificate_rejected (AttendantWindow  *self,
                         AttendantAttempt *attempt)
{
  AttendantEndpoint *endpoint = attendant_attempt_get_endpoint (attempt);
  const char *identity = attendant_attempt_get_identity (attempt);
  g_autofree char *text = g_strdup_printf (_("The certificate of %s is not trusted."),
                                           identity != NULL ? identity : attendant_endpoint_get_host (endpoint));

  show_error (self, text);

  if (attendant_attempt_get_certificate (attempt) != NULL && identity != NULL)
    gtk_window_present (GTK_WINDOW (attendant_certificate_dialog_new (GTK_WINDOW (self), self->client, attempt)));
}

/* }}} */

static void
attendant_window_constructed (GObject *object)
{
  AttendantWindow *self = ATTENDANT_WINDOW (object);

  G_OBJECT_CLASS (attendant_window_parent_class)->constructed (object);

  g_assert (self->client != NULL);

  /* The window opens as it was left: GTK keeps default-width and
   * default-height at the size the window has when neither maximized nor
   * full screen, so the size survives a maximized session too. Not in
   * init(): a maximize asked for there did not last until the window was
   * first shown (tests/gui/test-window-state.c saw it). */
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  /* The client follows the preferences as they change; "server" is set at
   * login from the form, which the settings only pre-fill. */
  g_settings_bind (self->settings, "transport", self->client, "transport", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "priority-order", self->client, "priority-order", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "attempt-timeout", self->client, "attempt-timeout", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "heartbeat-interval", self->client, "heartbeat-interval", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "failback", self->client, "failback", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "accept-target-identity", self->client, "accept-target-identity", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "trusted-certificates", self->client, "trusted-certificates", G_SETTINGS_BIND_GET);

  attendant_status_button_set_client (self->status_button, self->client);
  self->console = attendant_console_new (self->client);
  attendant_console_view_set_console (self->console_view, self->console);
  /* On the window, so that the console's shortcuts work whatever has the
   * focus, the login form's fields included. */
  gtk_widget_insert_action_group (GTK_WIDGET (self), "console",
                                  attendant_console_view_get_actions (self->console_view));
  g_signal_connect_object (self->console, "incoming-call", G_CALLBACK (on_incoming_call), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->console_view, "message", G_CALLBACK (show_toast), self, G_CONNECT_SWAPPED);
  attendant_reconnect_banner_set_client (self->banner, self->client);
  attendant_phone_system_banner_set_console (self->phone_system_banner, self->console);

  g_signal_connect_object (self->client, "notify::state", G_CALLBACK (on_state_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "connected", G_CALLBACK (on_connected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "connecting", G_CALLBACK (on_connecting), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "attempt", G_CALLBACK (on_attempt), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "disconnected", G_CALLBACK (on_disconnected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "reconnect-scheduled", G_CALLBACK (on_reconnect_scheduled), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "auth-failed", G_CALLBACK (on_auth_failed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "certificate-rejected", G_CALLBACK (on_certificate_rejected), self, G_CONNECT_SWAPPED);

  update_state (self);
  update_dial_banner (self);
  look_up_password (self);
}

static void
attendant_window_dispose (GObject *object)
{
  AttendantWindow *self = ATTENDANT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);

  /* Closing the window logs out: the server should not keep offering
   * calls to an operator who is gone. */
  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      g_settings_unbind (self->client, "transport");
      g_settings_unbind (self->client, "priority-order");
      g_settings_unbind (self->client, "attempt-timeout");
      g_settings_unbind (self->client, "heartbeat-interval");
      g_settings_unbind (self->client, "failback");
      g_settings_unbind (self->client, "accept-target-identity");
      g_settings_unbind (self->client, "trusted-certificates");
      attendant_client_stop (self->client);
    }

  if (self->console != NULL)
    g_signal_handlers_disconnect_by_data (self->console, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTENDANT_TYPE_WINDOW);
  g_clear_object (&self->console);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->attempt_rows, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_host, g_free);
  g_clear_object (&self->message_toast);
  g_clear_pointer (&self->pending_number, g_free);
  forget_login (self);

  G_OBJECT_CLASS (attendant_window_parent_class)->dispose (object);
}

static void
attendant_window_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  AttendantWindow *self = ATTENDANT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_window_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  AttendantWindow *self = ATTENDANT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_window_class_init (AttendantWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = attendant_window_constructed;
  object_class->dispose = attendant_window_dispose;
  object_class->get_property = attendant_window_get_property;
  object_class->set_property = attendant_window_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         ATTENDANT_TYPE_CLIENT,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/attendant/Attendant/attendant-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, status_button);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, phone_system_banner);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, remember_switch);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, log_in_button);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, transport_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, attempts_group);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, attempts_list);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, console_view);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, dial_banner);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, dial_banner_label);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
}

static void
attendant_window_init (AttendantWindow *self)
{
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;

  g_type_ensure (ATTENDANT_TYPE_CONSOLE_VIEW);
  g_type_ensure (ATTENDANT_TYPE_STATUS_BUTTON);
  g_type_ensure (ATTENDANT_TYPE_RECONNECT_BANNER);
  g_type_ensure (ATTENDANT_TYPE_PHONE_SYSTEM_BANNER);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  self->attempt_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);

  /* Pre-filled with the last login; the password only from the keyring,
   * and only when the operator asked for that. */
  server = g_settings_get_string (self->settings, "server");
  user = g_settings_get_string (self->settings, "user-name");
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user);
  attendant_settings_bind_enum_to_selected (self->settings, "transport",
                                            self->transport_row, "selected");
  g_settings_bind (self->settings, "remember-password",
                   self->remember_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->remember_switch, "notify::active",
                           G_CALLBACK (on_remember_changed), self, G_CONNECT_SWAPPED);
}

/**
 * attendant_window_log_in:
 * @password: the password
 *
 * Logs in with the form's server and user name and @password, as if they
 * had been typed and "Log In" pressed: `attendant --password-file` does
 * this for kiosks and the demo.
 */
void
attendant_window_log_in (AttendantWindow *self,
                         const char      *password)
{
  g_return_if_fail (ATTENDANT_IS_WINDOW (self));
  g_return_if_fail (password != NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
  g_action_group_activate_action (G_ACTION_GROUP (self), "log-in", NULL);
}

/**
 * attendant_window_prefill:
 * @server: (nullable): the server to log in to
 * @user: (nullable): the user name
 *
 * Fills the login form, as `attendant --server … --user …` asks, and
 * looks the password up in the keyring when it is remembered.
 */
void
attendant_window_prefill (AttendantWindow *self,
                          const char      *server,
                          const char      *user)
{
  g_return_if_fail (ATTENDANT_IS_WINDOW (self));

  if (server == NULL && user == NULL)
    return;

  if (server != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);
  if (user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->user_row), user);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  look_up_password (self);
}
