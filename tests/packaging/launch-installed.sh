#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs inside a private mount namespace (see test-install.py): puts the
# DESTDIR installation at its real prefix, then opens the installed desktop
# file the way a launcher does and reports which program answered.
set -eu

root=$1
prefix=$2
app_id=$3

mount --bind "$root" "$prefix"
glib-compile-schemas "$prefix/share/glib-2.0/schemas"

export XDG_DATA_DIRS="$prefix/share:/usr/share"
export XDG_CONFIG_HOME="$(mktemp -d)"
export XDG_RUNTIME_DIR="$(mktemp -d)"
export GSETTINGS_BACKEND=memory
# No accessibility bus: its registry prints to standard output, not TAP.
export NO_AT_BRIDGE=1

exec xvfb-run -a -s "-screen 0 1024x768x24 -nolisten tcp" \
  dbus-run-session -- sh -c '
    set -eu
    gio launch "$1/share/applications/$2.desktop"
    # D-Bus activation: the bus starts the program its service file names.
    gdbus wait --session --timeout 60 "$2"
    pid=$(gdbus call --session --dest org.freedesktop.DBus \
            --object-path /org/freedesktop/DBus \
            --method org.freedesktop.DBus.GetConnectionUnixProcessID "$2" |
          tr -dc "0-9 " | awk "{print \$NF}")
    echo "exe=$(readlink "/proc/$pid/exe")"
    gdbus call --session --dest "$2" --object-path "/$(echo "$2" | tr . /)" \
      --method org.gtk.Actions.Activate quit "[]" "{}" >/dev/null
    # Wait for it to leave the bus, so the session ends cleanly.
    timeout 30 tail --pid="$pid" -f /dev/null
  ' sh "$prefix" "$app_id"
