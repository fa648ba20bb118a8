/* console-load.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark's probe of what a big directory costs the desktop app
 * (a company's directory of 10,000): the real AttendantWindow, on its console page, fed a
 * snapshot of N contacts and then a storm of presence events, while a
 * 1 ms timer at G_PRIORITY_HIGH notes every dispatch. The longest gap
 * between two dispatches is the longest the main loop was busy elsewhere:
 * the longest the window could not have answered a key or painted.
 *
 * The snapshot and the events are emitted on a real AttendantClient, never
 * started, with g_signal_emit_by_name(): the path from its "snapshot" and
 * "event" signals on (AttendantConsole, AttendantDirectory, the view's
 * filter model and list) is the app's own code, and what is measured. The
 * network path before those signals (WebSocket, JSON parsing, sequence
 * checks) is not: the lab suites and the benchmark's other sections cover
 * it.
 *
 * Phases, each ended by the main loop itself (no fixed sleeps stand in for
 * the filter finishing):
 *   1. the window shown and painted; SETTLE ms idle
 *   2. the snapshot; until the directory's filter has nothing pending
 *      and the list shows every match (it grows in steps);
 *      SETTLE ms for the painting it causes; SETTLE ms idle, the floor
 *   3. a search typed one character every KEYSTROKE ms into the
 *      directory's search entry (gtk_editable_insert_text(), as typing
 *      does), then cleared; the next key only once the filter and the
 *      list have nothing pending. The entry's search delay (GTK's 150 ms
 *      debounce) is 0, so every keystroke refilters: the worst case,
 *      which a slow typist always meets. A keystroke's stall is the longest gap from the key to
 *      the next one (filtering, and the painting it causes)
 *      (ATTENDANT_SCREENSHOT_DIR: the first frame of a key that
 *      narrows the list near the top, and of the clearing, as a person
 *      sees them while the list's steps are under way)
 *   4. RATE presence events a second for STORM s, random contacts, valid
 *      presences, increasing seq, fed from a G_PRIORITY_DEFAULT source as
 *      a socket's would be (late ones in a burst, as a socket buffer
 *      delivers them); SETTLE ms idle
 *
 * It prints, on stdout, one `key value` line per fact (µs, kB), then
 * exits 0:
 *   contacts N                  the directory's size after the snapshot
 *   shown-rss-kb N              VmRSS with the window painted, no contacts
 *   snapshot-us N               the snapshot signal's emission
 *   load-us N                   snapshot to every contact listed
 *   load-stall-max-us N         longest gap from the snapshot to settled
 *   loaded-rss-kb N             VmRSS after the load and SETTLE ms
 *   idle-stall-max-us N         longest gap in the idle SETTLE after it:
 *                               the floor (timer slack, machine load)
 *   keystrokes N
 *   keystroke-stalls-us A,B,…   per keystroke, in order
 *   keystroke-settle-us A,B,…   key to every match listed, per keystroke
 *   keystroke-frame-max-us A,B,… per keystroke, the longest frame (the
 *                               frame clock's before-paint to after-paint:
 *                               GTK's layout and drawing)
 *   keystroke-handler-us A,B,…  per keystroke, the key's own dispatch (the
 *                               entry's insertion or deletion and what it
 *                               runs at once: the search of an emptied
 *                               entry, which GTK does not delay)
 *   keystroke-stall-max-us N, keystroke-stall-median-us N
 *   storm-events N, storm-us N  events sent and over how long
 *   storm-stall-max-us N, storm-stall-p99-us N, storm-stall-p50-us N
 *   storm-cpu-us N              the process's CPU (user + system) meanwhile
 *   storm-rss-kb N              VmRSS after the storm and SETTLE ms
 */

#define G_LOG_DOMAIN "console-load"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <sys/resource.h>

#include "attendant-client.h"
#include "attendant-tls.h"
#include "attendant-slot-model.h"
#include "attendant-window.h"
#include "bench-probe.h"

