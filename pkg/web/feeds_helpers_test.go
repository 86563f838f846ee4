package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// icsFeed builds a calendar feed as a group's or a conference's site
// serves it.
type icsFeed struct{ b strings.Builder }

// session adds a VEVENT of 15 minutes at at.
func (f *icsFeed) session(uid string, at time.Time, title string) {
	fmt.Fprintf(&f.b, "BEGIN:VEVENT\r\nUID:%s@cloud.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\nEND:VEVENT\r\n",
		uid, at.Format("20060102T150405Z"), at.Add(15*time.Minute).Format("20060102T150405Z"), title)
}

// allDay adds an all-day VEVENT of the dates given as 20261119 (end "":
// one day).
func (f *icsFeed) allDay(uid, start, end, title string) {
	fmt.Fprintf(&f.b, "BEGIN:VEVENT\r\nUID:%s@cloud.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:%s\r\n", uid, start)
	if end != "" {
		fmt.Fprintf(&f.b, "DTEND;VALUE=DATE:%s\r\n", end)
	}
	fmt.Fprintf(&f.b, "SUMMARY:%s\r\nEND:VEVENT\r\n", title)
}

// follow serves the feed over loopback HTTP and has the user of token
// follow it as name, synced once.
func (f *icsFeed) follow(t *testing.T, s *server, token, name string) {
	t.Helper()
	body := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pretalx//EN\r\nX-WR-CALNAME:" + name + "\r\n" + f.b.String() + "END:VCALENDAR\r\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/calendar")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	cal := s.create(t, token, "/v1/calendars", map[string]any{"url": srv.URL + "/schedule.ics", "name": name})
	s.api(t, "POST", "/v1/calendars/"+cal+"/sync", token, nil, 200, nil)
}

// eventNamed is the id of the one event of the user's that a search for
// title finds.
func (s *server) eventNamed(t *testing.T, token, title string) string {
	t.Helper()
	var page struct{ Items []struct{ ID string } }
	s.api(t, "GET", "/v1/events?q="+url.QueryEscape(title), token, nil, 200, &page)
	if len(page.Items) != 1 {
		t.Fatalf("%q: %+v", title, page.Items)
	}
	return page.Items[0].ID
}
