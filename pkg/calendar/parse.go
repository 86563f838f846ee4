package calendar

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/yaegashi/wtz.go"
)

// Parsed is one event read from a calendar file.
type Parsed struct {
	UID         string
	Summary     string
	Description string
	Location    string
	URL         string
	Organizer   string
	Start, End  time.Time
	// TZID is the IANA name of the time zone the start was given in (a
	// Windows name as the zone it stands for), if any and known.
	TZID       string
	AllDay     bool
	Cancelled  bool
	Categories []string
	// Attendees are the event's ATTENDEE lines (at most MaxAttendees).
	Attendees []Attendee
}

// Attendee is one ATTENDEE line: the common name, the mailto address and
// the participation status (PARTSTAT, upper-cased; "" when absent).
type Attendee struct{ Name, Email, PartStat string }

// MaxAttendees bounds the ATTENDEE lines read of one event.
const MaxAttendees = 2000

// Parse reads every VEVENT of the calendars in r. Times without a zone are
// read in the zone the calendar's X-WR-TIMEZONE names, else in loc; a TZID that is a Windows zone name (Outlook writes them) in
// the zone it stands for, and one that is neither that nor an IANA name in
// loc too. An event without a UID gets one derived from
// its summary and start. A recurring event is read as its occurrences
// around now (occurrences; at most MaxSeries of them a file, within
// RecurBudget), each replaced by the event of its RECURRENCE-ID where the
// calendar has one.
//
// The file is checked first against the limits below, which keep go-ical
// (quadratic in a parameter's length, recursive in nesting, and panicking on
// some malformed parameters) linear and safe; a panic is returned as an
// error. Parse stops when ctx is done.
func Parse(ctx context.Context, data []byte, loc *time.Location, now time.Time) ([]Parsed, error) {
	feed, err := ParseFeed(ctx, data, loc, now)
	if err != nil {
		return nil, err
	}
	return feed.Events, nil
}

// Feed is a calendar file as read: its name and its events.
type Feed struct {
	// Name is the calendar's own name (X-WR-CALNAME, or RFC 7986's NAME)
	// — a Meetup group's, a Luma calendar's — or "".
	Name   string
	Events []Parsed
}

// ParseFeed reads a calendar file as Parse does, with the calendar's name.
func ParseFeed(ctx context.Context, data []byte, loc *time.Location, now time.Time) (feed *Feed, err error) {
	if err := checkLimits(data); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			feed, err = nil, fmt.Errorf("not a valid calendar: %v", p)
		}
	}()
	var out []Parsed
	name := ""
	dec := ical.NewDecoder(bytes.NewReader(data))
	series, spent := 0, time.Duration(0)
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cal, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			if n == 0 {
				return nil, fmt.Errorf("no VCALENDAR in the file")
			}
			return &Feed{Name: name, Events: out}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("not a valid calendar: %w", err)
		}
		if name == "" {
			name = calendarName(cal)
		}
		calLoc, zone := calendarZone(cal, loc)
		events := cal.Events()
		moved := overridden(events, calLoc)
		for _, ev := range events {
			p, err := parseEvent(ev.Props, calLoc)
			if err != nil {
				return nil, err
			}
			if p.TZID == "" {
				p.TZID = zone
			}
			if series < MaxSeries && spent < RecurBudget && recurring(ev.Props) {
				series++
				began := time.Now()
				out = append(out, occurrences(ctx, ev.Props, p, calLoc, now, moved[p.UID])...)
				spent += time.Since(began)
				continue
			}
			out = append(out, p)
		}
	}
}

// calendarZone is where a calendar's times without a zone are: the zone
// its X-WR-TIMEZONE names (Google Calendar's exports write floating
// times with it), with that zone's IANA name, else loc and "".
func calendarZone(cal *ical.Calendar, loc *time.Location) (*time.Location, string) {
	p := cal.Props.Get("X-WR-TIMEZONE")
	if p == nil {
		return loc, ""
	}
	name := ZoneName(p.Value)
	l, err := time.LoadLocation(name)
	if name == "" || err != nil {
		return loc, ""
	}
	return l, name
}

