/* attendant-test-phone.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-phone"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "attendant-test-phone.h"

/* baresip is driven over ctrl_tcp: netstrings ("LEN:JSON,") of
 * {"command", "params", "token"}; it answers each with
 * {"response": true, "ok": …, "data": …, "token": …} on the same
 * connection, among the events it sends to every connection. A command is
 * sent on a connection of its own and waited for until its response, so
 * that when it returns baresip has carried it out (the SIP that follows is
 * for the test to wait on, in Asterisk). */

#define MAX_NETSTRING   (64 * 1024)
#define MAX_WAV_BYTES   (64 * 1024 * 1024)

struct _AttendantTestPhone
{
  AttendantTestAsterisk *lab;
  char    *extension;
  char    *dir;
  guint16  ctrl_port;
  guint    token;
  pid_t    pid;
};

/* {{{ Phones */

typedef enum
{
  START_PENDING,
  START_REGISTERED,
  START_PORT_TAKEN,
} StartState;

static StartState
start_state (AttendantTestPhone *phone)
{
  g_autofree char *path = g_build_filename (phone->dir, "baresip.log", NULL);
  g_autofree char *log = NULL;

  if (!g_file_get_contents (path, &log, NULL, NULL))
    return START_PENDING;
  if (strstr (log, "Address already in use") != NULL)
    return START_PORT_TAKEN;
  if (strstr (log, "200 OK") != NULL)
    return START_REGISTERED;
  return START_PENDING;
}

/* Ports are found free and then bound by baresip: another test on the
 * machine may take one in between, so a phone that could not bind is
 * started again on others. */
