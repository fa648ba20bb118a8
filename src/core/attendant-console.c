/* attendant-console.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-console"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "attendant-console.h"
#include "attendant-enum-types.h"
#include "attendant-error.h"
#include "attendant-history-entry.h"
#include "attendant-protocol.h"
#include "attendant-protocol-names.h"

/* The attendant's view of the telephone system, kept from the client's
 * snapshots and events: the queue of waiting calls (oldest first), the
 * attendant's own calls, and the directory. It is what the console's
 * panes show and what the tests check, so it holds the rules that make
 * the panes honest:
 *
 * - a snapshot replaces everything: calls it lacks disappear (no ghosts
 *   after a failover), calls it repeats keep their objects (no duplicates,
 *   and a row bound to a call stays bound);
 * - a command shows as done only through the events and the reply that
 *   confirm it; one cut off by a lost connection leaves a notice on its
 *   call saying its result is unknown (docs/architecture.md, "Nothing
 *   silently lost");
 * - while offline the panes keep the last known state, and commands are
 *   refused at once by the client.
 *
 * Longer than the project's ~800 lines on purpose: every rule above, the
 * history and the calls' start are read off the same stream of snapshots
 * and events, in one place that sees each change once, with the state the
 * call had before it; split, each part would need that state handed to it
 * and the order of their reactions kept by hand. */
struct _AttendantConsole
{
  GObject             parent_instance;

  AttendantClient    *client;
  AttendantDirectory *directory;
  GListStore         *queue;
  GListStore         *calls;
  GHashTable         *by_id;      /* id → AttendantCall */
  GHashTable         *queue_names; /* queue id → name */
  /* call → the order in which this console first learned of it: what
   * breaks a tie between two "since" of the same millisecond, so that
   * two callers who came together keep one order for good */
  GHashTable         *arrival;
  guint64             next_arrival;
  /* call id → when the attendant's part in it began (gint64 *): the
   * first "since" seen while it was theirs and active, which hold and
   * resume (each a new state, a new "since") do not move */
  GHashTable         *started;
  /* the attendant's calls of the day, newest first, and the entries of
   * the calls still known, by id */
  GListStore         *history;
  GHashTable         *history_by_id;
  /* the local day (year × 1000 + day of the year) of the last entry added */
  int                 history_day;
  AttendantPresence   presence;

  char               *user;
  char               *extension;
  char               *phone_system_reason;
  gboolean            online;
  gboolean            synced;     /* a snapshot came since the login */
};

G_DEFINE_FINAL_TYPE (AttendantConsole, attendant_console, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_ONLINE,
  PROP_USER,
  PROP_EXTENSION,
  PROP_QUEUE,
  PROP_CALLS,
  PROP_DIRECTORY,
  PROP_PHONE_SYSTEM_REASON,
  PROP_PRESENCE,
  PROP_HISTORY,
  N_PROPS
};

