package caldav

import (
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// Filter returns the filtered list of calendar objects matching the provided query.
// A nil query will return the full list of calendar objects.
func Filter(query *CalendarQuery, cos []CalendarObject) ([]CalendarObject, error) {
	if query == nil {
		// FIXME: should we always return a copy of the provided slice?
		return cos, nil
	}

	var out []CalendarObject
	for _, co := range cos {
		ok, err := Match(query.CompFilter, &co)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}

		// TODO properties are not currently filtered even if requested
		out = append(out, co)
	}
	return out, nil
}

// Match reports whether the provided CalendarObject matches the query.
func Match(query CompFilter, co *CalendarObject) (matched bool, err error) {
	if co.Data == nil || co.Data.Component == nil {
		panic("request to process empty calendar object")
	}
	return match(query, co.Data.Component)
}

func match(filter CompFilter, comp *ical.Component) (bool, error) {
	if comp.Name != filter.Name {
		return filter.IsNotDefined, nil
	}
	if filter.IsNotDefined {
		return false, nil // RFC 4791 §9.7.1: defined, so no match
	}

	var zeroDate time.Time
	if filter.Start != zeroDate || filter.End != zeroDate {
		match, err := matchCompTimeRange(filter.Start, filter.End, comp)
		if err != nil {
			return false, err
		}
		if !match {
			return false, nil
		}
	}
	for _, compFilter := range filter.Comps {
		match, err := matchCompFilter(compFilter, comp)
		if err != nil {
			return false, err
		}
		if !match {
			return false, nil
		}
	}
	for _, propFilter := range filter.Props {
		match, err := matchPropFilter(propFilter, comp)
		if err != nil {
			return false, err
		}
		if !match {
			return false, nil
		}
	}
	return true, nil
}

func matchCompFilter(filter CompFilter, comp *ical.Component) (bool, error) {
	var named bool
	for _, child := range comp.Children {
		if child.Name != filter.Name {
			continue
		}
		named = true
		if filter.IsNotDefined {
			return false, nil
		}
		match, err := match(filter, child)
		if err != nil {
			return false, err
		} else if match {
			return true, nil
		}
	}
	return !named && filter.IsNotDefined, nil
}

