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
	hang := make(chan struct{})
	var once sync.Once
	answer := func() { once.Do(func() { close(hang) }) }
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}))
	defer slow.Close()
	defer answer()
	fs := &feedServer{}
	fs.set(feed(vevent("a@x", "Go night", "20261210T180000Z")), 0)
	fast := httptest.NewServer(fs)
	defer fast.Close()
	guard := netguard.Guard{AllowPrivate: true, Resolver: netguard.Offline{}}
	im := &events.Importer{Events: s, HTTP: guard.Client(20*time.Second, 2), Guard: guard}

	ctx := t.Context()
	for range 3 * events.SyncWorkers {
		if _, err := im.CreateCalendar(ctx, "hog", events.CalendarInput{URL: slow.URL + "/cal.ics"}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Second)
	}
	mine, err := im.CreateCalendar(ctx, "u2", events.CalendarInput{URL: fast.URL + "/cal.ics"})
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
	// slow feeds now answer at once (with nothing: failed, recorded).
	answer()
	now = now.Add(30 * time.Minute)
	synced, failed, err = im.SyncAll(ctx, 30*time.Minute, tz)
	if err != nil || synced != 1 || failed != 3*events.SyncWorkers {
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
