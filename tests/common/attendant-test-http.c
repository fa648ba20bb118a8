/* attendant-test-http.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-test-http"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "attendant-protocol.h"
#include "attendant-test-http.h"

/* One request to a server's admin API, for every suite that drives one.
 * It waits on its own rather than through attendant-test-wait.c, which
 * the server suite, with a wait of its own, does not link. */

#define DEADLINE_MS 20000

typedef struct
{
  GBytes  *body;
  GError  *error;
  gboolean done;
} Http;

static void
http_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Http *http = user_data;

  http->body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &http->error);
  http->done = TRUE;
}

static gboolean
expire_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * attendant_test_http:
 * @token: (nullable): the bearer token, none if %NULL
 * @body: (nullable): JSON text
 * @status: (out): the HTTP status
 *
 * Asynchronous underneath, so that an admin API in this very process can
 * answer while the test waits. Never through a proxy: the request stays
 * on loopback.
 *
 * Returns: (transfer full): the JSON object answered
 */
JsonObject *
attendant_test_http (const char *base_url,
                     const char *token,
                     const char *method,
                     const char *path,
                     const char *body,
                     guint      *status)
{
  g_autoptr(GProxyResolver) no_proxy = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", no_proxy, NULL);
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean expired = FALSE;
  guint source;
  Http http = { 0 };
  JsonObject *answer;

  g_assert_nonnull (message);

  if (token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", authorization);
    }

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, http_cb, &http);
  source = g_timeout_add (DEADLINE_MS, expire_cb, &expired);
  while (!http.done)
    {
      if (expired)
        g_error ("no answer to %s %s within %u ms", method, url, DEADLINE_MS);
      g_main_context_iteration (NULL, TRUE);
    }
  if (!expired)
    g_source_remove (source);

  g_assert_no_error (http.error);
  response = http.body;
  *status = soup_message_get_status (message);

  text = g_strndup (g_bytes_get_data (response, NULL), g_bytes_get_size (response));
  answer = attendant_protocol_parse_object (text, strlen (text), &error);
  g_assert_no_error (error);

  return answer;
}
