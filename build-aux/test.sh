#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The README's test command: installs the dependencies, builds with
# warnings as errors, runs every suite (the network lab and its end-to-end
# GUI suite lab-gui included, which need root), then rebuilds with
# AddressSanitizer and UndefinedBehaviorSanitizer and runs the unit,
# integration, server, gui, hostile, lab-gui and asterisk suites (every CLI test among
# them: test-cli-check and test-cli-watch in integration, test-server-cli in
# server, each running the sanitizer-built programs), then runs each fuzz
# target for 60 s (fuzz/run.sh; clang) and valgrind memcheck over a subset
# of the integration suite (build-aux/valgrind.sh). docs/security.md says
# what each finds.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

if [ "${ATTENDANT_SKIP_DEPS:-}" != "1" ]; then
  sh build-aux/install-deps.sh
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: not root, so the network lab suite will be skipped (CI runs it as root)" >&2
fi

builddir=${BUILDDIR:-_build/ci}
asandir=${ASAN_BUILDDIR:-_build/ci-asan}
fuzzdir=${FUZZ_BUILDDIR:-_build/ci-fuzz}
valgrinddir=${VALGRIND_BUILDDIR:-_build/ci-valgrind}

rm -rf "$builddir" "$asandir" "$fuzzdir" "$valgrinddir"

meson setup "$builddir" -Dwerror=true
meson compile -C "$builddir"
meson test -C "$builddir" --print-errorlogs --num-processes 2

meson setup "$asandir" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C "$asandir"
# Three times meson's timeouts: the sanitizer build is slower, and its GUI
# tests run LeakSanitizer's slow unwinder (tests/gui/meson.build says why).
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0" \
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
  meson test -C "$asandir" --print-errorlogs --num-processes 2 --timeout-multiplier 3 --suite unit --suite integration --suite server --suite gui --suite hostile --suite lab-gui --suite asterisk

# About 7 minutes: 60 s for each of the seven targets, from the checked-in
# corpus; ATTENDANT_FUZZ_SECONDS changes it.
FUZZ_BUILDDIR="$fuzzdir" sh fuzz/run.sh "${ATTENDANT_FUZZ_SECONDS:-60}"

VALGRIND_BUILDDIR="$valgrinddir" sh build-aux/valgrind.sh
