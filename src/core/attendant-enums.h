/* attendant-enums.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The nicks of these enums (derived by glib-mkenums from the value names)
 * are the strings of SPEC §7's JSON, so keep the names in step with it. */

typedef enum
{
  ATTENDANT_TRANSPORT_TLS,
  ATTENDANT_TRANSPORT_PLAIN,
} AttendantTransport;

typedef enum
{
  ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST,
  ATTENDANT_PRIORITY_ORDER_RFC2782,
} AttendantPriorityOrder;

typedef enum
{
  ATTENDANT_DISCOVERY_METHOD_SRV,
  ATTENDANT_DISCOVERY_METHOD_FALLBACK,
  ATTENDANT_DISCOVERY_METHOD_DIRECT,
} AttendantDiscoveryMethod;

typedef enum
{
  ATTENDANT_DISCOVERY_RESULT_ANSWERED,
  ATTENDANT_DISCOVERY_RESULT_NOT_FOUND,
  ATTENDANT_DISCOVERY_RESULT_FAILED,
  ATTENDANT_DISCOVERY_RESULT_UNAVAILABLE,
  ATTENDANT_DISCOVERY_RESULT_SKIPPED,
} AttendantDiscoveryResult;

typedef enum
{
  ATTENDANT_ENDPOINT_ORIGIN_SRV,
  ATTENDANT_ENDPOINT_ORIGIN_FALLBACK,
  ATTENDANT_ENDPOINT_ORIGIN_DIRECT,
  ATTENDANT_ENDPOINT_ORIGIN_NODE_LIST,
} AttendantEndpointOrigin;

typedef enum
{
  ATTENDANT_ATTEMPT_OUTCOME_CONNECTED,
  ATTENDANT_ATTEMPT_OUTCOME_REFUSED,
  ATTENDANT_ATTEMPT_OUTCOME_TIMEOUT,
  ATTENDANT_ATTEMPT_OUTCOME_UNREACHABLE,
  ATTENDANT_ATTEMPT_OUTCOME_RESOLVE_FAILED,
  ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED,
  ATTENDANT_ATTEMPT_OUTCOME_PROTOCOL_FAILED,
} AttendantAttemptOutcome;

typedef enum
{
  ATTENDANT_SESSION_STATE_GREETED,
  ATTENDANT_SESSION_STATE_AUTHENTICATING,
  ATTENDANT_SESSION_STATE_READY,
  ATTENDANT_SESSION_STATE_CLOSED,
} AttendantSessionState;

typedef enum
{
  ATTENDANT_CLOSE_REASON_LOGOUT,
  ATTENDANT_CLOSE_REASON_HEARTBEAT_TIMEOUT,
  ATTENDANT_CLOSE_REASON_CONNECTION_LOST,
  ATTENDANT_CLOSE_REASON_SERVER_CLOSED,
  ATTENDANT_CLOSE_REASON_PROTOCOL_ERROR,
  ATTENDANT_CLOSE_REASON_AUTH_FAILED,
  ATTENDANT_CLOSE_REASON_DRAIN,
  ATTENDANT_CLOSE_REASON_FAILBACK,
} AttendantCloseReason;

typedef enum
{
  ATTENDANT_CLIENT_STATE_IDLE,
  ATTENDANT_CLIENT_STATE_CONNECTING,
  ATTENDANT_CLIENT_STATE_CONNECTED,
  ATTENDANT_CLIENT_STATE_WAITING,
  ATTENDANT_CLIENT_STATE_AUTH_FAILED,
  ATTENDANT_CLIENT_STATE_CERTIFICATE_REJECTED,
} AttendantClientState;

#define ATTENDANT_DEFAULT_PORT_TLS   51235
#define ATTENDANT_DEFAULT_PORT_PLAIN 51234

guint16      attendant_transport_default_port (AttendantTransport transport);
const char  *attendant_transport_service      (AttendantTransport transport);
const char  *attendant_enum_to_nick           (GType              enum_type,
                                               int                value);
gboolean     attendant_enum_from_nick         (GType              enum_type,
                                               const char        *nick,
                                               int               *value);

G_END_DECLS
