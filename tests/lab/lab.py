#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Attendant network lab: the set-ups of Imagicle's SRV guide, for real.

Runs `attendant-cli check --json` against a real DNS server (dnsmasq), real
NAT rules (nftables), and real TCP/TLS listeners (listener.py), all inside a
network and mount namespace of its own, and checks every JSON object field for
field against docs/cli.md. Output is TAP.

Nothing leaves the namespace: the runner re-executes itself under
`unshare --net --mount`, refuses to go on unless it really is in a new network
namespace whose only link is `lo`, bind-mounts its own resolv.conf
(nameserver 127.0.0.1), hosts and nsswitch.conf over /etc, and every address
used (the documentation addresses standing in for the guide's public ones, the
guide's private 172.17/172.18 addresses) exists only on that namespace's `lo`.

Needs root, unshare, nft, dnsmasq, ip, mount and openssl. Without root or a
tool it reports a TAP skip, except under CI=true, where it fails: CI must never
skip the lab. Every process it starts (dnsmasq, listeners) is stopped at the
end, on failure and on SIGTERM too, and dies with it if it is killed outright.
ATTENDANT_LAB_KEEP=1 keeps the work directory (logs, certificates).

demo.py (the README's demo) imports this module for its namespace, DNS, NAT,
certificates and listeners; the suite runs only when this file is the script.

Scenarios (each for plain and TLS unless said):
  lab DNS/NAT  the lab itself answers and forwards as the scenarios assume
  1   single DC, both up: 100 runs reach 28101 first (highest-first), 100
      reach 28102 first (rfc2782); SYN counters show the other untouched
  2   primary listener down: one refused attempt, then 28102
  3   primary's SYNs dropped: one timeout attempt (~2 s, --timeout=2), then 28102
  4   primary slow (first SYN dropped): still the primary, backup never contacted
  5   SRV NXDOMAIN / no SRV data / SERVFAIL / unanswered: fallback <domain>:51234|51235
  6   a single "." SRV record: unavailable, exit 1, no SYN; "." among others ignored
  7   dual DC: dc1 reached (dc2 never resolved), rfc2782 gives dc2, dc1 down -> dc2;
      TLS: certificate and SNI are for acme.com, the source domain
  8   bad input: exit 2, one line on stderr, no DNS query; the limits and
      normalisation of accepted input; direct host:port makes no DNS query
  9   TLS: a certificate for the SRV target only, or self-signed, on dc1 is
      tls-failed there and dc2 is reached; untrusted on both: tls-failed
      twice, exit 1
  10  an SRV target that does not resolve, or whose A query is never answered:
      resolve-failed with address null, then the next target
  11  TLS: a TLS 1.1-only server is a failed attempt; TLS 1.2 reported exactly

A test of a known product bug is marked TAP "# TODO <the bug>": it still runs
in full and shows its failure; once the bug is fixed it becomes an unexpected
pass, which fails the suite until the marker is removed.

Topology (Imagicle's SRV guide, docs/dns.md, with 203.0.113.100 for 123.100.100.100 and
198.51.100.100 for 123.200.100.100):

  single DC   acme.com = 203.0.113.100
              _iac._tcp.acme.com     SRV 10 100 28101 acme.com
              _iac._tcp.acme.com     SRV  8  80 28102 acme.com
              (the same for _iacsec._tcp)
              NAT 203.0.113.100:28101 -> 172.17.20.11:51234 (51235 for TLS)
              NAT 203.0.113.100:28102 -> 172.17.20.12:51234 (51235 for TLS)
  dual DC     dc1.acme.com = 203.0.113.100, dc2.acme.com = 198.51.100.100
              _iac._tcp.acme.com     SRV 10 100 21234 dc1.acme.com
              _iac._tcp.acme.com     SRV  8  80 21234 dc2.acme.com
              NAT 203.0.113.100:21234  -> 172.17.20.11:51234 (51235 for TLS)
              NAT 198.51.100.100:21234 -> 172.18.20.11:51234 (51235 for TLS)
  fallback    nxdomain.example  (SRV name: NXDOMAIN)           192.0.2.11
              nosrv.example     (SRV name: NOERROR, no SRV)    192.0.2.12
              servfail.example  (SRV query: SERVFAIL)          192.0.2.13
              slowdns.example   (SRV query: never answered)    192.0.2.14
  "."         none.example      (single SRV record, target ".") 192.0.2.15
              mixed.example     ("." plus srv.mixed.example)   192.0.2.16
  targets     lazy.example       SRV 10 100 -> nohost.example (NXDOMAIN),
                                 SRV  8  80 -> srv.lazy.example 192.0.2.17
              slowtarget.example SRV 10 100 -> slowhost.example (A query
                                 never answered), 8 80 -> srv.lazy.example
"""

import hashlib
import json
import os
import re
import selectors
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
LISTENER = os.path.join(HERE, "listener.py")
NS_MARK = "ATTENDANT_LAB_IN_NAMESPACE"
SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin", "/bin"])

# Addresses, all on the namespace's lo only.
PUBLIC_DC1 = "203.0.113.100"      # the guide's 123.100.100.100 (acme.com, dc1.acme.com)
PUBLIC_DC2 = "198.51.100.100"     # the guide's 123.200.100.100 (dc2.acme.com)
PRIVATE_PRIMARY = "172.17.20.11"
PRIVATE_BACKUP = "172.17.20.12"   # single DC backup
PRIVATE_DC2 = "172.18.20.11"      # dual DC backup
FALLBACK_HOSTS = {
    "nxdomain.example": "192.0.2.11",
    "nosrv.example": "192.0.2.12",
    "servfail.example": "192.0.2.13",
    "slowdns.example": "192.0.2.14",
    "none.example": "192.0.2.15",
    "srv.mixed.example": "192.0.2.16",
    "srv.lazy.example": "192.0.2.17",
}
DNS_SERVER = ("127.0.0.1", 53)
SERVFAIL_UPSTREAM = ("127.0.0.2", 5300)   # answers SERVFAIL to everything
SILENT_UPSTREAM = ("127.0.0.2", 5301)     # reads queries, never answers
READY_NAME = "ready.lab.example"
READY_ADDRESS = "127.0.0.9"
ALL_ADDRESSES = [PUBLIC_DC1, PUBLIC_DC2, PRIVATE_PRIMARY, PRIVATE_BACKUP, PRIVATE_DC2,
                 *FALLBACK_HOSTS.values()]

TRANSPORTS = {
    # name: (option, SRV service label, default/private port)
    "plain": (["--plain"], "_iac._tcp", 51234),
    "tls": ([], "_iacsec._tcp", 51235),
}

# The records of Imagicle's SRV guide, exactly.
SINGLE_DC_RECORDS = [("acme.com", 28101, 10, 100), ("acme.com", 28102, 8, 80)]
DUAL_DC_RECORDS = [("dc1.acme.com", 21234, 10, 100), ("dc2.acme.com", 21234, 8, 80)]

# ---------------------------------------------------------------------------
# TAP

class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0
        self.lock = threading.Lock()

    def emit(self, line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            self.emit("# " + line)

    def ok(self, passed, name, diagnostics=(), todo=None):
        """One test point. `todo` names a known bug of the product: the test
        still runs in full and its failure is shown, but as TAP "TODO" (an
        expected failure); once the bug is fixed it turns into an unexpected
        pass, which meson counts as a failure, so the marker gets removed."""
        with self.lock:
            self.count += 1
            directive = f" # TODO {todo}" if todo else ""
            if passed:
                self.emit(f"ok {self.count} - {name}{directive}")
                if todo:
                    self.diag("this known bug seems fixed: remove the TODO marker")
            else:
                if not todo:
                    self.failed += 1
                self.emit(f"not ok {self.count} - {name}{directive}")
                for d in diagnostics:
                    self.diag(d)
                if not todo:
                    # meson keeps a TAP test's stdout to itself and shows
                    # only stderr when it fails: CI logs need the why there.
                    sys.stderr.write(f"not ok {self.count} - {name}\n")
                    for d in diagnostics:
                        for line in str(d).splitlines():
                            sys.stderr.write(f"  {line}\n")
                    sys.stderr.flush()
        return passed

    def plan(self):
        self.emit(f"1..{self.count}")


TAP = Tap()


def in_ci():
    return os.environ.get("CI") == "true"


def cannot_run(reason):
    """Skips locally; under CI=true the lab must run, so it fails instead."""
    if in_ci():
        print("1..1")
        print(f"not ok 1 - the lab cannot run: {reason} (CI=true: the lab is never skipped)")
        sys.stdout.flush()
        sys.exit(1)
    print(f"1..0 # SKIP {reason}")
    sys.stdout.flush()
    sys.exit(0)


# ---------------------------------------------------------------------------
# Expected JSON and the matcher

class Pred:
    """A value described by a predicate rather than an exact value."""

    def __init__(self, description, check):
        self.description = description
        self.check = check

    def __repr__(self):
        return f"<{self.description}>"


def is_number(v):
    return type(v) in (int, float)


def text():
    return Pred("a non-empty string", lambda v: isinstance(v, str) and v.strip() != "")


def ms(low, high):
    return Pred(f"a number of milliseconds in [{low}, {high}]",
                lambda v: is_number(v) and low <= v <= high)


def one_of(*values):
    return Pred("one of " + ", ".join(repr(v) for v in values),
                lambda v: any(type(v) is type(x) and v == x for x in values))


class Unordered:
    """A list whose items may come in any order (SRV records as received)."""

    def __init__(self, items):
        self.items = list(items)

    def __repr__(self):
        return f"<any order of {self.items!r}>"


def compare(actual, expected, path="$", errors=None):
    """Compares a parsed JSON value with an expectation; returns the mismatches.

    A dict must have exactly the expected keys (no missing, no extra); a list
    exactly the expected length; a literal the same type (int is not float, no
    bool for an int) and value."""
    if errors is None:
        errors = []
    if isinstance(expected, Pred):
        try:
            good = expected.check(actual)
        except Exception:  # noqa: BLE001 - a predicate that raises is a mismatch
            good = False
        if not good:
            errors.append(f"{path}: expected {expected.description}, got {actual!r}")
    elif isinstance(expected, dict):
        if not isinstance(actual, dict):
            errors.append(f"{path}: expected an object, got {actual!r}")
            return errors
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing:
            errors.append(f"{path}: missing keys {missing}")
        if extra:
            errors.append(f"{path}: unexpected keys {extra}")
        for key, value in expected.items():
            if key in actual:
                compare(actual[key], value, f"{path}.{key}", errors)
    elif isinstance(expected, Unordered):
        if not isinstance(actual, list):
            errors.append(f"{path}: expected an array, got {actual!r}")
            return errors
        if len(actual) != len(expected.items):
            errors.append(f"{path}: expected {len(expected.items)} items, got {len(actual)}: {actual!r}")
            return errors
        unused = list(actual)
        for item in expected.items:
            for candidate in unused:
                if not compare(candidate, item, path):
                    unused.remove(candidate)
                    break
            else:
                errors.append(f"{path}: no item matches {item!r} in {actual!r}")
    elif isinstance(expected, list):
        if not isinstance(actual, list):
            errors.append(f"{path}: expected an array, got {actual!r}")
            return errors
        if len(actual) != len(expected):
            errors.append(f"{path}: expected {len(expected)} items, got {len(actual)}: {actual!r}")
            return errors
        for i, (a, e) in enumerate(zip(actual, expected)):
            compare(a, e, f"{path}[{i}]", errors)
    elif expected is None:
        if actual is not None:
            errors.append(f"{path}: expected null, got {actual!r}")
    else:
        if type(actual) is not type(expected) or actual != expected:
            errors.append(f"{path}: expected {expected!r}, got {actual!r}")
    return errors


def record(target, port, priority, weight):
    return {"target": target, "port": port, "priority": priority, "weight": weight}


def plan_entry(host, port, priority=0, weight=0, origin="srv"):
    return {"host": host, "port": port, "priority": priority, "weight": weight, "origin": origin}


def attempt(host, port, address, outcome, elapsed=None, timeout_s=5):
    if elapsed is None:
        elapsed = ms(0, timeout_s * 1000 + 500)
    return {"host": host, "port": port, "address": address, "outcome": outcome,
            "error": None if outcome == "connected" else text(),
            "elapsed_ms": elapsed}


def connected(host, port, address, transport, fingerprint):
    return {"host": host, "port": port, "address": address,
            "tls_version": one_of("TLS 1.2", "TLS 1.3") if transport == "tls" else None,
            "certificate_sha256": fingerprint if transport == "tls" else None}


def document(*, input, domain, transport, order="highest-first", method, query, result,
             error=None, records=(), plan=(), attempts=(), connected=None):
    if error is None and result in ("not-found", "failed", "unavailable"):
        error = text()
    return {
        "input": input,
        "domain": domain,
        "transport": transport,
        "priority_order": order,
        "discovery": {
            "method": method,
            "query": query,
            "result": result,
            "error": error,
            "records": Unordered(records),
        },
        "plan": list(plan),
        "attempts": list(attempts),
        "connected": connected,
    }


# ---------------------------------------------------------------------------
# A raw DNS client (stdlib only), to check the lab's DNS and wait for it

def dns_encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def dns_read_name(message, offset):
    labels = []
    end = None
    while True:
        length = message[offset]
        if length & 0xC0 == 0xC0:
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | message[offset + 1]
            continue
        offset += 1
        if length == 0:
            break
        labels.append(message[offset:offset + length].decode("ascii"))
        offset += length
    return ".".join(labels) + ".", (end if end is not None else offset)


RCODES = {0: "NOERROR", 2: "SERVFAIL", 3: "NXDOMAIN", 5: "REFUSED"}
QTYPE_A, QTYPE_TXT, QTYPE_SRV = 1, 16, 33


def dns_query(name, qtype, server=DNS_SERVER, timeout=1.0):
    """Returns (rcode name, answers): A answers as address strings, SRV
    answers as (target, port, priority, weight) with the target's dot kept."""
    qid = int.from_bytes(os.urandom(2), "big")
    query = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_encode_name(name) + \
        struct.pack(">HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(query, server)
        while True:
            message, _ = sock.recvfrom(4096)
            if struct.unpack(">H", message[:2])[0] == qid:
                break
    _, flags, qdcount, ancount, _, _ = struct.unpack(">HHHHHH", message[:12])
    offset = 12
    for _ in range(qdcount):
        _, offset = dns_read_name(message, offset)
        offset += 4
    answers = []
    for _ in range(ancount):
        _, offset = dns_read_name(message, offset)
        rtype, _, _, rdlength = struct.unpack(">HHIH", message[offset:offset + 10])
        offset += 10
        rdata = message[offset:offset + rdlength]
        if rtype == QTYPE_A and qtype == QTYPE_A:
            answers.append(socket.inet_ntoa(rdata))
        elif rtype == QTYPE_SRV and qtype == QTYPE_SRV:
            priority, weight, port = struct.unpack(">HHH", rdata[:6])
            target, _ = dns_read_name(message, offset + 6)
            answers.append((target, port, priority, weight))
        offset += rdlength
    rcode = flags & 0xF
    return RCODES.get(rcode, str(rcode)), answers


class FakeUpstreams:
    """Two DNS "servers" dnsmasq forwards to, on 127.0.0.2 (loopback): one
    answers SERVFAIL to every query, the other reads and never answers."""

    def __init__(self):
        self.stop = threading.Event()
        self.silent_queries = 0
        self.servfail_queries = 0
        self.servfail = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.servfail.bind(SERVFAIL_UPSTREAM)
        self.silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.silent.bind(SILENT_UPSTREAM)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        selector = selectors.DefaultSelector()
        selector.register(self.servfail, selectors.EVENT_READ)
        selector.register(self.silent, selectors.EVENT_READ)
        while not self.stop.is_set():
            for key, _ in selector.select(timeout=0.5):
                try:
                    message, peer = key.fileobj.recvfrom(4096)
                except OSError:
                    continue
                if key.fileobj is self.silent:
                    self.silent_queries += 1
                    continue
                self.servfail_queries += 1
                if len(message) < 12:
                    continue
                qid, flags = struct.unpack(">HH", message[:4])
                offset = 12
                while offset < len(message) and message[offset]:
                    offset += message[offset] + 1
                offset += 5
                # QR, the client's RD, RA, RCODE 2 (SERVFAIL); echo the question.
                reply_flags = 0x8000 | (flags & 0x0100) | 0x0080 | 2
                reply = struct.pack(">HHHHHH", qid, reply_flags, 1, 0, 0, 0) + message[12:offset]
                try:
                    self.servfail.sendto(reply, peer)
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.thread.join(timeout=2)
        self.servfail.close()
        self.silent.close()


# ---------------------------------------------------------------------------
# Processes: every one the lab starts is registered and stopped at the end

class Processes:
    def __init__(self, workdir):
        self.workdir = workdir
        self.running = []
        # If the runner is killed outright, the kernel kills its children
        # too, so nothing lingers in the namespace.
        setpriv = shutil.which("setpriv", path=SBIN_PATH)
        self.prefix = [setpriv, "--pdeathsig", "KILL"] if setpriv else []

    def start(self, name, argv, stdout=subprocess.DEVNULL):
        log_path = os.path.join(self.workdir, f"{name}.log")
        log = open(log_path, "ab")
        proc = subprocess.Popen(self.prefix + argv, stdin=subprocess.DEVNULL,
                                stdout=stdout, stderr=log, close_fds=True)
        log.close()
        proc.lab_name = name
        proc.lab_log = log_path
        self.running.append(proc)
        return proc

    def stop(self, proc, timeout=5.0):
        if proc in self.running:
            self.running.remove(proc)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()

    def stop_all(self):
        for proc in list(reversed(self.running)):
            self.stop(proc)


def tail(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"({path}: {e})"


def wait_for_line(proc, expected, deadline_s):
    """Waits, bounded, for a line on the process's stdout (its readiness)."""
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
                break
            buffer += chunk
            if expected.encode() + b"\n" in buffer:
                return True
    finally:
        selector.close()
    return False


# ---------------------------------------------------------------------------
# The lab

class LabError(Exception):
    pass


class Lab:
    def __init__(self, workdir, cli):
        self.workdir = workdir
        self.cli_path = cli
        self.procs = Processes(workdir)
        self.dnsmasq = None
        self.dns_config = None
        self.upstreams = None
        self.scenario_procs = []
        self.resolv_conf = "nameserver 127.0.0.1\n"
        self.certs = {}
        self.fingerprints = {}

    # -- the namespace ------------------------------------------------------

    def check_isolation(self):
        """Refuses to go on unless this is a new network and mount namespace
        whose only link is lo: then no packet can leave it."""
        for kind in ("net", "mnt"):
            outer = os.environ.get(f"{NS_MARK}_{kind.upper()}")
            if not outer or os.readlink(f"/proc/self/ns/{kind}") == outer:
                raise LabError(f"not in a {kind} namespace of our own; refusing to run")
        links = run(["ip", "-o", "link", "show"]).stdout.splitlines()
        names = [line.split(":")[1].strip().split("@")[0] for line in links if line.strip()]
        if names != ["lo"]:
            raise LabError(f"the namespace has links other than lo: {names}; refusing to run")

    def setup_namespace(self):
        self.check_isolation()
        run(["ip", "link", "set", "lo", "up"])
        for address in ALL_ADDRESSES:
            run(["ip", "addr", "add", f"{address}/32", "dev", "lo"])
        etc = os.path.join(self.workdir, "etc")
        os.makedirs(etc)
        files = {
            "resolv.conf": self.resolv_conf,
            "hosts": "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n",
            "nsswitch.conf": ("passwd: files\ngroup: files\nshadow: files\n"
                              "hosts: files dns\nnetworks: files\n"
                              "protocols: files\nservices: files\n"),
        }
        for name, content in files.items():
            path = os.path.join(etc, name)
            with open(path, "w") as f:
                f.write(content)
            # Private propagation (unshare's default, and asked for): the
            # bind mounts exist only in this mount namespace.
            run(["mount", "--bind", path, f"/etc/{name}"])
        self.check_resolver()

    def check_resolver(self):
        with open("/etc/resolv.conf") as f:
            if f.read() != self.resolv_conf:
                raise LabError("/etc/resolv.conf is not the lab's; refusing to run the CLI")

    # -- certificates -------------------------------------------------------

    def make_certificates(self):
        d = os.path.join(self.workdir, "pki")
        os.makedirs(d)
        ca_key, ca_pem = os.path.join(d, "ca.key"), os.path.join(d, "ca.pem")
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", ca_key, "-out", ca_pem, "-days", "2",
             "-subj", "/CN=Attendant Lab Test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        self.certs["ca"] = ca_pem
        servers = {
            # The certificate is valid for the SOURCE domain the user types,
            # not for the SRV targets dc1/dc2.acme.com.
            "acme": ["acme.com"],
            "fallback": ["nxdomain.example", "nosrv.example", "servfail.example",
                         "slowdns.example", "none.example", "mixed.example",
                         "lazy.example", "slowtarget.example"],
            # Valid only for the SRV target names: must be refused.
            "targets": ["dc1.acme.com", "dc2.acme.com"],
        }
        for name, sans in servers.items():
            key, csr, pem = (os.path.join(d, f"{name}.{ext}") for ext in ("key", "csr", "pem"))
            ext = os.path.join(d, f"{name}.ext")
            with open(ext, "w") as f:
                f.write("basicConstraints=critical,CA:FALSE\n"
                        "keyUsage=critical,digitalSignature\n"
                        "extendedKeyUsage=serverAuth\n"
                        "subjectAltName=" + ",".join(f"DNS:{s}" for s in sans) + "\n")
            run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={sans[0]}"])
            run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key,
                 "-set_serial", str(int.from_bytes(os.urandom(8), "big")),
                 "-days", "2", "-extfile", ext, "-out", pem])
            self.certs[name] = (pem, key)
            out = run(["openssl", "x509", "-in", pem, "-noout", "-fingerprint", "-sha256"]).stdout
            fingerprint = out.strip().split("=", 1)[1].lower()
            # Cross-check openssl against the DER digest computed here.
            with open(pem) as f:
                der = ssl.PEM_cert_to_DER_cert(f.read())
            digest = hashlib.sha256(der).hexdigest()
            if fingerprint.replace(":", "") != digest:
                raise LabError(f"openssl fingerprint {fingerprint} differs from {digest}")
            self.fingerprints[name] = fingerprint
        # Self-signed for the right name: an issuer no --ca-file vouches for,
        # as an administrator's stop-gap or an interception would present.
        key, pem = os.path.join(d, "rogue.key"), os.path.join(d, "rogue.pem")
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", key, "-out", pem, "-days", "2", "-subj", "/CN=acme.com",
             "-addext", "subjectAltName=DNS:acme.com"])
        self.certs["rogue"] = (pem, key)

    # -- DNS ----------------------------------------------------------------

    def dnsmasq_args(self, config):
        args = [
            shutil.which("dnsmasq", path=SBIN_PATH),
            "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--port=53",
            "--user=root", "--group=root", "--pid-file=",
            "--cache-size=0", "--no-negcache", "--log-facility=-", "--log-queries",
            # Answer only from the lab's data for these domains (so unknown
            # names get NXDOMAIN, not REFUSED).
            "--local=/acme.com/", "--local=/example/",
            f"--host-record={READY_NAME},{READY_ADDRESS}",
        ]
        for host, address in FALLBACK_HOSTS.items():
            args.append(f"--host-record={host},{address}")
        args.append(f"--server=/slowhost.example/{SILENT_UPSTREAM[0]}#{SILENT_UPSTREAM[1]}")
        for service in ("_iac._tcp", "_iacsec._tcp"):
            port = 51234 if service == "_iac._tcp" else 51235
            # nxdomain.example: nothing at the SRV name at all -> NXDOMAIN.
            # nosrv.example: the SRV name exists (a TXT record) -> NOERROR, no SRV.
            args.append(f"--txt-record={service}.nosrv.example,no SRV here")
            # servfail.example: the SRV name is forwarded to an upstream on
            # loopback that answers SERVFAIL; dnsmasq passes the SERVFAIL on.
            args.append(f"--server=/{service}.servfail.example/"
                        f"{SERVFAIL_UPSTREAM[0]}#{SERVFAIL_UPSTREAM[1]}")
            # slowdns.example: forwarded to an upstream that never answers.
            args.append(f"--server=/{service}.slowdns.example/"
                        f"{SILENT_UPSTREAM[0]}#{SILENT_UPSTREAM[1]}")
            # none.example: --srv-host without a target is dnsmasq's way of
            # saying "service decidedly not available": one SRV record, target ".".
            args.append(f"--srv-host={service}.none.example")
            # mixed.example: a "." record and a usable one.
            args.append(f"--srv-host={service}.mixed.example")
            args.append(f"--srv-host={service}.mixed.example,srv.mixed.example,{port},10,100")
            # lazy.example: the preferred target has no address at all;
            # slowtarget.example: the preferred target's A query is never
            # answered. Both have srv.lazy.example as the backup.
            args.append(f"--srv-host={service}.lazy.example,nohost.example,{port},10,100")
            args.append(f"--srv-host={service}.lazy.example,srv.lazy.example,{port},8,80")
            args.append(f"--srv-host={service}.slowtarget.example,slowhost.example,{port},10,100")
            args.append(f"--srv-host={service}.slowtarget.example,srv.lazy.example,{port},8,80")
            if config == "single":
                for target, srv_port, priority, weight in SINGLE_DC_RECORDS:
                    args.append(f"--srv-host={service}.acme.com,{target},{srv_port},{priority},{weight}")
            else:
                for target, srv_port, priority, weight in DUAL_DC_RECORDS:
                    args.append(f"--srv-host={service}.acme.com,{target},{srv_port},{priority},{weight}")
        if config == "single":
            args.append(f"--host-record=acme.com,{PUBLIC_DC1}")
        else:
            args.append(f"--host-record=dc1.acme.com,{PUBLIC_DC1}")
            args.append(f"--host-record=dc2.acme.com,{PUBLIC_DC2}")
        return args

    def start_dns(self, config):
        """(Re)starts dnsmasq with the single- or dual-DC zone and waits until
        it answers."""
        if self.dns_config == config and self.dnsmasq is not None and self.dnsmasq.poll() is None:
            return
        self.stop_dns()
        self.dnsmasq = self.procs.start(f"dnsmasq-{config}", self.dnsmasq_args(config))
        self.dns_config = config
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.dnsmasq.poll() is not None:
                raise LabError(f"dnsmasq exited with {self.dnsmasq.returncode}:\n"
                               + tail(self.dnsmasq.lab_log))
            try:
                # Each poll waits up to 0.2 s for the answer.
                rcode, answers = dns_query(READY_NAME, QTYPE_A, timeout=0.2)
                if rcode == "NOERROR" and answers == [READY_ADDRESS]:
                    return
            except (socket.timeout, ConnectionRefusedError):
                pass
        raise LabError("dnsmasq did not answer within 10 s:\n" + tail(self.dnsmasq.lab_log))

    def dns_log_count(self, pattern):
        """How many queries dnsmasq has logged whose line matches."""
        if self.dnsmasq is None:
            return 0
        with open(self.dnsmasq.lab_log, errors="replace") as f:
            return sum(1 for line in f if "query[" in line and re.search(pattern, line))

    def wait_dns_log(self, pattern, count, deadline_s=5):
        """Polls dnsmasq's log, bounded, until `count` queries match."""
        deadline = time.monotonic() + deadline_s
        while True:
            seen = self.dns_log_count(pattern)
            if seen >= count or time.monotonic() >= deadline:
                return seen
            time.sleep(0.02)  # polling the log file, bounded by the deadline

    def stop_dns(self):
        if self.dnsmasq is not None:
            self.procs.stop(self.dnsmasq)
            self.dnsmasq = None
            self.dns_config = None

    # -- listeners ----------------------------------------------------------

    def start_listener(self, name, endpoints, cert=None, max_tls="1.3"):
        """Starts listener.py on ADDRESS:PORT pairs, TLS with the named
        certificate when cert is given; returns once it listens."""
        log = os.path.join(self.workdir, f"{name}.events")
        argv = [sys.executable, LISTENER, "--log", log, "--hold", "10"]
        if cert is not None:
            pem, key = self.certs[cert]
            argv += ["--tls", pem, key, f"--max-tls={max_tls}"]
        argv += [f"{a}:{p}" for a, p in endpoints]
        proc = self.procs.start(name, argv, stdout=subprocess.PIPE)
        proc.events = log
        self.scenario_procs.append(proc)
        if not wait_for_line(proc, "READY", 10):
            raise LabError(f"listener {name} not ready within 10 s:\n" + tail(proc.lab_log))
        return proc

    def stop_listener(self, proc):
        if proc in self.scenario_procs:
            self.scenario_procs.remove(proc)
        self.procs.stop(proc)
        if proc.returncode is None:
            raise LabError(f"listener {proc.lab_name} did not stop")

    def stop_scenario(self):
        for proc in list(self.scenario_procs):
            self.stop_listener(proc)

    def listener_events(self, proc, event):
        try:
            with open(proc.events) as f:
                return [e for e in map(json.loads, f) if e.get("event") == event]
        except FileNotFoundError:
            return []

    def wait_events(self, proc, event, count, deadline_s=5):
        """Polls the listener's event log until `count` events of a kind."""
        deadline = time.monotonic() + deadline_s
        while True:
            events = self.listener_events(proc, event)
            if len(events) >= count or time.monotonic() >= deadline:
                return events
            time.sleep(0.02)  # polling the log file, bounded by the deadline

    # -- the CLI ------------------------------------------------------------

    def cli(self, *args, timeout=90):
        self.check_resolver()
        # The lab's stand-in servers (listener.py) speak TCP and TLS but not
        # the protocol, so every check here stops after TLS.
        argv = [self.cli_path, "check", "--tcp-only", *args]
        started = time.monotonic()
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
        result = CliResult(argv, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                           proc.stderr.decode("utf-8", "replace"),
                           (time.monotonic() - started) * 1000)
        return result


