/* attendant-rate-limit.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-rate-limit"

#include "config.h"

#include "attendant-rate-limit.h"

/* Failed logins per client address in a sliding window (docs/server.md,
 * "Configuration"): once an address has failed max-failures times within
 * the window, its logins are refused with "rate-limited" until the oldest failure leaves the window.
 * SCRAM makes every guess cost the server a PBKDF2-free proof check only,
 * but it costs the guesser nothing either, so the limit is what makes
 * guessing a password over the network slow. Keyed by address, not by
 * user, so that nobody can lock a user out from elsewhere. */

struct _AttendantRateLimit
{
  GObject     parent_instance;

  guint       max_failures;
  gint64      window_us;
  GHashTable *failures;   /* address → GArray of gint64 (monotonic µs) */
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
attendant_rate_limit_finalize (GObject *object)
{
  AttendantRateLimit *self = (AttendantRateLimit *)object;

  g_clear_pointer (&self->failures, g_hash_table_unref);

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
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)g_array_unref);
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
       const char         *address)
{
  GArray *times = g_hash_table_lookup (self->failures, address);
  gint64 horizon = g_get_monotonic_time () - self->window_us;
  guint old = 0;

  if (times == NULL)
    return 0;

  while (old < times->len && g_array_index (times, gint64, old) <= horizon)
    old++;
  g_array_remove_range (times, 0, old);

  if (times->len == 0)
    {
      g_hash_table_remove (self->failures, address);
      return 0;
    }

  return times->len;
}

gboolean
attendant_rate_limit_is_limited (AttendantRateLimit *self,
                                 const char         *address)
{
  g_return_val_if_fail (ATTENDANT_IS_RATE_LIMIT (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  return prune (self, address) >= self->max_failures;
}

void
attendant_rate_limit_record_failure (AttendantRateLimit *self,
                                     const char         *address)
{
  GArray *times;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (ATTENDANT_IS_RATE_LIMIT (self));
  g_return_if_fail (address != NULL);

  prune (self, address);
  if (!(times = g_hash_table_lookup (self->failures, address)))
    {
      times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->failures, g_strdup (address), times);
    }

  /* Only the last max-failures matter; an address hammering the server
   * must not make it keep an ever longer list. */
  if (times->len >= self->max_failures)
    g_array_remove_index (times, 0);
  g_array_append_val (times, now);
}
