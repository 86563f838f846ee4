package crm_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
)

// TestCompanyPeopleMetOften: who you know at a company, with the ten
// latest times you met them, the latest first; and a warm path into it
// through last week's meetup. For someone met at 60 meetups, the first 50
// encounters by date were read: the last ten of those were listed
// (meetups 41 to 50, not the latest ten), and whom else you met at the
// latest ten was no path.
func TestCompanyPeopleMetOften(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		now := time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)
		jane, err := e.crm.CreateContact(ctx, e.user, contacts.Input{Name: "Jane Doe", Company: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		var es []*events.Event
		for i := range 60 { // a meetup a week, the last one a week ago
			at := now.AddDate(0, 0, -7*(60-i))
			es = append(es, e.storedEvent(fmt.Sprintf("Meetup %02d", i+1), at, 2*time.Hour))
		}
		e.importEvents(t, es)
		for _, ev := range es {
			enc := &contacts.Encounter{ID: record.NewID(), UserID: e.user.ID, EventID: ev.ID, ContactID: jane.ID, Moment: "other",
				MetAt: ev.StartsAt.Add(time.Hour), Topics: []string{}, CreatedAt: now}
			if err := e.crm.Contacts.Store.CreateEncounter(ctx, enc); err != nil {
				t.Fatal(err)
			}
		}
		bob, err := e.crm.CreateContact(ctx, e.user, contacts.Input{Name: "Bob Roe"})
		if err != nil {
			t.Fatal(err)
		}
		last := es[len(es)-1]
		if err := e.crm.Contacts.Store.CreateEncounter(ctx, &contacts.Encounter{ID: record.NewID(), UserID: e.user.ID, EventID: last.ID, ContactID: bob.ID,
			Moment: "other", MetAt: last.StartsAt, Topics: []string{}, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		page, err := e.crm.CompanyPeople(ctx, e.user.ID, jane.CompanyID, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		people := page.Items
		if len(people) != 1 {
			t.Fatalf("people at Acme: %d, want Jane", len(people))
		}
		if len(people[0].Met) != 10 {
			t.Fatalf("Jane met %d times, want the latest 10", len(people[0].Met))
		}
		for i, m := range people[0].Met {
			if want := fmt.Sprintf("Meetup %02d", 60-i); m.EventTitle != want {
				t.Fatalf("meeting %d: %s, want %s (the latest first)", i, m.EventTitle, want)
			}
		}
		paths, err := e.crm.WarmPaths(ctx, e.user.ID, jane.CompanyID)
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) != 2 || paths[1].Contact.ID != bob.ID || len(paths[1].Via) != 1 || paths[1].Via[0].EventTitle != "Meetup 60" {
			t.Fatalf("warm paths into Acme: %d, want Jane, then Bob met with her at Meetup 60: %+v", len(paths), paths)
		}
	})
}
