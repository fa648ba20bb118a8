/* attendant-connector.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-connector"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "attendant-connector.h"
#include "attendant-error.h"
#include "attendant-tls.h"

/* Walks a plan strictly in order (docs/architecture.md, "Strict failover"
 * and the rules around it): the endpoint's host is resolved only when the
 * walk reaches it, every address of an endpoint is tried before the next
 * endpoint, and there is only ever one attempt in
 * flight, each bounded by the attempt timeout. GSocketClient is only ever
 * given a single GInetSocketAddress, because over a GNetworkService its async
 * path starts racing SRV targets after 250 ms and a slow but alive primary
 * would lose to a fast backup. */
struct _AttendantConnector
{
  GObject           parent_instance;

  GResolver        *resolver;
  GTlsDatabase     *extra_anchors;
  AttendantGreeter *greeter;
  guint             attempt_timeout;
  guint             accept_target_identity : 1;
};

G_DEFINE_FINAL_TYPE (AttendantConnector, attendant_connector, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RESOLVER,
  PROP_ATTEMPT_TIMEOUT,
  PROP_ACCEPT_TARGET_IDENTITY,
  PROP_EXTRA_ANCHORS,
  PROP_GREETER,
  N_PROPS
};

enum {
  ATTEMPT_STARTED,
  ATTEMPT_FINISHED,
  ACCEPT_CERTIFICATE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  AttendantPlan        *plan;
  GSocketClient        *client;
  guint                 endpoint_index;
  AttendantEndpoint    *endpoint;
  GList                *addresses;       /* GInetAddress */
  GList                *next_address;
  char                 *address;         /* the one being tried */
  GIOStream            *stream;          /* the one being set up */
  GCancellable         *attempt_cancellable;
  GSource              *timeout_source;
  gulong                cancelled_id;
  gint64                started_at;
  GTlsCertificate      *peer_certificate;
  GTlsCertificateFlags  peer_errors;
  AttendantAttempt     *rejected;        /* the first untrusted certificate met */
  guint                 timed_out : 1;
  guint                 certificate_rejected : 1;
} Run;

static void run_next_endpoint (GTask *task);
static void run_next_address  (GTask *task);

static void
run_stop_timer (Run *run)
{
  if (run->timeout_source != NULL)
    {
      g_source_destroy (run->timeout_source);
      g_clear_pointer (&run->timeout_source, g_source_unref);
    }
}

static void
run_free (Run *run)
{
  run_stop_timer (run);
  g_clear_object (&run->plan);
  g_clear_object (&run->client);
  g_clear_object (&run->endpoint);
  g_list_free_full (run->addresses, g_object_unref);
  g_clear_pointer (&run->address, g_free);
  g_clear_object (&run->stream);
  g_clear_object (&run->attempt_cancellable);
  g_clear_object (&run->peer_certificate);
  g_clear_object (&run->rejected);
  g_free (run);
}

static void
attendant_connector_dispose (GObject *object)
{
  AttendantConnector *self = (AttendantConnector *)object;

  g_clear_object (&self->resolver);
  g_clear_object (&self->extra_anchors);
  g_clear_object (&self->greeter);

  G_OBJECT_CLASS (attendant_connector_parent_class)->dispose (object);
}