// matchPropFilter matches if any instance of the property matches (a
// component may hold several, e.g. ATTENDEE).
func matchPropFilter(filter PropFilter, comp *ical.Component) (bool, error) {
	fields := comp.Props.Values(filter.Name)
	if len(fields) == 0 {
		return filter.IsNotDefined, nil
	}
	if filter.IsNotDefined {
		return false, nil
	}
	for i := range fields {
		ok, err := matchProp(filter, &fields[i])
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func matchProp(filter PropFilter, field *ical.Prop) (bool, error) {
	for _, paramFilter := range filter.ParamFilter {
		if !matchParamFilter(paramFilter, field) {
			return false, nil
		}
	}
	var zeroDate time.Time
	if filter.Start != zeroDate || filter.End != zeroDate {
		return matchPropTimeRange(filter.Start, filter.End, field)
	}
	if filter.TextMatch != nil {
		return matchTextMatch(*filter.TextMatch, field.Value), nil
	}
	// empty prop-filter, property exists
	return true, nil
}

func matchCompTimeRange(start, end time.Time, comp *ical.Component) (bool, error) {
	// See https://datatracker.ietf.org/doc/html/rfc4791#section-9.9
	loc := start.Location()

	// evaluate recurring components
	rset, err := comp.RecurrenceSet(loc)
	if err != nil {
		return false, err
	}
	if rset != nil {
		// TODO we can only set inclusive to true or false, but really the
		// start time is inclusive while the end time is not :/
		return len(rset.Between(start, end, true)) > 0, nil
	}

	switch comp.Name {
	case ical.CompEvent:
	case ical.CompToDo:
		return matchToDoTimeRange(start, end, comp)
	default:
		// TODO handle VJOURNAL, VFREEBUSY, VALARM
		return false, nil
	}
	event := ical.Event{Component: comp}

	eventStart, err := event.DateTimeStart(loc)
	if err != nil {
		return false, err
	}
	eventEnd, err := event.DateTimeEnd(loc)
	if err != nil {
		return false, err
	}

	// Event starts in time range
	if eventStart.After(start) && (end.IsZero() || eventStart.Before(end)) {
		return true, nil
	}
	// Event ends in time range
	if eventEnd.After(start) && (end.IsZero() || eventEnd.Before(end)) {
		return true, nil
	}
	// Event covers entire time range plus some
	if eventStart.Before(start) && (!end.IsZero() && eventEnd.After(end)) {
		return true, nil
	}
	return false, nil
}

// matchToDoTimeRange applies the table of RFC 4791 §9.9 for VTODO. A zero
// start is the infinite past, a zero end the infinite future.
func matchToDoTimeRange(start, end time.Time, comp *ical.Component) (bool, error) {
	at := func(name string) (time.Time, bool, error) {
		p := comp.Props.Get(name)
		if p == nil {
			return time.Time{}, false, nil
		}
		t, err := p.DateTime(start.Location())
		return t, err == nil, err
	}
	// start <= t, and t < end (or <= when orEqual), with open bounds.
	startLE := func(t time.Time) bool { return start.IsZero() || !t.Before(start) }
	startLT := func(t time.Time) bool { return start.IsZero() || t.After(start) }
	endGT := func(t time.Time) bool { return end.IsZero() || end.After(t) }
	endGE := func(t time.Time) bool { return end.IsZero() || !end.Before(t) }

	dtstart, hasStart, err := at(ical.PropDateTimeStart)
	if err != nil {
		return false, err
	}
	due, hasDue, err := at(ical.PropDue)
	if err != nil {
		return false, err
	}
	completed, hasCompleted, err := at(ical.PropCompleted)
	if err != nil {
		return false, err
	}
	created, hasCreated, err := at(ical.PropCreated)
	if err != nil {
		return false, err
	}
	var dur time.Duration
	hasDuration := false
	if p := comp.Props.Get(ical.PropDuration); p != nil {
		if dur, err = p.Duration(); err != nil {
			return false, err
		}
		hasDuration = true
	}

	switch {
	case hasStart && hasDuration:
		stop := dtstart.Add(dur)
		return startLE(stop) && (endGT(dtstart) || endGE(stop)), nil
	case hasStart && hasDue:
		return (startLT(due) || startLE(dtstart)) && (endGT(dtstart) || endGE(due)), nil
	case hasStart:
		return startLE(dtstart) && endGT(dtstart), nil
	case hasDue:
		return startLT(due) && endGE(due), nil
	case hasCompleted && hasCreated:
		return (startLE(created) || startLE(completed)) && (endGE(created) || endGE(completed)), nil
	case hasCompleted:
		return startLE(completed) && endGE(completed), nil
	case hasCreated:
		return endGT(created), nil
	}
	return true, nil
}

func matchPropTimeRange(start, end time.Time, field *ical.Prop) (bool, error) {
	// See https://datatracker.ietf.org/doc/html/rfc4791#section-9.9

	ptime, err := field.DateTime(start.Location())
	if err != nil {
		return false, err
	}
	if (start.IsZero() || !ptime.Before(start)) && (end.IsZero() || ptime.Before(end)) {
		return true, nil
	}
	return false, nil
}

func matchParamFilter(filter ParamFilter, field *ical.Prop) bool {
	values := field.Params.Values(filter.Name)
	if len(values) == 0 {
		return filter.IsNotDefined
	} else if filter.IsNotDefined {
		return false
	}
	if filter.TextMatch == nil {
		return true
	}
	for _, v := range values {
		if matchTextMatch(*filter.TextMatch, v) {
			return true
		}
	}
	return false
}

func matchTextMatch(txt TextMatch, value string) bool {
	match := strings.Contains(fold(txt.Collation, value), fold(txt.Collation, txt.Text))
	if txt.NegateCondition {
		match = !match
	}
	return match
}

// fold prepares s for a comparison under collation (RFC 4790): the
// default, i;ascii-casemap, compares ASCII letters case-insensitively;
// i;unicode-casemap every letter; i;octet byte for byte.
func fold(collation, s string) string {
	switch strings.ToLower(collation) {
	case "i;octet":
		return s
	case "i;unicode-casemap":
		return strings.ToLower(s)
	}
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