enum {
  INCOMING_CALL,
  TRANSFERRED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* {{{ The models */

static void
set_online (AttendantConsole *self,
            gboolean          online)
{
  if (self->online == online)
    return;

  self->online = online;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
}

static void
set_string (AttendantConsole  *self,
            char             **field,
            const char        *value,
            int                prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static gboolean
is_mine (AttendantConsole *self,
         AttendantCall    *call)
{
  return attendant_call_get_state (call) != ATTENDANT_CALL_STATE_QUEUED &&
         self->extension != NULL &&
         g_strcmp0 (attendant_call_get_attendant (call), self->extension) == 0;
}

/* Longest waiting first: by when the call started waiting ("since" of
 * a queued call, docs/protocol.md §2.3), then by arrival here. Not by id:
 * ids are opaque, and "call-10" sorts before "call-9". */
static int
compare_waiting (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  AttendantConsole *self = user_data;
  gint64 sa = attendant_call_get_since ((AttendantCall *)a);
  gint64 sb = attendant_call_get_since ((AttendantCall *)b);
  guint64 na;
  guint64 nb;

  if (sa != sb)
    return sa < sb ? -1 : 1;

  na = GPOINTER_TO_SIZE (g_hash_table_lookup (self->arrival, a));
  nb = GPOINTER_TO_SIZE (g_hash_table_lookup (self->arrival, b));
  if (na != nb)
    return na < nb ? -1 : 1;

  return 0;
}

/* Whether @call, at @position in the queue, is still where the order
 * wants it: then it stays, and the list on screen with it. */
static gboolean
queue_in_order (AttendantConsole *self,
                guint             position,
                AttendantCall    *call)
{
  GListModel *model = G_LIST_MODEL (self->queue);
  guint n = g_list_model_get_n_items (model);

  if (position > 0)
    {
      g_autoptr(AttendantCall) before = g_list_model_get_item (model, position - 1);

      if (compare_waiting (before, call, self) > 0)
        return FALSE;
    }

  if (position + 1 < n)
    {
      g_autoptr(AttendantCall) after = g_list_model_get_item (model, position + 1);

      if (compare_waiting (call, after, self) > 0)
        return FALSE;
    }

  return TRUE;
}

static gboolean
store_remove (GListStore *store,
              gpointer    item)
{
  guint position;

  if (!g_list_store_find (store, item, &position))
    return FALSE;

  g_list_store_remove (store, position);
  return TRUE;
}

/* Puts @call in the pane it belongs to now, and in no other. */
static void
place_call (AttendantConsole *self,
            AttendantCall    *call)
{
  gboolean queued = attendant_call_get_state (call) == ATTENDANT_CALL_STATE_QUEUED;
  gboolean mine = is_mine (self, call);
  guint position;

  if (!queued)
    store_remove (self->queue, call);
  else if (!g_list_store_find (self->queue, call, &position))
    g_list_store_insert_sorted (self->queue, call, compare_waiting, self);
  else if (!queue_in_order (self, position, call))
    {
      /* Only a changed "since" moves a call. One already in its place is
       * left alone: removing and inserting it again, as every snapshot
       * would, loses its row's selection and walks the list's scroll
       * anchor down to the newest caller (GTK moves the anchor past a
       * removed row, then past the one inserted there). */
      g_list_store_remove (self->queue, position);
      g_list_store_insert_sorted (self->queue, call, compare_waiting, self);
    }

  if (mine)
    {
      if (!g_list_store_find (self->calls, call, &position))
        g_list_store_append (self->calls, call);
    }
  else
    store_remove (self->calls, call);
}

static void
forget_call (AttendantConsole *self,
             const char       *id)
{
  g_autoptr(AttendantCall) call = NULL;
  gpointer key;

  if (!g_hash_table_steal_extended (self->by_id, id, &key, (gpointer *)&call))
    return;

  store_remove (self->queue, call);
  store_remove (self->calls, call);
  g_hash_table_remove (self->arrival, call);
  g_hash_table_remove (self->started, id);
  g_hash_table_remove (self->history_by_id, id);
  g_free (key);
}

/* {{{ The day's history and the calls' start */

/* At most a busy day's calls: a receptionist takes a few hundred. */
#define HISTORY_MAX 1000

static int
today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_get_year (now) * 1000 + g_date_time_get_day_of_year (now);
}

static void
history_add (AttendantConsole     *self,
             AttendantCall        *call,
             AttendantHistoryKind  kind,
             gint64                time)
{
  GListModel *model = G_LIST_MODEL (self->history);
  g_autoptr(AttendantHistoryEntry) entry = NULL;
  g_autofree char *name = attendant_console_dup_caller_name (self, call);
  guint n = g_list_model_get_n_items (model);
  int day = today ();

  /* A new day's first call starts an empty list, even for a console left
   * running. By this machine's clock: the times shown are the server's. */
  if (n > 0 && day != self->history_day)
    {
      g_list_store_remove_all (self->history);
      g_hash_table_remove_all (self->history_by_id);
      n = 0;
    }
  self->history_day = day;
  if (n >= HISTORY_MAX)
    g_list_store_remove (self->history, n - 1);

  entry = attendant_history_entry_new (attendant_call_get_id (call), kind,
                                       attendant_call_get_caller_number (call), name, time);
  g_list_store_insert (self->history, 0, entry);
  g_hash_table_replace (self->history_by_id, g_strdup (attendant_call_get_id (call)), g_object_ref (entry));
}

/* What the call's new state means for the history and its start; called
 * after every change, with the state it had before (-1 for a new call). */
static void
follow_call (AttendantConsole *self,
             AttendantCall    *call,
             int               old_state)
{
  AttendantCallState state = attendant_call_get_state (call);
  const char *id = attendant_call_get_id (call);

  if (is_mine (self, call) &&
      (state == ATTENDANT_CALL_STATE_ACTIVE || state == ATTENDANT_CALL_STATE_CONSULTING) &&
      !g_hash_table_contains (self->started, id))
    {
      gint64 *start = g_new (gint64, 1);

      *start = attendant_call_get_since (call) > 0 ? attendant_call_get_since (call) : g_get_real_time ();
      g_hash_table_insert (self->started, g_strdup (id), start);
      /* A consultation is part of its caller's line, not one of its own. */
      if (state == ATTENDANT_CALL_STATE_ACTIVE)
        history_add (self, call,
                     attendant_call_get_queue (call) != NULL ? ATTENDANT_HISTORY_ANSWERED : ATTENDANT_HISTORY_DIALLED,
                     *start);
    }

  if (state == ATTENDANT_CALL_STATE_ENDED)
    {
      AttendantHistoryEntry *entry = g_hash_table_lookup (self->history_by_id, id);

      if (entry != NULL)
        {
          if (attendant_history_entry_get_end_time (entry) == 0)
            attendant_history_entry_set_end_time (entry, g_get_real_time ());
        }
      else if (old_state == ATTENDANT_CALL_STATE_QUEUED)
        /* The caller gave up waiting, or was turned away. */
        history_add (self, call, ATTENDANT_HISTORY_MISSED, g_get_real_time ());
    }
}

/* The server removes a call it handed over (docs/protocol.md §2.5): a
 * blind transfer once the colleague answered, a consultation once
 * completed. That, and not the command's reply, is the confirmation. */
static void
follow_removed (AttendantConsole *self,
                AttendantCall    *call)
{
  AttendantCallState state = attendant_call_get_state (call);
  AttendantHistoryEntry *entry = g_hash_table_lookup (self->history_by_id, attendant_call_get_id (call));
  const char *peer = attendant_call_get_peer (call);

  if (is_mine (self, call) && peer != NULL &&
      (state == ATTENDANT_CALL_STATE_TRANSFERRING || state == ATTENDANT_CALL_STATE_HELD))
    {
      g_autoptr(AttendantCall) hold = g_object_ref (call);
      g_autofree char *target = g_strdup (peer);

      if (entry != NULL)
        attendant_history_entry_set_transferred (entry, target, g_get_real_time ());
      g_signal_emit (self, signals[TRANSFERRED], 0, hold, target);
    }
  else if (entry != NULL && attendant_history_entry_get_end_time (entry) == 0)
    attendant_history_entry_set_end_time (entry, g_get_real_time ());
}

static void
update_presence (AttendantConsole *self)
{
  AttendantContact *me = self->extension != NULL
                         ? attendant_directory_lookup_number (self->directory, self->extension)
                         : NULL;
  AttendantPresence presence = me != NULL ? attendant_contact_get_presence (me) : ATTENDANT_PRESENCE_OFFLINE;

  if (self->presence == presence)
    return;

  self->presence = presence;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENCE]);
}

/* }}} */

static AttendantCall *
apply_call (AttendantConsole *self,
            JsonObject       *json,
            gboolean         *created)
{
  const char *id = attendant_protocol_get_string (json, "id");
  AttendantCall *call;
  int old_state = -1;

  *created = FALSE;
  if (id == NULL)
    return NULL;

  call = g_hash_table_lookup (self->by_id, id);
  if (call != NULL)
    old_state = attendant_call_get_state (call);
  if (call == NULL)
    {
      g_autoptr(AttendantCall) fresh = attendant_call_new (id);

      if (!attendant_call_apply_json (fresh, json))
        {
          g_debug ("ignoring call %s in a state this console does not know", id);
          return NULL;
        }

      call = fresh;
      g_hash_table_insert (self->arrival, call, GSIZE_TO_POINTER ((gsize)++self->next_arrival));
      g_hash_table_insert (self->by_id, g_strdup (id), g_steal_pointer (&fresh));
      *created = TRUE;
    }
  else if (!attendant_call_apply_json (call, json))
    {
      g_debug ("ignoring an update of call %s to a state this console does not know", id);
      return NULL;
    }

  place_call (self, call);
  follow_call (self, call, old_state);
  return call;
}

static gboolean
rings_me (AttendantConsole *self,
          AttendantCall    *call)
{
  return attendant_call_get_state (call) == ATTENDANT_CALL_STATE_RINGING &&
         self->extension != NULL &&
         g_strcmp0 (attendant_call_get_attendant (call), self->extension) == 0;
}

/* What the operator must hear of: a call that joined the queue (new, or
 * a direct call nobody answered), or that started ringing this
 * attendant's extension (a recall, a direct call). */
static gboolean
is_incoming (AttendantConsole *self,
             AttendantCall    *call,
             gboolean          was_queued,
             gboolean          was_ringing_me)
{
  return (!was_queued && attendant_call_get_state (call) == ATTENDANT_CALL_STATE_QUEUED) ||
         (!was_ringing_me && rings_me (self, call));
}

static void
on_snapshot (AttendantConsole *self,
             JsonObject       *snapshot)
{
  JsonObject *me = attendant_protocol_get_object (snapshot, "me");
  JsonArray *calls = attendant_protocol_get_array (snapshot, "calls");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) incoming = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;
  guint n = calls ? json_array_get_length (calls) : 0;

  g_object_freeze_notify (G_OBJECT (self));

  set_string (self, &self->user, me ? attendant_protocol_get_string (me, "user") : NULL, PROP_USER);
  set_string (self, &self->extension, me ? attendant_protocol_get_string (me, "extension") : NULL, PROP_EXTENSION);

  attendant_directory_replace (self->directory, attendant_protocol_get_array (snapshot, "directory"));

  g_hash_table_remove_all (self->queue_names);
  {
    JsonArray *queues = attendant_protocol_get_array (snapshot, "queues");
    guint n_queues = queues ? json_array_get_length (queues) : 0;

    for (guint i = 0; i < n_queues; i++)
      {
        JsonNode *node = json_array_get_element (queues, i);
        const char *id;
        const char *name;

        if (!JSON_NODE_HOLDS_OBJECT (node))
          continue;
        id = attendant_protocol_get_string (json_node_get_object (node), "id");
        name = attendant_protocol_get_string (json_node_get_object (node), "name");
        if (id != NULL && name != NULL)
          g_hash_table_insert (self->queue_names, g_strdup (id), g_strdup (name));
      }
  }

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (calls, i);
      AttendantCall *call;
      const char *id;
      gboolean was_queued = FALSE;
      gboolean was_ringing_me = FALSE;
      gboolean created;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      id = attendant_protocol_get_string (json_node_get_object (node), "id");
      call = id != NULL ? g_hash_table_lookup (self->by_id, id) : NULL;
      if (call != NULL)
        {
          was_queued = attendant_call_get_state (call) == ATTENDANT_CALL_STATE_QUEUED;
          was_ringing_me = rings_me (self, call);
        }

      call = apply_call (self, json_node_get_object (node), &created);
      if (call == NULL)
        continue;

      g_hash_table_add (seen, (gpointer)attendant_call_get_id (call));

      /* Calls that came, or came back, while the console was offline ring
       * now: after a failover the snapshot is the first news of them. The
       * login's first snapshot is the state the operator starts from. */
      if (self->synced && is_incoming (self, call, was_queued, was_ringing_me))
        g_ptr_array_add (incoming, g_object_ref (call));
    }

