/* attendant-server-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-server-config"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "attendant-secret.h"
#include "attendant-protocol-names.h"
#include "attendant-server-config.h"

/* The server's configuration file: a GKeyFile. Every mistake is refused
 * before anything listens, with the file, the line and the reason, because
 * a server that starts with half its configuration ignored is worse than
 * one that does not start. GKeyFile knows nothing of lines, so the file is
 * scanned once more here to remember where each group and key stands; the
 * scan also refuses what GKeyFile would silently accept (a key given twice,
 * a group given twice), which is almost always a copy-and-paste mistake. */

G_DEFINE_QUARK (attendant-server-config-error-quark, attendant_server_config_error)

/* {{{ AttendantKeyFile */

struct _AttendantKeyFile
{
  char      *path;
  GKeyFile  *key_file;
  /* position_key() → first line (GUINT_TO_POINTER): a table, so that a
   * directory of ten thousand keys is scanned in one pass. */
  GHashTable *lines;
};

/* A group and one of its keys, or the group's own line when @key is NULL
 * (a group name never holds a newline: the file is split on them). */
static char *
position_key (const char *group,
              const char *key)
{
  return key != NULL ? g_strconcat (group, "\n", key, NULL) : g_strdup (group);
}

void
attendant_key_file_free (AttendantKeyFile *self)
{
  if (self == NULL)
    return;

  g_free (self->path);
  g_clear_pointer (&self->key_file, g_key_file_unref);
  g_clear_pointer (&self->lines, g_hash_table_unref);
  g_free (self);
}

GKeyFile *
attendant_key_file_get_key_file (AttendantKeyFile *self)
{
  return self->key_file;
}

/**
 * attendant_key_file_get_line:
 * @key: (nullable): %NULL for the line of the group header
 *
 * Returns: the 1-based line, or 0 if the group or key is not in the file
 */
guint
attendant_key_file_get_line (AttendantKeyFile *self,
                             const char       *group,
                             const char       *key)
{
  g_autofree char *position = position_key (group, key);
  guint line = GPOINTER_TO_UINT (g_hash_table_lookup (self->lines, position));

  /* A key that is missing is best blamed on its group. */
  if (line == 0 && key != NULL)
    return attendant_key_file_get_line (self, group, NULL);

  return line;
}

gboolean
attendant_key_file_fail (AttendantKeyFile  *self,
                         const char        *group,
                         const char        *key,
                         GError           **error,
                         const char        *format,
                         ...)
{
  g_autofree char *reason = NULL;
  guint line = group != NULL ? attendant_key_file_get_line (self, group, key) : 0;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  if (line > 0)
    g_set_error (error, ATTENDANT_SERVER_CONFIG_ERROR, ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
                 "%s:%u: %s", self->path, line, reason);
  else
    g_set_error (error, ATTENDANT_SERVER_CONFIG_ERROR, ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
                 "%s: %s", self->path, reason);

  return FALSE;
}

static gboolean
syntax_error (const char  *path,
              guint        line,
              GError     **error,
              const char  *reason)
{
  g_set_error (error, ATTENDANT_SERVER_CONFIG_ERROR, ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
               "%s:%u: %s", path, line, reason);
  return FALSE;
}

static gboolean
scan_lines (AttendantKeyFile  *self,
            const char        *data,
            gsize              length,
            GError           **error)
{
  g_autofree char *copy = g_strndup (data, length);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
  g_autofree char *group = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint line = i + 1;
      char *text = g_strstrip (lines[i]);

      if (text[0] == '\0' || text[0] == '#')
        continue;

      if (text[0] == '[')
        {
          char *end = strchr (text, ']');

          if (end == NULL || end[1] != '\0' || end == text + 1)
            return syntax_error (self->path, line, error,
                                 "a group header must be “[name]” alone on its line");

          g_free (group);
          group = g_strndup (text + 1, end - text - 1);
          if (attendant_key_file_get_line (self, group, NULL) != 0)
            {
              g_autofree char *reason =
                g_strdup_printf ("group [%s] appears twice (first on line %u)",
                                 group, attendant_key_file_get_line (self, group, NULL));
              return syntax_error (self->path, line, error, reason);
            }

          g_hash_table_insert (self->lines, g_strdup (group), GUINT_TO_POINTER (line));
          continue;
        }

      {
        char *equals = strchr (text, '=');
        g_autofree char *key = NULL;
        g_autofree char *position = NULL;
        guint first;
        char *locale;
        gboolean localized;

        if (equals == NULL || equals == text)
          return syntax_error (self->path, line, error,
                               "expected “key=value”, a [group] header or a # comment");

        if (group == NULL)
          return syntax_error (self->path, line, error,
                               "a key before the first [group]");

        key = g_strstrip (g_strndup (text, equals - text));
        /* "name[it]" is a translation of "name": the same key for us. */
        if ((locale = strchr (key, '[')) != NULL)
          *locale = '\0';
        localized = locale != NULL;

        position = position_key (group, key);
        first = GPOINTER_TO_UINT (g_hash_table_lookup (self->lines, position));
        if (first != 0 && !localized)
          {
            g_autofree char *reason =
              g_strdup_printf ("“%s” is set twice in [%s] (first on line %u)",
                               key, group, first);
            return syntax_error (self->path, line, error, reason);
          }

        if (first == 0)
          g_hash_table_insert (self->lines, g_steal_pointer (&position), GUINT_TO_POINTER (line));
      }
    }

  return TRUE;
}

/**
 * attendant_key_file_load:
 * @path: the file name to put in messages
 *
 * Returns: (transfer full): the key file, or %NULL with a
 *   "PATH:LINE: reason" error
 */
AttendantKeyFile *
attendant_key_file_load (const char  *data,
                         gsize        length,
                         const char  *path,
                         GError     **error)
{
  g_autoptr(AttendantKeyFile) self = g_new0 (AttendantKeyFile, 1);
  g_autoptr(GError) local_error = NULL;

  self->path = g_strdup (path);
  self->lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->key_file = g_key_file_new ();

  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error (error, ATTENDANT_SERVER_CONFIG_ERROR, ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
                   "%s: the file is not valid UTF-8", path);
      return NULL;
    }

  if (!scan_lines (self, data, length, error))
    return NULL;

  if (!g_key_file_load_from_data (self->key_file, data, length, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, ATTENDANT_SERVER_CONFIG_ERROR, ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
                   "%s: %s", path, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* }}} */
/* {{{ Addresses */

void
attendant_server_address_free (AttendantServerAddress *address)
{
  if (address == NULL)
    return;

  g_free (address->host);
  g_free (address->transport);
  g_free (address);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantServerAddress, attendant_server_address_free)

