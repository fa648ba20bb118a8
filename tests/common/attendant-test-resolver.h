/* attendant-test-resolver.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_TEST_RESOLVER (attendant_test_resolver_get_type())

G_DECLARE_FINAL_TYPE (AttendantTestResolver, attendant_test_resolver, ATTENDANT, TEST_RESOLVER, GResolver)

AttendantTestResolver *attendant_test_resolver_new          (void);
void                   attendant_test_resolver_add_srv      (AttendantTestResolver *self,
                                                             const char            *rrname,
                                                             const char            *target,
                                                             guint16                port,
                                                             guint16                priority,
                                                             guint16                weight);
void                   attendant_test_resolver_add_address  (AttendantTestResolver *self,
                                                             const char            *host,
                                                             const char            *address);
void                   attendant_test_resolver_set_error    (AttendantTestResolver *self,
                                                             const char            *name,
                                                             GResolverError         code,
                                                             const char            *message);
void                   attendant_test_resolver_set_hang     (AttendantTestResolver *self,
                                                             const char            *name);
const char * const    *attendant_test_resolver_get_log      (AttendantTestResolver *self);
guint                  attendant_test_resolver_get_n_queries (AttendantTestResolver *self);

G_END_DECLS
