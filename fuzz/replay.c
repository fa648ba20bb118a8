/* replay.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-fuzz"

#include "config.h"

#include <stdio.h>

#include "fuzz-common.h"

/* The main() of a fuzz target built without libFuzzer (gcc, the normal and
 * the sanitizer builds): runs every input of the given corpus directories
 * once, as a TAP test. The starting inputs and every crash a fuzzer ever
 * found (regression-*) so stay tested by the unit suite, without clang. */

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *)a, *(char * const *)b);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = g_dir_open (argv[i], 0, &error);
      const char *name;

      if (dir == NULL)
        {
          printf ("Bail out! %s\n", error->message);
          return 1;
        }

      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (files, g_build_filename (argv[i], name, NULL));
    }

  g_ptr_array_sort (files, compare_paths);
  LLVMFuzzerInitialize (&argc, &argv);

  printf ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *data = NULL;
      gsize length = 0;

      if (!g_file_get_contents (files->pdata[i], &data, &length, &error))
        {
          printf ("not ok %u - %s: %s\n", i + 1, (char *)files->pdata[i], error->message);
          continue;
        }

      /* A failure aborts the program: the TAP stream then ends early. */
      LLVMFuzzerTestOneInput ((const uint8_t *)data, length);
      printf ("ok %u - %s\n", i + 1, (char *)files->pdata[i]);
      fflush (stdout);
    }

  return 0;
}
