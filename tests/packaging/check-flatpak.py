#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Flatpak cannot be built here (no runtime, no network), so this checks
# what a reviewer on Flathub would: the structure of the manifest, that the
# sandbox is no wider than the app needs, that the one dependency the
# GNOME runtime lacks is built from a pinned release tarball, that the app
# comes from the release's git tag and builds only the app; and that the
# .Devel manifest is the same but for its id, the checkout and the
# development profile.

import json
import re
import sys

from tap import check, finish

manifest_path, devel_path, desktop_path, metainfo_path, project_version = sys.argv[1:6]


with open(manifest_path, encoding="utf-8") as f:
    manifest = json.load(f)

app_id = manifest.get("id") or manifest.get("app-id")
check(app_id == "io.github.attendant.Attendant", "the id is the application id")
check(("Icon=%s\n" % app_id) in open(desktop_path, encoding="utf-8").read(),
      "the desktop file's icon is named after the same id")
check("\nX-GNOME-UsesNotifications=true\n" in open(desktop_path, encoding="utf-8").read(),
      "the desktop file says the app notifies (GNOME Settings → Notifications lists it)")
check(("<id>%s</id>" % app_id) in open(metainfo_path, encoding="utf-8").read(),
      "the metainfo describes the same id")
check(manifest.get("runtime") == "org.gnome.Platform", "runs on the GNOME runtime")
check(manifest.get("sdk") == "org.gnome.Sdk", "builds with the GNOME SDK")
version = str(manifest.get("runtime-version", ""))
check(re.fullmatch(r"\d+", version) is not None and int(version) >= 47,
      "a stable GNOME runtime (a number, not master), 47 or newer: %r" % version)
check(manifest.get("command") == "attendant", "starts the attendant program")

args = manifest.get("finish-args", [])
check("--share=network" in args, "may use the network (it is a network client)")
check("--socket=wayland" in args, "draws on Wayland")
check("--socket=fallback-x11" in args and "--socket=x11" not in args,
      "falls back to X11 only where Wayland is missing")
check(not any(a.startswith("--filesystem") for a in args), "no file system access")
check(not any(a in ("--socket=session-bus", "--socket=system-bus") for a in args),
      "no whole-bus access: notifications and secrets go through portals")
check(not any(a.startswith(("--talk-name", "--own-name", "--system-talk-name")) for a in args),
      "no extra bus names")
check(not any(a.startswith(("--device=all", "--share=all")) or a == "--device=shm" for a in args),
      "no broad device access")

modules = manifest.get("modules", [])
names = [m.get("name") for m in modules if isinstance(m, dict)]
check(names[-1:] == ["attendant"], "the app is the last module")
check("gsasl" in names, "GNU SASL is built as a module")

gsasl = next((m for m in modules if isinstance(m, dict) and m.get("name") == "gsasl"), {})
sources = gsasl.get("sources", [])
check(len(sources) == 1 and sources[0].get("type") == "archive",
      "GNU SASL comes from one release archive")
if sources:
    url = sources[0].get("url", "")
    check(re.fullmatch(r"https://ftp\.gnu\.org/gnu/gsasl/gsasl-2\.2\.\d+\.tar\.gz", url) is not None,
          "the archive is a GNU SASL 2.2 release on ftp.gnu.org over https: %s" % url)
    check(re.fullmatch(r"[0-9a-f]{64}", sources[0].get("sha256", "")) is not None,
          "the archive is pinned by its sha256")
check("--disable-static" in gsasl.get("config-opts", []), "GNU SASL is built shared only")

app = modules[-1] if modules else {}
check(app.get("buildsystem") == "meson", "the app is built with meson")
app_sources = app.get("sources", [])
git = app_sources[0] if len(app_sources) == 1 else {}
check(git.get("type") == "git" and git.get("url") == "https://github.com/attendant/attendant.git",
      "the app comes from its git repository over https")
check(git.get("tag") == "v" + project_version,
      "the git tag is this version's (v%s): %r" % (project_version, git.get("tag")))
check(re.fullmatch(r"[0-9a-f]{40}", git.get("commit", "")) is not None,
      "the tag is pinned by a commit (all zeros until the release is tagged)")
opts = app.get("config-opts", [])
check("-Dtests=false" in opts, "the Flatpak does not build the test suites")
check("-Dserver=false" in opts and "-Dcli=false" in opts,
      "the Flatpak builds only the app: no server, no attendant-cli")
check(not any(o.startswith("-Dprofile") for o in opts), "the release is the default profile")

with open(devel_path, encoding="utf-8") as f:
    devel = json.load(f)

check(devel.get("id") == app_id + ".Devel", "the development manifest's id is the id with .Devel")
devel_app = devel.get("modules", [{}])[-1]
check(devel_app.get("sources") == [{"type": "dir", "path": ".."}],
      "the development manifest builds this checkout")
check(devel_app.get("config-opts") == opts + ["-Dprofile=development"],
      "the development manifest adds only the development profile")
same = {k: v for k, v in manifest.items() if k not in ("id", "modules")}
check({k: v for k, v in devel.items() if k not in ("id", "modules")} == same,
      "the development manifest has the same runtime, command, sandbox and cleanup")
check(devel.get("modules", [])[:-1] == modules[:-1],
      "the development manifest builds the same dependencies")

finish()
