/* test-asterisk-backend.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "attendant-ari.h"
#include "attendant-asterisk.h"
#include "attendant-protocol.h"
#include "attendant-test-phone.h"
#include "attendant-test-wait.h"

/* AttendantAsterisk, the telephone system of a real Asterisk, driven
 * through attendant_telephony_command_async() as a session would, against
 * the shared Asterisk and real baresip phones: 300 is an outside caller
 * (it sends 1000 Hz), 200 the attendant's phone (it sends 700 Hz), 201 and
 * 202 colleagues (1500 and 1800 Hz). Every outcome is checked in Asterisk
 * itself (/channels, /bridges) and, once, in what a phone heard. */

#define CALLER_NUMBER "+390612345678"
#define CALLER_TONE   1000
#define ATTENDANT_TONE 700

static AttendantTestAsterisk *lab;
static AttendantAri *probe;          /* the test's own look at Asterisk */
static AttendantTestPhone *phone300;
static AttendantTestPhone *phone200;
static AttendantTestPhone *phone201;
static AttendantTestPhone *phone202;

/* {{{ Asterisk, as the test sees it */

typedef struct
{
  gboolean  done;
  JsonNode *node;
  GError   *error;
} Result;

static gboolean
result_done (gpointer data)
{
  return ((Result *)data)->done;
}

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->node, json_node_unref);
  g_clear_error (&result->error);
  result->done = FALSE;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static void
request_cb (GObject      *object,
            GAsyncResult *async_result,
            gpointer      user_data)
{
  Result *result = user_data;

  result->node = attendant_ari_request_finish (ATTENDANT_ARI (object), async_result, &result->error);
  result->done = TRUE;
}

/* GET @path from Asterisk; asserts success. */
static JsonNode *
ari_get (const char *path)
{
  g_auto(Result) result = { 0 };

  attendant_ari_request_async (probe, "GET", path, NULL, NULL, request_cb, &result);
  attendant_test_wait_until (result_done, &result, 10000, path);
  g_assert_no_error (result.error);
  return g_steal_pointer (&result.node);
}

static gboolean
endpoint_online (gpointer data)
{
  g_autofree char *path = g_strdup_printf ("endpoints/PJSIP/%s", (const char *)data);
  g_autoptr(JsonNode) node = ari_get (path);

  return g_strcmp0 (attendant_protocol_get_string (json_node_get_object (node), "state"), "online") == 0;
}

static void
wait_registered (AttendantTestPhone *phone)
{
  attendant_test_wait_until (endpoint_online, (gpointer)attendant_test_phone_get_extension (phone),
                             20000, "a phone registered");
}

/* The number of channels Asterisk has (of every kind). */
static guint
count_channels (void)
{
  g_autoptr(JsonNode) node = ari_get ("channels");

  return json_array_get_length (json_node_get_array (node));
}

static gboolean
no_channels (gpointer data)
{
  return count_channels () == 0;
}

static gboolean
channels_at_least (gpointer data)
{
  return count_channels () >= GPOINTER_TO_UINT (data);
}

/* }}} */

/* {{{ The backend, as a session drives it */

static AttendantAri *ari;
static AttendantAsterisk *backend;
static GPtrArray *events;   /* JsonObject: every "event" message */

typedef struct
{
  gboolean    done;
  JsonObject *result;
  GError     *error;
  guint       events_before;   /* events received when the reply came */
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->result, json_object_unref);
  g_clear_error (&reply->error);
  reply->done = FALSE;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static gboolean
reply_done (gpointer data)
{
  return ((Reply *)data)->done;
}

static void
command_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Reply *reply = user_data;

  reply->result = attendant_telephony_command_finish (ATTENDANT_TELEPHONY (object), result, &reply->error);
  reply->events_before = events->len;
  reply->done = TRUE;
}

static void
event_cb (AttendantTelephony *telephony,
          JsonObject         *message,
          gpointer            user_data)
{
  g_ptr_array_add (events, json_object_ref (message));
}

/* Runs @command with @args (JSON text) for the attendant at @extension,
 * on @telephony, and waits for its reply. */
static void
run_on (AttendantTelephony *telephony,
        const char         *extension,
        const char         *command,
        const char         *args,
        Reply              *reply)
{
  g_autoptr(JsonNode) node = json_from_string (args, NULL);

  reply_clear (reply);
  attendant_telephony_command_async (telephony, extension, command, node, NULL, command_cb, reply);
  attendant_test_wait_until (reply_done, reply, 40000, command);
  if (reply->error != NULL)
    g_test_message ("%s %s: %s", command, args, reply->error->message);
}

static void
run (const char *command,
     const char *args,
     Reply      *reply)
{
  run_on (ATTENDANT_TELEPHONY (backend), "200", command, args, reply);
}

static char *
call_args (const char *call,
           const char *target)
{
  if (target != NULL)
    return g_strdup_printf ("{\"call\": \"%s\", \"target\": \"%s\"}", call, target);
  return g_strdup_printf ("{\"call\": \"%s\"}", call);
}

/* Runs a command on a call and asserts it succeeded. */
static void
run_ok (const char *command,
        const char *call,
        const char *target)
{
  g_auto(Reply) reply = { 0 };
  g_autofree char *args = call_args (call, target);

  run (command, args, &reply);
  g_assert_no_error (reply.error);
}

static JsonObject *
find_backend_call (AttendantTelephony *telephony,
                   const char         *id)
{
  g_autoptr(JsonArray) calls = attendant_telephony_list_calls (telephony);

  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonObject *call = json_array_get_object_element (calls, i);

      if (id == NULL || g_strcmp0 (attendant_protocol_get_string (call, "id"), id) == 0)
        return json_object_ref (call);
    }
  return NULL;
}

typedef struct
{
  const char *id;      /* nullable: any call */
  const char *state;
} CallQuery;