typedef enum {
  PHASE_SHOWING,
  PHASE_SHOWN_IDLE,
  PHASE_LOADING,
  PHASE_LOADED_IDLE,
  PHASE_IDLE,
  PHASE_TYPING,
  PHASE_STORM,
  PHASE_STORM_IDLE,
  PHASE_DONE,
} Phase;

static int contacts = 10000;
static int keystroke_ms = 150;
static int rate = 1000;
static int storm_s = 10;
static int settle_ms = 1000;
static char *query = NULL;

static const GOptionEntry options[] = {
  { "contacts", 'n', 0, G_OPTION_ARG_INT, &contacts, "Contacts in the snapshot (10000)", "N" },
  { "query", 'q', 0, G_OPTION_ARG_STRING, &query, "The search typed (\"chiara rom\")", "TEXT" },
  { "keystroke-ms", 0, 0, G_OPTION_ARG_INT, &keystroke_ms, "Between keystrokes (150)", "MS" },
  { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "Presence events a second (1000)", "N" },
  { "storm-seconds", 0, 0, G_OPTION_ARG_INT, &storm_s, "How long the storm lasts (10)", "S" },
  { "settle-ms", 0, 0, G_OPTION_ARG_INT, &settle_ms, "Idle time between phases (1000)", "MS" },
  { NULL }
};

/* Enough names that a search narrows the list as a real one does, and
 * namesakes, as a real office has. */
static const char *const first_names[] = {
  "Alessandro", "Alice", "Andrea", "Anna", "Antonio", "Beatrice", "Bruno", "Carla",
  "Chiara", "Claudia", "Cristina", "Daniele", "Davide", "Elena", "Elisa", "Emma",
  "Federica", "Francesca", "Francesco", "Gabriele", "Giacomo", "Giorgio", "Giulia",
  "Ilaria", "Laura", "Leonardo", "Lorenzo", "Luca", "Marco", "Maria", "Marta",
  "Matteo", "Nicolò", "Paola", "Pietro", "Riccardo", "Roberto", "Sara", "Silvia",
  "Simone", "Sofia", "Stefano", "Tommaso", "Valentina", "Zoë",
};
static const char *const surnames[] = {
  "Barbieri", "Benedetti", "Bianchi", "Bruno", "Caruso", "Colombo", "Conti", "Costa",
  "D'Angelo", "De Luca", "Esposito", "Fabbri", "Ferrara", "Ferrari", "Fontana",
  "Galli", "Gallo", "Giordano", "Greco", "Leone", "Lombardi", "Longo", "Mancini",
  "Marino", "Martinelli", "Mariani", "Moretti", "Morelli", "Pellegrini", "Ricci",
  "Rinaldi", "Rizzo", "Romano", "Rossi", "Russo", "Santoro", "Serra", "Sorrentino",
  "Testa", "Villa", "Vitale",
};
static const char *const departments[] = {
  "Accounts", "Legal", "Logistics", "Management", "Marketing", "Reception",
  "Research", "Sales", "Support", "Warehouse", "IT", "Human Resources",
};
static const char *const presences[] = {
  "available", "busy", "ringing", "away", "dnd", "offline",
};

typedef struct
{
  Phase               phase;
  gint64              phase_start;
  GMainLoop          *loop;
  GRand              *rand;
  AttendantClient    *client;
  GtkWidget          *window;
  GtkEditable        *search;
  GtkFilterListModel *filtered;
  AttendantSlotModel *slots;

  /* The probe: the last dispatch of the 1 ms high-priority timer, and the
   * gaps of the phase being measured. */
  gint64              last_tick;
  gint64              phase_stall;
  GArray             *gaps;

  gint64              snapshot_us;
  gint64              load_us;
  gint64              load_stall;

  /* The frame clock's frames (before-paint to after-paint: layout and
   * drawing): how much of a stall is GTK laying out and painting. */
  gint64              frame_start;
  gint64              frame_max;

  GArray             *key_stalls;
  GArray             *key_settles;
  GArray             *key_frames;
  GArray             *key_handlers;
  /* with ATTENDANT_SCREENSHOT_DIR: the name of the screenshot the next
   * frame is to be saved as (a key's first frame, its steps under way) */
  const char         *frame_shot;
  guint               keys_typed;
  guint               n_keys;
  gint64              key_time;
  gboolean            key_filtered;  /* the key's search-changed came */
  gboolean            key_settled;

  guint64             seq;
  guint64             events_sent;
  gint64              storm_cpu;
} Probe;

