/* attendant-console-actions.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-console-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-contact-row.h"
#include "attendant-console-view-private.h"
#include "attendant-enum-types.h"
#include "attendant-protocol.h"
#include "attendant-shortcuts.h"

/* What the console's keys, buttons and drops do: the "console." actions,
 * and the commands behind them. Every command goes through
 * attendant_console_run_async(); what it changes shows only when the
 * server's events and reply confirm it, and a failure is a toast (the
 * view's "message"). Every call placed — a colleague's Call button, a
 * typed number, Enter without a call in hand, a link opened on the
 * desktop — goes through attendant_console_view_dial() (or its twin for
 * the directory's pane), with one feedback. What the directory's pane
 * starts and the server accepts empties its search (search_done()). A transfer or consultation the telephone system would
 * refuse is not sent: the attendant is told why; one to a colleague who
 * is away asks first. */

/* {{{ What the keys act on */

static AttendantCall *
selected_call (AttendantConsoleView *self)
{
  return gtk_single_selection_get_selected_item (self->calls_selection);
}

AttendantContact *
attendant_console_view_selected_contact (AttendantConsoleView *self)
{
  AttendantSlot *slot = gtk_single_selection_get_selected_item (self->directory_selection);

  return slot != NULL ? attendant_slot_get_item (slot) : NULL;
}

/* While the operator consults a colleague, the caller waits on hold:
 * resuming or transferring that call is refused until the consultation
 * is completed or cancelled (docs/protocol.md §2.5). */
static gboolean
consulting (AttendantConsoleView *self)
{
  return self->console != NULL &&
         attendant_console_find_call (self->console, ATTENDANT_CALL_STATE_CONSULTING) != NULL;
}

/* The call F2 answers: one ringing the attendant (a recall comes back
 * to who transferred it), else the waiting call chosen in the queue,
 * else the one waiting longest. */
static AttendantCall *
call_to_answer (AttendantConsoleView *self)
{
  GListModel *queue;
  AttendantCall *call;

  if (self->console == NULL)
    return NULL;

  call = attendant_console_find_call (self->console, ATTENDANT_CALL_STATE_RINGING);
  if (call != NULL)
    return call;

  call = gtk_single_selection_get_selected_item (self->queue_selection);
  if (call != NULL)
    return call;

  queue = attendant_console_get_queue (self->console);
  if (g_list_model_get_n_items (queue) == 0)
    return NULL;

  call = g_list_model_get_item (queue, 0);
  g_object_unref (call); /* the model keeps it */
  return call;
}

/* The call a transfer or consultation acts on: the chosen one of the
 * attendant's calls, if it can be transferred; else the one they talk
 * to; else the one on hold. */
AttendantCall *
attendant_console_view_call_to_transfer (AttendantConsoleView *self)
{
  AttendantCall *call = selected_call (self);

  if (self->console == NULL || consulting (self))
    return NULL;

  if (call != NULL && attendant_call_can (call, ATTENDANT_COMMAND_TRANSFER))
    return call;

  call = attendant_console_find_call (self->console, ATTENDANT_CALL_STATE_ACTIVE);
  if (call != NULL)
    return call;

  return attendant_console_find_call (self->console, ATTENDANT_CALL_STATE_HELD);
}

static AttendantCall *
consultation (AttendantConsoleView *self)
{
  AttendantCall *call = selected_call (self);

  if (call != NULL && attendant_call_get_state (call) == ATTENDANT_CALL_STATE_CONSULTING)
    return call;

  return self->console != NULL
         ? attendant_console_find_call (self->console, ATTENDANT_CALL_STATE_CONSULTING)
         : NULL;
}

