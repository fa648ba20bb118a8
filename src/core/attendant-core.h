/* attendant-core.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "attendant-attempt.h"
#include "attendant-call.h"
#include "attendant-client.h"
#include "attendant-connection.h"
#include "attendant-connector.h"
#include "attendant-console.h"
#include "attendant-contact.h"
#include "attendant-dial-uri.h"
#include "attendant-directory.h"
#include "attendant-discovery.h"
#include "attendant-endpoint.h"
#include "attendant-enum-types.h"
#include "attendant-enums.h"
#include "attendant-error.h"
#include "attendant-frame-guard.h"
#include "attendant-greeter.h"
#include "attendant-greeting.h"
#include "attendant-guarded-stream.h"
#include "attendant-pin.h"
#include "attendant-plan.h"
#include "attendant-protocol.h"
#include "attendant-protocol-greeter.h"
#include "attendant-protocol-names.h"
#include "attendant-scram.h"
#include "attendant-secret.h"
#include "attendant-server-spec.h"
#include "attendant-session.h"
#include "attendant-srv-order.h"
#include "attendant-tls.h"
#include "attendant-websocket.h"
