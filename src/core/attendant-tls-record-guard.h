/* attendant-tls-record-guard.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_TLS_RECORD_GUARD (attendant_tls_record_guard_get_type())

G_DECLARE_FINAL_TYPE (AttendantTlsRecordGuard, attendant_tls_record_guard, ATTENDANT, TLS_RECORD_GUARD, GFilterInputStream)

GInputStream *attendant_tls_record_guard_new (GIOStream *base);

G_END_DECLS