static gboolean
parse_port (const char *text,
            guint       min,
            guint16    *port)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, min, G_MAXUINT16, &value, NULL))
    return FALSE;

  *port = (guint16)value;
  return TRUE;
}

static gboolean
is_host_name (const char *host)
{
  if (host[0] == '\0' || strlen (host) > 253)
    return FALSE;

  for (const char *p = host; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_')
      return FALSE;

  return TRUE;
}

/**
 * attendant_server_address_parse:
 * @text: "HOST:PORT" for a listener (HOST an IP literal, IPv6 in brackets,
 *   port 0 for any free port), "HOST:PORT:TRANSPORT" otherwise
 * @reason: (out): why @text was refused
 */
gboolean
attendant_server_address_parse (const char              *text,
                                gboolean                 listener,
                                AttendantServerAddress **out,
                                char                   **reason)
{
  g_autoptr(AttendantServerAddress) address = g_new0 (AttendantServerAddress, 1);
  g_autofree char *rest = g_strstrip (g_strdup (text));
  char *colon;
  char *host;

  if (!listener)
    {
      colon = strrchr (rest, ':');
      if (colon == NULL || (!g_str_equal (colon + 1, "plain") && !g_str_equal (colon + 1, "tls")))
        {
          *reason = g_strdup_printf ("“%s” does not end in “:plain” or “:tls”", text);
          return FALSE;
        }
      address->transport = g_strdup (colon + 1);
      *colon = '\0';
    }

  colon = strrchr (rest, ':');
  if (colon == NULL)
    {
      *reason = g_strdup_printf ("“%s” has no port (expected HOST:PORT%s)",
                                 text, listener ? "" : ":TRANSPORT");
      return FALSE;
    }

  if (!parse_port (colon + 1, listener ? 0 : 1, &address->port))
    {
      *reason = g_strdup_printf ("“%s” is not a port number from %u to 65535",
                                 colon + 1, listener ? 0 : 1);
      return FALSE;
    }
  *colon = '\0';

  host = rest;
  if (host[0] == '[')
    {
      gsize len = strlen (host);
      g_autoptr(GInetAddress) inet = NULL;

      if (len < 3 || host[len - 1] != ']')
        {
          *reason = g_strdup_printf ("“%s” is not a bracketed IPv6 address", host);
          return FALSE;
        }
      host[len - 1] = '\0';
      host++;
      inet = g_inet_address_new_from_string (host);
      if (inet == NULL || g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV6)
        {
          *reason = g_strdup_printf ("“%s” is not an IPv6 address", host);
          return FALSE;
        }
    }
  else if (strchr (host, ':') != NULL)
    {
      *reason = g_strdup_printf ("the IPv6 address in “%s” must be in brackets", text);
      return FALSE;
    }

  if (listener)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (host);

      if (inet == NULL)
        {
          *reason = g_strdup_printf ("“%s” is not an IP address (listeners take addresses, not names)", host);
          return FALSE;
        }
    }
  else if (!is_host_name (host) && !g_hostname_is_ip_address (host))
    {
      *reason = g_strdup_printf ("“%s” is neither a host name nor an IP address", host);
      return FALSE;
    }

  address->host = g_strdup (host);
  *out = g_steal_pointer (&address);
  return TRUE;
}

/* }}} */
/* {{{ AttendantServerConfig */

struct _AttendantServerConfig
{
  GObject             parent_instance;

  char               *path;
  char               *dir;

  char               *cluster;
  char               *users_file;
  GInetSocketAddress *admin_address;
  char               *admin_token;
  double              ring_timeout;
  double              answer_delay;
  double              talk_time;
  double              idle_timeout;
  double              auth_timeout;
  double              drain_grace;
  double              login_window;
  guint               heartbeat;
  guint               login_failures;
  guint               message_rate;
  guint               message_burst;
  guint               unauthenticated_per_address;
  guint               unauthenticated_total;

  GPtrArray          *nodes;
  GPtrArray          *directory;
  GPtrArray          *queues;

  gboolean            demo_calls;
  gboolean            demo_presence;
  double              demo_interval;
  double              demo_patience;

  AttendantServerAsteriskConfig *asterisk;
};

