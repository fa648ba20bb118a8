/* attendant-http-guard.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Judges a request from its headers alone. Returns TRUE to let it go on;
 * FALSE after setting @msg's status and response, which is then sent with
 * "Connection: close" and without reading the body. */
typedef gboolean (*AttendantHttpJudgeFunc)   (SoupServerMessage *msg,
                                              gpointer           user_data);
/* Fills in @msg's response for a refusal the guard itself makes (413). */
typedef void     (*AttendantHttpRespondFunc) (SoupServerMessage *msg,
                                              guint              status,
                                              const char        *text,
                                              gpointer           user_data);
/* A refused connection has been closed. */
typedef void     (*AttendantHttpClosedFunc)  (GSocketAddress    *remote,
                                              gpointer           user_data);

typedef struct
{
  goffset                  max_body;   /* bytes; 0: no body at all */
  AttendantHttpJudgeFunc   judge;
  AttendantHttpRespondFunc respond;
  AttendantHttpClosedFunc  closed;     /* nullable */
} AttendantHttpGuard;

void attendant_http_guard_attach (SoupServer               *soup,
                                  const AttendantHttpGuard *guard,
                                  GObject                  *owner);

G_END_DECLS
