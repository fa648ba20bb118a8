#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# valgrind memcheck over the core's integration suite (tests/integration:
# the connector, the client core and the CLI against the real server on
# loopback, real TLS). Fails on any memory error and on any definite leak,
# in the test programs and in the attendant-cli / attendant-server
# processes they start (--trace-children). GLib's and GnuTLS's
# process-long allocations are "still reachable" or "possibly lost" and do
# not count; build-aux/valgrind.supp is for the rare library one-time
# allocation valgrind would call definite (none is needed today).
#
#   sh build-aux/valgrind.sh          the subset below (what CI runs)
#   sh build-aux/valgrind.sh --all    every test of the suite
#   sh build-aux/valgrind.sh test-client /client/failover/killed …
#                                     the named cases (PROGRAM PATH pairs)
#
# Each case runs alone (its own process), so that a failure names it. Under
# valgrind everything runs 20–50 times slower, and many integration tests
# assert timings (attempt timeouts of a few hundred milliseconds, heartbeat
# deadlines, failover within seconds) that then fail for that reason alone:
# they prove nothing about memory. The default subset is the cases whose
# timing survives valgrind; --all runs everything and reports the timing
# failures apart from the memory errors. Builds into _build/valgrind (no
# sanitizers: valgrind and ASan exclude each other).
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

builddir=${VALGRIND_BUILDDIR:-_build/valgrind}
logdir="$builddir/valgrind-logs"

# The cases whose timing survives valgrind (measured on a loaded 2-core
# machine: 27 of the suite's 58), covering the connector's order, lazy
# resolution and cancellation, the client's SCRAM login, TLS (trusted and
# untrusted certificates) and hostile servers (garbage, binary, oversized,
# invalid UTF-8, not Attendant), and `attendant-cli check` and `watch`.
subset="
test-connector /connector/service-unavailable
test-connector /connector/tcp/refused-then-next
test-connector /connector/tcp/connected
test-connector /connector/tcp/timeout
test-connector /connector/order/addresses-before-next-endpoint
test-connector /connector/order/all-addresses-then-next-endpoint
test-connector /connector/lazy/first-reachable
test-connector /connector/lazy/unresolvable-first
test-connector /connector/lazy/resolution-timeout
test-connector /connector/cancel/mid-attempt
test-connector /connector/cancel/while-resolving
test-client /client/login/ok
test-client /client/protocol/garbage
test-client /client/protocol/binary
test-client /client/protocol/oversized
test-client /client/protocol/bad-utf8
test-client /client/protocol/not-attendant
test-client /client/tls/connected
test-client /client/tls/untrusted
test-cli-check /cli/check/refused
test-cli-check /cli/check/timeout
test-cli-check /cli/check/no-connect
test-cli-check /cli/check/text
test-cli-check /cli/check/plain/ipv4
test-cli-check /cli/check/plain/ipv6
test-cli-check /cli/check/bad-usage
test-cli-watch /watch/usage
"

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Dwerror=true -Dlab_tests=disabled
fi
# Only what the integration suite runs, not the GUI.
ninja -C "$builddir" tests/integration/test-connector tests/integration/test-client \
  tests/integration/test-cli-check tests/integration/test-cli-watch \
  src/cli/attendant-cli src/server/attendant-server

tests="$builddir/tests/integration"
all=0
if [ "${1:-}" = "--all" ]; then
  all=1
  cases=$(for t in test-connector test-client test-cli-check test-cli-watch; do
            "$tests/$t" -l | grep '^/' | sed "s|^|$t |"
          done)
elif [ $# -gt 0 ]; then
  cases=$(printf '%s %s\n' "$@")
else
  cases=$subset
fi

rm -rf "$logdir"
mkdir -p "$logdir"

# The environment of tests/meson.build; G_SLICE=always-malloc also keeps
# the slice allocator from hiding leaked objects from valgrind.
export G_DEBUG=fatal-warnings
export G_SLICE=always-malloc
export GSETTINGS_BACKEND=memory
export G_TEST_SRCDIR="$srcdir/tests"
export G_TEST_BUILDDIR="$srcdir/$builddir/tests"
export ATTENDANT_CLI="$srcdir/$builddir/src/cli/attendant-cli"
export ATTENDANT_SERVER="$srcdir/$builddir/src/server/attendant-server"

passed=0
memory=0
other=0
start=$(date +%s)

while read -r program path; do
  [ -n "$program" ] || continue
  name=$(printf '%s%s' "$program" "$path" | tr '/' '_')
  t0=$(date +%s)
  rc=0
  valgrind --tool=memcheck --error-exitcode=99 \
    --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --trace-children=yes --trace-children-skip='*/openssl,*/certtool,/usr/bin/*,/bin/*' \
    --child-silent-after-fork=yes --num-callers=30 \
    --suppressions="$srcdir/build-aux/valgrind.supp" \
    --log-file="$logdir/$name.%p.valgrind" \
    "$tests/$program" -p "$path" >"$logdir/$name.out" 2>&1 || rc=$?
  took=$(( $(date +%s) - t0 ))

  # A child's error shows only in its own log when the test ignores its
  # exit status: read them all.
  if [ $rc -eq 99 ] || grep -qE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$logdir/$name".*.valgrind; then
    memory=$((memory + 1))
    echo "MEMORY  $program $path (${took} s): see $logdir/$name.*.valgrind"
  elif [ $rc -ne 0 ]; then
    other=$((other + 1))
    echo "FAILED  $program $path (${took} s, exit $rc; timing under valgrind?): see $logdir/$name.out"
  else
    passed=$((passed + 1))
    echo "ok      $program $path (${took} s)"
  fi
done <<EOF_CASES
$cases
EOF_CASES

echo "valgrind.sh: $passed clean, $memory with memory errors or definite leaks, $other failed otherwise, in $(( $(date +%s) - start )) s"

# With --all, timing failures are expected and reported, not fatal.
[ $memory -eq 0 ] && { [ $other -eq 0 ] || [ $all -eq 1 ]; }
