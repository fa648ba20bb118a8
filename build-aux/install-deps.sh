#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs what building and testing Attendant needs on Debian 12:
#
#   sh build-aux/install-deps.sh           everything (the test command, CI)
#   sh build-aux/install-deps.sh --demo    only what building and running the
#                                          demo needs (the demo command)
#
# Only packages that are missing are installed, and packages already there
# are left at their version (apt-get --no-upgrade): the demo command must
# not change a machine more than it needs. Nothing is run at all when
# everything is there. Run as root, or as a user who may use sudo.
set -eu

# Building the app, the server and the CLI, and running the demo: the
# compiler and meson, the libraries, the tools the build runs
# (glib-compile-schemas, gtk4-update-icon-cache and update-desktop-database
# for meson's post-install step, msgfmt, appstream's rules for the
# metainfo), TLS for GIO, openssl for the demo's certificates, python3
# for the demo's scripts.
demo_packages="
  ca-certificates
  gcc
  meson
  ninja-build
  pkg-config
  libglib2.0-dev
  libjson-glib-dev
  libgsasl-dev
  libsoup-3.0-dev
  libgtk-4-dev
  libadwaita-1-dev
  libsecret-1-dev
  libgsound-dev
  sound-theme-freedesktop
  libglib2.0-bin
  libgtk-4-bin
  desktop-file-utils
  appstream
  gettext
  glib-networking
  openssl
  python3
"

# Only the test suites, the network lab, the benchmark, the fuzzers and
# the leak checks need these; add test-only packages at the end.
test_packages="
  xvfb
  libxtst-dev
  xauth
  dbus
  gnutls-bin
  python3-dbusmock
  dnsmasq-base
  nftables
  iproute2
  util-linux
  hyperfine
  clang
  libclang-rt-14-dev
  valgrind
  yelp-tools
  flatpak-builder
"

# Test-only: the runtime of the shared Asterisk 22 build (curl for its
# run-asterisk.sh, xz-utils to unpack it) and baresip, the SIP phone of
# the asterisk suite (tests/asterisk, docs/asterisk.md).
test_packages="$test_packages
  libjansson4
  libxml2
  libxslt1.1
  libsqlite3-0
  libuuid1
  libedit2
  libssl3
  libcurl4
  curl
  xz-utils
  baresip-core
"

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "install-deps.sh: run as root (apt-get needs it), or install sudo" >&2
  exit 1
fi

case "${1:-}" in
  "") packages="$demo_packages $test_packages" ;;
  --demo) packages="$demo_packages" ;;
  *) echo "usage: sh build-aux/install-deps.sh [--demo]" >&2; exit 2 ;;
esac

missing=""
for package in $packages; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" != installed ]; then
    missing="$missing $package"
  fi
done
if [ -z "$missing" ]; then
  echo "install-deps.sh: every package needed is installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
# shellcheck disable=SC2086
$as_root apt-get install -y -q --no-install-recommends --no-upgrade $missing
