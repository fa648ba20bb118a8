/* fuzz-plan.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-fuzz"

#include "config.h"

#include <string.h>

#include "attendant-core.h"
#include "attendant-test-resolver.h"
#include "fuzz-common.h"

/* The plan made from whatever SRV answer a DNS server sends
 * (docs/architecture.md, "Rules of discovery and connection"). The input
 * is a flags byte, then records of priority, weight and port (16 bits
 * each, big-endian), a target length byte and the target; the answer is
 * served by AttendantTestResolver, so nothing leaves the process. The
 * plan must keep every usable record once (up to its limit of
 * ATTENDANT_DISCOVERY_MAX_SRV_ENDPOINTS), drop port 0, duplicates, the root
 * target and targets that are not host names, and honour the chosen
 * priority order. */

#define DOMAIN "example.test"
#define MAX_RECORDS 512

typedef struct
{
  guint16  priority;
  guint16  weight;
  guint16  port;
  char    *target;   /* as the resolver reports it: "" is the root "." */
} Record;

static void
record_clear (Record *record)
{
  g_free (record->target);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_setup ();
  return 0;
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* What the plan calls the target: without the trailing dot, "." for root. */
static char *
plan_name (const char *target)
{
  gsize len = strlen (target);

  if (len == 0)
    return g_strdup (".");
  if (len > 1 && target[len - 1] == '.')
    return g_strndup (target, len - 1);
  return g_strdup (target);
}

/* The host a usable record puts in the plan, or %NULL: a target must be a
 * host name or address by the rules of typed input (then normalized), and
 * its port not 0. */
static char *
usable_host (const Record *record)
{
  g_autofree char *name = plan_name (record->target);
  g_autoptr(AttendantServerSpec) spec = NULL;

  if (record->port == 0 || g_str_equal (name, "."))
    return NULL;

  spec = attendant_server_spec_parse (name, NULL);
  if (spec == NULL || attendant_server_spec_get_port (spec) != 0)
    return NULL;

  return g_strdup (attendant_server_spec_get_host (spec));
}

static gboolean
is_usable (const Record *record)
{
  g_autofree char *host = usable_host (record);

  return host != NULL;
}

static void
check_answered (AttendantPlan          *plan,
                GArray                 *records,
                AttendantPriorityOrder  order)
{
  guint n = attendant_plan_get_n_endpoints (plan);

  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <=, ATTENDANT_DISCOVERY_MAX_SRV_ENDPOINTS);

  for (guint i = 0; i < n; i++)
    {
      AttendantEndpoint *e = attendant_plan_get_endpoint (plan, i);
      const char *host = attendant_endpoint_get_host (e);
      gboolean from_answer = FALSE;

      g_assert_cmpint (attendant_endpoint_get_origin (e), ==, ATTENDANT_ENDPOINT_ORIGIN_SRV);
      g_assert_cmpuint (attendant_endpoint_get_port (e), !=, 0);
      g_assert_cmpstr (host, !=, ".");

      /* Tried once only. */
      for (guint j = 0; j < i; j++)
        {
          AttendantEndpoint *o = attendant_plan_get_endpoint (plan, j);

          g_assert_false (attendant_endpoint_get_port (o) == attendant_endpoint_get_port (e) &&
                          g_ascii_strcasecmp (attendant_endpoint_get_host (o), host) == 0);
        }

      /* Priorities in the configured direction. */
      if (i > 0)
        {
          guint16 prev = attendant_endpoint_get_priority (attendant_plan_get_endpoint (plan, i - 1));
          guint16 cur = attendant_endpoint_get_priority (e);

          if (order == ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST)
            g_assert_cmpuint (prev, >=, cur);
          else
            g_assert_cmpuint (prev, <=, cur);
        }

      /* Nothing made up. */
      for (guint j = 0; j < records->len && !from_answer; j++)
        {
          const Record *r = &g_array_index (records, Record, j);
          g_autofree char *name = usable_host (r);

          from_answer = name != NULL && r->port == attendant_endpoint_get_port (e) &&
                        r->priority == attendant_endpoint_get_priority (e) &&
                        r->weight == attendant_endpoint_get_weight (e) &&
                        g_str_equal (name, host);
        }
      g_assert_true (from_answer);
    }

  /* Nothing usable lost, up to the plan's limit (past it, the first ones
   * in policy order are kept). */
  if (n == ATTENDANT_DISCOVERY_MAX_SRV_ENDPOINTS)
    return;

  for (guint j = 0; j < records->len; j++)
    {
      const Record *r = &g_array_index (records, Record, j);
      g_autofree char *name = usable_host (r);
      gboolean found = FALSE;

      if (name == NULL)
        continue;

      for (guint i = 0; i < n && !found; i++)
        {
          AttendantEndpoint *e = attendant_plan_get_endpoint (plan, i);

          found = attendant_endpoint_get_port (e) == r->port &&
                  g_ascii_strcasecmp (attendant_endpoint_get_host (e), name) == 0;
        }
      g_assert_true (found);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(AttendantTestResolver) resolver = attendant_test_resolver_new ();
  g_autoptr(AttendantDiscovery) discovery = NULL;
  g_autoptr(AttendantServerSpec) spec = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(AttendantPlan) plan = NULL;
  g_autoptr(GPtrArray) node_list = NULL;
  g_autoptr(GArray) records = g_array_new (FALSE, TRUE, sizeof (Record));
  g_autoptr(GError) error = NULL;
  g_autofree char *query = NULL;
  AttendantTransport transport;
  AttendantPriorityOrder order;
  gboolean any_usable = FALSE;
  gboolean any_root = FALSE;
  size_t pos = 1;

  if (size < 1)
    return 0;

  g_array_set_clear_func (records, (GDestroyNotify)record_clear);

  transport = (data[0] & 1) ? ATTENDANT_TRANSPORT_PLAIN : ATTENDANT_TRANSPORT_TLS;
  order = (data[0] & 2) ? ATTENDANT_PRIORITY_ORDER_RFC2782 : ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST;
  query = g_strdup_printf ("%s.%s", attendant_transport_service (transport), DOMAIN);

  while (pos + 7 <= size && records->len < MAX_RECORDS)
    {
      Record r = { 0 };
      guint8 len;

      r.priority = (guint16)(data[pos] << 8 | data[pos + 1]);
      r.weight = (guint16)(data[pos + 2] << 8 | data[pos + 3]);
      r.port = (guint16)(data[pos + 4] << 8 | data[pos + 5]);
      len = data[pos + 6];
      pos += 7;
      if (len > size - pos)
        len = (guint8)(size - pos);

      /* The stub resolver hands over names as dn_expand() prints them,
       * which is ASCII; valid UTF-8 is all a GVariant string may hold. */
      r.target = g_utf8_make_valid ((const char *)data + pos, len);
      pos += len;

      attendant_test_resolver_add_srv (resolver, query, r.target, r.port, r.priority, r.weight);
      any_usable |= is_usable (&r);
      {
        g_autofree char *name = plan_name (r.target);

        any_root |= g_str_equal (name, ".");
      }
      g_array_append_val (records, r);
    }

  if (data[0] & 4)
    {
      node_list = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (node_list, attendant_endpoint_new ("node-a." DOMAIN, 5000, 0, 0,
                                                          ATTENDANT_ENDPOINT_ORIGIN_NODE_LIST));
      /* The same place as the fallback: must not be tried twice. */
      g_ptr_array_add (node_list, attendant_endpoint_new (DOMAIN, attendant_transport_default_port (transport),
                                                          0, 0, ATTENDANT_ENDPOINT_ORIGIN_NODE_LIST));
    }

  discovery = attendant_discovery_new (G_RESOLVER (resolver));
  attendant_discovery_set_transport (discovery, transport);
  attendant_discovery_set_priority_order (discovery, order);
  attendant_discovery_set_random_start (discovery, size);

  spec = attendant_server_spec_parse (DOMAIN, &error);
  g_assert_no_error (error);

  attendant_discovery_discover_async (discovery, spec, node_list, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  plan = attendant_discovery_discover_finish (discovery, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plan);

  (void)attendant_plan_orders_disagree (plan);

  switch (attendant_plan_get_result (plan))
    {
    case ATTENDANT_DISCOVERY_RESULT_ANSWERED:
      g_assert_true (any_usable);
      g_assert_cmpuint (attendant_plan_get_records (plan)->len, ==, records->len);
      check_answered (plan, records, order);
      break;

    case ATTENDANT_DISCOVERY_RESULT_UNAVAILABLE:
      g_assert_false (any_usable);
      g_assert_true (any_root);
      g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, 0);
      break;

    case ATTENDANT_DISCOVERY_RESULT_NOT_FOUND:
    case ATTENDANT_DISCOVERY_RESULT_FAILED:
      g_assert_false (any_usable);
      g_assert_cmpint (attendant_plan_get_method (plan), ==, ATTENDANT_DISCOVERY_METHOD_FALLBACK);
      g_assert_cmpuint (attendant_plan_get_n_endpoints (plan), ==, (data[0] & 4) ? 2 : 1);
      g_assert_cmpstr (attendant_endpoint_get_host (attendant_plan_get_endpoint (plan, 0)), ==, DOMAIN);
      break;

    case ATTENDANT_DISCOVERY_RESULT_SKIPPED:
    default:
      g_assert_not_reached ();
    }

  /* The timeout source is gone with the answer; run what is left. */
  fuzz_drain_main_context ();

  return 0;
}
