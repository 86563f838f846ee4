package events

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/input"
)

// fieldsOf names the fields an error reports, in order.
func fieldsOf(err error) string {
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return strings.Join(out, ",")
}

// TestInputApply: an event's defaults (two hours long, a meetup, planned,
// in the user's zone), and each refusal naming its field.
func TestInputApply(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     Input
		fields string
		check  func(t *testing.T, e *Event)
	}{
		{"Defaults", Input{Title: "GoDays", StartsAt: "2026-12-03T18:00:00Z"}, "", func(t *testing.T, e *Event) {
			if e.Kind != "meetup" || e.Status != "planned" || e.Timezone != "Europe/Berlin" || e.EndsAt.Sub(e.StartsAt) != 2*time.Hour {
				t.Errorf("%+v", e)
			}
		}},
		{"Talks", Input{Title: "GoDays", StartsAt: "2026-12-03T18:00:00Z", EndsAt: "2026-12-03T22:00:00Z", Tags: []string{"Go", "go"},
			Talks: []TalkInput{{Title: "Profiling", Speaker: "Rob"}}}, "", func(t *testing.T, e *Event) {
			if len(e.Talks) != 1 || e.Talks[0].Speaker != "Rob" || e.EndsAt.Hour() != 22 || fmt.Sprint(e.Tags) != "[Go]" || !strings.Contains(SearchText(e), "profiling") {
				t.Errorf("%+v", e)
			}
		}},
		{"NoTitle", Input{StartsAt: "2026-12-03T18:00:00Z"}, "title", nil},
		{"NoStart", Input{Title: "x"}, "starts_at", nil},
		{"BadStart", Input{Title: "x", StartsAt: "tomorrow"}, "starts_at", nil},
		{"EndsBeforeStart", Input{Title: "x", StartsAt: "2026-12-03T18:00:00Z", EndsAt: "2026-12-03T17:00:00Z"}, "ends_at", nil},
		{"BadKind", Input{Title: "x", StartsAt: "2026-12-03T18:00:00Z", Kind: "rave"}, "kind", nil},
		{"BadStatus", Input{Title: "x", StartsAt: "2026-12-03T18:00:00Z", Status: "maybe"}, "status", nil},
		{"BadZone", Input{Title: "x", StartsAt: "2026-12-03T18:00:00Z", Timezone: "Mars/Olympus"}, "timezone", nil},
		{"BadURL", Input{Title: "x", StartsAt: "2026-12-03T18:00:00Z", URL: "javascript:alert(1)"}, "url", nil},
		{"TalkWithoutTitle", Input{Title: "x", StartsAt: "2026-12-03T18:00:00Z", Talks: []TalkInput{{Speaker: "Rob"}}}, "talks[0].title", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e Event
			err := tc.in.apply(&e, "Europe/Berlin")
			if got := fieldsOf(err); (err == nil) != (tc.fields == "") || got != tc.fields {
				t.Fatalf("fields %q (%v), want %q", got, err, tc.fields)
			}
			if tc.check != nil {
				tc.check(t, &e)
			}
		})
	}
}

// TestAttendeeKey: one person on a list is their email (any case), else
// their LinkedIn profile, else their folded name.
func TestAttendeeKey(t *testing.T) {
	li := func(s string) string {
		if strings.Contains(s, "linkedin.com/in/") {
			return "linkedin.com/in/" + s[strings.LastIndex(s, "/")+1:]
		}
		return ""
	}
	for _, tc := range []struct {
		a    Attendee
		want string
	}{
		{Attendee{Name: "Ada", Email: " Ada@Example.com ", LinkedInURL: "https://linkedin.com/in/ada"}, "email:ada@example.com"},
		{Attendee{Name: "Ada", LinkedInURL: "https://www.linkedin.com/in/ada"}, "linkedin:linkedin.com/in/ada"},
		{Attendee{Name: " José  Núñez "}, "name:jose  nunez"},
	} {
		if got := AttendeeKey(&tc.a, li); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.a, got, tc.want)
		}
	}
}

