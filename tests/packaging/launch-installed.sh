#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs inside a private mount namespace (see test-install.py): puts the
# DESTDIR installation at its real prefix, then opens the installed desktop
# file the way a launcher does and reports which program answered; then,
# with the desktop database built as a distribution's package does, opens
# a tel: link the way a browser does and reports the same.
set -eu

root=$1
prefix=$2
app_id=$3

mount --bind "$root" "$prefix"
glib-compile-schemas "$prefix/share/glib-2.0/schemas"
update-desktop-database "$prefix/share/applications"

export XDG_DATA_DIRS="$prefix/share:/usr/share"
export XDG_CONFIG_HOME="$(mktemp -d)"
export XDG_RUNTIME_DIR="$(mktemp -d)"
export GSETTINGS_BACKEND=memory
# No accessibility bus: its registry prints to standard output, not TAP.
export NO_AT_BRIDGE=1

exec xvfb-run -a -s "-screen 0 1024x768x24 -nolisten tcp" \
  dbus-run-session -- sh -c '
    set -eu
    # D-Bus activation: the bus starts the program its service file names;
    # prints which, then quits it as its menu does.
    report_and_quit () {
      gdbus wait --session --timeout 60 "$2"
      pid=$(gdbus call --session --dest org.freedesktop.DBus \
              --object-path /org/freedesktop/DBus \
              --method org.freedesktop.DBus.GetConnectionUnixProcessID "$2" |
            tr -dc "0-9 " | awk "{print \$NF}")
      echo "$1=$(readlink "/proc/$pid/exe")"
      gdbus call --session --dest "$2" --object-path "/$(echo "$2" | tr . /)" \
        --method org.gtk.Actions.Activate quit "[]" "{}" >/dev/null
      # Wait for it to leave the bus, so the session ends cleanly.
      timeout 30 tail --pid="$pid" -f /dev/null
    }

    gio launch "$1/share/applications/$2.desktop"
    report_and_quit exe "$2"

    for scheme in tel callto sip; do
      if gio mime "x-scheme-handler/$scheme" | grep -q "^	$2.desktop\$"; then
        echo "handler=$scheme"
      fi
    done
    # As a browser opens a link: the handler gets it through
    # org.freedesktop.Application.Open (the app is D-Bus activatable).
    gio open "tel:+390123456"
    report_and_quit tel-exe "$2"
  ' sh "$prefix" "$app_id"
