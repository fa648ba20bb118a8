#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a GUI test program on its own X server and session bus, so it needs
# no display and never talks to the desktop of whoever runs the tests.
set -eu

exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
  dbus-run-session -- "$@"
