#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Attendant demo: the app, logged in to the reference server's demo cluster.

    python3 build-aux/demo.py [--log FILE] BUILDDIR

Runs data/demo/run.sh (the cluster "acme": node "primary" on 127.0.0.1,
node "backup" on 127.0.0.2, TLS with a CA made for the run, a directory of
300 people, a caller about every 17 seconds on average) with its working
directory in BUILDDIR/demo-run, waits until the server says "ready",
starts build-aux/morning.py (a receptionist's morning through the admin
API: more callers, with Italian and English names, colleagues coming and
going, callers giving up; ATTENDANT_DEMO_SPEED=N plays it N times faster),
then opens BUILDDIR's `attendant` logged in as "reception" over TLS.

The terminal gets a few lines: who the app is logged in as, and the
command that crashes the primary, with full paths so that it works from
any directory. Everything the server, the morning and the app print is
appended to FILE (default BUILDDIR/demo.log).

The app runs with settings of its own (a keyfile under the working
directory), so the demo neither reads nor changes the user's: there it has
the server, the user name, and the demo certificate trusted for 127.0.0.1
— the pin a user would make in the trust dialog. It runs under its own
application id, so an Attendant the user already has open stays as it is.

Quitting the app stops the server; Ctrl-C stops both. Everything listens on
loopback only.
"""

import argparse
import base64
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading

APP_ID = "io.github.attendant.Attendant"
USER = "reception"
PASSWORD = "attendant-demo"
SERVER = "127.0.0.1"


def fail(message):
    print("demo: " + message, file=sys.stderr)
    sys.exit(1)


def certificate_sha256(path):
    """SHA-256 of the first certificate of a PEM file, as the app pins it."""
    with open(path, encoding="ascii") as f:
        pem = f.read()
    begin = pem.index("-----BEGIN CERTIFICATE-----") + len("-----BEGIN CERTIFICATE-----")
    end = pem.index("-----END CERTIFICATE-----")
    der = base64.b64decode("".join(pem[begin:end].split()))
    return ":".join("%02x" % b for b in hashlib.sha256(der).digest())


def write_settings(config_home, fingerprint):
    # GSettings' keyfile backend: one group per schema path, GVariant text.
    settings_dir = os.path.join(config_home, "glib-2.0", "settings")
    os.makedirs(settings_dir, exist_ok=True)
    with open(os.path.join(settings_dir, "keyfile"), "w", encoding="utf-8") as f:
        f.write("[io/github/attendant/Attendant]\n")
        f.write("server='%s'\n" % SERVER)
        f.write("user-name='%s'\n" % USER)
        f.write("transport='tls'\n")
        f.write("trusted-certificates=['%s %s']\n" % (SERVER, fingerprint))
        # Closing the demo's window ends the demo, as the terminal says; a
        # receptionist's own Attendant keeps running in the background.
        f.write("close-action='quit'\n")


def tail(path, lines=20):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def copy_lines(source, destination):
    # Line by line: shutil.copyfileobj() would wait for 64 KiB of them.
    for line in source:
        destination.write(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", help="append what the server, the morning and the app print "
                                      "to this file (default: BUILDDIR/demo.log)")
    parser.add_argument("builddir", metavar="BUILDDIR")
    options = parser.parse_args()
    builddir = os.path.abspath(options.builddir)
    log_path = os.path.abspath(options.log or os.path.join(builddir, "demo.log"))
    srcdir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = os.path.join(builddir, "src", "gui", "attendant")
    server = os.path.join(builddir, "src", "server", "attendant-server")
    for program in (app, server):
        if not os.access(program, os.X_OK):
            fail("%s is missing: build first (sh build-aux/demo.sh does)" % program)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        fail("no display: run it in a desktop session (or under xvfb-run)")

    work = os.path.join(builddir, "demo-run")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work, mode=0o700)

    # Line-buffered: the log is read while the demo runs (tail -f).
    log = open(log_path, "a", encoding="utf-8", buffering=1)
    env = dict(os.environ, ATTENDANT_DEMO_DIR=work, ATTENDANT_SERVER=server)
    cluster = subprocess.Popen(["sh", os.path.join(srcdir, "data", "demo", "run.sh"), builddir],
                               env=env, stdout=subprocess.PIPE, stderr=log,
                               text=True, start_new_session=True)
    attendant = None
    morning = None
    copier = None

    def stop(signum=None, frame=None):
        for process in (attendant, morning, cluster):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (attendant, morning, cluster):
            if process is not None:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if signum is not None:
            sys.exit(128 + signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)

    try:
        # The server prints one line per listener, then "ready".
        for line in cluster.stdout:
            log.write(line)
            if line.strip() == "ready":
                break
        else:
            fail("the demo server stopped before it was ready; the end of %s:\n%s"
                 % (log_path, tail(log_path)))

        # The morning's story goes to the log with the server's.
        morning = subprocess.Popen([sys.executable, os.path.join(srcdir, "build-aux", "morning.py"),
                                    "--url", "http://127.0.0.1:51299",
                                    "--token-file", os.path.join(work, "admin.token"),
                                    "--speed", os.environ.get("ATTENDANT_DEMO_SPEED", "1")],
                                   stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)

        config_home = os.path.join(work, "config")
        write_settings(config_home, certificate_sha256(os.path.join(work, "demo-cert.pem")))
        password_file = os.path.join(work, "password")
        with open(os.open(password_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(PASSWORD + "\n")

        # Full paths: the command must work as printed, from any directory.
        admin = "%s admin --url http://127.0.0.1:51299 --token-file %s" % (
            server, os.path.join(work, "admin.token"))
        print('demo: Attendant is opening, logged in to the demo cluster as "%s" '
              '(password "%s").\n'
              "demo: try a failover: crash the primary from another terminal with\n"
              "    %s crash primary\n"
              'demo: "start primary" instead brings it back; quit the app (Ctrl+Q) or close its window to stop the demo.'
              % (USER, PASSWORD, admin), flush=True)

        app_env = dict(os.environ,
                       XDG_CONFIG_HOME=config_home,
                       GSETTINGS_BACKEND="keyfile",
                       GSETTINGS_SCHEMA_DIR=os.path.join(builddir, "data"),
                       # LANGUAGE=it then works from the build tree too.
                       ATTENDANT_LOCALEDIR=os.path.join(builddir, "po"))
        attendant = subprocess.Popen([app, "--gapplication-app-id=%s.Demo" % APP_ID,
                                      "--server", SERVER, "--user", USER,
                                      "--password-file", password_file],
                                     env=app_env, stdout=log, stderr=subprocess.STDOUT)
        # Keep logging whatever the server prints while the app runs.
        copier = threading.Thread(target=copy_lines, args=(cluster.stdout, log), daemon=True)
        copier.start()
        status = attendant.wait()
        if status != 0:
            print("demo: the app stopped with status %d; the end of %s:\n%s"
                  % (status, log_path, tail(log_path)), file=sys.stderr, end="")
    finally:
        stop()
        # The server's last lines, then the log can close.
        if copier is not None:
            copier.join(timeout=5)
        log.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
