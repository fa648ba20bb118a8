/* test-server-scale.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-scale"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "attendant-test-client.h"
#include "attendant-test-fixture.h"
#include "attendant-test-resolver.h"
#include "attendant-test-sanitizer.h"

/* The reference server with a directory of 10,000 people (the attendant
 * console must hold up for a company that size): it
 * starts, sends the snapshot in parts each well under 1 MiB, the client
 * core merges them into one "snapshot" signal, and presence changes reach
 * it as events. The timings are reported, not asserted: the machine is
 * shared. */

#define N_PEOPLE     10000
#define FIRST_NUMBER 20000
/* The fixture's users have extensions 200 and 210, which join the
 * directory as attendants. */
#define N_CONTACTS   (N_PEOPLE + 2)

static char *dir;
static char *directory_file;

static const char * const first_names[] = {
  "Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Davide",
  "Emma", "Oliver", "Sophie", "James", "Amelia", "Harry", "Isla", "George",
};
static const char * const last_names[] = {
  "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
  "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "O'Neill",
};
static const char * const departments[] = {
  "Sales", "Marketing", "Customer Support", "Accounting", "Legal", "Engineering",
  "Logistics", "Human Resources", "Procurement", "Facilities",
};
static const char * const presences[] = { "", ";away", ";dnd", ";offline", ";busy" };

static char *
make_directory_file (void)
{
  g_autoptr(GString) text = g_string_new ("[directory]\n");

  for (guint i = 0; i < N_PEOPLE; i++)
    g_string_append_printf (text, "%u=%s %s;%s%s\n", FIRST_NUMBER + i,
                            first_names[i % G_N_ELEMENTS (first_names)],
                            last_names[(i / 7) % G_N_ELEMENTS (last_names)],
                            departments[(i / 3) % G_N_ELEMENTS (departments)],
                            i % 11 == 0 ? presences[1 + (i / 11) % (G_N_ELEMENTS (presences) - 1)] : "");

  return attendant_test_write_file (dir, "people.ini", text->str);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static AttendantTestCluster *
big_cluster (void)
{
  g_autofree char *more = g_strdup_printf ("[directory]\nfile=%s\n", directory_file);
  gint64 start = g_get_monotonic_time ();
  AttendantTestCluster *cluster = attendant_test_cluster_new ("[node primary]\nplain=127.0.0.1:0\n", 5, more);

  g_test_message ("configuration of %d contacts read and server started in %.1f ms",
                  N_PEOPLE, ms_since (start));

  return cluster;
}

static char *
primary_url (AttendantTestCluster *cluster)
{
  return g_strdup_printf ("ws://127.0.0.1:%u/attendant",
                          attendant_node_get_port (attendant_test_cluster_node (cluster, "primary"), "plain"));
}

/* {{{ The protocol: parts */

typedef struct
{
  guint  n_messages;
  gsize  largest;
  gsize  total;
} Sizes;

static void
size_cb (SoupWebsocketConnection *websocket,
         int                      type,
         GBytes                  *bytes,
         Sizes                   *sizes)
{
  gsize length = g_bytes_get_size (bytes);

  sizes->n_messages++;
  sizes->largest = MAX (sizes->largest, length);
  sizes->total += length;
}

static void
add_numbers (GHashTable *numbers,
             JsonObject *message)
{
  JsonArray *directory = json_object_get_array_member (message, "directory");

  for (guint i = 0; i < json_array_get_length (directory); i++)
    {
      JsonObject *contact = json_array_get_object_element (directory, i);
      const char *number = json_object_get_string_member (contact, "number");

      g_assert_false (g_hash_table_contains (numbers, number));
      g_hash_table_add (numbers, g_strdup (number));
    }
}

/* Every message of the snapshot under 1 MiB; "snapshot" with more, then
 * "snapshot.more" parts, nothing between them, the last with more false;
 * every contact exactly once; then events continue the snapshot's seq. */
static void
test_snapshot_parts (void)
{
  g_autoptr(AttendantTestCluster) cluster = big_cluster ();
  g_autofree char *url = primary_url (cluster);
  g_autoptr(AttendantTestClient) client = attendant_test_client_new (url, NULL);
  g_autoptr(GHashTable) numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) ok = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(GError) error = NULL;
  Sizes sizes = { 0 };
  guint n_parts = 1;
  gint64 seq;
  gint64 start;
  gulong handler;

  handler = g_signal_connect (attendant_test_client_get_websocket (client), "message",
                              G_CALLBACK (size_cb), &sizes);
  start = g_get_monotonic_time ();
  ok = attendant_test_client_login (client, TEST_USER, TEST_PASSWORD);
  g_assert_cmpstr (attendant_protocol_get_type (ok), ==, "auth.ok");

  snapshot = attendant_test_client_expect (client, "snapshot");
  g_assert_true (json_object_get_boolean_member (snapshot, "more"));
  seq = json_object_get_int_member (snapshot, "seq");
  add_numbers (numbers, snapshot);
  for (;;)
    {
      g_autoptr(JsonObject) part = attendant_test_client_next (client);

      g_assert_cmpstr (attendant_protocol_get_type (part), ==, "snapshot.more");
      n_parts++;
      add_numbers (numbers, part);
      if (!json_object_get_boolean_member (part, "more"))
        break;
    }
  g_test_message ("snapshot of %u contacts in %u messages (%zu bytes, the largest %zu) "
                  "from login to its last part in %.1f ms",
                  g_hash_table_size (numbers), n_parts, sizes.total, sizes.largest, ms_since (start));

  /* auth.challenge, auth.ok and the parts. */
  g_assert_cmpuint (sizes.n_messages, ==, 2 + n_parts);
  g_assert_cmpuint (sizes.largest, <, ATTENDANT_PROTOCOL_MAX_MESSAGE);
  g_assert_cmpuint (sizes.total, >, ATTENDANT_PROTOCOL_MAX_MESSAGE);
  g_assert_cmpuint (n_parts, >=, N_CONTACTS / ATTENDANT_PBX_SNAPSHOT_PART_CONTACTS);
  g_assert_cmpuint (g_hash_table_size (numbers), ==, N_CONTACTS);
  g_assert_true (g_hash_table_contains (numbers, "20000"));
  g_assert_true (g_hash_table_contains (numbers, "29999"));
  g_signal_handler_disconnect (attendant_test_client_get_websocket (client), handler);

  /* A colleague among the ten thousand goes away: one event, the next seq. */
  start = g_get_monotonic_time ();
  g_assert_true (attendant_pbx_set_presence (attendant_server_get_pbx (cluster->server),
                                             "27421", "away", &error));
  g_assert_no_error (error);
  g_test_message ("presence change applied in %.3f ms", ms_since (start));
  event = attendant_test_client_next (client);
  g_assert_cmpstr (json_object_get_string_member (event, "event"), ==, "presence");
  g_assert_cmpstr (json_object_get_string_member (event, "id"), ==, "ext-27421");
  g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, seq + 1);
  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (client), ==, 0);
}

