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
                             10000, "a phone registered");
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
/* {{{ Recordings */

/* The phone's recording of its last call, sorted into tone blocks. */
static AttendantTestToneCount
last_recording (AttendantTestPhone *phone,
                guint               tone_hz)
{
  g_autoptr(GPtrArray) recordings = attendant_test_phone_get_recordings (phone);
  g_autoptr(GError) error = NULL;
  AttendantTestToneCount count;

  g_assert_cmpuint (recordings->len, >, 0);
  attendant_test_wav_count_tones (g_ptr_array_index (recordings, recordings->len - 1), tone_hz, &count, &error);
  g_assert_no_error (error);
  g_test_message ("%s heard %u blocks: %u of %u Hz, %u of music on hold, %u silent",
                  attendant_test_phone_get_extension (phone), count.blocks, count.tone, tone_hz,
                  count.moh, count.silent);
  return count;
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

static void
test_lab_missing (gconstpointer data)
{
  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    g_test_fail_printf ("cannot run the Asterisk tests: %s", (const char *)data);
  else
    g_test_skip_printf ("cannot run the Asterisk tests: %s", (const char *)data);
}

/* }}} */

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
      g_test_add_data_func ("/asterisk-backend/lab", why, test_lab_missing);
      return g_test_run ();
    }

  g_test_add_func ("/asterisk-backend/phones", test_phones);

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

  status = g_test_run ();

  g_clear_pointer (&phone300, attendant_test_phone_free);
  g_clear_pointer (&phone200, attendant_test_phone_free);
  g_clear_pointer (&phone201, attendant_test_phone_free);
  g_clear_pointer (&phone202, attendant_test_phone_free);
  g_clear_object (&probe);
  attendant_test_asterisk_free (lab);

  return status;
}
