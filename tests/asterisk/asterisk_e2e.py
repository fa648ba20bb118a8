# SPDX-License-Identifier: GPL-3.0-or-later
"""The real parts of telephony for whole programs: a private Asterisk and
baresip phones on loopback (the shared scripts, as attendant-test-asterisk.c
runs them), `attendant-server` processes with an [asterisk] group, one node
each, and `attendant-cli watch` clients. Used by test-asterisk-e2e.py (suite
'asterisk') and by bench/asterisk_bench.py.

Every process is started in a process group of its own and killed at the
end, even when the runner fails; everything listens on 127.0.0.1 only.
"""

import base64
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_ROOT, "tests", "lab"))
from lab import tail  # noqa: E402 - the lab's helpers, without its namespace
from lab_failover import read_lines_until  # noqa: E402

ARI_USER = "attendant"
ARI_PASSWORD = "ari-secret"
USER = "reception"
EXTENSION = "200"
CALLER_NUMBER = "+390612345678"
PR_SET_CHILD_SUBREAPER = 36


class LabError(Exception):
    pass


class Missing(Exception):
    """The lab cannot run here: what is missing."""


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def udp_run_free(start, count):
    for port in range(start, start + count):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def tcp_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_udp_range(low, high, count, rng):
    for _ in range(100):
        start = rng.randrange(low, high - count)
        if udp_run_free(start, count):
            return start
    raise LabError(f"no run of {count} free UDP ports in {low}-{high}")