static void
attendant_connector_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  AttendantConnector *self = ATTENDANT_CONNECTOR (object);

  switch (prop_id)
    {
    case PROP_RESOLVER:
      g_value_set_object (value, self->resolver);
      break;

    case PROP_ATTEMPT_TIMEOUT:
      g_value_set_uint (value, self->attempt_timeout);
      break;

    case PROP_ACCEPT_TARGET_IDENTITY:
      g_value_set_boolean (value, self->accept_target_identity);
      break;

    case PROP_EXTRA_ANCHORS:
      g_value_set_object (value, self->extra_anchors);
      break;

    case PROP_GREETER:
      g_value_set_object (value, self->greeter);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_connector_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  AttendantConnector *self = ATTENDANT_CONNECTOR (object);

  switch (prop_id)
    {
    case PROP_RESOLVER:
      self->resolver = g_value_dup_object (value);
      if (self->resolver == NULL)
        self->resolver = g_resolver_get_default ();
      break;

    case PROP_ATTEMPT_TIMEOUT:
      attendant_connector_set_attempt_timeout (self, g_value_get_uint (value));
      break;

    case PROP_ACCEPT_TARGET_IDENTITY:
      attendant_connector_set_accept_target_identity (self, g_value_get_boolean (value));
      break;

    case PROP_EXTRA_ANCHORS:
      attendant_connector_set_extra_anchors (self, g_value_get_object (value));
      break;

    case PROP_GREETER:
      attendant_connector_set_greeter (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attendant_connector_class_init (AttendantConnectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attendant_connector_dispose;
  object_class->get_property = attendant_connector_get_property;
  object_class->set_property = attendant_connector_set_property;

  properties[PROP_RESOLVER] =
    g_param_spec_object ("resolver", NULL, NULL, G_TYPE_RESOLVER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ATTEMPT_TIMEOUT] =
    g_param_spec_uint ("attempt-timeout", NULL, NULL, 1, 60, 5,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ACCEPT_TARGET_IDENTITY] =
    g_param_spec_boolean ("accept-target-identity", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_EXTRA_ANCHORS] =
    g_param_spec_object ("extra-anchors", NULL, NULL, G_TYPE_TLS_DATABASE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_GREETER] =
    g_param_spec_object ("greeter", NULL, NULL, ATTENDANT_TYPE_GREETER,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AttendantConnector::attempt-started:
   * @endpoint: the endpoint being tried
   * @address: (nullable): the address being tried, %NULL while the
   *   endpoint's host name is being resolved
   */
  signals[ATTEMPT_STARTED] =
    g_signal_new ("attempt-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, ATTENDANT_TYPE_ENDPOINT, G_TYPE_STRING);

  /**
   * AttendantConnector::attempt-finished:
   * @attempt: the outcome of one address (or of a failed resolution)
   */
  signals[ATTEMPT_FINISHED] =
    g_signal_new ("attempt-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ATTENDANT_TYPE_ATTEMPT);

  /**
   * AttendantConnector::accept-certificate:
   * @certificate: the server's certificate
   * @errors: what is wrong with it
   * @identity: the reference identity it was checked against
   *
   * Emitted when a certificate fails verification, so that a certificate
   * the user pinned for @identity can be accepted (docs/architecture.md,
   * "Trusted certificates"). Return %TRUE to accept. Unhandled, the
   * certificate is rejected: that attempt is `tls-failed` and the run goes
   * on to the next address, like after any other failed handshake.
   */
  signals[ACCEPT_CERTIFICATE] =
    g_signal_new ("accept-certificate",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 3,
                  G_TYPE_TLS_CERTIFICATE, G_TYPE_TLS_CERTIFICATE_FLAGS, G_TYPE_STRING);
}

static void
attendant_connector_init (AttendantConnector *self)
{
  self->attempt_timeout = 5;
}

/**
 * attendant_connector_new:
 * @resolver: (nullable): the resolver for A/AAAA lookups, %NULL for the default
 */
AttendantConnector *
attendant_connector_new (GResolver *resolver)
{
  g_return_val_if_fail (resolver == NULL || G_IS_RESOLVER (resolver), NULL);

  return g_object_new (ATTENDANT_TYPE_CONNECTOR, "resolver", resolver, NULL);
}

guint
attendant_connector_get_attempt_timeout (AttendantConnector *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTOR (self), 0);
  return self->attempt_timeout;
}

void
attendant_connector_set_attempt_timeout (AttendantConnector *self,
                                         guint               seconds)
{
  g_return_if_fail (ATTENDANT_IS_CONNECTOR (self));
  g_return_if_fail (seconds >= 1 && seconds <= 60);

  if (self->attempt_timeout != seconds)
    {
      self->attempt_timeout = seconds;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTEMPT_TIMEOUT]);
    }
}

gboolean
attendant_connector_get_accept_target_identity (AttendantConnector *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTOR (self), FALSE);
  return self->accept_target_identity;
}

/**
 * attendant_connector_set_accept_target_identity:
 *
 * Whether a certificate valid for the SRV target name, rather than for the
 * domain the user typed, is good enough. Off by default: a forged SRV
 * answer could otherwise point the client at any host with a valid
 * certificate for its own name.
 */
void
attendant_connector_set_accept_target_identity (AttendantConnector *self,
                                                gboolean            accept)
{
  g_return_if_fail (ATTENDANT_IS_CONNECTOR (self));

  accept = !!accept;
  if (self->accept_target_identity != accept)
    {
      self->accept_target_identity = accept;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCEPT_TARGET_IDENTITY]);
    }
}

