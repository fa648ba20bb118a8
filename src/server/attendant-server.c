/* attendant-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-server"

#include "config.h"

#include <math.h>

#include "attendant-admin.h"
#include "attendant-asterisk.h"
#include "attendant-protocol.h"
#include "attendant-protocol-names.h"
#include "attendant-server.h"
#include "attendant-server-session.h"

/* One attendant-server process: the nodes it hosts, the telephone system
 * they share, the users, the login rate limit, the admin API and the demo's
 * trickle of calls. A node named in the configuration but not hosted here
 * (because --node picked others) is still announced in hello's node list:
 * that is how independent processes, one node each, form one cluster in
 * the eyes of a client. */

struct _AttendantServer
{
  GObject                parent_instance;

  AttendantServerConfig *config;
  AttendantUsers        *users;
  AttendantPbx          *pbx;        /* the simulated system, or NULL with [asterisk] */
  AttendantAsterisk     *asterisk;   /* or a real Asterisk */
  char                  *ari_failure; /* the last failed attempt's error, logged once */
  AttendantRateLimit    *rate_limit;
  AttendantAdmission    *admission;
  GPtrArray             *nodes;
  AttendantAdmin        *admin;
  GRand                 *rand;
  guint                  demo_call_source;
  guint                  demo_presence_source;
};

