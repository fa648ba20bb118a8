/* test-contact-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * AttendantContactRow: a colleague's presence by an icon and a colour of
 * its own per state (and the word), the buttons it offers, and what a
 * click or a dropped call asks for. */

#include "config.h"

#include "attendant-call.h"
#include "attendant-contact-row.h"
#include "attendant-enum-types.h"
#include "attendant-slot-model.h"
#include "attendant-test-gui.h"

typedef struct
{
  GListStore         *store;
  AttendantSlotModel *slots;
  AttendantContact   *contact;
  GtkWidget          *window;
  GtkWidget          *row;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(AttendantSlot) slot = NULL;

  g_assert_true (json_parser_load_from_data (parser,
                                             "{\"id\": \"ext-205\", \"name\": \"Francesca Ricci\", "
                                             "\"number\": \"205\", \"department\": \"Support\", "
                                             "\"presence\": \"available\"}", -1, NULL));
  f->contact = attendant_contact_new ("ext-205");
  g_assert_true (attendant_contact_apply_json (f->contact, json_node_get_object (json_parser_get_root (parser))));
  f->store = g_list_store_new (ATTENDANT_TYPE_CONTACT);
  g_list_store_append (f->store, f->contact);
  f->slots = attendant_slot_model_new (G_LIST_MODEL (f->store));
  slot = g_list_model_get_item (G_LIST_MODEL (f->slots), 0);

  f->row = attendant_contact_row_new ();
  attendant_contact_row_set_slot (ATTENDANT_CONTACT_ROW (f->row), slot);
  f->window = g_object_ref (gtk_window_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), f->row);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 480, 60);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  attendant_test_gui_window_free (f->window);
  g_clear_object (&f->slots);
  g_clear_object (&f->store);
  g_clear_object (&f->contact);
}

/* Six states, six icons and six colours, and the word in the row. */
static void
test_presence (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GHashTable) icons = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) classes = g_hash_table_new (g_str_hash, g_str_equal);
  GtkWidget *image = attendant_test_gui_find_widget (f->row, GTK_TYPE_IMAGE, "presence-icon");
  g_autoptr(GEnumClass) presences = g_type_class_ref (ATTENDANT_TYPE_PRESENCE);

  g_assert_nonnull (image);
  g_assert_true (attendant_contact_row_get_contact (ATTENDANT_CONTACT_ROW (f->row)) == f->contact);

  for (guint i = 0; i < presences->n_values; i++)
    {
      AttendantPresence presence = presences->values[i].value;
      const char *icon = attendant_presence_get_icon_name (presence);
      const char *css = attendant_presence_get_css_class (presence);
      g_autofree char *shot = g_strdup_printf ("contact-row-%s.png", presences->values[i].value_nick);

      attendant_contact_set_presence (f->contact, presence);
      g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (image)), ==, icon);
      g_assert_true (gtk_widget_has_css_class (image, css));
      g_assert_true (gtk_widget_has_css_class (image, "presence-icon"));
      /* Only this presence's class: the colour is one. */
      for (guint j = 0; j < presences->n_values; j++)
        if (j != i)
          g_assert_false (gtk_widget_has_css_class (image, attendant_presence_get_css_class (presences->values[j].value)));
      {
        g_autofree char *line = g_strdup_printf ("%s · Support", attendant_presence_get_label (presence));

        g_assert_nonnull (attendant_test_gui_find_label (f->row, line));
      }
      g_assert_true (g_hash_table_add (icons, (gpointer)icon));
      g_assert_true (g_hash_table_add (classes, (gpointer)css));
      attendant_test_gui_screenshot (f->window, shot);
    }

  g_assert_cmpuint (g_hash_table_size (icons), ==, 6);
  g_assert_cmpuint (g_hash_table_size (classes), ==, 6);
}

