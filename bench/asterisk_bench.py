#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Asterisk section of the benchmark (bench/run.sh --only asterisk):
what Attendant adds on top of Asterisk's own event, measured on the real
parts the 'asterisk' test suite uses (tests/asterisk/asterisk_e2e.py): the
shared Asterisk 22, baresip phones, one `attendant-server` process with an
[asterisk] group, one `attendant-cli watch` logged in as the receptionist.

The server reaches ARI through a tap (asterisk_e2e.AriTap): a TCP proxy that
notes when each StasisStart frame leaves Asterisk for the server, without
changing a byte. That is the floor: no ARI application can know of a call
before that frame. ARI gives an application to one WebSocket at a time, so
no second listener could see the server's StasisStart; and one subscribed
to everything gets the channel's other events about 10 ms late, which would
flatter us.

  queue    phone 300 dials 100, one call at a time: the dial (ctrl_tcp
           command written) -> StasisStart at the tap (Asterisk's own time,
           the floor) -> the call in the watch's Waiting list (a
           call.updated line, state queued). Attendant adds the second step.
  burst    50 calls dialled at once (5 phones, 10 calls each): the first
           dial -> the 50th StasisStart, and -> the 50th call listed.
  answer   call.answer on a queued call: the command written -> both
           channels in one bridge (ChannelEnteredBridge at the tap, the
           floor) -> the reply (ok), which the server sends only once
           Asterisk confirmed.

