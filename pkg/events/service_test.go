package events_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/netguard"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
)

var clock = time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)

// newService is the events domain on a real (SQLite) store; changed
// counts what the Changed hook is told.
func newService(t *testing.T) (*events.Service, *int) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), sqlitetest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := events.New(&sqlite.Events{DB: db})
	s.Now = func() time.Time { return clock }
	changed := new(int)
	s.Changed = func(context.Context, string) { *changed++ }
	return s, changed
}

func fields(err error) string {
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return strings.Join(out, ",")
}

// TestEventRules: an event's fields are checked each by name (targets by
// the TargetRefs hook); moving it keeps its length; a change of time,
// place or status moves the sequence, a change of notes does not; every
// write tells the feeds; another user's event is NotFound.
func TestEventRules(t *testing.T) {
	s, changed := newService(t)
	ctx := t.Context()
	for _, tc := range []struct {
		in     events.Input
		fields string
	}{
		{events.Input{StartsAt: "2026-12-01T18:00:00Z"}, "title"},
		{events.Input{Title: "Go", StartsAt: "tomorrow"}, "starts_at"},
		{events.Input{Title: "Go", StartsAt: "2026-12-01T18:00:00Z", EndsAt: "2026-12-01T17:00:00Z"}, "ends_at"},
		{events.Input{Title: "Go", StartsAt: "2026-12-01T18:00:00Z", Status: "maybe"}, "status"},
		{events.Input{Title: "Go", StartsAt: "2026-12-01T18:00:00Z", Timezone: "Mars/Olympus"}, "timezone"},
		{events.Input{Title: "Go", StartsAt: "2026-12-01T18:00:00Z", Talks: []events.TalkInput{{Speaker: "Rob"}}}, "talks[0].title"},
		{events.Input{Title: "Go", StartsAt: "2026-12-01T18:00:00Z", Targets: []events.Target{{}}}, "targets[0]"},
	} {
		_, err := s.Create(ctx, "u1", "Europe/Berlin", tc.in)
		if !apperr.Is(err, apperr.Invalid) || !strings.HasPrefix(fields(err), tc.fields) {
			t.Errorf("%+v: %v, want Invalid naming %s", tc.in, err, tc.fields)
		}
	}
	refused := errors.New("not yours")
	s.TargetRefs = func(_ context.Context, _ string, ts []events.Target) error {
		for _, t := range ts {
			if t.ContactID == "theirs" {
				return refused
			}
		}
		return nil
	}
	in := events.Input{Title: "GoDays", StartsAt: "2026-12-01T18:00:00+01:00", EndsAt: "2026-12-01T21:00:00+01:00", Location: "Berlin",
		Talks:      []events.TalkInput{{Title: "Generics", Speaker: "Ian"}},
		Intentions: events.Intentions{Meet: []string{"a Go maintainer"}, Learn: []string{"iterators"}},
		Targets:    []events.Target{{Name: "Ian Lance Taylor"}}, Series: "GoDays"}
	if _, err := s.Create(ctx, "u1", "", events.Input{Title: "x", StartsAt: in.StartsAt, Targets: []events.Target{{ContactID: "theirs"}}}); !errors.Is(err, refused) {
		t.Fatalf("a target the hook refuses: %v", err)
	}
	ev, err := s.Create(ctx, "u1", "Europe/Berlin", in)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Timezone != "Europe/Berlin" || ev.EndsAt.Sub(ev.StartsAt) != 3*time.Hour || ev.Status == "" || len(ev.Talks) != 1 || *changed != 1 {
		t.Fatalf("created %+v (changed %d)", ev, *changed)
	}
	seq := ev.Sequence
	moved, err := s.Update(ctx, "u1", ev.ID, []byte(`{"starts_at": "2026-12-02T18:00:00+01:00"}`))
	if err != nil {
		t.Fatal(err)
	}
	if moved.EndsAt.Sub(moved.StartsAt) != 3*time.Hour || moved.Sequence != seq+1 {
		t.Fatalf("moved: %v–%v, sequence %d (was %d)", moved.StartsAt, moved.EndsAt, moved.Sequence, seq)
	}
	noted, err := s.Update(ctx, "u1", ev.ID, []byte(`{"notes": "bring stickers", "ends_at": "2026-12-02T22:00:00+01:00"}`))
	if err != nil || noted.Sequence != seq+2 || noted.Notes != "bring stickers" {
		t.Fatalf("a new end: sequence %d (%v)", noted.Sequence, err)
	}
	if again, err := s.Update(ctx, "u1", ev.ID, []byte(`{"notes": "and a charger"}`)); err != nil || again.Sequence != noted.Sequence {
		t.Fatalf("notes alone moved the sequence to %d (%v)", again.Sequence, err)
	}
	if _, err := s.Update(ctx, "u1", ev.ID, []byte(`{"status": "nope"}`)); fields(err) != "status" {
		t.Fatalf("a bad status: %v", err)
	}
	if _, err := s.Update(ctx, "u2", ev.ID, []byte(`{"notes": "x"}`)); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another user's update: %v", err)
	}
	if err := s.Delete(ctx, "u2", ev.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another user's delete: %v", err)
	}
	if err := s.Delete(ctx, "u1", ev.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.Event(ctx, "u1", ev.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

// feedServer serves an iCalendar feed that the test may change.
type feedServer struct {
	mu   sync.Mutex
	body string
	code int
}

func (f *feedServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.code != 0 {
		w.WriteHeader(f.code)
		return
	}
	w.Header().Set("Content-Type", "text/calendar")
	w.Write([]byte(f.body))
}

func (f *feedServer) set(body string, code int) {
	f.mu.Lock()
	f.body, f.code = body, code
	f.mu.Unlock()
}

func vevent(uid, title, start string) string {
	return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:" + title +
		"\r\nDTSTART:" + start + "\r\nDTEND:" + start[:9] + "230000Z\r\nATTENDEE;CN=Ada;PARTSTAT=ACCEPTED:mailto:ada@example.com\r\nEND:VEVENT\r\n"
}

func feed(evs ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + strings.Join(evs, "") + "END:VCALENDAR\r\n"
}

// TestCalendarSync: a followed feed's events are created, then updated in
// step (the user's notes kept), vanished upcoming ones cancelled; a feed
// that fails changes nothing and is recorded; SyncAll syncs each calendar
// once a window however many processes run it; the guest lists and the
// brief's planning hook see the events with attendees.
func TestCalendarSync(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	fs := &feedServer{}
	srv := httptest.NewServer(fs)
	defer srv.Close()
	guard := netguard.Guard{AllowPrivate: true, Resolver: netguard.Offline{}}
	var planned []string
	im := &events.Importer{Events: s, HTTP: guard.Client(5*time.Second, 2), Guard: guard,
		Planned: func(_ context.Context, _ string, ids []string) error { planned = append(planned, ids...); return nil }}

	if _, err := im.CreateCalendar(ctx, "u1", events.CalendarInput{URL: ""}); fields(err) != "url" {
		t.Fatalf("no URL: %v", err)
	}
	strict := &events.Importer{Events: s, Guard: netguard.Guard{Resolver: netguard.Offline{}}}
	if _, err := strict.CreateCalendar(ctx, "u1", events.CalendarInput{URL: srv.URL}); fields(err) != "url" {
		t.Fatalf("a private address without CRM_ALLOW_PRIVATE_URLS: %v", err)
	}
	web, err := im.CreateCalendar(ctx, "u1", events.CalendarInput{URL: "webcal://192.0.2.1/cal.ics", Tags: []string{"meetup"}})
	if err != nil || web.URL != "https://192.0.2.1/cal.ics" || web.Name != web.URL {
		t.Fatalf("webcal: %+v (%v)", web, err)
	}
	if err := s.Store.DeleteCalendar(ctx, "u1", web.ID); err != nil {
		t.Fatal(err)
	}
	cal, err := im.CreateCalendar(ctx, "u1", events.CalendarInput{URL: srv.URL + "/cal.ics", Name: "Go meetups", Tags: []string{"go"}})
	if err != nil {
		t.Fatal(err)
	}

	fs.set(feed(vevent("a@x", "Go night", "20261210T180000Z"), vevent("b@x", "Rust night", "20261211T180000Z")), 0)
	res, err := im.Sync(ctx, cal, "UTC")
	if err != nil || res.Created != 2 || len(planned) != 2 {
		t.Fatalf("first sync: %+v (%v), planned %v", res, err, planned)
	}
	page, _ := s.Store.Events(ctx, "u1", events.Filter{Limit: 10})
	var goNight events.Event
	for _, e := range page.Items {
		if e.Title == "Go night" {
			goNight = e
		}
	}
	if goNight.ID == "" || strings.Join(goNight.Tags, ",") != "go" {
		t.Fatalf("events after the first sync: %+v", page.Items)
	}
	if _, err := s.Update(ctx, "u1", goNight.ID, []byte(`{"notes": "mine"}`)); err != nil {
		t.Fatal(err)
	}

	fs.set(feed(vevent("a@x", "Go night (moved room)", "20261210T180000Z")), 0)
	res, err = im.Sync(ctx, cal, "UTC")
	if err != nil || res.Updated != 1 || res.Cancelled != 1 {
		t.Fatalf("second sync: %+v (%v)", res, err)
	}
	got, _ := s.Store.Event(ctx, "u1", goNight.ID)
	if got.Title != "Go night (moved room)" || got.Notes != "mine" {
		t.Fatalf("after the second sync: %q, notes %q", got.Title, got.Notes)
	}
	if res, err := im.Sync(ctx, cal, "UTC"); err != nil || res.Unchanged != 1 {
		t.Fatalf("an unchanged feed: %+v (%v)", res, err)
	}

	failedFeedsAndSyncAll(t, s, im, fs, cal, goNight.ID)
}

// failedFeedsAndSyncAll: a failing feed, or one that is not iCalendar, is an
// error saved on the calendar and cancels nothing; SyncAll syncs each
// calendar once a window.
func failedFeedsAndSyncAll(t *testing.T, s *events.Service, im *events.Importer, fs *feedServer, cal *events.Calendar, goNightID string) {
	ctx := t.Context()
	fs.set("", http.StatusInternalServerError)
	if _, err := im.Sync(ctx, cal, "UTC"); !apperr.Is(err, apperr.Invalid) || cal.LastError == "" {
		t.Fatalf("a failing feed: %v, last_error %q", err, cal.LastError)
	}
	fs.set("not a calendar", 0)
	if _, err := im.Sync(ctx, cal, "UTC"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a feed that is not iCalendar: %v", err)
	}
	if got, _ := s.Store.Event(ctx, "u1", goNightID); got.Status == "cancelled" {
		t.Fatal("a failed sync cancelled events")
	}

	fs.set(feed(vevent("a@x", "Go night (moved room)", "20261210T180000Z")), 0)
	tz := func(context.Context, string) (string, error) { return "UTC", nil }
	synced, failed, err := im.SyncAll(ctx, 30*time.Minute, tz)
	if err != nil || synced != 1 || failed != 0 {
		t.Fatalf("SyncAll: %d synced, %d failed (%v)", synced, failed, err)
	}
	if synced, _, _ := im.SyncAll(ctx, 30*time.Minute, tz); synced != 0 {
		t.Fatalf("a second SyncAll in the same window synced %d", synced)
	}
}
