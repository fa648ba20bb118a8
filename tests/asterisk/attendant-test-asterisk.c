/* attendant-test-asterisk.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-asterisk"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "attendant-test-asterisk.h"

/* Asterisk is looked for where its users have it first: an install named
 * by ATTENDANT_ASTERISK_DIR (a prefix holding sbin/asterisk and
 * lib/asterisk/modules, like the shared build's /opt/asterisk), then the
 * install an `asterisk` on PATH belongs to, then the shared build's
 * archive, unpacked into the test's own directory. The scripts that write
 * a private configuration and start it on loopback ports come from the
 * shared folder in every case: ATTENDANT_SHARED_ASTERISK, else
 * <source root>/../shared/asterisk. Nothing is written there (CI has it
 * read-only): run-asterisk.sh and run-phone.sh write only under the
 * directory they are given.
 *
 * Asterisk and baresip run in the background of a shell that exits once
 * they are started, so this process makes itself their subreaper: they
 * become its children, are waited for when stopped, and are killed by the
 * handlers below if the test aborts (a failed assertion) or is
 * terminated (meson's timeout), so that no test leaves one behind. */

#define MAX_PIDS 32

static volatile pid_t lab_pids[MAX_PIDS];

struct _AttendantTestAsterisk
{
  char    *scripts;   /* the shared folder */
  char    *prefix;    /* a user's install, or NULL for the archive */
  char    *dir;       /* this lab's temporary directory */
  char    *rundir;
  char    *etc;       /* the test's own *.conf files, or NULL */
  guint16  http_port;
  guint16  sip_port;
  guint16  rtp_start;
  pid_t    pid;
};


/* {{{ Processes */

static void
kill_all (void)
{
  for (guint i = 0; i < MAX_PIDS; i++)
    if (lab_pids[i] > 0)
      kill (lab_pids[i], SIGKILL);
}

static void
fatal_signal_cb (int signum)
{
  kill_all ();
  signal (signum, SIG_DFL);
  raise (signum);
}

static void
track_pid (pid_t pid)
{
  static gboolean installed = FALSE;

  if (!installed)
    {
      installed = TRUE;
      atexit (kill_all);
      /* g_error() and a failed g_assert() end in SIGTRAP or SIGABRT. */
      signal (SIGABRT, fatal_signal_cb);
      signal (SIGTRAP, fatal_signal_cb);
      signal (SIGBUS, fatal_signal_cb);
      signal (SIGFPE, fatal_signal_cb);
      signal (SIGTERM, fatal_signal_cb);
      signal (SIGINT, fatal_signal_cb);
      signal (SIGSEGV, fatal_signal_cb);
    }

  for (guint i = 0; i < MAX_PIDS; i++)
    if (lab_pids[i] == 0)
      {
        lab_pids[i] = pid;
        return;
      }

  g_error ("more than %d lab processes", MAX_PIDS);
}

static void
untrack_pid (pid_t pid)
{
  for (guint i = 0; i < MAX_PIDS; i++)
    if (lab_pids[i] == pid)
      lab_pids[i] = 0;
}

/* Stops a process this one reaps (as subreaper): TERM, a grace of 3 s
 * for it to end on its own, then KILL. */
void
attendant_test_lab_stop_pid (pid_t pid,
          int   first_signal)
{
  int status;

  if (pid <= 0)
    return;

  kill (pid, first_signal);
  for (guint i = 0; i < 300; i++)
    {
      pid_t done = waitpid (pid, &status, WNOHANG);

      if (done == pid || (done < 0 && errno == ECHILD))
        {
          untrack_pid (pid);
          return;
        }
      g_usleep (10 * 1000);
    }

  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  untrack_pid (pid);
}

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &out[0], &out[1], &error))
    out[1] = g_strdup (error->message);
  out[2] = GINT_TO_POINTER (1);
}

/* Runs a starting script to its end with the main loop turning (the ARI
 * clients of the test keep working meanwhile); returns the PID from its
 * "ready PID" line. */
