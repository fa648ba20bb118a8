/* attendant-test-fixture.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-fixture"

#include "config.h"

#include <glib/gstdio.h>

#include "attendant-test-fixture.h"

/* A real server in the test's own process: a configuration file, a users
 * file written by the same code as `attendant-server add-user`, and two
 * nodes on loopback with ports chosen by the kernel ("primary" with plain
 * and TLS on 127.0.0.1, "backup" with plain on 127.0.0.2), sharing one
 * telephone system. */

char *
attendant_test_write_file (const char *dir,
                           const char *name,
                           const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  /* Owner-only, as the server wants its users, token and key files. */
  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&path);
}

void
attendant_test_remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = NULL;
  const char *name;

  if (dir == NULL)
    return;

  handle = g_dir_open (dir, 0, NULL);
  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

void
attendant_test_write_users (const char *path)
{
  g_autoptr(GError) error = NULL;

  attendant_users_add_to_file (path, TEST_USER, "Reception Desk", TEST_EXTENSION,
                               TEST_PASSWORD, 4096, &error);
  g_assert_no_error (error);
  attendant_users_add_to_file (path, TEST_USER2, "Second Desk", TEST_EXTENSION2,
                               TEST_PASSWORD2, 4096, &error);
  g_assert_no_error (error);
  attendant_users_add_to_file (path, TEST_NO_EXT_USER, NULL, NULL, TEST_NO_EXT_PASS, 4096, &error);
  g_assert_no_error (error);
}

/**
 * attendant_test_fixture_new:
 * @server_extra: (nullable): more lines for [server]
 */
AttendantTestFixture *
attendant_test_fixture_new (AttendantTestPki *pki,
                            const char       *server_extra)
{
  g_autoptr(AttendantTestFixture) fixture = g_new0 (AttendantTestFixture, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *text = NULL;

  fixture->dir = g_dir_make_tmp (NULL, &error);
  g_assert_no_error (error);

  fixture->users_file = g_build_filename (fixture->dir, "users.ini", NULL);
  attendant_test_write_users (fixture->users_file);

  fixture->token = g_strdup ("test-token-0123456789abcdef");
  token_file = attendant_test_write_file (fixture->dir, "admin.token", fixture->token);

  text = g_strdup_printf ("[server]\n"
                          "cluster=test\n"
                          "users=users.ini\n"
                          "admin=127.0.0.1:0\n"
                          "admin-token-file=admin.token\n"
                          "heartbeat=1\n"
                          "%s\n"
                          "\n"
                          "[node primary]\n"
                          "plain=127.0.0.1:0\n"
                          "tls=127.0.0.1:0\n"
                          "certificate=%s\n"
                          "key=%s\n"
                          "\n"
                          "[node backup]\n"
                          "plain=127.0.0.2:0\n"
                          "\n"
                          "[directory]\n"
                          "201=Bruno Bianchi;Sales\n"
                          "202=Carla Rossi;Support;away\n"
                          "203=Dario Neri;Sales;dnd\n"
                          "204=Elena Galli;Accounting\n"
                          "205=Fabio Conti;Accounting;offline\n",
                          server_extra != NULL ? server_extra : "",
                          pki->loopback_file, pki->key_file);
  fixture->config_file = attendant_test_write_file (fixture->dir, "server.conf", text);

  fixture->config = attendant_server_config_new_from_file (fixture->config_file, &error);
  g_assert_no_error (error);

  fixture->server = attendant_server_new (fixture->config, NULL, &error);
  g_assert_no_error (error);

  attendant_server_start (fixture->server, NULL, &error);
  g_assert_no_error (error);

  fixture->admin_url = g_strdup_printf ("http://127.0.0.1:%u",
                                        attendant_server_get_admin_port (fixture->server));

  return g_steal_pointer (&fixture);
}

void
attendant_test_fixture_free (AttendantTestFixture *fixture)
{
  if (fixture == NULL)
    return;

  g_clear_object (&fixture->server);
  g_clear_object (&fixture->config);

  /* Let the sockets' last callbacks run before the next test. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  attendant_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->users_file);
  g_free (fixture->token);
  g_free (fixture->config_file);
  g_free (fixture->admin_url);
  g_free (fixture);
}

guint16
attendant_test_fixture_port (AttendantTestFixture *fixture,
                             const char           *node,
                             const char           *transport)
{
  AttendantNode *found = attendant_server_lookup_node (fixture->server, node);

  g_assert_nonnull (found);
  return attendant_node_get_port (found, transport);
}

char *
attendant_test_fixture_url (AttendantTestFixture *fixture,
                            const char           *node,
                            const char           *transport)
{
  const char *host = g_str_equal (node, "backup") ? "127.0.0.2" : "127.0.0.1";

  return g_strdup_printf ("%s://%s:%u/attendant", g_str_equal (transport, "tls") ? "wss" : "ws",
                          host, attendant_test_fixture_port (fixture, node, transport));
}

/**
 * attendant_test_cluster_new:
 * @nodes: the [node …] groups, such as %ATTENDANT_TEST_TWO_NODES
 * @heartbeat: the interval the server advertises, in seconds
 * @more: (nullable): more sections, such as a [directory]
 *
 * A started server with the fixture's users, in a temporary directory of
 * its own where a test may write more files.
 */
AttendantTestCluster *
attendant_test_cluster_new (const char *nodes,
                            guint       heartbeat,
                            const char *more)
{
  AttendantTestCluster *cluster = g_new0 (AttendantTestCluster, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *users = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;

  g_assert_nonnull (nodes);

  cluster->dir = g_dir_make_tmp (NULL, &error);
  g_assert_no_error (error);
  users = g_build_filename (cluster->dir, "users.ini", NULL);
  attendant_test_write_users (users);

  text = g_strdup_printf ("[server]\n"
                          "cluster=test\n"
                          "users=users.ini\n"
                          "heartbeat=%u\n"
                          "\n"
                          "%s\n"
                          "%s",
                          heartbeat, nodes, more != NULL ? more : "");
  path = attendant_test_write_file (cluster->dir, "server.conf", text);

  cluster->config = attendant_server_config_new_from_file (path, &error);
  g_assert_no_error (error);
  cluster->server = attendant_server_new (cluster->config, NULL, &error);
  g_assert_no_error (error);
  attendant_server_start (cluster->server, NULL, &error);
  g_assert_no_error (error);

  return cluster;
}

void
attendant_test_cluster_free (AttendantTestCluster *cluster)
{
  if (cluster == NULL)
    return;

  g_clear_object (&cluster->server);
  g_clear_object (&cluster->config);

  /* Let the sockets' last callbacks run before the next test. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  attendant_test_remove_dir (cluster->dir);
  g_free (cluster->dir);
  g_free (cluster);
}

AttendantNode *
attendant_test_cluster_node (AttendantTestCluster *cluster,
                             const char           *name)
{
  AttendantNode *found = attendant_server_lookup_node (cluster->server, name);

  g_assert_nonnull (found);
  return found;
}