/* }}} */
/* {{{ The client core: one signal */

typedef struct
{
  JsonObject *snapshot;
  guint       n_snapshots;
  JsonObject *event;
} Seen;

static void
client_snapshot_cb (AttendantClient *client,
                    JsonObject      *snapshot,
                    Seen            *seen)
{
  seen->n_snapshots++;
  g_clear_pointer (&seen->snapshot, json_object_unref);
  seen->snapshot = json_object_ref (snapshot);
}

static void
client_event_cb (AttendantClient *client,
                 JsonObject      *event,
                 Seen            *seen)
{
  if (seen->event == NULL)
    seen->event = json_object_ref (event);
}

static gboolean
has_snapshot (gpointer data)
{
  return ((Seen *)data)->snapshot != NULL;
}

static gboolean
has_event (gpointer data)
{
  return ((Seen *)data)->event != NULL;
}

static void
test_client_snapshot (void)
{
  g_autoptr(AttendantTestCluster) cluster = big_cluster ();
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantClient) client = attendant_client_new (G_RESOLVER (resolver));
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u",
                                             attendant_node_get_port (attendant_test_cluster_node (cluster, "primary"),
                                                                      "plain"));
  g_autoptr(GError) error = NULL;
  Seen seen = { 0 };
  JsonArray *directory;
  gboolean found = FALSE;
  gint64 start;

  g_object_set (client,
                "server", server,
                "transport", ATTENDANT_TRANSPORT_PLAIN,
                "failback", FALSE,
                NULL);
  attendant_client_set_credentials (client, TEST_USER, TEST_PASSWORD);
  g_signal_connect (client, "snapshot", G_CALLBACK (client_snapshot_cb), &seen);
  g_signal_connect (client, "event", G_CALLBACK (client_event_cb), &seen);

  start = g_get_monotonic_time ();
  g_assert_true (attendant_client_start (client, &error));
  g_assert_no_error (error);
  attendant_test_wait_until (has_snapshot, &seen, "the snapshot");
  g_test_message ("from start to the merged snapshot of %d contacts: %.1f ms",
                  N_CONTACTS, ms_since (start));

  g_assert_cmpuint (seen.n_snapshots, ==, 1);
  g_assert_false (json_object_has_member (seen.snapshot, "more"));
  directory = json_object_get_array_member (seen.snapshot, "directory");
  g_assert_cmpuint (json_array_get_length (directory), ==, N_CONTACTS);
  for (guint i = 0; i < json_array_get_length (directory); i++)
    {
      JsonObject *contact = json_array_get_object_element (directory, i);

      if (g_strcmp0 (json_object_get_string_member (contact, "number"), "25003") == 0)
        {
          found = TRUE;
          g_assert_cmpstr (json_object_get_string_member (contact, "presence"), ==, "available");
        }
    }
  g_assert_true (found);

  g_assert_true (attendant_pbx_set_presence (attendant_server_get_pbx (cluster->server),
                                             "25003", "dnd", &error));
  g_assert_no_error (error);
  attendant_test_wait_until (has_event, &seen, "the presence event");
  g_assert_cmpstr (json_object_get_string_member (seen.event, "event"), ==, "presence");
  g_assert_cmpstr (json_object_get_string_member (seen.event, "id"), ==, "ext-25003");
  g_assert_cmpstr (json_object_get_string_member (seen.event, "presence"), ==, "dnd");
  g_assert_cmpint (json_object_get_int_member (seen.event, "seq"), ==,
                   json_object_get_int_member (seen.snapshot, "seq") + 1);
  g_assert_cmpuint (seen.n_snapshots, ==, 1);

  attendant_client_stop (client);
  g_signal_handlers_disconnect_by_data (client, &seen);
  g_clear_pointer (&seen.snapshot, json_object_unref);
  g_clear_pointer (&seen.event, json_object_unref);
}