static void
set_enabled (AttendantConsoleView *self,
             const char           *name,
             gboolean              enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* The hint under the search, the colleagues' buttons and the typed
 * number's row follow the call in hand. */
/* The number typed is a colleague's, the one chosen at the top (the best
 * match): their row offers the same, and a second "Transfer to 201" above
 * it would be the same action twice. */
static gboolean
typed_number_listed (AttendantConsoleView *self)
{
  AttendantContact *contact = attendant_console_view_selected_contact (self);

  return contact != NULL && g_strcmp0 (attendant_contact_get_number (contact), self->typed_number) == 0;
}

static void
update_offers (AttendantConsoleView *self,
               AttendantCall        *in_hand,
               gboolean              online)
{
  /* During a consultation the next step is Complete or Cancel on the
   * call: a colleague's Call button would start a third call. */
  AttendantContactOffer offer = !online || consulting (self) ? ATTENDANT_CONTACT_OFFER_NONE
                                : in_hand != NULL ? ATTENDANT_CONTACT_OFFER_TRANSFER
                                : ATTENDANT_CONTACT_OFFER_CALL;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  g_autofree char *transfer_key = NULL;
  g_autofree char *consult_key = NULL;
  GHashTableIter iter;
  gpointer row;

  /* Every time, not only when the offer changes: a new login may be
   * another user's, with another extension. */
  self->offer = offer;
  g_hash_table_iter_init (&iter, self->contact_rows);
  while (g_hash_table_iter_next (&iter, &row, NULL))
    {
      attendant_contact_row_set_offer (row, offer);
      attendant_contact_row_set_own_number (row, attendant_console_get_extension (self->console));
    }

  if (self->typed_number != NULL)
    {
      g_autofree char *label = in_hand != NULL
                               /* TRANSLATORS: %s is a phone number the operator typed */
                               ? g_strdup_printf (_("Transfer to %s"), self->typed_number)
                               /* TRANSLATORS: %s is a phone number the operator typed */
                               : g_strdup_printf (_("Call %s"), self->typed_number);

      adw_button_content_set_label (self->typed_content, label);
      adw_button_content_set_icon_name (self->typed_content,
                                        in_hand != NULL ? "call-outgoing-symbolic" : "call-start-symbolic");
      gtk_widget_set_visible (self->typed_consult, in_hand != NULL);
    }
  gtk_widget_set_visible (self->typed_row, self->typed_number != NULL && !typed_number_listed (self));

  if (in_hand == NULL || !online)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->transfer_hint), FALSE);
      return;
    }

  title = attendant_console_dup_call_title (self->console, in_hand);
  transfer_key = attendant_shortcuts_dup_label ("directory.act");
  consult_key = attendant_shortcuts_dup_label ("directory.consult");
  /* TRANSLATORS: the first %s is the caller; the others are keys, as in "Enter" and "Shift+Enter" */
  text = g_strdup_printf (_("To transfer %s, choose a colleague: Transfer (%s) hands the call over, Consult (%s) lets you talk to them first"),
                          title, transfer_key, consult_key);
  gtk_label_set_label (self->transfer_hint, text);
  gtk_widget_set_visible (GTK_WIDGET (self->transfer_hint), TRUE);
}

void
attendant_console_view_update_actions (AttendantConsoleView *self)
{
  gboolean online = self->console != NULL && attendant_console_get_online (self->console);
  AttendantCall *answer = online ? call_to_answer (self) : NULL;
  AttendantCall *current = online ? selected_call (self) : NULL;
  AttendantCall *transfer = online ? attendant_console_view_call_to_transfer (self) : NULL;
  AttendantCall *consult = online ? consultation (self) : NULL;
  AttendantContact *contact = attendant_console_view_selected_contact (self);
  static const char *targeted[] = {
    "answer-call", "hold-call", "resume-call", "hangup-call", "complete-call", "cancel-call", "dial",
    "paused",
  };

  set_enabled (self, "answer", answer != NULL && attendant_call_can (answer, ATTENDANT_COMMAND_ANSWER));
  set_enabled (self, "hold", current != NULL &&
               (attendant_call_can (current, ATTENDANT_COMMAND_HOLD) ||
                (attendant_call_can (current, ATTENDANT_COMMAND_RESUME) && !consulting (self))));
  set_enabled (self, "hang-up", current != NULL && attendant_call_can (current, ATTENDANT_COMMAND_HANGUP));
  set_enabled (self, "transfer", transfer != NULL && contact != NULL);
  set_enabled (self, "consult", transfer != NULL && contact != NULL);
  set_enabled (self, "complete", consult != NULL && attendant_call_can (consult, ATTENDANT_COMMAND_COMPLETE));
  set_enabled (self, "cancel-consult", consult != NULL && attendant_call_can (consult, ATTENDANT_COMMAND_CANCEL_CONSULT));
  set_enabled (self, "typed-number", online && self->typed_number != NULL);
  set_enabled (self, "consult-typed", transfer != NULL && self->typed_number != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (targeted); i++)
    set_enabled (self, targeted[i], online);

  update_offers (self, transfer, online);
}

