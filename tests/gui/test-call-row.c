/* test-call-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AttendantCallRow: a call in the Waiting list, its wait coloured past
 * the thresholds; a call in "My Calls", timed from its start through hold
 * and resume, with the buttons its state allows. The console is fed the
 * server's snapshot and events through its client's signals, as the
 * client delivers them. */

#include "config.h"

#include "attendant-call-row.h"
#include "attendant-protocol.h"
#include "attendant-test-gui.h"

#define ME "200"

typedef struct
{
  AttendantClient  *client;
  AttendantConsole *console;
  GtkWidget        *window;
  GtkWidget        *box;
} Fixture;

/* An ISO 8601 time @seconds ago, as the server writes "since". */
static char *
ago (int seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, -seconds);

  return g_date_time_format_iso8601 (then);
}

static void
feed (Fixture    *f,
      const char *signal,
      const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = attendant_protocol_parse_object (json, strlen (json), &error);

  g_assert_no_error (error);
  g_signal_emit_by_name (f->client, signal, object);
}

static void
feed_call (Fixture    *f,
           const char *id,
           const char *state,
           int         seconds_ago)
{
  g_autofree char *since = ago (seconds_ago);
  g_autofree char *json = g_strdup_printf ("{\"type\":\"event\",\"seq\":2,\"event\":\"call.updated\",\"call\":"
                                           "{\"id\":\"%s\",\"state\":\"%s\",\"queue\":\"main\","
                                           "\"caller_number\":\"+39021\",\"caller_name\":\"ACME Spa\","
                                           "\"since\":\"%s\",\"attendant\":%s,\"recalled\":false}}",
                                           id, state, since,
                                           g_str_equal (state, "queued") ? "null" : "\"" ME "\"");

  feed (f, "event", json);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->client = attendant_client_new (NULL);
  f->console = attendant_console_new (f->client);
  feed (f, "snapshot",
        "{\"type\":\"snapshot\",\"seq\":1,\"me\":{\"user\":\"reception\",\"extension\":\"" ME "\"},"
        "\"directory\":[],\"queues\":[{\"id\":\"main\",\"name\":\"Reception\"}],\"calls\":[]}");

  f->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  f->window = g_object_ref (gtk_window_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), f->box);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 420, 100);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  attendant_test_gui_window_free (f->window);
  g_clear_object (&f->console);
  g_clear_object (&f->client);
}

static GtkWidget *
add_row (Fixture    *f,
         gboolean    queue,
         const char *id)
{
  GtkWidget *row = attendant_call_row_new (f->console, queue);

  attendant_call_row_set_call (ATTENDANT_CALL_ROW (row), attendant_console_lookup_call (f->console, id));
  gtk_box_append (GTK_BOX (f->box), row);
  return row;
}

/* The row's time, against a pattern: a slow machine may see the clock
 * move a few seconds on between two looks. */
static void
assert_time (GtkWidget  *row,
             const char *name,
             const char *pattern)
{
  GtkWidget *label = attendant_test_gui_find_widget (row, GTK_TYPE_LABEL, name);

  g_assert_nonnull (label);
  if (!g_regex_match_simple (pattern, gtk_label_get_label (GTK_LABEL (label)), 0, 0))
    g_error ("%s shows “%s”, not %s", name, gtk_label_get_label (GTK_LABEL (label)), pattern);
}

static gboolean
subtitle_is (gpointer data)
{
  GtkWidget *row = ((gpointer *)data)[0];
  const char *text = ((gpointer *)data)[1];

  return g_strcmp0 (attendant_test_gui_label_text (row, "call-subtitle"), text) == 0;
}

static int
natural_height (GtkWidget *row)
{
  int natural = 0;

  gtk_widget_measure (row, GTK_ORIENTATION_VERTICAL, 400, NULL, &natural, NULL, NULL);
  return natural;
}

/* An answer may wait for the attendant to pick up their own phone, which
 * the phone system rings: past a moment the row says so, on its one
 * subtitle line (the row keeps its height), until the reply. A hang-up
 * waits only for the server, and says nothing of the phone. */
