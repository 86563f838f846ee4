package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
)

// attendee makes an attendee of name, keyed as the domain keys it.
func attendee(name, email, status string, at time.Time) events.Attendee {
	a := events.Attendee{ID: nextID(), Name: name, Email: email, Status: status, CreatedAt: at, UpdatedAt: at}
	a.Key = events.AttendeeKey(&a, contacts.NormalizeLinkedIn)
	return a
}

// Attendees runs the events.AttendeeStore contract: upsert by key (added,
// updated, never duplicated — also by imports racing), a list in name
// order by pages, deletes, and one user's or event's list never another's.
func Attendees(t *testing.T, open func(testing.TB) events.AttendeeStore) {
	ctx := context.Background()
	t.Run("Upsert", func(t *testing.T) {
		s := open(t)
		added, updated, err := s.UpsertAttendees(ctx, "u1", "e1", []events.Attendee{
			attendee("Zoë Zed", "zoe@example.com", events.AttendeeGoing, clock),
			attendee("Ana Lima", "", events.AttendeeWaitlist, clock),
			attendee("Bob Ek", "bob@example.com", events.AttendeeGoing, clock),
		})
		if err != nil || added != 3 || updated != 0 {
			t.Fatalf("first import: added %d, updated %d, %v", added, updated, err)
		}
		// Again: Zoë checked in, Ana by name again, one new.
		later := clock.Add(time.Hour)
		again := []events.Attendee{
			attendee("Zoë Zed-Smith", "ZOE@example.com", events.AttendeeCheckedIn, later),
			attendee("ana lima", "", events.AttendeeGoing, later),
			attendee("Cy New", "cy@example.com", events.AttendeeGoing, later),
		}
		again[0].Key = events.AttendeeKey(&again[0], contacts.NormalizeLinkedIn)
		added, updated, err = s.UpsertAttendees(ctx, "u1", "e1", again)
		if err != nil || added != 1 || updated != 2 {
			t.Fatalf("second import: added %d, updated %d, %v", added, updated, err)
		}
		page, err := s.Attendees(ctx, "u1", "e1", 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range page.Items {
			got = append(got, fmt.Sprintf("%s %s %s", a.Name, a.Status, a.UpdatedAt.Sub(a.CreatedAt)))
		}
		want := "[ana lima going 1h0m0s Bob Ek going 0s Cy New going 0s Zoë Zed-Smith checked_in 1h0m0s]"
		if fmt.Sprint(got) != want {
			t.Fatalf("the list %v\nwant %s", got, want)
		}
		// Another user's and another event's lists are their own.
		if p, _ := s.Attendees(ctx, "u2", "e1", 0, nil); len(p.Items) != 0 {
			t.Fatal("another user reads the list")
		}
		if _, _, err := s.UpsertAttendees(ctx, "u1", "e2", []events.Attendee{attendee("Bob Ek", "bob@example.com", events.AttendeeGoing, clock)}); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.Attendees(ctx, "u1", "e2", 0, nil); len(p.Items) != 1 {
			t.Fatalf("event e2's list: %d", len(p.Items))
		}
		// Delete one (not through another user or event), then the list.
		bob := page.Items[1]
		if got, err := s.Attendee(ctx, "u1", "e1", bob.ID); err != nil || got.Name != "Bob Ek" || got.Email != "bob@example.com" {
			t.Fatalf("Attendee=%+v, %v", got, err)
		}
		wantKind(t, errOf(s.Attendee(ctx, "u2", "e1", bob.ID)), apperr.NotFound)
		wantKind(t, errOf(s.Attendee(ctx, "u1", "e2", bob.ID)), apperr.NotFound)
		wantKind(t, s.DeleteAttendee(ctx, "u2", "e1", bob.ID), apperr.NotFound)
		wantKind(t, s.DeleteAttendee(ctx, "u1", "e2", bob.ID), apperr.NotFound)
		if err := s.DeleteAttendee(ctx, "u1", "e1", bob.ID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, s.DeleteAttendee(ctx, "u1", "e1", bob.ID), apperr.NotFound)
		if err := s.DeleteAttendeesOf(ctx, "u1", "e1"); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.Attendees(ctx, "u1", "e1", 0, nil); len(p.Items) != 0 {
			t.Fatal("the list outlived DeleteAttendeesOf")
		}
		if p, _ := s.Attendees(ctx, "u1", "e2", 0, nil); len(p.Items) != 1 {
			t.Fatal("DeleteAttendeesOf took another event's list")
		}
	})
	t.Run("Pages", func(t *testing.T) {
		s := open(t)
		var as []events.Attendee
		for i := range 7 {
			as = append(as, attendee(fmt.Sprintf("Person %d", 6-i), fmt.Sprintf("p%d@example.com", i), events.AttendeeGoing, clock))
		}
		if _, _, err := s.UpsertAttendees(ctx, "u1", "e1", as); err != nil {
			t.Fatal(err)
		}
		var names []string
		ids := allPages(t, func(c *record.Cursor) (*record.Page[events.Attendee], error) {
			p, err := s.Attendees(ctx, "u1", "e1", 3, c)
			if p != nil {
				for _, a := range p.Items {
					names = append(names, a.Name)
				}
			}
			return p, err
		}, func(a *events.Attendee) string { return a.ID })
		if len(ids) != 7 || names[0] != "Person 0" || names[6] != "Person 6" {
			t.Fatalf("pages of three: %v", names)
		}
		all, err := s.AttendeesOf(ctx, "u1", "e1", 5)
		if err != nil || len(all) != 5 || all[0].Name != "Person 0" || all[4].Name != "Person 4" {
			t.Fatalf("AttendeesOf, at most 5: %v, %v", all, err)
		}
		if none, err := s.AttendeesOf(ctx, "u2", "e1", 5); err != nil || len(none) != 0 {
			t.Fatalf("another user's AttendeesOf: %v, %v", none, err)
		}
		at := clock
		wantKind(t, errOf(s.Attendees(ctx, "u1", "e1", 3, &record.Cursor{T: &at, ID: "x"})), apperr.Invalid)
	})
	t.Run("Named", func(t *testing.T) {
		s := open(t)
		as := []events.Attendee{attendee("Zoe Quinn", "zoe@globex.example", events.AttendeeGoing, clock),
			attendee("zoe quinn", "zq@example.com", events.AttendeeGoing, clock), attendee("Zoe Quinnell", "", events.AttendeeGoing, clock)}
		if _, _, err := s.UpsertAttendees(ctx, "u1", "e1", as); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.UpsertAttendees(ctx, "u1", "e2", []events.Attendee{attendee("Zoe Quinn", "", events.AttendeeGoing, clock)}); err != nil {
			t.Fatal(err)
		}
		got, err := s.AttendeesNamed(ctx, "u1", "e1", "ZOE QUINN", 5)
		if err != nil || len(got) != 2 || got[0].EventID != "e1" || got[1].EventID != "e1" {
			t.Fatalf("the two of that name (case aside), not Quinnell nor e2's: %+v, %v", got, err)
		}
		if one, err := s.AttendeesNamed(ctx, "u1", "e1", "zoe quinn", 1); err != nil || len(one) != 1 {
			t.Fatalf("at most 1: %+v, %v", one, err)
		}
		if none, err := s.AttendeesNamed(ctx, "u2", "e1", "zoe quinn", 5); err != nil || len(none) != 0 {
			t.Fatalf("another user's: %+v, %v", none, err)
		}
	})
	t.Run("ConcurrentImports", func(t *testing.T) {
		// Four imports of the same 60 people at once: 60 on the list, each
		// added once. (240 upserts at once, more than a pool of 100
		// connections: FerretDB 1.24 hung on them sent in one request each.)
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		s := open(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var as []events.Attendee
				for i := range 60 {
					as = append(as, attendee(fmt.Sprintf("P%02d", i), fmt.Sprintf("p%d@example.com", i), events.AttendeeGoing, clock))
				}
				added, _, err := s.UpsertAttendees(ctx, "u1", "e1", as)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += added
				mu.Unlock()
			}()
		}
		wg.Wait()
		p, err := s.Attendees(ctx, "u1", "e1", 200, nil)
		if err != nil || len(p.Items) != 60 || total != 60 {
			t.Fatalf("after four imports at once: %d on the list, %d added, %v", len(p.Items), total, err)
		}
	})
}
