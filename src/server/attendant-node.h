/* attendant-node.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "attendant-server-config.h"
#include "attendant-server-types.h"

G_BEGIN_DECLS

typedef enum
{
  ATTENDANT_NODE_STATE_STOPPED,
  ATTENDANT_NODE_STATE_RUNNING,
  ATTENDANT_NODE_STATE_FROZEN,
  ATTENDANT_NODE_STATE_DRAINING,
} AttendantNodeState;

#define ATTENDANT_TYPE_NODE (attendant_node_get_type())

G_DECLARE_FINAL_TYPE (AttendantNode, attendant_node, ATTENDANT, NODE, GObject)

AttendantNode      *attendant_node_new            (AttendantServer                 *server,
                                                   const AttendantServerNodeConfig *config);
const char         *attendant_node_get_name       (AttendantNode                   *self);
AttendantNodeState  attendant_node_get_state      (AttendantNode                   *self);
const char         *attendant_node_state_to_string (AttendantNodeState              state);
guint16             attendant_node_get_port       (AttendantNode                   *self,
                                                   const char                      *transport);
guint               attendant_node_get_n_sessions (AttendantNode                   *self);
GPtrArray          *attendant_node_get_sessions   (AttendantNode                   *self);
gboolean            attendant_node_start          (AttendantNode                   *self,
                                                   GError                         **error);
void                attendant_node_stop           (AttendantNode                   *self);
void                attendant_node_crash          (AttendantNode                   *self);
void                attendant_node_freeze         (AttendantNode                   *self);
void                attendant_node_thaw           (AttendantNode                   *self);
void                attendant_node_drain          (AttendantNode                   *self,
                                                   double                           grace_seconds,
                                                   const char                      *text);
JsonObject         *attendant_node_to_json        (AttendantNode                   *self);

G_END_DECLS
