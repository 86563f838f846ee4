package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCompanies: the list (search) and a company's page — the people
// there and where you met them, a warm path through an intro you made,
// its opportunities — and another user's company a 404.
func TestCompanies(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-20T18:00:00Z"})
	var met struct {
		Contact struct {
			ID        string
			CompanyID string `json:"company_id"`
		}
	}
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane Doe", "company": "Acme", "title": "CTO"},
		"moment": "after_talk", "met_at": "2026-11-20T19:00:00Z"}, 201, &met)
	acme := met.Contact.CompanyID
	if acme == "" {
		t.Fatal("Jane's company was not linked")
	}
	bob := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Smith", "company": "Initech"})
	s.create(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{bob, met.Contact.ID}, "context": "Go hiring"})
	s.create(t, tok, "/v1/opportunities", map[string]any{"title": "Staff engineer at Acme", "company_id": acme})
	b := s.signedIn(t, "ada@example.com", tok)

	st, page := b.get("/app/companies")
	if st != 200 {
		t.Fatalf("companies: %d", st)
	}
	mustContain(t, page, "Acme", "Initech")
	if _, page = b.get("/app/companies?q=acm"); strings.Contains(page, "Initech") || !strings.Contains(page, "Acme") {
		t.Fatal("company search")
	}
	st, page = b.get("/app/companies/" + acme)
	if st != 200 {
		t.Fatalf("company page: %d", st)
	}
	mustContain(t, page, "Jane Doe", "CTO", "20 Nov 2026 at GoDays", "Warm paths in", "Bob Smith", "you introduced them to Jane Doe", "Staff engineer at Acme")
	if _, page = b.get("/app/contacts/" + met.Contact.ID); !strings.Contains(page, `href="/app/companies/`+acme+`"`) {
		t.Error("the contact page does not link the company")
	}
	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	if st, _ := eve.get("/app/companies/" + acme); st != 404 {
		t.Fatalf("another user's company: %d", st)
	}
	if _, page = eve.get("/app/companies"); strings.Contains(page, "Acme") {
		t.Fatal("another user's companies are listed")
	}
}

// TestEditAndDeleteACompany: a company's page edits its name, domain,
// website, tags and notes as PATCH /v1/companies/{id} does — a website
// that is none comes back next to its field with what was typed — and
// deletes it once its box is ticked, the people there kept; a form drawn
// before the company changed elsewhere is not saved (409), its text kept.
// Another user's company is 404 to both. The page could only be read.
func TestEditAndDeleteACompany(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "company": "Acme"})
	var got struct {
		CompanyID string `json:"company_id"`
	}
	s.api(t, "GET", "/v1/contacts/"+jane, tok, nil, 200, &got)
	acme := got.CompanyID
	b := s.signedIn(t, "ada@example.com", tok)

	_, page := b.get("/app/companies/" + acme)
	mustContain(t, page, `action="/app/companies/`+acme+`/edit"`, `value="Acme"`)
	edit := func(page, website string) url.Values { // the form as drawn on page, filled in
		v := form(page, "/app/companies/"+acme+"/edit")
		v.Set("name", "Acme Corp")
		v.Set("domain", "acme.example")
		v.Set("url", website)
		v.Set("tags", "tools, berlin")
		v.Set("notes", "Series B")
		return v
	}
	st, page := b.post("/app/companies/"+acme+"/edit", edit(page, "not a website"))
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, `id="url-error"`) || !strings.Contains(page, `value="Acme Corp"`) {
		t.Fatalf("a website that is none: %d\n%.3000s", st, page)
	}
	// Changed elsewhere since the form was drawn: not saved, the text
	// kept; saved when sent again.
	s.Clock.Add(time.Minute)
	s.api(t, "PATCH", "/v1/companies/"+acme, tok, map[string]any{"notes": "Raised a round"}, 200, nil)
	stale := edit(page, "https://acme.example")
	st, page = b.post("/app/companies/"+acme+"/edit", stale)
	if st != http.StatusConflict || !strings.Contains(page, "was changed elsewhere") || !strings.Contains(page, "Series B") {
		t.Fatalf("a form drawn before another edit: %d\n%.3000s", st, page)
	}
	var notes struct{ Notes string }
	if s.api(t, "GET", "/v1/companies/"+acme, tok, nil, 200, &notes); notes.Notes != "Raised a round" {
		t.Fatalf("the other edit's notes: %q", notes.Notes)
	}
	st, page = b.post("/app/companies/"+acme+"/edit", edit(page, "https://acme.example"))
	if st != 200 {
		t.Fatalf("save: %d", st)
	}
	mustContain(t, page, "Saved Acme Corp.", "acme.example", "tools, berlin", "Series B", "Jane Doe")
	var co struct {
		Name, Domain, URL, Notes string
		Tags                     []string
	}
	s.api(t, "GET", "/v1/companies/"+acme, tok, nil, 200, &co)
	if co.Name != "Acme Corp" || co.Domain != "acme.example" || co.URL != "https://acme.example" || co.Notes != "Series B" || len(co.Tags) != 2 {
		t.Fatalf("the company after the edit: %+v", co)
	}

	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	eve.get("/app/companies")
	for _, action := range []string{"edit", "delete"} {
		if st, _ := eve.post("/app/companies/"+acme+"/"+action, url.Values{"name": {"x"}, "sure": {"1"}}); st != http.StatusNotFound {
			t.Errorf("another user's %s: %d, want 404", action, st)
		}
	}

	b.get("/app/companies/" + acme)
	if _, page = b.post("/app/companies/"+acme+"/delete", url.Values{}); !strings.Contains(page, "Tick the box") {
		t.Fatal("deleted without its box ticked")
	}
	if _, page = b.post("/app/companies/"+acme+"/delete", url.Values{"sure": {"1"}}); !strings.Contains(page, "Deleted Acme Corp; the people there stay.") {
		t.Fatalf("delete:\n%.2000s", page)
	}
	s.api(t, "GET", "/v1/companies/"+acme, tok, nil, 404, nil)
	s.api(t, "GET", "/v1/contacts/"+jane, tok, nil, 200, nil)
}