G_DEFINE_FINAL_TYPE (AttendantServerConfig, attendant_server_config, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  PROP_CLUSTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
node_config_free (gpointer data)
{
  AttendantServerNodeConfig *node = data;

  g_free (node->name);
  attendant_server_address_free (node->plain);
  attendant_server_address_free (node->tls);
  g_clear_object (&node->certificate);
  g_clear_pointer (&node->advertise, g_ptr_array_unref);
  g_free (node);
}

static void
contact_free (gpointer data)
{
  AttendantServerContact *contact = data;

  g_free (contact->number);
  g_free (contact->name);
  g_free (contact->department);
  g_free (contact->presence);
  g_free (contact);
}

static void
queue_free (gpointer data)
{
  AttendantServerQueue *queue = data;

  g_free (queue->id);
  g_free (queue->name);
  g_free (queue);
}

static void
asterisk_config_free (AttendantServerAsteriskConfig *asterisk)
{
  if (asterisk == NULL)
    return;

  g_free (asterisk->url);
  g_free (asterisk->user);
  g_clear_pointer (&asterisk->password, attendant_secret_free);
  g_free (asterisk->application);
  g_free (asterisk->endpoint);
  g_free (asterisk->waiting_sound);
  g_free (asterisk->moh_class);
  g_free (asterisk->answer_header);
  g_clear_object (&asterisk->anchors);
  g_free (asterisk);
}

static void
attendant_server_config_finalize (GObject *object)
{
  AttendantServerConfig *self = (AttendantServerConfig *)object;

  g_free (self->path);
  g_free (self->dir);
  g_free (self->cluster);
  g_free (self->users_file);
  g_clear_object (&self->admin_address);
  g_clear_pointer (&self->admin_token, attendant_secret_free);
  g_clear_pointer (&self->nodes, g_ptr_array_unref);
  g_clear_pointer (&self->directory, g_ptr_array_unref);
  g_clear_pointer (&self->queues, g_ptr_array_unref);
  g_clear_pointer (&self->asterisk, asterisk_config_free);

  G_OBJECT_CLASS (attendant_server_config_parent_class)->finalize (object);
}

static void
attendant_server_config_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  AttendantServerConfig *self = ATTENDANT_SERVER_CONFIG (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_CLUSTER:
      g_value_set_string (value, self->cluster);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_server_config_class_init (AttendantServerConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = attendant_server_config_finalize;
  object_class->get_property = attendant_server_config_get_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CLUSTER] =
    g_param_spec_string ("cluster", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_server_config_init (AttendantServerConfig *self)
{
  self->cluster = g_strdup ("attendant");
  self->ring_timeout = 20;
  self->answer_delay = 3;
  self->talk_time = 60;
  self->idle_timeout = 30;
  self->auth_timeout = 10;
  self->drain_grace = 5;
  self->login_window = 60;
  self->heartbeat = 5;
  self->login_failures = 5;
  self->message_rate = 20;
  self->message_burst = 100;
  self->unauthenticated_per_address = 64;
  self->unauthenticated_total = 1024;
  self->demo_interval = 30;
  self->demo_patience = 120;
  self->nodes = g_ptr_array_new_with_free_func (node_config_free);
  self->directory = g_ptr_array_new_with_free_func (contact_free);
  self->queues = g_ptr_array_new_with_free_func (queue_free);
}

/* {{{ Reading values */

static char *
resolve_path (AttendantServerConfig *self,
              const char            *value)
{
  if (g_path_is_absolute (value))
    return g_strdup (value);

  return g_build_filename (self->dir, value, NULL);
}

static char *
get_string (AttendantKeyFile  *kf,
            const char        *group,
            const char        *key,
            GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  char *value = g_key_file_get_string (kf->key_file, group, key, &local_error);

  if (value == NULL)
    {
      attendant_key_file_fail (kf, group, key, error, "%s: %s", key, local_error->message);
      return NULL;
    }

  g_strstrip (value);
  if (value[0] == '\0')
    {
      attendant_key_file_fail (kf, group, key, error, "%s: the value is empty", key);
      g_free (value);
      return NULL;
    }

  return value;
}

static gboolean
get_seconds (AttendantKeyFile  *kf,
             const char        *group,
             const char        *key,
             double             min,
             double             max,
             double            *out,
             GError           **error)
{
  g_autofree char *text = NULL;
  char *end = NULL;
  double value;

  if (!g_key_file_has_key (kf->key_file, group, key, NULL))
    return TRUE;

  if (!(text = get_string (kf, group, key, error)))
    return FALSE;

  errno = 0;
  value = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text || *end != '\0' || !(value >= min && value <= max))
    return attendant_key_file_fail (kf, group, key, error,
                                    "%s: “%s” is not a number of seconds from %g to %g",
                                    key, text, min, max);

  *out = value;
  return TRUE;
}

static gboolean
get_count (AttendantKeyFile  *kf,
           const char        *group,
           const char        *key,
           guint              min,
           guint              max,
           guint             *out,
           GError           **error)
{
  g_autofree char *text = NULL;
  guint64 value = 0;

  if (!g_key_file_has_key (kf->key_file, group, key, NULL))
    return TRUE;

  if (!(text = get_string (kf, group, key, error)))
    return FALSE;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    return attendant_key_file_fail (kf, group, key, error,
                                    "%s: “%s” is not a whole number from %u to %u",
                                    key, text, min, max);

  *out = (guint)value;
  return TRUE;
}

static gboolean
get_boolean (AttendantKeyFile  *kf,
             const char        *group,
             const char        *key,
             gboolean          *out,
             GError           **error)
{
  g_autofree char *text = NULL;

  if (!g_key_file_has_key (kf->key_file, group, key, NULL))
    return TRUE;

  if (!(text = get_string (kf, group, key, error)))
    return FALSE;

  if (g_str_equal (text, "true"))
    *out = TRUE;
  else if (g_str_equal (text, "false"))
    *out = FALSE;
  else
    return attendant_key_file_fail (kf, group, key, error,
                                    "%s: “%s” is neither “true” nor “false”", key, text);

  return TRUE;
}

static gboolean
check_keys (AttendantKeyFile   *kf,
            const char         *group,
            const char * const *known,
            GError            **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (kf->key_file, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!g_strv_contains (known, keys[i]))
        {
          g_autofree char *list = g_strjoinv (", ", (char **)known);

          return attendant_key_file_fail (kf, group, keys[i], error,
                                          "unknown key “%s” in [%s] (known: %s)",
                                          keys[i], group, list);
        }
    }

  return TRUE;
}

static gboolean
is_extension_number (const char *text)
{
  gsize len = strlen (text);

  if (len == 0 || len > 8)
    return FALSE;

  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return TRUE;
}

static const char * const presence_values[] = {
  ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE, ATTENDANT_PROTOCOL_PRESENCE_BUSY, ATTENDANT_PROTOCOL_PRESENCE_AWAY,
  ATTENDANT_PROTOCOL_PRESENCE_DND, ATTENDANT_PROTOCOL_PRESENCE_OFFLINE, NULL
};

/* }}} */
/* {{{ Groups */

static gboolean
parse_server (AttendantServerConfig  *self,
              AttendantKeyFile       *kf,
              GError                **error)
{
  static const char * const known[] = {
    "cluster", "users", "admin", "admin-token-file", "ring-timeout", "answer-delay",
    "talk-time", "idle-timeout", "heartbeat", "auth-timeout", "drain-grace",
    "login-failures", "login-window", "message-rate", "message-burst",
    "unauthenticated-per-address", "unauthenticated-total", NULL
  };
  const char *group = "server";

  if (!g_key_file_has_group (kf->key_file, group))
    return attendant_key_file_fail (kf, NULL, NULL, error, "there is no [server] group");

  if (!check_keys (kf, group, known, error))
    return FALSE;

  if (g_key_file_has_key (kf->key_file, group, "cluster", NULL))
    {
      g_free (self->cluster);
      if (!(self->cluster = get_string (kf, group, "cluster", error)))
        return FALSE;
    }

  if (!g_key_file_has_key (kf->key_file, group, "users", NULL))
    return attendant_key_file_fail (kf, group, NULL, error,
                                    "[server] needs “users=FILE” (written by “attendant-server add-user”)");
  {
    g_autofree char *users = get_string (kf, group, "users", error);

    if (users == NULL)
      return FALSE;
    self->users_file = resolve_path (self, users);

    /* The file's own mistakes are told with its own lines, later; that it
     * is not there at all is this line's fault. */
    if (!g_file_test (self->users_file, G_FILE_TEST_IS_REGULAR))
      return attendant_key_file_fail (kf, group, "users", error,
                                      "users: %s does not exist (write it with "
                                      "“attendant-server add-user”)", self->users_file);
  }

  if (!get_seconds (kf, group, "ring-timeout", 0.1, 3600, &self->ring_timeout, error) ||
      !get_seconds (kf, group, "answer-delay", 0, 3600, &self->answer_delay, error) ||
      !get_seconds (kf, group, "talk-time", 0.1, 86400, &self->talk_time, error) ||
      !get_seconds (kf, group, "idle-timeout", 0.1, 86400, &self->idle_timeout, error) ||
      !get_seconds (kf, group, "auth-timeout", 0.1, 3600, &self->auth_timeout, error) ||
      !get_seconds (kf, group, "drain-grace", 0, 3600, &self->drain_grace, error) ||
      !get_seconds (kf, group, "login-window", 1, 86400, &self->login_window, error) ||
      !get_count (kf, group, "heartbeat", 1, 3600, &self->heartbeat, error) ||
      !get_count (kf, group, "login-failures", 1, 100000, &self->login_failures, error) ||
      !get_count (kf, group, "message-rate", 1, 100000, &self->message_rate, error) ||
      !get_count (kf, group, "message-burst", 1, 100000, &self->message_burst, error))
    return FALSE;

  /* Connections not yet logged in (docs/server.md, "Hostile clients"). */
  if (!get_count (kf, group, "unauthenticated-per-address", 1, 1000000,
                  &self->unauthenticated_per_address, error) ||
      !get_count (kf, group, "unauthenticated-total", 1, 1000000,
                  &self->unauthenticated_total, error))
    return FALSE;

  if (self->unauthenticated_per_address > self->unauthenticated_total)
    return attendant_key_file_fail (kf, group,
                                    g_key_file_has_key (kf->key_file, group, "unauthenticated-per-address", NULL)
                                      ? "unauthenticated-per-address" : "unauthenticated-total",
                                    error,
                                    "unauthenticated-per-address (%u) must not be more than "
                                    "unauthenticated-total (%u)",
                                    self->unauthenticated_per_address, self->unauthenticated_total);

  /* docs/protocol.md §2.6: clients ping every heartbeat_s and the server
   * must not hang up on a client that does. */
  if (self->idle_timeout < 3.0 * self->heartbeat)
    return attendant_key_file_fail (kf, group,
                                    g_key_file_has_key (kf->key_file, group, "idle-timeout", NULL)
                                      ? "idle-timeout" : "heartbeat",
                                    error,
                                    "idle-timeout (%g s) must be at least three times heartbeat (%u s)",
                                    self->idle_timeout, self->heartbeat);

  if (g_key_file_has_key (kf->key_file, group, "admin", NULL))
    {
      g_autofree char *text = get_string (kf, group, "admin", error);
      g_autofree char *reason = NULL;
      g_autoptr(AttendantServerAddress) address = NULL;
      g_autoptr(GInetAddress) inet = NULL;
      g_autofree char *token_file = NULL;
      g_autoptr(AttendantSecret) token = NULL;
      g_autoptr(GError) local_error = NULL;

      if (text == NULL)
        return FALSE;

      if (!attendant_server_address_parse (text, TRUE, &address, &reason))
        return attendant_key_file_fail (kf, group, "admin", error, "admin: %s", reason);

      inet = g_inet_address_new_from_string (address->host);
      if (!g_inet_address_get_is_loopback (inet))
        return attendant_key_file_fail (kf, group, "admin", error,
                                        "admin: %s is not a loopback address; the admin API "
                                        "listens on 127.0.0.0/8 or ::1 only", address->host);

      self->admin_address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (inet, address->port));

      if (!g_key_file_has_key (kf->key_file, group, "admin-token-file", NULL))
        return attendant_key_file_fail (kf, group, "admin", error,
                                        "admin= needs admin-token-file= (the API refuses "
                                        "requests without the token)");

      {
        g_autofree char *value = get_string (kf, group, "admin-token-file", error);

        if (value == NULL)
          return FALSE;
        token_file = resolve_path (self, value);
      }

      if (!attendant_secret_check_file_mode (token_file, &local_error) ||
          !g_file_get_contents (token_file, &token, NULL, &local_error))
        return attendant_key_file_fail (kf, group, "admin-token-file", error,
                                        "admin-token-file: %s", local_error->message);

      g_strstrip (token);
      if (strlen (token) < 16 || strchr (token, '\n') != NULL)
        {
          attendant_secret_wipe (token, strlen (token));
          return attendant_key_file_fail (kf, group, "admin-token-file", error,
                                          "admin-token-file: the token must be one line of at "
                                          "least 16 characters");
        }

      self->admin_token = g_steal_pointer (&token);
    }
  else if (g_key_file_has_key (kf->key_file, group, "admin-token-file", NULL))
    return attendant_key_file_fail (kf, group, "admin-token-file", error,
                                    "admin-token-file= without admin=ADDRESS:PORT");

  return TRUE;
}

