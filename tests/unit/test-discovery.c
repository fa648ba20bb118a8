/* test-discovery.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "attendant-test-resolver.h"

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static AttendantPlan *
discover (AttendantDiscovery  *discovery,
          const char          *input,
          GPtrArray           *node_list,
          GCancellable        *cancellable,
          GError             **error)
{
  g_autoptr(AttendantServerSpec) spec = attendant_server_spec_parse (input, NULL);
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_nonnull (spec);
  attendant_discovery_discover_async (discovery, spec, node_list, cancellable,
                                      store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return attendant_discovery_discover_finish (discovery, result, error);
}

static char *
plan_string (AttendantPlan *plan)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < attendant_plan_get_n_endpoints (plan); i++)
    {
      AttendantEndpoint *e = attendant_plan_get_endpoint (plan, i);
      g_autofree char *where = attendant_endpoint_to_string (e);

      g_string_append_printf (s, "%s%s/%s", i ? " " : "", where,
                              attendant_enum_to_nick (ATTENDANT_TYPE_ENDPOINT_ORIGIN,
                                                      attendant_endpoint_get_origin (e)));
    }

  return g_string_free (s, FALSE);
}

static GPtrArray *
make_node_list (void)
{
  GPtrArray *nodes = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (nodes, attendant_endpoint_new ("172.17.20.11", 51235, 0, 0,
                                                  ATTENDANT_ENDPOINT_ORIGIN_NODE_LIST));
  g_ptr_array_add (nodes, attendant_endpoint_new ("172.17.20.12", 51235, 0, 0,
                                                  ATTENDANT_ENDPOINT_ORIGIN_NODE_LIST));
  /* Already in the plan as the fallback: must not be tried twice. */
  g_ptr_array_add (nodes, attendant_endpoint_new ("acme.test", 51235, 0, 0,
                                                  ATTENDANT_ENDPOINT_ORIGIN_NODE_LIST));
  return nodes;
}

static void
add_guide_records (AttendantTestResolver *resolver,
                   const char            *service)
{
  g_autofree char *name = g_strdup_printf ("%s.acme.test", service);

  attendant_test_resolver_add_srv (resolver, name, "acme.test.", 28101, 10, 100);
  attendant_test_resolver_add_srv (resolver, name, "acme.test.", 28102, 8, 80);
}

static void
test_srv_answered (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
  g_autoptr(GPtrArray) nodes = make_node_list ();
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *s = NULL;
  GPtrArray *records;

  add_guide_records (resolver, "_iacsec._tcp");
  plan = discover (discovery, "ACME.test.", nodes, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_SRV);
  g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_ANSWERED);
  g_assert_cmpstr (attendant_plan_get_query (plan), ==, "_iacsec._tcp.acme.test");
  g_assert_cmpstr (attendant_plan_get_domain (plan), ==, "acme.test");
  g_assert_cmpstr (attendant_plan_get_input (plan), ==, "ACME.test.");
  g_assert_null (attendant_plan_get_error (plan));

  /* The SRV answer is the whole plan; the node list is ignored. */
  s = plan_string (plan);
  g_assert_cmpstr (s, ==, "acme.test:28101/srv acme.test:28102/srv");
  g_assert_true (attendant_plan_orders_disagree (plan));

  records = attendant_plan_get_records (plan);
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpstr (g_srv_target_get_hostname (records->pdata[0]), ==, "acme.test");
  g_assert_cmpuint (g_srv_target_get_port (records->pdata[1]), ==, 28102);

  /* No A lookup yet; that is the connector's business. */
  g_assert_cmpuint (attendant_test_resolver_get_n_queries (resolver), ==, 1);
  g_assert_cmpstr (attendant_test_resolver_get_log (resolver)[0], ==, "SRV _iacsec._tcp.acme.test");

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (plan)), ==, 2);
  g_assert_finalize_object (g_steal_pointer (&plan));
}

