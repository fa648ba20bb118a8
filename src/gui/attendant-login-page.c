/* attendant-login-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-login-page"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-login-page.h"
#include "attendant-password-store.h"
#include "attendant-secret.h"
#include "attendant-settings-mapping.h"

/* The login form: server, user, password (from the keyring when the
 * operator asked for that), transport, and below it what each address of
 * the plan answered. It starts the client with what was typed and
 * follows the client's attempts; which page the window shows is the
 * window's business. */

struct _AttendantLoginPage
{
  AdwBin                parent_instance;

  AttendantClient      *client;
  GSettings            *settings;
  GCancellable         *cancellable;
  /* "host:port" of each endpoint of the current plan → its row */
  GHashTable           *attempt_rows;
  /* What the last log-in typed, kept until it succeeds, for the keyring */
  char                 *login_server;
  char                 *login_user;
  char                 *login_password;

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
};

G_DEFINE_FINAL_TYPE (AttendantLoginPage, attendant_login_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
attendant_login_page_show_error (AttendantLoginPage *self,
                                 const char         *message)
{
  g_return_if_fail (ATTENDANT_IS_LOGIN_PAGE (self));

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
  g_autoptr(AttendantLoginPage) self = user_data;
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
look_up_password (AttendantLoginPage *self)
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
on_remember_changed (AttendantLoginPage *self)
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
forget_login (AttendantLoginPage *self)
{
  g_clear_pointer (&self->login_server, g_free);
  g_clear_pointer (&self->login_user, g_free);
  g_clear_pointer (&self->login_password, attendant_secret_free);
}

/* }}} */
/* {{{ The client's attempts */

static void
clear_attempts (AttendantLoginPage *self)
{
  GtkWidget *child;

  g_hash_table_remove_all (self->attempt_rows);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attempts_list))) != NULL)
    gtk_list_box_remove (self->attempts_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->attempts_group), FALSE);
}

static void
on_connecting (AttendantLoginPage *self,
               AttendantPlan      *plan)
{
  guint n = attendant_plan_get_n_endpoints (plan);

  clear_attempts (self);

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
on_attempt (AttendantLoginPage *self,
            AttendantAttempt   *attempt)
{
  g_autofree char *key = endpoint_key (attendant_attempt_get_endpoint (attempt));
  AdwActionRow *row = g_hash_table_lookup (self->attempt_rows, key);
  const GError *error = attendant_attempt_get_error (attempt);
  AttendantAttemptOutcome outcome = attendant_attempt_get_outcome (attempt);
  const char *advice = outcome_advice (outcome);
  g_autoptr(GString) subtitle = NULL;

  if (row == NULL)
    return;

  subtitle = g_string_new (NULL);
  /* TRANSLATORS: an address's outcome, the address, and how long it took */
  g_string_printf (subtitle, _("%s — %s, %.0f ms"),
                   outcome_text (outcome),
                   attendant_attempt_get_address (attempt) != NULL ?
                     attendant_attempt_get_address (attempt) : key,
                   attendant_attempt_get_elapsed_ms (attempt));
  if (error != NULL)
    g_string_append_printf (subtitle, "\n%s", error->message);
  if (advice != NULL)
    g_string_append_printf (subtitle, "\n%s", advice);

  adw_action_row_set_subtitle (row, subtitle->str);
}

static void
on_connected (AttendantLoginPage *self,
              AttendantSession   *session,
              gboolean            failover,
              gboolean            failback)
{
  if (failover || failback || self->login_server == NULL)
    return;

  if (gtk_switch_get_active (self->remember_switch))
    attendant_password_store_save_async (attendant_password_store_get_default (),
                                         self->login_server, self->login_user,
                                         self->login_password, self->cancellable,
                                         password_saved_cb, NULL);
  forget_login (self);
}

static void
on_auth_failed (AttendantLoginPage *self,
                const char         *message)
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
  attendant_login_page_show_error (self, text);

  /* A remembered password that no longer works is not kept. */
  if (self->login_server != NULL && gtk_switch_get_active (self->remember_switch))
    attendant_password_store_clear_async (attendant_password_store_get_default (),
                                          self->login_server, self->login_user,
                                          self->cancellable, password_cleared_cb, NULL);
  forget_login (self);

  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  gtk_editable_select_region (GTK_EDITABLE (self->password_row), 0, -1);
}

static void
on_state_changed (AttendantLoginPage *self)
{
  AttendantClientState state = attendant_client_get_state (self->client);
  gboolean running = (state == ATTENDANT_CLIENT_STATE_CONNECTING ||
                      state == ATTENDANT_CLIENT_STATE_CONNECTED ||
                      state == ATTENDANT_CLIENT_STATE_WAITING);

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
}

/* }}} */

AttendantClient *
attendant_login_page_get_client (AttendantLoginPage *self)
{
  g_return_val_if_fail (ATTENDANT_IS_LOGIN_PAGE (self), NULL);

  return self->client;
}

