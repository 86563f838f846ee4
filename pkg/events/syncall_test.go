package events_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/netguard"
)

// TestSyncAllTakesUsersInTurn: a user who follows many feeds that hang
// until their timeout (followed first, so they come first in the store)
// cannot use up a tick before another user's calendar is synced; what the
// tick had no time for is neither claimed nor marked failed, and is
// synced by the next tick.
func TestSyncAllTakesUsersInTurn(t *testing.T) {
	s, _ := newService(t)
	now := clock
	s.Now = func() time.Time { return now }
	slow, answer := heldFeed(t, "")
	fast := goNightFeed(t)
	im := testImporter(s)

	ctx := t.Context()
	for range 3 * events.SyncWorkers {
		if _, err := im.CreateCalendar(ctx, "hog", events.CalendarInput{URL: slow}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Second)
	}
	mine, err := im.CreateCalendar(ctx, "u2", events.CalendarInput{URL: fast})
	if err != nil {
		t.Fatal(err)
	}
	tz := func(context.Context, string) (string, error) { return "UTC", nil }

	tick, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	synced, failed, err := im.SyncAll(tick, 30*time.Minute, tz)
	if synced != 1 || failed != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the tick: %d synced, %d failed, %v; want u2's calendar synced and the tick out of time", synced, failed, err)
	}
	cals, err := s.Store.Calendars(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cals {
		switch {
		case c.ID == mine.ID && (c.LastSyncAt == nil || c.LastError != "" || c.LastResult.Created != 1):
			t.Errorf("u2's calendar after the tick: %+v", c)
		case c.ID != mine.ID && (c.LastSyncAt != nil || c.LastError != ""):
			t.Errorf("a calendar the tick stopped was recorded: %+v", c)
		}
	}

	// The next tick, in the next window, takes every calendar again; the
	// slow feeds now answer at once (an empty calendar).
	answer()
	now = now.Add(30 * time.Minute)
	synced, failed, err = im.SyncAll(ctx, 30*time.Minute, tz)
	if err != nil || synced != 3*events.SyncWorkers+1 || failed != 0 {
		t.Fatalf("the next tick: %d synced, %d failed, %v", synced, failed, err)
	}
}

// TestCalendarsPerUser: a user follows at most MaxCalendars calendars (each
// is fetched every tick); past that a Conflict saying so, until one goes.
// Another user's count is their own.
func TestCalendarsPerUser(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	guard := netguard.Guard{AllowPrivate: true, Resolver: netguard.Offline{}}
	im := &events.Importer{Events: s, Guard: guard}
	var first *events.Calendar
	for i := range events.MaxCalendars {
		cal, err := im.CreateCalendar(ctx, "u1", events.CalendarInput{URL: fmt.Sprintf("https://192.0.2.1/%d.ics", i)})
		if err != nil {
			t.Fatalf("calendar %d: %v", i, err)
		}
		if first == nil {
			first = cal
		}
	}
	_, err := im.CreateCalendar(ctx, "u1", events.CalendarInput{URL: "https://192.0.2.1/one-more.ics"})
	if !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "unfollow one first") {
		t.Fatalf("one calendar more: %v, want a Conflict", err)
	}
	if _, err := im.CreateCalendar(ctx, "u2", events.CalendarInput{URL: "https://192.0.2.1/theirs.ics"}); err != nil {
		t.Fatalf("another user's first: %v", err)
	}
	if err := s.Store.DeleteCalendar(ctx, "u1", first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := im.CreateCalendar(ctx, "u1", events.CalendarInput{URL: "https://192.0.2.1/one-more.ics"}); err != nil {
		t.Fatalf("after unfollowing one: %v", err)
	}
}

