#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `meson install` into a temporary DESTDIR must give a working
# installation: every file at its standard path, an `attendant-cli` that
# runs from there, and a desktop file that starts the installed `attendant`
# (through D-Bus activation, as DBusActivatable=true asks).
#
# The launch check needs the installation at its real prefix, so it
# bind-mounts the DESTDIR copy over the prefix in a private mount
# namespace: that needs root, like the network lab. Not root, it is
# skipped, except under CI=true where skipping would hide a failure.

import os
import shutil
import subprocess
import sys
import tempfile

builddir, srcdir, prefix, version = sys.argv[1:5]
APP_ID = "io.github.attendant.Attendant"
count = 0
failures = 0


def check(ok, what):
    global count, failures
    count += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (count, what), flush=True)
    if not ok:
        failures += 1
    return ok


def languages():
    with open(os.path.join(srcdir, "po", "LINGUAS"), encoding="utf-8") as f:
        return [w for line in f if not line.startswith("#") for w in line.split()]


destdir = tempfile.mkdtemp(prefix="attendant-install-")
try:
    result = subprocess.run(["meson", "install", "-C", builddir, "--no-rebuild",
                             "--destdir", destdir, "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if not check(result.returncode == 0, "meson install into a DESTDIR succeeds"):
        print(result.stdout)

    root = destdir + prefix
    expected = [
        "bin/attendant",
        "bin/attendant-cli",
        "bin/attendant-server",
        "share/applications/%s.desktop" % APP_ID,
        "share/metainfo/%s.metainfo.xml" % APP_ID,
        "share/glib-2.0/schemas/%s.gschema.xml" % APP_ID,
        "share/dbus-1/services/%s.service" % APP_ID,
        "share/icons/hicolor/scalable/apps/%s.svg" % APP_ID,
        "share/icons/hicolor/symbolic/apps/%s-symbolic.svg" % APP_ID,
    ] + ["share/locale/%s/LC_MESSAGES/attendant.mo" % lang for lang in languages()]
    for rel in expected:
        check(os.path.isfile(os.path.join(root, rel)), "installs %s" % rel)
    for rel in ("bin/attendant", "bin/attendant-cli", "bin/attendant-server"):
        check(os.access(os.path.join(root, rel), os.X_OK), "%s is executable" % rel)

    desktop = open(os.path.join(root, "share/applications/%s.desktop" % APP_ID)).read()
    check("\nExec=attendant %U\n" in desktop,
          "the desktop file hands links to the program (Exec=attendant %U)")
    mime_types = [line.split("=", 1)[1].strip(";").split(";")
                  for line in desktop.splitlines() if line.startswith("MimeType=")]
    for scheme in ("tel", "callto", "sip"):
        check(any("x-scheme-handler/" + scheme in types for types in mime_types),
              "the desktop file handles %s: links" % scheme)

    service = open(os.path.join(root, "share/dbus-1/services/%s.service" % APP_ID)).read()
    check("Exec=%s/bin/attendant " % prefix in service,
          "the D-Bus service starts the installed binary at its prefix")

    # Nothing from the tests, the benchmarks or the fuzzers is installed.
    stray = []
    for dirpath, _, filenames in os.walk(os.path.join(root, "bin")):
        stray += [n for n in filenames if not n.startswith("attendant")]
    check(stray == [], "only the three programs are installed in bin: %s" % stray)

    cli = subprocess.run([os.path.join(root, "bin/attendant-cli"), "--version"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(cli.returncode == 0 and cli.stdout.strip() == "attendant-cli %s" % version,
          "the installed attendant-cli --version prints %r (got %r)" % (version, cli.stdout.strip()))

    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            check(False, "the launch check runs (CI runs the tests as root)")
        else:
            count += 1
            print("ok %d # SKIP the launch check needs root for a private mount namespace" % count)
    else:
        launcher = os.path.join(srcdir, "tests", "packaging", "launch-installed.sh")
        env = dict(os.environ)
        env.pop("GSETTINGS_SCHEMA_DIR", None)
        launch = subprocess.run(["unshare", "--mount", "--propagation", "private",
                                 "sh", launcher, root, prefix, APP_ID],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=env, timeout=120)
        print("\n".join("# " + line for line in launch.stdout.splitlines()))
        check(launch.returncode == 0 and
              "exe=%s/bin/attendant\n" % prefix in launch.stdout,
              "gio launch of the installed desktop file starts the installed attendant")
        for scheme in ("tel", "callto", "sip"):
            check("handler=%s\n" % scheme in launch.stdout,
                  "the installed attendant is a registered handler of %s: links" % scheme)
        check(launch.returncode == 0 and
              "tel-exe=%s/bin/attendant\n" % prefix in launch.stdout,
              "gio open tel:… starts the installed attendant through D-Bus activation")
finally:
    shutil.rmtree(destdir, ignore_errors=True)

print("1..%d" % count)
sys.exit(1 if failures else 0)