// TestGuestsOf: a calendar's ATTENDEE lines as a guest list — PARTSTAT as
// a state, the address when there is no name, each person once, control
// characters dropped (and one of nothing else left out), so that a
// restore takes each back.
func TestGuestsOf(t *testing.T) {
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	got := guestsOf([]calendar.Attendee{
		{Name: "Ada", Email: "Ada@example.com", PartStat: "ACCEPTED"},
		{Email: "bob@example.com", PartStat: "TENTATIVE"},
		{Name: "Cy", Email: "cy@example.com", PartStat: "NEEDS-ACTION"},
		{Name: "Di", Email: "di@example.com", PartStat: "DECLINED"},
		{Name: "Ada again", Email: "ada@example.com"},
		{Name: "Ev\x00e", Email: "ev@example.com"},
		{Name: "\x01\x02"},
	}, now)
	var out []string
	for _, g := range got {
		out = append(out, g.Name+" "+g.Email+" "+g.Status)
		if err := g.Validate(); err != nil {
			t.Errorf("%q: a restore would refuse it: %v", g.Name, err)
		}
	}
	want := "[Ada ada@example.com going bob@example.com bob@example.com waitlist Cy cy@example.com waitlist Di di@example.com declined Eve ev@example.com going]"
	if fmt.Sprint(out) != want {
		t.Fatalf("%v\nwant %s", out, want)
	}
}

// TestWent: you went to an event you added, unless it was cancelled or
// skipped; to a followed calendar's event only when you marked it attended
// or met someone there.
func TestWent(t *testing.T) {
	for _, tc := range []struct {
		status            string
		followed, met, ok bool
	}{
		{"planned", false, false, true},
		{"attended", false, false, true},
		{"cancelled", false, true, false},
		{"skipped", false, true, false},
		{"planned", true, false, false},
		{"planned", true, true, true},
		{"attended", true, false, true},
		{"skipped", true, true, false},
	} {
		if got := Went(tc.status, tc.followed, tc.met); got != tc.ok {
			t.Errorf("%s, followed %v, met %v: %v", tc.status, tc.followed, tc.met, got)
		}
	}
}

// TestWholeDays: an event from one midnight to a later one in its own zone
// runs whole days; a minute off, an empty span or midnight elsewhere does
// not.
func TestWholeDays(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	midnight := time.Date(2026, 11, 19, 0, 0, 0, 0, berlin)
	for _, tc := range []struct {
		zone       string
		start, end time.Time
		want       bool
	}{
		{"Europe/Berlin", midnight, midnight.AddDate(0, 0, 1), true},
		{"Europe/Berlin", midnight, midnight.AddDate(0, 0, 3), true},
		{"Europe/Berlin", midnight, midnight, false},
		{"Europe/Berlin", midnight, midnight.Add(23 * time.Hour), false},
		{"Europe/Berlin", midnight.Add(time.Minute), midnight.AddDate(0, 0, 1), false},
		{"UTC", midnight, midnight.AddDate(0, 0, 1), false},
		{"Nowhere/Else", midnight.In(time.UTC).Add(time.Hour), midnight.AddDate(0, 0, 1).Add(time.Hour), true}, // unknown zone: UTC
	} {
		e := &Event{Timezone: tc.zone, StartsAt: tc.start.UTC(), EndsAt: tc.end.UTC()}
		if got := e.WholeDays(); got != tc.want {
			t.Errorf("%s %v–%v: %v", tc.zone, tc.start, tc.end, got)
		}
	}
}

// TestAttendeeValidate: a guest read from outside the product (a backup)
// needs a name, a state of the list's, and fields no longer than a list
// stores, none holding a NUL; each breach names its field.
func TestAttendeeValidate(t *testing.T) {
	ok := func() Attendee {
		return Attendee{Name: "Ann", Email: "ann@example.com", Company: "Acme", Title: "CTO", LinkedInURL: "https://www.linkedin.com/in/ann", Status: AttendeeGoing}
	}
	if a := ok(); a.Validate() != nil {
		t.Fatalf("a guest as written: %v", a.Validate())
	}
	long := strings.Repeat("x", MaxGuestField+1)
	for _, tc := range []struct {
		field string
		edit  func(*Attendee)
	}{
		{"name", func(a *Attendee) { a.Name = " " }},
		{"name", func(a *Attendee) { a.Name = strings.Repeat("x", input.MaxName+1) }},
		{"email", func(a *Attendee) { a.Email = long }},
		{"company", func(a *Attendee) { a.Company = long }},
		{"title", func(a *Attendee) { a.Title = "a\x00b" }},
		{"linkedin_url", func(a *Attendee) { a.LinkedInURL = long }},
		{"status", func(a *Attendee) { a.Status = "" }},
		{"status", func(a *Attendee) { a.Status = "maybe" }},
	} {
		a := ok()
		tc.edit(&a)
		fields := apperr.FieldsOf(a.Validate())
		if len(fields) != 1 || fields[0].Field != tc.field {
			t.Errorf("%s: %v, want one error on %s", tc.field, fields, tc.field)
		}
	}
}
