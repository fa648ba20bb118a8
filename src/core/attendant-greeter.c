/* attendant-greeter.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-greeter"

#include "config.h"

#include "attendant-greeter.h"

G_DEFINE_INTERFACE (AttendantGreeter, attendant_greeter, G_TYPE_OBJECT)

static void
attendant_greeter_default_init (AttendantGreeterInterface *iface)
{
}

void
attendant_greeter_greet_async (AttendantGreeter    *self,
                               GIOStream           *stream,
                               AttendantEndpoint   *endpoint,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (ATTENDANT_IS_GREETER (self));
  g_return_if_fail (G_IS_IO_STREAM (stream));
  g_return_if_fail (ATTENDANT_IS_ENDPOINT (endpoint));

  ATTENDANT_GREETER_GET_IFACE (self)->greet_async (self, stream, endpoint,
                                                   cancellable, callback, user_data);
}

/**
 * attendant_greeter_greet_finish:
 *
 * Returns: (transfer full): what the server said in its greeting
 */
GObject *
attendant_greeter_greet_finish (AttendantGreeter  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (ATTENDANT_IS_GREETER (self), NULL);

  return ATTENDANT_GREETER_GET_IFACE (self)->greet_finish (self, result, error);
}
