package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLogFormOffersWhatIsUnderWay offers, on the log form, a conference on
// its fourth day (it began before yesterday, and was not offered: the
// form read the events begun yesterday to tomorrow) and picks it over
// tomorrow's meetup; of two under way, the one begun last; an event over
// is not offered. The events list has what is under way as upcoming.
func TestLogFormOffersWhatIsUnderWay(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	conf := s.create(t, tok, "/v1/events", map[string]any{"title": "KubeCon", "kind": "conference", "starts_at": "2026-11-21T08:00:00Z", "ends_at": "2026-11-25T17:00:00Z"})
	s.create(t, tok, "/v1/events", map[string]any{"title": "Old meetup", "starts_at": "2026-11-22T18:00:00Z", "ends_at": "2026-11-22T20:00:00Z"})
	tomorrow := s.create(t, tok, "/v1/events", map[string]any{"title": "Go Meetup", "starts_at": "2026-11-25T18:00:00Z"})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app") // the clock: Tue 24 Nov, 17:00
	mustContain(t, page, `<option value="`+conf+`" selected>KubeCon`, `<option value="`+tomorrow+`" >Go Meetup`)
	if strings.Contains(page, "Old meetup") {
		t.Error("an event over is offered")
	}
	// The events list has it as upcoming still, under way (it was past).
	_, page = b.get("/app/events")
	upcoming, past, _ := strings.Cut(page, "<h2>Past</h2>")
	mustContain(t, upcoming, `>KubeCon</a> <span class="hint">conference · under way</span>`, ">Go Meetup</a>")
	mustContain(t, past, ">Old meetup</a>")
	if strings.Contains(past, ">KubeCon</a>") {
		t.Error("the conference under way is past")
	}
	evening := s.create(t, tok, "/v1/events", map[string]any{"title": "KubeCon party", "starts_at": "2026-11-24T16:30:00Z", "ends_at": "2026-11-24T22:00:00Z"})
	_, page = b.get("/app")
	mustContain(t, page, `<option value="`+evening+`" selected>KubeCon party`, `<option value="`+conf+`" >KubeCon`)
}

// TestLogFormOnAConferenceDay: on the second day of a conference whose
// schedule brings 30 sessions a day, the log form offers the closing
// keynote under way and picks it. The form read the first 50 events from
// yesterday on — yesterday's 30 and this morning's first 20 — and picked
// one of the morning's. It offers the 50 nearest to now.
func TestLogFormOnAConferenceDay(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	for _, day := range []int{23, 24} {
		for i := range 30 {
			at := time.Date(2026, 11, day, 7, 0, 0, 0, time.UTC).Add(time.Duration(i) * 20 * time.Minute)
			s.create(t, tok, "/v1/events", map[string]any{"title": fmt.Sprintf("Session %d.%02d", day, i), "kind": "conference",
				"starts_at": at.Format(time.RFC3339), "ends_at": at.Add(20 * time.Minute).Format(time.RFC3339)})
		}
	}
	keynote := s.create(t, tok, "/v1/events", map[string]any{"title": "Closing keynote", "starts_at": "2026-11-24T16:45:00Z", "ends_at": "2026-11-24T17:30:00Z"})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app") // the clock: Tue 24 Nov, 17:00
	mustContain(t, page, `<option value="`+keynote+`" selected>Closing keynote`, ">Session 24.29 ·", ">Session 23.29 ·")
	if n := strings.Count(page, ">Session "); n != 49 {
		t.Errorf("%d sessions offered, want 49 with the keynote: the 50 nearest", n)
	}
	if strings.Contains(page, ">Session 23.00 ·") {
		t.Error("yesterday's first session, the farthest, is offered")
	}
}
