package calendar

import (
	"bytes"
	"strconv"
	"time"

	"github.com/emersion/go-ical"
)

// Todo is one VTODO of a synced task list (CalDAV).
type Todo struct {
	UID, Summary, Description, URL string
	Due                            time.Time
	Stamp, LastModified            time.Time
	Sequence                       int
	// Completed, if set, marks the task COMPLETED at that time; otherwise
	// it NEEDS-ACTION and has a display alarm at Due.
	Completed *time.Time
}

// TodoCalendar is t in a calendar of its own, as CalDAV serves one task:
// text cleaned of control characters and CRs (go-ical fails on them), all
// times in UTC.
func TodoCalendar(t Todo) *ical.Calendar {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, ProdID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	v := ical.NewComponent(ical.CompToDo)
	v.Props.SetText(ical.PropUID, t.UID)
	v.Props.SetText(ical.PropSummary, clean(t.Summary))
	if t.Description != "" {
		v.Props.SetText(ical.PropDescription, clean(t.Description))
	}
	if t.URL != "" {
		p := ical.NewProp(ical.PropURL)
		p.Value = t.URL
		p.SetValueType(ical.ValueURI)
		v.Props.Set(p)
	}
	v.Props.SetDateTime(ical.PropDue, t.Due.UTC())
	v.Props.SetDateTime(ical.PropDateTimeStamp, t.Stamp.UTC())
	v.Props.SetDateTime(ical.PropLastModified, t.LastModified.UTC())
	seq := ical.NewProp(ical.PropSequence)
	seq.SetValueType(ical.ValueInt)
	seq.Value = strconv.Itoa(t.Sequence)
	v.Props.Set(seq)
	if t.Completed != nil {
		v.Props.SetText(ical.PropStatus, "COMPLETED")
		v.Props.SetDateTime(ical.PropCompleted, t.Completed.UTC())
		pc := ical.NewProp(ical.PropPercentComplete)
		pc.SetValueType(ical.ValueInt)
		pc.Value = "100"
		v.Props.Set(pc)
	} else {
		v.Props.SetText(ical.PropStatus, "NEEDS-ACTION")
		alarm := ical.NewComponent(ical.CompAlarm)
		alarm.Props.SetText(ical.PropAction, "DISPLAY")
		alarm.Props.SetText(ical.PropDescription, clean(t.Summary))
		trig := ical.NewProp(ical.PropTrigger)
		trig.SetDateTime(t.Due.UTC())
		trig.SetValueType(ical.ValueDateTime)
		alarm.Props.Set(trig)
		v.Children = append(v.Children, alarm)
	}
	cal.Children = append(cal.Children, v)
	return cal
}

// EncodeTodo is t's calendar (TodoCalendar) as CalDAV serves it: written
// by go-ical, and its long lines folded at 75 octets, which go-ical leaves
// as they are (RFC 5545 §3.1).
func EncodeTodo(t Todo) (*ical.Calendar, []byte, error) {
	cal := TodoCalendar(t)
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, nil, err
	}
	return cal, fold(buf.Bytes()), nil
}