pid_t
attendant_test_lab_run_script (const char * const *argv,
            const char         *etc,
            const char         *what)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out[3] = { NULL, NULL, NULL };
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  gint64 pid = 0;
  const char *ready;

  if (etc != NULL)
    g_subprocess_launcher_setenv (launcher, "ASTERISK_ETC", etc, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, out);
  while (out[2] == NULL)
    g_main_context_iteration (NULL, TRUE);

  stdout_text = out[0];
  stderr_text = out[1];
  g_subprocess_wait (process, NULL, NULL);

  ready = stdout_text ? strstr (stdout_text, "ready ") : NULL;
  if (ready != NULL)
    pid = g_ascii_strtoll (ready + 6, NULL, 10);
  if (pid <= 0)
    g_error ("%s did not start: %s %s", what, stdout_text ? stdout_text : "", stderr_text ? stderr_text : "");

  track_pid ((pid_t)pid);
  return (pid_t)pid;
}

/* }}} */
/* {{{ Ports */

gboolean
attendant_test_port_is_free (GSocketType type,
              guint16     port)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, type, 0, NULL);
  return socket != NULL && g_socket_bind (socket, address, FALSE, NULL);
}

guint16
attendant_test_free_port (GSocketType type)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, type, 0, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* A run of @count free UDP ports from a random start in [@low, @high). */
guint16
attendant_test_free_udp_range (guint low,
                guint high,
                guint count)
{
  for (guint attempt = 0; attempt < 50; attempt++)
    {
      guint16 start = (guint16)g_random_int_range ((gint32)low, (gint32)(high - count));
      guint i;

      for (i = 0; i < count && attendant_test_port_is_free (G_SOCKET_TYPE_DATAGRAM, (guint16)(start + i)); i++)
        ;
      if (i == count)
        return start;
    }

  g_error ("no run of %u free UDP ports in %u-%u", count, low, high);
}

/* }}} */
/* {{{ Finding it */

static char *
shared_folder (void)
{
  const char *variable = g_getenv ("ATTENDANT_SHARED_ASTERISK");
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");

  if (variable != NULL && variable[0] != '\0')
    return g_strdup (variable);

  /* G_TEST_SRCDIR is the source's tests/ folder. */
  if (srcdir != NULL)
    return g_build_filename (srcdir, "..", "..", "shared", "asterisk", NULL);

  return NULL;
}