def wait_until(predicate, timeout_s, step_s=0.005):
    """Polls predicate until it returns something true, or None at the
    deadline. Only for state that gives no event to wait on (Asterisk's
    REST resources, a file's contents)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(step_s)


def shared_folder():
    variable = os.environ.get("ATTENDANT_SHARED_ASTERISK")
    if variable:
        return variable
    return os.path.join(SOURCE_ROOT, "..", "shared", "asterisk")


def find():
    """Raises Missing with what is missing (the C lab's rules)."""
    scripts = shared_folder()
    if not os.path.exists(os.path.join(scripts, "run-asterisk.sh")):
        raise Missing(f"the shared Asterisk folder is not at {scripts} (set ATTENDANT_SHARED_ASTERISK)")
    if shutil.which("baresip") is None:
        raise Missing("baresip is not installed (Debian: baresip-core; build-aux/install-deps.sh)")
    if not any(n.startswith("asterisk-") and n.endswith(".tar.xz") for n in os.listdir(scripts)) \
            and not os.environ.get("ATTENDANT_ASTERISK_DIR"):
        raise Missing(f"no Asterisk archive in {scripts} and ATTENDANT_ASTERISK_DIR unset")
    for var in ("ATTENDANT_CLI", "ATTENDANT_SERVER"):
        if not os.access(os.environ.get(var, ""), os.X_OK):
            raise Missing(f"{var} is not set to the program")
    return scripts


class Processes:
    """Every process the lab starts, each in a process group of its own."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.running = []

    def start(self, name, argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=None):
        log_path = os.path.join(self.workdir, f"{name}.log")
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=log,
                                    close_fds=True, start_new_session=True, env=env)
        proc.lab_name = name
        proc.lab_log = log_path
        self.running.append(proc)
        return proc

    def adopt(self, pid, name):
        """A daemon a script left running (Asterisk, baresip)."""
        self.running.append(Adopted(pid, name))

    def stop(self, proc, sig=signal.SIGTERM):
        if proc in self.running:
            self.running.remove(proc)
        proc_stop(proc, sig)

    def stop_all(self):
        for proc in reversed(self.running):
            proc_stop(proc, signal.SIGTERM)
        self.running = []


class Adopted:
    def __init__(self, pid, name):
        self.pid = pid
        self.lab_name = name

    def poll(self):
        # This process is the daemons' subreaper (Lab.__init__): reap it.
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                return status
        except ChildProcessError:
            pass
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return 0
        # A zombie of the script's shell, not ours to reap: count it as dead.
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                if f.read().split(") ", 1)[1].startswith("Z"):
                    return 0
        except OSError:
            return 0
        return None

    def wait(self, timeout=None):
        if wait_until(lambda: self.poll() is not None, timeout or 3600, 0.01) is None:
            raise subprocess.TimeoutExpired(str(self.pid), timeout)


def proc_stop(proc, sig):
    if proc.poll() is not None:
        return
    try:
        # A frozen process ends on SIGTERM only once it runs again.
        if sig != signal.SIGKILL:
            os.kill(proc.pid, signal.SIGCONT)
        os.kill(proc.pid, sig)
        proc.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass


# ---------------------------------------------------------------------------
# Asterisk and its phones

class Asterisk:
    def __init__(self, lab):
        self.lab = lab
        self.rundir = os.path.join(lab.workdir, "asterisk")
        self.http_port = free_port()
        self.sip_port = free_port(socket.SOCK_DGRAM)
        # Phones have 20000-29999 (Phone.__init__). Asterisk rounds an odd
        # start up.
        while True:
            self.rtp_start = free_udp_range(30000, 32600, 200, lab.rng)
            if self.rtp_start % 2 == 0:
                break
        self.proc = None
        self.url = f"http://127.0.0.1:{self.http_port}/ari"
        self.stopped = False

    def start(self):
        script = os.path.join(self.lab.scripts, "run-asterisk.sh")
        result = subprocess.run(["sh", script, self.rundir, str(self.http_port), str(self.sip_port),
                                 str(self.rtp_start)], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=120)
        pid = parse_ready(result.stdout)
        if pid is None:
            raise LabError(f"Asterisk did not start: {result.stdout} {result.stderr}")
        self.proc = Adopted(pid, "asterisk")
        self.lab.procs.running.append(self.proc)
        self.stopped = False

    def kill(self):
        """SIGKILL, as a crash would; returns the time just before."""
        t0 = time.monotonic()
        self.lab.procs.stop(self.proc, signal.SIGKILL)
        self.proc = None
        return t0

    def freeze(self):
        t0 = time.monotonic()
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.stopped = True
        return t0

    def thaw(self):
        os.kill(self.proc.pid, signal.SIGCONT)
        self.stopped = False

    # ARI's REST resources, to check what Asterisk itself says.
    def ari(self, method, path, timeout=5, **params):
        query = "&".join(f"{k}={urllib.request.quote(str(v))}" for k, v in params.items())
        request = urllib.request.Request(f"{self.url}{path}{'?' + query if query else ''}",
                                         method=method)
        token = base64.b64encode(f"{ARI_USER}:{ARI_PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=timeout) as response:
            body = response.read()
            return json.loads(body) if body else None

    def channels(self):
        return self.ari("GET", "/channels")

    def bridges(self):
        return self.ari("GET", "/bridges")

    def endpoint_online(self, extension):
        try:
            return self.ari("GET", f"/endpoints/PJSIP/{extension}").get("state") == "online"
        except urllib.error.HTTPError:
            return False


def parse_ready(stdout):
    for line in stdout.splitlines():
        if line.startswith("ready "):
            return int(line.split()[1])
    return None


class Phone:
    """A baresip phone (run-phone.sh): registers, answers every call by
    itself, sends a tone, records what it hears; driven over ctrl_tcp."""

    def __init__(self, lab, extension, password=None, tone_hz=1000):
        self.lab = lab
        self.extension = extension
        self.dir = os.path.join(lab.workdir, f"phone-{extension}-{lab.next_id()}")
        # baresip listens for SIP on UDP and TCP at its port and for TLS on
        # the next; its RTP ports are that port + 10000 ... + 10099
        # (run-phone.sh). All below the kernel's ephemeral ports (32768 on),
        # where the runner's own connections would leave TIME_WAIT
        # sockets that baresip cannot bind over, and apart from Asterisk's
        # RTP (Asterisk.__init__).
        while True:
            self.local_port = free_udp_range(10000, 19900, 1, lab.rng)
            if self.local_port not in lab.phone_ports and self.local_port + 1 not in lab.phone_ports \
                    and tcp_free(self.local_port) and tcp_free(self.local_port + 1) \
                    and udp_run_free(self.local_port + 10000, 100):
                break
        lab.phone_ports.update((self.local_port, self.local_port + 1))
        self.ctrl_port = free_port()
        script = os.path.join(lab.scripts, "run-phone.sh")
        result = subprocess.run(["sh", script, self.dir, extension, password or f"p{extension}",
                                 str(lab.asterisk.sip_port), str(self.local_port),
                                 str(self.ctrl_port), str(tone_hz)],
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
        pid = parse_ready(result.stdout)
        if pid is None:
            raise LabError(f"baresip did not start: {result.stdout} {result.stderr}")
        self.proc = Adopted(pid, f"phone-{extension}")
        lab.procs.running.append(self.proc)
        self.ctrl = None
        self.tokens = 0

    def command(self, command, params=""):
        """Writes one ctrl_tcp command; returns the time just before."""
        if self.ctrl is None:
            deadline = time.monotonic() + 5
            while True:
                try:
                    self.ctrl = socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=5)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.01)
            self.ctrl.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._drain, daemon=True).start()
        self.tokens += 1
        request = {"command": command, "token": str(self.tokens)}
        # baresip reads an empty "params" as a call's id: "hangup" would
        # then look for a call named "" and do nothing.
        if params:
            request["params"] = params
        body = json.dumps(request).encode()
        # Just before: no INVITE can reach Asterisk earlier.
        t = time.monotonic()
        self.ctrl.sendall(b"%d:%s," % (len(body), body))
        with open(os.path.join(self.dir, "ctrl.log"), "ab") as log:
            log.write(b"> " + body + b"\n")
        return t

    def _drain(self):
        # Its answers and events, kept for a failed test's reader; they
        # must not fill the socket.
        try:
            with open(os.path.join(self.dir, "ctrl.log"), "ab") as log:
                while True:
                    data = self.ctrl.recv(65536)
                    if not data:
                        break
                    log.write(data + b"\n")
                    log.flush()
        except (OSError, AttributeError):
            pass

    def dial(self, extension):
        return self.command("dial", f"sip:{extension}@127.0.0.1:{self.lab.asterisk.sip_port}")

    def hangup(self):
        return self.command("hangup")

    def close(self):
        if self.ctrl is not None:
            self.ctrl.close()
            self.ctrl = None


# ---------------------------------------------------------------------------
# attendant-server and attendant-cli

class Server:
    """One attendant-server process hosting one node."""

    def __init__(self, lab, node, port):
        self.lab = lab
        self.node = node
        self.port = port
        self.proc = None
        self.generation = 0
        self.admin_url = None

    def start(self):
        self.generation += 1
        argv = [self.lab.server_path, "--config", self.lab.config, "--node", self.node,
                "--admin", "127.0.0.1:0"]
        self.proc = self.lab.procs.start(f"server-{self.node}-{self.generation}", argv,
                                         stdout=subprocess.PIPE)
        lines = read_lines_until(self.proc, "ready", 15)
        if lines is None:
            raise LabError(f"attendant-server {self.node} did not say ready:\n"
                           + tail(self.proc.lab_log))
        admin = [line for line in lines if line.startswith("admin ")]
        self.admin_url = admin[0].split(" ", 1)[1] if admin else None
        # Its later output is not read: it must not block on a full pipe.
        threading.Thread(target=drain_pipe, args=(self.proc.stdout,), daemon=True).start()
        return self

    def kill(self):
        t0 = time.monotonic()
        self.lab.procs.stop(self.proc, signal.SIGKILL)
        return t0

    def running(self):
        return self.proc is not None and self.proc.poll() is None


def drain_pipe(pipe):
    try:
        while pipe.read(65536):
            pass
    except (OSError, ValueError):
        pass


class Watch:
    """One `attendant-cli watch`: every line, parsed, with the runner's
    monotonic time of its arrival; commands written to its stdin."""

    def __init__(self, lab, name, address, extra=()):
        self.lab = lab
        self.name = name
        self.argv = [lab.cli_path, "watch", "--plain", "--user", USER,
                     "--password-file", lab.password_file, *extra, address]
        self.lines = []
        self.cond = threading.Condition()
        self.eof = False
        self.commands = 0
        self.proc = lab.procs.start(name, self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = open(os.path.join(self.lab.workdir, f"{self.name}.out"), "ab")
        for raw in self.proc.stdout:
            now = time.monotonic()
            out.write(raw)
            out.flush()
            try:
                event = json.loads(raw)
            except ValueError:
                event = {"event": "unparsable", "raw": raw.decode("utf-8", "replace")}
            with self.cond:
                self.lines.append((now, event))
                self.cond.notify_all()
        out.close()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.lines)

    def wait(self, predicate, timeout_s, since=0):
        """The first (time, event) from index since on that predicate
        accepts, or None at the deadline."""
        deadline = time.monotonic() + timeout_s
        with self.cond:
            i = since
            while True:
                while i < len(self.lines):
                    if predicate(self.lines[i][1]):
                        return self.lines[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or self.eof:
                    return None
                self.cond.wait(left)

    def send(self, command, **args):
        """Writes one command; returns its reply event, or None in 10 s."""
        self.commands += 1
        cid = f"{self.name}-{self.commands}"
        mark = self.mark()
        self.proc.stdin.write((json.dumps({"id": cid, "command": command, "args": args}) + "\n").encode())
        self.proc.stdin.flush()
        hit = self.wait(lambda e: e.get("event") == "reply" and e.get("id") == cid, 10, mark)
        self.reply_time = hit[0] if hit else None
        return hit[1] if hit else None

    def stop(self):
        self.lab.procs.stop(self.proc)


class Calls:
    """The calls a watch's client has, replayed from its snapshot and
    events: what its Waiting list and My calls show."""

    @staticmethod
    def at(watch, upto=None):
        calls = {}
        with watch.cond:
            lines = list(watch.lines if upto is None else watch.lines[:upto])
        for _, e in lines:
            kind = e.get("event")
            if kind == "snapshot":
                calls = {c["id"]: c for c in e.get("calls", [])}
            elif kind == "call.updated":
                calls[e["call"]["id"]] = e["call"]
            elif kind == "call.removed":
                calls.pop(e.get("id"), None)
        return calls


# ---------------------------------------------------------------------------
# The lab

class Lab:
    def __init__(self, prefix="attendant-ast-e2e-", seed=None):
        import random
        self.scripts = find()
        # Asterisk and baresip are left in the background by their scripts:
        # as their subreaper this process reaps them when it stops them.
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        self.cli_path = os.environ["ATTENDANT_CLI"]
        self.server_path = os.environ["ATTENDANT_SERVER"]
        self.workdir = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.workdir, 0o700)
        self.procs = Processes(self.workdir)
        self.rng = random.Random(seed)
        self.ids = 0
        self.phone_ports = set()
        self.asterisk = Asterisk(self)
        self.servers = {}
        self.config = None

    def next_id(self):
        self.ids += 1
        return self.ids

    def close(self, keep=False):
        self.procs.stop_all()
        if not keep and os.environ.get("ATTENDANT_TEST_KEEP") is None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def write_cluster(self, nodes=("a", "b"), ari_url=None, extra_server="", extra_asterisk=""):
        """users.ini (reception, extension 200), the ARI password file, and
        server.conf with one node per name on its own plain port and an
        [asterisk] group for the lab's Asterisk (or ari_url)."""
        d = self.workdir
        self.password_file = os.path.join(d, "password")
        self.token_file = os.path.join(d, "admin.token")
        ari_password = os.path.join(d, "ari.password")
        for path, content in ((self.password_file, secrets.token_urlsafe(18) + "\n"),
                              (self.token_file, secrets.token_hex(16) + "\n"),
                              (ari_password, ARI_PASSWORD + "\n")):
            # The users file is made once, with the first password.
            if os.path.exists(path):
                continue
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(content)
        users = os.path.join(d, "users.ini")
        if not os.path.exists(users):
            result = subprocess.run([self.server_path, "add-user", users, USER,
                                     "--display-name=Reception", f"--extension={EXTENSION}",
                                     f"--password-file={self.password_file}"],
                                    stdin=subprocess.DEVNULL, capture_output=True, text=True)
            if result.returncode != 0:
                raise LabError(f"attendant-server add-user failed: {result.stderr}")
        sections = []
        for name in nodes:
            port = free_port()
            self.servers[name] = Server(self, name, port)
            sections.append(f"[node {name}]\nplain=127.0.0.1:{port}\n")
        self.config = os.path.join(d, "server.conf")
        with open(self.config, "w") as f:
            f.write("[server]\n"
                    "cluster=asterisk-e2e\n"
                    "users=users.ini\n"
                    "admin=127.0.0.1:0\n"
                    "admin-token-file=admin.token\n"
                    + extra_server + "\n"
                    + "\n".join(sections) + "\n"
                    "[queue main]\nname=Reception\n\n"
                    "[asterisk]\n"
                    f"url={ari_url or self.asterisk.url}\n"
                    f"user={ARI_USER}\n"
                    f"password-file={ari_password}\n"
                    "application=attendant\n"
                    "endpoint=PJSIP/{extension}\n"
                    + extra_asterisk)
        return self.config

    def watch(self, name, node, extra=()):
        server = self.servers[node]
        return Watch(self, name, f"127.0.0.1:{server.port}", extra)


# ---------------------------------------------------------------------------
# A tap on ARI: a TCP proxy between attendant-server and Asterisk that notes
# when each StasisStart leaves Asterisk towards the server — the event
# itself, the floor of what any ARI application can do — without changing a
# byte. ARI gives an application to one WebSocket at a time, so a second
# listener could not get StasisStart for the server's application; the tap
# sees the very frame the server gets.

class AriTap:
    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/ari"
        self.cond = threading.Condition()
        self.starts = {}      # channel id -> (time, event)
        self.events = []      # (time, type, channel id, the bridge's channel ids)
        self.names = {}       # channel id -> name
        self.sockets = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sockets += [client, upstream]
            state = {"events": False}
            threading.Thread(target=self._pump, args=(client, upstream, state, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, state, False), daemon=True).start()

    def _pump(self, src, dst, state, to_asterisk):
        buffer = b""
        upgraded = False
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                now = time.monotonic()
                dst.sendall(data)
                if to_asterisk:
                    if not state["events"] and b"GET /ari/events" in data[:200]:
                        state["events"] = True
                    continue
                if not state["events"]:
                    continue
                buffer += data
                if not upgraded:
                    end = buffer.find(b"\r\n\r\n")
                    if end < 0:
                        continue
                    buffer = buffer[end + 4:]
                    upgraded = True
                buffer = self._frames(buffer, now)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _frames(self, buffer, now):
        while len(buffer) >= 2:
            length = buffer[1] & 127
            offset = 2
            if length == 126:
                if len(buffer) < 4:
                    break
                length = struct.unpack(">H", buffer[2:4])[0]
                offset = 4
            elif length == 127:
                if len(buffer) < 10:
                    break
                length = struct.unpack(">Q", buffer[2:10])[0]
                offset = 10
            if len(buffer) < offset + length:
                break
            opcode, payload = buffer[0] & 15, buffer[offset:offset + length]
            buffer = buffer[offset + length:]
            if opcode != 1:
                continue
            try:
                event = json.loads(payload)
            except ValueError:
                continue
            channel = (event.get("channel") or {}).get("id")
            with self.cond:
                if channel:
                    self.names[channel] = event["channel"].get("name", "")
                members = tuple((event.get("bridge") or {}).get("channels") or ())
                self.events.append((now, event.get("type"), channel, members))
                if event.get("type") == "StasisStart" and channel and channel not in self.starts:
                    self.starts[channel] = (now, event)
                self.cond.notify_all()
        return buffer

    def close(self):
        self.closed = True
        self.listener.close()
        for s in self.sockets:
            try:
                s.close()
            except OSError:
                pass
