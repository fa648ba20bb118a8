#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile WebSocket input against the real programs, on loopback only.

A hostile client against a real `attendant-server` process, and a hostile
server (a thread of this script) against the real `attendant-cli check` and
`attendant-cli watch`:

  - a message nested 100,000 deep (json-glib's parser recurses once per
    level: it overflowed the stack, SIGSEGV);
  - a message that never ends, continuation frames of 1 MiB without FIN
    (libsoup bounds a frame, not a message: its buffer grew without end).

Each must end in the documented failure with a clear message, the process
alive (the server serves a real login afterwards) and its peak RSS
bounded. Speaks TAP. The programs come from $ATTENDANT_SERVER and
$ATTENDANT_CLI (tests/meson.build)."""

import base64
import hashlib
import json
import os
import secrets
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

SERVER = os.environ.get("ATTENDANT_SERVER")
CLI = os.environ.get("ATTENDANT_CLI")
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MIB = 1024 * 1024
DEPTH = 100_000
FRAMES = 300              # of 1 MiB each: what took the server to 328 MiB
# Peak RSS growth allowed while a hostile peer does its worst. The fixed
# programs stay within a few MiB of where they were; unfixed, they grew by
# hundreds (and a sanitizer build starts high, hence growth, not totals).
GROWTH_KIB = 64 * 1024
USER = "reception"

DEEP = ('{"type":"ping","id":1,"x":' + "[" * (DEPTH - 1) + "]" * (DEPTH - 1) + "}").encode()
HELLO = json.dumps({"type": "hello", "protocol": 1, "node": "evil", "server": "evil",
                    "cluster": "evil", "heartbeat_s": 5, "nodes": []}).encode()


# {{{ WebSocket framing

def frame(payload, opcode=0x1, fin=True, mask=False, length=None):
    """One frame; with mask, the all-zero key (legal, and the payload stays
    as it is, so no megabyte has to be XORed in Python)."""
    length = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if mask else 0
    if length < 126:
        head += bytes([bit | length])
    elif length < 65536:
        head += bytes([bit | 126]) + struct.pack("!H", length)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", length)
    if mask:
        head += b"\0\0\0\0"
    return head + payload


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


def read_frame(sock):
    """(opcode, payload) of the next frame, unmasking if need be."""
    b0, b1 = read_exact(sock, 2)
    length = b1 & 0x7F
    if length == 126:
        length = struct.unpack("!H", read_exact(sock, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exact(sock, 8))[0]
    key = read_exact(sock, 4) if b1 & 0x80 else None
    payload = read_exact(sock, length)
    if key:
        payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
    return b0 & 0x0F, payload


def read_http_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1)
        if not chunk:
            raise EOFError("connection closed during the handshake")
        data += chunk
    return data.decode("latin-1")


def send_fragments(sock, first, mask):
    """A text message that never ends: FRAMES frames of 1 MiB, only the
    first with its opcode, none with FIN. Returns how many went out whole
    before the peer hung up."""
    filler = b" " * MIB
    sent = 0
    try:
        sock.sendall(frame(first + filler[len(first):], fin=False, mask=mask))
        sent = 1
        for _ in range(FRAMES - 1):
            sock.sendall(frame(filler, opcode=0x0, fin=False, mask=mask))
            sent += 1
    except OSError:
        pass
    return sent

# }}}
# {{{ Processes and memory


def status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class PeakWatcher(threading.Thread):
    """Samples a process's VmHWM (its peak RSS so far) until stopped or the
    process is gone; keeps the last value read and the RSS at the start."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.start_rss = status_kib(pid, "VmRSS:") or 0
        self.peak = self.start_rss
        self.halt = threading.Event()
        self.start()

    def run(self):
        while not self.halt.is_set():
            value = status_kib(self.pid, "VmHWM:")
            if value is None:
                return
            self.peak = max(self.peak, value)
            time.sleep(0.005)

    def stop(self):
        self.halt.set()
        self.join()
        return self.peak


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def case(self, name, func):
        self.n += 1
        try:
            notes = func() or []
            for note in notes:
                print(f"# {note}")
            print(f"ok {self.n} {name}")
        except Exception as e:  # noqa: BLE001 — any failure is the case's
            self.failed += 1
            for line in str(e).splitlines() or [repr(e)]:
                print(f"# {line}")
            print(f"not ok {self.n} {name}")
        sys.stdout.flush()


