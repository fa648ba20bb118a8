/* attendant-protocol.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "attendant-error.h"
#include <libsoup/soup.h>

#include "attendant-protocol.h"

/* One JSON object per text frame (docs/protocol.md §1). Decoding checks
 * what every message must have and the required members of the messages
 * both sides act on, so that the rest of the code can read them without
 * re-checking types; unknown types pass through, to be ignored. */

typedef struct
{
  const char *type;
  const char *member;
  JsonNodeType node_type;
  GType value_type;   /* for JSON_NODE_VALUE, else G_TYPE_INVALID */
} Required;

static const Required required[] = {
  { "hello", "protocol", JSON_NODE_VALUE, G_TYPE_INT64 },
  { "hello", "node", JSON_NODE_VALUE, G_TYPE_STRING },
  { "hello", "nodes", JSON_NODE_ARRAY, G_TYPE_INVALID },
  { "auth.start", "mechanism", JSON_NODE_VALUE, G_TYPE_STRING },
  { "auth.start", "data", JSON_NODE_VALUE, G_TYPE_STRING },
  { "auth.challenge", "data", JSON_NODE_VALUE, G_TYPE_STRING },
  { "auth.finish", "data", JSON_NODE_VALUE, G_TYPE_STRING },
  { "auth.ok", "data", JSON_NODE_VALUE, G_TYPE_STRING },
  { "auth.failed", "reason", JSON_NODE_VALUE, G_TYPE_STRING },
  { "snapshot", "seq", JSON_NODE_VALUE, G_TYPE_INT64 },
  { "snapshot", "directory", JSON_NODE_ARRAY, G_TYPE_INVALID },
  { "snapshot", "queues", JSON_NODE_ARRAY, G_TYPE_INVALID },
  { "snapshot", "calls", JSON_NODE_ARRAY, G_TYPE_INVALID },
  { "snapshot.more", "directory", JSON_NODE_ARRAY, G_TYPE_INVALID },
  { "snapshot.more", "more", JSON_NODE_VALUE, G_TYPE_BOOLEAN },
  { "event", "seq", JSON_NODE_VALUE, G_TYPE_INT64 },
  { "event", "event", JSON_NODE_VALUE, G_TYPE_STRING },
  { "command", "id", JSON_NODE_VALUE, G_TYPE_STRING },
  { "command", "command", JSON_NODE_VALUE, G_TYPE_STRING },
  { "reply", "id", JSON_NODE_VALUE, G_TYPE_STRING },
  { "reply", "ok", JSON_NODE_VALUE, G_TYPE_BOOLEAN },
  { "ping", "id", JSON_NODE_VALUE, G_TYPE_INT64 },
  { "pong", "id", JSON_NODE_VALUE, G_TYPE_INT64 },
  { "phone-system", "reachable", JSON_NODE_VALUE, G_TYPE_BOOLEAN },
};

JsonObject *
attendant_protocol_message_new (const char *type)
{
  JsonObject *message;

  g_return_val_if_fail (type != NULL, NULL);

  message = json_object_new ();
  json_object_set_string_member (message, "type", type);

  return message;
}

const char *
attendant_protocol_get_type (JsonObject *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return attendant_protocol_get_string (message, "type");
}

/* The member, if it is of the given kind (and, for a value, type). */
static JsonNode *
member_of_kind (JsonObject   *object,
                const char   *member,
                JsonNodeType  node_type,
                GType         value_type)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_TYPE (node) != node_type)
    return NULL;

  if (node_type == JSON_NODE_VALUE && json_node_get_value_type (node) != value_type)
    return NULL;

  return node;
}

const char *
attendant_protocol_get_string (JsonObject *object,
                               const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  node = member_of_kind (object, member, JSON_NODE_VALUE, G_TYPE_STRING);
  return node != NULL ? json_node_get_string (node) : NULL;
}

