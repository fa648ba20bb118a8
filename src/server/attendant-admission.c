/* attendant-admission.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-admission"

#include "config.h"

#include "attendant-admission.h"

/* Connections not yet logged in, counted per client address and in all,
 * from accept to login (or to their end): each one waits up to
 * auth-timeout holding a descriptor and some memory, and without a bound
 * a flood of idle connections would starve everyone else
 * (docs/server.md, "Hostile clients").
 *
 * Over the per-address cap the newest is refused: that address already
 * has plenty waiting. Over the total the oldest is evicted instead, since
 * refusing the newest would let a flood from many addresses lock real
 * users out for good, while a real client logs in within milliseconds of
 * connecting and is almost never the oldest. Connections that have ended
 * without their holder noticing yet are swept first, so that a closed
 * connection never counts against a new one. */

#define LOG_INTERVAL_US (10 * G_USEC_PER_SEC)

struct _AttendantAdmissionTicket
{
  AttendantAdmission          *owner;      /* NULL once released */
  char                        *address;
  GList                        link;       /* in owner->order */
  GList                        address_link;
  AttendantAdmissionEvictFunc  evict;
  AttendantAdmissionAliveFunc  alive;
  gpointer                     data;
};

struct _AttendantAdmission
{
  GObject     parent_instance;

  guint       per_address;
  guint       total;
  GQueue      order;        /* every ticket, oldest first */
  GHashTable *addresses;    /* address → GQueue of tickets (address_link) */
  guint       refused;      /* since last logged */
  guint       evicted;
  gint64      logged_at;
};

G_DEFINE_FINAL_TYPE (AttendantAdmission, attendant_admission, G_TYPE_OBJECT)

static void
queue_free (gpointer data)
{
  g_queue_free (data);
}

static void
release (AttendantAdmissionTicket *ticket)
{
  AttendantAdmission *self = ticket->owner;
  GQueue *queue;

  if (self == NULL)
    return;

  g_queue_unlink (&self->order, &ticket->link);
  queue = g_hash_table_lookup (self->addresses, ticket->address);
  g_queue_unlink (queue, &ticket->address_link);
  if (g_queue_is_empty (queue))
    g_hash_table_remove (self->addresses, ticket->address);
  g_clear_object (&ticket->owner);
}

static void
evict (AttendantAdmissionTicket *ticket)
{
  AttendantAdmissionEvictFunc func = ticket->evict;
  gpointer data = ticket->data;

  release (ticket);
  /* May free @ticket. */
  func (data);
}

/* Evicts the tickets of @queue whose connection has already ended. */
static void
sweep (GQueue *queue)
{
  g_autoptr(GPtrArray) dead = g_ptr_array_new ();

  for (GList *l = queue->head; l != NULL; l = l->next)
    {
      AttendantAdmissionTicket *ticket = l->data;

      if (ticket->alive != NULL && !ticket->alive (ticket->data))
        g_ptr_array_add (dead, ticket);
    }

  for (guint i = 0; i < dead->len; i++)
    evict (g_ptr_array_index (dead, i));
}

static void
maybe_log (AttendantAdmission *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->logged_at != 0 && now - self->logged_at < LOG_INTERVAL_US)
    return;

  self->logged_at = now;
  g_message ("connections not yet logged in: %u refused (over %u from one address), "
             "%u of the oldest dropped (over %u in all) since the last such message",
             self->refused, self->per_address, self->evicted, self->total);
  self->refused = 0;
  self->evicted = 0;
}

static void
attendant_admission_finalize (GObject *object)
{
  AttendantAdmission *self = (AttendantAdmission *)object;

  /* Every ticket holds a reference: none is left. */
  g_clear_pointer (&self->addresses, g_hash_table_unref);

  G_OBJECT_CLASS (attendant_admission_parent_class)->finalize (object);
}

static void
attendant_admission_class_init (AttendantAdmissionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = attendant_admission_finalize;
}

static void
attendant_admission_init (AttendantAdmission *self)
{
  g_queue_init (&self->order);
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, queue_free);
}

