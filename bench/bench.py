#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Attendant's benchmark: numbers, against GLib's stock path, in the lab.

Run it through bench/run.sh (as root: it builds into _build/bench, then runs
this script), or directly with ATTENDANT_CLI, ATTENDANT_SERVER,
ATTENDANT_BENCH_BASELINE, ATTENDANT_BENCH_FIRST_FRAME,
ATTENDANT_BENCH_CONSOLE_LOAD and GSETTINGS_SCHEMA_DIR pointing at a build. It re-executes itself in a network and mount namespace
of its own, exactly as the lab suite does (tests/lab/lab.py: `unshare --net
--mount`, only `lo`, the lab's resolv.conf, dnsmasq serving the SRV
records of Imagicle's SRV guide (docs/dns.md), nftables for its NAT and for dropping
packets), runs real `attendant-server` processes there (one node each, as
tests/lab/lab_failover.py does) and prints one table. No packet leaves the
namespace; no name is looked up outside it.

Every figure is the median of repeated runs, timed here (time.monotonic()
around each process, and each program's own in-process timing), not with
hyperfine: each run's output says which server it reached, which hyperfine
throws away. Ours and the baseline alternate within each repetition, so
both see the same machine load.

Sections (--only picks some):
  reach     time to reach a live server, `attendant-cli check --plain
            --tcp-only --json` against bench/baseline-connect (GLib's
            g_socket_client_connect_to_service_async over the same records)
  failover  a primary's death to logged in on the backup, `attendant-cli
            watch` with the client's default settings (TLS, heartbeat 5 s,
            attempt timeout 5 s): killed, frozen, drained
  storm     N `attendant-cli watch` clients on one node, that node
            SIGKILLed, until all are logged in on the other one; the
            surviving server's CPU and memory; how the logins spread
  client    the desktop app: cold start to first frame under Xvfb, idle RSS
            (bench/first-frame, the app's own code plus two probes); the
            window's console with 10,000 contacts against 100: RSS, the
            main loop's longest stall per keystroke of a search and under
            1,000 presence events a second (bench/console-load)
  flood     one server under 1,000 connections that never log in and 10
            hostile clients (deep JSON, endless fragments, oversized frames
            and bodies): its peak RSS, and a real user's login time against
            the same login with no flood (bench/flood.py)
  asterisk  only when named: what attendant-server adds on top of a real
            Asterisk's StasisStart, 50 callers at once, answer -> bridged
            (bench/asterisk_bench.py; loopback, no namespace, no root)

Options: --quick (few repetitions, storm of 100 only: minutes, for
development), --runs N, --storm-sizes 100,500,1000, --json FILE (every raw
measurement), --self-check (no root, no network: what the meson 'bench'
suite runs so that this script cannot rot).
"""

import argparse
import json
import math
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lab"))
import lab as L  # noqa: E402 - the lab's directory is put on the path first
import lab_failover as F  # noqa: E402

import flood as FLOOD  # noqa: E402 - bench/flood.py, beside this script

PRIMARY, BACKUP = F.PRIMARY, F.BACKUP
PLAIN, TLS = F.PLAIN, F.TLS
PUBLIC = L.PUBLIC_DC1
FALLBACK_DOMAIN, FALLBACK_ADDRESS = F.FALLBACK_DOMAIN, F.FALLBACK_ADDRESS
# A host that answers every SYN with ICMP host-unreachable (an nftables
# reject): what a client sees when a router has no way to the machine.
UNREACHABLE = "172.17.20.14"
CLOSED_PORT = 51299   # nothing listens there on the primary: RST

# The zones the benchmark adds to the lab's dnsmasq, all plain (_iac._tcp).
# rfc.example: the guide's two servers with priorities as RFC 2782 means them
# (lower first), so that GLib and `--priority-order=rfc2782` agree on which
# one is the primary and only the racing differs.
RFC_RECORDS = [("acme.com", 28101, 10, 100), ("acme.com", 28102, 20, 100)]
# dead.example: three dead targets, in RFC 2782 order, before the backup.
DEAD_RECORDS = [("nohost.example", 51234, 10, 100),    # no A record (NXDOMAIN)
                ("acme.com", 28111, 20, 100),          # refused (RST)
                ("acme.com", 28112, 30, 100),          # ICMP host-unreachable
                ("acme.com", 28102, 40, 100)]          # the backup, alive

REACH_NAT = [(PUBLIC, 28101, PRIMARY, PLAIN), (PUBLIC, 28102, BACKUP, PLAIN),
             (PUBLIC, 28111, PRIMARY, CLOSED_PORT), (PUBLIC, 28112, UNREACHABLE, PLAIN),
             (FALLBACK_ADDRESS, PLAIN, PRIMARY, PLAIN)]

# Which server a reached address:port is, for both programs.
SERVERS = {(PUBLIC, 28101): "primary", (PUBLIC, 28102): "backup",
           (FALLBACK_ADDRESS, PLAIN): "primary"}

# key, label, domain, our extra options, primary state, acceptance
REACH_SCENARIOS = [
    ("up", "both up (guide's zone: primary 10, backup 8)", "acme.com", [], "up", None),
    ("refused", "primary refused (its process stopped)", "acme.com", [], "stopped", "refused"),
    ("blackholed", "primary blackholed (every SYN dropped)", "acme.com", [], "blackholed", None),
    ("slow", "primary slow but alive (1st SYN dropped)", "acme.com", [], "slow", "slow"),
    ("rfc-refused", "RFC zone (primary 10, backup 20): refused", "rfc.example",
     ["--priority-order=rfc2782"], "stopped", None),
    ("rfc-blackholed", "RFC zone: primary blackholed", "rfc.example",
     ["--priority-order=rfc2782"], "blackholed", None),
    ("rfc-slow", "RFC zone: primary slow but alive", "rfc.example",
     ["--priority-order=rfc2782"], "slow", "slow"),
    ("dead3", "3 dead targets (no A, RST, ICMP) then live", "dead.example",
     ["--priority-order=rfc2782"], "up", None),
    ("fallback", "SRV NXDOMAIN -> fallback :51234", FALLBACK_DOMAIN, [], "up", "fallback"),
]

FAILOVER_MODES = [
    ("killed", "primary killed (SIGKILL: FIN/RST)", 1.0),
    ("frozen", "primary frozen (all packets dropped)", 12.0),
    ("drained", "primary drained (admin drain)", 1.0),
]
STORM_BOUND_S = 10.0
STORM_BATCH = 100
IDLE_S = 3   # bench/first-frame.c's IDLE_S
# bench/console-load: a big directory in the desktop app, and the baseline it
# is compared with (enough rows to fill the pane, so that both draw alike).
CONSOLE_CONTACTS = 10000
CONSOLE_BASELINE = 100
CONSOLE_RATE = 1000
CONSOLE_STORM_S = 10
CONSOLE_KEYSTROKE_MS = 150
# The typing target: no keystroke costs the window a frame; a frame is
# 16.7 ms at 60 Hz.
KEYSTROKE_STALL_BOUND_MS = 16
CONSOLE_LIST_FACTS = ("keystroke-stalls-us", "keystroke-settle-us", "keystroke-frame-max-us",
                      "keystroke-handler-us")

TIMING_RE = re.compile(r"attendant-cli check: timing ([0-9.]+) ms")


def log(text):
    """Progress on stderr; the table alone goes to stdout."""
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {text}\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# Statistics and formatting (pure: the self-check exercises them)

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def fmt_ms(value):
    if value is None:
        return "-"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def fmt_s(value):
    return "-" if value is None else f"{value:.2f}"


def ratio(ours, base):
    if ours is None or base is None or base <= 0:
        return None
    return ours / base


def tally(reached):
    """["primary", "primary", None] -> "primary 2/3, failed 1/3"."""
    counts = {}
    for r in reached:
        key = r or "failed"
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{k} {v}/{len(reached)}" for k, v in
                     sorted(counts.items(), key=lambda kv: -kv[1]))


def table(headers, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths)), line]
    for row in rows:
        out.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    return out


def reach_verdict(kind, result):
    """The acceptance check a reach scenario carries, as (text, passed)."""
    ours, base = result["ours_reached"], result["base_reached"]
    if kind == "slow":
        good = ours and all(r == "primary" for r in ours) and all(r == "backup" for r in base)
        return "ours: the primary every time; baseline: the backup", good
    if kind == "refused":
        r = ratio(result["ours_ms"], result["base_ms"])
        return "ours within 1.2x of the baseline", r is not None and r <= 1.2
    if kind == "fallback":
        good = ours and all(r is not None for r in ours) and all(r is None for r in base)
        return "ours connects, the baseline fails", good
    return None, None


def verdict_text(passed):
    return "PASS" if passed else "FAIL"


def console_facts(stdout):
    """bench/console-load's `key value` lines: integers, or lists of them."""
    facts = {}
    for line in stdout.splitlines():
        key, _, value = line.partition(" ")
        try:
            if key in CONSOLE_LIST_FACTS:
                facts[key] = [int(v) for v in value.split(",") if v]
            elif value:
                facts[key] = int(value)
        except ValueError:
            pass
    return facts


def console_figures(facts):
    """One run's facts in the report's units (ms, MB)."""
    ms = lambda key: facts[key] / 1000 if key in facts else None  # noqa: E731
    mb = lambda key: facts[key] / 1024 if key in facts else None  # noqa: E731
    settle = facts.get("keystroke-settle-us") or []
    frames = facts.get("keystroke-frame-max-us") or []
    return {
        "contacts": facts.get("contacts"),
        "shown_rss_mb": mb("shown-rss-kb"), "loaded_rss_mb": mb("loaded-rss-kb"),
        "storm_rss_mb": mb("storm-rss-kb"),
        "snapshot_ms": ms("snapshot-us"), "load_ms": ms("load-us"),
        "load_stall_ms": ms("load-stall-max-us"), "idle_stall_ms": ms("idle-stall-max-us"),
        "key_stall_max_ms": ms("keystroke-stall-max-us"),
        "key_stall_median_ms": ms("keystroke-stall-median-us"),
        "key_settle_max_ms": max(settle) / 1000 if settle else None,
        "key_frame_max_ms": max(frames) / 1000 if frames else None,
        "storm_stall_max_ms": ms("storm-stall-max-us"), "storm_stall_p99_ms": ms("storm-stall-p99-us"),
        "storm_cpu_ms": ms("storm-cpu-us"),
        "storm_rate": (facts["storm-events"] / (facts["storm-us"] / 1e6)
                       if facts.get("storm-us") and "storm-events" in facts else None),
    }


def console_summary(runs):
    """The median of each figure over the runs of one directory size."""
    figures = [console_figures(r["facts"]) for r in runs if r.get("facts")]
    keys = figures[0].keys() if figures else []
    return {k: median(f[k] for f in figures) for k in keys}


# ---------------------------------------------------------------------------
# The lab, with the benchmark's zones and rules added

class BenchLab(L.Lab):
    isolated = False

    def check_isolation(self):
        # A process cannot leave its namespaces: once checked is enough, and
        # the storm starts a thousand clients, each of which would run `ip`.
        if not self.isolated:
            super().check_isolation()
            self.isolated = True

    def dnsmasq_args(self, config):
        args = super().dnsmasq_args(config)
        for domain, records in (("rfc.example", RFC_RECORDS), ("dead.example", DEAD_RECORDS)):
            for target, port, priority, weight in records:
                args.append(f"--srv-host=_iac._tcp.{domain},{target},{port},{priority},{weight}")
        return args

    def start_dns(self, config):
        super().start_dns(config)
        # dnsmasq stands in for the site's DNS server, which would have a
        # machine of its own. Here it shares two cores with up to a
        # thousand clients, and the namespace's UDP receive buffer (212 kB,
        # not settable inside a namespace) holds only a couple of hundred
        # queries: when a storm's queries arrive while dnsmasq waits for a
        # core, the rest are dropped and each costs its client a 5 s
        # resolver timeout. Priority lets it drain its socket as a real
        # DNS server would.
        own_machine(self.dnsmasq.pid)


class BenchFirewall(F.Firewall):
    def apply(self, nat=(), watch=None, drops=(), unreachable=()):
        super().apply(nat=nat, watch=watch, drops=drops)
        if unreachable:
            self._nft("".join(f"add rule ip lab filter_out ip daddr {a} reject with icmp type "
                              f"host-unreachable\n" for a in unreachable))


class Bench:
    def __init__(self, args, workdir):
        self.args = args
        self.cli = os.environ["ATTENDANT_CLI"]
        self.baseline = os.environ["ATTENDANT_BENCH_BASELINE"]
        self.first_frame = os.environ.get("ATTENDANT_BENCH_FIRST_FRAME")
        self.console_load_probe = os.environ.get("ATTENDANT_BENCH_CONSOLE_LOAD")
        self.flab = F.FailoverLab(workdir, self.cli, os.environ["ATTENDANT_SERVER"])
        self.flab.lab = BenchLab(workdir, self.cli)
        self.flab.fw = BenchFirewall()
        self.results = {}
        self.started = time.monotonic()

    @property
    def lab(self):
        return self.flab.lab

    def setup(self):
        self.flab.setup()
        L.run(["ip", "addr", "add", f"{UNREACHABLE}/32", "dev", "lo"])

    def server(self, name):
        return self.flab.servers[name]

    def ensure(self, *names):
        for name in names:
            s = self.server(name)
            if not s.running():
                s.start()
                # A deployed server has a machine of its own; here it
                # shares two cores with up to a thousand client processes.
                # Priority stands in for that separation (the clients'
                # CPU is reported beside the server's).
                own_machine(s.proc.pid)

    def stop(self, *names):
        for name in names:
            s = self.server(name)
            if s.running():
                s.stop()

    # -- reach ----------------------------------------------------------------

    def run_ours(self, domain, extra):
        self.lab.check_resolver()
        argv = [self.cli, "check", "--plain", "--tcp-only", "--json", *extra, domain]
        env = dict(os.environ, ATTENDANT_CLI_TIMING="1")
        t0 = time.monotonic()
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=60, env=env)
        wall = (time.monotonic() - t0) * 1000
        match = TIMING_RE.search(proc.stderr)
        reached = None
        try:
            doc = json.loads(proc.stdout)
            c = doc.get("connected")
            if c:
                reached = SERVERS.get((c.get("address"), c.get("port")), f"{c.get('address')}:{c.get('port')}")
        except ValueError:
            doc = None
        return {"ms": float(match.group(1)) if match else None, "wall_ms": wall,
                "reached": reached, "status": proc.returncode,
                "attempts": [(a.get("port"), a.get("outcome")) for a in (doc or {}).get("attempts", [])]}

    def run_baseline(self, domain):
        self.lab.check_resolver()
        t0 = time.monotonic()
        proc = subprocess.run([self.baseline, domain], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)
        wall = (time.monotonic() - t0) * 1000
        reached, ms, error = None, None, None
        try:
            doc = json.loads(proc.stdout)
            ms = doc.get("elapsed_ms")
            error = doc.get("error")
            if doc.get("connected"):
                host, port = doc["connected"].rsplit(":", 1)
                reached = SERVERS.get((host, int(port)), doc["connected"])
        except (ValueError, KeyError):
            error = proc.stderr.strip()
        return {"ms": ms, "wall_ms": wall, "reached": reached, "status": proc.returncode,
                "error": error}

    def set_primary(self, state):
        drops = {"blackholed": [("all", PRIMARY, PLAIN)],
                 "slow": [("first", PRIMARY, PLAIN)]}.get(state, [])
        self.flab.fw.apply(nat=REACH_NAT, watch=F.WATCHED, drops=drops,
                           unreachable=[UNREACHABLE])
        if state == "stopped":
            self.stop("primary")
        else:
            self.ensure("primary")

    def section_reach(self):
        runs = self.args.runs
        self.ensure("primary", "backup")
        rows = []
        for key, label, domain, extra, state, kind in REACH_SCENARIOS:
            self.set_primary(state)
            # One unmeasured run of each, so that neither pays for a cold
            # page cache or dnsmasq's first answer.
            self.run_ours(domain, extra)
            self.run_baseline(domain)
            ours, base = [], []
            for i in range(runs):
                if i % 2 == 0:
                    ours.append(self.run_ours(domain, extra))
                    base.append(self.run_baseline(domain))
                else:
                    base.append(self.run_baseline(domain))
                    ours.append(self.run_ours(domain, extra))
            result = {
                "label": label, "domain": domain, "ours_options": extra,
                "ours_ms": median(r["ms"] for r in ours),
                "base_ms": median(r["ms"] for r in base),
                "ours_wall_ms": median(r["wall_ms"] for r in ours),
                "base_wall_ms": median(r["wall_ms"] for r in base),
                "ours_reached": [r["reached"] for r in ours],
                "base_reached": [r["reached"] for r in base],
                "ours_attempts": ours[0]["attempts"],
                "base_errors": sorted({r["error"] for r in base if r["error"]}),
                "raw": {"ours": ours, "baseline": base},
            }
            result["verdict"] = reach_verdict(kind, result)
            self.results.setdefault("reach", {})[key] = result
            log(f"reach {key}: ours {fmt_ms(result['ours_ms'])} ms ({tally(result['ours_reached'])}), "
                f"baseline {fmt_ms(result['base_ms'])} ms ({tally(result['base_reached'])})")
            rows.append(result)
        self.set_primary("up")
        self.startup_floor()
        return rows

    def startup_floor(self):
        """What each program costs before and after its work (start, exit),
        the difference between the wall and in-process columns: timed by
        hyperfine, which fits here since no run's output matters."""
        hyperfine = shutil.which("hyperfine", path=L.SBIN_PATH)
        if hyperfine is None:
            self.results["startup"] = {"error": "hyperfine is not installed"}
            return
        export = os.path.join(self.flab.workdir, "hyperfine.json")
        ours = f"{self.cli} check --plain --no-connect --json {PUBLIC}:28101"
        base = f"{self.baseline} --help"
        proc = subprocess.run([hyperfine, "-N", "--warmup", "3", "--runs", str(max(10, self.args.runs * 3)),
                               "--export-json", export, "--style", "none", ours, base],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            self.results["startup"] = {"error": proc.stderr.strip()[-300:]}
            return
        with open(export) as f:
            measured = json.load(f)["results"]
        self.results["startup"] = {"ours_ms": measured[0]["median"] * 1000,
                                   "base_ms": measured[1]["median"] * 1000,
                                   "runs": len(measured[0]["times"])}
        log(f"start-up floor: {self.results['startup']}")

    # -- failover -------------------------------------------------------------

    def tls_watch(self, name):
        return self.flab.watch(name, f"--ca-file={self.lab.certs['ca']}", "acme.com")

    def one_failover(self, mode, i):
        fw = self.flab.fw
        fw.apply(nat=F.srv_nat(TLS), watch=F.WATCHED)
        self.ensure("primary", "backup")
        w = self.tls_watch(f"failover-{mode}-{i}")
        try:
            hit = w.wait(F.is_event("connected"), 20, 0)
            if hit is None or hit[2].get("port") != 28101:
                raise L.LabError(f"{mode}: the watch did not log in on the primary:\n"
                                 + "\n".join(w.describe()))
            mark = w.mark()
            primary = self.server("primary")
            if mode == "killed":
                t0 = primary.kill()
            elif mode == "frozen":
                t0 = time.monotonic()
                fw.freeze(PRIMARY)
            else:
                t0 = time.monotonic()
                result = primary.admin_command("drain", "primary", "--text=benchmark")
                if result.returncode != 0:
                    raise L.LabError(f"admin drain failed: {result.stderr}")
            disc = w.wait(F.is_event("disconnected"), 20, mark)
            hit = w.wait(lambda o: o.get("event") == "connected" and o.get("port") == 28102,
                         30, mark)
            return {"s": None if hit is None else hit[1] - t0,
                    "detect_s": None if disc is None else disc[1] - t0,
                    "reason": None if disc is None else disc[2].get("reason"),
                    "node": None if hit is None else hit[2].get("node")}
        finally:
            w.finish()
            self.flab.watches.remove(w)
            if mode == "frozen":
                fw.thaw(PRIMARY)
                # Its sessions are still open on the frozen side: start a
                # clean process for the next run.
                self.stop("primary")
            if mode == "drained" and self.server("primary").running():
                self.server("primary").admin_command("start", "primary")

    def section_failover(self):
        rows = []
        for mode, label, bound in FAILOVER_MODES:
            runs = self.args.failover_runs
            samples = [self.one_failover(mode, i) for i in range(runs)]
            times = [s["s"] for s in samples]
            result = {
                "label": label, "bound_s": bound, "samples": samples,
                "median_s": median(times), "max_s": max((t for t in times if t is not None), default=None),
                "detect_s": median(s["detect_s"] for s in samples),
                "reasons": sorted({str(s["reason"]) for s in samples}),
                "all_on_backup": all(s["node"] == "backup" for s in samples),
            }
            result["passed"] = (result["all_on_backup"] and None not in times
                                and max(times) <= bound)
            self.results.setdefault("failover", {})[mode] = result
            log(f"failover {mode}: median {fmt_s(result['median_s'])} s, max "
                f"{fmt_s(result['max_s'])} s, reasons {result['reasons']}")
            rows.append(result)
        return rows

    # -- flood ----------------------------------------------------------------

    def section_flood(self):
        self.results["flood"] = FLOOD.run(self, L, F, own_machine, log)
        return self.results["flood"]

    # -- storm ----------------------------------------------------------------

    def start_clients(self, first_index, n):
        """Starts clients first_index..n-1 in batches; one that has not
        logged in within two minutes (a machine loaded by others) is
        stopped and left out, and the table says how many took part."""
        clients = []
        for first in range(first_index, n, STORM_BATCH):
            batch = [self.flab.watch(f"storm-{n}-{i:04d}", "--plain", "--no-failback", "acme.com")
                     for i in range(first, min(first + STORM_BATCH, n))]
            for w in batch:
                if w.wait(F.is_event("connected"), 120, 0) is None:
                    log(f"storm: {w.name} did not log in; left out:\n" + "\n".join(w.describe()))
                    w.finish()
                    self.flab.watches.remove(w)
                else:
                    clients.append(w)
        return clients

    def section_storm(self):
        """The sizes in increasing order, growing one set of clients: each
        size kills the two nodes in turn an even number of times, so the
        clients end where they began, on the primary, which is where new
        ones log in too (SRV order)."""
        rows = []
        fw = self.flab.fw
        fw.apply(nat=F.srv_nat(PLAIN), watch=F.WATCHED)
        self.stop("primary", "backup")
        self.ensure("primary", "backup")
        clients = []
        kills = self.args.storm_runs + self.args.storm_runs % 2
        for n in sorted(self.args.storm_sizes):
            t = time.monotonic()
            clients += self.start_clients(len(clients), n)
            log(f"storm {n}: {len(clients)} clients logged in on the primary "
                f"({time.monotonic() - t:.1f} s to start the new ones)")
            on = "primary"
            samples = []
            for rep in range(kills):
                other = "backup" if on == "primary" else "primary"
                samples.append(self.one_storm(clients, on, other))
                log(f"storm {n} #{rep + 1}: {on} killed -> all {n} on the {other} in "
                    f"{fmt_s(samples[-1]['last_s'])} s")
                self.ensure(on)   # back, for the next repetition to move to
                on = other
            result = {"n": n, "clients": len(clients), "samples": samples}
            for key in ("last_s", "p50_s", "p90_s", "p99_s", "first_s", "client_last_s",
                        "observed_last_s", "cpu_s", "clients_cpu_s", "clients_idle_cpu_rate",
                        "rss_mb", "hwm_mb", "backoffs", "overflows", "dns_drops"):
                result[key] = median(s[key] for s in samples)
            result["worst_s"] = max((s["last_s"] for s in samples if s["last_s"] is not None),
                                    default=None)
            result["all_in"] = all(s["missing"] == 0 for s in samples)
            result["passed"] = (result["all_in"] and result["clients"] == n and result["last_s"] is not None
                                and result["last_s"] <= STORM_BOUND_S)
            self.results.setdefault("storm", {})[str(n)] = result
            rows.append(result)
        self.flab.finish_watches()
        return rows

    def one_storm(self, clients, victim, survivor):
        port = 28101 if survivor == "primary" else 28102
        surv = self.server(survivor)
        # The clients' own CPU while idle (two seconds, before the kill)
        # and during the storm: on this one machine they compete with the
        # server for the same cores.
        idle_before = clients_cpu_s(clients)
        time.sleep(2)  # a measuring window, not a synchronisation
        idle_rate = (clients_cpu_s(clients) - idle_before) / 2
        clients_before = clients_cpu_s(clients)
        cpu_before = proc_cpu_s(surv.proc.pid)
        marks = [w.mark() for w in clients]
        overflow_before = F.tcp_ext_counters("ListenOverflows", "ListenDrops")
        udp_before = udp_counters()
        dns_before = proc_cpu_s(self.lab.dnsmasq.pid)
        t0 = self.server(victim).kill()
        arrivals, observed, client_side, missing = [], [], [], 0
        for w, mark in zip(clients, marks):
            hit = w.wait(lambda o: o.get("event") == "connected" and o.get("port") == port,
                         max(0.0, t0 + 120 - time.monotonic()), mark)
            if hit is None:
                missing += 1
                continue
            observed.append(hit[1] - t0)
            # The client's own clock ("t", seconds since it started) put on
            # the runner's: each line read before the kill bounds the
            # offset from above, and the smallest bound is the tightest.
            # So a runner slowed down by a thousand pipes does not add its
            # own delay to the figure.
            offsets = [arrival - obj["t"] for arrival, obj in w.between(0, mark)
                       if isinstance(obj.get("t"), (int, float))]
            arrivals.append((min(offsets) + hit[2]["t"] - t0) if offsets else hit[1] - t0)
            disc = w.wait(F.is_event("disconnected"), 0, mark)
            if disc is not None:
                client_side.append(hit[2]["t"] - disc[2]["t"])
        cpu = proc_cpu_s(surv.proc.pid) - cpu_before
        clients_cpu = clients_cpu_s(clients) - clients_before
        status = proc_status(surv.proc.pid)
        overflow_after = F.tcp_ext_counters("ListenOverflows", "ListenDrops")
        udp_after = udp_counters()
        dns_cpu = proc_cpu_s(self.lab.dnsmasq.pid) - dns_before
        backoffs, delays, outcomes = 0, [], {}
        for w, mark in zip(clients, marks):
            for _, obj in w.between(mark):
                if obj.get("event") == "reconnect-scheduled":
                    backoffs += 1
                    delays.append(obj.get("delay_s"))
                elif obj.get("event") == "attempt":
                    key = f"{obj.get('port')} {obj.get('outcome')}"
                    outcomes[key] = outcomes.get(key, 0) + 1
        arrivals.sort()
        return {
            "missing": missing,
            "last_s": arrivals[-1] if arrivals and not missing else None,
            "first_s": arrivals[0] if arrivals else None,
            "p50_s": percentile(arrivals, 50) if arrivals else None,
            "p90_s": percentile(arrivals, 90) if arrivals else None,
            "p99_s": percentile(arrivals, 99) if arrivals else None,
            "client_last_s": max(client_side) if client_side else None,
            "observed_last_s": max(observed) if observed and not missing else None,
            "cpu_s": cpu, "clients_cpu_s": clients_cpu, "clients_idle_cpu_rate": idle_rate,
            "rss_mb": status.get("VmRSS", 0) / 1024,
            "hwm_mb": status.get("VmHWM", 0) / 1024,
            "backoffs": backoffs, "delays": delays, "outcomes": outcomes,
            "dns_cpu_s": dns_cpu,
            "dns_drops": udp_after["RcvbufErrors"] - udp_before["RcvbufErrors"],
            "overflows": sum((overflow_after[k] or 0) - (overflow_before[k] or 0)
                             for k in overflow_after),
        }

    # -- client ---------------------------------------------------------------

    def section_client(self):
        result = {"runs": []}
        self.results["client"] = result
        if not self.first_frame or not os.access(self.first_frame, os.X_OK):
            result["error"] = "ATTENDANT_BENCH_FIRST_FRAME is not set to bench/first-frame"
            return result
        xvfb = shutil.which("Xvfb", path=L.SBIN_PATH)
        dbus = shutil.which("dbus-daemon", path=L.SBIN_PATH)
        if not xvfb or not dbus:
            result["error"] = "needs Xvfb and dbus-daemon"
            return result
        procs = self.lab.procs
        read_fd, write_fd = os.pipe()
        x = subprocess.Popen(procs.prefix + [xvfb, "-displayfd", str(write_fd), "-screen", "0",
                                             "1280x800x24", "-nolisten", "tcp"],
                             pass_fds=(write_fd,), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.running.append(x)
        os.close(write_fd)
        with os.fdopen(read_fd) as f:
            display = f.readline().strip()
        bus = procs.start("dbus-session", [dbus, "--session", "--nofork", "--print-address=1"],
                          stdout=subprocess.PIPE)
        address = bus.stdout.readline().decode().strip()
        if not display or not address:
            result["error"] = f"Xvfb ({display!r}) or the session bus ({address!r}) did not start"
            return result
        env = dict(os.environ, DISPLAY=f":{display}", DBUS_SESSION_BUS_ADDRESS=address,
                   GSETTINGS_BACKEND="memory", GDK_BACKEND="x11", GSK_RENDERER="cairo",
                   GTK_A11Y="none", NO_AT_BRIDGE="1")
        env.pop("WAYLAND_DISPLAY", None)
        for i in range(self.args.client_runs):
            t0 = time.monotonic()
            proc = subprocess.run([self.first_frame], stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, timeout=60, env=env)
            facts = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
            run = {"status": proc.returncode}
            if "first-frame-us" in facts:
                run["first_frame_ms"] = int(facts["first-frame-us"]) / 1000 - t0 * 1000
                run["main_to_frame_ms"] = (int(facts["first-frame-us"]) - int(facts["main-us"])) / 1000
            if "idle-rss-kb" in facts:
                run["idle_rss_mb"] = int(facts["idle-rss-kb"]) / 1024
            if proc.returncode != 0 or "first_frame_ms" not in run:
                run["stderr"] = proc.stderr[-2000:]
            result["runs"].append(run)
            log(f"client #{i + 1}: {run}")
        result["first_frame_ms"] = median(r.get("first_frame_ms") for r in result["runs"])
        result["cold_first_ms"] = result["runs"][0].get("first_frame_ms") if result["runs"] else None
        result["main_to_frame_ms"] = median(r.get("main_to_frame_ms") for r in result["runs"])
        result["idle_rss_mb"] = median(r.get("idle_rss_mb") for r in result["runs"])
        # The probe's stalls are to be the app's own, not the time a shared
        # machine's other processes take the core: the probe, its X server
        # and its bus at real-time priority, as a desktop's compositor and
        # focused window are favoured (the other clients' figures above are
        # measured as they were).
        own_machine(x.pid)
        own_machine(bus.pid)
        result["console"] = self.console_load(env)
        procs.stop(bus)
        procs.stop(x)
        return result


    def console_load(self, env):
        """bench/console-load with the big directory and the baseline,
        alternating, so that both see the same machine load."""
        console = {"runs": []}
        if not self.console_load_probe or not os.access(self.console_load_probe, os.X_OK):
            console["error"] = "ATTENDANT_BENCH_CONSOLE_LOAD is not set to bench/console-load"
            return console
        for i in range(self.args.console_runs):
            for n in (CONSOLE_CONTACTS, CONSOLE_BASELINE):
                argv = [self.console_load_probe, f"--contacts={n}", f"--rate={CONSOLE_RATE}",
                        f"--storm-seconds={CONSOLE_STORM_S}", f"--keystroke-ms={CONSOLE_KEYSTROKE_MS}"]
                proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                      timeout=180, env=env, preexec_fn=lambda: own_machine(0))
                run = {"n": n, "status": proc.returncode, "facts": console_facts(proc.stdout)}
                if proc.returncode != 0 or "storm-rss-kb" not in run["facts"]:
                    run["stderr"] = proc.stderr[-2000:]
                    run["facts"] = None
                console["runs"].append(run)
                log(f"console-load #{i + 1}, {n} contacts: "
                    f"{console_figures(run['facts']) if run['facts'] else run}")
        for n in (CONSOLE_CONTACTS, CONSOLE_BASELINE):
            console[str(n)] = console_summary([r for r in console["runs"] if r["n"] == n])
        big = console[str(CONSOLE_CONTACTS)].get("key_stall_max_ms")
        console["passed"] = big is not None and big <= KEYSTROKE_STALL_BOUND_MS
        return console


def own_machine(pid):
    """Runs a stand-in for a separate machine (a server, the site's DNS)
    before every client process: round-robin real-time priority 1. A nice
    value is not enough, since CFS shares a core by weight and a thousand
    runnable clients at nice 0 outweigh even nice -20. Neither program
    spins, and the kernel's real-time throttling still leaves 5% to
    everyone else."""
    os.sched_setscheduler(pid, os.SCHED_RR, os.sched_param(1))


def proc_cpu_s(pid):
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def udp_counters():
    """The UDP receive-buffer drops of this namespace (/proc/net/snmp)."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    values = dict(zip(rows[0][1:], map(int, rows[1][1:]))) if len(rows) >= 2 else {}
    return {k: values.get(k, 0) for k in ("RcvbufErrors", "InErrors")}


def clients_cpu_s(clients):
    total = 0.0
    for w in clients:
        try:
            total += proc_cpu_s(w.proc.pid)
        except (OSError, IndexError):
            pass
    return total


def proc_status(pid):
    """The kB fields of /proc/PID/status (VmRSS, VmHWM, ...)."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                out[key] = int(value.split()[0])
    return out


# ---------------------------------------------------------------------------
# The report

def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f
                          if line.startswith("model name")), "?")
    except OSError:
        pass
    debian = "?"
    try:
        with open("/etc/debian_version") as f:
            debian = f.read().strip()
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} CPUs ({model}), {mem_gb:.0f} GiB, kernel {os.uname().release}, "
            f"Debian {debian}")


def report(results, args, elapsed_s, load_before, load_after):
    out = ["Attendant benchmark", "===================",
           f"machine: {machine()}",
           f"load average before/after: {load_before} / {load_after}; took {elapsed_s:.0f} s; "
           f"{'--quick' if args.quick else 'default'} run",
           ""]
    verdicts = []
    if "reach" in results:
        n = args.runs
        out += [f"Time to reach a live server (median of {n} runs each; ms from the start of "
                f"the SRV query to connected, in-process; wall = the whole process)",
                "ours: attendant-cli check --plain --tcp-only (strict order, no racing); "
                "baseline: g_socket_client_connect_to_service_async (bench/baseline-connect)", ""]
        rows = []
        for key, r in results["reach"].items():
            rr = ratio(r["ours_ms"], r["base_ms"])
            rows.append([r["label"], fmt_ms(r["ours_ms"]), fmt_ms(r["base_ms"]),
                         "-" if rr is None else f"{rr:.2f}",
                         fmt_ms(r["ours_wall_ms"]), fmt_ms(r["base_wall_ms"]),
                         tally(r["ours_reached"]), tally(r["base_reached"])])
            text, passed = r["verdict"]
            if text:
                verdicts.append((f"reach, {r['label']}: {text}", passed))
        out += table(["scenario", "ours", "base", "ratio", "ours wall", "base wall",
                      "ours reached", "baseline reached"], rows)
        st = results.get("startup")
        if st:
            if st.get("error"):
                out.append(f"  start-up floor not measured: {st['error']}")
            else:
                out.append(f"  start-up floor (hyperfine, median of {st['runs']}: the process "
                           f"started and gone, no network): ours {fmt_ms(st['ours_ms'])} ms "
                           f"(check --no-connect), baseline {fmt_ms(st['base_ms'])} ms (--help)")
        errors = {r["label"]: r["base_errors"] for r in results["reach"].values() if r["base_errors"]}
        for label, errs in errors.items():
            out.append(f"  baseline error ({label}): {'; '.join(errs)[:150]}")
        out.append("")
    if "failover" in results:
        out += [f"A primary's death to logged in on the backup (attendant-cli watch, default "
                f"settings: TLS, heartbeat 5 s, attempt timeout 5 s; median of "
                f"{args.failover_runs} runs)", ""]
        rows = []
        for key, r in results["failover"].items():
            rows.append([r["label"], fmt_s(r["median_s"]), fmt_s(r["max_s"]), fmt_s(r["detect_s"]),
                         ",".join(r["reasons"]), f"<= {r['bound_s']:g} s",
                         verdict_text(r["passed"])])
            verdicts.append((f"failover, {r['label']}: <= {r['bound_s']:g} s", r["passed"]))
        out += table(["event", "median s", "max s", "detected s", "reason", "target", ""], rows)
        out.append("")
    if "storm" in results:
        out += [f"Failover storm: N attendant-cli watch (plain) on one node, that node "
                f"SIGKILLed, until all N are logged in on the other (median of "
                f"{args.storm_runs} kills; s after the kill)", ""]
        rows = []
        for key, r in results["storm"].items():
            size = r["n"] if r.get("clients", r["n"]) == r["n"] else f"{r['clients']} of {r['n']}"
            rows.append([size, fmt_s(r["last_s"]), fmt_s(r["worst_s"]), fmt_s(r["first_s"]),
                         fmt_s(r["p50_s"]), fmt_s(r["p90_s"]), fmt_s(r["p99_s"]),
                         f"{r['backoffs']:g}", fmt_s(r["cpu_s"]), f"{r['rss_mb']:.1f}",
                         fmt_s(r["clients_cpu_s"]), f"{r['dns_drops']:g}", f"{r['overflows']:g}",
                         verdict_text(r["passed"]) if r["n"] >= 1000 else ""])
            if r["n"] >= 1000:
                verdicts.append((f"storm of {r['n']}: all logged in on the other node within "
                                 f"{STORM_BOUND_S:g} s (median)", r["passed"]))
        out += table(["N", "all in", "worst", "first", "p50", "p90", "p99", "backoffs",
                      "server CPU s", "server RSS MB", "clients CPU s", "DNS drops",
                      "listen overflows", ""], rows)
        out.append("  all in / worst: the last client's login, median and worst kill; first and "
                   "pN: percentiles of the logins (jitter only applies to backoffs, which a "
                   "storm without lost attempts never reaches)")
        for key, r in results["storm"].items():
            outcomes = {}
            for s in r["samples"]:
                for k, v in s["outcomes"].items():
                    outcomes[k] = outcomes.get(k, 0) + v
            out.append(f"  N={r['n']}: attempts after the kills (port outcome: count, all "
                       f"repetitions): {outcomes}")
        out.append("")
    if "client" in results:
        c = results["client"]
        out += [f"Client cost: the desktop app under Xvfb (cairo renderer), median of "
                f"{args.client_runs} starts", ""]
        if c.get("error"):
            out.append(f"  not measured: {c['error']}")
        rows = [
            ["cold start to first frame (spawn -> painted)", fmt_ms(c.get("first_frame_ms")) + " ms"
             + (f" (first start {fmt_ms(c.get('cold_first_ms'))} ms)" if c.get("cold_first_ms") else "")],
            ["of which main() to first frame", fmt_ms(c.get("main_to_frame_ms")) + " ms"],
            [f"idle RSS ({IDLE_S} s after the first frame)",
             "-" if c.get("idle_rss_mb") is None else f"{c['idle_rss_mb']:.1f} MB"],
        ]
        out += table(["measure", "value"], rows)
        for r in c.get("runs", []):
            if r.get("stderr"):
                out.append(f"  a start failed (exit {r['status']}): {r['stderr'][-300:]}")
                break
        out.append("")
        if "console" in c:
            out += console_report(c["console"], args)
            if c["console"].get(str(CONSOLE_CONTACTS)):
                verdicts.append((f"search with {CONSOLE_CONTACTS:,} contacts: no keystroke stalls the "
                                 f"main loop > {KEYSTROKE_STALL_BOUND_MS} ms (median of the runs' "
                                 f"longest)", c["console"]["passed"]))
    if "flood" in results:
        lines, flood_verdicts = FLOOD.report(results["flood"], table, fmt_s, ratio)
        out += lines
        verdicts += flood_verdicts
    if verdicts:
        out += ["Acceptance", ""]
        out += table(["target", ""], [[t, verdict_text(p)] for t, p in verdicts])
    return out


def console_report(console, args):
    """The directory rows: 10,000 contacts against the baseline, and the
    ratio between them."""
    out = [f"Client cost with a directory (bench/console-load: the real window's console page, "
           f"{CONSOLE_CONTACTS:,} contacts against {CONSOLE_BASELINE}, fed through the client's "
           f"signals; median of {args.console_runs} runs each, alternating)", ""]
    if console.get("error"):
        return out + [f"  not measured: {console['error']}", ""]
    big, base = console.get(str(CONSOLE_CONTACTS), {}), console.get(str(CONSOLE_BASELINE), {})
    if not big or not base:
        failed = next((r for r in console.get("runs", []) if r.get("stderr")), None)
        return out + [f"  not measured: console-load failed"
                      + (f" (exit {failed['status']}): {failed['stderr'][-300:]}" if failed else ""), ""]

    def row(label, key, unit, fmt=fmt_ms):
        r = ratio(big.get(key), base.get(key))
        cell = lambda v: "-" if v is None else fmt(v) + unit  # noqa: E731
        return [label, cell(big.get(key)), cell(base.get(key)), "-" if r is None else f"{r:.2f}"]

    mb = lambda v: "-" if v is None else f"{v:.1f}"  # noqa: E731
    rows = [
        row("RSS, window shown, no contacts yet", "shown_rss_mb", " MB", mb),
        row("RSS with the directory loaded", "loaded_rss_mb", " MB", mb),
        row(f"RSS after {CONSOLE_STORM_S} s of {CONSOLE_RATE:,} presence events/s", "storm_rss_mb", " MB", mb),
        row("snapshot: in the signal", "snapshot_ms", " ms"),
        row("snapshot: to every contact listed", "load_ms", " ms"),
        row("snapshot: longest main-loop stall", "load_stall_ms", " ms"),
        row("idle: longest main-loop stall (the floor)", "idle_stall_ms", " ms"),
        row(f"search, a key every {CONSOLE_KEYSTROKE_MS} ms: longest stall", "key_stall_max_ms", " ms"),
        row("search: median of the keys' longest stalls", "key_stall_median_ms", " ms"),
        row("search: slowest key to every match listed", "key_settle_max_ms", " ms"),
        row("search: longest frame (layout + paint)", "key_frame_max_ms", " ms"),
        row(f"{CONSOLE_RATE:,} presence events/s: longest stall", "storm_stall_max_ms", " ms"),
        row(f"{CONSOLE_RATE:,} presence events/s: p99 stall", "storm_stall_p99_ms", " ms"),
        row(f"{CONSOLE_RATE:,} presence events/s: CPU over {CONSOLE_STORM_S} s", "storm_cpu_ms", " ms"),
    ]
    out += table(["measure", f"{CONSOLE_CONTACTS:,} contacts", f"{CONSOLE_BASELINE} contacts", "ratio"], rows)
    out.append("  a stall: the longest gap between two runs of a 1 ms G_PRIORITY_HIGH timer, i.e. the "
               "longest the window could not take a key or paint; events/s achieved: "
               f"{fmt_ms(big.get('storm_rate'))}")
    if not console.get("passed"):
        out.append(f"  the search stalls the main loop for more than {KEYSTROKE_STALL_BOUND_MS} ms "
                   f"with {CONSOLE_CONTACTS:,} contacts: the typing target is not met")
    out.append("")
    return out


# ---------------------------------------------------------------------------
# Self-check: no root, no network

class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, good, name, diag=()):
        self.n += 1
        print(f"{'ok' if good else 'not ok'} {self.n} - {name}")
        if not good:
            self.failed += 1
            for d in diag:
                print(f"# {d}")
        sys.stdout.flush()


def self_check():
    """What the meson 'bench' suite runs: the programs the benchmark needs
    exist and start, and the parts of this script that need no lab work."""
    tap = Tap()
    env_vars = ("ATTENDANT_CLI", "ATTENDANT_SERVER", "ATTENDANT_BENCH_BASELINE",
                "ATTENDANT_BENCH_FIRST_FRAME", "ATTENDANT_BENCH_CONSOLE_LOAD")
    for var in env_vars:
        path = os.environ.get(var)
        tap.ok(bool(path) and os.access(path, os.X_OK), f"{var} is an executable ({path})")
    baseline = os.environ.get("ATTENDANT_BENCH_BASELINE", "")
    if os.access(baseline, os.X_OK):
        # Never with a domain: outside the lab that would be a real DNS query.
        p = subprocess.run([baseline, "--help"], capture_output=True, text=True, timeout=30)
        tap.ok(p.returncode == 0 and "DOMAIN" in p.stdout, "baseline-connect --help exits 0",
               [p.stdout, p.stderr])
        p = subprocess.run([baseline], capture_output=True, text=True, timeout=30)
        tap.ok(p.returncode == 2 and p.stdout == "" and "DOMAIN" in p.stderr,
               "baseline-connect without a DOMAIN: exit 2, nothing on stdout, nothing sent",
               [f"exit {p.returncode}", p.stdout, p.stderr])
    cli = os.environ.get("ATTENDANT_CLI", "")
    if os.access(cli, os.X_OK):
        # A literal address with --no-connect: no DNS query and no packet.
        env = dict(os.environ, ATTENDANT_CLI_TIMING="1")
        p = subprocess.run([cli, "check", "--plain", "--no-connect", "--json", "127.0.0.1:9"],
                           capture_output=True, text=True, timeout=30, env=env)
        tap.ok(p.returncode == 0 and TIMING_RE.search(p.stderr) is not None,
               "attendant-cli check prints its timing line with ATTENDANT_CLI_TIMING set",
               [f"exit {p.returncode}", p.stderr])
    frame = os.environ.get("ATTENDANT_BENCH_FIRST_FRAME", "")
    if os.access(frame, os.X_OK):
        p = subprocess.run([frame, "--help"], capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, GSETTINGS_BACKEND="memory"))
        tap.ok(p.returncode == 0 and "Usage" in p.stdout, "first-frame --help exits 0",
               [f"exit {p.returncode}", p.stdout, p.stderr])
    load = os.environ.get("ATTENDANT_BENCH_CONSOLE_LOAD", "")
    if os.access(load, os.X_OK):
        # Options are parsed before GTK starts: neither needs a display.
        p = subprocess.run([load, "--help"], capture_output=True, text=True, timeout=30)
        tap.ok(p.returncode == 0 and "--contacts" in p.stdout and "--storm-seconds" in p.stdout,
               "console-load --help exits 0 and lists its options", [f"exit {p.returncode}", p.stdout, p.stderr])
        p = subprocess.run([load, "--contacts=-1"], capture_output=True, text=True, timeout=30)
        tap.ok(p.returncode == 2 and p.stdout == "", "console-load refuses a negative directory",
               [f"exit {p.returncode}", p.stdout, p.stderr])

    tap.ok(median([3, 1, 2]) == 2 and median([1, None, 3]) == 2 and median([]) is None,
           "median ignores missing values")
    values = list(range(1, 101))
    tap.ok((percentile(values, 50), percentile(values, 90), percentile(values, 99),
            percentile(values, 100), percentile([7], 90)) == (50, 90, 99, 100, 7),
           "nearest-rank percentiles")
    tap.ok(tally(["primary", "primary", None]) == "primary 2/3, failed 1/3", "tally of reached servers")
    slow = {"ours_reached": ["primary"] * 3, "base_reached": ["backup"] * 3}
    tap.ok(reach_verdict("slow", slow)[1] is True, "slow primary: ours primary, baseline backup passes")
    slow["ours_reached"][1] = "backup"
    tap.ok(reach_verdict("slow", slow)[1] is False, "slow primary: ours once on the backup fails")
    tap.ok(reach_verdict("refused", {"ours_ms": 1.2, "base_ms": 1.0, "ours_reached": [],
                                     "base_reached": []})[1] is True
           and reach_verdict("refused", {"ours_ms": 1.3, "base_ms": 1.0, "ours_reached": [],
                                         "base_reached": []})[1] is False,
           "refused primary: the 1.2x bound")
    tap.ok(reach_verdict("fallback", {"ours_reached": ["primary"], "base_reached": [None]})[1]
           and not reach_verdict("fallback", {"ours_reached": ["primary"],
                                              "base_reached": ["primary"]})[1],
           "fallback: ours connects where the baseline fails")
    args = BenchLab("/nonexistent", "/bin/true").dnsmasq_args("single")
    want = [f"--srv-host=_iac._tcp.rfc.example,{t},{p},{pr},{w}" for t, p, pr, w in RFC_RECORDS] + \
           [f"--srv-host=_iac._tcp.dead.example,{t},{p},{pr},{w}" for t, p, pr, w in DEAD_RECORDS]
    tap.ok(all(a in args for a in want) and "--srv-host=_iac._tcp.acme.com,acme.com,28101,10,100" in args,
           "the lab's dnsmasq gets the guide's records and the benchmark's zones")
    fake = {
        "reach": {"slow": {"label": "slow", "ours_ms": 1003.0, "base_ms": 2.0, "ours_wall_ms": 1010.0,
                           "base_wall_ms": 5.0, "ours_reached": ["primary"], "base_reached": ["backup"],
                           "base_errors": [], "verdict": ("ours: the primary", True)}},
        "failover": {"killed": {"label": "killed", "median_s": 0.1, "max_s": 0.2, "detect_s": 0.01,
                                "reasons": ["connection-lost"], "bound_s": 1.0, "passed": True}},
        "storm": {"1000": {"n": 1000, "last_s": 4.0, "worst_s": 5.0, "first_s": 0.1, "p50_s": 2.0,
                           "p90_s": 3.0, "p99_s": 3.9, "client_last_s": 3.5, "backoffs": 0,
                           "cpu_s": 1.0, "clients_cpu_s": 7.0, "dns_drops": 0,
                           "rss_mb": 50.0, "overflows": 0, "passed": True,
                           "samples": [{"outcomes": {"28102 connected": 1000}}]}},
        "client": {"first_frame_ms": 300.0, "cold_first_ms": 400.0, "main_to_frame_ms": 250.0,
                   "idle_rss_mb": 60.0, "runs": []},
    }
    facts = console_facts("contacts 10000\nshown-rss-kb 102400\nloaded-rss-kb 122880\n"
                          "keystroke-stalls-us 30000,12000,\nkeystroke-settle-us 90000,40000\n"
                          "keystroke-frame-max-us 9000,8000\nkeystroke-stall-max-us 30000\n"
                          "storm-events 10000\nstorm-us 10000000\nstorm-rss-kb 125952\nbogus x\n")
    tap.ok(facts["contacts"] == 10000 and facts["keystroke-stalls-us"] == [30000, 12000]
           and "bogus" not in facts, "console-load's facts: numbers and lists", [facts])
    fig = console_figures(facts)
    tap.ok((fig["loaded_rss_mb"], fig["key_stall_max_ms"], fig["key_settle_max_ms"], fig["storm_rate"],
            fig["snapshot_ms"]) == (120.0, 30.0, 90.0, 1000.0, None),
           "console-load's figures in ms and MB, missing ones None", [fig])
    summary = console_summary([{"facts": facts}, {"facts": dict(facts, **{"keystroke-stall-max-us": 50000})},
                               {"facts": None}])
    tap.ok(summary["key_stall_max_ms"] == 40.0 and summary["loaded_rss_mb"] == 120.0,
           "console-load's runs: the median of each figure, failed runs left out", [summary])
    small = console_figures(dict(facts, **{"loaded-rss-kb": 61440, "keystroke-stall-max-us": 10000}))
    fake["client"]["console"] = {"runs": [], str(CONSOLE_CONTACTS): fig, str(CONSOLE_BASELINE): small,
                                 "passed": True}
    ns = argparse.Namespace(runs=1, failover_runs=1, storm_runs=1, client_runs=1, console_runs=1,
                            quick=True)
    text = "\n".join(report(fake, ns, 1.0, "0", "0"))
    tap.ok("n/a" not in text and re.search(r"RSS with the directory loaded +120.0 MB +60.0 MB +2.00", text)
           and re.search(r"longest stall +30.0 ms +10.0 ms +3.00", text) and "Acceptance" in text
           and text.count("PASS") == 6, "the report renders every section, the directory's ratios "
           "and the verdicts", text.splitlines())
    fake["client"]["console"]["passed"] = False
    text = "\n".join(report(fake, ns, 1.0, "0", "0"))
    tap.ok(text.count("FAIL") == 1 and "the typing target is not met" in text,
           "a keystroke stall over the bound fails, and the table says so", text.splitlines())
    tap.ok(FLOOD.frame_header(1, 5) == b"\x81\x85\0\0\0\0"
           and FLOOD.frame_header(0, 70000, fin=False)[:2] == b"\x00\xff"
           and FLOOD.deep_message(2) == b'{"type":"ping","x":[[]]}', "the flood's frames and deep JSON")
    flood = {"flood": 1000, "hostile": 10, "baseline_s": [0.1, 0.2], "flood_s": [0.2, 0.3],
             "baseline_median_s": 0.15, "flood_median_s": 0.25, "flood_max_s": 0.3,
             "idle_rss_mb": 8.0, "peak_rss_mb": 40.0, "flood_greeted": 1000, "flood_open_s": 1.0,
             "flood_open_at_end": 1000, "attack_s": 4.0, "server_alive": True,
             "attacks": {"deep": {"connections": 9, "refused_early": 0, "max_sent_mb": 0.2}},
             "passed_rss": True, "passed_login": False}
    lines, verdicts = FLOOD.report(flood, table, fmt_s, ratio)
    tap.ok(re.search(r"login, median +0.25 +0.15 +1.67", "\n".join(lines)) is not None
           and [v[1] for v in verdicts] == [True, False], "the flood's report and verdicts", lines)
    import asterisk_bench  # noqa: E402 - beside this script
    ast_args = asterisk_bench.parse_args(["--quick"])
    fake_ast = {"queue": {"floor_ms": [3.0, 4.0, 5.0], "added_ms": [1.0, 2.0, 60.0],
                          "total_ms": [4.0, 6.0, 65.0]},
                "burst": [{"floor_ms": 100.0, "listed_ms": 120.0, "first_start_ms": 5.0}],
                "answer": {"bridged_ms": [10.0, 20.0], "reply_ms": [12.0, 24.0]}}
    lines, passed = asterisk_bench.report(fake_ast, ast_args, 1.0)
    text = "\n".join(lines)
    tap.ok(not passed and text.count("FAIL") == 1 and "listed within 120 ms" in text
           and "reply / bridged (medians): 1.20" in text,
           "the Asterisk section's table: a p99 over its bound fails, the burst passes", lines)
    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


# ---------------------------------------------------------------------------
# Entry

def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Attendant's benchmark against GLib's stock connect, in a private network "
                    "namespace (needs root; see bench/run.sh).")
    parser.add_argument("--quick", action="store_true",
                        help="few repetitions and a storm of 100 only (for development)")
    parser.add_argument("--runs", type=int, help="repetitions of each reach scenario")
    parser.add_argument("--storm-sizes", help="comma-separated client counts (default 100,500,1000)")
    parser.add_argument("--only", action="append",
                        choices=["reach", "failover", "storm", "client", "flood", "asterisk"],
                        help="run only this section (repeatable)")
    parser.add_argument("--json", metavar="FILE", help="write every raw measurement there")
    parser.add_argument("--self-check", action="store_true",
                        help="check the programs and this script without root or network (TAP)")
    args = parser.parse_args(argv)
    args.runs = args.runs or (3 if args.quick else 9)
    args.failover_runs = 1 if args.quick else 3
    args.storm_runs = 2 if args.quick else 4   # even: see section_storm
    args.client_runs = 2 if args.quick else 5
    args.console_runs = 1 if args.quick else 3
    if args.storm_sizes:
        args.storm_sizes = [int(n) for n in args.storm_sizes.split(",")]
    else:
        args.storm_sizes = [100] if args.quick else [100, 500, 1000]
    return args


def outside_namespace(args):
    problem = L.namespace_problem()
    if problem:
        sys.exit(f"bench: the lab {problem} (run it as root: sudo sh bench/run.sh)")
    for var in ("ATTENDANT_CLI", "ATTENDANT_SERVER", "ATTENDANT_BENCH_BASELINE"):
        if not os.access(os.environ.get(var, ""), os.X_OK):
            sys.exit(f"bench: {var} is not set to the program (run bench/run.sh)")
    L.enter_namespace(__file__, sys.argv[1:])


def inside_namespace(args):
    def on_signal(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    F.raise_fd_limit()
    # Every storm client has pipes here and a socket in the server.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 16384 if hard == resource.RLIM_INFINITY else min(hard, 16384)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    workdir = tempfile.mkdtemp(prefix="attendant-bench-")
    bench = Bench(args, workdir)
    sections = args.only or ["reach", "failover", "storm", "client", "flood"]
    load_before = open("/proc/loadavg").read().split()[0]
    status = 0
    try:
        bench.setup()
        for name in ("reach", "failover", "storm", "client", "flood"):
            if name in sections:
                began = time.monotonic()
                try:
                    getattr(bench, f"section_{name}")()
                except Exception as e:  # noqa: BLE001 - report it, go on with the rest
                    status = 1
                    log(f"section {name} failed: {e}\n{traceback.format_exc()}")
                    bench.flab.finish_watches()
                log(f"section {name} took {time.monotonic() - began:.0f} s")
    finally:
        bench.lab.procs.stop_all()
    load_after = open("/proc/loadavg").read().split()[0]
    lines = report(bench.results, args, time.monotonic() - bench.started, load_before, load_after)
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(bench.results, f, indent=1, default=str)
    if status == 0 and os.environ.get("ATTENDANT_LAB_KEEP") != "1":
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        log(f"logs kept in {workdir}")
    return status


def main():
    args = parse_args(sys.argv[1:])
    if args.self_check:
        sys.exit(self_check())
    if args.only and "asterisk" in args.only:
        # Loopback only, no namespace and no root: bench/asterisk_bench.py.
        import asterisk_bench  # noqa: E402 - beside this script
        status = asterisk_bench.run(asterisk_bench.parse_args(
            (["--quick"] if args.quick else []) + (["--json", args.json] if args.json else [])))
        args.only = [name for name in args.only if name != "asterisk"]
        if not args.only:
            sys.exit(status)
    if os.environ.get(L.NS_MARK) != "1":
        outside_namespace(args)
    sys.exit(inside_namespace(args))


if __name__ == "__main__":
    main()
