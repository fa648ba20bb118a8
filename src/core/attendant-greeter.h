/* attendant-greeter.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "attendant-endpoint.h"

G_BEGIN_DECLS

#define ATTENDANT_TYPE_GREETER (attendant_greeter_get_type ())

G_DECLARE_INTERFACE (AttendantGreeter, attendant_greeter, ATTENDANT, GREETER, GObject)

/* The last stage of reaching an endpoint: after TCP and TLS, the
 * protocol greeting. The connector calls it on the established stream; a
 * failure moves on to the next endpoint as `protocol-failed`. Without a
 * greeter an endpoint counts as reached after TCP and TLS (`--tcp-only`). */
struct _AttendantGreeterInterface
{
  GTypeInterface parent_iface;

  void     (*greet_async)  (AttendantGreeter     *self,
                            GIOStream            *stream,
                            AttendantEndpoint    *endpoint,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data);
  GObject *(*greet_finish) (AttendantGreeter     *self,
                            GAsyncResult         *result,
                            GError              **error);
};

void     attendant_greeter_greet_async  (AttendantGreeter     *self,
                                         GIOStream            *stream,
                                         AttendantEndpoint    *endpoint,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
GObject *attendant_greeter_greet_finish (AttendantGreeter     *self,
                                         GAsyncResult         *result,
                                         GError              **error);

G_END_DECLS
