package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
)

// jsonMarshal is json.Marshal (for messages).
var jsonMarshal = json.Marshal

// sameJSON reports whether a and b encode to the same JSON (what clients see).
func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// OpenEvents opens a fresh, empty events store for one test.
type OpenEvents func(tb testing.TB) events.Store

func newEvent(userID, title string, day int, tags ...string) *events.Event {
	start := clock.AddDate(0, 0, day)
	talkAt := start.Add(30 * time.Minute)
	return &events.Event{ID: nextID(), UserID: userID, Title: title, Kind: "meetup", StartsAt: start, EndsAt: start.Add(2 * time.Hour),
		Timezone: "Europe/Berlin", Location: "Berlin", Talks: []events.Talk{{Title: "Generics in anger", Speaker: "Rob", StartsAt: &talkAt}},
		Tags: append([]string{}, tags...), Status: "planned", CreatedAt: clock, UpdatedAt: clock}
}

// Events runs the events.Store contract against open.
func Events(t *testing.T, open OpenEvents) {
	ctx := context.Background()
	t.Run("CRUD", func(t *testing.T) {
		s := open(t)
		e := newEvent("u1", "Go meetup", 1, "go", "Berlin")
		e.Source = &events.Source{CalendarID: "cal1", UID: "uid-1"}
		if err := s.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		got, err := s.Event(ctx, "u1", e.ID)
		if err != nil || !sameJSON(got, e) {
			t.Fatalf("Event=%+v, %v\nwant %+v", got, err, e)
		}
		wantKind(t, errOf(s.Event(ctx, "u2", e.ID)), apperr.NotFound)
		e.Title, e.Sequence, e.UpdatedAt = "Go meetup #2", 1, clock.Add(time.Hour)
		if err := s.UpdateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Event(ctx, "u1", e.ID); got.Title != "Go meetup #2" || got.Sequence != 1 {
			t.Fatalf("after update: %+v", got)
		}
		other := *e
		other.UserID = "u2"
		wantKind(t, s.UpdateEvent(ctx, &other), apperr.NotFound)
		if got, err := s.EventsFromCalendar(ctx, "u1", "cal1"); err != nil || len(got) != 1 || got[0].Source.UID != "uid-1" {
			t.Fatalf("EventsFromCalendar=%v, %v", got, err)
		}
		wantKind(t, s.DeleteEvent(ctx, "u2", e.ID), apperr.NotFound)
		if err := s.DeleteEvent(ctx, "u1", e.ID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, errOf(s.Event(ctx, "u1", e.ID)), apperr.NotFound)
	})
	t.Run("List", func(t *testing.T) {
		s := open(t)
		var all []*events.Event
		for i, title := range []string{"d3", "d1", "d5", "d2", "d4"} {
			day := int(title[1] - '0')
			e := newEvent("u1", title, day)
			if i%2 == 0 {
				e.Tags = []string{"Rust"}
			}
			all = append(all, e)
		}
		if err := s.ImportEvents(ctx, all); err != nil {
			t.Fatal(err)
		}
		s.CreateEvent(ctx, newEvent("u2", "other", 1, "rust"))
		titles := func(q events.EventQuery) string {
			t.Helper()
			var out []string
			var cur *record.Cursor
			for {
				q.Cursor = cur
				p, err := s.Events(ctx, "u1", q)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range p.Items {
					out = append(out, e.Title)
				}
				if p.NextCursor == "" {
					return fmt.Sprint(out)
				}
				cur, _ = record.DecodeCursor(p.NextCursor)
			}
		}
		from, to := clock.AddDate(0, 0, 2), clock.AddDate(0, 0, 4)
		for _, tc := range []struct {
			q    events.EventQuery
			want string
		}{
			{events.EventQuery{Limit: 2}, "[d1 d2 d3 d4 d5]"},
			{events.EventQuery{From: &from, To: &to}, "[d2 d3]"},
			{events.EventQuery{Tag: "rust"}, "[d3 d4 d5]"},
			{events.EventQuery{Q: "GENERICS", Limit: 3}, "[d1 d2 d3 d4 d5]"},
			{events.EventQuery{Q: "d4"}, "[d4]"},
			{events.EventQuery{Q: ".*"}, "[]"},
		} {
			if got := titles(tc.q); got != tc.want {
				t.Errorf("%+v: %s, want %s", tc.q, got, tc.want)
			}
		}
		lodz := newEvent("u3", "Łódź Gophers", 1)
		lodz.Location = "Straße 5"
		if err := s.CreateEvent(ctx, lodz); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"lodz", "ŁÓDŹ", "strasse", "straße"} {
			if p, err := s.Events(ctx, "u3", events.EventQuery{Q: q}); err != nil || len(p.Items) != 1 {
				t.Errorf("q=%s: %v, %v; want Łódź Gophers", q, p, err)
			}
		}
		allOf, err := s.AllEvents(ctx, "u1")
		if err != nil || len(allOf) != 5 || allOf[0].Title != "d1" {
			t.Fatalf("AllEvents=%d, %v", len(allOf), err)
		}
		byID, err := s.EventsByID(ctx, "u1", []string{all[0].ID, all[1].ID, "nope"})
		if err != nil || len(byID) != 2 || byID[all[1].ID].Title != "d1" {
			t.Fatalf("EventsByID=%v, %v", byID, err)
		}
	})
	// A page holds what record.PageSize gives on both engines: a limit
	// over 200 reads 200 and says there is more. SQLite read 50 for it and
	// MongoDB all asked for, and a caller that asked for 500 got either.
	t.Run("PageSize", func(t *testing.T) {
		s := open(t)
		var many []*events.Event
		for i := range 250 {
			many = append(many, newEvent("u1", fmt.Sprintf("e%03d", i), i%30))
		}
		if err := s.ImportEvents(ctx, many); err != nil {
			t.Fatal(err)
		}
		for limit, want := range map[int]int{500: 200, 200: 200, 0: 50, 7: 7} {
			p, err := s.Events(ctx, "u1", events.EventQuery{Limit: limit})
			if err != nil || len(p.Items) != want || p.NextCursor == "" {
				t.Errorf("limit %d: %d events (next %q), %v; want %d and more", limit, len(p.Items), p.NextCursor, err, want)
			}
		}
	})
	t.Run("Calendars", func(t *testing.T) {
		s := open(t)
		c := &events.Calendar{ID: nextID(), UserID: "u1", URL: "https://93.184.216.34/cal.ics", Name: "Gophers", Tags: []string{"go"}, CreatedAt: clock}
		if err := s.CreateCalendar(ctx, c); err != nil {
			t.Fatal(err)
		}
		s.CreateCalendar(ctx, &events.Calendar{ID: nextID(), UserID: "u2", URL: "https://93.184.216.34/x.ics", Name: "x", CreatedAt: clock.Add(time.Minute)})
		if err := s.RecordSync(ctx, c.ID, clock.Add(time.Hour), nil, "timed out"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Calendar(ctx, "u1", c.ID)
		if err != nil || got.LastError != "timed out" || got.LastSyncAt == nil || got.LastResult != nil {
			t.Fatalf("after a failed sync: %+v, %v", got, err)
		}
		if err := s.RecordSync(ctx, c.ID, clock.Add(2*time.Hour), &events.SyncResult{Created: 3, Unchanged: 1, Skipped: 2}, ""); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Calendar(ctx, "u1", c.ID); got.LastError != "" || got.LastResult == nil || *got.LastResult != (events.SyncResult{Created: 3, Unchanged: 1, Skipped: 2}) ||
			!got.LastSyncAt.Equal(clock.Add(2*time.Hour)) {
			t.Fatalf("after a sync: %+v", got)
		}
		if err := s.NameCalendar(ctx, c.ID, "Berlin Gophers"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Calendar(ctx, "u1", c.ID); got.Name != "Berlin Gophers" || got.URL != c.URL || got.LastResult == nil {
			t.Fatalf("after naming it: %+v", got)
		}
		if mine, _ := s.Calendars(ctx, "u1"); len(mine) != 1 {
			t.Fatalf("u1 has %d calendars", len(mine))
		}
		if all, _ := s.Calendars(ctx, ""); len(all) != 2 {
			t.Fatalf("all calendars: %d", len(all))
		}
		wantKind(t, errOf(s.Calendar(ctx, "u2", c.ID)), apperr.NotFound)
		wantKind(t, s.DeleteCalendar(ctx, "u2", c.ID), apperr.NotFound)
		if err := s.DeleteCalendar(ctx, "u1", c.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ClaimSync", func(t *testing.T) {
		s := open(t)
		won := race(t, 6, func(int) (bool, error) { return s.ClaimSync(ctx, "cal1", "20261124T180000", clock) })
		if won != 1 {
			t.Fatalf("%d processes claimed one window, want 1", won)
		}
		if ok, _ := s.ClaimSync(ctx, "cal1", "20261124T183000", clock.Add(30*time.Minute)); !ok {
			t.Fatal("the next window could not be claimed")
		}
		if err := s.PurgeSyncClaims(ctx, clock.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimSync(ctx, "cal1", "20261124T180000", clock); !ok {
			t.Fatal("a purged claim still holds")
		}
	})
}
