package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestCompanies: contacts are linked to one company whatever the spelling
// of its name or their email's domain; its page lists who you know there
// and how you met; another user's company is 404 everywhere.
func TestCompanies(t *testing.T) {
	s := MustServe(t, openSignup)
	uid, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	mk := func(body map[string]any) map[string]any {
		t.Helper()
		r := s.Do(t, "POST", "/v1/contacts", tok, body)
		MustStatus(t, r, 201)
		return r.JSON(t)
	}
	jane := mk(map[string]any{"name": "Jane", "company": "Acme", "emails": []string{"jane@acme.io"}})
	bob := mk(map[string]any{"name": "Bob", "company": "ACME Inc.", "emails": []string{"bob@gmail.com"}})
	cleo := mk(map[string]any{"name": "Cleo", "emails": []string{"cleo@mail.acme.io"}})
	dan := mk(map[string]any{"name": "Dan", "company": "acme.io"})
	solo := mk(map[string]any{"name": "Solo", "emails": []string{"solo@gmail.com"}})
	acme, _ := jane["company_id"].(string)
	if acme == "" {
		t.Fatalf("Jane has no company_id: %v", jane)
	}
	for _, c := range []map[string]any{bob, cleo, dan} {
		if c["company_id"] != acme {
			t.Errorf("%s: company_id %v, want Acme's %s", c["name"], c["company_id"], acme)
		}
	}
	if solo["company_id"] != nil {
		t.Errorf("a contact with no company and free mail got a company: %v", solo["company_id"])
	}
	list := s.Do(t, "GET", "/v1/companies", tok, nil).JSON(t)["items"].([]any)
	if len(list) != 1 {
		t.Fatalf("companies: %v", list)
	}
	co := list[0].(map[string]any)
	if co["name"] != "Acme" || co["domain"] != "acme.io" {
		t.Fatalf("the company made from Jane: %v", co)
	}
	// A company with that name again is a 409 naming it.
	dup := s.Do(t, "POST", "/v1/companies", tok, map[string]any{"name": "acme, inc"})
	MustStatus(t, dup, 409)
	if dup.JSON(t)["existing_id"] != acme {
		t.Fatalf("409 without existing_id: %s", dup.Body)
	}
	MustStatus(t, s.Do(t, "POST", "/v1/companies", tok, map[string]any{"name": "!!", "domain": "not a domain"}), 422)

	// Who you know there, and how you met.
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "Go meetup", "starts_at": "2026-11-20T18:00:00Z"})
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": jane["id"], "moment": "after_talk"}), 201)
	people := s.Do(t, "GET", "/v1/companies/"+acme+"/people", tok, nil)
	MustStatus(t, people, 200)
	items := people.JSON(t)["items"].([]any)
	if len(items) != 4 {
		t.Fatalf("people at Acme: %d", len(items))
	}
	var janeMet []any
	for _, it := range items {
		p := it.(map[string]any)
		if p["contact"].(map[string]any)["name"] == "Jane" {
			janeMet = p["met"].([]any)
		}
	}
	if len(janeMet) != 1 || janeMet[0].(map[string]any)["event_title"] != "Go meetup" || janeMet[0].(map[string]any)["moment"] != "after_talk" {
		t.Fatalf("how you met Jane: %v", janeMet)
	}

	// Bob moves to Globex: a new company, and Acme keeps three.
	moved := s.Do(t, "PATCH", "/v1/contacts/"+bob["id"].(string), tok, map[string]any{"company": "Globex"})
	MustStatus(t, moved, 200)
	if moved.JSON(t)["company_id"] == acme || moved.JSON(t)["company_id"] == nil {
		t.Fatalf("Bob after moving: %s", moved.Body)
	}
	if n := len(s.Do(t, "GET", "/v1/companies/"+acme+"/people", tok, nil).JSON(t)["items"].([]any)); n != 3 {
		t.Fatalf("people at Acme after Bob moved: %d", n)
	}
	if n := len(s.Do(t, "GET", "/v1/companies?q=glob", tok, nil).JSON(t)["items"].([]any)); n != 1 {
		t.Fatalf("q=glob: %d", n)
	}
	// An import links its rows too.
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/import", tok, "name,email,company\nErin,erin@acme.io,\nFay,fay@initech.example,Initech\n", "Content-Type", "text/csv"), 200)
	erin := s.Do(t, "GET", "/v1/contacts?q=erin", tok, nil).JSON(t)["items"].([]any)[0].(map[string]any)
	if erin["company_id"] != acme {
		t.Fatalf("imported Erin: %v", erin["company_id"])
	}

	companiesKeptAndGone(t, s, uid, tok, eve, acme, jane["id"].(string))
}