static gboolean
same_listener (const AttendantServerAddress *a,
               const AttendantServerAddress *b)
{
  return a != NULL && b != NULL && a->port != 0 &&
         a->port == b->port && g_str_equal (a->host, b->host);
}

static gboolean
parse_listener (AttendantServerConfig   *self,
                AttendantKeyFile        *kf,
                const char              *group,
                const char              *key,
                AttendantServerAddress **out,
                GError                 **error)
{
  g_autofree char *text = NULL;
  g_autofree char *reason = NULL;

  if (!g_key_file_has_key (kf->key_file, group, key, NULL))
    return TRUE;

  if (!(text = get_string (kf, group, key, error)))
    return FALSE;

  if (!attendant_server_address_parse (text, TRUE, out, &reason))
    return attendant_key_file_fail (kf, group, key, error, "%s: %s", key, reason);

  (*out)->transport = g_strdup (key);

  for (guint i = 0; i < self->nodes->len; i++)
    {
      AttendantServerNodeConfig *other = g_ptr_array_index (self->nodes, i);

      /* The node being parsed is already in the list: not a clash with itself. */
      if (out == &other->plain || out == &other->tls)
        continue;

      if (same_listener (*out, other->plain) || same_listener (*out, other->tls))
        return attendant_key_file_fail (kf, group, key, error,
                                        "%s: node “%s” already listens on %s", key, other->name, text);
    }

  return TRUE;
}