static char *
user_prefix (void)
{
  const char *variable = g_getenv ("ATTENDANT_ASTERISK_DIR");
  g_autofree char *binary = NULL;
  g_autofree char *real = NULL;

  if (variable != NULL && variable[0] != '\0')
    return g_strdup (variable);

  binary = g_find_program_in_path ("asterisk");
  if (binary == NULL)
    return NULL;

  real = realpath (binary, NULL);
  if (real != NULL)
    {
      g_autofree char *sbin = g_path_get_dirname (real);
      g_autofree char *prefix = g_path_get_dirname (sbin);
      g_autofree char *modules = g_build_filename (prefix, "lib", "asterisk", "modules", NULL);

      /* The private configuration names the modules under the prefix; an
       * install laid out otherwise (a distribution's) cannot be used. */
      if (g_file_test (modules, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&prefix);
    }

  return NULL;
}

/**
 * attendant_test_asterisk_find:
 * @why: (out): what is missing, when nothing is found
 *
 * Returns: (nullable): what will run: a user's install or the shared archive
 */
char *
attendant_test_asterisk_find (char **why)
{
  g_autofree char *scripts = shared_folder ();
  g_autofree char *script = scripts ? g_build_filename (scripts, "run-asterisk.sh", NULL) : NULL;
  g_autofree char *prefix = user_prefix ();
  g_autofree char *baresip = g_find_program_in_path ("baresip");
  g_autoptr(GDir) dir = NULL;

  if (script == NULL || !g_file_test (script, G_FILE_TEST_EXISTS))
    {
      *why = g_strdup_printf ("the shared Asterisk folder is not at %s (set ATTENDANT_SHARED_ASTERISK)",
                              scripts ? scripts : "<source>/../shared/asterisk");
      return NULL;
    }

  if (baresip == NULL)
    {
      *why = g_strdup ("baresip is not installed (Debian: baresip-core; build-aux/install-deps.sh)");
      return NULL;
    }

  if (prefix != NULL)
    {
      g_autofree char *binary = g_build_filename (prefix, "sbin", "asterisk", NULL);

      if (!g_file_test (binary, G_FILE_TEST_IS_EXECUTABLE))
        {
          *why = g_strdup_printf ("%s is not executable (ATTENDANT_ASTERISK_DIR)", binary);
          return NULL;
        }
      return g_strdup_printf ("Asterisk installed in %s", prefix);
    }

  dir = g_dir_open (scripts, 0, NULL);
  for (const char *name; dir != NULL && (name = g_dir_read_name (dir)) != NULL;)
    if (g_str_has_prefix (name, "asterisk-") && g_str_has_suffix (name, ".tar.xz"))
      return g_build_filename (scripts, name, NULL);

  *why = g_strdup_printf ("no Asterisk: none on PATH, ATTENDANT_ASTERISK_DIR unset, no archive in %s", scripts);
  return NULL;
}

/**
 * attendant_test_asterisk_missing:
 * @why: what attendant_test_asterisk_find() found missing
 *
 * The test a program runs instead of its own when there is no lab: a
 * skip, but a failure in CI, where the lab is part of the build's promise.
 */
void
attendant_test_asterisk_missing (gconstpointer why)
{
  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    g_test_fail_printf ("cannot run the Asterisk tests: %s", (const char *)why);
  else
    g_test_skip_printf ("cannot run the Asterisk tests: %s", (const char *)why);
}

/* }}} */
/* {{{ Asterisk */

AttendantTestAsterisk *
attendant_test_asterisk_new (void)
{
  AttendantTestAsterisk *lab = g_new0 (AttendantTestAsterisk, 1);
  g_autoptr(GError) error = NULL;

  /* Orphans of the starting scripts become this process's children. */
  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), ==, 0);

  lab->scripts = shared_folder ();
  lab->prefix = user_prefix ();
  lab->dir = g_dir_make_tmp ("attendant-asterisk-XXXXXX", &error);
  g_assert_no_error (error);
  lab->rundir = g_build_filename (lab->dir, "asterisk", NULL);

  if (lab->prefix != NULL)
    {
      g_autofree char *opt = g_build_filename (lab->rundir, "root", "opt", NULL);
      g_autofree char *link = g_build_filename (opt, "asterisk", NULL);

      /* run-asterisk.sh unpacks the archive unless it finds an
       * installation at root/opt/asterisk. */
      g_assert_cmpint (g_mkdir_with_parents (opt, 0700), ==, 0);
      g_assert_cmpint (symlink (lab->prefix, link), ==, 0);
    }

  lab->http_port = attendant_test_free_port (G_SOCKET_TYPE_STREAM);
  lab->sip_port = attendant_test_free_port (G_SOCKET_TYPE_DATAGRAM);
  /* Below the ephemeral ports, above the phones' (attendant-test-phone.c). */
  lab->rtp_start = attendant_test_free_udp_range (30000, 32600, 200);

  return lab;
}

/**
 * attendant_test_asterisk_start:
 *
 * Starts Asterisk (again, after a kill: same ports, same directory) and
 * returns once ARI answers.
 */
