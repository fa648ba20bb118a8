/* attendant-test-memory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <stdio.h>
#include <string.h>

#include "attendant-test-memory.h"

/* How much memory this process holds, for the hostile tests' bounds: the
 * resident set now (VmRSS) and at its peak (VmHWM), from /proc/self/status. */

static gsize
status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, field)) == NULL)
    return 0;

  return (gsize)g_ascii_strtoull (line + strlen (field), NULL, 10);
}

gsize
attendant_test_memory_rss_kib (void)
{
  return status_kib ("VmRSS:");
}

gsize
attendant_test_memory_peak_kib (void)
{
  return status_kib ("VmHWM:");
}

/* Resets the peak to the current RSS, so that the peak read afterwards
 * belongs to what the test did (Linux ≥ 4.0). /proc files cannot be
 * replaced, so no g_file_set_contents() here. */
gboolean
attendant_test_memory_reset_peak (void)
{
  FILE *clear_refs = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (clear_refs == NULL)
    return FALSE;
  ok = fputs ("5", clear_refs) >= 0;
  return fclose (clear_refs) == 0 && ok;
}
