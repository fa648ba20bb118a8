/* test-protocol.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "attendant-core.h"

static void
test_roundtrip (void)
{
  g_autoptr(JsonObject) message = attendant_protocol_message_new ("command");
  g_autoptr(JsonObject) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_object_set_string_member (message, "id", "c-1");
  json_object_set_string_member (message, "command", "call.answer");
  text = attendant_protocol_encode (message);

  g_assert_null (strchr (text, '\n'));
  decoded = attendant_protocol_decode (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attendant_protocol_get_type (decoded), ==, "command");
  g_assert_cmpstr (json_object_get_string_member (decoded, "command"), ==, "call.answer");
}

static void
test_unknown_type_passes (void)
{
  const char *text = "{\"type\":\"future.thing\",\"x\":[1,2]}";
  g_autoptr(JsonObject) decoded = attendant_protocol_decode (text, strlen (text), NULL);

  g_assert_nonnull (decoded);
  g_assert_cmpstr (attendant_protocol_get_type (decoded), ==, "future.thing");
}

/* The single-object check reads brackets in strings as text. */
static void
test_single_object (void)
{
  static const char *cases[] = {
    " {\"type\":\"ping\",\"id\":1} \r\n",
    "{\"type\":\"x\",\"s\":\"}\\\"{[\",\"a\":[{\"b\":[]}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) decoded = attendant_protocol_decode (cases[i], strlen (cases[i]), &error);

      g_assert_no_error (error);
      g_assert_nonnull (decoded);
    }
}

/* The getters for a peer's members never trust its JSON types: json-glib's
 * emit a critical for a member of the wrong kind, which the fuzz targets
 * reached through "server", "heartbeat_s", "result", "error" and "me". */
static void
test_getters (void)
{
  const char *text = "{\"type\":\"x\",\"s\":\"v\",\"i\":7,\"o\":{},\"a\":[],\"n\":null,\"d\":1.5}";
  g_autoptr(JsonObject) message = attendant_protocol_decode (text, strlen (text), NULL);
  const char *members[] = { "s", "i", "o", "a", "n", "d", "missing" };

  g_assert_nonnull (message);

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      const char *m = members[i];

      g_assert_true ((attendant_protocol_get_string (message, m) != NULL) == g_str_equal (m, "s"));
      g_assert_cmpint (attendant_protocol_get_int (message, m, -1), ==, g_str_equal (m, "i") ? 7 : -1);
      g_assert_true ((attendant_protocol_get_object (message, m) != NULL) == g_str_equal (m, "o"));
      g_assert_true ((attendant_protocol_get_array (message, m) != NULL) == g_str_equal (m, "a"));
    }
  g_assert_cmpstr (attendant_protocol_get_string (message, "s"), ==, "v");
}

static void
test_malformed (void)
{
  static const char *cases[] = {
    "",
    "not json",
    "[1,2,3]",
    "\"hello\"",
    "{}",
    "{\"type\": 3}",
    "{\"type\":\"hello\",\"protocol\":\"1\",\"node\":\"a\",\"nodes\":[]}",
    "{\"type\":\"hello\",\"protocol\":1,\"nodes\":[]}",
    "{\"type\":\"command\",\"id\":7,\"command\":\"x\"}",
    "{\"type\":\"reply\",\"id\":\"c\"}",
    "{\"type\":\"ping\"}",
    "{\"type\":\"snapshot\",\"seq\":1,\"directory\":[],\"queues\":{},\"calls\":[]}",
    "{\"type\":\"phone-system\",\"reason\":\"down\"}",
    "{\"type\":\"phone-system\",\"reachable\":\"no\",\"reason\":null}",
    "{\"type\":\"ping\",\"id\":1",
    /* Found by fuzz/fuzz-protocol-client: json-glib 1.6 accepted several
     * top-level values and leaked all but one (the sanitizer build of this
     * test reports the leak if the decoder lets them through). */
    "\"t \"[]\":",
    "{\"type\":\"ping\",\"id\":1} {\"type\":\"pong\",\"id\":2}",
    "{\"type\":\"ping\",\"id\":1}[]",
    "{\"type\":\"ping\",\"id\":1}}",
    "{\"type\":\"ping\",\"id\":1,\"x\":\"}\"",
    /* A "type" of the wrong kind was a GLib critical in json-glib's getter
     * (the test runs with criticals fatal). */
    "{\"type\":{}}",
    "{\"type\":[\"hello\"]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) decoded = attendant_protocol_decode (cases[i], strlen (cases[i]), &error);

      g_test_message ("case %u: %s", i, cases[i]);
      g_assert_null (decoded);
      g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL);
    }
}

