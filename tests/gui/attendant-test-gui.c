/* attendant-test-gui.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gdk/x11/gdkx.h>
#include <X11/extensions/XTest.h>

#include "attendant-node.h"
#include "attendant-pbx.h"
#include "attendant-test-fixture.h"
#include "attendant-test-gui.h"
#include "attendant-test-server.h"
#include "attendant-tls.h"
#include "attendant-window.h"

/* What the widget tests share: waiting on the main loop for a state,
 * finding widgets by type and widget name (or a button by its label, as
 * a user or an accessibility tool would), accessible labels, screenshots,
 * settings back to their defaults, and a reference server in the test's
 * process on loopback whose names only the test resolver knows. */

void
attendant_test_gui_wait_for (AttendantTestPredicate predicate,
                             gpointer               data,
                             guint                  timeout_ms)
{
  attendant_test_wait_until (predicate, data, timeout_ms, "awaited widget state");
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

/* @widget as the screen shows it, once it is drawn and settled. */
static GskRenderNode *
snapshot_widget (GtkWidget *widget,
                 int       *width,
                 int       *height)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  GskRenderNode *node = NULL;

  attendant_test_gui_wait_for (is_drawn, widget, 5000);
  /* Let transitions and the layout settle. */
  for (int i = 0; i < 50; i++)
    {
      g_usleep (10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  /* On a busy machine the window may be between two layouts, with
   * nothing to draw for a moment: the next frames have it again. */
  for (int attempt = 0; node == NULL && attempt < 20; attempt++)
    {
      if (attempt > 0)
        {
          g_clear_object (&paintable);
          attendant_test_gui_wait_for (is_drawn, widget, 5000);
          g_usleep (50000);
          while (g_main_context_iteration (NULL, FALSE))
            ;
        }
      *width = gtk_widget_get_width (widget);
      *height = gtk_widget_get_height (widget);
      paintable = gtk_widget_paintable_new (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), *width, *height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);

  return node;
}

static void
save_node (GtkWidget     *widget,
           GskRenderNode *node,
           int            width,
           int            height,
           const char    *name)
{
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autoptr(GdkTexture) texture = gsk_renderer_render_texture (renderer, node,
                                                               &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_autofree char *path = g_build_filename (g_getenv ("ATTENDANT_SCREENSHOT_DIR"), name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* Renders @window (or a popover) with its own renderer, as the screen
 * shows it, into ATTENDANT_SCREENSHOT_DIR when that is set. */
void
attendant_test_gui_screenshot (GtkWidget  *window,
                               const char *name)
{
  g_autoptr(GskRenderNode) node = NULL;
  int width = 0, height = 0;

  if (g_getenv ("ATTENDANT_SCREENSHOT_DIR") == NULL)
    return;

  node = snapshot_widget (window, &width, &height);
  save_node (window, node, width, height, name);
}

/* @dialog over @window, as a desktop shows a modal dialog: the window
 * dimmed, the dialog in its middle. (Under Xvfb there is no window
 * manager, and the two are separate surfaces.) */
void
attendant_test_gui_screenshot_dialog (GtkWidget  *window,
                                      GtkWidget  *dialog,
                                      const char *name)
{
  g_autoptr(GskRenderNode) window_node = NULL;
  g_autoptr(GskRenderNode) dialog_node = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  int width = 0, height = 0, dialog_width = 0, dialog_height = 0;

  if (g_getenv ("ATTENDANT_SCREENSHOT_DIR") == NULL)
    return;

  window_node = snapshot_widget (window, &width, &height);
  dialog_node = snapshot_widget (dialog, &dialog_width, &dialog_height);

  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_node (snapshot, window_node);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.3 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - dialog_width) / 2,
                                                          (height - dialog_height) / 2));
  gtk_snapshot_append_outset_shadow (snapshot,
                                     &GSK_ROUNDED_RECT_INIT (0, 0, dialog_width, dialog_height),
                                     &(GdkRGBA) { 0, 0, 0, 0.4 }, 0, 4, 0, 12);
  gtk_snapshot_append_node (snapshot, dialog_node);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  save_node (window, node, width, height, name);
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

/* Fresh settings with @server and TEST_USER in the login form, plain
 * transport, and timeouts short enough for a test. */
void
attendant_test_gui_use_server (const char *server)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  attendant_test_gui_reset_settings ();
  g_settings_set_string (settings, "server", server);
  g_settings_set_string (settings, "user-name", TEST_USER);
  g_settings_set_string (settings, "transport", "plain");
  g_settings_set_uint (settings, "attempt-timeout", 2);
  g_settings_set_uint (settings, "heartbeat-interval", 1);
}

AttendantTestGuiServer *
attendant_test_gui_server_new (const char *nodes)
{
  return attendant_test_gui_server_new_full (nodes, NULL);
}

/* With @more sections in the configuration, such as a [directory]. */
AttendantTestGuiServer *
attendant_test_gui_server_new_full (const char *nodes,
                                    const char *more)
{
  AttendantTestGuiServer *s = g_new0 (AttendantTestGuiServer, 1);

  s->resolver = attendant_test_resolver_new ();
  attendant_test_resolver_add_address (s->resolver, TEST_PRIMARY_HOST, "127.0.0.1");
  attendant_test_resolver_add_address (s->resolver, TEST_BACKUP_HOST, "127.0.0.2");
  s->cluster = attendant_test_cluster_new (nodes, 5, more);
  s->server = s->cluster->server;

  return s;
}

void
attendant_test_gui_server_free (AttendantTestGuiServer *s)
{
  g_clear_pointer (&s->cluster, attendant_test_cluster_free);
  g_clear_object (&s->resolver);
  attendant_test_drain_main_context ();
  g_free (s);
}

/* "127.0.0.1:PORT" (the primary) or "127.0.0.2:PORT" of @node's
 * @transport listener, as typed at login. */
char *
attendant_test_gui_server_address (AttendantTestGuiServer *s,
                                   const char             *node,
                                   const char             *transport)
{
  AttendantNode *found = attendant_test_cluster_node (s->cluster, node);

  return g_strdup_printf ("%s:%u", g_str_equal (node, "primary") ? "127.0.0.1" : "127.0.0.2",
                          attendant_node_get_port (found, transport));
}

void
attendant_test_gui_init (int    *argc,
               char ***argv)
{
  const char *dir = g_getenv ("ATTENDANT_SCREENSHOT_DIR");
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  attendant_tls_init ();
  gtk_test_init (argc, argv, NULL);
  adw_init ();

  /* What AdwApplication loads for the program, for windows built
   * without one. */
  gtk_css_provider_load_from_resource (provider, "/io/github/attendant/Attendant/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  if (dir != NULL)
    g_mkdir_with_parents (dir, 0755);
}

GtkWidget *
attendant_test_gui_find_label (GtkWidget  *widget,
                     const char *text)
{
  /* The text as shown, or one of its lines (a directory row's name and
   * detail are one label), or as written when that is markup or has a
   * mnemonic. */
  if (GTK_IS_LABEL (widget))
    {
      const char *shown = gtk_label_get_text (GTK_LABEL (widget));

      if (g_strcmp0 (shown, text) == 0 ||
          g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
        return widget;

      if (strchr (shown, '\n') != NULL)
        {
          g_auto(GStrv) lines = g_strsplit (shown, "\n", -1);

          if (g_strv_contains ((const char * const *)lines, text))
            return widget;
        }
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = attendant_test_gui_find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

typedef struct
{
  GtkWidget  *widget;
  const char *text;
} LabelWait;

static gboolean
label_on_screen (gpointer data)
{
  LabelWait *wait = data;
  GtkWidget *label = attendant_test_gui_find_label (wait->widget, wait->text);

  return label != NULL && gtk_widget_get_mapped (label);
}

/* Waits until a label inside @widget shows @text (a toast's, say). */
void
attendant_test_gui_wait_for_label (GtkWidget  *widget,
                                   const char *text,
                                   guint       timeout_ms)
{
  LabelWait wait = { widget, text };

  attendant_test_gui_wait_for (label_on_screen, &wait, timeout_ms);
}

GtkWindow *
attendant_test_gui_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

const char *
attendant_test_gui_label_text (GtkWidget  *widget,
                     const char *name)
{
  GtkWidget *label = attendant_test_gui_find_widget (widget, GTK_TYPE_LABEL, name);

  g_assert_nonnull (label);
  return gtk_label_get_label (GTK_LABEL (label));
}

/* The name of the visible page of the window's "pages" stack. */
const char *
attendant_test_gui_visible_page (GtkWidget *window)
{
  GtkWidget *stack = attendant_test_gui_find_widget (window, GTK_TYPE_STACK, "pages");

  g_assert_nonnull (stack);
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

/* A name a screen reader can say: a label of its own, or a label or
 * title that labels it. */
void
attendant_test_gui_assert_accessible_label (GtkWidget *widget)
{
  g_autofree char *name = g_strdup (gtk_widget_get_name (widget));

  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL) ||
      gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return;

  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    return;

  if (ADW_IS_PREFERENCES_ROW (widget) &&
      *adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)) != '\0')
    return;

  g_error ("%s (%s) has no accessible label", name, G_OBJECT_TYPE_NAME (widget));
}

void
attendant_test_gui_assert_accessible_label_is (GtkWidget  *widget,
                                     const char *label)
{
  g_autofree char *mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                                  label);

  if (mismatch != NULL)
    g_error ("%s: accessible label %s, not \"%s\"", gtk_widget_get_name (widget), mismatch, label);
}

/* SRV records for TEST_DOMAIN: the primary first (priority 10), the
 * backup second (8, with the default highest-first order). */
void
attendant_test_gui_server_publish_srv (AttendantTestGuiServer *s,
                             const char    *transport)
{
  const char *rrname = g_str_equal (transport, "tls") ? "_iacsec._tcp." TEST_DOMAIN
                                                      : "_iac._tcp." TEST_DOMAIN;
  AttendantNode *primary = attendant_server_lookup_node (s->server, "primary");
  AttendantNode *backup = attendant_server_lookup_node (s->server, "backup");

  if (attendant_node_get_port (primary, transport) != 0)
    attendant_test_resolver_add_srv (s->resolver, rrname, TEST_PRIMARY_HOST,
                                     attendant_node_get_port (primary, transport), 10, 100);
  if (attendant_node_get_port (backup, transport) != 0)
    attendant_test_resolver_add_srv (s->resolver, rrname, TEST_BACKUP_HOST,
                                     attendant_node_get_port (backup, transport), 8, 100);
}

/* A client that resolves through the test resolver. */
AttendantClient *
attendant_test_gui_client_new (AttendantTestGuiServer *s)
{
  return attendant_client_new (s != NULL ? G_RESOLVER (s->resolver) : NULL);
}

static const char *
string_member (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

/* How many calls the test user's extension placed to @number that are
 * still going on, as the telephone system (not the app) knows them. */
guint
attendant_test_gui_server_count_dialled (AttendantTestGuiServer *s,
                                         const char             *number)
{
  g_autoptr(JsonArray) calls = attendant_pbx_list_calls (attendant_server_get_pbx (s->server));
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonObject *call = json_array_get_object_element (calls, i);

      if (g_strcmp0 (string_member (call, "attendant"), TEST_EXTENSION) == 0 &&
          g_strcmp0 (string_member (call, "peer"), number) == 0)
        n++;
    }

  return n;
}

/* A caller the telephone system puts in the reception's queue. */
void
attendant_test_gui_server_inject_call (AttendantTestGuiServer *s,
                                       const char             *number,
                                       const char             *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) call = attendant_pbx_inject_call (attendant_server_get_pbx (s->server),
                                                          number, name, NULL, NULL, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (call);
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

void
attendant_test_gui_wait_n_items (GListModel *model,
                                 guint       n,
                                 const char *what)
{
  Count count = { model, n };

  attendant_test_wait_until (has_n_items, &count, 10000, what);
}

/* Logs @window in with the form's server and user and TEST_PASSWORD, as
 * typed, and waits for the console's first snapshot. */
void
attendant_test_gui_log_in (GtkWidget *window)
{
  GtkWidget *row = attendant_test_gui_find_widget (window, ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  AttendantConsole *console = attendant_window_get_console (ATTENDANT_WINDOW (window));

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), TEST_PASSWORD);
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-in", NULL);
  attendant_test_wait_until ((AttendantTestPredicate)attendant_console_get_online, console, 10000,
                             "the console online with the server's snapshot");
}

/* Destroys a window the test holds a reference to, and sees it go. */
void
attendant_test_gui_window_free (GtkWidget *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  attendant_test_drain_main_context ();
  g_assert_finalize_object (window);
}

/* {{{ The fake notification daemon */

static void
name_appeared (GDBusConnection *connection,
               const char      *name,
               const char      *owner,
               gpointer         user_data)
{
  *(gboolean *)user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *)data;
}

/**
 * attendant_test_gui_notification_daemon_new:
 *
 * Starts python3-dbusmock's notification daemon on the session bus (the
 * wrapper's private one) and waits until it owns its name. Without a
 * Python that has dbusmock (ATTENDANT_TEST_PYTHON, found by meson) the
 * test is skipped, or fails under CI=true, which must have it.
 *
 * Returns: (transfer full) (nullable): the daemon's process
 */
GSubprocess *
attendant_test_gui_notification_daemon_new (void)
{
  const char *python = g_getenv ("ATTENDANT_TEST_PYTHON");
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GError) error = NULL;
  gboolean appeared = FALSE;
  guint watch;

  if (python == NULL)
    {
      /* CI installs python3-dbusmock (build-aux/install-deps.sh). */
      if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
        g_error ("no Python with dbusmock, which CI must have");
      g_test_skip ("no Python with dbusmock");
      return NULL;
    }

  /* Watched before it starts: its name cannot be missed. */
  watch = g_bus_watch_name (G_BUS_TYPE_SESSION, "org.freedesktop.Notifications",
                            G_BUS_NAME_WATCHER_FLAGS_NONE, name_appeared, NULL, &appeared, NULL);
  daemon = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             python, "-m", "dbusmock", "--template", "notification_daemon", NULL);
  g_assert_no_error (error);
  attendant_test_wait_until (is_true, &appeared, 20000, "org.freedesktop.Notifications on the session bus");
  g_bus_unwatch_name (watch);

  return g_steal_pointer (&daemon);
}

