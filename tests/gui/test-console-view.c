/* test-console-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-shortcuts.h"
#include "attendant-application.h"
#include "attendant-call-row.h"
#include "attendant-connection.h"
#include "attendant-greeting.h"
#include "attendant-console-view.h"
#include "attendant-contact-row.h"
#include "attendant-node.h"
#include "attendant-protocol.h"
#include "attendant-slot-model.h"
#include "attendant-test-fixture.h"
#include "attendant-test-gui.h"
#include "attendant-test-server.h"
#include "attendant-test-wait.h"
#include "attendant-window.h"

/* The switchboard as a receptionist uses it: the window logged in to the
 * reference server hosted in this process (on loopback), callers put in
 * the queue through the server's telephone system, and every step taken
 * the way the operator takes it — the console's keyboard actions
 * (resolved through the window, as its function keys are), the row
 * buttons, Enter in the directory search, a drop on a colleague. What is
 * checked is what the window shows, and the server's state behind it.
 *
 * With ATTENDANT_SCREENSHOT_DIR set, the panes are saved as PNG files.
 *
 * Longer than ~800 lines: every test here shares the fixture (a window
 * logged in to an in-process two-node server) and its helpers; the parts
 * that need no server are in test-call-row.c and test-contact-row.c. */

/* Colleagues, as an office's directory has them. */
#define DIRECTORY \
  "[directory]\n" \
  "201=Bruno Bianchi;Sales;available\n" \
  "202=Chiara Esposito;Accounts;busy\n" \
  "203=Davide Romano;Legal;away\n" \
  "204=Elena Colombo;Sales;available\n" \
  "205=Francesca Ricci;Support;dnd\n" \
  "206=Giorgio Marino;Support;available\n" \
  "207=Ilaria Greco;Management;available\n" \
  "208=Luca Bruno;Warehouse;offline\n" \
  "209=Marta Gallo;Reception;available\n" \
  "211=Nicolò Conti;Accounts;available\n" \
  "212=Paola De Luca;Sales;away\n" \
  "213=Roberto Mancini;IT;available\n"

typedef struct
{
  AttendantTestGuiServer *server;
  AttendantPbx           *pbx;
  AttendantApplication   *app;
  AttendantWindow        *window;
  AttendantConsole       *console;
} Fixture;

/* 1 in test-console-keys, the same source with only the tests that type
 * keys (see main()). */
#ifndef CONSOLE_TYPED_KEYS
#define CONSOLE_TYPED_KEYS 0
#endif

/* For tests that need the window in an application (notifications). */
#define WITH_APPLICATION "application"
/* For tests of what fits: the window at the size it first opens with. */
#define AT_DEFAULT_SIZE "default-size"
#define DEFAULT_WIDTH 960
#define DEFAULT_HEIGHT 680

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(AttendantClient) client = NULL;
  gboolean with_app = g_strcmp0 (data, WITH_APPLICATION) == 0;
  gboolean default_size = g_strcmp0 (data, AT_DEFAULT_SIZE) == 0;
  const char *more = data != NULL && !with_app && !default_size ? data : DIRECTORY;
  GtkWidget *row;

  attendant_test_gui_reset_settings ();
  f->server = attendant_test_gui_server_new_full (ATTENDANT_TEST_TWO_NODES, more);
  f->pbx = attendant_server_get_pbx (f->server->server);
  /* Seconds a test can wait for. */
  g_object_set (f->pbx, "answer-delay", 0.2, "ring-timeout", 1.0, "talk-time", 30.0, NULL);
  attendant_test_gui_use_server (TEST_DOMAIN);
  attendant_test_gui_server_publish_srv (f->server, "plain");

  client = attendant_test_gui_client_new (f->server);
  if (with_app)
    {
      g_autoptr(GError) error = NULL;

      f->app = attendant_application_new ();
      g_application_register (G_APPLICATION (f->app), NULL, &error);
      g_assert_no_error (error);
    }
  f->window = g_object_ref (attendant_window_new (ADW_APPLICATION (f->app), client));
  f->console = attendant_window_get_console (f->window);
  if (default_size)
    gtk_window_set_default_size (GTK_WINDOW (f->window), DEFAULT_WIDTH, DEFAULT_HEIGHT);
  else
    gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 700);
  gtk_window_present (GTK_WINDOW (f->window));

  row = attendant_test_gui_find_widget (GTK_WIDGET (f->window), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  gtk_editable_set_text (GTK_EDITABLE (row), TEST_PASSWORD);
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "log-in", NULL);
  /* A minute: the fixture of ten thousand contacts, under the sanitizer
   * build's slow unwinder, took over ten seconds to log in. */
  attendant_test_wait_until ((AttendantTestPredicate)attendant_console_get_online, f->console, 60000,
                             "the console online with the server's snapshot");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  attendant_test_gui_window_free (GTK_WIDGET (f->window));
  g_clear_object (&f->app);
  g_clear_pointer (&f->server, attendant_test_gui_server_free);
}

/* {{{ Helpers */

static AttendantCall *
inject (Fixture    *f,
        const char *number,
        const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) call = attendant_pbx_inject_call (f->pbx, number, name, NULL, NULL, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (call);
  return NULL;
}

typedef struct
{
  GListModel *model;
  guint       n;
} Count;

static gboolean
has_n_items (gpointer data)
{
  Count *count = data;

  return g_list_model_get_n_items (count->model) == count->n;
}

static void
wait_n (GListModel *model,
        guint       n,
        const char *what)
{
  Count count = { model, n };

  attendant_test_wait_until (has_n_items, &count, 10000, what);
}

static AttendantCall *
item (GListModel *model,
      guint       position)
{
  g_autoptr(AttendantCall) call = g_list_model_get_item (model, position);

  g_assert_nonnull (call);
  return call;
}

typedef struct
{
  AttendantCall      *call;
  AttendantCallState  state;
} StateWait;

static gboolean
in_state (gpointer data)
{
  StateWait *wait = data;

  return attendant_call_get_state (wait->call) == wait->state && !attendant_call_get_pending (wait->call);
}

static void
wait_state (AttendantCall      *call,
            AttendantCallState  state,
            const char         *what)
{
  StateWait wait = { call, state };

  attendant_test_wait_until (in_state, &wait, 10000, what);
}

static void
press (Fixture    *f,
       const char *action)
{
  /* Through the window, as a function key reaches it: the window's
   * muxer resolves "console." from any focus. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), action, NULL));
}

static gboolean
action_enabled (Fixture    *f,
                const char *name)
{
  AttendantConsoleView *view = ATTENDANT_CONSOLE_VIEW (attendant_test_gui_find_widget (GTK_WIDGET (f->window),
                                                                                     ATTENDANT_TYPE_CONSOLE_VIEW, NULL));

  return g_action_group_get_action_enabled (attendant_console_view_get_actions (view), name);
}

static GtkWidget *
search_entry (Fixture *f)
{
  GtkWidget *entry = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_SEARCH_ENTRY, "directory-search");

  g_assert_nonnull (entry);
  return entry;
}

static gboolean
label_shown (gpointer data)
{
  Fixture *f = ((gpointer *)data)[0];
  const char *text = ((gpointer *)data)[1];
  GtkWidget *label = attendant_test_gui_find_label (GTK_WIDGET (f->window), text);

  return label != NULL && gtk_widget_get_mapped (label);
}

static void
wait_label (Fixture    *f,
            const char *text)
{
  gpointer data[] = { f, (gpointer)text };
  g_autofree char *what = g_strdup_printf ("“%s” on screen", text);

  attendant_test_wait_until (label_shown, data, 60000, what);
}

static gboolean
filter_done (gpointer data)
{
  GtkWidget *view = data;
  GtkSelectionModel *model = gtk_list_view_get_model (GTK_LIST_VIEW (view));
  GListModel *slots = gtk_single_selection_get_model (GTK_SINGLE_SELECTION (model));
  GListModel *filtered = attendant_slot_model_get_model (ATTENDANT_SLOT_MODEL (slots));

  /* Filtered, and every match shown in the list (which grows and shrinks
   * in steps). */
  return gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (filtered)) == 0 &&
         attendant_slot_model_get_pending (ATTENDANT_SLOT_MODEL (slots)) == 0 &&
         g_list_model_get_n_items (slots) == g_list_model_get_n_items (filtered);
}

static guint
search (Fixture    *f,
        const char *text)
{
  GtkWidget *view = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_LIST_VIEW, "directory-view");
  GtkWidget *entry = search_entry (f);

  gtk_widget_grab_focus (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  /* GtkSearchEntry waits before it says the text changed. */
  g_signal_emit_by_name (entry, "search-changed");
  /* 10,000 contacts under the sanitizers take a while. */
  attendant_test_wait_until (filter_done, view, 60000, "the directory filtered");

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (view))));
}

static gboolean
waiting_time_moved (gpointer data)
{
  GtkWidget *label = attendant_test_gui_find_widget (data, GTK_TYPE_LABEL, "waiting-time");

  return label != NULL && g_regex_match_simple ("^0:0[1-9]$", gtk_label_get_label (GTK_LABEL (label)), 0, 0);
}

/* A button as its label names it (the console's buttons have an icon and
 * a label inside), preferring one on screen: a list keeps spare rows. */
