#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The network lab's end-to-end GUI suite.

The GTK application, driven in its own process by tests/gui/test-e2e.c (the
real AttendantApplication and AttendantWindow, linked from the GUI's static
library), against real `attendant-server` processes behind the dual-data-centre
set-up of Imagicle's SRV guide, under Xvfb and a private D-Bus session bus
(tests/gui/run-under-xvfb.sh) on which the driver starts python3-dbusmock's
notification daemon. Output is TAP: this runner's own checks, and the
driver's test points relayed as "app: /e2e/...".

It reuses lab.py's namespace, DNS, NAT and certificates, and
lab_failover.py's server processes: it re-executes itself under
`unshare --net --mount`, refuses to go on unless the new network namespace
has no link but `lo`, and bind-mounts the lab's resolv.conf, hosts and
nsswitch.conf, so the application resolves names only through the lab's
dnsmasq and no packet leaves the namespace. In the same private mount
namespace the system's CA bundle is replaced by the lab's CA, so the
application trusts the lab's servers the way it trusts any server: through
the system's anchors, not through a test seam. Needs root (skips without
it, except under CI=true, where it fails), and ATTENDANT_SERVER,
ATTENDANT_GUI_E2E and ATTENDANT_XVFB_WRAPPER (set by meson).
ATTENDANT_LAB_KEEP=1 keeps the work directory; ATTENDANT_SCREENSHOT_DIR,
if set, receives the driver's screenshots.

Servers (one process each, one configuration file):
  dc1   172.17.20.11:51234 plain, :51235 TLS  (SRV 10 100 21234 dc1.acme.com,
        203.0.113.100:21234 NATed to :51235)
  dc2   172.18.20.11:51234 plain, :51235 TLS  (SRV  8  80 21234 dc2.acme.com,
        198.51.100.100:21234 NATed to :51235)
  self  192.0.2.11:51234 plain, :51235 TLS, a self-signed certificate for
        nxdomain.example (no SRV record: the application falls back to its
        A record and the default TLS port)
  dc1 and dc2 have the lab CA's certificate for acme.com, the name typed.

The driver asks on its standard output ("lab: kill dc1", "lab: start dc1")
and this runner answers on its standard input ("killed dc1 T", "started dc1
T"; T is CLOCK_MONOTONIC in microseconds just before the SIGKILL, or once
the restarted server said "ready"), so the driver can time what it sees
against the deed. Nothing here sleeps in place of an event.