  /* What the server no longer has, the console no longer shows. */
  g_hash_table_iter_init (&iter, self->by_id);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (seen, key))
      g_ptr_array_add (gone, g_strdup (key));

  for (guint i = 0; i < gone->len; i++)
    forget_call (self, g_ptr_array_index (gone, i));

  update_presence (self);
  set_online (self, attendant_client_get_state (self->client) == ATTENDANT_CLIENT_STATE_CONNECTED);
  self->synced = TRUE;

  g_object_thaw_notify (G_OBJECT (self));

  for (guint i = 0; i < incoming->len; i++)
    g_signal_emit (self, signals[INCOMING_CALL], 0, g_ptr_array_index (incoming, i));
}

static void
on_event (AttendantConsole *self,
          JsonObject       *event)
{
  const char *name = attendant_protocol_get_string (event, "event");

  if (name == NULL)
    return;

  if (g_str_equal (name, ATTENDANT_PROTOCOL_EVENT_CALL_UPDATED))
    {
      JsonObject *json = attendant_protocol_get_object (event, "call");
      const char *id = json ? attendant_protocol_get_string (json, "id") : NULL;
      AttendantCall *call;
      gboolean was_queued = FALSE;
      gboolean was_ringing_me = FALSE;
      gboolean created;

      if (id == NULL)
        return;

      call = g_hash_table_lookup (self->by_id, id);
      if (call != NULL)
        {
          was_queued = attendant_call_get_state (call) == ATTENDANT_CALL_STATE_QUEUED;
          was_ringing_me = rings_me (self, call);
        }

      call = apply_call (self, json, &created);
      if (call == NULL)
        return;

      if (is_incoming (self, call, was_queued, was_ringing_me))
        g_signal_emit (self, signals[INCOMING_CALL], 0, call);
    }
  else if (g_str_equal (name, ATTENDANT_PROTOCOL_EVENT_CALL_REMOVED))
    {
      const char *id = attendant_protocol_get_string (event, "id");
      AttendantCall *call = id != NULL ? g_hash_table_lookup (self->by_id, id) : NULL;

      if (call != NULL)
        follow_removed (self, call);
      if (id != NULL)
        forget_call (self, id);
    }
  else if (g_str_equal (name, ATTENDANT_PROTOCOL_EVENT_PRESENCE))
    {
      const char *id = attendant_protocol_get_string (event, "id");
      const char *presence = attendant_protocol_get_string (event, "presence");
      AttendantPresence value;

      if (id == NULL || presence == NULL)
        return;
      if (!attendant_presence_from_string (presence, &value))
        value = ATTENDANT_PRESENCE_OFFLINE;
      attendant_directory_set_presence (self->directory, id, value);
      update_presence (self);
    }
  else if (g_str_equal (name, ATTENDANT_PROTOCOL_EVENT_DIRECTORY_UPDATED))
    {
      JsonObject *contact = attendant_protocol_get_object (event, "contact");

      if (contact != NULL)
        attendant_directory_update (self->directory, contact);
    }
}