void
attendant_test_gui_notification_daemon_stop (GSubprocess *daemon)
{
  g_subprocess_force_exit (daemon);
  g_subprocess_wait (daemon, NULL, NULL);
}

/* The Notify calls the fake daemon received, as its GetCalls tells them:
 * (summary, body) pairs, in order. */
GPtrArray *
attendant_test_gui_notify_calls (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) calls = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  GVariantIter iter;
  const char *method;
  GVariant *args;
  guint64 when;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.Notifications",
                                       "/org/freedesktop/Notifications",
                                       "org.freedesktop.DBus.Mock", "GetCalls",
                                       NULL, G_VARIANT_TYPE ("(a(tsav))"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  calls = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, calls);
  while (g_variant_iter_next (&iter, "(t&s@av)", &when, &method, &args))
    {
      if (g_str_equal (method, "Notify"))
        {
          g_autoptr(GVariant) summary = g_variant_get_child_value (args, 3);
          g_autoptr(GVariant) body = g_variant_get_child_value (args, 4);
          g_autoptr(GVariant) s = g_variant_get_variant (summary);
          g_autoptr(GVariant) b = g_variant_get_variant (body);

          g_ptr_array_add (found, g_strdup (g_variant_get_string (s, NULL)));
          g_ptr_array_add (found, g_strdup (g_variant_get_string (b, NULL)));
        }
      g_variant_unref (args);
    }

  return found;
}

