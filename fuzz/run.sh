#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds the libFuzzer targets (clang, AddressSanitizer and
# UndefinedBehaviorSanitizer) and runs each for a bounded time, starting
# from the seed corpora in fuzz/corpus/. Fails on the first finding: a
# crash, a sanitizer report, a leak, a GLib critical or warning, an input
# that takes over 10 s, or memory over 2.5 GB. What it finds is kept in
# $FUZZ_BUILDDIR/findings/TARGET/ (crash-*, leak-*, timeout-*, oom-*).
#
#   fuzz/run.sh [SECONDS] [TARGET...]     default: 60 s each, every target
#   fuzz/run.sh 3600 protocol-server      longer, on demand
#
# New interesting inputs go to a scratch corpus under the build directory,
# never into the checked-in seeds: add one there by hand (or with
# `FUZZER -merge=1 fuzz/corpus/TARGET SCRATCH`) when it is worth keeping.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"server-spec dial-uri plan scram protocol-client protocol-server frame-guard"}
builddir=${FUZZ_BUILDDIR:-_build/fuzz}

if [ ! -f "$builddir/build.ninja" ]; then
  CC=clang meson setup "$builddir" -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dlab_tests=disabled
fi

ninja_targets=""
for t in $targets; do
  ninja_targets="$ninja_targets fuzz/fuzz-$t"
done
# shellcheck disable=SC2086
ninja -C "$builddir" $ninja_targets

# The same settings as the tests: criticals and warnings are fatal (the
# targets also make them so themselves), GLib's slice allocator is off so
# that LeakSanitizer sees every object.
export G_DEBUG=fatal-warnings
export G_SLICE=always-malloc
export GSETTINGS_BACKEND=memory
export ASAN_OPTIONS="${FUZZ_ASAN_OPTIONS:-}detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

status=0
for t in $targets; do
  findings="$builddir/findings/$t"
  scratch="$builddir/scratch-corpus/$t"
  log="$builddir/findings/$t.log"
  mkdir -p "$findings" "$scratch"

  dict=""
  case $t in
    protocol-*) dict="-dict=fuzz/protocol.dict" ;;
    scram) dict="-dict=fuzz/scram.dict" ;;
  esac

  echo "fuzz/run.sh: $t for ${seconds} s"
  # shellcheck disable=SC2086
  if "$builddir/fuzz/fuzz-$t" $dict \
       -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -max_len=8192 \
       -print_final_stats=1 \
       -artifact_prefix="$findings/" \
       "$scratch" "fuzz/corpus/$t" >"$log" 2>&1; then
    # The last status line: runs, coverage, features, corpus, speed.
    grep -E "^#[0-9]+" "$log" | tail -n 1 | tr -d "\r" | sed "s|^|  $t: |"; echo
  else
    status=1
    echo "fuzz/run.sh: $t FOUND SOMETHING; the input is in $findings/, the log in $log:" >&2
    grep -E 'ERROR|CRITICAL|WARNING|SUMMARY|Test unit written|should be|assertion' "$log" | head -n 20 >&2
  fi
done

exit $status
