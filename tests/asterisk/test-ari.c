/* test-ari.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "attendant-ari.h"
#include "attendant-error.h"
#include "attendant-protocol.h"
#include "attendant-test-phone.h"
#include "attendant-test-pki.h"
#include "attendant-test-wait.h"

/* AttendantAri against a real Asterisk 22 and a real SIP phone on
 * loopback. The tests share one Asterisk and run in order: the first
 * starts the client before Asterisk runs, the last ones kill and stop it. */

#define CALLER_NUMBER "+390612345678"

typedef struct
{
  AttendantAri *ari;
  guint         connected;
  guint         disconnected;
  int           last_reason;
  char         *last_message;
  guint         attempts_failed;
  GError       *last_attempt_error;
  gint64        connected_at;
  gint64        disconnected_at;
  GPtrArray    *events;   /* of JsonObject */
  GPtrArray    *event_times;
} Watch;

static AttendantTestAsterisk *lab;
static Watch *watch;
static AttendantTestPhone *caller;
static AttendantTestPki *pki;
static guint16 tls_port;

/* {{{ Helpers */

static void
connected_cb (AttendantAri *ari,
              Watch        *w)
{
  w->connected++;
  w->connected_at = g_get_monotonic_time ();
}

static void
disconnected_cb (AttendantAri *ari,
                 int           reason,
                 const char   *message,
                 Watch        *w)
{
  w->disconnected++;
  w->disconnected_at = g_get_monotonic_time ();
  w->last_reason = reason;
  g_free (w->last_message);
  w->last_message = g_strdup (message);
  g_test_message ("disconnected (%d): %s", reason, message);
}

static void
attempt_failed_cb (AttendantAri *ari,
                   GError       *error,
                   guint         delay_ms,
                   Watch        *w)
{
  w->attempts_failed++;
  g_clear_error (&w->last_attempt_error);
  w->last_attempt_error = g_error_copy (error);
  g_test_message ("attempt failed, next in %u ms: %s", delay_ms, error->message);
}

static void
event_cb (AttendantAri *ari,
          const char   *type,
          JsonObject   *event,
          Watch        *w)
{
  g_ptr_array_add (w->events, json_object_ref (event));
  g_ptr_array_add (w->event_times, g_memdup2 (&(gint64){ g_get_monotonic_time () }, sizeof (gint64)));
}

static Watch *
watch_new (const char *password)
{
  g_autofree char *url = attendant_test_asterisk_get_url (lab);
  g_autoptr(GError) error = NULL;
  Watch *w = g_new0 (Watch, 1);

  w->ari = attendant_ari_new (url, "attendant", password, "attendant", &error);
  g_assert_no_error (error);
  w->events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  w->event_times = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (w->ari, "connected", G_CALLBACK (connected_cb), w);
  g_signal_connect (w->ari, "disconnected", G_CALLBACK (disconnected_cb), w);
  g_signal_connect (w->ari, "attempt-failed", G_CALLBACK (attempt_failed_cb), w);
  g_signal_connect (w->ari, "event", G_CALLBACK (event_cb), w);

  return w;
}

static void
watch_free (Watch *w)
{
  attendant_ari_stop (w->ari);
  g_object_unref (w->ari);
  g_free (w->last_message);
  g_clear_error (&w->last_attempt_error);
  g_ptr_array_unref (w->events);
  g_ptr_array_unref (w->event_times);
  g_free (w);
}