class CliResult:
    def __init__(self, argv, status, stdout, stderr, wall_ms):
        self.argv = argv
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.wall_ms = wall_ms
        self.doc = None
        self.parse_error = None
        try:
            self.doc = json.loads(stdout)
        except ValueError as e:
            self.parse_error = str(e)

    def describe(self):
        return [f"command: {' '.join(repr(a) if (not a or ' ' in a) else a for a in self.argv)}",
                f"exit status: {self.status}, {self.wall_ms:.0f} ms",
                "stdout:", *(self.stdout.splitlines() or ["(empty)"]),
                "stderr:", *(self.stderr.splitlines() or ["(empty)"])]

    def problems(self, expected_doc, expected_status):
        """Every way this run differs from the expected exit status and JSON."""
        errors = []
        if self.status != expected_status:
            errors.append(f"exit status {self.status}, expected {expected_status}")
        if self.stderr:
            errors.append("unexpected output on stderr")
        if self.doc is None:
            errors.append(f"stdout is not one JSON object: {self.parse_error}")
        else:
            compare(self.doc, expected_doc, "$", errors)
        return errors


def run(argv, check=True):
    argv = list(argv)
    argv[0] = shutil.which(argv[0], path=SBIN_PATH) or argv[0]
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise LabError(f"{' '.join(argv)} failed with {proc.returncode}:\n{proc.stderr}")
    return proc