static gboolean
parse_node (AttendantServerConfig  *self,
            AttendantKeyFile       *kf,
            const char             *group,
            GError                **error)
{
  static const char * const known[] = { "plain", "tls", "certificate", "key", "advertise", NULL };
  AttendantServerNodeConfig *node;
  const char *name = group + strlen ("node ");
  gboolean has_certificate;
  gboolean has_key;

  if (!is_host_name (name) || strchr (name, '/') != NULL)
    return attendant_key_file_fail (kf, group, NULL, error,
                                    "“%s” is not a node name (letters, digits, “-”, “_”, “.”)", name);

  if (!check_keys (kf, group, known, error))
    return FALSE;

  node = g_new0 (AttendantServerNodeConfig, 1);
  node->name = g_strdup (name);
  node->advertise = g_ptr_array_new_with_free_func ((GDestroyNotify)attendant_server_address_free);
  g_ptr_array_add (self->nodes, node);

  if (!parse_listener (self, kf, group, "plain", &node->plain, error) ||
      !parse_listener (self, kf, group, "tls", &node->tls, error))
    return FALSE;

  if (same_listener (node->plain, node->tls))
    return attendant_key_file_fail (kf, group, "tls", error,
                                    "tls: the same address and port as plain=");

  has_certificate = g_key_file_has_key (kf->key_file, group, "certificate", NULL);
  has_key = g_key_file_has_key (kf->key_file, group, "key", NULL);

  if (node->tls != NULL)
    {
      g_autofree char *certificate = NULL;
      g_autofree char *key = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!has_certificate)
        return attendant_key_file_fail (kf, group, "tls", error,
                                        "tls= needs certificate=FILE (PEM, the chain)");
      if (!has_key)
        return attendant_key_file_fail (kf, group, "tls", error,
                                        "tls= needs key=FILE (PEM, the private key)");

      if (!(certificate = get_string (kf, group, "certificate", error)) ||
          !(key = get_string (kf, group, "key", error)))
        return FALSE;

      {
        g_autofree char *certificate_path = resolve_path (self, certificate);
        g_autofree char *key_path = resolve_path (self, key);
        g_autofree char *contents = NULL;

        /* Which of the two files is at fault decides the line to blame. */
        if (!g_file_get_contents (certificate_path, &contents, NULL, &local_error))
          return attendant_key_file_fail (kf, group, "certificate", error,
                                          "certificate: %s", local_error->message);
        g_clear_pointer (&contents, g_free);

        if (!attendant_secret_check_file_mode (key_path, &local_error) ||
            !g_file_get_contents (key_path, &contents, NULL, &local_error))
          return attendant_key_file_fail (kf, group, "key", error, "key: %s", local_error->message);
        if (contents != NULL)
          attendant_secret_wipe (contents, strlen (contents));

        node->certificate = g_tls_certificate_new_from_files (certificate_path, key_path, &local_error);
        if (node->certificate == NULL)
          return attendant_key_file_fail (kf, group, "certificate", error,
                                          "certificate and key: %s", local_error->message);
      }
    }
  else if (has_certificate || has_key)
    return attendant_key_file_fail (kf, group, has_certificate ? "certificate" : "key", error,
                                    "%s= is only used with tls=ADDRESS:PORT",
                                    has_certificate ? "certificate" : "key");

  if (g_key_file_has_key (kf->key_file, group, "advertise", NULL))
    {
      g_auto(GStrv) entries = g_key_file_get_string_list (kf->key_file, group, "advertise", NULL, NULL);

      for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
        {
          AttendantServerAddress *address = NULL;
          g_autofree char *reason = NULL;

          if (g_strstrip (entries[i])[0] == '\0')
            continue;

          if (!attendant_server_address_parse (entries[i], FALSE, &address, &reason))
            return attendant_key_file_fail (kf, group, "advertise", error, "advertise: %s", reason);

          g_ptr_array_add (node->advertise, address);
        }

      if (node->advertise->len == 0)
        return attendant_key_file_fail (kf, group, "advertise", error,
                                        "advertise: expected HOST:PORT:TRANSPORT;…");
    }
  else
    {
      /* Without advertise=, the hello's node list names the listeners:
       * only meaningful if a client could connect to that address. */
      AttendantServerAddress *listeners[] = { node->tls, node->plain };

      for (guint i = 0; i < G_N_ELEMENTS (listeners); i++)
        {
          g_autoptr(GInetAddress) inet = NULL;

          if (listeners[i] == NULL)
            continue;

          inet = g_inet_address_new_from_string (listeners[i]->host);
          if (g_inet_address_get_is_any (inet))
            return attendant_key_file_fail (kf, group, listeners[i]->transport, error,
                                            "%s: %s is no address for clients to use; "
                                            "say which with advertise=HOST:PORT:TRANSPORT",
                                            listeners[i]->transport, listeners[i]->host);
        }
    }

  if (node->plain == NULL && node->tls == NULL && node->advertise->len == 0)
    return attendant_key_file_fail (kf, group, NULL, error,
                                    "node “%s” has neither a listener (plain=, tls=) nor advertise=",
                                    name);

  return TRUE;
}

static gboolean
parse_queue (AttendantServerConfig  *self,
             AttendantKeyFile       *kf,
             const char             *group,
             GError                **error)
{
  static const char * const known[] = { "name", NULL };
  const char *id = group + strlen ("queue ");
  AttendantServerQueue *queue;

  if (!is_host_name (id))
    return attendant_key_file_fail (kf, group, NULL, error,
                                    "“%s” is not a queue id (letters, digits, “-”, “_”, “.”)", id);

  if (!check_keys (kf, group, known, error))
    return FALSE;

  queue = g_new0 (AttendantServerQueue, 1);
  queue->id = g_strdup (id);
  g_ptr_array_add (self->queues, queue);

  if (g_key_file_has_key (kf->key_file, group, "name", NULL))
    {
      if (!(queue->name = get_string (kf, group, "name", error)))
        return FALSE;
    }
  else
    queue->name = g_strdup (id);

  return TRUE;
}

static gboolean
parse_contacts (AttendantServerConfig  *self,
                AttendantKeyFile       *kf,
                GHashTable             *seen,
                GError                **error)
{
  const char *group = "directory";
  g_auto(GStrv) keys = g_key_file_get_keys (kf->key_file, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      AttendantServerContact *contact;
      AttendantServerContact *other;
      gsize n = 0;

      if (g_str_equal (keys[i], "file"))
        continue;

      if (!is_extension_number (keys[i]))
        return attendant_key_file_fail (kf, group, keys[i], error,
                                        "“%s” is not an extension number (1–8 digits) nor “file”",
                                        keys[i]);

      if ((other = g_hash_table_lookup (seen, keys[i])) != NULL)
        return attendant_key_file_fail (kf, group, keys[i], error,
                                        "extension %s is already in the directory (%s)",
                                        keys[i], other->name);

      fields = g_key_file_get_string_list (kf->key_file, group, keys[i], &n, NULL);
      if (fields == NULL || n < 1 || n > 3 || g_strstrip (fields[0])[0] == '\0')
        return attendant_key_file_fail (kf, group, keys[i], error,
                                        "%s: expected “Name;Department” or “Name;Department;presence”",
                                        keys[i]);

      if (n == 3 && !g_strv_contains (presence_values, g_strstrip (fields[2])))
        return attendant_key_file_fail (kf, group, keys[i], error,
                                        "%s: “%s” is not a presence (available, busy, away, dnd, offline)",
                                        keys[i], fields[2]);

      contact = g_new0 (AttendantServerContact, 1);
      contact->number = g_strdup (keys[i]);
      contact->name = g_strdup (fields[0]);
      if (n >= 2 && g_strstrip (fields[1])[0] != '\0')
        contact->department = g_strdup (fields[1]);
      contact->presence = g_strdup (n == 3 ? fields[2] : ATTENDANT_PROTOCOL_PRESENCE_AVAILABLE);
      g_ptr_array_add (self->directory, contact);
      g_hash_table_insert (seen, contact->number, contact);
    }

  return TRUE;
}

