#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The long fuzz run (not in CI, which gives each target 60 s): every target
# of fuzz/run.sh for MINUTES each, then one line per target with what
# libFuzzer's final statistics say, as a Markdown table for
# docs/performance.md. Stops at nothing: a target that finds something is
# reported as such (its input in _build/fuzz/findings/TARGET/) and the
# others still run; the exit status is then 1.
#
#   sh bench/fuzz-long.sh [MINUTES] [TARGET...]   default: 30 minutes each, every target
set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

minutes=${1:-30}
[ $# -gt 0 ] && shift
targets=${*:-"server-spec dial-uri plan scram protocol-client protocol-server frame-guard"}
builddir=${FUZZ_BUILDDIR:-_build/fuzz}
seconds=$((minutes * 60))

status=0
for t in $targets; do
  sh fuzz/run.sh "$seconds" "$t" || status=1
done

stat () {
  grep -E "^stat::$2:" "$1" | tail -n 1 | awk '{ print $2 }'
}

echo
echo "| target | time | runs | runs/s | coverage (edges) | features | corpus | peak RSS | findings |"
echo "|---|---|---|---|---|---|---|---|---|"
for t in $targets; do
  log="$builddir/findings/$t.log"
  last=$(grep -E "^#[0-9]+" "$log" | tail -n 1 | tr -d "\r")
  cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
  found=$(find "$builddir/findings/$t" -type f 2>/dev/null | wc -l)
  echo "| $t | ${minutes} min | $(stat "$log" number_of_executed_units) | $(stat "$log" average_exec_per_sec) | $cov | $ft | $corp | $(stat "$log" peak_rss_mb) MB | $found |"
done

exit $status