GTlsDatabase *
attendant_connector_get_extra_anchors (AttendantConnector *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTOR (self), NULL);
  return self->extra_anchors;
}

/**
 * attendant_connector_set_extra_anchors:
 * @database: (nullable): trust anchors to accept besides the system's
 */
void
attendant_connector_set_extra_anchors (AttendantConnector *self,
                                       GTlsDatabase       *database)
{
  g_return_if_fail (ATTENDANT_IS_CONNECTOR (self));
  g_return_if_fail (!database || G_IS_TLS_DATABASE (database));

  if (g_set_object (&self->extra_anchors, database))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXTRA_ANCHORS]);
}

AttendantGreeter *
attendant_connector_get_greeter (AttendantConnector *self)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTOR (self), NULL);
  return self->greeter;
}

/**
 * attendant_connector_set_greeter:
 * @greeter: (nullable): the protocol greeting step, %NULL to stop after TLS
 */
void
attendant_connector_set_greeter (AttendantConnector *self,
                                 AttendantGreeter   *greeter)
{
  g_return_if_fail (ATTENDANT_IS_CONNECTOR (self));
  g_return_if_fail (!greeter || ATTENDANT_IS_GREETER (greeter));

  if (g_set_object (&self->greeter, greeter))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GREETER]);
}

static gboolean
attempt_timeout_cb (gpointer user_data)
{
  Run *run = user_data;

  run->timed_out = TRUE;
  g_clear_pointer (&run->timeout_source, g_source_unref);
  g_cancellable_cancel (run->attempt_cancellable);

  return G_SOURCE_REMOVE;
}

static void
run_begin_attempt (GTask      *task,
                   const char *address)
{
  AttendantConnector *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  g_assert (run->timeout_source == NULL);

  g_clear_object (&run->attempt_cancellable);
  run->attempt_cancellable = g_cancellable_new ();
  run->certificate_rejected = FALSE;
  g_clear_object (&run->stream);
  g_clear_object (&run->peer_certificate);
  run->peer_errors = 0;
  run->timed_out = FALSE;
  run->started_at = g_get_monotonic_time ();

  g_free (run->address);
  run->address = g_strdup (address);

  run->timeout_source = g_timeout_source_new (self->attempt_timeout * 1000);
  g_source_set_callback (run->timeout_source, attempt_timeout_cb, run, NULL);
  g_source_set_static_name (run->timeout_source, "[attendant] attempt timeout");
  g_source_attach (run->timeout_source, g_task_get_context (task));

  g_signal_emit (self, signals[ATTEMPT_STARTED], 0, run->endpoint, address);
}

