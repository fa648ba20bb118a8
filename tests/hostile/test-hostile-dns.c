/* test-hostile-dns.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-hostile-dns"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "attendant-test-resolver.h"

/* What a hostile or broken DNS zone can hand the client's discovery, and
 * what the user typed at the edges of DNS's limits (docs/architecture.md,
 * "Rules of discovery and connection"). The SRV
 * answers come from AttendantTestResolver, the GResolver seam, so nothing
 * leaves the process. */

#define QUERY "_iacsec._tcp.acme.test"

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static AttendantPlan *
discover_with (AttendantTestResolver *resolver,
               const char            *input,
               AttendantTransport     transport)
{
  g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
  g_autoptr(AttendantServerSpec) spec = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  AttendantPlan *plan;

  spec = attendant_server_spec_parse (input, &error);
  g_assert_no_error (error);
  attendant_discovery_set_random_start (discovery, 7);
  attendant_discovery_set_transport (discovery, transport);
  attendant_discovery_discover_async (discovery, spec, NULL, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  plan = attendant_discovery_discover_finish (discovery, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plan);

  return plan;
}

static AttendantPlan *
discover (AttendantTestResolver *resolver,
          const char            *input)
{
  return discover_with (resolver, input, ATTENDANT_TRANSPORT_TLS);
}

static char *
plan_string (AttendantPlan *plan)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < attendant_plan_get_n_endpoints (plan); i++)
    {
      g_autofree char *where = attendant_endpoint_to_string (attendant_plan_get_endpoint (plan, i));

      g_string_append_printf (s, "%s%s", i ? " " : "", where);
    }

  return g_string_free (s, FALSE);
}

/* Hundreds of records: the plan is made at once, in policy order, and holds
 * at most ATTENDANT_DISCOVERY_MAX_SRV_ENDPOINTS of them — the most preferred
 * ones, since the cap is applied after ordering. */
static void
test_hundreds_of_records (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantPlan) plan = NULL;
  gint64 began;
  guint n_records = 600;

  /* Priority 1 is the most preferred under highest-first; there are only
   * a few of them, scattered among many less preferred ones. */
  for (guint i = 0; i < n_records; i++)
    {
      g_autofree char *target = g_strdup_printf ("node%u.acme.test", i);

      attendant_test_resolver_add_srv (resolver, QUERY, target, 20000 + i,
                                       i % 100 == 0 ? 9 : 1, (guint16)(i % 7 * 1000));
    }

  began = g_get_monotonic_time ();
  plan = discover (resolver, "acme.test");
  g_test_message ("600 records ordered in %.1f ms", (g_get_monotonic_time () - began) / 1000.0);

  g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_ANSWERED);
  /* Every record is still shown as received. */
  g_assert_cmpuint (attendant_plan_get_records (plan)->len, ==, n_records);
  g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, ATTENDANT_DISCOVERY_MAX_SRV_ENDPOINTS);

  /* The six priority-9 records come first, then only priority 1. */
  for (guint i = 0; i < attendant_plan_get_n_endpoints (plan); i++)
    g_assert_cmpuint (attendant_endpoint_get_priority (attendant_plan_get_endpoint (plan, i)),
                      ==, i < 6 ? 9 : 1);

  /* Bounded time even on a slow sanitizer build. */
  g_assert_cmpint (g_get_monotonic_time () - began, <, 2 * G_USEC_PER_SEC);
}

/* The same record many times over, in different spellings: tried once, so
 * it gets no extra share of the weighted draw. */
static void
test_duplicate_records (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantPlan) plan = NULL;
  g_autofree char *s = NULL;

  for (guint i = 0; i < 50; i++)
    attendant_test_resolver_add_srv (resolver, QUERY, i % 2 ? "DC1.acme.test." : "dc1.ACME.test",
                                     28101, 10, 100);
  attendant_test_resolver_add_srv (resolver, QUERY, "dc1.acme.test", 28102, 10, 100);
  attendant_test_resolver_add_srv (resolver, QUERY, "dc2.acme.test", 28101, 8, 80);

  plan = discover (resolver, "acme.test");
  g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_ANSWERED);
  g_assert_cmpuint (attendant_plan_get_records (plan)->len, ==, 52);
  g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, 3);

  s = plan_string (plan);
  /* Same priority and weight: either order of the first two. */
  g_assert_true (g_str_equal (s, "dc1.acme.test:28101 dc1.acme.test:28102 dc2.acme.test:28101") ||
                 g_str_equal (s, "dc1.acme.test:28102 dc1.acme.test:28101 dc2.acme.test:28101"));
}