static gboolean
parse_directory (AttendantServerConfig  *self,
                 AttendantKeyFile       *kf,
                 GError                **error)
{
  const char *group = "directory";
  /* number → contact: a directory of thousands is checked for duplicates
   * in one pass. */
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (!g_key_file_has_group (kf->key_file, group))
    return TRUE;

  if (g_key_file_has_key (kf->key_file, group, "file", NULL))
    {
      g_autofree char *file = get_string (kf, group, "file", error);
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(AttendantKeyFile) included = NULL;
      g_auto(GStrv) groups = NULL;

      if (file == NULL)
        return FALSE;

      path = resolve_path (self, file);
      if (!g_file_get_contents (path, &contents, NULL, &local_error))
        return attendant_key_file_fail (kf, group, "file", error, "file: %s", local_error->message);

      /* The directory file has the same [directory] group, without file=. */
      if (!(included = attendant_key_file_load (contents, strlen (contents), path, error)))
        return FALSE;

      groups = g_key_file_get_groups (included->key_file, NULL);
      for (guint i = 0; groups[i] != NULL; i++)
        if (!g_str_equal (groups[i], "directory"))
          return attendant_key_file_fail (included, groups[i], NULL, error,
                                          "a directory file has only a [directory] group");

      if (g_key_file_has_key (included->key_file, group, "file", NULL))
        return attendant_key_file_fail (included, group, "file", error,
                                        "a directory file cannot include another one");

      if (!parse_contacts (self, included, seen, error))
        return FALSE;
    }

  return parse_contacts (self, kf, seen, error);
}

static gboolean
parse_demo (AttendantServerConfig  *self,
            AttendantKeyFile       *kf,
            GError                **error)
{
  static const char * const known[] = {
    "incoming-calls", "interval", "patience", "presence-changes", NULL
  };
  const char *group = "demo";

  if (!g_key_file_has_group (kf->key_file, group))
    return TRUE;

  return check_keys (kf, group, known, error) &&
         get_boolean (kf, group, "incoming-calls", &self->demo_calls, error) &&
         get_boolean (kf, group, "presence-changes", &self->demo_presence, error) &&
         get_seconds (kf, group, "interval", 0.1, 86400, &self->demo_interval, error) &&
         get_seconds (kf, group, "patience", 1, 86400, &self->demo_patience, error);
}


/* Asterisk's names for applications and music classes: what its
 * configuration files and a dialplan line can carry without quoting. */
static gboolean
is_asterisk_name (const char *text)
{
  if (text[0] == '\0' || strlen (text) > 80)
    return FALSE;

  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;

  return TRUE;
}