G_DEFINE_FINAL_TYPE (AttendantServer, attendant_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONFIG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* {{{ Demo */

static const struct {
  const char *number;
  const char *name;
} demo_callers[] = {
  { "+390287654321", "Ferretti Logistica" },
  { "+390612398765", "Studio Legale Conti" },
  { "+393471234567", NULL },
  { "+390114455667", "Officine Moretti" },
  { "+390557788990", "Giulia Rinaldi" },
  { "+390516677889", "Banca Popolare Emiliana" },
  { "+393389876543", "Marco De Luca" },
  { "+390815544332", "Caffè Partenope" },
  { "+390409988776", "Cantieri Adriatici" },
  { "+390452233445", "Hotel Arena Verona" },
  { "+41445551234", "Zürich Versicherung" },
  { "+4930123456", "Berliner Druckerei" },
  { "+33142681234", "Librairie Montparnasse" },
  { "+442079460123", "Thames Freight Ltd" },
  { "+390302211009", "Acciaierie Bresciane" },
  { "+393201122334", NULL },
  { "+390916543210", "Agrumi di Sicilia" },
  { "+390706655443", "Sardegna Viaggi" },
  { "+390712345678", "Ancona Porto Servizi" },
  { "+393925566778", "Elena Bassi" },
  { "+390498877665", "Università di Padova" },
  { "+390223344556", "Corriere Espresso Milano" },
  { "+390633221100", "Ministero, Ufficio Acquisti" },
  { "+393356677001", "Paolo Galli" },
  { "+390103344221", "Assicurazioni Liguri" },
};

static double
jitter (AttendantServer *self,
        double           mean)
{
  /* Exponential gaps, as arrivals of independent callers have, clamped so
   * the demo neither floods nor falls asleep. */
  double u = g_rand_double_range (self->rand, 0.05, 1.0);

  return CLAMP (-log (u) * mean, mean * 0.2, mean * 3.0);
}

static gboolean demo_call_cb (gpointer user_data);
static gboolean demo_presence_cb (gpointer user_data);

static void
schedule_demo_call (AttendantServer *self)
{
  double delay = jitter (self, attendant_server_config_get_demo_interval (self->config));

  self->demo_call_source = g_timeout_add ((guint)(delay * 1000), demo_call_cb, self);
}

static gboolean
demo_call_cb (gpointer user_data)
{
  AttendantServer *self = user_data;
  guint i = g_rand_int_range (self->rand, 0, G_N_ELEMENTS (demo_callers));
  double patience = attendant_server_config_get_demo_patience (self->config);
  g_autoptr(JsonObject) call = NULL;

  call = attendant_pbx_inject_call (self->pbx, demo_callers[i].number, demo_callers[i].name,
                                    NULL, NULL, g_rand_double_range (self->rand, 0.5, 1.5) * patience,
                                    NULL);
  if (call != NULL)
    g_message ("demo: incoming call %s from %s", json_object_get_string_member (call, "id"),
               demo_callers[i].number);

  schedule_demo_call (self);

  return G_SOURCE_REMOVE;
}

static gboolean
demo_presence_cb (gpointer user_data)
{
  AttendantServer *self = user_data;
  g_auto(GStrv) numbers = attendant_pbx_list_numbers (self->pbx, FALSE);
  guint n = g_strv_length (numbers);

  if (n > 0)
    {
      static const char * const presences[] = {
        ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE, ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE,
        ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE, ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE,
        ATTENDANT_PROTOCOL_PRESENCE_AWAY, ATTENDANT_PROTOCOL_PRESENCE_AWAY,
        ATTENDANT_PROTOCOL_PRESENCE_DND, ATTENDANT_PROTOCOL_PRESENCE_OFFLINE,
      };
      const char *number = numbers[g_rand_int_range (self->rand, 0, n)];
      const char *presence = presences[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (presences))];

      attendant_pbx_set_presence (self->pbx, number, presence, NULL);
    }

  self->demo_presence_source = g_timeout_add ((guint)(jitter (self, 15) * 1000), demo_presence_cb, self);

  return G_SOURCE_REMOVE;
}

/* }}} */
/* {{{ The telephone system */

static void
build_pbx (AttendantServer *self)
{
  AttendantServerConfig *config = self->config;
  GPtrArray *users = attendant_users_get_all (self->users);

  self->pbx = attendant_pbx_new ();
  g_object_set (self->pbx,
                "ring-timeout", attendant_server_config_get_ring_timeout (config),
                "answer-delay", attendant_server_config_get_answer_delay (config),
                "talk-time", attendant_server_config_get_talk_time (config),
                NULL);

  for (guint i = 0; i < attendant_server_config_get_queues (config)->len; i++)
    {
      AttendantServerQueue *queue = g_ptr_array_index (attendant_server_config_get_queues (config), i);

      attendant_pbx_add_queue (self->pbx, queue->id, queue->name);
    }

  for (guint i = 0; i < attendant_server_config_get_directory (config)->len; i++)
    {
      AttendantServerContact *contact = g_ptr_array_index (attendant_server_config_get_directory (config), i);

      attendant_pbx_add_contact (self->pbx, contact->number, contact->name,
                                 contact->department, contact->presence);
    }

  for (guint i = 0; i < users->len; i++)
    {
      const AttendantUser *user = g_ptr_array_index (users, i);

      if (user->extension != NULL)
        attendant_pbx_add_attendant (self->pbx, user->extension, user->display_name);
    }
}

/* What the log says of Asterisk: every connection and loss, and each
 * failed attempt once until the reason changes (attempts go on with
 * backoff, and a wrong password would otherwise fill the log). */
static void
on_ari_connected (AttendantServer *self,
                  AttendantAri    *ari)
{
  g_clear_pointer (&self->ari_failure, g_free);
  g_message ("connected to Asterisk %s at %s (Stasis application %s)",
             attendant_ari_get_asterisk_version (ari), attendant_ari_get_url (ari),
             attendant_ari_get_application (ari));
}

static void
on_ari_disconnected (AttendantServer *self,
                     int              reason,
                     const char      *message,
                     AttendantAri    *ari)
{
  g_message ("lost Asterisk at %s: %s", attendant_ari_get_url (ari), message);
  /* The first attempt after a loss fails with the same words. */
  g_free (self->ari_failure);
  self->ari_failure = g_strdup (message);
}

static void
on_ari_attempt_failed (AttendantServer *self,
                       GError          *error,
                       guint            delay_ms,
                       AttendantAri    *ari)
{
  if (g_strcmp0 (self->ari_failure, error->message) == 0)
    return;

  g_free (self->ari_failure);
  self->ari_failure = g_strdup (error->message);
  g_message ("Asterisk: %s (trying again with backoff)", error->message);
}

/* The same queues, directory and attendants as the simulated system, on a
 * real Asterisk; nothing is asked of Asterisk before attendant_server_start(),
 * so --check and a server started while Asterisk is down both get this far. */
static AttendantAsterisk *
build_asterisk (AttendantServer  *self,
                GError          **error)
{
  AttendantServerConfig *config = self->config;
  const AttendantServerAsteriskConfig *settings = attendant_server_config_get_asterisk (config);
  GPtrArray *users = attendant_users_get_all (self->users);
  g_autoptr(AttendantAri) ari = NULL;
  g_autoptr(AttendantAsterisk) asterisk = NULL;
  g_autoptr(GError) local_error = NULL;

  ari = attendant_ari_new (settings->url, settings->user, settings->password,
                           settings->application, &local_error);
  if (ari == NULL)
    {
      g_set_error (error, ATTENDANT_SERVER_CONFIG_ERROR, ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
                   "%s: [asterisk] %s", attendant_server_config_get_path (config), local_error->message);
      return NULL;
    }
  if (settings->anchors != NULL)
    attendant_ari_set_extra_anchors (ari, settings->anchors);
  g_signal_connect_object (ari, "connected", G_CALLBACK (on_ari_connected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ari, "disconnected", G_CALLBACK (on_ari_disconnected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ari, "attempt-failed", G_CALLBACK (on_ari_attempt_failed), self, G_CONNECT_SWAPPED);

  asterisk = attendant_asterisk_new (ari);
  g_object_set (asterisk,
                "endpoint-format", settings->endpoint,
                "ring-timeout", settings->ring_timeout,
                "waiting-sound", settings->waiting_sound,
                "moh-class", settings->moh_class,
                "answer-header", settings->answer_header,
                NULL);

  for (guint i = 0; i < attendant_server_config_get_queues (config)->len; i++)
    {
      AttendantServerQueue *queue = g_ptr_array_index (attendant_server_config_get_queues (config), i);

      attendant_asterisk_add_queue (asterisk, queue->id, queue->name);
    }

  for (guint i = 0; i < attendant_server_config_get_directory (config)->len; i++)
    {
      AttendantServerContact *contact = g_ptr_array_index (attendant_server_config_get_directory (config), i);

      attendant_asterisk_add_contact (asterisk, contact->number, contact->name, contact->department);
    }

  for (guint i = 0; i < users->len; i++)
    {
      const AttendantUser *user = g_ptr_array_index (users, i);

      if (user->extension != NULL)
        attendant_asterisk_add_attendant (asterisk, user->extension, user->display_name);
    }

  return g_steal_pointer (&asterisk);
}

/* }}} */
/* {{{ GObject */

static void
attendant_server_dispose (GObject *object)
{
  AttendantServer *self = (AttendantServer *)object;

  if (self->demo_call_source != 0)
    g_source_remove (self->demo_call_source);
  self->demo_call_source = 0;
  if (self->demo_presence_source != 0)
    g_source_remove (self->demo_presence_source);
  self->demo_presence_source = 0;

  g_clear_object (&self->admin);
  if (self->asterisk != NULL)
    attendant_asterisk_stop (self->asterisk);
  /* Nodes go before what their sessions use. */
  if (self->nodes != NULL)
    g_ptr_array_set_size (self->nodes, 0);

  G_OBJECT_CLASS (attendant_server_parent_class)->dispose (object);
}

static void
attendant_server_finalize (GObject *object)
{
  AttendantServer *self = (AttendantServer *)object;

  g_clear_pointer (&self->nodes, g_ptr_array_unref);
  g_clear_object (&self->pbx);
  g_clear_object (&self->asterisk);
  g_clear_object (&self->users);
  g_clear_object (&self->rate_limit);
  g_clear_object (&self->admission);
  g_clear_object (&self->config);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->ari_failure, g_free);

  G_OBJECT_CLASS (attendant_server_parent_class)->finalize (object);
}

static void
attendant_server_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  AttendantServer *self = ATTENDANT_SERVER (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_server_class_init (AttendantServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_server_dispose;
  object_class->finalize = attendant_server_finalize;
  object_class->get_property = attendant_server_get_property;

  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, ATTENDANT_TYPE_SERVER_CONFIG,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_server_init (AttendantServer *self)
{
  self->nodes = g_ptr_array_new_with_free_func (g_object_unref);
  self->rand = g_rand_new ();
}

/* }}} */

/**
 * attendant_server_new:
 * @nodes: (nullable) (array zero-terminated=1): the nodes to host; %NULL
 *   for every node of @config that has a listener
 *
 * Loads the users file and builds the telephone system; listens on nothing
 * until attendant_server_start().
 *
 * Returns: (transfer full): the server, or %NULL with an error naming the
 *   file and line at fault
 */
AttendantServer *
attendant_server_new (AttendantServerConfig  *config,
                      const char * const     *nodes,
                      GError                **error)
{
  g_autoptr(AttendantServer) self = NULL;
  GPtrArray *configured;

  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (config), NULL);

  self = g_object_new (ATTENDANT_TYPE_SERVER, NULL);
  self->config = g_object_ref (config);

  if (!(self->users = attendant_users_new_from_file (attendant_server_config_get_users_file (config), error)))
    return NULL;

  self->rate_limit = attendant_rate_limit_new (attendant_server_config_get_login_failures (config),
                                               attendant_server_config_get_login_window (config));

  self->admission = attendant_admission_new (attendant_server_config_get_unauthenticated_per_address (config),
                                             attendant_server_config_get_unauthenticated_total (config));

  if (attendant_server_config_get_asterisk (config) != NULL)
    {
      if (!(self->asterisk = build_asterisk (self, error)))
        return NULL;
    }
  else
    build_pbx (self);

  configured = attendant_server_config_get_nodes (config);
  for (guint i = 0; nodes != NULL && nodes[i] != NULL; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < configured->len; j++)
        {
          AttendantServerNodeConfig *node = g_ptr_array_index (configured, j);

          if (g_str_equal (node->name, nodes[i]))
            {
              found = TRUE;
              if (node->plain == NULL && node->tls == NULL)
                {
                  g_set_error (error, ATTENDANT_SERVER_CONFIG_ERROR, ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
                               "%s: node “%s” has no listener (plain=, tls=) to host",
                               attendant_server_config_get_path (config), nodes[i]);
                  return NULL;
                }
            }
        }

      if (!found)
        {
          g_set_error (error, ATTENDANT_SERVER_CONFIG_ERROR, ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
                       "%s: there is no [node %s]", attendant_server_config_get_path (config), nodes[i]);
          return NULL;
        }
    }

  for (guint j = 0; j < configured->len; j++)
    {
      AttendantServerNodeConfig *node = g_ptr_array_index (configured, j);

      if (node->plain == NULL && node->tls == NULL)
        continue;
      if (nodes != NULL && !g_strv_contains (nodes, node->name))
        continue;

      g_ptr_array_add (self->nodes, attendant_node_new (self, node));
    }

  if (self->nodes->len == 0)
    {
      g_set_error (error, ATTENDANT_SERVER_CONFIG_ERROR, ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
                   "%s: no [node NAME] has a listener (plain=, tls=): nothing to host",
                   attendant_server_config_get_path (config));
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * attendant_server_start:
 * @admin_address: (nullable): where the admin API listens, instead of the
 *   configured address
 *
 * Starts every hosted node, the admin API and the demo.
 */
gboolean
attendant_server_start (AttendantServer     *self,
                        GInetSocketAddress  *admin_address,
                        GError             **error)
{
  const char *token;

  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), FALSE);

  for (guint i = 0; i < self->nodes->len; i++)
    if (!attendant_node_start (g_ptr_array_index (self->nodes, i), error))
      {
        attendant_server_stop (self);
        return FALSE;
      }

  if (admin_address == NULL)
    admin_address = attendant_server_config_get_admin_address (self->config);
  token = attendant_server_config_get_admin_token (self->config);

  if (admin_address != NULL && token != NULL && self->admin == NULL)
    {
      g_autoptr(AttendantAdmin) admin = attendant_admin_new (self, token);

      if (!attendant_admin_listen (admin, admin_address, error))
        {
          attendant_server_stop (self);
          return FALSE;
        }
      self->admin = g_steal_pointer (&admin);
    }

  if (self->asterisk != NULL)
    attendant_asterisk_start (self->asterisk);

  if (attendant_server_config_get_demo_calls (self->config) && self->demo_call_source == 0)
    schedule_demo_call (self);
  if (attendant_server_config_get_demo_presence (self->config) && self->demo_presence_source == 0)
    self->demo_presence_source = g_timeout_add_seconds (10, demo_presence_cb, self);

  return TRUE;
}

/* Every node closes its clients with 1001: the process is going away. */
void
attendant_server_stop (AttendantServer *self)
{
  g_return_if_fail (ATTENDANT_IS_SERVER (self));

  for (guint i = 0; i < self->nodes->len; i++)
    attendant_node_stop (g_ptr_array_index (self->nodes, i));
}

AttendantServerConfig *
attendant_server_get_config (AttendantServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), NULL);
  return self->config;
}

AttendantUsers *
attendant_server_get_users (AttendantServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), NULL);
  return self->users;
}

