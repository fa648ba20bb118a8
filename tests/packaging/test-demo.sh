#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The README's first command, minus the package installation and the
# build: build-aux/demo.py with this build, on a private X server and
# session bus. The app must log in to the demo cluster on its own, and
# quitting it must stop the demo with it.
#
#   test-demo.sh SRCDIR BUILDDIR
set -eu

srcdir=$1
builddir=$2
out=$(mktemp)
# No accessibility bus: its registry prints to standard output, not TAP.
export NO_AT_BRIDGE=1 GTK_A11Y=none
trap 'rm -f "$out"' EXIT

xvfb-run -a -s "-screen 0 1024x768x24 -nolisten tcp" dbus-run-session -- sh -c '
  set -eu
  /usr/bin/python3 "$1/build-aux/demo.py" "$2" >"$3" 2>&1 &
  demo=$!
  # The server logs each login; the app logs in by itself or not at all.
  if ! timeout 60 sh -c "tail -n +1 -f \"\$0\" | grep -q -m1 \"logged in as reception\"" "$3"; then
    echo "not ok 1 - the app logged in to the demo cluster"
    kill $demo
    exit 1
  fi
  echo "ok 1 - the app logged in to the demo cluster"
  gdbus call --session --dest io.github.attendant.Attendant.Demo \
    --object-path /io/github/attendant/Attendant/Demo \
    --method org.gtk.Actions.Activate quit "[]" "{}" >/dev/null
  status=0
  timeout 30 tail --pid=$demo -f /dev/null || status=$?
  wait $demo || status=$?
  if [ $status -eq 0 ]; then
    echo "ok 2 - quitting the app ends the demo"
  else
    echo "not ok 2 - quitting the app ends the demo (status $status)"
    exit 1
  fi
' sh "$srcdir" "$builddir" "$out" || { sed "s/^/# /" "$out"; exit 1; }

# The server went with it: nothing listens on the demo's ports any more.
if ss -Hltn "( sport = :51234 or sport = :51235 or sport = :51299 )" | grep -q .; then
  echo "not ok 3 - the demo server stopped with the app"
  ss -ltnp | sed "s/^/# /"
  exit 1
fi
echo "ok 3 - the demo server stopped with the app"
echo "1..3"