static void
on_connected (AttendantConsole *self)
{
  set_online (self, FALSE);
}

static void
on_phone_system_reason (AttendantConsole *self)
{
  set_string (self, &self->phone_system_reason,
              attendant_client_get_phone_system_reason (self->client), PROP_PHONE_SYSTEM_REASON);
}

static void
on_client_state (AttendantConsole *self)
{
  AttendantClientState state = attendant_client_get_state (self->client);

  /* Online again only with the next snapshot. */
  if (state != ATTENDANT_CLIENT_STATE_CONNECTED)
    set_online (self, FALSE);

  /* Logged out: nothing of the last session stays on screen. */
  if (state == ATTENDANT_CLIENT_STATE_IDLE)
    {
      self->synced = FALSE;
      g_list_store_remove_all (self->queue);
      g_list_store_remove_all (self->calls);
      g_hash_table_remove_all (self->arrival);
      g_hash_table_remove_all (self->by_id);
      g_hash_table_remove_all (self->started);
      /* The day's calls are the person's: the next to log in at this desk
       * starts with none. */
      g_list_store_remove_all (self->history);
      g_hash_table_remove_all (self->history_by_id);
      attendant_directory_clear (self->directory);
      update_presence (self);
    }
}

/* }}} */
/* {{{ GObject */