static void
run_end_attempt (GTask                   *task,
                 AttendantAttemptOutcome  outcome,
                 const GError            *error)
{
  AttendantConnector *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(AttendantAttempt) attempt = NULL;
  double elapsed_ms = (g_get_monotonic_time () - run->started_at) / 1000.0;

  run_stop_timer (run);

  attempt = attendant_attempt_new (run->endpoint, run->address, outcome, error, elapsed_ms);
  if (run->peer_certificate != NULL)
    attendant_attempt_set_certificate (attempt, run->peer_certificate, run->peer_errors,
                                       attendant_plan_get_domain (run->plan));

  /* Kept so that a run that reaches nothing can end on the first
   * certificate the user could still choose to trust. */
  if (run->rejected == NULL &&
      g_error_matches (error, ATTENDANT_ERROR, ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED))
    run->rejected = g_object_ref (attempt);

  if (error != NULL)
    g_debug ("%s:%u (%s): %s",
             attendant_endpoint_get_host (run->endpoint),
             attendant_endpoint_get_port (run->endpoint),
             run->address ? run->address : "no address",
             error->message);

  g_signal_emit (self, signals[ATTEMPT_FINISHED], 0, attempt);
}

/* Returns TRUE when the run must end now because its caller cancelled it. */
static gboolean
run_return_if_cancelled (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (!g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return FALSE;

  run_stop_timer (run);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The connection was cancelled"));
  return TRUE;
}

static AttendantAttemptOutcome
classify_connect_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return ATTENDANT_ATTEMPT_OUTCOME_REFUSED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return ATTENDANT_ATTEMPT_OUTCOME_TIMEOUT;

  return ATTENDANT_ATTEMPT_OUTCOME_UNREACHABLE;
}

static void
run_fail_attempt (GTask                   *task,
                  AttendantAttemptOutcome  outcome,
                  const GError            *error)
{
  AttendantConnector *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) timeout_error = NULL;

  if (run->timed_out)
    {
      timeout_error = g_error_new (ATTENDANT_ERROR, ATTENDANT_ERROR_TIMED_OUT,
                                   _("No answer within %u s"), self->attempt_timeout);
      error = timeout_error;

      /* A name that did not resolve in time is still a resolution failure,
       * with no address to report. */
      if (outcome != ATTENDANT_ATTEMPT_OUTCOME_RESOLVE_FAILED)
        outcome = ATTENDANT_ATTEMPT_OUTCOME_TIMEOUT;
    }

  run_end_attempt (task, outcome, error);

  /* The stream of a failed attempt is closed here so that a server that
   * got as far as accepting sees the client leave at once. */
  if (run->stream != NULL)
    g_io_stream_close_async (run->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&run->stream);

  run_next_address (task);
}

static void
run_succeed (GTask   *task,
             GObject *greeting)
{
  Run *run = g_task_get_task_data (task);

  run_end_attempt (task, ATTENDANT_ATTEMPT_OUTCOME_CONNECTED, NULL);
  g_task_return_pointer (task,
                         attendant_connection_new (run->stream, run->endpoint,
                                                   run->address, greeting),
                         g_object_unref);
}

static void
greet_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) greeting = NULL;

  greeting = attendant_greeter_greet_finish (ATTENDANT_GREETER (object), result, &error);

  if (run_return_if_cancelled (task))
    return;

  if (greeting == NULL)
    {
      run_fail_attempt (task, ATTENDANT_ATTEMPT_OUTCOME_PROTOCOL_FAILED, error);
      return;
    }

  run_succeed (task, greeting);
}

static void
run_greet (GTask *task)
{
  AttendantConnector *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (self->greeter == NULL)
    {
      run_succeed (task, NULL);
      return;
    }

  attendant_greeter_greet_async (self->greeter, run->stream, run->endpoint,
                                 run->attempt_cancellable, greet_cb, g_object_ref (task));
}

static GTlsDatabase *
get_system_database (void)
{
  return g_tls_backend_get_default_database (g_tls_backend_get_default ());
}

static GTlsCertificateFlags
verify_with (GTlsDatabase    *database,
             GTlsCertificate *certificate,
             const char      *host)
{
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificateFlags flags;

  if (database == NULL)
    return G_TLS_CERTIFICATE_UNKNOWN_CA;

  identity = g_network_address_new (host, 0);
  flags = g_tls_database_verify_chain (database, certificate,
                                       G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                       identity, NULL, G_TLS_DATABASE_VERIFY_NONE,
                                       NULL, &error);
  if (error != NULL)
    return flags | G_TLS_CERTIFICATE_GENERIC_ERROR;

  return flags;
}

