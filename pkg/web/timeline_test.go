package web_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/web"
)

// TestTimelinePages: a contact's timeline comes a page at a time, newest
// first, each page cut where every kind of entry is whole (an encounter
// older than an interaction not read yet waits for the page that reads
// it), and paging through shows each entry once, in order.
func TestTimelinePages(t *testing.T) {
	defer web.SetTimelinePage(3)()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	calls := func(contact string, n int) {
		for d := 1; d <= n; d++ {
			s.create(t, tok, "/v1/contacts/"+contact+"/interactions", map[string]any{"kind": "call", "notes": fmt.Sprintf("call %d", d),
				"at": fmt.Sprintf("2026-11-%02dT10:00:00Z", d)})
		}
	}
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	calls(jane, 5)
	for _, m := range []struct{ title, at string }{{"Oct meetup", "2026-10-20T19:00:00Z"}, {"Nov meetup", "2026-11-02T19:00:00Z"}} {
		ev := s.create(t, tok, "/v1/events", map[string]any{"title": m.title, "starts_at": m.at})
		s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": jane, "moment": "after_talk", "met_at": m.at}, 201, nil)
	}
	bob := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Smith"})
	calls(bob, 4) // one kind: a page's worth, and one more
	b := s.signedIn(t, "ada@example.com", tok)
	for _, tc := range []struct{ contact, want string }{
		{jane, "Call call 5, Call call 4, Call call 3, Met at Nov meetup, Call call 2, Call call 1, Met at Oct meetup"},
		{bob, "Call call 4, Call call 3, Call call 2, Call call 1"},
	} {
		if got, pages := timelinePages(t, b, tc.contact); got != tc.want || len(pages) < 2 {
			t.Errorf("paged through as %q\nin pages %q\nwant %q", got, pages, tc.want)
		}
	}
	_, page := b.get("/app/contacts/" + jane + "?before=nonsense")
	mustContain(t, page, "That page of the timeline is not one this page gave.", "call 5")
}

// TestTimelineKeepsEveryDoneFollowup: a contact's timeline shows every
// follow-up done with them, by when it was done, page by page. It read the
// latest due in one read (200; 7 here), so of more done in the order
// opposite to their due dates, the one done last was never shown.
func TestTimelineKeepsEveryDoneFollowup(t *testing.T) {
	defer web.SetDoneRead(7)()
	defer web.SetTimelinePage(10)()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	carol := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Carol"})
	const n = 23 // four reads, three pages
	var want []string
	for i := 1; i <= n; i++ {
		f := s.create(t, tok, "/v1/followups", map[string]any{"contact_id": carol, "note": fmt.Sprintf("note %d", i),
			"due_at": time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Duration(i) * time.Hour).Format(time.RFC3339)})
		s.Clock.Add(time.Minute)
		s.api(t, "POST", "/v1/followups/"+f+"/done", tok, nil, 200, nil)
		want = append([]string{fmt.Sprintf("Follow up: Carol · done note %d", i)}, want...)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	if got, pages := timelinePages(t, b, carol); got != strings.Join(want, ", ") || len(pages) != 3 {
		t.Errorf("paged through as %q\nin %d pages", got, len(pages))
	}
}

var (
	timelineEntry   = regexp.MustCompile(`<li class="card"><strong>[^<]+</strong> · (Met at [^·<]+|Call|Follow up: [^·<]+· done)[^<]*(?:<p>([^<]+)</p>)?`)
	timelineEarlier = regexp.MustCompile(`href="(/app/contacts/[^"?]+\?before=[^"#]+)#timeline">Earlier`)
)

// timelinePages follows a contact's timeline through its Earlier links:
// every entry, and each page's.
func timelinePages(t *testing.T, b *browser, contact string) (all string, pages []string) {
	t.Helper()
	var seen []string
	for path := "/app/contacts/" + contact; path != ""; {
		if len(pages) > 5 {
			t.Fatalf("pages without end: %q", pages)
		}
		_, page := b.get(path)
		var got []string
		for _, m := range timelineEntry.FindAllStringSubmatch(page, -1) {
			got = append(got, strings.TrimSpace(m[1]+" "+m[2]))
		}
		pages, seen = append(pages, strings.Join(got, ", ")), append(seen, got...)
		path = ""
		if m := timelineEarlier.FindStringSubmatch(page); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	return strings.Join(seen, ", "), pages
}