static void
test_call_row_pickup_hint (Fixture       *f,
                           gconstpointer  data)
{
  GtkWidget *waiting;
  GtkWidget *ringing;
  AttendantCall *call;
  AttendantCall *recall;
  int height;
  gpointer hint[2];

  feed_call (f, "c1", "queued", 5);
  feed_call (f, "c2", "ringing", 2);
  waiting = add_row (f, TRUE, "c1");
  ringing = add_row (f, FALSE, "c2");
  call = attendant_console_lookup_call (f->console, "c1");
  recall = attendant_console_lookup_call (f->console, "c2");
  height = natural_height (waiting);

  attendant_call_set_pending_command (recall, ATTENDANT_COMMAND_HANGUP);
  attendant_call_set_pending_command (call, ATTENDANT_COMMAND_ANSWER);
  /* A moment: no words yet. */
  g_assert_cmpstr (attendant_test_gui_label_text (waiting, "call-subtitle"), ==, "+39021 · Reception");
  hint[0] = waiting;
  hint[1] = "Pick up your phone…";
  attendant_test_wait_until (subtitle_is, hint, 5000, "the answer waiting for the attendant's phone");
  g_assert_cmpint (natural_height (waiting), ==, height);
  /* Pending as long, but not an answer. */
  g_assert_cmpstr (attendant_test_gui_label_text (ringing, "call-subtitle"), ==,
                   "Ringing you — waiting for the server…");
  attendant_test_gui_screenshot (f->window, "call-row-pickup.png");

  /* The reply, whatever it said. */
  attendant_call_set_pending (call, FALSE);
  g_assert_cmpstr (attendant_test_gui_label_text (waiting, "call-subtitle"), ==, "+39021 · Reception");
  attendant_call_set_pending (recall, FALSE);

  /* The same on a call ringing the attendant again, in "My Calls". */
  attendant_call_set_pending_command (recall, ATTENDANT_COMMAND_ANSWER);
  hint[0] = ringing;
  attendant_test_wait_until (subtitle_is, hint, 5000, "the recall's answer waiting for the attendant's phone");
  attendant_call_set_pending (recall, FALSE);
  g_assert_cmpstr (attendant_test_gui_label_text (ringing, "call-subtitle"), ==, "Ringing you · +39021");
}

/* A wait past the warning is orange, past the alert red; a call of the
 * attendant's is never coloured for its length. */
static void
test_wait_colours (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *row;
  GtkWidget *label;

  feed_call (f, "c-1", "queued", 200);
  row = add_row (f, TRUE, "c-1");
  label = attendant_test_gui_find_widget (row, GTK_TYPE_LABEL, "waiting-time");

  attendant_call_row_tick (ATTENDANT_CALL_ROW (row), 300, 600);
  assert_time (row, "waiting-time", "^3:2[0-9]$");
  g_assert_false (gtk_widget_has_css_class (label, "wait-warning"));
  g_assert_false (gtk_widget_has_css_class (label, "wait-alert"));
  attendant_call_row_tick (ATTENDANT_CALL_ROW (row), 60, 600);
  g_assert_true (gtk_widget_has_css_class (label, "wait-warning"));
  attendant_call_row_tick (ATTENDANT_CALL_ROW (row), 60, 180);
  g_assert_false (gtk_widget_has_css_class (label, "wait-warning"));
  g_assert_true (gtk_widget_has_css_class (label, "wait-alert"));
  g_assert_nonnull (attendant_test_gui_find_label (row, "ACME Spa"));
  g_assert_nonnull (attendant_test_gui_find_label (row, "+39021 · Reception"));
  attendant_test_gui_screenshot (f->window, "call-row-waiting.png");

  /* Answered: the same call in "My Calls" shows its length, uncoloured. */
  feed_call (f, "c-1", "active", 200);
  row = add_row (f, FALSE, "c-1");
  attendant_call_row_tick (ATTENDANT_CALL_ROW (row), 60, 180);
  label = attendant_test_gui_find_widget (row, GTK_TYPE_LABEL, "call-duration");
  g_assert_false (gtk_widget_has_css_class (label, "wait-alert"));
}

/* The time of the attendant's call counts from its start: a hold and a
 * resume, each with a new "since", do not start it again; the buttons
 * follow the state. */
static void
test_whole_call (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *row;

  feed_call (f, "c-2", "active", 125);
  row = add_row (f, FALSE, "c-2");
  attendant_call_row_tick (ATTENDANT_CALL_ROW (row), 60, 180);
  assert_time (row, "call-duration", "^2:(0[5-9]|1[0-9])$");
  g_assert_nonnull (attendant_test_gui_find_label (row, "Hold"));
  g_assert_null (attendant_test_gui_find_label (row, "Resume"));

  feed_call (f, "c-2", "held", 5);
  attendant_call_row_tick (ATTENDANT_CALL_ROW (row), 60, 180);
  assert_time (row, "call-duration", "^2:(0[5-9]|1[0-9])$");
  g_assert_nonnull (attendant_test_gui_find_label (row, "Resume"));
  g_assert_nonnull (attendant_test_gui_find_label (row, "On hold · +39021"));

  feed_call (f, "c-2", "active", 0);
  attendant_call_row_tick (ATTENDANT_CALL_ROW (row), 60, 180);
  assert_time (row, "call-duration", "^2:(0[5-9]|1[0-9])$");
  g_assert_nonnull (attendant_test_gui_find_label (row, "Hold"));
  attendant_test_gui_screenshot (f->window, "call-row-mine.png");
}

int
main (int   argc,
      char *argv[])
{
  attendant_test_gui_init (&argc, &argv);

  g_test_add ("/call-row/wait-colours", Fixture, NULL, fixture_set_up, test_wait_colours, fixture_tear_down);
  g_test_add ("/call-row/whole-call", Fixture, NULL, fixture_set_up, test_whole_call, fixture_tear_down);
  g_test_add ("/call-row/pickup-hint", Fixture, NULL, fixture_set_up, test_call_row_pickup_hint, fixture_tear_down);

  return g_test_run ();
}
