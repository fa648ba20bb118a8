/* attendant-asterisk-directory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-asterisk-directory"

#include "config.h"

#include <string.h>

#include "attendant-asterisk-directory.h"
#include "attendant-protocol.h"
#include "attendant-telephony.h"

/* The directory of an Asterisk's endpoints and their presence
 * (docs/asterisk.md, "Directory and presence").
 *
 * Asterisk is the only record: everything is read again at each
 * connection (a "refresh"), and ARI's events keep it current in between.
 * A refresh takes many requests (the endpoint list, then a caller ID and
 * perhaps a device state per endpoint) while events keep coming, so each
 * applied event is numbered: what a refresh learnt is not applied over a
 * contact that an event touched after the refresh began.
 *
 * The attendant's own presence (do not disturb, away…) is written to
 * Asterisk's presence state, PRESENCE_STATE(CustomPresence:NUMBER), where
 * phones and the dialplan can see it through hints. ARI can neither read a
 * presence state back (GET /asterisk/variable does not evaluate functions;
 * a channel's variable does, but that would put a channel into the Stasis
 * application) nor announce a change of one, so the same value is mirrored
 * in an ARI-controlled device state, Stasis:attendant-presence-NUMBER: one
 * GET /deviceStates reads them all, and every node connected to this
 * Asterisk gets a DeviceStateChanged when one changes. */

#define MAX_IN_FLIGHT        4
#define RETRY_DELAY_S        5
#define NEW_ENDPOINT_GAP_MS  5000
#define OWN_PREFIX           "Stasis:attendant-presence-"

typedef enum
{
  DEVICE_UNKNOWN,
  DEVICE_NOT_INUSE,
  DEVICE_INUSE,
  DEVICE_BUSY,
  DEVICE_INVALID,
  DEVICE_UNAVAILABLE,
  DEVICE_RINGING,
  DEVICE_RINGINUSE,
  DEVICE_ONHOLD,
} Device;

static const char * const device_names[] = {
  "UNKNOWN", "NOT_INUSE", "INUSE", "BUSY", "INVALID", "UNAVAILABLE", "RINGING", "RINGINUSE", "ONHOLD", NULL
};

/* The attendant's own presence as Asterisk's presence state (value and
 * subtype: Asterisk has no "busy", so it is "dnd" of subtype "busy") and
 * as the mirror's device state. */
static const struct
{
  const char *presence;
  const char *presence_state;
  Device      mirror;
} own_presences[] = {
  { "available", "available,,",   DEVICE_NOT_INUSE },
  { "busy",      "dnd,busy,",     DEVICE_BUSY },
  { "away",      "away,,",        DEVICE_ONHOLD },
  { "dnd",       "dnd,,",         DEVICE_INUSE },
  { "offline",   "unavailable,,", DEVICE_UNAVAILABLE },
};

typedef struct
{
  char       *number;
  char       *asterisk_name;  /* from the endpoint's caller ID, or NULL */
  gboolean    on_asterisk;    /* an endpoint, not only a directory file entry */
  Device      device;
  const char *own;            /* the attendant's own presence; NULL: none */
  guint64     device_serial;  /* the event that last set device, or 0 */
  guint64     own_serial;
  const char *shown;          /* the presence last announced */
} Contact;

typedef struct
{
  char *name;
  char *department;
} FileEntry;

typedef struct _Refresh Refresh;

struct _AttendantAsteriskDirectory
{
  GObject       parent_instance;

  AttendantAri *ari;
  char         *technology;
  char         *device_prefix;  /* "PJSIP/" */
  guint         max_contacts;
  gboolean      ready;

  GHashTable   *contacts;       /* number → Contact */
  GHashTable   *file;           /* number → FileEntry */

  guint64       serial;         /* of the last event applied */
  gboolean      truncated;      /* the last list was over the bound */
  gint64        refreshed_at;   /* when the last refresh ended */
  Refresh      *refresh;        /* the one running, or NULL */
  GHashTable   *early;          /* number → Contact: events, during a refresh,
                                 * for endpoints not yet known */
  guint         retry_source;
};

G_DEFINE_FINAL_TYPE (AttendantAsteriskDirectory, attendant_asterisk_directory, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ARI,
  PROP_TECHNOLOGY,
  PROP_READY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CONTACT_CHANGED,
  RESET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];
static GQuark quark_presence;
static GQuark quark_contact;

/* {{{ Contacts */

static void
contact_free (Contact *contact)
{
  g_free (contact->number);
  g_free (contact->asterisk_name);
  g_free (contact);
}

static Contact *
contact_new (const char *number)
{
  Contact *contact = g_new0 (Contact, 1);

  contact->number = g_strdup (number);
  contact->device = DEVICE_UNKNOWN;
  contact->shown = "offline";
  return contact;
}

static void
file_entry_free (FileEntry *entry)
{
  g_free (entry->name);
  g_free (entry->department);
  g_free (entry);
}

/* A phone number as the protocol takes one for a target: digits with an
 * optional leading "+", "*" and "#"; endpoints named otherwise (trunks)
 * are not people to put in a directory. */
static gboolean
is_number (const char *text)
{
  gsize length = text != NULL ? strlen (text) : 0;

  if (length == 0 || length > 32 || g_str_equal (text, "+"))
    return FALSE;

  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (text[i]) && text[i] != '*' && text[i] != '#' &&
        !(text[i] == '+' && i == 0))
      return FALSE;

  return TRUE;
}

