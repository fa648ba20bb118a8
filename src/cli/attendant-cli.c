/* attendant-cli.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-cli"

#include "config.h"

#include <stdio.h>

#include "attendant-cli.h"

static void
print_usage (FILE *stream)
{
  fprintf (stream,
           "Usage: attendant-cli COMMAND [OPTIONS…] SERVER\n"
           "\n"
           "Commands:\n"
           "  check     Discover the servers of SERVER and try to reach one\n"
           "  watch     Log in to SERVER and print every connection change and event\n"
           "\n"
           "Run “attendant-cli COMMAND --help” for the options of a command.\n");
}

int
attendant_cli_main (int    argc,
                    char **argv)
{
  const char *command;

  if (argc < 2)
    {
      print_usage (stderr);
      return ATTENDANT_CLI_EXIT_USAGE;
    }

  command = argv[1];

  if (g_str_equal (command, "--version"))
    {
      printf ("attendant-cli %s\n", PACKAGE_VERSION);
      return ATTENDANT_CLI_EXIT_OK;
    }

  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") ||
      g_str_equal (command, "help"))
    {
      print_usage (stdout);
      return ATTENDANT_CLI_EXIT_OK;
    }

  if (g_str_equal (command, "check"))
    return attendant_cli_check (argc - 1, argv + 1);

  if (g_str_equal (command, "watch"))
    return attendant_cli_watch (argc - 1, argv + 1);

  fprintf (stderr, "attendant-cli: unknown command “%s”\n", command);
  print_usage (stderr);
  return ATTENDANT_CLI_EXIT_USAGE;
}