static gboolean
call_in_state (gpointer data)
{
  CallQuery *query = data;
  g_autoptr(JsonArray) calls = attendant_telephony_list_calls (ATTENDANT_TELEPHONY (backend));

  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonObject *call = json_array_get_object_element (calls, i);

      if ((query->id == NULL || g_strcmp0 (attendant_protocol_get_string (call, "id"), query->id) == 0) &&
          g_strcmp0 (attendant_protocol_get_string (call, "state"), query->state) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
wait_state (const char *id,
            const char *state,
            guint       timeout_ms)
{
  CallQuery query = { id, state };

  attendant_test_wait_until (call_in_state, &query, timeout_ms, state);
}

static gboolean
backend_reachable (gpointer data)
{
  return attendant_telephony_get_unreachable_reason (ATTENDANT_TELEPHONY (data)) == NULL;
}

static gboolean
no_calls (gpointer data)
{
  g_autoptr(JsonArray) calls = attendant_telephony_list_calls (ATTENDANT_TELEPHONY (data));

  return json_array_get_length (calls) == 0;
}

/* The caller dials the queue; returns the queued call's id. */
static char *
queue_call (void)
{
  JsonObject *call;
  g_autofree char *id = NULL;

  attendant_test_phone_dial (phone300, "100");
  wait_state (NULL, "queued", 10000);
  call = find_backend_call (ATTENDANT_TELEPHONY (backend), NULL);
  id = g_strdup (attendant_protocol_get_string (call, "id"));
  json_object_unref (call);
  return g_steal_pointer (&id);
}

static char *
answered_call (void)
{
  g_autofree char *id = queue_call ();

  run_ok ("call.answer", id, NULL);
  return g_steal_pointer (&id);
}

/* How many channels a call's bridge holds in Asterisk (0: no bridge). */
static guint
bridge_size (const char *call)
{
  g_autofree char *path = g_strdup_printf ("bridges/attendant-%s", call);
  g_auto(Result) result = { 0 };

  attendant_ari_request_async (probe, "GET", path, NULL, NULL, request_cb, &result);
  attendant_test_wait_until (result_done, &result, 10000, path);
  if (g_error_matches (result.error, ATTENDANT_ARI_STATUS_ERROR, 404))
    return 0;
  g_assert_no_error (result.error);
  return json_array_get_length (attendant_protocol_get_array (json_node_get_object (result.node), "channels"));
}

typedef struct
{
  const char *call;
  guint       size;
} BridgeQuery;

static gboolean
bridge_has_size (gpointer data)
{
  BridgeQuery *query = data;

  return bridge_size (query->call) == query->size;
}

static void
wait_bridge_size (const char *call,
                  guint       size)
{
  BridgeQuery query = { call, size };

  attendant_test_wait_until (bridge_has_size, &query, 10000, "a bridge of that size");
}

/* Every bridge of Asterisk with exactly @data channels, counted. */
G_GNUC_UNUSED static guint
bridges_of_size (guint size)
{
  g_autoptr(JsonNode) node = ari_get ("bridges");
  JsonArray *bridges = json_node_get_array (node);
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (bridges); i++)
    if (json_array_get_length (attendant_protocol_get_array (json_array_get_object_element (bridges, i),
                                                             "channels")) == size)
      count++;
  return count;
}

/* The last event about @id: its state ("removed" for call.removed). */
static const char *
last_event_state (const char *id,
                  guint       before)
{
  for (guint i = MIN (before, events->len); i > 0; i--)
    {
      JsonObject *event = g_ptr_array_index (events, i - 1);
      JsonObject *call = attendant_protocol_get_object (event, "call");

      if (g_strcmp0 (attendant_protocol_get_string (event, "event"), "call.removed") == 0 &&
          g_strcmp0 (attendant_protocol_get_string (event, "id"), id) == 0)
        return "removed";
      if (call != NULL && g_strcmp0 (attendant_protocol_get_string (call, "id"), id) == 0)
        return attendant_protocol_get_string (call, "state");
    }
  return NULL;
}

/* Between tests: no call left anywhere. */
static void
clean_up (void)
{
  g_autoptr(JsonNode) node = ari_get ("channels");
  JsonArray *channels = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (channels); i++)
    {
      g_autofree char *path =
        g_strdup_printf ("channels/%s", attendant_protocol_get_string (json_array_get_object_element (channels, i), "id"));

      attendant_ari_request_async (probe, "DELETE", path, NULL, NULL, NULL, NULL);
    }
  attendant_test_wait_until (no_channels, NULL, 10000, "no channels left");
  attendant_test_wait_until (no_calls, backend, 10000, "no calls left");
}

/* }}} */
/* {{{ Recordings */

typedef struct
{
  AttendantTestPhone     *phone;
  guint                   tone_hz;
  AttendantTestToneCount  count;
} Recording;

/* baresip writes a recording through libsndfile, which holds it back
 * until the call is closed on the phone's side, a moment after Asterisk
 * hung it up: the last recording is read until it has sound. */
static gboolean
recording_has_blocks (gpointer data)
{
  Recording *recording = data;
  g_autoptr(GPtrArray) recordings = attendant_test_phone_get_recordings (recording->phone);
  g_autoptr(GError) error = NULL;

  if (recordings->len == 0)
    return FALSE;
  if (!attendant_test_wav_count_tones (g_ptr_array_index (recordings, recordings->len - 1),
                                       recording->tone_hz, &recording->count, &error))
    return FALSE;
  return recording->count.blocks > 0;
}

/* The phone's recording of its last call, sorted into tone blocks. */
static AttendantTestToneCount
last_recording (AttendantTestPhone *phone,
                guint               tone_hz)
{
  Recording recording = { phone, tone_hz, { 0 } };

  attendant_test_wait_until (recording_has_blocks, &recording, 10000, "a recording");
  g_test_message ("%s heard %u blocks: %u of %u Hz, %u of music on hold, %u silent",
                  attendant_test_phone_get_extension (phone), recording.count.blocks, recording.count.tone,
                  tone_hz, recording.count.moh, recording.count.silent);
  return recording.count;
}

/* }}} */
/* {{{ Directory and presence */

/* @number's entry in @telephony's snapshot, or NULL. */
static JsonObject *
snapshot_contact (AttendantTelephony *telephony,
                  const char         *number)
{
  g_autoptr(GPtrArray) messages = attendant_telephony_build_snapshot (telephony, "reception", "200");
  JsonArray *directory = attendant_protocol_get_array (g_ptr_array_index (messages, 0), "directory");

  g_assert_nonnull (directory);
  for (guint i = 0; i < json_array_get_length (directory); i++)
    {
      JsonObject *contact = json_array_get_object_element (directory, i);

      if (g_strcmp0 (attendant_protocol_get_string (contact, "number"), number) == 0)
        return json_object_ref (contact);
    }
  return NULL;
}

typedef struct
{
  AttendantTelephony *telephony;
  const char         *number;
  const char         *presence;
} SnapshotQuery;

static gboolean
snapshot_shows (gpointer data)
{
  SnapshotQuery *query = data;
  g_autoptr(JsonObject) contact = snapshot_contact (query->telephony, query->number);

  return contact != NULL && g_strcmp0 (attendant_protocol_get_string (contact, "presence"), query->presence) == 0;
}

typedef struct
{
  GPtrArray  *events;
  guint       from;
  const char *number;
  const char *presence;
} PresenceQuery;

/* A "presence" event of @number's contact showing @presence, from the
 * query's first event on. */