/**
 * attendant_admission_new:
 * @per_address: connections not yet logged in from one address
 * @total: connections not yet logged in, in all
 */
AttendantAdmission *
attendant_admission_new (guint per_address,
                         guint total)
{
  AttendantAdmission *self;

  g_return_val_if_fail (per_address > 0 && total > 0, NULL);

  self = g_object_new (ATTENDANT_TYPE_ADMISSION, NULL);
  self->per_address = per_address;
  self->total = total;

  return self;
}

/**
 * attendant_admission_admit:
 * @address: the client's address, as text
 * @evict: called if the connection is to be dropped to make room for a
 *   newer one
 * @alive: (nullable): whether the connection is still there
 *
 * Counts a new connection; may evict the oldest to make room for it.
 *
 * Returns: (transfer full) (nullable): its ticket, to be freed when it
 *   logs in or ends; %NULL if @address has too many connections waiting
 *   already, and the new one is to be closed at once
 */
AttendantAdmissionTicket *
attendant_admission_admit (AttendantAdmission          *self,
                           const char                  *address,
                           AttendantAdmissionEvictFunc  evict_func,
                           AttendantAdmissionAliveFunc  alive,
                           gpointer                     data)
{
  AttendantAdmissionTicket *ticket;
  GQueue *queue;

  g_return_val_if_fail (ATTENDANT_IS_ADMISSION (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (evict_func != NULL, NULL);

  queue = g_hash_table_lookup (self->addresses, address);
  if (queue != NULL && queue->length >= self->per_address)
    {
      sweep (queue);
      queue = g_hash_table_lookup (self->addresses, address);
    }
  if (queue != NULL && queue->length >= self->per_address)
    {
      self->refused++;
      maybe_log (self);
      return NULL;
    }

  if (self->order.length >= self->total)
    sweep (&self->order);
  while (self->order.length >= self->total)
    {
      self->evicted++;
      evict (self->order.head->data);
    }
  if (self->evicted > 0)
    maybe_log (self);

  ticket = g_new0 (AttendantAdmissionTicket, 1);
  ticket->owner = g_object_ref (self);
  ticket->address = g_strdup (address);
  ticket->evict = evict_func;
  ticket->alive = alive;
  ticket->data = data;
  ticket->link.data = ticket;
  ticket->address_link.data = ticket;

  queue = g_hash_table_lookup (self->addresses, address);
  if (queue == NULL)
    {
      queue = g_queue_new ();
      g_hash_table_insert (self->addresses, g_strdup (address), queue);
    }
  g_queue_push_tail_link (queue, &ticket->address_link);
  g_queue_push_tail_link (&self->order, &ticket->link);

  return ticket;
}

guint
attendant_admission_get_count (AttendantAdmission *self,
                               const char         *address)
{
  GQueue *queue;

  g_return_val_if_fail (ATTENDANT_IS_ADMISSION (self), 0);
  g_return_val_if_fail (address != NULL, 0);

  queue = g_hash_table_lookup (self->addresses, address);

  return queue != NULL ? queue->length : 0;
}

guint
attendant_admission_get_total (AttendantAdmission *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ADMISSION (self), 0);

  return self->order.length;
}

/**
 * attendant_admission_ticket_set_holder:
 *
 * Hands @ticket to whoever now holds the connection (a session, after
 * the WebSocket handshake).
 */
void
attendant_admission_ticket_set_holder (AttendantAdmissionTicket    *ticket,
                                       AttendantAdmissionEvictFunc  evict_func,
                                       AttendantAdmissionAliveFunc  alive,
                                       gpointer                     data)
{
  g_return_if_fail (ticket != NULL);
  g_return_if_fail (evict_func != NULL);

  ticket->evict = evict_func;
  ticket->alive = alive;
  ticket->data = data;
}

/**
 * attendant_admission_ticket_free:
 *
 * The connection has logged in or ended: it no longer counts.
 */
void
attendant_admission_ticket_free (AttendantAdmissionTicket *ticket)
{
  if (ticket == NULL)
    return;

  release (ticket);
  g_free (ticket->address);
  g_free (ticket);
}