typedef struct
{
  gboolean  done;
  JsonNode *node;
  char     *version;
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
  g_clear_pointer (&result->version, g_free);
  g_clear_error (&result->error);
  result->done = FALSE;
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

static void
info_cb (GObject      *object,
         GAsyncResult *async_result,
         gpointer      user_data)
{
  Result *result = user_data;

  result->version = attendant_ari_get_info_finish (ATTENDANT_ARI (object), async_result, &result->error);
  result->done = TRUE;
}

static void
request (AttendantAri       *ari,
         const char         *method,
         const char         *path,
         const char * const *query,
         Result             *result)
{
  result_clear (result);
  attendant_ari_request_async (ari, method, path, query, NULL, request_cb, result);
  attendant_test_wait_until (result_done, result, 10000, path);
}

static void
get_info (AttendantAri *ari,
          Result       *result)
{
  result_clear (result);
  attendant_ari_get_info_async (ari, NULL, info_cb, result);
  attendant_test_wait_until (result_done, result, 15000, "the info");
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static gboolean
has_failed_attempt (gpointer data)
{
  return ((Watch *)data)->attempts_failed > 0;
}

static gboolean
is_connected (gpointer data)
{
  return attendant_ari_get_connected (((Watch *)data)->ari);
}

static gboolean
is_disconnected (gpointer data)
{
  return !attendant_ari_get_connected (((Watch *)data)->ari);
}

typedef struct
{
  Watch      *watch;
  const char *type;
  const char *channel_id;   /* nullable */
  JsonObject *found;
  gint64      found_at;
} EventQuery;

static const char *
event_channel_id (JsonObject *event)
{
  JsonObject *channel = attendant_protocol_get_object (event, "channel");

  return channel ? attendant_protocol_get_string (channel, "id") : NULL;
}

static gboolean
has_event (gpointer data)
{
  EventQuery *query = data;

  for (guint i = 0; i < query->watch->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (query->watch->events, i);

      if (g_strcmp0 (attendant_protocol_get_string (event, "type"), query->type) == 0 &&
          (query->channel_id == NULL || g_strcmp0 (event_channel_id (event), query->channel_id) == 0))
        {
          query->found = event;
          query->found_at = *(gint64 *)g_ptr_array_index (query->watch->event_times, i);
          return TRUE;
        }
    }

  return FALSE;
}

/* }}} */
/* {{{ Tests */

/* Asterisk not running: the info says unreachable; the client keeps
 * trying with backoff, and connects once Asterisk is started. */
static void
test_unreachable_then_connected (void)
{
  g_auto(Result) result = { 0 };
  gint64 started;

  get_info (watch->ari, &result);
  g_assert_error (result.error, ATTENDANT_ERROR, ATTENDANT_ERROR_SERVICE_UNAVAILABLE);
  g_assert_nonnull (strstr (result.error->message, "unreachable"));

  attendant_ari_start (watch->ari);
  attendant_test_wait_until (has_failed_attempt, watch, 5000, "a failed attempt");
  g_assert_error (watch->last_attempt_error, ATTENDANT_ERROR, ATTENDANT_ERROR_SERVICE_UNAVAILABLE);
  g_assert_false (attendant_ari_get_connected (watch->ari));

  started = g_get_monotonic_time ();
  attendant_test_asterisk_start (lab);
  g_test_message ("Asterisk started in %.2f s", (g_get_monotonic_time () - started) / 1e6);
  /* The backoff's ceiling is at most 8 s by now (1, 2, 4, 8 s). */
  attendant_test_wait_until (is_connected, watch, 20000, "connected after Asterisk started");
  g_assert_cmpuint (watch->connected, ==, 1);
  g_test_message ("connected %.2f s after Asterisk was started, after %u failed attempts",
                  (watch->connected_at - started) / 1e6, watch->attempts_failed);
}

static void
test_info (void)
{
  g_auto(Result) result = { 0 };

  get_info (watch->ari, &result);
  g_assert_no_error (result.error);
  g_assert_true (g_str_has_prefix (result.version, "22."));
  g_assert_cmpstr (attendant_ari_get_asterisk_version (watch->ari), ==, result.version);
}

static void
test_wrong_password (void)
{
  Watch *wrong = watch_new ("not-the-secret");
  g_auto(Result) result = { 0 };

  get_info (wrong->ari, &result);
  g_assert_error (result.error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (result.error->message, "wrong user or password"));

  /* The loop says so too, and never connects. */
  attendant_ari_start (wrong->ari);
  attendant_test_wait_until (has_failed_attempt, wrong, 5000, "a failed attempt");
  g_assert_error (wrong->last_attempt_error, ATTENDANT_ERROR, ATTENDANT_ERROR_AUTH_FAILED);
  g_assert_cmpuint (wrong->connected, ==, 0);

  watch_free (wrong);
}

/* A web server that is not ARI (Asterisk's own HTTP server, outside /ari). */
static void
test_not_ari (void)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/not-ari",
                                          attendant_test_asterisk_get_http_port (lab));
  g_autoptr(GError) error = NULL;
  g_autoptr(AttendantAri) ari = attendant_ari_new (url, "attendant", "ari-secret", "attendant", &error);
  g_auto(Result) result = { 0 };

  g_assert_no_error (error);
  get_info (ari, &result);
  g_assert_error (result.error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (result.error->message, "does not answer like Asterisk's ARI"));

  g_assert_null (attendant_ari_new ("ftp://127.0.0.1/ari", "a", "b", "c", &error));
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
}

