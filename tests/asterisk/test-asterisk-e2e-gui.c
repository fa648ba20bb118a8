/* test-asterisk-e2e-gui.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "attendant-ari.h"
#include "attendant-asterisk.h"
#include "attendant-console-view.h"
#include "attendant-test-asterisk.h"
#include "attendant-test-fixture.h"
#include "attendant-test-gui.h"
#include "attendant-test-phone.h"
#include "attendant-test-wait.h"
#include "attendant-window.h"

/* The real window answering a real SIP call: the shared Asterisk and two
 * baresip phones on loopback (phone 300 calls the queue; 200 is the
 * receptionist's own phone, which answers by itself), the reference
 * server in this process with an [asterisk] group, the window logged in
 * to it under Xvfb. The call is answered with the Answer button of its
 * row in the Waiting list, as a receptionist clicks it; what counts is
 * that Asterisk then bridges the caller with phone 200. With
 * ATTENDANT_SCREENSHOT_DIR set, the queue and the answered call are saved
 * as asterisk-queue.png and asterisk-answered.png. */

typedef struct
{
  AttendantTestAsterisk  *lab;
  AttendantTestPhone     *reception;
  AttendantTestPhone     *caller;
  AttendantTestGuiServer *server;
  AttendantAri           *ari;       /* the test's own look at Asterisk */
  AttendantWindow        *window;
  AttendantConsole       *console;
} Fixture;

/* {{{ Asterisk's own state */

typedef struct
{
  JsonNode *node;
  GError   *error;
  gboolean  done;
} Result;

static void
request_cb (GObject      *object,
            GAsyncResult *async_result,
            gpointer      user_data)
{
  Result *result = user_data;

  result->node = attendant_ari_request_finish (ATTENDANT_ARI (object), async_result, &result->error);
  result->done = TRUE;
}

static gboolean
result_done (gpointer data)
{
  return ((Result *)data)->done;
}

/* GET @path from ARI, with the main loop turning (the server in this
 * process keeps working meanwhile). */
static JsonNode *
ari_get (Fixture    *f,
         const char *path)
{
  Result result = { NULL, NULL, FALSE };

  attendant_ari_request_async (f->ari, "GET", path, NULL, NULL, request_cb, &result);
  attendant_test_wait_until (result_done, &result, 10000, path);
  g_assert_no_error (result.error);
  g_assert_nonnull (result.node);
  return result.node;
}

/* Whether a bridge in Asterisk holds a channel of phone 300 and one of
 * phone 200: the caller connected to the receptionist. */
static gboolean
caller_bridged_with_reception (gpointer data)
{
  Fixture *f = data;
  g_autoptr(JsonNode) channels = ari_get (f, "/channels");
  g_autoptr(JsonNode) bridges = ari_get (f, "/bridges");
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *list = json_node_get_array (channels);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *channel = json_array_get_object_element (list, i);

      g_hash_table_insert (names, (gpointer)json_object_get_string_member (channel, "id"),
                           (gpointer)json_object_get_string_member (channel, "name"));
    }

  list = json_node_get_array (bridges);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonArray *members = json_object_get_array_member (json_array_get_object_element (list, i), "channels");
      gboolean caller = FALSE, reception = FALSE;

      for (guint j = 0; members != NULL && j < json_array_get_length (members); j++)
        {
          const char *name = g_hash_table_lookup (names, json_array_get_string_element (members, j));

          caller |= name != NULL && g_str_has_prefix (name, "PJSIP/300-");
          reception |= name != NULL && g_str_has_prefix (name, "PJSIP/200-");
        }
      if (caller && reception)
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  Fixture    *f;
  const char *extension;
} Registered;

static gboolean
endpoint_online (gpointer data)
{
  Registered *r = data;
  g_autofree char *path = g_strdup_printf ("/endpoints/PJSIP/%s", r->extension);
  g_autoptr(JsonNode) node = ari_get (r->f, path);

  return g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node), "state", ""),
                    "online") == 0;
}

static void
wait_registered (Fixture    *f,
                 const char *extension)
{
  Registered r = { f, extension };
  g_autofree char *what = g_strdup_printf ("phone %s registered", extension);

  attendant_test_wait_until (endpoint_online, &r, 15000, what);
}

/* }}} */
/* {{{ Fixture */

