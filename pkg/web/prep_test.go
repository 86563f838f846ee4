package web_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestPrepPage: the brief before an event as a page — why you go, the
// guests you know with when you last met, whom to meet with the reasons,
// the speakers; another user's event is a 404 page.
func TestPrepPage(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	eve := s.signup(t, "eve@example.com")
	old := s.create(t, tok, "/v1/events", map[string]any{"title": "Go meetup #41", "starts_at": "2026-10-20T18:00:00Z",
		"talks": []map[string]any{{"title": "Profiling", "speaker": "Rob Pike"}}})
	var out struct{ Contact struct{ ID string } }
	s.api(t, "POST", "/v1/events/"+old+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane Doe", "emails": []string{"jane@acme.example"}},
		"moment": "after_talk", "met_at": "2026-10-20T20:00:00Z", "topics": []string{"wasm"}}, 201, &out)
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "Go meetup #42", "starts_at": "2026-11-26T18:00:00Z",
		"intentions": map[string]any{"learn": []string{"how others profile"}}, "targets": []map[string]any{{"name": "Grace Hopper"}},
		"talks": []map[string]any{{"title": "More profiling", "speaker": "Rob Pike"}}})
	r := s.Do(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, "name,email,title\nJane Doe,jane@acme.example,CTO\nGrace Hopper,grace@navy.example,Admiral\nWasm Walt,walt@example.com,WASM engineer\n",
		"Content-Type", "text/csv")
	MustStatus(t, r, 200)
	b := s.signedIn(t, "ada@example.com", tok)
	_, evPage := b.get("/app/events/" + ev)
	mustContain(t, evPage, `href="/app/events/`+ev+`/prep"`)
	st, page := b.get("/app/events/" + ev + "/prep")
	if st != 200 {
		t.Fatalf("prep: %d", st)
	}
	mustContain(t, page, "Prepare: Go meetup #42", "how others profile", "Grace Hopper",
		`<a href="/app/contacts/`+out.Contact.ID+`">Jane Doe</a>`, "20 Oct 2026 at Go meetup #41", "<td>wasm</td>", "<td>2 follow-ups</td>",
		"You wanted to meet Grace Hopper", "Into wasm, one of your hot topics", "you saw them at Go meetup #41", "data-print")
	if strings.Index(page, "<strong>Grace Hopper</strong>") > strings.Index(page, "<strong>Wasm Walt</strong>") {
		t.Error("the target is not ranked first")
	}
	// An event without a guest list says where one comes from.
	bare := s.create(t, tok, "/v1/events", map[string]any{"title": "Go meetup #43", "starts_at": "2026-12-26T18:00:00Z"})
	_, page = b.get("/app/events/" + bare + "/prep")
	mustContain(t, page, `No guest list yet: <a href="/app/events/`+bare+`/guests">import it</a>`)
	if strings.Contains(page, "Nobody on the guest list is a contact") {
		t.Error("an event without a guest list says nobody on it is a contact")
	}
	be := s.signedIn(t, "eve@example.com", eve)
	if st, _ := be.get("/app/events/" + ev + "/prep"); st != 404 {
		t.Fatalf("Eve reads Ada's brief: %d", st)
	}
}

// TestTargetsAndSpeakersByTheirVeryName: a target typed as a contact's
// full name, and a speaker of that name, are that contact however many
// others contain the name and sort before it (a text search's first ten,
// and five, were all those others: the target was kept as a bare name,
// and the speaker shown as no one you know). A target typed as another
// spelling of a company's name is that company, as a contact's company
// text links them.
func TestTargetsAndSpeakersByTheirVeryName(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	for _, name := range []string{"Ada Rob Pike", "Al Rob Pike", "Amy Rob Pike", "Ana Rob Pike", "Andy Rob Pike", "Rob Abbott Pike",
		"Rob Baker Pike", "Rob Carter Pike", "Rob Dunn Pike", "Rob Evans Pike", "Rob Fox Pike"} {
		s.create(t, tok, "/v1/contacts", map[string]any{"name": name})
	}
	rob := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Rob Pike", "emails": []string{"rob@example.com"}})
	acme := s.create(t, tok, "/v1/companies", map[string]any{"name": "ACME Inc."})
	grace := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Grace Hopper", "emails": []string{"grace@navy.example"}})
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-12-10T18:00:00Z"})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/events/" + ev + "/edit")
	f := form(page, "/app/events/"+ev+"/edit")
	for k, v := range map[string]string{"title": "GoDays", "starts_at": "2026-12-10T18:00", "timezone": "UTC", "targets": "rob  pike\nAcme\nGRACE@navy.example"} {
		f.Set(k, v)
	}
	if st, page := b.post("/app/events/"+ev+"/edit", f); st != 200 || !strings.Contains(page, "Saved GoDays.") {
		t.Fatalf("save: %d", st)
	}
	var got struct {
		Targets []struct {
			ContactID string `json:"contact_id"`
			CompanyID string `json:"company_id"`
			Name      string
		}
	}
	s.api(t, "GET", "/v1/events/"+ev, tok, nil, 200, &got)
	if len(got.Targets) != 3 || got.Targets[0].ContactID != rob || got.Targets[1].CompanyID != acme || got.Targets[2].ContactID != grace {
		t.Fatalf("targets %+v, want Rob Pike's contact %s, ACME Inc. %s and Grace Hopper's %s (by email)", got.Targets, rob, acme, grace)
	}
	talk := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays II", "starts_at": "2026-12-11T18:00:00Z",
		"talks": []map[string]any{{"title": "Profiling", "speaker": "Rob Pike"}}})
	_, page = b.get("/app/events/" + talk + "/prep")
	speakers := regexp.MustCompile(`(?s)<h2 id="speakers-h">Speakers</h2>.*?</ul>`).FindString(page)
	if !strings.Contains(speakers, `<a href="/app/contacts/`+rob+`">Rob Pike</a>`) {
		t.Fatalf("the speaker is not Rob Pike's contact: %q", speakers)
	}
}
