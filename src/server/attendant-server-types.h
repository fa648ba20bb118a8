/* attendant-server-types.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The server's classes refer to each other (the server owns its nodes, a
 * node its sessions, and a session asks the server for users and the
 * telephone system); these let each header name the others. */
typedef struct _AttendantServer  AttendantServer;
typedef struct _AttendantNode    AttendantNode;
typedef struct _AttendantServerSession AttendantServerSession;

G_END_DECLS