static gboolean
accept_certificate_cb (GTlsConnection       *connection,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       GTask                *task)
{
  AttendantConnector *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  const char *domain = attendant_plan_get_domain (run->plan);
  const char *target = attendant_endpoint_get_host (run->endpoint);
  GTlsDatabase *database = get_system_database ();
  gboolean accepted = FALSE;

  g_set_object (&run->peer_certificate, certificate);

  /* --ca-file adds trust anchors to the system's rather than replacing
   * them: a chain the system does not know is checked again against them,
   * still for the same identity. */
  if ((errors & G_TLS_CERTIFICATE_UNKNOWN_CA) && self->extra_anchors != NULL)
    {
      GTlsCertificateFlags extra = verify_with (self->extra_anchors, certificate, domain);

      if (!(extra & G_TLS_CERTIFICATE_UNKNOWN_CA))
        {
          errors = extra;
          database = self->extra_anchors;
        }
    }

  /* The SRV target's name only counts when the user opted in, and only
   * when that is the sole problem. */
  if (errors == G_TLS_CERTIFICATE_BAD_IDENTITY &&
      self->accept_target_identity &&
      g_ascii_strcasecmp (target, domain) != 0 &&
      verify_with (database, certificate, target) == 0)
    errors = 0;

  run->peer_errors = errors;

  if (errors == 0)
    return TRUE;

  g_signal_emit (self, signals[ACCEPT_CERTIFICATE], 0, certificate, errors, domain, &accepted);
  if (!accepted)
    run->certificate_rejected = TRUE;

  return accepted;
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  GTlsConnection *tls = G_TLS_CONNECTION (object);
  g_autoptr(GError) error = NULL;
  GTlsProtocolVersion version;

  g_signal_handlers_disconnect_by_func (tls, accept_certificate_cb, task);

  if (!g_tls_connection_handshake_finish (tls, result, &error))
    {
      if (run_return_if_cancelled (task))
        return;

      if (run->certificate_rejected)
        {
          g_autofree char *problems = attendant_tls_certificate_flags_to_string (run->peer_errors);
          g_autoptr(GError) cert_error =
            g_error_new (ATTENDANT_ERROR, ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED,
                         /* TRANSLATORS: the first %s is the server name, the second the
                          * list of problems, such as “its issuer is not trusted”. */
                         _("The certificate of %s is not trusted: %s"),
                         attendant_plan_get_domain (run->plan), problems);

          /* One node's broken or intercepted certificate must not keep
           * users off a healthy one: this endpoint failed, the walk goes
           * on (docs/architecture.md, "Trusted certificates"). */
          run_fail_attempt (task, ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED, cert_error);
          return;
        }

      run_fail_attempt (task, ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED, error);
      return;
    }

  if (run_return_if_cancelled (task))
    return;

  version = g_tls_connection_get_protocol_version (tls);
  if (!attendant_tls_version_is_acceptable (version))
    {
      g_autoptr(GError) version_error =
        g_error_new (ATTENDANT_ERROR, ATTENDANT_ERROR_TLS_VERSION,
                     /* TRANSLATORS: %s is a protocol version, such as “TLS 1.0”. */
                     _("The server negotiated %s; at least TLS 1.2 is required"),
                     attendant_tls_version_to_string (version));

      run_fail_attempt (task, ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED, version_error);
      return;
    }

  run_greet (task);
}