static Device
parse_device (const char *text)
{
  for (guint i = 0; text != NULL && device_names[i] != NULL; i++)
    if (g_str_equal (text, device_names[i]))
      return (Device)i;

  return DEVICE_UNKNOWN;
}

static const char *
own_from_mirror (Device device)
{
  for (guint i = 0; i < G_N_ELEMENTS (own_presences); i++)
    if (own_presences[i].mirror == device)
      return g_str_equal (own_presences[i].presence, "available") ? NULL : own_presences[i].presence;

  return NULL;
}

/* The calls win over what the attendant set, as with the simulated
 * system: a colleague in "do not disturb" who is on a call shows busy. */
static const char *
compute_presence (Contact *contact)
{
  switch (contact->device)
    {
    case DEVICE_NOT_INUSE:
      return contact->own != NULL ? contact->own : "available";

    case DEVICE_RINGING:
      return "ringing";

    case DEVICE_INUSE:
    case DEVICE_BUSY:
    case DEVICE_ONHOLD:
    case DEVICE_RINGINUSE:
      return "busy";

    case DEVICE_UNKNOWN:
    case DEVICE_INVALID:
    case DEVICE_UNAVAILABLE:
    default:
      return "offline";
    }
}

static const char *
contact_name (AttendantAsteriskDirectory *self,
              Contact                    *contact)
{
  FileEntry *entry = g_hash_table_lookup (self->file, contact->number);

  if (entry != NULL && entry->name != NULL)
    return entry->name;
  if (contact->asterisk_name != NULL)
    return contact->asterisk_name;

  return contact->number;
}

static JsonObject *
contact_to_json (AttendantAsteriskDirectory *self,
                 Contact                    *contact)
{
  JsonObject *object = json_object_new ();
  FileEntry *entry = g_hash_table_lookup (self->file, contact->number);
  g_autofree char *id = g_strconcat ("ext-", contact->number, NULL);

  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "name", contact_name (self, contact));
  json_object_set_string_member (object, "number", contact->number);
  if (entry != NULL && entry->department != NULL)
    json_object_set_string_member (object, "department", entry->department);
  else
    json_object_set_null_member (object, "department");
  json_object_set_string_member (object, "presence", contact->shown);

  return object;
}

static void
emit_changed (AttendantAsteriskDirectory *self,
              Contact                    *contact,
              GQuark                      detail)
{
  g_autoptr(JsonObject) object = contact_to_json (self, contact);

  g_signal_emit (self, signals[CONTACT_CHANGED], detail, object);
}

/* Announces @contact's presence if it changed. */
static void
update_presence (AttendantAsteriskDirectory *self,
                 Contact                    *contact)
{
  const char *presence = compute_presence (contact);

  if (g_str_equal (presence, contact->shown))
    return;

  contact->shown = presence;
  emit_changed (self, contact, quark_presence);
}

/* Caller IDs are written as Asterisk parses them: "Name" <number>,
 * Name <number>, or a bare name or number. */
static char *
name_from_callerid (const char *callerid,
                    const char *number)
{
  g_autofree char *name = NULL;
  const char *open;
  gsize length;

  if (callerid == NULL)
    return NULL;

  open = strchr (callerid, '<');
  name = open != NULL ? g_strndup (callerid, (gsize)(open - callerid)) : g_strdup (callerid);
  g_strstrip (name);

  length = strlen (name);
  if (length >= 2 && name[0] == '"' && name[length - 1] == '"')
    {
      GString *unquoted = g_string_new (NULL);

      for (gsize i = 1; i + 1 < length; i++)
        {
          if (name[i] == '\\' && i + 2 < length)
            i++;
          g_string_append_c (unquoted, name[i]);
        }
      g_free (name);
      name = g_string_free (unquoted, FALSE);
      g_strstrip (name);
    }

  /* A bare number is no name. */
  if (name[0] == '\0' || (open == NULL && is_number (name)) || g_str_equal (name, number))
    return NULL;

  /* Bounded, at a character boundary (the answer was checked as UTF-8). */
  if (strlen (name) > ATTENDANT_ASTERISK_DIRECTORY_MAX_NAME)
    {
      const char *end = name + ATTENDANT_ASTERISK_DIRECTORY_MAX_NAME;

      while (end > name && ((guchar)*end & 0xC0) == 0x80)
        end--;
      name[end - name] = '\0';
    }

  for (char *p = name; *p != '\0'; p++)
    if ((guchar)*p < 0x20)
      *p = ' ';

  return g_steal_pointer (&name);
}

/* }}} */
/* {{{ Events */

static Contact *
contact_for_event (AttendantAsteriskDirectory *self,
                   const char                 *number)
{
  Contact *contact = g_hash_table_lookup (self->contacts, number);

  if (contact != NULL || self->refresh == NULL)
    return contact;

  /* An endpoint the running refresh may be about to add: what the event
   * says is kept for it, within the bound. */
  contact = g_hash_table_lookup (self->early, number);
  if (contact == NULL && g_hash_table_size (self->early) < self->max_contacts)
    {
      contact = contact_new (number);
      g_hash_table_insert (self->early, contact->number, contact);
    }

  return contact;
}

static gboolean retry_cb (gpointer user_data);

/* An endpoint nobody listed has news: it was added since (a reload of
 * pjsip.conf, which ARI does not announce), so everything is read again,
 * but not more often than every few seconds. Over the bound, the
 * endpoints left out are not news. */
