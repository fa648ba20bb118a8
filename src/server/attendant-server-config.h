/* attendant-server-config.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ATTENDANT_SERVER_CONFIG_ERROR (attendant_server_config_error_quark ())

/* Every error of this domain has a message of the form
 * "FILE:LINE: reason" (or "FILE: reason" when no line is to blame). */
typedef enum
{
  ATTENDANT_SERVER_CONFIG_ERROR_INVALID,
} AttendantServerConfigError;

GQuark attendant_server_config_error_quark (void);

typedef struct
{
  char    *host;       /* as written: an IP literal for listeners */
  guint16  port;       /* 0 for a listener: any free port */
  char    *transport;  /* "plain" or "tls" */
} AttendantServerAddress;

typedef struct
{
  char            *name;
  AttendantServerAddress *plain;   /* nullable */
  AttendantServerAddress *tls;     /* nullable */
  GTlsCertificate *certificate;    /* with its key; set exactly when tls is */
  GPtrArray       *advertise;      /* of AttendantServerAddress, maybe empty */
} AttendantServerNodeConfig;

typedef struct
{
  char *number;
  char *name;
  char *department;
  char *presence;
} AttendantServerContact;

typedef struct
{
  char *id;
  char *name;
} AttendantServerQueue;

/* The [asterisk] group (docs/server.md): the telephone system is a real
 * Asterisk, reached through ARI, instead of the simulated one. */
typedef struct
{
  char         *url;            /* http:// or https://, the ARI root */
  char         *user;
  char         *password;       /* from password-file=, wiped when freed */
  char         *application;    /* the Stasis application */
  char         *endpoint;       /* "PJSIP/{extension}" */
  guint         ring_timeout;   /* seconds */
  char         *waiting_sound;  /* "moh" or "ringing" */
  char         *moh_class;
  char         *answer_header;  /* nullable: "Name: value" for the attendant's phone */
  GTlsDatabase *anchors;        /* nullable: ca-file=, added to the system's */
} AttendantServerAsteriskConfig;

#define ATTENDANT_TYPE_SERVER_CONFIG (attendant_server_config_get_type())

G_DECLARE_FINAL_TYPE (AttendantServerConfig, attendant_server_config, ATTENDANT, SERVER_CONFIG, GObject)

AttendantServerConfig *attendant_server_config_new_from_file     (const char            *path,
                                                                  GError               **error);
AttendantServerConfig *attendant_server_config_new_from_data     (const char            *data,
                                                                  const char            *path,
                                                                  GError               **error);
const char            *attendant_server_config_get_path          (AttendantServerConfig *self);
const char            *attendant_server_config_get_cluster       (AttendantServerConfig *self);
const char            *attendant_server_config_get_users_file    (AttendantServerConfig *self);
GInetSocketAddress    *attendant_server_config_get_admin_address (AttendantServerConfig *self);
const char            *attendant_server_config_get_admin_token   (AttendantServerConfig *self);
double                 attendant_server_config_get_ring_timeout  (AttendantServerConfig *self);
double                 attendant_server_config_get_answer_delay  (AttendantServerConfig *self);
double                 attendant_server_config_get_talk_time     (AttendantServerConfig *self);
double                 attendant_server_config_get_idle_timeout  (AttendantServerConfig *self);
double                 attendant_server_config_get_auth_timeout  (AttendantServerConfig *self);
double                 attendant_server_config_get_drain_grace   (AttendantServerConfig *self);
guint                  attendant_server_config_get_heartbeat     (AttendantServerConfig *self);
guint                  attendant_server_config_get_login_failures (AttendantServerConfig *self);
double                 attendant_server_config_get_login_window  (AttendantServerConfig *self);
guint                  attendant_server_config_get_message_rate  (AttendantServerConfig *self);
guint                  attendant_server_config_get_message_burst (AttendantServerConfig *self);
guint                  attendant_server_config_get_unauthenticated_per_address (AttendantServerConfig *self);
guint                  attendant_server_config_get_unauthenticated_total       (AttendantServerConfig *self);
GPtrArray             *attendant_server_config_get_nodes         (AttendantServerConfig *self);
GPtrArray             *attendant_server_config_get_directory     (AttendantServerConfig *self);
GPtrArray             *attendant_server_config_get_queues        (AttendantServerConfig *self);
gboolean               attendant_server_config_get_demo_calls    (AttendantServerConfig *self);
double                 attendant_server_config_get_demo_interval (AttendantServerConfig *self);
double                 attendant_server_config_get_demo_patience (AttendantServerConfig *self);
gboolean               attendant_server_config_get_demo_presence (AttendantServerConfig *self);
const AttendantServerAsteriskConfig *
                       attendant_server_config_get_asterisk      (AttendantServerConfig *self);

gboolean               attendant_server_address_parse            (const char            *text,
                                                                  gboolean               listener,
                                                                  AttendantServerAddress **out,
                                                                  char                 **reason);
void                   attendant_server_address_free             (AttendantServerAddress *address);

/* Shared with the users file: a GKeyFile that remembers on which line each
 * group and key stands, so that semantic errors can name the line. */
typedef struct _AttendantKeyFile AttendantKeyFile;

AttendantKeyFile      *attendant_key_file_load                   (const char            *data,
                                                                  gsize                  length,
                                                                  const char            *path,
                                                                  GError               **error);
void                   attendant_key_file_free                   (AttendantKeyFile      *self);
GKeyFile              *attendant_key_file_get_key_file           (AttendantKeyFile      *self);
guint                  attendant_key_file_get_line               (AttendantKeyFile      *self,
                                                                  const char            *group,
                                                                  const char            *key);
gboolean               attendant_key_file_fail                   (AttendantKeyFile      *self,
                                                                  const char            *group,
                                                                  const char            *key,
                                                                  GError               **error,
                                                                  const char            *format,
                                                                  ...) G_GNUC_PRINTF (5, 6);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantKeyFile, attendant_key_file_free)

G_END_DECLS