/* A button by the label of its content (icon and label). */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && ADW_IS_BUTTON_CONTENT (gtk_button_get_child (GTK_BUTTON (widget))) &&
      g_strcmp0 (adw_button_content_get_label (ADW_BUTTON_CONTENT (gtk_button_get_child (GTK_BUTTON (widget)))), label) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
on_act (AttendantContactRow *row,
        AttendantCommand     command,
        AttendantCall       *call,
        gpointer             user_data)
{
  int *last = user_data;

  last[0] = command;
  last[1] = call != NULL;
}

/* Call without a call in hand, Transfer and Consult with one; a click and
 * a drop say what they ask for, and the row does nothing else itself. */
static void
test_offer (Fixture       *f,
            gconstpointer  data)
{
  int last[2] = { -1, -1 };
  g_autoptr(AttendantCall) call = attendant_call_new ("call-1");
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (f->row);
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  GtkWidget *button;

  g_signal_connect (f->row, "act", G_CALLBACK (on_act), last);
  g_assert_null (find_button (f->row, "Call"));

  attendant_contact_row_set_offer (ATTENDANT_CONTACT_ROW (f->row), ATTENDANT_CONTACT_OFFER_CALL);
  button = find_button (f->row, "Call");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpint (last[0], ==, ATTENDANT_COMMAND_DIAL);

  attendant_contact_row_set_offer (ATTENDANT_CONTACT_ROW (f->row), ATTENDANT_CONTACT_OFFER_TRANSFER);
  g_assert_false (gtk_widget_get_visible (button));
  g_signal_emit_by_name (find_button (f->row, "Consult"), "clicked");
  g_assert_cmpint (last[0], ==, ATTENDANT_COMMAND_CONSULT);
  g_signal_emit_by_name (find_button (f->row, "Transfer"), "clicked");
  g_assert_cmpint (last[0], ==, ATTENDANT_COMMAND_TRANSFER);
  g_assert_cmpint (last[1], ==, FALSE);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        {
          g_value_init (&value, ATTENDANT_TYPE_CALL);
          g_value_set_object (&value, call);
          g_signal_emit_by_name (controller, "drop", &value, 5.0, 5.0, &accepted);
        }
    }
  g_assert_true (accepted);
  g_assert_cmpint (last[0], ==, ATTENDANT_COMMAND_TRANSFER);
  g_assert_cmpint (last[1], ==, TRUE);
}

/* The attendant's own extension offers nothing: the server refuses every
 * command to it; another one's row offers its buttons again. */
static void
test_own_number (Fixture       *f,
                 gconstpointer  data)
{
  AttendantContactRow *row = ATTENDANT_CONTACT_ROW (f->row);

  attendant_contact_row_set_offer (row, ATTENDANT_CONTACT_OFFER_TRANSFER);
  g_assert_true (gtk_widget_get_visible (find_button (f->row, "Transfer")));

  attendant_contact_row_set_own_number (row, "205");
  g_assert_false (gtk_widget_get_visible (find_button (f->row, "Transfer")));
  g_assert_false (gtk_widget_get_visible (find_button (f->row, "Consult")));
  attendant_contact_row_set_offer (row, ATTENDANT_CONTACT_OFFER_CALL);
  g_assert_true (find_button (f->row, "Call") == NULL ||
                 !gtk_widget_get_visible (find_button (f->row, "Call")));

  attendant_contact_row_set_own_number (row, "200");
  g_assert_true (gtk_widget_get_visible (find_button (f->row, "Call")));
}

int
main (int   argc,
      char *argv[])
{
  attendant_test_gui_init (&argc, &argv);

  g_test_add ("/contact-row/presence", Fixture, NULL, fixture_set_up, test_presence, fixture_tear_down);
  g_test_add ("/contact-row/offer", Fixture, NULL, fixture_set_up, test_offer, fixture_tear_down);
  g_test_add ("/contact-row/own-number", Fixture, NULL, fixture_set_up, test_own_number, fixture_tear_down);

  return g_test_run ();
}