The steps (the driver's, in order): log in through the form -> the header
indicator names dc1 over TLS; dc1 SIGKILLed -> dc2 within the bound, and a
toast; dc1 restarted -> failback to dc1; with the window not active, dc1
SIGKILLed again -> the notification daemon gets Notify; log out, log in to
the self-signed server -> the trust dialog -> trust -> connected.
"""

import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lab as L  # noqa: E402 - the lab's directory is put on the path first
import lab_failover as F  # noqa: E402

TAP = L.TAP

DC1 = L.PRIVATE_PRIMARY         # 172.17.20.11
DC2 = L.PRIVATE_DC2             # 172.18.20.11
SELF_SIGNED_NAME = "nxdomain.example"
SELF_SIGNED = L.FALLBACK_HOSTS[SELF_SIGNED_NAME]   # 192.0.2.11
PLAIN, TLS = F.PLAIN, F.TLS
USER = F.USER
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
DRIVER_DEADLINE_S = 240
REQUIRED_TOOLS = ("xvfb-run", "dbus-run-session", "dbus-daemon")


class GuiLab:
    """What lab_failover.Server needs of its lab: the processes, the server
    binary, the configuration and the admin token."""

    def __init__(self, workdir, server):
        self.workdir = workdir
        self.server_path = server
        self.lab = L.Lab(workdir, None)
        self.fw = L.Firewall()
        self.servers = {}
        self.driver = None
        self.driver_lines = []

    def setup(self):
        lab = self.lab
        lab.setup_namespace()
        lab.make_certificates()
        self.make_self_signed()
        self.trust_lab_ca()
        self.write_server_files()
        lab.start_dns("dual")
        self.fw.apply(nat=L.dual_dc_nat(TLS))

    def make_self_signed(self):
        d = os.path.join(self.workdir, "pki")
        key, pem = os.path.join(d, "self.key"), os.path.join(d, "self.pem")
        L.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
               "-nodes", "-keyout", key, "-out", pem, "-days", "2",
               "-subj", f"/CN={SELF_SIGNED_NAME}",
               "-addext", f"subjectAltName=DNS:{SELF_SIGNED_NAME}"])
        self.lab.certs["self"] = (pem, key)
        out = L.run(["openssl", "x509", "-in", pem, "-noout", "-fingerprint", "-sha256"]).stdout
        self.lab.fingerprints["self"] = out.strip().split("=", 1)[1].lower()

    def trust_lab_ca(self):
        """The lab's CA as the system's only anchor, in this mount namespace
        only (private propagation, as for resolv.conf)."""
        if not os.path.exists(CA_BUNDLE):
            raise L.LabError(f"{CA_BUNDLE} is missing (package ca-certificates)")
        bundle = os.path.join(self.workdir, "etc", "ca-certificates.crt")
        shutil.copyfile(self.lab.certs["ca"], bundle)
        L.run(["mount", "--bind", bundle, CA_BUNDLE])

    def write_server_files(self):
        d = F.write_secrets(self, os.path.join(self.workdir, "server"))
        F.write_cluster(self, d, [("dc1", DC1, "acme", ""),
                                  ("dc2", DC2, "acme", ""),
                                  ("self", SELF_SIGNED, "self", "")])

    # -- the driver ---------------------------------------------------------

    def start_driver(self):
        wrapper = os.environ["ATTENDANT_XVFB_WRAPPER"]
        driver = os.environ["ATTENDANT_GUI_E2E"]
        os.environ.update({
            "ATTENDANT_LAB_SERVER": "acme.com",
            "ATTENDANT_LAB_SELF_SIGNED": SELF_SIGNED_NAME,
            "ATTENDANT_LAB_USER": USER,
            "ATTENDANT_LAB_PASSWORD_FILE": self.password_file,
            "ATTENDANT_LAB_SHA256": self.lab.fingerprints["acme"],
            "ATTENDANT_LAB_SELF_SIGNED_SHA256": self.lab.fingerprints["self"],
        })
        log_path = os.path.join(self.workdir, "driver.log")
        with open(log_path, "ab") as log:
            # A process group of its own: xvfb-run, Xvfb, the session bus,
            # the driver and its notification daemon end together.
            self.driver = subprocess.Popen(self.lab.procs.prefix + [wrapper, driver, "--tap"],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=log, close_fds=True, start_new_session=True)
        self.driver.lab_log = log_path

    def answer(self, request):
        """Does what the driver asks; returns the answer line."""
        verb, _, node = request.partition(" ")
        server = self.servers.get(node)
        if server is None or verb not in ("kill", "start"):
            raise L.LabError(f"the driver asked for “{request}”")
        if verb == "kill":
            t0 = server.kill()
            return f"killed {node} {int(t0 * 1e6)}"
        server.start()
        return f"started {node} {int(time.monotonic() * 1e6)}"

    def run_driver(self):
        """Relays the driver's TAP and answers its requests until it exits;
        returns the number of its test points."""
        proc = self.driver
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + DRIVER_DEADLINE_S
        buffer = b""
        points = 0
        planned = None
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise L.LabError(f"the driver did not finish within {DRIVER_DEADLINE_S} s")
                if not selector.select(timeout=remaining):
                    continue
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buffer += chunk
                while b"\n" in buffer:
                    raw, buffer = buffer.split(b"\n", 1)
                    line = raw.decode("utf-8", "replace")
                    self.driver_lines.append(line)
                    if line.startswith("lab: "):
                        reply = self.answer(line[len("lab: "):])
                        TAP.diag(f"lab: {line[len('lab: '):]} -> {reply}")
                        proc.stdin.write((reply + "\n").encode())
                        proc.stdin.flush()
                    elif line.startswith("ok ") or line.startswith("not ok "):
                        points += 1
                        self.relay(line)
                    elif line.startswith("1.."):
                        planned = int(line[3:].split()[0])
                    elif line.startswith("Bail out!"):
                        TAP.ok(False, f"app: {line}", self.driver_tail())
                    elif "-DEBUG: " not in line:
                        # Debug messages stay in the failure report only.
                        TAP.diag(f"app: {line}")
        finally:
            selector.close()
        status = proc.wait(timeout=30)
        TAP.ok(status == 0 and planned is not None and points == planned,
               "the driver ran every step and exited with 0",
               [f"exit status {status}, {points} test points of {planned}"]
               + self.driver_tail())

    def relay(self, line):
        """One driver test point ("ok 3 /e2e/failback", "not ok 4 /e2e/x #
        TODO why") as one of ours."""
        passed = line.startswith("ok ")
        rest = line.split(" ", 2 if passed else 3)[-1]
        name, _, directive = rest.partition(" # ")
        todo = directive[len("TODO "):] if directive.startswith("TODO") else None
        if directive.startswith("SKIP"):
            TAP.ok(False, f"app: {name} was skipped in the lab: {directive}", self.driver_tail())
            return
        TAP.ok(passed, f"app: {name}", self.driver_tail(), todo=todo)

    def driver_tail(self, lines=60):
        out = ["driver output, last lines:"] + [f"  {line}" for line in self.driver_lines[-lines:]]
        if self.driver is not None:
            out += ["driver log:", *L.tail(self.driver.lab_log).splitlines()]
        for server in self.servers.values():
            if server.proc is not None:
                out += [f"{server.node} server log:", *L.tail(server.proc.lab_log, 10).splitlines()]
        return out

    def stop_driver(self):
        """Ends whatever is left of the driver's process group."""
        if self.driver is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.driver.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.driver.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                continue
        for stream in (self.driver.stdin, self.driver.stdout):
            try:
                stream.close()
            except OSError:
                pass


# ---------------------------------------------------------------------------
# Entry

def outside_namespace():
    problem = L.namespace_problem()
    if problem:
        L.cannot_run(f"lab {problem}")
    missing = [t for t in REQUIRED_TOOLS if shutil.which(t, path=L.SBIN_PATH) is None]
    if missing:
        L.cannot_run(f"lab-gui needs {', '.join(missing)}")
    # Meson's find of a Python with dbusmock (tests/gui/meson.build).
    if not os.environ.get("ATTENDANT_TEST_PYTHON"):
        L.cannot_run("lab-gui needs python3-dbusmock")
    for var in ("ATTENDANT_SERVER", "ATTENDANT_GUI_E2E", "ATTENDANT_XVFB_WRAPPER"):
        path = os.environ.get(var)
        if not path or not os.access(path, os.X_OK):
            print(f"Bail out! {var} is not set to a program (run with `meson test`)")
            sys.exit(1)
    L.enter_namespace(__file__, sys.argv[1:])


def inside_namespace():
    server = os.environ["ATTENDANT_SERVER"]
    workdir = tempfile.mkdtemp(prefix="attendant-lab-gui-")
    glab = GuiLab(workdir, server)

    def on_signal(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    started = time.monotonic()
    try:
        glab.setup()
        TAP.diag(f"gui lab in {workdir}; attendant-server: {server}")
        for name in ("dc1", "dc2", "self"):
            glab.servers[name].start()
        TAP.ok(True, "dc1, dc2 and the self-signed server are ready, each its own process")
        glab.start_driver()
        glab.run_driver()
    except Exception as e:  # noqa: BLE001 - report, then clean up
        TAP.ok(False, f"gui lab ran to completion: {e}",
               traceback.format_exc().splitlines() + glab.driver_tail())
    except SystemExit as e:
        TAP.ok(False, "gui lab finished", [str(e)])
    finally:
        glab.stop_driver()
        glab.lab.procs.stop_all()
        status = L.finish("gui lab", workdir, started)
    return status


def main():
    L.run_main(outside_namespace, inside_namespace)


if __name__ == "__main__":
    main()