void
attendant_login_page_set_client (AttendantLoginPage *self,
                                 AttendantClient    *client)
{
  g_return_if_fail (ATTENDANT_IS_LOGIN_PAGE (self));
  g_return_if_fail (client == NULL || ATTENDANT_IS_CLIENT (client));

  if (self->client == client)
    return;

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);

  if (client != NULL)
    {
      g_signal_connect_object (client, "notify::state", G_CALLBACK (on_state_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "connecting", G_CALLBACK (on_connecting), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "attempt", G_CALLBACK (on_attempt), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "connected", G_CALLBACK (on_connected), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "auth-failed", G_CALLBACK (on_auth_failed), self, G_CONNECT_SWAPPED);
      on_state_changed (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

/**
 * attendant_login_page_log_in:
 *
 * Starts the client with the form's server, user name and password,
 * remembering the server and user name for the next time.
 */
void
attendant_login_page_log_in (AttendantLoginPage *self)
{
  const char *server;
  const char *user;
  const char *password;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (ATTENDANT_IS_LOGIN_PAGE (self));
  g_return_if_fail (self->client != NULL);

  server = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  if (*server == '\0' || *user == '\0')
    {
      attendant_login_page_show_error (self, _("Enter the server and your user name."));
      return;
    }

  g_settings_set_string (self->settings, "server", server);
  g_settings_set_string (self->settings, "user-name", user);

  forget_login (self);
  self->login_server = g_strdup (server);
  self->login_user = g_strdup (user);
  self->login_password = g_strdup (password);

  attendant_login_page_show_error (self, NULL);
  g_object_set (self->client, "server", server, NULL);
  attendant_client_set_credentials (self->client, user, password);
  if (!attendant_client_start (self->client, &error))
    attendant_login_page_show_error (self, error->message);
}

void
attendant_login_page_set_password (AttendantLoginPage *self,
                                   const char         *password)
{
  g_return_if_fail (ATTENDANT_IS_LOGIN_PAGE (self));
  g_return_if_fail (password != NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
}

/**
 * attendant_login_page_prefill:
 * @server: (nullable): the server to log in to
 * @user: (nullable): the user name
 *
 * Fills the form, and looks the password up in the keyring when it is
 * remembered.
 */
void
attendant_login_page_prefill (AttendantLoginPage *self,
                              const char         *server,
                              const char         *user)
{
  g_return_if_fail (ATTENDANT_IS_LOGIN_PAGE (self));

  if (server == NULL && user == NULL)
    return;

  if (server != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);
  if (user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->user_row), user);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  look_up_password (self);
}

/**
 * attendant_login_page_reset:
 *
 * The form as the next person to log in should find it, after a log-out:
 * no password left in the field unless it is remembered (then it comes
 * back from the keyring), no error, no attempts of the last session.
 */
void
attendant_login_page_reset (AttendantLoginPage *self)
{
  g_return_if_fail (ATTENDANT_IS_LOGIN_PAGE (self));

  forget_login (self);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  look_up_password (self);
  attendant_login_page_show_error (self, NULL);
  clear_attempts (self);
}

static void
on_entry_activated (AttendantLoginPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.log-in", NULL);
}

static void
attendant_login_page_dispose (GObject *object)
{
  AttendantLoginPage *self = ATTENDANT_LOGIN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), ATTENDANT_TYPE_LOGIN_PAGE);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->attempt_rows, g_hash_table_unref);
  forget_login (self);

  G_OBJECT_CLASS (attendant_login_page_parent_class)->dispose (object);
}

static void
attendant_login_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  AttendantLoginPage *self = ATTENDANT_LOGIN_PAGE (object);

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
attendant_login_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  AttendantLoginPage *self = ATTENDANT_LOGIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      attendant_login_page_set_client (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_login_page_class_init (AttendantLoginPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attendant_login_page_dispose;
  object_class->get_property = attendant_login_page_get_property;
  object_class->set_property = attendant_login_page_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         ATTENDANT_TYPE_CLIENT,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/attendant/Attendant/attendant-login-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantLoginPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantLoginPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantLoginPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantLoginPage, transport_row);
  gtk_widget_class_bind_template_child (widget_class, AttendantLoginPage, remember_switch);
  gtk_widget_class_bind_template_child (widget_class, AttendantLoginPage, log_in_button);
  gtk_widget_class_bind_template_child (widget_class, AttendantLoginPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AttendantLoginPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, AttendantLoginPage, attempts_group);
  gtk_widget_class_bind_template_child (widget_class, AttendantLoginPage, attempts_list);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
}

static void
attendant_login_page_init (AttendantLoginPage *self)
{
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  self->cancellable = g_cancellable_new ();
  self->attempt_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

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
  look_up_password (self);
}