static gint64
cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

static void
fact (const char *key,
      gint64      value)
{
  printf ("%s %" G_GINT64_FORMAT "\n", key, value);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return (x > y) - (x < y);
}

/* Nearest rank, as bench.py's percentile(). */
static gint64
percentile (GArray *values,
            guint   p)
{
  g_autoptr(GArray) sorted = NULL;
  guint rank;

  if (values->len == 0)
    return -1;

  sorted = g_array_copy (values);
  g_array_sort (sorted, compare_gint64);
  rank = MAX (1, (p * sorted->len + 99) / 100);
  return g_array_index (sorted, gint64, rank - 1);
}

static void
list_fact (const char *key,
           GArray     *values)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < values->len; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            g_array_index (values, gint64, i));
  printf ("%s %s\n", key, text->str);
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
require_named (GtkWidget  *window,
               const char *name)
{
  GtkWidget *widget = find_named (window, name);

  if (widget == NULL)
    g_error ("the window has no widget named %s", name);
  return widget;
}

static void
enter_phase (Probe *probe,
             Phase  phase)
{
  probe->phase = phase;
  probe->phase_start = g_get_monotonic_time ();
  probe->phase_stall = 0;
  g_array_set_size (probe->gaps, 0);
}

static gboolean
phase_over (Probe *probe,
            gint64 now,
            int    ms)
{
  return now - probe->phase_start >= (gint64)ms * 1000;
}

/* {{{ The loads */

static JsonObject *
snapshot_new (Probe *probe)
{
  JsonObject *snapshot = json_object_new ();
  JsonObject *me = json_object_new ();
  JsonArray *directory = json_array_sized_new (contacts);

  json_object_set_string_member (snapshot, "type", "snapshot");
  json_object_set_int_member (snapshot, "seq", (gint64)++probe->seq);
  json_object_set_string_member (me, "user", "reception");
  json_object_set_string_member (me, "extension", "200");
  json_object_set_object_member (snapshot, "me", me);

  for (int i = 0; i < contacts; i++)
    {
      JsonObject *contact = json_object_new ();
      g_autofree char *id = g_strdup_printf ("ext-%05d", i);
      g_autofree char *number = g_strdup_printf ("%d", 10000 + i);
      g_autofree char *name = g_strdup_printf ("%s %s",
                                               first_names[g_rand_int_range (probe->rand, 0, G_N_ELEMENTS (first_names))],
                                               surnames[g_rand_int_range (probe->rand, 0, G_N_ELEMENTS (surnames))]);

      json_object_set_string_member (contact, "id", id);
      json_object_set_string_member (contact, "name", name);
      json_object_set_string_member (contact, "number", number);
      json_object_set_string_member (contact, "department",
                                     departments[g_rand_int_range (probe->rand, 0, G_N_ELEMENTS (departments))]);
      json_object_set_string_member (contact, "presence",
                                     presences[g_rand_int_range (probe->rand, 0, G_N_ELEMENTS (presences))]);
      json_array_add_object_element (directory, contact);
    }

  json_object_set_array_member (snapshot, "directory", directory);
  json_object_set_array_member (snapshot, "queues", json_array_new ());
  json_object_set_array_member (snapshot, "calls", json_array_new ());
  return snapshot;
}

static void
send_snapshot (Probe *probe)
{
  g_autoptr(JsonObject) snapshot = snapshot_new (probe);
  gint64 start = g_get_monotonic_time ();

  /* Building the JSON is the benchmark's work, not the app's: the probe
   * starts counting after it. */
  probe->last_tick = start;
  enter_phase (probe, PHASE_LOADING);
  g_signal_emit_by_name (probe->client, "snapshot", snapshot);
  probe->snapshot_us = g_get_monotonic_time () - start;
}

