/* attendant-settings-mapping.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-settings-mapping"

#include "config.h"

#include "attendant-settings-mapping.h"

/* An enum key shown as an AdwComboRow: the row's positions are the order
 * in which the schema lists the key's nicks, which GSettings hands us as
 * the key's range, so the schema stays the only list of values. */

static gboolean
enum_to_selected (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  g_autoptr(GVariant) range = g_settings_schema_key_get_range (user_data);
  g_autoptr(GVariant) nicks = NULL;
  const char *nick = g_variant_get_string (variant, NULL);
  const char *type;
  gsize n;

  g_variant_get (range, "(&sv)", &type, &nicks);
  n = g_variant_n_children (nicks);
  for (gsize i = 0; i < n; i++)
    {
      const char *candidate;

      g_variant_get_child (nicks, i, "&s", &candidate);
      if (g_str_equal (candidate, nick))
        {
          g_value_set_uint (value, (guint)i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
selected_to_enum (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  g_autoptr(GVariant) range = g_settings_schema_key_get_range (user_data);
  g_autoptr(GVariant) nicks = NULL;
  guint selected = g_value_get_uint (value);
  const char *type;
  const char *nick;

  g_variant_get (range, "(&sv)", &type, &nicks);
  if (selected >= g_variant_n_children (nicks))
    return NULL;

  g_variant_get_child (nicks, selected, "&s", &nick);
  return g_variant_new_string (nick);
}

void
attendant_settings_bind_enum_to_selected (GSettings  *settings,
                                          const char *key,
                                          gpointer    object,
                                          const char *property)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettingsSchemaKey *schema_key;

  g_object_get (settings, "settings-schema", &schema, NULL);
  schema_key = g_settings_schema_get_key (schema, key);

  g_settings_bind_with_mapping (settings, key, object, property,
                                G_SETTINGS_BIND_DEFAULT,
                                enum_to_selected, selected_to_enum,
                                schema_key,
                                (GDestroyNotify)g_settings_schema_key_unref);
}
