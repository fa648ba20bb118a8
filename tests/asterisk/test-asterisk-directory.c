/* test-asterisk-directory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "attendant-ari.h"
#include "attendant-asterisk-directory.h"
#include "attendant-protocol.h"
#include "attendant-telephony.h"
#include "attendant-test-asterisk.h"
#include "attendant-test-phone.h"
#include "attendant-test-wait.h"

/* AttendantAsteriskDirectory against a real Asterisk 22 and real baresip
 * phones on loopback. The tests share one Asterisk and run in order.
 *
 * Two directories watch it, as two nodes would: "dir" on the connection
 * of the application "attendant", "other" on one of its own ("probe").
 * The probe connection's own DeviceStateChanged events are the reference
 * clock: a change reaches the directory within a second of Asterisk
 * announcing it. */

#define LONG_NAME_UNIT "\xc3\x84"   /* Ä, two bytes: 100 of them are cut by Asterisk inside one */

typedef struct
{
  AttendantAsteriskDirectory *directory;
  guint                       resets;
  GHashTable                 *changed_at;   /* number → gint64 of its last change */
  guint                       changes;
} Watch;

typedef struct
{
  char   *name;
  char   *state;
  gint64  at;
} DeviceEvent;

static AttendantTestAsterisk *lab;
static AttendantAri *ari;
static AttendantAri *probe;
static Watch *dir;
static Watch *other;
static GPtrArray *device_events;   /* DeviceEvent, from the probe connection */
static gint64 device_events_mark;  /* events before it are not looked at */
static AttendantTestPhone *phones[4];   /* 200…203 */

/* {{{ Helpers */

static void
device_event_free (DeviceEvent *event)
{
  g_free (event->name);
  g_free (event->state);
  g_free (event);
}

static void
probe_event_cb (AttendantAri *ari_,
                const char   *type,
                JsonObject   *event,
                gpointer      user_data)
{
  JsonObject *device_state = attendant_protocol_get_object (event, "device_state");
  DeviceEvent *record;

  if (device_state == NULL)
    return;

  record = g_new0 (DeviceEvent, 1);
  record->name = g_strdup (attendant_protocol_get_string (device_state, "name"));
  record->state = g_strdup (attendant_protocol_get_string (device_state, "state"));
  record->at = g_get_monotonic_time ();
  g_ptr_array_add (device_events, record);
}

static void
contact_changed_cb (AttendantAsteriskDirectory *directory,
                    JsonObject                 *contact,
                    Watch                      *w)
{
  const char *number = attendant_protocol_get_string (contact, "number");

  g_assert_nonnull (number);
  g_assert_cmpstr (attendant_protocol_get_string (contact, "presence"), ==,
                   attendant_asterisk_directory_get_presence (directory, number));
  g_hash_table_insert (w->changed_at, g_strdup (number),
                       g_memdup2 (&(gint64){ g_get_monotonic_time () }, sizeof (gint64)));
  w->changes++;
}

static void
reset_cb (AttendantAsteriskDirectory *directory,
          Watch                      *w)
{
  w->resets++;
}

static Watch *
watch_new (AttendantAri *client)
{
  Watch *w = g_new0 (Watch, 1);

  w->directory = attendant_asterisk_directory_new (client, "PJSIP");
  /* The server's directory file: a department for 202, and a number
   * Asterisk has no endpoint for. */
  attendant_asterisk_directory_add_contact (w->directory, "202", NULL, "Sales");
  attendant_asterisk_directory_add_contact (w->directory, "999", "Taxi", "Outside");
  w->changed_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect (w->directory, "contact-changed", G_CALLBACK (contact_changed_cb), w);
  g_signal_connect (w->directory, "reset", G_CALLBACK (reset_cb), w);
  return w;
}

static void
watch_free (Watch *w)
{
  g_object_unref (w->directory);
  g_hash_table_unref (w->changed_at);
  g_free (w);
}

static AttendantAri *
ari_new (const char *application)
{
  g_autofree char *url = attendant_test_asterisk_get_url (lab);
  g_autoptr(GError) error = NULL;
  AttendantAri *client = attendant_ari_new (url, "attendant", "ari-secret", application, &error);

  g_assert_no_error (error);
  return client;
}