static void
notice_new_endpoint (AttendantAsteriskDirectory *self)
{
  gint64 since_ms = (g_get_monotonic_time () - self->refreshed_at) / 1000;

  if (self->refresh != NULL || self->retry_source != 0 || self->truncated || !self->ready ||
      !attendant_ari_get_connected (self->ari))
    return;

  self->retry_source = g_timeout_add (since_ms >= NEW_ENDPOINT_GAP_MS ? 0 : (guint)(NEW_ENDPOINT_GAP_MS - since_ms),
                                      retry_cb, self);
}

static void
set_device (AttendantAsteriskDirectory *self,
            const char                 *number,
            Device                      device)
{
  Contact *contact;

  if (!is_number (number))
    return;

  if ((contact = contact_for_event (self, number)) == NULL)
    {
      notice_new_endpoint (self);
      return;
    }
  if (!contact->on_asterisk && self->refresh == NULL)
    notice_new_endpoint (self);

  contact->device = device;
  contact->device_serial = ++self->serial;
  if (g_hash_table_lookup (self->contacts, number) == contact)
    update_presence (self, contact);
}

static void
set_own (AttendantAsteriskDirectory *self,
         const char                 *number,
         const char                 *own)
{
  Contact *contact;

  if (!is_number (number) || (contact = contact_for_event (self, number)) == NULL)
    return;

  contact->own = own;
  contact->own_serial = ++self->serial;
  if (g_hash_table_lookup (self->contacts, number) == contact)
    update_presence (self, contact);
}

static void
device_state_changed_cb (AttendantAri               *ari,
                         const char                 *type,
                         JsonObject                 *event,
                         AttendantAsteriskDirectory *self)
{
  JsonObject *device_state = attendant_protocol_get_object (event, "device_state");
  const char *name = device_state ? attendant_protocol_get_string (device_state, "name") : NULL;
  Device device = parse_device (device_state ? attendant_protocol_get_string (device_state, "state") : NULL);

  if (name == NULL)
    return;

  if (g_str_has_prefix (name, self->device_prefix))
    set_device (self, name + strlen (self->device_prefix), device);
  else if (g_str_has_prefix (name, OWN_PREFIX))
    set_own (self, name + strlen (OWN_PREFIX), own_from_mirror (device));
}

/* EndpointStateChange, PeerStatusChange and ContactStatusChange all carry
 * the endpoint: offline is certain; online says the phone is registered,
 * but not whether it rings or talks, which the device state (its own
 * event, which follows) says. */
static void
endpoint_changed_cb (AttendantAri               *ari,
                     const char                 *type,
                     JsonObject                 *event,
                     AttendantAsteriskDirectory *self)
{
  JsonObject *endpoint = attendant_protocol_get_object (event, "endpoint");
  const char *state;
  const char *resource;
  Contact *contact;

  if (endpoint == NULL ||
      g_strcmp0 (attendant_protocol_get_string (endpoint, "technology"), self->technology) != 0 ||
      (resource = attendant_protocol_get_string (endpoint, "resource")) == NULL ||
      (state = attendant_protocol_get_string (endpoint, "state")) == NULL)
    return;

  if (g_str_equal (state, "offline"))
    set_device (self, resource, DEVICE_UNAVAILABLE);
  else if (g_str_equal (state, "online"))
    {
      contact = g_hash_table_lookup (self->contacts, resource);
      if (contact == NULL && self->early != NULL)
        contact = g_hash_table_lookup (self->early, resource);

      /* Only a phone that was not reachable changes here. */
      if (contact == NULL || contact->device == DEVICE_UNAVAILABLE ||
          contact->device == DEVICE_INVALID || contact->device == DEVICE_UNKNOWN)
        {
          JsonArray *channels = attendant_protocol_get_array (endpoint, "channel_ids");

          set_device (self, resource, channels != NULL && json_array_get_length (channels) > 0
                                      ? DEVICE_INUSE : DEVICE_NOT_INUSE);
        }
    }
}

/* }}} */
/* {{{ Refresh */

typedef enum
{
  JOB_ENDPOINTS,
  JOB_OWN,
  JOB_DEVICE,
  JOB_NAME,
} JobKind;

typedef struct
{
  Device   device;
  gboolean ask_device;
  char    *name;
} Entry;

struct _Refresh
{
  gatomicrefcount              ref_count;
  AttendantAsteriskDirectory  *self;   /* not a reference: cancelled in dispose */
  GCancellable                *cancellable;
  guint64                      mark;   /* the serial when it began */
  gint64                       started;
  GHashTable                  *entries;  /* number → Entry */
  GHashTable                  *own;      /* number → presence (static) */
  GQueue                       jobs;     /* of Job */
  guint                        in_flight;
  guint                        waiting;  /* the list and the mirrors */
  gboolean                     failed;
};

typedef struct
{
  Refresh *refresh;
  JobKind  kind;
  char    *number;
} Job;

static void
entry_free (Entry *entry)
{
  g_free (entry->name);
  g_free (entry);
}

static Refresh *
refresh_ref (Refresh *refresh)
{
  g_atomic_ref_count_inc (&refresh->ref_count);
  return refresh;
}

static void
job_free (Job *job);