static GtkWidget *
find_button_in (GtkWidget  *widget,
                const char *label,
                gboolean    mapped)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), label) == 0)
    {
      GtkWidget *button = gtk_widget_get_ancestor (widget, GTK_TYPE_BUTTON);

      if (button != NULL && (!mapped || gtk_widget_get_mapped (button)))
        return button;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_in (child, label, mapped);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_button (Fixture    *f,
             const char *label)
{
  GtkWidget *button = find_button_in (GTK_WIDGET (f->window), label, TRUE);

  return button != NULL ? button : find_button_in (GTK_WIDGET (f->window), label, FALSE);
}

static gboolean
button_shown (gpointer data)
{
  Fixture *f = ((gpointer *)data)[0];
  GtkWidget *button = find_button_in (GTK_WIDGET (f->window), ((gpointer *)data)[1], TRUE);

  return button != NULL;
}

/* }}} */

/* The queue shows callers longest waiting first, with their names from
 * the directory when the network gave none, and a live waiting time;
 * F2 answers the longest waiting one, which moves to "My Calls". */
static void
test_console_answer (Fixture       *f,
                     gconstpointer  data)
{
  GListModel *queue = attendant_console_get_queue (f->console);
  GListModel *calls = attendant_console_get_calls (f->console);
  AttendantCall *first;

  g_assert_false (action_enabled (f, "answer"));
  inject (f, "+390212345678", "ACME Spa");
  wait_n (queue, 1, "the first caller in the queue");
  inject (f, "+390298765432", NULL);
  inject (f, "207", NULL);
  wait_n (queue, 3, "three callers in the queue");

  first = item (queue, 0);
  g_assert_cmpstr (attendant_call_get_caller_name (first), ==, "ACME Spa");
  wait_label (f, "ACME Spa");
  wait_label (f, "+390298765432");
  /* An internal caller is named from the directory. */
  wait_label (f, "Ilaria Greco");
  wait_label (f, "3");
  /* The waiting time is live. */
  attendant_test_wait_until (waiting_time_moved, f->window, 10000, "a waiting time past 0:00");
  g_assert_true (action_enabled (f, "answer"));
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-queue.png");

  press (f, "console.answer");
  wait_state (first, ATTENDANT_CALL_STATE_ACTIVE, "the longest waiting call answered");
  wait_n (calls, 1, "the answered call in My Calls");
  g_assert_true (item (calls, 0) == first);
  wait_n (queue, 2, "two callers still waiting");
  wait_label (f, "On call · +390212345678");

  /* F3 puts the caller on hold and back. */
  press (f, "console.hold");
  wait_state (first, ATTENDANT_CALL_STATE_HELD, "the call on hold");
  wait_label (f, "On hold · +390212345678");
  press (f, "console.hold");
  wait_state (first, ATTENDANT_CALL_STATE_ACTIVE, "the call resumed");
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-my-calls.png");

  /* F4 hangs up: the call leaves the console once the server ended it. */
  press (f, "console.hang-up");
  wait_n (calls, 0, "My Calls empty after hanging up");
}

/* Blind transfer from the keyboard: search a colleague, Enter. The call
 * leaves "My Calls" only once the colleague answered. */
static void
test_console_blind_transfer (Fixture       *f,
                             gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);

  inject (f, "+390211111111", "Rossi Trasporti");
  wait_n (attendant_console_get_queue (f->console), 1, "a caller");
  press (f, "console.answer");
  wait_n (calls, 1, "the call answered");
  wait_state (item (calls, 0), ATTENDANT_CALL_STATE_ACTIVE, "the call active");

  g_assert_cmpuint (search (f, "bianchi"), ==, 1);
  wait_label (f, "To transfer Rossi Trasporti, choose a colleague: Transfer (Enter) hands the call over, Consult (Shift+Enter) lets you talk to them first");
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-transfer-search.png");
  g_signal_emit_by_name (search_entry (f), "activate");

  wait_n (calls, 0, "the call handed over to Bruno Bianchi");
  /* Presence follows the call: Bruno is on it now. */
  wait_label (f, "On a call · Sales");
}

/* The mouse's way: with a call in hand, each colleague's row has Transfer
 * and Consult buttons (and without one, Call). */
static void
test_console_transfer_button (Fixture       *f,
                              gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  GtkWidget *button;

  g_assert_cmpuint (search (f, "roberto"), ==, 1);
  wait_label (f, "Roberto Mancini");
  button = find_button (f, "Call");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  button = find_button (f, "Transfer");
  g_assert_true (button == NULL || !gtk_widget_get_visible (button));

  inject (f, "+390212121212", "Conti Viaggi");
  wait_n (attendant_console_get_queue (f->console), 1, "a caller");
  press (f, "console.answer");
  wait_n (calls, 1, "the call answered");
  wait_state (item (calls, 0), ATTENDANT_CALL_STATE_ACTIVE, "the call active");

  {
    gpointer args[] = { f, "Transfer" };

    attendant_test_wait_until (button_shown, args, 5000, "the Transfer button shown");
  }
  button = find_button (f, "Transfer");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_get_visible (find_button (f, "Consult")));
  g_assert_false (gtk_widget_get_visible (find_button (f, "Call")));
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-transfer-buttons.png");

  /* Found again: the list may have rebuilt its rows meanwhile. */
  button = find_button (f, "Transfer");
  g_assert_nonnull (button);
  /* What a click does. (Keyboard users have Enter and F6, tested above.) */
  g_signal_emit_by_name (button, "clicked");
  wait_n (calls, 0, "the call handed over to Roberto Mancini");
}

static GtkWidget *
toplevel_named (const char *name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_widget_get_name (window), name) == 0 && gtk_widget_get_visible (window))
        return window; /* the toplevels' list keeps it */
    }

  return NULL;
}

static gboolean
has_toplevel_named (gpointer data)
{
  return toplevel_named (data) != NULL;
}

/* The answer to the dialog that says why a transfer cannot be. */
static void
respond_to_refusal (const char *response)
{
  GtkWidget *dialog;

  attendant_test_wait_until (has_toplevel_named, "transfer-refused", 5000, "why the transfer cannot be");
  dialog = toplevel_named ("transfer-refused");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Transfer Anyway, in the warning before a transfer to someone away. */
static void
answer_transfer_warning (void)
{
  GtkWidget *dialog;

  attendant_test_wait_until (has_toplevel_named, "transfer-warning", 5000, "the warning before the transfer");
  dialog = toplevel_named ("transfer-warning");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "transfer");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void assert_keys_in_table (Fixture *f);

/* Transfer to a colleague who is away: nobody answers, the call comes
 * back ringing the attendant, marked as recalled, and F2 takes it. */
static void
test_console_recall (Fixture       *f,
                     gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  AttendantCall *call;

  inject (f, "+390222222222", "Studio Verdi");
  wait_n (attendant_console_get_queue (f->console), 1, "a caller");
  press (f, "console.answer");
  wait_n (calls, 1, "the call answered");
  call = item (calls, 0);
  wait_state (call, ATTENDANT_CALL_STATE_ACTIVE, "the call active");

  g_assert_cmpuint (search (f, "davide"), ==, 1);
  g_assert_true (action_enabled (f, "transfer"));
  press (f, "console.transfer");
  answer_transfer_warning ();
  wait_state (call, ATTENDANT_CALL_STATE_TRANSFERRING, "the call ringing Davide Romano");
  wait_label (f, "Transferring to Davide Romano (203) · +390222222222");

  wait_state (call, ATTENDANT_CALL_STATE_RINGING, "the call back from Davide Romano");
  g_assert_true (attendant_call_get_recalled (call));
  wait_label (f, "Transfer not answered — ringing you again · +390222222222");
  assert_keys_in_table (f);
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-recall.png");

  press (f, "console.answer");
  wait_state (call, ATTENDANT_CALL_STATE_ACTIVE, "the recalled call answered");
}

static void wait_frames (GtkWidget *widget);

/* Consultative transfer: F7 calls the colleague with the caller on hold;
 * F9 goes back to the caller; F7 again and F8 joins them. */
static void
test_console_consult (Fixture       *f,
                      gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  AttendantCall *call;
  AttendantCall *leg;

  inject (f, "+390233333333", "Ferri Costruzioni");
  wait_n (attendant_console_get_queue (f->console), 1, "a caller");
  press (f, "console.answer");
  wait_n (calls, 1, "the call answered");
  call = item (calls, 0);
  wait_state (call, ATTENDANT_CALL_STATE_ACTIVE, "the call active");

  g_assert_cmpuint (search (f, "elena"), ==, 1);
  press (f, "console.consult");
  wait_n (calls, 2, "the consultation next to the call");
  leg = item (calls, 1);
  wait_state (call, ATTENDANT_CALL_STATE_HELD, "the caller on hold");
  g_assert_cmpint (attendant_call_get_state (leg), ==, ATTENDANT_CALL_STATE_CONSULTING);
  wait_label (f, "Elena Colombo (204)");
  wait_label (f, "Consultation — the caller waits on hold");
  g_assert_nonnull (find_button (f, "Complete Transfer"));
  g_assert_nonnull (find_button (f, "Cancel Consultation"));
  /* The caller waits until the consultation ends one way or the other. */
  g_assert_false (gtk_widget_is_sensitive (find_button (f, "Resume")));
  g_assert_false (action_enabled (f, "transfer"));
  /* Complete or Cancel is next: no colleague offers a third call. */
  wait_frames (GTK_WIDGET (f->window));
  g_assert_null (find_button_in (GTK_WIDGET (f->window), "Call", TRUE));
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-consult.png");

  press (f, "console.cancel-consult");
  wait_n (calls, 1, "the consultation ended");
  wait_state (call, ATTENDANT_CALL_STATE_ACTIVE, "back with the caller");

  g_assert_true (action_enabled (f, "consult"));
  press (f, "console.consult");
  wait_n (calls, 2, "a second consultation");
  wait_state (item (calls, 1), ATTENDANT_CALL_STATE_CONSULTING, "consulting again");
  press (f, "console.complete");
  wait_n (calls, 0, "caller and colleague joined, both gone from My Calls");
}

static AttendantCall *answer_one (Fixture *f, const char *number, const char *name);

/* Every key a tooltip or the transfer hint names, in parentheses ("Enter
 * or F6"), must be one of the table of keys: the test fails on a key
 * written by hand that the table does not have. */
static void
collect_named_keys (const char *text,
                    GPtrArray  *keys)
{
  g_autoptr(GRegex) regex = g_regex_new ("\\(([^()]+)\\)", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (text == NULL)
    return;

  for (g_regex_match (regex, text, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      g_autofree char *inside = g_match_info_fetch (match, 1);
      g_auto(GStrv) parts = g_strsplit (inside, " or ", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        g_ptr_array_add (keys, g_strdup (parts[i]));
    }
}

static void
collect_tooltip_keys (GtkWidget *widget,
                      GPtrArray *keys,
                      guint     *n_tooltips)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  if (tooltip != NULL)
    {
      g_test_message ("tooltip: %s", tooltip);
      (*n_tooltips)++;
      collect_named_keys (tooltip, keys);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_tooltip_keys (child, keys, n_tooltips);
}

static void
assert_keys_in_table (Fixture *f)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *hint = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_LABEL, "transfer-hint");
  guint n_tooltips = 0;

  wait_frames (GTK_WIDGET (f->window));
  collect_tooltip_keys (GTK_WIDGET (f->window), keys, &n_tooltips);
  if (hint != NULL && gtk_widget_get_visible (hint))
    collect_named_keys (gtk_label_get_label (GTK_LABEL (hint)), keys);
  g_assert_cmpuint (n_tooltips, >, 0);
  g_assert_cmpuint (keys->len, >, 0);
  for (guint i = 0; i < keys->len; i++)
    {
      g_test_message ("key named: %s", (char *)keys->pdata[i]);
      g_assert_true (attendant_shortcuts_has_label (keys->pdata[i]));
    }
}

/* The tooltips of every state's buttons (waiting, in hand, on hold, a
 * consultation, a typed number) and the hint name only the table's keys. */
static void
test_console_tooltip_keys (Fixture       *f,
                           gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  g_autofree char *tooltip = NULL;

  /* What the check relies on: the table's labels, and one it has not. */
  g_assert_true (attendant_shortcuts_has_label ("F2"));
  g_assert_true (attendant_shortcuts_has_label ("Shift+Enter"));
  g_assert_false (attendant_shortcuts_has_label ("F5"));
  tooltip = attendant_shortcuts_dup_tooltip_keys ("Transfer", "directory.act", "console.transfer", NULL);
  g_assert_cmpstr (tooltip, ==, "Transfer (Enter or F6)");

  inject (f, "+390244444444", "Bassi Ottica");
  wait_n (attendant_console_get_queue (f->console), 1, "a caller");
  g_assert_cmpuint (search (f, "elena"), ==, 1);
  assert_keys_in_table (f);

  answer_one (f, "+390255555555", "Conti Vetri");
  assert_keys_in_table (f);
  g_assert_cmpuint (search (f, "0698765432"), ==, 0);
  wait_label (f, "Transfer to 0698765432");
  assert_keys_in_table (f);

  g_assert_cmpuint (search (f, "elena"), ==, 1);
  press (f, "console.consult");
  wait_n (calls, 2, "the consultation next to the call");
  wait_state (item (calls, 1), ATTENDANT_CALL_STATE_CONSULTING, "consulting Elena Colombo");
  assert_keys_in_table (f);
}

/* The row's controller of @type: a drag source or a drop target. */
static gpointer
controller_of (GtkWidget *row,
               GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (row);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller; /* the row keeps it */
    }

  return NULL;
}

static GtkDropTarget *
drop_target_of (GtkWidget *row)
{
  return controller_of (row, GTK_TYPE_DROP_TARGET);
}

/* A call dropped on a colleague in the directory is transferred to them.
 * The pointer's drag cannot be synthesized under Xvfb; what the drop
 * target receives (the call) is given to it directly. */
static void
test_console_drag_and_drop (Fixture       *f,
                            gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  g_auto(GValue) value = G_VALUE_INIT;
  GtkWidget *label;
  GtkWidget *row;
  GtkDropTarget *target;
  gboolean accepted = FALSE;

  inject (f, "+390244444444", "Bellini & Figli");
  wait_n (attendant_console_get_queue (f->console), 1, "a caller");
  press (f, "console.answer");
  wait_n (calls, 1, "the call answered");
  wait_state (item (calls, 0), ATTENDANT_CALL_STATE_ACTIVE, "the call active");

  g_assert_cmpuint (search (f, "giorgio"), ==, 1);
  wait_label (f, "Giorgio Marino");
  label = attendant_test_gui_find_label (GTK_WIDGET (f->window), "Giorgio Marino");
  row = gtk_widget_get_ancestor (label, ATTENDANT_TYPE_CONTACT_ROW);
  g_assert_nonnull (row);
  target = drop_target_of (row);
  g_assert_nonnull (target);

  g_value_init (&value, ATTENDANT_TYPE_CALL);
  g_value_set_object (&value, item (calls, 0));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);

  wait_n (calls, 0, "the call handed over to Giorgio Marino");
}

