/* attendant-status-button.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-status-button"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-connection.h"
#include "attendant-greeting.h"
#include "attendant-shortcuts.h"
#include "attendant-status-button.h"

/* The header's connection indicator and its popover: the node, whether
 * the link is encrypted, and how the client got there — the
 * facts an operator reads out to whoever looks after the servers. */

struct _AttendantStatusButton
{
  AdwBin           parent_instance;

  AttendantClient *client;
  guint            uptime_source;

  GtkMenuButton   *menu_button;
  GtkPopover      *popover;
  GtkImage        *secure_icon;
  GtkLabel        *connection_label;
  GtkLabel        *unencrypted_label;
  GtkLabel        *title_label;
  GtkGrid         *grid;
  GtkWidget       *actions_box;

  GtkLabel        *discovery_label;
  GtkLabel        *records_label;
  GtkLabel        *endpoint_label;
  GtkLabel        *address_label;
  GtkLabel        *security_label;
  GtkLabel        *fingerprint_label;
  GtkLabel        *uptime_label;
  GtkLabel        *failovers_label;
};

G_DEFINE_FINAL_TYPE (AttendantStatusButton, attendant_status_button, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
attendant_status_button_new (void)
{
  return g_object_new (ATTENDANT_TYPE_STATUS_BUTTON, NULL);
}

AttendantClient *
attendant_status_button_get_client (AttendantStatusButton *self)
{
  g_return_val_if_fail (ATTENDANT_IS_STATUS_BUTTON (self), NULL);

  return self->client;
}

void
attendant_status_button_popup (AttendantStatusButton *self)
{
  g_return_if_fail (ATTENDANT_IS_STATUS_BUTTON (self));

  /* Focus returns to the button when the popover closes, as after a
   * click; GTK 4.8's popover also expects the window to have a focus. */
  gtk_widget_grab_focus (GTK_WIDGET (self->menu_button));
  gtk_menu_button_popup (self->menu_button);
}

static GtkLabel *
add_row (AttendantStatusButton *self,
         int                    row,
         const char            *title,
         const char            *name)
{
  GtkWidget *key = gtk_label_new (title);
  GtkWidget *value = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (key), 1);
  gtk_label_set_yalign (GTK_LABEL (key), 0);
  gtk_widget_add_css_class (key, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (value), 36);
  gtk_widget_set_hexpand (value, TRUE);
  gtk_widget_set_name (value, name);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, key, NULL,
                                  -1);

  gtk_grid_attach (self->grid, key, 0, row, 1, 1);
  gtk_grid_attach (self->grid, value, 1, row, 1, 1);

  return GTK_LABEL (value);
}

static void
set_row (GtkLabel   *value,
         const char *text)
{
  GtkWidget *key = gtk_widget_get_prev_sibling (GTK_WIDGET (value));
  gboolean shown = text != NULL && *text != '\0';

  gtk_label_set_label (value, shown ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (value), shown);
  gtk_widget_set_visible (key, shown);
}

static char *
format_records (AttendantPlan *plan)
{
  GPtrArray *records = attendant_plan_get_records (plan);
  GString *text = g_string_new (NULL);

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      GSrvTarget *target = records->pdata[i];

      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* TRANSLATORS: an SRV record: priority, weight, port and target */
      g_string_append_printf (text, _("%u %u %u %s"),
                              g_srv_target_get_priority (target),
                              g_srv_target_get_weight (target),
                              g_srv_target_get_port (target),
                              g_srv_target_get_hostname (target));
    }

  return g_string_free (text, FALSE);
}

static char *
format_discovery (AttendantPlan *plan)
{
  switch (attendant_plan_get_method (plan))
    {
    case ATTENDANT_DISCOVERY_METHOD_SRV:
      /* TRANSLATORS: how the server was found; %s is the DNS query */
      return g_strdup_printf (_("DNS SRV query %s"), attendant_plan_get_query (plan));
    case ATTENDANT_DISCOVERY_METHOD_FALLBACK:
      if (attendant_plan_get_query (plan) != NULL)
        /* TRANSLATORS: %s is the DNS query that found nothing */
        return g_strdup_printf (_("Fallback to the domain itself (no answer to %s)"),
                                attendant_plan_get_query (plan));
      return g_strdup (_("Fallback to the domain itself"));
    case ATTENDANT_DISCOVERY_METHOD_DIRECT:
    default:
      return g_strdup (_("Direct address, no discovery"));
    }
}

