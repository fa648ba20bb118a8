/* attendant-certificate-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-certificate-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "attendant-certificate-dialog.h"
#include "attendant-pin.h"
#include "attendant-tls.h"

/* The one place where the operator can decide to trust a certificate
 * that failed verification. It shows what they need to decide (who it is
 * for, who issued it, when it is valid, its fingerprint to compare, and
 * exactly what is wrong) and never decides for them: Cancel is the
 * default and what Escape does. Trusting stores a pin for this very
 * certificate and identity in the settings, which the window binds to the
 * client's "trusted-certificates", and starts a new cycle. */

#define PAIRS_PER_LINE 8

struct _AttendantCertificateDialog
{
  AdwMessageDialog  parent_instance;

  AttendantClient  *client;
  AttendantAttempt *attempt;

  GtkLabel         *subject_label;
  GtkLabel         *issuer_label;
  GtkLabel         *valid_from_label;
  GtkLabel         *valid_until_label;
  GtkLabel         *fingerprint_label;
};

G_DEFINE_FINAL_TYPE (AttendantCertificateDialog, attendant_certificate_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_ATTEMPT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * attendant_certificate_dialog_new:
 * @parent: (nullable): the window it is modal for
 * @attempt: the rejected attempt, with its certificate and identity
 */
AttendantCertificateDialog *
attendant_certificate_dialog_new (GtkWindow        *parent,
                                  AttendantClient  *client,
                                  AttendantAttempt *attempt)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (ATTENDANT_IS_CLIENT (client), NULL);
  g_return_val_if_fail (ATTENDANT_IS_ATTEMPT (attempt), NULL);
  g_return_val_if_fail (attendant_attempt_get_certificate (attempt) != NULL, NULL);
  g_return_val_if_fail (attendant_attempt_get_identity (attempt) != NULL, NULL);

  return g_object_new (ATTENDANT_TYPE_CERTIFICATE_DIALOG,
                       "transient-for", parent,
                       "client", client,
                       "attempt", attempt,
                       NULL);
}

AttendantAttempt *
attendant_certificate_dialog_get_attempt (AttendantCertificateDialog *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CERTIFICATE_DIALOG (self), NULL);

  return self->attempt;
}

static char *
format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  if (date == NULL)
    return g_strdup (_("Unknown"));

  local = g_date_time_to_local (date);
  /* Translators: a certificate's validity date, in g_date_time_format()
   * terms; the month is spelt out so that the day and month cannot be
   * mistaken for each other. */
  return g_strstrip (g_date_time_format (local, _("%e %B %Y")));
}

/* Short lines of pairs that line up, so that comparing them with the
 * administrator's copy is easy; the label stays one selectable block. */
