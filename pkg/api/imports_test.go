package api_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/contacts"
)

// TestUndoImport: an import answers an import_id; undoing it deletes the
// contacts it created (with their follow-ups), gives the ones it merged
// into their earlier fields back, and only once, for its user only.
func TestUndoImport(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	jane := s.MustCreateContact(t, tok, map[string]any{"name": "Jane", "emails": []string{"jane@example.com"}, "notes": "mine"})
	r := s.Do(t, "POST", "/v1/contacts/import", tok, "name,email,company,notes\nJane D.,jane@example.com,Acme,from the file\nBob,bob@example.com,Globex,\nCleo,cleo@example.com,,\n",
		"Content-Type", "text/csv")
	MustStatus(t, r, 200)
	res := r.JSON(t)
	id, _ := res["import_id"].(string)
	if res["created"] != 2.0 || res["updated"] != 1.0 || id == "" {
		t.Fatalf("import: %s", r.Body)
	}
	if got := s.Do(t, "GET", "/v1/contacts/"+jane, tok, nil).JSON(t); got["company"] != "Acme" {
		t.Fatalf("Jane after the import: %v", got)
	}
	bob := s.Do(t, "GET", "/v1/contacts?q=bob", tok, nil).JSON(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	ev := s.MustCreateEvent(t, tok, nil)
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": bob, "moment": "after_talk"}), 201)
	// History of both imported contacts, which the undo removes set-based
	// (a statement a kind for all of a chunk): an interaction, intros with
	// Jane and between the two, their places in an opportunity.
	cleo := s.Do(t, "GET", "/v1/contacts?q=cleo", tok, nil).JSON(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/"+cleo+"/interactions", tok, map[string]any{"kind": "call", "at": "2026-11-20T10:00:00Z"}), 201)
	janeIntro := s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{jane, bob}})["id"].(string)
	s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{bob, cleo}})
	opp := s.MustCreate(t, tok, "/v1/opportunities", map[string]any{"title": "Advisor", "source_contact_id": bob, "recruiter_ids": []string{cleo, jane}})["id"].(string)

	MustStatus(t, s.Do(t, "DELETE", "/v1/imports/"+id, eve, nil), 404)
	u := s.Do(t, "DELETE", "/v1/imports/"+id, tok, nil)
	MustStatus(t, u, 200)
	if got := u.JSON(t); got["deleted"] != 2.0 || got["restored"] != 1.0 || got["kept"] != 0.0 {
		t.Fatalf("undo: %s", u.Body)
	}
	MustStatus(t, s.Do(t, "GET", "/v1/contacts/"+bob, tok, nil), 404)
	if n := len(s.Do(t, "GET", "/v1/followups?contact_id="+bob, tok, nil).JSON(t)["items"].([]any)); n != 0 {
		t.Fatalf("Bob's follow-ups after the undo: %d", n)
	}
	got := s.Do(t, "GET", "/v1/contacts/"+jane, tok, nil).JSON(t)
	if got["company"] != "" || got["notes"] != "mine" || got["company_id"] != nil {
		t.Fatalf("Jane after the undo: %v", got)
	}
	if n := len(s.Do(t, "GET", "/v1/contacts", tok, nil).JSON(t)["items"].([]any)); n != 1 {
		t.Fatalf("%d contacts after the undo, want Jane alone", n)
	}
	MustStatus(t, s.Do(t, "GET", "/v1/intros/"+janeIntro, tok, nil), 404)
	if n := len(s.Do(t, "GET", "/v1/intros", tok, nil).JSON(t)["items"].([]any)); n != 0 {
		t.Fatalf("%d intros after the undo, want none", n)
	}
	if o := s.Do(t, "GET", "/v1/opportunities/"+opp, tok, nil).JSON(t); o["source_contact_id"] != "" || fmt.Sprint(o["recruiter_ids"]) != "["+jane+"]" {
		t.Fatalf("the opportunity after the undo: %v", o)
	}
	MustStatus(t, s.Do(t, "DELETE", "/v1/imports/"+id, tok, nil), 404)

	// An import that changes nothing has nothing to undo.
	r = s.Do(t, "POST", "/v1/contacts/import", tok, "name,email\nJane,jane@example.com\n", "Content-Type", "text/csv")
	MustStatus(t, r, 200)
	if r.JSON(t)["import_id"] != nil {
		t.Fatalf("an import that changed nothing: %s", r.Body)
	}
}