static gboolean
offline (gpointer data)
{
  return !attendant_console_get_online (data);
}

/* Nothing silently lost: with every server gone the console keeps showing the last known
 * calls, but nothing can be done to them until it is back. */
static void
test_console_offline (Fixture       *f,
                      gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  GtkWidget *hang_up;

  inject (f, "+390255555555", "Galli Srl");
  inject (f, "+390266666666", NULL);
  wait_n (attendant_console_get_queue (f->console), 2, "two callers");
  press (f, "console.answer");
  wait_n (calls, 1, "the call answered");
  wait_state (item (calls, 0), ATTENDANT_CALL_STATE_ACTIVE, "the call active");
  g_assert_true (action_enabled (f, "answer"));

  attendant_node_crash (attendant_server_lookup_node (f->server->server, "primary"));
  attendant_node_crash (attendant_server_lookup_node (f->server->server, "backup"));
  attendant_test_wait_until (offline, f->console, 10000, "the console offline");

  g_assert_false (action_enabled (f, "answer"));
  g_assert_false (action_enabled (f, "hang-up"));
  g_assert_false (action_enabled (f, "answer-call"));
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (attendant_console_get_queue (f->console)), ==, 1);
  hang_up = find_button (f, "Hang Up");
  g_assert_nonnull (hang_up);
  g_assert_false (gtk_widget_is_sensitive (hang_up));
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-offline.png");
}

static gboolean
has_notice (gpointer data)
{
  return attendant_call_get_notice (data) != NULL;
}

typedef struct
{
  AttendantConsole *console;
  const char       *node;
} NodeWait;

static gboolean
online_on (gpointer data)
{
  NodeWait *wait = data;
  AttendantClient *client = attendant_console_get_client (wait->console);
  AttendantSession *session = attendant_client_get_session (client);
  GObject *greeting;

  if (!attendant_console_get_online (wait->console) || session == NULL)
    return FALSE;

  greeting = attendant_connection_get_greeting (attendant_session_get_connection (session));
  return ATTENDANT_IS_GREETING (greeting) &&
         g_strcmp0 (attendant_greeting_get_node (ATTENDANT_GREETING (greeting)), wait->node) == 0;
}

/* The primary dies while "Complete Transfer" waits for its reply: the
 * console does not pretend it happened. The consultation row says its
 * result is unknown; after the failover the backup's snapshot shows what
 * really is — here, the transfer never reached the server, so caller and
 * colleague are both still there, once each. */
static void
test_console_failover_mid_consult (Fixture       *f,
                                   gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  AttendantNode *primary = attendant_server_lookup_node (f->server->server, "primary");
  NodeWait on_backup = { f->console, "backup" };
  AttendantCall *call;
  AttendantCall *leg;

  inject (f, "+390299999999", "Lombardi Energia");
  wait_n (attendant_console_get_queue (f->console), 1, "a caller");
  press (f, "console.answer");
  wait_n (calls, 1, "the call answered");
  call = item (calls, 0);
  wait_state (call, ATTENDANT_CALL_STATE_ACTIVE, "the call active");
  g_assert_cmpuint (search (f, "marta"), ==, 1);
  press (f, "console.consult");
  wait_n (calls, 2, "the consultation");
  leg = item (calls, 1);
  wait_state (leg, ATTENDANT_CALL_STATE_CONSULTING, "consulting Marta Gallo");

  /* Frozen, the primary reads nothing: the command cannot be carried out
   * nor answered. */
  attendant_node_freeze (primary);
  press (f, "console.complete");
  g_assert_true (attendant_call_get_pending (leg));
  attendant_node_crash (primary);

  attendant_test_wait_until (has_notice, leg, 10000, "the consultation's notice");
  g_assert_cmpstr (attendant_call_get_notice (leg), ==,
                   "Result unknown: the connection was lost before the server confirmed “Complete Transfer”. Check the call.");
  attendant_test_wait_until (online_on, &on_backup, 10000, "the console online on the backup");

  /* The same two calls, the same objects, once each, as the server has them. */
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 2);
  g_assert_true (item (calls, 0) == call);
  g_assert_true (item (calls, 1) == leg);
  g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_HELD);
  g_assert_cmpint (attendant_call_get_state (leg), ==, ATTENDANT_CALL_STATE_CONSULTING);
  g_assert_cmpuint (attendant_pbx_get_n_calls (f->pbx), ==, 2);
  wait_label (f, "Result unknown: the connection was lost before the server confirmed “Complete Transfer”. Check the call.");
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-result-unknown.png");

  /* The operator completes it again, on the backup. */
  press (f, "console.complete");
  wait_n (calls, 0, "caller and colleague joined through the backup");
}

/* {{{ The queue: its order, its room, its colours */

static GtkWidget *
queue_view (Fixture *f)
{
  GtkWidget *view = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_LIST_VIEW, "queue-view");

  g_assert_nonnull (view);
  return view;
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  (*(guint *)data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
three_frames (gpointer data)
{
  return *(guint *)data >= 3;
}

/* The list has taken in what changed and drawn it: a model change is laid
 * out at the next frame. */
static void
wait_frames (GtkWidget *widget)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame, &frames, NULL);

  attendant_test_wait_until (three_frames, &frames, 10000, "three frames drawn");
  gtk_widget_remove_tick_callback (widget, id);
}

static gboolean
scrollable (gpointer data)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (data);

  return gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) > 100;
}

/* Rows of the queue wholly on screen. */
static guint
rows_in_view (GtkWidget *view)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
  int height = gtk_widget_get_height (scroller);
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (view); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      graphene_rect_t bounds;

      if (!gtk_widget_get_child_visible (row) || !gtk_widget_get_visible (row) ||
          !gtk_widget_compute_bounds (row, scroller, &bounds))
        continue;
      if (bounds.origin.y >= 0 && bounds.origin.y + bounds.size.height <= height + 0.5)
        n++;
    }

  return n;
}

static void
on_snapshot_count (guint *count)
{
  (*count)++;
}

typedef struct
{
  AttendantConsole *console;
  guint            *snapshots;
  guint             n;
} SnapshotWait;

static gboolean
resynced (gpointer data)
{
  SnapshotWait *wait = data;

  return *wait->snapshots >= wait->n && attendant_console_get_online (wait->console);
}

#define N_WAITING 14

