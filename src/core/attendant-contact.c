/* attendant-contact.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-contact"

#include "config.h"

#include "attendant-contact.h"
#include "attendant-enum-types.h"
#include "attendant-protocol.h"
#include "attendant-protocol-names.h"

/* One person in the directory (docs/protocol.md §2.3). The object for an
 * id lives as long as the directory knows the id, across snapshots, so a
 * row bound to it follows its presence without being rebuilt. */
struct _AttendantContact
{
  GObject            parent_instance;

  char              *id;
  char              *name;
  char              *number;
  char              *department;
  AttendantPresence  presence;

  /* Folded "name number department", so that a keystroke in the search
   * costs one substring scan per contact and no allocation. */
  char              *search_text;
  char              *sort_key;
};

G_DEFINE_FINAL_TYPE (AttendantContact, attendant_contact, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_NUMBER,
  PROP_DEPARTMENT,
  PROP_PRESENCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
attendant_contact_finalize (GObject *object)
{
  AttendantContact *self = (AttendantContact *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->number, g_free);
  g_clear_pointer (&self->department, g_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->sort_key, g_free);

  G_OBJECT_CLASS (attendant_contact_parent_class)->finalize (object);
}

static void
attendant_contact_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AttendantContact *self = ATTENDANT_CONTACT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_NUMBER:
      g_value_set_string (value, self->number);
      break;

    case PROP_DEPARTMENT:
      g_value_set_string (value, self->department);
      break;

    case PROP_PRESENCE:
      g_value_set_enum (value, self->presence);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_contact_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  AttendantContact *self = ATTENDANT_CONTACT (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;

    case PROP_PRESENCE:
      attendant_contact_set_presence (self, g_value_get_enum (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_contact_class_init (AttendantContactClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = attendant_contact_finalize;
  object_class->get_property = attendant_contact_get_property;
  object_class->set_property = attendant_contact_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NUMBER] =
    g_param_spec_string ("number", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEPARTMENT] =
    g_param_spec_string ("department", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRESENCE] =
    g_param_spec_enum ("presence", NULL, NULL,
                       ATTENDANT_TYPE_PRESENCE, ATTENDANT_PRESENCE_OFFLINE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_contact_init (AttendantContact *self)
{
  self->presence = ATTENDANT_PRESENCE_OFFLINE;
  self->search_text = g_strdup ("");
  self->sort_key = g_strdup ("");
}

AttendantContact *
attendant_contact_new (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return g_object_new (ATTENDANT_TYPE_CONTACT, "id", id, NULL);
}

static gboolean
set_field (AttendantContact  *self,
           char             **field,
           const char        *value,
           int                prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

/**
 * attendant_contact_apply_json:
 * @json: a contact as the protocol sends it
 *
 * Takes the members of @json, notifying what changed. A presence the
 * protocol does not define shows as offline rather than as a guess.
 *
 * Returns: whether the name changed (the directory's order depends on it)
 */
gboolean
attendant_contact_apply_json (AttendantContact *self,
                              JsonObject       *json)
{
  const char *presence;
  gboolean name_changed;
  AttendantPresence value = ATTENDANT_PRESENCE_OFFLINE;

  g_return_val_if_fail (ATTENDANT_IS_CONTACT (self), FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  g_object_freeze_notify (G_OBJECT (self));

  name_changed = set_field (self, &self->name, attendant_protocol_get_string (json, "name"), PROP_NAME);
  set_field (self, &self->number, attendant_protocol_get_string (json, "number"), PROP_NUMBER);
  set_field (self, &self->department, attendant_protocol_get_string (json, "department"), PROP_DEPARTMENT);

  presence = attendant_protocol_get_string (json, "presence");
  if (presence == NULL || !attendant_presence_from_string (presence, &value))
    value = ATTENDANT_PRESENCE_OFFLINE;
  attendant_contact_set_presence (self, value);

  {
    g_autofree char *joined = g_strjoin ("\n",
                                         self->name ? self->name : "",
                                         self->number ? self->number : "",
                                         self->department ? self->department : "",
                                         NULL);
    g_autofree char *collate_source = g_utf8_casefold (self->name ? self->name : "", -1);

    g_free (self->search_text);
    self->search_text = attendant_search_fold (joined);
    g_free (self->sort_key);
    self->sort_key = g_utf8_collate_key (collate_source, -1);
  }

  g_object_thaw_notify (G_OBJECT (self));

  return name_changed;
}

const char *
attendant_contact_get_id (AttendantContact *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONTACT (self), NULL);

  return self->id;
}

const char *
attendant_contact_get_name (AttendantContact *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONTACT (self), NULL);

  return self->name;
}

const char *
attendant_contact_get_number (AttendantContact *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONTACT (self), NULL);

  return self->number;
}

const char *
attendant_contact_get_department (AttendantContact *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONTACT (self), NULL);

  return self->department;
}

AttendantPresence
attendant_contact_get_presence (AttendantContact *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONTACT (self), ATTENDANT_PRESENCE_OFFLINE);

  return self->presence;
}

void
attendant_contact_set_presence (AttendantContact  *self,
                                AttendantPresence  presence)
{
  g_return_if_fail (ATTENDANT_IS_CONTACT (self));

  if (self->presence == presence)
    return;

  self->presence = presence;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENCE]);
}