// Limits on a calendar file, far above what real feeds use.
const (
	maxPropLine   = 1 << 20 // one unfolded property
	maxParamsPart = 8 << 10 // a property's name and parameters
	maxDepth      = 8       // nested BEGIN blocks
)

// checkLimits refuses a calendar with a property longer than maxPropLine
// once unfolded, a property's parameters longer than maxParamsPart, or
// components nested deeper than maxDepth. It reads data once.
func checkLimits(data []byte) error {
	depth, line, propLen, paramsLen := 0, 0, 0, 0
	inParams, quoted := true, false
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var l []byte
		if i < 0 {
			l, data = data, nil
		} else {
			l, data = data[:i], data[i+1:]
		}
		l = bytes.TrimSuffix(l, []byte("\r"))
		line++
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') {
			l = l[1:] // a continuation of the property before
		} else {
			propLen, paramsLen, inParams, quoted = 0, 0, true, false
			upper := bytes.ToUpper(l)
			switch {
			case bytes.HasPrefix(upper, []byte("BEGIN:")):
				if depth++; depth > maxDepth {
					return fmt.Errorf("line %d: components nested more than %d deep", line, maxDepth)
				}
			case bytes.HasPrefix(upper, []byte("END:")):
				depth--
			}
		}
		propLen += len(l)
		if propLen > maxPropLine {
			return fmt.Errorf("line %d: a property longer than %d KiB", line, maxPropLine>>10)
		}
		if inParams {
			for j, c := range l {
				if c == '"' {
					quoted = !quoted
				} else if c == ':' && !quoted {
					inParams, paramsLen = false, paramsLen+j
					break
				}
			}
			if inParams {
				paramsLen += len(l)
			}
			if paramsLen > maxParamsPart {
				return fmt.Errorf("line %d: a property's parameters are longer than %d KiB", line, maxParamsPart>>10)
			}
		}
	}
	return nil
}

func parseEvent(props ical.Props, loc *time.Location) (Parsed, error) {
	var p Parsed
	text := func(name string) string {
		if props.Get(name) == nil {
			return ""
		}
		s, err := props.Text(name)
		if err != nil {
			return props.Get(name).Value
		}
		return s
	}
	p.Summary = text(ical.PropSummary)
	p.Description = text(ical.PropDescription)
	p.Location = text(ical.PropLocation)
	if u := props.Get(ical.PropURL); u != nil {
		p.URL = strings.TrimSpace(u.Value)
	}
	if o := props.Get(ical.PropOrganizer); o != nil {
		p.Organizer = o.Params.Get(ical.ParamCommonName)
		if p.Organizer == "" {
			p.Organizer = strings.TrimPrefix(strings.ToLower(o.Value), "mailto:")
		}
	}
	for _, a := range props.Values(ical.PropAttendee) {
		if len(p.Attendees) == MaxAttendees {
			break
		}
		email := strings.TrimSpace(a.Value)
		if low := strings.ToLower(email); strings.HasPrefix(low, "mailto:") {
			email = email[len("mailto:"):]
		} else {
			email = "" // a URI that is not an address
		}
		name := strings.TrimSpace(a.Params.Get(ical.ParamCommonName))
		if cu := strings.ToUpper(a.Params.Get(ical.ParamCalendarUserType)); name == "" && email == "" || cu == "ROOM" || cu == "RESOURCE" {
			continue // nobody to meet: a room, a projector
		}
		p.Attendees = append(p.Attendees, Attendee{Name: name, Email: email, PartStat: strings.ToUpper(strings.TrimSpace(a.Params.Get(ical.ParamParticipationStatus)))})
	}
	if st := props.Get(ical.PropStatus); st != nil {
		p.Cancelled = strings.EqualFold(strings.TrimSpace(st.Value), "CANCELLED")
	}
	if c := props.Get(ical.PropCategories); c != nil {
		p.Categories, _ = c.TextList()
	}
	start := props.Get(ical.PropDateTimeStart)
	if start == nil {
		return p, fmt.Errorf("an event (%q) has no DTSTART", p.Summary)
	}
	p.TZID = ZoneName(start.Params.Get(ical.PropTimezoneID))
	var err error
	if p.Start, err = dateTime(start, loc); err != nil {
		return p, fmt.Errorf("event %q: bad DTSTART: %v", p.Summary, err)
	}
	p.AllDay = start.ValueType() == ical.ValueDate
	switch end, dur := props.Get(ical.PropDateTimeEnd), props.Get(ical.PropDuration); {
	case end != nil:
		if p.End, err = dateTime(end, loc); err != nil {
			return p, fmt.Errorf("event %q: bad DTEND: %v", p.Summary, err)
		}
	case dur != nil:
		d, err := dur.Duration()
		if err != nil {
			return p, fmt.Errorf("event %q: bad DURATION: %v", p.Summary, err)
		}
		p.End = p.Start.Add(d)
	case p.AllDay:
		p.End = p.Start.AddDate(0, 0, 1)
	default:
		p.End = p.Start
	}
	if p.End.Before(p.Start) {
		p.End = p.Start
	}
	p.UID = strings.TrimSpace(text(ical.PropUID))
	if rid := props.Get(ical.PropRecurrenceID); rid != nil && p.UID != "" {
		p.UID += "#" + rid.Value
	}
	if p.UID == "" {
		sum := sha256.Sum256([]byte(p.Summary + "|" + p.Start.UTC().Format(time.RFC3339)))
		p.UID = "derived-" + hex.EncodeToString(sum[:12])
	}
	p.Start, p.End = p.Start.UTC(), p.End.UTC()
	return p, nil
}