/**
 * attendant_server_get_pbx:
 *
 * The simulated telephone system itself, for what only it has: the admin
 * API's incoming calls, presence and hang-ups, the demo's callers, and the
 * tests' seams. Everything else goes through attendant_server_get_telephony().
 *
 * Returns: (transfer none) (nullable): %NULL when the telephone system is
 *   a real Asterisk ([asterisk])
 */
AttendantPbx *
attendant_server_get_pbx (AttendantServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), NULL);
  return self->pbx;
}

/**
 * attendant_server_get_telephony:
 *
 * The telephone system the sessions drive (docs/server.md, "The telephone
 * system interface").
 */
AttendantTelephony *
attendant_server_get_telephony (AttendantServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), NULL);
  return self->asterisk != NULL ? ATTENDANT_TELEPHONY (self->asterisk) : ATTENDANT_TELEPHONY (self->pbx);
}

AttendantRateLimit *
attendant_server_get_rate_limit (AttendantServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), NULL);
  return self->rate_limit;
}

AttendantAdmission *
attendant_server_get_admission (AttendantServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), NULL);
  return self->admission;
}

/**
 * attendant_server_get_nodes:
 *
 * Returns: (transfer none) (element-type AttendantNode): the hosted nodes
 */
GPtrArray *
attendant_server_get_nodes (AttendantServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), NULL);
  return self->nodes;
}

