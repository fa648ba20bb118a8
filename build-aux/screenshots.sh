#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Regenerates the screenshots the README and the metainfo show
# (data/screenshots/) from the GUI tests: they run under their own Xvfb
# and session bus against the reference server, and with
# ATTENDANT_SCREENSHOT_DIR set save what they show. This copies the ones
# shown into data/screenshots/ under the names the README and the
# metainfo use. Look at every one before committing them.
#
#   sh build-aux/screenshots.sh [BUILDDIR]     (default: _build, configured)
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$srcdir/_build}
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT

ATTENDANT_SCREENSHOT_DIR=$shots meson test -C "$builddir" --suite gui \
  test-window test-window-actions test-console-view test-status-button \
  test-preferences-window test-phone-system-banner >/dev/null

# shown as                     saved by the tests as
while read -r shown saved; do
  cp "$shots/$saved" "$srcdir/data/screenshots/$shown"
  echo "data/screenshots/$shown"
done <<'LIST'
login.png                      login-after-log-out.png
login-connecting.png           login-connecting.png
console-busy-morning.png       console-busy-morning.png
console-consult.png            console-consult.png
console-history.png            console-history.png
console-transfer-refused.png   console-transfer-refused.png
status-popover.png             status-popover.png
failover-toast.png             failover-toast.png
reconnecting-banner.png        reconnecting-banner.png
phone-system-banner.png        phone-system-banner.png
preferences-receptionist.png   preferences-receptionist.png
quit-warning.png               quit-warning.png
shortcuts.png                  shortcuts-table.png
LIST