// dateTime reads a DATE or DATE-TIME. A TZID that is not an IANA name is
// read as the Windows zone it names (Outlook writes "W. Europe Standard
// Time"), else in loc.
func dateTime(p *ical.Prop, loc *time.Location) (time.Time, error) {
	t, err := p.DateTime(loc)
	if err == nil {
		return t, nil
	}
	if tz := p.Params.Get(ical.PropTimezoneID); tz != "" {
		q := *p
		q.Params = ical.Params{}
		for k, v := range p.Params {
			if k != ical.PropTimezoneID {
				q.Params[k] = v
			}
		}
		if win, err := wtz.LoadLocation(strings.TrimSpace(tz)); err == nil {
			loc = win
		}
		return q.DateTime(loc)
	}
	return t, err
}

// ZoneName is the IANA name of a TZID: the name itself when it is one,
// the zone a Windows name stands for (CLDR's windowsZones, by
// github.com/yaegashi/wtz.go), else "".
func ZoneName(tzid string) string {
	tzid = strings.TrimSpace(tzid)
	if tzid == "" {
		return ""
	}
	if _, err := time.LoadLocation(tzid); err == nil {
		return tzid
	}
	if l, err := wtz.LoadLocation(tzid); err == nil {
		return l.String()
	}
	return ""
}

// Check reports whether data is one calendar go-ical can decode safely:
// within the limits above, and decoded with go-ical's panics turned into
// an error. A server checks a calendar a client sent with it before
// handing it to code that decodes without these guards (go-webdav's PUT).
func Check(data []byte) (err error) {
	if err := checkLimits(data); err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("not a valid calendar: %v", p)
		}
	}()
	if _, err := ical.NewDecoder(bytes.NewReader(data)).Decode(); err != nil {
		return fmt.Errorf("not a valid calendar: %w", err)
	}
	return nil
}

// calendarName is a calendar's own name: X-WR-CALNAME, else NAME.
func calendarName(cal *ical.Calendar) string {
	for _, name := range []string{"X-WR-CALNAME", "NAME"} {
		if p := cal.Props.Get(name); p != nil {
			if v, err := p.Text(); err == nil && strings.TrimSpace(v) != "" {
				return strings.TrimSpace(v)
			}
		}
	}
	return ""
}