gint64
attendant_protocol_get_int (JsonObject *object,
                            const char *member,
                            gint64      fallback)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL, fallback);
  g_return_val_if_fail (member != NULL, fallback);

  node = member_of_kind (object, member, JSON_NODE_VALUE, G_TYPE_INT64);
  return node != NULL ? json_node_get_int (node) : fallback;
}

JsonObject *
attendant_protocol_get_object (JsonObject *object,
                               const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  node = member_of_kind (object, member, JSON_NODE_OBJECT, G_TYPE_INVALID);
  return node != NULL ? json_node_get_object (node) : NULL;
}

JsonArray *
attendant_protocol_get_array (JsonObject *object,
                              const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  node = member_of_kind (object, member, JSON_NODE_ARRAY, G_TYPE_INVALID);
  return node != NULL ? json_node_get_array (node) : NULL;
}

static gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Walks the brackets of JSON text from @i, outside its strings and their
 * escapes, until the end, or past the bracket that brings the nesting back
 * to zero when @first_value_only, or as soon as it is deeper than @limit.
 * Returns where it stopped; *@depth is the nesting there. */
static gsize
walk_brackets (const char *data,
               gsize       length,
               gsize       i,
               gboolean    first_value_only,
               guint       limit,
               guint      *depth)
{
  gboolean in_string = FALSE;

  *depth = 0;
  for (; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++*depth > limit)
            break;
        }
      else if ((c == '}' || c == ']') && *depth > 0)
        {
          if (--*depth == 0 && first_value_only)
            return i + 1;
        }
    }

  return i;
}

static void
set_too_deep (GError **error,
              guint    max_depth)
{
  g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
               _("The JSON nests objects and arrays more than %u deep"), max_depth);
}

/* Whether @data is one JSON object and nothing else, nested at most
 * @max_depth deep, judged by its brackets and strings only (the parser
 * judges the rest), in one walk. json-glib 1.6 parses any number of
 * top-level values, keeps the first and leaks the others: `{…} {…}` would
 * have passed as one message and left the second value, up to 1 MiB of
 * it, allocated for ever (found by fuzz/fuzz-protocol-client). So the
 * parser only ever sees a single balanced object. */
static gboolean
check_single_object (const char  *data,
                     gsize        length,
                     guint        max_depth,
                     GError     **error)
{
  gsize i = 0;
  guint depth = 0;

  while (i < length && is_json_space (data[i]))
    i++;

  if (i < length && data[i] == '{')
    {
      i = walk_brackets (data, length, i, TRUE, max_depth, &depth);
      if (depth > max_depth)
        {
          set_too_deep (error, max_depth);
          return FALSE;
        }

      while (depth == 0 && i < length && is_json_space (data[i]))
        i++;

      if (depth == 0 && i == length)
        return TRUE;
    }

  g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                       _("The message is not a single JSON object"));
  return FALSE;
}

/**
 * attendant_json_check_depth:
 * @data: JSON text from a peer, not necessarily valid
 * @max_depth: how many objects and arrays may be open at once
 *
 * Scans @data once, skipping strings and their escapes, for the deepest
 * nesting of objects and arrays. json-glib's parser recurses once per
 * level and has no bound of its own: some 100,000 levels, a 200 KB
 * message, overflow the stack. So every JSON text from the network goes
 * through this first. Brackets out of order are left to the parser.
 *
 * Returns: %TRUE if @data nests at most @max_depth deep, else %FALSE with
 *   %ATTENDANT_ERROR_PROTOCOL
 */
gboolean
attendant_json_check_depth (const char  *data,
                            gsize        length,
                            guint        max_depth,
                            GError     **error)
{
  guint depth;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  walk_brackets (data, length, 0, FALSE, max_depth, &depth);
  if (depth > max_depth)
    {
      set_too_deep (error, max_depth);
      return FALSE;
    }

  return TRUE;
}

/**
 * attendant_protocol_parse_object:
 *
 * Parses text that must be one JSON object and nothing else, in valid
 * UTF-8, of at most 1 MiB, nested at most %ATTENDANT_PROTOCOL_MAX_DEPTH
 * deep: a protocol message, or a command line of `attendant-cli watch`.
 *
 * Returns: (transfer full): the object, or %NULL with
 *   %ATTENDANT_ERROR_PROTOCOL
 */
