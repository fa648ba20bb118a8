/* attendant-test-gui.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "attendant-node.h"
#include "attendant-test-fixture.h"
#include "attendant-test-gui.h"
#include "attendant-test-server.h"

/* What the widget tests share: waiting on the main loop for a state,
 * finding widgets by type and widget name (or a button by its label, as
 * a user or an accessibility tool would), screenshots, and settings back
 * to their defaults. */

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

void
attendant_test_gui_wait_for (AttendantTestPredicate predicate,
                             gpointer               data,
                             guint                  timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timed_out_cb, &timed_out);

  while (!predicate (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (id);
}

/* Keeps the main loop running for @ms: the window in which a test shows
 * that something does not happen. */
void
attendant_test_gui_run_for (guint ms)
{
  gboolean timed_out = FALSE;

  g_timeout_add (ms, timed_out_cb, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
matches (GtkWidget  *widget,
         GType       type,
         const char *name)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
         (name == NULL || g_strcmp0 (gtk_widget_get_name (widget), name) == 0);
}

GtkWidget *
attendant_test_gui_find_widget (GtkWidget  *widget,
                                GType       type,
                                const char *name)
{
  if (matches (widget, type, name))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = attendant_test_gui_find_widget (child, type, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

guint
attendant_test_gui_count_widgets (GtkWidget  *widget,
                                  GType       type,
                                  const char *name)
{
  guint n = matches (widget, type, name) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += attendant_test_gui_count_widgets (child, type, name);

  return n;
}

GtkWidget *
attendant_test_gui_find_button (GtkWidget  *widget,
                                const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = attendant_test_gui_find_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_drawn (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

/* Renders @window with its own renderer, as the screen shows it, into
 * ATTENDANT_SCREENSHOT_DIR when that is set. */
void
attendant_test_gui_screenshot (GtkWidget  *window,
                               const char *name)
{
  const char *dir = g_getenv ("ATTENDANT_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL)
    return;

  attendant_test_gui_wait_for (is_drawn, window, 5000);
  /* Let transitions and the layout settle. */
  for (int i = 0; i < 50; i++)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

void
attendant_test_gui_reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

AttendantTestGuiServer *
attendant_test_gui_server_new (const char *nodes)
{
  AttendantTestGuiServer *s = g_new0 (AttendantTestGuiServer, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *users = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;

  s->dir = g_dir_make_tmp (NULL, &error);
  g_assert_no_error (error);
  users = g_build_filename (s->dir, "users.ini", NULL);
  attendant_test_write_users (users);

  text = g_strdup_printf ("[server]\n"
                          "cluster=test\n"
                          "users=users.ini\n"
                          "heartbeat=5\n"
                          "\n"
                          "%s\n",
                          nodes);
  path = attendant_test_write_file (s->dir, "server.conf", text);

  s->config = attendant_server_config_new_from_file (path, &error);
  g_assert_no_error (error);
  s->server = attendant_server_new (s->config, NULL, &error);
  g_assert_no_error (error);
  attendant_server_start (s->server, NULL, &error);
  g_assert_no_error (error);

  return s;
}

void
attendant_test_gui_server_free (AttendantTestGuiServer *s)
{
  g_clear_object (&s->server);
  g_clear_object (&s->config);
  attendant_test_drain_main_context ();
  attendant_test_remove_dir (s->dir);
  g_free (s->dir);
  g_free (s);
}

/* "127.0.0.1:PORT" of @node's @transport listener, as typed at login. */
char *
attendant_test_gui_server_address (AttendantTestGuiServer *s,
                                   const char             *node,
                                   const char             *transport)
{
  AttendantNode *found = attendant_server_lookup_node (s->server, node);

  g_assert_nonnull (found);
  return g_strdup_printf ("127.0.0.1:%u", attendant_node_get_port (found, transport));
}