static void
test_srv_rfc2782_and_plain (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
  g_autoptr(AttendantPlan) plan = NULL;
  g_autofree char *s = NULL;

  add_guide_records (resolver, "_iac._tcp");
  attendant_discovery_set_transport (discovery, ATTENDANT_TRANSPORT_PLAIN);
  attendant_discovery_set_priority_order (discovery, ATTENDANT_PRIORITY_ORDER_RFC2782);

  plan = discover (discovery, "acme.test", NULL, NULL, NULL);
  g_assert_cmpstr (attendant_plan_get_query (plan), ==, "_iac._tcp.acme.test");
  g_assert_cmpint (attendant_plan_get_transport (plan), ==, ATTENDANT_TRANSPORT_PLAIN);
  g_assert_cmpint (attendant_plan_get_priority_order (plan), ==, ATTENDANT_PRIORITY_ORDER_RFC2782);
  s = plan_string (plan);
  g_assert_cmpstr (s, ==, "acme.test:28102/srv acme.test:28101/srv");
}

typedef struct
{
  GResolverError            code;
  AttendantDiscoveryResult  result;
} FailureCase;

static void
test_fallback (gconstpointer data)
{
  const FailureCase *fc = data;

  for (guint transport = 0; transport < 2; transport++)
    {
      g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
      g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
      g_autoptr(GPtrArray) nodes = make_node_list ();
      g_autoptr(AttendantPlan) plan = NULL;
      g_autoptr(AttendantPlan) plan_without_nodes = NULL;
      g_autofree char *s = NULL;
      g_autofree char *s2 = NULL;
      g_autofree char *expected = NULL;
      guint16 port = transport == ATTENDANT_TRANSPORT_PLAIN ? 51234 : 51235;

      attendant_discovery_set_transport (discovery, transport);
      /* Records exist for the other transport: they must not leak in. */
      add_guide_records (resolver, transport == ATTENDANT_TRANSPORT_PLAIN ? "_iacsec._tcp" : "_iac._tcp");
      if (fc->code != G_RESOLVER_ERROR_NOT_FOUND)
        attendant_test_resolver_set_error (resolver,
                                           transport == ATTENDANT_TRANSPORT_PLAIN
                                             ? "_iac._tcp.acme.test" : "_iacsec._tcp.acme.test",
                                           fc->code, "the DNS server failed");

      plan = discover (discovery, "acme.test", nodes, NULL, NULL);
      g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_FALLBACK);
      g_assert_cmpint (attendant_plan_get_result (plan), ==, fc->result);
      g_assert_nonnull (attendant_plan_get_error (plan));
      g_assert_cmpuint (attendant_plan_get_records (plan)->len, ==, 0);

      /* Fallback: the domain on the default port, then the remembered node list
       * (without repeating the fallback endpoint). */
      s = plan_string (plan);
      expected = g_strdup_printf ("acme.test:%u/fallback 172.17.20.11:51235/node-list "
                                  "172.17.20.12:51235/node-list%s", port,
                                  port == 51235 ? "" : " acme.test:51235/node-list");
      g_assert_cmpstr (s, ==, expected);

      plan_without_nodes = discover (discovery, "acme.test", NULL, NULL, NULL);
      s2 = plan_string (plan_without_nodes);
      g_clear_pointer (&expected, g_free);
      expected = g_strdup_printf ("acme.test:%u/fallback", port);
      g_assert_cmpstr (s2, ==, expected);
    }
}

static void
test_timeout (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
  g_autoptr(AttendantPlan) plan = NULL;
  g_autofree char *s = NULL;

  /* A DNS server that never answers counts as failed after the
   * attempt timeout, instead of the stub resolver's own minutes. */
  attendant_test_resolver_set_hang (resolver, "_iacsec._tcp.acme.test");
  attendant_discovery_set_timeout (discovery, 1);

  plan = discover (discovery, "acme.test", NULL, NULL, NULL);
  g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_FALLBACK);
  g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_FAILED);
  g_assert_cmpstr (attendant_plan_get_error (plan), ==, "The DNS server did not answer within 1 s");
  s = plan_string (plan);
  g_assert_cmpstr (s, ==, "acme.test:51235/fallback");
}

static void
test_root_target (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
  g_autoptr(GPtrArray) nodes = make_node_list ();
  g_autoptr(AttendantPlan) plan = NULL;

  /* A lone "." record: decidedly not available, no fallback at all. */
  attendant_test_resolver_add_srv (resolver, "_iacsec._tcp.acme.test", "", 0, 0, 0);
  plan = discover (discovery, "acme.test", nodes, NULL, NULL);

  g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_SRV);
  g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_UNAVAILABLE);
  g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, 0);
  g_assert_nonnull (strstr (attendant_plan_get_error (plan), "not available"));
  g_assert_cmpuint (attendant_plan_get_records (plan)->len, ==, 1);
  g_assert_cmpstr (g_srv_target_get_hostname (attendant_plan_get_records (plan)->pdata[0]), ==, ".");
}