static gboolean
start_once (AttendantTestPhone *phone,
            const char         *password,
            guint               tone_hz)
{
  g_autofree char *script = g_build_filename (attendant_test_asterisk_get_scripts (phone->lab), "run-phone.sh", NULL);
  g_autofree char *ast = g_strdup_printf ("%u", attendant_test_asterisk_get_sip_port (phone->lab));
  g_autofree char *local = NULL;
  g_autofree char *ctrl = NULL;
  g_autofree char *hz = g_strdup_printf ("%u", tone_hz);
  g_autofree char *log = g_build_filename (phone->dir, "baresip.log", NULL);
  guint16 local_port;
  gint64 deadline;

  /* baresip listens for SIP on UDP and TCP at its port and for TLS on
   * the next one; its RTP ports are that port + 10000 … + 10099. All of
   * them below the kernel's ephemeral ports (32768 on), where the test's
   * own connections leave sockets in TIME_WAIT that baresip cannot bind
   * over ("Address already in use": the phone never registers), and
   * apart from Asterisk's RTP ports (30000 on). */
  for (;;)
    {
      local_port = attendant_test_free_udp_range (10000, 19900, 1);
      if (attendant_test_port_is_free (G_SOCKET_TYPE_STREAM, local_port) &&
          attendant_test_port_is_free (G_SOCKET_TYPE_STREAM, (guint16)(local_port + 1)) &&
          attendant_test_port_is_free (G_SOCKET_TYPE_DATAGRAM, (guint16)(local_port + 10000)) &&
          attendant_test_port_is_free (G_SOCKET_TYPE_DATAGRAM, (guint16)(local_port + 10099)))
        break;
    }
  local = g_strdup_printf ("%u", local_port);
  phone->ctrl_port = attendant_test_free_port (G_SOCKET_TYPE_STREAM);
  ctrl = g_strdup_printf ("%u", phone->ctrl_port);
  g_unlink (log);

  {
    const char * const argv[] = { "sh", script, phone->dir, phone->extension, password, ast, local, ctrl, hz, NULL };

    phone->pid = attendant_test_lab_run_script (argv, NULL, "baresip");
  }

  /* Registered, or refused a port: baresip says either within moments. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      switch (start_state (phone))
        {
        case START_REGISTERED:
          return TRUE;
        case START_PORT_TAKEN:
          attendant_test_lab_stop_pid (phone->pid, SIGTERM);
          phone->pid = 0;
          return FALSE;
        case START_PENDING:
        default:
          g_main_context_iteration (NULL, FALSE);
          g_usleep (10 * 1000);
        }
    }
  return TRUE;
}

/**
 * attendant_test_phone_start:
 *
 * Starts a baresip phone for @extension that registers to @lab's Asterisk,
 * answers every call and sends a tone of @tone_hz. It returns once
 * baresip says it registered (or after 10 s: whether Asterisk saw it
 * register is the test's to check).
 */
AttendantTestPhone *
attendant_test_phone_start (AttendantTestAsterisk *lab,
                            const char            *extension,
                            const char            *password,
                            guint                  tone_hz)
{
  AttendantTestPhone *phone = g_new0 (AttendantTestPhone, 1);
  g_autofree char *name = g_strconcat ("phone-", extension, NULL);

  phone->lab = lab;
  phone->extension = g_strdup (extension);
  phone->dir = g_build_filename (attendant_test_asterisk_get_dir (lab), name, NULL);

  for (guint attempt = 0; !start_once (phone, password, tone_hz); attempt++)
    if (attempt == 5)
      g_error ("phone %s: no free ports after %u attempts", extension, attempt + 1);

  return phone;
}

const char *
attendant_test_phone_get_extension (AttendantTestPhone *phone)
{
  return phone->extension;
}

/* Where the phone keeps its configuration, log and recordings. */
const char *
attendant_test_phone_get_dir (AttendantTestPhone *phone)
{
  return phone->dir;
}

static char *trace_dir;

static void
remove_trace_dir (void)
{
  g_autofree char *wrapper = g_build_filename (trace_dir, "baresip", NULL);

  g_remove (wrapper);
  g_rmdir (trace_dir);
  g_clear_pointer (&trace_dir, g_free);
}

/**
 * attendant_test_phone_trace_sip:
 *
 * Phones started from now on write every SIP message they send and get
 * into their log (baresip -s), for what only the wire shows, such as a
 * header Asterisk adds to its INVITE. The shared start script runs
 * "baresip" from PATH: a wrapper that adds -s goes first on it. Call it
 * before the test starts threads (it changes the environment).
 */
void
attendant_test_phone_trace_sip (void)
{
  g_autofree char *real = g_find_program_in_path ("baresip");
  g_autofree char *wrapper = NULL;
  g_autofree char *script = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (real);
  g_assert_null (trace_dir);
  trace_dir = g_dir_make_tmp ("attendant-sip-trace-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (remove_trace_dir);
  wrapper = g_build_filename (trace_dir, "baresip", NULL);
  /* Line-buffered, or the trace would reach the log in 4 KiB blocks. */
  script = g_strdup_printf ("#!/bin/sh\nexec stdbuf -oL '%s' -s \"$@\"\n", real);
  g_file_set_contents (wrapper, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (wrapper, 0755), ==, 0);
  path = g_strdup_printf ("%s:%s", trace_dir, g_getenv ("PATH"));
  g_setenv ("PATH", path, TRUE);
}

/* Returns: (transfer full): what the phone wrote to its log so far */
char *
attendant_test_phone_get_log (AttendantTestPhone *phone)
{
  g_autofree char *path = g_build_filename (phone->dir, "baresip.log", NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

static char *
read_netstring (GInputStream  *input,
                GError       **error)
{
  char length_text[16];
  gsize used = 0;
  guint64 length;
  g_autofree char *body = NULL;
  char comma;

  for (;;)
    {
      if (used == sizeof length_text - 1)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "netstring length too long");
          return NULL;
        }
      if (!g_input_stream_read_all (input, &length_text[used], 1, NULL, NULL, error))
        return NULL;
      if (length_text[used] == ':')
        break;
      if (!g_ascii_isdigit (length_text[used]))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a netstring");
          return NULL;
        }
      used++;
    }
  length_text[used] = '\0';
  length = g_ascii_strtoull (length_text, NULL, 10);
  if (used == 0 || length > MAX_NETSTRING)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "netstring over the bound");
      return NULL;
    }

  body = g_malloc (length + 1);
  if (!g_input_stream_read_all (input, body, length, NULL, NULL, error) ||
      !g_input_stream_read_all (input, &comma, 1, NULL, NULL, error))
    return NULL;
  body[length] = '\0';

  return g_steal_pointer (&body);
}

/**
 * attendant_test_phone_command:
 * @command: a baresip command ("dial", "accept", "hangup", "answermode"…)
 * @params: (nullable): its parameters
 *
 * Sends one command over ctrl_tcp and waits for baresip's response.
 *
 * Returns: (transfer full): the response's "data" (asserts it was "ok")
 */
