package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
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
	feed := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:devops@x\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20261119\r\nDTEND;VALUE=DATE:20261121\r\nSUMMARY:DevOpsDays\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:summit@x\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20261123\r\nDTEND;VALUE=DATE:20261126\r\nSUMMARY:Summit\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:hack@x\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20261127\r\nSUMMARY:Hack day\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/calendar")
		_, _ = w.Write([]byte(feed))
	}))
	t.Cleanup(srv.Close)
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.api(t, "PATCH", "/v1/me", tok, map[string]any{"timezone": "Europe/Berlin"}, 200, nil)
	cal := s.create(t, tok, "/v1/calendars", map[string]any{"url": srv.URL + "/days.ics", "name": "Days"})
	s.api(t, "POST", "/v1/calendars/"+cal+"/sync", tok, nil, 200, nil)
	idOf := func(title string) string {
		var page struct{ Items []struct{ ID string } }
		s.api(t, "GET", "/v1/events?q="+url.QueryEscape(title), tok, nil, 200, &page)
		if len(page.Items) != 1 {
			t.Fatalf("%q: %+v", title, page.Items)
		}
		return page.Items[0].ID
	}
	devops, hack := idOf("DevOpsDays"), idOf("Hack day")
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
