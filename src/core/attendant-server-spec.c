/* attendant-server-spec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-server-spec"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "attendant-error.h"
#include "attendant-server-spec.h"

/* What the user typed in the "server" field, understood (docs/architecture.md,
 * "What the server field accepts"): either a
 * domain for SRV discovery, or a host and optional port to connect to
 * directly. Parsing happens entirely offline so that bad input is refused
 * before any packet leaves the machine. */
struct _AttendantServerSpec
{
  GObject   parent_instance;

  char     *input;
  char     *host;      /* ASCII; the domain when !direct; bare IPv6 without [] */
  guint16   port;      /* 0 means the transport's default */
  guint     direct : 1;
};

G_DEFINE_FINAL_TYPE (AttendantServerSpec, attendant_server_spec, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INPUT,
  PROP_HOST,
  PROP_PORT,
  PROP_DIRECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define MAX_NAME_LENGTH  253
#define MAX_LABEL_LENGTH 63

static void
attendant_server_spec_finalize (GObject *object)
{
  AttendantServerSpec *self = (AttendantServerSpec *)object;

  g_clear_pointer (&self->input, g_free);
  g_clear_pointer (&self->host, g_free);

  G_OBJECT_CLASS (attendant_server_spec_parent_class)->finalize (object);
}

static void
attendant_server_spec_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  AttendantServerSpec *self = ATTENDANT_SERVER_SPEC (object);

  switch (prop_id)
    {
    case PROP_INPUT:
      g_value_set_string (value, self->input);
      break;

    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;

    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;

    case PROP_DIRECT:
      g_value_set_boolean (value, self->direct);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_server_spec_class_init (AttendantServerSpecClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = attendant_server_spec_finalize;
  object_class->get_property = attendant_server_spec_get_property;

  properties[PROP_INPUT] =
    g_param_spec_string ("input", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_DIRECT] =
    g_param_spec_boolean ("direct", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_server_spec_init (AttendantServerSpec *self)
{
}

static gboolean
parse_port (const char  *text,
            guint16     *port,
            GError     **error)
{
  guint64 value = 0;

  if (*text == '\0')
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                           _("The port after “:” is missing"));
      return FALSE;
    }

  for (const char *p = text; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        {
          g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                       _("The port “%s” is not a number"), text);
          return FALSE;
        }

      value = value * 10 + (guint64)(*p - '0');
      if (value > G_MAXUINT16)
        break;
    }

  if (value < 1 || value > G_MAXUINT16)
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                   _("The port “%s” is outside the range 1–65535"), text);
      return FALSE;
    }

  *port = (guint16)value;
  return TRUE;
}

/* Checks an ASCII host name with the letter-digit-hyphen rule and the DNS
 * length limits, and returns it lower-cased without the root dot. */
static char *
normalize_hostname (const char  *text,
                    GError     **error)
{
  g_autofree char *ascii = NULL;
  g_autofree char *lower = NULL;
  g_auto(GStrv) labels = NULL;
  gsize len;

  for (const guchar *p = (const guchar *)text; *p; p++)
    {
      /* Non-ASCII is left to IDN conversion; everything else printable
       * that is not LDH is refused here with the culprit named. */
      if (*p < 0x80 && !g_ascii_isalnum (*p) && *p != '-' && *p != '.')
        {
          if (g_ascii_isspace (*p))
            g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                         _("“%s” contains a space; a server name cannot"), text);
          else if (g_ascii_isprint (*p))
            g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                         _("“%s” contains “%c”, which is not allowed in a server name"),
                         text, *p);
          else
            g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                         _("The server name contains the control character 0x%02x"), *p);
          return NULL;
        }
    }

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                           _("The server name is not valid UTF-8"));
      return NULL;
    }

  ascii = g_hostname_to_ascii (text);
  if (ascii == NULL)
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                   _("“%s” is not a valid internationalized domain name"), text);
      return NULL;
    }

  lower = g_ascii_strdown (ascii, -1);
  len = strlen (lower);

  if (len > 0 && lower[len - 1] == '.')
    lower[--len] = '\0';

  if (len == 0)
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                           _("The server name is empty"));
      return NULL;
    }

  if (len > MAX_NAME_LENGTH)
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                   _("The server name is %zu bytes long; "
                     "a domain name may have at most %d"),
                   len, MAX_NAME_LENGTH);
      return NULL;
    }

  labels = g_strsplit (lower, ".", -1);
  for (guint i = 0; labels[i]; i++)
    {
      gsize label_len = strlen (labels[i]);

      if (label_len == 0)
        {
          g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                       _("“%s” has an empty label (two dots in a row, or a leading dot)"),
                       text);
          return NULL;
        }

      if (label_len > MAX_LABEL_LENGTH)
        {
          g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                       _("The label “%.20s…” is %zu bytes long; "
                         "a label may have at most %d"),
                       labels[i], label_len, MAX_LABEL_LENGTH);
          return NULL;
        }

      if (labels[i][0] == '-' || labels[i][label_len - 1] == '-')
        {
          g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                       _("The label “%s” begins or ends with a hyphen"), labels[i]);
          return NULL;
        }

      for (const char *p = labels[i]; *p; p++)
        {
          if (!g_ascii_isalnum (*p) && *p != '-')
            {
              g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                           _("“%s” contains “%c”, which is not allowed in a server name"),
                           text, *p);
              return NULL;
            }
        }
    }

  return g_steal_pointer (&lower);
}

