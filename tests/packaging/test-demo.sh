#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The README's first command, build-aux/demo.sh, as a person runs it, on a
# private X server and session bus, with this test's build
# (ATTENDANT_DEMO_BUILDDIR) and stand-ins for apt-get, sudo and dpkg-query
# that make the machine look fresh, record what would be installed, and
# install nothing. What it must do:
#
#   - install only what the demo needs (no test tools), without upgrading
#     what is there, and a quiet apt-get update; the test command's list
#     still has the test tools;
#   - print a handful of lines before the window appears, one of them
#     naming the log, and put everything else (apt, meson, the server, the
#     morning's story) in the log;
#   - print a failover command that works as printed, from any directory,
#     and is the README's;
#   - log in by itself, and stop everything when the app quits.
#
#   test-demo.sh SRCDIR BUILDDIR
set -eu

srcdir=$(cd "$1" && pwd)
builddir=$(cd "$2" && pwd)

if [ -z "${ATTENDANT_TEST_DEMO_INNER:-}" ]; then
  ATTENDANT_TEST_DEMO_INNER=1 exec xvfb-run -a -s "-screen 0 1024x768x24 -nolisten tcp" \
    dbus-run-session -- sh "$0" "$srcdir" "$builddir"
fi

# No accessibility bus: its registry prints to standard output, not TAP.
export NO_AT_BRIDGE=1 GTK_A11Y=none

tmp=$(mktemp -d)
demo=""
cleanup() {
  [ -z "$demo" ] || kill "$demo" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# Until the log has a line matching $1, for at most $2 seconds.
wait_for_log() {
  timeout "$2" sh -c 'until grep -q "$1" "$0" 2>/dev/null; do sleep 0.1; done' "$log" "$1"
}

n=0
ok() {
  n=$((n + 1))
  echo "ok $n - $1"
}
not_ok() {
  n=$((n + 1))
  echo "not ok $n - $1"
  shift
  for file in "$@"; do
    echo "# $file:"
    sed "s/^/#   /" "$file"
  done
  exit 1
}

# The stand-ins. apt-get records its arguments, one call a line.
mkdir "$tmp/bin"
cat > "$tmp/bin/apt-get" <<'SCRIPT'
#!/bin/sh
echo "$*" >> "$ATTENDANT_TEST_APT_LOG"
SCRIPT
# Not root: the stand-in, not the real one, gets to run as root.
cat > "$tmp/bin/sudo" <<'SCRIPT'
#!/bin/sh
exec "$@"
SCRIPT
# A fresh machine: nothing is installed.
cat > "$tmp/bin/dpkg-query" <<'SCRIPT'
#!/bin/sh
exit 1
SCRIPT
chmod +x "$tmp/bin/apt-get" "$tmp/bin/sudo" "$tmp/bin/dpkg-query"
export ATTENDANT_TEST_APT_LOG="$tmp/apt.log"

# What only tests, the lab, the benchmark, fuzzing and leak checks use.
test_tools="clang libclang-rt-14-dev valgrind gnutls-bin python3-dbusmock hyperfine nftables
            dnsmasq-base xvfb xauth"

# The test command's list keeps them all.
PATH="$tmp/bin:$PATH" sh "$srcdir/build-aux/install-deps.sh" > "$tmp/full.out" 2>&1
for tool in $test_tools; do
  grep -q "^install .* $tool\( \|$\)" "$tmp/apt.log" ||
    not_ok "install-deps.sh without --demo installs $tool for the tests" "$tmp/apt.log"
done
ok "install-deps.sh without --demo still installs the test tools"
rm -f "$tmp/apt.log"

log=$builddir/demo.log
rm -f "$log"
# The test command runs with ATTENDANT_SKIP_DEPS=1 (.ci/run installed
# everything already); the demo must run its install step here, against
# the stand-ins, as it does for a person.
PATH="$tmp/bin:$PATH" ATTENDANT_DEMO_BUILDDIR="$builddir" ATTENDANT_SKIP_DEPS= \
  sh "$srcdir/build-aux/demo.sh" > "$tmp/terminal" 2>&1 &
demo=$!

# The server logs each login, in the log; the app logs in by itself or
# not at all.
if ! wait_for_log "logged in as reception" 120; then
  not_ok "the app logged in to the demo cluster" "$tmp/terminal" "$log"
fi
ok "the app logged in to the demo cluster"

# apt-get: a quiet update, then the demo's packages and no test tool,
# with nothing already installed upgraded.
grep -qx "update -qq" "$tmp/apt.log" || not_ok "apt-get update is quiet" "$tmp/apt.log"
install=$(grep "^install " "$tmp/apt.log") || not_ok "the demo installs its packages" "$tmp/apt.log"
case " $install " in
  *" --no-upgrade "*) ;;
  *) not_ok "the demo upgrades no package already installed (--no-upgrade)" "$tmp/apt.log" ;;