static gboolean
presence_event_seen (gpointer data)
{
  PresenceQuery *query = data;
  g_autofree char *id = g_strconcat ("ext-", query->number, NULL);

  for (guint i = query->from; i < query->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (query->events, i);

      if (g_strcmp0 (attendant_protocol_get_string (event, "event"), "presence") == 0 &&
          g_strcmp0 (attendant_protocol_get_string (event, "id"), id) == 0 &&
          g_strcmp0 (attendant_protocol_get_string (event, "presence"), query->presence) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
wait_presence_event (guint       from,
                     const char *number,
                     const char *presence,
                     guint       timeout_ms)
{
  PresenceQuery query = { events, from, number, presence };
  g_autofree char *what = g_strdup_printf ("%s %s (a presence event)", number, presence);

  attendant_test_wait_until (presence_event_seen, &query, timeout_ms, what);
}

/* The backend's events from @from on follow each other in its sequence. */
static void
assert_sequence (guint from)
{
  for (guint i = MAX (from, 1); i < events->len; i++)
    g_assert_cmpint (attendant_protocol_get_int (g_ptr_array_index (events, i), "seq", -1), ==,
                     attendant_protocol_get_int (g_ptr_array_index (events, i - 1), "seq", -1) + 1);
}

static gboolean
channel_to_is_up (gpointer data)
{
  g_autoptr(JsonNode) node = ari_get ("channels");
  JsonArray *channels = json_node_get_array (node);
  g_autofree char *prefix = g_strconcat ("PJSIP/", (const char *)data, "-", NULL);

  for (guint i = 0; i < json_array_get_length (channels); i++)
    {
      JsonObject *channel = json_array_get_object_element (channels, i);

      if (g_str_has_prefix (attendant_protocol_get_string (channel, "name"), prefix) &&
          g_strcmp0 (attendant_protocol_get_string (channel, "state"), "Up") == 0)
        return TRUE;
    }
  return FALSE;
}

/* The snapshot's directory is Asterisk's PJSIP endpoints, sorted by
 * number, named from their caller ID unless the directory file names
 * them (202), with their presence: registered and idle is "available",
 * never registered "offline". */
static void
test_directory (void)
{
  g_autoptr(GPtrArray) messages = attendant_telephony_build_snapshot (ATTENDANT_TELEPHONY (backend),
                                                                      "reception", "200");
  JsonArray *directory = attendant_protocol_get_array (g_ptr_array_index (messages, 0), "directory");
  const char *numbers[] = { "200", "201", "202", "203", "300" };
  const char *names[] = { "Reception", "Bruno Bianchi", "Carla Conti, front desk", "Dario De Luca", "Outside Caller" };
  const char *presences[] = { "available", "available", "available", "offline", "available" };

  g_assert_cmpuint (json_array_get_length (directory), ==, G_N_ELEMENTS (numbers));
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      JsonObject *contact = json_array_get_object_element (directory, i);
      g_autofree char *id = g_strconcat ("ext-", numbers[i], NULL);

      g_assert_cmpstr (attendant_protocol_get_string (contact, "id"), ==, id);
      g_assert_cmpstr (attendant_protocol_get_string (contact, "number"), ==, numbers[i]);
      g_assert_cmpstr (attendant_protocol_get_string (contact, "name"), ==, names[i]);
      g_assert_cmpstr (attendant_protocol_get_string (contact, "presence"), ==, presences[i]);
    }
  g_assert_cmpstr (attendant_protocol_get_string (json_array_get_object_element (directory, 2), "department"),
                   ==, "Sales");
}

/* A colleague ringing, answering and hanging up: "presence" events in
 * the backend's sequence, each within a second of Asterisk's own record
 * of the change (the channel in /channels). */
static void
test_presence_events (void)
{
  guint from = events->len;
  gint64 seen;

  attendant_test_phone_set_auto_answer (phone202, FALSE);
  attendant_test_phone_dial (phone201, "202");
  attendant_test_wait_until (channels_at_least, GUINT_TO_POINTER (2), 10000, "201 calling 202");
  wait_presence_event (from, "202", "ringing", 1000);
  wait_presence_event (from, "201", "busy", 1000);

  attendant_test_phone_accept (phone202);
  attendant_test_wait_until (channel_to_is_up, (gpointer)"202", 10000, "202 answering");
  wait_presence_event (from, "202", "busy", 1000);

  attendant_test_phone_hangup (phone201);
  attendant_test_wait_until (no_channels, NULL, 10000, "the call over");
  seen = g_get_monotonic_time ();
  wait_presence_event (from, "201", "available", 1000);
  wait_presence_event (from, "202", "available", 1000);
  g_test_message ("back to available %" G_GINT64_FORMAT " ms after the channels went",
                  (g_get_monotonic_time () - seen) / 1000);
  assert_sequence (from);

  attendant_test_phone_set_auto_answer (phone202, TRUE);
  {
    SnapshotQuery query = { ATTENDANT_TELEPHONY (backend), "202", "available" };

    g_assert_true (snapshot_shows (&query));
  }
}

static void
other_event_cb (AttendantTelephony *telephony,
                JsonObject         *message,
                GPtrArray          *other_events)
{
  g_ptr_array_add (other_events, json_object_ref (message));
}

/* presence.set stores the attendant's presence in Asterisk: the event
 * comes before the reply, and another node (its own connections) shows it
 * in its snapshot and follows a change with its own event. A presence that
 * is not one is invalid-args. The other node's shared application has
 * another name, so that the first keeps the queue for the next tests. */
static void
test_presence_set (void)
{
  g_autofree char *url = attendant_test_asterisk_get_url (lab);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttendantAri) other_ari = attendant_ari_new (url, "attendant", "ari-secret", "attendant-presence", &error);
  g_autoptr(AttendantAsterisk) other = NULL;
  g_autoptr(GPtrArray) other_events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  g_auto(Reply) reply = { 0 };
  guint from = events->len;

  g_assert_no_error (error);
  run ("presence.set", "{\"presence\": \"dnd\"}", &reply);
  g_assert_no_error (reply.error);
  {
    PresenceQuery query = { events, from, "200", "dnd" };

    g_assert_true (presence_event_seen (&query));
    /* Among the events before the reply. */
    query.events = g_ptr_array_new ();
    for (guint i = 0; i < reply.events_before; i++)
      g_ptr_array_add (query.events, g_ptr_array_index (events, i));
    g_assert_true (presence_event_seen (&query));
    g_ptr_array_unref (query.events);
  }

  run ("presence.set", "{\"presence\": \"ringing\"}", &reply);
  g_assert_error (reply.error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS);

  other = attendant_asterisk_new (other_ari);
  attendant_asterisk_add_queue (other, "main", "Reception");
  g_signal_connect (other, "event", G_CALLBACK (other_event_cb), other_events);
  attendant_asterisk_start (other);
  attendant_test_wait_until (backend_reachable, other, 20000, "the second node connected");
  {
    SnapshotQuery query = { ATTENDANT_TELEPHONY (other), "200", "dnd" };

    attendant_test_wait_until (snapshot_shows, &query, 5000, "dnd read by the second node");
  }

  run ("presence.set", "{\"presence\": \"available\"}", &reply);
  g_assert_no_error (reply.error);
  {
    PresenceQuery query = { other_events, 0, "200", "available" };

    attendant_test_wait_until (presence_event_seen, &query, 1000, "the second node's presence event");
  }
  attendant_asterisk_stop (other);
}

/* }}} */
/* {{{ Tests */

/* The lab itself: a phone dials another through the dialplan (2XX), both
 * answer by themselves, and each records the other's tone. */
static void
test_phones (void)
{
  AttendantTestToneCount heard;

  attendant_test_phone_dial (phone201, "202");
  attendant_test_wait_until (channels_at_least, GUINT_TO_POINTER (2), 10000, "201 calling 202");
  attendant_test_run_for (1500);
  attendant_test_phone_hangup (phone201);
  attendant_test_wait_until (no_channels, NULL, 10000, "the call over");

  heard = last_recording (phone202, 1500);
  g_assert_cmpuint (heard.tone, >, 10);
  heard = last_recording (phone201, 1800);
  g_assert_cmpuint (heard.tone, >, 10);
  g_assert_cmpuint (heard.moh, ==, 0);
}


static gboolean
channel_is_up (gpointer data)
{
  g_autoptr(JsonNode) channel = ari_get (data);

  return g_strcmp0 (attendant_protocol_get_string (json_node_get_object (channel), "state"), "Up") == 0;
}

/* A call to the queue (100) is a queued call with the caller's number
 * and name, answered by Asterisk and hearing music on hold; the caller
 * hanging up ends it: "ended", then removed. */
static void
test_queue (void)
{
  g_autofree char *id = queue_call ();
  g_autoptr(JsonObject) call = find_backend_call (ATTENDANT_TELEPHONY (backend), id);
  g_autofree char *channel_path = g_strdup_printf ("channels/%s", id + strlen ("call-"));
  guint before;

  g_assert_cmpstr (attendant_protocol_get_string (call, "caller_number"), ==, CALLER_NUMBER);
  g_assert_cmpstr (attendant_protocol_get_string (call, "caller_name"), ==, "Outside Caller");
  g_assert_cmpstr (attendant_protocol_get_string (call, "queue"), ==, "main");
  /* The call is listed at once; Asterisk answers it right after. */
  attendant_test_wait_until (channel_is_up, channel_path, 5000, "the queued call answered");

  attendant_test_run_for (1000);
  before = events->len;
  attendant_test_phone_hangup (phone300);
  attendant_test_wait_until (no_calls, backend, 10000, "the queued call gone");
  /* Presence events (the caller's phone free again) may come between. */
  {
    guint removed = events->len;

    while (removed > 0 && g_strcmp0 (attendant_protocol_get_string (g_ptr_array_index (events, removed - 1), "event"),
                                     "call.removed") != 0)
      removed--;
    g_assert_cmpstr (last_event_state (id, removed - 1), ==, "ended");
    g_assert_cmpstr (last_event_state (id, removed), ==, "removed");
    g_assert_cmpuint (removed, >=, before + 2);
  }

  /* What the caller heard while queued: the music on hold. */
  attendant_test_wait_until (no_channels, NULL, 10000, "no channels left");
  g_assert_cmpuint (last_recording (phone300, CALLER_TONE).moh, >, 5);
  clean_up ();
}

/* With waiting-sound "ringing", a queued caller is not answered (it hears
 * ringing); answering the call answers it and bridges it. */
static void
test_queue_ringing (void)
{
  g_autofree char *id = NULL;
  g_autofree char *channel_path = NULL;

  g_object_set (backend, "waiting-sound", "ringing", NULL);
  id = queue_call ();
  channel_path = g_strdup_printf ("channels/%s", id + strlen ("call-"));
  attendant_test_run_for (500);
  {
    g_autoptr(JsonNode) channel = ari_get (channel_path);

    g_assert_cmpstr (attendant_protocol_get_string (json_node_get_object (channel), "state"), ==, "Ring");
  }
  run_ok ("call.answer", id, NULL);
  g_assert_true (channel_is_up (channel_path));
  g_assert_cmpuint (bridge_size (id), ==, 2);
  g_object_set (backend, "waiting-sound", "moh", NULL);
  run_ok ("call.hangup", id, NULL);
  clean_up ();
}

/* Answer rings the attendant's phone and bridges it with the caller, and
 * replies once the bridge holds both; hold takes the phone out (the caller
 * hears music on hold), resume puts it back; hang up ends everything.
 * What each phone heard proves the media. */
static void
test_answer_hold_resume_hangup (void)
{
  g_autofree char *id = queue_call ();
  g_auto(Reply) reply = { 0 };
  g_autofree char *args = call_args (id, NULL);
  AttendantTestToneCount heard;

  run ("call.answer", args, &reply);
  g_assert_no_error (reply.error);
  g_assert_cmpstr (last_event_state (id, reply.events_before), ==, "active");
  g_assert_cmpuint (bridge_size (id), ==, 2);
  attendant_test_run_for (1000);

  run ("call.hold", args, &reply);
  g_assert_no_error (reply.error);
  g_assert_cmpstr (last_event_state (id, reply.events_before), ==, "held");
  g_assert_cmpuint (bridge_size (id), ==, 1);
  attendant_test_run_for (1000);

  run ("call.resume", args, &reply);
  g_assert_no_error (reply.error);
  g_assert_cmpstr (last_event_state (id, reply.events_before), ==, "active");
  g_assert_cmpuint (bridge_size (id), ==, 2);
  attendant_test_run_for (1000);

  run ("call.hangup", args, &reply);
  g_assert_no_error (reply.error);
  g_assert_cmpstr (last_event_state (id, reply.events_before), ==, "removed");
  g_assert_true (no_calls (backend));
  attendant_test_wait_until (no_channels, NULL, 10000, "every channel hung up");

  heard = last_recording (phone200, CALLER_TONE);
  g_assert_cmpuint (heard.tone, >, 20);
  heard = last_recording (phone300, ATTENDANT_TONE);
  g_assert_cmpuint (heard.tone, >, 20);
  g_assert_cmpuint (heard.moh, >, 5);

  /* A call that is not there. */
  run ("call.hold", args, &reply);
  g_assert_error (reply.error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND);
  clean_up ();
}

static gboolean
two_queued (gpointer data)
{
  g_autoptr(JsonArray) calls = attendant_telephony_list_calls (ATTENDANT_TELEPHONY (backend));
  guint queued = 0;

  for (guint i = 0; i < json_array_get_length (calls); i++)
    if (g_strcmp0 (attendant_protocol_get_string (json_array_get_object_element (calls, i), "state"),
                   "queued") == 0)
      queued++;
  return queued == 2;
}

/* The receptionist's usual rhythm: a call answered, held, resumed and hung
 * up, and the next caller in the queue answered at once. Hanging up puts
 * the attendant's phone down (nothing is left for it); the next answer
 * must ring it again rather than reach for the phone being put down, which
 * would end the new call as it is connected. Several rounds, as it was a
 * race. */
static void
test_answer_after_hangup (void)
{
  for (guint round = 0; round < 4; round++)
    {
      g_autoptr(JsonArray) calls = NULL;
      g_autofree char *first = NULL;
      g_autofree char *next = NULL;
      g_auto(Reply) reply = { 0 };
      g_autofree char *args = NULL;

      attendant_test_phone_dial (phone300, "100");
      wait_state (NULL, "queued", 10000);
      attendant_test_phone_dial (phone201, "100");
      attendant_test_wait_until (two_queued, NULL, 10000, "two callers in the queue");
      calls = attendant_telephony_list_calls (ATTENDANT_TELEPHONY (backend));
      first = g_strdup (attendant_protocol_get_string (json_array_get_object_element (calls, 0), "id"));
      next = g_strdup (attendant_protocol_get_string (json_array_get_object_element (calls, 1), "id"));

      run_ok ("call.answer", first, NULL);
      run_ok ("call.hold", first, NULL);
      run_ok ("call.resume", first, NULL);
      run_ok ("call.hangup", first, NULL);

      args = call_args (next, NULL);
      run ("call.answer", args, &reply);
      g_assert_no_error (reply.error);
      g_assert_cmpstr (last_event_state (next, reply.events_before), ==, "active");
      g_assert_cmpuint (bridge_size (next), ==, 2);
      /* Still connected a moment later: the old phone's end did not take
       * the new call with it. */
      attendant_test_run_for (500);
      g_assert_cmpuint (bridge_size (next), ==, 2);
      wait_state (next, "active", 1000);

      run_ok ("call.hangup", next, NULL);
      attendant_test_wait_until (no_channels, NULL, 10000, "every channel hung up");
      clean_up ();
    }
}

/* The caller hangs up while held, and while answered: the call ends, and
 * the attendant's phone is hung up with it. */
static void
test_caller_hangs_up (void)
{
  g_autofree char *id = answered_call ();
  guint before = events->len;

  run_ok ("call.hold", id, NULL);
  attendant_test_phone_hangup (phone300);
  attendant_test_wait_until (no_calls, backend, 10000, "the held call gone");
  attendant_test_wait_until (no_channels, NULL, 10000, "the attendant's phone hung up");
  g_assert_cmpstr (last_event_state (id, events->len), ==, "removed");
  g_assert_cmpuint (events->len, >, before);

  g_free (id);
  id = answered_call ();
  attendant_test_phone_hangup (phone300);
  attendant_test_wait_until (no_calls, backend, 10000, "the active call gone");
  attendant_test_wait_until (no_channels, NULL, 10000, "the attendant's phone hung up");
  clean_up ();
}


static gboolean
call_removed (gpointer data)
{
  g_autoptr(JsonObject) call = find_backend_call (ATTENDANT_TELEPHONY (backend), data);

  return call == NULL;
}

/* Blind transfer to 201, which answers: the call leaves the console, and
 * Asterisk has the caller and 201 in one bridge; 201 hears the caller's
 * tone (the media proof). The caller hanging up ends 201's side too. */
static void
test_transfer_answered (void)
{
  g_autofree char *id = answered_call ();
  g_auto(Reply) reply = { 0 };
  g_autofree char *args = call_args (id, "201");
  JsonObject *call;
  AttendantTestToneCount heard;

  run ("call.transfer", args, &reply);
  g_assert_no_error (reply.error);
  g_assert_cmpstr (last_event_state (id, reply.events_before), ==, "transferring");
  call = find_backend_call (ATTENDANT_TELEPHONY (backend), id);
  g_assert_cmpstr (attendant_protocol_get_string (call, "peer"), ==, "201");
  json_object_unref (call);

  attendant_test_wait_until (call_removed, id, 10000, "the transfer answered");
  attendant_test_wait_until (channels_at_least, GUINT_TO_POINTER (2), 5000, "caller and 201");
  g_assert_cmpuint (bridge_size (id), ==, 2);
  attendant_test_run_for (1500);
  /* The attendant's phone was put down: only the caller and 201. */
  g_assert_cmpuint (count_channels (), ==, 2);

  attendant_test_phone_hangup (phone300);
  attendant_test_wait_until (no_channels, NULL, 10000, "201 hung up with the caller");
  heard = last_recording (phone201, CALLER_TONE);
  g_assert_cmpuint (heard.tone, >, 15);
  clean_up ();
}

/* 202 lets it ring: after the ring timeout the call comes back to the
 * attendant, ringing, recalled; the attendant answers it again. */
static void
test_transfer_recall (void)
{
  g_autofree char *id = answered_call ();
  JsonObject *call;

  attendant_test_phone_set_auto_answer (phone202, FALSE);
  run_ok ("call.transfer", id, "202");
  wait_state (id, "ringing", 15000);
  call = find_backend_call (ATTENDANT_TELEPHONY (backend), id);
  g_assert_true (json_object_get_boolean_member (call, "recalled"));
  g_assert_cmpstr (attendant_protocol_get_string (call, "attendant"), ==, "200");
  json_object_unref (call);
  attendant_test_phone_set_auto_answer (phone202, TRUE);

  run_ok ("call.answer", id, NULL);
  g_assert_cmpuint (bridge_size (id), ==, 2);
  run_ok ("call.hangup", id, NULL);
  clean_up ();
}

/* Targets that cannot take the call: an extension Asterisk does not have
 * (not-found), one not registered or a colleague already on a call, as the
 * directory shows them (busy), a number that is not one and the
 * attendant's own (invalid-args). */
static void
test_busy_targets (void)
{
  g_autofree char *id = answered_call ();
  g_auto(Reply) reply = { 0 };
  g_autofree char *missing = call_args (id, "299");
  g_autofree char *offline = call_args (id, "203");
  g_autofree char *busy = call_args (id, "201");
  g_autofree char *own = call_args (id, "200");
  g_autofree char *bad = call_args (id, "20x");

  run ("call.transfer", missing, &reply);
  g_assert_error (reply.error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_NOT_FOUND);
  run ("call.transfer", offline, &reply);
  g_assert_error (reply.error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_BUSY);
  run ("call.transfer", own, &reply);
  g_assert_error (reply.error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS);
  run ("call.consult", bad, &reply);
  g_assert_error (reply.error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS);

  attendant_test_phone_dial (phone201, "202");
  attendant_test_wait_until (channels_at_least, GUINT_TO_POINTER (4), 10000, "201 on a call");
  {
    SnapshotQuery query = { ATTENDANT_TELEPHONY (backend), "201", "busy" };

    /* As the console shows it. */
    attendant_test_wait_until (snapshot_shows, &query, 1000, "201 busy in the directory");
  }
  run ("call.transfer", busy, &reply);
  g_assert_error (reply.error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_BUSY);
  run ("call.consult", busy, &reply);
  g_assert_error (reply.error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_BUSY);

  /* The call is still the attendant's, active. */
  g_assert_true (call_in_state (&(CallQuery){ id, "active" }));
  g_assert_cmpuint (bridge_size (id), ==, 2);
  attendant_test_phone_hangup (phone201);
  clean_up ();
}

static char *
consult (const char *id,
         const char *target)
{
  g_auto(Reply) reply = { 0 };
  g_autofree char *args = call_args (id, target);
  JsonObject *leg;

  run ("call.consult", args, &reply);
  g_assert_no_error (reply.error);
  leg = attendant_protocol_get_object (reply.result, "call");
  g_assert_nonnull (leg);
  g_assert_cmpstr (attendant_protocol_get_string (leg, "state"), ==, "consulting");
  g_assert_cmpstr (last_event_state (id, reply.events_before), ==, "held");
  return g_strdup (attendant_protocol_get_string (leg, "id"));
}

/* Consult 201 (the caller held, the attendant talks to 201 in a bridge of
 * their own), then complete: caller and 201 in one bridge, both calls off
 * the console. */
static void
test_consult_complete (void)
{
  g_autofree char *id = answered_call ();
  g_autofree char *leg = consult (id, "201");
  g_auto(Reply) reply = { 0 };
  g_autofree char *args = call_args (id, NULL);

  attendant_test_wait_until (channels_at_least, GUINT_TO_POINTER (3), 10000, "201 rung");
  g_assert_cmpuint (bridge_size (id), ==, 1);
  wait_bridge_size (leg, 2);

  run ("call.complete", args, &reply);
  g_assert_no_error (reply.error);
  g_assert_cmpstr (last_event_state (id, reply.events_before), ==, "removed");
  g_assert_cmpstr (last_event_state (leg, reply.events_before), ==, "removed");
  g_assert_true (no_calls (backend));
  g_assert_cmpuint (bridge_size (id), ==, 2);
  attendant_test_wait_until (channels_at_least, GUINT_TO_POINTER (2), 1000, "caller and 201");
  clean_up ();
}

/* Consult 201, then cancel: the consultation ends, the caller is back with
 * the attendant. */
static void
test_consult_cancel (void)
{
  g_autofree char *id = answered_call ();
  g_autofree char *leg = consult (id, "201");
  g_auto(Reply) reply = { 0 };
  g_autofree char *args = call_args (leg, NULL);

  wait_bridge_size (leg, 2);

  run ("call.cancel-consult", args, &reply);
  g_assert_no_error (reply.error);
  g_assert_cmpstr (last_event_state (leg, reply.events_before), ==, "removed");
  g_assert_cmpstr (last_event_state (id, reply.events_before), ==, "active");
  g_assert_cmpuint (bridge_size (id), ==, 2);
  g_assert_cmpuint (bridge_size (leg), ==, 0);
  run_ok ("call.hangup", id, NULL);
  clean_up ();
}

/* Dial rings the attendant's phone, then the number; 201 answers and the
 * two are bridged. */
static void
test_dial (void)
{
  g_auto(Reply) reply = { 0 };
  JsonObject *call;
  g_autofree char *id = NULL;

  run ("dial", "{\"number\": \"201\"}", &reply);
  g_assert_no_error (reply.error);
  call = attendant_protocol_get_object (reply.result, "call");
  g_assert_cmpstr (attendant_protocol_get_string (call, "state"), ==, "active");
  g_assert_cmpstr (attendant_protocol_get_string (call, "caller_number"), ==, "201");
  id = g_strdup (attendant_protocol_get_string (call, "id"));
  wait_bridge_size (id, 2);
  run_ok ("call.hangup", id, NULL);
  clean_up ();
}


#define ANSWER_HEADER "Call-Info: <sip:attendant>;answer-after=0"

static gboolean
phone200_got_header (gpointer data)
{
  g_autofree char *log = attendant_test_phone_get_log (phone200);

  return strstr (log, ANSWER_HEADER) != NULL;
}

static gboolean
phone200_got_invite (gpointer data)
{
  g_autofree char *log = attendant_test_phone_get_log (phone200);

  return strstr (log, "INVITE sip:") != NULL;
}

/* answer-header= goes with the INVITE that rings the attendant's phone
 * (phones that honour it answer by themselves), as phone 200's SIP trace
 * shows; without it, none. (baresip 1.0 honours no such header: the
 * phone answers as it is set to.) */
static void
test_answer_header (void)
{
  g_autofree char *id = NULL;
  g_autofree char *without = NULL;

  without = answered_call ();
  attendant_test_wait_until (phone200_got_invite, NULL, 5000, "200's INVITE in its trace");
  g_assert_false (phone200_got_header (NULL));
  run_ok ("call.hangup", without, NULL);
  clean_up ();

  g_object_set (backend, "answer-header", ANSWER_HEADER, NULL);
  id = answered_call ();
  attendant_test_wait_until (phone200_got_header, NULL, 5000, "the header in 200's INVITE");
  g_object_set (backend, "answer-header", NULL, NULL);
  run_ok ("call.hangup", id, NULL);
  clean_up ();
}

/* The caller hangs up while a transfer rings 202 (202 stops ringing), and
 * while the attendant consults 201 (the attendant goes on with 201). */
static void
test_caller_hangs_up_mid_flow (void)
{
  g_autofree char *id = answered_call ();
  g_autofree char *leg = NULL;
  JsonObject *call;

  attendant_test_phone_set_auto_answer (phone202, FALSE);
  run_ok ("call.transfer", id, "202");
  attendant_test_wait_until (channels_at_least, GUINT_TO_POINTER (2), 5000, "202 ringing");
  attendant_test_phone_hangup (phone300);
  attendant_test_wait_until (no_calls, backend, 10000, "the transferred call gone");
  attendant_test_wait_until (no_channels, NULL, 10000, "202 no longer rung");
  attendant_test_phone_set_auto_answer (phone202, TRUE);

  g_free (id);
  id = answered_call ();
  leg = consult (id, "201");
  wait_bridge_size (leg, 2);
  attendant_test_phone_hangup (phone300);
  attendant_test_wait_until (call_removed, id, 10000, "the held caller gone");
  wait_state (leg, "active", 5000);
  call = find_backend_call (ATTENDANT_TELEPHONY (backend), leg);
  g_assert_cmpstr (attendant_protocol_get_string (call, "attendant"), ==, "200");
  json_object_unref (call);
  g_assert_cmpuint (bridge_size (leg), ==, 2);
  run_ok ("call.hangup", leg, NULL);
  clean_up ();
}


static char *
calls_text (AttendantTelephony *telephony)
{
  g_autoptr(JsonArray) calls = attendant_telephony_list_calls (telephony);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  json_node_set_array (node, calls);
  return json_to_string (node, FALSE);
}

typedef struct
{
  AttendantTelephony *a;
  AttendantTelephony *b;
} Pair;

static gboolean
same_calls (gpointer data)
{
  Pair *pair = data;
  g_autofree char *a = calls_text (pair->a);
  g_autofree char *b = calls_text (pair->b);

  return g_str_equal (a, b);
}

static void
reset_cb (AttendantTelephony *telephony,
          guint              *resets)
{
  (*resets)++;
}

/* A second node in front of the same Asterisk: it takes the shared
 * application (the newest does), rebuilds the calls from Asterisk — the
 * same list as the first node, a held call and a queued one — and can act
 * on them; each node follows the other's changes; when the second node
 * stops, the first takes the queue back and gets the next caller. */
static gboolean
ari_connected (gpointer data)
{
  return attendant_ari_get_connected (data);
}

static void
test_two_nodes (void)
{
  g_autofree char *url = attendant_test_asterisk_get_url (lab);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttendantAri) other_ari = attendant_ari_new (url, "attendant", "ari-secret", "attendant", &error);
  g_autoptr(AttendantAsterisk) other = NULL;
  g_autoptr(AttendantTestPhone) phone203 = NULL;
  g_autofree char *held = answered_call ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  Pair pair;
  guint resets = 0;
  g_auto(Reply) reply = { 0 };
  g_autofree char *args = call_args (held, NULL);

  g_assert_no_error (error);
  run_ok ("call.hold", held, NULL);
  phone203 = attendant_test_phone_start (lab, "203", "p203", 1200);
  wait_registered (phone203);
  attendant_test_phone_dial (phone203, "100");
  attendant_test_wait_until (channels_at_least, GUINT_TO_POINTER (3), 10000, "203 calling the queue");
  wait_state (NULL, "queued", 10000);

  other = attendant_asterisk_new (other_ari);
  g_object_set (other, "ring-timeout", 4, NULL);
  attendant_asterisk_add_queue (other, "main", "Reception");
  g_signal_connect (other, "reset", G_CALLBACK (reset_cb), &resets);
  attendant_asterisk_start (other);
  attendant_test_wait_until (backend_reachable, other, 20000, "the second node connected");
  g_assert_cmpuint (resets, ==, 1);

  /* The same picture, rebuilt from Asterisk alone. */
  pair.a = ATTENDANT_TELEPHONY (backend);
  pair.b = ATTENDANT_TELEPHONY (other);
  before = calls_text (pair.a);
  after = calls_text (pair.b);
  g_test_message ("first node: %s", before);
  g_assert_cmpstr (before, ==, after);
  g_assert_nonnull (strstr (after, "\"held\""));
  g_assert_nonnull (strstr (after, "\"queued\""));
  /* The first node still serves its clients: its own application
   * follows every event. */
  g_assert_null (attendant_telephony_get_unreachable_reason (ATTENDANT_TELEPHONY (backend)));

  /* The second node acts on the held call; the first follows. */
  run_on (ATTENDANT_TELEPHONY (other), "200", "call.resume", args, &reply);
  g_assert_no_error (reply.error);
  g_assert_cmpuint (bridge_size (held), ==, 2);
  /* With the attendant's phone the first node rang: no second line. */
  g_assert_cmpuint (count_channels (), ==, 3);
  attendant_test_wait_until (same_calls, &pair, 5000, "the first node following the second");

  /* The second node goes: the first takes the queue back. */
  attendant_asterisk_stop (other);
  attendant_test_phone_hangup (phone203);
  attendant_test_wait_until (channels_at_least, GUINT_TO_POINTER (2), 1000, "203 gone");
  /* A caller reaches a node only once it holds the shared application. */
  attendant_test_wait_until (ari_connected, attendant_asterisk_get_ari (backend), 10000,
                             "the first node holding the queue again");
  attendant_test_phone_dial (phone203, "100");
  {
    CallQuery query = { NULL, "queued" };

    attendant_test_wait_until (call_in_state, &query, 10000, "the next caller on the first node");
  }
  run_ok ("call.hangup", held, NULL);
  clean_up ();
}