// companiesKeptAndGone: another user's requests for the company are 404;
// contacts stored before companies are linked once; a backup carries
// companies and their links; deleting a company keeps its people, unlinked.
func companiesKeptAndGone(t *testing.T, s *TestServer, uid, tok, eve, acme, janeID string) {
	// Isolation: Eve's requests for Ada's company are 404.
	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/companies/" + acme}, {"PATCH", "/v1/companies/" + acme}, {"DELETE", "/v1/companies/" + acme}, {"GET", "/v1/companies/" + acme + "/people"},
	} {
		var body any
		if r.method == "PATCH" {
			body = map[string]any{"notes": "mine"}
		}
		MustStatus(t, s.Do(t, r.method, r.path, eve, body), 404)
	}
	if n := len(s.Do(t, "GET", "/v1/companies", eve, nil).JSON(t)["items"].([]any)); n != 0 {
		t.Fatalf("Eve sees %d companies", n)
	}

	// Contacts stored before companies existed are linked once, at start.
	ctx := context.Background()
	if err := s.CRM.Contacts.Store.DetachCompany(ctx, uid, acme); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Do(t, "GET", "/v1/companies/"+acme+"/people", tok, nil).JSON(t)["items"].([]any)); n != 0 {
		t.Fatalf("people after detaching: %d", n)
	}
	if n, err := s.CRM.LinkCompanies(ctx, s.Accounts); err != nil || n != 4 {
		t.Fatalf("LinkCompanies linked %d, %v; want Jane, Cleo, Dan and Erin", n, err)
	}
	if n := len(s.Do(t, "GET", "/v1/companies/"+acme+"/people", tok, nil).JSON(t)["items"].([]any)); n != 4 {
		t.Fatalf("people after linking: %d", n)
	}
	if n, err := s.CRM.LinkCompanies(ctx, s.Accounts); err != nil || n != 0 {
		t.Fatalf("LinkCompanies ran twice: %d, %v", n, err)
	}

	// A backup carries companies and the links to them.
	backup := s.Do(t, "GET", "/v1/export", tok, nil)
	MustStatus(t, backup, 200)
	_, carl := s.MustSignup(t, "carl@example.com")
	MustStatus(t, s.Do(t, "POST", "/v1/import", carl, backup.Body), 200)
	theirs := s.Do(t, "GET", "/v1/companies?q=acme", carl, nil).JSON(t)["items"].([]any)
	if len(theirs) != 1 || theirs[0].(map[string]any)["id"] == acme {
		t.Fatalf("restored companies: %v", theirs)
	}
	if n := len(s.Do(t, "GET", "/v1/companies/"+theirs[0].(map[string]any)["id"].(string)+"/people", carl, nil).JSON(t)["items"].([]any)); n != 4 {
		t.Fatalf("people at the restored Acme: %d", n)
	}
	if a, c := len(s.Do(t, "GET", "/v1/companies", tok, nil).JSON(t)["items"].([]any)), len(s.Do(t, "GET", "/v1/companies", carl, nil).JSON(t)["items"].([]any)); a != c {
		t.Fatalf("%d companies restored of %d", c, a)
	}

	// Deleting the company keeps its people, unlinked.
	MustStatus(t, s.Do(t, "DELETE", "/v1/companies/"+acme, tok, nil), 204)
	j := s.Do(t, "GET", "/v1/contacts/"+janeID, tok, nil).JSON(t)
	if j["company"] != "Acme" || j["company_id"] != nil {
		t.Fatalf("Jane after her company was deleted: %v", j)
	}
	MustStatus(t, s.Do(t, "GET", "/v1/companies/"+acme, tok, nil), 404)
}

