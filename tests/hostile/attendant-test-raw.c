/* attendant-test-raw.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-raw"

#include "attendant-test-raw.h"

/* Raw TCP sockets for the hostile-client tests: they must be able to do what
 * the client core never would (say nothing, dribble, send bodies), so they
 * talk to the server below GIO's streams. */

/**
 * attendant_test_raw_connect:
 * @local: (nullable): the source address to bind to, so that a test can
 *   come from another loopback address (127.0.0.x)
 *
 * Returns: (transfer full): a connected, non-blocking socket
 */
GSocket *
attendant_test_raw_connect (const char *address,
                            guint16     port,
                            const char *local)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = g_inet_socket_address_new_from_string (address, port);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  if (local != NULL)
    {
      g_autoptr(GSocketAddress) bind_to = g_inet_socket_address_new_from_string (local, 0);

      g_socket_bind (socket, bind_to, FALSE, &error);
      g_assert_no_error (error);
    }
  g_socket_connect (socket, remote, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);

  return socket;
}

/* Sends all of @data, blocking for as long as it takes, then puts the
 * socket back in non-blocking mode. */
void
attendant_test_raw_send (GSocket    *socket,
                         const char *data,
                         gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_socket_set_blocking (socket, TRUE);
  g_socket_send (socket, data, length, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);
}
