/* attendant-secret.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-secret"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <string.h>

#include "attendant-error.h"
#include "attendant-secret.h"

/* Passwords and tokens in memory and on disk. A plain memset() before
 * free() is a dead store the compiler may remove; explicit_bzero() is
 * glibc's promise that it stays. */

void
attendant_secret_wipe (gpointer data,
                       gsize    length)
{
  if (data != NULL && length > 0)
    explicit_bzero (data, length);
}

/**
 * attendant_secret_free:
 * @secret: (nullable): a NUL-terminated secret from g_malloc()
 *
 * Wipes @secret up to its NUL, then frees it.
 */
void
attendant_secret_free (char *secret)
{
  if (secret == NULL)
    return;

  attendant_secret_wipe (secret, strlen (secret));
  g_free (secret);
}

/**
 * attendant_secret_check_file_mode:
 * @path: a file that holds a secret (users, token, private key, password)
 *
 * A secret file that its group or everyone may read (or replace) is no
 * secret: refuse it, saying which file, its mode and the fix, rather than
 * go on with it silently.
 *
 * Returns: %TRUE when only the file's owner has access to it; %FALSE with
 *   %ATTENDANT_ERROR_INVALID_INPUT (or the file's own error, such as
 *   %G_FILE_ERROR_NOENT, in %G_FILE_ERROR) otherwise
 */
gboolean
attendant_secret_check_file_mode (const char  *path,
                                  GError     **error)
{
  GStatBuf buf;
  guint mode;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_stat (path, &buf) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", path, g_strerror (saved));
      return FALSE;
    }

  mode = buf.st_mode & 07777;
  if ((mode & 0077) == 0)
    return TRUE;

  if ((mode & 0044) != 0)
    g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                 /* TRANSLATORS: both %s are the same file name, %04o its mode */
                 _("%s: mode %04o is readable by others; chmod 600 %s"), path, mode, path);
  else
    g_set_error (error, ATTENDANT_ERROR, ATTENDANT_ERROR_INVALID_INPUT,
                 /* TRANSLATORS: both %s are the same file name, %04o its mode */
                 _("%s: mode %04o is writable by others; chmod 600 %s"), path, mode, path);
  return FALSE;
}
