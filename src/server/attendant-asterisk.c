/* attendant-asterisk.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-asterisk"

#include "config.h"

#include "attendant-asterisk.h"
#include "attendant-protocol-names.h"

/* The seam the server is wired to; its calls are still to be written
 * (docs/asterisk.md says what exists): until then it answers every
 * command "internal" and says Asterisk is not connected. */

struct _AttendantAsterisk
{
  GObject       parent_instance;

  AttendantAri *ari;
  char         *endpoint_format;
  char         *waiting_sound;
  char         *moh_class;
  guint         ring_timeout;
  GPtrArray    *queues;      /* JsonObject {id, name} */
  GPtrArray    *contacts;    /* JsonObject {id, name, number, department} */
  GHashTable   *attendants;  /* extension → display name */
};

enum {
  PROP_0,
  PROP_ENDPOINT_FORMAT,
  PROP_RING_TIMEOUT,
  PROP_WAITING_SOUND,
  PROP_MOH_CLASS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void attendant_asterisk_telephony_init (AttendantTelephonyInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AttendantAsterisk, attendant_asterisk, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ATTENDANT_TYPE_TELEPHONY,
                                                      attendant_asterisk_telephony_init))

static guint64
asterisk_get_seq (AttendantTelephony *telephony)
{
  return 0;
}

static GPtrArray *
asterisk_build_snapshot (AttendantTelephony *telephony,
                         const char         *user,
                         const char         *extension)
{
  AttendantAsterisk *self = ATTENDANT_ASTERISK (telephony);
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  JsonObject *snapshot = json_object_new ();
  JsonObject *me = json_object_new ();
  JsonArray *directory = json_array_new ();
  JsonArray *queues = json_array_new ();

  json_object_set_string_member (me, "user", user);
  json_object_set_string_member (me, "extension", extension);
  for (guint i = 0; i < self->contacts->len; i++)
    json_array_add_object_element (directory, json_object_ref (g_ptr_array_index (self->contacts, i)));
  for (guint i = 0; i < self->queues->len; i++)
    json_array_add_object_element (queues, json_object_ref (g_ptr_array_index (self->queues, i)));

  json_object_set_string_member (snapshot, "type", "snapshot");
  json_object_set_int_member (snapshot, "seq", 0);
  json_object_set_object_member (snapshot, "me", me);
  json_object_set_array_member (snapshot, "directory", directory);
  json_object_set_array_member (snapshot, "queues", queues);
  json_object_set_array_member (snapshot, "calls", json_array_new ());
  g_ptr_array_add (messages, snapshot);

  return messages;
}

static JsonArray *
asterisk_list_calls (AttendantTelephony *telephony)
{
  return json_array_new ();
}

static void
refuse (AttendantTelephony  *telephony,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (telephony, cancellable, callback, user_data);

  g_task_set_source_tag (task, refuse);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The Asterisk backend does not carry out commands yet");
}

#define REFUSE_CALL(name) \
  static void \
  asterisk_##name (AttendantTelephony *t, const char *extension, const char *call, \
                   ATTENDANT_TELEPHONY_COMMAND_ARGS) \
  { refuse (t, cancellable, callback, user_data); }
#define REFUSE_TARGET(name) \
  static void \
  asterisk_##name (AttendantTelephony *t, const char *extension, const char *call, \
                   const char *target, ATTENDANT_TELEPHONY_COMMAND_ARGS) \
  { refuse (t, cancellable, callback, user_data); }

REFUSE_CALL (answer)
REFUSE_CALL (hold)
REFUSE_CALL (resume)
REFUSE_CALL (hangup)
REFUSE_TARGET (transfer)
REFUSE_TARGET (consult)
REFUSE_CALL (complete)
REFUSE_CALL (cancel_consult)
REFUSE_CALL (dial)
REFUSE_CALL (set_presence)

