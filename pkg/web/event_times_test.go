package web_test

import (
	"strings"
	"testing"
)

// TestAllDayEvents: a followed calendar's all-day events (DTSTART;VALUE=DATE)
// read as their days, on the event's page, its review, the events list,
// Today and the log form, and one under way is so until its last day. They read as midnight
// to midnight: "Thu 19 Nov 2026, 00:00 – Sat 21 Nov 2026, 00:00", a day
// more than they last, and Today had the summit "until Thu 26 Nov, 00:00".
func TestAllDayEvents(t *testing.T) {
	t.Parallel()
	var feed icsFeed
	feed.allDay("devops", "20261119", "20261121", "DevOpsDays")
	feed.allDay("summit", "20261123", "20261126", "Summit")
	feed.allDay("hack", "20261127", "", "Hack day")
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.api(t, "PATCH", "/v1/me", tok, map[string]any{"timezone": "Europe/Berlin"}, 200, nil)
	feed.follow(t, s, tok, "Days")
	devops, hack := s.eventNamed(t, tok, "DevOpsDays"), s.eventNamed(t, tok, "Hack day")
	b := s.signedIn(t, "ada@example.com", tok) // the clock: Tue 24 Nov, 17:00 UTC

	_, page := b.get("/app/events/" + devops)
	mustContain(t, page, "Thu 19 Nov – Fri 20 Nov 2026")
	_, review := b.get("/app/events/" + devops + "/review")
	mustContain(t, review, "Thu 19 Nov – Fri 20 Nov 2026")
	_, hackPage := b.get("/app/events/" + hack)
	mustContain(t, hackPage, "Fri 27 Nov 2026, all day")
	_, list := b.get("/app/events")
	mustContain(t, list, "Thu 19 Nov – Fri 20 Nov 2026", "Fri 27 Nov 2026, all day", "Mon 23 Nov – Wed 25 Nov 2026")
	_, today := b.get("/app/today")
	mustContain(t, today, "under way, until Wed 25 Nov<", "Fri 27 Nov 2026, all day")
	_, logForm := b.get("/app")
	mustContain(t, logForm, "Mon, all day")
	for _, p := range []string{page, review, hackPage, list, today, logForm} {
		if strings.Contains(p, "00:00") {
			t.Errorf("an all-day event at midnight:\n%s", p)
		}
	}
}
