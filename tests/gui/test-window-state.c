/* test-window-state.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk/x11/gdkx.h>
#include <X11/Xatom.h>

#include "attendant-test-gui.h"
#include "attendant-window.h"

/* The console's window opens as the operator left it: the size they gave
 * it, and maximized when it was maximized, from one window to the next
 * through GSettings (the memory backend here, as for every GUI test).
 * Xvfb runs no window manager, so the test resizes the X window itself,
 * as a window manager does when the operator drags an edge. */

static AttendantWindow *
window_new (void)
{
  g_autoptr(AttendantClient) client = attendant_client_new (NULL);
  AttendantWindow *window = attendant_window_new (NULL, client);

  /* GTK owns a toplevel; the test keeps a reference of its own to see it
   * finalized after gtk_window_destroy(). */
  g_object_ref (window);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

typedef struct
{
  GtkWidget *widget;
  int        width;
  int        height;
} Size;

/* The size of the X window, which is what the operator sees: the
 * widget is smaller by the client-side decorations' margin. */
static gboolean
has_size (gpointer data)
{
  Size *size = data;
  GdkSurface *surface;

  if (!gtk_widget_get_mapped (size->widget))
    return FALSE;
  surface = gtk_native_get_surface (GTK_NATIVE (size->widget));
  return gdk_surface_get_width (surface) == size->width &&
         gdk_surface_get_height (surface) == size->height;
}

static gboolean
settings_have_size (gpointer data)
{
  Size *size = data;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  return g_settings_get_int (settings, "window-width") == size->width &&
         g_settings_get_int (settings, "window-height") == size->height;
}

static gboolean
is_maximized (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_window_is_maximized (data);
}

static gboolean
settings_say_maximized (gpointer data)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  return g_settings_get_boolean (settings, "window-maximized");
}

/* What a window manager does when the operator drags an edge. */
static void
resize_x_window (GtkWindow *window,
                 int        width,
                 int        height)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  Display *display = gdk_x11_display_get_xdisplay (gtk_widget_get_display (GTK_WIDGET (window)));

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  XResizeWindow (display, gdk_x11_surface_get_xid (surface), width, height);
  XFlush (display);
}

/* What a window manager does when the operator maximizes the window: it
 * says so in the window's _NET_WM_STATE, which GDK follows. */
static void
maximize_x_window (GtkWindow *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  Display *display = gdk_x11_display_get_xdisplay (gtk_widget_get_display (GTK_WIDGET (window)));
  Atom state[2] = {
    XInternAtom (display, "_NET_WM_STATE_MAXIMIZED_VERT", False),
    XInternAtom (display, "_NET_WM_STATE_MAXIMIZED_HORZ", False),
  };

  XChangeProperty (display, gdk_x11_surface_get_xid (surface),
                   XInternAtom (display, "_NET_WM_STATE", False), XA_ATOM, 32,
                   PropModeReplace, (guchar *)state, G_N_ELEMENTS (state));
  XFlush (display);
}

static void
test_window_state_size (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  AttendantWindow *window;
  Size size;
  int width, height;

  attendant_test_gui_reset_settings ();

  /* The first time: GNOME's default size for the console. */
  window = window_new ();
  size = (Size) { GTK_WIDGET (window), 960, 680 };
  attendant_test_gui_wait_for (has_size, &size, 5000);
  g_assert_false (gtk_window_is_maximized (GTK_WINDOW (window)));

  /* Made larger, the new size is kept while the window is open. */
  resize_x_window (GTK_WINDOW (window), 1100, 760);
  size = (Size) { GTK_WIDGET (window), 1100, 760 };
  attendant_test_gui_wait_for (has_size, &size, 5000);
  attendant_test_gui_wait_for (settings_have_size, &size, 5000);
  attendant_test_gui_window_free (GTK_WIDGET (window));

  /* The next window opens at that size, not maximized. */
  window = window_new ();
  size = (Size) { GTK_WIDGET (window), 1100, 760 };
  attendant_test_gui_wait_for (has_size, &size, 5000);
  g_assert_false (gtk_window_is_maximized (GTK_WINDOW (window)));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1100);
  g_assert_cmpint (height, ==, 760);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  attendant_test_gui_window_free (GTK_WIDGET (window));

  attendant_test_gui_reset_settings ();
}

static void
test_window_state_maximized (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  AttendantWindow *window;
  Size size;
  int width, height;

  attendant_test_gui_reset_settings ();
  g_settings_set_int (settings, "window-width", 1000);
  g_settings_set_int (settings, "window-height", 700);

  /* Maximized, the window says so in the settings. */
  window = window_new ();
  size = (Size) { GTK_WIDGET (window), 1000, 700 };
  attendant_test_gui_wait_for (has_size, &size, 5000);
  g_assert_false (gtk_window_is_maximized (GTK_WINDOW (window)));
  maximize_x_window (GTK_WINDOW (window));
  attendant_test_gui_wait_for (is_maximized, window, 5000);
  attendant_test_gui_wait_for (settings_say_maximized, NULL, 5000);
  attendant_test_gui_window_free (GTK_WIDGET (window));

  /* The next window opens maximized, and keeps the size to return to
   * when the operator unmaximizes it. */
  window = window_new ();
  attendant_test_gui_wait_for (is_maximized, window, 5000);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1000);
  g_assert_cmpint (height, ==, 700);
  g_assert_true (g_settings_get_boolean (settings, "window-maximized"));
  attendant_test_gui_window_free (GTK_WIDGET (window));

  attendant_test_gui_reset_settings ();
}

int
main (int   argc,
      char *argv[])
{
  attendant_test_gui_init (&argc, &argv);

  g_test_add_func ("/window-state/size", test_window_state_size);
  g_test_add_func ("/window-state/maximized", test_window_state_maximized);

  return g_test_run ();
}