// TestImportCutInsideItsPlan: an import stopped dead while its record
// names more ids than it has written (ids are named ahead, 2,000 at this
// point) lists them all as what it may have made, and its undo removes
// exactly the contacts it wrote, skipping the ids never made.
func TestImportCutInsideItsPlan(t *testing.T) {
	s := MustServe(t)
	uid, tok := s.MustSignup(t, "ada@example.com")
	// Chunks 1-3 (3,000 rows) written; the record names 4,000.
	apptest.ImportDies(s.CRM.Contacts, uid, "ImportContacts", 4, func(fn func(contacts.Row) error) error {
		for i := range 4000 {
			in := contacts.Input{Name: fmt.Sprintf("Person %d", i), Emails: []string{fmt.Sprintf("p%d@example.com", i)}}
			if err := fn(contacts.Row{Line: i + 2, Input: in}); err != nil {
				return err
			}
		}
		return nil
	})
	cut := s.Do(t, "GET", "/v1/imports", tok, nil).JSON(t)["items"].([]any)[0].(map[string]any)
	if cut["state"] != "running" || cut["created"] != 4000.0 {
		t.Fatalf("the cut import: %v", cut)
	}
	// Running, as far as anyone can tell (it may be writing its next
	// chunk in another process): refused, and nothing is deleted.
	r := s.Do(t, "DELETE", "/v1/imports/"+cut["id"].(string), tok, nil)
	if MustProblem(t, r, 409); !strings.Contains(string(r.Body), "still running") {
		t.Fatalf("undo of a running import: %s", r.Body)
	}
	if page := s.Do(t, "GET", "/v1/contacts?limit=10", tok, nil).JSON(t); len(page["items"].([]any)) != 10 {
		t.Fatalf("contacts after a refused undo: %v", page["items"])
	}
	s.Clock.Add(contacts.ImportStale + time.Second)
	r = s.Do(t, "DELETE", "/v1/imports/"+cut["id"].(string), tok, nil)
	MustStatus(t, r, 200)
	if res := r.JSON(t); res["deleted"] != 3000.0 {
		t.Fatalf("undo of the cut import: %s", r.Body)
	}
	if page := s.Do(t, "GET", "/v1/contacts?limit=10", tok, nil).JSON(t); len(page["items"].([]any)) != 0 {
		t.Fatalf("contacts left after the undo: %v", page["items"])
	}
}

// TestInterruptedImport: an import stopped dead after its first chunk (as
// by kill -9: the goroutine ends inside the row reader, no error handling
// runs) leaves a record that GET /v1/imports lists — running, then
// interrupted once stale — and undoing it removes every contact it wrote
// and the companies it made; the list then shows it undone. A finished
// import is listed with its counts and kind.
func TestInterruptedImport(t *testing.T) {
	s := MustServe(t)
	uid, tok := s.MustSignup(t, "ada@example.com")
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/import", tok, "name,email\nGrace,grace@example.com\n", "Content-Type", "text/csv"), 200)
	s.Clock.Add(time.Second)

	// The first chunk (1,000) is written; the record is about to name the
	// second's ids.
	apptest.ImportDies(s.CRM.Contacts, uid, "UpdateImport", 2, func(fn func(contacts.Row) error) error {
		for i := range 1200 {
			in := contacts.Input{Name: fmt.Sprintf("Person %d", i), Emails: []string{fmt.Sprintf("p%d@example.com", i)}, Company: fmt.Sprintf("Firm %d", i%7)}
			if err := fn(contacts.Row{Line: i + 2, Input: in}); err != nil {
				return err
			}
		}
		return nil
	})
	count := func() int {
		n := 0
		for cur := ""; ; {
			page := s.Do(t, "GET", "/v1/contacts?limit=200&cursor="+cur, tok, nil).JSON(t)
			n += len(page["items"].([]any))
			if cur, _ = page["next_cursor"].(string); cur == "" {
				return n
			}
		}
	}
	if n := count(); n != 1001 {
		t.Fatalf("%d contacts after the cut, want 1001 (Grace and the first chunk)", n)
	}
	list := func() []any { return s.Do(t, "GET", "/v1/imports", tok, nil).JSON(t)["items"].([]any) }
	items := list()
	if len(items) != 2 {
		t.Fatalf("imports listed: %v", items)
	}
	cut, first := items[0].(map[string]any), items[1].(map[string]any)
	if cut["state"] != "running" || cut["created"] != 1000.0 || first["state"] != "done" || first["kind"] != "csv" || first["created"] != 1.0 || first["undone_at"] != nil {
		t.Fatalf("the list: %v", items)
	}
	s.Clock.Add(3 * time.Minute)
	if cut = list()[0].(map[string]any); cut["state"] != "interrupted" {
		t.Fatalf("a cut import after 3 minutes: %v", cut)
	}
	r := s.Do(t, "DELETE", "/v1/imports/"+cut["id"].(string), tok, nil)
	MustStatus(t, r, 200)
	if res := r.JSON(t); res["deleted"] != 1000.0 || res["companies"] != 7.0 {
		t.Fatalf("undo of the cut import: %s", r.Body)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d contacts after the undo, want 1 (Grace)", n)
	}
	if cos := s.Do(t, "GET", "/v1/companies", tok, nil).JSON(t)["items"].([]any); len(cos) != 0 {
		t.Fatalf("companies left after the undo: %v", cos)
	}
	if cut = list()[0].(map[string]any); cut["undone_at"] == nil {
		t.Fatalf("the undone import: %v", cut)
	}
	MustProblem(t, s.Do(t, "DELETE", "/v1/imports/"+cut["id"].(string), tok, nil), 404)
}