static void
attendant_console_dispose (GObject *object)
{
  AttendantConsole *self = (AttendantConsole *)object;

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_object (&self->directory);
  g_clear_object (&self->queue);
  g_clear_object (&self->calls);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->queue_names, g_hash_table_unref);
  g_clear_pointer (&self->arrival, g_hash_table_unref);
  g_clear_pointer (&self->started, g_hash_table_unref);
  g_clear_object (&self->history);
  g_clear_pointer (&self->history_by_id, g_hash_table_unref);

  G_OBJECT_CLASS (attendant_console_parent_class)->dispose (object);
}

static void
attendant_console_finalize (GObject *object)
{
  AttendantConsole *self = (AttendantConsole *)object;

  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->extension, g_free);
  g_clear_pointer (&self->phone_system_reason, g_free);

  G_OBJECT_CLASS (attendant_console_parent_class)->finalize (object);
}

static void
attendant_console_constructed (GObject *object)
{
  AttendantConsole *self = (AttendantConsole *)object;

  G_OBJECT_CLASS (attendant_console_parent_class)->constructed (object);

  g_assert (self->client != NULL);

  g_signal_connect_object (self->client, "snapshot", G_CALLBACK (on_snapshot), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "event", G_CALLBACK (on_event), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "connected", G_CALLBACK (on_connected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "notify::state", G_CALLBACK (on_client_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "notify::phone-system-reason", G_CALLBACK (on_phone_system_reason),
                           self, G_CONNECT_SWAPPED);
  on_phone_system_reason (self);
}

static void
attendant_console_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AttendantConsole *self = ATTENDANT_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;

    case PROP_USER:
      g_value_set_string (value, self->user);
      break;

    case PROP_EXTENSION:
      g_value_set_string (value, self->extension);
      break;

    case PROP_QUEUE:
      g_value_set_object (value, self->queue);
      break;

    case PROP_CALLS:
      g_value_set_object (value, self->calls);
      break;

    case PROP_DIRECTORY:
      g_value_set_object (value, self->directory);
      break;

    case PROP_PHONE_SYSTEM_REASON:
      g_value_set_string (value, self->phone_system_reason);
      break;

    case PROP_PRESENCE:
      g_value_set_enum (value, self->presence);
      break;

    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_console_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  AttendantConsole *self = ATTENDANT_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_console_class_init (AttendantConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = attendant_console_dispose;
  object_class->finalize = attendant_console_finalize;
  object_class->constructed = attendant_console_constructed;
  object_class->get_property = attendant_console_get_property;
  object_class->set_property = attendant_console_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, ATTENDANT_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Connected, and showing the server's current state. */
  properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, FALSE, ro);
  properties[PROP_USER] = g_param_spec_string ("user", NULL, NULL, NULL, ro);
  properties[PROP_EXTENSION] = g_param_spec_string ("extension", NULL, NULL, NULL, ro);
  properties[PROP_QUEUE] = g_param_spec_object ("queue", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_CALLS] = g_param_spec_object ("calls", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_DIRECTORY] = g_param_spec_object ("directory", NULL, NULL, ATTENDANT_TYPE_DIRECTORY, ro);
  /* The client's: why the server cannot reach its telephone system, or NULL. */
  properties[PROP_PHONE_SYSTEM_REASON] = g_param_spec_string ("phone-system-reason", NULL, NULL, NULL, ro);
  /* The attendant's own, as the server shows it to colleagues. */
  properties[PROP_PRESENCE] = g_param_spec_enum ("presence", NULL, NULL, ATTENDANT_TYPE_PRESENCE,
                                                 ATTENDANT_PRESENCE_OFFLINE, ro);
  properties[PROP_HISTORY] = g_param_spec_object ("history", NULL, NULL, G_TYPE_LIST_MODEL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AttendantConsole::incoming-call:
   * @call: a call that just joined the queue, or started ringing the
   *   attendant's extension (a recall, a direct call)
   *
   * Emitted once per arrival, from events, and from the snapshot after a
   * failover for what arrived meanwhile (not from the login's first).
   */
  signals[INCOMING_CALL] =
    g_signal_new ("incoming-call", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ATTENDANT_TYPE_CALL);

  /**
   * AttendantConsole::transferred:
   * @call: the attendant's call, just handed over
   * @target: the number it went to
   *
   * Emitted when the server confirms that a transfer happened (the call
   * left the attendant: answered by the colleague, or a consultation
   * completed), not when it accepted the command.
   */
  signals[TRANSFERRED] =
    g_signal_new ("transferred", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, ATTENDANT_TYPE_CALL, G_TYPE_STRING);
}

static void
attendant_console_init (AttendantConsole *self)
{
  self->directory = attendant_directory_new ();
  self->queue = g_list_store_new (ATTENDANT_TYPE_CALL);
  self->calls = g_list_store_new (ATTENDANT_TYPE_CALL);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->queue_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->arrival = g_hash_table_new (NULL, NULL);
  self->started = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->history = g_list_store_new (ATTENDANT_TYPE_HISTORY_ENTRY);
  self->history_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->presence = ATTENDANT_PRESENCE_OFFLINE;
}

AttendantConsole *
attendant_console_new (AttendantClient *client)
{
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (client), NULL);

  return g_object_new (ATTENDANT_TYPE_CONSOLE, "client", client, NULL);
}

AttendantClient *
attendant_console_get_client (AttendantConsole *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  return self->client;
}

gboolean
attendant_console_get_online (AttendantConsole *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), FALSE);

  return self->online;
}

