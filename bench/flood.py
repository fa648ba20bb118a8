# SPDX-License-Identifier: GPL-3.0-or-later
"""bench.py's flood section: attendant-server under a flood of idle
connections that never log in and hostile clients, while a real user logs
in (docs/performance.md, "Flood").

One server process with one plain node on 127.0.0.1 and the default limits
(no [server] key but users=). Against it, from 127.0.0.x source addresses
inside the benchmark's network namespace:

  flood    FLOOD_SIZE connections, FLOOD_PER_ADDRESS per address (under the
           per-address cap, so that it is the total that holds them), every
           one of them through the WebSocket upgrade and its hello, then
           silent
  hostile  HOSTILE_KINDS, two clients of each, each repeating its attack
           on a new connection whenever the server ends the last one: JSON
           nested DEEP_LEVELS deep; a message in 1 MiB fragments that never
           ends (no FIN); one frame declaring 400 MiB; an HTTP POST declaring
           400 MiB; an endless chunked body. Each connection stops at
           HOSTILE_SEND_LIMIT.

The real user is `attendant-cli watch --plain` (TLS would only add the
handshake both ways), timed from its start to its `connected` line: LOGINS
times with nothing else going on (the baseline), then LOGINS times during
the flood. The server's resident set is sampled every SAMPLE_S; its peak is
VmHWM.
"""

import os
import socket
import statistics
import subprocess
import threading
import time

FLOOD_SIZE = 1000
FLOOD_PER_ADDRESS = 4
HOSTILE_KINDS = ("deep", "fragments", "oversized-frame", "http-post", "chunked")
HOSTILE_PER_KIND = 2
HOSTILE_SEND_LIMIT = 256 * 1024 * 1024
DEEP_LEVELS = 100000
LOGINS = 5
SAMPLE_S = 0.05
RSS_BOUND_MB = 64
LOGIN_BOUND_S = 1.0

UPGRADE = (b"GET /attendant HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: attendant.v1\r\n\r\n")
MIB = 1024 * 1024


def frame_header(opcode, length, fin=True):
    """A client frame's header with a zero mask key (legal, and it leaves
    the payload as it is, so no XOR over megabytes here)."""
    first = bytes([(0x80 if fin else 0) | opcode])
    if length < 126:
        size = bytes([0x80 | length])
    elif length < 65536:
        size = bytes([0x80 | 126]) + length.to_bytes(2, "big")
    else:
        size = bytes([0x80 | 127]) + length.to_bytes(8, "big")
    return first + size + b"\0\0\0\0"


def frame(opcode, payload, fin=True):
    return frame_header(opcode, len(payload), fin) + payload


def deep_message(levels):
    return b'{"type":"ping","x":' + b"[" * levels + b"]" * levels + b"}"


