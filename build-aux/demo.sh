#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The README's first command: installs what the demo needs (with sudo when
# not root; build-aux/install-deps.sh --demo), builds into _build/demo
# (reused when already configured), starts the reference server's demo
# cluster on loopback and opens the app logged in to it. Quitting the app
# stops the server. See build-aux/demo.py.
#
# The terminal gets a handful of lines: where the log is, and how to try
# a failover. What apt-get, meson, ninja, the server and the morning's
# story print goes to the log, BUILDDIR/demo.log; its end is shown when a
# step fails.
#
#   ATTENDANT_SKIP_DEPS=1          skip the package installation
#   ATTENDANT_DEMO_BUILDDIR=DIR    build (or reuse the build) there instead
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

builddir=${ATTENDANT_DEMO_BUILDDIR:-_build/demo}
mkdir -p "$builddir"
builddir=$(cd "$builddir" && pwd)
log=$builddir/demo.log
: > "$log"
echo "demo.sh: getting the demo ready (packages, build, server); the log is $log"

# Runs a step with its output in the log; when it fails, says which and
# shows the log's end.
step() {
  what=$1
  shift
  echo "demo.sh: $what" >> "$log"
  if ! "$@" >> "$log" 2>&1; then
    echo "demo.sh: $what failed; the end of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
}

if [ "${ATTENDANT_SKIP_DEPS:-}" != "1" ]; then
  # sudo asks for a password on the terminal, not on standard output.
  step "installing the packages" sh build-aux/install-deps.sh --demo
fi

if [ ! -f "$builddir/meson-private/coredata.dat" ]; then
  step "configuring the build" meson setup "$builddir" -Dtests=false
fi
step "building" meson compile -C "$builddir"

# Debian's python3 (installed above) rather than a wrapper earlier in PATH;
# exec, so that Ctrl-C reaches the demo, which stops what it started.
python=/usr/bin/python3
[ -x "$python" ] || python=python3
exec "$python" build-aux/demo.py --log "$log" "$builddir"
