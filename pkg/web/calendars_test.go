package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/web"
)

// feedOf is an iCalendar feed of a meetup group with events, each
// "Berlin Go #n" on the nth of December 2026 at 19:00 UTC.
func feedOf(n int) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Meetup//Meetup Events v1.0//EN\r\nX-WR-CALNAME:Berlin Go\r\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:event-%d@meetup.example\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:202612%02dT190000Z\r\nDTEND:202612%02dT210000Z\r\nSUMMARY:Berlin Go #%d\r\nLOCATION:Betahaus\r\nEND:VEVENT\r\n", i, i+1, i+1, i)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// TestFollowACalendarFromTheDesk: a meetup group's calendar is followed
// from the events page — its events are there when the page comes back —
// synced again with a button, its failure shown beside it, and unfollowed;
// a bad address is said next to its field with what was typed kept; and
// another user can neither sync nor unfollow it. The desk said "with
// POST /v1/calendars or from an assistant".
func TestFollowACalendarFromTheDesk(t *testing.T) {
	t.Parallel()
	var events, broken atomic.Int32
	events.Store(2)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() == 1 {
			http.Error(w, "gone", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		fmt.Fprint(w, feedOf(int(events.Load())))
	}))
	t.Cleanup(feed.Close)
	s := mustServe(t)
	b := s.signedIn(t, "ada@example.com", s.signup(t, "ada@example.com"))

	_, page := b.get("/app/events")
	mustContain(t, page, "Follow a calendar", `action="/app/calendars"`)
	st, page := b.post("/app/calendars", url.Values{"cal_url": {""}, "cal_name": {"Berlin Go"}, "cal_tags": {"go"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, `id="cal_url-error"`) || !strings.Contains(page, `value="Berlin Go"`) {
		t.Fatalf("no address: %d, the error next to the field and the name kept?\n%.2000s", st, page)
	}
	st, page = b.post("/app/calendars", url.Values{"cal_url": {feed.URL + "/berlin-go.ics"}, "cal_name": {""}, "cal_tags": {"go, berlin"}})
	if st != 200 {
		t.Fatalf("follow: %d", st)
	}
	// Followed without a name: it takes the feed's own (X-WR-CALNAME).
	mustContain(t, page, "Following Berlin Go: 2 new events, 0 updated, 0 cancelled.", "Berlin Go #1", "Berlin Go #2", "Sync now", "Stop following")

	events.Store(3)
	_, page = b.get("/app/events")
	id := calendarID(t, page)
	if _, page = b.post("/app/calendars/"+id+"/sync", url.Values{}); !strings.Contains(page, "Synced Berlin Go: 1 new event, 0 updated, 0 cancelled.") || !strings.Contains(page, "Berlin Go #3") {
		t.Fatalf("sync now:\n%.3000s", page)
	}
	broken.Store(1)
	b.get("/app/events")
	if _, page = b.post("/app/calendars/"+id+"/sync", url.Values{}); !strings.Contains(page, "its feed could not be read") || !strings.Contains(page, "The last sync failed") {
		t.Fatalf("a feed that is gone:\n%.3000s", page)
	}

	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	eve.get("/app/events")
	for _, action := range []string{"sync", "delete"} {
		if st, _ := eve.post("/app/calendars/"+id+"/"+action, url.Values{}); st != http.StatusNotFound {
			t.Errorf("another user's %s of my calendar: %d, want 404", action, st)
		}
	}

	b.get("/app/events")
	if _, page = b.post("/app/calendars/"+id+"/delete", url.Values{}); !strings.Contains(page, "Stopped following the calendar.") || strings.Contains(page, "Sync now") {
		t.Fatalf("unfollow:\n%.2000s", page)
	}
}

// calendarID is the id of the first followed calendar on the events page.
func calendarID(t *testing.T, page string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, `action="/app/calendars/`)
	id, _, ok2 := strings.Cut(rest, "/sync")
	if !ok || !ok2 {
		t.Fatal("no followed calendar on the page")
	}
	return id
}

// TestFollowAFeedTooSlow: a feed that does not answer within the page's
// wait is followed all the same, and the page says the schedule will sync
// it (it was an error page).
func TestFollowAFeedTooSlow(t *testing.T) {
	t.Cleanup(web.SetSyncTimeout(300 * time.Millisecond))
	release := make(chan struct{})
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(feed.Close)
	t.Cleanup(func() { close(release) })
	s := mustServe(t)
	b := s.signedIn(t, "ada@example.com", s.signup(t, "ada@example.com"))
	b.get("/app/events")
	st, page := b.post("/app/calendars", url.Values{"cal_url": {feed.URL + "/slow.ics"}, "cal_name": {"Slow Group"}})
	if st != 200 || !strings.Contains(page, "Following Slow Group, but its feed did not answer in time") || !strings.Contains(page, "Stop following") {
		t.Fatalf("a slow feed: %d\n%.2000s", st, page)
	}
}
