#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""How long a real attendant-server takes to challenge a known and an
unknown user name (docs/server.md, "Unknown user names"), measured from the client: the
time from sending auth.start to receiving auth.challenge, over N tries of
each, interleaved so that load hits both alike. Not in CI (timings); the
hostile suite asserts only a generous bound and the salts.

    python3 bench/auth_timing.py [N] [ATTENDANT_SERVER]

Reports the median, the 10th and 90th percentiles, and how many distinct
salts each name got. See docs/performance.md, "Login of an unknown name".
"""

import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "hostile"))

n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
if len(sys.argv) > 2:
    os.environ["ATTENDANT_SERVER"] = os.path.abspath(sys.argv[2])
os.environ.setdefault("ATTENDANT_SERVER", os.path.join(HERE, "..", "_build", "src", "server",
                                                       "attendant-server"))
os.environ.setdefault("ATTENDANT_CLI", "")

import hostile_auth as H  # noqa: E402  (needs the environment above)


def main():
    server = H.Server("login-failures=100000\n").start()
    try:
        samples = {H.USER: [], "mallory": []}
        salts = {H.USER: set(), "mallory": set()}
        for _ in range(n):
            for name in samples:
                took, attributes, _ = H.challenge_of(server.port, name)
                samples[name].append(took * 1000)
                salts[name].add(attributes["s"])
        for name, times in samples.items():
            times.sort()
            label = "known  " if name == H.USER else "unknown"
            print(f"{label} {name:10} median {statistics.median(times):.3f} ms, "
                  f"p10 {times[len(times) // 10]:.3f} ms, p90 {times[9 * len(times) // 10]:.3f} ms, "
                  f"{len(salts[name])} distinct salts in {n}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