static char *
format_uptime (gint64 since)
{
  gint64 seconds = MAX (0, (g_get_monotonic_time () - since) / G_USEC_PER_SEC);

  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600,
                            (int)(seconds / 60 % 60), (int)(seconds % 60));
  return g_strdup_printf ("%d:%02d", (int)(seconds / 60), (int)(seconds % 60));
}

static void
update_uptime (AttendantStatusButton *self)
{
  gint64 since = self->client != NULL ? attendant_client_get_connected_time (self->client) : 0;
  g_autofree char *uptime = since > 0 ? format_uptime (since) : NULL;

  set_row (self->uptime_label, uptime);
}

static gboolean
uptime_cb (gpointer user_data)
{
  update_uptime (user_data);
  return G_SOURCE_CONTINUE;
}

/* The clock ticks only while someone can read it. */
static void
update_ticking (AttendantStatusButton *self)
{
  gboolean tick = gtk_widget_get_visible (GTK_WIDGET (self->popover)) &&
                  self->client != NULL &&
                  attendant_client_get_connected_time (self->client) > 0;

  if (tick && self->uptime_source == 0)
    {
      self->uptime_source = g_timeout_add_seconds (1, uptime_cb, self);
      g_source_set_name_by_id (self->uptime_source, "[attendant] status uptime");
    }
  else if (!tick)
    g_clear_handle_id (&self->uptime_source, g_source_remove);
}

static void
on_popover_visible (AttendantStatusButton *self)
{
  update_uptime (self);
  update_ticking (self);
}