static void
assert_queue_kept (Fixture       *f,
                   char         **numbers,
                   guint          n,
                   AttendantCall *chosen,
                   double         scrolled)
{
  GListModel *queue = attendant_console_get_queue (f->console);
  GtkWidget *view = queue_view (f);
  GtkSelectionModel *selection = gtk_list_view_get_model (GTK_LIST_VIEW (view));
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));

  /* Longest waiting first, in the order they came, none lost. */
  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (attendant_call_get_caller_number (item (queue, i)), ==, numbers[i]);
  /* The caller the operator chose is still the one chosen, and the list
   * shows what it showed. */
  g_assert_true (gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (selection)) == chosen);
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (adjustment), scrolled, 1.0);
}

/* Fourteen callers, the list scrolled to the middle and one of them
 * chosen: a failover, a reconnection and a new caller leave the order
 * (longest waiting first), the choice and the scroll position as they
 * were; the new caller joins at the end. */
static void
test_console_queue_stable (Fixture       *f,
                           gconstpointer  data)
{
  GListModel *queue = attendant_console_get_queue (f->console);
  GtkWidget *view = queue_view (f);
  GtkSelectionModel *selection = gtk_list_view_get_model (GTK_LIST_VIEW (view));
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  AttendantClient *client = attendant_console_get_client (f->console);
  NodeWait on_backup = { f->console, "backup" };
  g_auto(GStrv) numbers = g_new0 (char *, N_WAITING + 2);
  guint snapshots = 0;
  SnapshotWait again = { f->console, &snapshots, 0 };
  AttendantCall *chosen;
  double scrolled;

  /* Injected within a few milliseconds: several share a "since". */
  for (guint i = 0; i < N_WAITING; i++)
    {
      numbers[i] = g_strdup_printf ("+3902100000%02u", i);
      inject (f, numbers[i], NULL);
    }
  wait_n (queue, N_WAITING, "fourteen callers waiting");
  attendant_test_wait_until (scrollable, view, 10000, "the queue longer than its pane");

  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (selection), 9);
  chosen = item (queue, 9);
  gtk_adjustment_set_value (adjustment, (gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment)) / 2);
  wait_frames (view);
  scrolled = gtk_adjustment_get_value (adjustment);
  g_assert_cmpfloat (scrolled, >, 0);
  assert_queue_kept (f, numbers, N_WAITING, chosen, scrolled);

  g_signal_connect_swapped (client, "snapshot", G_CALLBACK (on_snapshot_count), &snapshots);

  /* Failover: the backup's snapshot. */
  attendant_node_crash (attendant_server_lookup_node (f->server->server, "primary"));
  attendant_test_wait_until (online_on, &on_backup, 10000, "the console online on the backup");
  wait_frames (view);
  assert_queue_kept (f, numbers, N_WAITING, chosen, scrolled);

  /* "Reconnect now": another snapshot, the same state. */
  again.n = snapshots + 1;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.reconnect", NULL));
  attendant_test_wait_until (resynced, &again, 10000, "a new snapshot after reconnecting");
  wait_frames (view);
  assert_queue_kept (f, numbers, N_WAITING, chosen, scrolled);

  /* A new caller has waited least: last, and the view does not move. */
  numbers[N_WAITING] = g_strdup ("+390210000099");
  inject (f, numbers[N_WAITING], NULL);
  wait_n (queue, N_WAITING + 1, "a new caller");
  wait_frames (view);
  assert_queue_kept (f, numbers, N_WAITING + 1, chosen, scrolled);
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-queue-kept.png");

  g_signal_handlers_disconnect_by_func (client, on_snapshot_count, &snapshots);
}

typedef struct
{
  Fixture    *f;
  const char *name;
} FocusWait;

static gboolean
focus_in (gpointer data)
{
  FocusWait *wait = data;
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (wait->f->window));
  GtkWidget *view = attendant_test_gui_find_widget (GTK_WIDGET (wait->f->window), GTK_TYPE_LIST_VIEW, wait->name);

  return focus != NULL && view != NULL && (focus == view || gtk_widget_is_ancestor (focus, view));
}

typedef struct
{
  AttendantCall      *call;
  AttendantCallState  state;
  const char         *peer;
} PeerWait;

static gboolean
in_state_with (gpointer data)
{
  PeerWait *wait = data;

  return attendant_call_get_state (wait->call) == wait->state &&
         g_strcmp0 (attendant_call_get_peer (wait->call), wait->peer) == 0;
}

/* A caller put in the queue and answered: the attendant's newest call. */
static AttendantCall *
answer_one (Fixture    *f,
            const char *number,
            const char *name)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  guint before = g_list_model_get_n_items (calls);
  AttendantCall *call;

  inject (f, number, name);
  wait_n (attendant_console_get_queue (f->console), 1, "a caller");
  press (f, "console.answer");
  wait_n (calls, before + 1, "the call answered");
  call = item (calls, before);
  wait_state (call, ATTENDANT_CALL_STATE_ACTIVE, "the call active");
  return call;
}

/* The keys, typed: in the directory, Enter transfers as the hint says,
 * also after Down or Tab took the keyboard to the list; Shift+Enter
 * consults, from the search and from the list, and a typed number when
 * no colleague matches. */
static void
test_console_enter_keys (Fixture       *f,
                         gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  FocusWait in_directory = { f, "directory-view" };
  AttendantCall *call;

  /* Colleagues let it ring: the transfer stays where the test sees it. */
  g_object_set (f->pbx, "answer-delay", 60.0, "ring-timeout", 60.0, NULL);

  /* Down, then Enter: a blind transfer to the first match, Bruno. */
  call = answer_one (f, "+390231000001", NULL);
  g_assert_cmpuint (search (f, "sales"), ==, 3);
  attendant_test_gui_type_key (GTK_WIDGET (f->window), GDK_KEY_Down, 0);
  attendant_test_wait_until (focus_in, &in_directory, 10000, "the keyboard in the directory");
  attendant_test_gui_type_key (GTK_WIDGET (f->window), GDK_KEY_Return, 0);
  {
    PeerWait transferring = { call, ATTENDANT_CALL_STATE_TRANSFERRING, "201" };

    attendant_test_wait_until (in_state_with, &transferring, 10000, "the call transferred to Bruno Bianchi");
  }
  /* Blind: no consultation beside it. */
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 1);

  /* Tab, then Enter: the same, though the row has buttons (Consult first). */
  call = answer_one (f, "+390231000003", NULL);
  g_assert_cmpuint (search (f, "giorgio"), ==, 1);
  attendant_test_gui_type_key (GTK_WIDGET (f->window), GDK_KEY_Tab, 0);
  attendant_test_wait_until (focus_in, &in_directory, 10000, "the keyboard in the directory");
  attendant_test_gui_type_key (GTK_WIDGET (f->window), GDK_KEY_Return, 0);
  {
    PeerWait transferring = { call, ATTENDANT_CALL_STATE_TRANSFERRING, "206" };

    attendant_test_wait_until (in_state_with, &transferring, 10000, "the call transferred to Giorgio Marino");
  }
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 2);

  /* Down, then Shift+Enter: a consultation with Elena, the caller held. */
  call = answer_one (f, "+390231000002", NULL);
  g_assert_cmpuint (search (f, "colombo"), ==, 1);
  attendant_test_gui_type_key (GTK_WIDGET (f->window), GDK_KEY_Down, 0);
  attendant_test_wait_until (focus_in, &in_directory, 10000, "the keyboard in the directory");
  attendant_test_gui_type_key (GTK_WIDGET (f->window), GDK_KEY_Return, GDK_SHIFT_MASK);
  wait_n (calls, 4, "the consultation beside the call");
  {
    PeerWait consulting = { item (calls, 3), ATTENDANT_CALL_STATE_CONSULTING, "204" };

    attendant_test_wait_until (in_state_with, &consulting, 10000, "consulting Elena Colombo");
  }
  wait_state (call, ATTENDANT_CALL_STATE_HELD, "the caller on hold");

  /* Shift+Enter in the search itself: the same. */
  press (f, "console.cancel-consult");
  wait_n (calls, 3, "the consultation cancelled");
  wait_state (call, ATTENDANT_CALL_STATE_ACTIVE, "back with the caller");
  g_assert_cmpuint (search (f, "conti"), ==, 1);
  attendant_test_gui_type_key (GTK_WIDGET (f->window), GDK_KEY_Return, GDK_SHIFT_MASK);
  wait_n (calls, 4, "a consultation from the search");
  {
    PeerWait consulting = { item (calls, 3), ATTENDANT_CALL_STATE_CONSULTING, "211" };

    attendant_test_wait_until (in_state_with, &consulting, 10000, "consulting Nicolò Conti");
  }

  /* Shift+Enter with a number nobody has: that number, consulted first,
   * as Enter would transfer to it. */
  press (f, "console.cancel-consult");
  wait_n (calls, 3, "the consultation cancelled");
  wait_state (call, ATTENDANT_CALL_STATE_ACTIVE, "back with the caller");
  g_assert_cmpuint (search (f, "0698765432"), ==, 0);
  wait_label (f, "Transfer to 0698765432");
  attendant_test_gui_type_key (GTK_WIDGET (f->window), GDK_KEY_Return, GDK_SHIFT_MASK);
  wait_n (calls, 4, "a consultation with the typed number");
  {
    PeerWait consulting = { item (calls, 3), ATTENDANT_CALL_STATE_CONSULTING, "0698765432" };

    attendant_test_wait_until (in_state_with, &consulting, 10000, "consulting 0698765432");
  }
}

static guint
count_wait_class (GtkWidget  *widget,
                  const char *css_class)
{
  guint n = 0;

  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_widget_get_name (widget), "waiting-time") == 0 &&
      gtk_widget_get_mapped (widget) && gtk_widget_has_css_class (widget, css_class))
    n++;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_wait_class (child, css_class);

  return n;
}

typedef struct
{
  GtkWidget  *view;
  const char *css_class;
  guint       at_least;
} ClassWait;

static gboolean
has_wait_class (gpointer data)
{
  ClassWait *wait = data;

  return count_wait_class (wait->view, wait->css_class) >= wait->at_least;
}

static gboolean
no_wait_class (gpointer data)
{
  GtkWidget *view = data;

  return count_wait_class (view, "wait-warning") == 0 && count_wait_class (view, "wait-alert") == 0;
}

/* The newest callers in view (only rows on screen are drawn). */
static void
scroll_to_end (GtkWidget *view)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));

  wait_frames (view);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  wait_frames (view);
}

/* At the size the window opens with, the queue has the room: twelve
 * callers, of which at least eight in view, and "No Calls" takes a line.
 * A wait past the thresholds of the preferences turns its time orange,
 * then red; changed thresholds apply at once. */
