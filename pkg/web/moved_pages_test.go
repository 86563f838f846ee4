package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestWebMerge merges from the phone: the duplicates page shows the pair
// with its reason, one tap keeps either, another user's contact is not
// merged, and a stale pair says so.
func TestWebMerge(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	a := s.MustCreateContact(t, tok, map[string]any{"name": "Grace Hopper", "company": "Navy", "emails": []string{"grace@navy.example"}})
	b := s.MustCreateContact(t, tok, map[string]any{"name": "Grace M. Hopper", "emails": []string{"grace@yale.example"}})
	mallory := s.MustCreateContact(t, eve, map[string]any{"name": "Mallory"})
	br := s.signedIn(t, "ada@example.com", tok)
	_, page := br.get("/app/contacts")
	if !strings.Contains(page, `href="/app/duplicates"`) {
		t.Fatal("the contacts page has no link to the duplicates")
	}
	st, page := br.get("/app/duplicates")
	if st != 200 || !strings.Contains(page, "Similar names") || !strings.Contains(page, "/app/contacts/"+a+"/merge") {
		t.Fatalf("duplicates page %d:\n%s", st, page)
	}
	csrf := br.hidden(page, "csrf")
	if st, _ := br.post("/app/contacts/"+a+"/merge", url.Values{"csrf": {csrf}, "other_id": {mallory}}); st != 404 {
		t.Fatalf("merging another user's contact: %d", st)
	}
	st, page = br.post("/app/contacts/"+a+"/merge", url.Values{"csrf": {csrf}, "other_id": {b}})
	if st != 200 || !strings.Contains(page, "Merged into Grace Hopper.") || !strings.Contains(page, "grace@yale.example") {
		t.Fatalf("after merging %d:\n%s", st, page)
	}
	if st, page := br.post("/app/contacts/"+a+"/merge", url.Values{"csrf": {csrf}, "other_id": {b}}); st != 404 || !strings.Contains(page, "gone") {
		t.Fatalf("merging again: %d\n%s", st, page)
	}
	if _, page := br.get("/app/duplicates"); !strings.Contains(page, "No two of your contacts") {
		t.Fatalf("duplicates after the merge:\n%s", page)
	}
	MustStatus(t, s.Do(t, "GET", "/v1/contacts/"+mallory, eve, nil), 200)
}

// TestWebOpening: "they mentioned an opening" from a contact's phone page
// files a lead at their company, sourced by them at the event where you
// met, with a reminder to follow up.
func TestWebOpening(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "Go meetup", "starts_at": "2026-11-24T16:00:00Z"})
	enc := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane", "company": "Acme"}, "moment": "after_talk"})
	MustStatus(t, enc, 201)
	jane := enc.JSON(t)["contact"].(map[string]any)
	id := jane["id"].(string)
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/contacts/" + id)
	if !strings.Contains(page, "They mentioned an opening") || !strings.Contains(page, `value="An opening at Acme"`) {
		t.Fatalf("contact page:\n%s", page)
	}
	st, page := b.post("/app/contacts/"+id+"/opportunities", url.Values{"csrf": {b.hidden(page, "csrf")}, "title": {"An opening at Acme"}, "kind": {"job"}})
	if st != 200 || !strings.Contains(page, "Noted: An opening at Acme.") || !strings.Contains(page, "An opening at Acme</a> · lead") {
		t.Fatalf("after noting it: %d\n%s", st, page)
	}
	items := s.Do(t, "GET", "/v1/opportunities?contact_id="+id, tok, nil).JSON(t)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("opportunities: %v", items)
	}
	o := items[0].(map[string]any)
	if o["company_id"] != jane["company_id"] || o["source_event_id"] != ev || o["stage"] != "lead" || o["next_step_at"] == nil {
		t.Fatalf("the opportunity: %v", o)
	}
	var fs []map[string]any
	for _, it := range s.Do(t, "GET", "/v1/followups?contact_id="+id, tok, nil).JSON(t)["items"].([]any) {
		if f := it.(map[string]any); f["kind"] == "opportunity" {
			fs = append(fs, f)
		}
	}
	if len(fs) != 1 || fs[0]["due_at"] != "2026-11-26T09:00:00Z" {
		t.Fatalf("its reminder: %v", fs)
	}
	// Another user's contact is a 404.
	be := s.signedIn(t, "eve@example.com", eve)
	_, page = be.get("/app/contacts")
	if st, _ := be.post("/app/contacts/"+id+"/opportunities", url.Values{"csrf": {be.hidden(page, "csrf")}}); st != 404 {
		t.Fatalf("Eve noting an opening on Ada's contact: %d", st)
	}
}

