/* attendant-phone-system-banner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-phone-system-banner"

#include "config.h"

#include "attendant-phone-system-banner.h"

/* Shown at the top of the console while the server is connected but
 * cannot reach the telephone system behind it (an Asterisk down or
 * restarting): calls cannot be answered or transferred then, and the
 * operator must not think the fault is theirs or the network's. Distinct
 * from the reconnect banner, which is about the server itself; while the
 * server is lost, that one is shown and this one is not (the console
 * says nothing about the telephone system without a server). */

struct _AttendantPhoneSystemBanner
{
  AdwBin            parent_instance;

  AttendantConsole *console;

  GtkRevealer      *revealer;
  GtkLabel         *reason_label;
};

G_DEFINE_FINAL_TYPE (AttendantPhoneSystemBanner, attendant_phone_system_banner, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONSOLE,
  PROP_REVEALED,
  PROP_REASON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
attendant_phone_system_banner_new (void)
{
  return g_object_new (ATTENDANT_TYPE_PHONE_SYSTEM_BANNER, NULL);
}

AttendantConsole *
attendant_phone_system_banner_get_console (AttendantPhoneSystemBanner *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PHONE_SYSTEM_BANNER (self), NULL);

  return self->console;
}

gboolean
attendant_phone_system_banner_get_revealed (AttendantPhoneSystemBanner *self)
{
  g_return_val_if_fail (ATTENDANT_IS_PHONE_SYSTEM_BANNER (self), FALSE);

  return gtk_revealer_get_reveal_child (self->revealer);
}

/**
 * attendant_phone_system_banner_get_reason:
 *
 * Returns: (nullable): the reason shown, as the server gave it, or %NULL
 *   while hidden
 */
const char *
attendant_phone_system_banner_get_reason (AttendantPhoneSystemBanner *self)
{
  const char *label;

  g_return_val_if_fail (ATTENDANT_IS_PHONE_SYSTEM_BANNER (self), NULL);

  label = gtk_label_get_label (self->reason_label);
  return label[0] != '\0' ? label : NULL;
}

static void
update (AttendantPhoneSystemBanner *self)
{
  const char *reason = self->console != NULL ? attendant_console_get_phone_system_reason (self->console) : NULL;
  gboolean reveal = reason != NULL;

  /* Kept while the revealer slides up, so the text does not vanish first. */
  if (reason != NULL && g_strcmp0 (gtk_label_get_label (self->reason_label), reason) != 0)
    {
      gtk_label_set_label (self->reason_label, reason);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
    }
  else if (reason == NULL && gtk_label_get_label (self->reason_label)[0] != '\0')
    {
      gtk_label_set_label (self->reason_label, "");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
    }

  if (reveal != gtk_revealer_get_reveal_child (self->revealer))
    {
      gtk_revealer_set_reveal_child (self->revealer, reveal);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVEALED]);
    }
}

void
attendant_phone_system_banner_set_console (AttendantPhoneSystemBanner *self,
                                           AttendantConsole           *console)
{
  g_return_if_fail (ATTENDANT_IS_PHONE_SYSTEM_BANNER (self));
  g_return_if_fail (console == NULL || ATTENDANT_IS_CONSOLE (console));

  if (self->console == console)
    return;

  if (self->console != NULL)
    g_signal_handlers_disconnect_by_data (self->console, self);

  g_set_object (&self->console, console);

  if (console != NULL)
    g_signal_connect_object (console, "notify::phone-system-reason", G_CALLBACK (update), self,
                             G_CONNECT_SWAPPED);

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONSOLE]);
}

static void
attendant_phone_system_banner_dispose (GObject *object)
{
  AttendantPhoneSystemBanner *self = ATTENDANT_PHONE_SYSTEM_BANNER (object);

  if (self->console != NULL)
    g_signal_handlers_disconnect_by_data (self->console, self);
  g_clear_object (&self->console);

  G_OBJECT_CLASS (attendant_phone_system_banner_parent_class)->dispose (object);
}

static void
attendant_phone_system_banner_get_property (GObject    *object,
                                            guint       prop_id,
                                            GValue     *value,
                                            GParamSpec *pspec)
{
  AttendantPhoneSystemBanner *self = ATTENDANT_PHONE_SYSTEM_BANNER (object);

  switch (prop_id)
    {
    case PROP_CONSOLE:
      g_value_set_object (value, self->console);
      break;

    case PROP_REVEALED:
      g_value_set_boolean (value, attendant_phone_system_banner_get_revealed (self));
      break;

    case PROP_REASON:
      g_value_set_string (value, attendant_phone_system_banner_get_reason (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_phone_system_banner_set_property (GObject      *object,
                                            guint         prop_id,
                                            const GValue *value,
                                            GParamSpec   *pspec)
{
  AttendantPhoneSystemBanner *self = ATTENDANT_PHONE_SYSTEM_BANNER (object);

  switch (prop_id)
    {
    case PROP_CONSOLE:
      attendant_phone_system_banner_set_console (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_phone_system_banner_class_init (AttendantPhoneSystemBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attendant_phone_system_banner_dispose;
  object_class->get_property = attendant_phone_system_banner_get_property;
  object_class->set_property = attendant_phone_system_banner_set_property;

  properties[PROP_CONSOLE] =
    g_param_spec_object ("console", NULL, NULL, ATTENDANT_TYPE_CONSOLE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_REVEALED] =
    g_param_spec_boolean ("revealed", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/attendant/Attendant/attendant-phone-system-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantPhoneSystemBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, AttendantPhoneSystemBanner, reason_label);
}

static void
attendant_phone_system_banner_init (AttendantPhoneSystemBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
