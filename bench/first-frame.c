/* first-frame.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark's probe of the desktop app's cost: the same application
 * object `attendant` runs (AttendantApplication from the GUI's static
 * library, started the way src/gui/main.c starts it), plus two
 * measurements the program itself has no reason to carry.
 *
 * It prints, on stdout, one line per fact:
 *   first-frame-us N   CLOCK_MONOTONIC (µs) when the main window's first
 *                      frame has been painted (the frame clock's
 *                      after-paint), to compare with the moment the runner
 *                      spawned the process: the cold start as a user sees it
 *   main-us N          CLOCK_MONOTONIC (µs) when main() began
 *   idle-rss-kb N      VmRSS after IDLE_S seconds with the window shown and
 *                      nothing happening
 * then quits. It never connects anywhere: the settings backend of the run
 * is the memory one, so no server is configured.
 */

#define G_LOG_DOMAIN "first-frame"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "attendant-application.h"
#include "attendant-tls.h"
#include "bench-probe.h"

#define IDLE_S 3

static gboolean painted;

static gboolean
idle_done_cb (gpointer user_data)
{
  printf ("idle-rss-kb %" G_GINT64_FORMAT "\n", bench_probe_rss_kb ());
  fflush (stdout);
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_REMOVE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  if (painted)
    return;

  painted = TRUE;
  printf ("first-frame-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
  g_timeout_add_seconds (IDLE_S, idle_done_cb, user_data);
}

static void
realize_cb (GtkWidget *window,
            gpointer   user_data)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), user_data);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 gpointer        user_data)
{
  if (gtk_widget_get_realized (GTK_WIDGET (window)))
    realize_cb (GTK_WIDGET (window), app);
  else
    g_signal_connect (window, "realize", G_CALLBACK (realize_cb), app);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AttendantApplication) app = NULL;

  printf ("main-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());

  /* As src/gui/main.c, in the same order. */
  attendant_tls_init ();

  setlocale (LC_ALL, "");
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = attendant_application_new ();
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