// TestUndoImportRemovesItsCompanies: undoing an import deletes the
// companies it made that nothing names any more — more than one unit of
// work's worth — and keeps a company it made that a contact of the
// user's own or an opportunity names now, and one the user had before.
func TestUndoImportRemovesItsCompanies(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	before := s.MustCreate(t, tok, "/v1/companies", map[string]any{"name": "Initech"})["id"].(string)
	s.Clock.Add(time.Second)
	var csv strings.Builder
	csv.WriteString("name,email,company\nPeter,peter@example.com,Initech\n")
	for i := range 230 {
		fmt.Fprintf(&csv, "Person %d,p%d@example.com,Firm %d\n", i, i, i)
	}
	r := s.Do(t, "POST", "/v1/contacts/import", tok, csv.String(), "Content-Type", "text/csv")
	MustStatus(t, r, 200)
	id := r.JSON(t)["import_id"].(string)
	companies := func() map[string]string { // name -> id
		out := map[string]string{}
		for cur := ""; ; {
			page := s.Do(t, "GET", "/v1/companies?limit=100&cursor="+cur, tok, nil).JSON(t)
			for _, c := range page["items"].([]any) {
				c := c.(map[string]any)
				out[c["name"].(string)] = c["id"].(string)
			}
			if cur, _ = page["next_cursor"].(string); cur == "" {
				return out
			}
		}
	}
	companyNamed := func(name string) string { return companies()[name] }
	firm1, firm2 := companyNamed("Firm 1"), companyNamed("Firm 2")
	if firm1 == "" || firm2 == "" {
		t.Fatal("the import made no Firm 1 or Firm 2")
	}
	mine := s.MustCreateContact(t, tok, map[string]any{"name": "Mine", "emails": []string{"mine@example.com"}, "company": "Firm 1"})
	if got := s.Do(t, "GET", "/v1/contacts/"+mine, tok, nil).JSON(t); got["company_id"] != firm1 {
		t.Fatalf("a contact at Firm 1: %v", got)
	}
	s.MustCreate(t, tok, "/v1/opportunities", map[string]any{"title": "Advisor", "company_id": firm2})

	u := s.Do(t, "DELETE", "/v1/imports/"+id, tok, nil)
	MustStatus(t, u, 200)
	if got := u.JSON(t); got["deleted"] != 231.0 || got["companies"] != 228.0 {
		t.Fatalf("undo: %s", u.Body)
	}
	left := slices.Sorted(maps.Values(companies()))
	want := []string{before, firm1, firm2}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Fatalf("companies after the undo %v, want Initech, Firm 1 and Firm 2 %v", left, want)
	}
}