// TestFeedEventsCapped: a sync reads at most MaxFeedEvents of a feed — the
// upcoming ones soonest first, then the past ones latest first — and
// counts the rest as skipped; an event synced before that is now past the
// cap stays as it was (never cancelled as if it had left the feed).
func TestFeedEventsCapped(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	fs := &feedServer{}
	im := testImporter(s)
	cal, err := im.CreateCalendar(ctx, "u1", events.CalendarInput{URL: served(t, fs)})
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) string { return clock.Add(d).Format("20060102T150405Z") }
	late := []string{vevent("late-1@x", "Late 1", at(5000*time.Hour)), vevent("late-2@x", "Late 2", at(5001*time.Hour))}
	fs.set(feed(late...), 0)
	if res, err := im.Sync(ctx, cal, "UTC"); err != nil || res.Created != 2 {
		t.Fatalf("first sync: %+v, %v", res, err)
	}

	all := append([]string{}, late...)
	for i := range 3 {
		all = append(all, vevent(fmt.Sprintf("past-%d@x", i), "Past", at(-time.Duration(i+1)*24*time.Hour)))
	}
	for i := range events.MaxFeedEvents {
		all = append(all, vevent(fmt.Sprintf("soon-%d@x", i), "Soon", at(time.Duration(i+1)*time.Hour)))
	}
	fs.set(feed(all...), 0)
	res, err := im.Sync(ctx, cal, "UTC")
	if err != nil || res.Created != events.MaxFeedEvents || res.Skipped != 5 || res.Cancelled != 0 {
		t.Fatalf("a feed of %d events: %+v, %v; want %d created, 5 skipped", len(all), res, err, events.MaxFeedEvents)
	}
	kept, err := s.Store.EventsFromCalendar(ctx, "u1", cal.ID)
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]int{}
	for _, e := range kept {
		byTitle[e.Title]++
		if e.Status != "planned" {
			t.Errorf("%s is %s", e.Title, e.Status)
		}
	}
	if byTitle["Soon"] != events.MaxFeedEvents || byTitle["Past"] != 0 || byTitle["Late 1"] != 1 || byTitle["Late 2"] != 1 {
		t.Fatalf("events of the calendar: %v", byTitle)
	}
	if got, _ := s.Store.Calendars(ctx, "u1"); got[0].LastResult == nil || got[0].LastResult.Skipped != 5 {
		t.Fatalf("last_result %+v", got[0].LastResult)
	}
}

// TestFeedsParsedInTurn: feeds are parsed one at a time in the process
// (each can take 100 MB); a sync that cannot get its turn before its caller
// gives up is stopped, Unavailable, and nothing is recorded against its
// calendar. A feed whose server is slow to send holds no turn: another
// feed syncs meanwhile.
func TestFeedsParsedInTurn(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	slow, free := heldFeed(t, "BEGIN:VCALENDAR\r\n")
	im := testImporter(s)
	slowCal, err := im.CreateCalendar(ctx, "u1", events.CalendarInput{URL: slow})
	if err != nil {
		t.Fatal(err)
	}
	fastCal, err := im.CreateCalendar(ctx, "u2", events.CalendarInput{URL: goNightFeed(t)})
	if err != nil {
		t.Fatal(err)
	}
	reading := make(chan error, 1)
	go func() {
		_, err := im.Sync(ctx, slowCal, "UTC")
		reading <- err
	}()
	time.Sleep(100 * time.Millisecond) // the slow feed's body is being read
	soon, stop := context.WithTimeout(ctx, 5*time.Second)
	defer stop()
	if res, err := im.Sync(soon, fastCal, "UTC"); err != nil || res.Created != 1 {
		t.Fatalf("a sync while another feed trickles in: %+v, %v", res, err)
	}

	release := events.TakeParseTurn() // a big feed being parsed
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	before, _ := s.Store.Calendar(ctx, "u2", fastCal.ID)
	if res, err := im.Sync(short, fastCal, "UTC"); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("a sync while another feed is parsed: %+v, %v; want it to wait and be stopped", res, err)
	}
	if got, _ := s.Store.Calendar(ctx, "u2", fastCal.ID); !got.LastSyncAt.Equal(*before.LastSyncAt) || got.LastError != "" {
		t.Fatalf("the stopped sync was recorded: %+v", got)
	}
	release()
	free()
	if err := <-reading; err != nil {
		t.Fatalf("the slow feed: %v", err)
	}
	if res, err := im.Sync(ctx, fastCal, "UTC"); err != nil || res.Unchanged != 1 {
		t.Fatalf("with the turn free: %+v, %v", res, err)
	}
}