static void
test_console_queue_room (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GListModel *queue = attendant_console_get_queue (f->console);
  GtkWidget *view = queue_view (f);
  GtkWidget *no_calls = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_BOX, "no-calls");
  ClassWait warning = { view, "wait-warning", 1 };
  ClassWait alert = { view, "wait-alert", 1 };
  guint shown;


  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *number = g_strdup_printf ("+3902200000%02u", i);

      inject (f, number, NULL);
    }
  wait_n (queue, 12, "twelve callers waiting");
  wait_frames (view);

  shown = rows_in_view (view);
  /* The window's content; its default size also counts the frame. */
  g_test_message ("window content %dx%d: %u waiting callers in view",
                  gtk_widget_get_width (GTK_WIDGET (f->window)), gtk_widget_get_height (GTK_WIDGET (f->window)), shown);
  g_assert_cmpuint (shown, >=, 8);
  g_assert_nonnull (no_calls);
  g_test_message ("\"No Calls\" %d px high", gtk_widget_get_height (no_calls));
  g_assert_cmpint (gtk_widget_get_height (no_calls), <=, 80);

  g_assert_cmpuint (g_settings_get_uint (settings, "wait-warning-seconds"), ==, 60);
  g_assert_cmpuint (g_settings_get_uint (settings, "wait-alert-seconds"), ==, 180);

  /* Seconds, not minutes, for the test; the defaults are 60 and 180. */
  g_assert_true (no_wait_class (view));
  g_settings_set_uint (settings, "wait-warning-seconds", 2);
  /* Four seconds between the two, for a loaded machine to see the first. */
  g_settings_set_uint (settings, "wait-alert-seconds", 6);
  attendant_test_wait_until (has_wait_class, &warning, 10000, "a wait past the warning threshold");
  g_assert_cmpuint (count_wait_class (view, "wait-alert"), ==, 0);
  attendant_test_wait_until (has_wait_class, &alert, 10000, "a wait past the alert threshold");

  /* Three more, waiting past the warning only, and three who have just
   * come: the three kinds of wait on screen at once. */
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *number = g_strdup_printf ("+3902300000%02u", i);

      inject (f, number, NULL);
      if (i == 2)
        {
          ClassWait later = { view, "wait-warning", 3 };

          wait_n (queue, 15, "fifteen callers waiting");
          scroll_to_end (view);
          attendant_test_wait_until (has_wait_class, &later, 10000, "three waits past the warning");
        }
    }
  wait_n (queue, 18, "eighteen callers waiting");
  scroll_to_end (view);
  g_assert_cmpuint (count_wait_class (view, "wait-alert"), >, 0);
  g_assert_cmpuint (count_wait_class (view, "wait-warning"), >=, 3);
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-busy.png");

  /* Thresholds raised: no wait is long any more. */
  g_settings_set_uint (settings, "wait-warning-seconds", 600);
  g_settings_set_uint (settings, "wait-alert-seconds", 1200);
  attendant_test_wait_until (no_wait_class, view, 10000, "the colours gone with higher thresholds");
  /* And lowered again: they come back without waiting for a tick. */
  g_settings_set_uint (settings, "wait-warning-seconds", 1);
  g_settings_set_uint (settings, "wait-alert-seconds", 2);
  g_assert_cmpuint (count_wait_class (view, "wait-alert"), >, 0);
}

/* }}} */

/* The directory's rows shown are the @n matches', each with its contact;
 * rows of positions on their way out are hidden, their list items too. */
static void
assert_directory_rows (GtkWidget *view,
                       guint      n)
{
  guint shown = 0;

  for (GtkWidget *item = gtk_widget_get_first_child (view); item != NULL; item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *row = gtk_widget_get_first_child (item);
      AttendantSlot *slot;

      if (!ATTENDANT_IS_CONTACT_ROW (row))
        continue;
      slot = attendant_contact_row_get_slot (ATTENDANT_CONTACT_ROW (row));
      g_assert_true (gtk_widget_get_visible (row) == (slot != NULL && attendant_slot_get_item (slot) != NULL));
      g_assert_true (gtk_widget_get_visible (item) == gtk_widget_get_visible (row));
      if (gtk_widget_get_visible (row))
        shown++;
    }
  g_assert_cmpuint (shown, ==, n);
}

/* 10,000 colleagues: all of them in the directory, and a search narrows
 * them to the right few, by name, by department, by number. (How long a
 * keystroke takes is measured by bench/, not asserted here.) */
static char *large_directory;

static void
test_console_search_large (Fixture       *f,
                           gconstpointer  data)
{
  GListModel *directory = G_LIST_MODEL (attendant_console_get_directory (f->console));
  g_autofree char *count = NULL;

  GtkWidget *view = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_LIST_VIEW, "directory-view");
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  g_autoptr(GtkWidget) first_row = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (directory), ==, 10000 + 2);
  attendant_test_wait_until (filter_done, view, 60000, "the directory listed");

  /* A search changes the rows on screen in place: the first row is the
   * widget it was (GTK 4.8 would build a new one for a new contact). */
  first_row = g_object_ref (gtk_widget_get_first_child (view));

  /* Surname number 123 is given to every 1,000th person from the 123rd,
   * in Sales for odd thousands. Narrowed, the list keeps the rows of the
   * positions gone for a few frames (it removes them in steps), hidden,
   * and the first match is chosen at once: Enter acts on it. */
  gtk_editable_set_text (GTK_EDITABLE (search_entry (f)), "surname123 ");
  g_signal_emit_by_name (search_entry (f), "search-changed");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (view)))), >, 10);
  assert_directory_rows (view, 10);
  g_assert_cmpstr (attendant_contact_get_name (attendant_slot_get_item (gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (view)))))),
                   ==, "Person1123 Surname123");
  g_assert_cmpuint (search (f, "surname123 "), ==, 10);
  g_assert_true (gtk_widget_get_first_child (view) == first_row);
  wait_label (f, "Person1123 Surname123");
  g_assert_cmpuint (search (f, "surname123 sales"), ==, 5);
  g_assert_cmpuint (search (f, "30123"), ==, 1);
  wait_label (f, "1 of 10002");
  wait_label (f, "Person123 Surname123");
  g_assert_cmpuint (search (f, ""), ==, 10002);
  wait_label (f, "10002");
  g_assert_true (gtk_widget_get_first_child (view) == first_row);

  /* A search starts at the top, wherever the list was scrolled to. */
  gtk_adjustment_set_value (adjustment, 2000);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
  g_assert_cmpuint (search (f, "person"), ==, 10000);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, gtk_adjustment_get_lower (adjustment));
}

static const char *
build_large_directory (void)
{
  GString *text = g_string_new ("[directory]\n");

  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (text, "%u=Person%u Surname%u;%s;available\n",
                            30000 + i, i, i % 1000, (i / 1000) % 2 ? "Sales" : "Support");

  large_directory = g_string_free (text, FALSE);
  return large_directory;
}

/* {{{ The incoming-call notification */

typedef struct
{
  guint  id;       /* the daemon numbers notifications from 1 */
  char  *answer;   /* the action keys of its buttons */
  char  *decline;
} Notification;

static void
notification_clear (Notification *n)
{
  g_clear_pointer (&n->answer, g_free);
  g_clear_pointer (&n->decline, g_free);
  n->id = 0;
}

/* The last Notify the fake daemon got with @summary, and its buttons. */
static gboolean
find_notification (const char   *summary,
                   Notification *found)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) calls = NULL;
  g_autoptr(GError) error = NULL;
  GVariantIter iter;
  const char *method;
  GVariant *args;
  guint64 when;
  guint n = 0;

  notification_clear (found);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                       "org.freedesktop.DBus.Mock", "GetCalls", NULL, G_VARIANT_TYPE ("(a(tsav))"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  calls = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, calls);
  while (g_variant_iter_next (&iter, "(t&s@av)", &when, &method, &args))
    {
      if (g_str_equal (method, "Notify"))
        {
          g_autoptr(GVariant) summary_v = g_variant_get_child_value (args, 3);
          g_autoptr(GVariant) actions_v = g_variant_get_child_value (args, 5);
          g_autoptr(GVariant) text = g_variant_get_variant (summary_v);
          g_autoptr(GVariant) actions = g_variant_get_variant (actions_v);

          n++;
          if (g_str_equal (g_variant_get_string (text, NULL), summary))
            {
              g_autofree const char **strv = g_variant_get_strv (actions, NULL);

              notification_clear (found);
              found->id = n;
              for (guint i = 0; strv[i] != NULL && strv[i + 1] != NULL; i += 2)
                {
                  if (g_str_equal (strv[i + 1], "Answer"))
                    found->answer = g_strdup (strv[i]);
                  else if (g_str_equal (strv[i + 1], "Decline"))
                    found->decline = g_strdup (strv[i]);
                }
            }
        }
      g_variant_unref (args);
    }

  return found->id != 0;
}

static gboolean
notified (gpointer data)
{
  Notification n = { 0, };
  gboolean found = find_notification (data, &n);

  notification_clear (&n);
  return found;
}

/* The operator clicks a button of the notification: the daemon says so. */
static void
invoke (guint       id,
        const char *key)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *args[] = {
    g_variant_new_variant (g_variant_new_uint32 (id)),
    g_variant_new_variant (g_variant_new_string (key)),
  };

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                       "org.freedesktop.DBus.Mock", "EmitSignal",
                                       g_variant_new ("(sss@av)", "org.freedesktop.Notifications", "ActionInvoked", "us",
                                                      g_variant_new_array (G_VARIANT_TYPE_VARIANT, args, G_N_ELEMENTS (args))),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
window_inactive (gpointer data)
{
  return !gtk_window_is_active (data);
}

/* A caller arriving while the operator works in another window: the
 * desktop shows who it is, with Answer and Decline, and both work. */