/* }}} */


static void
availability_cb (AttendantTelephony *telephony,
                 guint              *changes)
{
  (*changes)++;
}

/* Before a wait for a node fails: what it says. */
static void
say_why_unreachable (gpointer data,
                     gpointer unused)
{
  AttendantAsterisk *node = data;

  g_test_message ("still unreachable: %s (the shared application %s)",
                  attendant_telephony_get_unreachable_reason (ATTENDANT_TELEPHONY (node)),
                  attendant_ari_get_connected (attendant_asterisk_get_ari (node)) ? "held" : "not held");
}

static gboolean
backend_unreachable (gpointer data)
{
  return attendant_telephony_get_unreachable_reason (ATTENDANT_TELEPHONY (data)) != NULL;
}

/* A call answered and held, and another (from @phone203) in the queue:
 * returns the held one's id. */
static char *
held_and_queued (AttendantTestPhone *phone203)
{
  g_autofree char *held = answered_call ();

  run_ok ("call.hold", held, NULL);
  wait_registered (phone203);
  attendant_test_phone_dial (phone203, "100");
  attendant_test_wait_until (channels_at_least, GUINT_TO_POINTER (3), 10000, "203 calling the queue");
  wait_state (NULL, "queued", 10000);
  return g_steal_pointer (&held);
}

