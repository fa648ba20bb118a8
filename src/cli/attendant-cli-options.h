/* attendant-cli-options.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-core.h"

G_BEGIN_DECLS

/* The options `check` and `watch` share: how to find and reach a server. */
typedef struct
{
  gboolean                plain;
  char                   *order_text;
  char                   *ca_file;
  int                     timeout;

  /* Set by attendant_cli_connect_options_finish() */
  AttendantTransport      transport;
  AttendantPriorityOrder  order;
  GTlsDatabase           *anchors;
} AttendantCliConnectOptions;

void     attendant_cli_connect_options_init   (AttendantCliConnectOptions  *options);
void     attendant_cli_connect_options_add    (AttendantCliConnectOptions  *options,
                                               GOptionContext              *context);
gboolean attendant_cli_connect_options_finish (AttendantCliConnectOptions  *options,
                                               char                       **message);
void     attendant_cli_connect_options_clear  (AttendantCliConnectOptions  *options);
gboolean attendant_cli_take_server            (int                         *argc,
                                               char                      ***argv,
                                               const char                 **message);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AttendantCliConnectOptions, attendant_cli_connect_options_clear)

G_END_DECLS
