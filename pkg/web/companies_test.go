package web_test

import (
	"strings"
	"testing"
)

// TestCompanies: the list (search) and a company's page — the people
// there and where you met them, a warm path through an intro you made,
// its opportunities — and another user's company a 404.
func TestCompanies(t *testing.T) {
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
