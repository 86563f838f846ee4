package crm_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
)

// TestLatestEvents: the latest events before a time, the latest first,
// from an account of 300 events over two and a half years (a followed
// calendar's); a page of the events before that time held the 200 oldest,
// and the forms that offered "the latest" offered those of 2024.
func TestLatestEvents(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		now := time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)
		if err := e.crm.Events.Store.DeleteEvent(ctx, e.user.ID, e.ev.ID); err != nil { // the set-up's
			t.Fatal(err)
		}
		var es []*events.Event
		for i := range 300 { // every third day back from yesterday
			at := now.AddDate(0, 0, -1-3*i).Truncate(time.Hour)
			es = append(es, e.storedEvent(fmt.Sprintf("Meetup %03d", i), at, 2*time.Hour))
		}
		later := now.AddDate(0, 0, 3)
		e.importEvents(t, append(es, e.storedEvent("Next week", later, time.Hour)))
		got, err := e.crm.LatestEvents(ctx, e.user.ID, now, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 50 {
			t.Fatalf("%d events, want 50", len(got))
		}
		for i, ev := range got {
			if want := fmt.Sprintf("Meetup %03d", i); ev.Title != want {
				t.Fatalf("event %d: %s, want %s (the latest first)", i, ev.Title, want)
			}
		}
		// Those of a window alone.
		if got, err = e.crm.LatestEventsSince(ctx, e.user.ID, now.AddDate(0, 0, -9), now, 50); err != nil || len(got) != 3 || got[2].Title != "Meetup 002" {
			t.Fatalf("the last nine days: %d events, %v", len(got), err)
		}
		// All of them, when fewer than asked for, however far back.
		if got, err = e.crm.LatestEvents(ctx, e.user.ID, now, 1000); err != nil || len(got) != 300 || got[299].Title != "Meetup 299" {
			t.Fatalf("all: %d events, %v", len(got), err)
		}
		// Those where someone was met: the 10th and the 250th latest.
		for _, i := range []int{250, 10} {
			if _, err := e.crm.LogEncounter(ctx, e.user, es[i].ID, contacts.EncounterInput{Contact: &contacts.Input{Name: fmt.Sprint("Met at ", i)},
				Moment: "other", MetAt: es[i].StartsAt.Format(time.RFC3339)}); err != nil {
				t.Fatal(err)
			}
		}
		if got, err = e.crm.LatestEventsMetAt(ctx, e.user.ID, now, 5); err != nil || len(got) != 2 || got[0].Title != "Meetup 010" || got[1].Title != "Meetup 250" {
			t.Fatalf("where someone was met: %d events, %v", len(got), err)
		}
	})
}
