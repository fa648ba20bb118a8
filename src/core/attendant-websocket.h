/* attendant-websocket.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

void                     attendant_websocket_connect_async  (GIOStream            *stream,
                                                             const char           *host,
                                                             guint16               port,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
void                     attendant_websocket_connect_to_async (GIOStream          *stream,
                                                               const char         *host,
                                                               guint16             port,
                                                               const char         *path,
                                                               const char         *protocol,
                                                               const char         *extra_headers,
                                                               GCancellable       *cancellable,
                                                               GAsyncReadyCallback callback,
                                                               gpointer            user_data);
SoupWebsocketConnection *attendant_websocket_connect_finish (GAsyncResult         *result,
                                                             GError              **error);

G_END_DECLS
