/* attendant-sounds.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-sounds"

#include "config.h"

#include <glib/gi18n.h>

#ifdef HAVE_GSOUND
#include <gsound.h>
#endif

#include "attendant-sounds.h"

/* The console's sounds: a ring when a call comes in, and a chime once
 * per caller who has waited past the alert threshold. Each has its
 * setting, read at the moment of playing, so the Preferences switch
 * applies at once. Events of the freedesktop sound theme through GSound
 * (libcanberra), so the desktop's theme and its "alert sounds" volume and
 * mute apply; a build without GSound plays nothing but still decides
 * (and says, through AttendantSounds::played) what it would play. */

struct _AttendantSounds
{
  GObject           parent_instance;

  GSettings        *settings;
  AttendantConsole *console;
  /* ids of the queued calls already alerted, so one caller chimes once */
  GHashTable       *alerted;
  guint             tick_source;
#ifdef HAVE_GSOUND
  GSoundContext    *context;
  gboolean          context_failed;
#endif
};

G_DEFINE_FINAL_TYPE (AttendantSounds, attendant_sounds, G_TYPE_OBJECT)

enum {
  PLAYED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

AttendantSounds *
attendant_sounds_new (void)
{
  return g_object_new (ATTENDANT_TYPE_SOUNDS, NULL);
}

static const char *
setting_for (const char *event_id)
{
  if (g_str_equal (event_id, ATTENDANT_SOUND_RING))
    return "ring-sound";
  if (g_str_equal (event_id, ATTENDANT_SOUND_WAIT_ALERT))
    return "wait-alert-sound";
  return NULL;
}

/**
 * attendant_sounds_play:
 * @event_id: %ATTENDANT_SOUND_RING or %ATTENDANT_SOUND_WAIT_ALERT
 *
 * Plays the sound if its setting allows it.
 *
 * Returns: whether the setting allowed it
 */
gboolean
attendant_sounds_play (AttendantSounds *self,
                       const char      *event_id)
{
  const char *key;

  g_return_val_if_fail (ATTENDANT_IS_SOUNDS (self), FALSE);
  g_return_val_if_fail (event_id != NULL, FALSE);

  key = setting_for (event_id);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!g_settings_get_boolean (self->settings, key))
    return FALSE;

#ifdef HAVE_GSOUND
  if (self->context == NULL && !self->context_failed)
    {
      g_autoptr(GError) error = NULL;

      /* Only when first needed: a console with sounds off never opens
       * the sound server. */
      self->context = gsound_context_new (NULL, &error);
      if (self->context == NULL)
        {
          self->context_failed = TRUE;
          g_debug ("No sound: %s", error->message);
        }
    }
  if (self->context != NULL)
    gsound_context_play_simple (self->context, NULL, NULL,
                                GSOUND_ATTR_EVENT_ID, event_id,
                                GSOUND_ATTR_EVENT_DESCRIPTION,
                                g_str_equal (event_id, ATTENDANT_SOUND_RING) ?
                                  _("Incoming call") : _("A caller has waited long"),
                                NULL);
#endif

  g_signal_emit (self, signals[PLAYED], 0, event_id);
  return TRUE;
}

static void
on_incoming_call (AttendantSounds *self,
                  AttendantCall   *call)
{
  attendant_sounds_play (self, ATTENDANT_SOUND_RING);
}

static gboolean
tick_cb (gpointer user_data)
{
  AttendantSounds *self = user_data;
  GListModel *queue = attendant_console_get_queue (self->console);
  guint threshold = g_settings_get_uint (self->settings, "wait-alert-seconds");
  gint64 now = g_get_real_time ();
  guint n = g_list_model_get_n_items (queue);
  g_autoptr(GHashTable) queued = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;
  gboolean chime = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(AttendantCall) call = g_list_model_get_item (queue, i);
      const char *id = attendant_call_get_id (call);
      gint64 since = attendant_call_get_since (call);

      g_hash_table_add (queued, (gpointer)id);
      if (since > 0 && (now - since) / G_USEC_PER_SEC >= threshold &&
          !g_hash_table_contains (self->alerted, id))
        {
          g_hash_table_add (self->alerted, g_strdup (id));
          chime = TRUE;
        }
    }

  /* Forget the callers who left the queue, so the table stays small. */
  g_hash_table_iter_init (&iter, self->alerted);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (queued, key))
      g_hash_table_iter_remove (&iter);

  /* One chime for callers crossing together: a burst would only startle. */
  if (chime)
    attendant_sounds_play (self, ATTENDANT_SOUND_WAIT_ALERT);

  if (n == 0)
    {
      self->tick_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* The clock runs only while somebody waits. */
static void
on_queue_changed (AttendantSounds *self)
{
  if (self->tick_source == 0 &&
      g_list_model_get_n_items (attendant_console_get_queue (self->console)) > 0)
    self->tick_source = g_timeout_add_seconds (1, tick_cb, self);
}

void
attendant_sounds_set_console (AttendantSounds  *self,
                              AttendantConsole *console)
{
  g_return_if_fail (ATTENDANT_IS_SOUNDS (self));
  g_return_if_fail (console == NULL || ATTENDANT_IS_CONSOLE (console));

  if (self->console == console)
    return;

  if (self->console != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->console, self);
      g_signal_handlers_disconnect_by_data (attendant_console_get_queue (self->console), self);
    }
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_hash_table_remove_all (self->alerted);
  g_set_object (&self->console, console);

  if (console != NULL)
    {
      g_signal_connect_object (console, "incoming-call", G_CALLBACK (on_incoming_call), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (attendant_console_get_queue (console), "items-changed",
                               G_CALLBACK (on_queue_changed), self, G_CONNECT_SWAPPED);
      on_queue_changed (self);
    }
}

static void
attendant_sounds_dispose (GObject *object)
{
  AttendantSounds *self = ATTENDANT_SOUNDS (object);

  attendant_sounds_set_console (self, NULL);
#ifdef HAVE_GSOUND
  g_clear_object (&self->context);
#endif

  G_OBJECT_CLASS (attendant_sounds_parent_class)->dispose (object);
}

static void
attendant_sounds_finalize (GObject *object)
{
  AttendantSounds *self = ATTENDANT_SOUNDS (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->alerted, g_hash_table_unref);

  G_OBJECT_CLASS (attendant_sounds_parent_class)->finalize (object);
}

static void
attendant_sounds_class_init (AttendantSoundsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_sounds_dispose;
  object_class->finalize = attendant_sounds_finalize;

  /**
   * AttendantSounds::played:
   * @event_id: the sound theme's event id
   *
   * A sound its setting allowed was played (or would have been, in a
   * build without GSound).
   */
  signals[PLAYED] =
    g_signal_new ("played", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
attendant_sounds_init (AttendantSounds *self)
{
  self->settings = g_settings_new (APPLICATION_ID);
  self->alerted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