static void
test_limits (void)
{
  gsize big = ATTENDANT_PROTOCOL_MAX_MESSAGE + 1;
  g_autofree char *text = g_malloc (big);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) decoded = NULL;
  static const char invalid_utf8[] = "{\"type\":\"ping\",\"id\":1,\"x\":\"\xff\xfe\"}";

  memset (text, ' ', big);
  decoded = attendant_protocol_decode (text, big, &error);
  g_assert_null (decoded);
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "1 MiB"));
  g_clear_error (&error);

  decoded = attendant_protocol_decode (invalid_utf8, sizeof invalid_utf8 - 1, &error);
  g_assert_null (decoded);
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL);
}

/* {"type":"ping","id":1,"x":[[…]]} with @depth levels in all. */
static char *
nested_ping (guint depth)
{
  GString *text = g_string_new ("{\"type\":\"ping\",\"id\":1,\"x\":");

  for (guint i = 1; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 1; i < depth; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');

  return g_string_free (text, FALSE);
}

static void
test_depth (void)
{
  g_autofree char *at_limit = nested_ping (ATTENDANT_PROTOCOL_MAX_DEPTH);
  g_autofree char *over_limit = nested_ping (ATTENDANT_PROTOCOL_MAX_DEPTH + 1);
  g_autofree char *deep = nested_ping (100000);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) decoded = NULL;
  /* Brackets inside strings, behind escaped quotes and backslashes, do
   * not nest: 70 of each would be over the bound if they counted. */
  g_autofree char *brackets = g_strnfill (70, '[');
  g_autofree char *in_strings =
    g_strdup_printf ("{\"type\":\"ping\",\"id\":1,\"x\":\"%s\\\"%s\\\\\",\"y\":[[\"]]\\\"%s\"]]}",
                     brackets, brackets, brackets);

  decoded = attendant_protocol_decode (at_limit, strlen (at_limit), &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  g_clear_pointer (&decoded, json_object_unref);

  decoded = attendant_protocol_decode (over_limit, strlen (over_limit), &error);
  g_assert_null (decoded);
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "64 deep"));
  g_clear_error (&error);

  /* What overflowed json-glib's stack: refused before it is parsed. */
  decoded = attendant_protocol_decode (deep, strlen (deep), &error);
  g_assert_null (decoded);
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL);
  g_clear_error (&error);

  decoded = attendant_protocol_decode (in_strings, strlen (in_strings), &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  g_assert_cmpuint (strlen (attendant_protocol_get_string (decoded, "x")), ==, 70 + 1 + 70 + 1);

  /* The scanner on its own: any JSON text, any bound. */
  g_assert_true (attendant_json_check_depth ("[[1]]", 5, 2, NULL));
  g_assert_false (attendant_json_check_depth ("[[[1]]]", 7, 2, &error));
  g_assert_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_true (attendant_json_check_depth ("[\"\\\\\",[1]]", 10, 2, NULL));
  g_assert_true (attendant_json_check_depth ("]]]][[", 6, 2, NULL));
  g_assert_true (attendant_json_check_depth ("", 0, 0, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/roundtrip", test_roundtrip);
  g_test_add_func ("/protocol/unknown-type-passes", test_unknown_type_passes);
  g_test_add_func ("/protocol/malformed", test_malformed);
  g_test_add_func ("/protocol/single-object", test_single_object);
  g_test_add_func ("/protocol/getters", test_getters);
  g_test_add_func ("/protocol/limits", test_limits);
  g_test_add_func ("/protocol/depth", test_depth);

  return g_test_run ();
}