esac
for package in meson gcc libgtk-4-dev libadwaita-1-dev glib-networking openssl python3; do
  case " $install " in
    *" $package "*) ;;
    *) not_ok "the demo installs $package" "$tmp/apt.log" ;;
  esac
done
for tool in $test_tools; do
  case " $install " in
    *" $tool "*) not_ok "the demo installs no test tool, but $tool" "$tmp/apt.log" ;;
  esac
done
ok "the demo installs what it needs, no test tool, upgrading nothing, quietly"

# A handful of lines, one naming the log; the rest in the log.
lines=$(wc -l < "$tmp/terminal")
[ "$lines" -le 5 ] || not_ok "at most 5 lines before the window appears (there are $lines)" "$tmp/terminal"
grep -qF "$log" "$tmp/terminal" || not_ok "the terminal says where the log is" "$tmp/terminal"
ok "$lines lines before the window appears, one naming the log"

for what in "installing the packages" "ninja" "ready" "logged in as reception"; do
  grep -q "$what" "$log" || not_ok "the log has what the demo's steps printed ($what)" "$log"
done
if grep -q "logged in as\|ninja\|^ready$\|calls from" "$tmp/terminal"; then
  not_ok "the server, the morning and the build stay out of the terminal" "$tmp/terminal"
fi
ok "apt, the build, the server and the morning print to the log only"

# The failover hint, run as printed from another directory, crashes the
# primary: the app moves to the backup.
hint=$(sed -n 's/^ *\(.* crash primary\)$/\1/p' "$tmp/terminal")
[ -n "$hint" ] || not_ok "the terminal shows how to crash the primary" "$tmp/terminal"
(cd / && sh -c "$hint") > "$tmp/crash.out" 2>&1 ||
  not_ok "the printed failover command works from / ($hint)" "$tmp/crash.out"
if ! wait_for_log "logged in as reception.*node backup" 30; then
  not_ok "after the printed command, the app is on the backup" "$log"
fi
(cd / && sh -c "${hint% crash primary} start primary") > "$tmp/start.out" 2>&1 ||
  not_ok "the printed command with start primary works" "$tmp/start.out"
ok "the printed failover command works as printed, and the app fails over"

# The README's command is the same, from the source directory with the
# default build directory.
readme=$(grep "^_build/demo/src/server/attendant-server admin .* crash primary$" "$srcdir/README.md") ||
  not_ok "the README shows the failover command" "$srcdir/README.md"
[ "$(echo "$readme" | sed "s#_build/demo#$builddir#g")" = "$hint" ] ||
  not_ok "the README's failover command is the one the demo prints ($readme)" "$tmp/terminal"
ok "the README's failover command is the one the demo prints"

gdbus call --session --dest io.github.attendant.Attendant.Demo \
  --object-path /io/github/attendant/Attendant/Demo \
  --method org.gtk.Actions.Activate quit "[]" "{}" >/dev/null
status=0
timeout 30 tail --pid=$demo -f /dev/null || status=$?
wait $demo || status=$?
demo=""
[ $status -eq 0 ] || not_ok "quitting the app ends the demo (status $status)" "$tmp/terminal"
ok "quitting the app ends the demo"

# The server went with it: nothing listens on the demo's ports any more.
if ss -Hltn "( sport = :51234 or sport = :51235 or sport = :51299 )" | grep -q .; then
  ss -ltnp > "$tmp/ss"
  not_ok "the demo server stopped with the app" "$tmp/ss"
fi
ok "the demo server stopped with the app"
echo "1..$n"