static void
socket_connect_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) guarded = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;
  const char *domain;
  guint16 port;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error);

  if (run_return_if_cancelled (task))
    return;

  if (connection == NULL)
    {
      run_fail_attempt (task, classify_connect_error (error), error);
      return;
    }

  g_set_object (&run->stream, G_IO_STREAM (connection));

  if (attendant_plan_get_transport (run->plan) != ATTENDANT_TRANSPORT_TLS)
    {
      run_greet (task);
      return;
    }

  /* The reference identity (and SNI) is the domain the user typed, not
   * the SRV target: the port in the identity is irrelevant to the check.
   * An address typed directly is checked against the certificate's IP
   * addresses, and must not go out as SNI (RFC 6066 forbids it and GnuTLS
   * servers refuse it), which a GInetSocketAddress identity ensures. */
  domain = attendant_plan_get_domain (run->plan);
  port = attendant_endpoint_get_port (run->endpoint);
  identity = (GSocketConnectable *)g_inet_socket_address_new_from_string (domain, port);
  if (identity == NULL)
    identity = g_network_address_new (domain, port);
  /* A server's request to renegotiate fails the connection: this client
   * never renegotiates in either direction (attendant_tls_guard_stream()). */
  guarded = attendant_tls_guard_stream (G_IO_STREAM (connection));
  tls = g_tls_client_connection_new (guarded, identity, &error);
  if (tls == NULL)
    {
      run_fail_attempt (task, ATTENDANT_ATTEMPT_OUTCOME_TLS_FAILED, error);
      return;
    }

  g_set_object (&run->stream, tls);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), task);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    run->attempt_cancellable,
                                    handshake_cb, g_object_ref (task));
}

static void
run_next_address (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  GInetAddress *address;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autofree char *text = NULL;

  if (run->next_address == NULL)
    {
      run_next_endpoint (task);
      return;
    }

  address = run->next_address->data;
  run->next_address = run->next_address->next;

  text = g_inet_address_to_string (address);
  socket_address = g_inet_socket_address_new (address, attendant_endpoint_get_port (run->endpoint));

  run_begin_attempt (task, text);
  g_socket_client_connect_async (run->client, G_SOCKET_CONNECTABLE (socket_address),
                                 run->attempt_cancellable,
                                 socket_connect_cb, g_object_ref (task));
}

static void
lookup_by_name_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (object), result, &error);

  if (run_return_if_cancelled (task))
    {
      g_resolver_free_addresses (addresses);
      return;
    }

  if (addresses == NULL)
    {
      /* A host that does not resolve is a failed attempt, not the end. */
      run_fail_attempt (task, ATTENDANT_ATTEMPT_OUTCOME_RESOLVE_FAILED, error);
      return;
    }

  run_stop_timer (run);
  run->addresses = addresses;
  run->next_address = addresses;
  run_next_address (task);
}

static void
run_next_endpoint (GTask *task)
{
  AttendantConnector *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GInetAddress) literal = NULL;
  const char *host;
  guint n = attendant_plan_get_n_endpoints (run->plan);

  g_list_free_full (g_steal_pointer (&run->addresses), g_object_unref);
  run->next_address = NULL;

  if (run->endpoint_index >= n)
    {
      /* Nothing reached and a certificate was the reason somewhere: the
       * run ends on the first one, which the user may inspect and trust. */
      if (run->rejected != NULL)
        {
          g_task_return_error (task, g_error_copy (attendant_attempt_get_error (run->rejected)));
          return;
        }

      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_ALL_FAILED,
                               n == 1 ? _("The server %s could not be reached")
                                      : _("None of the servers found for %s could be reached"),
                               attendant_plan_get_domain (run->plan));
      return;
    }

  g_set_object (&run->endpoint, attendant_plan_get_endpoint (run->plan, run->endpoint_index++));
  host = attendant_endpoint_get_host (run->endpoint);

  literal = g_inet_address_new_from_string (host);
  if (literal != NULL)
    {
      run->addresses = g_list_prepend (NULL, g_steal_pointer (&literal));
      run->next_address = run->addresses;
      run_next_address (task);
      return;
    }

  /* Resolve only now that this endpoint's turn has come (docs/architecture.md,
   * "Addresses looked up in turn"). */
  run_begin_attempt (task, NULL);
  g_resolver_lookup_by_name_async (self->resolver, host, run->attempt_cancellable,
                                   lookup_by_name_cb, g_object_ref (task));
}