static gboolean
is_connected (gpointer data)
{
  return attendant_ari_get_connected (data);
}

static gboolean
is_disconnected (gpointer data)
{
  return !attendant_ari_get_connected (data);
}

typedef struct
{
  Watch      *watch;
  const char *number;
  const char *presence;
} PresenceQuery;

static gboolean
has_presence (gpointer data)
{
  PresenceQuery *query = data;

  return g_strcmp0 (attendant_asterisk_directory_get_presence (query->watch->directory, query->number),
                    query->presence) == 0;
}

static void
wait_presence (Watch      *w,
               const char *number,
               const char *presence,
               guint       timeout_ms)
{
  PresenceQuery query = { w, number, presence };
  g_autofree char *what = g_strdup_printf ("%s %s", number, presence);

  attendant_test_wait_until (&has_presence, &query, timeout_ms, what);
}

/* When the probe connection first saw @device in @state after the mark. */
static gint64
device_event_at (const char *device,
                 const char *state)
{
  /* The first since the mark: Asterisk may repeat a state (a phone
   * qualified again), and a repeat is not the change being timed. */
  for (guint i = 0; i < device_events->len; i++)
    {
      DeviceEvent *event = g_ptr_array_index (device_events, i);

      if (event->at > device_events_mark &&
          g_strcmp0 (event->name, device) == 0 && g_strcmp0 (event->state, state) == 0)
        return event->at;
    }

  return 0;
}

static gboolean
has_device_event (gpointer data)
{
  const char * const *query = data;

  return device_event_at (query[0], query[1]) > device_events_mark;
}