/* }}} */
/* {{{ Running commands */

typedef struct
{
  AttendantConsoleView *view;
  AttendantCommand      command;
  char                 *target;
  /* a transfer to make once the answer it waits for is confirmed: a call
   * dragged from the Waiting list is answered, then handed over */
  gboolean              then_transfer;
  AttendantCall        *call;
  /* the directory's search when the command was chosen from it: emptied
   * once the server accepts, unless the attendant typed on meanwhile */
  char                 *search;
} RunContext;

static void
run_context_free (RunContext *context)
{
  g_clear_object (&context->view);
  g_clear_object (&context->call);
  g_free (context->target);
  g_free (context->search);
  g_free (context);
}

/* What the operator must read now: the window shows it. */
void
attendant_console_view_toast (AttendantConsoleView *self,
                              const char           *text)
{
  g_signal_emit_by_name (self, "message", text);
}

static void run_full (AttendantConsoleView *self,
                      AttendantCommand      command,
                      AttendantCall        *call,
                      const char           *target,
                      gboolean              then_transfer,
                      gboolean              from_search);

/* The search found whom the call went to: it has done its job. Emptied,
 * so that the next Enter does not act on the same colleague again (once
 * the caller is gone, "Call 201" would ring them), and the keyboard back
 * in it for the next caller's name. Only when the command was chosen
 * from the directory's pane and the attendant has not typed since; the
 * focus moves only from that pane, where the row it was on may vanish. */
static void
search_done (AttendantConsoleView *self,
             const char           *search)
{
  GtkWidget *pane = gtk_paned_get_end_child (self->paned);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), search) != 0)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  if (focus == NULL || focus == pane || gtk_widget_is_ancestor (focus, pane))
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  RunContext *context = user_data;
  AttendantConsoleView *self = context->view;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *text = NULL;

  reply = attendant_console_run_finish (ATTENDANT_CONSOLE (object), result, &error);

  if (reply == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;
  else if (reply == NULL)
    {
      g_debug ("%s failed: %s", attendant_command_get_label (context->command), error->message);
      text = attendant_command_describe_error (context->command, context->target, error);
    }
  else if (context->command == ATTENDANT_COMMAND_DIAL)
    {
      /* Only now is the call real: the server placed it. */
      JsonObject *call = attendant_protocol_get_object (reply, "call");
      const char *name = call != NULL ? attendant_protocol_get_string (call, "caller_name") : NULL;

      if (name != NULL && *name != '\0')
        /* TRANSLATORS: the name of whom is being called, and the number */
        text = g_strdup_printf (_("Calling %s (%s)…"), name, context->target);
      else
        /* TRANSLATORS: %s is the number being called */
        text = g_strdup_printf (_("Calling %s…"), context->target);
    }
  else if (context->then_transfer)
    /* The answer's events came before its reply: the call is ours. */
    run_full (self, ATTENDANT_COMMAND_TRANSFER, context->call, context->target, FALSE,
              context->search != NULL);
  else if (context->command == ATTENDANT_COMMAND_TRANSFER && context->target != NULL)
    {
      g_autofree char *party = attendant_console_describe_party (self->console, context->target);

      /* TRANSLATORS: %s is the colleague; said once the server accepted the transfer */
      text = g_strdup_printf (_("Transferring to %s"), party);
    }

  if (reply != NULL && !context->then_transfer && context->search != NULL)
    search_done (self, context->search);

  if (text != NULL)
    attendant_console_view_toast (self, text);
  if (self->console != NULL)
    attendant_console_view_update_actions (self);
  run_context_free (context);
}

static void
run_full (AttendantConsoleView *self,
          AttendantCommand      command,
          AttendantCall        *call,
          const char           *target,
          gboolean              then_transfer,
          gboolean              from_search)
{
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  RunContext *context;

  if (self->console == NULL)
    return;

  context = g_new0 (RunContext, 1);
  context->view = g_object_ref (self);
  context->command = command;
  context->target = g_strdup (target);
  context->then_transfer = then_transfer;
  context->call = then_transfer ? g_object_ref (call) : NULL;
  context->search = from_search && *search != '\0' ? g_strdup (search) : NULL;

  attendant_console_run_async (self->console, command, call,
                               command == ATTENDANT_COMMAND_ANSWER ? NULL : target,
                               self->cancellable, run_cb, context);
  attendant_console_view_update_actions (self);
}

