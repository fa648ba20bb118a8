/* attendant-console-view-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "attendant-console-view.h"
#include "attendant-contact-row.h"
#include "attendant-history-view.h"
#include "attendant-slot-model.h"

G_BEGIN_DECLS

/* Shared by attendant-console-view.c (the panes and their rows) and
 * attendant-console-actions.c (what the keys and buttons do). */
struct _AttendantConsoleView
{
  GtkWidget             parent_instance;

  AttendantConsole     *console;
  GSimpleActionGroup   *actions;
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;
  /* the filtered directory through positions that stay (see
   * attendant-slot-model.c): a search updates the rows on screen instead
   * of replacing them */
  AttendantSlotModel   *directory_slots;
  GtkSingleSelection   *queue_selection;
  GtkSingleSelection   *calls_selection;
  GtkSingleSelection   *directory_selection;
  char                **terms;
  /* the search text, when it is a phone number (else NULL) */
  char                 *typed_number;
  /* AttendantCallRows on screen, ticked every second for their times */
  GHashTable           *live_rows;
  /* AttendantContactRows on screen, whose buttons follow the call in hand */
  GHashTable           *contact_rows;
  /* what they offer now (call, transfer or nothing) */
  AttendantContactOffer offer;
  guint                 tick_id;
  GCancellable         *cancellable;
  /* the wait-warning-seconds and wait-alert-seconds keys */
  GSettings            *settings;
  guint                 wait_warning;
  guint                 wait_alert;

  GtkPaned             *paned;
  AdwToastOverlay      *toast_overlay;
  GtkWidget            *pause_button;
  GtkWidget            *answer_button;
  AdwButtonContent     *pause_content;
  GtkLabel             *queue_count;
  GtkStack             *queue_stack;
  GtkListView          *queue_view;
  GtkStack             *calls_stack;
  GtkListView          *calls_view;
  AttendantHistoryView *history_view;
  GtkLabel             *directory_count;
  GtkSearchEntry       *search_entry;
  GtkLabel             *transfer_hint;
  GtkWidget            *typed_row;
  AdwButtonContent     *typed_content;
  GtkWidget            *typed_button;
  GtkWidget            *typed_consult;
  GtkStack             *directory_stack;
  GtkListView          *directory_view;
};

void              attendant_console_view_init_actions   (AttendantConsoleView *self);
void              attendant_console_view_update_actions (AttendantConsoleView *self);
void              attendant_console_view_toast          (AttendantConsoleView *self,
                                                         const char           *text);
AttendantCall    *attendant_console_view_call_to_transfer (AttendantConsoleView *self);
AttendantContact *attendant_console_view_selected_contact (AttendantConsoleView *self);
void              attendant_console_view_hand_over      (AttendantConsoleView *self,
                                                         AttendantCommand      command,
                                                         AttendantCall        *call,
                                                         const char           *number);
void              attendant_console_view_act_on_number  (AttendantConsoleView *self,
                                                         const char           *number);
void              attendant_console_view_dial_from_search (AttendantConsoleView *self,
                                                         const char           *number);
void              attendant_console_view_follow_presence (AttendantConsoleView *self);

G_END_DECLS
