#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A string that is marked for translation but lives in a file missing from
# po/POTFILES.in never reaches translators, and nothing else would notice:
# the app just shows English in the middle of Italian. This fails then.

import os
import re
import sys

srcdir = sys.argv[1]
C_MARKS = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|Q_)\s*\(\s*"|\bg?d?ngettext\s*\(')
UI_MARK = 'translatable="yes"'

listed = set()
with open(os.path.join(srcdir, "po", "POTFILES.in"), encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if line and not line.startswith("#"):
            listed.add(line)


def needs_translation(path):
    name = os.path.basename(path)
    if name.endswith((".desktop.in", ".metainfo.xml.in", ".gschema.xml")):
        return True
    if not name.endswith((".c", ".h", ".ui")):
        return False
    with open(os.path.join(srcdir, path), encoding="utf-8") as f:
        text = f.read()
    if name.endswith(".ui"):
        return UI_MARK in text
    return C_MARKS.search(text) is not None


found = set()
for top in ("src", "data"):
    for dirpath, dirnames, filenames in os.walk(os.path.join(srcdir, top)):
        dirnames[:] = [d for d in dirnames if d != "demo"]
        for name in filenames:
            rel = os.path.relpath(os.path.join(dirpath, name), srcdir)
            if needs_translation(rel):
                found.add(rel)

n = 0
failed = False
for rel in sorted(found):
    n += 1
    ok = rel in listed
    failed |= not ok
    print("%s %d - %s is in po/POTFILES.in" % ("ok" if ok else "not ok", n, rel))
for rel in sorted(listed):
    n += 1
    ok = os.path.exists(os.path.join(srcdir, rel))
    failed |= not ok
    print("%s %d - po/POTFILES.in entry %s exists" % ("ok" if ok else "not ok", n, rel))
print("1..%d" % n)
sys.exit(1 if failed else 0)
