/* attendant-window-actions.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-window-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-window-private.h"

/* What the operator asks of the window — log in and out, reconnect, help
 * — and leaving it: a word before a call in hand is abandoned, and the
 * background mode, in which closing the window keeps the session and its
 * notifications. The keys are in attendant-shortcuts.c. */

#define HELP_URI "help:" APPLICATION_ID

typedef enum
{
  LEAVE_LOG_OUT,
  LEAVE_CLOSE,
  LEAVE_QUIT,
} Leave;

static gboolean
client_running (AttendantWindow *self)
{
  AttendantClientState state = attendant_client_get_state (self->client);

  return (state == ATTENDANT_CLIENT_STATE_CONNECTING ||
          state == ATTENDANT_CLIENT_STATE_CONNECTED ||
          state == ATTENDANT_CLIENT_STATE_WAITING);
}

/* The calls only this console can still resume, transfer or hang up. */
static guint
count_calls_in_hand (AttendantWindow *self,
                     guint           *held)
{
  GListModel *calls;
  guint n_in_hand = 0;

  *held = 0;
  if (!attendant_console_get_online (self->console))
    return 0;

  calls = attendant_console_get_calls (self->console);
  for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
    {
      g_autoptr(AttendantCall) call = g_list_model_get_item (calls, i);

      switch (attendant_call_get_state (call))
        {
        case ATTENDANT_CALL_STATE_HELD:
          (*held)++;
          G_GNUC_FALLTHROUGH;
        case ATTENDANT_CALL_STATE_ACTIVE:
        case ATTENDANT_CALL_STATE_CONSULTING:
        case ATTENDANT_CALL_STATE_TRANSFERRING:
          n_in_hand++;
          break;

        case ATTENDANT_CALL_STATE_QUEUED:
        case ATTENDANT_CALL_STATE_RINGING:
        case ATTENDANT_CALL_STATE_ENDED:
        default:
          break;
        }
    }

  return n_in_hand;
}

static void
log_out (AttendantWindow *self)
{
  /* Leaving the console, the next person to log in starts afresh; Cancel
   * on the form while it connects keeps what was typed, to be corrected. */
  gboolean from_console = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") == 0;

  attendant_client_stop (self->client);
  if (from_console)
    {
      attendant_login_page_reset (self->login_page);
      attendant_console_view_clear_search (self->console_view);
    }

  /* A call asked for before is not carried over to whoever logs in next. */
  if (self->pending_number != NULL)
    {
      /* TRANSLATORS: %s is the phone number a link asked to call */
      g_autofree char *text = g_strdup_printf (_("%s was not called: you logged out"),
                                               self->pending_number);

      attendant_window_set_pending_number (self, NULL);
      attendant_window_show_toast (self, text);
    }
}

static void
leave (AttendantWindow *self,
       Leave            how)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  switch (how)
    {
    case LEAVE_LOG_OUT:
      log_out (self);
      break;

    case LEAVE_QUIT:
      if (app != NULL)
        {
          g_application_quit (G_APPLICATION (app));
          break;
        }
      G_GNUC_FALLTHROUGH;

    case LEAVE_CLOSE:
    default:
      self->leaving = TRUE;
      gtk_window_destroy (GTK_WINDOW (self));
      break;
    }
}

static void
on_leave_response (AdwMessageDialog *dialog,
                   const char       *response,
                   AttendantWindow  *self)
{
  if (g_str_equal (response, "leave"))
    leave (self, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "leave")));
}

/* A held caller hears music until someone resumes the call; once the
 * console is gone nobody can. So leaving with calls in hand is asked
 * first, naming what would be left, with Cancel as the default. */
static void
confirm_leave (AttendantWindow *self,
               Leave            how)
{
  guint held = 0;
  guint n = count_calls_in_hand (self, &held);
  g_autoptr(GString) body = NULL;
  AdwMessageDialog *dialog;

  if (n == 0)
    {
      leave (self, how);
      return;
    }

  if (self->leave_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->leave_dialog));
      return;
    }

  body = g_string_new (NULL);
  g_string_printf (body,
                   ngettext ("You have %u call in progress.",
                             "You have %u calls in progress.", n), n);
  if (held > 0)
    {
      g_string_append_c (body, ' ');
      g_string_append_printf (body,
                              ngettext ("%u caller is on hold and would be left there.",
                                        "%u callers are on hold and would be left there.", held),
                              held);
    }
  g_string_append_c (body, ' ');
  g_string_append (body, _("This console could no longer resume, transfer or hang them up."));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       how == LEAVE_LOG_OUT ?
                                                         _("Log Out With Calls in Progress?") :
                                                         _("Quit With Calls in Progress?"),
                                                       body->str));
  gtk_widget_set_name (GTK_WIDGET (dialog), "leave-dialog");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "leave", how == LEAVE_LOG_OUT ? _("_Log Out") : _("_Quit"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "leave", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "leave", GINT_TO_POINTER (how));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_leave_response), self, 0);
  self->leave_dialog = GTK_WIDGET (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *)&self->leave_dialog);

  /* From the background, the question needs its window. */
  gtk_window_present (GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * attendant_window_quit:
 *
 * Quits the application (or closes the window outside one), after asking
 * when calls are in hand, as Ctrl+Q and the menu's Quit do.
 */
void
attendant_window_quit (AttendantWindow *self)
{
  g_return_if_fail (ATTENDANT_IS_WINDOW (self));

  confirm_leave (self, LEAVE_QUIT);
}

/* {{{ The background */

static void
background_requested_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* The portal answers on a Request object later; without it (an old
   * portal, or none) GNOME still lets the app run, only unlisted. */
  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    g_debug ("No background portal: %s", error->message);
}

