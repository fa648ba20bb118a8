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

G_END_DECLS
