#!/usr/bin/env python3
"""Parses each iCalendar file named on the command line with python-icalendar
and with vobject (running vobject's validate), and prints one JSON line per
file with its events as both libraries read them. Exit 1 on the first
failure. Run with Debian's python3 (python3-icalendar, python3-vobject)."""
import json
import sys

import icalendar
import vobject


def main():
    for path in sys.argv[1:]:
        data = open(path, "rb").read()
        try:
            cal = icalendar.Calendar.from_ical(data)
        except Exception as e:  # noqa: BLE001
            print(f"{path}: python-icalendar cannot parse: {e}", file=sys.stderr)
            return 1
        ical_events = []
        for ev in cal.walk("VEVENT"):
            ical_events.append({
                "uid": str(ev.get("UID")),
                "summary": str(ev.get("SUMMARY", "")),
                "description": str(ev.get("DESCRIPTION", "")),
                "location": str(ev.get("LOCATION", "")),
                "start": ev.decoded("DTSTART").isoformat(),
                "end": ev.decoded("DTEND").isoformat() if "DTEND" in ev else "",
                "alarm": any(True for _ in ev.walk("VALARM")),
            })
        try:
            vcal = vobject.readOne(data.decode("utf-8"), validate=True)
            vcal.validate(raiseException=True, complainUnrecognized=False)
            v_events = [
                {"uid": e.uid.value, "summary": e.summary.value if hasattr(e, "summary") else ""}
                for e in vcal.components() if e.name == "VEVENT"
            ]
        except Exception as e:  # noqa: BLE001
            print(f"{path}: vobject cannot read or validate: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
        print(json.dumps({"file": path, "icalendar": ical_events, "vobject": v_events}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