/**
 * attendant_server_lookup_node:
 *
 * Returns: (transfer none) (nullable): the hosted node called @name
 */
AttendantNode *
attendant_server_lookup_node (AttendantServer *self,
                              const char      *name)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), NULL);

  for (guint i = 0; i < self->nodes->len; i++)
    {
      AttendantNode *node = g_ptr_array_index (self->nodes, i);

      if (g_strcmp0 (attendant_node_get_name (node), name) == 0)
        return node;
    }

  return NULL;
}

guint
attendant_server_get_n_sessions (AttendantServer *self)
{
  guint n = 0;

  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), 0);

  for (guint i = 0; i < self->nodes->len; i++)
    n += attendant_node_get_n_sessions (g_ptr_array_index (self->nodes, i));

  return n;
}

guint16
attendant_server_get_admin_port (AttendantServer *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), 0);

  return self->admin != NULL ? attendant_admin_get_port (self->admin) : 0;
}

static void
add_node_entry (JsonArray  *nodes,
                const char *name,
                const char *host,
                guint16     port,
                const char *transport)
{
  JsonObject *entry;

  /* A listener on "any free port" that this process does not host has no
   * port anyone could know. */
  if (port == 0)
    return;

  entry = json_object_new ();
  json_object_set_string_member (entry, "node", name);
  json_object_set_string_member (entry, "host", host);
  json_object_set_int_member (entry, "port", port);
  json_object_set_string_member (entry, "transport", transport);
  json_array_add_object_element (nodes, entry);
}