static void
test_root_target_mixed (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
  g_autoptr(AttendantPlan) plan = NULL;
  g_autofree char *s = NULL;

  /* "." mixed with usable records is ignored, as are port-0 records and
   * duplicates; the records are still reported as received. */
  attendant_test_resolver_add_srv (resolver, "_iacsec._tcp.acme.test", ".", 0, 20, 0);
  attendant_test_resolver_add_srv (resolver, "_iacsec._tcp.acme.test", "dc1.acme.test", 21234, 10, 100);
  attendant_test_resolver_add_srv (resolver, "_iacsec._tcp.acme.test", "dc1.acme.test.", 21234, 10, 100);
  attendant_test_resolver_add_srv (resolver, "_iacsec._tcp.acme.test", "zero.acme.test", 0, 30, 10);
  attendant_test_resolver_add_srv (resolver, "_iacsec._tcp.acme.test", "dc2.acme.test", 21234, 8, 80);

  plan = discover (discovery, "acme.test", NULL, NULL, NULL);
  g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_ANSWERED);
  s = plan_string (plan);
  g_assert_cmpstr (s, ==, "dc1.acme.test:21234/srv dc2.acme.test:21234/srv");
  g_assert_cmpuint (attendant_plan_get_records (plan)->len, ==, 5);
}

static void
test_only_unusable_records (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
  g_autoptr(AttendantPlan) plan = NULL;
  g_autofree char *s = NULL;

  attendant_test_resolver_add_srv (resolver, "_iacsec._tcp.acme.test", "zero.acme.test", 0, 30, 10);
  plan = discover (discovery, "acme.test", NULL, NULL, NULL);
  g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_FALLBACK);
  g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_FAILED);
  g_assert_cmpuint (attendant_plan_get_records (plan)->len, ==, 1);
  s = plan_string (plan);
  g_assert_cmpstr (s, ==, "acme.test:51235/fallback");
}

static void
test_direct (void)
{
  static const struct { const char *input; const char *plan; const char *domain; } cases[] = {
    { "acme.test:28101", "acme.test:28101/direct 172.17.20.11:51235/node-list 172.17.20.12:51235/node-list acme.test:51235/node-list", "acme.test" },
    { "192.0.2.7", "192.0.2.7:51235/direct 172.17.20.11:51235/node-list 172.17.20.12:51235/node-list acme.test:51235/node-list", "192.0.2.7" },
    { "[2001:db8::7]:4000", "[2001:db8::7]:4000/direct 172.17.20.11:51235/node-list 172.17.20.12:51235/node-list acme.test:51235/node-list", "2001:db8::7" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
      g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
      g_autoptr(GPtrArray) nodes = make_node_list ();
      g_autoptr(AttendantPlan) plan = NULL;
      g_autofree char *s = NULL;

      add_guide_records (resolver, "_iacsec._tcp");
      plan = discover (discovery, cases[i].input, nodes, NULL, NULL);

      g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_DIRECT);
      g_assert_cmpint (attendant_plan_get_result (plan), ==, ATTENDANT_DISCOVERY_RESULT_SKIPPED);
      g_assert_null (attendant_plan_get_query (plan));
      g_assert_cmpstr (attendant_plan_get_domain (plan), ==, cases[i].domain);
      s = plan_string (plan);
      g_assert_cmpstr (s, ==, cases[i].plan);
      /* No SRV query for direct input. */
      g_assert_cmpuint (attendant_test_resolver_get_n_queries (resolver), ==, 0);
    }
}