char *
attendant_test_phone_command (AttendantTestPhone *phone,
                              const char         *command,
                              const char         *params)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *token = g_strdup_printf ("t%u", ++phone->token);
  g_autofree char *json = NULL;
  g_autofree char *netstring = NULL;
  GInputStream *input;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, command);
  if (params != NULL)
    {
      json_builder_set_member_name (builder, "params");
      json_builder_add_string_value (builder, params);
    }
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);
  netstring = g_strdup_printf ("%zu:%s,", strlen (json), json);

  /* A phone just started does not listen yet: its ctrl_tcp module loads a
   * moment after baresip starts. */
  g_socket_client_set_timeout (client, 5);
  for (guint i = 0; i < 300 && connection == NULL; i++)
    {
      g_clear_error (&error);
      connection = g_socket_client_connect_to_host (client, "127.0.0.1", phone->ctrl_port, NULL, &error);
      if (connection == NULL)
        g_usleep (10 * 1000);
    }
  g_assert_no_error (error);

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             netstring, strlen (netstring), NULL, NULL, &error);
  g_assert_no_error (error);

  input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *message = read_netstring (input, &error);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      g_assert_no_error (error);
      if (!json_parser_load_from_data (parser, message, -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      object = json_node_get_object (json_parser_get_root (parser));
      if (!json_object_get_boolean_member_with_default (object, "response", FALSE) ||
          g_strcmp0 (json_object_get_string_member_with_default (object, "token", NULL), token) != 0)
        continue;

      if (!json_object_get_boolean_member_with_default (object, "ok", FALSE))
        g_error ("phone %s refused “%s %s”: %s", phone->extension, command, params ? params : "",
                 json_object_get_string_member_with_default (object, "data", ""));
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return g_strdup (json_object_get_string_member_with_default (object, "data", ""));
    }

  g_error ("phone %s: no response to “%s”", phone->extension, command);
}

/* Calls @extension at the lab's Asterisk. */
void
attendant_test_phone_dial (AttendantTestPhone *phone,
                           const char         *extension)
{
  g_autofree char *uri = g_strdup_printf ("sip:%s@127.0.0.1:%u", extension,
                                          attendant_test_asterisk_get_sip_port (phone->lab));

  g_free (attendant_test_phone_command (phone, "dial", uri));
}

/* Hangs up the phone's current call, as a person putting it down. */
void
attendant_test_phone_hangup (AttendantTestPhone *phone)
{
  g_free (attendant_test_phone_command (phone, "hangup", NULL));
}

/* Answers the call ringing the phone (when it does not by itself). */
void
attendant_test_phone_accept (AttendantTestPhone *phone)
{
  g_free (attendant_test_phone_command (phone, "accept", NULL));
}

/* With %FALSE, calls ring the phone until attendant_test_phone_accept()
 * (or forever: a colleague who does not answer). */
void
attendant_test_phone_set_auto_answer (AttendantTestPhone *phone,
                                      gboolean            auto_answer)
{
  g_free (attendant_test_phone_command (phone, "answermode", auto_answer ? "auto" : "manual"));
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *)a, *(char * const *)b);
}

/**
 * attendant_test_phone_get_recordings:
 *
 * Returns: (transfer full) (element-type utf8): the paths of what the
 *   phone heard, one file per call (dump-*-dec.wav), oldest first
 */
GPtrArray *
attendant_test_phone_get_recordings (AttendantTestPhone *phone)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (phone->dir, 0, NULL);

  for (const char *name; dir != NULL && (name = g_dir_read_name (dir)) != NULL;)
    if (g_str_has_prefix (name, "dump-") && g_str_has_suffix (name, "-dec.wav"))
      g_ptr_array_add (paths, g_build_filename (phone->dir, name, NULL));

  /* The names carry the call's start time (dump-YYYY-MM-DD-HH-MM-SS-…). */
  g_ptr_array_sort (paths, compare_paths);
  return paths;
}

/* Kills the phone at once, as a crash or a pulled cable would: it does
 * not unregister. */
void
attendant_test_phone_kill (AttendantTestPhone *phone)
{
  attendant_test_lab_stop_pid (phone->pid, SIGKILL);
  phone->pid = 0;
}

void
attendant_test_phone_free (AttendantTestPhone *phone)
{
  attendant_test_lab_stop_pid (phone->pid, SIGTERM);
  g_free (phone->extension);
  g_free (phone->dir);
  g_free (phone);
}