const char *
attendant_console_get_user (AttendantConsole *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  return self->user;
}

const char *
attendant_console_get_extension (AttendantConsole *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  return self->extension;
}

/**
 * attendant_console_get_phone_system_reason:
 *
 * Returns: (nullable): why the server cannot reach its telephone system,
 *   or %NULL while it can (or while offline)
 */
const char *
attendant_console_get_phone_system_reason (AttendantConsole *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  return self->phone_system_reason;
}

/**
 * attendant_console_get_queue:
 *
 * Returns: (transfer none): the waiting calls, oldest first
 */
GListModel *
attendant_console_get_queue (AttendantConsole *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  return G_LIST_MODEL (self->queue);
}

/**
 * attendant_console_get_calls:
 *
 * Returns: (transfer none): the attendant's own calls, in the order they
 *   came to the attendant
 */
GListModel *
attendant_console_get_calls (AttendantConsole *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  return G_LIST_MODEL (self->calls);
}

/**
 * attendant_console_get_directory:
 *
 * Returns: (transfer none): the directory
 */
AttendantDirectory *
attendant_console_get_directory (AttendantConsole *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  return self->directory;
}

/**
 * attendant_console_lookup_call:
 *
 * Returns: (transfer none) (nullable): the call with @id
 */
AttendantCall *
attendant_console_lookup_call (AttendantConsole *self,
                               const char       *id)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  return id != NULL ? g_hash_table_lookup (self->by_id, id) : NULL;
}

/**
 * attendant_console_dup_caller_name:
 *
 * The caller's name as the server gave it, or else the directory's name
 * for the caller's number.
 *
 * Returns: (transfer full) (nullable): the name, if anyone knows it
 */
char *
attendant_console_dup_caller_name (AttendantConsole *self,
                                   AttendantCall    *call)
{
  AttendantContact *contact;

  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);
  g_return_val_if_fail (ATTENDANT_IS_CALL (call), NULL);

  if (attendant_call_get_caller_name (call) != NULL && attendant_call_get_caller_name (call)[0] != '\0')
    return g_strdup (attendant_call_get_caller_name (call));

  contact = attendant_directory_lookup_number (self->directory, attendant_call_get_caller_number (call));
  return contact != NULL ? g_strdup (attendant_contact_get_name (contact)) : NULL;
}

/**
 * attendant_console_get_queue_name:
 * @id: a queue's id, as calls name it
 *
 * Returns: (nullable): the queue's name, or @id for a queue the snapshot
 *   did not describe
 */
const char *
attendant_console_get_queue_name (AttendantConsole *self,
                                  const char       *id)
{
  const char *name;

  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  if (id == NULL)
    return NULL;

  name = g_hash_table_lookup (self->queue_names, id);
  return name != NULL ? name : id;
}

/**
 * attendant_console_describe_party:
 * @number: (nullable): an extension or a phone number
 *
 * Returns: (transfer full): “Name (number)” for a colleague of the
 *   directory, else the number
 */
char *
attendant_console_describe_party (AttendantConsole *self,
                                  const char       *number)
{
  AttendantContact *contact;

  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  if (number == NULL)
    return g_strdup ("");

  contact = attendant_directory_lookup_number (self->directory, number);
  if (contact != NULL && attendant_contact_get_name (contact) != NULL)
    /* TRANSLATORS: a colleague's name and extension, as in "Bruno Bianchi (201)" */
    return g_strdup_printf (_("%s (%s)"), attendant_contact_get_name (contact), number);

  return g_strdup (number);
}

/**
 * attendant_console_dup_call_title:
 *
 * Who @call is with, in a word: the caller's name or number, or for a
 * consultation the colleague consulted.
 *
 * Returns: (transfer full): the title
 */
char *
attendant_console_dup_call_title (AttendantConsole *self,
                                  AttendantCall    *call)
{
  char *name;

  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);
  g_return_val_if_fail (ATTENDANT_IS_CALL (call), NULL);

  /* A consultation leg is a call to a colleague: name them. */
  if (attendant_call_get_state (call) == ATTENDANT_CALL_STATE_CONSULTING)
    return attendant_console_describe_party (self, attendant_call_get_peer (call));

  name = attendant_console_dup_caller_name (self, call);
  if (name != NULL)
    return name;

  return g_strdup (attendant_call_get_caller_number (call) ? attendant_call_get_caller_number (call)
                                                           : _("Unknown caller"));
}

