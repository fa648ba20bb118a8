/* attendant-reconnect-banner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-reconnect-banner"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-reconnect-banner.h"

/* Shown at the top of the console while a lost connection is being
 * replaced, so the operator knows calls cannot reach them right now and
 * when the next try is; hidden once connected again, or logged out. */

struct _AttendantReconnectBanner
{
  AdwBin           parent_instance;

  AttendantClient *client;
  guint            countdown_source;
  /* Whether the client had a session since it was last stopped: the
   * first login's own attempts are shown by the login form instead. */
  gboolean         was_connected;

  GtkRevealer     *revealer;
  GtkLabel        *title_label;
};

G_DEFINE_FINAL_TYPE (AttendantReconnectBanner, attendant_reconnect_banner, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_REVEALED,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
attendant_reconnect_banner_new (void)
{
  return g_object_new (ATTENDANT_TYPE_RECONNECT_BANNER, NULL);
}

AttendantClient *
attendant_reconnect_banner_get_client (AttendantReconnectBanner *self)
{
  g_return_val_if_fail (ATTENDANT_IS_RECONNECT_BANNER (self), NULL);

  return self->client;
}

gboolean
attendant_reconnect_banner_get_revealed (AttendantReconnectBanner *self)
{
  g_return_val_if_fail (ATTENDANT_IS_RECONNECT_BANNER (self), FALSE);

  return gtk_revealer_get_reveal_child (self->revealer);
}

const char *
attendant_reconnect_banner_get_title (AttendantReconnectBanner *self)
{
  g_return_val_if_fail (ATTENDANT_IS_RECONNECT_BANNER (self), NULL);

  return gtk_label_get_label (self->title_label);
}

static void
set_title (AttendantReconnectBanner *self,
           const char               *title)
{
  if (g_strcmp0 (gtk_label_get_label (self->title_label), title) == 0)
    return;

  gtk_label_set_label (self->title_label, title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static void
update_title (AttendantReconnectBanner *self)
{
  gint64 next = self->client != NULL ? attendant_client_get_next_retry_time (self->client) : 0;

  if (next > 0)
    {
      gint64 left_us = MAX (0, next - g_get_monotonic_time ());
      guint left = (guint)((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      g_autofree char *title =
        g_strdup_printf (ngettext ("Connection lost — reconnecting in %u second",
                                   "Connection lost — reconnecting in %u seconds",
                                   left),
                         left);

      set_title (self, title);
    }
  else
    set_title (self, _("Connection lost — reconnecting…"));
}

static gboolean
countdown_cb (gpointer user_data)
{
  update_title (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update (AttendantReconnectBanner *self)
{
  AttendantClientState state = self->client != NULL ?
    attendant_client_get_state (self->client) : ATTENDANT_CLIENT_STATE_IDLE;
  gboolean reveal;

  if (state == ATTENDANT_CLIENT_STATE_CONNECTED)
    self->was_connected = TRUE;
  else if (state != ATTENDANT_CLIENT_STATE_CONNECTING &&
           state != ATTENDANT_CLIENT_STATE_WAITING)
    self->was_connected = FALSE;

  reveal = self->was_connected &&
           (state == ATTENDANT_CLIENT_STATE_CONNECTING ||
            state == ATTENDANT_CLIENT_STATE_WAITING);

  update_title (self);

  /* A quarter second keeps the count from skipping a number when the
   * main loop is late. */
  if (reveal && state == ATTENDANT_CLIENT_STATE_WAITING && self->countdown_source == 0)
    {
      self->countdown_source = g_timeout_add (250, countdown_cb, self);
      g_source_set_name_by_id (self->countdown_source, "[attendant] reconnect countdown");
    }
  else if (!reveal || state != ATTENDANT_CLIENT_STATE_WAITING)
    g_clear_handle_id (&self->countdown_source, g_source_remove);

  if (reveal != gtk_revealer_get_reveal_child (self->revealer))
    {
      gtk_revealer_set_reveal_child (self->revealer, reveal);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVEALED]);
    }
}

void
attendant_reconnect_banner_set_client (AttendantReconnectBanner *self,
                                       AttendantClient          *client)
{
  g_return_if_fail (ATTENDANT_IS_RECONNECT_BANNER (self));
  g_return_if_fail (client == NULL || ATTENDANT_IS_CLIENT (client));

  if (self->client == client)
    return;

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);

  g_set_object (&self->client, client);
  self->was_connected = FALSE;

  if (client != NULL)
    {
      g_signal_connect_object (client, "notify::state", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "notify::next-retry-time", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
    }

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

static void
attendant_reconnect_banner_dispose (GObject *object)
{
  AttendantReconnectBanner *self = ATTENDANT_RECONNECT_BANNER (object);

  g_clear_handle_id (&self->countdown_source, g_source_remove);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);


  G_OBJECT_CLASS (attendant_reconnect_banner_parent_class)->dispose (object);
}

static void
attendant_reconnect_banner_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  AttendantReconnectBanner *self = ATTENDANT_RECONNECT_BANNER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_REVEALED:
      g_value_set_boolean (value, attendant_reconnect_banner_get_revealed (self));
      break;

    case PROP_TITLE:
      g_value_set_string (value, attendant_reconnect_banner_get_title (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_reconnect_banner_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  AttendantReconnectBanner *self = ATTENDANT_RECONNECT_BANNER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      attendant_reconnect_banner_set_client (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_reconnect_banner_class_init (AttendantReconnectBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attendant_reconnect_banner_dispose;
  object_class->get_property = attendant_reconnect_banner_get_property;
  object_class->set_property = attendant_reconnect_banner_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         ATTENDANT_TYPE_CLIENT,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  properties[PROP_REVEALED] =
    g_param_spec_boolean ("revealed", NULL, NULL, FALSE,
                          (G_PARAM_READABLE |
                           G_PARAM_EXPLICIT_NOTIFY |
                           G_PARAM_STATIC_STRINGS));

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/attendant/Attendant/attendant-reconnect-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantReconnectBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, AttendantReconnectBanner, title_label);
}

static void
attendant_reconnect_banner_init (AttendantReconnectBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_title (self);
}