static char *
format_fingerprint (const char *fingerprint)
{
  g_auto(GStrv) pairs = g_strsplit (fingerprint, ":", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, i % PAIRS_PER_LINE == 0 ? '\n' : ':');
      g_string_append (out, pairs[i]);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
set_text (GtkLabel   *label,
          const char *text)
{
  gtk_label_set_label (label, text != NULL && *text != '\0' ? text : _("Unknown"));
}

static void
show_certificate (AttendantCertificateDialog *self)
{
  GTlsCertificate *certificate = attendant_attempt_get_certificate (self->attempt);
  const char *identity = attendant_attempt_get_identity (self->attempt);
  GTlsCertificateFlags errors = attendant_attempt_get_certificate_errors (self->attempt);
  g_autofree char *subject = g_tls_certificate_get_subject_name (certificate);
  g_autofree char *issuer = g_tls_certificate_get_issuer_name (certificate);
  g_autoptr(GDateTime) not_before = g_tls_certificate_get_not_valid_before (certificate);
  g_autoptr(GDateTime) not_after = g_tls_certificate_get_not_valid_after (certificate);
  g_autofree char *valid_from = format_date (not_before);
  g_autofree char *valid_until = format_date (not_after);
  g_autofree char *fingerprint = attendant_tls_certificate_sha256 (certificate);
  g_autofree char *fingerprint_lines = format_fingerprint (fingerprint);
  g_auto(GStrv) problems = attendant_certificate_problems (errors, identity);
  g_autofree char *problem_text = g_strjoinv (" ", problems);

  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  _("The certificate of “%s” cannot be trusted. %s\n\n"
                                    "Trust it only if its fingerprint matches the one the "
                                    "server’s administrator gave you: otherwise someone "
                                    "could be listening to your calls."),
                                  identity, problem_text);

  set_text (self->subject_label, subject);
  set_text (self->issuer_label, issuer);
  set_text (self->valid_from_label, valid_from);
  set_text (self->valid_until_label, valid_until);
  set_text (self->fingerprint_label, fingerprint_lines);
  /* Read out as one fingerprint, not as lines. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->fingerprint_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, fingerprint,
                                  -1);
}

static void
trust (AttendantCertificateDialog *self)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *pin = attendant_pin_new (attendant_attempt_get_identity (self->attempt),
                                            attendant_attempt_get_certificate (self->attempt));
  g_auto(GStrv) pins = g_settings_get_strv (settings, "trusted-certificates");

  if (!attendant_pin_list_contains ((const char * const *)pins, pin))
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) updated = NULL;

      g_strv_builder_addv (builder, (const char **)pins);
      g_strv_builder_add (builder, pin);
      updated = g_strv_builder_end (builder);
      g_settings_set_strv (settings, "trusted-certificates", (const char * const *)updated);
    }

  attendant_client_reconnect_now (self->client);
}

static void
attendant_certificate_dialog_response (AdwMessageDialog *dialog,
                                       const char       *response)
{
  AttendantCertificateDialog *self = ATTENDANT_CERTIFICATE_DIALOG (dialog);

  /* Anything else leaves the client stopped on the rejection, and the
   * login form saying so. */
  if (g_strcmp0 (response, "trust") == 0)
    trust (self);
}

static void
attendant_certificate_dialog_constructed (GObject *object)
{
  AttendantCertificateDialog *self = ATTENDANT_CERTIFICATE_DIALOG (object);

  G_OBJECT_CLASS (attendant_certificate_dialog_parent_class)->constructed (object);

  g_assert (self->client != NULL);
  g_assert (self->attempt != NULL);

  show_certificate (self);
}

static void
attendant_certificate_dialog_dispose (GObject *object)
{
  AttendantCertificateDialog *self = ATTENDANT_CERTIFICATE_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), ATTENDANT_TYPE_CERTIFICATE_DIALOG);
  g_clear_object (&self->client);
  g_clear_object (&self->attempt);

  G_OBJECT_CLASS (attendant_certificate_dialog_parent_class)->dispose (object);
}

static void
attendant_certificate_dialog_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  AttendantCertificateDialog *self = ATTENDANT_CERTIFICATE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_ATTEMPT:
      g_value_set_object (value, self->attempt);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_certificate_dialog_set_property (GObject      *object,
                                           guint         prop_id,
                                           const GValue *value,
                                           GParamSpec   *pspec)
{
  AttendantCertificateDialog *self = ATTENDANT_CERTIFICATE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    case PROP_ATTEMPT:
      self->attempt = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_certificate_dialog_class_init (AttendantCertificateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->constructed = attendant_certificate_dialog_constructed;
  object_class->dispose = attendant_certificate_dialog_dispose;
  object_class->get_property = attendant_certificate_dialog_get_property;
  object_class->set_property = attendant_certificate_dialog_set_property;
  dialog_class->response = attendant_certificate_dialog_response;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL,
                         ATTENDANT_TYPE_CLIENT,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  properties[PROP_ATTEMPT] =
    g_param_spec_object ("attempt", NULL, NULL,
                         ATTENDANT_TYPE_ATTEMPT,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/attendant/Attendant/attendant-certificate-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AttendantCertificateDialog, subject_label);
  gtk_widget_class_bind_template_child (widget_class, AttendantCertificateDialog, issuer_label);
  gtk_widget_class_bind_template_child (widget_class, AttendantCertificateDialog, valid_from_label);
  gtk_widget_class_bind_template_child (widget_class, AttendantCertificateDialog, valid_until_label);
  gtk_widget_class_bind_template_child (widget_class, AttendantCertificateDialog, fingerprint_label);
}

static void
attendant_certificate_dialog_init (AttendantCertificateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