/* The node's connections to Asterisk dropped and made again (stopped and
 * started) with a held call and a queued one: it rebuilds from Asterisk,
 * says "reset" and is reachable again, and the calls are the same, none
 * lost and none twice; the held call can be resumed. */
static void
test_reconnect_rebuild (void)
{
  g_autoptr(AttendantTestPhone) phone203 = attendant_test_phone_start (lab, "203", "p203", 1200);
  g_autofree char *held = held_and_queued (phone203);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint changes = 0;
  guint resets = 0;
  gulong availability_handler;
  gulong reset_handler;

  before = calls_text (ATTENDANT_TELEPHONY (backend));

  availability_handler = g_signal_connect (backend, "availability-changed", G_CALLBACK (availability_cb), &changes);
  reset_handler = g_signal_connect (backend, "reset", G_CALLBACK (reset_cb), &resets);
  attendant_asterisk_stop (backend);
  g_assert_nonnull (attendant_telephony_get_unreachable_reason (ATTENDANT_TELEPHONY (backend)));
  attendant_asterisk_start (backend);
  attendant_test_wait_until_full (backend_reachable, backend, 30000, "the node reachable again",
                                  say_why_unreachable, backend);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (resets, ==, 1);
  after = calls_text (ATTENDANT_TELEPHONY (backend));
  g_assert_cmpstr (before, ==, after);

  g_signal_handler_disconnect (backend, availability_handler);
  g_signal_handler_disconnect (backend, reset_handler);
  run_ok ("call.resume", held, NULL);
  g_assert_cmpuint (bridge_size (held), ==, 2);
  clean_up ();
}

