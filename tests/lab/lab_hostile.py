#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile SRV answers from a real DNS server.

The unit tests in tests/hostile/ feed the discovery through the GResolver
test double; this runs the same cases through dnsmasq and glibc's stub
resolver inside lab.py's namespace, so that what the wire can carry (a
300-record answer too big for UDP, retried over TCP; a record repeated; port
0; a target spelled like an IP address) is what the client sees. Asserted
through `attendant-cli check --json --no-connect`: no connection is made.

Needs root (skipped without it, except under CI=true, where that fails).
"""

import json
import os
import shutil
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402 - the lab's directory is put on the path first

TAP = L.TAP
SERVICE = "_iac._tcp"
MANY = 300
MAX_SRV_ENDPOINTS = 32   # ATTENDANT_DISCOVERY_MAX_SRV_ENDPOINTS


class HostileLab(L.Lab):
    """lab.py's namespace and dnsmasq, with a zone of hostile answers."""

    def dnsmasq_args(self, config):
        args = super().dnsmasq_args("single")
        for i in range(MANY):
            priority = 9 if i % 100 == 0 else 1
            args.append(f"--srv-host={SERVICE}.many.example,node{i}.many.example,{20000 + i},{priority},10")
        for _ in range(3):
            args.append(f"--srv-host={SERVICE}.dup.example,dc1.dup.example,28101,10,100")
        args.append(f"--srv-host={SERVICE}.dup.example,DC1.dup.example,28101,10,100")
        args.append(f"--srv-host={SERVICE}.dup.example,dc2.dup.example,28101,8,80")
        args.append(f"--srv-host={SERVICE}.zero.example,zero.zero.example,0,99,100")
        args.append(f"--srv-host={SERVICE}.zero.example,dc1.zero.example,28101,10,100")
        args.append(f"--srv-host={SERVICE}.literal.example,192.0.2.10,28101,10,100")
        args.append(f"--srv-host={SERVICE}.literal.example,dc2.literal.example,28102,8,80")
        return args


def check(lab, domain):
    result = lab.cli("--json", "--no-connect", "--plain", domain)
    return result, result.doc or {}


def hosts(doc):
    return [(p["host"], p["port"]) for p in doc.get("plan", [])]


def scenario_many(lab):
    result, doc = check(lab, "many.example")
    records = doc.get("discovery", {}).get("records", [])
    plan = doc.get("plan", [])
    TAP.ok(result.status == 0 and doc.get("discovery", {}).get("result") == "answered"
           and len(records) == MANY,
           f"{MANY} SRV records (an answer only TCP can carry) are all received",
           [f"{len(records)} records"] + result.describe()[:2])
    TAP.ok(len(plan) == MAX_SRV_ENDPOINTS
           and [p["priority"] for p in plan[:3]] == [9, 9, 9]
           and all(p["priority"] == 1 for p in plan[3:]),
           f"the plan keeps the first {MAX_SRV_ENDPOINTS} in policy order (priority 9 first)",
           [json.dumps(plan[:5])])
    TAP.ok(result.wall_ms < 5000, "the check is done in bounded time",
           [f"{result.wall_ms:.0f} ms"])


def scenario_dup(lab):
    result, doc = check(lab, "dup.example")
    TAP.ok(result.status == 0 and hosts(doc) == [("dc1.dup.example", 28101), ("dc2.dup.example", 28101)],
           "a record repeated (in any spelling) is tried once", result.describe())


def scenario_zero(lab):
    result, doc = check(lab, "zero.example")
    TAP.ok(result.status == 0 and hosts(doc) == [("dc1.zero.example", 28101)],
           "a port-0 record is ignored, even the most preferred", result.describe())


def scenario_literal(lab):
    result, doc = check(lab, "literal.example")
    TAP.ok(result.status == 0 and hosts(doc) == [("192.0.2.10", 28101), ("dc2.literal.example", 28102)],
           "a target spelled as an IPv4 address is used as that address", result.describe())


def inside_namespace():
    cli = os.environ["ATTENDANT_CLI"]
    workdir = tempfile.mkdtemp()
    lab = HostileLab(workdir, cli)
    try:
        lab.setup_namespace()
        lab.start_dns("hostile")
        for scenario in (scenario_many, scenario_dup, scenario_zero, scenario_literal):
            try:
                scenario(lab)
            except Exception as e:  # noqa: BLE001 - report and go on
                TAP.ok(False, f"{scenario.__name__} ran to completion: {e}",
                       traceback.format_exc().splitlines())
    except Exception as e:  # noqa: BLE001 - the set-up failed: report it
        TAP.ok(False, f"lab set-up: {e}", traceback.format_exc().splitlines())
    finally:
        lab.procs.stop_all()
        TAP.plan()
        if TAP.failed:
            TAP.diag(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if TAP.failed else 0


def main():
    if os.environ.get(L.NS_MARK) != "1":
        problem = L.namespace_problem()
        if problem:
            L.cannot_run(f"lab {problem}")
        cli = os.environ.get("ATTENDANT_CLI")
        if not cli or not os.access(cli, os.X_OK):
            print("Bail out! ATTENDANT_CLI is not set to the attendant-cli binary")
            sys.exit(1)
        L.enter_namespace(__file__, sys.argv[1:])
    sys.exit(inside_namespace())


if __name__ == "__main__":
    main()
