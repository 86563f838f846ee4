// Reads each vCard file named on the command line with Mozilla's ical.js
// (its vCard 4.0 and 3.0 design) and prints one JSON line a file: each
// card's properties as [name, value type, first value]. Exit 1 on the
// first file that does not parse.
import fs from "node:fs";
import ICAL from "ical.js";

for (const file of process.argv.slice(2)) {
  let parsed;
  try {
    parsed = ICAL.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    console.error(`${file}: ical.js cannot parse: ${e.message}`);
    process.exit(1);
  }
  // One card parses to a component, several to a list of them.
  const cards = typeof parsed[0] === "string" ? [parsed] : parsed;
  console.log(JSON.stringify(cards.map((jcal) => new ICAL.Component(jcal).getAllProperties().map((p) => {
    const v = p.getFirstValue();
    return [p.name, p.type, v === null || v === undefined ? "" : String(v)];
  }))));
}
