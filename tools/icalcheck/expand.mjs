// Expands the recurring events of an iCalendar file with Mozilla's ical.js
// (its RRULE, RDATE and EXDATE, and the events of the same UID with a
// RECURRENCE-ID taking their occurrence's place) and prints one JSON line:
// every occurrence whose recurrence time lies between FROM and TO (ISO
// times), at most MAX of each series (the earliest; an occurrence replaced
// by its own event is listed as that event and not counted), and every
// event that does not recur — as {summary, start} with start in UTC.
// Floating and all-day times are read in the process's zone (set TZ).
//
//   node expand.mjs FILE FROM TO MAX
import fs from "node:fs";
import ICAL from "ical.js";

const [file, fromISO, toISO, maxText] = process.argv.slice(2);
const from = new Date(fromISO), to = new Date(toISO), max = Number(maxText);
const comp = new ICAL.Component(ICAL.parse(fs.readFileSync(file, "utf8")));
for (const tz of comp.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(tz);
}
const masters = new Map();
const exceptions = [];
for (const v of comp.getAllSubcomponents("vevent")) {
  if (v.hasProperty("recurrence-id")) {
    exceptions.push(v);
  } else {
    masters.set(v.getFirstPropertyValue("uid"), new ICAL.Event(v));
  }
}
for (const x of exceptions) {
  masters.get(x.getFirstPropertyValue("uid")).relateException(x);
}
const out = [];
const at = (t) => t.toJSDate().toISOString();
for (const ev of masters.values()) {
  if (!ev.isRecurring()) {
    out.push({ summary: ev.summary, start: at(ev.startDate) });
    continue;
  }
  const it = ev.iterator();
  let n = 0;
  for (let next = it.next(); next && n < max; next = it.next()) {
    const when = next.toJSDate();
    if (when > to) break;
    if (when < from) continue;
    const d = ev.getOccurrenceDetails(next);
    out.push({ summary: d.item.summary, start: at(d.startDate) });
    if (d.item === ev) n++;
  }
}
console.log(JSON.stringify(out));
