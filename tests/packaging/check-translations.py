#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A language listed in po/LINGUAS promises the whole app in that language.
# An untranslated or fuzzy entry shows English in the middle of it, and so
# does a string marked in the sources after the last `attendant-update-po`:
# the catalogue never heard of it. This extracts the strings from the
# sources as `attendant-pot` does (into a temporary file, not po/), merges
# each catalogue with them, and fails on anything not translated, and on
# whatever `msgfmt --check` finds (format strings, plural forms, header).

import os
import re
import shutil
import subprocess
import sys
import tempfile

srcdir = sys.argv[1]
podir = os.path.join(srcdir, "po")

# The marks of meson's i18n "glib" preset that this project uses.
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments", "--package-name=attendant",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dngettext:2,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format",
    "--flag=g_strdup_printf:1:c-format", "--flag=g_set_error:4:c-format",
    "--flag=g_error_new:3:c-format",
]

STATS = re.compile(r"(\d+) translated messages?(?:, (\d+) fuzzy translations?)?"
                   r"(?:, (\d+) untranslated messages?)?")

n = 0
failed = False


def result(ok, what, detail=""):
    global n, failed
    n += 1
    failed |= not ok
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
    for line in detail.strip().splitlines():
        print("# " + line)


def statistics(path):
    """msgfmt --check's verdict and its (translated, fuzzy, untranslated)."""
    proc = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, path],
                          capture_output=True, text=True,
                          env=dict(os.environ, LC_ALL="C", LANGUAGE=""))
    match = STATS.search(proc.stderr)
    counts = tuple(int(g or 0) for g in match.groups()) if match else (0, 0, 0)
    return proc.returncode == 0, proc.stderr, counts


for tool in ("xgettext", "msgmerge", "msgfmt"):
    if shutil.which(tool) is None:
        print("1..0 # SKIP %s is not installed (gettext)" % tool)
        sys.exit(77)

with open(os.path.join(podir, "LINGUAS"), encoding="utf-8") as f:
    languages = [w for line in f if not line.startswith("#") for w in line.split()]

result(len(languages) > 0, "po/LINGUAS lists at least one language")

tmp = tempfile.mkdtemp()
try:
    pot = os.path.join(tmp, "attendant.pot")
    proc = subprocess.run(["xgettext"] + XGETTEXT_ARGS +
                          ["-f", os.path.join(podir, "POTFILES.in"), "-D", srcdir, "-o", pot],
                          capture_output=True, text=True)
    result(proc.returncode == 0 and os.path.exists(pot),
           "xgettext extracts the strings of po/POTFILES.in", proc.stderr)

    for lang in languages:
        po = os.path.join(podir, lang + ".po")
        if not os.path.exists(po):
            result(False, "po/%s.po exists" % lang)
            continue

        ok, text, (done, fuzzy, untranslated) = statistics(po)
        result(ok, "msgfmt --check accepts po/%s.po" % lang, text)
        result(fuzzy == 0 and untranslated == 0 and done > 0,
               "po/%s.po: %d translated, %d fuzzy, %d untranslated"
               % (lang, done, fuzzy, untranslated))

        if not os.path.exists(pot):
            continue
        merged = os.path.join(tmp, lang + ".po")
        proc = subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged, po, pot],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            result(False, "msgmerge po/%s.po with the sources' strings" % lang, proc.stderr)
            continue
        ok, text, (done, fuzzy, untranslated) = statistics(merged)
        missing = subprocess.run(["msgattrib", "--untranslated", "--no-obsolete", "--no-wrap", merged],
                                 capture_output=True, text=True).stdout
        ids = "\n".join(line for line in missing.splitlines() if line.startswith("msgid \"") and line != 'msgid ""')
        result(ok and fuzzy == 0 and untranslated == 0,
               "po/%s.po translates every string the sources mark (%d missing; "
               "run `meson compile attendant-update-po`)" % (lang, untranslated), ids)
finally:
    shutil.rmtree(tmp)

print("1..%d" % n)
sys.exit(1 if failed else 0)