/* An event saying that endpoint @data is online: Asterisk 22 reports a
 * registration as PeerStatusChange and ContactStatusChange (the events
 * of every source are subscribed to). */
/* ARI over TLS (Asterisk's http.conf tlsenable), its certificate issued
 * for 127.0.0.1 by the test's CA: trusted with that CA as an extra anchor,
 * events included; refused without it. Another application name, so as
 * not to take the first connection's. */
static void
test_tls (void)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u/ari", tls_port);
  g_autoptr(GTlsDatabase) anchors = attendant_test_pki_new_anchors (pki);
  g_autoptr(GError) error = NULL;
  g_autoptr(AttendantAri) untrusting = attendant_ari_new (url, "attendant", "ari-secret", "attendant-tls", &error);
  Watch *trusting = watch_new ("ari-secret");
  g_auto(Result) result = { 0 };

  g_assert_no_error (error);
  get_info (untrusting, &result);
  g_assert_error (result.error, ATTENDANT_ERROR, ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED);

  g_clear_object (&trusting->ari);
  trusting->ari = attendant_ari_new (url, "attendant", "ari-secret", "attendant-tls", &error);
  g_assert_no_error (error);
  g_signal_connect (trusting->ari, "connected", G_CALLBACK (connected_cb), trusting);
  g_signal_connect (trusting->ari, "attempt-failed", G_CALLBACK (attempt_failed_cb), trusting);
  attendant_ari_set_extra_anchors (trusting->ari, anchors);

  get_info (trusting->ari, &result);
  g_assert_no_error (result.error);
  g_assert_true (g_str_has_prefix (result.version, "22."));

  attendant_ari_start (trusting->ari);
  attendant_test_wait_until (is_connected, trusting, 10000, "connected over TLS");
  g_assert_cmpuint (trusting->attempts_failed, ==, 0);

  watch_free (trusting);
}