/* In a Flatpak sandbox, GNOME asks the portal's permission for an app
 * without windows and lists it among the background apps; outside one
 * nothing needs asking. */
static void
request_background (AttendantWindow *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  GDBusConnection *bus = app != NULL ? g_application_get_dbus_connection (app) : NULL;
  GVariantBuilder options;

  if (bus == NULL || !g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "reason",
                         g_variant_new_string (_("Keeps you logged in to the console and notifies you of incoming calls")));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (FALSE));
  g_dbus_connection_call (bus,
                          "org.freedesktop.portal.Desktop",
                          "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Background",
                          "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options),
                          G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1,
                          self->cancellable, background_requested_cb, NULL);
}

static void
on_visible_changed (AttendantWindow *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  /* Shown again (the app activated, a notification clicked): the window
   * keeps the application alive by itself. */
  if (self->held && gtk_widget_get_visible (GTK_WIDGET (self)))
    {
      self->held = FALSE;
      if (app != NULL)
        g_application_release (app);
    }
}

/* The window's close button and Ctrl+W. */
gboolean
attendant_window_actions_close_request (AttendantWindow *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autofree char *action = NULL;

  if (self->leaving)
    return FALSE;

  action = g_settings_get_string (self->settings, "close-action");
  if (g_str_equal (action, "background") && client_running (self))
    {
      /* A window no one sees is not the active one: incoming calls and
       * failovers reach the desktop as notifications. */
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      if (!self->held && app != NULL)
        {
          self->held = TRUE;
          g_application_hold (app);
          request_background (self);
        }
      return TRUE;
    }

  if (count_calls_in_hand (self, &(guint){0}) == 0)
    return FALSE;

  confirm_leave (self, LEAVE_CLOSE);
  return TRUE;
}

/* }}} */
/* {{{ Actions */

void
attendant_window_actions_update (AttendantWindow *self)
{
  AttendantClientState state = attendant_client_get_state (self->client);
  gboolean running = client_running (self);
  GAction *action;

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "log-in");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), !running);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "log-out");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), running);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "reconnect");
  /* "Reconnect now" is always there while the client runs; during an
   * attempt it starts the cycle afresh. */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               running || state == ATTENDANT_CLIENT_STATE_WAITING);
}

static void
log_in_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  AttendantWindow *self = ATTENDANT_WINDOW (user_data);

  attendant_login_page_log_in (self->login_page);
}

static void
log_out_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  confirm_leave (ATTENDANT_WINDOW (user_data), LEAVE_LOG_OUT);
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

static void
cancel_dial_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  attendant_window_set_pending_number (ATTENDANT_WINDOW (user_data), NULL);
}

static void
help_shown_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(AttendantWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Not a warning: a desktop without a help viewer is not a fault of
   * the app, and the operator is told. */
  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error))
    {
      g_autofree char *text = NULL;

      g_debug ("Help not shown: %s", error->message);
      /* TRANSLATORS: %s says why */
      text = g_strdup_printf (_("The help could not be opened: %s"), error->message);
      attendant_window_show_toast (self, text);
    }
}

static void
help_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  AttendantWindow *self = ATTENDANT_WINDOW (user_data);

  gtk_show_uri_full (GTK_WINDOW (self), HELP_URI, GDK_CURRENT_TIME,
                     self->cancellable, help_shown_cb, g_object_ref (self));
}

static const GActionEntry win_actions[] = {
  { "log-in", log_in_activated },
  { "log-out", log_out_activated },
  { "reconnect", reconnect_activated },
  { "show-status", show_status_activated },
  { "cancel-dial", cancel_dial_activated },
  { "help", help_activated },
};

void
attendant_window_actions_init (AttendantWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
  g_signal_connect (self, "notify::visible", G_CALLBACK (on_visible_changed), NULL);
}

/* }}} */