// TestWarmPaths ranks the ways into a company on a known network: the
// people there (10 + 2 a meeting), then those introduced to them (5 an
// intro) or met at the same events (1 an event and person).
func TestWarmPaths(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	c := func(name, company string) string {
		return s.MustCreateContact(t, tok, map[string]any{"name": name, "company": company})
	}
	ann, ben, cat, dan, eli, fay := c("Ann", "Acme"), c("Ben", "ACME Inc"), c("Cat", "Globex"), c("Dan", ""), c("Eli", ""), c("Fay", "")
	ev := func(title string) string {
		return s.MustCreateEvent(t, tok, map[string]any{"title": title, "starts_at": "2026-11-20T18:00:00Z"})
	}
	e1, e2, e3 := ev("Go meetup"), ev("Rust meetup"), ev("Elm meetup")
	met := func(event string, people ...string) {
		for _, p := range people {
			MustStatus(t, s.Do(t, "POST", "/v1/events/"+event+"/encounters", tok, map[string]any{"contact_id": p, "moment": "after_talk", "followup": false}), 201)
		}
	}
	met(e1, ann, ben, cat)
	met(e2, ann, dan)
	met(e3, fay)
	MustStatus(t, s.Do(t, "POST", "/v1/intros", tok, map[string]any{"contact_ids": []string{cat, ann}}), 201)
	declined := s.Do(t, "POST", "/v1/intros", tok, map[string]any{"contact_ids": []string{eli, ben}, "double_opt_in": true})
	MustStatus(t, declined, 201)
	MustStatus(t, s.Do(t, "PATCH", "/v1/intros/"+declined.JSON(t)["id"].(string), tok, map[string]any{"status": "declined"}), 200)
	acme := s.Do(t, "GET", "/v1/contacts/"+ann, tok, nil).JSON(t)["company_id"].(string)

	r := s.Do(t, "GET", "/v1/companies/"+acme+"/paths", tok, nil)
	MustStatus(t, r, 200)
	var got []string
	var catVia []any
	for _, it := range r.JSON(t)["items"].([]any) {
		p := it.(map[string]any)
		name := p["contact"].(map[string]any)["name"].(string)
		got = append(got, fmt.Sprintf("%s:%v:%v", name, p["score"], p["works_there"]))
		if name == "Cat" {
			catVia = p["via"].([]any)
		}
	}
	if want := "[Ann:14:true Ben:12:true Cat:7:false Dan:1:false]"; fmt.Sprint(got) != want {
		t.Fatalf("paths %v; want %s", got, want)
	}
	if len(catVia) != 3 || catVia[0].(map[string]any)["how"] != "introduced" || catVia[0].(map[string]any)["name"] != "Ann" {
		t.Fatalf("how Cat leads in: %v", catVia)
	}
	MustStatus(t, s.Do(t, "GET", "/v1/companies/"+acme+"/paths", eve, nil), 404)
}

// TestCompanyPeoplePages: GET /v1/companies/{id}/people pages as every
// list does (?limit=, default 50, and ?cursor=). It answered the first 200
// by name and no next_cursor, so a big employer's 201st was never listed.
func TestCompanyPeoplePages(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	var acme string
	for i := range 205 {
		r := s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": fmt.Sprintf("Person %03d", i), "company": "Acme"})
		MustStatus(t, r, 201)
		acme, _ = r.JSON(t)["company_id"].(string)
	}
	path := "/v1/companies/" + acme + "/people"
	first := s.Do(t, "GET", path, tok, nil).JSON(t)
	if n := len(first["items"].([]any)); n != 50 || first["next_cursor"] == nil {
		t.Fatalf("the first page: %d people, next_cursor %v", n, first["next_cursor"])
	}
	var names []string
	cursor := ""
	for range 3 {
		r := s.Do(t, "GET", path+"?limit=200&cursor="+cursor, tok, nil)
		MustStatus(t, r, 200)
		page := r.JSON(t)
		for _, it := range page["items"].([]any) {
			names = append(names, it.(map[string]any)["contact"].(map[string]any)["name"].(string))
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(names) != 205 || names[0] != "Person 000" || names[200] != "Person 200" || names[204] != "Person 204" {
		t.Fatalf("%d people over the pages: %v … %v", len(names), names[:2], names[len(names)-2:])
	}
	for q, field := range map[string]string{"?limit=500": "limit", "?cursor=nonsense": "cursor"} {
		r := s.Do(t, "GET", path+q, tok, nil)
		MustStatus(t, r, 422)
		if !strings.Contains(string(r.Body), `"`+field+`"`) {
			t.Errorf("%s: the problem does not name %s: %s", q, field, r.Body)
		}
	}
}
