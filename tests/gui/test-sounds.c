/* test-sounds.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-pbx.h"
#include "attendant-sounds.h"
#include "attendant-test-gui.h"
#include "attendant-test-server.h"
#include "attendant-window.h"

/* AttendantSounds on a console logged in to the reference server: each
 * sound plays only while its setting is on, seen through ::played (the
 * seam: what reaches the sound server is the desktop's business). */

typedef struct
{
  AttendantTestGuiServer *server;
  AttendantPbx           *pbx;
  AttendantWindow        *window;
  AttendantConsole       *console;
  AttendantSounds        *sounds;
  GPtrArray              *played;
} Fixture;

static void
on_played (AttendantSounds *sounds,
           const char      *event_id,
           GPtrArray       *played)
{
  g_ptr_array_add (played, g_strdup (event_id));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(AttendantClient) client = NULL;

  attendant_test_gui_reset_settings ();
  f->server = attendant_test_gui_server_new (TEST_GUI_NODES);
  f->pbx = attendant_server_get_pbx (f->server->server);
  /* Callers who wait until the test is done with them. */
  g_object_set (f->pbx, "answer-delay", 60.0, "ring-timeout", 60.0, NULL);
  attendant_test_gui_use_server (TEST_DOMAIN);
  attendant_test_gui_server_publish_srv (f->server, "plain");

  client = attendant_test_gui_client_new (f->server);
  f->window = g_object_ref (attendant_window_new (NULL, client));
  f->console = attendant_window_get_console (f->window);
  f->sounds = attendant_sounds_new ();
  f->played = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->sounds, "played", G_CALLBACK (on_played), f->played);
  attendant_sounds_set_console (f->sounds, f->console);

  attendant_test_gui_log_in (GTK_WIDGET (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->sounds);
  g_ptr_array_unref (f->played);
  attendant_test_gui_window_free (GTK_WIDGET (f->window));
  g_clear_pointer (&f->server, attendant_test_gui_server_free);
}

static gboolean
has_played (gpointer data)
{
  gpointer *args = data;

  return g_ptr_array_find_with_equal_func (args[0], args[1], g_str_equal, NULL);
}

static guint
count_played (Fixture    *f,
              const char *event_id)
{
  guint n = 0;

  for (guint i = 0; i < f->played->len; i++)
    if (g_str_equal (f->played->pdata[i], event_id))
      n++;

  return n;
}

/* The ring: not while its setting is off (its default: the telephone on
 * the desk rings already), once per incoming call when on. */
static void
test_sounds_ring (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  gpointer ring[] = { f->played, (gpointer)ATTENDANT_SOUND_RING };

  g_assert_false (g_settings_get_boolean (settings, "ring-sound"));
  g_assert_false (attendant_sounds_play (f->sounds, ATTENDANT_SOUND_RING));

  /* The queue and the console's incoming-call come from one event. */
  attendant_test_gui_server_inject_call (f->server, "+390212345678", NULL);
  attendant_test_gui_wait_n_items (attendant_console_get_queue (f->console), 1, "a caller in the queue");
  g_assert_cmpuint (count_played (f, ATTENDANT_SOUND_RING), ==, 0);

  g_settings_set_boolean (settings, "ring-sound", TRUE);
  attendant_test_gui_server_inject_call (f->server, "+390298765432", NULL);
  attendant_test_gui_wait_n_items (attendant_console_get_queue (f->console), 2, "a second caller in the queue");
  attendant_test_wait_until (has_played, ring, 10000, "the ring");
  g_assert_cmpuint (count_played (f, ATTENDANT_SOUND_RING), ==, 1);
}

/* The wait alert: once per caller past the alert threshold while on;
 * nothing while off. */
static void
test_sounds_wait_alert (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  gpointer alert[] = { f->played, (gpointer)ATTENDANT_SOUND_WAIT_ALERT };

  g_assert_true (g_settings_get_boolean (settings, "wait-alert-sound"));
  g_settings_set_boolean (settings, "wait-alert-sound", FALSE);
  g_assert_false (attendant_sounds_play (f->sounds, ATTENDANT_SOUND_WAIT_ALERT));
  g_assert_cmpuint (f->played->len, ==, 0);
  g_settings_set_boolean (settings, "wait-alert-sound", TRUE);
  g_assert_true (attendant_sounds_play (f->sounds, ATTENDANT_SOUND_WAIT_ALERT));
  g_ptr_array_set_size (f->played, 0);

  g_settings_set_uint (settings, "wait-alert-seconds", 1);
  attendant_test_gui_server_inject_call (f->server, "+390212345678", NULL);
  attendant_test_gui_wait_n_items (attendant_console_get_queue (f->console), 1, "a caller in the queue");
  attendant_test_wait_until (has_played, alert, 10000, "the wait alert");
  g_assert_cmpuint (count_played (f, ATTENDANT_SOUND_WAIT_ALERT), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  attendant_test_gui_init (&argc, &argv);

  g_test_add ("/sounds/ring", Fixture, NULL, fixture_set_up, test_sounds_ring, fixture_tear_down);
  g_test_add ("/sounds/wait-alert", Fixture, NULL, fixture_set_up, test_sounds_wait_alert, fixture_tear_down);

  return g_test_run ();
}