/**
 * attendant_console_view_run:
 * @call: (nullable): the call
 * @target: (nullable): a number, for transfers, consultations and dialling
 *
 * Runs @command, telling the operator if it fails. What it changes shows
 * when the server's events say so.
 */
void
attendant_console_view_run (AttendantConsoleView *self,
                            AttendantCommand      command,
                            AttendantCall        *call,
                            const char           *target)
{
  g_return_if_fail (ATTENDANT_IS_CONSOLE_VIEW (self));

  run_full (self, command, call, target, FALSE, FALSE);
}

/**
 * attendant_console_view_dial:
 * @number: the number to call
 *
 * Places a call: the one way every part of the app calls someone. Whether
 * the server placed it ("Calling Bruno Bianchi (201)…"), or why not, is
 * the view's "message".
 */
void
attendant_console_view_dial (AttendantConsoleView *self,
                             const char           *number)
{
  g_return_if_fail (ATTENDANT_IS_CONSOLE_VIEW (self));
  g_return_if_fail (number != NULL);

  run_full (self, ATTENDANT_COMMAND_DIAL, NULL, number, FALSE, FALSE);
}

/* A call placed from the directory's pane: a colleague's Call button,
 * Enter on a colleague or on the number typed. */
void
attendant_console_view_dial_from_search (AttendantConsoleView *self,
                                         const char           *number)
{
  run_full (self, ATTENDANT_COMMAND_DIAL, NULL, number, FALSE, TRUE);
}

/* }}} */
/* {{{ Handing a call over, with a warning first */

typedef struct
{
  AttendantConsoleView *view;
  AttendantCommand      command;
  AttendantCall        *call;
  char                 *number;
} HandOver;

static void
hand_over_free (HandOver *hand_over)
{
  g_clear_object (&hand_over->view);
  g_clear_object (&hand_over->call);
  g_free (hand_over->number);
  g_free (hand_over);
}

static void
hand_over_now (HandOver *hand_over)
{
  AttendantConsoleView *self = hand_over->view;
  AttendantCall *call = hand_over->call;

  if (call == NULL)
    call = attendant_console_view_call_to_transfer (self);
  if (call == NULL)
    return;

  /* A waiting caller dropped on a colleague: answered, then handed over. */
  if (attendant_call_get_state (call) == ATTENDANT_CALL_STATE_QUEUED)
    run_full (self, ATTENDANT_COMMAND_ANSWER, call, hand_over->number, TRUE, TRUE);
  else
    run_full (self, hand_over->command, call, hand_over->number, FALSE, TRUE);
}

static void
on_warning_response (AdwMessageDialog *dialog,
                     const char       *response,
                     HandOver         *hand_over)
{
  if (g_strcmp0 (response, "transfer") == 0)
    hand_over_now (hand_over);
}

static void
on_refusal_response (AdwMessageDialog *dialog,
                     const char       *response,
                     HandOver         *hand_over)
{
  if (g_strcmp0 (response, "hold") == 0 && hand_over->call != NULL &&
      attendant_call_can (hand_over->call, ATTENDANT_COMMAND_HOLD))
    attendant_console_view_run (hand_over->view, ATTENDANT_COMMAND_HOLD, hand_over->call, NULL);
}

/* A transfer or a consultation to a colleague on a call, ringing or
 * offline is refused with the protocol's "busy" (docs/protocol.md §2.5:
 * contact_can_ring() in the simulated system, checked_target() for
 * Asterisk), and the simulated system refuses do-not-disturb too, which
 * asks for no calls anyway: offering to try would only end in that
 * error. Away rings; a transfer nobody answers comes back to the
 * attendant. (An attendant who paused is away and refused as well; the
 * directory does not say who is an attendant, so the error says it.) */
static gboolean
refused_by_server (AttendantPresence presence)
{
  return presence == ATTENDANT_PRESENCE_BUSY || presence == ATTENDANT_PRESENCE_RINGING ||
         presence == ATTENDANT_PRESENCE_DND || presence == ATTENDANT_PRESENCE_OFFLINE;
}