JsonObject *
attendant_protocol_parse_object (const char  *data,
                                 gsize        length,
                                 GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length > ATTENDANT_PROTOCOL_MAX_MESSAGE)
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                   _("A message of %zu bytes is over the 1 MiB limit"), length);
      return NULL;
    }

  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                           _("The message is not valid UTF-8"));
      return NULL;
    }

  if (!check_single_object (data, length, ATTENDANT_PROTOCOL_MAX_DEPTH, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize)length, &local_error))
    {
      g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                   _("The message is not JSON: %s"), local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                           _("The message is not a JSON object"));
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/**
 * attendant_protocol_decode:
 *
 * Returns: (transfer full): the message, or %NULL with
 *   %ATTENDANT_ERROR_PROTOCOL when it is malformed (the connection must
 *   then be closed with %ATTENDANT_CLOSE_PROTOCOL_ERROR)
 */
JsonObject *
attendant_protocol_decode (const char  *data,
                           gsize        length,
                           GError     **error)
{
  g_autoptr(JsonObject) object = NULL;
  const char *type;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (!(object = attendant_protocol_parse_object (data, length, error)))
    return NULL;

  /* Not json-glib's getter: a "type" that is an object or an array was a
   * GLib critical there (found by the protocol fuzz targets). */
  type = attendant_protocol_get_string (object, "type");
  if (type == NULL)
    {
      g_set_error_literal (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                           _("The message has no string member “type”"));
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      if (g_str_equal (required[i].type, type) && !member_of_kind (object, required[i].member, required[i].node_type, required[i].value_type))
        {
          g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL,
                       /* TRANSLATORS: a message type and a member name of the protocol,
                        * which stay in English. */
                       _("The “%s” message lacks a valid “%s” member"),
                       type, required[i].member);
          return NULL;
        }
    }

  return g_steal_pointer (&object);
}

char *
attendant_protocol_encode (JsonObject *message)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (message != NULL, NULL);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, message);

  return json_to_string (node, FALSE);
}

/**
 * attendant_protocol_describe_websocket_error:
 * @error: what SoupWebsocketConnection's #SoupWebsocketConnection::error said
 * @close_code: (out): the close code to answer it with
 *
 * libsoup emits its "error" signal before it closes the connection itself,
 * so whoever handles it and closes first chooses the close code: this
 * keeps the one libsoup meant (1009 for a frame over the limit, 1007 for
 * text that is not UTF-8) and says in words what the peer did.
 *
 * Returns: (transfer full): a sentence for the user
 */
char *
attendant_protocol_describe_websocket_error (const GError *error,
                                             gushort      *close_code)
{
  g_return_val_if_fail (error != NULL, NULL);
  g_return_val_if_fail (close_code != NULL, NULL);

  *close_code = ATTENDANT_CLOSE_PROTOCOL_ERROR;
  if (error->domain != SOUP_WEBSOCKET_ERROR)
    return g_strdup (error->message);

  switch (error->code)
    {
    case SOUP_WEBSOCKET_CLOSE_TOO_BIG:
      *close_code = ATTENDANT_CLOSE_TOO_BIG;
      /* TRANSLATORS: completes “The server sent %s”. */
      return g_strdup_printf (_("a message over the %d MiB limit"),
                              ATTENDANT_PROTOCOL_MAX_MESSAGE / (1024 * 1024));

    case SOUP_WEBSOCKET_CLOSE_BAD_DATA:
      *close_code = ATTENDANT_CLOSE_BAD_DATA;
      /* TRANSLATORS: completes “The server sent %s”. */
      return g_strdup (_("a text message that is not valid UTF-8"));

    default:
      /* TRANSLATORS: completes “The server sent %s”; %s is the reason. */
      return g_strdup_printf (_("an invalid frame (%s)"), error->message);
    }
}
