#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Attendant demo: the app, logged in to the reference server's demo cluster.

    python3 build-aux/demo.py BUILDDIR

Runs data/demo/run.sh (the cluster "acme": node "primary" on 127.0.0.1,
node "backup" on 127.0.0.2, TLS with a CA made for the run, a directory of
300 people, a caller about every 20 seconds) with its working directory in
BUILDDIR/demo-run, waits until the server says "ready", starts
build-aux/morning.py (a receptionist's morning through the admin API:
callers queueing with Italian and English names, colleagues coming and
going, callers giving up; ATTENDANT_DEMO_SPEED=N plays it N times faster),
then opens BUILDDIR's `attendant` logged in as "reception" over TLS.

The app runs with settings of its own (a keyfile under the working
directory), so the demo neither reads nor changes the user's: there it has
the server, the user name, and the demo certificate trusted for 127.0.0.1
— the pin a user would make in the trust dialog. It runs under its own
application id, so an Attendant the user already has open stays as it is.

Quitting the app stops the server; Ctrl-C stops both. Everything listens on
loopback only.
"""

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


def main():
    if len(sys.argv) != 2:
        fail("usage: python3 build-aux/demo.py BUILDDIR")
    builddir = os.path.abspath(sys.argv[1])
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

    env = dict(os.environ, ATTENDANT_DEMO_DIR=work, ATTENDANT_SERVER=server)
    cluster = subprocess.Popen(["sh", os.path.join(srcdir, "data", "demo", "run.sh"), builddir],
                               env=env, stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    attendant = None
    morning = None

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
            sys.stdout.write(line)
            if line.strip() == "ready":
                break
        else:
            fail("the demo server stopped before it was ready (see above)")
        sys.stdout.flush()

        # The morning's story goes to the terminal with the server's log.
        morning = subprocess.Popen([sys.executable, os.path.join(srcdir, "build-aux", "morning.py"),
                                    "--url", "http://127.0.0.1:51299",
                                    "--token-file", os.path.join(work, "admin.token"),
                                    "--speed", os.environ.get("ATTENDANT_DEMO_SPEED", "1")],
                                   start_new_session=True)

        config_home = os.path.join(work, "config")
        write_settings(config_home, certificate_sha256(os.path.join(work, "demo-cert.pem")))
        password_file = os.path.join(work, "password")
        with open(os.open(password_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(PASSWORD + "\n")

        admin = "%s admin --url http://127.0.0.1:51299 --token-file %s" % (
            os.path.relpath(server), os.path.relpath(os.path.join(work, "admin.token")))
        print("""
Attendant is opening, logged in to the demo cluster as "%s" (password "%s").

Try a failover: in another terminal, crash the primary node
    %s crash primary
The app moves to "backup" within a second and says so. Bring the primary
back with "... start primary": after a minute with no call in progress the
app returns to it. The morning's callers and colleagues are played by
build-aux/morning.py (its lines start with "morning"). Quit the app
(Ctrl+Q) to stop the demo.
""" % (USER, PASSWORD, admin), flush=True)

        app_env = dict(os.environ,
                       XDG_CONFIG_HOME=config_home,
                       GSETTINGS_BACKEND="keyfile",
                       GSETTINGS_SCHEMA_DIR=os.path.join(builddir, "data"),
                       # LANGUAGE=it then works from the build tree too.
                       ATTENDANT_LOCALEDIR=os.path.join(builddir, "po"))
        attendant = subprocess.Popen([app, "--gapplication-app-id=%s.Demo" % APP_ID,
                                      "--server", SERVER, "--user", USER,
                                      "--password-file", password_file],
                                     env=app_env)
        # Keep echoing whatever the server prints while the app runs.
        threading.Thread(target=shutil.copyfileobj, args=(cluster.stdout, sys.stdout),
                         daemon=True).start()
        status = attendant.wait()
    finally:
        stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