// heldFeed serves an empty calendar whose body, after head, waits until
// answer is called (or its request ends); it stops with the test.
func heldFeed(t *testing.T, head string) (url string, answer func()) {
	held := make(chan struct{})
	var once sync.Once
	answer = func() { once.Do(func() { close(held) }) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(head))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-held:
		}
		w.Write([]byte(feed()[len(head):]))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(answer) // before the server closes: cleanups run last first
	return srv.URL + "/cal.ics", answer
}

// served serves fs until the test ends and returns its calendar's URL.
func served(t *testing.T, fs *feedServer) string {
	srv := httptest.NewServer(fs)
	t.Cleanup(srv.Close)
	return srv.URL + "/cal.ics"
}

// goNightFeed serves a calendar of one event until the test ends.
func goNightFeed(t *testing.T) string {
	fs := &feedServer{}
	fs.set(feed(vevent("a@x", "Go night", "20261210T180000Z")), 0)
	return served(t, fs)
}

// testImporter syncs into s from loopback, 20 s a feed.
func testImporter(s *events.Service) *events.Importer {
	guard := netguard.Guard{AllowPrivate: true, Resolver: netguard.Offline{}}
	return &events.Importer{Events: s, HTTP: guard.Client(20*time.Second, 2), Guard: guard}
}

// TestFeedUIDOnce: an event a feed lists twice (the same UID) is read once,
// as its first listing says.
func TestFeedUIDOnce(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	fs := &feedServer{}
	fs.set(feed(vevent("a@x", "Go night", "20261210T180000Z"), vevent("a@x", "Go night, again", "20261211T180000Z")), 0)
	im := testImporter(s)
	cal, err := im.CreateCalendar(ctx, "u1", events.CalendarInput{URL: served(t, fs)})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := im.Sync(ctx, cal, "UTC"); err != nil || res.Created != 1 {
		t.Fatalf("a UID listed twice: %+v, %v", res, err)
	}
	if kept, _ := s.Store.EventsFromCalendar(ctx, "u1", cal.ID); len(kept) != 1 || kept[0].Title != "Go night" {
		t.Fatalf("events: %+v", kept)
	}
}

// TestParsesTakeUsersInTurn: a user's feeds wait for the process's parse
// turn one at a time, each behind the user's own, so another user's feed
// waits for one of theirs at most (TestTurns: the turns go in order), not
// all: one user syncing 32 big feeds at once queued 32 parses ahead of
// everyone else's (another user's one-event feed: 3.1 s instead of 10 ms).
func TestParsesTakeUsersInTurn(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	im := testImporter(s)
	calendarOf := func(userID string) *events.Calendar {
		cal, err := im.CreateCalendar(ctx, userID, events.CalendarInput{URL: goNightFeed(t)})
		if err != nil {
			t.Fatal(err)
		}
		return cal
	}
	hog, other := calendarOf("u1"), calendarOf("u2")
	release := events.TakeUserParseTurn("u1") // one of u1's feeds in line
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if res, err := im.Sync(short, hog, "UTC"); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("a sync while another feed of its user's is in line: %+v, %v; want it to wait and be stopped", res, err)
	}
	if res, err := im.Sync(ctx, other, "UTC"); err != nil || res.Created != 1 {
		t.Fatalf("another user's sync meanwhile: %+v, %v", res, err)
	}
	release()
	if res, err := im.Sync(ctx, hog, "UTC"); err != nil || res.Created != 1 {
		t.Fatalf("the sync once its user's feed is done: %+v, %v", res, err)
	}
}