/**
 * attendant_server_build_hello:
 *
 * Returns: (transfer full): the "hello" message of @node
 *   (docs/protocol.md §2.1)
 */
JsonObject *
attendant_server_build_hello (AttendantServer *self,
                              const char      *node)
{
  JsonObject *hello;
  JsonArray *nodes;
  JsonArray *mechanisms;
  GPtrArray *configured;
  g_autofree char *server = g_strdup_printf ("attendant-server %s", PACKAGE_VERSION);

  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), NULL);

  hello = attendant_protocol_message_new ("hello");
  json_object_set_int_member (hello, "protocol", ATTENDANT_PROTOCOL_VERSION);
  json_object_set_string_member (hello, "server", server);
  json_object_set_string_member (hello, "cluster", attendant_server_config_get_cluster (self->config));
  json_object_set_string_member (hello, "node", node);

  nodes = json_array_new ();
  configured = attendant_server_config_get_nodes (self->config);
  for (guint i = 0; i < configured->len; i++)
    {
      AttendantServerNodeConfig *config = g_ptr_array_index (configured, i);
      AttendantNode *hosted = attendant_server_lookup_node (self, config->name);

      if (config->advertise->len > 0)
        {
          for (guint j = 0; j < config->advertise->len; j++)
            {
              AttendantServerAddress *address = g_ptr_array_index (config->advertise, j);

              add_node_entry (nodes, config->name, address->host, address->port, address->transport);
            }
          continue;
        }

      /* TLS first: it is the default transport (docs/dns.md, "The names"). */
      if (config->tls != NULL)
        add_node_entry (nodes, config->name, config->tls->host,
                        hosted ? attendant_node_get_port (hosted, "tls") : config->tls->port, "tls");
      if (config->plain != NULL)
        add_node_entry (nodes, config->name, config->plain->host,
                        hosted ? attendant_node_get_port (hosted, "plain") : config->plain->port, "plain");
    }
  json_object_set_array_member (hello, "nodes", nodes);

  mechanisms = json_array_new ();
  json_array_add_string_element (mechanisms, "SCRAM-SHA-256");
  json_object_set_array_member (hello, "mechanisms", mechanisms);
  json_object_set_int_member (hello, "heartbeat_s", attendant_server_config_get_heartbeat (self->config));

  return hello;
}