/* }}} */
/* {{{ Tones */

/**
 * attendant_test_goertzel:
 *
 * Returns: the power at @hz relative to the block's whole power: about 1
 *   for a pure tone at @hz, about 0 for silence or other frequencies
 */
double
attendant_test_goertzel (const gint16 *samples,
                         gsize         n,
                         guint         rate,
                         double        hz)
{
  double coefficient = 2.0 * cos (2.0 * G_PI * hz / rate);
  double s1 = 0.0;
  double s2 = 0.0;
  double energy = 0.0;
  double power;

  for (gsize i = 0; i < n; i++)
    {
      double x = samples[i];
      double s0 = x + coefficient * s1 - s2;

      s2 = s1;
      s1 = s0;
      energy += x * x;
    }

  if (energy <= 0.0)
    return 0.0;

  power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  /* A sine of amplitude A over n samples: power (A n / 2)², energy A² n / 2. */
  return power / (energy * n / 2.0);
}

static guint32
read_le32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32)p[3] << 24);
}

static guint16
read_le16 (const guint8 *p)
{
  return (guint16)(p[0] | (p[1] << 8));
}

/**
 * attendant_test_wav_count_tones:
 *
 * Reads a 16-bit PCM WAV (the first channel) and sorts its 50 ms blocks:
 * silent (RMS under 1% of full scale), the tone of @tone_hz, the music on
 * hold (440 or 554 Hz, moh/hold-tones.ulaw), or neither. A recording
 * still being written has no final sizes in its header: the data then
 * runs to the end of the file.
 */
gboolean
attendant_test_wav_count_tones (const char              *path,
                                guint                    tone_hz,
                                AttendantTestToneCount  *count,
                                GError                 **error)
{
  g_autofree guint8 *data = NULL;
  gsize length;
  gsize offset = 12;
  guint channels = 0;
  guint rate = 0;
  guint bits = 0;
  const guint8 *pcm = NULL;
  gsize pcm_length = 0;
  g_autofree gint16 *block = NULL;
  gsize frame;
  gsize block_frames;

  memset (count, 0, sizeof *count);
  if (!g_file_get_contents (path, (char **)&data, &length, error))
    return FALSE;

  if (length < 12 || length > MAX_WAV_BYTES || memcmp (data, "RIFF", 4) != 0 || memcmp (data + 8, "WAVE", 4) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not a WAV file", path);
      return FALSE;
    }

  while (offset + 8 <= length)
    {
      guint32 size = read_le32 (data + offset + 4);
      const guint8 *body = data + offset + 8;
      gsize available = length - offset - 8;

      if (memcmp (data + offset, "fmt ", 4) == 0 && size >= 16 && available >= 16)
        {
          if (read_le16 (body) != 1)
            break;
          channels = read_le16 (body + 2);
          rate = read_le32 (body + 4);
          bits = read_le16 (body + 14);
        }
      else if (memcmp (data + offset, "data", 4) == 0)
        {
          pcm = body;
          pcm_length = (size == 0 || size > available) ? available : size;
          break;
        }

      if (size > available)
        break;
      offset += 8 + size + (size & 1);
    }

  if (pcm == NULL || bits != 16 || channels == 0 || channels > 8 || rate < 8000 || rate > 192000)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s is not 16-bit PCM (%u channels, %u Hz, %u bits)", path, channels, rate, bits);
      return FALSE;
    }

  block_frames = rate / 20;
  block = g_new (gint16, block_frames);
  frame = 2u * channels;
  for (gsize at = 0; at + block_frames * frame <= pcm_length; at += block_frames * frame)
    {
      double energy = 0.0;
      double rms;

      for (gsize i = 0; i < block_frames; i++)
        {
          block[i] = (gint16)read_le16 (pcm + at + i * frame);
          energy += (double)block[i] * block[i];
        }

      count->blocks++;
      rms = sqrt (energy / block_frames);
      if (rms < 327.0)
        count->silent++;
      else if (attendant_test_goertzel (block, block_frames, rate, tone_hz) > 0.5)
        count->tone++;
      else if (attendant_test_goertzel (block, block_frames, rate, 440.0) > 0.5 ||
               attendant_test_goertzel (block, block_frames, rate, 554.0) > 0.5)
        count->moh++;
    }

  return TRUE;
}

/* }}} */