static void
send_presence (Probe *probe)
{
  g_autoptr(JsonObject) event = json_object_new ();
  g_autofree char *id = g_strdup_printf ("ext-%05d", g_rand_int_range (probe->rand, 0, MAX (contacts, 1)));

  json_object_set_string_member (event, "type", "event");
  json_object_set_int_member (event, "seq", (gint64)++probe->seq);
  json_object_set_string_member (event, "event", "presence");
  json_object_set_string_member (event, "id", id);
  json_object_set_string_member (event, "presence",
                                 presences[g_rand_int_range (probe->rand, 0, G_N_ELEMENTS (presences))]);
  g_signal_emit_by_name (probe->client, "event", event);
  probe->events_sent++;
}

/* The keystroke number @i: the query's characters one by one, then the
 * whole text selected and deleted. */
static void
type_key (Probe *probe,
          guint  i)
{
  if (i < (guint)g_utf8_strlen (query, -1))
    {
      const char *start = g_utf8_offset_to_pointer (query, i);
      int position = -1;

      gtk_editable_insert_text (probe->search, start, g_utf8_next_char (start) - start, &position);
    }
  else
    gtk_editable_delete_text (probe->search, 0, -1);
}

/* With ATTENDANT_SCREENSHOT_DIR set, as in the GUI tests: what was
 * measured, to look at. Its time is left out of the stalls. */
