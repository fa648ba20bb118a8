#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# What appstreamcli's validator does not check in the built metainfo:
# that it names this build's application id, release and binaries, that
# every screenshot it shows is a file of data/screenshots/, and the
# details software centres (GNOME Software, Flathub) read: the developer's
# id and name, the display it needs, the content rating, the links.

import os
import re
import sys

from tap import check, finish
import xml.etree.ElementTree as ET

metainfo_path, source_root, app_id, project_version, cli = sys.argv[1:6]


root = ET.parse(metainfo_path).getroot()

check(root.findtext("id") == app_id, "the id is this build's application id (%s)" % app_id)
launchable = root.find("launchable[@type='desktop-id']")
check(launchable is not None and launchable.text == app_id + ".desktop",
      "it launches this build's desktop file")

binaries = [b.text for b in root.findall("provides/binary")]
check("attendant" in binaries, "it provides the attendant program")
check(("attendant-cli" in binaries) == (cli == "true"),
      "it provides attendant-cli exactly when the build installs it")

developer = root.find("developer")
check(developer is not None and re.fullmatch(r"[a-z0-9.-]+\.[a-z0-9-]+", developer.get("id", "")) is not None,
      "a <developer> with a reverse-DNS id")
check(developer is not None and bool(developer.findtext("name")), "the developer's name")

length = root.find("requires/display_length")
check(length is not None and length.get("compare") == "ge" and int(length.text) >= 720,
      "it requires a display wide enough for the console's two 360 px panes")

releases = root.findall("releases/release")
check(len(releases) > 0 and releases[0].get("version") == project_version,
      "the newest release is meson's project version (%s)" % project_version)
dates = [r.get("date", "") for r in releases]
check(all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates) and dates == sorted(dates, reverse=True),
      "every release has a date, newest first")
check(all(r.find("description") is not None for r in releases), "every release says what it brought")

shots = root.findall("screenshots/screenshot")
check(len([s for s in shots if s.get("type") == "default"]) == 1, "one default screenshot")
prefix = "https://raw.githubusercontent.com/attendant/attendant/main/data/screenshots/"
for shot in shots:
    url = shot.findtext("image") or ""
    name = url[len(prefix):] if url.startswith(prefix) else url
    path = os.path.join(source_root, "data", "screenshots", name)
    check(url.startswith(prefix) and name.endswith(".png") and os.path.isfile(path),
          "the screenshot %s is a PNG of data/screenshots/" % name)
    check(bool(shot.findtext("caption")), "the screenshot %s has a caption" % name)

rating = root.find("content_rating")
check(rating is not None and rating.get("type") == "oars-1.1", "an OARS 1.1 content rating")

urls = {u.get("type"): u.text for u in root.findall("url")}
for kind in ("homepage", "bugtracker", "vcs-browser"):
    check((urls.get(kind) or "").startswith("https://"), "a %s link over https" % kind)

finish()
