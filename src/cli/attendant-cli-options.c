/* attendant-cli-options.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-cli"

#include "config.h"

#include "attendant-cli-options.h"

void
attendant_cli_connect_options_init (AttendantCliConnectOptions *options)
{
  *options = (AttendantCliConnectOptions) {
    .timeout = 5,
    .transport = ATTENDANT_TRANSPORT_TLS,
    .order = ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST,
  };
}

void
attendant_cli_connect_options_add (AttendantCliConnectOptions *options,
                                   GOptionContext             *context)
{
  /* GOption copies the entries, so a local array will do. */
  const GOptionEntry entries[] = {
    { "plain", 0, 0, G_OPTION_ARG_NONE, &options->plain,
      "Use the unencrypted transport (_iac._tcp, port 51234) instead of TLS", NULL },
    { "priority-order", 0, 0, G_OPTION_ARG_STRING, &options->order_text,
      "Which SRV priorities come first: highest-first (default) or rfc2782", "ORDER" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &options->timeout,
      "Seconds each attempt (and the SRV query) may take, 1–60 (default 5)", "SECONDS" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options->ca_file,
      "Trust the certificates in this PEM file as well as the system's", "PEM" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
}

/**
 * attendant_cli_connect_options_finish:
 * @message: (out): what is wrong, for a usage error
 *
 * Checks the values and loads the extra trust anchors.
 */
gboolean
attendant_cli_connect_options_finish (AttendantCliConnectOptions  *options,
                                      char                       **message)
{
  int order = ATTENDANT_PRIORITY_ORDER_HIGHEST_FIRST;

  if (options->order_text != NULL &&
      !attendant_enum_from_nick (ATTENDANT_TYPE_PRIORITY_ORDER, options->order_text, &order))
    {
      *message = g_strdup_printf ("--priority-order must be highest-first or rfc2782, not “%s”",
                                  options->order_text);
      return FALSE;
    }

  if (options->timeout < 1 || options->timeout > 60)
    {
      *message = g_strdup ("--timeout must be a whole number of seconds from 1 to 60");
      return FALSE;
    }

  if (options->ca_file != NULL)
    {
      /* glib-networking only takes an absolute path. */
      g_autofree char *absolute = g_canonicalize_filename (options->ca_file, NULL);
      g_autoptr(GError) error = NULL;

      options->anchors = g_tls_file_database_new (absolute, &error);
      if (options->anchors == NULL)
        {
          *message = g_strdup_printf ("cannot use --ca-file %s: %s", options->ca_file, error->message);
          return FALSE;
        }
    }

  options->order = order;
  options->transport = options->plain ? ATTENDANT_TRANSPORT_PLAIN : ATTENDANT_TRANSPORT_TLS;

  return TRUE;
}

void
attendant_cli_connect_options_clear (AttendantCliConnectOptions *options)
{
  g_clear_pointer (&options->order_text, g_free);
  g_clear_pointer (&options->ca_file, g_free);
  g_clear_object (&options->anchors);
}

/**
 * attendant_cli_take_server:
 *
 * Leaves exactly one SERVER argument in argv[1], or says what is wrong.
 */
gboolean
attendant_cli_take_server (int          *argc,
                           char       ***argv,
                           const char  **message)
{
  /* GOption keeps "--" when what follows it starts with "-": drop it, so
   * "-acme.com" can be given and refused for what it is. */
  if (*argc >= 2 && g_str_equal ((*argv)[1], "--"))
    {
      (*argv)[1] = (*argv)[0];
      (*argv)++;
      (*argc)--;
    }

  if (*argc != 2)
    {
      *message = *argc < 2 ? "no SERVER given" : "give exactly one SERVER";
      return FALSE;
    }

  return TRUE;
}