static char *
dup_refusal_reason (AttendantContact  *contact,
                    AttendantPresence  presence)
{
  const char *name = attendant_contact_get_name (contact);

  switch (presence)
    {
    case ATTENDANT_PRESENCE_BUSY:
      /* TRANSLATORS: %s is a colleague's name */
      return g_strdup_printf (_("%s is on another call, and the phone system puts no second call through."), name);
    case ATTENDANT_PRESENCE_RINGING:
      /* TRANSLATORS: %s is a colleague's name */
      return g_strdup_printf (_("%s’s phone is already ringing with another call."), name);
    case ATTENDANT_PRESENCE_DND:
      /* TRANSLATORS: %s is a colleague's name */
      return g_strdup_printf (_("%s asked not to be disturbed."), name);
    case ATTENDANT_PRESENCE_AVAILABLE:
    case ATTENDANT_PRESENCE_AWAY:
    case ATTENDANT_PRESENCE_OFFLINE:
    default:
      /* TRANSLATORS: %s is a colleague's name */
      return g_strdup_printf (_("%s’s phone is not connected."), name);
    }
}

/* What is certain: the call cannot go there, and it stays where it is.
 * The caller in hand can be put on hold while the attendant looks for
 * someone else; one still waiting stays first in the queue. */
static GtkWidget *
refusal_dialog_new (GtkWindow        *parent,
                    HandOver         *hand_over,
                    AttendantContact *contact,
                    AttendantPresence presence)
{
  AttendantCall *call = hand_over->call != NULL ? hand_over->call
                                                : attendant_console_view_call_to_transfer (hand_over->view);
  gboolean waiting = call != NULL && attendant_call_get_state (call) == ATTENDANT_CALL_STATE_QUEUED;
  gboolean can_hold = call != NULL && attendant_call_can (call, ATTENDANT_COMMAND_HOLD);
  g_autofree char *heading = NULL;
  g_autofree char *reason = dup_refusal_reason (contact, presence);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  g_set_object (&hand_over->call, call);
  /* TRANSLATORS: %s is a colleague's name */
  heading = g_strdup_printf (_("%s Cannot Take the Call"), attendant_contact_get_name (contact));
  body = g_strjoin (" ", reason,
                    waiting ? _("The caller stays in the queue.")
                            : _("The caller stays with you: choose another colleague, or take a message."),
                    NULL);
  dialog = adw_message_dialog_new (parent, heading, body);
  gtk_widget_set_name (dialog, "transfer-refused");
  if (can_hold)
    {
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "keep", _("_Keep Talking"),
                                        "hold", _("Put on _Hold"),
                                        NULL);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
    }
  else
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "keep", _("_OK"));
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
    }
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_refusal_response), hand_over,
                         (GClosureNotify)(void (*) (void))hand_over_free, 0);

  return dialog;
}

/* Away: the phone rings, but nobody may answer; the call then comes
 * back to the attendant, so trying is safe. */
static GtkWidget *
warning_dialog_new (GtkWindow        *parent,
                    HandOver         *hand_over,
                    AttendantContact *contact)
{
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  /* TRANSLATORS: %s is a colleague's name */
  heading = g_strdup_printf (_("Transfer to %s?"), attendant_contact_get_name (contact));
  /* TRANSLATORS: %s is a colleague's name */
  body = g_strdup_printf (_("%s is away and may not answer. If nobody answers, the call comes back to you."),
                          attendant_contact_get_name (contact));
  dialog = adw_message_dialog_new (parent, heading, body);
  gtk_widget_set_name (dialog, "transfer-warning");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "transfer", _("_Transfer Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "transfer",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "transfer");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_warning_response), hand_over,
                         (GClosureNotify)(void (*) (void))hand_over_free, 0);

  return dialog;
}

/**
 * attendant_console_view_hand_over:
 * @command: %ATTENDANT_COMMAND_TRANSFER or %ATTENDANT_COMMAND_CONSULT
 * @call: (nullable): the call, else the one in hand
 * @number: the colleague's extension or any number
 *
 * Transfers @call (or consults about it) to @number. To a colleague the
 * telephone system would refuse, says why instead, and sends nothing;
 * to one who is away, asks first. Every caller is in the directory's
 * pane: once the server accepts, its search is emptied.
 */
