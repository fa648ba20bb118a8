/* attendant-test-fixture.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "attendant-server.h"
#include "attendant-test-pki.h"

G_BEGIN_DECLS

/* Users every fixture has (password, extension). */
#define TEST_USER          "reception"
#define TEST_PASSWORD      "correct horse"
#define TEST_EXTENSION     "200"
#define TEST_USER2         "second"
#define TEST_PASSWORD2     "battery staple"
#define TEST_EXTENSION2    "210"
#define TEST_NO_EXT_USER   "nobody"
#define TEST_NO_EXT_PASS   "no extension"

typedef struct
{
  char                  *dir;
  char                  *users_file;
  char                  *token;
  char                  *config_file;
  AttendantServerConfig *config;
  AttendantServer       *server;
  char                  *admin_url;
} AttendantTestFixture;

AttendantTestFixture *attendant_test_fixture_new      (AttendantTestPki     *pki,
                                                       const char           *server_extra);
void                  attendant_test_fixture_free     (AttendantTestFixture *fixture);
char                 *attendant_test_fixture_url      (AttendantTestFixture *fixture,
                                                       const char           *node,
                                                       const char           *transport);
guint16               attendant_test_fixture_port     (AttendantTestFixture *fixture,
                                                       const char           *node,
                                                       const char           *transport);
char                 *attendant_test_write_file       (const char           *dir,
                                                       const char           *name,
                                                       const char           *contents);
void                  attendant_test_remove_dir       (const char           *dir);
void                  attendant_test_write_users      (const char           *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantTestFixture, attendant_test_fixture_free)

/* The client tests' cluster: "primary" on 127.0.0.1 and "backup" on
 * 127.0.0.2, plain only, ports chosen by the kernel. */
#define ATTENDANT_TEST_TWO_NODES \
  "[node primary]\n" \
  "plain=127.0.0.1:0\n" \
  "\n" \
  "[node backup]\n" \
  "plain=127.0.0.2:0\n"

typedef struct
{
  char                  *dir;
  AttendantServerConfig *config;
  AttendantServer       *server;
} AttendantTestCluster;

AttendantTestCluster *attendant_test_cluster_new      (const char           *nodes,
                                                       guint                 heartbeat,
                                                       const char           *more);
void                  attendant_test_cluster_free     (AttendantTestCluster *cluster);
AttendantNode        *attendant_test_cluster_node     (AttendantTestCluster *cluster,
                                                       const char           *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttendantTestCluster, attendant_test_cluster_free)

G_END_DECLS