static void
test_console_notification (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GSubprocess) daemon = attendant_test_gui_notification_daemon_new ();
  GListModel *queue = attendant_console_get_queue (f->console);
  GListModel *calls = attendant_console_get_calls (f->console);
  Notification n = { 0, };
  GtkWindow *other;

  if (daemon == NULL)
    return;

  other = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (other, "Another application");
  gtk_window_present (other);
  attendant_test_wait_until (window_inactive, f->window, 5000, "the console window losing the focus");

  inject (f, "+390277777777", "Moretti Assicurazioni");
  attendant_test_wait_until (notified, "Incoming call from Moretti Assicurazioni", 10000,
                             "the incoming-call notification");
  g_assert_true (find_notification ("Incoming call from Moretti Assicurazioni", &n));
  g_assert_nonnull (n.answer);
  g_assert_nonnull (n.decline);
  invoke (n.id, n.answer);
  wait_n (calls, 1, "the call answered from its notification");
  wait_state (item (calls, 0), ATTENDANT_CALL_STATE_ACTIVE, "the call active");
  g_assert_cmpstr (attendant_call_get_caller_name (item (calls, 0)), ==, "Moretti Assicurazioni");

  /* Answering raised the console; another window takes the focus again. */
  attendant_test_wait_until ((AttendantTestPredicate)gtk_window_is_active, f->window, 5000,
                             "the console raised by Answer");
  gtk_window_present (other);
  attendant_test_wait_until (window_inactive, f->window, 5000, "the console window losing the focus again");
  inject (f, "+390288888888", "Venditore Insistente");
  attendant_test_wait_until (notified, "Incoming call from Venditore Insistente", 10000,
                             "the second notification");
  g_assert_true (find_notification ("Incoming call from Venditore Insistente", &n));
  invoke (n.id, n.decline);
  wait_n (queue, 0, "the declined call gone from the queue");
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 1);

  notification_clear (&n);
  gtk_window_destroy (other);
  attendant_test_gui_notification_daemon_stop (daemon);
}

/* }}} */

/* {{{ Typed numbers, warnings, the whole call, confirmations, history, pause */

/* A number nobody has in the directory is called as typed: the search
 * offers "Call 0612345678", and Enter (no colleague matches) calls it;
 * with a call in hand, "Transfer to 0698765432" hands the call to it. */
static void
test_console_typed_number (Fixture       *f,
                           gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  GtkWidget *row = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_BOX, "typed-number");

  g_assert_nonnull (row);
  g_assert_false (gtk_widget_get_visible (row));
  /* A colleague's own number: their row offers it, not a second one. */
  g_assert_cmpuint (search (f, "201"), >=, 1);
  g_assert_false (gtk_widget_get_visible (row));
  g_assert_cmpuint (search (f, "061 234 5678"), ==, 0);
  g_assert_true (gtk_widget_get_visible (row));
  wait_label (f, "Call 0612345678");
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-typed-number.png");
  g_signal_emit_by_name (search_entry (f), "activate");
  wait_n (calls, 1, "the typed number called");
  g_assert_cmpstr (attendant_call_get_caller_number (item (calls, 0)), ==, "0612345678");
  g_assert_cmpuint (attendant_test_gui_server_count_dialled (f->server, "0612345678"), ==, 1);
  /* The one dial path's feedback, as for a colleague or a link. */
  wait_label (f, "Calling 0612345678…");
  {
    /* The toast is over the directory, beside My Calls (whose Hold and
     * Hang Up it covered at the window's bottom). */
    GtkWidget *toast = attendant_test_gui_find_label (GTK_WIDGET (f->window), "Calling 0612345678…");
    GtkWidget *my_calls = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_LIST_VIEW, "calls-view");
    graphene_rect_t toast_bounds, calls_bounds;

    wait_frames (GTK_WIDGET (f->window));

    g_assert_true (gtk_widget_compute_bounds (toast, GTK_WIDGET (f->window), &toast_bounds));
    g_assert_true (gtk_widget_compute_bounds (my_calls, GTK_WIDGET (f->window), &calls_bounds));
    g_test_message ("toast x %.0f w %.0f, calls x %.0f w %.0f", toast_bounds.origin.x, toast_bounds.size.width, calls_bounds.origin.x, calls_bounds.size.width);
    g_assert_cmpfloat (toast_bounds.origin.x, >=, calls_bounds.origin.x + calls_bounds.size.width);
    attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-toast-beside-calls.png");
  }
  press (f, "console.hang-up");
  wait_n (calls, 0, "the outside call ended");

  answer_one (f, "+390211111112", "Rossi Logistica");
  g_assert_cmpuint (search (f, "0698765432"), ==, 0);
  wait_label (f, "Transfer to 0698765432");
  g_assert_true (gtk_widget_get_visible (attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_BUTTON,
                                                                          "typed-number-consult")));
  press (f, "console.typed-number");
  wait_n (calls, 0, "the call handed over to the typed number");
  wait_label (f, "Transferred to 0698765432");
}

static gboolean
search_empty (gpointer data)
{
  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (data)), "") == 0;
}

static gboolean
focus_in_search (Fixture *f)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));
  GtkWidget *entry = search_entry (f);

  return focus != NULL && (focus == entry || gtk_widget_is_ancestor (focus, entry));
}

/* The search has done its job once the call went where it found: a
 * transfer, consultation or call started from it and accepted by the
 * server empties it, for the next caller, with the keyboard in it (a
 * second Enter on "201" would otherwise ring the colleague). A transfer
 * refused before it is sent leaves it as it was. */
static void
test_console_search_cleared (Fixture       *f,
                             gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  GtkWidget *entry = search_entry (f);
  GtkWidget *typed = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_BOX, "typed-number");
  GtkWidget *typed_button = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_BUTTON,
                                                            "typed-number-button");
  AttendantCall *call = answer_one (f, "+390211111111", "Rossi Trasporti");
  AttendantCall *leg;

  /* Refused (do not disturb): nothing sent; the caller and the search stay. */
  g_assert_cmpuint (search (f, "205"), ==, 1);
  g_signal_emit_by_name (entry, "activate");
  respond_to_refusal ("keep");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "205");
  g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_ACTIVE);

  /* Transferred from the search: emptied once the server accepted. */
  g_assert_cmpuint (search (f, "201"), ==, 1);
  g_assert_false (gtk_widget_get_visible (typed));
  g_signal_emit_by_name (entry, "activate");
  attendant_test_wait_until (search_empty, entry, 10000, "the search emptied after the transfer");
  g_assert_false (gtk_widget_get_visible (typed));
  g_assert_true (focus_in_search (f));
  wait_n (calls, 0, "the call handed over to Bruno Bianchi");
  wait_frames (GTK_WIDGET (f->window));
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-search-cleared.png");

  /* A consultation started from it (Shift+Enter's action). */
  call = answer_one (f, "+390233333333", "Ferri Costruzioni");
  g_assert_cmpuint (search (f, "elena"), ==, 1);
  press (f, "console.consult");
  attendant_test_wait_until (search_empty, entry, 10000, "the search emptied after the consultation began");
  wait_n (calls, 2, "the consultation next to the call");
  leg = item (calls, 1);
  wait_state (leg, ATTENDANT_CALL_STATE_CONSULTING, "the colleague on the line");
  press (f, "console.cancel-consult");
  wait_state (call, ATTENDANT_CALL_STATE_ACTIVE, "back to the caller");
  press (f, "console.hang-up");
  wait_n (calls, 0, "the caller gone");

  /* A call placed with the typed number's own button: the row goes, and
   * the keyboard with it back to the search, not nowhere. */
  g_assert_cmpuint (search (f, "0612345678"), ==, 0);
  wait_label (f, "Call 0612345678");
  gtk_widget_grab_focus (typed_button);
  gtk_widget_activate (typed_button);
  attendant_test_wait_until (search_empty, entry, 10000, "the search emptied after the call was placed");
  wait_n (calls, 1, "the typed number called");
  g_assert_true (focus_in_search (f));
  press (f, "console.hang-up");
  wait_n (calls, 0, "the outside call ended");
}

/* Where the "No One Is Waiting" illustration is, in the window. */
static graphene_rect_t
empty_queue_bounds (Fixture *f)
{
  GtkWidget *title = attendant_test_gui_find_label (GTK_WIDGET (f->window), "No One Is Waiting");
  graphene_rect_t bounds;

  g_assert_nonnull (title);
  g_assert_true (gtk_widget_get_mapped (title));
  g_assert_true (gtk_widget_compute_bounds (title, GTK_WIDGET (f->window), &bounds));
  return bounds;
}

/* Nothing on screen moves under the receptionist's eyes: a call in "My
 * Calls", which is taller than its empty line, leaves the empty queue's
 * illustration where it was. */
static void
test_console_empty_queue_still (Fixture       *f,
                                gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  graphene_rect_t before;
  graphene_rect_t after;

  wait_frames (GTK_WIDGET (f->window));
  before = empty_queue_bounds (f);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "console.dial", "s", "0612345678"));
  wait_n (calls, 1, "a call in My Calls");
  wait_frames (GTK_WIDGET (f->window));
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-empty-queue-with-call.png");
  after = empty_queue_bounds (f);

  g_assert_cmpfloat (after.origin.y, ==, before.origin.y);
  g_assert_cmpfloat (after.origin.x, ==, before.origin.x);
  press (f, "console.hang-up");
  wait_n (calls, 0, "the call ended");
}

/* F2 while the phone system rings the attendant's own phone, which they
 * may have to pick up by hand: the waiting caller's row says so until the
 * answer's reply, and the call then moves to "My Calls" as ever. */
static void
test_console_pickup_hint (Fixture       *f,
                          gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  GListModel *queue = attendant_console_get_queue (f->console);
  AttendantCall *call;

  g_object_set (f->pbx, "pickup-delay", 3.0, NULL);
  inject (f, "+390244444444", "Bassi Elettrica");
  wait_n (queue, 1, "a caller");
  call = item (queue, 0);
  press (f, "console.answer");
  g_assert_true (attendant_call_get_pending (call));
  wait_label (f, "Pick up your phone…");
  g_assert_true (attendant_call_get_pending (call));
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 0);
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-pickup-hint.png");

  wait_n (calls, 1, "the call answered once the phone was picked up");
  wait_state (item (calls, 0), ATTENDANT_CALL_STATE_ACTIVE, "the call active");
  wait_frames (GTK_WIDGET (f->window));
  g_assert_null (attendant_test_gui_find_label (GTK_WIDGET (f->window), "Pick up your phone…"));
}