/* }}} */
/* {{{ The telephone system at that size */

static void
count_presence_cb (AttendantPbx *pbx,
                   JsonObject   *message,
                   guint        *n_presence)
{
  if (g_strcmp0 (json_object_get_string_member (message, "event"), "presence") == 0)
    (*n_presence)++;
}

/* Hundreds of calls ringing among the ten thousand: each one's presence
 * events are about its own party only, and the presence goes back when
 * the caller hangs up. */
static void
test_presence_follows_calls (void)
{
  g_autoptr(AttendantTestCluster) cluster = big_cluster ();
  g_autofree char *url = primary_url (cluster);
  g_autoptr(AttendantTestClient) client = attendant_test_client_new (url, NULL);
  g_autoptr(JsonObject) hello = attendant_test_client_expect (client, "hello");
  g_autoptr(JsonObject) ok = attendant_test_client_login (client, TEST_USER, TEST_PASSWORD);
  AttendantPbx *pbx = attendant_server_get_pbx (cluster->server);
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *last_call = NULL;
  g_autofree char *last_number = NULL;
  guint n_presence = 0;
  const guint n_calls = 300;
  gulong handler;
  gint64 start;

  g_assert_cmpstr (attendant_protocol_get_type (ok), ==, "auth.ok");

  handler = g_signal_connect (pbx, "event", G_CALLBACK (count_presence_cb), &n_presence);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_calls; i++)
    {
      /* People whose index is not a multiple of 11 are available. */
      guint person = 1 + i * 11 + i % 10;
      g_autoptr(JsonObject) call = NULL;

      g_clear_pointer (&last_number, g_free);
      last_number = g_strdup_printf ("%u", FIRST_NUMBER + person);
      call = attendant_pbx_inject_call (pbx, "+390212345678", "ACME Spa", NULL, last_number, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (call, "state"), ==, "ringing");
      g_assert_cmpuint (n_presence, ==, i + 1);
      g_clear_pointer (&last_call, g_free);
      last_call = g_strdup (json_object_get_string_member (call, "id"));
    }
  g_test_message ("%u direct calls rung among %d contacts in %.1f ms", n_calls, N_PEOPLE, ms_since (start));
  g_signal_handler_disconnect (pbx, handler);

  event = attendant_test_client_wait_presence (client, last_number, "ringing");
  g_clear_pointer (&event, json_object_unref);

  g_assert_true (attendant_pbx_caller_hangup (pbx, last_call, &error));
  g_assert_no_error (error);
  event = attendant_test_client_wait_presence (client, last_number, "available");
  g_assert_cmpuint (attendant_test_client_get_n_seq_errors (client), ==, 0);
}

/* }}} */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  attendant_test_sanitizer_setup (argv);
  g_test_init (&argc, &argv, NULL);

  dir = g_dir_make_tmp (NULL, &error);
  g_assert_no_error (error);
  directory_file = make_directory_file ();

  g_test_add_func ("/server/scale/snapshot-parts", test_snapshot_parts);
  g_test_add_func ("/server/scale/client-snapshot", test_client_snapshot);
  g_test_add_func ("/server/scale/presence-follows-calls", test_presence_follows_calls);

  status = g_test_run ();

  attendant_test_remove_dir (dir);
  g_free (dir);
  g_free (directory_file);

  return status;
}