/* Port 0 is ignored, even on the most preferred record; only port-0
 * records make the answer unusable, which falls back and says why. */
static void
test_port_zero (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantTestResolver) only_zero = attendant_test_resolver_new ();
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantPlan) fallback = NULL;
  g_autofree char *s = NULL;

  attendant_test_resolver_add_srv (resolver, QUERY, "zero.acme.test", 0, 99, 100);
  attendant_test_resolver_add_srv (resolver, QUERY, "dc1.acme.test", 28101, 10, 100);
  plan = discover (resolver, "acme.test");
  s = plan_string (plan);
  g_assert_cmpstr (s, ==, "dc1.acme.test:28101");

  attendant_test_resolver_add_srv (only_zero, QUERY, "zero.acme.test", 0, 99, 100);
  attendant_test_resolver_add_srv (only_zero, QUERY, "zero2.acme.test", 0, 9, 100);
  fallback = discover (only_zero, "acme.test");
  g_assert_cmpint (attendant_plan_get_method (fallback), ==, ATTENDANT_DISCOVERY_METHOD_FALLBACK);
  g_assert_cmpint (attendant_plan_get_result (fallback), ==, ATTENDANT_DISCOVERY_RESULT_FAILED);
  g_assert_nonnull (strstr (attendant_plan_get_error (fallback), "port 0"));
}

static char *
name_of_length (gsize length)
{
  GString *name = g_string_new (NULL);

  /* Labels of 63 bytes ("a"…) joined by dots, the last one shorter, ending
   * in ".test". */
  while (name->len + 5 < length)
    {
      gsize room = length - 5 - name->len;
      gsize label = MIN (room, 63);

      if (name->len > 0)
        {
          g_string_append_c (name, '.');
          label = MIN (room - 1, 63);
        }
      if (label == 0)
        break;
      for (gsize i = 0; i < label; i++)
        g_string_append_c (name, 'a' + (char)(i % 26));
    }
  g_string_append (name, ".test");
  g_assert_cmpuint (name->len, ==, length);

  return g_string_free (name, FALSE);
}

/* The user's input at the limits of a host name: 253 bytes and 63-byte labels are
 * accepted, one more is refused before any query with a message that says
 * which limit. A valid 253-byte domain makes an SRV name DNS cannot carry:
 * not queried, fallback with that reason. */
static void
test_name_length_limits (void)
{
  g_autofree char *name253 = name_of_length (253);
  g_autofree char *name254 = name_of_length (254);
  g_autofree char *label63 = g_strnfill (63, 'x');
  g_autofree char *label64 = g_strnfill (64, 'x');
  g_autofree char *with63 = g_strconcat (label63, ".test", NULL);
  g_autofree char *with64 = g_strconcat (label64, ".test", NULL);
  g_autoptr(AttendantServerSpec) spec = NULL;
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  spec = attendant_server_spec_parse (name253, &error);
  g_assert_no_error (error);
  g_clear_object (&spec);

  spec = attendant_server_spec_parse (with63, &error);
  g_assert_no_error (error);
  g_clear_object (&spec);

  spec = attendant_server_spec_parse (name254, &error);
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "254 bytes"));
  g_assert_nonnull (strstr (error->message, "253"));
  g_clear_error (&error);

  spec = attendant_server_spec_parse (with64, &error);
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "64 bytes"));
  g_assert_nonnull (strstr (error->message, "63"));
  g_clear_error (&error);

  plan = discover (resolver, name253);
  g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_FALLBACK);
  g_assert_nonnull (strstr (attendant_plan_get_error (plan), "more than DNS allows (253)"));
  g_assert_cmpuint (attendant_test_resolver_get_n_queries (resolver), ==, 0);
}

/* SRV targets are host names too: one at the limits is used, one past
 * them (DNS can carry any bytes, and a test double anything at all) is
 * ignored like port 0, as is anything else that is not a host name. */
static void
test_target_names (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantPlan) plan = NULL;
  g_autofree char *name253 = name_of_length (253);
  g_autofree char *name254 = name_of_length (254);
  g_autofree char *label64 = g_strnfill (64, 'x');
  g_autofree char *with64 = g_strconcat (label64, ".acme.test", NULL);
  const char *bad[] = {
    name254, with64, "evil host.acme.test", "evil\nhost.acme.test", "a..b.acme.test",
    "-dash.acme.test", "http://acme.test/", "dc9.acme.test:443",
  };

  attendant_test_resolver_add_srv (resolver, QUERY, name253, 28101, 10, 100);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    attendant_test_resolver_add_srv (resolver, QUERY, bad[i], 28102 + i, 20, 100);

  plan = discover (resolver, "acme.test");
  g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_ANSWERED);
  g_assert_cmpuint (attendant_plan_get_records (plan)->len, ==, 1 + G_N_ELEMENTS (bad));
  g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, 1);
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_plan_get_endpoint (plan, 0)), ==, name253);
}

