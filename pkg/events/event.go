package events

import (
	"slices"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/pkg/input"
)

// Kinds and statuses of events (PRODUCT.md §3).
var (
	Kinds    = []string{"meetup", "conference", "workshop", "webinar", "other"}
	Statuses = []string{"planned", "attended", "skipped", "cancelled"}
)

// Event is a meetup, conference, workshop or webinar the user goes to.
type Event struct {
	ID        string    `json:"id"`
	UserID    string    `json:"-"`
	Title     string    `json:"title"`
	Kind      string    `json:"kind"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Timezone  string    `json:"timezone"`
	Location  string    `json:"location"`
	URL       string    `json:"url"`
	Organizer string    `json:"organizer"`
	Talks     []Talk    `json:"talks"`
	Tags      []string  `json:"tags"`
	Notes     string    `json:"notes"`
	Status    string    `json:"status"`
	Sequence  int       `json:"sequence"`
	// Intentions, Targets and Series are why you go (why.go).
	Intentions Intentions `json:"intentions"`
	Targets    Targets    `json:"targets"`
	Series     string     `json:"series"`
	// Source is set on events a calendar import brought in.
	Source    *Source   `json:"source,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Zone is the event's own time zone (UTC if it names none this server
// knows).
func (e *Event) Zone() *time.Location {
	if loc, err := input.LoadZone(e.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// WholeDays reports whether e runs whole days in its own zone: from one
// midnight to a later one, as a calendar's all-day event
// (DTSTART;VALUE=DATE) is stored.
func (e *Event) WholeDays() bool {
	loc := e.Zone()
	start, end := e.StartsAt.In(loc), e.EndsAt.In(loc)
	midnight := func(t time.Time) bool {
		return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
	}
	return end.After(start) && midnight(start) && midnight(end)
}

// Talk is one talk at an event.
type Talk struct {
	Title    string     `json:"title"`
	Speaker  string     `json:"speaker"`
	StartsAt *time.Time `json:"starts_at"`
}

// Source says which imported calendar an event came from.
type Source struct {
	CalendarID string `json:"calendar_id"`
	UID        string `json:"uid"`
}

// Went says whether the user went to an earlier event of this status, and
// so saw its talks (followed: it came from a followed calendar; met:
// someone was met there): not if it was cancelled or skipped; if it was
// attended, or someone was met there; and if the user added it by hand. A
// followed calendar's event, nobody met and not marked attended, is one
// the group held, not one the user went to.
func Went(status string, followed, met bool) bool {
	switch {
	case status == "cancelled" || status == "skipped":
		return false
	case status == "attended" || met:
		return true
	}
	return !followed
}

// Input is the body of POST /v1/events and the patchable view of an event.
type Input struct {
	Title     string      `json:"title"`
	Kind      string      `json:"kind,omitempty"`
	StartsAt  string      `json:"starts_at"`
	EndsAt    string      `json:"ends_at,omitempty"`
	Timezone  string      `json:"timezone,omitempty"`
	Location  string      `json:"location,omitempty"`
	URL       string      `json:"url,omitempty"`
	Organizer string      `json:"organizer,omitempty"`
	Talks     []TalkInput `json:"talks,omitempty"`
	Tags      []string    `json:"tags,omitempty"`
	Notes     string      `json:"notes,omitempty"`
	Status    string      `json:"status,omitempty"`
	// Intentions, Targets and Series: PRODUCT.md §11 (why.go).
	Intentions Intentions `json:"intentions"`
	Targets    []Target   `json:"targets,omitempty"`
	Series     string     `json:"series,omitempty"`
}

// TalkInput is one talk as clients send it.
type TalkInput struct {
	Title    string `json:"title"`
	Speaker  string `json:"speaker,omitempty"`
	StartsAt string `json:"starts_at,omitempty"`
}

// inputOf returns the patchable view of e.
func inputOf(e *Event) Input {
	in := Input{
		Title: e.Title, Kind: e.Kind, StartsAt: e.StartsAt.Format(time.RFC3339Nano), EndsAt: e.EndsAt.Format(time.RFC3339Nano),
		Timezone: e.Timezone, Location: e.Location, URL: e.URL, Organizer: e.Organizer, Tags: e.Tags, Notes: e.Notes, Status: e.Status,
		Intentions: e.Intentions, Targets: e.Targets, Series: e.Series,
	}
	for _, t := range e.Talks {
		ti := TalkInput{Title: t.Title, Speaker: t.Speaker}
		if t.StartsAt != nil {
			ti.StartsAt = t.StartsAt.Format(time.RFC3339Nano)
		}
		in.Talks = append(in.Talks, ti)
	}
	return in
}

// Validate checks in as Create would, without storing anything.
func (in Input) Validate(defTZ string) error {
	return in.apply(&Event{}, defTZ)
}

// Validate checks e, read from outside the product (a backup), against
// the rules every event is written under: Input's, and a kind and a
// status, which Input defaults when they are left out but every stored
// event has.
func (e *Event) Validate() error {
	if err := inputOf(e).Validate("UTC"); err != nil {
		return err
	}
	var c input.Checker
	c.RequiredOneOf("kind", e.Kind, Kinds...)
	c.RequiredOneOf("status", e.Status, Statuses...)
	return c.Err()
}

// apply validates in and writes it into e; defTZ is the user's time zone.
func (in Input) apply(e *Event, defTZ string) error {
	var c input.Checker
	e.Title = c.Required("title", in.Title, input.MaxName)
	e.Kind = c.OneOf("kind", in.Kind, "meetup", Kinds...)
	starts := c.Time("starts_at", in.StartsAt)
	if starts == nil && in.StartsAt == "" {
		c.Add("starts_at", "is required")
	}
	ends := c.Time("ends_at", in.EndsAt)
	if starts != nil {
		e.StartsAt = *starts
		e.EndsAt = starts.Add(2 * time.Hour)
		if ends != nil {
			if ends.Before(*starts) {
				c.Add("ends_at", "is before starts_at")
			}
			e.EndsAt = *ends
		}
	}
	e.Timezone = c.Timezone("timezone", in.Timezone, defTZ)
	e.Location = c.Text("location", in.Location, input.MaxShort)
	e.URL = c.URL("url", in.URL)
	e.Organizer = c.Text("organizer", in.Organizer, input.MaxShort)
	if len(in.Talks) > input.MaxListLen {
		c.Add("talks", "has %d talks; at most %d", len(in.Talks), input.MaxListLen)
	}
	e.Talks = make([]Talk, 0, len(in.Talks))
	for i, t := range in.Talks {
		f := "talks[" + strconv.Itoa(i) + "]"
		talk := Talk{Title: c.Required(f+".title", t.Title, input.MaxName), Speaker: c.Text(f+".speaker", t.Speaker, input.MaxName)}
		talk.StartsAt = c.Time(f+".starts_at", t.StartsAt)
		e.Talks = append(e.Talks, talk)
	}
	e.Tags = c.Tags("tags", in.Tags)
	e.Notes = c.Text("notes", in.Notes, input.MaxNotes)
	e.Status = c.OneOf("status", in.Status, "planned", Statuses...)
	checkWhy(&c, in, e)
	if err := c.Err(); err != nil {
		return err
	}
	return nil
}

// SearchText is what the q= filter of an event list matches: its title,
// place, organizer, notes, tags and talks, folded (input.SearchText). The
// stores keep it beside the event.
func SearchText(e *Event) string {
	parts := []string{e.Title, e.Location, e.Organizer, e.Notes}
	parts = append(parts, e.Tags...)
	for _, t := range e.Talks {
		parts = append(parts, t.Title, t.Speaker)
	}
	return input.SearchText(parts...)
}

// UnderWay reports whether the event has begun and not yet ended at t
// (the log form offers, and preselects, the one under way).
func UnderWay(e *Event, t time.Time) bool {
	return !e.StartsAt.After(t) && e.EndsAt.After(t)
}

// MomentAt says when, against the event's talks, a meeting at t happened
// (PRODUCT.md §7): before the first talk "before_talk", during a talk
// "during_talk" (a talk lasts until the next one starts, or the event
// ends), after them "after_talk". An event without timed talks counts as
// one talk from its start to its end.
func MomentAt(e *Event, t time.Time) string {
	first, end := talkSpan(e)
	switch {
	case t.Before(first):
		return "before_talk"
	case t.Before(end):
		return "during_talk"
	}
	return "after_talk"
}

// talkSpan is when the event's first talk starts and its last ends (the
// event's end, or the last talk's start if that is later); without timed
// talks, the event's start and end.
func talkSpan(e *Event) (first, end time.Time) {
	var starts []time.Time
	for _, talk := range e.Talks {
		if talk.StartsAt != nil {
			starts = append(starts, *talk.StartsAt)
		}
	}
	if len(starts) == 0 {
		starts = []time.Time{e.StartsAt}
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	end = e.EndsAt
	if end.Before(starts[len(starts)-1]) {
		end = starts[len(starts)-1]
	}
	return starts[0], end
}

// StillOn is how long after its end an event still counts as on: a
// meeting logged within it (the drinks, the way home) happened when logged.
const StillOn = 6 * time.Hour

// MetAt is when a meeting at e with moment, logged at now with no time of
// its own, took place: now while the event is ahead, on, or within
// StillOn of its end; logged later (the next day, at the desk, from the
// guest list) the event's own time for the moment, which MomentAt reads
// back as that moment — before the first talk, at its start, at the end
// of the last ("other": the event's start).
func MetAt(e *Event, moment string, now time.Time) time.Time {
	first, end := talkSpan(e)
	if now.Before(end.Add(StillOn)) {
		return now
	}
	switch moment {
	case "before_talk":
		if e.StartsAt.Before(first) {
			return e.StartsAt
		}
		return first.Add(-time.Minute)
	case "during_talk":
		return first
	case "after_talk":
		return end
	}
	return e.StartsAt
}
