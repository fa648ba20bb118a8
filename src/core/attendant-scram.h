/* attendant-scram.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ATTENDANT_SCRAM_DEFAULT_ITERATIONS 4096
/* RFC 7677 §4's floor. A client refuses a server that asks for fewer: the
 * proof it would send lets whoever sees the exchange (a man in the middle
 * of a plain connection) guess the password offline at that many PBKDF2
 * rounds per guess. add-user and the users file keep the same floor. */
#define ATTENDANT_SCRAM_MIN_ITERATIONS     4096
/* The client derives its keys with the count the server sends, before the
 * server has proved anything: an unbounded count would let any server
 * stall the client in PBKDF2 for minutes. */
#define ATTENDANT_SCRAM_MAX_ITERATIONS     100000

/* What a server stores for a user (RFC 5802 §3): never the password. */
typedef struct _AttendantScramCredentials AttendantScramCredentials;

#define ATTENDANT_TYPE_SCRAM_CREDENTIALS (attendant_scram_credentials_get_type ())

GType                      attendant_scram_credentials_get_type      (void) G_GNUC_CONST;
AttendantScramCredentials *attendant_scram_credentials_new_from_password (const char                *password,
                                                                      guint                      iterations,
                                                                      GError                   **error);
AttendantScramCredentials *attendant_scram_credentials_parse         (const char                *text,
                                                                      GError                   **error);
char                      *attendant_scram_credentials_to_string     (const AttendantScramCredentials *self);
AttendantScramCredentials *attendant_scram_credentials_new_decoy     (const AttendantScramCredentials *like,
                                                                      GBytes                    *secret,
                                                                      const char                *user);
guint                      attendant_scram_credentials_get_iterations (const AttendantScramCredentials *self);
AttendantScramCredentials *attendant_scram_credentials_copy          (const AttendantScramCredentials *self);
void                       attendant_scram_credentials_free          (AttendantScramCredentials *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantScramCredentials, attendant_scram_credentials_free)

/**
 * AttendantScramLookup:
 * @user: the user name the client sent
 *
 * Returns: (transfer full) (nullable): the user's credentials, %NULL if
 *   there is no such user
 */
typedef AttendantScramCredentials *(*AttendantScramLookup) (const char *user,
                                                            gpointer    user_data);

#define ATTENDANT_TYPE_SCRAM (attendant_scram_get_type())

G_DECLARE_FINAL_TYPE (AttendantScram, attendant_scram, ATTENDANT, SCRAM, GObject)

AttendantScram *attendant_scram_new_client (const char            *user,
                                            const char            *password,
                                            GError               **error);
AttendantScram *attendant_scram_new_server (AttendantScramLookup   lookup,
                                            gpointer               user_data,
                                            GError               **error);
char           *attendant_scram_step       (AttendantScram        *self,
                                            const char            *input,
                                            gboolean              *done,
                                            GError               **error);
const char     *attendant_scram_get_user   (AttendantScram        *self);
gboolean        attendant_scram_get_reused_secret (AttendantScram *self);

G_END_DECLS
