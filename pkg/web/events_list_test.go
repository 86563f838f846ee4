package web_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestEventsListPagesBothWays: /app/events lists the first 50 upcoming
// events and links to the later ones, as it did the older past ones. A
// followed calendar's 60 upcoming events left the last ten unreachable
// from the list: it had no link onward. A page of either list that it did
// not give is said on the page.
func TestEventsListPagesBothWays(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	day := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC) // the clock: Tue 24 Nov, 17:00
	for i := range 60 {
		s.create(t, tok, "/v1/events", map[string]any{"title": fmt.Sprintf("Upcoming %02d", i), "tags": []string{"go"},
			"starts_at": day.AddDate(0, 0, i).Format(time.RFC3339)})
	}
	for i := range 55 {
		s.create(t, tok, "/v1/events", map[string]any{"title": fmt.Sprintf("Past %02d", i), "tags": []string{"go"},
			"starts_at": day.AddDate(0, 0, -2-i).Format(time.RFC3339)})
	}
	b := s.signedIn(t, "ada@example.com", tok)
	rows := func(section string) int { return strings.Count(section, "<tr><td>") }
	link := func(page, which string) string {
		t.Helper()
		m := regexp.MustCompile(`href="(/app/events\?` + which + `=[^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no %s link:\n%s", which, page)
		}
		return html.UnescapeString(m[1])
	}

	_, page := b.get("/app/events?tag=go")
	upcoming, past, _ := strings.Cut(page, "<h2>Past</h2>")
	if n := rows(upcoming); n != 50 || !strings.Contains(upcoming, ">Upcoming 49</a>") || strings.Contains(upcoming, ">Upcoming 50</a>") {
		t.Fatalf("%d upcoming on the first page:\n%s", n, upcoming)
	}
	if n := rows(past); n != 50 || !strings.Contains(past, ">Past 00</a>") || strings.Contains(past, ">Past 50</a>") {
		t.Fatalf("%d past on the first page:\n%s", n, past)
	}
	later, older := link(page, "later"), link(page, "older")
	if !strings.HasSuffix(later, "&tag=go") {
		t.Errorf("the later link drops the tag: %s", later)
	}

	code, page := b.get(later)
	if code != 200 || rows(page) != 10 || !strings.Contains(page, ">Upcoming 50</a>") || !strings.Contains(page, ">Upcoming 59</a>") ||
		strings.Contains(page, "<h2>Past</h2>") || strings.Contains(page, "Later events") {
		t.Fatalf("the later page (%d):\n%s", code, page)
	}
	code, page = b.get(older)
	if code != 200 || rows(page) != 5 || !strings.Contains(page, ">Past 54</a>") || strings.Contains(page, ">Upcoming") {
		t.Fatalf("the older page (%d):\n%s", code, page)
	}

	// A cursor the list did not give: said, and the first page listed.
	code, page = b.get("/app/events?later=nonsense")
	if code != 200 || !strings.Contains(page, "That page of events is not one this list gave") || rows(page) != 100 {
		t.Fatalf("a bad later cursor (%d):\n%s", code, page)
	}
	code, page = b.get("/app/events?older=nonsense")
	if code != 422 || !strings.Contains(page, "That page of events is not one this list gave.") {
		t.Fatalf("a bad older cursor (%d):\n%s", code, page)
	}
}
