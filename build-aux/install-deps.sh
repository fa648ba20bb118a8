#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs what building and testing Attendant needs on Debian 12.
# Run as root, or as a user who may use sudo.
set -eu

packages="
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
  libglib2.0-bin
  libgtk-4-bin
  desktop-file-utils
  appstream
  gettext
  xvfb
  libxtst-dev
  xauth
  dbus
  glib-networking
  gnutls-bin
  openssl
  python3
  python3-dbusmock
  dnsmasq-base
  nftables
  iproute2
  util-linux
  hyperfine
  clang
  libclang-rt-14-dev
  valgrind
"

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "install-deps.sh: run as root (apt-get needs it), or install sudo" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -q
# shellcheck disable=SC2086
$as_root apt-get install -y -q --no-install-recommends $packages
