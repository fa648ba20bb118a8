/* attendant-enums.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "attendant-enums"

#include "config.h"

#include <glib-object.h>

#include "attendant-enums.h"

guint16
attendant_transport_default_port (AttendantTransport transport)
{
  return transport == ATTENDANT_TRANSPORT_PLAIN ? ATTENDANT_DEFAULT_PORT_PLAIN
                                                : ATTENDANT_DEFAULT_PORT_TLS;
}

/* The service labels are fixed by Imagicle's SRV guide ("the prefix cannot be
 * changed"), so they are not configurable. */
const char *
attendant_transport_service (AttendantTransport transport)
{
  return transport == ATTENDANT_TRANSPORT_PLAIN ? "_iac._tcp" : "_iacsec._tcp";
}

const char *
attendant_enum_to_nick (GType enum_type,
                        int   value)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *ev;

  g_return_val_if_fail (G_TYPE_IS_ENUM (enum_type), NULL);

  klass = g_type_class_ref (enum_type);
  ev = g_enum_get_value (klass, value);

  return ev != NULL ? ev->value_nick : NULL;
}

gboolean
attendant_enum_from_nick (GType       enum_type,
                          const char *nick,
                          int        *value)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *ev;

  g_return_val_if_fail (G_TYPE_IS_ENUM (enum_type), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (nick == NULL)
    return FALSE;

  klass = g_type_class_ref (enum_type);
  ev = g_enum_get_value_by_nick (klass, nick);
  if (ev == NULL)
    return FALSE;

  *value = ev->value;
  return TRUE;
}
