package web

import (
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/events"
)

// eventSpan says when e runs in its own time zone, "Thu 26 Nov 2026,
// 08:00–17:00" or, over several days, "Thu 26 Nov 2026, 08:00 – Fri 27 Nov
// 2026, 17:00" — as its edit form has it — and, when the user's zone (mine)
// is another hour then, in both: "…, 09:00–17:00 New York time (15:00–23:00
// yours)"; whole days as allDay says them. It returns the layout of a time
// within it (its talks, whom you met: the hour, with the weekday when it
// runs over several days) and the zone they are read in.
func eventSpan(e *events.Event, mine *time.Location) (when, clock string, loc *time.Location) {
	loc = eventZone(e, mine)
	start, end := e.StartsAt.In(loc), e.EndsAt.In(loc)
	if days, ok := allDay(e, mine); ok {
		if oneDay(start, lastDay(end)) {
			return days, "15:04", loc
		}
		return days, "Mon 15:04", loc
	}
	when, clock = start.Format("Mon 2 Jan 2006, 15:04"), "Mon 15:04"
	switch {
	case e.EndsAt.IsZero():
		clock = "15:04"
	case oneDay(start, end):
		when, clock = when+"–"+end.Format("15:04"), "15:04"
	default:
		when += " – " + end.Format("Mon 2 Jan 2006, 15:04")
	}
	if _, theirs := start.Zone(); theirs != offsetAt(e.StartsAt, mine) {
		when += " " + zoneCity(loc) + " time (" + yours(e, mine) + " yours)"
	}
	return when, clock, loc
}

// eventStart is when e begins in the user's zone (mine), as lists show
// it, "Thu 19 Nov 2026, 15:00", with its own hour when its zone is another
// hour then: "Thu 19 Nov 2026, 15:00 (09:00 New York time)".
func eventStart(e *events.Event, mine *time.Location) string {
	if days, ok := allDay(e, mine); ok {
		return days
	}
	ours, theirs := e.StartsAt.In(mine), e.StartsAt.In(eventZone(e, mine))
	when := ours.Format("Mon 2 Jan 2006, 15:04")
	if _, off := theirs.Zone(); off != offsetAt(e.StartsAt, mine) {
		layout := "15:04"
		if theirs.Weekday() != ours.Weekday() {
			layout = "Mon 15:04"
		}
		when += " (" + theirs.Format(layout) + " " + zoneCity(theirs.Location()) + " time)"
	}
	return when
}

// eventAt is when e begins, short, as the log form offers it: "Thu 18:00"
// in the user's zone (mine), or "Thu, all day".
func eventAt(e *events.Event, mine *time.Location) string {
	if e.WholeDays() {
		return e.StartsAt.In(eventZone(e, mine)).Format("Mon") + ", all day"
	}
	return e.StartsAt.In(mine).Format("Mon 15:04")
}

// eventZone is e's own time zone (events.Event.Zone), mine if it names
// none.
func eventZone(e *events.Event, mine *time.Location) *time.Location {
	if e.Timezone == "" {
		return mine
	}
	return e.Zone()
}

// offsetAt is loc's offset from UTC at t, in seconds.
func offsetAt(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}

// zoneCity names a zone as people say it: "America/New_York" is "New
// York", "UTC" is "UTC".
func zoneCity(loc *time.Location) string {
	name := loc.String()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "_", " ")
}

// yours is when e runs in the user's zone, short: "15:00–23:00", with the
// weekday when it is not the day the event's own zone gives, or when it
// ends on another day.
func yours(e *events.Event, mine *time.Location) string {
	start, end := e.StartsAt.In(mine), e.EndsAt.In(mine)
	layout := "15:04"
	if theirs := e.StartsAt.In(eventZone(e, mine)); start.Weekday() != theirs.Weekday() || !e.EndsAt.IsZero() && !oneDay(start, end) {
		layout = "Mon 15:04"
	}
	if e.EndsAt.IsZero() {
		return start.Format(layout)
	}
	if oneDay(start, end) {
		return start.Format(layout) + "–" + end.Format("15:04")
	}
	return start.Format(layout) + " – " + end.Format(layout)
}

// allDay says the days e runs when it runs whole days (Event.WholeDays,
// in its own zone): "Thu 19 Nov 2026, all day", "Thu 19 Nov – Fri 20 Nov 2026".
func allDay(e *events.Event, mine *time.Location) (string, bool) {
	if !e.WholeDays() {
		return "", false
	}
	own := eventZone(e, mine)
	if start := e.StartsAt.In(own); oneDay(start, lastDay(e.EndsAt.In(own))) {
		return start.Format("Mon 2 Jan 2006") + ", all day", true
	}
	return eventDays(e, mine), true
}

// eventUntil is when e, under way, ends, as Today says it: "Wed 25 Nov,
// 17:00" in the user's zone (mine), or the last of its whole days.
func eventUntil(e *events.Event, mine *time.Location) string {
	if e.WholeDays() {
		return lastDay(e.EndsAt.In(eventZone(e, mine))).Format("Mon 2 Jan")
	}
	return e.EndsAt.In(mine).Format("Mon 2 Jan, 15:04")
}

// lastDay is the last day of whole days that end at midnight end.
func lastDay(end time.Time) time.Time { return end.AddDate(0, 0, -1) }

// eventDays is the day, or the days, e runs in its own zone (else mine):
// "Thu 19 Nov 2026", or "Thu 19 Nov – Sat 21 Nov 2026"; whole days end
// the day before the midnight they end at.
func eventDays(e *events.Event, mine *time.Location) string {
	loc := eventZone(e, mine)
	start, end := e.StartsAt.In(loc), e.EndsAt.In(loc)
	if e.WholeDays() {
		end = lastDay(end)
	}
	if e.EndsAt.IsZero() || oneDay(start, end) {
		return start.Format("Mon 2 Jan 2006")
	}
	return start.Format("Mon 2 Jan") + " – " + end.Format("Mon 2 Jan 2006")
}

// oneDay reports whether a and b (in one zone) fall on the same day.
func oneDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// localInput is t as a datetime-local input shows it, in loc.
func localInput(t *time.Time, loc *time.Location) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(loc).Format(localLayout)
}