static gboolean
parse_asterisk_url (AttendantKeyFile               *kf,
                    AttendantServerAsteriskConfig  *asterisk,
                    GError                        **error)
{
  const char *group = "asterisk";
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (!g_key_file_has_key (kf->key_file, group, "url", NULL))
    return attendant_key_file_fail (kf, group, NULL, error,
                                    "[asterisk] needs “url=http://HOST:PORT/ari” (Asterisk's ARI, "
                                    "http.conf)");

  if (!(asterisk->url = get_string (kf, group, "url", error)))
    return FALSE;

  uri = g_uri_parse (asterisk->url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
    return attendant_key_file_fail (kf, group, "url", error,
                                    "url: “%s” is not an http:// or https:// URL", asterisk->url);

  if (g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return attendant_key_file_fail (kf, group, "url", error, "url: “%s” has no host", asterisk->url);

  /* The password has a file of its own, mode 0600; a URL is printed in
   * logs and in --check's report. */
  if (g_uri_get_userinfo (uri) != NULL)
    return attendant_key_file_fail (kf, group, "url", error,
                                    "url: no user or password in the URL: use user= and password-file=");

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return attendant_key_file_fail (kf, group, "url", error,
                                    "url: “%s” has a query or a fragment; the ARI root is a path, "
                                    "such as /ari", asterisk->url);

  return TRUE;
}

static gboolean
parse_asterisk_password (AttendantServerConfig          *self,
                         AttendantKeyFile               *kf,
                         AttendantServerAsteriskConfig  *asterisk,
                         GError                        **error)
{
  const char *group = "asterisk";
  g_autofree char *value = NULL;
  g_autofree char *path = NULL;
  g_autoptr(AttendantSecret) contents = NULL;
  g_autoptr(GError) local_error = NULL;
  char *newline;

  if (!g_key_file_has_key (kf->key_file, group, "password-file", NULL))
    return attendant_key_file_fail (kf, group, NULL, error,
                                    "[asterisk] needs “password-file=FILE” (the ARI user's "
                                    "password, mode 0600)");

  if (!(value = get_string (kf, group, "password-file", error)))
    return FALSE;
  path = resolve_path (self, value);

  if (!attendant_secret_check_file_mode (path, &local_error) ||
      !g_file_get_contents (path, &contents, NULL, &local_error))
    return attendant_key_file_fail (kf, group, "password-file", error,
                                    "password-file: %s", local_error->message);

  /* The first line, as every other password file of the product. */
  if ((newline = strchr (contents, '\n')) != NULL)
    *newline = '\0';
  if (contents[0] == '\0' || strlen (contents) > 1024)
    return attendant_key_file_fail (kf, group, "password-file", error,
                                    "password-file: %s: the password must be its first line, "
                                    "1 to 1024 bytes", path);

  asterisk->password = g_strdup (contents);
  attendant_secret_wipe (contents, strlen (contents));
  return TRUE;
}

/* "Name: value", one header for the INVITE that rings the attendant's
 * phone: a token for the name (RFC 3261), printable ASCII for the value,
 * nothing that would end the header or start another, and a length a
 * phone's header would have. Through PJSIP_HEADER(), so PJSIP only. */
#define ANSWER_HEADER_MAX 256

static gboolean
is_header_token (const char *name,
                 gsize       length)
{
  if (length == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (name[i]) && strchr ("-.!%*_+`'~", name[i]) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
parse_answer_header (AttendantKeyFile               *kf,
                     AttendantServerAsteriskConfig  *asterisk,
                     GError                        **error)
{
  const char *group = "asterisk";
  g_autofree char *value = NULL;
  const char *colon;

  if (!g_key_file_has_key (kf->key_file, group, "answer-header", NULL))
    return TRUE;
  if (!(value = get_string (kf, group, "answer-header", error)))
    return FALSE;
  g_strstrip (value);

  colon = strchr (value, ':');
  if (strlen (value) > ANSWER_HEADER_MAX || colon == NULL ||
      !is_header_token (value, (gsize)(colon - value)) || colon[1] == '\0')
    return attendant_key_file_fail (kf, group, "answer-header", error,
                                    "answer-header: “%s” is not one SIP header “Name: value” of at most "
                                    "%d bytes, such as “Call-Info: <sip:attendant>;answer-after=0”",
                                    value, ANSWER_HEADER_MAX);
  for (const char *p = colon + 1; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e)
      return attendant_key_file_fail (kf, group, "answer-header", error,
                                      "answer-header: the value has a character that is not printable "
                                      "ASCII (a line break would start another header)");
  if (!g_str_has_prefix (asterisk->endpoint, "PJSIP/"))
    return attendant_key_file_fail (kf, group, "answer-header", error,
                                    "answer-header: only for PJSIP phones (endpoint=PJSIP/…), not %s",
                                    asterisk->endpoint);
  asterisk->answer_header = g_steal_pointer (&value);
  return TRUE;
}

static gboolean
parse_asterisk (AttendantServerConfig  *self,
                AttendantKeyFile       *kf,
                GError                **error)
{
  static const char * const known[] = {
    "url", "user", "password-file", "application", "endpoint", "ring-timeout",
    "waiting-sound", "moh-class", "answer-header", "ca-file", NULL
  };
  const char *group = "asterisk";
  AttendantServerAsteriskConfig *asterisk;

  if (!g_key_file_has_group (kf->key_file, group))
    return TRUE;

  if (!check_keys (kf, group, known, error))
    return FALSE;

  /* Only the simulated telephone system has callers to make up. */
  if (g_key_file_has_group (kf->key_file, "demo"))
    return attendant_key_file_fail (kf, "demo", NULL, error,
                                    "[demo] makes up callers for the simulated telephone system; "
                                    "with [asterisk] the calls are real: remove [demo]");

  asterisk = g_new0 (AttendantServerAsteriskConfig, 1);
  asterisk->ring_timeout = 20;
  self->asterisk = asterisk;

  if (!parse_asterisk_url (kf, asterisk, error))
    return FALSE;

  if (!g_key_file_has_key (kf->key_file, group, "user", NULL))
    return attendant_key_file_fail (kf, group, NULL, error,
                                    "[asterisk] needs “user=NAME” (a user of Asterisk's ari.conf)");
  if (!(asterisk->user = get_string (kf, group, "user", error)))
    return FALSE;
  /* HTTP Basic authentication ends the user at the first colon. */
  if (strchr (asterisk->user, ':') != NULL)
    return attendant_key_file_fail (kf, group, "user", error,
                                    "user: “%s” has a “:”, which ARI's HTTP authentication cannot carry",
                                    asterisk->user);

  if (!parse_asterisk_password (self, kf, asterisk, error))
    return FALSE;

  if (g_key_file_has_key (kf->key_file, group, "application", NULL))
    {
      if (!(asterisk->application = get_string (kf, group, "application", error)))
        return FALSE;
      if (!is_asterisk_name (asterisk->application))
        return attendant_key_file_fail (kf, group, "application", error,
                                        "application: “%s” is not a Stasis application name "
                                        "(letters, digits, “-”, “_”, “.”)", asterisk->application);
    }
  else
    asterisk->application = g_strdup ("attendant");

  if (g_key_file_has_key (kf->key_file, group, "endpoint", NULL))
    {
      const char *at;

      if (!(asterisk->endpoint = get_string (kf, group, "endpoint", error)))
        return FALSE;
      at = strstr (asterisk->endpoint, "{extension}");
      if (at == NULL || strstr (at + 1, "{extension}") != NULL ||
          strchr (asterisk->endpoint, '/') == NULL)
        return attendant_key_file_fail (kf, group, "endpoint", error,
                                        "endpoint: “%s” must be TECHNOLOGY/RESOURCE with “{extension}” "
                                        "once, such as PJSIP/{extension}", asterisk->endpoint);
    }
  else
    asterisk->endpoint = g_strdup ("PJSIP/{extension}");

  if (!get_count (kf, group, "ring-timeout", 1, 600, &asterisk->ring_timeout, error))
    return FALSE;

  if (g_key_file_has_key (kf->key_file, group, "waiting-sound", NULL))
    {
      if (!(asterisk->waiting_sound = get_string (kf, group, "waiting-sound", error)))
        return FALSE;
      if (!g_str_equal (asterisk->waiting_sound, "moh") && !g_str_equal (asterisk->waiting_sound, "ringing"))
        return attendant_key_file_fail (kf, group, "waiting-sound", error,
                                        "waiting-sound: “%s” is neither “moh” (music on hold) nor “ringing”",
                                        asterisk->waiting_sound);
    }
  else
    asterisk->waiting_sound = g_strdup ("moh");

  if (g_key_file_has_key (kf->key_file, group, "moh-class", NULL))
    {
      if (!(asterisk->moh_class = get_string (kf, group, "moh-class", error)))
        return FALSE;
      if (!is_asterisk_name (asterisk->moh_class))
        return attendant_key_file_fail (kf, group, "moh-class", error,
                                        "moh-class: “%s” is not a music-on-hold class name "
                                        "(letters, digits, “-”, “_”, “.”)", asterisk->moh_class);
    }
  else
    asterisk->moh_class = g_strdup ("default");

  if (!parse_answer_header (kf, asterisk, error))
    return FALSE;

  if (g_key_file_has_key (kf->key_file, group, "ca-file", NULL))
    {
      g_autofree char *value = get_string (kf, group, "ca-file", error);
      g_autofree char *path = NULL;
      g_autoptr(GError) local_error = NULL;

      if (value == NULL)
        return FALSE;
      path = resolve_path (self, value);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return attendant_key_file_fail (kf, group, "ca-file", error,
                                        "ca-file: %s does not exist", path);

      {
        GList *list = g_tls_certificate_list_new_from_file (path, &local_error);

        if (list == NULL)
          return attendant_key_file_fail (kf, group, "ca-file", error, "ca-file: %s: %s", path,
                                          local_error != NULL ? local_error->message
                                                              : "no PEM certificate in it");
        g_list_free_full (list, g_object_unref);
      }

      /* Extra anchors beside the system's, as the console's --ca-file: the
       * certificate is still checked for the URL's host and its dates. */
      asterisk->anchors = g_tls_file_database_new (path, &local_error);
      if (asterisk->anchors == NULL)
        return attendant_key_file_fail (kf, group, "ca-file", error,
                                        "ca-file: %s", local_error->message);

      if (!g_str_has_prefix (asterisk->url, "https:"))
        return attendant_key_file_fail (kf, group, "ca-file", error,
                                        "ca-file= is only used with an https:// url");
    }

  return TRUE;
}

static gboolean
parse (AttendantServerConfig  *self,
       AttendantKeyFile       *kf,
       GError                **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (kf->key_file, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      const char *group = groups[i];

      if (g_str_equal (group, "server") || g_str_equal (group, "directory") ||
          g_str_equal (group, "demo") || g_str_equal (group, "asterisk"))
        continue;

      if (g_str_has_prefix (group, "node "))
        {
          if (!parse_node (self, kf, group, error))
            return FALSE;
        }
      else if (g_str_has_prefix (group, "queue "))
        {
          if (!parse_queue (self, kf, group, error))
            return FALSE;
        }
      else
        return attendant_key_file_fail (kf, group, NULL, error,
                                        "unknown group [%s] (known: [server], [node NAME], "
                                        "[queue ID], [directory], [demo], [asterisk])", group);
    }

  if (!parse_server (self, kf, error) ||
      !parse_directory (self, kf, error) ||
      !parse_demo (self, kf, error) ||
      !parse_asterisk (self, kf, error))
    return FALSE;

  if (self->nodes->len == 0)
    return attendant_key_file_fail (kf, "server", NULL, error,
                                    "there is no [node NAME] group: nothing to listen on");

  if (self->queues->len == 0)
    {
      AttendantServerQueue *queue = g_new0 (AttendantServerQueue, 1);

      queue->id = g_strdup ("main");
      queue->name = g_strdup ("Reception");
      g_ptr_array_add (self->queues, queue);
    }

  return TRUE;
}

/* }}} */

/**
 * attendant_server_config_new_from_data:
 * @path: (nullable): the file the data came from: relative paths in the
 *   configuration are relative to its directory, and messages name it
 *
 * Returns: (transfer full): the configuration, or %NULL with an
 *   %ATTENDANT_SERVER_CONFIG_ERROR whose message is "FILE:LINE: reason"
 */
AttendantServerConfig *
attendant_server_config_new_from_data (const char  *data,
                                       const char  *path,
                                       GError     **error)
{
  g_autoptr(AttendantServerConfig) self = NULL;
  g_autoptr(AttendantKeyFile) kf = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  self = g_object_new (ATTENDANT_TYPE_SERVER_CONFIG, NULL);
  self->path = g_strdup (path != NULL ? path : "(configuration)");
  if (path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      self->dir = g_canonicalize_filename (dir, NULL);
    }
  else
    self->dir = g_get_current_dir ();

  if (!(kf = attendant_key_file_load (data, strlen (data), self->path, error)))
    return NULL;

  if (!parse (self, kf, error))
    return NULL;

  return g_steal_pointer (&self);
}

AttendantServerConfig *
attendant_server_config_new_from_file (const char  *path,
                                       GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, ATTENDANT_SERVER_CONFIG_ERROR, ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
                   "%s: %s", path, local_error->message);
      return NULL;
    }

  return attendant_server_config_new_from_data (contents, path, error);
}

const char *
attendant_server_config_get_path (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), NULL);
  return self->path;
}