/* IDN: the user's UTF-8 and its punycode spelling make the same
 * query; a target in UTF-8 becomes its ASCII form in the plan; input that
 * is not valid UTF-8 or not a valid IDN is refused with a message. */
static void
test_idn (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantPlan) utf8 = NULL;
  g_autoptr(AttendantPlan) ace = NULL;
  g_autoptr(AttendantServerSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *log;

  attendant_test_resolver_add_srv (resolver, "_iacsec._tcp.xn--bcher-kva.example",
                                   "dc1.bücher.example", 21234, 1, 1);

  utf8 = discover (resolver, "Bücher.example");
  ace = discover (resolver, "xn--bcher-kva.example");
  log = attendant_test_resolver_get_log (resolver);
  g_assert_cmpstr (log[0], ==, "SRV _iacsec._tcp.xn--bcher-kva.example");
  g_assert_cmpstr (log[1], ==, "SRV _iacsec._tcp.xn--bcher-kva.example");
  g_assert_cmpstr (attendant_plan_get_domain (utf8), ==, "xn--bcher-kva.example");
  g_assert_cmpuint (attendant_plan_get_n_endpoints (utf8), ==, 1);
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_plan_get_endpoint (utf8, 0)),
                   ==, "dc1.xn--bcher-kva.example");
  g_assert_cmpstr (attendant_endpoint_get_host (attendant_plan_get_endpoint (ace, 0)),
                   ==, "dc1.xn--bcher-kva.example");

  spec = attendant_server_spec_parse ("b\xfc" "cher.example", &error);
  g_assert_null (spec);
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);

  /* A UTF-8 label whose punycode is over 63 bytes. */
  spec = attendant_server_spec_parse ("ü" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", &error);
  g_assert_null (spec);
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT);
  g_test_message ("over-long IDN label: %s", error->message);
  g_assert_true (strstr (error->message, "63") != NULL ||
                 strstr (error->message, "internationalized") != NULL);
}

/* Targets that are IP literals (RFC 2782 says they must not be; zones have
 * them anyway): used as given, in the plan and without an address lookup. */
static void
test_ip_literal_targets (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantPlan) plan = NULL;
  g_autofree char *s = NULL;

  attendant_test_resolver_add_srv (resolver, QUERY, "192.0.2.10", 28101, 10, 100);
  attendant_test_resolver_add_srv (resolver, QUERY, "2001:db8::10", 28102, 9, 100);
  attendant_test_resolver_add_srv (resolver, QUERY, "192.0.2.10.", 28101, 8, 100);

  plan = discover (resolver, "acme.test");
  s = plan_string (plan);
  /* The third is the first one again, with the root dot. */
  g_assert_cmpstr (s, ==, "192.0.2.10:28101 [2001:db8::10]:28102");
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* …and the connector goes straight to the literal: no A/AAAA query. */
static void
test_ip_literal_target_connects (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantConnector) connector = attendant_connector_new (G_RESOLVER (resolver));
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(AttendantConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  attendant_test_resolver_add_srv (resolver, "_iac._tcp.acme.test", "127.0.0.1", port, 10, 100);
  plan = discover_with (resolver, "acme.test", ATTENDANT_TRANSPORT_PLAIN);

  attendant_connector_connect_async (connector, plan, NULL, connected_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  connection = attendant_connector_connect_finish (connector, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attendant_connection_get_address (connection), ==, "127.0.0.1");

  g_assert_cmpuint (attendant_test_resolver_get_n_queries (resolver), ==, 1);
  g_assert_cmpstr (attendant_test_resolver_get_log (resolver)[0], ==, "SRV _iac._tcp.acme.test");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostile/dns/hundreds-of-records", test_hundreds_of_records);
  g_test_add_func ("/hostile/dns/duplicate-records", test_duplicate_records);
  g_test_add_func ("/hostile/dns/port-zero", test_port_zero);
  g_test_add_func ("/hostile/dns/name-length-limits", test_name_length_limits);
  g_test_add_func ("/hostile/dns/target-names", test_target_names);
  g_test_add_func ("/hostile/dns/idn", test_idn);
  g_test_add_func ("/hostile/dns/ip-literal-targets", test_ip_literal_targets);
  g_test_add_func ("/hostile/dns/ip-literal-target-connects", test_ip_literal_target_connects);

  return g_test_run ();
}