/* http.conf with TLS beside plain HTTP, for test_tls. */
static void
write_etc (void)
{
  g_autofree char *etc = g_build_filename (attendant_test_asterisk_get_dir (lab), "etc", NULL);
  g_autofree char *http = g_build_filename (etc, "http.conf", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  tls_port = attendant_test_free_port (G_SOCKET_TYPE_STREAM);
  text = g_strdup_printf ("[general]\n"
                          "enabled = yes\n"
                          "bindaddr = 127.0.0.1\n"
                          "bindport = %u\n"
                          "tlsenable = yes\n"
                          "tlsbindaddr = 127.0.0.1:%u\n"
                          "tlscertfile = %s\n"
                          "tlsprivatekey = %s\n",
                          attendant_test_asterisk_get_http_port (lab), tls_port,
                          pki->loopback_file, pki->key_file);
  g_assert_cmpint (g_mkdir_with_parents (etc, 0700), ==, 0);
  g_file_set_contents (http, text, -1, &error);
  g_assert_no_error (error);
  attendant_test_asterisk_set_etc (lab, etc);
}

static gboolean
endpoint_online (gpointer data)
{
  for (guint i = 0; i < watch->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (watch->events, i);
      JsonObject *endpoint = attendant_protocol_get_object (event, "endpoint");

      if (endpoint != NULL &&
          g_strcmp0 (attendant_protocol_get_string (endpoint, "resource"), data) == 0 &&
          g_strcmp0 (attendant_protocol_get_string (endpoint, "state"), "online") == 0)
        return TRUE;
    }

  return FALSE;
}

/* Phone 300 dials the queue (100): the dialplan hands the call to the
 * Stasis application, and StasisStart reaches the client with the
 * caller's number; commands act on the channel; its hang-up ends it. */
static void
test_call (void)
{
  g_auto(Result) result = { 0 };
  EventQuery start = { watch, "StasisStart", NULL, NULL, 0 };
  EventQuery end = { watch, "StasisEnd", NULL, NULL, 0 };
  EventQuery destroyed = { watch, "ChannelDestroyed", NULL, NULL, 0 };
  g_autofree char *channel_id = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *moh = NULL;
  g_autofree char *channel = NULL;
  JsonObject *caller_id;
  gint64 dialled;

  caller = attendant_test_phone_start (lab, "300", "p300", 1000);
  attendant_test_wait_until (endpoint_online, "300", 10000, "phone 300 registered");

  dialled = g_get_monotonic_time ();
  attendant_test_phone_dial (caller, "100");
  attendant_test_wait_until (has_event, &start, 10000, "StasisStart");
  g_test_message ("dial to StasisStart at the client: %.1f ms", (start.found_at - dialled) / 1000.0);

  caller_id = attendant_protocol_get_object (attendant_protocol_get_object (start.found, "channel"), "caller");
  g_assert_nonnull (caller_id);
  g_assert_cmpstr (attendant_protocol_get_string (caller_id, "number"), ==, CALLER_NUMBER);
  g_assert_cmpstr (attendant_protocol_get_string (start.found, "application"), ==, "attendant");
  channel_id = g_strdup (event_channel_id (start.found));
  g_assert_nonnull (channel_id);

  answer = g_strdup_printf ("channels/%s/answer", channel_id);
  request (watch->ari, "POST", answer, NULL, &result);
  g_assert_no_error (result.error);
  g_assert_true (JSON_NODE_HOLDS_NULL (result.node));

  moh = g_strdup_printf ("channels/%s/moh", channel_id);
  request (watch->ari, "POST", moh, (const char *[]){ "mohClass", "default", NULL }, &result);
  g_assert_no_error (result.error);

  /* Asterisk's state says so too. */
  channel = g_strdup_printf ("channels/%s", channel_id);
  request (watch->ari, "GET", channel, NULL, &result);
  g_assert_no_error (result.error);
  g_assert_cmpstr (attendant_protocol_get_string (json_node_get_object (result.node), "state"), ==, "Up");

  /* A refusal carries the HTTP status and ARI's own message. */
  request (watch->ari, "POST", "channels/no-such-channel/answer", NULL, &result);
  g_assert_error (result.error, ATTENDANT_ARI_STATUS_ERROR, 404);
  g_assert_nonnull (strstr (result.error->message, "Channel not found"));

  request (watch->ari, "DELETE", channel, (const char *[]){ "reason", "normal", NULL }, &result);
  g_assert_no_error (result.error);

  end.channel_id = channel_id;
  destroyed.channel_id = channel_id;
  attendant_test_wait_until (has_event, &end, 5000, "StasisEnd");
  attendant_test_wait_until (has_event, &destroyed, 5000, "ChannelDestroyed");

  request (watch->ari, "GET", channel, NULL, &result);
  g_assert_error (result.error, ATTENDANT_ARI_STATUS_ERROR, 404);
}

/* Asterisk stopped answering (SIGSTOP: the socket stays open, nothing
 * comes): the liveness deadline notices within 2 s, on a connection that
 * has been up for a while and on one just made (before libsoup's first
 * ping: 0, 0.4 and 0.9 s after "connected"). After SIGCONT the client
 * is connected again: the events connection outlived the freeze and
 * resumes (closing it would have Asterisk tear it down as it thaws). */
static void
test_silent (void)
{
  const guint offsets_ms[] = { 0, 400, 900 };

  for (guint round = 0; round <= G_N_ELEMENTS (offsets_ms); round++)
    {
      guint before = watch->disconnected;
      guint connected_before = watch->connected;
      gint64 stopped;
      gint64 thawed;

      g_assert_true (attendant_ari_get_connected (watch->ari));
      if (round > 0)
        {
          attendant_ari_stop (watch->ari);
          attendant_ari_start (watch->ari);
          attendant_test_wait_until (is_connected, watch, 15000, "a new connection");
          connected_before = watch->connected;
          attendant_test_run_for (offsets_ms[round - 1]);
        }
      stopped = g_get_monotonic_time ();
      attendant_test_asterisk_signal (lab, SIGSTOP);
      attendant_test_wait_until (is_disconnected, watch, 5000, "disconnected from a silent Asterisk");
      g_assert_cmpuint (watch->disconnected, ==, before + 1);
      g_assert_cmpint (watch->last_reason, ==, ATTENDANT_ARI_DISCONNECT_TIMED_OUT);
      g_test_message ("silent Asterisk noticed after %.0f ms (%s)", (watch->disconnected_at - stopped) / 1000.0,
                      round == 0 ? "a connection up for a while" : "a connection just made");
      g_assert_cmpint (watch->disconnected_at - stopped, <, 2 * G_USEC_PER_SEC);

      thawed = g_get_monotonic_time ();
      attendant_test_asterisk_signal (lab, SIGCONT);
      attendant_test_wait_until (is_connected, watch, 15000, "connected after Asterisk answered again");
      g_assert_cmpuint (watch->connected, ==, connected_before + 1);
      g_test_message ("connected again %.2f s after SIGCONT", (watch->connected_at - thawed) / 1e6);
    }
}

/* Asterisk killed mid-session: disconnected within 2 s; started again:
 * connected again. */
static void
test_killed_and_restarted (void)
{
  guint before = watch->disconnected;
  guint connected_before = watch->connected;
  gint64 killed;

  g_assert_true (attendant_ari_get_connected (watch->ari));
  killed = g_get_monotonic_time ();
  attendant_test_asterisk_kill (lab);
  attendant_test_wait_until (is_disconnected, watch, 5000, "disconnected from a killed Asterisk");
  g_assert_cmpuint (watch->disconnected, ==, before + 1);
  g_assert_cmpint (watch->last_reason, ==, ATTENDANT_ARI_DISCONNECT_CLOSED);
  g_test_message ("killed Asterisk noticed after %.1f ms", (watch->disconnected_at - killed) / 1000.0);
  g_assert_cmpint (watch->disconnected_at - killed, <, 2 * G_USEC_PER_SEC);

  attendant_test_asterisk_start (lab);
  attendant_test_wait_until (is_connected, watch, 20000, "reconnected after Asterisk restarted");
  g_assert_cmpuint (watch->connected, ==, connected_before + 1);
}

/* Another connection takes the application over: the first is told so,
 * and does not take it back. */
static void
test_replaced (void)
{
  Watch *other = watch_new ("ari-secret");

  attendant_ari_start (other->ari);
  attendant_test_wait_until (is_connected, other, 10000, "the second connection");
  attendant_test_wait_until (is_disconnected, watch, 5000, "the first connection replaced");
  g_assert_cmpint (watch->last_reason, ==, ATTENDANT_ARI_DISCONNECT_REPLACED);

  /* Nothing takes it back: the second keeps it. */
  attendant_test_run_for (2500);
  g_assert_false (attendant_ari_get_connected (watch->ari));
  g_assert_true (attendant_ari_get_connected (other->ari));
  g_assert_cmpuint (other->disconnected, ==, 0);

  watch_free (other);
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
      g_test_add_data_func ("/ari/lab", why, attendant_test_asterisk_missing);
      return g_test_run ();
    }
  g_test_message ("using %s", found);

  g_test_add_func ("/ari/unreachable-then-connected", test_unreachable_then_connected);
  g_test_add_func ("/ari/info", test_info);
  g_test_add_func ("/ari/wrong-password", test_wrong_password);
  g_test_add_func ("/ari/not-ari", test_not_ari);
  g_test_add_func ("/ari/tls", test_tls);
  g_test_add_func ("/ari/call", test_call);
  g_test_add_func ("/ari/silent", test_silent);
  g_test_add_func ("/ari/killed-and-restarted", test_killed_and_restarted);
  g_test_add_func ("/ari/replaced", test_replaced);

  lab = attendant_test_asterisk_new ();
  pki = attendant_test_pki_new ();
  write_etc ();
  watch = watch_new ("ari-secret");

  status = g_test_run ();

  g_clear_pointer (&caller, attendant_test_phone_free);
  watch_free (watch);
  attendant_test_asterisk_free (lab);
  attendant_test_pki_free (pki);

  return status;
}
