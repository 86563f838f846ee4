// Parses each iCalendar file named on the command line with Mozilla's
// ical.js (the parser of Thunderbird and many web calendars) and prints one
// JSON line per file: its events' uid, summary, description, location,
// start and end (UTC), whether they are all-day and their start and end as
// written (a date alone for those), status and whether they have an alarm. Exit 1 on the
// first file that does not parse.
import fs from "node:fs";
import ICAL from "ical.js";

for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, "utf8");
  let comp;
  try {
    comp = new ICAL.Component(ICAL.parse(text));
  } catch (e) {
    console.error(`${file}: ical.js cannot parse: ${e.message}`);
    process.exit(1);
  }
  if (comp.name !== "vcalendar") {
    console.error(`${file}: top component is ${comp.name}`);
    process.exit(1);
  }
  const events = comp.getAllSubcomponents("vevent").map((v) => {
    const ev = new ICAL.Event(v);
    return {
      uid: ev.uid,
      summary: ev.summary,
      description: ev.description,
      location: ev.location,
      start: ev.startDate.toJSDate().toISOString(),
      end: ev.endDate.toJSDate().toISOString(),
      allDay: ev.startDate.isDate,
      startDay: ev.startDate.toString(),
      endDay: ev.endDate.toString(),
      status: v.getFirstPropertyValue("status"),
      sequence: ev.sequence,
      alarm: v.getAllSubcomponents("valarm").length > 0,
    };
  });
  console.log(JSON.stringify({
    file,
    name: comp.getFirstPropertyValue("x-wr-calname"),
    refresh: comp.getFirstProperty("refresh-interval")?.toJSON(),
    events,
  }));
}