/* }}} */

/* {{{ Keys, as a keyboard types them */

static gboolean
window_active (gpointer data)
{
  return gtk_window_is_active (data);
}

/**
 * attendant_test_gui_type_key:
 * @window: the window that gets the key
 * @keyval: a key, as GDK names it (which is the X keysym)
 * @modifiers: 0 or %GDK_SHIFT_MASK
 *
 * Presses and releases @keyval, with Shift held if asked, through the X
 * server's XTEST extension: the key reaches GTK as a typed one does, from
 * the display, through every event controller and key binding on its way
 * to the focus. (GTK 4 has no way to make a key event in the process.)
 * The key is on its way when this returns; the caller awaits its effect.
 */
void
attendant_test_gui_type_key (GtkWidget       *window,
                             guint            keyval,
                             GdkModifierType  modifiers)
{
  GdkDisplay *display = gtk_widget_get_display (window);
  Display *xdisplay;
  KeyCode code;
  KeyCode shift;
  int event_base, error_base, major, minor;

  g_assert_true (GDK_IS_X11_DISPLAY (display));
  g_assert_true (modifiers == 0 || modifiers == GDK_SHIFT_MASK);
  xdisplay = gdk_x11_display_get_xdisplay (GDK_X11_DISPLAY (display));
  g_assert_true (XTestQueryExtension (xdisplay, &event_base, &error_base, &major, &minor));

  /* The X server sends keys to the window with the input focus. */
  gtk_window_present (GTK_WINDOW (window));
  attendant_test_wait_until (window_active, window, 5000, "the window with the keyboard focus");

  code = XKeysymToKeycode (xdisplay, keyval);
  shift = XKeysymToKeycode (xdisplay, XK_Shift_L);
  g_assert_cmpuint (code, !=, 0);
  g_assert_cmpuint (shift, !=, 0);

  if (modifiers & GDK_SHIFT_MASK)
    XTestFakeKeyEvent (xdisplay, shift, True, CurrentTime);
  XTestFakeKeyEvent (xdisplay, code, True, CurrentTime);
  XTestFakeKeyEvent (xdisplay, code, False, CurrentTime);
  if (modifiers & GDK_SHIFT_MASK)
    XTestFakeKeyEvent (xdisplay, shift, False, CurrentTime);
  XFlush (xdisplay);
}

/* }}} */
