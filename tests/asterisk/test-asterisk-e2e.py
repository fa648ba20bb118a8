#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whole programs against the real Asterisk (suite 'asterisk'): real
`attendant-server` processes, one node each, configured with an [asterisk]
group for the shared Asterisk 22 on loopback; baresip phones for the caller
(300) and the receptionist (200); `attendant-cli watch` as the client,
speaking the real protocol. What the client is told is checked against
what Asterisk itself says (its /channels and /bridges).

  1  queue, answer, hold, resume, blind transfer, through one node
  2  two nodes in front of one Asterisk: the node the client is on is
     killed with a call waiting and one on hold; the client fails over
     and sees the same calls, acts on both, and Asterisk dropped none
  3  Asterisk frozen (SIGSTOP) with a call waiting: the client is told the
     phone system is unreachable within 2 s, its connection to the server
     stays up; thawed (SIGCONT): reachable again, the waiting call listed
     once; frozen again right after the reconnection: told within 2 s;
     thawed, the call answered; frozen, killed and restarted: reachable
     again, the call that died with it gone from the client (no ghost), a
     new call listed once

Where the lab cannot be found it says so and skips; with CI=true that is
a failure.
"""

import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import asterisk_e2e as E  # noqa: E402

UNREACHABLE_BOUND_S = 2.0
FAILOVER_BOUND_S = 5.0


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, good, name, diag=()):
        self.n += 1
        if not good:
            self.failed += 1
        print(f"{'ok' if good else 'not ok'} {self.n} - {name}", flush=True)
        for line in diag:
            for part in str(line).splitlines():
                print(f"# {part}", flush=True)
        return good

    def diag(self, text):
        print(f"# {text}", flush=True)


TAP = Tap()


def caller_channels(asterisk):
    return [c for c in asterisk.channels() if c["name"].startswith("PJSIP/300-")]


def is_snapshot(e):
    return e.get("event") == "snapshot"


def call_in(state):
    return lambda e: e.get("event") == "call.updated" and e["call"].get("state") == state


def phone_system(reachable):
    """The line that says the phone system is (un)reachable: a
    phone-system message, or a snapshot that carries it."""
    def match(e):
        if e.get("event") == "phone-system":
            return e.get("reachable") is reachable
        if is_snapshot(e) and "phone_system" in e:
            return e["phone_system"].get("reachable") is reachable
        return False
    return match


def queue_a_call(lab, watch, caller):
    mark = watch.mark()
    caller.dial("100")
    hit = watch.wait(call_in("queued"), 10, mark)
    if hit is None:
        raise E.LabError("the call did not reach the Waiting list:\n" + E.tail(watch.proc.lab_log))
    return hit[1]["call"]


def app_registered(asterisk):
    try:
        return asterisk.ari("GET", "/applications/attendant") is not None
    except E.urllib.error.HTTPError:
        return False


def bridge_of(asterisk, channel_prefixes):
    """The bridge holding a channel of each prefix, or None."""
    channels = {c["id"]: c["name"] for c in asterisk.channels()}
    for bridge in asterisk.bridges():
        names = [channels.get(i, "") for i in bridge.get("channels", [])]
        if all(any(n.startswith(p) for n in names) for p in channel_prefixes):
            return bridge
    return None


def scenario_calls(lab):
    """Queue, answer, hold, resume, blind transfer through one node."""
    lab.write_cluster(nodes=("a",))
    lab.servers["a"].start()
    reception = E.Phone(lab, "200", tone_hz=700)
    colleague = E.Phone(lab, "201", tone_hz=1300)
    caller = E.Phone(lab, "300")
    watch = lab.watch("watch-calls", "a")
    TAP.ok(watch.wait(is_snapshot, 10) is not None, "calls: the client logs in and gets a snapshot")
    ast = lab.asterisk
    TAP.ok(E.wait_until(lambda: all(ast.endpoint_online(x) for x in ("200", "201", "300")), 10),
           "calls: phones 200, 201 and 300 registered")

    call = queue_a_call(lab, watch, caller)
    TAP.ok(call["caller_number"] == E.CALLER_NUMBER and call["queue"] == "main",
           "calls: phone 300's call is in the Waiting list with its number, in queue main", [call])
    TAP.ok(len(caller_channels(ast)) == 1, "calls: Asterisk has the caller's channel")

    reply = watch.send("call.answer", call=call["id"])
    TAP.ok(reply is not None and reply.get("ok"), "calls: call.answer succeeds", [reply])
    calls = E.Calls.at(watch)
    TAP.ok(calls.get(call["id"], {}).get("state") == "active",
           "calls: the call is active before the reply", [calls])
    TAP.ok(bridge_of(ast, ["PJSIP/300-", "PJSIP/200-"]) is not None,
           "calls: Asterisk bridged the caller with phone 200", [ast.bridges()])

    reply = watch.send("call.hold", call=call["id"])
    TAP.ok(reply is not None and reply.get("ok"), "calls: call.hold succeeds", [reply])
    TAP.ok(E.Calls.at(watch).get(call["id"], {}).get("state") == "held", "calls: the call is held")
    TAP.ok(bridge_of(ast, ["PJSIP/300-", "PJSIP/200-"]) is None and len(caller_channels(ast)) == 1,
           "calls: on hold, the caller is still there and no longer bridged with 200",
           [ast.bridges(), ast.channels()])

    reply = watch.send("call.resume", call=call["id"])
    TAP.ok(reply is not None and reply.get("ok"), "calls: call.resume succeeds", [reply])
    TAP.ok(E.wait_until(lambda: bridge_of(ast, ["PJSIP/300-", "PJSIP/200-"]), 5) is not None,
           "calls: resumed, the caller is bridged with 200 again", [ast.bridges()])

    mark = watch.mark()
    reply = watch.send("call.transfer", call=call["id"], target="201")
    TAP.ok(reply is not None and reply.get("ok"), "calls: call.transfer to 201 succeeds", [reply])
    TAP.ok(E.wait_until(lambda: bridge_of(ast, ["PJSIP/300-", "PJSIP/201-"]), 10) is not None,
           "calls: Asterisk bridged the caller with phone 201", [ast.bridges()])
    gone = watch.wait(lambda e: e.get("event") == "call.removed" and e.get("id") == call["id"], 10, mark)
    TAP.ok(gone is not None, "calls: the transferred call leaves the console")
    TAP.ok(E.wait_until(lambda: not any(c["name"].startswith("PJSIP/200-") for c in ast.channels()), 5),
           "calls: phone 200's channel is gone", [ast.channels()])

    caller.hangup()
    TAP.ok(E.wait_until(lambda: not ast.channels(), 10) is not None,
           "calls: the caller and 201 hang up: no channel left", [ast.channels()])

    # A caller who hangs up while waiting disappears.
    call = queue_a_call(lab, watch, caller)
    mark = watch.mark()
    caller.hangup()
    gone = watch.wait(lambda e: e.get("event") == "call.removed" and e.get("id") == call["id"], 10, mark)
    TAP.ok(gone is not None, "calls: a caller who hangs up while waiting leaves the Waiting list")
    TAP.ok(E.wait_until(lambda: not caller_channels(ast), 5) is not None,
           "calls: and Asterisk has no channel of the caller", [ast.channels()])
    watch.stop()
    for phone in (reception, colleague, caller):
        lab.procs.stop(phone.proc)
    lab.servers["a"].kill()


def scenario_failover(lab):
    """Two nodes, one Asterisk: the client's node killed with a call waiting
    and one on hold."""
    lab.write_cluster(nodes=("a", "b"))
    a, b = lab.servers["a"].start(), lab.servers["b"].start()
    reception = E.Phone(lab, "200", tone_hz=700)
    callers = [E.Phone(lab, "300", tone_hz=1000), E.Phone(lab, "300", tone_hz=1100)]
    ast = lab.asterisk
    watch = lab.watch("watch-failover", "a", extra=("--heartbeat", "1"))
    TAP.ok(watch.wait(is_snapshot, 10) is not None, "failover: the client logs in on node a")
    E.wait_until(lambda: ast.endpoint_online("200"), 10)

    held = queue_a_call(lab, watch, callers[0])
    reply = watch.send("call.answer", call=held["id"])
    TAP.ok(reply is not None and reply.get("ok"), "failover: the first call answered", [reply])
    reply = watch.send("call.hold", call=held["id"])
    TAP.ok(reply is not None and reply.get("ok"), "failover: and put on hold", [reply])
    waiting = queue_a_call(lab, watch, callers[1])
    before = {c["id"] for c in caller_channels(ast)}
    TAP.ok(len(before) == 2, "failover: Asterisk has both callers' channels", [ast.channels()])

    mark = watch.mark()
    t_kill = a.kill()
    hit = watch.wait(lambda e: e.get("event") == "connected" and e.get("failover"), 15, mark)
    TAP.ok(hit is not None, "failover: the client fails over to node b",
           [E.tail(watch.proc.lab_log)])
    if hit is None:
        return
    TAP.diag(f"failover: kill -> connected on b in {hit[0] - t_kill:.3f} s")
    snap = watch.wait(is_snapshot, 10, mark)
    TAP.ok(snap is not None, "failover: a snapshot from node b")
    calls = {c["id"]: c for c in snap[1].get("calls", [])} if snap else {}
    states = sorted(c["state"] for c in calls.values())
    TAP.ok(states == ["held", "queued"], "failover: node b lists the held and the waiting call",
           [calls])
    by_number = [c for c in calls.values() if c["caller_number"] == E.CALLER_NUMBER]
    TAP.ok(len(by_number) == 2, "failover: both with the caller's number")
    TAP.ok({c["id"] for c in caller_channels(ast)} == before,
           "failover: no call dropped in Asterisk", [ast.channels()])

    new_held = next((c for c in calls.values() if c["state"] == "held"), None)
    new_waiting = next((c for c in calls.values() if c["state"] == "queued"), None)
    if new_held and new_waiting:
        reply = watch.send("call.resume", call=new_held["id"])
        TAP.ok(reply is not None and reply.get("ok"), "failover: the held call resumed on node b",
               [reply])
        TAP.ok(E.wait_until(lambda: bridge_of(ast, ["PJSIP/300-", "PJSIP/200-"]), 5) is not None,
               "failover: Asterisk bridged it with 200 again", [ast.bridges()])
        reply = watch.send("call.hangup", call=new_held["id"])
        TAP.ok(reply is not None and reply.get("ok"), "failover: and hung up", [reply])
        # The receptionist's phone is put down after the call; answering
        # while that is under way is refused as "Your phone (200) hung up",
        # so the test waits until Asterisk has let it go.
        TAP.ok(E.wait_until(lambda: not any(c["name"].startswith("PJSIP/200-") for c in ast.channels()), 5)
               is not None, "failover: phone 200 put down after the hang-up", [ast.channels()])
        reply = watch.send("call.answer", call=new_waiting["id"])
        TAP.ok(reply is not None and reply.get("ok"), "failover: the waiting call answered on node b",
               [reply])
        TAP.ok(E.wait_until(lambda: bridge_of(ast, ["PJSIP/300-", "PJSIP/200-"]), 5) is not None,
               "failover: Asterisk bridged the second caller with 200", [ast.bridges()])
    watch.stop()
    for phone in [reception] + callers:
        lab.procs.stop(phone.proc)
    b.kill()


def scenario_outage(lab):
    """Asterisk frozen, then killed and restarted, under a logged-in client."""
    lab.write_cluster(nodes=("a",))
    server = lab.servers["a"].start()
    E.Phone(lab, "200", tone_hz=700)
    caller = E.Phone(lab, "300")
    ast = lab.asterisk
    watch = lab.watch("watch-outage", "a")
    TAP.ok(watch.wait(is_snapshot, 10) is not None, "outage: the client logs in")
    waiting = queue_a_call(lab, watch, caller)

    mark = watch.mark()
    t0 = ast.freeze()
    hit = watch.wait(phone_system(False), 5, mark)
    TAP.ok(hit is not None and hit[0] - t0 <= UNREACHABLE_BOUND_S,
           f"outage: Asterisk frozen, the client told the phone system is unreachable within "
           f"{UNREACHABLE_BOUND_S:.0f} s", [f"after {hit[0] - t0:.3f} s" if hit else "never"])
    TAP.ok(not any(e.get("event") == "disconnected" for _, e in watch.lines[mark:]),
           "outage: the client's connection to the server stays up")

    # Thawed: the node gets back to Asterisk and rebuilds; then frozen again
    # right after the reconnection (before libsoup's first ping), which must
    # be noticed as fast.
    for round_ in ("thawed", "thawed again"):
        mark = watch.mark()
        t_thaw = time.monotonic()
        ast.thaw()
        hit = watch.wait(phone_system(True), 15, mark)
        TAP.ok(hit is not None, f"outage: {round_} (SIGCONT), the phone system is reachable again",
               [f"after {hit[0] - t_thaw:.3f} s" if hit else "never"])
        # The rebuild's fresh snapshot; the phone-system line may come first.
        snapshot = watch.wait(is_snapshot, 10, mark)
        ids = [c["id"] for c in snapshot[1].get("calls", [])] if snapshot else None
        TAP.ok(ids == [waiting["id"]],
               f"outage: {round_}, the fresh snapshot lists the waiting call once, no ghost", [ids])
        if round_ == "thawed":
            mark = watch.mark()
            t0 = ast.freeze()
            hit = watch.wait(phone_system(False), 5, mark)
            TAP.ok(hit is not None and hit[0] - t0 <= UNREACHABLE_BOUND_S,
                   f"outage: frozen again just after the reconnection, the client told within "
                   f"{UNREACHABLE_BOUND_S:.0f} s", [f"after {hit[0] - t0:.3f} s" if hit else "never"])
    reply = watch.send("call.answer", call=waiting["id"])
    TAP.ok(reply is not None and reply.get("ok"), "outage: after the thaw the waiting call is answered",
           [reply])
    TAP.ok(E.wait_until(lambda: bridge_of(ast, ["PJSIP/300-", "PJSIP/200-"]), 10) is not None,
           "outage: Asterisk bridged the caller with 200", [ast.bridges()])

    # Frozen, then killed while frozen, as a hung machine is restarted.
    mark = watch.mark()
    ast.freeze()
    TAP.ok(watch.wait(phone_system(False), 5, mark) is not None,
           "outage: frozen once more, the client told")
    ast.kill()
    mark = watch.mark()
    ast.start()
    hit = watch.wait(phone_system(True), 30, mark)
    TAP.ok(hit is not None, "outage: restarted, the phone system is reachable again")
    TAP.ok(E.wait_until(lambda: app_registered(ast), 10) is not None,
           "outage: the server's Stasis application is back in Asterisk")
    TAP.ok(E.wait_until(lambda: not E.Calls.at(watch), 10) is not None,
           "outage: the calls that died with Asterisk are gone from the client",
           [E.Calls.at(watch)])
    mark = watch.mark()
    caller.dial("100")
    fresh = watch.wait(call_in("queued"), 15, mark)
    TAP.ok(fresh is not None and len(E.Calls.at(watch)) == 1,
           "outage: a new call after the restart is listed, once", [E.Calls.at(watch)])
    TAP.ok(server.running(), "outage: attendant-server kept running throughout")
    watch.stop()


SCENARIOS = [("calls", scenario_calls), ("failover", scenario_failover), ("outage", scenario_outage)]


def main():
    try:
        E.find()
    except E.Missing as e:
        if os.environ.get("CI") == "true":
            print(f"Bail out! {e} (CI=true: the Asterisk suite must run)")
            return 1
        print(f"1..0 # SKIP {e}")
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    only = set(sys.argv[1:])
    lab = E.Lab()
    TAP.diag(f"lab in {lab.workdir}")
    try:
        lab.asterisk.start()
        for name, body in SCENARIOS:
            if only and name not in only:
                continue
            began = time.monotonic()
            try:
                body(lab)
            except Exception as e:  # noqa: BLE001 - a failed scenario is a failed test
                TAP.ok(False, f"{name}: ran to its end", [e, traceback.format_exc()])
            TAP.diag(f"{name} took {time.monotonic() - began:.1f} s")
            # Each scenario starts from no process but Asterisk, and no call.
            for proc in list(lab.procs.running):
                if proc is not lab.asterisk.proc:
                    lab.procs.stop(proc)
            if lab.asterisk.proc is None or lab.asterisk.proc.poll() is not None:
                lab.asterisk.start()
            for channel in lab.asterisk.channels():
                try:
                    lab.asterisk.ari("DELETE", f"/channels/{channel['id']}")
                except E.urllib.error.HTTPError:
                    pass
    finally:
        lab.close(keep=TAP.failed > 0)
        if TAP.failed:
            TAP.diag(f"logs kept in {lab.workdir}")
    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
