# SPDX-License-Identifier: GPL-3.0-or-later
#
# The TAP output of the packaging checks: one "ok"/"not ok" line per
# check, the plan at the end, exit status 1 if any failed.

import sys

_failures = []
_count = 0


def check(ok, what):
    global _count
    _count += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (_count, what))
    if not ok:
        _failures.append(what)


def finish():
    print("1..%d" % _count)
    sys.exit(1 if _failures else 0)