static void
test_idn_and_fresh_lookups (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
  g_autoptr(AttendantPlan) first = NULL;
  g_autoptr(AttendantPlan) second = NULL;
  const char * const *log;

  attendant_test_resolver_add_srv (resolver, "_iacsec._tcp.xn--bcher-kva.example",
                                   "dc1.xn--bcher-kva.example", 21234, 1, 1);

  first = discover (discovery, "bücher.example", NULL, NULL, NULL);
  second = discover (discovery, "bücher.example", NULL, NULL, NULL);
  g_assert_cmpint (attendant_plan_get_result (first), ==, ATTENDANT_DISCOVERY_RESULT_ANSWERED);
  g_assert_cmpint (attendant_plan_get_result (second), ==, ATTENDANT_DISCOVERY_RESULT_ANSWERED);

  /* Every cycle asks DNS again. */
  log = attendant_test_resolver_get_log (resolver);
  g_assert_cmpuint (g_strv_length ((char **)log), ==, 2);
  g_assert_cmpstr (log[0], ==, "SRV _iacsec._tcp.xn--bcher-kva.example");
  g_assert_cmpstr (log[1], ==, "SRV _iacsec._tcp.xn--bcher-kva.example");
}

static void
test_cancel (void)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (G_RESOLVER (resolver));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  attendant_test_resolver_set_hang (resolver, "_iacsec._tcp.acme.test");
  attendant_discovery_set_timeout (discovery, 60);
  g_cancellable_cancel (cancellable);

  plan = discover (discovery, "acme.test", NULL, cancellable, &error);
  g_assert_null (plan);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_properties (void)
{
  g_autoptr(AttendantDiscovery) discovery = attendant_discovery_new (NULL);
  guint notified = 0;

  g_assert_true (G_IS_RESOLVER (attendant_discovery_get_resolver (discovery)));
  g_assert_cmpint (attendant_discovery_get_transport (discovery), ==, ATTENDANT_TRANSPORT_TLS);
  g_assert_cmpint (attendant_discovery_get_priority_order (discovery), ==,
                   ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST);
  g_assert_cmpuint (attendant_discovery_get_timeout (discovery), ==, 5);

  /* Notified on change only (G_PARAM_EXPLICIT_NOTIFY). */
  g_signal_connect (discovery, "notify", G_CALLBACK (count_notify), &notified);
  attendant_discovery_set_timeout (discovery, 5);
  attendant_discovery_set_transport (discovery, ATTENDANT_TRANSPORT_TLS);
  g_assert_cmpuint (notified, ==, 0);
  attendant_discovery_set_timeout (discovery, 7);
  attendant_discovery_set_priority_order (discovery, ATTENDANT_PRIORITY_ORDER_RFC2782);
  g_object_set (discovery, "transport", ATTENDANT_TRANSPORT_PLAIN, NULL);
  g_assert_cmpuint (notified, ==, 3);
  g_assert_cmpuint (attendant_discovery_get_timeout (discovery), ==, 7);

  g_assert_finalize_object (g_steal_pointer (&discovery));
}

int
main (int    argc,
      char **argv)
{
  static const FailureCase not_found = { G_RESOLVER_ERROR_NOT_FOUND, ATTENDANT_DISCOVERY_RESULT_NOT_FOUND };
  static const FailureCase servfail = { G_RESOLVER_ERROR_TEMPORARY_FAILURE, ATTENDANT_DISCOVERY_RESULT_FAILED };
  static const FailureCase internal = { G_RESOLVER_ERROR_INTERNAL, ATTENDANT_DISCOVERY_RESULT_FAILED };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/discovery/srv-answered", test_srv_answered);
  g_test_add_func ("/discovery/srv-rfc2782-plain", test_srv_rfc2782_and_plain);
  g_test_add_data_func ("/discovery/fallback/not-found", &not_found, test_fallback);
  g_test_add_data_func ("/discovery/fallback/servfail", &servfail, test_fallback);
  g_test_add_data_func ("/discovery/fallback/internal", &internal, test_fallback);
  g_test_add_func ("/discovery/fallback/timeout", test_timeout);
  g_test_add_func ("/discovery/root-target", test_root_target);
  g_test_add_func ("/discovery/root-target-mixed", test_root_target_mixed);
  g_test_add_func ("/discovery/only-unusable-records", test_only_unusable_records);
  g_test_add_func ("/discovery/direct", test_direct);
  g_test_add_func ("/discovery/idn-and-fresh-lookups", test_idn_and_fresh_lookups);
  g_test_add_func ("/discovery/cancel", test_cancel);
  g_test_add_func ("/discovery/properties", test_properties);

  return g_test_run ();
}
