/* attendant-contact-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-contact-row"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-call.h"
#include "attendant-call-row.h"
#include "attendant-contact-row.h"
#include "attendant-enum-types.h"
#include "attendant-console.h"
#include "attendant-shortcuts.h"

/* A colleague in the directory: presence (an icon and a colour of its own
 * per state, and the word beside the name, so that no one needs to tell
 * colours apart), name, department, number; with a call in hand, Transfer
 * and Consult, else Call. The row follows the AttendantSlot its list item
 * holds (attendant-slot-model.c): the slot says which contact the row's
 * position shows now.
 *
 * The row asks for nothing itself: its buttons and a call dropped on it
 * emit "act", and the console view decides (and warns first when the
 * colleague looks unavailable). */
struct _AttendantContactRow
{
  GtkWidget              parent_instance;

  AttendantSlot         *slot;
  AttendantContact      *contact;
  AttendantContactOffer  offer;
  /* the attendant's own extension: the server refuses every command to it */
  char                  *own_number;
  int                    shown_presence;

  GtkBox                *box;
  GtkImage              *presence;
  GtkLabel              *text;
  GtkLabel              *number;
  GtkWidget             *transfer;
  GtkWidget             *consult;
  GtkWidget             *call;
};

G_DEFINE_FINAL_TYPE (AttendantContactRow, attendant_contact_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SLOT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ACT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* {{{ Presence */

/**
 * attendant_presence_get_label:
 *
 * Returns: the presence in words, as the directory shows it
 */
const char *
attendant_presence_get_label (AttendantPresence presence)
{
  switch (presence)
    {
    case ATTENDANT_PRESENCE_AVAILABLE: return _("Available");
    case ATTENDANT_PRESENCE_BUSY:      return _("On a call");
    case ATTENDANT_PRESENCE_RINGING:   return _("Ringing");
    case ATTENDANT_PRESENCE_AWAY:      return _("Away");
    case ATTENDANT_PRESENCE_DND:       return _("Do not disturb");
    case ATTENDANT_PRESENCE_OFFLINE:
    default:                           return _("Offline");
    }
}

/**
 * attendant_presence_get_icon_name:
 *
 * Returns: an icon of its own for each presence: a shape, not only a
 *   colour, tells them apart
 */
const char *
attendant_presence_get_icon_name (AttendantPresence presence)
{
  switch (presence)
    {
    case ATTENDANT_PRESENCE_AVAILABLE: return "user-available-symbolic";
    case ATTENDANT_PRESENCE_BUSY:      return "call-start-symbolic";
    case ATTENDANT_PRESENCE_RINGING:   return "call-incoming-symbolic";
    case ATTENDANT_PRESENCE_AWAY:      return "user-away-symbolic";
    case ATTENDANT_PRESENCE_DND:       return "action-unavailable-symbolic";
    case ATTENDANT_PRESENCE_OFFLINE:
    default:                           return "user-offline-symbolic";
    }
}

/**
 * attendant_presence_get_css_class:
 *
 * Returns: the style class that gives the presence its colour (style.css)
 */
const char *
attendant_presence_get_css_class (AttendantPresence presence)
{
  switch (presence)
    {
    case ATTENDANT_PRESENCE_AVAILABLE: return "presence-available";
    case ATTENDANT_PRESENCE_BUSY:      return "presence-busy";
    case ATTENDANT_PRESENCE_RINGING:   return "presence-ringing";
    case ATTENDANT_PRESENCE_AWAY:      return "presence-away";
    case ATTENDANT_PRESENCE_DND:       return "presence-dnd";
    case ATTENDANT_PRESENCE_OFFLINE:
    default:                           return "presence-offline";
    }
}

/* The tooltip is asked for, not set: GTK 4.8's gtk_widget_set_tooltip_text()
 * asks the display server where the pointer is, a round trip on every bind
 * and presence change (bench/console-load: most of a keystroke's stall
 * with 10,000 contacts). */
static gboolean
on_presence_query_tooltip (GtkWidget           *image,
                           int                  x,
                           int                  y,
                           gboolean             keyboard,
                           GtkTooltip          *tooltip,
                           AttendantContactRow *self)
{
  if (self->contact == NULL)
    return FALSE;

  gtk_tooltip_set_text (tooltip, attendant_presence_get_label (attendant_contact_get_presence (self->contact)));
  return TRUE;
}

/* }}} */
/* {{{ Buttons */

static void
on_transfer_clicked (AttendantContactRow *self)
{
  g_signal_emit (self, signals[ACT], 0, ATTENDANT_COMMAND_TRANSFER, NULL);
}

static void
on_consult_clicked (AttendantContactRow *self)
{
  g_signal_emit (self, signals[ACT], 0, ATTENDANT_COMMAND_CONSULT, NULL);
}

static void
on_call_clicked (AttendantContactRow *self)
{
  g_signal_emit (self, signals[ACT], 0, ATTENDANT_COMMAND_DIAL, NULL);
}

/* The row's buttons are made the first time the row needs them, and act
 * through plain "clicked" handlers: rows are rebuilt as the search
 * changes, and every widget and action lookup made per row is paid per
 * keystroke (bench/console-load). */
static GtkWidget *
ensure_button (AttendantContactRow  *self,
               GtkWidget           **button,
               const char           *icon,
               const char           *label,
               const char           *tooltip,
               const char           *style,
               GCallback             clicked)
{
  if (*button == NULL)
    {
      *button = attendant_row_button_new (icon, label, tooltip, style);
      /* The keyboard acts on the row, not on a button in it: Enter
       * transfers, as the hint says, Shift+Enter consults. A focusable
       * button would take the focus arriving in the row (Down from the
       * search), and Enter would press whichever came first. */
      gtk_widget_set_focusable (*button, FALSE);
      g_signal_connect_swapped (*button, "clicked", clicked, self);
      gtk_box_append (self->box, *button);
    }

  return *button;
}

static void
update_buttons (AttendantContactRow *self)
{
  g_autofree char *tooltip = NULL;
  const char *number = self->contact != NULL ? attendant_contact_get_number (self->contact) : NULL;
  gboolean callable = number != NULL && g_strcmp0 (number, self->own_number) != 0;
  gboolean transfer = callable && self->offer == ATTENDANT_CONTACT_OFFER_TRANSFER;
  gboolean call = callable && self->offer == ATTENDANT_CONTACT_OFFER_CALL;

  if (transfer)
    {
      /* The keys come from the one table of keys (attendant-shortcuts.c). */
      if (self->consult == NULL)
        tooltip = attendant_shortcuts_dup_tooltip_keys (_("Talk to this colleague first, the caller on hold"),
                                                        "directory.consult", "console.consult", NULL);
      ensure_button (self, &self->consult, "system-users-symbolic",
                     attendant_command_get_label (ATTENDANT_COMMAND_CONSULT),
                     tooltip, NULL, G_CALLBACK (on_consult_clicked));
      g_clear_pointer (&tooltip, g_free);
      if (self->transfer == NULL)
        tooltip = attendant_shortcuts_dup_tooltip_keys (_("Transfer the call to this colleague"),
                                                        "directory.act", "console.transfer", NULL);
      ensure_button (self, &self->transfer, "call-outgoing-symbolic",
                     attendant_command_get_label (ATTENDANT_COMMAND_TRANSFER),
                     tooltip, "suggested-action", G_CALLBACK (on_transfer_clicked));
    }
  else if (call)
    {
      if (self->call == NULL)
        tooltip = attendant_shortcuts_dup_tooltip ("directory.act", _("Call this colleague"));
      ensure_button (self, &self->call, "call-start-symbolic",
                     attendant_command_get_label (ATTENDANT_COMMAND_DIAL),
                     tooltip, NULL, G_CALLBACK (on_call_clicked));
    }

  if (self->transfer != NULL)
    gtk_widget_set_visible (self->transfer, transfer);
  if (self->consult != NULL)
    gtk_widget_set_visible (self->consult, transfer);
  if (self->call != NULL)
    gtk_widget_set_visible (self->call, call);
}

/**
 * attendant_contact_row_set_offer:
 *
 * What the row's buttons offer: the console view says, as the call in
 * hand and the connection change.
 */
void
attendant_contact_row_set_offer (AttendantContactRow   *self,
                                 AttendantContactOffer  offer)
{
  g_return_if_fail (ATTENDANT_IS_CONTACT_ROW (self));

  if (self->offer == offer)
    return;

  self->offer = offer;
  update_buttons (self);
}

/**
 * attendant_contact_row_set_own_number:
 * @number: (nullable): the attendant's own extension
 *
 * The row of the attendant's own extension offers nothing: calling,
 * transferring to or consulting oneself is refused by the server.
 */
void
attendant_contact_row_set_own_number (AttendantContactRow *self,
                                      const char          *number)
{
  g_return_if_fail (ATTENDANT_IS_CONTACT_ROW (self));

  if (g_strcmp0 (self->own_number, number) == 0)
    return;

  g_free (self->own_number);
  self->own_number = g_strdup (number);
  update_buttons (self);
}

/* }}} */
/* {{{ The contact */

static void
update (AttendantContactRow *self)
{
  AttendantContact *contact = self->contact;
  AttendantPresence presence;
  const char *department;
  g_autofree char *detail = NULL;
  g_autofree char *markup = NULL;

  if (contact == NULL)
    return;

  presence = attendant_contact_get_presence (contact);
  department = attendant_contact_get_department (contact);
  gtk_label_set_label (self->number, attendant_contact_get_number (contact));
  detail = department != NULL && department[0] != '\0'
           ? g_strdup_printf ("%s · %s", attendant_presence_get_label (presence), department)
           : g_strdup (attendant_presence_get_label (presence));
  /* Name and detail in one label, the detail small and dim as a caption:
   * two labels in a box made a row half again as costly to build, style
   * and lay out, which a search does for up to 200 rows (GTK 4.8's list
   * views keep that many) in one keystroke (bench/console-load). */
  markup = g_markup_printf_escaped ("%s\n<small><span fgalpha=\"55%%\">%s</span></small>",
                                    attendant_contact_get_name (contact), detail);
  gtk_label_set_markup (self->text, markup);

  /* The icon and its colour change only with the presence; the classes
   * are set in one go, since each change alone would restyle the icon. */
  if (self->shown_presence != (int)presence)
    {
      const char *classes[] = { "presence-icon", attendant_presence_get_css_class (presence), NULL };

      self->shown_presence = presence;
      gtk_image_set_from_icon_name (self->presence, attendant_presence_get_icon_name (presence));
      gtk_widget_set_css_classes (GTK_WIDGET (self->presence), classes);
    }

  update_buttons (self);
}

/* The row's position shows another contact: its slot says which. */
static void
follow_slot (AttendantContactRow *self)
{
  AttendantContact *contact = self->slot != NULL ? attendant_slot_get_item (self->slot) : NULL;

  if (self->contact == contact)
    return;

  if (self->contact != NULL)
    g_signal_handlers_disconnect_by_data (self->contact, self);
  g_set_object (&self->contact, contact);
  /* An empty slot is a position on its way out (the slot model removes
   * them in steps): nothing to show meanwhile, and nothing to hover,
   * focus or scroll to, so the list item goes too (a row of the list's
   * own, with a minimum height in the style). */
  gtk_widget_set_visible (GTK_WIDGET (self), contact != NULL);
  if (gtk_widget_get_parent (GTK_WIDGET (self)) != NULL)
    gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self)), contact != NULL);
  if (contact != NULL)
    {
      g_signal_connect_swapped (contact, "notify", G_CALLBACK (update), self);
      update (self);
    }
}

/**
 * attendant_contact_row_set_slot:
 * @slot: (nullable): the list position the row shows
 */
void
attendant_contact_row_set_slot (AttendantContactRow *self,
                                AttendantSlot       *slot)
{
  g_return_if_fail (ATTENDANT_IS_CONTACT_ROW (self));

  if (self->slot == slot)
    return;

  if (self->slot != NULL)
    g_signal_handlers_disconnect_by_data (self->slot, self);
  g_set_object (&self->slot, slot);
  if (slot != NULL)
    g_signal_connect_swapped (slot, "notify::item", G_CALLBACK (follow_slot), self);
  follow_slot (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SLOT]);
}

