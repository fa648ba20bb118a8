/* attendant-rate-limit.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-rate-limit"

#include "config.h"

#include "attendant-rate-limit.h"

/* Login attempts per client address in a sliding window (docs/server.md,
 * "Rate limiting"). An attempt is counted when the challenge is issued
 * (auth.start), not when the proof is checked: counting at the proof let
 * 500 connections opened at once all pass the check before the first of
 * them failed. So an address has at most max-failures attempts that are
 * either still open (challenged, proof not yet in) or failed within the
 * window; further auth.starts wait in a queue for an open attempt to end
 * and are refused once the failures alone reach the limit. A correct
 * proof removes its own attempt, so a receptionist's successful logins
 * (a failover storm of a thousand clients behind one NAT address, say)
 * never count against her; they only go max-failures at a time. An
 * attempt abandoned after the challenge counts as a failure, so probes
 * that stop after auth.start are limited too. SCRAM makes every guess
 * cheap for both sides, so the limit is what makes guessing a password
 * over the network slow. Keyed by address, not by user, so that nobody
 * can lock a user out from elsewhere.
 *
 * Addresses that never come back are swept: whenever the table has grown
 * past twice its size after the last sweep, every entry with no failure
 * left in the window, nothing open and nobody waiting is dropped, so the
 * table holds about the addresses active within one window. */

typedef struct
{
  GArray  *failures;   /* gint64, monotonic µs, oldest first */
  guint    open;       /* attempts admitted and not yet ended */
  GQueue   waiters;    /* Waiter */
  gboolean pumping;
} Entry;

typedef struct
{
  AttendantRateLimitReady ready;
  gpointer                user_data;
} Waiter;

#define MIN_SWEEP_SIZE 256

struct _AttendantRateLimit
{
  GObject     parent_instance;

  guint       max_failures;
  gint64      window_us;
  GHashTable *entries;    /* address → Entry */
  guint       sweep_at;   /* sweep when the table grows past this */
};

G_DEFINE_FINAL_TYPE (AttendantRateLimit, attendant_rate_limit, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MAX_FAILURES,
  PROP_WINDOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  /* Only ever freed with nobody waiting: see sweep(). */
  g_queue_clear_full (&entry->waiters, g_free);
  g_array_unref (entry->failures);
  g_free (entry);
}

static void
attendant_rate_limit_finalize (GObject *object)
{
  AttendantRateLimit *self = (AttendantRateLimit *)object;

  g_clear_pointer (&self->entries, g_hash_table_unref);

  G_OBJECT_CLASS (attendant_rate_limit_parent_class)->finalize (object);
}