/**
 * attendant_console_find_call:
 *
 * Returns: (transfer none) (nullable): the first of the attendant's calls
 *   in @state
 */
AttendantCall *
attendant_console_find_call (AttendantConsole   *self,
                             AttendantCallState  state)
{
  guint n;

  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->calls));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AttendantCall) call = g_list_model_get_item (G_LIST_MODEL (self->calls), i);

      if (attendant_call_get_state (call) == state)
        return call; /* the model keeps it */
    }

  return NULL;
}

/**
 * attendant_console_get_call_start:
 *
 * When the attendant's part in @call began: for a call they answered or
 * placed, the start of its first talk, which holds and resumes do not
 * move; for any other, the start of its present state ("since").
 *
 * Returns: microseconds of real time, 0 if unknown
 */
gint64
attendant_console_get_call_start (AttendantConsole *self,
                                  AttendantCall    *call)
{
  gint64 *start;

  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), 0);
  g_return_val_if_fail (ATTENDANT_IS_CALL (call), 0);

  start = g_hash_table_lookup (self->started, attendant_call_get_id (call));
  return start != NULL ? *start : attendant_call_get_since (call);
}

/**
 * attendant_console_get_history:
 *
 * The attendant's calls of the day, newest first: answered, placed,
 * transferred (to whom) and missed from the queue, with their times.
 * Kept in memory only, for the day and the session (why: the row of
 * AttendantHistoryEntry in docs/architecture.md).
 *
 * Returns: (transfer none): a list of #AttendantHistoryEntry
 */
GListModel *
attendant_console_get_history (AttendantConsole *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);

  return G_LIST_MODEL (self->history);
}

/**
 * attendant_console_get_presence:
 *
 * Returns: the attendant's own presence, as the server last announced it
 */
AttendantPresence
attendant_console_get_presence (AttendantConsole *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), ATTENDANT_PRESENCE_OFFLINE);

  return self->presence;
}

/**
 * attendant_phone_number_from_text:
 * @text: what the operator typed
 *
 * The number @text spells, if it is one a command takes (docs/protocol.md
 * §2.5: digits, a leading “+”, “*”, “#”; at most 32), with the spaces,
 * dots, dashes and brackets people write numbers with taken out.
 *
 * Returns: (transfer full) (nullable): the number, or %NULL
 */
char *
attendant_phone_number_from_text (const char *text)
{
  g_autoptr(GString) number = NULL;
  gboolean digit = FALSE;

  if (text == NULL)
    return NULL;

  number = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p) || *p == '*' || *p == '#')
        {
          digit = digit || g_ascii_isdigit (*p);
          g_string_append_c (number, *p);
        }
      else if (*p == '+' && number->len == 0 && !digit)
        g_string_append_c (number, *p);
      else if (*p != ' ' && *p != '-' && *p != '.' && *p != '(' && *p != ')')
        return NULL;

      if (number->len > 32)
        return NULL;
    }

  if (!digit)
    return NULL;

  return g_string_free (g_steal_pointer (&number), FALSE);
}

/* }}} */
/* {{{ Commands */

typedef struct
{
  AttendantCommand  command;
  AttendantCall    *call;
  char             *target;
} RunData;

static void
run_data_free (RunData *data)
{
  g_clear_object (&data->call);
  g_free (data->target);
  g_free (data);
}


static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  JsonObject *reply;

  reply = attendant_client_send_command_finish (ATTENDANT_CLIENT (object), result, &error);

  if (data->call != NULL)
    {
      attendant_call_set_pending (data->call, FALSE);

      /* The call may have changed hands or ended since; whatever happened,
       * the operator is told that nobody knows what the command did. */
      if (g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_RESULT_UNKNOWN))
        {
          g_autofree char *notice = attendant_command_describe_error (data->command, data->target, error);

          attendant_call_set_notice (data->call, notice);
        }
    }

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, reply, (GDestroyNotify)json_object_unref);
}

/**
 * attendant_console_run_async:
 * @call: (nullable): the call the command acts on, %NULL for
 *   %ATTENDANT_COMMAND_DIAL and %ATTENDANT_COMMAND_SET_PRESENCE
 * @target: (nullable): the number for a transfer, consultation or dial,
 *   the presence's nick for %ATTENDANT_COMMAND_SET_PRESENCE
 *
 * Sends @command. The call is marked pending until the reply; the state
 * the command leads to arrives as events, never assumed here.
 */
