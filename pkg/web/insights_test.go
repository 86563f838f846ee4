package web_test

import (
	"strings"
	"testing"
)

// TestInsights draws the insights page from known data: topics by month
// (a chart and the same figures as a table, the new named), the people
// met most, the pipeline by stage and by source event; another user's
// data never shows.
func TestInsights(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	eve := s.signup(t, "eve@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-10-10T18:00:00Z", "tags": []string{"go"}})
	nov := s.create(t, tok, "/v1/events", map[string]any{"title": "WASM night", "starts_at": "2026-11-20T18:00:00Z"})
	log := func(event, name, at string, topics ...string) string {
		var out struct{ Contact struct{ ID string } }
		s.api(t, "POST", "/v1/events/"+event+"/encounters", tok, map[string]any{"contact": map[string]any{"name": name}, "moment": "after_talk",
			"met_at": at, "topics": topics}, 201, &out)
		return out.Contact.ID
	}
	jane := log(ev, "Jane Doe", "2026-10-10T19:00:00Z", "go", "kubernetes")
	log(nov, "Jane Doe", "2026-11-20T19:00:00Z", "wasm", "go")
	log(nov, "Bob Smith", "2026-11-20T20:00:00Z", "wasm")
	s.create(t, tok, "/v1/opportunities", map[string]any{"title": "Staff engineer", "source_contact_id": jane, "source_event_id": ev})
	s.api(t, "POST", "/v1/events/"+nov+"/giving", tok, map[string]any{"kind": "volunteered", "notes": "ran the door", "at": "2026-11-20T21:00:00Z"}, 201, nil)
	theirs := s.create(t, eve, "/v1/events", map[string]any{"title": "Secret summit", "starts_at": "2026-11-01T18:00:00Z", "tags": []string{"secret-topic"}})
	s.api(t, "POST", "/v1/events/"+theirs+"/encounters", eve, map[string]any{"contact": map[string]any{"name": "Their Contact"}, "moment": "other",
		"met_at": "2026-11-01T19:00:00Z", "topics": []string{"secret-topic"}}, 201, nil)

	b := s.signedIn(t, "ada@example.com", tok)
	st, page := b.get("/app/insights")
	if st != 200 {
		t.Fatalf("insights: %d", st)
	}
	mustContain(t, page, `<svg class="chart"`, `aria-labelledby="topics-chart"`, "<polyline", "Hot topics by month",
		"<th scope=\"row\">go</th>", "<th scope=\"row\">wasm</th>", "Jane Doe", "Bob Smith", "GoDays",
		`aria-labelledby="stage-chart"`, `aria-labelledby="sources-chart"`)
	mustContain(t, page, "Worth it?", `aria-labelledby="worth-chart"`, "WASM night", "Giving", "volunteered at 1 event; gave 0 talks.")
	// wasm appears only in the last three months: new.
	if !strings.Contains(page, "<strong>New:</strong>") || !strings.Contains(strings.SplitN(page, "<strong>New:</strong>", 2)[1][:80], "wasm") {
		t.Errorf("wasm is not named new")
	}
	// The go row: October 1 (an encounter topic) + 1 (the event's tag), November 1.
	goRow := strings.SplitN(strings.SplitN(page, `<th scope="row">go</th>`, 2)[1], "</tr>", 2)[0]
	if !strings.HasSuffix(goRow, "<td>2</td><td>1</td><td>3</td>") { // the chart ends with the clock's month, November
		t.Errorf("the go row: %s", goRow)
	}
	for _, secret := range []string{"secret-topic", "Their Contact", "Secret summit"} {
		if strings.Contains(page, secret) {
			t.Errorf("another user's %q shows", secret)
		}
	}
	// An account with nothing says so instead of drawing empty charts.
	other := s.signedIn(t, "eve2@example.com", s.signup(t, "eve2@example.com"))
	if _, page = other.get("/app/insights"); !strings.Contains(page, "No topics logged") || !strings.Contains(page, "No opportunities") ||
		!strings.Contains(page, "Nothing given or received in these 90 days.") || strings.Contains(page, "You gave 0") {
		t.Errorf("an empty account's insights")
	}
}
