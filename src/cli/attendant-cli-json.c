/* attendant-cli-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-cli"

#include "config.h"

#include <string.h>

#include "attendant-cli-json.h"

/* The JSON shapes of docs/cli.md that `check` and `watch` share. */

void
attendant_cli_json_add_nullable_string (JsonBuilder *builder,
                                        const char  *member,
                                        const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static double
round_ms (double ms)
{
  return (gint64)(ms * 10.0 + 0.5) / 10.0;
}

/**
 * attendant_cli_json_add_attempt:
 * @members_only: add the members to the object being built, instead of a
 *   new object (for `watch`, whose line adds "event" and "t")
 */
void
attendant_cli_json_add_attempt (JsonBuilder      *builder,
                                AttendantAttempt *attempt,
                                gboolean          members_only)
{
  AttendantEndpoint *endpoint = attendant_attempt_get_endpoint (attempt);
  const GError *error = attendant_attempt_get_error (attempt);

  if (!members_only)
    json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, attendant_endpoint_get_host (endpoint));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, attendant_endpoint_get_port (endpoint));
  attendant_cli_json_add_nullable_string (builder, "address", attendant_attempt_get_address (attempt));
  json_builder_set_member_name (builder, "outcome");
  json_builder_add_string_value (builder, attendant_enum_to_nick (ATTENDANT_TYPE_ATTEMPT_OUTCOME,
                                                                  attendant_attempt_get_outcome (attempt)));
  attendant_cli_json_add_nullable_string (builder, "error", error ? error->message : NULL);
  json_builder_set_member_name (builder, "elapsed_ms");
  json_builder_add_double_value (builder, round_ms (attendant_attempt_get_elapsed_ms (attempt)));

  if (!members_only)
    json_builder_end_object (builder);
}

void
attendant_cli_json_add_plan (JsonBuilder   *builder,
                             AttendantPlan *plan)
{
  json_builder_begin_array (builder);
  for (guint i = 0; i < attendant_plan_get_n_endpoints (plan); i++)
    {
      AttendantEndpoint *endpoint = attendant_plan_get_endpoint (plan, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "host");
      json_builder_add_string_value (builder, attendant_endpoint_get_host (endpoint));
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, attendant_endpoint_get_port (endpoint));
      json_builder_set_member_name (builder, "priority");
      json_builder_add_int_value (builder, attendant_endpoint_get_priority (endpoint));
      json_builder_set_member_name (builder, "weight");
      json_builder_add_int_value (builder, attendant_endpoint_get_weight (endpoint));
      json_builder_set_member_name (builder, "origin");
      json_builder_add_string_value (builder,
                                     attendant_enum_to_nick (ATTENDANT_TYPE_ENDPOINT_ORIGIN,
                                                             attendant_endpoint_get_origin (endpoint)));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* Shortest text that reads back as the same double: json-glib prints every
 * double with 17 significant digits, so 4.6 would come out as
 * 4.5999999999999996. */
static void
append_shortest_double (GString    *out,
                        const char *token,
                        gsize       length)
{
  g_autofree char *copy = g_strndup (token, length);
  double value = g_ascii_strtod (copy, NULL);
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  /* Keep it a JSON number that reads as a double ("3" → "3.0"). */
  g_string_append (out, buffer);
  if (strpbrk (buffer, ".eE") == NULL)
    g_string_append (out, ".0");
}

/**
 * attendant_cli_json_to_string:
 *
 * Returns: (transfer full): @root as JSON text, doubles in their shortest
 *   exact form
 */
char *
attendant_cli_json_to_string (JsonNode *root,
                              gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  GString *out;
  gboolean in_string = FALSE;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, pretty);
  text = json_generator_to_data (generator, NULL);

  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p; )
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            {
              g_string_append_len (out, p, 2);
              p += 2;
              continue;
            }
          if (*p == '"')
            in_string = FALSE;
          g_string_append_c (out, *p++);
          continue;
        }

      if (*p == '"')
        {
          in_string = TRUE;
          g_string_append_c (out, *p++);
          continue;
        }

      if (*p == '-' || g_ascii_isdigit (*p))
        {
          gsize length = strspn (p, "-+0123456789.eE");

          if (memchr (p, '.', length) != NULL || memchr (p, 'e', length) != NULL)
            append_shortest_double (out, p, length);
          else
            g_string_append_len (out, p, length);
          p += length;
          continue;
        }

      g_string_append_c (out, *p++);
    }

  return g_string_free (out, FALSE);
}
