/* attendant-attempt.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-attempt"

#include "config.h"

#include "attendant-attempt.h"
#include "attendant-enum-types.h"

/* The outcome of trying one address of one endpoint (or of failing to
 * resolve the endpoint's host, with no address). The connector emits one
 * per try so that the UI and the CLI can show the plan being walked. */
struct _AttendantAttempt
{
  GObject                  parent_instance;

  AttendantEndpoint       *endpoint;
  char                    *address;
  GError                  *error;
  GTlsCertificate         *certificate;
  GTlsCertificateFlags     certificate_errors;
  char                    *identity;
  AttendantAttemptOutcome  outcome;
  double                   elapsed_ms;
};

G_DEFINE_FINAL_TYPE (AttendantAttempt, attendant_attempt, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ENDPOINT,
  PROP_ADDRESS,
  PROP_OUTCOME,
  PROP_ELAPSED_MS,
  PROP_CERTIFICATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
attendant_attempt_dispose (GObject *object)
{
  AttendantAttempt *self = (AttendantAttempt *)object;

  g_clear_object (&self->endpoint);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (attendant_attempt_parent_class)->dispose (object);
}

static void
attendant_attempt_finalize (GObject *object)
{
  AttendantAttempt *self = (AttendantAttempt *)object;

  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->identity, g_free);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (attendant_attempt_parent_class)->finalize (object);
}

static void
attendant_attempt_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AttendantAttempt *self = ATTENDANT_ATTEMPT (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      g_value_set_object (value, self->endpoint);
      break;

    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;

    case PROP_OUTCOME:
      g_value_set_enum (value, self->outcome);
      break;

    case PROP_ELAPSED_MS:
      g_value_set_double (value, self->elapsed_ms);
      break;

    case PROP_CERTIFICATE:
      g_value_set_object (value, self->certificate);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_attempt_class_init (AttendantAttemptClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_attempt_dispose;
  object_class->finalize = attendant_attempt_finalize;
  object_class->get_property = attendant_attempt_get_property;

  properties[PROP_ENDPOINT] =
    g_param_spec_object ("endpoint", NULL, NULL, ATTENDANT_TYPE_ENDPOINT,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_OUTCOME] =
    g_param_spec_enum ("outcome", NULL, NULL,
                       ATTENDANT_TYPE_ATTEMPT_OUTCOME,
                       ATTENDANT_ATTEMPT_OUTCOME_CONNECTED,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_ELAPSED_MS] =
    g_param_spec_double ("elapsed-ms", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_CERTIFICATE] =
    g_param_spec_object ("certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
attendant_attempt_init (AttendantAttempt *self)
{
}

/**
 * attendant_attempt_new:
 * @address: (nullable): the address tried, %NULL when the host did not resolve
 * @error: (nullable): what went wrong, %NULL when connected
 */
AttendantAttempt *
attendant_attempt_new (AttendantEndpoint       *endpoint,
                       const char              *address,
                       AttendantAttemptOutcome  outcome,
                       const GError            *error,
                       double                   elapsed_ms)
{
  AttendantAttempt *self;

  g_return_val_if_fail (ATTENDANT_IS_ENDPOINT (endpoint), NULL);

  self = g_object_new (ATTENDANT_TYPE_ATTEMPT, NULL);
  self->endpoint = g_object_ref (endpoint);
  self->address = g_strdup (address);
  self->outcome = outcome;
  self->error = error ? g_error_copy (error) : NULL;
  self->elapsed_ms = elapsed_ms;

  return self;
}

AttendantEndpoint *
attendant_attempt_get_endpoint (AttendantAttempt *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ATTEMPT (self), NULL);
  return self->endpoint;
}

const char *
attendant_attempt_get_address (AttendantAttempt *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ATTEMPT (self), NULL);
  return self->address;
}

AttendantAttemptOutcome
attendant_attempt_get_outcome (AttendantAttempt *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ATTEMPT (self), 0);
  return self->outcome;
}

const GError *
attendant_attempt_get_error (AttendantAttempt *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ATTEMPT (self), NULL);
  return self->error;
}

double
attendant_attempt_get_elapsed_ms (AttendantAttempt *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ATTEMPT (self), 0);
  return self->elapsed_ms;
}

/**
 * attendant_attempt_get_certificate:
 *
 * Returns: (transfer none) (nullable): the certificate the server presented,
 *   if the attempt got that far over TLS
 */
GTlsCertificate *
attendant_attempt_get_certificate (AttendantAttempt *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ATTEMPT (self), NULL);
  return self->certificate;
}

GTlsCertificateFlags
attendant_attempt_get_certificate_errors (AttendantAttempt *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ATTEMPT (self), 0);
  return self->certificate_errors;
}

/**
 * attendant_attempt_get_identity:
 *
 * Returns: (nullable): the reference identity the certificate was checked
 *   against (the domain or address typed), which is what a pin names
 *   (docs/architecture.md, "Trusted certificates")
 */
const char *
attendant_attempt_get_identity (AttendantAttempt *self)
{
  g_return_val_if_fail (ATTENDANT_IS_ATTEMPT (self), NULL);
  return self->identity;
}

/**
 * attendant_attempt_set_certificate:
 * @certificate: (nullable): what the server presented
 * @errors: what verification found wrong with it
 * @identity: (nullable): what it was checked against
 */
void
attendant_attempt_set_certificate (AttendantAttempt     *self,
                                   GTlsCertificate      *certificate,
                                   GTlsCertificateFlags  errors,
                                   const char           *identity)
{
  g_return_if_fail (ATTENDANT_IS_ATTEMPT (self));
  g_return_if_fail (!certificate || G_IS_TLS_CERTIFICATE (certificate));

  self->certificate_errors = errors;
  g_free (self->identity);
  self->identity = g_strdup (identity);
  if (g_set_object (&self->certificate, certificate))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CERTIFICATE]);
}
