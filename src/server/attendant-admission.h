/* attendant-admission.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define ATTENDANT_TYPE_ADMISSION (attendant_admission_get_type())

G_DECLARE_FINAL_TYPE (AttendantAdmission, attendant_admission, ATTENDANT, ADMISSION, GObject)

/* One connection not yet logged in, counted against its address. */
typedef struct _AttendantAdmissionTicket AttendantAdmissionTicket;

/* Told to hang up: the ticket no longer counts (free it as usual). */
typedef void     (*AttendantAdmissionEvictFunc) (gpointer data);
/* FALSE once the connection has ended without its holder noticing yet. */
typedef gboolean (*AttendantAdmissionAliveFunc) (gpointer data);

AttendantAdmission       *attendant_admission_new              (guint                        per_address,
                                                                guint                        total);
AttendantAdmissionTicket *attendant_admission_admit            (AttendantAdmission          *self,
                                                                const char                  *address,
                                                                AttendantAdmissionEvictFunc  evict,
                                                                AttendantAdmissionAliveFunc  alive,
                                                                gpointer                     data);
guint                     attendant_admission_get_count        (AttendantAdmission          *self,
                                                                const char                  *address);
guint                     attendant_admission_get_total        (AttendantAdmission          *self);

void                      attendant_admission_ticket_set_holder (AttendantAdmissionTicket   *ticket,
                                                                 AttendantAdmissionEvictFunc evict,
                                                                 AttendantAdmissionAliveFunc alive,
                                                                 gpointer                    data);
void                      attendant_admission_ticket_free       (AttendantAdmissionTicket   *ticket);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantAdmissionTicket, attendant_admission_ticket_free)

G_END_DECLS