static void
run_cancelled_cb (GTask        *task,
                  GCancellable *cancellable)
{
  Run *run = g_task_get_task_data (task);

  if (run->attempt_cancellable != NULL)
    g_cancellable_cancel (run->attempt_cancellable);
}

/**
 * attendant_connector_connect_async:
 * @plan: the endpoints to try, in order
 *
 * Tries the plan's endpoints one at a time until one is reached (TCP, TLS
 * when the plan's transport is TLS, then the greeter's step if there is a
 * greeter). Every try is reported by #AttendantConnector::attempt-finished.
 * An untrusted certificate fails its attempt like any other handshake
 * failure; only a run that reaches nothing and met one ends with
 * %ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED (see
 * attendant_connector_get_rejected_attempt()).
 */
void
attendant_connector_connect_async (AttendantConnector  *self,
                                   AttendantPlan       *plan,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Run *run;

  g_return_if_fail (ATTENDANT_IS_CONNECTOR (self));
  g_return_if_fail (ATTENDANT_IS_PLAN (plan));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attendant_connector_connect_async);

  if (attendant_plan_get_result (plan) == ATTENDANT_DISCOVERY_RESULT_UNAVAILABLE)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_SERVICE_UNAVAILABLE,
                               "%s", attendant_plan_get_error (plan));
      return;
    }

  if (attendant_plan_get_n_endpoints (plan) == 0)
    {
      g_task_return_new_error (task, ATTENDANT_ERROR, ATTENDANT_ERROR_NO_ENDPOINTS,
                               _("There is no server to connect to for %s"),
                               attendant_plan_get_domain (plan));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  run = g_new0 (Run, 1);
  run->plan = g_object_ref (plan);
  run->client = g_socket_client_new ();
  /* A proxy would make the address we report and the failover we promise
   * meaningless, and the set-ups of Imagicle's SRV guide have none. */
  g_socket_client_set_enable_proxy (run->client, FALSE);
  g_task_set_task_data (task, run, (GDestroyNotify)run_free);

  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled",
                             G_CALLBACK (run_cancelled_cb), task, G_CONNECT_SWAPPED);

  run_next_endpoint (task);
}

/**
 * attendant_connector_connect_finish:
 *
 * Returns: (transfer full): the endpoint reached, or %NULL with @error:
 *   %ATTENDANT_ERROR_ALL_FAILED, %ATTENDANT_ERROR_SERVICE_UNAVAILABLE,
 *   %ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED (nothing reached, and at least
 *   one certificate was not trusted; the message is the first one's) or
 *   %G_IO_ERROR_CANCELLED
 */
AttendantConnection *
attendant_connector_connect_finish (AttendantConnector  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  g_return_val_if_fail (ATTENDANT_IS_CONNECTOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == attendant_connector_connect_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * attendant_connector_get_rejected_attempt:
 * @result: the result given to attendant_connector_connect_async()'s callback
 *
 * The attempt that met the run's first untrusted certificate, with that
 * certificate, its errors and its reference identity: what the user is
 * asked to trust when the run ended with
 * %ATTENDANT_ERROR_CERTIFICATE_UNTRUSTED.
 *
 * Returns: (transfer none) (nullable): that attempt, or %NULL when the run
 *   met no untrusted certificate
 */
AttendantAttempt *
attendant_connector_get_rejected_attempt (AttendantConnector *self,
                                          GAsyncResult       *result)
{
  Run *run;

  g_return_val_if_fail (ATTENDANT_IS_CONNECTOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == attendant_connector_connect_async, NULL);

  /* Runs refused before they began (service unavailable, empty plan)
   * have no data. */
  run = g_task_get_task_data (G_TASK (result));

  return run != NULL ? run->rejected : NULL;
}
