/* attendant-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-window"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-certificate-dialog.h"
#include "attendant-connection.h"
#include "attendant-dial-uri.h"
#include "attendant-protocol.h"
#include "attendant-shortcuts.h"
#include "attendant-window.h"
#include "attendant-window-private.h"

/* The window only listens to AttendantClient and sets its properties: every
 * socket, timer and failover decision stays in the GTK-free core, which the
 * CLI and the tests drive the same way. The login form is
 * AttendantLoginPage, the actions and leaving attendant-window-actions.c. */

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

/* Whether the operator sees the window: hidden in the background it may
 * still count as active for GTK, which keeps the last focus. */
static gboolean
in_sight (AttendantWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self)) && gtk_window_is_active (GTK_WINDOW (self));
}

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
void
attendant_window_show_toast (AttendantWindow *self,
                             const char      *text)
{
  g_autofree char *markup = g_markup_escape_text (text, -1);
  /* Over the directory while the console is shown: at the window's
   * bottom a toast would hide My Calls' Hold and Hang Up. */
  AdwToastOverlay *overlay =
    g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") == 0
      ? attendant_console_view_get_toast_overlay (self->console_view)
      : self->toast_overlay;

  /* A toast moves to no other overlay: the one shown elsewhere is left to
   * time out (not dismissed, as above), and this one is new. */
  if (self->message_toast != NULL && self->message_toast_overlay != overlay)
    g_clear_object (&self->message_toast);
  self->message_toast_overlay = overlay;

  if (self->message_toast == NULL)
    {
      self->message_toast = adw_toast_new (markup);
      g_signal_connect_object (self->message_toast, "dismissed",
                               G_CALLBACK (on_message_toast_dismissed), self,
                               G_CONNECT_SWAPPED);
    }
  else
    adw_toast_set_title (self->message_toast, markup);
  adw_toast_overlay_add_toast (overlay, g_object_ref (self->message_toast));
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

void
attendant_window_set_pending_number (AttendantWindow *self,
                                     const char      *number)
{
  if (g_strcmp0 (self->pending_number, number) != 0)
    {
      g_free (self->pending_number);
      self->pending_number = g_strdup (number);
    }

  update_dial_banner (self);
}

/* Through the console's one dial path, with its feedback (a toast). */
static void
send_dial (AttendantWindow *self,
           const char      *number)
{
  attendant_console_view_dial (self->console_view, number);
}

static void
send_pending_dial (AttendantWindow *self)
{
  g_autofree char *number = g_steal_pointer (&self->pending_number);

  update_dial_banner (self);
  if (number != NULL)
    send_dial (self, number);
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
      attendant_window_show_toast (self, text);
      return;
    }

  if (attendant_client_get_state (self->client) == ATTENDANT_CLIENT_STATE_CONNECTED)
    send_dial (self, number);
  else
    attendant_window_set_pending_number (self, number);
}

/* }}} */
/* {{{ Actions and the indicator follow the client's state */

static void
update_state (AttendantWindow *self)
{
  AttendantClientState state = attendant_client_get_state (self->client);

  attendant_window_actions_update (self);

  /* A failover keeps the console on screen (the indicator says what is
   * going on); only an operator who is not logged in sees the form. */
  if (state == ATTENDANT_CLIENT_STATE_CONNECTED)
    gtk_stack_set_visible_child_name (self->stack, "main");
  else if (state != ATTENDANT_CLIENT_STATE_CONNECTING &&
           state != ATTENDANT_CLIENT_STATE_WAITING)
    gtk_stack_set_visible_child_name (self->stack, "login");
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
  attendant_login_page_show_error (self->login_page, text);
}

/* The login page says why; the operator needs to see it. */
static void
on_auth_failed (AttendantWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack, "login");
}

void
attendant_window_notify_move (AttendantWindow *self,
             const char      *id,
             const char      *title,
             const char      *body)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = NULL;

  attendant_window_show_toast (self, body);

  /* The operator may be in another window: the desktop tells them too. */
  if (app == NULL || in_sight (self))
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
  if (app == NULL || in_sight (self))
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

  attendant_login_page_show_error (self->login_page, text);

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
  attendant_login_page_set_client (self->login_page, self->client);
  self->console = attendant_console_new (self->client);
  attendant_console_view_set_console (self->console_view, self->console);
  /* On the window, so that the console's shortcuts work whatever has the
   * focus, the login form's fields included. */
  gtk_widget_insert_action_group (GTK_WIDGET (self), "console",
                                  attendant_console_view_get_actions (self->console_view));
  g_signal_connect_object (self->console, "incoming-call", G_CALLBACK (on_incoming_call), self, G_CONNECT_SWAPPED);
  attendant_sounds_set_console (self->sounds, self->console);
  g_signal_connect_object (self->console_view, "message", G_CALLBACK (attendant_window_show_toast), self, G_CONNECT_SWAPPED);
  attendant_reconnect_banner_set_client (self->banner, self->client);
  attendant_phone_system_banner_set_console (self->phone_system_banner, self->console);

  g_signal_connect_object (self->client, "notify::state", G_CALLBACK (on_state_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "connected", G_CALLBACK (on_connected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "reconnect-scheduled", G_CALLBACK (on_reconnect_scheduled), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "auth-failed", G_CALLBACK (on_auth_failed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "certificate-rejected", G_CALLBACK (on_certificate_rejected), self, G_CONNECT_SWAPPED);

  update_state (self);
  update_dial_banner (self);
}

static void
attendant_window_dispose (GObject *object)
{
  AttendantWindow *self = ATTENDANT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->leave_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->leave_dialog), (gpointer *)&self->leave_dialog);
  self->leave_dialog = NULL;

  if (self->held)
    {
      GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

      self->held = FALSE;
      if (app != NULL)
        g_application_release (app);
    }

  /* A window gone (quit, or closed outside the background mode) logs
   * out: the server should not keep offering calls to an operator who is
   * gone. */
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
  if (self->sounds != NULL)
    attendant_sounds_set_console (self->sounds, NULL);
  g_clear_object (&self->sounds);
  g_clear_object (&self->console);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_host, g_free);
  g_clear_object (&self->message_toast);
  g_clear_pointer (&self->pending_number, g_free);

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

static gboolean
attendant_window_close_request (GtkWindow *window)
{
  if (attendant_window_actions_close_request (ATTENDANT_WINDOW (window)))
    return TRUE;

  return GTK_WINDOW_CLASS (attendant_window_parent_class)->close_request (window);
}

static void
attendant_window_class_init (AttendantWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  window_class->close_request = attendant_window_close_request;

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
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, login_page);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, console_view);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, dial_banner);
  gtk_widget_class_bind_template_child (widget_class, AttendantWindow, dial_banner_label);
}

static void
attendant_window_init (AttendantWindow *self)
{
  g_autoptr(GtkShortcutsWindow) shortcuts = attendant_shortcuts_window_new ();

  g_type_ensure (ATTENDANT_TYPE_CONSOLE_VIEW);
  g_type_ensure (ATTENDANT_TYPE_LOGIN_PAGE);
  g_type_ensure (ATTENDANT_TYPE_STATUS_BUTTON);
  g_type_ensure (ATTENDANT_TYPE_RECONNECT_BANNER);
  g_type_ensure (ATTENDANT_TYPE_PHONE_SYSTEM_BANNER);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  self->cancellable = g_cancellable_new ();
  self->sounds = attendant_sounds_new ();

  attendant_window_actions_init (self);
  gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (self), shortcuts);
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

  attendant_login_page_set_password (self->login_page, password);
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

  attendant_login_page_prefill (self->login_page, server, user);
}
