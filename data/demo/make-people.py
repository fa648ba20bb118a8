#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes data/demo/people.ini, the demo company's directory.

    python3 data/demo/make-people.py > data/demo/people.ini

ACME S.p.A., a company in Milan with an office in London: 300 people in
fourteen departments, extensions from 201 (200 and 260 are the demo's two
attendant desks), most of them available, some away, busy, on
do-not-disturb or not in yet. Deterministic: the same file every time, so
it is checked in and only rewritten when this script changes.
"""

import random

DEPARTMENTS = [
    ("Management", 8), ("Sales", 45), ("Marketing", 20), ("Customer Support", 40),
    ("Accounting", 18), ("Legal", 8), ("Human Resources", 12), ("IT", 25),
    ("Engineering", 50), ("Research & Development", 20), ("Logistics", 25),
    ("Procurement", 10), ("Quality", 11), ("Facilities", 8),
]

ITALIAN_FIRST = [
    "Giovanni", "Francesca", "Alessandro", "Chiara", "Marco", "Sara", "Luca", "Elena",
    "Davide", "Martina", "Simone", "Valentina", "Andrea", "Federica", "Matteo", "Giulia",
    "Stefano", "Alessia", "Paolo", "Roberta", "Fabio", "Silvia", "Riccardo", "Ilaria",
    "Lorenzo", "Beatrice", "Tommaso", "Camilla", "Nicola", "Serena", "Emanuele", "Laura",
    "Pietro", "Giorgia", "Filippo", "Anna", "Gabriele", "Marta", "Daniele", "Alice",
    "Antonio", "Elisa", "Giuseppe", "Veronica", "Michele", "Arianna", "Vincenzo", "Noemi",
]
ITALIAN_LAST = [
    "Ferraro", "Moretti", "Ricci", "Colombo", "Bruno", "Gallo", "Conti", "De Luca",
    "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Barbieri", "Fontana", "Santoro",
    "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo",
    "Gentile", "Martinelli", "Vitale", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
    "Parisi", "Villa", "Conte", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso",
    "Valentini", "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna",
    "Farina", "Rizzi", "Monti", "Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza",
]
ENGLISH_FIRST = [
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Emily", "Charlie", "Sophie",
    "Thomas", "Grace", "James", "Lily", "William", "Freya", "Henry", "Chloe", "Edward", "Hannah",
]
ENGLISH_LAST = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "O'Brien", "Murphy", "Hughes", "Edwards",
]
# Mostly at their desks; the rest as a morning finds them.
PRESENCE = ["available"] * 16 + ["away", "away", "busy", "dnd", "offline", "offline"]


def main():
    rng = random.Random(20261125)
    seen = set()
    extension = 201
    print("# SPDX-License-Identifier: GPL-3.0-or-later")
    print("#")
    print("# The demo's company directory: EXTENSION=Name;Department[;presence]")
    print("# (presence: available, busy, away, dnd, offline; available if left out).")
    print("# Read by attendant-server through [directory] file= in attendant-server.conf.")
    print("# Written by make-people.py beside it: change that, not this.")
    print()
    print("[directory]")
    for department, size in DEPARTMENTS:
        for _ in range(size):
            while True:
                if rng.random() < 0.2:
                    name = "%s %s" % (rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST))
                else:
                    name = "%s %s" % (rng.choice(ITALIAN_FIRST), rng.choice(ITALIAN_LAST))
                if name not in seen:
                    seen.add(name)
                    break
            if extension in (200, 260):
                extension += 1
            presence = rng.choice(PRESENCE)
            suffix = "" if presence == "available" else ";" + presence
            print("%d=%s;%s%s" % (extension, name, department, suffix))
            extension += 1


if __name__ == "__main__":
    main()
