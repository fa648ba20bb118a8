#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the demo cluster "acme" of attendant-server on loopback:
#
#   sh data/demo/run.sh [--separate | --check] [BUILDDIR]
#
# It copies data/demo/attendant-server.conf and people.ini to a working
# directory (ATTENDANT_DEMO_DIR, or a new one under /tmp) and makes there
# what the configuration refers to, so that nothing secret is checked in:
#
#   users.ini      two users, written by `attendant-server add-user`:
#                  reception / attendant-demo (extension 200) and
#                  backup-desk / attendant-demo (extension 260)
#   admin.token    a random token for the admin API
#   demo-ca.pem    a CA made for this run, and demo-cert.pem/demo-key.pem
#                  for 127.0.0.1, 127.0.0.2 and localhost, signed by it
#
# Then it runs one process hosting both nodes (primary on 127.0.0.1,
# backup on 127.0.0.2, plain on 51234 and TLS on 51235, admin API on
# 127.0.0.1:51299), until Ctrl-C.
#
#   --separate  two processes, one node each, for kill tests: the backup's
#               admin API is on 127.0.0.1:51298. Each process has its own
#               simulated telephone system.
#   --check     make everything, check the configuration, and stop.
#
# The server binary is BUILDDIR/src/server/attendant-server (BUILDDIR
# defaults to _build), or $ATTENDANT_SERVER.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
mode=single
case "${1:-}" in
  --separate) mode=separate; shift ;;
  --check) mode=check; shift ;;
  -*) echo "usage: sh data/demo/run.sh [--separate | --check] [BUILDDIR]" >&2; exit 2 ;;
esac
builddir=${1:-$srcdir/_build}
server=${ATTENDANT_SERVER:-$builddir/src/server/attendant-server}
password=attendant-demo

if [ ! -x "$server" ]; then
  echo "run.sh: $server is missing: build first (meson setup _build && meson compile -C _build)," >&2
  echo "        or name the binary in ATTENDANT_SERVER" >&2
  exit 1
fi
# Absolute, so the hints printed below work from any directory.
server=$(cd "$(dirname "$server")" && pwd)/$(basename "$server")

if ! command -v openssl >/dev/null 2>&1; then
  echo "run.sh: openssl is needed (Debian: openssl)" >&2
  exit 1
fi
# The CLI beside the server, when there is one, so the hint below works as
# printed; otherwise the one on the PATH.
cli=$(dirname "$server")/../cli/attendant-cli
if [ -x "$cli" ]; then
  cli=$(cd "$(dirname "$cli")" && pwd)/attendant-cli
else
  cli=attendant-cli
fi

work=${ATTENDANT_DEMO_DIR:-}
if [ -z "$work" ]; then
  work=$(mktemp -d)
fi
mkdir -p "$work"
umask 077

cp "$here/attendant-server.conf" "$here/people.ini" "$work/"

# Users: the password goes in on standard input and only SCRAM keys come out.
rm -f "$work/users.ini"
printf '%s\n' "$password" | "$server" add-user "$work/users.ini" reception \
  --display-name="Reception Desk" --extension=200 >/dev/null
printf '%s\n' "$password" | "$server" add-user "$work/users.ini" backup-desk \
  --display-name="Second Desk" --extension=260 >/dev/null

# The admin API's token: 32 random hex digits.
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$work/admin.token"

# A CA for this run and the nodes' certificate, P-256 keys (they take no
# time), with openssl, which every Debian with ca-certificates has.
cat > "$work/ca.cnf" <<TEMPLATE
[req]
distinguished_name = dn
prompt = no
x509_extensions = ca
[dn]
CN = Attendant demo CA
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:127.0.0.2
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
TEMPLATE
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -days 30 \
  -config "$work/ca.cnf" -keyout "$work/demo-ca-key.pem" -out "$work/demo-ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
  -subj "/CN=attendant demo" -keyout "$work/demo-key.pem" -out "$work/demo.csr" 2>/dev/null
openssl x509 -req -in "$work/demo.csr" -CA "$work/demo-ca.pem" -CAkey "$work/demo-ca-key.pem" \
  -CAcreateserial -days 30 -extfile "$work/ca.cnf" -extensions server \
  -out "$work/demo-cert.pem" 2>/dev/null
rm -f "$work/demo-ca-key.pem" "$work/demo-ca.srl" "$work/demo.csr" "$work/ca.cnf"

config="$work/attendant-server.conf"

if [ "$mode" = check ]; then
  exec "$server" --config "$config" --check
fi

cat <<INFO
Attendant demo cluster "acme", working directory $work

  users      reception / $password (extension 200)
             backup-desk / $password (extension 260)
  primary    ws://127.0.0.1:51234/attendant   wss://127.0.0.1:51235/attendant
  backup     ws://127.0.0.2:51234/attendant   wss://127.0.0.2:51235/attendant
  TLS        trust $work/demo-ca.pem (attendant-cli --ca-file)
  try        $cli check --ca-file $work/demo-ca.pem 127.0.0.1
  admin      $server admin --url http://127.0.0.1:51299 --token-file $work/admin.token state
             … call +390212345678 "ACME Spa"   … crash primary   … start primary
INFO

if [ "$mode" = single ]; then
  exec "$server" --config "$config"
fi

echo "  (separate processes: the backup's admin API is http://127.0.0.1:51298)"
"$server" --config "$config" --node primary &
primary=$!
"$server" --config "$config" --node backup --admin 127.0.0.1:51298 &
backup=$!
trap 'kill $primary $backup 2>/dev/null; wait' INT TERM EXIT
wait
