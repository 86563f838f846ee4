package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// allPages reads every page of a list and returns the items' ids.
func allPages[T any](tb testing.TB, read func(*record.Cursor) (*record.Page[T], error), id func(*T) string) []string {
	tb.Helper()
	var ids []string
	var cur *record.Cursor
	for range 100 {
		p, err := read(cur)
		if err != nil {
			tb.Fatal(err)
		}
		for i := range p.Items {
			ids = append(ids, id(&p.Items[i]))
		}
		if p.NextCursor == "" {
			return ids
		}
		if cur, err = record.DecodeCursor(p.NextCursor); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Fatal("more than 100 pages")
	return nil
}

// Encounters runs the encounters, interactions and intros contract.
func Encounters(t *testing.T, open OpenContacts) {
	ctx := context.Background()
	enc := func(user, event, contact string, minute int) *contacts.Encounter {
		return &contacts.Encounter{ID: nextID(), UserID: user, EventID: event, ContactID: contact, Moment: "after_talk",
			MetAt: clock.Add(time.Duration(minute) * time.Minute), Notes: "n", Topics: []string{"Go", "wasm"}, CreatedAt: clock}
	}
	t.Run("Encounters", func(t *testing.T) {
		s := open(t)
		if none, err := s.EventsMetAt(ctx, "u1", []string{"e1"}); err != nil || len(none) != 0 { // none stored yet
			t.Fatalf("EventsMetAt(e1) of a new store=%v, %v", none, err)
		}
		var want []string
		for i, c := range []string{"c1", "c2", "c1", "c3", "c2"} {
			e := enc("u1", "e1", c, 10-i) // met in reverse order of creation
			if err := s.CreateEncounter(ctx, e); err != nil {
				t.Fatal(err)
			}
			want = append([]string{e.ID}, want...)
		}
		s.CreateEncounter(ctx, enc("u1", "e2", "c1", 0))
		s.CreateEncounter(ctx, enc("u2", "e1", "c9", 0))
		got := allPages(t, func(c *record.Cursor) (*record.Page[contacts.Encounter], error) {
			return s.Encounters(ctx, "u1", contacts.EncounterQuery{EventID: "e1", Limit: 2, Cursor: c})
		}, func(e *contacts.Encounter) string { return e.ID })
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("encounters at e1 by met_at: %v, want %v", got, want)
		}
		newest := allPages(t, func(c *record.Cursor) (*record.Page[contacts.Encounter], error) {
			return s.Encounters(ctx, "u1", contacts.EncounterQuery{EventID: "e1", Limit: 2, Cursor: c, NewestFirst: true})
		}, func(e *contacts.Encounter) string { return e.ID })
		for i := range want {
			if newest[i] != want[len(want)-1-i] {
				t.Fatalf("encounters at e1, newest first: %v, want the reverse of %v", newest, want)
			}
		}
		p, err := s.Encounters(ctx, "u1", contacts.EncounterQuery{ContactID: "c1"})
		if err != nil || len(p.Items) != 3 || p.Items[0].EventID != "e2" || fmt.Sprint(p.Items[1].Topics) != "[Go wasm]" {
			t.Fatalf("encounters with c1: %+v, %v", p, err)
		}
		latest, err := s.LatestEncounters(ctx, "u1", []string{"c1", "c2", "c3", "c9", "nope"})
		if err != nil || len(latest) != 3 || latest["c1"].ID != want[4] || latest["c2"].ID != want[3] || latest["c3"].ID != want[1] {
			t.Fatalf("LatestEncounters=%+v, %v", latest, err)
		}
		with, err := s.EncountersWith(ctx, "u1", []string{"c3", "c1", "c9", "nope"})
		var withIDs []string
		for _, e := range with {
			withIDs = append(withIDs, e.ContactID+"@"+e.EventID)
		}
		if err != nil || fmt.Sprint(withIDs) != "[c1@e2 c1@e1 c1@e1 c3@e1]" || fmt.Sprint(with[1].Topics) != "[Go wasm]" {
			t.Fatalf("EncountersWith(c3, c1, another user's c9)=%v, %v; want by contact, then met_at", withIDs, err)
		}
		if none, err := s.EncountersWith(ctx, "u1", nil); err != nil || len(none) != 0 {
			t.Fatalf("EncountersWith(none)=%v, %v", none, err)
		}
		ids, err := s.ContactIDsAtEvent(ctx, "u1", "e1")
		if err != nil || fmt.Sprint(ids) != "[c2 c3 c1]" {
			t.Fatalf("ContactIDsAtEvent=%v, %v; want each once, first met first", ids, err)
		}
		// e1 and e2 (u1 met people there), not e3 (nobody) or u2's e9.
		s.CreateEncounter(ctx, enc("u2", "e9", "c9", 0))
		if met, err := s.EventsMetAt(ctx, "u1", []string{"e2", "e3", "e1", "e9"}); err != nil || len(met) != 2 || !met["e1"] || !met["e2"] {
			t.Fatalf("EventsMetAt(e2, e3, e1, another user's e9)=%v, %v; want e1 and e2", met, err)
		}
		if none, err := s.EventsMetAt(ctx, "u1", nil); err != nil || len(none) != 0 {
			t.Fatalf("EventsMetAt(none)=%v, %v", none, err)
		}
		if none, err := s.EventsMetAt(ctx, "u1", []string{"e3", "e9"}); err != nil || len(none) != 0 {
			t.Fatalf("EventsMetAt(e3, another user's e9)=%v, %v; want none", none, err)
		}
		wantKind(t, errOf(s.DeleteEncounter(ctx, "u2", want[0])), apperr.NotFound)
		if gone, err := s.DeleteEncounter(ctx, "u1", want[0]); err != nil || gone.ID != want[0] || gone.EventID != "e1" || gone.ContactID == "" || gone.MetAt.IsZero() {
			t.Fatalf("DeleteEncounter = %+v, %v", gone, err)
		}
		wantKind(t, errOf(s.DeleteEncounter(ctx, "u1", want[0])), apperr.NotFound)
		removed, err := s.DeleteEncountersOf(ctx, "u1", contacts.ByContact, []string{"c1", "c9"})
		if err != nil || len(removed) != 3 {
			t.Fatalf("DeleteEncountersOf(c1, c9)=%v, %v; want 3", removed, err)
		}
		if none, err := s.DeleteEncountersOf(ctx, "u1", contacts.ByContact, nil); err != nil || len(none) != 0 {
			t.Fatalf("DeleteEncountersOf(none)=%v, %v", none, err)
		}
		removed, err = s.DeleteEncountersOf(ctx, "u1", contacts.ByEvent, []string{"e1"})
		if err != nil || len(removed) != 2 {
			t.Fatalf("DeleteEncountersOf(e1)=%v, %v; want the 2 left (c2, c3)", removed, err)
		}
		if p, _ := s.Encounters(ctx, "u2", contacts.EncounterQuery{EventID: "e1"}); len(p.Items) != 1 {
			t.Fatal("another user's encounter went too")
		}
	})
	t.Run("Interactions", func(t *testing.T) {
		s := open(t)
		var want []string
		for i := range 5 {
			it := &contacts.Interaction{ID: nextID(), UserID: "u1", ContactID: "c1", Kind: "call", At: clock.Add(time.Duration(i) * time.Hour), CreatedAt: clock}
			if err := s.CreateInteraction(ctx, it); err != nil {
				t.Fatal(err)
			}
			want = append([]string{it.ID}, want...)
		}
		theirs := &contacts.Interaction{ID: nextID(), UserID: "u2", ContactID: "c1", Kind: "call", At: clock, CreatedAt: clock}
		s.CreateInteraction(ctx, theirs)
		got := allPages(t, func(c *record.Cursor) (*record.Page[contacts.Interaction], error) {
			return s.Interactions(ctx, "u1", "c1", 2, c)
		}, func(it *contacts.Interaction) string { return it.ID })
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("interactions newest first: %v, want %v", got, want)
		}
		// One removed is handed back whole; another user's is not found.
		wantKind(t, errOf(s.DeleteInteraction(ctx, "u1", theirs.ID)), apperr.NotFound)
		gone, err := s.DeleteInteraction(ctx, "u1", want[1])
		if err != nil || gone.ID != want[1] || gone.ContactID != "c1" || gone.Kind != "call" || !gone.At.Equal(clock.Add(3*time.Hour)) {
			t.Fatalf("DeleteInteraction = %+v, %v", gone, err)
		}
		wantKind(t, errOf(s.DeleteInteraction(ctx, "u1", want[1])), apperr.NotFound)
		if p, _ := s.Interactions(ctx, "u1", "c1", 0, nil); len(p.Items) != 4 || p.Items[1].ID != want[2] {
			t.Fatalf("after one was removed: %d left", len(p.Items))
		}
		if err := s.DeleteInteractionsOf(ctx, "u1", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteInteractionsOf(ctx, "u1", []string{"c1", "c2"}); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.Interactions(ctx, "u1", "c1", 0, nil); len(p.Items) != 0 {
			t.Fatal("interactions left")
		}
		if p, _ := s.Interactions(ctx, "u2", "c1", 0, nil); len(p.Items) != 1 {
			t.Fatal("another user's interaction went too")
		}
	})
	t.Run("Intros", func(t *testing.T) {
		s := open(t)
		mk := func(a, b, status string, minute int) *contacts.Intro {
			at := clock.Add(time.Duration(minute) * time.Minute)
			it := &contacts.Intro{ID: nextID(), UserID: "u1", ContactIDs: []string{a, b}, EventID: "e1", Context: "both like Go",
				Status: status, CreatedAt: at, UpdatedAt: at}
			if err := s.CreateIntro(ctx, it); err != nil {
				t.Fatal(err)
			}
			return it
		}
		ab := mk("a", "b", contacts.IntroProposed, 0)
		bc := mk("b", "c", contacts.IntroMade, 1)
		cd := mk("c", "d", contacts.IntroMade, 2)
		got, err := s.Intro(ctx, "u1", ab.ID)
		if err != nil || fmt.Sprint(got.ContactIDs) != "[a b]" || got.Context != "both like Go" || !got.CreatedAt.Equal(clock) {
			t.Fatalf("Intro=%+v, %v", got, err)
		}
		wantKind(t, errOf(s.Intro(ctx, "u2", ab.ID)), apperr.NotFound)
		with, err := s.IntrosWith(ctx, "u1", []string{"a", "c", "z"})
		if err != nil || len(with) != 3 || with[0].ID != ab.ID || with[1].ID != bc.ID || with[2].ID != cd.ID {
			t.Fatalf("IntrosWith(a, c)=%+v, %v; want all three, each once, oldest first", with, err)
		}
		if with, err := s.IntrosWith(ctx, "u2", []string{"a"}); err != nil || len(with) != 0 {
			t.Fatalf("another user's IntrosWith(a)=%+v, %v", with, err)
		}
		if none, err := s.IntrosWith(ctx, "u1", nil); err != nil || len(none) != 0 {
			t.Fatalf("IntrosWith(none)=%v, %v", none, err)
		}
		ids := allPages(t, func(c *record.Cursor) (*record.Page[contacts.Intro], error) {
			return s.Intros(ctx, "u1", contacts.IntroQuery{ContactID: "b", Limit: 1, Cursor: c})
		}, func(it *contacts.Intro) string { return it.ID })
		if fmt.Sprint(ids) != fmt.Sprint([]string{ab.ID, bc.ID}) {
			t.Fatalf("intros of b: %v", ids)
		}
		newest := allPages(t, func(c *record.Cursor) (*record.Page[contacts.Intro], error) {
			return s.Intros(ctx, "u1", contacts.IntroQuery{Limit: 2, Cursor: c, NewestFirst: true})
		}, func(it *contacts.Intro) string { return it.ID })
		if fmt.Sprint(newest) != fmt.Sprint([]string{cd.ID, bc.ID, ab.ID}) {
			t.Fatalf("intros newest first, two a page: %v", newest)
		}
		elsewhere := &contacts.Intro{ID: nextID(), UserID: "u1", ContactIDs: []string{"a", "d"}, EventID: "e2", Status: contacts.IntroProposed,
			CreatedAt: clock, UpdatedAt: clock}
		if err := s.CreateIntro(ctx, elsewhere); err != nil {
			t.Fatal(err)
		}
		if p, err := s.Intros(ctx, "u1", contacts.IntroQuery{EventID: "e2"}); err != nil || len(p.Items) != 1 || p.Items[0].ID != elsewhere.ID {
			t.Fatalf("intros made at e2: %+v, %v", p, err)
		}
		if p, _ := s.Intros(ctx, "u1", contacts.IntroQuery{EventID: "e1"}); len(p.Items) != 3 {
			t.Fatalf("intros made at e1: %d, want 3", len(p.Items))
		}
		if p, _ := s.Intros(ctx, "u2", contacts.IntroQuery{EventID: "e2"}); len(p.Items) != 0 {
			t.Fatal("another user's intros at an event")
		}
		if p, _ := s.Intros(ctx, "u1", contacts.IntroQuery{Status: contacts.IntroMade}); len(p.Items) != 2 {
			t.Fatalf("made intros: %d, want 2", len(p.Items))
		}
		moved, err := s.MoveIntro(ctx, "u1", ab.ID, contacts.IntroProposed, contacts.IntroAccepted, "went well", clock.Add(time.Hour))
		if err != nil || moved.Status != contacts.IntroAccepted || moved.Outcome != "went well" || !moved.UpdatedAt.Equal(clock.Add(time.Hour)) {
			t.Fatalf("MoveIntro=%+v, %v", moved, err)
		}
		// The same move again: its status is no longer "proposed".
		wantKind(t, errOf(s.MoveIntro(ctx, "u1", ab.ID, contacts.IntroProposed, contacts.IntroAccepted, "", clock)), apperr.Conflict)
		wantKind(t, errOf(s.MoveIntro(ctx, "u2", ab.ID, contacts.IntroAccepted, contacts.IntroMade, "", clock)), apperr.NotFound)
		if err := s.DetachIntrosFromEvent(ctx, "u1", "e1", clock.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Intro(ctx, "u1", cd.ID); got.EventID != "" || !got.UpdatedAt.Equal(clock.Add(2*time.Hour)) {
			t.Fatalf("after detaching the event: %+v", got)
		}
		removed, err := s.DeleteIntrosOf(ctx, "u1", []string{"c", "zz"})
		if err != nil || len(removed) != 2 {
			t.Fatalf("DeleteIntrosOf(c, zz)=%v, %v", removed, err)
		}
		wantKind(t, errOf(s.Intro(ctx, "u1", bc.ID)), apperr.NotFound)
	})
}