No root needed and no network namespace: everything is on 127.0.0.1.
"""

import argparse
import json
import os
import statistics
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "asterisk"))
import asterisk_e2e as E  # noqa: E402

ADDED_MEDIAN_BOUND_MS = 20.0
ADDED_P99_BOUND_MS = 50.0
BURST_CALLS = 50
BURST_PHONES = 5
BURST_BOUND_S = 1.0


def log(text):
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {text}\n")
    sys.stderr.flush()


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ms(seconds):
    return seconds * 1000.0


def queued(e):
    return e.get("event") == "call.updated" and e.get("call", {}).get("state") == "queued"


class AsteriskBench:
    def __init__(self, args):
        self.args = args
        self.lab = E.Lab(prefix="attendant-ast-bench-")
        self.results = {}

    def setup(self):
        log("starting Asterisk")
        self.lab.asterisk.start()
        self.tap = E.AriTap(self.lab.asterisk.http_port)
        self.lab.write_cluster(nodes=("a",), ari_url=self.tap.url)
        log("starting attendant-server and the receptionist's phone 200")
        self.server = self.lab.servers["a"].start()
        self.reception = E.Phone(self.lab, "200", tone_hz=700)
        self.caller = E.Phone(self.lab, "300")
        self.watch = self.lab.watch("watch", "a")
        if not self.watch.wait(lambda e: e.get("event") == "snapshot", 15):
            raise E.LabError("the watch got no snapshot:\n" + E.tail(self.watch.proc.lab_log))
        if not E.wait_until(lambda: self.lab.asterisk.endpoint_online("200")
                            and self.lab.asterisk.endpoint_online("300"), 10):
            raise E.LabError("phones 200 and 300 did not register")

    def hang_up_all(self):
        """Hangs every call up from Asterisk and waits until the watch's list
        is empty."""
        for channel in self.lab.asterisk.channels():
            try:
                self.lab.asterisk.ari("DELETE", f"/channels/{channel['id']}")
            except E.urllib.error.HTTPError:
                pass
        if E.wait_until(lambda: not self.lab.asterisk.channels(), 10) is None:
            raise E.LabError("Asterisk still has channels after hanging them up")
        if E.wait_until(lambda: not E.Calls.at(self.watch), 10) is None:
            raise E.LabError(f"the watch still lists {list(E.Calls.at(self.watch))}")

    def one_queued(self):
        mark = self.watch.mark()
        with self.tap.cond:
            known = set(self.tap.starts)
        t_dial = self.caller.dial("100")
        hit = self.watch.wait(queued, 10, mark)
        if hit is None:
            raise E.LabError("the call never reached the Waiting list")
        # The tap notes a frame's time before passing it on, and records it
        # after: the client may have listed the call before the tap's
        # thread wrote it down.
        def fresh_starts():
            with self.tap.cond:
                return [v for k, v in self.tap.starts.items() if k not in known]

        fresh = E.wait_until(fresh_starts, 1) or []
        if len(fresh) != 1:
            raise E.LabError(f"{len(fresh)} StasisStart at the tap for one call")
        t_start = fresh[0][0]
        return t_dial, t_start, hit[0], fresh[0][1]["channel"]["id"]

    def section_queue(self):
        runs = self.args.runs
        floor, added, total = [], [], []
        # The first call warms every cache on the way; it is not counted.
        for i in range(runs + 1):
            t_dial, t_start, t_listed, _ = self.one_queued()
            if i > 0:
                floor.append(ms(t_start - t_dial))
                added.append(ms(t_listed - t_start))
                total.append(ms(t_listed - t_dial))
            self.hang_up_all()
        self.results["queue"] = {"floor_ms": floor, "added_ms": added, "total_ms": total}

    def section_burst(self):
        phones = [E.Phone(self.lab, "300", tone_hz=1000 + 100 * i) for i in range(BURST_PHONES)]
        runs = []
        for _ in range(self.args.burst_runs):
            mark = self.watch.mark()
            with self.tap.cond:
                known = set(self.tap.starts)
            per_phone = BURST_CALLS // BURST_PHONES
            t_first = None
            for _ in range(per_phone):
                for phone in phones:
                    t = phone.dial("100")
                    t_first = t_first or t

            def listed():
                calls = E.Calls.at(self.watch)
                return len([c for c in calls.values() if c["state"] == "queued"]) >= BURST_CALLS

            if self.watch.wait(lambda e: listed(), 20, mark) is None:
                raise E.LabError(f"only {len(E.Calls.at(self.watch))} of {BURST_CALLS} calls listed")
            # The line that completed the list: the first after which all are there.
            with self.watch.cond:
                lines = self.watch.lines[mark:]
            t_all = None
            seen = {}
            for t, e in lines:
                if queued(e):
                    seen[e["call"]["id"]] = True
                elif e.get("event") == "call.removed":
                    seen.pop(e.get("id"), None)
                if len(seen) >= BURST_CALLS:
                    t_all = t
                    break
            def all_starts():
                with self.tap.cond:
                    found = sorted(v[0] for k, v in self.tap.starts.items() if k not in known)
                return found if len(found) >= BURST_CALLS else None

            starts = E.wait_until(all_starts, 1) or []
            if len(starts) < BURST_CALLS:
                raise E.LabError(f"{len(starts)} StasisStart at the tap for {BURST_CALLS} calls")
            runs.append({"floor_ms": ms(starts[BURST_CALLS - 1] - t_first),
                         "listed_ms": ms(t_all - t_first),
                         "first_start_ms": ms(starts[0] - t_first)})
            self.hang_up_all()
        for phone in phones:
            phone.close()
            self.lab.procs.stop(phone.proc)
        self.results["burst"] = runs

    def section_answer(self):
        floor, reply = [], []
        for i in range(self.args.answer_runs + 1):
            t_dial, t_start, hit, caller = self.one_queued()
            call = E.Calls.at(self.watch)
            (call_id,) = [c for c in call if call[c]["state"] == "queued"]
            with self.tap.cond:
                n_events = len(self.tap.events)
            t_cmd = time.monotonic()
            answer = self.watch.send("call.answer", call=call_id)
            if answer is None or not answer.get("ok"):
                raise E.LabError(f"call.answer: {answer}")
            t_reply = self.watch.reply_time

            def bridged():
                # The first moment a bridge holds the caller and phone 200.
                with self.tap.cond:
                    for t, kind, _, members in self.tap.events[n_events:]:
                        if kind == "ChannelEnteredBridge" and caller in members and any(
                                self.tap.names.get(m, "").startswith("PJSIP/200-") for m in members):
                            return t
                return None

            t_bridged = E.wait_until(bridged, 10)
            if t_bridged is None:
                raise E.LabError("no bridge of the caller with phone 200 at the tap after call.answer")
            if i > 0:
                floor.append(ms(t_bridged - t_cmd))
                reply.append(ms(t_reply - t_cmd))
            self.hang_up_all()
        self.results["answer"] = {"bridged_ms": floor, "reply_ms": reply}

    def close(self, keep):
        try:
            self.tap.close()
        except AttributeError:
            pass
        self.lab.close(keep)


def summary(values):
    return (f"{statistics.median(values):.1f}", f"{percentile(values, 99):.1f}",
            f"{min(values):.1f}", f"{max(values):.1f}")


def report(results, args, elapsed_s):
    lines = ["Attendant benchmark: Asterisk",
             "=============================",
             f"machine: {os.cpu_count()} CPUs; load average {open('/proc/loadavg').read().split()[0]} after; "
             f"took {elapsed_s:.0f} s; {'quick' if args.quick else 'default'} run", ""]
    verdicts = []
    q = results.get("queue")
    if q:
        added_med, added_p99 = statistics.median(q["added_ms"]), percentile(q["added_ms"], 99)
        floor_med = statistics.median(q["floor_ms"])
        lines += [f"A call into the queue ({len(q['added_ms'])} calls, one at a time; ms)",
                  "step                                              median  p99     min     max",
                  "------------------------------------------------  ------  ------  ------  ------"]
        for label, key in (("dial -> StasisStart at the tap (Asterisk: floor)", "floor_ms"),
                           ("StasisStart -> in the Waiting list (Attendant)", "added_ms"),
                           ("dial -> in the Waiting list (whole)", "total_ms")):
            lines.append(f"{label:<48}  " + "  ".join(f"{v:>6}" for v in summary(q[key])))
        ratio = statistics.median(q["total_ms"]) / floor_med if floor_med else float("nan")
        ok = added_med <= ADDED_MEDIAN_BOUND_MS and added_p99 <= ADDED_P99_BOUND_MS
        verdicts.append(ok)
        lines += [f"whole / floor (medians): {ratio:.2f}; Attendant adds {added_med:.1f} ms median, "
                  f"{added_p99:.1f} ms p99 (targets <= {ADDED_MEDIAN_BOUND_MS:.0f} / "
                  f"<= {ADDED_P99_BOUND_MS:.0f}): {'PASS' if ok else 'FAIL'}", ""]
    b = results.get("burst")
    if b:
        lines += [f"{BURST_CALLS} callers at once ({BURST_PHONES} phones x {BURST_CALLS // BURST_PHONES} calls; "
                  "ms from the first dial)",
                  "run  first StasisStart  last StasisStart (floor)  all listed  ratio",
                  "---  -----------------  ------------------------  ----------  -----"]
        for i, run in enumerate(b, 1):
            lines.append(f"{i:>3}  {run['first_start_ms']:>17.1f}  {run['floor_ms']:>24.1f}  "
                         f"{run['listed_ms']:>10.1f}  {run['listed_ms'] / run['floor_ms']:>5.2f}")
        worst = max(run["listed_ms"] for run in b)
        ok = worst <= BURST_BOUND_S * 1000
        verdicts.append(ok)
        lines += [f"all {BURST_CALLS} listed within {worst:.0f} ms at worst (target <= "
                  f"{BURST_BOUND_S * 1000:.0f}): {'PASS' if ok else 'FAIL'}", ""]
    a = results.get("answer")
    if a:
        lines += [f"Answer ({len(a['reply_ms'])} calls; ms from call.answer written)",
                  "step                                              median  p99     min     max",
                  "------------------------------------------------  ------  ------  ------  ------"]
        for label, key in (("-> both channels in the bridge (at the tap)", "bridged_ms"),
                           ("-> the reply ok at the client", "reply_ms")):
            lines.append(f"{label:<48}  " + "  ".join(f"{v:>6}" for v in summary(a[key])))
        ratio = statistics.median(a["reply_ms"]) / statistics.median(a["bridged_ms"])
        lines += [f"reply / bridged (medians): {ratio:.2f}", ""]
    return lines, all(verdicts)


def parse_args(argv):
    parser = argparse.ArgumentParser(description="What Attendant adds on top of Asterisk's events.")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, help="calls into the queue, one at a time")
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args(argv)
    args.runs = args.runs or (30 if args.quick else 500)
    args.burst_runs = 1 if args.quick else 5
    args.answer_runs = 5 if args.quick else 50
    return args


def run(args):
    began = time.monotonic()
    try:
        E.find()
    except E.Missing as e:
        sys.exit(f"asterisk bench: {e}")
    bench = AsteriskBench(args)
    status = 0
    try:
        bench.setup()
        for name in ("queue", "burst", "answer"):
            t = time.monotonic()
            log(f"section {name}")
            try:
                getattr(bench, f"section_{name}")()
            except Exception as e:  # noqa: BLE001 - report it, go on with the rest
                status = 1
                log(f"section {name} failed: {e}\n{traceback.format_exc()}")
                try:
                    bench.hang_up_all()
                except Exception:  # noqa: BLE001
                    pass
            log(f"section {name} took {time.monotonic() - t:.0f} s")
    finally:
        bench.close(keep=status != 0)
        if status != 0:
            log(f"logs kept in {bench.lab.workdir}")
    lines, ok = report(bench.results, args, time.monotonic() - began)
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(bench.results, f, indent=1)
    return status


if __name__ == "__main__":
    sys.exit(run(parse_args(sys.argv[1:])))
