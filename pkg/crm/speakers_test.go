package crm_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
)

// TestPrepSpeakersSeenLately: where you saw an event's speaker before,
// the latest first, on an account of 1,100 events in the two years before
// it (a followed calendar's). The first 1,000 of those by start were read,
// so the talk of last month was not among them; one at an event you
// cancelled is not where you saw them. Nor is a followed calendar's event
// where you met nobody and that you did not mark attended: the group held
// it, and you were not there. Its event where you met someone is.
func TestPrepSpeakersSeenLately(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		talk := []events.Talk{{Title: "Generics", Speaker: "Rob Pike"}}
		ev := *e.ev
		ev.Talks = talk
		if err := e.crm.Events.Store.UpdateEvent(ctx, &ev); err != nil {
			t.Fatal(err)
		}
		mk := func(title string, at time.Time, status string, talks []events.Talk) *events.Event {
			ev := e.storedEvent(title, at, 2*time.Hour)
			ev.Status, ev.Talks = status, talks
			return ev
		}
		var es []*events.Event
		for i := range 1100 { // every 15 hours back from two days before
			es = append(es, mk(fmt.Sprintf("Calendar %04d", i), ev.StartsAt.AddDate(0, 0, -2).Add(-time.Duration(i)*15*time.Hour), "planned", []events.Talk{}))
		}
		es = append(es, mk("GopherCon EU 2025", ev.StartsAt.AddDate(0, 0, -600), "attended", talk),
			mk("GoDays 2026", ev.StartsAt.AddDate(0, 0, -30), "planned", []events.Talk{{Title: "Less is more", Speaker: "rob pike"}}),
			mk("Cancelled meetup", ev.StartsAt.AddDate(0, 0, -7), "cancelled", talk))
		went, missed := mk("Berlin Go #10", ev.StartsAt.AddDate(0, 0, -60), "planned", talk), mk("Berlin Go #12", ev.StartsAt.AddDate(0, 0, -14), "planned", talk)
		for _, g := range []*events.Event{went, missed} {
			g.Source = &events.Source{CalendarID: "berlin-go", UID: g.Title}
		}
		e.importEvents(t, append(es, went, missed))
		kim, err := e.crm.CreateContact(ctx, e.user, contacts.Input{Name: "Kim Lee"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.crm.Contacts.Store.CreateEncounter(ctx, &contacts.Encounter{ID: record.NewID(), UserID: e.user.ID, EventID: went.ID, ContactID: kim.ID,
			Moment: "after_talk", MetAt: went.StartsAt.Add(time.Hour), Topics: []string{}, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		p, err := e.crm.Prep(ctx, e.user, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Speakers) != 1 {
			t.Fatalf("speakers: %+v, want Rob Pike", p.Speakers)
		}
		if want := []string{"GoDays 2026", "Berlin Go #10", "GopherCon EU 2025"}; !slices.Equal(p.Speakers[0].SeenAt, want) {
			t.Fatalf("Rob Pike seen at %q, want %q", p.Speakers[0].SeenAt, want)
		}
	})
}