/* The directory's order: by name as the locale sorts it. */
const char *
attendant_contact_get_sort_key (AttendantContact *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONTACT (self), NULL);

  return self->sort_key;
}

/**
 * attendant_contact_matches:
 * @terms: (nullable): from attendant_search_terms_new()
 *
 * Returns: whether every term occurs in the contact's name, number or
 * department, ignoring case and accents
 */
gboolean
attendant_contact_matches (AttendantContact  *self,
                           const char *const *terms)
{
  g_return_val_if_fail (ATTENDANT_IS_CONTACT (self), FALSE);

  if (terms == NULL)
    return TRUE;

  for (guint i = 0; terms[i] != NULL; i++)
    if (strstr (self->search_text, terms[i]) == NULL)
      return FALSE;

  return TRUE;
}

/**
 * attendant_search_fold:
 *
 * @text in the form searches compare: compatibility-decomposed, case-folded,
 * without combining marks, so that "Nicolò" is found by "nicolo".
 *
 * Returns: (transfer full): the folded text
 */
char *
attendant_search_fold (const char *text)
{
  g_autofree char *normalized = NULL;
  g_autofree char *folded = NULL;
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  normalized = g_utf8_normalize (text, -1, G_NORMALIZE_ALL);
  if (normalized == NULL)
    /* Not UTF-8: nothing in it can be matched reliably. */
    return g_strdup ("");

  folded = g_utf8_casefold (normalized, -1);
  out = g_string_sized_new (strlen (folded));

  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (type == G_UNICODE_NON_SPACING_MARK || type == G_UNICODE_SPACING_MARK ||
          type == G_UNICODE_ENCLOSING_MARK)
        continue;

      g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

char **
attendant_search_terms_new (const char *text)
{
  g_autofree char *folded = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) terms = NULL;

  if (text == NULL)
    return NULL;

  folded = attendant_search_fold (text);
  words = g_strsplit_set (folded, " \t\n", -1);
  terms = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_ptr_array_add (terms, g_strdup (words[i]));

  if (terms->len == 0)
    return NULL;

  g_ptr_array_add (terms, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&terms), FALSE);
}

/**
 * attendant_search_terms_narrow:
 * @narrow: (nullable): from attendant_search_terms_new()
 * @wide: (nullable): the same
 *
 * Whether every contact @narrow matches is one @wide matches too: each
 * of @wide's terms is part of one of @narrow's. Typing on at the end of a
 * search gives a narrower one, so a filter need only look again at what it
 * shows, and the rows it keeps stay as they are.
 *
 * Returns: %TRUE when @narrow matches no more than @wide
 */
gboolean
attendant_search_terms_narrow (const char *const *narrow,
                               const char *const *wide)
{
  if (wide == NULL)
    return TRUE;
  if (narrow == NULL)
    return FALSE;

  for (guint i = 0; wide[i] != NULL; i++)
    {
      gboolean implied = FALSE;

      for (guint j = 0; narrow[j] != NULL && !implied; j++)
        implied = strstr (narrow[j], wide[i]) != NULL;

      if (!implied)
        return FALSE;
    }

  return TRUE;
}