static void
refresh_unref (Refresh *refresh)
{
  if (!g_atomic_ref_count_dec (&refresh->ref_count))
    return;

  g_queue_clear_full (&refresh->jobs, (GDestroyNotify)job_free);
  g_clear_object (&refresh->cancellable);
  g_clear_pointer (&refresh->entries, g_hash_table_unref);
  g_clear_pointer (&refresh->own, g_hash_table_unref);
  g_free (refresh);
}

static void
job_free (Job *job)
{
  g_clear_pointer (&job->refresh, refresh_unref);
  g_free (job->number);
  g_free (job);
}

static Job *
job_new (Refresh    *refresh,
         JobKind     kind,
         const char *number)
{
  Job *job = g_new0 (Job, 1);

  job->refresh = refresh_ref (refresh);
  job->kind = kind;
  job->number = g_strdup (number);
  return job;
}

static void
cancel_refresh (AttendantAsteriskDirectory *self)
{
  if (self->refresh == NULL)
    return;

  g_cancellable_cancel (self->refresh->cancellable);
  g_clear_pointer (&self->refresh, refresh_unref);
  g_clear_pointer (&self->early, g_hash_table_unref);
}

static gboolean
retry_cb (gpointer user_data)
{
  AttendantAsteriskDirectory *self = user_data;

  self->retry_source = 0;
  if (attendant_ari_get_connected (self->ari))
    attendant_asterisk_directory_refresh (self);
  return G_SOURCE_REMOVE;
}

static void
fail_refresh (AttendantAsteriskDirectory *self,
              const GError               *error)
{
  g_message ("Reading the directory from Asterisk failed (again in %d s): %s",
             RETRY_DELAY_S, error->message);
  cancel_refresh (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add_seconds (RETRY_DELAY_S, retry_cb, self);
}

static int
compare_numbers (gconstpointer a,
                 gconstpointer b)
{
  const char *na = *(const char * const *)a;
  const char *nb = *(const char * const *)b;
  gsize la = strlen (na);
  gsize lb = strlen (nb);

  /* Shorter first, so that 201 comes before 1000. */
  if (la != lb)
    return la < lb ? -1 : 1;
  return strcmp (na, nb);
}

/* Puts what the refresh learnt in place of what was known, but for what
 * events said since it began, and tells everyone to start again. */
static void
apply_refresh (AttendantAsteriskDirectory *self)
{
  Refresh *refresh = self->refresh;
  g_autoptr(GHashTable) early = g_steal_pointer (&self->early);
  GHashTableIter iter;
  gpointer key, value;

  /* Contacts gone from Asterisk (and from the file) go. */
  g_hash_table_iter_init (&iter, self->contacts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Contact *contact = value;

      if (g_hash_table_contains (refresh->entries, key))
        continue;
      if (g_hash_table_contains (self->file, key))
        {
          contact->on_asterisk = FALSE;
          g_clear_pointer (&contact->asterisk_name, g_free);
          contact->device = DEVICE_UNKNOWN;
          continue;
        }
      g_hash_table_iter_remove (&iter);
    }

  g_hash_table_iter_init (&iter, refresh->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;
      Contact *contact = g_hash_table_lookup (self->contacts, key);

      if (contact == NULL && early != NULL && g_hash_table_steal_extended (early, key, NULL, (gpointer *)&contact))
        g_hash_table_insert (self->contacts, contact->number, contact);
      if (contact == NULL)
        {
          contact = contact_new (key);
          g_hash_table_insert (self->contacts, contact->number, contact);
        }

      contact->on_asterisk = TRUE;
      g_free (contact->asterisk_name);
      contact->asterisk_name = g_steal_pointer (&entry->name);
      if (contact->device_serial <= refresh->mark)
        contact->device = entry->device;
    }

  g_hash_table_iter_init (&iter, self->file);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (self->contacts, key))
      {
        Contact *contact = contact_new (key);

        g_hash_table_insert (self->contacts, contact->number, contact);
      }

  g_hash_table_iter_init (&iter, self->contacts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Contact *contact = value;

      if (contact->own_serial <= refresh->mark)
        contact->own = g_hash_table_lookup (refresh->own, key);
      contact->shown = compute_presence (contact);
    }

  g_debug ("read %u endpoints from Asterisk in %" G_GINT64_FORMAT " ms",
           g_hash_table_size (refresh->entries), (g_get_monotonic_time () - refresh->started) / 1000);

  g_clear_pointer (&self->refresh, refresh_unref);
  self->refreshed_at = g_get_monotonic_time ();

  if (!self->ready)
    {
      self->ready = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
    }
  g_signal_emit (self, signals[RESET], 0);
}

static void job_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data);

static void
run_job (AttendantAsteriskDirectory *self,
         Job                        *job)
{
  g_autofree char *path = NULL;
  g_autofree char *escaped = NULL;

  switch (job->kind)
    {
    case JOB_ENDPOINTS:
      escaped = g_uri_escape_string (self->technology, NULL, FALSE);
      path = g_strconcat ("endpoints/", escaped, NULL);
      break;

    case JOB_OWN:
      path = g_strdup ("deviceStates");
      break;

    case JOB_DEVICE:
      {
        g_autofree char *device = g_strconcat (self->device_prefix, job->number, NULL);

        escaped = g_uri_escape_string (device, NULL, FALSE);
        path = g_strconcat ("deviceStates/", escaped, NULL);
      }
      break;

    case JOB_NAME:
      escaped = g_uri_escape_string (job->number, NULL, FALSE);
      path = g_strconcat ("asterisk/config/dynamic/res_pjsip/endpoint/", escaped, NULL);
      break;

    default:
      g_assert_not_reached ();
    }

  job->refresh->in_flight++;
  attendant_ari_request_async (self->ari, "GET", path, NULL, job->refresh->cancellable, job_cb, job);
}