def check(condition, message):
    if not condition:
        raise AssertionError(message)

# }}}
# {{{ The real server


class RealServer:
    """One attendant-server process, one node with a plain listener on
    127.0.0.1 (port 0: it says which), one user."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.password_file = os.path.join(workdir, "password")
        token_file = os.path.join(workdir, "admin.token")
        for path, content in ((self.password_file, secrets.token_urlsafe(18)),
                              (token_file, secrets.token_hex(16))):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(content + "\n")
        users = os.path.join(workdir, "users.ini")
        subprocess.run([SERVER, "add-user", users, USER, "--extension=200",
                        f"--password-file={self.password_file}"],
                       check=True, stdin=subprocess.DEVNULL, capture_output=True)
        config = os.path.join(workdir, "server.conf")
        with open(config, "w") as f:
            f.write("[server]\ncluster=hostile\nusers=users.ini\n"
                    "admin=127.0.0.1:0\nadmin-token-file=admin.token\n\n"
                    "[node a]\nplain=127.0.0.1:0\n")
        self.log = open(os.path.join(workdir, "server.log"), "w")
        self.proc = subprocess.Popen([SERVER, "--config", config], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.token = open(token_file).read().strip()
        self.port = None
        self.admin = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith("node a plain"):
                self.port = int(line.split()[-1])
            if line.startswith("admin "):
                self.admin = line.split()[1]
            if line.strip() == "ready":
                break
        check(self.port is not None, "attendant-server did not say ready:\n" + self.log_tail())

    def log_tail(self, n=15):
        self.log.flush()
        with open(self.log.name) as f:
            return "".join(f.readlines()[-n:])

    def alive(self):
        return self.proc.poll() is None

    def survived(self, hung_up):
        """Whether the server is alive; when the peer hung up without a
        word (@hung_up), after giving a dying process a second to be
        reaped, so that a crash is reported as one."""
        if hung_up:
            try:
                self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        return self.alive()

    def upgrade(self, extra=""):
        """A socket upgraded to a WebSocket on /attendant, @extra (header
        lines, and a body) added to the request."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=20)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((f"GET /attendant HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Protocol: attendant.v1\r\n" + extra).encode("latin-1"))
        head = read_http_head(sock)
        check(head.startswith("HTTP/1.1 101"), f"no upgrade: {head!r}")
        return sock, head

    def connect(self):
        """A WebSocket on /attendant, its hello read. It offers
        permessage-deflate, which the server must decline: a compressed
        frame could inflate past any bound on what was read."""
        sock, head = self.upgrade("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
        check("sec-websocket-extensions" not in head.lower(), f"an extension was accepted: {head!r}")
        opcode, payload = read_frame(sock)
        check(opcode == 1 and json.loads(payload)["type"] == "hello", f"no hello: {payload[:200]!r}")
        return sock

    def login_works(self):
        """A real `attendant-cli watch` logs in (its "connected" line)."""
        watch = subprocess.Popen([CLI, "watch", "--plain", "--user", USER,
                                  f"--password-file={self.password_file}",
                                  f"127.0.0.1:{self.port}"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        try:
            lines = read_lines(watch, lambda line: '"connected"' in line, 20)
            check(any('"connected"' in line for line in lines),
                  "no login after the attack: " + "".join(lines[-5:]))
        finally:
            watch.send_signal(signal.SIGINT)
            watch.communicate(timeout=20)

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        if not self.log.closed:
            self.log.close()

    def finish(self):
        """Stops the server; it must exit 0 (no sanitizer report at exit)."""
        tail = self.log_tail(40)
        self.stop()
        check(self.proc.returncode == 0, f"attendant-server exited {self.proc.returncode}:\n" + tail)


def read_lines(proc, predicate, timeout):
    """proc's stdout lines until one satisfies predicate, EOF or timeout."""
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if predicate(line):
            break
    return lines


def close_code(sock):
    """The close code the peer sent before hanging up (None: it hung up
    without one)."""
    try:
        while True:
            opcode, payload = read_frame(sock)
            if opcode == 0x8:
                return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
    except (EOFError, OSError):
        return None


def server_deep_nesting(workdir):
    server = RealServer(workdir)
    try:
        sock = server.connect()
        sock.sendall(frame(DEEP, mask=True))
        code = close_code(sock)
        sock.close()
        check(server.survived(code is None), f"the server died: status {server.proc.poll()}\n" + server.log_tail())
        check(code == 1002, f"closed with {code}, not 1002 (protocol error)\n" + server.log_tail())
        check("64 deep" in server.log_tail(), "the log does not say why:\n" + server.log_tail())
        server.login_works()
        server.finish()
        return [f"closed with {code}; a real login afterwards"]
    finally:
        server.stop()


def server_upgrade_with_body(workdir):
    """An upgrade request with a body: the frame guard cannot vouch for
    where libsoup's frames begin, so the node must not run that WebSocket
    (libsoup 3.2 upgrades it; a node's connection serves one request)."""
    server = RealServer(workdir)
    try:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=20)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((f"GET /attendant HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Protocol: attendant.v1\r\nContent-Length: 4\r\n\r\n"
                      "\x81\x7f\x00\x00").encode())
        head = read_http_head(sock)
        if head.startswith("HTTP/1.1 413 ") and "Connection: close" in head:
            # Refused at its headers (attendant-http-guard.c): no WebSocket.
            sock.close()
            check(server.alive(), "the server died")
            return ["refused with 413 before the upgrade"]
        check(head.startswith("HTTP/1.1 101"), f"no upgrade at all: {head!r}")
        opcode, payload = read_frame(sock)
        sock.close()
        check(opcode == 0x8 and struct.unpack("!H", payload[:2])[0] == 1002,
              f"the WebSocket ran: opcode {opcode}, {payload[:80]!r}")
        check(server.alive(), "the server died")
        server.finish()
        return ["the WebSocket closed with 1002 before its hello"]
    finally:
        server.stop()


def server_admin_deep_body(workdir):
    server = RealServer(workdir)
    try:
        host, port = server.admin.split("//", 1)[1].split(":")
        body = DEEP
        sock = socket.create_connection((host, int(port)), timeout=20)
        sock.sendall((f"POST /calls HTTP/1.1\r\nHost: {host}\r\n"
                      f"Authorization: Bearer {server.token}\r\n"
                      "Content-Type: application/json\r\nConnection: close\r\n"
                      f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
        sock.close()
        text = answer.decode("latin-1")
        check(server.survived(not text), f"the server died: status {server.proc.poll()}\n" + server.log_tail())
        check(text.startswith("HTTP/1.1 400") and "64 deep" in text, f"answered {text[:300]!r}")
        server.finish()
        return [text.splitlines()[0] + " " + " ".join(text.split("\r\n\r\n", 1)[-1].split())]
    finally:
        server.stop()


def server_endless_message(workdir):
    server = RealServer(workdir)
    try:
        sock = server.connect()
        watcher = PeakWatcher(server.proc.pid)
        t0 = time.monotonic()
        sent = send_fragments(sock, b'{"type":"ping","id":1,"x":"', mask=True)
        code = close_code(sock)
        elapsed = time.monotonic() - t0
        sock.close()
        peak = watcher.stop()
        check(server.alive(), f"the server died: status {server.proc.poll()}\n" + server.log_tail())
        growth = peak - watcher.start_rss
        check(growth < GROWTH_KIB,
              f"peak RSS grew by {growth // 1024} MiB ({sent} frames of 1 MiB taken)")
        check(sent < FRAMES, f"all {sent} frames of 1 MiB were taken without a close")
        check(code in (1009, None), f"closed with {code}, not 1009")
        server.login_works()
        server.finish()
        return [f"{sent} frame(s) of 1 MiB sent before the close ({code}); peak RSS +{growth} KiB; "
                f"{elapsed:.2f} s"]
    finally:
        server.stop()

# }}}
# {{{ The hostile server against the real CLI


class HostileServer(threading.Thread):
    """Accepts WebSocket clients on 127.0.0.1 and, after a proper
    handshake, does @mode to each: 'deep-hello' (the nested message in
    place of hello), 'deep-after' (hello, then the nested message once the
    client has said something), 'endless-hello' (hello as the start of a
    message that never ends), 'endless-after' (hello, then a message that
    never ends once the client has said something)."""

    def __init__(self, mode):
        super().__init__(daemon=True)
        self.mode = mode
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.frames_sent = []
        self.start()

    def run(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(sock,), daemon=True).start()

    def serve(self, sock):
        try:
            head = read_http_head(sock)
            key = next(line.split(":", 1)[1].strip() for line in head.split("\r\n")
                       if line.lower().startswith("sec-websocket-key:"))
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
                          "Sec-WebSocket-Protocol: attendant.v1\r\n\r\n").encode())
            if self.mode == "deep-hello":
                sock.sendall(frame(DEEP))
            elif self.mode == "endless-hello":
                self.frames_sent.append(send_fragments(sock, HELLO[:-1], mask=False))
            else:
                sock.sendall(frame(HELLO))
                read_frame(sock)
                if self.mode == "deep-after":
                    sock.sendall(frame(DEEP))
                else:
                    self.frames_sent.append(send_fragments(sock, b'{"type":"ping","id":1,"x":"',
                                                           mask=False))
            # Hold the connection until the client lets go.
            while sock.recv(65536):
                pass
        except (OSError, EOFError, StopIteration):
            pass
        finally:
            sock.close()

    def stop(self):
        self.listener.close()


def run_cli(argv, stop_when=None, timeout=30):
    """Runs the CLI; for watch, SIGINT once a line satisfies stop_when.
    Returns (returncode, stdout, stderr, peak RSS growth in KiB)."""
    env = dict(os.environ, ATTENDANT_PASSWORD="not-the-point")
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    watcher = PeakWatcher(proc.pid)
    lines = []
    if stop_when is not None:
        lines = read_lines(proc, stop_when, timeout)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    peak = watcher.stop()
    return proc.returncode, "".join(lines) + out, err, peak - watcher.start_rss


def cli_case(mode, command, expect_text):
    def case():
        server = HostileServer(mode)
        try:
            argv = [CLI, command, "--plain", "--timeout=5"]
            stop_when = None
            if command == "watch":
                argv += ["--user", USER]
                stop_when = lambda line: expect_text in line  # noqa: E731
            argv.append(f"127.0.0.1:{server.port}")
            code, out, err, growth = run_cli(argv, stop_when)
        finally:
            server.stop()
        shown = (out + err)[-1500:]
        check(code >= 0, f"attendant-cli {command} died of signal {-code}:\n{shown}")
        check(growth < GROWTH_KIB, f"peak RSS grew by {growth // 1024} MiB "
                                   f"(frames of 1 MiB taken: {server.frames_sent})")
        check(code == (1 if command == "check" else 0),
              f"attendant-cli {command} exited {code}:\n{shown}")
        check(expect_text in out + err, f"no “{expect_text}” in what it said:\n{shown}")
        return [f"exit {code}; peak RSS +{growth} KiB; frames of 1 MiB sent: {server.frames_sent}"]
    return case

# }}}


def main():
    if not SERVER or not CLI:
        print("Bail out! ATTENDANT_SERVER and ATTENDANT_CLI must name the programs")
        return 1
    print("1..8")
    tap = Tap()
    with tempfile.TemporaryDirectory(prefix="hostile-wire-") as workdir:
        for name, func in (("server/deep-nesting", server_deep_nesting),
                           ("server/admin-deep-body", server_admin_deep_body),
                           ("server/endless-message", server_endless_message),
                           ("server/upgrade-with-body", server_upgrade_with_body)):
            d = os.path.join(workdir, name.replace("/", "-"))
            os.makedirs(d, mode=0o700)
            tap.case(name, lambda f=func, d=d: f(d))
    tap.case("cli-check/deep-nesting", cli_case("deep-hello", "check", "64 deep"))
    tap.case("cli-watch/deep-nesting", cli_case("deep-after", "watch", "64 deep"))
    tap.case("cli-check/endless-message", cli_case("endless-hello", "check", "1 MiB"))
    tap.case("cli-watch/endless-message", cli_case("endless-after", "watch", "1 MiB"))
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