// TestWebSearchAndIsolation: the phone's search finds what was said, and
// neither a contact's page nor the search shows another user's contact.
func TestWebSearchAndIsolation(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, bob := s.MustSignup(t, "bob@example.com")
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "Go meetup", "starts_at": "2026-11-24T16:00:00Z"})
	enc := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "José Jane"}, "moment": "after_talk", "notes": "wants the slides"})
	MustStatus(t, enc, 201)
	jane := enc.JSON(t)["contact"].(map[string]any)["id"].(string)
	s.MustCreateContact(t, bob, map[string]any{"name": "Eve Flame", "notes": "slides"})

	b := s.signedIn(t, "ada@example.com", tok)
	if st, page := b.get("/app/contacts?q=slides"); st != 200 || !strings.Contains(page, "/app/contacts/"+jane) || !strings.Contains(page, "wants the slides") {
		t.Fatalf("phone search %d:\n%s", st, page)
	}
	if _, page := b.get("/app/contacts?q=eve"); strings.Contains(page, "Eve Flame") {
		t.Fatal("the phone search shows another user's contact")
	}
	bb := s.signedIn(t, "bob@example.com", bob)
	if st, page := bb.get("/app/contacts/" + jane); st != 404 || strings.Contains(page, "José") {
		t.Fatalf("Ada's contact on Bob's phone: %d", st)
	}
	if _, page := bb.get("/app/contacts?q=jane"); strings.Contains(page, "/app/contacts/"+jane) {
		t.Fatal("Bob's search finds Ada's contact")
	}
}

// TestWebOpeningOfSomeoneMetOften: the opening is sourced at the event
// where you last met them, for someone met more than 200 times: it read
// their first 200 encounters and took the last of those.
func TestWebOpeningOfSomeoneMetOften(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	meetups := s.MustCreateEvent(t, tok, map[string]any{"title": "Go meetups", "starts_at": "2026-01-01T18:00:00Z"})
	godays := s.MustCreateEvent(t, tok, map[string]any{"title": "GoDays", "starts_at": "2026-11-20T09:00:00Z"})
	id := s.MustCreateContact(t, tok, map[string]any{"name": "Jane Doe", "company": "Acme"})
	for i := range 200 {
		met := time.Date(2026, 1, 1, 18, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
		MustStatus(t, s.Do(t, "POST", "/v1/events/"+meetups+"/encounters", tok, map[string]any{"contact_id": id, "moment": "other", "met_at": met.Format(time.RFC3339)}), 201)
	}
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+godays+"/encounters", tok, map[string]any{"contact_id": id, "moment": "after_talk", "met_at": "2026-11-20T12:00:00Z"}), 201)
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/contacts/" + id)
	if st, _ := b.post("/app/contacts/"+id+"/opportunities", url.Values{"csrf": {b.hidden(page, "csrf")}, "title": {"An opening at Acme"}, "kind": {"job"}}); st != 200 {
		t.Fatalf("noting it: %d", st)
	}
	items := s.Do(t, "GET", "/v1/opportunities?contact_id="+id, tok, nil).JSON(t)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["source_event_id"] != godays {
		t.Fatalf("the opportunity's source event: %v, want GoDays %s", items, godays)
	}
}