static void
pump (AttendantAsteriskDirectory *self)
{
  Refresh *refresh = self->refresh;

  while (refresh->in_flight < MAX_IN_FLIGHT && !g_queue_is_empty (&refresh->jobs))
    run_job (self, g_queue_pop_head (&refresh->jobs));

  if (refresh->in_flight == 0 && refresh->waiting == 0 && g_queue_is_empty (&refresh->jobs))
    apply_refresh (self);
}

static gboolean
read_endpoints (AttendantAsteriskDirectory *self,
                Refresh                    *refresh,
                JsonNode                   *node,
                GError                    **error)
{
  g_autoptr(GPtrArray) numbers = g_ptr_array_new ();
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the endpoint list is not a list");
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *endpoint = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *resource = endpoint ? attendant_protocol_get_string (endpoint, "resource") : NULL;
      const char *state = endpoint ? attendant_protocol_get_string (endpoint, "state") : NULL;
      JsonArray *channels = endpoint ? attendant_protocol_get_array (endpoint, "channel_ids") : NULL;
      gboolean busy = channels != NULL && json_array_get_length (channels) > 0;
      Entry *entry;
      char *key;

      if (!is_number (resource) || g_hash_table_contains (refresh->entries, resource))
        continue;

      entry = g_new0 (Entry, 1);
      /* With channels, the device state tells ringing from talking and
       * on hold; without, the endpoint's state is enough. */
      if (g_strcmp0 (state, "offline") == 0)
        entry->device = DEVICE_UNAVAILABLE;
      else if (g_strcmp0 (state, "online") == 0 && !busy)
        entry->device = DEVICE_NOT_INUSE;
      else
        {
          entry->device = busy ? DEVICE_INUSE : DEVICE_UNKNOWN;
          entry->ask_device = TRUE;
        }
      key = g_strdup (resource);
      g_hash_table_insert (refresh->entries, key, entry);
      g_ptr_array_add (numbers, key);
    }

  /* Over the bound, the lowest numbers are kept, the same ones each time. */
  g_ptr_array_sort (numbers, compare_numbers);
  self->truncated = numbers->len > self->max_contacts;
  if (self->truncated)
    {
      g_message ("Asterisk has %u %s endpoints; the directory keeps the first %u",
                 numbers->len, self->technology, self->max_contacts);
      for (guint i = self->max_contacts; i < numbers->len; i++)
        g_hash_table_remove (refresh->entries, g_ptr_array_index (numbers, i));
      g_ptr_array_set_size (numbers, self->max_contacts);
    }

  for (guint i = 0; i < numbers->len; i++)
    {
      const char *number = g_ptr_array_index (numbers, i);
      Entry *entry = g_hash_table_lookup (refresh->entries, number);
      FileEntry *file_entry = g_hash_table_lookup (self->file, number);

      if (entry->ask_device)
        g_queue_push_tail (&refresh->jobs, job_new (refresh, JOB_DEVICE, number));
      /* The directory file's name wins: no need to ask. Caller IDs are
       * read from PJSIP's configuration objects only. */
      if ((file_entry == NULL || file_entry->name == NULL) && g_str_equal (self->technology, "PJSIP"))
        g_queue_push_tail (&refresh->jobs, job_new (refresh, JOB_NAME, number));
    }

  return TRUE;
}

static gboolean
read_own (Refresh   *refresh,
          JsonNode  *node,
          GError   **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the device state list is not a list");
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *device_state = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *name = device_state ? attendant_protocol_get_string (device_state, "name") : NULL;
      const char *own;

      if (name == NULL || !g_str_has_prefix (name, OWN_PREFIX) || !is_number (name + strlen (OWN_PREFIX)))
        continue;

      own = own_from_mirror (parse_device (attendant_protocol_get_string (device_state, "state")));
      if (own != NULL && g_hash_table_size (refresh->own) < ATTENDANT_ASTERISK_DIRECTORY_MAX_CONTACTS)
        g_hash_table_insert (refresh->own, g_strdup (name + strlen (OWN_PREFIX)), (gpointer)own);
    }

  return TRUE;
}

static void
read_name (Refresh    *refresh,
           const char *number,
           JsonNode   *node)
{
  Entry *entry = g_hash_table_lookup (refresh->entries, number);
  JsonArray *array;

  if (entry == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *tuple = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;

      if (tuple != NULL && g_strcmp0 (attendant_protocol_get_string (tuple, "attribute"), "callerid") == 0)
        {
          g_free (entry->name);
          entry->name = name_from_callerid (attendant_protocol_get_string (tuple, "value"), number);
          return;
        }
    }
}

static void
read_device (Refresh    *refresh,
             const char *number,
             JsonNode   *node)
{
  Entry *entry = g_hash_table_lookup (refresh->entries, number);

  if (entry != NULL && JSON_NODE_HOLDS_OBJECT (node))
    entry->device = parse_device (attendant_protocol_get_string (json_node_get_object (node), "state"));
}