/* Each presence has its own icon and colour on a colleague's row. */
static void
test_console_presence_icons (Fixture       *f,
                             gconstpointer  data)
{
  static const struct { const char *name; const char *icon; const char *css; } expected[] = {
    { "Bruno Bianchi", "user-available-symbolic", "presence-available" },
    { "Chiara Esposito", "call-start-symbolic", "presence-busy" },
    { "Davide Romano", "user-away-symbolic", "presence-away" },
    { "Francesca Ricci", "action-unavailable-symbolic", "presence-dnd" },
    { "Luca Bruno", "user-offline-symbolic", "presence-offline" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      GtkWidget *label;
      GtkWidget *row;
      GtkWidget *icon;

      g_assert_cmpuint (search (f, expected[i].name), >=, 1);
      wait_label (f, expected[i].name);
      label = attendant_test_gui_find_label (GTK_WIDGET (f->window), expected[i].name);
      row = gtk_widget_get_ancestor (label, ATTENDANT_TYPE_CONTACT_ROW);
      g_assert_nonnull (row);
      icon = attendant_test_gui_find_widget (row, GTK_TYPE_IMAGE, "presence-icon");
      g_assert_nonnull (icon);
      g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (icon)), ==, expected[i].icon);
      g_assert_true (gtk_widget_has_css_class (icon, expected[i].css));
    }
  g_assert_cmpuint (search (f, ""), ==, g_list_model_get_n_items (G_LIST_MODEL (attendant_console_get_directory (f->console))));
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-presence.png");
}

static GtkWidget *row_of_contact (Fixture *f, const char *name);

/* A colleague the telephone system would refuse (on do-not-disturb, on
 * a call, offline): the console says why and sends nothing, offers no
 * "Transfer Anyway" that could only fail, and can put the caller on
 * hold meanwhile. A waiting caller dropped on such a colleague stays in
 * the queue. An available colleague is not asked about. */
static void
test_console_transfer_refused (Fixture       *f,
                               gconstpointer  data)
{
  static const struct { const char *search; const char *name; const char *command; } refused[] = {
    { "francesca", "Francesca Ricci", "console.transfer" },
    { "chiara", "Chiara Esposito", "console.consult" },
    { "luca bruno", "Luca Bruno", "console.transfer" },
  };
  GListModel *calls = attendant_console_get_calls (f->console);
  GListModel *queue = attendant_console_get_queue (f->console);
  AttendantCall *call = answer_one (f, "+390212312312", "Neri Impianti");
  g_autoptr(GdkContentProvider) content = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  GtkWidget *dialog;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *heading = g_strdup_printf ("%s Cannot Take the Call", refused[i].name);

      g_assert_cmpuint (search (f, refused[i].search), ==, 1);
      press (f, refused[i].command);
      attendant_test_wait_until (has_toplevel_named, "transfer-refused", 5000, "why the transfer cannot be");
      dialog = toplevel_named ("transfer-refused");
      g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
      g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, heading);
      g_assert_false (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "transfer"));
      g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "hold"));
      g_assert_cmpstr (adw_message_dialog_get_close_response (ADW_MESSAGE_DIALOG (dialog)), ==, "keep");
      if (i == 0)
        attendant_test_gui_screenshot_dialog (GTK_WIDGET (f->window), dialog, "console-transfer-refused.png");
      adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "keep");
      gtk_window_destroy (GTK_WINDOW (dialog));
      g_assert_false (attendant_call_get_pending (call));
      g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_ACTIVE);
    }

  /* Put on hold while the attendant looks for someone else. */
  g_assert_cmpuint (search (f, "francesca"), ==, 1);
  press (f, "console.transfer");
  respond_to_refusal ("hold");
  wait_state (call, ATTENDANT_CALL_STATE_HELD, "the caller on hold");
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 1);

  /* Available: no question. */
  g_assert_cmpuint (search (f, "bianchi"), ==, 1);
  press (f, "console.transfer");
  g_assert_false (has_toplevel_named ("transfer-refused"));
  wait_n (calls, 0, "the call handed over to Bruno Bianchi");

  /* A waiting caller dropped on a colleague on do-not-disturb: not
   * answered, still waiting; only "OK", nothing to hold. */
  inject (f, "+390278978978", "Gialli Ottica");
  wait_n (queue, 1, "a caller");
  g_value_init (&value, ATTENDANT_TYPE_CALL);
  g_value_set_object (&value, item (queue, 0));
  g_assert_cmpuint (search (f, "francesca"), ==, 1);
  g_signal_emit_by_name (drop_target_of (row_of_contact (f, "Francesca Ricci")), "drop", &value, 10.0, 10.0, &accepted);
  attendant_test_wait_until (has_toplevel_named, "transfer-refused", 5000, "why the drop cannot be");
  dialog = toplevel_named ("transfer-refused");
  g_assert_false (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "hold"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "stays in the queue"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpuint (g_list_model_get_n_items (queue), ==, 1);
  g_assert_cmpint (attendant_call_get_state (item (queue, 0)), ==, ATTENDANT_CALL_STATE_QUEUED);
  g_assert_false (attendant_call_get_pending (item (queue, 0)));
}

/* A colleague who is away: the phone rings but may not be answered, and
 * the call would come back. Asked first: Cancel sends nothing, Transfer
 * Anyway transfers (and the call then rings Davide Romano). */
static void
test_console_transfer_warning (Fixture       *f,
                               gconstpointer  data)
{
  AttendantCall *call = answer_one (f, "+390212312312", "Neri Impianti");
  GtkWidget *dialog;

  g_assert_cmpuint (search (f, "davide"), ==, 1);
  press (f, "console.transfer");
  attendant_test_wait_until (has_toplevel_named, "transfer-warning", 5000, "the warning before the transfer");
  dialog = toplevel_named ("transfer-warning");
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_cmpstr (adw_message_dialog_get_response_label (ADW_MESSAGE_DIALOG (dialog), "transfer"), ==,
                   "_Transfer Anyway");
  attendant_test_gui_screenshot_dialog (GTK_WIDGET (f->window), dialog, "console-transfer-warning.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_false (attendant_call_get_pending (call));
  g_assert_cmpint (attendant_call_get_state (call), ==, ATTENDANT_CALL_STATE_ACTIVE);

  press (f, "console.transfer");
  attendant_test_wait_until (has_toplevel_named, "transfer-warning", 5000, "the warning before the transfer");
  dialog = toplevel_named ("transfer-warning");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "transfer");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_state (call, ATTENDANT_CALL_STATE_TRANSFERRING, "the call ringing Davide Romano");
}

static gboolean
duration_at_least_2s (gpointer data)
{
  GtkWidget *label = attendant_test_gui_find_widget (data, GTK_TYPE_LABEL, "call-duration");

  return label != NULL && g_regex_match_simple ("^0:(0[2-9]|[1-5][0-9])$", gtk_label_get_label (GTK_LABEL (label)), 0, 0);
}

static gboolean
label_changed (gpointer data)
{
  GtkLabel *label = ((gpointer *)data)[0];

  return g_strcmp0 (gtk_label_get_label (label), ((gpointer *)data)[1]) != 0;
}

/* The time of a call in "My Calls" is the whole call: a hold and a
 * resume (each a new state, with a new "since") do not start it again. */
static void
test_console_timer (Fixture       *f,
                    gconstpointer  data)
{
  AttendantCall *call = answer_one (f, "+390245645645", "Verdi Arredamenti");
  g_autofree char *shown = NULL;
  GtkWidget *label;
  gint64 start = attendant_console_get_call_start (f->console, call);

  attendant_test_wait_until (duration_at_least_2s, f->window, 10000, "two seconds of talk");
  press (f, "console.hold");
  wait_state (call, ATTENDANT_CALL_STATE_HELD, "the call on hold");
  press (f, "console.hold");
  wait_state (call, ATTENDANT_CALL_STATE_ACTIVE, "the call resumed");
  /* The server's "since" moved; the call's start did not. */
  g_assert_cmpint (attendant_call_get_since (call), >, start);
  g_assert_cmpint (attendant_console_get_call_start (f->console, call), ==, start);
  /* The next tick shows the time again: still past two seconds. */
  label = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_LABEL, "call-duration");
  g_assert_nonnull (label);
  shown = g_strdup (gtk_label_get_label (GTK_LABEL (label)));
  attendant_test_wait_until (label_changed, (gpointer[]) { label, shown }, 5000, "the next second shown");
  g_assert_true (g_regex_match_simple ("^0:(0[2-9]|[1-5][0-9])$", gtk_label_get_label (GTK_LABEL (label)), 0, 0));
}

static GtkWidget *
row_of_contact (Fixture    *f,
                const char *name)
{
  GtkWidget *label;

  wait_label (f, name);
  label = attendant_test_gui_find_label (GTK_WIDGET (f->window), name);
  return gtk_widget_get_ancestor (label, ATTENDANT_TYPE_CONTACT_ROW);
}

/* A waiting caller dragged onto a colleague: answered, then handed over,
 * and the toast says so once the colleague has the call. The pointer's
 * drag cannot be synthesized under Xvfb: the row's drag source is asked
 * for its content, which is given to the colleague's drop target. */
static void
test_console_drag_from_queue (Fixture       *f,
                              gconstpointer  data)
{
  GListModel *queue = attendant_console_get_queue (f->console);
  GListModel *calls = attendant_console_get_calls (f->console);
  g_autoptr(GdkContentProvider) content = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GtkWidget *queue_row;
  GtkDragSource *source;
  gboolean accepted = FALSE;

  inject (f, "+390278978978", "Gialli Ottica");
  wait_n (queue, 1, "a caller");
  wait_label (f, "Gialli Ottica");
  queue_row = gtk_widget_get_ancestor (attendant_test_gui_find_label (GTK_WIDGET (f->window), "Gialli Ottica"),
                                       ATTENDANT_TYPE_CALL_ROW);
  g_assert_nonnull (queue_row);
  source = controller_of (queue_row, GTK_TYPE_DRAG_SOURCE);
  g_assert_nonnull (source);
  g_signal_emit_by_name (source, "prepare", 5.0, 5.0, &content);
  g_assert_nonnull (content);
  g_value_init (&value, ATTENDANT_TYPE_CALL);
  g_assert_true (gdk_content_provider_get_value (content, &value, NULL));
  g_assert_true (g_value_get_object (&value) == item (queue, 0));

  g_assert_cmpuint (search (f, "giorgio"), ==, 1);
  g_signal_emit_by_name (drop_target_of (row_of_contact (f, "Giorgio Marino")), "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);

  wait_n (queue, 0, "the caller taken from the queue");
  wait_label (f, "Transferred to Giorgio Marino");
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 0);
}