const char *
attendant_server_config_get_cluster (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), NULL);
  return self->cluster;
}

const char *
attendant_server_config_get_users_file (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), NULL);
  return self->users_file;
}

/**
 * attendant_server_config_get_admin_address:
 *
 * Returns: (transfer none) (nullable): where the admin API listens, a
 *   loopback address; %NULL when there is no admin API
 */
GInetSocketAddress *
attendant_server_config_get_admin_address (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), NULL);
  return self->admin_address;
}

const char *
attendant_server_config_get_admin_token (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), NULL);
  return self->admin_token;
}

double
attendant_server_config_get_ring_timeout (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->ring_timeout;
}

double
attendant_server_config_get_answer_delay (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->answer_delay;
}

double
attendant_server_config_get_talk_time (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->talk_time;
}

double
attendant_server_config_get_idle_timeout (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->idle_timeout;
}

double
attendant_server_config_get_auth_timeout (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->auth_timeout;
}

double
attendant_server_config_get_drain_grace (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->drain_grace;
}

guint
attendant_server_config_get_heartbeat (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->heartbeat;
}

guint
attendant_server_config_get_login_failures (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->login_failures;
}

guint
attendant_server_config_get_message_rate (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->message_rate;
}

guint
attendant_server_config_get_message_burst (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->message_burst;
}

double
attendant_server_config_get_login_window (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->login_window;
}

/* Connections not yet logged in, from one address. */
guint
attendant_server_config_get_unauthenticated_per_address (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->unauthenticated_per_address;
}

/* Connections not yet logged in, in all. */
guint
attendant_server_config_get_unauthenticated_total (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->unauthenticated_total;
}

/**
 * attendant_server_config_get_nodes:
 *
 * Returns: (transfer none) (element-type AttendantServerNodeConfig): the
 *   nodes in the order of the file
 */
GPtrArray *
attendant_server_config_get_nodes (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), NULL);
  return self->nodes;
}

/**
 * attendant_server_config_get_directory:
 *
 * Returns: (transfer none) (element-type AttendantServerContact):
 */
GPtrArray *
attendant_server_config_get_directory (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), NULL);
  return self->directory;
}

/**
 * attendant_server_config_get_queues:
 *
 * Returns: (transfer none) (element-type AttendantServerQueue): never
 *   empty: "main" ("Reception") unless the file names queues
 */
GPtrArray *
attendant_server_config_get_queues (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), NULL);
  return self->queues;
}

gboolean
attendant_server_config_get_demo_calls (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), FALSE);
  return self->demo_calls;
}

double
attendant_server_config_get_demo_interval (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->demo_interval;
}

double
attendant_server_config_get_demo_patience (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), 0);
  return self->demo_patience;
}

gboolean
attendant_server_config_get_demo_presence (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), FALSE);
  return self->demo_presence;
}

/**
 * attendant_server_config_get_asterisk:
 *
 * Returns: (transfer none) (nullable): the [asterisk] group, or %NULL when
 *   the telephone system is the simulated one
 */
const AttendantServerAsteriskConfig *
attendant_server_config_get_asterisk (AttendantServerConfig *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_CONFIG (self), NULL);
  return self->asterisk;
}

/* }}} */