static gboolean
phone_system_ready (gpointer data)
{
  Fixture *f = data;
  AttendantTelephony *telephony = attendant_server_get_telephony (f->server->server);

  return attendant_console_get_phone_system_reason (f->console) == NULL &&
         attendant_ari_get_connected (attendant_asterisk_get_ari (ATTENDANT_ASTERISK (telephony)));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(AttendantClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *more = NULL;
  GtkWidget *row;

  f->lab = attendant_test_asterisk_new ();
  attendant_test_asterisk_start (f->lab);
  url = attendant_test_asterisk_get_url (f->lab);
  f->ari = attendant_ari_new (url, "attendant", "ari-secret", "attendant-test-gui", &error);
  g_assert_no_error (error);

  f->reception = attendant_test_phone_start (f->lab, TEST_EXTENSION, "p" TEST_EXTENSION, 700);
  f->caller = attendant_test_phone_start (f->lab, "300", "p300", 1000);
  wait_registered (f, TEST_EXTENSION);
  wait_registered (f, "300");

  /* The ARI password, in a file only its owner reads, as the server wants. */
  password_file = g_build_filename (attendant_test_asterisk_get_dir (f->lab), "ari.password", NULL);
  g_file_set_contents_full (password_file, "ari-secret\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  more = g_strdup_printf ("[queue main]\n"
                          "name=Reception\n"
                          "\n"
                          "[asterisk]\n"
                          "url=%s\n"
                          "user=attendant\n"
                          "password-file=%s\n"
                          "application=attendant\n"
                          "endpoint=PJSIP/{extension}\n"
                          "\n"
                          "[directory]\n"
                          "201=Bruno Bianchi;Sales\n"
                          "202=Carla Conti;Accounts\n"
                          "203=Dario De Luca;Legal\n",
                          url, password_file);

  attendant_test_gui_reset_settings ();
  f->server = attendant_test_gui_server_new_full (ATTENDANT_TEST_TWO_NODES, more);
  attendant_test_gui_use_server (TEST_DOMAIN);
  attendant_test_gui_server_publish_srv (f->server, "plain");

  client = attendant_test_gui_client_new (f->server);
  f->window = g_object_ref (attendant_window_new (NULL, client));
  f->console = attendant_window_get_console (f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 700);
  gtk_window_present (GTK_WINDOW (f->window));

  row = attendant_test_gui_find_widget (GTK_WIDGET (f->window), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  gtk_editable_set_text (GTK_EDITABLE (row), TEST_PASSWORD);
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "log-in", NULL);
  attendant_test_wait_until ((AttendantTestPredicate)attendant_console_get_online, f->console, 15000,
                             "the console online with the server's snapshot");
  /* The snapshot can come before the server holds the queue's Stasis
   * application; a caller who came then would find nobody to take them. */
  attendant_test_wait_until (phone_system_ready, f, 15000,
                             "the phone system reachable and the queue's application held");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  attendant_test_gui_window_free (GTK_WIDGET (f->window));
  g_clear_pointer (&f->server, attendant_test_gui_server_free);
  g_clear_object (&f->ari);
  g_clear_pointer (&f->caller, attendant_test_phone_free);
  g_clear_pointer (&f->reception, attendant_test_phone_free);
  g_clear_pointer (&f->lab, attendant_test_asterisk_free);
}

/* }}} */
/* {{{ The test */

typedef struct
{
  GListModel *model;
  guint       n;
} Count;

static gboolean
has_n_items (gpointer data)
{
  Count *count = data;

  return g_list_model_get_n_items (count->model) == count->n;
}

static void
wait_n (GListModel *model,
        guint       n,
        const char *what)
{
  Count count = { model, n };

  attendant_test_wait_until (has_n_items, &count, 15000, what);
}

/* The mapped button whose label reads @label (the console's buttons hold
 * an icon and a label). */
static GtkWidget *
find_mapped_button (GtkWidget  *widget,
                    const char *label)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), label) == 0)
    {
      GtkWidget *button = gtk_widget_get_ancestor (widget, GTK_TYPE_BUTTON);

      if (button != NULL && gtk_widget_get_mapped (button))
        return button;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_mapped_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
answer_button_shown (gpointer data)
{
  GtkWidget *queue = attendant_test_gui_find_widget (data, GTK_TYPE_LIST_VIEW, "queue-view");
  GtkWidget *button = find_mapped_button (queue != NULL ? queue : data, "Answer");

  return button != NULL && gtk_widget_is_sensitive (button);
}

static gboolean
call_active (gpointer data)
{
  AttendantCall *call = data;

  return attendant_call_get_state (call) == ATTENDANT_CALL_STATE_ACTIVE && !attendant_call_get_pending (call);
}

static void
test_answer_real_call (Fixture       *f,
                       gconstpointer  data)
{
  GListModel *queue = attendant_console_get_queue (f->console);
  GListModel *calls = attendant_console_get_calls (f->console);
  g_autoptr(AttendantCall) call = NULL;
  GtkWidget *queue_view;
  GtkWidget *button;

  /* Phone 300 calls the queue: the dialplan hands it to the server's
   * Stasis application, and the window lists it. */
  attendant_test_phone_dial (f->caller, "100");
  wait_n (queue, 1, "phone 300's call in the Waiting list");
  call = g_list_model_get_item (queue, 0);
  g_assert_cmpstr (attendant_call_get_caller_number (call), ==, "+390612345678");
  g_assert_false (caller_bridged_with_reception (f));

  queue_view = attendant_test_gui_find_widget (GTK_WIDGET (f->window), GTK_TYPE_LIST_VIEW, "queue-view");
  attendant_test_wait_until (answer_button_shown, queue_view != NULL ? queue_view : GTK_WIDGET (f->window),
                             10000, "the call's Answer button on screen");
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "asterisk-queue.png");

  /* The receptionist clicks Answer on the call's row. */
  button = find_mapped_button (queue_view != NULL ? queue_view : GTK_WIDGET (f->window), "Answer");
  g_signal_emit_by_name (button, "clicked");

  attendant_test_wait_until (call_active, call, 15000, "the call active in the window");
  wait_n (calls, 1, "the answered call in My Calls");
  wait_n (queue, 0, "the Waiting list empty");
  /* The server replies only once Asterisk confirmed; still, what is
   * checked is Asterisk's own word. */
  attendant_test_wait_until (caller_bridged_with_reception, f, 10000,
                             "Asterisk bridging phone 300 with phone 200");
  attendant_test_gui_screenshot (GTK_WIDGET (f->window), "asterisk-answered.png");
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  g_autofree char *why = NULL;
  g_autofree char *found = NULL;

  attendant_test_gui_init (&argc, &argv);

  found = attendant_test_asterisk_find (&why);
  if (found == NULL)
    {
      g_test_add_data_func ("/asterisk-gui/lab", why, attendant_test_asterisk_missing);
      return g_test_run ();
    }
  g_test_message ("using %s", found);

  g_test_add ("/asterisk-gui/answer-real-call", Fixture, NULL,
              fixture_set_up, test_answer_real_call, fixture_tear_down);

  return g_test_run ();
}
