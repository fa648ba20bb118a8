#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The README's first command: installs the dependencies (with sudo when not
# root), builds into _build/demo (reused when already configured), starts
# the reference server's demo cluster on loopback and opens the app logged
# in to it. Quitting the app stops the server. See build-aux/demo.py.
# Set ATTENDANT_SKIP_DEPS=1 to skip the package installation.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

if [ "${ATTENDANT_SKIP_DEPS:-}" != "1" ]; then
  sh build-aux/install-deps.sh
fi

builddir=_build/demo
if [ -f "$builddir/meson-private/coredata.dat" ]; then
  echo "demo.sh: reusing the build in $builddir"
else
  rm -rf "$builddir"
  meson setup "$builddir" -Dtests=false
fi
meson compile -C "$builddir"

# Debian's python3 (installed above) rather than a wrapper earlier in PATH;
# exec, so that Ctrl-C reaches the demo, which stops what it started.
python=/usr/bin/python3
[ -x "$python" ] || python=python3
exec "$python" build-aux/demo.py "$builddir"
