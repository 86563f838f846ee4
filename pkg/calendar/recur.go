package calendar

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// A recurring event (RRULE, RDATE) is read as its occurrences that start
// from RecurBack before now to RecurAhead after it, at most MaxOccurrences
// of them (the earliest), each an event of its own: a meetup group's
// calendar kept in Google Calendar or Outlook holds one event "every
// second Tuesday", where Meetup and Luma list each evening.
const (
	RecurBack      = 30 * 24 * time.Hour
	RecurAhead     = 365 * 24 * time.Hour
	MaxOccurrences = 100
)

// MaxSeries and RecurBudget bound the recurring events a calendar file
// has expanded: a rule that never matches (February 30th, daily) is walked
// to the year 9999 by the rule library, about 60 ms, so a file of
// thousands of them would hold the parse (one at a time in the process)
// for minutes; a hundred such rules took 5.9 s. Once a file has expanded
// MaxSeries, or spent RecurBudget expanding, its other recurring events
// are read as their first occurrence (a group's calendar has a few series,
// a few milliseconds each).
const (
	MaxSeries   = 100
	RecurBudget = time.Second
)

// recurring says whether an event's properties make it recur.
func recurring(props ical.Props) bool {
	return props.Get(ical.PropRecurrenceID) == nil && (props.Get(ical.PropRecurrenceRule) != nil || props.Get(ical.PropRecurrenceDates) != nil)
}

// overridden lists, by UID, the occurrences of recurring events that an
// event of the same UID with a RECURRENCE-ID replaces (moved, renamed,
// cancelled on its own).
func overridden(events []ical.Event, loc *time.Location) map[string][]time.Time {
	out := map[string][]time.Time{}
	for _, ev := range events {
		rid := ev.Props.Get(ical.PropRecurrenceID)
		uid := ev.Props.Get(ical.PropUID)
		if rid == nil || uid == nil {
			continue
		}
		if t, err := dateTime(rid, loc); err == nil {
			out[strings.TrimSpace(uid.Value)] = append(out[strings.TrimSpace(uid.Value)], t)
		}
	}
	return out
}

// occurrences are first's occurrences within the window around now,
// without those in moved, each a copy of first at its own start (the same
// length; all-day ones the same number of days). The occurrence at DTSTART
// keeps first's UID — the event as it was read before recurrences were —
// and every other one is UID#its RECURRENCE-ID as the calendar would write
// it (in DTSTART's form), so an override found later takes its place. A
// rule that cannot be read, or recurs more often than daily, leaves first
// alone, as before, and so does a series with no occurrence in the window
// (one that ended long ago, or starts after it).
func occurrences(ctx context.Context, props ical.Props, first Parsed, loc *time.Location, now time.Time, moved []time.Time) []Parsed {
	startProp := props.Get(ical.PropDateTimeStart)
	start, err := dateTime(startProp, loc)
	if err != nil {
		return []Parsed{first}
	}
	set := &rrule.Set{}
	rr := props.Get(ical.PropRecurrenceRule)
	if rr == nil {
		set.RDate(start) // RDATEs alone: DTSTART is the first occurrence
	}
	// With a rule, DTSTART is an occurrence when the rule gives it (RFC 5545
	// leaves one off the rule undefined; ical.js, Thunderbird's, leaves it
	// out, and so does this).
	if rr != nil {
		opt, err := rrule.StrToROptionInLocation(rr.Value, start.Location())
		if err != nil || opt.Freq > rrule.DAILY { // HOURLY, MINUTELY, SECONDLY: no meetup
			return []Parsed{first}
		}
		opt.Dtstart = start
		r, err := rrule.NewRRule(*opt)
		if err != nil {
			return []Parsed{first}
		}
		set.RRule(r)
	}
	for _, p := range props.Values(ical.PropRecurrenceDates) {
		for _, t := range dateTimes(&p, loc) {
			set.RDate(t)
		}
	}
	for _, p := range props.Values(ical.PropExceptionDates) {
		for _, t := range dateTimes(&p, loc) {
			set.ExDate(t)
		}
	}
	from, to := now.Add(-RecurBack), now.Add(RecurAhead)
	length, days := first.End.Sub(first.Start), int(math.Round(first.End.Sub(first.Start).Hours()/24))
	var out []Parsed
	next := set.Iterator()
	for steps := 0; len(out) < MaxOccurrences; steps++ {
		if steps%1024 == 0 && ctx.Err() != nil {
			break
		}
		t, ok := next()
		if !ok || t.After(to) {
			break
		}
		if t.Before(from) || slices.ContainsFunc(moved, t.Equal) {
			continue
		}
		o := first
		o.Start, o.End = t.UTC(), t.Add(length).UTC()
		if first.AllDay {
			o.End = t.AddDate(0, 0, days).UTC()
		}
		if !t.Equal(start) {
			o.UID = first.UID + "#" + recurrenceID(startProp, t.In(start.Location()), first.AllDay)
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		return []Parsed{first} // none in the window: the event as before
	}
	return out
}

// recurrenceID is t as an override's RECURRENCE-ID names it: in the form
// of DTSTART (a date, a UTC time, or a local time in DTSTART's zone).
func recurrenceID(start *ical.Prop, t time.Time, allDay bool) string {
	switch {
	case allDay:
		return t.Format("20060102")
	case strings.HasSuffix(strings.TrimSpace(start.Value), "Z"):
		return t.UTC().Format("20060102T150405Z")
	default:
		return t.Format("20060102T150405")
	}
}

// dateTimes reads a list of dates or date-times (EXDATE, RDATE: values
// separated by commas, one zone for all); values that do not read, and
// periods, are left out.
func dateTimes(p *ical.Prop, loc *time.Location) []time.Time {
	var out []time.Time
	for _, v := range strings.Split(p.Value, ",") {
		q := *p
		q.Value = strings.TrimSpace(v)
		if t, err := dateTime(&q, loc); err == nil {
			out = append(out, t)
		}
	}
	return out
}