static gboolean
looks_like_url (const char *text)
{
  return strstr (text, "://") != NULL ||
         strchr (text, '/') != NULL ||
         strchr (text, '?') != NULL ||
         strchr (text, '#') != NULL ||
         strchr (text, '@') != NULL;
}

/**
 * attendant_server_spec_parse:
 * @text: what the user typed
 * @error: the reason the input is refused
 *
 * Returns: (transfer full): the parsed input, or %NULL with @error set to
 *   %ATTENDANT_ERROR_INVALID_INPUT and a message that names the problem.
 */
AttendantServerSpec *
attendant_server_spec_parse (const char  *text,
                             GError     **error)
{
  g_autoptr(AttendantServerSpec) self = NULL;
  g_autofree char *trimmed = NULL;
  const char *colon;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (text == NULL)
    text = "";

  /* First of all: every message below quotes the input, and a message that
   * is not UTF-8 would garble the GUI's label and the CLI's JSON (found by
   * fuzz/fuzz-server-spec). */
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                           _("The server name is not valid UTF-8"));
      return NULL;
    }

  trimmed = g_strstrip (g_strdup (text));

  if (trimmed[0] == '\0')
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                           _("The server name is empty"));
      return NULL;
    }

  if (looks_like_url (trimmed))
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                   _("“%s” looks like a URL; enter only the server name, such as acme.com"),
                   trimmed);
      return NULL;
    }

  self = g_object_new (ATTENDANT_TYPE_SERVER_SPEC, NULL);
  self->input = g_strdup (trimmed);

  if (trimmed[0] == '[')
    {
      const char *close = strchr (trimmed, ']');
      g_autofree char *address = NULL;

      if (close == NULL)
        {
          g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                       _("“%s” lacks the closing “]” of the IPv6 address"), trimmed);
          return NULL;
        }

      address = g_strndup (trimmed + 1, close - trimmed - 1);
      if (strchr (address, ':') == NULL || !g_hostname_is_ip_address (address))
        {
          g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                       _("“%s” is not a valid IPv6 address"), address);
          return NULL;
        }

      if (close[1] == ':')
        {
          if (!parse_port (close + 2, &self->port, error))
            return NULL;
        }
      else if (close[1] != '\0')
        {
          g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                       _("Unexpected “%s” after the IPv6 address; write [address]:port"),
                       close + 1);
          return NULL;
        }

      self->host = g_steal_pointer (&address);
      self->direct = TRUE;
      return g_steal_pointer (&self);
    }

  if (g_hostname_is_ip_address (trimmed))
    {
      self->host = g_strdup (trimmed);
      self->direct = TRUE;
      return g_steal_pointer (&self);
    }

  colon = strchr (trimmed, ':');

  if (colon != NULL && strchr (colon + 1, ':') != NULL)
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                   _("“%s” is not a valid IPv6 address; with a port, write it as [address]:port"),
                   trimmed);
      return NULL;
    }

  if (colon != NULL)
    {
      g_autofree char *host = g_strndup (trimmed, colon - trimmed);

      if (host[0] == '\0')
        {
          g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                               _("The host name before “:” is missing"));
          return NULL;
        }

      if (!parse_port (colon + 1, &self->port, error))
        return NULL;

      if (g_hostname_is_ip_address (host))
        self->host = g_steal_pointer (&host);
      else if (!(self->host = normalize_hostname (host, error)))
        return NULL;

      self->direct = TRUE;
      return g_steal_pointer (&self);
    }

  if (!(self->host = normalize_hostname (trimmed, error)))
    return NULL;

  /* "192.0.2.1." is the address with a root dot, not a domain: querying
   * SRV for it would only send a pointless query (found by
   * fuzz/fuzz-server-spec: the host did not parse back to a domain). */
  if (g_hostname_is_ip_address (self->host))
    self->direct = TRUE;

  return g_steal_pointer (&self);
}

const char *
attendant_server_spec_get_input (AttendantServerSpec *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_SPEC (self), NULL);

  return self->input;
}

gboolean
attendant_server_spec_is_direct (AttendantServerSpec *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_SPEC (self), FALSE);

  return self->direct;
}

/**
 * attendant_server_spec_get_host:
 *
 * Returns: the ASCII host: the domain to discover, or the host to connect to
 *   directly (an IPv6 literal without brackets).
 */
const char *
attendant_server_spec_get_host (AttendantServerSpec *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_SPEC (self), NULL);

  return self->host;
}

/**
 * attendant_server_spec_get_port:
 *
 * Returns: the port the user typed, or 0 for the transport's default.
 */
guint16
attendant_server_spec_get_port (AttendantServerSpec *self)
{
  g_return_val_if_fail (ATTENDANT_IS_SERVER_SPEC (self), 0);

  return self->port;
}
