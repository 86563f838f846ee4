package followup_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/followup"
)

func TestDueAt(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	for _, tc := range []struct {
		name     string
		base     time.Time
		days, hr int
		loc      string
		want     time.Time
	}{
		{"NextMorningUTC", time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC), 1, 9, "UTC", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)},
		// Met late evening in LA: that is already the next day in UTC, but the
		// thank-you is the next *local* morning.
		{"LocalDateNotUTCDate", time.Date(2026, 11, 25, 5, 30, 0, 0, time.UTC), 1, 9, "America/Los_Angeles", time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)},
		// Berlin springs forward on 2026-03-29: 9:00 local is 07:00 UTC after it, 08:00 before.
		{"AcrossSpringForward", time.Date(2026, 3, 28, 19, 0, 0, 0, time.UTC), 1, 9, "Europe/Berlin", time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC)},
		{"AcrossFallBack", time.Date(2026, 10, 24, 19, 0, 0, 0, time.UTC), 1, 9, "Europe/Berlin", time.Date(2026, 10, 25, 8, 0, 0, 0, time.UTC)},
		{"MonthAcrossDST", time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC), 30, 9, "America/New_York", time.Date(2026, 4, 9, 13, 0, 0, 0, time.UTC)},
		// A nudge hour that does not exist on the day (02:00 on spring-forward in New York) lands at 03:00.
		{"NonexistentLocalHour", time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC), 1, 2, "America/New_York", time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)},
		{"FarEastKiritimati", time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), 1, 9, "Pacific/Kiritimati", time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)},
		{"FarWestPagoPago", time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), 1, 9, "Pacific/Pago_Pago", time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC)},
		{"HalfHourKathmandu", time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), 14, 9, "Asia/Kathmandu", time.Date(2026, 12, 8, 3, 15, 0, 0, time.UTC)},
		{"SydneySummer", time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), 1, 8, "Australia/Sydney", time.Date(2026, 12, 31, 21, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := followup.DueAt(tc.base, tc.days, tc.hr, zone(tc.loc)); !got.Equal(tc.want) {
				t.Fatalf("DueAt=%v, want %v", got, tc.want)
			}
		})
	}
}

// TestValidate: a follow-up read from outside the product (a backup) is
// held to what the product writes — a kind and status of its own, a due
// time, the record its kind is about, a note no longer than one it
// writes — and each breach names its field.
func TestValidate(t *testing.T) {
	due := time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC)
	ok := func() followup.FollowUp {
		return followup.FollowUp{Kind: followup.Custom, Status: followup.Pending, ContactID: "c1", DueAt: due, Note: "Call"}
	}
	if f := ok(); f.Validate() != nil {
		t.Fatalf("a custom follow-up as written: %v", f.Validate())
	}
	for _, tc := range []struct {
		field string
		edit  func(*followup.FollowUp)
	}{
		{"kind", func(f *followup.FollowUp) { f.Kind = "" }},
		{"kind", func(f *followup.FollowUp) { f.Kind = "someday" }},
		{"due_at", func(f *followup.FollowUp) { f.DueAt = time.Time{} }},
		{"contact_id", func(f *followup.FollowUp) { f.ContactID = "" }},
		{"contact_id", func(f *followup.FollowUp) { f.Kind, f.ContactID = followup.ThankYou, "" }},
		{"event_id", func(f *followup.FollowUp) { f.Kind = followup.Prep }},
		{"opportunity_id", func(f *followup.FollowUp) { f.Kind = followup.Opportunity }},
		{"note", func(f *followup.FollowUp) { f.Note = strings.Repeat("x", 20001) }},
		{"note", func(f *followup.FollowUp) { f.Note = "a\x00b" }},
		{"status", func(f *followup.FollowUp) { f.Status = "maybe" }},
	} {
		f := ok()
		tc.edit(&f)
		fields := apperr.FieldsOf(f.Validate())
		if len(fields) != 1 || fields[0].Field != tc.field {
			t.Errorf("%+v: %v, want one error on %s", f, fields, tc.field)
		}
	}
	for _, f := range []followup.FollowUp{
		{Kind: followup.Prep, Status: followup.Pending, EventID: "e1", DueAt: due},
		{Kind: followup.Opportunity, Status: followup.Done, OpportunityID: "o1", DueAt: due},
	} {
		if err := f.Validate(); err != nil {
			t.Errorf("%s with no contact: %v", f.Kind, err)
		}
	}
}
