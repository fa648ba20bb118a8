#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The benchmark's one command (README, HACKING.md): installs the Debian
# packages, builds into _build/bench with warnings as errors, then runs
# bench/bench.py, which needs root for its private network namespace and
# prints the table on stdout (progress on stderr). Arguments go to
# bench.py: --quick, --only SECTION, --storm-sizes, --json FILE; --help.
# ATTENDANT_SKIP_DEPS=1 skips the apt-get step, BUILDDIR picks another
# build directory.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

if [ "${ATTENDANT_SKIP_DEPS:-}" != "1" ]; then
  sh build-aux/install-deps.sh >&2
fi

builddir=${BUILDDIR:-_build/bench}
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Dwerror=true >&2
fi
meson compile -C "$builddir" >&2

ATTENDANT_CLI="$srcdir/$builddir/src/cli/attendant-cli" \
ATTENDANT_SERVER="$srcdir/$builddir/src/server/attendant-server" \
ATTENDANT_BENCH_BASELINE="$srcdir/$builddir/bench/baseline-connect" \
ATTENDANT_BENCH_FIRST_FRAME="$srcdir/$builddir/bench/first-frame" \
ATTENDANT_BENCH_CONSOLE_LOAD="$srcdir/$builddir/bench/console-load" \
GSETTINGS_SCHEMA_DIR="$srcdir/$builddir/data" \
  exec python3 bench/bench.py "$@"