AttendantSlot *
attendant_contact_row_get_slot (AttendantContactRow *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONTACT_ROW (self), NULL);

  return self->slot;
}

/**
 * attendant_contact_row_get_contact:
 *
 * Returns: (transfer none) (nullable): the colleague shown
 */
AttendantContact *
attendant_contact_row_get_contact (AttendantContactRow *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONTACT_ROW (self), NULL);

  return self->contact;
}

static gboolean
on_call_dropped (GtkDropTarget       *target,
                 const GValue        *value,
                 double               x,
                 double               y,
                 AttendantContactRow *self)
{
  AttendantCall *call = g_value_get_object (value);

  if (call == NULL || self->contact == NULL || attendant_contact_get_number (self->contact) == NULL)
    return FALSE;

  g_signal_emit (self, signals[ACT], 0, ATTENDANT_COMMAND_TRANSFER, call);
  return TRUE;
}

/* }}} */
/* {{{ GObject */

static void
attendant_contact_row_dispose (GObject *object)
{
  AttendantContactRow *self = (AttendantContactRow *)object;

  if (self->slot != NULL)
    g_signal_handlers_disconnect_by_data (self->slot, self);
  if (self->contact != NULL)
    g_signal_handlers_disconnect_by_data (self->contact, self);
  g_clear_object (&self->slot);
  g_clear_object (&self->contact);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTENDANT_TYPE_CONTACT_ROW);

  G_OBJECT_CLASS (attendant_contact_row_parent_class)->dispose (object);
}

