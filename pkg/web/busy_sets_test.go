package web_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestContactsMetAtABigEvent: the contacts table filtered by an event
// where you met 210 people lists the 210, over five pages. It read one
// page of the event's encounters asking for 500, which the SQLite store
// cut to 50 (and a page holds 200 at most): the others met there were
// never listed.
func TestContactsMetAtABigEvent(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GopherCon", "kind": "conference", "starts_at": "2026-11-20T08:00:00Z"})
	for i := range 210 {
		s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": fmt.Sprintf("Person %03d", i)},
			"moment": "after_talk", "met_at": "2026-11-20T19:00:00Z", "followup": false}, 201, nil)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	nextRe := regexp.MustCompile(`href="(/app/contacts\?page=[^"]+)">Next page`)
	listed, pages := 0, 0
	for path := "/app/contacts?event=" + ev; path != "" && pages < 10; pages++ {
		_, page := b.get(path)
		listed += strings.Count(page, `>Person `)
		path = ""
		if m := nextRe.FindStringSubmatch(page); m != nil {
			path = html.UnescapeString(m[1])
		} else if !strings.Contains(page, ">Person 209</a>") {
			t.Errorf("the last page does not list Person 209")
		}
	}
	if listed != 210 || pages != 5 {
		t.Fatalf("%d listed over %d pages, want 210 over 5", listed, pages)
	}
}

// TestCardAtAConference: someone who scans the card shown at a
// conference's closing session, the 210th event of the card's window, is
// met at that session. The card looked the event up in one page of the
// window asking for 500, which the SQLite store cut to 50 (and a page
// holds 200 at most): the session was not found and the details went to
// the day's "Met through my card".
func TestCardAtAConference(t *testing.T) {
	t.Parallel()
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	MustStatus(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"card": map[string]any{"enabled": true}}), 200)
	var last string
	for i := range 210 { // Mon 23 Nov 07:00 UTC to Tue 24 Nov 17:50, ten minutes apart; the clock: Tue 17:00
		at := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC).Add(time.Duration(i) * 10 * time.Minute)
		last = s.MustCreateEvent(t, tok, map[string]any{"title": fmt.Sprintf("Session %03d", i), "kind": "conference",
			"starts_at": at.Format(time.RFC3339), "ends_at": at.Add(10 * time.Minute).Format(time.RFC3339)})
	}
	guest, path, formTok, ref := scanCard(t, s, tok, last)
	if st, body := guest.post(path, url.Values{"t": {formTok}, "e": {ref}, "name": {"Grace Hopper"}, "consent": {"yes"}}); st != 200 {
		t.Fatalf("leave details: %d\n%s", st, body)
	}
	met := s.Do(t, "GET", "/v1/events/"+last+"/encounters", tok, nil).JSON(t)["items"].([]any)
	if len(met) != 1 {
		t.Fatalf("met at the closing session: %d, want Grace Hopper", len(met))
	}
}

// TestContactsTableSaysAFilterIsCut: a filter that names more people than
// the table looks at (the 505 at a company; it looks at 500) says so on
// the table, where it cut the set without a word; one that names fewer
// does not.
func TestContactsTableSaysAFilterIsCut(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	var csv strings.Builder
	csv.WriteString("name,email,company\n")
	for i := range 505 {
		fmt.Fprintf(&csv, "Person %03d,p%d@example.com,Acme\n", i, i)
	}
	csv.WriteString("Solo,solo@example.com,Initech\n")
	if r := s.Do(t, "POST", "/v1/contacts/import", tok, csv.String(), "Content-Type", "text/csv"); r.Status != 200 && r.Status != 201 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	const cut = "a filter names more than 500 people"
	if _, page := b.get("/app/contacts?company=Acme"); !strings.Contains(page, cut) || strings.Count(page, ">Person ") != 50 {
		t.Errorf("the table of Acme's 505 does not say the filter was cut (%d rows)", strings.Count(page, ">Person "))
	}
	if _, page := b.get("/app/contacts?company=Initech"); strings.Contains(page, cut) || !strings.Contains(page, ">Solo</a>") {
		t.Error("the table of Initech's one says a filter was cut")
	}
}