void
attendant_console_run_async (AttendantConsole    *self,
                             AttendantCommand     command,
                             AttendantCall       *call,
                             const char          *target,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) args = json_object_new ();
  RunData *data;

  g_return_if_fail (ATTENDANT_IS_CONSOLE (self));
  g_return_if_fail (call == NULL || ATTENDANT_IS_CALL (call));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_console_run_async);

  data = g_new0 (RunData, 1);
  data->command = command;
  data->call = call ? g_object_ref (call) : NULL;
  data->target = g_strdup (target);
  g_task_set_task_data (task, data, (GDestroyNotify)run_data_free);

  switch (command)
    {
    case ATTENDANT_COMMAND_DIAL:
      if (target == NULL)
        goto invalid;
      json_object_set_string_member (args, "number", target);
      break;

    case ATTENDANT_COMMAND_SET_PRESENCE:
      if (target == NULL)
        goto invalid;
      json_object_set_string_member (args, "presence", target);
      break;

    case ATTENDANT_COMMAND_TRANSFER:
    case ATTENDANT_COMMAND_CONSULT:
      if (call == NULL || target == NULL)
        goto invalid;
      json_object_set_string_member (args, "call", attendant_call_get_id (call));
      json_object_set_string_member (args, "target", target);
      break;

    case ATTENDANT_COMMAND_ANSWER:
    case ATTENDANT_COMMAND_HOLD:
    case ATTENDANT_COMMAND_RESUME:
    case ATTENDANT_COMMAND_HANGUP:
    case ATTENDANT_COMMAND_COMPLETE:
    case ATTENDANT_COMMAND_CANCEL_CONSULT:
      if (call == NULL)
        goto invalid;
      json_object_set_string_member (args, "call", attendant_call_get_id (call));
      break;

    default:
      goto invalid;
    }

  if (call != NULL)
    {
      /* A new command makes any older notice moot. */
      attendant_call_set_notice (call, NULL);
      attendant_call_set_pending_command (call, command);
    }

  attendant_client_send_command_async (self->client, attendant_command_to_string (command), args,
                                       cancellable, run_cb, g_steal_pointer (&task));
  return;

invalid:
  g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                           _("“%s” needs a call or a number"), attendant_command_get_label (command));
}

/**
 * attendant_console_run_finish:
 *
 * Returns: (transfer full): the reply's result, once the server confirmed
 */
JsonObject *
attendant_console_run_finish (AttendantConsole  *self,
                              GAsyncResult      *result,
                              GError           **error)
{
  g_return_val_if_fail (ATTENDANT_IS_CONSOLE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * attendant_command_get_label:
 *
 * Returns: the command's name as the operator knows it
 */
const char *
attendant_command_get_label (AttendantCommand command)
{
  switch (command)
    {
    case ATTENDANT_COMMAND_ANSWER:         return _("Answer");
    case ATTENDANT_COMMAND_HOLD:           return _("Hold");
    case ATTENDANT_COMMAND_RESUME:         return _("Resume");
    case ATTENDANT_COMMAND_HANGUP:         return _("Hang Up");
    case ATTENDANT_COMMAND_TRANSFER:       return _("Transfer");
    case ATTENDANT_COMMAND_CONSULT:        return _("Consult");
    case ATTENDANT_COMMAND_COMPLETE:       return _("Complete Transfer");
    case ATTENDANT_COMMAND_CANCEL_CONSULT: return _("Cancel Consultation");
    case ATTENDANT_COMMAND_DIAL:           return _("Call");
    case ATTENDANT_COMMAND_SET_PRESENCE:   return _("Set Status");
    default:                               g_return_val_if_reached ("");
    }
}

/**
 * attendant_command_describe_error:
 * @target: (nullable): the command's number, if it had one
 *
 * Why @command did not happen, or why nobody knows whether it did, in
 * words for the operator.
 *
 * Returns: (transfer full): the message
 */
char *
attendant_command_describe_error (AttendantCommand  command,
                                  const char       *target,
                                  const GError     *error)
{
  const char *label = attendant_command_get_label (command);
  const char *text;

  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_NOT_CONNECTED))
    /* TRANSLATORS: %s is a command, like "Transfer" */
    return g_strdup_printf (_("“%s” was not sent: not connected to a server"), label);

  if (g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_RESULT_UNKNOWN))
    /* TRANSLATORS: %s is a command, like "Transfer" */
    return g_strdup_printf (_("Result unknown: the connection was lost before the server confirmed “%s”. Check the call."), label);

  if (!g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_COMMAND_FAILED))
    return g_strdup (error->message);

  /* "code: text", from the session. */
  text = strstr (error->message, ": ");
  text = text != NULL ? text + 2 : error->message;

  if (g_str_has_prefix (error->message, "busy:") && target != NULL)
    /* TRANSLATORS: %s is a phone number or an extension */
    return g_strdup_printf (_("%s is busy or not available"), target);
  if (g_str_has_prefix (error->message, "not-found:") && target != NULL)
    /* TRANSLATORS: %s is a phone number or an extension */
    return g_strdup_printf (_("There is no extension %s"), target);
  if (g_str_has_prefix (error->message, "invalid-args:") && target != NULL)
    /* TRANSLATORS: %s is what the operator typed as a number */
    return g_strdup_printf (_("“%s” is not a number that can be called"), target);

  /* TRANSLATORS: the first %s is a command, like "Transfer"; the second the server's reason */
  return g_strdup_printf (_("“%s” failed: %s"), label, text);
}

/* }}} */