def connect(source, port, timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    return s


def read_hello(s):
    """Reads the 101 and the hello frame; False if the server closed."""
    data = b""
    while b'"hello"' not in data:
        chunk = s.recv(65536)
        if not chunk:
            return False
        data += chunk
    return data.startswith(b"HTTP/1.1 101 ")


def send_until_closed(s, first, block, limit):
    """Sends first, then block over and over, until the server closes the
    connection or limit is reached; returns the bytes sent."""
    sent = 0
    try:
        s.sendall(first)
        sent = len(first)
        while sent < limit:
            s.sendall(block)
            sent += len(block)
    except OSError:
        pass
    return sent


class Hostile(threading.Thread):
    def __init__(self, kind, source, port, stop):
        super().__init__(daemon=True)
        self.kind, self.source, self.port, self.stop = kind, source, port, stop
        self.attempts = 0
        self.sent = []          # bytes sent on each connection before it ended
        self.refused = 0        # connections closed before the attack began

    def attack(self, s):
        mib = b"x" * MIB
        if self.kind == "http-post":
            head = (b"POST /attendant HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Length: 419430400\r\n\r\n")
            return send_until_closed(s, head, mib, HOSTILE_SEND_LIMIT)
        if self.kind == "chunked":
            head = UPGRADE[:-2] + b"Transfer-Encoding: chunked\r\n\r\n"
            return send_until_closed(s, head, b"100000\r\n" + mib + b"\r\n", HOSTILE_SEND_LIMIT)
        s.sendall(UPGRADE)
        if not read_hello(s):
            self.refused += 1
            return 0
        if self.kind == "deep":
            sent = send_until_closed(s, frame(1, deep_message(DEEP_LEVELS)), b"", 0)
            try:
                s.recv(65536)   # the server's close frame (or its end): next
            except OSError:
                pass
            return sent
        if self.kind == "fragments":
            return send_until_closed(s, frame(1, mib, fin=False), frame(0, mib, fin=False),
                                     HOSTILE_SEND_LIMIT)
        # oversized-frame: one text frame declaring 400 MiB
        return send_until_closed(s, frame_header(1, 400 * MIB), mib, HOSTILE_SEND_LIMIT)

    def run(self):
        while not self.stop.is_set():
            try:
                s = connect(self.source, self.port)
            except OSError:
                time.sleep(0.05)
                continue
            try:
                self.attempts += 1
                self.sent.append(self.attack(s))
            except OSError:
                self.refused += 1
            finally:
                s.close()


def open_flood(port, n, per_address):
    """n connections through the upgrade, per_address from each of
    127.0.1.x, 127.0.2.x, ...; returns the sockets that got their hello."""
    pending = []
    for i in range(n):
        a = i // per_address
        s = connect(f"127.0.{1 + a // 250}.{1 + a % 250}", port)
        s.sendall(UPGRADE)
        pending.append(s)
    open_ = []
    for s in pending:
        try:
            if read_hello(s):
                open_.append(s)
                continue
        except OSError:
            pass
        s.close()
    return open_


def still_open(sockets):
    n = 0
    for s in sockets:
        s.setblocking(False)
        try:
            if s.recv(65536, socket.MSG_PEEK):
                n += 1       # something (a close frame) is on its way
            # b"": closed
        except BlockingIOError:
            n += 1
        except OSError:
            pass
    return n


class Sampler(threading.Thread):
    def __init__(self, pid, stop):
        super().__init__(daemon=True)
        self.pid, self.stop = pid, stop
        self.max_kb = 0

    def run(self):
        while not self.stop.is_set():
            try:
                with open(f"/proc/{self.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            self.max_kb = max(self.max_kb, int(line.split()[1]))
            except OSError:
                return
            time.sleep(SAMPLE_S)


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def run(bench, L, F, own_machine, log):
    """The section: returns the result dict (also stored by the caller)."""
    flab = bench.flab
    d = os.path.join(flab.workdir, "flood")
    os.makedirs(d, exist_ok=True)
    users = os.path.join(os.path.dirname(flab.config), "users.ini")
    config = os.path.join(d, "server.conf")
    with open(config, "w") as f:
        f.write(f"[server]\nusers={users}\n\n[node flood]\nplain=127.0.0.1:0\n")
    proc = F.spawn(flab.lab, "flood-server", [flab.server_path, "--config", config],
                   stdout=subprocess.PIPE)
    lines = F.read_lines_until(proc, "ready", 10)
    if lines is None:
        raise L.LabError("the flood's attendant-server did not start:\n" + L.tail(proc.lab_log))
    port = int(next(line.split()[4] for line in lines if line.startswith("node flood plain")))
    own_machine(proc.pid)

    def login(name):
        t0 = time.monotonic()
        w = flab.watch(name, "--plain", f"127.0.0.1:{port}")
        try:
            hit = w.wait(F.is_event("connected"), 20, 0)
            return None if hit is None else hit[1] - t0
        finally:
            w.finish()
            flab.watches.remove(w)

    result = {"flood": FLOOD_SIZE, "hostile": len(HOSTILE_KINDS) * HOSTILE_PER_KIND}
    try:
        login("flood-warmup")
        result["idle_rss_mb"] = status_kb(proc.pid, "VmRSS") / 1024
        result["baseline_s"] = [login(f"flood-baseline-{i}") for i in range(LOGINS)]
        log(f"flood: logins without a flood: {result['baseline_s']}")

        stop = threading.Event()
        sampler = Sampler(proc.pid, stop)
        sampler.start()
        t0 = time.monotonic()
        flood = open_flood(port, FLOOD_SIZE, FLOOD_PER_ADDRESS)
        result["flood_open_s"] = time.monotonic() - t0
        result["flood_greeted"] = len(flood)
        log(f"flood: {len(flood)} of {FLOOD_SIZE} greeted in {result['flood_open_s']:.1f} s")
        hostiles = []
        for k, kind in enumerate(HOSTILE_KINDS):
            for j in range(HOSTILE_PER_KIND):
                h = Hostile(kind, f"127.0.200.{1 + k * HOSTILE_PER_KIND + j}", port, stop)
                h.start()
                hostiles.append(h)
        time.sleep(1.0)   # let every attack get going before the first login
        result["flood_s"] = []
        for i in range(LOGINS):
            if proc.poll() is not None:
                break
            result["flood_s"].append(login(f"flood-during-{i}"))
        result["flood_open_at_end"] = still_open(flood)
        result["attack_s"] = time.monotonic() - t0
        stop.set()
        for h in hostiles:
            h.join(timeout=10)
        sampler.join(timeout=5)
        for s in flood:
            s.close()
        result["server_alive"] = proc.poll() is None
        result["peak_rss_mb"] = max(sampler.max_kb / 1024,
                                    (status_kb(proc.pid, "VmHWM") or 0) / 1024 if result["server_alive"] else 0)
        result["attacks"] = {}
        for h in hostiles:
            a = result["attacks"].setdefault(h.kind, {"connections": 0, "refused_early": 0, "max_sent_mb": 0.0})
            a["connections"] += h.attempts
            a["refused_early"] += h.refused
            a["max_sent_mb"] = max([a["max_sent_mb"]] + [x / MIB for x in h.sent])
        log(f"flood: logins during it: {result['flood_s']}, peak RSS {result['peak_rss_mb']:.1f} MB, "
            f"server {'alive' if result['server_alive'] else 'DEAD'}, attacks {result['attacks']}")
    finally:
        flab.lab.procs.stop(proc)

    times = [t for t in result["flood_s"] if t is not None]
    base = [t for t in result["baseline_s"] if t is not None]
    result["baseline_median_s"] = statistics.median(base) if base else None
    result["flood_median_s"] = statistics.median(times) if times else None
    result["flood_max_s"] = max(times) if times else None
    result["passed_rss"] = result["server_alive"] and result["peak_rss_mb"] < RSS_BOUND_MB
    result["passed_login"] = (result["server_alive"] and len(times) == LOGINS
                              and max(times) <= LOGIN_BOUND_S)
    return result


def report(r, table, fmt_s, ratio):
    """The section's lines of the report, and its verdicts."""
    out = [f"Flood: one attendant-server (default limits) with {r['flood']} connections that "
           f"never log in ({FLOOD_PER_ADDRESS} per 127.0.x.y address, each through the upgrade) "
           f"and {r['hostile']} hostile clients ({', '.join(HOSTILE_KINDS)}; two each, "
           f"reconnecting), while attendant-cli watch --plain logs in {LOGINS} times "
           f"(s from its start to connected)", ""]
    rr = ratio(r.get("flood_median_s"), r.get("baseline_median_s"))
    rows = [
        ["login, median", fmt_s(r.get("flood_median_s")), fmt_s(r.get("baseline_median_s")),
         "-" if rr is None else f"{rr:.2f}"],
        ["login, slowest", fmt_s(r.get("flood_max_s")),
         fmt_s(max((t for t in r["baseline_s"] if t is not None), default=None)), ""],
        ["server RSS, MB (peak / idle)", f"{r['peak_rss_mb']:.1f}", f"{r['idle_rss_mb']:.1f}",
         f"{r['peak_rss_mb'] / r['idle_rss_mb']:.2f}" if r.get("idle_rss_mb") else "-"],
    ]
    out += table(["measure", "under the flood", "baseline (no flood)", "ratio"], rows)
    out.append(f"  flood: {r['flood_greeted']} of {r['flood']} greeted in {fmt_s(r['flood_open_s'])} s, "
               f"{r['flood_open_at_end']} still open after {fmt_s(r['attack_s'])} s; server "
               f"{'alive' if r['server_alive'] else 'DIED'}")
    for kind, a in r["attacks"].items():
        out.append(f"  {kind}: {a['connections']} connections, {a['refused_early']} ended before the "
                   f"attack, at most {a['max_sent_mb']:.1f} MB sent on one before the server ended it")
    out.append("")
    verdicts = [(f"flood: server RSS under {RSS_BOUND_MB} MiB", r["passed_rss"]),
                (f"flood: a real user logs in within {LOGIN_BOUND_S:g} s, every time",
                 r["passed_login"])]
    return out, verdicts