void
attendant_test_asterisk_start (AttendantTestAsterisk *lab)
{
  g_autofree char *script = g_build_filename (lab->scripts, "run-asterisk.sh", NULL);
  g_autofree char *http = g_strdup_printf ("%u", lab->http_port);
  g_autofree char *sip = g_strdup_printf ("%u", lab->sip_port);
  g_autofree char *rtp = g_strdup_printf ("%u", lab->rtp_start);
  const char * const argv[] = { "sh", script, lab->rundir, http, sip, rtp, NULL };

  g_assert_cmpint (lab->pid, ==, 0);
  lab->pid = attendant_test_lab_run_script (argv, lab->etc, "Asterisk");
}

/**
 * attendant_test_asterisk_set_etc:
 * @etc: a folder of *.conf files that replace the examples (ASTERISK_ETC)
 *
 * Takes effect at the next start.
 */
void
attendant_test_asterisk_set_etc (AttendantTestAsterisk *lab,
                                 const char            *etc)
{
  g_free (lab->etc);
  lab->etc = g_strdup (etc);
}

const char *
attendant_test_asterisk_get_dir (AttendantTestAsterisk *lab)
{
  return lab->dir;
}

/* Sends @signum to Asterisk (SIGSTOP/SIGCONT: a silent Asterisk). */
void
attendant_test_asterisk_signal (AttendantTestAsterisk *lab,
                                int                    signum)
{
  g_assert_cmpint (lab->pid, >, 0);
  kill (lab->pid, signum);
}

/* Kills Asterisk at once, as a crash would, and reaps it. */
void
attendant_test_asterisk_kill (AttendantTestAsterisk *lab)
{
  attendant_test_lab_stop_pid (lab->pid, SIGKILL);
  lab->pid = 0;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  for (const char *name; dir != NULL && (name = g_dir_read_name (dir)) != NULL;)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_rmdir (path);
}

void
attendant_test_asterisk_free (AttendantTestAsterisk *lab)
{
  attendant_test_lab_stop_pid (lab->pid, SIGTERM);
  if (g_getenv ("ATTENDANT_TEST_KEEP") == NULL)
    remove_tree (lab->dir);
  g_free (lab->scripts);
  g_free (lab->prefix);
  g_free (lab->dir);
  g_free (lab->rundir);
  g_free (lab->etc);
  g_free (lab);
}

const char *
attendant_test_asterisk_get_scripts (AttendantTestAsterisk *lab)
{
  return lab->scripts;
}

char *
attendant_test_asterisk_get_url (AttendantTestAsterisk *lab)
{
  return g_strdup_printf ("http://127.0.0.1:%u/ari", lab->http_port);
}

guint16
attendant_test_asterisk_get_http_port (AttendantTestAsterisk *lab)
{
  return lab->http_port;
}

guint16
attendant_test_asterisk_get_sip_port (AttendantTestAsterisk *lab)
{
  return lab->sip_port;
}

/**
 * attendant_test_asterisk_enable_tls:
 *
 * Writes an http.conf that serves ARI over TLS (@certificate and @key, PEM)
 * beside plain HTTP; takes effect at the next start.
 *
 * Returns: the TLS port
 */
guint16
attendant_test_asterisk_enable_tls (AttendantTestAsterisk *lab,
                                    const char            *certificate,
                                    const char            *key)
{
  g_autofree char *etc = g_build_filename (lab->dir, "etc", NULL);
  g_autofree char *http = g_build_filename (etc, "http.conf", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  guint16 tls_port = attendant_test_free_port (G_SOCKET_TYPE_STREAM);

  text = g_strdup_printf ("[general]\n"
                          "enabled = yes\n"
                          "bindaddr = 127.0.0.1\n"
                          "bindport = %u\n"
                          "tlsenable = yes\n"
                          "tlsbindaddr = 127.0.0.1:%u\n"
                          "tlscertfile = %s\n"
                          "tlsprivatekey = %s\n",
                          lab->http_port, tls_port, certificate, key);
  g_assert_cmpint (g_mkdir_with_parents (etc, 0700), ==, 0);
  g_file_set_contents (http, text, -1, &error);
  g_assert_no_error (error);
  attendant_test_asterisk_set_etc (lab, etc);

  return tls_port;
}

/* }}} */
