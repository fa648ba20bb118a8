#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A receptionist's morning, played through attendant-server's admin API.

    python3 build-aux/morning.py --token-file FILE [--url URL] [--speed N]
                                 [--once] [--morning N] [--queue ID]

Callers ring the reception queue at irregular intervals — Italian and
English people and companies, with numbers from Milan, Rome, Turin,
mobiles, London, Manchester and New York — some asking for a colleague
by extension; colleagues arrive, go to meetings, ask not to be disturbed,
come back, leave for lunch; now and then a caller tires of waiting and
hangs up, and every caller gives up after a while in the queue.

A morning lasts about fifteen minutes at --speed 1 (--speed 10 plays it
in a minute and a half). Without --once, mornings follow one another
until the script is stopped (or the server goes away). The attendants'
own extensions are left alone. Everything goes to the admin API on
loopback; the URL must name a loopback address literally (no name is
ever resolved). Python's standard library only.
"""

import argparse
import ipaddress
import json
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

MORNING_S = 900

# (first names, last names, company names, number formats): numbers are
# in the ranges set aside for fiction where a country has them (Ofcom's
# drama numbers, 555-01xx), plausible otherwise.
ITALIAN_FIRST = ["Giorgio", "Lucia", "Roberto", "Marina", "Franco", "Paola", "Enrico",
                 "Cristina", "Massimo", "Daniela", "Claudio", "Patrizia", "Sergio", "Barbara",
                 "Maurizio", "Antonella", "Alberto", "Monica", "Giancarlo", "Rossella"]
ITALIAN_LAST = ["Esposito", "Romano", "Greco", "Bruno", "Marino", "Testa", "Bellini",
                "Benedetti", "Orlando", "Pagano", "Neri", "Piras", "Rota", "Zanetti",
                "Bassi", "Guerra", "Donati", "Riva", "Melis", "Ferrante"]
ITALIAN_COMPANIES = ["Studio Legale {last}", "{last} & Figli S.r.l.", "Officine {last}",
                     "Trasporti {last} S.p.A.", "Farmacia {last}", "Banca Popolare di Lodi",
                     "Comune di Sesto San Giovanni", "Agenzia delle Entrate", "Hotel Duomo",
                     "Poste Italiane", "Tipografia {last}", "Ristorante Da {first}"]
ENGLISH_FIRST = ["Oliver", "Charlotte", "Harry", "Emily", "Jack", "Olivia", "Thomas",
                 "Jessica", "Daniel", "Rebecca", "Michael", "Sarah", "David", "Laura"]
ENGLISH_LAST = ["Thompson", "Harris", "Baker", "Clarke", "Lewis", "Hughes", "Turner",
                "Cooper", "Ward", "Morgan", "Bennett", "Fletcher", "Marsh", "Doyle"]
ENGLISH_COMPANIES = ["Brightwater Ltd", "{last} & Partners LLP", "Northern Freight plc",
                     "Kestrel Logistics", "{last} Consulting", "Greenfield Bank",
                     "Harbour Insurance", "Atlas Components Inc."]


def italian_number(rng):
    kind = rng.random()
    if kind < 0.35:
        return "+3902%08d" % rng.randrange(10 ** 8)          # Milan
    if kind < 0.5:
        return "+3906%08d" % rng.randrange(10 ** 8)          # Rome
    if kind < 0.6:
        return "+39011%07d" % rng.randrange(10 ** 7)         # Turin
    return "+393%d%08d" % (rng.choice([2, 3, 4, 5, 9]), rng.randrange(10 ** 8))  # mobile


def english_number(rng):
    kind = rng.random()
    if kind < 0.5:
        return "+442079460%03d" % rng.randrange(1000)       # London, Ofcom drama range
    if kind < 0.75:
        return "+441614960%03d" % rng.randrange(1000)       # Manchester, drama range
    return "+1212555%04d" % (100 + rng.randrange(100))       # New York, 555-0100–0199


def make_caller(rng):
    """A name (or None: a withheld name) and a number."""
    english = rng.random() < 0.3
    first = rng.choice(ENGLISH_FIRST if english else ITALIAN_FIRST)
    last = rng.choice(ENGLISH_LAST if english else ITALIAN_LAST)
    number = english_number(rng) if english else italian_number(rng)
    kind = rng.random()
    if kind < 0.45:
        name = "%s %s" % (first, last)
    elif kind < 0.9:
        name = rng.choice(ENGLISH_COMPANIES if english else ITALIAN_COMPANIES).format(
            first=first, last=last)
    else:
        name = None
    return name, number


def fail(message):
    print("morning: " + message, file=sys.stderr, flush=True)
    sys.exit(1)


class Admin:
    def __init__(self, url, token):
        self.url = url.rstrip("/")
        self.token = token

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            # A refusal is part of the morning (a call already gone, a
            # colleague who has just been rung): say it and go on.
            try:
                text = json.loads(error.read()).get("error", error.reason)
            except ValueError:
                text = error.reason
            if error.code == 401:
                fail("the admin API refused the token")
            print("morning:   (%s %s: %d %s)" % (method, path, error.code, text), flush=True)
            return None
        except (urllib.error.URLError, OSError) as error:
            fail("the admin API at %s does not answer (%s): is the server running?"
                 % (self.url, getattr(error, "reason", error)))


def check_loopback(url):
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "http" or parsed.hostname is None:
        fail("--url must be http://ADDRESS:PORT")
    try:
        address = ipaddress.ip_address(parsed.hostname)
    except ValueError:
        fail("--url must name a loopback address literally (127.0.0.1, ::1), not %s"
             % parsed.hostname)
    if not address.is_loopback:
        fail("the admin API is on loopback only, not on %s" % address)


def plan_morning(rng, colleagues):
    """The morning as (second, action, arguments), in order."""
    events = []
    absent = [c for c in colleagues if c["presence"] == "offline"]
    present = [c for c in colleagues if c["presence"] != "offline"]

    # People arrive over the first minutes, a few at a time; nobody does
    # anything before arriving, nor starts something new before the last
    # thing is over.
    rng.shuffle(absent)
    arriving = absent[:max(1, (len(absent) * 3) // 4)] if absent else []
    free_at = {c["number"]: 0.0 for c in present}
    t = 5.0
    for i in range(0, len(arriving), 3):
        events.append((t, "arrive", arriving[i:i + 3]))
        for c in arriving[i:i + 3]:
            free_at[c["number"]] = t
        t += rng.uniform(20, 60)

    # Callers, irregularly: a burst at opening, quieter later.
    t = rng.uniform(3, 8)
    caller = 0
    while t < MORNING_S - 30:
        name, number = make_caller(rng)
        direct = None
        if colleagues and rng.random() < 0.2:
            direct = rng.choice(colleagues)["number"]
        patience = rng.uniform(60, 180)
        events.append((t, "call", {"caller": caller, "name": name, "number": number,
                                   "extension": direct, "patience": patience}))
        if rng.random() < 0.2:
            events.append((t + rng.uniform(12, 40), "give-up", {"caller": caller}))
        caller += 1
        t += rng.uniform(8, 20) if t < 180 else rng.uniform(15, 45)

    # Colleagues' days: meetings, focus time, calls of their own.
    everyone = present + arriving
    lunch_at = MORNING_S - 60
    t = rng.uniform(20, 40)
    while everyone and t < MORNING_S - 120:
        free = [c for c in everyone if free_at[c["number"]] <= t]
        if free:
            who = rng.choice(free)
            what, back_after = rng.choice([("away", (60, 240)), ("away", (30, 120)),
                                           ("dnd", (45, 180)), ("busy", (20, 90))])
            back = min(t + rng.uniform(*back_after), lunch_at - 5)
            events.append((t, "presence", {"who": who, "presence": what,
                                           "reason": {"away": "goes to a meeting",
                                                      "dnd": "asks not to be disturbed",
                                                      "busy": "is on the phone"}[what]}))
            events.append((back, "presence", {"who": who, "presence": "available",
                                              "reason": "is back"}))
            free_at[who["number"]] = back + 1
        t += rng.uniform(10, 30)

    # Lunch: several leave together, near the end.
    if everyone:
        lunch = rng.sample(everyone, min(len(everyone), max(1, len(everyone) // 5)))
        events.append((lunch_at, "lunch", lunch))

    events.sort(key=lambda event: event[0])
    return events


def play(admin, rng, speed, queue, morning):
    directory = admin.request("GET", "/directory")
    if directory is None:
        fail("cannot read the directory")
    colleagues = [c for c in directory["directory"] if not c.get("attendant")]
    calls = {}
    start = time.monotonic()

    def say(at, text):
        try:
            print("morning %d [%02d:%02d] %s" % (morning, int(at) // 60, int(at) % 60, text),
                  flush=True)
        except BrokenPipeError:
            # Whoever read the story has gone; the morning goes on.
            pass

    for at, action, args in plan_morning(rng, colleagues):
        delay = start + at / speed - time.monotonic()
        if delay > 0:
            time.sleep(delay)

        if action == "arrive":
            changes = [{"extension": c["number"], "presence": "available"} for c in args]
            if admin.request("POST", "/presence", {"changes": changes}) is not None:
                say(at, "%s arrive%s" % (", ".join(c["name"] for c in args),
                                         "s" if len(args) == 1 else ""))
        elif action == "call":
            body = {"number": args["number"], "patience": max(1.0, args["patience"] / speed)}
            if args["name"]:
                body["name"] = args["name"]
            if queue:
                body["queue"] = queue
            if args["extension"]:
                body["extension"] = args["extension"]
            answer = admin.request("POST", "/calls", body)
            if answer is not None:
                call = answer["call"]
                calls[args["caller"]] = call["id"]
                say(at, "%s calls from %s%s: %s" % (
                    args["name"] or "A caller who gives no name", args["number"],
                    " for extension %s" % args["extension"] if args["extension"] else "",
                    call["id"]))
        elif action == "give-up":
            call_id = calls.get(args["caller"])
            state = admin.request("GET", "/state") if call_id else None
            waiting = state is not None and any(
                c["id"] == call_id and c["state"] == "queued" for c in state["calls"])
            if waiting and admin.request("POST", "/calls/%s/hangup" % call_id) is not None:
                say(at, "the caller of %s hangs up after waiting in the queue" % call_id)
        elif action == "presence":
            who = args["who"]
            if admin.request("POST", "/presence",
                             {"extension": who["number"], "presence": args["presence"]}) is not None:
                say(at, "%s (%s) %s" % (who["name"], who["number"], args["reason"]))
        elif action == "lunch":
            changes = [{"extension": c["number"], "presence": "offline"} for c in args]
            if admin.request("POST", "/presence", {"changes": changes}) is not None:
                say(at, "%d colleagues go to lunch" % len(args))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:51299",
                        help="the admin API (default: the demo's, http://127.0.0.1:51299)")
    parser.add_argument("--token-file", required=True, help="the admin API's token")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="how many times faster than life (default 1: a morning in 15 minutes)")
    parser.add_argument("--once", action="store_true", help="play one morning, then stop")
    parser.add_argument("--morning", type=int, metavar="N", help="play morning number N: the same number, the same morning")
    parser.add_argument("--queue", help="the queue callers ring (default: the first)")
    options = parser.parse_args()

    if not 0.01 <= options.speed <= 1000:
        fail("--speed must be from 0.01 to 1000")
    check_loopback(options.url)
    try:
        with open(options.token_file, encoding="utf-8") as f:
            token = f.readline().strip()
    except OSError as error:
        fail("cannot read the token: %s" % error)

    admin = Admin(options.url, token)
    rng = random.Random(options.morning)
    morning = 1
    try:
        while True:
            play(admin, rng, options.speed, options.queue, morning)
            if options.once:
                return 0
            morning += 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
