/* attendant-directory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-directory"

#include "config.h"

#include "attendant-directory.h"
#include "attendant-protocol.h"

/* The directory as a GListModel of AttendantContact, sorted by name, with
 * lookups by id (events name contacts by id) and by number (a caller's
 * number names them). Sized for tens of thousands of contacts: a snapshot
 * is one items-changed, a presence change is no items-changed at all (the
 * contact notifies), and nothing walks the list per event. */
struct _AttendantDirectory
{
  GObject     parent_instance;

  GPtrArray  *contacts;    /* AttendantContact, sorted by sort key */
  GHashTable *by_id;       /* id → contact (borrowed) */
  GHashTable *by_number;   /* number → contact (borrowed) */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AttendantDirectory, attendant_directory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return ATTENDANT_TYPE_CONTACT;
}

static guint
get_n_items (GListModel *model)
{
  return ATTENDANT_DIRECTORY (model)->contacts->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  AttendantDirectory *self = ATTENDANT_DIRECTORY (model);

  if (position >= self->contacts->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->contacts, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
attendant_directory_dispose (GObject *object)
{
  AttendantDirectory *self = (AttendantDirectory *)object;

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->by_number, g_hash_table_unref);
  g_clear_pointer (&self->contacts, g_ptr_array_unref);

  G_OBJECT_CLASS (attendant_directory_parent_class)->dispose (object);
}

static void
attendant_directory_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  AttendantDirectory *self = ATTENDANT_DIRECTORY (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->contacts->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_directory_class_init (AttendantDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_directory_dispose;
  object_class->get_property = attendant_directory_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_directory_init (AttendantDirectory *self)
{
  self->contacts = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_number = g_hash_table_new (g_str_hash, g_str_equal);
}

AttendantDirectory *
attendant_directory_new (void)
{
  return g_object_new (ATTENDANT_TYPE_DIRECTORY, NULL);
}

static int
compare_contacts (gconstpointer a,
                  gconstpointer b)
{
  AttendantContact *ca = *(AttendantContact **)a;
  AttendantContact *cb = *(AttendantContact **)b;
  int cmp = strcmp (attendant_contact_get_sort_key (ca), attendant_contact_get_sort_key (cb));

  /* Namesakes in a stable order. */
  return cmp != 0 ? cmp : strcmp (attendant_contact_get_id (ca), attendant_contact_get_id (cb));
}

static guint
sorted_position (AttendantDirectory *self,
                 AttendantContact   *contact)
{
  guint lo = 0, hi = self->contacts->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (compare_contacts (&g_ptr_array_index (self->contacts, mid), &contact) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

static gboolean
find_position (AttendantDirectory *self,
               AttendantContact   *contact,
               guint              *position)
{
  guint pos = sorted_position (self, contact);

  if (pos < self->contacts->len && g_ptr_array_index (self->contacts, pos) == contact)
    {
      *position = pos;
      return TRUE;
    }

  /* The sort key changed since the contact was placed. */
  return g_ptr_array_find (self->contacts, contact, position);
}

static void
index_number (AttendantDirectory *self,
              AttendantContact   *contact)
{
  const char *number = attendant_contact_get_number (contact);

  if (number != NULL)
    g_hash_table_insert (self->by_number, (gpointer)number, contact);
}

static void
unindex_number (AttendantDirectory *self,
                AttendantContact   *contact)
{
  const char *number = attendant_contact_get_number (contact);

  if (number != NULL && g_hash_table_lookup (self->by_number, number) == contact)
    g_hash_table_remove (self->by_number, number);
}

static void
notify_n_items (AttendantDirectory *self,
                guint               old_n)
{
  if (old_n != self->contacts->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/**
 * attendant_directory_replace:
 * @contacts: the snapshot's directory
 *
 * The directory becomes @contacts. Contacts already known keep their
 * objects, so views bound to them stay; the others come and go. Entries
 * without an id, or repeating one, are skipped.
 */
void
attendant_directory_replace (AttendantDirectory *self,
                             JsonArray          *contacts)
{
  g_autoptr(GPtrArray) next = NULL;
  g_autoptr(GHashTable) old_by_id = NULL;
  guint old_n;
  guint n;

  g_return_if_fail (ATTENDANT_IS_DIRECTORY (self));

  n = contacts ? json_array_get_length (contacts) : 0;
  old_n = self->contacts->len;
  next = g_ptr_array_new_full (n, g_object_unref);
  old_by_id = g_steal_pointer (&self->by_id);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_remove_all (self->by_number);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (contacts, i);
      JsonObject *json;
      const char *id;
      AttendantContact *contact;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      json = json_node_get_object (node);
      id = attendant_protocol_get_string (json, "id");
      if (id == NULL || g_hash_table_contains (self->by_id, id))
        continue;

      contact = g_hash_table_lookup (old_by_id, id);
      contact = contact != NULL ? g_object_ref (contact) : attendant_contact_new (id);
      attendant_contact_apply_json (contact, json);
      g_ptr_array_add (next, contact);
      g_hash_table_insert (self->by_id, (gpointer)attendant_contact_get_id (contact), contact);
    }

  g_ptr_array_sort (next, compare_contacts);
  for (guint i = 0; i < next->len; i++)
    index_number (self, g_ptr_array_index (next, i));

  /* The old array goes only after the hash tables stopped pointing into
   * its contacts' strings. */
  {
    g_autoptr(GPtrArray) old = g_steal_pointer (&self->contacts);

    self->contacts = g_steal_pointer (&next);
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->contacts->len);
  }

  notify_n_items (self, old_n);
}

/**
 * attendant_directory_update:
 * @contact: a `directory.updated` event's contact
 *
 * Adds the contact, or changes the one with its id, moving it if its name
 * moved it in the order.
 */
void
attendant_directory_update (AttendantDirectory *self,
                            JsonObject         *json)
{
  const char *id;
  AttendantContact *contact;
  guint old_n;
  guint pos;

  g_return_if_fail (ATTENDANT_IS_DIRECTORY (self));
  g_return_if_fail (json != NULL);

  id = attendant_protocol_get_string (json, "id");
  if (id == NULL)
    return;

  old_n = self->contacts->len;
  contact = g_hash_table_lookup (self->by_id, id);

  if (contact == NULL)
    {
      contact = attendant_contact_new (id);
      attendant_contact_apply_json (contact, json);
      pos = sorted_position (self, contact);
      g_ptr_array_insert (self->contacts, pos, contact);
      g_hash_table_insert (self->by_id, (gpointer)attendant_contact_get_id (contact), contact);
      index_number (self, contact);
      g_list_model_items_changed (G_LIST_MODEL (self), pos, 0, 1);
      notify_n_items (self, old_n);
      return;
    }

  if (!find_position (self, contact, &pos))
    g_assert_not_reached ();

  unindex_number (self, contact);
  if (attendant_contact_apply_json (contact, json))
    {
      guint new_pos;

      g_object_ref (contact);
      g_ptr_array_remove_index (self->contacts, pos);
      g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
      new_pos = sorted_position (self, contact);
      g_ptr_array_insert (self->contacts, new_pos, contact);
      g_list_model_items_changed (G_LIST_MODEL (self), new_pos, 0, 1);
    }
  index_number (self, contact);
}

gboolean
attendant_directory_set_presence (AttendantDirectory *self,
                                  const char         *id,
                                  AttendantPresence   presence)
{
  AttendantContact *contact;

  g_return_val_if_fail (ATTENDANT_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  contact = g_hash_table_lookup (self->by_id, id);
  if (contact == NULL)
    return FALSE;

  attendant_contact_set_presence (contact, presence);
  return TRUE;
}

/**
 * attendant_directory_lookup_id:
 *
 * Returns: (transfer none) (nullable): the contact with @id
 */
AttendantContact *
attendant_directory_lookup_id (AttendantDirectory *self,
                               const char         *id)
{
  g_return_val_if_fail (ATTENDANT_IS_DIRECTORY (self), NULL);

  return id != NULL ? g_hash_table_lookup (self->by_id, id) : NULL;
}

/**
 * attendant_directory_lookup_number:
 *
 * Returns: (transfer none) (nullable): the contact with @number
 */
AttendantContact *
attendant_directory_lookup_number (AttendantDirectory *self,
                                   const char         *number)
{
  g_return_val_if_fail (ATTENDANT_IS_DIRECTORY (self), NULL);

  return number != NULL ? g_hash_table_lookup (self->by_number, number) : NULL;
}

void
attendant_directory_clear (AttendantDirectory *self)
{
  g_return_if_fail (ATTENDANT_IS_DIRECTORY (self));

  attendant_directory_replace (self, NULL);
}
