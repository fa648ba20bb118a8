#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The network lab's failover suite: failover and failback (docs/architecture.md)
with real servers, for real.

Runs real `attendant-server` processes (one node each, so that a node can be
killed with SIGKILL) on the private addresses of Imagicle's SRV guide, behind its NAT
rules (nftables DNAT from the public 203.0.113.100:28101/28102), found
through its SRV records (dnsmasq), and asserts what `attendant-cli watch`
prints (one JSON object per line, docs/cli.md) when nodes die, freeze, drain and
come back. Output is TAP.

It reuses lab.py's namespace, DNS, NAT and certificates: it re-executes
itself under `unshare --net --mount`, refuses to go on unless its new network
namespace has no link but `lo`, and bind-mounts the lab's resolv.conf, hosts
and nsswitch.conf, so no packet leaves the namespace and the CLI only ever
resolves names through the lab's dnsmasq. Needs root (skips without it,
except under CI=true, where it fails), and ATTENDANT_CLI and ATTENDANT_SERVER
pointing at the binaries. ATTENDANT_LAB_KEEP=1 keeps the work directory.
Arguments, if any, choose the parts to run: plain (1-5, 7), tls (1T),
defaults (2 with the client's default settings),
fallback (6), storm (8).

The users file and the admin token are written at run time, with a random
password; nothing secret is in the repository.

Servers (one process each, same configuration file):
  primary  172.17.20.11:51234 plain, :51235 TLS   (SRV 10 100 28101 acme.com)
  backup   172.17.20.12:51234 plain, :51235 TLS   (SRV  8  80 28102 acme.com)
  spare    172.17.20.13:51234 plain, :51235 TLS   (in no SRV record)
  primary and backup advertise only the spare as the cluster's node list
  (advertise=172.17.20.13:…), so a client that wrongly used the node list
  after SRV would show up there; nftables counts the SYNs it gets.
  The certificate of every node is for acme.com, the name users type.

Scenarios (plain unless said):
  1  primary SIGKILLed -> disconnected, then connected to 28102 with
     failover=true within 1 s of the kill (measured kill -> connected line);
     the dead primary is last in the new cycle's plan; a fresh snapshot
  1T the same over TLS (--ca-file with the lab's CA, certificate for acme.com)
  2  primary frozen (nftables drops everything to and from 172.17.20.11) ->
     disconnected reason heartbeat-timeout within 2 heartbeat intervals
     (--heartbeat=2: at most 4 s after the freeze), then logged in on the
     backup with a fresh snapshot within the attempt timeout (5 s)
  3  primary drained (`attendant-server admin … drain primary`) -> disconnected
     reason drain and connected to 28102 within 1 s; 28101 left out of the
     cycle's plan
  4  failback (--failback-interval=2): after the primary's process restarts,
     and after the primary is started again after its drain, the client moves
     back (connected failback=true, no disconnected line: make before break);
     while a call is in progress (injected with the admin API's POST /calls,
     answered with call.answer on watch's stdin) it stays on the backup for
     3 intervals although the primary is verifiably back; after call.hangup
     it fails back
  5  SRV answered: the node list is never contacted, in every scenario above
     and while every SRV target is down (7): no SYN to the spare, no
     node-list entry in any plan
  6  SRV NXDOMAIN (nxdomain.example; its A record 192.0.2.11 is NATed to the
     primary's 51234): fallback login on the primary; primary SIGKILLed ->
     the node list is used: connected to the spare (an advertised node)
  7  every endpoint down for 30 s: connection cycles counted (5..11, see
     BACKOFF_MAX_CYCLES), each reconnect-scheduled delay within its cap
     (1 s base, x2, 60 s cap), one fresh SRV query per cycle
  8  failover storm: 200 `watch` processes on the primary, primary SIGKILLed,
     all 200 log in on the backup with failover=true; the time until the
     last one is a TAP diagnostic only (speed is a benchmark's business)
"""

import json
import os
import resource
import secrets
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lab as L  # noqa: E402 - the lab's directory is put on the path first

TAP = L.TAP

PRIMARY = L.PRIVATE_PRIMARY       # 172.17.20.11
BACKUP = L.PRIVATE_BACKUP         # 172.17.20.12
SPARE = "172.17.20.13"            # the node list's only node; in no SRV record
PLAIN, TLS = 51234, 51235
FALLBACK_DOMAIN = "nxdomain.example"   # SRV NXDOMAIN, A record below
FALLBACK_ADDRESS = L.FALLBACK_HOSTS[FALLBACK_DOMAIN]

USER = "reception"
EXTENSION = "200"

HEARTBEAT_S = 2         # --heartbeat for the scenario clients
FAILBACK_S = 2          # --failback-interval for the scenario clients
ATTEMPT_TIMEOUT_S = 5   # the default --timeout
FAILOVER_BOUND_S = 1.0  # kill -> connected on the backup
BACKOFF_WINDOW_S = 30
# With full jitter (delay uniform in [0.05 s, min(2^k s, 60 s)]), the number
# of cycles started within 30 s of the loss (the first at once) is 6 or 7 in
# 94% of runs; a Monte Carlo of 2 million runs gave P(>8) = 0.6%, P(>10) =
# 3e-5, P(>11) = 1.5e-6. So 11 keeps the check from failing by chance, and
# still fails a fixed 1 s retry (30 cycles) or a tight loop (hundreds). At
# least 5 cycles are certain: the first four delays add up to at most 15 s.
BACKOFF_MIN_CYCLES = 5
BACKOFF_MAX_CYCLES = 11
STORM_CLIENTS = 200
STORM_BATCH = 20


# ---------------------------------------------------------------------------
# Processes

def spawn(lab, name, argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL):
    """Like lab.Processes.start (registered, stopped at the end, killed with
    the runner), with a choice of stdin."""
    procs = lab.procs
    log_path = os.path.join(procs.workdir, f"{name}.log")
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(procs.prefix + argv, stdin=stdin, stdout=stdout, stderr=log,
                                close_fds=True)
    proc.lab_name = name
    proc.lab_log = log_path
    procs.running.append(proc)
    return proc


def forget(lab, proc):
    if proc in lab.procs.running:
        lab.procs.running.remove(proc)


def read_lines_until(proc, last, deadline_s):
    """The lines a process prints up to and including `last`, or None if it
    does not print it in time (or exits first)."""
    deadline = time.monotonic() + deadline_s
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    buffer = b""
    try:
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                return None
            buffer += chunk
            lines = buffer.decode("utf-8", "replace").splitlines()
            if buffer.endswith(b"\n") and last in lines:
                return lines
    finally:
        selector.close()
    return None


def write_secrets(flab, d):
    """Makes directory d with a users file (USER) and an admin token, and
    sets flab's password_file, token_file and token. The password is made
    now and kept in files only the runner can read (the work directory is
    0700 and removed at the end). Returns d."""
    os.makedirs(d)
    flab.password_file = os.path.join(d, "password")
    flab.token_file = os.path.join(d, "admin.token")
    flab.token = secrets.token_hex(16)
    for path, content in ((flab.password_file, secrets.token_urlsafe(18) + "\n"),
                          (flab.token_file, flab.token + "\n")):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(content)
    users = os.path.join(d, "users.ini")
    result = subprocess.run([flab.server_path, "add-user", users, USER,
                             "--display-name=Reception Desk", f"--extension={EXTENSION}",
                             f"--password-file={flab.password_file}"],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0:
        raise L.LabError(f"attendant-server add-user failed: {result.stderr}")
    return d


def write_cluster(flab, d, nodes):
    """server.conf in d: the admin API, the users file of write_secrets, and
    one node a (name, address, certificate, extra lines), each with plain on
    PLAIN and TLS on TLS with the lab's named certificate. Sets flab.config,
    and flab.servers to a Server a node (not started)."""
    sections = []
    for name, address, cert, extra in nodes:
        pem, key = flab.lab.certs[cert]
        sections.append(f"[node {name}]\n"
                        f"plain={address}:{PLAIN}\n"
                        f"tls={address}:{TLS}\n"
                        f"certificate={pem}\n"
                        f"key={key}\n" + extra)
    flab.config = os.path.join(d, "server.conf")
    with open(flab.config, "w") as f:
        f.write("[server]\n"
                "cluster=acme\n"
                "users=users.ini\n"
                "admin=127.0.0.1:0\n"
                "admin-token-file=admin.token\n"
                # Every lab client comes from the one address, and a storm
                # (up to the benchmark's 1,000) reconnects all at once:
                # docs/server.md, "Hostile clients".
                "unauthenticated-per-address=4096\n"
                "unauthenticated-total=4096\n"
                "\n" + "\n".join(sections) + "\n"
                "[directory]\n"
                "201=Bruno Bianchi;Sales\n"
                "202=Carla Rossi;Support\n")
    flab.servers = {name: Server(flab, name, address) for name, address, _, _ in nodes}


class Server:
    """One attendant-server process hosting one node."""

    def __init__(self, flab, node, address):
        self.flab = flab
        self.node = node
        self.address = address
        self.proc = None
        self.admin_url = None
        self.generation = 0

    def start(self):
        assert self.proc is None or self.proc.poll() is not None
        self.generation += 1
        lab = self.flab.lab
        argv = [self.flab.server_path, "--config", self.flab.config, "--node", self.node,
                "--admin", "127.0.0.1:0"]
        self.proc = spawn(lab, f"server-{self.node}-{self.generation}", argv,
                          stdout=subprocess.PIPE)
        lines = read_lines_until(self.proc, "ready", 10)
        if lines is None:
            raise L.LabError(f"attendant-server for node {self.node} did not say ready "
                             f"within 10 s:\n" + L.tail(self.proc.lab_log))
        want = {f"node {self.node} plain {self.address} {PLAIN}",
                f"node {self.node} tls {self.address} {TLS}"}
        if not want <= set(lines):
            raise L.LabError(f"attendant-server {self.node} listens elsewhere: {lines}")
        self.admin_url = next(line.split(" ", 1)[1] for line in lines if line.startswith("admin "))
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL: the process dies at once, the kernel closes its sockets.
        Returns the monotonic time just before the signal."""
        t0 = time.monotonic()
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        forget(self.flab.lab, self.proc)
        self.proc.stdout.close()
        return t0

    def stop(self):
        if self.proc is not None:
            self.flab.lab.procs.stop(self.proc)

    def admin(self, method, path, body=None):
        """The admin API over HTTP (loopback inside the namespace, no proxy)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.admin_url + path, data=data, method=method,
            headers={"Authorization": f"Bearer {self.flab.token}",
                     "Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            return json.loads(response.read())

    def admin_command(self, *args):
        """The `attendant-server admin` subcommand."""
        argv = [self.flab.server_path, "admin", "--url", self.admin_url,
                "--token-file", self.flab.token_file, *args]
        return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=30)


class Watch:
    """One `attendant-cli watch`: every line it prints, parsed, with the
    runner's monotonic time of its arrival; commands written to its stdin."""

    def __init__(self, flab, name, args):
        flab.lab.check_isolation()
        flab.lab.check_resolver()
        self.name = name
        self.argv = [flab.cli_path, "watch", "--user", USER,
                     "--password-file", flab.password_file, *args]
        self.lines = []
        self.eof = False
        self.cond = threading.Condition()
        self.started = time.monotonic()
        self.proc = spawn(flab.lab, name, self.argv, stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE)
        self.flab = flab
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for raw in self.proc.stdout:
            now = time.monotonic()
            try:
                obj = json.loads(raw)
                if not isinstance(obj, dict):
                    raise ValueError("not an object")
            except ValueError:
                obj = {"event": "(not a JSON object)", "raw": raw.decode("utf-8", "replace")}
            with self.cond:
                self.lines.append((now, obj))
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.lines)

    def wait(self, predicate, timeout_s, since=0):
        """The first line from index `since` on that satisfies the predicate:
        (index, arrival, object), or None at the deadline or end of output."""
        deadline = time.monotonic() + timeout_s
        i = since
        with self.cond:
            while True:
                while i < len(self.lines):
                    if predicate(self.lines[i][1]):
                        return i, self.lines[i][0], self.lines[i][1]
                    i += 1
                remaining = deadline - time.monotonic()
                if self.eof or remaining <= 0:
                    return None
                self.cond.wait(remaining)

    def between(self, start, end=None):
        with self.cond:
            return list(self.lines[start:end])

    def send(self, obj):
        self.proc.stdin.write((json.dumps(obj) + "\n").encode())
        self.proc.stdin.flush()

    def describe(self, since=0, limit=60):
        lines = self.between(since)
        out = [f"{self.name}: {' '.join(self.argv)}",
               f"{len(lines)} line(s) since #{since}" + (f", last {limit}:" if len(lines) > limit else ":")]
        for arrival, obj in lines[-limit:]:
            out.append(f"  +{arrival - self.started:8.3f} {json.dumps(obj)[:400]}")
        status = self.proc.poll()
        out.append(f"process: {'running' if status is None else f'exited with {status}'}")
        err = L.tail(self.proc.lab_log, 10).strip()
        if err:
            out += ["stderr:", *err.splitlines()]
        return out

    def terminate(self):
        if self.proc.poll() is None:
            self.proc.terminate()

    def finish(self, timeout=10):
        """SIGTERM (if not yet sent), then the exit status."""
        self.terminate()
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            status = self.proc.wait()
        forget(self.flab.lab, self.proc)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        return status


def is_event(name, **fields):
    def predicate(obj):
        return obj.get("event") == name and all(obj.get(k) == v for k, v in fields.items())
    return predicate


def any_event(*names):
    return lambda obj: obj.get("event") in names


# ---------------------------------------------------------------------------
# nftables: lab.py's table, plus a set of frozen addresses

class Firewall(L.Firewall):
    """lab.py's firewall, plus "frozen" addresses: every packet to or from
    one is dropped in the output hook (after DNAT, before the reverse NAT),
    which is a server that stops answering without closing anything."""

    def apply(self, nat=(), watch=None, drops=()):
        super().apply(nat=nat, watch=watch, drops=drops)
        snippet = "\n".join([
            "add set ip lab frozen { type ipv4_addr; }",
            "add counter ip lab frozen_drops",
            'add rule ip lab filter_out ip daddr @frozen counter name "frozen_drops" drop',
            'add rule ip lab filter_out ip saddr @frozen counter name "frozen_drops" drop',
        ]) + "\n"
        self._nft(snippet)

    def _nft(self, text):
        proc = subprocess.run([shutil.which("nft", path=L.SBIN_PATH), "-f", "-"], input=text,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise L.LabError(f"nft -f failed:\n{proc.stderr}\n{text}")

    def freeze(self, address):
        self._nft(f"add element ip lab frozen {{ {address} }}\n")

    def thaw(self, address):
        self._nft(f"delete element ip lab frozen {{ {address} }}\n")


WATCHED = {
    "primary_plain": (PRIMARY, PLAIN), "primary_tls": (PRIMARY, TLS),
    "backup_plain": (BACKUP, PLAIN), "backup_tls": (BACKUP, TLS),
    "spare_plain": (SPARE, PLAIN), "spare_tls": (SPARE, TLS),
}


# ---------------------------------------------------------------------------
# The failover lab

class FailoverLab:
    def __init__(self, workdir, cli, server):
        self.workdir = workdir
        self.cli_path = cli
        self.server_path = server
        self.lab = L.Lab(workdir, cli)
        self.fw = Firewall()
        self.servers = {}
        self.watches = []

    # -- set-up -------------------------------------------------------------

    def setup(self):
        lab = self.lab
        lab.setup_namespace()
        L.run(["ip", "addr", "add", f"{SPARE}/32", "dev", "lo"])
        lab.make_certificates()
        self.write_server_files()
        lab.start_dns("single")

    def write_server_files(self):
        d = write_secrets(self, os.path.join(self.workdir, "server"))
        advertise = f"advertise={SPARE}:{TLS}:tls;{SPARE}:{PLAIN}:plain\n"
        write_cluster(self, d, [("primary", PRIMARY, "acme", advertise),
                                ("backup", BACKUP, "acme", advertise),
                                ("spare", SPARE, "acme", "")])

    def ensure_running(self, *names):
        for name in names:
            if not self.servers[name].running():
                self.servers[name].start()

    def watch(self, name, *args):
        w = Watch(self, name, list(args))
        self.watches.append(w)
        return w

    def finish_watches(self):
        for w in self.watches:
            w.terminate()
        for w in self.watches:
            w.finish()
        self.watches = []

    def cli_check(self, *args):
        """`attendant-cli check --json` (with the protocol greeting)."""
        self.lab.check_resolver()
        proc = subprocess.run([self.cli_path, "check", "--json", *args], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)
        try:
            return proc.returncode, json.loads(proc.stdout)
        except ValueError:
            return proc.returncode, {"stdout": proc.stdout, "stderr": proc.stderr}


def srv_nat(port):
    return L.single_dc_nat(port)


def plan_pairs(connecting):
    return [(e.get("host"), e.get("port"), e.get("origin")) for e in connecting.get("plan", [])]


def attempts_between(w, start, end):
    return [obj for _, obj in w.between(start, end) if obj.get("event") == "attempt"]


def expect_connected(name, w, since, deadline_s, t0, bound_s, port, node, failover, failback,
                     tls=False, host="acme.com"):
    """Waits for a connected line; checks its fields and that it came within
    bound_s of t0. Returns (index, elapsed) or (None, None)."""
    hit = w.wait(is_event("connected"), deadline_s, since)
    if hit is None:
        TAP.ok(False, name, ["no connected line"] + w.describe(since))
        return None, None
    index, arrival, obj = hit
    elapsed = arrival - t0
    errors = []
    want = {"host": host, "port": port, "node": node, "failover": failover, "failback": failback}
    for key, value in want.items():
        if obj.get(key) != value:
            errors.append(f"{key}: {obj.get(key)!r}, expected {value!r}")
    if tls:
        if obj.get("tls_version") not in ("TLS 1.2", "TLS 1.3"):
            errors.append(f"tls_version: {obj.get('tls_version')!r}, expected TLS 1.2 or 1.3")
    elif obj.get("tls_version") is not None:
        errors.append(f"tls_version: {obj.get('tls_version')!r}, expected null (plain)")
    if bound_s is not None and elapsed > bound_s:
        errors.append(f"came {elapsed:.3f} s after the start of the measure, bound {bound_s} s")
    TAP.ok(not errors, f"{name} ({elapsed:.3f} s)", errors + w.describe(since))
    return index, elapsed


def check_fresh_snapshot(name, w, since, deadline_s):
    hit = w.wait(is_event("snapshot"), deadline_s, since)
    good = hit is not None and hit[2].get("me", {}).get("extension") == EXTENSION \
        and isinstance(hit[2].get("calls"), list) and isinstance(hit[2].get("seq"), int)
    TAP.ok(good, name, (["no snapshot"] if hit is None else [f"snapshot: {json.dumps(hit[2])[:300]}"])
           + ([] if good else w.describe(since)))
    return hit


def tcp_ext_counters(*names):
    """TcpExt counters of this network namespace (/proc/net/netstat)."""
    with open("/proc/net/netstat") as f:
        rows = [line.split() for line in f if line.startswith("TcpExt:")]
    values = dict(zip(rows[0][1:], map(int, rows[1][1:]))) if len(rows) >= 2 else {}
    return {name: values.get(name) for name in names}


def check_counts(name, counts, expected):
    return L.check_counts(name, counts, expected)


# ---------------------------------------------------------------------------
# Scenarios

def first_login(flab, w, port, node, tls=False, host="acme.com", method="srv"):
    """The watch's first login: on the preferred endpoint, no failover."""
    start = w.started
    index, _ = expect_connected(f"{w.name}: first login on {host}:{port} ({node}), "
                                f"failover=false, failback=false",
                                w, 0, 15, start, None, port, node, False, False, tls=tls, host=host)
    connecting = w.wait(is_event("connecting"), 0, 0)
    TAP.ok(connecting is not None and connecting[2].get("method") == method,
           f"{w.name}: the first cycle's discovery method is {method}",
           w.describe(0))
    check_fresh_snapshot(f"{w.name}: a snapshot after the first login", w,
                         index if index is not None else 0, 10)
    return index


def scenario_kill(flab, w, transport, label):
    """1 (and 1T): the primary's process SIGKILLed."""
    port_backup = 28102
    tls = transport == "tls"
    mark = w.mark()
    t0 = flab.servers["primary"].kill()
    hit = w.wait(is_event("disconnected"), 5, mark)
    TAP.ok(hit is not None and hit[2].get("reason") == "connection-lost",
           f"{label}: primary SIGKILLed -> disconnected, reason connection-lost "
           f"(noticed at once)", w.describe(mark))
    disc_index = hit[0] if hit else mark
    index, elapsed = expect_connected(
        f"{label}: connected to the backup acme.com:28102 with failover=true "
        f"within {FAILOVER_BOUND_S} s of the kill", w, disc_index, 15, t0, FAILOVER_BOUND_S,
        port_backup, "backup", True, False, tls=tls)
    if index is not None:
        connecting = w.wait(is_event("connecting"), 0, disc_index)
        plan = plan_pairs(connecting[2]) if connecting else None
        TAP.ok(plan == [("acme.com", 28102, "srv"), ("acme.com", 28101, "srv")],
               f"{label}: the new cycle's plan has the dead primary last, "
               f"and no node-list entry", [f"plan: {plan}"])
        attempts = attempts_between(w, disc_index, index + 1)
        TAP.ok([(a.get("port"), a.get("outcome")) for a in attempts] == [(28102, "connected")],
               f"{label}: one attempt, 28102 connected (the dead primary not retried first)",
               [json.dumps(a) for a in attempts])
        check_fresh_snapshot(f"{label}: a fresh snapshot from the backup", w, index, 5)
        client = None
        if hit is not None:
            client = w.between(index, index + 1)[0][1]["t"] - hit[2]["t"]
        TAP.diag(f"{label}: kill -> connected line {elapsed * 1000:.0f} ms "
                 f"(client's own disconnected -> connected: "
                 f"{'?' if client is None else f'{client * 1000:.0f} ms'})")
    return elapsed


def scenario_failback_idle(flab, w, label, restart):
    """4: the primary back -> failback while idle, make before break."""
    mark = w.mark()
    restart()
    t0 = time.monotonic()
    index, elapsed = expect_connected(
        f"{label}: failback to acme.com:28101 (connected failback=true) within "
        f"{2 * FAILBACK_S + 1} s, idle", w, mark, 2 * FAILBACK_S + 10, t0, 2 * FAILBACK_S + 1,
        28101, "primary", False, True)
    if index is not None:
        between = [obj for _, obj in w.between(mark, index)]
        TAP.ok(not any(o.get("event") in ("disconnected", "connecting") for o in between),
               f"{label}: make before break: no disconnected or connecting line before the "
               f"failback", [json.dumps(o) for o in between])
        check_fresh_snapshot(f"{label}: a fresh snapshot from the primary after failback",
                             w, index, 5)
        TAP.diag(f"{label}: primary back -> failback {elapsed * 1000:.0f} ms")
    return index


def scenario_freeze(flab, w, heartbeat_s=HEARTBEAT_S, label="2. primary frozen", tls=False):
    """2: the primary frozen by nftables."""
    HEARTBEAT_S = heartbeat_s  # noqa: N806 (the scenario's own interval)
    mark = w.mark()
    t0 = time.monotonic()
    flab.fw.freeze(PRIMARY)
    hit = w.wait(is_event("disconnected"), 4 * HEARTBEAT_S + 5, mark)
    if hit is None:
        TAP.ok(False, f"{label}: disconnected", w.describe(mark))
        return
    index, arrival, obj = hit
    detection = arrival - t0
    low, high = HEARTBEAT_S - 0.1, 2 * HEARTBEAT_S + 0.5
    TAP.ok(obj.get("reason") == "heartbeat-timeout" and low <= detection <= high,
           f"{label} (all packets to and from {PRIMARY} dropped): disconnected, reason "
           f"heartbeat-timeout, within 2 heartbeat intervals (--heartbeat={HEARTBEAT_S}: "
           f"{detection:.3f} s, allowed {low:.2f}..{high:.2f} s)", w.describe(mark))
    c_index, elapsed = expect_connected(
        f"{label}: logged in on the backup acme.com:28102, failover=true, within the "
        f"attempt timeout ({ATTEMPT_TIMEOUT_S} s) after the detection", w, index, 15, arrival,
        ATTEMPT_TIMEOUT_S, 28102, "backup", True, False, tls=tls)
    if c_index is not None:
        attempts = attempts_between(w, index, c_index + 1)
        TAP.ok([(a.get("port"), a.get("outcome")) for a in attempts] == [(28102, "connected")],
               f"{label}: the frozen primary is tried last, so no attempt timeout is spent "
               f"on it", [json.dumps(a) for a in attempts])
        check_fresh_snapshot(f"{label}: a fresh snapshot from the backup", w, c_index, 5)
        TAP.diag(f"{label}: freeze -> disconnected {detection:.3f} s, disconnected -> "
                 f"connected {elapsed:.3f} s")


def scenario_busy_no_failback(flab, w):
    """4 (call in progress): no failback while the call lasts; failback after."""
    label = "4. call in progress"
    backup = flab.servers["backup"]
    mark = w.mark()
    answer = backup.admin("POST", "/calls", {"number": "+390212345678", "name": "ACME Spa"})
    call_id = answer["call"]["id"]
    hit = w.wait(lambda o: o.get("event") == "call.updated"
                 and o.get("call", {}).get("id") == call_id, 5, mark)
    TAP.ok(hit is not None and hit[2]["call"].get("state") == "queued",
           f"{label}: the call injected on the backup (POST /calls) shows as queued",
           w.describe(mark))
    mark = w.mark()
    w.send({"id": "answer-1", "command": "call.answer", "args": {"call": call_id}})
    reply = w.wait(is_event("reply", id="answer-1"), 5, mark)
    active = w.wait(lambda o: o.get("event") == "call.updated"
                    and o.get("call", {}).get("id") == call_id
                    and o["call"].get("state") == "active", 5, mark)
    TAP.ok(reply is not None and reply[2].get("ok") is True and active is not None
           and active[2]["call"].get("attendant") == EXTENSION,
           f"{label}: call.answer on watch's stdin -> reply ok, the call active with "
           f"attendant {EXTENSION}", w.describe(mark))

    # The primary back (the drop removed), and verifiably so.
    mark = w.mark()
    flab.fw.thaw(PRIMARY)
    t_back = time.monotonic()
    status, doc = flab.cli_check("--plain", "acme.com")
    reached = (doc.get("connected") or {}).get("port")
    TAP.ok(status == 0 and reached == 28101,
           f"{label}: the primary is back (attendant-cli check reaches 28101 with the greeting)",
           [json.dumps(doc)[:600]])
    # A window, not a synchronisation: three probe intervals from the
    # moment the primary came back, every line of which is examined.
    window_end = t_back + 3 * FAILBACK_S + 0.5
    hit = w.wait(any_event("connected", "disconnected", "connecting"),
                 max(0.0, window_end - time.monotonic()), mark)
    TAP.ok(hit is None,
           f"{label}: no failback while the call is in progress (3 failback intervals "
           f"of {FAILBACK_S} s with the primary back)", w.describe(mark))

    mark = w.mark()
    w.send({"id": "hangup-1", "command": "call.hangup", "args": {"call": call_id}})
    reply = w.wait(is_event("reply", id="hangup-1"), 5, mark)
    TAP.ok(reply is not None and reply[2].get("ok") is True,
           f"{label}: call.hangup -> reply ok", w.describe(mark))
    t0 = reply[1] if reply else time.monotonic()
    index, elapsed = expect_connected(
        f"{label}: after the hang-up, failback to 28101 within {2 * FAILBACK_S + 1} s",
        w, mark, 2 * FAILBACK_S + 10, t0, 2 * FAILBACK_S + 1, 28101, "primary", False, True)
    if index is not None:
        between = [obj for _, obj in w.between(mark, index)]
        TAP.ok(not any(o.get("event") in ("disconnected", "connecting") for o in between),
               f"{label}: make before break after the hang-up", [json.dumps(o) for o in between])
        TAP.diag(f"{label}: hang-up -> failback {elapsed * 1000:.0f} ms")


def scenario_drain(flab, w):
    """3: the primary drained through the admin subcommand."""
    label = "3. primary drained"
    primary = flab.servers["primary"]
    mark = w.mark()
    t0 = time.monotonic()
    result = primary.admin_command("drain", "primary", "--text=maintenance in the lab")
    TAP.ok(result.returncode == 0, f"{label}: `attendant-server admin drain primary` succeeds",
           [result.stdout, result.stderr])
    hit = w.wait(is_event("disconnected"), 5, mark)
    TAP.ok(hit is not None and hit[2].get("reason") == "drain",
           f"{label}: disconnected, reason drain", w.describe(mark))
    disc = hit[0] if hit else mark
    index, elapsed = expect_connected(
        f"{label}: moved to the backup 28102 at once (within {FAILOVER_BOUND_S} s of the "
        f"drain command)", w, disc, 10, t0, FAILOVER_BOUND_S, 28102, "backup", True, False)
    if index is not None:
        connecting = w.wait(is_event("connecting"), 0, disc)
        plan = plan_pairs(connecting[2]) if connecting else None
        TAP.ok(plan == [("acme.com", 28102, "srv")],
               f"{label}: the draining node is left out of the cycle", [f"plan: {plan}"])
        check_fresh_snapshot(f"{label}: a fresh snapshot from the backup", w, index, 5)
        TAP.diag(f"{label}: drain command -> connected on the backup {elapsed * 1000:.0f} ms")

    def start_again():
        result = primary.admin_command("start", "primary")
        if result.returncode != 0:
            raise L.LabError(f"admin start primary failed: {result.stderr}")

    scenario_failback_idle(flab, w, "4. primary started again after its drain", start_again)


def scenario_all_down(flab, w):
    """7 (and 5): every SRV target down: backoff, and never the node list."""
    label = "7. every endpoint down"
    mark = w.mark()
    srv_before = flab.lab.dns_log_count(r"query\[SRV\] _iac\._tcp\.acme\.com ")
    counts_before = flab.fw.counters()
    # The backup first: the client is on the primary, and must not get to
    # the backup in the moment between the two kills.
    flab.servers["backup"].kill()
    t0 = flab.servers["primary"].kill()
    deadline = t0 + BACKOFF_WINDOW_S
    # Nothing to wait for but the window itself: the client must stay
    # quiet; the watch's lines are read meanwhile.
    hit = w.wait(is_event("connected"), deadline - time.monotonic(), mark)
    window = [(a, o) for a, o in w.between(mark) if a <= deadline]
    srv_queries = flab.lab.dns_log_count(r"query\[SRV\] _iac\._tcp\.acme\.com ") - srv_before
    counts = L.delta(counts_before, flab.fw.counters())
    cycles = [o for _, o in window if o.get("event") == "connecting"]
    delays = [o.get("delay_s") for _, o in window if o.get("event") == "reconnect-scheduled"]
    attempts = [o for _, o in window if o.get("event") == "attempt"]
    TAP.ok(hit is None, f"{label}: no login anywhere while every SRV target is down "
           f"(the spare, in the node list, is up)", w.describe(mark))
    TAP.ok(BACKOFF_MIN_CYCLES <= len(cycles) <= BACKOFF_MAX_CYCLES,
           f"{label}: {len(cycles)} connection cycles in {BACKOFF_WINDOW_S} s (allowed "
           f"{BACKOFF_MIN_CYCLES}..{BACKOFF_MAX_CYCLES}: backoff, not a loop)",
           [f"delays: {delays}"] + w.describe(mark))
    bad = []
    for k, delay in enumerate(delays):
        cap = min(2 ** k, 60)
        if not isinstance(delay, (int, float)) or not 0 < delay <= cap:
            bad.append(f"delay #{k}: {delay!r} s, cap {cap} s")
    TAP.ok(delays and not bad and len(delays) in (len(cycles), len(cycles) - 1),
           f"{label}: each reconnect-scheduled delay within its cap (1 s x2^k, at most 60 s): "
           f"{delays}", bad + [f"{len(cycles)} cycles, {len(delays)} delays"])
    TAP.ok(srv_queries == len(cycles),
           f"{label}: one fresh SRV query per cycle: {srv_queries} queries, "
           f"{len(cycles)} cycles", [])
    wrong_plans = [plan_pairs(c) for c in cycles
                   if c.get("method") != "srv" or c.get("result") != "answered"
                   or plan_pairs(c) not in ([("acme.com", 28101, "srv"), ("acme.com", 28102, "srv")],
                                            [("acme.com", 28102, "srv"), ("acme.com", 28101, "srv")])]
    TAP.ok(cycles and not wrong_plans,
           f"5. SRV answered, every SRV target down: every cycle's plan is the two SRV "
           f"records only, never the node list", [f"wrong plans: {wrong_plans}"])
    off = [a for a in attempts if a.get("address") != L.PUBLIC_DC1 or a.get("outcome") != "refused"]
    TAP.ok(attempts and not off,
           f"5./7. every attempt went to {L.PUBLIC_DC1} (28101/28102) and was refused "
           f"({len(attempts)} attempts)", [json.dumps(a) for a in off])
    check_counts("5. SRV answered: the spare (the node list) got no SYN while every SRV "
                 "target was down", counts, {"spare_plain": 0, "spare_tls": 0, "escaped": 0})
    TAP.diag(f"{label}: {len(cycles)} cycles in {BACKOFF_WINDOW_S} s, delays {delays}")


def run_plain(flab):
    """1, 2, 3, 4, 5, 7 with one plain client."""
    fw = flab.fw
    fw.apply(nat=srv_nat(PLAIN), watch=WATCHED)
    flab.ensure_running("primary", "backup", "spare")
    counts_before = fw.counters()
    w = flab.watch("watch-plain", "--plain", f"--heartbeat={HEARTBEAT_S}",
                   f"--failback-interval={FAILBACK_S}", "acme.com")
    first_login(flab, w, 28101, "primary")

    scenario_kill(flab, w, "plain", "1. primary SIGKILLed")
    scenario_failback_idle(flab, w, "4. primary's process restarted",
                           lambda: flab.servers["primary"].start())
    scenario_freeze(flab, w)
    scenario_busy_no_failback(flab, w)
    scenario_drain(flab, w)
    counts = L.delta(counts_before, fw.counters())
    check_counts("5. SRV answered: scenarios 1-4 (kill, freeze, drain, failbacks) never "
                 "contacted the node list (no SYN to the spare)", counts,
                 {"spare_plain": 0, "spare_tls": 0, "escaped": 0})
    scenario_all_down(flab, w)

    alive = w.proc.poll() is None
    status = w.finish()
    TAP.ok(alive and status == 0, "plain watch: still running at the end, exits 0 on SIGTERM",
           [f"exit status {status}"] + w.describe(max(0, w.mark() - 10)))


def run_tls(flab):
    """1T: scenario 1 over TLS."""
    fw = flab.fw
    fw.apply(nat=srv_nat(TLS), watch=WATCHED)
    flab.ensure_running("primary", "backup", "spare")
    counts_before = fw.counters()
    w = flab.watch("watch-tls", f"--ca-file={flab.lab.certs['ca']}",
                   f"--heartbeat={HEARTBEAT_S}", "--no-failback", "acme.com")
    first_login(flab, w, 28101, "primary", tls=True)
    scenario_kill(flab, w, "tls", "1T. TLS, primary SIGKILLed")
    counts = L.delta(counts_before, fw.counters())
    check_counts("1T. TLS: the spare (the node list) got no SYN", counts,
                 {"spare_plain": 0, "spare_tls": 0, "escaped": 0})
    rejected = [o for _, o in w.between(0) if o.get("event") == "certificate-rejected"]
    TAP.ok(not rejected, "1T. TLS: the certificate for acme.com is accepted on both nodes",
           [json.dumps(o) for o in rejected])
    status = w.finish()
    TAP.ok(status == 0, "TLS watch: exits 0 on SIGTERM", [f"exit status {status}"])


def run_defaults(flab):
    """2D: scenario 2 with the client's default settings (TLS, heartbeat 5 s,
    attempt timeout 5 s), where a silent server is declared dead within
    10 s (two heartbeat intervals)."""
    fw = flab.fw
    fw.apply(nat=srv_nat(TLS), watch=WATCHED)
    flab.ensure_running("primary", "backup", "spare")
    w = flab.watch("watch-defaults", f"--ca-file={flab.lab.certs['ca']}", "acme.com")
    first_login(flab, w, 28101, "primary", tls=True)
    scenario_freeze(flab, w, heartbeat_s=5, label="2D. default settings, primary frozen", tls=True)
    flab.fw.thaw(PRIMARY)
    status = w.finish()
    TAP.ok(status == 0, "default-settings watch: exits 0 on SIGTERM", [f"exit status {status}"])


def run_fallback(flab):
    """6: SRV NXDOMAIN, fallback login, then the node list."""
    label = "6. SRV NXDOMAIN"
    fw = flab.fw
    fw.apply(nat=[(FALLBACK_ADDRESS, PLAIN, PRIMARY, PLAIN)], watch=WATCHED)
    flab.ensure_running("primary", "spare")
    w = flab.watch("watch-fallback", "--plain", f"--heartbeat={HEARTBEAT_S}", "--no-failback",
                   FALLBACK_DOMAIN)
    index = first_login(flab, w, PLAIN, "primary", host=FALLBACK_DOMAIN, method="fallback")
    connecting = w.wait(is_event("connecting"), 0, 0)
    plan = plan_pairs(connecting[2]) if connecting else None
    TAP.ok(plan == [(FALLBACK_DOMAIN, PLAIN, "fallback")]
           and connecting[2].get("result") == "not-found",
           f"{label}: the first plan is {FALLBACK_DOMAIN}:{PLAIN} (fallback, result not-found), "
           f"its A record {FALLBACK_ADDRESS} NATed to the primary", [f"plan: {plan}"])
    if index is None:
        return
    counts_before = fw.counters()
    mark = w.mark()
    t0 = flab.servers["primary"].kill()
    hit = w.wait(is_event("disconnected"), 5, mark)
    disc = hit[0] if hit else mark
    c_index, elapsed = expect_connected(
        f"{label}: primary SIGKILLed -> the node list is used: connected to the advertised "
        f"node {SPARE}:{PLAIN} (spare), failover=true", w, disc, 15, t0, 5, PLAIN, "spare",
        True, False, host=SPARE)
    connecting = w.wait(is_event("connecting"), 0, disc)
    plan = plan_pairs(connecting[2]) if connecting else None
    TAP.ok(plan is not None and (SPARE, PLAIN, "node-list") in plan
           and plan[-1] == (FALLBACK_DOMAIN, PLAIN, "fallback"),
           f"{label}: the cycle after the loss has the node list ({SPARE}:{PLAIN}, origin "
           f"node-list) and the dead fallback endpoint last", [f"plan: {plan}"])
    counts = L.delta(counts_before, fw.counters())
    check_counts(f"{label}: the spare got the SYN", counts, {"spare_plain": (1, 3), "escaped": 0})
    if c_index is not None:
        TAP.diag(f"{label}: kill -> connected to the node list's spare {elapsed * 1000:.0f} ms")
    status = w.finish()
    TAP.ok(status == 0, "fallback watch: exits 0 on SIGTERM", [f"exit status {status}"])


def run_storm(flab):
    """8: 200 clients fail over at once."""
    label = f"8. storm of {STORM_CLIENTS}"
    fw = flab.fw
    fw.apply(nat=srv_nat(PLAIN), watch=WATCHED)
    flab.ensure_running("primary", "backup")
    clients = []
    started = time.monotonic()
    late = []
    for first in range(0, STORM_CLIENTS, STORM_BATCH):
        batch = [flab.watch(f"storm-{i:03d}", "--plain", "acme.com")
                 for i in range(first, min(first + STORM_BATCH, STORM_CLIENTS))]
        for w in batch:
            if w.wait(is_event("connected"), 60, 0) is None:
                late.append(w)
        clients += batch
    on_primary = [w for w in clients
                  if (hit := w.wait(is_event("connected"), 0, 0)) and hit[2].get("port") == 28101]
    TAP.ok(not late and len(on_primary) == STORM_CLIENTS,
           f"{label}: all {STORM_CLIENTS} clients logged in on the primary (in batches of "
           f"{STORM_BATCH})", [f"{len(late)} not connected, {len(on_primary)} on 28101"]
           + (late[0].describe() if late else []))
    TAP.diag(f"{label}: {STORM_CLIENTS} clients started and logged in in "
             f"{time.monotonic() - started:.1f} s")
    state = flab.servers["primary"].admin("GET", "/state")
    primary_state = next((n for n in state.get("nodes", []) if n.get("name") == "primary"), {})
    TAP.ok(primary_state.get("logged_in") == STORM_CLIENTS,
           f"{label}: the primary's admin /state counts {STORM_CLIENTS} logged-in sessions",
           [json.dumps(primary_state)])

    marks = [w.mark() for w in clients]
    listen_before = tcp_ext_counters("ListenOverflows", "ListenDrops")
    t0 = flab.servers["primary"].kill()
    times = []
    missing = []
    for w, mark in zip(clients, marks):
        hit = w.wait(is_event("connected"), max(0.0, t0 + 180 - time.monotonic()), mark)
        if hit is None:
            missing.append(w)
            continue
        obj = hit[2]
        if obj.get("port") != 28102 or obj.get("failover") is not True or obj.get("node") != "backup":
            missing.append(w)
            continue
        times.append(hit[1] - t0)
    TAP.ok(not missing,
           f"{label}: primary SIGKILLed -> all {STORM_CLIENTS} logged in on the backup "
           f"(connected 28102, failover=true)",
           [f"{len(missing)} did not"] + (missing[0].describe(marks[clients.index(missing[0])])
                                          if missing else []))
    if times:
        times.sort()
        TAP.diag(f"{label}: kill -> last client logged in on the backup: {times[-1]:.3f} s "
                 f"(first {times[0]:.3f} s, median {statistics.median(times):.3f} s, "
                 f"90th percentile {times[int(0.9 * (len(times) - 1))]:.3f} s)")
    outcomes = {}
    backoffs = 0
    connect_ms = []   # the attempt that reached the backup: TCP + greeting
    login_ms = []     # from that attempt's line to the connected line: SCRAM
    for w, mark in zip(clients, marks):
        reached = None
        for arrival, obj in w.between(mark):
            if obj.get("event") == "attempt":
                key = f"{obj.get('port')} {obj.get('outcome')}"
                outcomes[key] = outcomes.get(key, 0) + 1
                if obj.get("outcome") == "connected":
                    reached = obj
            elif obj.get("event") == "reconnect-scheduled":
                backoffs += 1
            elif obj.get("event") == "connected" and reached is not None:
                connect_ms.append(reached.get("elapsed_ms") or 0)
                login_ms.append((obj.get("t") - reached.get("t")) * 1000)
                break
    TAP.diag(f"{label}: attempts after the kill: {outcomes}; reconnect-scheduled: {backoffs}")
    listen_after = tcp_ext_counters("ListenOverflows", "ListenDrops")
    TAP.diag(f"{label}: the kernel's accept-queue overflows meanwhile (TcpExt, this namespace): "
             + ", ".join(f"{k} +{(listen_after[k] or 0) - (listen_before[k] or 0)}"
                         for k in listen_after))
    for what, values in (("the attempt that reached the backup (TCP + greeting)", connect_ms),
                         ("login after it (SCRAM, snapshot)", login_ms)):
        if values:
            values.sort()
            TAP.diag(f"{label}: {what}: median {statistics.median(values):.0f} ms, "
                     f"max {values[-1]:.0f} ms, over 900 ms: "
                     f"{sum(1 for v in values if v > 900)}")
    state = flab.servers["backup"].admin("GET", "/state")
    backup_state = next((n for n in state.get("nodes", []) if n.get("name") == "backup"), {})
    TAP.ok(backup_state.get("logged_in") == STORM_CLIENTS,
           f"{label}: the backup's admin /state counts {STORM_CLIENTS} logged-in sessions",
           [json.dumps(backup_state)])
    died = [w for w in clients if w.proc.poll() is not None]
    TAP.ok(not died, f"{label}: every watch process is still running",
           died[0].describe() if died else [])
    flab.finish_watches()


# ---------------------------------------------------------------------------
# Entry

def outside_namespace():
    problem = L.namespace_problem()
    if problem:
        L.cannot_run(f"lab {problem}")
    for var, what in (("ATTENDANT_CLI", "attendant-cli"), ("ATTENDANT_SERVER", "attendant-server")):
        path = os.environ.get(var)
        if not path or not os.access(path, os.X_OK):
            print(f"Bail out! {var} is not set to the {what} binary")
            sys.exit(1)
    L.enter_namespace(__file__, sys.argv[1:])


def raise_fd_limit():
    """200 watch processes, each with a pipe pair here and a socket in the
    server: more than a default soft limit of 1024 may allow."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def inside_namespace():
    cli = os.environ["ATTENDANT_CLI"]
    server = os.environ["ATTENDANT_SERVER"]
    workdir = tempfile.mkdtemp(prefix="attendant-lab-failover-")
    flab = FailoverLab(workdir, cli, server)

    def on_signal(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    scenarios = [
        ("plain", run_plain),
        ("tls", run_tls),
        ("defaults", run_defaults),
        ("fallback", run_fallback),
        ("storm", run_storm),
    ]
    # `lab_failover.py storm tls` runs only those (for work on one of them).
    if sys.argv[1:]:
        scenarios = [(n, b) for n, b in scenarios if n in sys.argv[1:]]
    started = time.monotonic()
    try:
        raise_fd_limit()
        flab.setup()
        TAP.diag(f"failover lab in {workdir}; attendant-cli: {cli}; attendant-server: {server}")
        for name, body in scenarios:
            began = time.monotonic()
            try:
                body(flab)
            except Exception as e:  # noqa: BLE001 - report, clean up, go on
                diagnostics = traceback.format_exc().splitlines()
                for w in flab.watches[:3]:
                    diagnostics += w.describe()
                for s in flab.servers.values():
                    if s.proc is not None:
                        diagnostics += [f"{s.node} server log:", *L.tail(s.proc.lab_log).splitlines()]
                TAP.ok(False, f"scenario {name} ran to completion: {e}", diagnostics)
            finally:
                flab.finish_watches()
                TAP.diag(f"scenario {name} took {time.monotonic() - began:.1f} s")
    except Exception as e:  # noqa: BLE001 - the set-up failed: report it
        TAP.ok(False, f"failover lab set-up: {e}", traceback.format_exc().splitlines())
    except SystemExit as e:
        TAP.ok(False, "failover lab finished", [str(e)])
    finally:
        flab.lab.procs.stop_all()
        status = L.finish("failover lab", workdir, started)
    return status


def main():
    L.run_main(outside_namespace, inside_namespace)


if __name__ == "__main__":
    main()