void
attendant_console_view_hand_over (AttendantConsoleView *self,
                                  AttendantCommand      command,
                                  AttendantCall        *call,
                                  const char           *number)
{
  HandOver *hand_over;
  AttendantContact *contact;
  AttendantPresence presence;
  GtkWidget *dialog;
  GtkRoot *root;

  g_assert (command == ATTENDANT_COMMAND_TRANSFER || command == ATTENDANT_COMMAND_CONSULT);

  if (self->console == NULL || number == NULL)
    return;

  hand_over = g_new0 (HandOver, 1);
  hand_over->view = g_object_ref (self);
  hand_over->command = command;
  hand_over->call = call != NULL ? g_object_ref (call) : NULL;
  hand_over->number = g_strdup (number);

  contact = attendant_directory_lookup_number (attendant_console_get_directory (self->console), number);
  presence = contact != NULL ? attendant_contact_get_presence (contact) : ATTENDANT_PRESENCE_AVAILABLE;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (!GTK_IS_WINDOW (root) || (presence != ATTENDANT_PRESENCE_AWAY && !refused_by_server (presence)))
    {
      hand_over_now (hand_over);
      hand_over_free (hand_over);
      return;
    }

  if (refused_by_server (presence))
    dialog = refusal_dialog_new (GTK_WINDOW (root), hand_over, contact, presence);
  else
    dialog = warning_dialog_new (GTK_WINDOW (root), hand_over, contact);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * attendant_console_view_act_on_number:
 *
 * Enter on a colleague or a typed number: transfer the call in hand to
 * it, or call it when there is none.
 */
void
attendant_console_view_act_on_number (AttendantConsoleView *self,
                                      const char           *number)
{
  if (number == NULL)
    return;

  if (attendant_console_view_call_to_transfer (self) != NULL)
    attendant_console_view_hand_over (self, ATTENDANT_COMMAND_TRANSFER, NULL, number);
  else
    attendant_console_view_dial_from_search (self, number);
}

/* }}} */
/* {{{ The actions */

static AttendantCall *
lookup_target_call (AttendantConsoleView *self,
                    GVariant             *parameter)
{
  if (self->console == NULL || parameter == NULL)
    return NULL;

  return attendant_console_lookup_call (self->console, g_variant_get_string (parameter, NULL));
}

static void
answer_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  AttendantCall *call = call_to_answer (self);

  if (call != NULL)
    attendant_console_view_run (self, ATTENDANT_COMMAND_ANSWER, call, NULL);
}

static void
hold_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  AttendantCall *call = selected_call (self);

  if (call == NULL)
    return;

  if (attendant_call_can (call, ATTENDANT_COMMAND_HOLD))
    attendant_console_view_run (self, ATTENDANT_COMMAND_HOLD, call, NULL);
  else if (attendant_call_can (call, ATTENDANT_COMMAND_RESUME))
    attendant_console_view_run (self, ATTENDANT_COMMAND_RESUME, call, NULL);
}

static void
hang_up_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  AttendantCall *call = selected_call (self);

  if (call != NULL)
    attendant_console_view_run (self, ATTENDANT_COMMAND_HANGUP, call, NULL);
}

static void
transfer_to_selected (AttendantConsoleView *self,
                      AttendantCommand      command)
{
  AttendantContact *contact = attendant_console_view_selected_contact (self);

  if (contact != NULL && attendant_console_view_call_to_transfer (self) != NULL)
    attendant_console_view_hand_over (self, command, NULL, attendant_contact_get_number (contact));
}

static void
transfer_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  transfer_to_selected (user_data, ATTENDANT_COMMAND_TRANSFER);
}

static void
consult_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  transfer_to_selected (user_data, ATTENDANT_COMMAND_CONSULT);
}

static void
complete_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  AttendantCall *call = consultation (self);

  if (call != NULL)
    attendant_console_view_run (self, ATTENDANT_COMMAND_COMPLETE, call, NULL);
}

static void
cancel_consult_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  AttendantCall *call = consultation (self);

  if (call != NULL)
    attendant_console_view_run (self, ATTENDANT_COMMAND_CANCEL_CONSULT, call, NULL);
}

static void
focus_search_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  attendant_console_view_focus_search (user_data);
}

static void
move_selection (AttendantConsoleView *self,
                int                   delta)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->calls_selection));
  guint position = gtk_single_selection_get_selected (self->calls_selection);
  guint next;

  if (n == 0)
    return;

  if (position == GTK_INVALID_LIST_POSITION)
    next = delta > 0 ? 0 : n - 1;
  else
    next = (position + n + delta) % n;

  gtk_single_selection_set_selected (self->calls_selection, next);
}

static void
next_call_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  move_selection (user_data, 1);
}