static void
job_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Job *job = user_data;
  Refresh *refresh = job->refresh;
  AttendantAsteriskDirectory *self = refresh->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = attendant_ari_request_finish (ATTENDANT_ARI (object), result, &error);

  /* A refresh replaced or dropped: self may be gone. */
  if (g_cancellable_is_cancelled (refresh->cancellable) || self->refresh != refresh)
    {
      job_free (job);
      return;
    }

  refresh->in_flight--;

  switch (job->kind)
    {
    case JOB_ENDPOINTS:
    case JOB_OWN:
      refresh->waiting--;
      if (node == NULL ||
          !(job->kind == JOB_ENDPOINTS ? read_endpoints (self, refresh, node, &error)
                                       : read_own (refresh, node, &error)))
        {
          fail_refresh (self, error);
          job_free (job);
          return;
        }
      break;

    /* A single endpoint that cannot be read (removed meanwhile) keeps
     * what the list said of it. */
    case JOB_DEVICE:
      if (node != NULL)
        read_device (refresh, job->number, node);
      break;

    case JOB_NAME:
      if (node != NULL)
        read_name (refresh, job->number, node);
      break;

    default:
      g_assert_not_reached ();
    }

  job_free (job);
  pump (self);
}

/**
 * attendant_asterisk_directory_refresh:
 *
 * Reads every endpoint, name and presence from Asterisk again, then emits
 * "reset". It happens by itself at each connection of the ARI client.
 */
void
attendant_asterisk_directory_refresh (AttendantAsteriskDirectory *self)
{
  Refresh *refresh;

  g_return_if_fail (ATTENDANT_IS_ASTERISK_DIRECTORY (self));

  cancel_refresh (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);

  refresh = g_new0 (Refresh, 1);
  g_atomic_ref_count_init (&refresh->ref_count);
  refresh->self = self;
  refresh->cancellable = g_cancellable_new ();
  refresh->mark = self->serial;
  refresh->started = g_get_monotonic_time ();
  refresh->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)entry_free);
  refresh->own = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&refresh->jobs);
  self->refresh = refresh;
  self->early = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)contact_free);

  refresh->waiting = 2;
  run_job (self, job_new (refresh, JOB_ENDPOINTS, NULL));
  run_job (self, job_new (refresh, JOB_OWN, NULL));
}

static void
connected_cb (AttendantAri               *ari,
              AttendantAsteriskDirectory *self)
{
  attendant_asterisk_directory_refresh (self);
}

/* What was read half-way is of no use after a loss: the next connection
 * reads everything again. */
static void
disconnected_cb (AttendantAri               *ari,
                 int                         reason,
                 const char                 *message,
                 AttendantAsteriskDirectory *self)
{
  cancel_refresh (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
}

/* }}} */
/* {{{ Presence */

typedef struct
{
  char    *number;
  guint    index;        /* in own_presences */
  gboolean mirror_sent;
} SetPresence;

static void
set_presence_free (SetPresence *data)
{
  g_free (data->number);
  g_free (data);
}

static void
set_presence_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AttendantAsteriskDirectory *self = g_task_get_source_object (task);
  SetPresence *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = attendant_ari_request_finish (ATTENDANT_ARI (object), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!data->mirror_sent)
    {
      g_autofree char *device = g_strconcat (OWN_PREFIX, data->number, NULL);
      g_autofree char *escaped = g_uri_escape_string (device, NULL, FALSE);
      g_autofree char *path = g_strconcat ("deviceStates/", escaped, NULL);
      const char * const query[] = { "deviceState", device_names[own_presences[data->index].mirror], NULL };
      GCancellable *cancellable = g_task_get_cancellable (task);

      data->mirror_sent = TRUE;
      attendant_ari_request_async (self->ari, "PUT", path, query, cancellable,
                                   set_presence_cb, g_steal_pointer (&task));
      return;
    }

  /* The mirror's event will say the same; the change is announced now,
   * before the command's reply. */
  set_own (self, data->number, own_from_mirror (own_presences[data->index].mirror));
  g_task_return_boolean (task, TRUE);
}

/**
 * attendant_asterisk_directory_set_presence_async:
 * @number: the attendant's extension
 * @presence: "available", "busy", "away", "dnd" or "offline"
 *
 * Stores the attendant's own presence in Asterisk (its presence state,
 * and the mirror every node follows). It completes once Asterisk
 * confirmed both, after the contact's "contact-changed"; an invalid
 * presence or number fails with %ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS,
 * a refusal by Asterisk with its error.
 */
void
attendant_asterisk_directory_set_presence_async (AttendantAsteriskDirectory *self,
                                                 const char                 *number,
                                                 const char                 *presence,
                                                 GCancellable               *cancellable,
                                                 GAsyncReadyCallback         callback,
                                                 gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *variable = NULL;
  SetPresence *data;
  guint index;

  g_return_if_fail (ATTENDANT_IS_ASTERISK_DIRECTORY (self));
  g_return_if_fail (number != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_asterisk_directory_set_presence_async);

  if (!is_number (number))
    {
      g_task_return_new_error (task, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS,
                               "“%s” is not a phone number", number);
      return;
    }

  for (index = 0; index < G_N_ELEMENTS (own_presences); index++)
    if (g_strcmp0 (presence, own_presences[index].presence) == 0)
      break;
  if (index == G_N_ELEMENTS (own_presences))
    {
      g_task_return_new_error (task, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS,
                               "“%s” is not a presence to set (available, busy, away, dnd, offline)",
                               presence ? presence : "");
      return;
    }

  data = g_new0 (SetPresence, 1);
  data->number = g_strdup (number);
  data->index = index;
  g_task_set_task_data (task, data, (GDestroyNotify)set_presence_free);

  variable = g_strdup_printf ("PRESENCE_STATE(CustomPresence:%s)", number);
  {
    const char * const query[] = { "variable", variable, "value", own_presences[index].presence_state, NULL };

    attendant_ari_request_async (self->ari, "POST", "asterisk/variable", query, cancellable,
                                 set_presence_cb, g_steal_pointer (&task));
  }
}

