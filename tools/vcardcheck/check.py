"""Reads vCard files with vobject (what khard and vdirsyncer use) and prints
each card's FN and CATEGORIES as JSON, one card a line. Exits non-zero if a
file does not parse."""
import json
import sys

import vobject

for path in sys.argv[1:]:
    with open(path, encoding="utf-8", newline="") as f:
        for card in vobject.readComponents(f.read()):
            cats = []
            for line in card.contents.get("categories", []):
                cats.extend(line.value)
            note = card.note.value if hasattr(card, "note") else ""
            print(json.dumps({"fn": card.fn.value, "categories": cats, "note": note}))