static void
screenshot (Probe      *probe,
            const char *what)
{
  const char *dir = g_getenv ("ATTENDANT_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (probe->window);
  int height = gtk_widget_get_height (probe->window);

  if (dir == NULL)
    return;

  paintable = gtk_widget_paintable_new (probe->window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (probe->window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  name = g_strdup_printf ("console-load-%d-%s.png", contacts, what);
  path = g_build_filename (dir, name, NULL);
  if (!gdk_texture_save_to_png (texture, path))
    g_warning ("could not save %s", path);
  probe->last_tick = g_get_monotonic_time ();
}

/* }}} */
/* {{{ The driver, at the priority of the sources it stands in for */

static void
finish (Probe *probe)
{
  enter_phase (probe, PHASE_DONE);
  g_main_loop_quit (probe->loop);
}

static gboolean
filter_done (Probe *probe)
{
  /* Filtered, and every match shown in the list (which grows in steps). */
  return gtk_filter_list_model_get_pending (probe->filtered) == 0 &&
         attendant_slot_model_get_pending (probe->slots) == 0;
}

static gboolean
drive_cb (gpointer user_data)
{
  Probe *probe = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 typed;

  switch (probe->phase)
    {
    case PHASE_SHOWING:
      break;

    case PHASE_SHOWN_IDLE:
      if (phase_over (probe, now, settle_ms))
        {
          fact ("shown-rss-kb", bench_probe_rss_kb ());
          send_snapshot (probe);
        }
      break;

    case PHASE_LOADING:
      if (filter_done (probe))
        {
          probe->load_us = now - probe->phase_start;
          probe->load_stall = probe->phase_stall;
          enter_phase (probe, PHASE_LOADED_IDLE);
        }
      break;

    case PHASE_LOADED_IDLE:
      if (phase_over (probe, now, settle_ms))
        {
          fact ("contacts", g_list_model_get_n_items (G_LIST_MODEL (probe->filtered)));
          fact ("snapshot-us", probe->snapshot_us);
          fact ("load-us", probe->load_us);
          /* The settling after the load shows the painting it caused. */
          fact ("load-stall-max-us", MAX (probe->load_stall, percentile (probe->gaps, 100)));
          fact ("loaded-rss-kb", bench_probe_rss_kb ());
          screenshot (probe, "loaded");
          enter_phase (probe, PHASE_IDLE);
        }
      break;

    case PHASE_IDLE:
      if (phase_over (probe, now, settle_ms))
        {
          fact ("idle-stall-max-us", percentile (probe->gaps, 100));
          enter_phase (probe, PHASE_TYPING);
          probe->key_settled = TRUE;
          probe->key_time = now - (gint64)keystroke_ms * 1000;
        }
      break;

    case PHASE_TYPING:
      if (!probe->key_settled && probe->key_filtered && filter_done (probe))
        {
          probe->key_settled = TRUE;
          g_array_append_val (probe->key_settles, (gint64){ now - probe->key_time });
        }
      if (probe->key_settled && now - probe->key_time >= (gint64)keystroke_ms * 1000)
        {
          if (probe->keys_typed > 0)
            {
              g_array_append_val (probe->key_stalls, probe->phase_stall);
              g_array_append_val (probe->key_frames, probe->frame_max);
            }
          if (probe->keys_typed == probe->n_keys)
            {
              gint64 median = percentile (probe->key_stalls, 50);

              fact ("keystrokes", probe->key_stalls->len);
              list_fact ("keystroke-stalls-us", probe->key_stalls);
              list_fact ("keystroke-settle-us", probe->key_settles);
              list_fact ("keystroke-frame-max-us", probe->key_frames);
              list_fact ("keystroke-handler-us", probe->key_handlers);
              fact ("keystroke-stall-max-us", percentile (probe->key_stalls, 100));
              fact ("keystroke-stall-median-us", median);
              enter_phase (probe, PHASE_STORM);
              probe->storm_cpu = cpu_us ();
              break;
            }
          if (probe->keys_typed + 1 == probe->n_keys)
            screenshot (probe, "searched");
          probe->phase_stall = 0;
          probe->frame_max = 0;
          probe->key_time = now;
          probe->key_filtered = FALSE;
          probe->key_settled = FALSE;
          /* A key that narrows the list near the top ("o": 18
           * matches left), and the clearing, in their first frames. */
          if (probe->keys_typed + 3 == probe->n_keys)
            probe->frame_shot = "narrowing";
          else if (probe->keys_typed + 1 == probe->n_keys)
            probe->frame_shot = "clearing";
          typed = g_get_monotonic_time ();
          type_key (probe, probe->keys_typed++);
          g_array_append_val (probe->key_handlers, (gint64){ g_get_monotonic_time () - typed });
        }
      break;

    case PHASE_STORM:
      {
        gint64 elapsed = now - probe->phase_start;
        guint64 due = (guint64)(MIN (elapsed, (gint64)storm_s * G_USEC_PER_SEC) * rate / G_USEC_PER_SEC);

        while (probe->events_sent < due)
          send_presence (probe);

        if (elapsed >= (gint64)storm_s * G_USEC_PER_SEC)
          {
            fact ("storm-events", probe->events_sent);
            fact ("storm-us", elapsed);
            fact ("storm-stall-max-us", percentile (probe->gaps, 100));
            fact ("storm-stall-p99-us", percentile (probe->gaps, 99));
            fact ("storm-stall-p50-us", percentile (probe->gaps, 50));
            fact ("storm-cpu-us", cpu_us () - probe->storm_cpu);
            enter_phase (probe, PHASE_STORM_IDLE);
          }
      }
      break;

    case PHASE_STORM_IDLE:
      if (phase_over (probe, now, settle_ms))
        {
          fact ("storm-rss-kb", bench_probe_rss_kb ());
          finish (probe);
        }
      break;

    case PHASE_DONE:
    default:
      break;
    }

  fflush (stdout);
  return probe->phase == PHASE_DONE ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static gboolean
probe_cb (gpointer user_data)
{
  Probe *probe = user_data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last_tick != 0)
    {
      gint64 gap = now - probe->last_tick;

      g_array_append_val (probe->gaps, gap);
      probe->phase_stall = MAX (probe->phase_stall, gap);
    }
  probe->last_tick = now;

  return probe->phase == PHASE_DONE ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
search_changed_cb (Probe *probe)
{
  probe->key_filtered = TRUE;
}

static void
before_paint_cb (GdkFrameClock *clock,
                 Probe         *probe)
{
  probe->frame_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                Probe         *probe)
{
  if (probe->frame_start != 0)
    probe->frame_max = MAX (probe->frame_max, g_get_monotonic_time () - probe->frame_start);
  if (probe->frame_shot != NULL && probe->phase == PHASE_TYPING)
    screenshot (probe, g_steal_pointer (&probe->frame_shot));

  if (probe->phase == PHASE_SHOWING)
    enter_phase (probe, PHASE_SHOWN_IDLE);
}

static void
realize_cb (GtkWidget *window,
            Probe     *probe)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "before-paint",
                    G_CALLBACK (before_paint_cb), probe);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), probe);
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkFilterListModel) filtered = NULL;
  Probe probe = { 0 };
  GtkWidget *view;
  GListModel *model;

  attendant_tls_init ();
  setlocale (LC_ALL, "");
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                "The desktop app's window fed N contacts and a presence storm; "
                                "prints main-loop stalls and RSS.");
  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("console-load: %s\n", error->message);
      return 2;
    }
  if (contacts < 0 || keystroke_ms < 1 || rate < 1 || storm_s < 1 || settle_ms < 0)
    {
      g_printerr ("console-load: the counts and times must be positive\n");
      return 2;
    }
  if (query == NULL)
    query = g_strdup ("chiara rom");

  gtk_init ();
  adw_init ();
  {
    /* What AdwApplication loads for the app from its resource path: the
     * presence dots' colours, among others. */
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/attendant/Attendant/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  probe.loop = g_main_loop_new (NULL, FALSE);
  /* The same contacts and events in every run. */
  probe.rand = g_rand_new_with_seed (7);
  probe.gaps = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 16384);
  probe.key_stalls = g_array_new (FALSE, FALSE, sizeof (gint64));
  probe.key_settles = g_array_new (FALSE, FALSE, sizeof (gint64));
  probe.key_frames = g_array_new (FALSE, FALSE, sizeof (gint64));
  probe.key_handlers = g_array_new (FALSE, FALSE, sizeof (gint64));
  probe.n_keys = g_utf8_strlen (query, -1) + 1;
  probe.client = attendant_client_new (NULL);
  probe.window = GTK_WIDGET (attendant_window_new (NULL, probe.client));

  /* The console page, as the window shows it once logged in: the client
   * never connects, so the window would stay on its login form. */
  gtk_stack_set_visible_child_name (GTK_STACK (require_named (probe.window, "pages")), "main");
  probe.search = GTK_EDITABLE (require_named (probe.window, "directory-search"));
  gtk_search_entry_set_search_delay (GTK_SEARCH_ENTRY (probe.search), 0);
  g_signal_connect_swapped (probe.search, "search-changed", G_CALLBACK (search_changed_cb), &probe);
  view = require_named (probe.window, "directory-view");
  model = gtk_single_selection_get_model (GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (view))));
  /* The list shows the filter's matches through slots. */
  g_assert (ATTENDANT_IS_SLOT_MODEL (model));
  probe.slots = ATTENDANT_SLOT_MODEL (model);
  model = attendant_slot_model_get_model (ATTENDANT_SLOT_MODEL (model));
  g_assert (GTK_IS_FILTER_LIST_MODEL (model));
  filtered = g_object_ref (GTK_FILTER_LIST_MODEL (model));
  probe.filtered = filtered;

  g_signal_connect (probe.window, "realize", G_CALLBACK (realize_cb), &probe);
  gtk_window_set_default_size (GTK_WINDOW (probe.window), 1100, 700);
  gtk_window_present (GTK_WINDOW (probe.window));

  g_timeout_add_full (G_PRIORITY_HIGH, 1, probe_cb, &probe, NULL);
  g_timeout_add (1, drive_cb, &probe);
  g_main_loop_run (probe.loop);

  g_signal_handlers_disconnect_by_data (probe.search, &probe);
  gtk_window_destroy (GTK_WINDOW (probe.window));
  g_clear_object (&probe.client);
  g_clear_pointer (&probe.rand, g_rand_free);
  g_clear_pointer (&probe.gaps, g_array_unref);
  g_clear_pointer (&probe.key_stalls, g_array_unref);
  g_clear_pointer (&probe.key_settles, g_array_unref);
  g_clear_pointer (&probe.key_frames, g_array_unref);
  g_clear_pointer (&probe.key_handlers, g_array_unref);
  g_clear_pointer (&probe.loop, g_main_loop_unref);
  g_clear_pointer (&query, g_free);

  return 0;
}
