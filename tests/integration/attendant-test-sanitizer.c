/* attendant-test-sanitizer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-sanitizer"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "attendant-test-sanitizer.h"

#if defined(__SANITIZE_ADDRESS__)
# define ATTENDANT_TEST_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define ATTENDANT_TEST_ASAN 1
# endif
#endif

/* Under AddressSanitizer (-Db_sanitize=address,undefined) a test program
 * makes sure, before GLib allocates anything that matters, that it runs
 * with:
 *
 *  - G_SLICE=always-malloc: GLib 2.74 still hands out GObject instances
 *    and GTask data from its slice allocator's magazines, which
 *    LeakSanitizer cannot see into; without this a leaked plan, attempt or
 *    connection goes unreported.
 *  - ASAN_OPTIONS=intercept_tls_get_addr=0: the sanitizer runtime of GCC
 *    ≤ 13 misreads glibc ≥ 2.25's dynamic TLS blocks (those of dlopen()ed
 *    modules: here glib-networking and GnuTLS) and LeakSanitizer's tracer
 *    then crashes at exit ("Tracer caught signal 11"), which reports
 *    nothing and fails the test. The option stops it from tracking those
 *    blocks; leak detection itself stays on
 *    (https://github.com/google/sanitizers/issues/1322).
 *  - UBSAN_OPTIONS=halt_on_error=1: undefined behaviour fails the test
 *    instead of scrolling by in the log.
 *
 * Both can only take effect from the start of a process, so when they are
 * missing the program re-executes itself with them. The children it starts
 * (attendant-cli, also built with the sanitizers) inherit them. Options the
 * caller already set come after ours and so take precedence. */

#ifdef ATTENDANT_TEST_ASAN
static void
prepend_option (const char *variable,
                const char *options)
{
  const char *current = g_getenv (variable);
  g_autofree char *value = NULL;

  if (current != NULL && current[0] != '\0')
    value = g_strconcat (options, ":", current, NULL);
  else
    value = g_strdup (options);

  g_setenv (variable, value, TRUE);
}
#endif

void
attendant_test_sanitizer_setup (char **argv)
{
#ifdef ATTENDANT_TEST_ASAN
  const char *asan = g_getenv ("ASAN_OPTIONS");

  if (g_strcmp0 (g_getenv ("G_SLICE"), "always-malloc") == 0 &&
      asan != NULL && strstr (asan, "intercept_tls_get_addr=") != NULL)
    return;

  /* Once only, whatever the caller's environment does to the test above. */
  if (g_getenv ("ATTENDANT_TEST_SANITIZER_SETUP") != NULL)
    return;
  g_setenv ("ATTENDANT_TEST_SANITIZER_SETUP", "1", TRUE);

  g_setenv ("G_SLICE", "always-malloc", TRUE);
  prepend_option ("ASAN_OPTIONS", "intercept_tls_get_addr=0");
  prepend_option ("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1");

  execv ("/proc/self/exe", argv);
  g_error ("Cannot re-execute %s with the sanitizer settings: %s", argv[0], g_strerror (errno));
#endif
}
