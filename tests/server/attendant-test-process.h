/* attendant-test-process.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A real attendant-server process, started and read up to its "ready". */
typedef struct
{
  GSubprocess      *process;
  GDataInputStream *lines;
  GHashTable       *ports;    /* "node transport" → port */
  char             *admin_url;
  gboolean          ready;
  gboolean          eof;
  gboolean          exited;
} AttendantTestProcess;

AttendantTestProcess *attendant_test_process_start (const char           *dir,
                                                    GSpawnChildSetupFunc  child_setup,
                                                    gpointer              child_data,
                                                    const char * const   *argv);
guint16               attendant_test_process_port  (AttendantTestProcess *self,
                                                    const char           *node,
                                                    const char           *transport);
void                  attendant_test_process_wait  (AttendantTestProcess *self);
void                  attendant_test_process_free  (AttendantTestProcess *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantTestProcess, attendant_test_process_free)

G_END_DECLS