gboolean
attendant_asterisk_directory_set_presence_finish (AttendantAsteriskDirectory  *self,
                                                  GAsyncResult                *result,
                                                  GError                     **error)
{
  g_return_val_if_fail (ATTENDANT_IS_ASTERISK_DIRECTORY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* }}} */
/* {{{ Public */

/**
 * attendant_asterisk_directory_add_contact:
 * @number: the extension (as Asterisk's endpoint is named)
 * @name: (nullable): the name shown, over the endpoint's caller ID
 * @department: (nullable): the department
 *
 * A contact of the server's directory file. Its name and department win
 * over what Asterisk says; a number Asterisk has no endpoint for is listed
 * too, as "offline" (Asterisk knows no state of it).
 */
void
attendant_asterisk_directory_add_contact (AttendantAsteriskDirectory *self,
                                          const char                 *number,
                                          const char                 *name,
                                          const char                 *department)
{
  FileEntry *entry;
  Contact *contact;

  g_return_if_fail (ATTENDANT_IS_ASTERISK_DIRECTORY (self));
  g_return_if_fail (is_number (number));

  entry = g_new0 (FileEntry, 1);
  entry->name = g_strdup (name);
  entry->department = g_strdup (department);
  g_hash_table_replace (self->file, g_strdup (number), entry);

  contact = g_hash_table_lookup (self->contacts, number);
  if (contact == NULL && self->ready)
    {
      contact = contact_new (number);
      g_hash_table_insert (self->contacts, contact->number, contact);
    }

  if (contact != NULL)
    emit_changed (self, contact, quark_contact);
}

static void
add_key (gpointer key,
         gpointer value,
         gpointer user_data)
{
  g_ptr_array_add (user_data, key);
}

/**
 * attendant_asterisk_directory_list_contacts:
 *
 * Returns: (transfer full): every contact as the protocol's directory
 *   entry, sorted by number
 */
JsonArray *
attendant_asterisk_directory_list_contacts (AttendantAsteriskDirectory *self)
{
  g_autoptr(GPtrArray) numbers = NULL;
  JsonArray *array;

  g_return_val_if_fail (ATTENDANT_IS_ASTERISK_DIRECTORY (self), NULL);

  numbers = g_ptr_array_sized_new (g_hash_table_size (self->contacts));
  g_hash_table_foreach (self->contacts, add_key, numbers);
  g_ptr_array_sort (numbers, compare_numbers);

  array = json_array_sized_new (numbers->len);
  for (guint i = 0; i < numbers->len; i++)
    json_array_add_object_element (array, contact_to_json (self, g_hash_table_lookup (self->contacts,
                                                                                      g_ptr_array_index (numbers, i))));

  return array;
}

/**
 * attendant_asterisk_directory_get_contact:
 *
 * Returns: (transfer full) (nullable): the contact of @number
 */
JsonObject *
attendant_asterisk_directory_get_contact (AttendantAsteriskDirectory *self,
                                          const char                 *number)
{
  Contact *contact;

  g_return_val_if_fail (ATTENDANT_IS_ASTERISK_DIRECTORY (self), NULL);

  contact = number != NULL ? g_hash_table_lookup (self->contacts, number) : NULL;
  return contact != NULL ? contact_to_json (self, contact) : NULL;
}

/**
 * attendant_asterisk_directory_get_presence:
 *
 * Returns: (nullable): the presence of @number, %NULL when it is not in the
 *   directory
 */
const char *
attendant_asterisk_directory_get_presence (AttendantAsteriskDirectory *self,
                                           const char                 *number)
{
  Contact *contact;

  g_return_val_if_fail (ATTENDANT_IS_ASTERISK_DIRECTORY (self), NULL);

  contact = number != NULL ? g_hash_table_lookup (self->contacts, number) : NULL;
  return contact != NULL ? contact->shown : NULL;
}

/**
 * attendant_asterisk_directory_set_max_contacts:
 *
 * How many endpoints are taken from Asterisk at most (the lowest numbers);
 * %ATTENDANT_ASTERISK_DIRECTORY_MAX_CONTACTS by default. Takes effect at
 * the next refresh.
 */
void
attendant_asterisk_directory_set_max_contacts (AttendantAsteriskDirectory *self,
                                               guint                       max_contacts)
{
  g_return_if_fail (ATTENDANT_IS_ASTERISK_DIRECTORY (self));
  g_return_if_fail (max_contacts > 0);

  self->max_contacts = MIN (max_contacts, (guint)ATTENDANT_ASTERISK_DIRECTORY_MAX_CONTACTS);
}

AttendantAri *
attendant_asterisk_directory_get_ari (AttendantAsteriskDirectory *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ASTERISK_DIRECTORY (self), NULL);

  return self->ari;
}

gboolean
attendant_asterisk_directory_get_ready (AttendantAsteriskDirectory *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ASTERISK_DIRECTORY (self), FALSE);

  return self->ready;
}

