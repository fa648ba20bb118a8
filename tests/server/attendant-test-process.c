/* attendant-test-process.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-process"

#include "config.h"

#include <stdlib.h>

#include "attendant-test-client.h"
#include "attendant-test-process.h"

/* The server announces itself on stdout: one line per listener ("node
 * NAME TRANSPORT HOST PORT"), the admin API ("admin URL"), then "ready". */

static void read_line_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);

static void
read_next_line (AttendantTestProcess *self)
{
  g_data_input_stream_read_line_async (self->lines, G_PRIORITY_DEFAULT, NULL, read_line_cb, self);
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  AttendantTestProcess *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  g_auto(GStrv) words = NULL;

  if (line == NULL)
    {
      self->eof = TRUE;
      return;
    }

  words = g_strsplit (line, " ", -1);
  if (g_str_equal (line, "ready"))
    self->ready = TRUE;
  else if (g_str_equal (words[0], "node") && g_strv_length (words) == 5)
    g_hash_table_insert (self->ports, g_strdup_printf ("%s %s", words[1], words[2]),
                         GUINT_TO_POINTER (atoi (words[4])));
  else if (g_str_equal (words[0], "admin") && g_strv_length (words) == 2)
    self->admin_url = g_strdup (words[1]);

  if (!self->ready)
    read_next_line (self);
}

static gboolean
announced (gpointer data)
{
  AttendantTestProcess *self = data;

  return self->ready || self->eof;
}

/**
 * attendant_test_process_start:
 * @dir: its working directory
 * @child_setup: (nullable): run in the child before exec
 * @argv: the program and its arguments
 *
 * Starts the program and waits until it says "ready".
 */
AttendantTestProcess *
attendant_test_process_start (const char           *dir,
                              GSpawnChildSetupFunc  child_setup,
                              gpointer              child_data,
                              const char * const   *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  AttendantTestProcess *self = g_new0 (AttendantTestProcess, 1);

  self->ports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_cwd (launcher, dir);
  if (child_setup != NULL)
    g_subprocess_launcher_set_child_setup (launcher, child_setup, child_data, NULL);
  self->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  self->lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  read_next_line (self);
  attendant_test_wait_until (announced, self, "attendant-server to be ready");
  g_assert_true (self->ready);

  return self;
}

guint16
attendant_test_process_port (AttendantTestProcess *self,
                             const char           *node,
                             const char           *transport)
{
  g_autofree char *key = g_strdup_printf ("%s %s", node, transport);
  gpointer port = g_hash_table_lookup (self->ports, key);

  g_assert_nonnull (port);
  return (guint16)GPOINTER_TO_UINT (port);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  AttendantTestProcess *self = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  self->exited = TRUE;
}

static gboolean
exited (gpointer data)
{
  return ((AttendantTestProcess *)data)->exited;
}

void
attendant_test_process_wait (AttendantTestProcess *self)
{
  g_subprocess_wait_async (self->process, NULL, wait_cb, self);
  attendant_test_wait_until (exited, self, "attendant-server to exit");
}

/* Kills the process if it is still running. */
void
attendant_test_process_free (AttendantTestProcess *self)
{
  if (!self->exited)
    {
      g_subprocess_force_exit (self->process);
      attendant_test_process_wait (self);
    }

  g_clear_object (&self->lines);
  g_clear_object (&self->process);
  g_clear_pointer (&self->ports, g_hash_table_unref);
  g_free (self->admin_url);
  g_free (self);
}