static void
attendant_contact_row_finalize (GObject *object)
{
  AttendantContactRow *self = (AttendantContactRow *)object;

  g_free (self->own_number);

  G_OBJECT_CLASS (attendant_contact_row_parent_class)->finalize (object);
}

static void
attendant_contact_row_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  AttendantContactRow *self = ATTENDANT_CONTACT_ROW (object);

  switch (prop_id)
    {
    case PROP_SLOT:
      g_value_set_object (value, self->slot);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_contact_row_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  AttendantContactRow *self = ATTENDANT_CONTACT_ROW (object);

  switch (prop_id)
    {
    case PROP_SLOT:
      attendant_contact_row_set_slot (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_contact_row_class_init (AttendantContactRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attendant_contact_row_dispose;
  object_class->finalize = attendant_contact_row_finalize;
  object_class->get_property = attendant_contact_row_get_property;
  object_class->set_property = attendant_contact_row_set_property;

  properties[PROP_SLOT] =
    g_param_spec_object ("slot", NULL, NULL, ATTENDANT_TYPE_SLOT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AttendantContactRow::act:
   * @command: %ATTENDANT_COMMAND_TRANSFER, %ATTENDANT_COMMAND_CONSULT or
   *   %ATTENDANT_COMMAND_DIAL
   * @call: (nullable): a call dropped on the row, else %NULL for the
   *   call in hand
   *
   * The operator asked to do @command with this colleague.
   */
  signals[ACT] =
    g_signal_new ("act", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, ATTENDANT_TYPE_COMMAND, ATTENDANT_TYPE_CALL);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/attendant/Attendant/attendant-contact-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantContactRow, box);
  gtk_widget_class_bind_template_child (widget_class, AttendantContactRow, presence);
  gtk_widget_class_bind_template_child (widget_class, AttendantContactRow, text);
  gtk_widget_class_bind_template_child (widget_class, AttendantContactRow, number);
  gtk_widget_class_bind_template_callback (widget_class, on_presence_query_tooltip);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "attendantcontactrow");
}

static void
attendant_contact_row_init (AttendantContactRow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_name (GTK_WIDGET (self), "contact-row");
  self->shown_presence = -1;

  drop = gtk_drop_target_new (ATTENDANT_TYPE_CALL, GDK_ACTION_MOVE);
  g_signal_connect (drop, "drop", G_CALLBACK (on_call_dropped), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

GtkWidget *
attendant_contact_row_new (void)
{
  return g_object_new (ATTENDANT_TYPE_CONTACT_ROW, NULL);
}

/* }}} */