static void
previous_call_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  move_selection (user_data, -1);
}

#define TARGETED_ACTION(fn, command)                                              \
  static void                                                                     \
  fn (GSimpleAction *action, GVariant *parameter, gpointer user_data)             \
  {                                                                               \
    AttendantConsoleView *self = user_data;                                       \
    AttendantCall *call = lookup_target_call (self, parameter);                   \
                                                                                  \
    if (call != NULL)                                                             \
      attendant_console_view_run (self, command, call, NULL);                     \
  }

TARGETED_ACTION (answer_call_activated, ATTENDANT_COMMAND_ANSWER)
TARGETED_ACTION (hold_call_activated, ATTENDANT_COMMAND_HOLD)
TARGETED_ACTION (resume_call_activated, ATTENDANT_COMMAND_RESUME)
TARGETED_ACTION (hangup_call_activated, ATTENDANT_COMMAND_HANGUP)
TARGETED_ACTION (complete_call_activated, ATTENDANT_COMMAND_COMPLETE)
TARGETED_ACTION (cancel_call_activated, ATTENDANT_COMMAND_CANCEL_CONSULT)

static void
dial_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  attendant_console_view_dial (user_data, g_variant_get_string (parameter, NULL));
}

static void
typed_number_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;

  attendant_console_view_act_on_number (self, self->typed_number);
}

static void
consult_typed_activated (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  AttendantConsoleView *self = user_data;

  if (self->typed_number != NULL && attendant_console_view_call_to_transfer (self) != NULL)
    attendant_console_view_hand_over (self, ATTENDANT_COMMAND_CONSULT, NULL, self->typed_number);
}

/* The attendant's pause: "away" for the server, which then offers them no
 * call (docs/server.md). The toggle shows what the server says, not what
 * was asked: attendant_console_view_follow_presence() sets it. */
static void
paused_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  AttendantConsoleView *self = user_data;
  gboolean paused = g_variant_get_boolean (value);

  attendant_console_view_run (self, ATTENDANT_COMMAND_SET_PRESENCE, NULL,
                              attendant_enum_to_nick (ATTENDANT_TYPE_PRESENCE,
                                                      paused ? ATTENDANT_PRESENCE_AWAY
                                                             : ATTENDANT_PRESENCE_AVAILABLE));
}

void
attendant_console_view_follow_presence (AttendantConsoleView *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "paused");
  AttendantPresence presence = self->console != NULL ? attendant_console_get_presence (self->console)
                                                     : ATTENDANT_PRESENCE_AVAILABLE;

  gboolean paused = presence == ATTENDANT_PRESENCE_AWAY;

  /* On a call the server says "busy", which says nothing of the pause. */
  if (presence != ATTENDANT_PRESENCE_AWAY && presence != ATTENDANT_PRESENCE_AVAILABLE)
    return;

  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (paused));
  /* Said in words and colour too: a pressed button alone is easy to miss
   * for a whole morning. */
  adw_button_content_set_label (self->pause_content, paused ? _("_Paused") : _("_Pause"));
  if (paused)
    gtk_widget_add_css_class (self->pause_button, "attendant-paused");
  else
    gtk_widget_remove_css_class (self->pause_button, "attendant-paused");
}

static const GActionEntry console_actions[] = {
  { "answer", answer_activated },
  { "hold", hold_activated },
  { "hang-up", hang_up_activated },
  { "transfer", transfer_activated },
  { "consult", consult_activated },
  { "complete", complete_activated },
  { "cancel-consult", cancel_consult_activated },
  { "focus-search", focus_search_activated },
  { "next-call", next_call_activated },
  { "previous-call", previous_call_activated },
  { "answer-call", answer_call_activated, "s" },
  { "hold-call", hold_call_activated, "s" },
  { "resume-call", resume_call_activated, "s" },
  { "hangup-call", hangup_call_activated, "s" },
  { "complete-call", complete_call_activated, "s" },
  { "cancel-call", cancel_call_activated, "s" },
  { "dial", dial_activated, "s" },
  { "typed-number", typed_number_activated },
  { "consult-typed", consult_typed_activated },
  { "paused", NULL, NULL, "false", paused_change_state },
};

void
attendant_console_view_init_actions (AttendantConsoleView *self)
{
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), console_actions,
                                   G_N_ELEMENTS (console_actions), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "console", G_ACTION_GROUP (self->actions));
}

/* }}} */