/**
 * attendant_server_build_phone_system:
 *
 * Returns: (transfer full): whether the telephone system can be reached,
 *   as the snapshot's "phone_system" says it (docs/protocol.md §2.3):
 *   {"reachable": bool, "reason": string or null}
 */
JsonObject *
attendant_server_build_phone_system (AttendantServer *self)
{
  const char *reason;
  JsonObject *phone_system;

  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), NULL);

  reason = attendant_telephony_get_unreachable_reason (attendant_server_get_telephony (self));
  phone_system = json_object_new ();
  json_object_set_boolean_member (phone_system, "reachable", reason == NULL);
  if (reason != NULL)
    json_object_set_string_member (phone_system, "reason", reason);
  else
    json_object_set_null_member (phone_system, "reason");

  return phone_system;
}

/**
 * attendant_server_get_state:
 *
 * Returns: (transfer full): nodes, sessions and calls, for the admin API
 */
JsonObject *
attendant_server_get_state (AttendantServer *self)
{
  AttendantTelephony *telephony;
  JsonObject *state;
  JsonArray *nodes;
  JsonArray *sessions;

  g_return_val_if_fail (ATTENDANT_IS_SERVER (self), NULL);

  telephony = attendant_server_get_telephony (self);

  state = json_object_new ();
  json_object_set_string_member (state, "cluster", attendant_server_config_get_cluster (self->config));

  nodes = json_array_new ();
  sessions = json_array_new ();
  for (guint i = 0; i < self->nodes->len; i++)
    {
      AttendantNode *node = g_ptr_array_index (self->nodes, i);
      GPtrArray *node_sessions = attendant_node_get_sessions (node);

      json_array_add_object_element (nodes, attendant_node_to_json (node));
      for (guint j = 0; j < node_sessions->len; j++)
        json_array_add_object_element (sessions, attendant_server_session_to_json (g_ptr_array_index (node_sessions, j)));
    }
  json_object_set_array_member (state, "nodes", nodes);
  json_object_set_array_member (state, "sessions", sessions);
  json_object_set_array_member (state, "calls", attendant_telephony_list_calls (telephony));
  json_object_set_int_member (state, "seq", (gint64)attendant_telephony_get_seq (telephony));
  json_object_set_object_member (state, "phone_system", attendant_server_build_phone_system (self));

  return state;
}