// TestNewCompany adds a company from the companies page — one you want to
// get into before you know anyone there — and names it among an event's
// targets; sent twice, one company; a name another company has (however
// spelt) comes back with a link to it, and a missing name next to its
// field, what was typed kept each time.
func TestNewCompany(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/companies")
	mustContain(t, page, "A new company", `action="/app/companies"`)
	newForm := func(page string) url.Values {
		return form(page[strings.Index(page, "A new company"):], "/app/companies")
	}
	sent := newForm(page)
	for k, v := range map[string]string{"name": "Hooli", "domain": "hooli.example", "url": "https://hooli.example", "tags": "search, ai", "notes": "Hiring\nplatform people"} {
		sent.Set(k, v)
	}
	for range 2 {
		if st, page := b.post("/app/companies", sent); st != 200 || !strings.Contains(page, "Added Hooli.") || !strings.Contains(page, "<h1>Hooli</h1>") {
			t.Fatalf("added: %d\n%.2000s", st, page)
		}
	}
	var list struct {
		Items []struct {
			ID, Name, Domain, URL, Notes string
			Tags                         []string
		}
	}
	s.api(t, "GET", "/v1/companies", tok, nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].Domain != "hooli.example" || list.Items[0].Notes != "Hiring\nplatform people" || len(list.Items[0].Tags) != 2 {
		t.Fatalf("after the form was sent twice: %+v", list.Items)
	}
	hooli := list.Items[0].ID

	for _, tc := range []struct {
		name, want string
		status     int
	}{{"HOOLI Inc.", `href="/app/companies/` + hooli + `"`, 409}, {"", `id="name-error"`, 422}} {
		_, page = b.get("/app/companies")
		sent = newForm(page)
		sent.Set("name", tc.name)
		sent.Set("notes", "Typed, and kept")
		st, page := b.post("/app/companies", sent)
		if st != tc.status {
			t.Fatalf("name %q: %d, want %d\n%.2000s", tc.name, st, tc.status, page)
		}
		mustContain(t, page, tc.want, "Typed, and kept", `<details class="card" id="new" open>`)
	}
	if s.api(t, "GET", "/v1/companies", tok, nil, 200, &list); len(list.Items) != 1 {
		t.Fatalf("a refused company was added: %+v", list.Items)
	}

	// An event's targets can name it now.
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-30T18:00:00Z"})
	_, page = b.get("/app/events/" + ev + "/edit")
	edit := form(page, "/app/events/"+ev+"/edit")
	for k, v := range map[string]string{"title": "GoDays", "kind": "meetup", "starts_at": "2026-11-30T19:00", "timezone": "Europe/Berlin", "targets": "Hooli"} {
		edit.Set(k, v)
	}
	if st, page := b.post("/app/events/"+ev+"/edit", edit); st != 200 {
		t.Fatalf("targets: %d\n%.2000s", st, page)
	}
	var e struct {
		Targets []struct {
			CompanyID string `json:"company_id"`
		}
	}
	s.api(t, "GET", "/v1/events/"+ev, tok, nil, 200, &e)
	if len(e.Targets) != 1 || e.Targets[0].CompanyID != hooli {
		t.Fatalf("the event's targets: %+v, want Hooli", e.Targets)
	}
}

// TestCompanyPageWithManyPeople: a company's page lists the first 200
// people there and links to the rest. It listed 200 and said nothing of
// the others: a big employer's former colleagues past "M" were not there.
func TestCompanyPageWithManyPeople(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	var acme string
	for i := range 205 {
		var c struct {
			CompanyID string `json:"company_id"`
		}
		s.api(t, "POST", "/v1/contacts", tok, map[string]any{"name": fmt.Sprintf("Person %03d", i), "company": "Acme"}, 201, &c)
		acme = c.CompanyID
	}
	b := s.signedIn(t, "ada@example.com", tok)
	people := func(page string) int { return strings.Count(page, `<li class="card"><a href="/app/contacts/`) }
	_, page := b.get("/app/companies/" + acme)
	m := regexp.MustCompile(`href="(/app/companies/[^"]+\?page=[^"#]+)#people">More people there`).FindStringSubmatch(page)
	if n := people(page); n != 200 || m == nil || !strings.Contains(page, ">Person 199</strong>") || strings.Contains(page, ">Person 200</strong>") {
		t.Fatalf("the first page lists %d people (link %v)", n, m)
	}
	_, page = b.get(html.UnescapeString(m[1]))
	if n := people(page); n != 5 || !strings.Contains(page, ">Person 204</strong>") || strings.Contains(page, "More people there") {
		t.Fatalf("the next page lists %d people:\n%s", n, page)
	}
	_, page = b.get("/app/companies/" + acme + "?page=nonsense")
	if n := people(page); n != 200 || !strings.Contains(page, "That page of the people there is not one this page gave.") {
		t.Fatalf("a bad page: %d people", n)
	}
}