# ---------------------------------------------------------------------------
# nftables: the guide's NAT, plus drops and counters

class Firewall:
    """One table, rewritten per scenario:
      nat_out     type nat hook output: DNAT public address:port -> private
                  address:port, the guide's NAT rules for locally generated
                  traffic;
      filter_out  type filter hook output priority 0 (sees post-DNAT
                  addresses): counts DNS packets (port 53), SYNs (all, and to
                  each watched private endpoint), and drops what a scenario
                  asks for. Anything not leaving through lo is dropped too
                  (there is nowhere else to go in this namespace anyway)."""

    SYN = "tcp flags & (syn | ack) == syn"

    def apply(self, nat=(), watch=None, drops=()):
        watch = watch or {}
        lines = ["flush ruleset", "table ip lab {"]
        for name in ["dns", "syn_all", "dropped", "escaped", *watch]:
            lines.append(f"  counter {name} {{ }}")
        lines += [
            "  set seen_syn {",
            "    type ipv4_addr . inet_service; flags dynamic, timeout; timeout 5m; size 65535;",
            "  }",
            "  chain nat_out {",
            "    type nat hook output priority -100; policy accept;",
        ]
        for public, public_port, private, private_port in nat:
            lines.append(f"    ip daddr {public} tcp dport {public_port} "
                         f"dnat to {private}:{private_port}")
        lines += [
            "  }",
            "  chain filter_out {",
            "    type filter hook output priority 0; policy accept;",
            '    oifname != "lo" counter name "escaped" drop',
            '    meta l4proto { tcp, udp } th dport 53 counter name "dns"',
            f'    {self.SYN} counter name "syn_all"',
        ]
        for name, (address, port) in watch.items():
            lines.append(f'    ip daddr {address} tcp dport {port} {self.SYN} counter name "{name}"')
        for mode, address, port in drops:
            if mode == "all":
                lines.append(f"    ip daddr {address} tcp dport {port} {self.SYN} "
                             f'counter name "dropped" drop')
            elif mode == "first":
                # The first SYN of each connection (source address and port)
                # is remembered and dropped; its retransmission, a second
                # later, passes: a slow but alive server.
                lines.append(f"    ip daddr {address} tcp dport {port} {self.SYN} "
                             f"ip saddr . tcp sport != @seen_syn "
                             f"add @seen_syn {{ ip saddr . tcp sport }} "
                             f'counter name "dropped" drop')
            else:
                raise ValueError(mode)
        lines += ["  }", "}"]
        ruleset = "\n".join(lines) + "\n"
        proc = subprocess.run([shutil.which("nft", path=SBIN_PATH), "-f", "-"], input=ruleset,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise LabError(f"nft -f failed:\n{proc.stderr}\n{ruleset}")

    def counters(self):
        out = run(["nft", "-j", "list", "counters", "table", "ip", "lab"]).stdout
        result = {}
        for item in json.loads(out)["nftables"]:
            if "counter" in item:
                result[item["counter"]["name"]] = item["counter"]["packets"]
        return result


def delta(before, after):
    return {k: after.get(k, 0) - before.get(k, 0) for k in after}


# ---------------------------------------------------------------------------
# Scenarios

def single_dc_nat(port):
    return [(PUBLIC_DC1, 28101, PRIVATE_PRIMARY, port), (PUBLIC_DC1, 28102, PRIVATE_BACKUP, port)]


def dual_dc_nat(port):
    return [(PUBLIC_DC1, 21234, PRIVATE_PRIMARY, port), (PUBLIC_DC2, 21234, PRIVATE_DC2, port)]


def single_dc_plan(order):
    entries = [plan_entry("acme.com", 28101, 10, 100), plan_entry("acme.com", 28102, 8, 80)]
    return entries if order == "highest-first" else entries[::-1]


def dual_dc_plan(order):
    entries = [plan_entry("dc1.acme.com", 21234, 10, 100), plan_entry("dc2.acme.com", 21234, 8, 80)]
    return entries if order == "highest-first" else entries[::-1]


def records_of(guide_records):
    return [record(*r) for r in guide_records]


def order_args(order, explicit=False):
    if order == "highest-first" and not explicit:
        return []  # the default
    return [f"--priority-order={order}"]


def check_sni(lab, proc, seen_before, name):
    """The listener saw exactly one new handshake, whose SNI was acme.com."""
    events = lab.wait_events(proc, "sni", seen_before + 1)
    sni = [e.get("sni") for e in events[seen_before:]]
    return TAP.ok(sni == ["acme.com"], name, [f"new SNI seen by {proc.lab_name}: {sni}"])


def check_run(name, result, expected_doc, expected_status, extra=()):
    """One TAP test for one CLI run: exit status and every JSON field."""
    errors = result.problems(expected_doc, expected_status) + list(extra)
    return TAP.ok(not errors, name, errors + result.describe())


def check_counts(name, counts, expected):
    """expected: counter -> exact int, or (low, high) inclusive."""
    errors = []
    for counter, want in expected.items():
        got = counts.get(counter)
        if isinstance(want, tuple):
            if got is None or not (want[0] <= got <= want[1]):
                errors.append(f"{counter}: {got} packets, expected {want[0]}..{want[1]}")
        elif got != want:
            errors.append(f"{counter}: {got} packets, expected {want}")
    return TAP.ok(not errors, name, errors + [f"all counter deltas: {counts}"])


def scenario_dns_setup(lab, fw):
    """The lab itself: dnsmasq answers what each scenario relies on."""
    fw.apply()
    lab.start_dns("single")
    checks = []
    for service in ("_iac._tcp", "_iacsec._tcp"):
        checks += [
            (f"{service}.acme.com", QTYPE_SRV, "NOERROR",
             sorted((t + ".", p, pr, w) for t, p, pr, w in SINGLE_DC_RECORDS)),
            (f"{service}.nxdomain.example", QTYPE_SRV, "NXDOMAIN", []),
            (f"{service}.nosrv.example", QTYPE_SRV, "NOERROR", []),
            (f"{service}.servfail.example", QTYPE_SRV, "SERVFAIL", []),
            (f"{service}.none.example", QTYPE_SRV, "NOERROR", "root-only"),
        ]
    checks += [("acme.com", QTYPE_A, "NOERROR", [PUBLIC_DC1])]
    checks += [(h, QTYPE_A, "NOERROR", [a]) for h, a in FALLBACK_HOSTS.items()]
    for qname, qtype, want_rcode, want in checks:
        rcode, answers = dns_query(qname, qtype, timeout=3)
        if want == "root-only":
            good = rcode == want_rcode and len(answers) == 1 and answers[0][0] == "."
        else:
            good = rcode == want_rcode and sorted(answers) == want
        TAP.ok(good, f"lab DNS: {qname} {'SRV' if qtype == QTYPE_SRV else 'A'} -> {want_rcode}"
               + (f" {want}" if want else ""), [f"got {rcode} {answers}"])
    TAP.ok(lab.upstreams.servfail_queries >= 2,
           "lab DNS: the SERVFAIL comes from the upstream dnsmasq forwards to",
           [f"upstream saw {lab.upstreams.servfail_queries} queries"])

    # What the "." SRV record looks like on the wire, for the scenarios below.
    _, answers = dns_query("_iacsec._tcp.none.example", QTYPE_SRV, timeout=3)
    lab.root_record = answers[0] if answers else (".", 0, 0, 0)

    lab.start_dns("dual")
    for service in ("_iac._tcp", "_iacsec._tcp"):
        rcode, answers = dns_query(f"{service}.acme.com", QTYPE_SRV, timeout=3)
        want = sorted((t + ".", p, pr, w) for t, p, pr, w in DUAL_DC_RECORDS)
        TAP.ok(rcode == "NOERROR" and sorted(answers) == want,
               f"lab DNS (dual DC): {service}.acme.com SRV -> {want}", [f"got {rcode} {answers}"])
    for host, address in (("dc1.acme.com", PUBLIC_DC1), ("dc2.acme.com", PUBLIC_DC2)):
        rcode, answers = dns_query(host, QTYPE_A, timeout=3)
        TAP.ok(rcode == "NOERROR" and answers == [address],
               f"lab DNS (dual DC): {host} A -> {address}", [f"got {rcode} {answers}"])


def scenario_nat_setup(lab, fw):
    """The lab itself: the NAT rules really forward the public ports, the
    filter chain sees the private addresses, and the first-SYN drop delays a
    connection by the kernel's one-second retransmission."""
    fw.apply(nat=single_dc_nat(51234),
             watch={"primary": (PRIVATE_PRIMARY, 51234), "backup": (PRIVATE_BACKUP, 51234)},
             drops=[("first", PRIVATE_PRIMARY, 51234)])
    primary = lab.start_listener("nat-primary", [(PRIVATE_PRIMARY, 51234)])
    backup = lab.start_listener("nat-backup", [(PRIVATE_BACKUP, 51234)])
    before = fw.counters()
    started = time.monotonic()
    with socket.create_connection((PUBLIC_DC1, 28101), timeout=5):
        first = time.monotonic() - started
    with socket.create_connection((PUBLIC_DC1, 28102), timeout=5):
        pass
    counts = delta(before, fw.counters())
    events = lab.wait_events(primary, "accepted", 1) + lab.wait_events(backup, "accepted", 1)
    locals_ = sorted(e["local"] for e in events)
    TAP.ok(locals_ == [f"{PRIVATE_PRIMARY}:51234", f"{PRIVATE_BACKUP}:51234"],
           "lab NAT: 203.0.113.100:28101/28102 reach 172.17.20.11/12:51234",
           [f"listeners saw {events}"])
    check_counts("lab NAT: the filter chain counts SYNs at the private addresses",
                 counts, {"primary": 2, "backup": 1, "dropped": 1, "escaped": 0})
    TAP.ok(0.9 <= first <= 3.0, "lab NAT: a dropped first SYN delays the connection ~1 s",
           [f"connected after {first:.3f} s"])
    lab.stop_scenario()


def scenario_single_dc_order(lab, fw, transport):
    """1. Both servers up: the preferred one first, every time."""
    option, service, port = TRANSPORTS[transport]
    fw.apply(nat=single_dc_nat(port),
             watch={"primary": (PRIVATE_PRIMARY, port), "backup": (PRIVATE_BACKUP, port)})
    cert = "acme" if transport == "tls" else None
    lab.start_listener(f"s1-primary-{transport}", [(PRIVATE_PRIMARY, port)], cert)
    lab.start_listener(f"s1-backup-{transport}", [(PRIVATE_BACKUP, port)], cert)
    ca = ["--ca-file", lab.certs["ca"]] if transport == "tls" else []
    for order, first_port in (("highest-first", 28101), ("rfc2782", 28102)):
        expected = document(
            input="acme.com", domain="acme.com", transport=transport, order=order,
            method="srv", query=f"{service}.acme.com", result="answered",
            records=records_of(SINGLE_DC_RECORDS), plan=single_dc_plan(order),
            attempts=[attempt("acme.com", first_port, PUBLIC_DC1, "connected")],
            connected=connected("acme.com", first_port, PUBLIC_DC1, transport,
                                lab.fingerprints["acme"]))
        before = fw.counters()
        failures = []
        runs = 100
        for i in range(runs):
            result = lab.cli("--json", *option, *order_args(order), *ca, "acme.com")
            errors = result.problems(expected, 0)
            if errors:
                failures.append((i, errors, result))
        counts = delta(before, fw.counters())
        diagnostics = [f"{len(failures)} of {runs} runs differ"]
        for i, errors, result in failures[:3]:
            diagnostics += [f"run {i}:"] + errors + result.describe()
        label = "default highest-first" if order == "highest-first" else "--priority-order=rfc2782"
        TAP.ok(not failures,
               f"1. single DC {transport}, {label}: {runs}/{runs} runs reach acme.com:{first_port} "
               f"first (exit 0, JSON per docs/cli.md)", diagnostics)
        preferred, other = ("primary", "backup") if first_port == 28101 else ("backup", "primary")
        check_counts(f"1. single DC {transport}, {label}: {runs} SYNs to the {preferred}, "
                     f"none to the {other}", counts, {preferred: runs, other: 0, "escaped": 0})
    lab.stop_scenario()


def scenario_single_dc_failover(lab, fw, transport):
    """2. Primary down (refused). 3. Primary's SYNs dropped (timeout).
    4. Primary slow but alive (first SYN dropped): still the primary."""
    option, service, port = TRANSPORTS[transport]
    watch = {"primary": (PRIVATE_PRIMARY, port), "backup": (PRIVATE_BACKUP, port)}
    cert = "acme" if transport == "tls" else None
    ca = ["--ca-file", lab.certs["ca"]] if transport == "tls" else []
    fp = lab.fingerprints["acme"]

    def expected(attempts, reached_port, timeout_s=5):
        return document(
            input="acme.com", domain="acme.com", transport=transport, method="srv",
            query=f"{service}.acme.com", result="answered",
            records=records_of(SINGLE_DC_RECORDS), plan=single_dc_plan("highest-first"),
            attempts=attempts,
            connected=connected("acme.com", reached_port, PUBLIC_DC1, transport, fp))

    # 2. Primary's listener down: the NAT forwards to a closed port -> RST.
    fw.apply(nat=single_dc_nat(port), watch=watch)
    primary = lab.start_listener(f"s2-primary-{transport}", [(PRIVATE_PRIMARY, port)], cert)
    lab.start_listener(f"s2-backup-{transport}", [(PRIVATE_BACKUP, port)], cert)
    lab.stop_listener(primary)
    before = fw.counters()
    result = lab.cli("--json", *option, *ca, "acme.com")
    counts = delta(before, fw.counters())
    check_run(f"2. single DC {transport}, primary down: one refused attempt at 28101, "
              f"then 28102 reached", result,
              expected([attempt("acme.com", 28101, PUBLIC_DC1, "refused", ms(0, 1000)),
                        attempt("acme.com", 28102, PUBLIC_DC1, "connected")], 28102), 0)
    check_counts(f"2. single DC {transport}, primary down: one SYN to each server",
                 counts, {"primary": 1, "backup": 1, "escaped": 0})
    lab.stop_scenario()

    # 3. Primary's SYNs dropped: the attempt times out after --timeout=2.
    fw.apply(nat=single_dc_nat(port), watch=watch, drops=[("all", PRIVATE_PRIMARY, port)])
    lab.start_listener(f"s3-primary-{transport}", [(PRIVATE_PRIMARY, port)], cert)
    lab.start_listener(f"s3-backup-{transport}", [(PRIVATE_BACKUP, port)], cert)
    before = fw.counters()
    result = lab.cli("--json", *option, *ca, "--timeout=2", "acme.com")
    counts = delta(before, fw.counters())
    check_run(f"3. single DC {transport}, primary's packets dropped: one timeout attempt "
              f"(1900-2600 ms with --timeout=2), then 28102 reached", result,
              expected([attempt("acme.com", 28101, PUBLIC_DC1, "timeout", ms(1900, 2600)),
                        attempt("acme.com", 28102, PUBLIC_DC1, "connected", timeout_s=2)],
                       28102), 0)
    check_counts(f"3. single DC {transport}, primary's packets dropped: SYNs to the primary "
                 f"all dropped, one SYN to the backup", counts,
                 {"primary": (1, 3), "backup": 1, "escaped": 0})
    TAP.ok(counts.get("dropped") == counts.get("primary"),
           f"3. single DC {transport}: every SYN to the primary was dropped",
           [f"counter deltas: {counts}"])
    lab.stop_scenario()

    # 4. Slow but alive primary: its first SYN is dropped, the retransmission
    # a second later passes. With --timeout=5 the primary must still win, and
    # the backup must not be contacted meanwhile (strict failover: no racing).
    fw.apply(nat=single_dc_nat(port), watch=watch, drops=[("first", PRIVATE_PRIMARY, port)])
    lab.start_listener(f"s4-primary-{transport}", [(PRIVATE_PRIMARY, port)], cert)
    lab.start_listener(f"s4-backup-{transport}", [(PRIVATE_BACKUP, port)], cert)
    before = fw.counters()
    result = lab.cli("--json", *option, *ca, "--timeout=5", "acme.com")
    counts = delta(before, fw.counters())
    check_run(f"4. single DC {transport}, slow primary (first SYN dropped): 28101 still "
              f"reached in one attempt after >= 900 ms", result,
              expected([attempt("acme.com", 28101, PUBLIC_DC1, "connected", ms(900, 4999))],
                       28101), 0)
    check_counts(f"4. single DC {transport}, slow primary: two SYNs to the primary (one "
                 f"dropped), none to the backup", counts,
                 {"primary": 2, "dropped": 1, "backup": 0, "escaped": 0})
    lab.stop_scenario()


def scenario_fallback(lab, fw, transport):
    """5. SRV NXDOMAIN, NOERROR without SRV, SERVFAIL, and a DNS server that
    never answers: fallback to <domain>:<default port>, reached there."""
    option, service, port = TRANSPORTS[transport]
    fw.apply()
    cert = "fallback" if transport == "tls" else None
    ca = ["--ca-file", lab.certs["ca"]] if transport == "tls" else []
    domains = ["nxdomain.example", "nosrv.example", "servfail.example", "slowdns.example"]
    lab.start_listener(f"s5-{transport}", [(FALLBACK_HOSTS[d], port) for d in domains], cert)
    cases = [("nxdomain.example", "not-found", []),
             ("nosrv.example", "not-found", []),
             ("servfail.example", "failed", []),
             ("slowdns.example", "failed", ["--timeout=2"])]
    for domain, outcome, extra in cases:
        address = FALLBACK_HOSTS[domain]
        silent_before = lab.upstreams.silent_queries
        before = fw.counters()
        result = lab.cli("--json", *option, *ca, *extra, domain)
        counts = delta(before, fw.counters())
        expected = document(
            input=domain, domain=domain, transport=transport, method="fallback",
            query=f"{service}.{domain}", result=outcome, records=[],
            plan=[plan_entry(domain, port, 0, 0, "fallback")],
            attempts=[attempt(domain, port, address, "connected")],
            connected=connected(domain, port, address, transport, lab.fingerprints["fallback"]))
        what = {"nxdomain.example": "SRV NXDOMAIN", "nosrv.example": "no SRV data",
                "servfail.example": "SRV SERVFAIL",
                "slowdns.example": "SRV query unanswered (--timeout=2)"}[domain]
        extra_errors = []
        if domain == "slowdns.example":
            if not 1900 <= result.wall_ms <= 4500:
                extra_errors.append(f"the run took {result.wall_ms:.0f} ms; with --timeout=2 "
                                    f"an unanswered SRV query must give up after ~2 s")
            if lab.upstreams.silent_queries <= silent_before:
                extra_errors.append("dnsmasq did not forward the query to the silent upstream")
        check_run(f"5. {what}, {transport}: fallback, result {outcome}, plan "
                  f"[{domain}:{port}], reached", result, expected, 0, extra_errors)
        check_counts(f"5. {what}, {transport}: DNS was asked, one SYN (to {address})",
                     counts, {"dns": (1, 100), "syn_all": 1, "escaped": 0})
    lab.stop_scenario()


def scenario_unavailable(lab, fw, transport):
    """6. A single "." SRV record: the service is decidedly not available."""
    option, service, port = TRANSPORTS[transport]
    fw.apply()
    cert = "fallback" if transport == "tls" else None
    ca = ["--ca-file", lab.certs["ca"]] if transport == "tls" else []
    # A listener on none.example's own address and default port: a fallback,
    # which must not happen, would succeed and show.
    lab.start_listener(f"s6-{transport}", [(FALLBACK_HOSTS["none.example"], port)], cert)
    target, root_port, priority, weight = lab.root_record
    before = fw.counters()
    result = lab.cli("--json", *option, *ca, "none.example")
    counts = delta(before, fw.counters())
    expected = document(
        input="none.example", domain="none.example", transport=transport, method="srv",
        query=f"{service}.none.example", result="unavailable",
        records=[record(".", root_port, priority, weight)], plan=[], attempts=[],
        connected=None)
    check_run(f'6. single "." SRV record, {transport}: result unavailable, exit 1, no '
              f"plan, no attempt, connected null", result, expected, 1)
    check_counts(f'6. single "." SRV record, {transport}: the SRV query was made, no SYN '
                 f"sent to anyone", counts, {"dns": (1, 100), "syn_all": 0, "escaped": 0})
    lab.stop_scenario()

    # A "." record mixed with a usable record is ignored.
    lab.start_listener(f"s6-mixed-{transport}", [(FALLBACK_HOSTS["srv.mixed.example"], port)],
                       cert)
    before = fw.counters()
    result = lab.cli("--json", *option, *ca, "mixed.example")
    counts = delta(before, fw.counters())
    address = FALLBACK_HOSTS["srv.mixed.example"]
    expected = document(
        input="mixed.example", domain="mixed.example", transport=transport, method="srv",
        query=f"{service}.mixed.example", result="answered",
        records=[record(".", root_port, priority, weight),
                 record("srv.mixed.example", port, 10, 100)],
        plan=[plan_entry("srv.mixed.example", port, 10, 100)],
        attempts=[attempt("srv.mixed.example", port, address, "connected")],
        connected=connected("srv.mixed.example", port, address, transport,
                            lab.fingerprints["fallback"]))
    check_run(f'6. "." mixed with a usable record, {transport}: the "." record is ignored, '
              f"the other reached", result, expected, 0)
    check_counts(f'6. "." mixed with a usable record, {transport}: one SYN', counts,
                 {"syn_all": 1, "escaped": 0})
    lab.stop_scenario()


def scenario_dual_dc(lab, fw, transport):
    """7. Dual DC: dc1 reached; rfc2782 gives dc2; dc1 down -> dc2 after one
    refused attempt. TLS: the certificate is for acme.com (the source domain),
    and the client says acme.com in SNI, though it connects to dc1/dc2."""
    option, service, port = TRANSPORTS[transport]
    watch = {"dc1": (PRIVATE_PRIMARY, port), "dc2": (PRIVATE_DC2, port)}
    fw.apply(nat=dual_dc_nat(port), watch=watch)
    cert = "acme" if transport == "tls" else None
    ca = ["--ca-file", lab.certs["ca"]] if transport == "tls" else []
    fp = lab.fingerprints["acme"]
    dc1 = lab.start_listener(f"s7-dc1-{transport}", [(PRIVATE_PRIMARY, port)], cert)
    dc2 = lab.start_listener(f"s7-dc2-{transport}", [(PRIVATE_DC2, port)], cert)

    def expected(order, attempts, host, address):
        return document(
            input="acme.com", domain="acme.com", transport=transport, order=order,
            method="srv", query=f"{service}.acme.com", result="answered",
            records=records_of(DUAL_DC_RECORDS), plan=dual_dc_plan(order),
            attempts=attempts, connected=connected(host, 21234, address, transport, fp))

    dc1_queries = lab.dns_log_count(r" dc1\.acme\.com ")
    dc2_queries = lab.dns_log_count(r" dc2\.acme\.com ")
    before = fw.counters()
    result = lab.cli("--json", *option, *ca, "acme.com")
    counts = delta(before, fw.counters())
    dc1_new = lab.wait_dns_log(r" dc1\.acme\.com ", dc1_queries + 1) - dc1_queries
    dc2_new = lab.dns_log_count(r" dc2\.acme\.com ") - dc2_queries
    TAP.ok(dc1_new >= 1 and dc2_new == 0,
           f"7. dual DC {transport}, both up: dc1.acme.com resolved, dc2.acme.com never "
           f"(lazy resolution)", [f"dnsmasq logged {dc1_new} new dc1 and {dc2_new} new dc2 queries"])
    check_run(f"7. dual DC {transport}, both up: dc1.acme.com:21234 (203.0.113.100) reached",
              result, expected("highest-first",
                               [attempt("dc1.acme.com", 21234, PUBLIC_DC1, "connected")],
                               "dc1.acme.com", PUBLIC_DC1), 0)
    check_counts(f"7. dual DC {transport}, both up: one SYN to dc1, none to dc2", counts,
                 {"dc1": 1, "dc2": 0, "escaped": 0})
    if transport == "tls":
        check_sni(lab, dc1, 0, "7. dual DC tls: the client sent SNI acme.com (the source "
                  "domain) to dc1, not dc1.acme.com")

    before = fw.counters()
    result = lab.cli("--json", *option, *ca, "--priority-order=rfc2782", "acme.com")
    counts = delta(before, fw.counters())
    check_run(f"7. dual DC {transport}, --priority-order=rfc2782: dc2.acme.com:21234 "
              f"(198.51.100.100) reached", result,
              expected("rfc2782", [attempt("dc2.acme.com", 21234, PUBLIC_DC2, "connected")],
                       "dc2.acme.com", PUBLIC_DC2), 0)
    check_counts(f"7. dual DC {transport}, rfc2782: one SYN to dc2, none to dc1", counts,
                 {"dc1": 0, "dc2": 1, "escaped": 0})

    dc2_sni = len(lab.listener_events(dc2, "sni"))
    lab.stop_listener(dc1)
    before = fw.counters()
    result = lab.cli("--json", *option, *ca, "acme.com")
    counts = delta(before, fw.counters())
    check_run(f"7. dual DC {transport}, dc1 down: one refused attempt at dc1, then "
              f"dc2.acme.com:21234 reached", result,
              expected("highest-first",
                       [attempt("dc1.acme.com", 21234, PUBLIC_DC1, "refused", ms(0, 1000)),
                        attempt("dc2.acme.com", 21234, PUBLIC_DC2, "connected")],
                       "dc2.acme.com", PUBLIC_DC2), 0)
    check_counts(f"7. dual DC {transport}, dc1 down: one SYN to each", counts,
                 {"dc1": 1, "dc2": 1, "escaped": 0})
    if transport == "tls":
        check_sni(lab, dc2, dc2_sni, "7. dual DC tls: SNI acme.com at dc2 as well")
    lab.stop_scenario()


def scenario_untrusted(lab, fw):
    """A certificate the client does not accept fails its
    endpoint (tls-failed) and the walk goes on, exactly as after a refused
    connection: a broken certificate on dc1 must not keep users off dc2.
    Only when no endpoint is reached does the run fail (exit 1)."""
    port = 51235
    watch = {"dc1": (PRIVATE_PRIMARY, port), "dc2": (PRIVATE_DC2, port)}
    fw.apply(nat=dual_dc_nat(port), watch=watch)
    ca = ["--ca-file", lab.certs["ca"]]
    cases = [
        ("targets", "acme", ca, "a certificate valid only for the SRV target dc1.acme.com"),
        ("rogue", "acme", ca, "a self-signed certificate for acme.com"),
        ("acme", "acme", [], "a certificate from an issuer the client does not trust (no --ca-file)"),
    ]
    for dc1_cert, dc2_cert, ca_option, what in cases:
        lab.start_listener(f"s9-dc1-{dc1_cert}", [(PRIVATE_PRIMARY, port)], dc1_cert)
        lab.start_listener(f"s9-dc2-{dc1_cert}", [(PRIVATE_DC2, port)], dc2_cert)
        before = fw.counters()
        result = lab.cli("--json", *ca_option, "acme.com")
        counts = delta(before, fw.counters())
        reached = bool(ca_option)
        attempts = [attempt("dc1.acme.com", 21234, PUBLIC_DC1, "tls-failed"),
                    attempt("dc2.acme.com", 21234, PUBLIC_DC2,
                            "connected" if reached else "tls-failed")]
        expected = document(
            input="acme.com", domain="acme.com", transport="tls", method="srv",
            query="_iacsec._tcp.acme.com", result="answered",
            records=records_of(DUAL_DC_RECORDS), plan=dual_dc_plan("highest-first"),
            attempts=attempts,
            connected=(connected("dc2.acme.com", 21234, PUBLIC_DC2, "tls",
                                 lab.fingerprints["acme"]) if reached else None))
        errors = []
        for i in ((0,) if reached else (0, 1)):
            try:
                message = result.doc["attempts"][i]["error"] or ""
            except (KeyError, IndexError, TypeError):
                continue  # check_run reports the document itself
            if "not trusted" not in message:
                errors.append(f"attempts[{i}].error does not say the certificate is not "
                              f"trusted: {message!r}")
        if reached:
            check_run(f"9. dual DC tls, {what} on dc1: tls-failed at dc1, then dc2 reached, "
                      f"exit 0", result, expected, 0, errors)
        else:
            check_run(f"9. dual DC tls, {what} on both: tls-failed at dc1 and at dc2, "
                      f"nothing reached, exit 1", result, expected, 1, errors)
        check_counts(f"9. dual DC tls, {what}: one SYN to each DC", counts,
                     {"dc1": 1, "dc2": 1, "escaped": 0})
        lab.stop_scenario()


def scenario_unresolvable_target(lab, fw, transport):
    """10. An SRV target that does not resolve is one failed attempt
    with no address, and the connector goes on; one whose A query is never
    answered is given up after the attempt timeout."""
    option, service, port = TRANSPORTS[transport]
    fw.apply()
    cert = "fallback" if transport == "tls" else None
    ca = ["--ca-file", lab.certs["ca"]] if transport == "tls" else []
    address = FALLBACK_HOSTS["srv.lazy.example"]
    lab.start_listener(f"s10-{transport}", [(address, port)], cert)
    cases = [("lazy.example", "nohost.example", "does not resolve (NXDOMAIN)", [], ms(0, 1000)),
             ("slowtarget.example", "slowhost.example",
              "never gets an answer to its A query (--timeout=2)", ["--timeout=2"],
              ms(1900, 2600))]
    for domain, first, what, extra, elapsed in cases:
        silent_before = lab.upstreams.silent_queries
        before = fw.counters()
        result = lab.cli("--json", *option, *ca, *extra, domain)
        counts = delta(before, fw.counters())
        expected = document(
            input=domain, domain=domain, transport=transport, method="srv",
            query=f"{service}.{domain}", result="answered",
            records=[record(first, port, 10, 100), record("srv.lazy.example", port, 8, 80)],
            plan=[plan_entry(first, port, 10, 100), plan_entry("srv.lazy.example", port, 8, 80)],
            attempts=[attempt(first, port, None, "resolve-failed", elapsed),
                      attempt("srv.lazy.example", port, address, "connected")],
            connected=connected("srv.lazy.example", port, address, transport,
                                lab.fingerprints["fallback"]))
        extra_errors = []
        if first == "slowhost.example" and lab.upstreams.silent_queries <= silent_before:
            extra_errors.append("dnsmasq did not forward the A query to the silent upstream")
        check_run(f"10. {transport}: the preferred SRV target {first} {what}: one "
                  f"resolve-failed attempt with address null, then the backup reached",
                  result, expected, 0, extra_errors)
        check_counts(f"10. {transport}, {first}: one SYN, to the backup", counts,
                     {"syn_all": 1, "escaped": 0})
    lab.stop_scenario()


def scenario_tls_versions(lab, fw):
    """11. A server offering only TLS 1.0/1.1 is a failed attempt (the
    client requires TLS 1.2), and the next endpoint is tried; a server capped
    at TLS 1.2 is reached over "TLS 1.2", a current one over "TLS 1.3"."""
    port = 51235
    watch = {"dc1": (PRIVATE_PRIMARY, port), "dc2": (PRIVATE_DC2, port)}
    fw.apply(nat=dual_dc_nat(port), watch=watch)
    ca = ["--ca-file", lab.certs["ca"]]
    fp = lab.fingerprints["acme"]

    def expected(attempts, host, address, version):
        doc = document(
            input="acme.com", domain="acme.com", transport="tls", method="srv",
            query="_iacsec._tcp.acme.com", result="answered",
            records=records_of(DUAL_DC_RECORDS), plan=dual_dc_plan("highest-first"),
            attempts=attempts, connected=connected(host, 21234, address, "tls", fp))
        doc["connected"]["tls_version"] = version
        return doc

    # The lab's outdated server really speaks TLS 1.1 (checked with Python's
    # own client, which may still be allowed to).
    old = lab.start_listener("s11-dc1-tls11", [(PRIVATE_PRIMARY, port)], "acme", max_tls="1.1")
    lab.start_listener("s11-dc2", [(PRIVATE_DC2, port)], "acme")
    probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    probe.check_hostname = False
    probe.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            probe.minimum_version = ssl.TLSVersion.TLSv1
        probe.set_ciphers("DEFAULT:@SECLEVEL=0")
        with socket.create_connection((PRIVATE_PRIMARY, port), timeout=5) as raw:
            with probe.wrap_socket(raw, server_hostname="acme.com") as conn:
                offered = conn.version()
    except (ssl.SSLError, OSError, ValueError) as e:
        offered = f"error: {e}"
    if offered not in ("TLSv1", "TLSv1.1"):
        TAP.ok(True, "11. an outdated (TLS 1.1) server is refused # SKIP this Python/OpenSSL "
               f"cannot act as a TLS 1.1 server ({offered})")
    else:
        before = fw.counters()
        result = lab.cli("--json", *ca, "acme.com")
        counts = delta(before, fw.counters())
        check_run("11. dc1 offers only TLS 1.1: tls-failed at dc1, then dc2 reached over TLS 1.3",
                  result, expected([attempt("dc1.acme.com", 21234, PUBLIC_DC1, "tls-failed"),
                                    attempt("dc2.acme.com", 21234, PUBLIC_DC2, "connected")],
                                   "dc2.acme.com", PUBLIC_DC2, "TLS 1.3"), 0)
        check_counts("11. dc1 offers only TLS 1.1: one SYN to each", counts,
                     {"dc1": 1, "dc2": 1, "escaped": 0})
        # Its only completed handshake is the probe's; attendant-cli's failed.
        failed = lab.wait_events(old, "tls-error", 1)
        handshakes = lab.listener_events(old, "handshake")
        TAP.ok(len(handshakes) == 1 and len(failed) == 1,
               "11. the outdated server completed no handshake with attendant-cli",
               [f"handshakes: {handshakes}", f"failed handshakes: {failed}"])
    lab.stop_listener(old)

    lab.start_listener("s11-dc1-tls12", [(PRIVATE_PRIMARY, port)], "acme", max_tls="1.2")
    result = lab.cli("--json", *ca, "acme.com")
    check_run("11. dc1 capped at TLS 1.2: reached, tls_version \"TLS 1.2\"", result,
              expected([attempt("dc1.acme.com", 21234, PUBLIC_DC1, "connected")],
                       "dc1.acme.com", PUBLIC_DC1, "TLS 1.2"), 0)
    lab.stop_scenario()


def bad_inputs():
    long_label = "a" * 64 + ".com"
    long_name = ".".join(["a" * 63] * 3 + ["b" * 62])  # 254 bytes, labels <= 63
    assert len(long_name) == 254
    return [
        # (argv after the options, description, regex the message must match)
        ([""], "empty", r"empty"),
        (["   "], "only white space", r"empty"),
        (["."], "only the root dot", r"empty"),
        (["http://acme.com"], "a URL", r"URL"),
        (["acme.com/attendant"], "a URL path", r"URL"),
        (["user@acme.com"], "user@host", r"URL"),
        ([long_label], "a label of 64 bytes", r"64.*63|63.*64"),
        ([long_name], "a name of 254 bytes", r"254.*253|253.*254"),
        (["acme.com:0"], "port 0", r"port.*\b0\b.*1.65535|port.*\b0\b"),
        (["acme.com:65536"], "port 65536", r"port.*65536"),
        (["acme.com:99999999999999999999"], "a port of 20 digits", r"port.*99999"),
        (["203.0.113.100:0"], "port 0 after an address", r"port.*\b0\b"),
        (["[::1]:65536"], "port 65536 after [::1]", r"port.*65536"),
        (["acme.com:"], "a missing port", r"port.*missing|missing.*port"),
        (["acme.com:http"], "a port that is not a number", r"port.*not a number|number"),
        (["acme_com"], "an underscore", r"“_”|'_'|\"_\"|_"),
        (["acme com"], "a space inside", r"space"),
        (["acme!.com"], "an exclamation mark", r"!"),
        (["acme\x01.com"], "a control character", r"control"),
        (["acme..com"], "an empty label", r"empty label"),
        ([".acme.com"], "a leading dot", r"empty label"),
        (["acme-.com"], "a label ending with a hyphen", r"hyphen"),
        (["--", "-acme.com"], "a label beginning with a hyphen (after --)", r"hyphen"),
        (["[::1"], "an unclosed [", r"\]"),
        (["[203.0.113.100]:80"], "an IPv4 address in brackets", r"IPv6"),
        (["[::1]x"], "junk after ]", r"x"),
    ]


def scenario_bad_input(lab, fw):
    """8. Bad input is refused before any packet: exit 2, one line on
    stderr that names the problem, nothing on stdout, no DNS query."""
    fw.apply()
    lab.start_dns("single")
    for transport in ("tls", "plain"):
        option = TRANSPORTS[transport][0]
        total_before = fw.counters()
        for args, what, pattern, *todo in bad_inputs():
            before = fw.counters()
            result = lab.cli("--json", *option, *args)
            counts = delta(before, fw.counters())
            errors = []
            if result.status != 2:
                errors.append(f"exit status {result.status}, expected 2")
            if result.stdout != "":
                errors.append("stdout is not empty")
            lines = result.stderr.splitlines()
            if len(lines) != 1 or not result.stderr.endswith("\n"):
                errors.append(f"stderr has {len(lines)} lines, expected exactly one")
            elif not re.search(pattern, lines[0], re.IGNORECASE):
                errors.append(f"the message does not name the problem (/{pattern}/)")
            if counts.get("dns") != 0 or counts.get("syn_all") != 0:
                errors.append(f"packets were sent: {counts}")
            TAP.ok(not errors, f"8. bad input, {transport}: {what} -> exit 2, one line on "
                   f"stderr naming it, no DNS query", errors + result.describe(),
                   todo=todo[0] if todo else None)
        counts = delta(total_before, fw.counters())
        check_counts(f"8. bad input, {transport}: port-53 counter unchanged over all of them",
                     counts, {"dns": 0, "syn_all": 0, "escaped": 0})

    # The limits are limits, not off by one: a 63-byte label and a 253-byte
    # name are accepted. A 243-byte name is the longest whose SRV name
    # (_iac._tcp. + 243 bytes) still fits DNS's 253: it is queried and, under
    # --local=/example/, NXDOMAIN. For a 253-byte name the SRV name cannot
    # exist, so no query can be sent: the lookup fails locally -> fallback.
    label63 = "a" * 63 + ".example"
    name243 = ".".join(["a" * 63] * 3 + ["b" * 43]) + ".example"
    name253 = ".".join(["a" * 63] * 3 + ["b" * 53]) + ".example"
    assert len(name243) == 243 and len(name253) == 253
    for name, what, outcome, dns in ((label63, "a 63-byte label", "not-found", (1, 100)),
                                     (name243, "a 243-byte name", "not-found", (1, 100)),
                                     (name253, "a 253-byte name", "failed", 0)):
        before = fw.counters()
        result = lab.cli("--json", "--plain", "--no-connect", name)
        counts = delta(before, fw.counters())
        expected = document(
            input=name, domain=name, transport="plain", method="fallback",
            query=f"_iac._tcp.{name}", result=outcome, records=[],
            plan=[plan_entry(name, 51234, 0, 0, "fallback")], attempts=[], connected=None)
        check_run(f"8. accepted input: {what} (--no-connect: fallback plan, result {outcome}, "
                  f"exit 0)", result, expected, 0)
        check_counts(f"8. accepted input: {what}: " +
                     ("a DNS query" if dns else "no DNS query (the SRV name would be too long)")
                     + ", no SYN", counts, {"dns": dns, "syn_all": 0})

    # Normalisation: white space trimmed, case folded, root dot dropped.
    for raw in ("  ACME.com.  ", "acme.COM."):
        result = lab.cli("--json", "--plain", "--no-connect", raw)
        expected = document(
            input=raw.strip(), domain="acme.com", transport="plain", method="srv",
            query="_iac._tcp.acme.com", result="answered",
            records=records_of(SINGLE_DC_RECORDS), plan=single_dc_plan("highest-first"),
            attempts=[], connected=None)
        check_run(f"8. accepted input: {raw!r} is the domain acme.com", result, expected, 0)

    # A direct host:port makes no DNS query at all.
    fw.apply(nat=single_dc_nat(51234), watch={"primary": (PRIVATE_PRIMARY, 51234)})
    lab.start_listener("s8-direct", [(PRIVATE_PRIMARY, 51234)])
    before = fw.counters()
    result = lab.cli("--json", "--plain", f"{PUBLIC_DC1}:28101")
    counts = delta(before, fw.counters())
    expected = document(
        input=f"{PUBLIC_DC1}:28101", domain=PUBLIC_DC1, transport="plain", method="direct",
        query=None, result="skipped", records=[],
        plan=[plan_entry(PUBLIC_DC1, 28101, 0, 0, "direct")],
        attempts=[attempt(PUBLIC_DC1, 28101, PUBLIC_DC1, "connected")],
        connected=connected(PUBLIC_DC1, 28101, PUBLIC_DC1, "plain", None))
    check_run("8. direct input 203.0.113.100:28101: method direct, reached through the NAT",
              result, expected, 0)
    check_counts("8. direct input: no DNS query, one SYN", counts,
                 {"dns": 0, "primary": 1, "escaped": 0})
    lab.stop_scenario()


# ---------------------------------------------------------------------------
# Entry

REQUIRED_TOOLS = ("unshare", "nft", "dnsmasq", "ip", "mount", "openssl")


def namespace_problem():
    """Why the lab's namespace cannot be made here ("needs root", a missing
    tool, ...), or None. Shared with demo.py."""
    if os.geteuid() != 0:
        return "needs root"
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool, path=SBIN_PATH) is None]
    if missing:
        return f"needs {', '.join(missing)}"
    unshare = shutil.which("unshare", path=SBIN_PATH)
    probe = subprocess.run([unshare, "--net", "--mount", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"cannot create a network namespace: {probe.stderr.strip()}"
    return None


def enter_namespace(script, args):
    """Re-executes `script` with `args` in a new network and mount namespace;
    does not return. Shared with demo.py."""
    unshare = shutil.which("unshare", path=SBIN_PATH)
    # The namespaces we start from, so that the re-executed runner can check
    # that it really is in new ones.
    env = dict(os.environ, **{NS_MARK: "1",
                              f"{NS_MARK}_NET": os.readlink("/proc/self/ns/net"),
                              f"{NS_MARK}_MNT": os.readlink("/proc/self/ns/mnt")})
    os.execve(unshare, [unshare, "--net", "--mount", "--propagation", "private", "--",
                        sys.executable, os.path.abspath(script), *args], env)


def outside_namespace():
    """Checks what the lab needs, then re-executes this script in a new
    network and mount namespace."""
    problem = namespace_problem()
    if problem:
        cannot_run(f"lab {problem}")
    cli = os.environ.get("ATTENDANT_CLI")
    if not cli or not os.access(cli, os.X_OK):
        print("Bail out! ATTENDANT_CLI is not set to the attendant-cli binary")
        sys.exit(1)
    enter_namespace(__file__, sys.argv[1:])


def inside_namespace():
    cli = os.environ["ATTENDANT_CLI"]
    workdir = tempfile.mkdtemp(prefix="attendant-lab-")
    lab = Lab(workdir, cli)
    fw = Firewall()

    def on_signal(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    scenarios = [
        ("lab DNS", lambda: scenario_dns_setup(lab, fw)),
        ("lab NAT", lambda: scenario_nat_setup(lab, fw)),
    ]
    for transport in ("plain", "tls"):
        scenarios.append((f"1 {transport}", lambda t=transport: (
            lab.start_dns("single"), scenario_single_dc_order(lab, fw, t))))
    for transport in ("plain", "tls"):
        scenarios.append((f"2-4 {transport}", lambda t=transport: (
            lab.start_dns("single"), scenario_single_dc_failover(lab, fw, t))))
    for transport in ("plain", "tls"):
        scenarios.append((f"5 {transport}", lambda t=transport: (
            lab.start_dns("single"), scenario_fallback(lab, fw, t))))
    for transport in ("plain", "tls"):
        scenarios.append((f"6 {transport}", lambda t=transport: (
            lab.start_dns("single"), scenario_unavailable(lab, fw, t))))
    for transport in ("plain", "tls"):
        scenarios.append((f"7 {transport}", lambda t=transport: (
            lab.start_dns("dual"), scenario_dual_dc(lab, fw, t))))
    scenarios.append(("8", lambda: scenario_bad_input(lab, fw)))
    scenarios.append(("9", lambda: (lab.start_dns("dual"), scenario_untrusted(lab, fw))))
    for transport in ("plain", "tls"):
        scenarios.append((f"10 {transport}", lambda t=transport: (
            lab.start_dns("single"), scenario_unresolvable_target(lab, fw, t))))
    scenarios.append(("11", lambda: (lab.start_dns("dual"), scenario_tls_versions(lab, fw))))

    started = time.monotonic()
    try:
        lab.setup_namespace()
        lab.make_certificates()
        lab.upstreams = FakeUpstreams()
        TAP.diag(f"lab in {workdir}; attendant-cli: {cli}")
        for name, body in scenarios:
            try:
                body()
            except Exception as e:  # noqa: BLE001 - report, clean up, go on
                diagnostics = traceback.format_exc().splitlines()
                if lab.dnsmasq is not None:
                    diagnostics += ["dnsmasq log:", *tail(lab.dnsmasq.lab_log).splitlines()]
                TAP.ok(False, f"scenario {name} ran to completion: {e}", diagnostics)
            finally:
                try:
                    lab.stop_scenario()
                except Exception as e:  # noqa: BLE001
                    TAP.ok(False, f"scenario {name}: listeners stopped", [str(e)])
    except Exception as e:  # noqa: BLE001 - the set-up failed: report it
        TAP.ok(False, f"lab set-up: {e}", traceback.format_exc().splitlines())
    except SystemExit as e:
        TAP.ok(False, "lab finished", [str(e)])
    finally:
        lab.procs.stop_all()
        if lab.upstreams is not None:
            lab.upstreams.close()
        status = finish("lab", workdir, started)
    return status


def finish(what, workdir, started):
    """The end of a lab run, once its processes are stopped: how long it
    took, the TAP plan, and the work directory removed unless it is kept
    (ATTENDANT_LAB_KEEP=1, or a failure). Returns the exit status."""
    TAP.diag(f"{what} took {time.monotonic() - started:.1f} s")
    TAP.plan()
    if os.environ.get("ATTENDANT_LAB_KEEP") == "1" or TAP.failed:
        TAP.diag(f"logs kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if TAP.failed else 0


def run_main(outside, inside):
    """A lab script's main(): outside() re-executes it in the lab's
    namespaces (or skips), where inside() runs it."""
    if os.environ.get(NS_MARK) != "1":
        outside()
    sys.exit(inside())


def main():
    run_main(outside_namespace, inside_namespace)


if __name__ == "__main__":
    main()