static JsonObject *
asterisk_command_finish (AttendantTelephony  *telephony,
                         GAsyncResult        *result,
                         GError             **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *
asterisk_get_unreachable_reason (AttendantTelephony *telephony)
{
  AttendantAsterisk *self = ATTENDANT_ASTERISK (telephony);

  return attendant_ari_get_connected (self->ari) ? NULL : "Asterisk is not connected";
}

static void
attendant_asterisk_telephony_init (AttendantTelephonyInterface *iface)
{
  iface->get_seq = asterisk_get_seq;
  iface->build_snapshot = asterisk_build_snapshot;
  iface->list_calls = asterisk_list_calls;
  iface->answer = asterisk_answer;
  iface->hold = asterisk_hold;
  iface->resume = asterisk_resume;
  iface->hangup = asterisk_hangup;
  iface->transfer = asterisk_transfer;
  iface->consult = asterisk_consult;
  iface->complete = asterisk_complete;
  iface->cancel_consult = asterisk_cancel_consult;
  iface->dial = asterisk_dial;
  iface->set_presence = asterisk_set_presence;
  iface->command_finish = asterisk_command_finish;
  iface->get_unreachable_reason = asterisk_get_unreachable_reason;
}

static void
attendant_asterisk_dispose (GObject *object)
{
  AttendantAsterisk *self = (AttendantAsterisk *)object;

  g_clear_object (&self->ari);

  G_OBJECT_CLASS (attendant_asterisk_parent_class)->dispose (object);
}

static void
attendant_asterisk_finalize (GObject *object)
{
  AttendantAsterisk *self = (AttendantAsterisk *)object;

  g_free (self->endpoint_format);
  g_free (self->waiting_sound);
  g_free (self->moh_class);
  g_ptr_array_unref (self->queues);
  g_ptr_array_unref (self->contacts);
  g_hash_table_unref (self->attendants);

  G_OBJECT_CLASS (attendant_asterisk_parent_class)->finalize (object);
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
attendant_asterisk_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  AttendantAsterisk *self = ATTENDANT_ASTERISK (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT_FORMAT:
      g_value_set_string (value, self->endpoint_format);
      break;
    case PROP_RING_TIMEOUT:
      g_value_set_uint (value, self->ring_timeout);
      break;
    case PROP_WAITING_SOUND:
      g_value_set_string (value, self->waiting_sound);
      break;
    case PROP_MOH_CLASS:
      g_value_set_string (value, self->moh_class);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_asterisk_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  AttendantAsterisk *self = ATTENDANT_ASTERISK (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT_FORMAT:
      if (set_string (&self->endpoint_format, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_RING_TIMEOUT:
      if (self->ring_timeout != g_value_get_uint (value))
        {
          self->ring_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_WAITING_SOUND:
      if (set_string (&self->waiting_sound, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_MOH_CLASS:
      if (set_string (&self->moh_class, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_asterisk_class_init (AttendantAsteriskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_asterisk_dispose;
  object_class->finalize = attendant_asterisk_finalize;
  object_class->get_property = attendant_asterisk_get_property;
  object_class->set_property = attendant_asterisk_set_property;

  properties[PROP_ENDPOINT_FORMAT] =
    g_param_spec_string ("endpoint-format", NULL, NULL, "PJSIP/{extension}",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RING_TIMEOUT] =
    g_param_spec_uint ("ring-timeout", NULL, NULL, 1, 600, 20,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WAITING_SOUND] =
    g_param_spec_string ("waiting-sound", NULL, NULL, "moh",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MOH_CLASS] =
    g_param_spec_string ("moh-class", NULL, NULL, "default",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_asterisk_init (AttendantAsterisk *self)
{
  self->endpoint_format = g_strdup ("PJSIP/{extension}");
  self->waiting_sound = g_strdup ("moh");
  self->moh_class = g_strdup ("default");
  self->ring_timeout = 20;
  self->queues = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  self->contacts = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  self->attendants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

AttendantAsterisk *
attendant_asterisk_new (AttendantAri *ari)
{
  AttendantAsterisk *self;

  g_return_val_if_fail (ATTENDANT_IS_ARI (ari), NULL);

  self = g_object_new (ATTENDANT_TYPE_ASTERISK, NULL);
  self->ari = g_object_ref (ari);
  return self;
}

AttendantAri *
attendant_asterisk_get_ari (AttendantAsterisk *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ASTERISK (self), NULL);
  return self->ari;
}

void
attendant_asterisk_add_queue (AttendantAsterisk *self,
                              const char        *id,
                              const char        *name)
{
  JsonObject *queue;

  g_return_if_fail (ATTENDANT_IS_ASTERISK (self));
  g_return_if_fail (id != NULL);

  queue = json_object_new ();
  json_object_set_string_member (queue, "id", id);
  json_object_set_string_member (queue, "name", name != NULL ? name : id);
  g_ptr_array_add (self->queues, queue);
}

void
attendant_asterisk_add_contact (AttendantAsterisk *self,
                                const char        *number,
                                const char        *name,
                                const char        *department)
{
  JsonObject *contact;
  g_autofree char *id = NULL;

  g_return_if_fail (ATTENDANT_IS_ASTERISK (self));
  g_return_if_fail (number != NULL);

  id = g_strdup_printf ("ext-%s", number);
  contact = json_object_new ();
  json_object_set_string_member (contact, "id", id);
  json_object_set_string_member (contact, "name", name != NULL ? name : number);
  json_object_set_string_member (contact, "number", number);
  json_object_set_string_member (contact, "department", department != NULL ? department : "");
  json_object_set_string_member (contact, "presence", ATTENDANT_PROTOCOL_PRESENCE_OFFLINE);
  g_ptr_array_add (self->contacts, contact);
}

void
attendant_asterisk_add_attendant (AttendantAsterisk *self,
                                  const char        *extension,
                                  const char        *display_name)
{
  g_return_if_fail (ATTENDANT_IS_ASTERISK (self));
  g_return_if_fail (extension != NULL);

  g_hash_table_replace (self->attendants, g_strdup (extension),
                        g_strdup (display_name != NULL ? display_name : extension));
}

void
attendant_asterisk_start (AttendantAsterisk *self)
{
  g_return_if_fail (ATTENDANT_IS_ASTERISK (self));

  attendant_ari_start (self->ari);
}

void
attendant_asterisk_stop (AttendantAsterisk *self)
{
  g_return_if_fail (ATTENDANT_IS_ASTERISK (self));

  attendant_ari_stop (self->ari);
}