static void
attendant_rate_limit_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  AttendantRateLimit *self = ATTENDANT_RATE_LIMIT (object);

  switch (prop_id)
    {
    case PROP_MAX_FAILURES:
      g_value_set_uint (value, self->max_failures);
      break;

    case PROP_WINDOW:
      g_value_set_double (value, self->window_us / (double)G_USEC_PER_SEC);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_rate_limit_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  AttendantRateLimit *self = ATTENDANT_RATE_LIMIT (object);

  switch (prop_id)
    {
    case PROP_MAX_FAILURES:
      self->max_failures = g_value_get_uint (value);
      break;

    case PROP_WINDOW:
      self->window_us = (gint64)(g_value_get_double (value) * G_USEC_PER_SEC);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_rate_limit_class_init (AttendantRateLimitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = attendant_rate_limit_finalize;
  object_class->get_property = attendant_rate_limit_get_property;
  object_class->set_property = attendant_rate_limit_set_property;

  properties[PROP_MAX_FAILURES] =
    g_param_spec_uint ("max-failures", NULL, NULL, 1, G_MAXUINT, 5,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS));
  properties[PROP_WINDOW] =
    g_param_spec_double ("window", NULL, NULL, 0.001, 86400 * 365, 60,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_rate_limit_init (AttendantRateLimit *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  self->sweep_at = MIN_SWEEP_SIZE;
}

AttendantRateLimit *
attendant_rate_limit_new (guint  max_failures,
                          double window_seconds)
{
  return g_object_new (ATTENDANT_TYPE_RATE_LIMIT,
                       "max-failures", max_failures,
                       "window", window_seconds,
                       NULL);
}

/* Drops the failures that left the window; returns how many remain. */
static guint
prune (AttendantRateLimit *self,
       Entry              *entry)
{
  gint64 horizon = g_get_monotonic_time () - self->window_us;
  guint old = 0;

  while (old < entry->failures->len && g_array_index (entry->failures, gint64, old) <= horizon)
    old++;
  g_array_remove_range (entry->failures, 0, old);

  return entry->failures->len;
}

static gboolean
is_idle (AttendantRateLimit *self,
         Entry              *entry)
{
  return prune (self, entry) == 0 && entry->open == 0 &&
         g_queue_is_empty (&entry->waiters) && !entry->pumping;
}

static gboolean
sweep_one (gpointer key,
           gpointer value,
           gpointer user_data)
{
  return is_idle (user_data, value);
}

static void
sweep (AttendantRateLimit *self)
{
  g_hash_table_foreach_remove (self->entries, sweep_one, self);
  self->sweep_at = MAX (MIN_SWEEP_SIZE, 2 * g_hash_table_size (self->entries));
}

static Entry *
lookup_entry (AttendantRateLimit *self,
              const char         *address)
{
  Entry *entry = g_hash_table_lookup (self->entries, address);

  if (entry == NULL)
    {
      if (g_hash_table_size (self->entries) >= self->sweep_at)
        sweep (self);

      entry = g_new0 (Entry, 1);
      entry->failures = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_queue_init (&entry->waiters);
      g_hash_table_insert (self->entries, g_strdup (address), entry);
    }

  return entry;
}

/* Admits waiters while there is room, refuses them all once the failures
 * alone fill the limit. A waiter's callback may end or begin attempts of
 * the same address: the outer call goes on with what they left. */
static void
pump (AttendantRateLimit *self,
      Entry              *entry)
{
  if (entry->pumping)
    return;

  entry->pumping = TRUE;
  while (!g_queue_is_empty (&entry->waiters))
    {
      guint failures = prune (self, entry);
      g_autofree Waiter *waiter = NULL;

      if (failures < self->max_failures && failures + entry->open >= self->max_failures)
        break;

      waiter = g_queue_pop_head (&entry->waiters);
      if (failures < self->max_failures)
        entry->open++;
      waiter->ready (failures < self->max_failures, waiter->user_data);
    }
  entry->pumping = FALSE;
}

/**
 * attendant_rate_limit_begin:
 * @ready: called later if the attempt is queued
 *
 * Asks to start a login attempt from @address. %ATTENDANT_RATE_LIMIT_ADMITTED:
 * it is counted from now on, and must be ended with
 * attendant_rate_limit_end(). %ATTENDANT_RATE_LIMIT_QUEUED: @ready will be
 * called (or the wait cancelled with attendant_rate_limit_cancel()); when
 * @ready says admitted, the same holds. %ATTENDANT_RATE_LIMIT_REFUSED: the
 * address has reached its limit.
 */
AttendantRateLimitVerdict
attendant_rate_limit_begin (AttendantRateLimit      *self,
                            const char              *address,
                            AttendantRateLimitReady  ready,
                            gpointer                 user_data)
{
  Entry *entry;
  Waiter *waiter;
  guint failures;

  g_return_val_if_fail (ATTENDANT_IS_RATE_LIMIT (self), ATTENDANT_RATE_LIMIT_REFUSED);
  g_return_val_if_fail (address != NULL, ATTENDANT_RATE_LIMIT_REFUSED);
  g_return_val_if_fail (ready != NULL, ATTENDANT_RATE_LIMIT_REFUSED);

  entry = lookup_entry (self, address);
  failures = prune (self, entry);

  if (failures >= self->max_failures)
    return ATTENDANT_RATE_LIMIT_REFUSED;

  if (failures + entry->open < self->max_failures && g_queue_is_empty (&entry->waiters))
    {
      entry->open++;
      return ATTENDANT_RATE_LIMIT_ADMITTED;
    }

  waiter = g_new0 (Waiter, 1);
  waiter->ready = ready;
  waiter->user_data = user_data;
  g_queue_push_tail (&entry->waiters, waiter);

  return ATTENDANT_RATE_LIMIT_QUEUED;
}

/**
 * attendant_rate_limit_cancel:
 *
 * Forgets the queued attempt of @user_data: its ready callback will not be
 * called. Nothing happens if there is none.
 */
void
attendant_rate_limit_cancel (AttendantRateLimit *self,
                             const char         *address,
                             gpointer            user_data)
{
  Entry *entry;

  g_return_if_fail (ATTENDANT_IS_RATE_LIMIT (self));
  g_return_if_fail (address != NULL);

  if (!(entry = g_hash_table_lookup (self->entries, address)))
    return;

  for (GList *l = entry->waiters.head; l != NULL; l = l->next)
    {
      Waiter *waiter = l->data;

      if (waiter->user_data == user_data)
        {
          g_queue_delete_link (&entry->waiters, l);
          g_free (waiter);
          return;
        }
    }
}

/**
 * attendant_rate_limit_end:
 * @succeeded: whether the proof was right
 *
 * Ends an admitted attempt: a success takes it off the count, anything
 * else (a wrong proof, a malformed message, a client that went away after
 * the challenge) leaves it there as a failure for the window.
 */
void
attendant_rate_limit_end (AttendantRateLimit *self,
                          const char         *address,
                          gboolean            succeeded)
{
  Entry *entry;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (ATTENDANT_IS_RATE_LIMIT (self));
  g_return_if_fail (address != NULL);

  entry = g_hash_table_lookup (self->entries, address);
  g_return_if_fail (entry != NULL && entry->open > 0);

  entry->open--;
  if (!succeeded)
    {
      prune (self, entry);
      /* Only the last max-failures matter; an address hammering the
       * server must not make it keep an ever longer list. */
      if (entry->failures->len >= self->max_failures)
        g_array_remove_index (entry->failures, 0);
      g_array_append_val (entry->failures, now);
    }

  pump (self, entry);
}

/**
 * attendant_rate_limit_get_n_addresses:
 *
 * Returns: how many addresses the table holds (for tests of the sweep)
 */
guint
attendant_rate_limit_get_n_addresses (AttendantRateLimit *self)
{
  g_return_val_if_fail (ATTENDANT_IS_RATE_LIMIT (self), 0);

  return g_hash_table_size (self->entries);
}