/* }}} */
/* {{{ GObject */

static void
attendant_asterisk_directory_constructed (GObject *object)
{
  AttendantAsteriskDirectory *self = (AttendantAsteriskDirectory *)object;

  G_OBJECT_CLASS (attendant_asterisk_directory_parent_class)->constructed (object);

  g_assert (self->ari != NULL && self->technology != NULL);
  self->device_prefix = g_strconcat (self->technology, "/", NULL);

  g_signal_connect_object (self->ari, "connected", G_CALLBACK (connected_cb), self, 0);
  g_signal_connect_object (self->ari, "disconnected", G_CALLBACK (disconnected_cb), self, 0);
  g_signal_connect_object (self->ari, "event::DeviceStateChanged",
                           G_CALLBACK (device_state_changed_cb), self, 0);
  g_signal_connect_object (self->ari, "event::EndpointStateChange",
                           G_CALLBACK (endpoint_changed_cb), self, 0);
  g_signal_connect_object (self->ari, "event::PeerStatusChange",
                           G_CALLBACK (endpoint_changed_cb), self, 0);
  g_signal_connect_object (self->ari, "event::ContactStatusChange",
                           G_CALLBACK (endpoint_changed_cb), self, 0);

  if (attendant_ari_get_connected (self->ari))
    attendant_asterisk_directory_refresh (self);
}

static void
attendant_asterisk_directory_dispose (GObject *object)
{
  AttendantAsteriskDirectory *self = (AttendantAsteriskDirectory *)object;

  cancel_refresh (self);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (self->ari != NULL)
    g_signal_handlers_disconnect_by_data (self->ari, self);
  g_clear_object (&self->ari);

  G_OBJECT_CLASS (attendant_asterisk_directory_parent_class)->dispose (object);
}

static void
attendant_asterisk_directory_finalize (GObject *object)
{
  AttendantAsteriskDirectory *self = (AttendantAsteriskDirectory *)object;

  g_free (self->technology);
  g_free (self->device_prefix);
  g_clear_pointer (&self->contacts, g_hash_table_unref);
  g_clear_pointer (&self->file, g_hash_table_unref);
  g_clear_pointer (&self->early, g_hash_table_unref);

  G_OBJECT_CLASS (attendant_asterisk_directory_parent_class)->finalize (object);
}

static void
attendant_asterisk_directory_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  AttendantAsteriskDirectory *self = ATTENDANT_ASTERISK_DIRECTORY (object);

  switch (prop_id)
    {
    case PROP_ARI:
      g_value_set_object (value, self->ari);
      break;

    case PROP_TECHNOLOGY:
      g_value_set_string (value, self->technology);
      break;

    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_asterisk_directory_set_property (GObject      *object,
                                           guint         prop_id,
                                           const GValue *value,
                                           GParamSpec   *pspec)
{
  AttendantAsteriskDirectory *self = ATTENDANT_ASTERISK_DIRECTORY (object);

  switch (prop_id)
    {
    case PROP_ARI:
      self->ari = g_value_dup_object (value);
      break;

    case PROP_TECHNOLOGY:
      self->technology = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_asterisk_directory_class_init (AttendantAsteriskDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = attendant_asterisk_directory_constructed;
  object_class->dispose = attendant_asterisk_directory_dispose;
  object_class->finalize = attendant_asterisk_directory_finalize;
  object_class->get_property = attendant_asterisk_directory_get_property;
  object_class->set_property = attendant_asterisk_directory_set_property;

  properties[PROP_ARI] =
    g_param_spec_object ("ari", NULL, NULL, ATTENDANT_TYPE_ARI,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TECHNOLOGY] =
    g_param_spec_string ("technology", NULL, NULL, "PJSIP",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AttendantAsteriskDirectory::contact-changed:
   * @contact: the whole contact, as the protocol's directory entry
   *
   * Detailed "presence" when only the presence changed, "contact" when
   * the name or department did.
   */
  signals[CONTACT_CHANGED] =
    g_signal_new ("contact-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);

  /**
   * AttendantAsteriskDirectory::reset:
   *
   * Everything was read from Asterisk again: contacts may have come or
   * gone, any presence may have changed.
   */
  signals[RESET] =
    g_signal_new ("reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  quark_presence = g_quark_from_static_string ("presence");
  quark_contact = g_quark_from_static_string ("contact");
}

static void
attendant_asterisk_directory_init (AttendantAsteriskDirectory *self)
{
  self->max_contacts = ATTENDANT_ASTERISK_DIRECTORY_MAX_CONTACTS;
  self->contacts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)contact_free);
  self->file = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)file_entry_free);
}

/**
 * attendant_asterisk_directory_new:
 * @ari: the ARI client (the directory follows its connections)
 * @technology: the channel technology of the phones, "PJSIP"
 *
 * Returns: (transfer full): the directory; it reads Asterisk at @ari's
 *   next connection, or at once if @ari is connected
 */
AttendantAsteriskDirectory *
attendant_asterisk_directory_new (AttendantAri *ari,
                                  const char   *technology)
{
  g_return_val_if_fail (ATTENDANT_IS_ARI (ari), NULL);
  g_return_val_if_fail (technology != NULL && technology[0] != '\0', NULL);

  return g_object_new (ATTENDANT_TYPE_ASTERISK_DIRECTORY, "ari", ari, "technology", technology, NULL);
}

/* }}} */
