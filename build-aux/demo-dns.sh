#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The DNS demo (docs/dns.md): installs the dependencies, builds into
# _build/demo (reused when already configured), then runs tests/lab/demo.py,
# which sets up the DNS SRV records and NAT rules of Imagicle's SRV guide
# (docs/dns.md) inside a private network namespace (the network lab's
# machinery) and shows `attendant-cli check` against them. Needs root for that namespace; no
# packet leaves loopback or the namespace. Set ATTENDANT_SKIP_DEPS=1 to skip
# the package installation.
set -eu

if [ "$(id -u)" -ne 0 ]; then
  echo "demo.sh: needs root to create its private network namespace: run sudo sh build-aux/demo-dns.sh" >&2
  exit 1
fi

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
  meson setup "$builddir"
fi
meson compile -C "$builddir"

# Debian's python3 (installed above) rather than a wrapper earlier in PATH,
# and exec: the demo itself is then the process a Ctrl-C or a SIGTERM
# reaches, and it stops everything it started before it exits.
python=/usr/bin/python3
[ -x "$python" ] || python=python3
exec "$python" tests/lab/demo.py "$builddir/src/cli/attendant-cli"
