/* attendant-window-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "attendant-console-view.h"
#include "attendant-login-page.h"
#include "attendant-phone-system-banner.h"
#include "attendant-reconnect-banner.h"
#include "attendant-sounds.h"
#include "attendant-status-button.h"
#include "attendant-window.h"

G_BEGIN_DECLS

/* Shared by attendant-window.c and attendant-window-actions.c, the two
 * halves of one class: the window's state and its client's signals in the
 * first, what the operator asks of it (actions, keys, leaving) in the
 * second. */
struct _AttendantWindow
{
  AdwApplicationWindow  parent_instance;

  AttendantClient      *client;
  AttendantConsole     *console;
  AttendantSounds      *sounds;
  GSettings            *settings;
  /* The endpoint host of the last session, for the failover message */
  char                 *last_host;
  /* whether last_host was the primary, for the failover toast's words */
  gboolean              last_was_preferred;
  /* the toast on screen, rewritten by the next message */
  AdwToast             *message_toast;
  AdwToastOverlay      *message_toast_overlay;  /* where message_toast is shown */
  /* The number a link asked to call while not logged in, called at the
   * next login unless the operator cancels it or logs out */
  char                 *pending_number;
  GCancellable         *cancellable;
  /* hidden in the background, holding the application */
  gboolean              held;
  /* the operator confirmed leaving: close without asking again */
  gboolean              leaving;
  /* the question on screen, so a second Ctrl+Q does not stack another */
  GtkWidget            *leave_dialog;

  AttendantStatusButton    *status_button;
  AttendantReconnectBanner *banner;
  AttendantPhoneSystemBanner *phone_system_banner;
  GtkStack             *stack;
  AdwToastOverlay      *toast_overlay;
  AttendantLoginPage   *login_page;
  AttendantConsoleView *console_view;
  GtkRevealer          *dial_banner;
  GtkLabel             *dial_banner_label;
};

/* What the window does when the client moves to another server: a toast,
 * and a desktop notification when the window is not active. Separate from
 * the client's signals so that tests can replay moves faster than a real
 * failover can happen. */
void attendant_window_notify_move (AttendantWindow *self,
                                   const char      *id,
                                   const char      *title,
                                   const char      *body);

/* attendant-window.c */
void attendant_window_show_toast          (AttendantWindow *self,
                                           const char      *text);
void attendant_window_set_pending_number  (AttendantWindow *self,
                                           const char      *number);

/* attendant-window-actions.c */
void     attendant_window_actions_init    (AttendantWindow *self);
void     attendant_window_actions_update  (AttendantWindow *self);
gboolean attendant_window_actions_close_request (AttendantWindow *self);

G_END_DECLS