static gboolean
history_has (gpointer data)
{
  Fixture *f = ((gpointer *)data)[0];

  return g_list_model_get_n_items (attendant_console_get_history (f->console)) == GPOINTER_TO_UINT (((gpointer *)data)[1]);
}

/* The day's calls: answered and ended, answered and transferred (to
 * whom), and missed (the caller hung up while waiting), newest first, in
 * the History popover. */
static void
test_console_history (Fixture       *f,
                      gconstpointer  data)
{
  GListModel *calls = attendant_console_get_calls (f->console);
  GListModel *history = attendant_console_get_history (f->console);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) lost = NULL;
  GtkWidget *button;
  GtkWidget *popover;

  answer_one (f, "+390211122233", "Blu Assicurazioni");
  press (f, "console.hang-up");
  wait_n (calls, 0, "the first call ended");

  answer_one (f, "+390244455566", "Arancio Viaggi");
  g_assert_cmpuint (search (f, "bianchi"), ==, 1);
  press (f, "console.transfer");
  wait_n (calls, 0, "the second call transferred");

  lost = attendant_pbx_inject_call (f->pbx, "+390277788899", "Viola Moda", NULL, NULL, 0, &error);
  g_assert_no_error (error);
  wait_n (attendant_console_get_queue (f->console), 1, "a third caller waiting");
  attendant_pbx_caller_hangup (f->pbx, attendant_protocol_get_string (lost, "id"), &error);
  g_assert_no_error (error);
  wait_n (attendant_console_get_queue (f->console), 0, "the third caller gone");

  {
    gpointer args[] = { f, GUINT_TO_POINTER (3) };

    attendant_test_wait_until (history_has, args, 5000, "three calls in the history");
  }
  g_assert_cmpint (attendant_history_entry_get_kind (g_list_model_get_item (history, 0)), ==, ATTENDANT_HISTORY_MISSED);
  g_object_unref (g_list_model_get_item (history, 0));

  button = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_MENU_BUTTON, "history-button");
  g_assert_nonnull (button);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  wait_label (f, "Viola Moda");
  wait_label (f, "Arancio Viaggi");
  wait_label (f, "Blu Assicurazioni");
  g_assert_nonnull (attendant_test_gui_find_widget (popover, ADW_TYPE_ACTION_ROW, "history-row"));
  g_assert_cmpuint (attendant_test_gui_count_widgets (popover, ADW_TYPE_ACTION_ROW, "history-row"), ==, 3);
  attendant_test_gui_screenshot (popover, "console-history.png");
  gtk_popover_popdown (GTK_POPOVER (popover));
}

static gboolean
paused_is (gpointer data)
{
  Fixture *f = ((gpointer *)data)[0];
  gboolean want = GPOINTER_TO_INT (((gpointer *)data)[1]);
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (
    attendant_console_view_get_actions (ATTENDANT_CONSOLE_VIEW (attendant_test_gui_find_widget (GTK_WIDGET (f->window),
                                                                                                ATTENDANT_TYPE_CONSOLE_VIEW, NULL)))),
    "paused");

  return attendant_console_get_presence (f->console) == (want ? ATTENDANT_PRESENCE_AWAY : ATTENDANT_PRESENCE_AVAILABLE) &&
         g_variant_get_boolean (state) == want;
}

/* The attendant's own pause goes to the server, which honours it: a call
 * to their extension rings them while available, and goes to the queue
 * while paused. */
static void
test_console_pause (Fixture       *f,
                    gconstpointer  data)
{
  const char *me = attendant_console_get_extension (f->console);
  GListModel *calls = attendant_console_get_calls (f->console);
  GListModel *queue = attendant_console_get_queue (f->console);
  AttendantConsoleView *view = ATTENDANT_CONSOLE_VIEW (attendant_test_gui_find_widget (GTK_WIDGET (f->window),
                                                                                     ATTENDANT_TYPE_CONSOLE_VIEW, NULL));
  gpointer available[] = { f, GINT_TO_POINTER (FALSE) };
  gpointer paused[] = { f, GINT_TO_POINTER (TRUE) };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) direct = NULL;
  g_autoptr(JsonObject) later = NULL;

  g_assert_nonnull (me);
  attendant_test_wait_until (paused_is, available, 5000, "the attendant available");
  direct = attendant_pbx_inject_call (f->pbx, "+390212121299", "Diretto Spa", NULL, me, 0, &error);
  g_assert_no_error (error);
  wait_n (calls, 1, "a direct call ringing the attendant");
  wait_state (item (calls, 0), ATTENDANT_CALL_STATE_RINGING, "ringing");
  attendant_pbx_caller_hangup (f->pbx, attendant_protocol_get_string (direct, "id"), &error);
  g_assert_no_error (error);
  wait_n (calls, 0, "the direct call gone");

  g_action_group_change_action_state (attendant_console_view_get_actions (view), "paused", g_variant_new_boolean (TRUE));
  attendant_test_wait_until (paused_is, paused, 5000, "the attendant paused, as the server says");
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-paused.png");
  later = attendant_pbx_inject_call (f->pbx, "+390212121298", "Diretto Due", NULL, me, 0, &error);
  g_assert_no_error (error);
  wait_n (queue, 1, "the direct call in the queue instead");
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 0);
  g_assert_cmpint (attendant_call_get_state (item (queue, 0)), ==, ATTENDANT_CALL_STATE_QUEUED);

  g_action_group_change_action_state (attendant_console_view_get_actions (view), "paused", g_variant_new_boolean (FALSE));
  attendant_test_wait_until (paused_is, available, 5000, "the attendant available again");
}

/* A busy morning: a dozen callers waiting, some long, calls on hold, one
 * in hand, and the History behind its button. */
static void
test_console_busy_morning (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GListModel *queue = attendant_console_get_queue (f->console);
  GListModel *calls = attendant_console_get_calls (f->console);
  GtkWidget *view = queue_view (f);
  ClassWait alert = { view, "wait-alert", 1 };
  static const char *names[] = {
    "ACME Spa", "Rossi Trasporti", NULL, "Studio Verdi", "Ferri Costruzioni", NULL, "Bellini & Figli",
    "Galli Srl", "Lombardi Energia", NULL, "Moretti Assicurazioni", "Conti Viaggi", "Neri Impianti",
    "Blu Assicurazioni", "Arancio Viaggi",
  };

  ClassWait warning = { view, "wait-warning", 1 };

  /* Five who will have waited long, five a while, five just come. */
  g_settings_set_uint (settings, "wait-warning-seconds", 3);
  g_settings_set_uint (settings, "wait-alert-seconds", 6);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *number = g_strdup_printf ("+3902%08u", 31415926 + i * 1111);

      if (i == 5)
        attendant_test_wait_until (has_wait_class, &warning, 10000, "the first callers waiting a while");
      if (i == 10)
        attendant_test_wait_until (has_wait_class, &alert, 10000, "the first callers waiting long");
      inject (f, number, names[i]);
    }
  wait_n (queue, G_N_ELEMENTS (names), "the morning's callers");
  /* Three taken: the first two on hold, the third in hand. */
  for (guint i = 0; i < 3; i++)
    {
      press (f, "console.answer");
      wait_n (calls, i + 1, "one more call answered");
      wait_state (item (calls, i), ATTENDANT_CALL_STATE_ACTIVE, "the call active");
    }
  wait_state (item (calls, 0), ATTENDANT_CALL_STATE_HELD, "the first call on hold");
  g_assert_cmpuint (g_list_model_get_n_items (queue), >=, 10);
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "console-busy-morning.png");
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  attendant_test_gui_init (&argc, &argv);

#define ADD(path, fn) \
  g_test_add ("/console-view/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  /* Keys typed through the X server make their time the display's "user
   * time", which GTK then puts on every later window raise of the process;
   * once the X server's focus has moved on past it (a window closed), such
   * raises do nothing, and the tests of raising fail. So these run in a
   * program of their own, on an X server of their own (tests/gui/meson.build). */
  if (CONSOLE_TYPED_KEYS)
    ADD ("enter-keys", test_console_enter_keys);
  else
    {
      ADD ("answer", test_console_answer);
      ADD ("blind-transfer", test_console_blind_transfer);
      ADD ("transfer-button", test_console_transfer_button);
      ADD ("recall", test_console_recall);
      ADD ("consult", test_console_consult);
      ADD ("drag-and-drop", test_console_drag_and_drop);
      ADD ("offline", test_console_offline);
      ADD ("failover-mid-consult", test_console_failover_mid_consult);
      ADD ("typed-number", test_console_typed_number);
      ADD ("search-cleared", test_console_search_cleared);
      ADD ("pickup-hint", test_console_pickup_hint);
      g_test_add ("/console-view/empty-queue-still", Fixture, AT_DEFAULT_SIZE,
                  fixture_set_up, test_console_empty_queue_still, fixture_tear_down);
      ADD ("presence-icons", test_console_presence_icons);
      ADD ("transfer-warning", test_console_transfer_warning);
      ADD ("transfer-refused", test_console_transfer_refused);
      ADD ("tooltip-keys", test_console_tooltip_keys);
      ADD ("timer", test_console_timer);
      ADD ("drag-from-queue", test_console_drag_from_queue);
      ADD ("history", test_console_history);
      ADD ("pause", test_console_pause);
      g_test_add ("/console-view/busy-morning", Fixture, AT_DEFAULT_SIZE,
                  fixture_set_up, test_console_busy_morning, fixture_tear_down);
      g_test_add ("/console-view/queue-stable", Fixture, AT_DEFAULT_SIZE,
                  fixture_set_up, test_console_queue_stable, fixture_tear_down);
      g_test_add ("/console-view/queue-room", Fixture, AT_DEFAULT_SIZE,
                  fixture_set_up, test_console_queue_room, fixture_tear_down);
      g_test_add ("/console-view/search-10000", Fixture, build_large_directory (),
                  fixture_set_up, test_console_search_large, fixture_tear_down);
      g_test_add ("/console-view/notification", Fixture, WITH_APPLICATION,
                  fixture_set_up, test_console_notification, fixture_tear_down);
    }
#undef ADD

  {
    int status = g_test_run ();

    g_free (large_directory);
    return status;
  }
}
