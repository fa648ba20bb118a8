/* fuzz-common.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

#include <libsoup/soup.h>

#include "attendant-scram.h"

G_BEGIN_DECLS

/* libFuzzer's entry points; declared here for -Wmissing-prototypes. */
int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t  *data,
                            size_t          size);

/* The one user every target knows, with one PBKDF2 iteration: the client
 * derives its keys with the count the server sends, and 4096 rounds would
 * dominate every run. */
#define FUZZ_USER     "reception"
#define FUZZ_PASSWORD "secret"

/* A message that starts with this is sent in fragments (fuzz_send_text()). */
#define FUZZ_FRAGMENTS "@FRAGMENTS@"

void        fuzz_setup            (void);
AttendantScramCredentials *fuzz_lookup (const char *user,
                                        gpointer    user_data);
void        fuzz_drain_main_context (void);
GPtrArray  *fuzz_split            (const uint8_t *data,
                                   size_t         size,
                                   guint          max_parts);
void        fuzz_websocket_pair   (SoupWebsocketConnection **client,
                                   SoupWebsocketConnection **server);
void        fuzz_send_text        (SoupWebsocketConnection  *from,
                                   SoupWebsocketConnection  *to,
                                   const char               *text);
char       *fuzz_replace          (const char    *text,
                                   const char    *placeholder,
                                   const char    *value);

G_END_DECLS