typedef struct
{
  guint  changes;
  gint64 unreachable_at;   /* the first change to unreachable */
} Availability;

static void
availability_at_cb (AttendantTelephony *telephony,
                    Availability       *availability)
{
  availability->changes++;
  if (availability->unreachable_at == 0 && attendant_telephony_get_unreachable_reason (telephony) != NULL)
    availability->unreachable_at = g_get_monotonic_time ();
}

/* Asterisk frozen (SIGSTOP) with a held call and a waiting one, then
 * thawed (SIGCONT), first on a connection up for a while, then right after
 * the reconnection (before libsoup's first ping): the node is unreachable
 * within 2 s (what its clients are told), reachable again after the thaw
 * with the same calls, once each (no ghost, no duplicate), and the
 * waiting call is answered. */
static void
test_frozen_and_thawed (void)
{
  g_autoptr(AttendantTestPhone) phone203 = attendant_test_phone_start (lab, "203", "p203", 1200);
  g_autofree char *held = held_and_queued (phone203);
  g_autofree char *before = NULL;
  g_autoptr(JsonArray) calls = NULL;
  const char *waiting = NULL;

  before = calls_text (ATTENDANT_TELEPHONY (backend));

  for (guint round = 0; round < 2; round++)
    {
      Availability availability = { 0 };
      g_autofree char *after = NULL;
      gulong handler;
      gint64 stopped;
      gint64 thawed;

      handler = g_signal_connect (backend, "availability-changed", G_CALLBACK (availability_at_cb), &availability);
      stopped = g_get_monotonic_time ();
      attendant_test_asterisk_signal (lab, SIGSTOP);
      attendant_test_wait_until (backend_unreachable, backend, 5000, "the node unreachable");
      g_test_message ("frozen Asterisk: the node unreachable after %.0f ms (%s)",
                      (availability.unreachable_at - stopped) / 1000.0,
                      round == 0 ? "a connection up for a while" : "a connection just made");
      g_assert_cmpint (availability.unreachable_at - stopped, <, 2 * G_USEC_PER_SEC);

      thawed = g_get_monotonic_time ();
      attendant_test_asterisk_signal (lab, SIGCONT);
      attendant_test_wait_until_full (backend_reachable, backend, 15000, "the node reachable again",
                                      say_why_unreachable, backend);
      g_test_message ("reachable again %.2f s after SIGCONT", (g_get_monotonic_time () - thawed) / 1e6);
      /* The queue's callers reach the node again once it holds the shared
       * application again. */
      attendant_test_wait_until (ari_connected, attendant_asterisk_get_ari (backend), 15000,
                                 "the shared application held again");
      g_signal_handler_disconnect (backend, handler);
      g_assert_cmpuint (availability.changes, ==, 2);
      after = calls_text (ATTENDANT_TELEPHONY (backend));
      g_assert_cmpstr (before, ==, after);
    }

  calls = attendant_telephony_list_calls (ATTENDANT_TELEPHONY (backend));
  g_assert_cmpuint (json_array_get_length (calls), ==, 2);
  for (guint i = 0; i < json_array_get_length (calls); i++)
    if (g_strcmp0 (attendant_protocol_get_string (json_array_get_object_element (calls, i), "state"), "queued") == 0)
      waiting = attendant_protocol_get_string (json_array_get_object_element (calls, i), "id");
  g_assert_nonnull (waiting);
  run_ok ("call.answer", waiting, NULL);
  g_assert_cmpuint (bridge_size (waiting), ==, 2);
  wait_state (held, "held", 1000);
  clean_up ();
}