static void
update (AttendantStatusButton *self)
{
  AttendantClientState state = ATTENDANT_CLIENT_STATE_IDLE;
  AttendantSession *session = NULL;
  AttendantPlan *plan = NULL;
  g_autofree char *discovery = NULL;
  g_autofree char *records = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *failovers = NULL;
  g_autofree char *accessible = NULL;
  const char *node = NULL;
  const char *address = NULL;
  const char *tls_version = NULL;
  const char *fingerprint = NULL;
  const char *security = NULL;
  gboolean encrypted = FALSE;

  if (self->client != NULL)
    {
      state = attendant_client_get_state (self->client);
      session = attendant_client_get_session (self->client);
      plan = attendant_client_get_plan (self->client);
    }

  if (state == ATTENDANT_CLIENT_STATE_CONNECTED && session != NULL)
    {
      AttendantConnection *connection = attendant_session_get_connection (session);
      GObject *greeting = attendant_connection_get_greeting (connection);

      node = ATTENDANT_IS_GREETING (greeting) ?
        attendant_greeting_get_node (ATTENDANT_GREETING (greeting)) : NULL;
      endpoint = attendant_endpoint_to_string (attendant_connection_get_endpoint (connection));
      if (node == NULL)
        node = attendant_endpoint_get_host (attendant_connection_get_endpoint (connection));
      address = attendant_connection_get_address (connection);
      tls_version = attendant_connection_get_tls_version (connection);
      encrypted = tls_version != NULL;
      fingerprint = encrypted ? attendant_connection_get_certificate_sha256 (connection) : NULL;
      security = encrypted ? tls_version : C_("connection", "Unencrypted");
    }

  if (plan != NULL)
    {
      discovery = format_discovery (plan);
      if (attendant_plan_get_method (plan) == ATTENDANT_DISCOVERY_METHOD_SRV)
        records = format_records (plan);
    }

  if (self->client != NULL && node != NULL)
    {
      guint n = attendant_client_get_failovers (self->client);

      failovers = g_strdup_printf ("%u", n);
    }

  if (node != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Connected to %s"), node);

      gtk_label_set_label (self->connection_label, node);
      gtk_label_set_label (self->title_label, title);
      accessible = encrypted ?
        g_strdup_printf (_("Connected to %s, encrypted"), node) :
        g_strdup_printf (_("Connected to %s, unencrypted"), node);
    }
  else
    {
      const char *text = state == ATTENDANT_CLIENT_STATE_CONNECTING ||
                         state == ATTENDANT_CLIENT_STATE_WAITING ? _("Connecting…") :
                         _("Offline");

      gtk_label_set_label (self->connection_label, text);
      gtk_label_set_label (self->title_label,
                           state == ATTENDANT_CLIENT_STATE_CONNECTING ||
                           state == ATTENDANT_CLIENT_STATE_WAITING ?
                             _("Not connected. Looking for a server.") :
                             _("Not connected"));
      accessible = g_strdup_printf (_("Connection: %s"), text);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  gtk_widget_set_visible (self->actions_box,
                          state == ATTENDANT_CLIENT_STATE_CONNECTED ||
                          state == ATTENDANT_CLIENT_STATE_CONNECTING ||
                          state == ATTENDANT_CLIENT_STATE_WAITING);
  gtk_widget_set_visible (GTK_WIDGET (self->secure_icon), node != NULL && encrypted);
  gtk_widget_set_visible (GTK_WIDGET (self->unencrypted_label), node != NULL && !encrypted);

  set_row (self->discovery_label, node != NULL ? discovery : NULL);
  set_row (self->records_label, node != NULL ? records : NULL);
  set_row (self->endpoint_label, endpoint);
  set_row (self->address_label, address);
  set_row (self->security_label, security);
  set_row (self->fingerprint_label, fingerprint);
  set_row (self->failovers_label, failovers);
  update_uptime (self);
  update_ticking (self);
}

void
attendant_status_button_set_client (AttendantStatusButton *self,
                                    AttendantClient       *client)
{
  g_return_if_fail (ATTENDANT_IS_STATUS_BUTTON (self));
  g_return_if_fail (client == NULL || ATTENDANT_IS_CLIENT (client));

  if (self->client == client)
    return;

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);

  g_set_object (&self->client, client);

  if (client != NULL)
    {
      g_signal_connect_object (client, "notify::state", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "notify::session", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (client, "notify::failovers", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
    }

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

static void
attendant_status_button_dispose (GObject *object)
{
  AttendantStatusButton *self = ATTENDANT_STATUS_BUTTON (object);

  g_clear_handle_id (&self->uptime_source, g_source_remove);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);


  G_OBJECT_CLASS (attendant_status_button_parent_class)->dispose (object);
}

static void
attendant_status_button_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  AttendantStatusButton *self = ATTENDANT_STATUS_BUTTON (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_status_button_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  AttendantStatusButton *self = ATTENDANT_STATUS_BUTTON (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      attendant_status_button_set_client (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_status_button_class_init (AttendantStatusButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attendant_status_button_dispose;
  object_class->get_property = attendant_status_button_get_property;
  object_class->set_property = attendant_status_button_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         ATTENDANT_TYPE_CLIENT,
                         (G_PARAM_READWRITE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/attendant/Attendant/attendant-status-button.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantStatusButton, menu_button);
  gtk_widget_class_bind_template_child (widget_class, AttendantStatusButton, popover);
  gtk_widget_class_bind_template_child (widget_class, AttendantStatusButton, actions_box);
  gtk_widget_class_bind_template_child (widget_class, AttendantStatusButton, secure_icon);
  gtk_widget_class_bind_template_child (widget_class, AttendantStatusButton, connection_label);
  gtk_widget_class_bind_template_child (widget_class, AttendantStatusButton, unencrypted_label);
  gtk_widget_class_bind_template_child (widget_class, AttendantStatusButton, title_label);
  gtk_widget_class_bind_template_child (widget_class, AttendantStatusButton, grid);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_visible);
}

static void
attendant_status_button_init (AttendantStatusButton *self)
{
  g_autofree char *tooltip = NULL;
  int row = 0;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The key from the application's one table of keys. */
  tooltip = attendant_shortcuts_dup_tooltip ("win.show-status", _("Connection Details"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), tooltip);

  self->discovery_label = add_row (self, row++, _("Discovery"), "status-discovery");
  self->records_label = add_row (self, row++, _("Records"), "status-records");
  self->endpoint_label = add_row (self, row++, _("Endpoint"), "status-endpoint");
  self->address_label = add_row (self, row++, _("Address"), "status-address");
  self->security_label = add_row (self, row++, _("Security"), "status-security");
  self->fingerprint_label = add_row (self, row++, _("Certificate SHA-256"), "status-fingerprint");
  gtk_widget_add_css_class (GTK_WIDGET (self->fingerprint_label), "monospace");
  self->uptime_label = add_row (self, row++, _("Connected for"), "status-uptime");
  self->failovers_label = add_row (self, row++, _("Failovers"), "status-failovers");

  update (self);
}
