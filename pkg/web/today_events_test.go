package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTodayWithAConferenceSchedule: a followed conference schedule of 30
// sessions a day for four days is one line a day on Today's "The next 14
// days" (its first session, and how many more), and next week's meetup is
// on it. Today listed the first 20 events, all of them tomorrow's
// sessions. A day of only two from the schedule lists both.
func TestTodayWithAConferenceSchedule(t *testing.T) {
	t.Parallel()
	var feed icsFeed
	for day := range 4 { // 25 to 28 November, 08:00 to 15:15 UTC
		for i := range 30 {
			feed.session(fmt.Sprintf("s%d-%d", day, i), time.Date(2026, 11, 25+day, 8, 0, 0, 0, time.UTC).Add(time.Duration(i)*15*time.Minute),
				fmt.Sprintf("Session %d.%02d", 25+day, i))
		}
	}
	feed.session("w1", time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), "Workshop A")
	feed.session("w2", time.Date(2026, 11, 29, 13, 0, 0, 0, time.UTC), "Workshop B")
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	feed.follow(t, s, tok, "Cloud Days")
	s.create(t, tok, "/v1/events", map[string]any{"title": "Go meetup", "starts_at": "2026-12-03T18:00:00Z"})
	b := s.signedIn(t, "ada@example.com", tok) // the clock: Tue 24 Nov, 17:00
	_, page := b.get("/app/today")
	_, next, _ := strings.Cut(page, "The next 14 days")
	next, _, _ = strings.Cut(next, "</section>")
	for day := 25; day <= 28; day++ {
		mustContain(t, next, fmt.Sprintf(">Session %d.00</strong>", day))
	}
	mustContain(t, next, "and 29 more from Cloud Days that day", ">Workshop A</strong>", ">Workshop B</strong>", ">Go meetup</strong>")
	if n := strings.Count(next, `<li class="card">`); n != 7 || strings.Contains(next, "Session 25.01") {
		t.Errorf("%d events listed, want a line for each of four days, the two workshops and the meetup:\n%s", n, next)
	}
}

// TestTodayWithAConferenceUnderWay: on a conference's second day, Today's
// "The next 14 days" lists it first, said to be under way and until when.
// The list began at now, and a conference begun yesterday was not on it.
func TestTodayWithAConferenceUnderWay(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.create(t, tok, "/v1/events", map[string]any{"title": "KubeCon", "kind": "conference", "starts_at": "2026-11-23T08:00:00Z", "ends_at": "2026-11-25T17:00:00Z"})
	s.create(t, tok, "/v1/events", map[string]any{"title": "Go meetup", "starts_at": "2026-12-03T18:00:00Z"})
	s.create(t, tok, "/v1/events", map[string]any{"title": "Over", "starts_at": "2026-11-24T08:00:00Z", "ends_at": "2026-11-24T10:00:00Z"})
	b := s.signedIn(t, "ada@example.com", tok) // the clock: Tue 24 Nov, 17:00
	_, page := b.get("/app/today")
	_, next, _ := strings.Cut(page, "The next 14 days")
	next, _, _ = strings.Cut(next, "</section>")
	mustContain(t, next, ">KubeCon</strong>", "under way, until Wed 25 Nov, 17:00", ">Go meetup</strong>")
	if strings.Index(next, "KubeCon") > strings.Index(next, "Go meetup") || strings.Contains(next, ">Over</strong>") {
		t.Errorf("the next 14 days:\n%s", next)
	}
}