static gboolean
deadline_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* attendant_test_wait_until(), but for something that may not come. */
static gboolean
try_until (AttendantTestPredicate predicate,
           gpointer               data,
           guint                  timeout_ms)
{
  gboolean expired = FALSE;
  guint source = g_timeout_add (timeout_ms, deadline_cb, &expired);

  while (!predicate (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (source);

  return predicate (data);
}

/* @number's presence is @presence in both directories, which announced it
 * within a second of Asterisk's DeviceStateChanged for @device in @state. */
static void
assert_announced (const char *number,
                  const char *presence,
                  const char *device,
                  const char *state)
{
  g_autofree char *what = g_strdup_printf ("the probe's %s %s", device, state);
  const char * const query[] = { device, state };
  Watch *watches[] = { dir, other };
  gint64 event_at;

  attendant_test_wait_until (has_device_event, (gpointer)query, 10000, what);
  wait_presence (dir, number, presence, 10000);
  wait_presence (other, number, presence, 10000);

  event_at = device_event_at (device, state);
  g_assert_cmpint (event_at, >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (watches); i++)
    {
      gint64 *changed_at = g_hash_table_lookup (watches[i]->changed_at, number);

      g_assert_nonnull (changed_at);
      g_test_message ("%s %s: announced %+.1f ms from Asterisk's event", number, presence,
                      (*changed_at - event_at) / 1e3);
      g_assert_cmpint (*changed_at - event_at, <, G_USEC_PER_SEC);
      g_assert_cmpint (event_at - *changed_at, <, G_USEC_PER_SEC);
    }
}

static gboolean
is_ready (gpointer data)
{
  return attendant_asterisk_directory_get_ready (((Watch *)data)->directory);
}

typedef struct
{
  Watch *watch;
  guint  resets;
} ResetQuery;

static gboolean
has_reset (gpointer data)
{
  ResetQuery *query = data;

  return query->watch->resets > query->resets;
}

static JsonObject *
find_contact (JsonArray  *contacts,
              const char *number)
{
  for (guint i = 0; i < json_array_get_length (contacts); i++)
    {
      JsonObject *contact = json_array_get_object_element (contacts, i);

      if (g_strcmp0 (attendant_protocol_get_string (contact, "number"), number) == 0)
        return contact;
    }

  return NULL;
}

typedef struct
{
  gboolean done;
  GError  *error;
  JsonNode *node;
} Result;

static gboolean
result_done (gpointer data)
{
  return ((Result *)data)->done;
}

static void
set_presence_cb (GObject      *object,
                 GAsyncResult *async_result,
                 gpointer      user_data)
{
  Result *result = user_data;

  attendant_asterisk_directory_set_presence_finish (ATTENDANT_ASTERISK_DIRECTORY (object),
                                                    async_result, &result->error);
  result->done = TRUE;
}

static void
set_presence (Watch       *w,
              const char  *number,
              const char  *presence,
              GError     **error)
{
  Result result = { 0 };

  attendant_asterisk_directory_set_presence_async (w->directory, number, presence, NULL,
                                                   set_presence_cb, &result);
  attendant_test_wait_until (result_done, &result, 10000, "the presence set");
  if (result.error != NULL)
    g_propagate_error (error, result.error);
}

static void
request_cb (GObject      *object,
            GAsyncResult *async_result,
            gpointer      user_data)
{
  Result *result = user_data;

  result->node = attendant_ari_request_finish (ATTENDANT_ARI (object), async_result, &result->error);
  result->done = TRUE;
}

static JsonNode *
request (const char         *method,
         const char         *path,
         const char * const *query)
{
  Result result = { 0 };

  attendant_ari_request_async (probe, method, path, query, NULL, request_cb, &result);
  attendant_test_wait_until (result_done, &result, 10000, path);
  g_assert_no_error (result.error);
  return result.node;
}

/* Asterisk's own presence state of @number: ARI evaluates a function only
 * on a channel of a Stasis application, so one is made in the probe's
 * (no directory follows its channels) and hung up. */
static char *
asterisk_presence_state (const char *number,
                         const char *field)
{
  /* A new id each time: Asterisk may not have forgotten the last probe
   * when the next one is made (HTTP 409). */
  static guint serial;
  g_autofree char *id = g_strdup_printf ("presence-probe-%u", ++serial);
  g_autofree char *path = g_strconcat ("channels/", id, NULL);
  g_autofree char *variable_path = g_strconcat (path, "/variable", NULL);
  const char * const create[] = { "endpoint", "Local/presence-probe@office", "app", "probe",
                                  "channelId", id, NULL };
  g_autofree char *variable = g_strdup_printf ("PRESENCE_STATE(CustomPresence:%s,%s)", number, field);
  const char * const get[] = { "variable", variable, NULL };
  g_autoptr(JsonNode) created = request ("POST", "channels/create", create);
  g_autoptr(JsonNode) value = request ("GET", variable_path, get);
  g_autoptr(JsonNode) deleted = request ("DELETE", path, NULL);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (value));
  return g_strdup (attendant_protocol_get_string (json_node_get_object (value), "value"));
}

static AttendantTestPhone *
phone_start (guint number)
{
  g_autofree char *extension = g_strdup_printf ("%u", number);
  g_autofree char *password = g_strdup_printf ("p%u", number);

  return attendant_test_phone_start (lab, extension, password, 1000);
}

/* The example's phones, qualified every second (so that a killed one is
 * noticed), with endpoints the directory must handle: a caller ID over the
 * bound, none at all, a trunk. */
static void
write_pjsip_conf (const char *etc,
                  gboolean    with_208)
{
  g_autofree char *path = g_build_filename (etc, "pjsip.conf", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autoptr(GString) ascii_name = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const char * const phones_conf[][2] = {
    { "200", "\"Reception\" <200>" },
    { "201", "\"Bruno Bianchi\" <201>" },
    { "202", "\"Carla Conti\" <202>" },
    { "203", "Dario De Luca <203>" },
    { "300", "\"Outside Caller\" <+390612345678>" },
  };

  for (guint i = 0; i < 100; i++)
    {
      g_string_append (long_name, LONG_NAME_UNIT);
      g_string_append (ascii_name, "xx");
    }

  g_string_append_printf (text,
                          "[transport-udp]\ntype = transport\nprotocol = udp\nbind = 127.0.0.1:%u\n\n"
                          "[phone](!)\ntype = endpoint\ncontext = office\ndisallow = all\nallow = ulaw,alaw\n"
                          "direct_media = no\nrtp_symmetric = yes\nforce_rport = yes\n"
                          "media_address = 127.0.0.1\nbind_rtp_to_media_address = yes\nrewrite_contact = yes\n\n"
                          "[auth](!)\ntype = auth\nauth_type = userpass\n\n"
                          "[aor](!)\ntype = aor\nmax_contacts = 1\nremove_existing = yes\n"
                          "qualify_frequency = 1\nqualify_timeout = 0.5\n\n",
                          attendant_test_asterisk_get_sip_port (lab));
  for (guint i = 0; i < G_N_ELEMENTS (phones_conf); i++)
    g_string_append_printf (text,
                            "[%s](phone)\nauth = %s\naors = %s\ncallerid = %s\n"
                            "[%s](auth)\nusername = %s\npassword = p%s\n[%s](aor)\n\n",
                            phones_conf[i][0], phones_conf[i][0], phones_conf[i][0], phones_conf[i][1],
                            phones_conf[i][0], phones_conf[i][0], phones_conf[i][0], phones_conf[i][0]);
  /* Asterisk keeps 79 bytes of a caller ID's name: an ASCII one is cut,
   * one cut inside a character makes ARI answer 500 for the endpoint. */
  g_string_append_printf (text, "[204](phone)\ncallerid = \"%s\" <204>\n\n", ascii_name->str);
  g_string_append (text, "[206](phone)\ncallerid = \"Zo\xc3\xab \xc3\x84gidius\" <206>\n\n");
  g_string_append_printf (text, "[207](phone)\ncallerid = \"%s\" <207>\n\n", long_name->str);
  g_string_append (text, "[205](phone)\n\n");
  g_string_append (text, "[trunk](phone)\ncallerid = \"Provider\" <0612345678>\n\n");
  if (with_208)
    g_string_append (text, "[208](phone)\nauth = 208\naors = 208\ncallerid = \"Elena Esposito\" <208>\n"
                           "[208](auth)\nusername = 208\npassword = p208\n[208](aor)\n");

  g_assert_cmpint (g_mkdir_with_parents (etc, 0700), ==, 0);
  g_file_set_contents (path, text->str, -1, &error);
  g_assert_no_error (error);
}

static void
write_etc (void)
{
  g_autofree char *etc = g_build_filename (attendant_test_asterisk_get_dir (lab), "etc", NULL);

  write_pjsip_conf (etc, FALSE);
  attendant_test_asterisk_set_etc (lab, etc);
}

/* }}} */
/* {{{ Tests */

/* Every PJSIP endpoint named by a number, with its caller ID's name,
 * but where the directory file says otherwise; nobody registered yet. */
static void
test_contacts (void)
{
  g_autoptr(JsonArray) contacts = NULL;
  JsonObject *contact;
  const char *name;
  const char * const expected[][3] = {
    { "200", "Reception", NULL },
    { "201", "Bruno Bianchi", NULL },
    { "202", "Carla Conti", "Sales" },
    { "203", "Dario De Luca", NULL },
    { "205", "205", NULL },
    { "206", "Zo\xc3\xab \xc3\x84gidius", NULL },
    { "207", "207", NULL },
    { "300", "Outside Caller", NULL },
    { "999", "Taxi", "Outside" },
  };

  attendant_test_wait_until (is_ready, dir, 15000, "the first directory");
  attendant_test_wait_until (is_ready, other, 15000, "the second directory");
  g_assert_cmpuint (dir->resets, ==, 1);

  contacts = attendant_asterisk_directory_list_contacts (dir->directory);
  /* 200-207, 300 and 999; not the trunk, whose name is not a number. */
  g_assert_cmpuint (json_array_get_length (contacts), ==, 10);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *id = g_strconcat ("ext-", expected[i][0], NULL);

      contact = find_contact (contacts, expected[i][0]);
      g_assert_nonnull (contact);
      g_assert_cmpstr (attendant_protocol_get_string (contact, "id"), ==, id);
      g_assert_cmpstr (attendant_protocol_get_string (contact, "name"), ==, expected[i][1]);
      g_assert_cmpstr (attendant_protocol_get_string (contact, "department"), ==, expected[i][2]);
      g_assert_cmpstr (attendant_protocol_get_string (contact, "presence"), ==, "offline");
    }
  g_assert_null (find_contact (contacts, "trunk"));

  /* Sorted by number. */
  g_assert_cmpstr (attendant_protocol_get_string (json_array_get_object_element (contacts, 0), "number"), ==, "200");
  g_assert_cmpstr (attendant_protocol_get_string (json_array_get_object_element (contacts, 9), "number"), ==, "999");

  /* Names as long as Asterisk keeps them (it cuts them at 79 bytes),
   * within the directory's own bound; where Asterisk cannot answer for an
   * endpoint, its number stands for the name. */
  contact = find_contact (contacts, "204");
  name = attendant_protocol_get_string (contact, "name");
  g_assert_cmpuint (strlen (name), ==, 79);
  g_assert_cmpuint (strlen (name), <=, ATTENDANT_ASTERISK_DIRECTORY_MAX_NAME);
  g_assert_true (g_str_has_prefix (name, "xxxx"));

  g_assert_cmpstr (attendant_asterisk_directory_get_presence (dir->directory, "201"), ==, "offline");
  g_assert_null (attendant_asterisk_directory_get_presence (dir->directory, "trunk"));
  g_assert_null (attendant_asterisk_directory_get_presence (dir->directory, "4242"));
}

/* A phone registering: available, within a second of Asterisk saying so. */
static void
test_register (void)
{
  g_autoptr(JsonNode) state = NULL;

  device_events_mark = g_get_monotonic_time ();
  phones[1] = phone_start (201);
  assert_announced ("201", "available", "PJSIP/201", "NOT_INUSE");

  state = request ("GET", "deviceStates/PJSIP%2F201", NULL);
  g_assert_cmpstr (attendant_protocol_get_string (json_node_get_object (state), "state"), ==, "NOT_INUSE");
}

/* 202 calls 201, which does not answer at once: 201 rings and 202 is on a
 * call; 201 answers, both are on a call, and stay so while 201 holds;
 * the call ends, both are available. */
static void
test_ringing_and_busy (void)
{
  phones[2] = phone_start (202);
  wait_presence (dir, "202", "available", 10000);
  attendant_test_phone_set_auto_answer (phones[1], FALSE);

  device_events_mark = g_get_monotonic_time ();
  attendant_test_phone_dial (phones[2], "201");
  assert_announced ("201", "ringing", "PJSIP/201", "RINGING");
  assert_announced ("202", "busy", "PJSIP/202", "INUSE");

  device_events_mark = g_get_monotonic_time ();
  attendant_test_phone_accept (phones[1]);
  assert_announced ("201", "busy", "PJSIP/201", "INUSE");

  /* 201 puts 202 on hold from its phone: Asterisk says 202 is held. */
  device_events_mark = g_get_monotonic_time ();
  /* baresip does not try again when its re-INVITE crosses Asterisk's
   * (the connected line's update just after the answer), and takes
   * itself for holding: the user presses resume and hold again until
   * Asterisk has it. */
  for (guint i = 0; i < 5; i++)
    {
      const char * const query[] = { "PJSIP/202", "ONHOLD" };

      if (i > 0)
        g_free (attendant_test_phone_command (phones[1], "resume", NULL));
      g_free (attendant_test_phone_command (phones[1], "hold", NULL));
      if (try_until (has_device_event, (gpointer)query, 2000))
        break;
      g_test_message ("hold, attempt %u: not seen by Asterisk", i + 1);
    }
  /* On hold is on a call too: nothing to announce, and 202 stays busy
   * (its change was timed at INUSE; a hold that took a second attempt
   * would be seconds after it). */
  {
    const char * const query[] = { "PJSIP/202", "ONHOLD" };

    attendant_test_wait_until (has_device_event, (gpointer)query, 10000, "202 on hold");
    attendant_test_run_for (300);
    g_assert_cmpstr (attendant_asterisk_directory_get_presence (dir->directory, "202"), ==, "busy");
    g_assert_cmpstr (attendant_asterisk_directory_get_presence (other->directory, "202"), ==, "busy");
  }

  device_events_mark = g_get_monotonic_time ();
  attendant_test_phone_hangup (phones[1]);
  assert_announced ("201", "available", "PJSIP/201", "NOT_INUSE");
  assert_announced ("202", "available", "PJSIP/202", "NOT_INUSE");
}

/* A phone that unregisters (baresip's quit) is offline. */
static void
test_unregistered (void)
{
  device_events_mark = g_get_monotonic_time ();
  g_free (attendant_test_phone_command (phones[2], "quit", NULL));
  assert_announced ("202", "offline", "PJSIP/202", "UNAVAILABLE");
  g_clear_pointer (&phones[2], attendant_test_phone_free);
}

/* A phone killed does not unregister: Asterisk finds out by qualifying
 * it (qualify_frequency), then the directory within a second. */
static void
test_killed (void)
{
  device_events_mark = g_get_monotonic_time ();
  attendant_test_phone_kill (phones[1]);
  assert_announced ("201", "offline", "PJSIP/201", "UNAVAILABLE");
  g_clear_pointer (&phones[1], attendant_test_phone_free);
}

/* The attendant's own presence: stored in Asterisk's presence state (read
 * back here through a channel), seen by the other directory (another
 * node) within a second, and over the phone's own state only while it is
 * idle. */
static void
test_own_presence (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *subtype = NULL;
  gint64 set_at;
  gint64 *seen_at;

  phones[0] = phone_start (200);
  wait_presence (dir, "200", "available", 10000);
  wait_presence (other, "200", "available", 10000);

  set_at = g_get_monotonic_time ();
  set_presence (dir, "200", "dnd", &error);
  g_assert_no_error (error);
  /* Announced before the command completes. */
  g_assert_cmpstr (attendant_asterisk_directory_get_presence (dir->directory, "200"), ==, "dnd");
  wait_presence (other, "200", "dnd", 1000);
  seen_at = g_hash_table_lookup (other->changed_at, "200");
  g_test_message ("dnd reached the other node %.1f ms after it was set", (*seen_at - set_at) / 1e3);
  g_assert_cmpint (*seen_at - set_at, <, G_USEC_PER_SEC);

  value = asterisk_presence_state ("200", "value");
  g_assert_cmpstr (value, ==, "dnd");
  g_clear_pointer (&value, g_free);

  set_presence (other, "200", "busy", &error);
  g_assert_no_error (error);
  wait_presence (dir, "200", "busy", 1000);
  value = asterisk_presence_state ("200", "value");
  subtype = asterisk_presence_state ("200", "subtype");
  g_assert_cmpstr (value, ==, "dnd");
  g_assert_cmpstr (subtype, ==, "busy");
  g_clear_pointer (&value, g_free);

  set_presence (dir, "200", "away", &error);
  g_assert_no_error (error);
  wait_presence (other, "200", "away", 1000);
  value = asterisk_presence_state ("200", "value");
  g_assert_cmpstr (value, ==, "away");
  g_clear_pointer (&value, g_free);

  /* A call wins over "away", then "away" is back. */
  phones[3] = phone_start (203);
  wait_presence (dir, "203", "available", 10000);
  attendant_test_phone_dial (phones[3], "200");
  wait_presence (dir, "200", "busy", 5000);
  attendant_test_phone_hangup (phones[3]);
  wait_presence (dir, "200", "away", 5000);

  set_presence (dir, "200", "ringing", &error);
  g_assert_error (error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  set_presence (dir, "not-a-number", "dnd", &error);
  g_assert_error (error, ATTENDANT_TELEPHONY_ERROR, ATTENDANT_TELEPHONY_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  set_presence (dir, "200", "available", &error);
  g_assert_no_error (error);
  wait_presence (other, "200", "available", 1000);
  value = asterisk_presence_state ("200", "value");
  g_assert_cmpstr (value, ==, "available");
}

/* Whether Asterisk no longer lists the application @data. */
static gboolean
application_gone (gpointer data)
{
  g_autoptr(JsonNode) list = request ("GET", "applications", NULL);
  JsonArray *apps = JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;

  for (guint i = 0; apps != NULL && i < json_array_get_length (apps); i++)
    {
      JsonObject *app = json_array_get_object_element (apps, i);

      if (app != NULL && g_strcmp0 (attendant_protocol_get_string (app, "name"), data) == 0)
        return FALSE;
    }

  return TRUE;
}

/* What happened while the connection was down is there after it comes
 * back: a phone that unregistered and a presence set by another node. */
static void
test_reconnect (void)
{
  ResetQuery reset = { dir, dir->resets };
  g_autoptr(GError) error = NULL;

  attendant_ari_stop (ari);
  /* The phone changes once Asterisk has let go of the application (the
   * client unsubscribes its device states before it closes: Asterisk 22
   * can deadlock otherwise, docs/asterisk.md). */
  attendant_test_wait_until (application_gone, (gpointer)attendant_ari_get_application (ari), 10000,
                             "Asterisk done with the closed application");
  g_clear_pointer (&phones[3], attendant_test_phone_free);
  wait_presence (other, "203", "offline", 10000);
  set_presence (other, "200", "away", &error);
  g_assert_no_error (error);

  attendant_test_run_for (300);
  g_assert_cmpstr (attendant_asterisk_directory_get_presence (dir->directory, "203"), ==, "available");
  g_assert_cmpstr (attendant_asterisk_directory_get_presence (dir->directory, "200"), ==, "available");

  attendant_ari_start (ari);
  attendant_test_wait_until (has_reset, &reset, 10000, "the reset after the reconnection");
  g_assert_cmpstr (attendant_asterisk_directory_get_presence (dir->directory, "203"), ==, "offline");
  g_assert_cmpstr (attendant_asterisk_directory_get_presence (dir->directory, "200"), ==, "away");
}

static gboolean
same_lists (gpointer data)
{
  Watch *fresh = data;
  g_autoptr(JsonArray) a = attendant_asterisk_directory_list_contacts (dir->directory);
  g_autoptr(JsonArray) b = attendant_asterisk_directory_list_contacts (fresh->directory);
  g_autoptr(JsonNode) na = json_node_init_array (json_node_alloc (), a);
  g_autoptr(JsonNode) nb = json_node_init_array (json_node_alloc (), b);

  return attendant_asterisk_directory_get_ready (fresh->directory) && json_node_equal (na, nb);
}

/* Asterisk killed and started again: after the reconnection the
 * directory is what a directory that never knew the old one reads, and
 * agrees with Asterisk's device states. */
static void
test_asterisk_restart (void)
{
  ResetQuery reset = { dir, dir->resets };
  g_autoptr(AttendantAri) fresh_ari = NULL;
  Watch *fresh;

  attendant_test_asterisk_kill (lab);
  attendant_test_wait_until (is_disconnected, ari, 5000, "the loss of Asterisk");
  attendant_test_asterisk_start (lab);
  attendant_test_wait_until (has_reset, &reset, 30000, "the reset after the restart");

  fresh_ari = ari_new ("fresh");
  fresh = watch_new (fresh_ari);
  attendant_ari_start (fresh_ari);
  attendant_test_wait_until (same_lists, fresh, 15000, "the same directory as a fresh one");
  /* And what Asterisk says of each phone now: a killed Asterisk loses its
   * database's last writes (here the registrations of 200 and 203, and
   * the presence mirror), so 200 is no longer "away" but offline, as
   * Asterisk has it. */
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *number = g_strdup_printf ("%u", 200 + i);
      g_autofree char *path = g_strdup_printf ("deviceStates/PJSIP%%2F%s", number);
      g_autoptr(JsonNode) state = request ("GET", path, NULL);
      const char *device = attendant_protocol_get_string (json_node_get_object (state), "state");
      const char *presence = attendant_asterisk_directory_get_presence (dir->directory, number);

      g_test_message ("%s: Asterisk %s, directory %s", number, device, presence);
      g_assert_cmpint (g_str_equal (device, "UNAVAILABLE"), ==, g_str_equal (presence, "offline"));
    }
  attendant_ari_stop (fresh_ari);
  watch_free (fresh);
}

/* An endpoint added to pjsip.conf and reloaded (which ARI does not
 * announce) is listed once its phone registers. */
static void
test_new_endpoint (void)
{
  g_autofree char *running = g_build_filename (attendant_test_asterisk_get_dir (lab), "asterisk", "etc", NULL);
  g_autoptr(JsonNode) reloaded = NULL;
  g_autoptr(JsonObject) contact = NULL;
  g_autoptr(AttendantTestPhone) phone = NULL;

  g_assert_null (attendant_asterisk_directory_get_presence (dir->directory, "208"));
  write_pjsip_conf (running, TRUE);
  reloaded = request ("PUT", "asterisk/modules/res_pjsip.so", NULL);

  phone = phone_start (208);
  wait_presence (dir, "208", "available", 15000);
  contact = attendant_asterisk_directory_get_contact (dir->directory, "208");
  g_assert_cmpstr (attendant_protocol_get_string (contact, "name"), ==, "Elena Esposito");
}

/* Over the bound on endpoints, the lowest numbers are kept; the
 * directory file's contacts stay. */
static void
test_bounds (void)
{
  ResetQuery reset = { dir, dir->resets };
  g_autoptr(JsonArray) contacts = NULL;

  attendant_asterisk_directory_set_max_contacts (dir->directory, 3);
  attendant_asterisk_directory_refresh (dir->directory);
  attendant_test_wait_until (has_reset, &reset, 10000, "the bounded reset");

  contacts = attendant_asterisk_directory_list_contacts (dir->directory);
  g_assert_cmpuint (json_array_get_length (contacts), ==, 4);
  g_assert_nonnull (find_contact (contacts, "200"));
  g_assert_nonnull (find_contact (contacts, "201"));
  g_assert_nonnull (find_contact (contacts, "202"));
  g_assert_nonnull (find_contact (contacts, "999"));
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  g_autofree char *why = NULL;
  g_autofree char *found = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  found = attendant_test_asterisk_find (&why);
  if (found == NULL)
    {
      g_test_add_data_func ("/asterisk-directory/lab", why, attendant_test_asterisk_missing);
      return g_test_run ();
    }
  g_test_message ("using %s", found);

  g_test_add_func ("/asterisk-directory/contacts", test_contacts);
  g_test_add_func ("/asterisk-directory/register", test_register);
  g_test_add_func ("/asterisk-directory/ringing-and-busy", test_ringing_and_busy);
  g_test_add_func ("/asterisk-directory/unregistered", test_unregistered);
  g_test_add_func ("/asterisk-directory/killed", test_killed);
  g_test_add_func ("/asterisk-directory/own-presence", test_own_presence);
  g_test_add_func ("/asterisk-directory/reconnect", test_reconnect);
  g_test_add_func ("/asterisk-directory/asterisk-restart", test_asterisk_restart);
  g_test_add_func ("/asterisk-directory/new-endpoint", test_new_endpoint);
  g_test_add_func ("/asterisk-directory/bounds", test_bounds);

  lab = attendant_test_asterisk_new ();
  write_etc ();
  attendant_test_asterisk_start (lab);

  device_events = g_ptr_array_new_with_free_func ((GDestroyNotify)device_event_free);
  ari = ari_new ("attendant");
  probe = ari_new ("probe");
  g_signal_connect (probe, "event::DeviceStateChanged", G_CALLBACK (probe_event_cb), NULL);
  dir = watch_new (ari);
  other = watch_new (probe);
  attendant_ari_start (probe);
  attendant_ari_start (ari);
  attendant_test_wait_until (is_connected, ari, 15000, "the connection");
  attendant_test_wait_until (is_connected, probe, 15000, "the probe's connection");

  status = g_test_run ();

  for (guint i = 0; i < G_N_ELEMENTS (phones); i++)
    g_clear_pointer (&phones[i], attendant_test_phone_free);
  attendant_ari_stop (ari);
  attendant_ari_stop (probe);
  watch_free (dir);
  watch_free (other);
  g_clear_object (&ari);
  g_clear_object (&probe);
  g_ptr_array_unref (device_events);
  attendant_test_asterisk_free (lab);

  return status;
}