/* Asterisk killed with a call in the queue and started again (its calls
 * died with it): after the rebuild the node lists none, no ghost. Last,
 * since the phones are no longer registered to the new Asterisk. */
static void
test_asterisk_restarted (void)
{
  g_autofree char *queued = queue_call ();

  g_assert_nonnull (queued);
  attendant_test_asterisk_kill (lab);
  attendant_test_wait_until (backend_unreachable, backend, 5000, "the node unreachable");
  attendant_test_asterisk_start (lab);
  attendant_test_wait_until (backend_reachable, backend, 30000, "the node reachable again");
  g_assert_true (no_calls (backend));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *why = NULL;
  g_autofree char *found = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  found = attendant_test_asterisk_find (&why);
  if (found == NULL)
    {
      g_test_add_data_func ("/asterisk-backend/lab", why, attendant_test_asterisk_missing);
      return g_test_run ();
    }

  g_test_add_func ("/asterisk-backend/phones", test_phones);
  g_test_add_func ("/asterisk-backend/directory", test_directory);
  g_test_add_func ("/asterisk-backend/presence-events", test_presence_events);
  g_test_add_func ("/asterisk-backend/presence-set", test_presence_set);
  g_test_add_func ("/asterisk-backend/queue", test_queue);
  g_test_add_func ("/asterisk-backend/queue-ringing", test_queue_ringing);
  g_test_add_func ("/asterisk-backend/answer-hold-resume-hangup", test_answer_hold_resume_hangup);
  g_test_add_func ("/asterisk-backend/answer-after-hangup", test_answer_after_hangup);
  g_test_add_func ("/asterisk-backend/caller-hangs-up", test_caller_hangs_up);
  g_test_add_func ("/asterisk-backend/transfer-answered", test_transfer_answered);
  g_test_add_func ("/asterisk-backend/transfer-recall", test_transfer_recall);
  g_test_add_func ("/asterisk-backend/busy-targets", test_busy_targets);
  g_test_add_func ("/asterisk-backend/consult-complete", test_consult_complete);
  g_test_add_func ("/asterisk-backend/consult-cancel", test_consult_cancel);
  g_test_add_func ("/asterisk-backend/dial", test_dial);
  g_test_add_func ("/asterisk-backend/answer-header", test_answer_header);
  g_test_add_func ("/asterisk-backend/caller-hangs-up-mid-flow", test_caller_hangs_up_mid_flow);
  g_test_add_func ("/asterisk-backend/two-nodes", test_two_nodes);
  g_test_add_func ("/asterisk-backend/reconnect-rebuild", test_reconnect_rebuild);
  g_test_add_func ("/asterisk-backend/frozen-and-thawed", test_frozen_and_thawed);
  g_test_add_func ("/asterisk-backend/asterisk-restarted", test_asterisk_restarted);

  attendant_test_phone_trace_sip ();
  lab = attendant_test_asterisk_new ();
  attendant_test_asterisk_start (lab);
  url = attendant_test_asterisk_get_url (lab);
  probe = attendant_ari_new (url, "attendant", "ari-secret", "attendant-probe", &error);
  g_assert_no_error (error);

  phone300 = attendant_test_phone_start (lab, "300", "p300", CALLER_TONE);
  phone200 = attendant_test_phone_start (lab, "200", "p200", ATTENDANT_TONE);
  phone201 = attendant_test_phone_start (lab, "201", "p201", 1500);
  phone202 = attendant_test_phone_start (lab, "202", "p202", 1800);
  wait_registered (phone300);
  wait_registered (phone200);
  wait_registered (phone201);
  wait_registered (phone202);

  events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  ari = attendant_ari_new (url, "attendant", "ari-secret", "attendant", &error);
  g_assert_no_error (error);
  backend = attendant_asterisk_new (ari);
  g_object_set (backend, "ring-timeout", 4, NULL);
  attendant_asterisk_add_queue (backend, "main", "Reception");
  attendant_asterisk_add_attendant (backend, "200", "Reception");
  for (guint i = 200; i <= 203; i++)
    {
      g_autofree char *number = g_strdup_printf ("%u", i);

      attendant_asterisk_add_contact (backend, number, NULL, NULL);
    }
  attendant_asterisk_add_contact (backend, "202", "Carla Conti, front desk", "Sales");
  g_signal_connect (backend, "event", G_CALLBACK (event_cb), NULL);
  attendant_asterisk_start (backend);
  attendant_test_wait_until (backend_reachable, backend, 20000, "the backend connected");

  status = g_test_run ();

  attendant_asterisk_stop (backend);
  g_clear_object (&backend);
  g_clear_object (&ari);
  g_clear_pointer (&events, g_ptr_array_unref);

  g_clear_pointer (&phone300, attendant_test_phone_free);
  g_clear_pointer (&phone200, attendant_test_phone_free);
  g_clear_pointer (&phone201, attendant_test_phone_free);
  g_clear_pointer (&phone202, attendant_test_phone_free);
  g_clear_object (&probe);
  attendant_test_asterisk_free (lab);

  return status;
}
