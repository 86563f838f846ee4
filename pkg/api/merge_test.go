package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestMerge merges a duplicate into a contact through POST
// /v1/contacts/{id}/merge: everything of the other moves, fields are
// united, the other is gone; bad requests change nothing; another user's
// contacts are 404; a merge cut short after its moves is finished by
// calling it again.
func TestMerge(t *testing.T) {
	s := MustServe(t, openSignup)
	uid, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	ev := s.MustCreateEvent(t, tok, nil)
	a := s.MustCreateContact(t, tok, map[string]any{"name": "Grace Hopper", "emails": []string{"grace@navy.example"},
		"tags": []string{"navy"}, "notes": "Compilers", "company": "US Navy"})
	b := s.MustCreateContact(t, tok, map[string]any{"name": "Grace M. Hopper", "emails": []string{"grace@yale.example"},
		"phones": []string{"+1 555 0100 000"}, "tags": []string{"cobol", "Navy"}, "notes": "COBOL", "title": "Rear Admiral",
		"linkedin_url": "https://www.linkedin.com/in/grace-hopper"})
	linus := s.MustCreateContact(t, tok, map[string]any{"name": "Linus"})
	evesContact := s.MustCreateContact(t, eve, map[string]any{"name": "Mallory"})
	for _, id := range []string{a, b} {
		s.MustCreate(t, tok, "/v1/events/"+ev+"/encounters", map[string]any{"contact_id": id, "moment": "after_talk", "topics": []string{"cobol"}})
	}
	s.MustCreate(t, tok, "/v1/contacts/"+b+"/interactions", map[string]any{"kind": "email", "notes": "sent the paper"})
	s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{b, linus}, "context": "compilers"})
	s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{a, b}, "context": "themselves"})
	custom := s.MustCreate(t, tok, "/v1/followups", map[string]any{"contact_id": b, "due_at": "2026-12-05T09:00:00Z", "note": "send the nanosecond"})["id"]
	opp := s.MustCreate(t, tok, "/v1/opportunities", map[string]any{"title": "Advisor", "source_contact_id": b, "recruiter_ids": []string{a, b}})["id"].(string)

	// Bad requests change nothing.
	MustProblem(t, s.Do(t, "POST", "/v1/contacts/"+a+"/merge", tok, map[string]any{}), 422, "other_id")
	MustProblem(t, s.Do(t, "POST", "/v1/contacts/"+a+"/merge", tok, map[string]any{"other_id": a}), 422, "other_id")
	MustProblem(t, s.Do(t, "POST", "/v1/contacts/"+a+"/merge", tok, map[string]any{"other_id": evesContact}), 404, "other_id")
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/"+evesContact+"/merge", tok, map[string]any{"other_id": b}), 404)
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/"+a+"/merge", eve, map[string]any{"other_id": b}), 404)
	many := []string{}
	for i := 0; i < 49; i++ {
		many = append(many, fmt.Sprint("t", i))
	}
	full := s.MustCreateContact(t, tok, map[string]any{"name": "Full", "tags": many})
	MustProblem(t, s.Do(t, "POST", "/v1/contacts/"+full+"/merge", tok, map[string]any{"other_id": b}), 422, "tags")
	MustStatus(t, s.Do(t, "GET", "/v1/contacts/"+b, tok, nil), 200)

	r := s.Do(t, "POST", "/v1/contacts/"+a+"/merge", tok, map[string]any{"other_id": b})
	MustStatus(t, r, 200)
	got := r.JSON(t)
	for field, want := range map[string]string{"name": "Grace Hopper", "emails": "[grace@navy.example grace@yale.example]", "tags": "[navy cobol]",
		"phones": "[+1 555 0100 000]", "notes": "Compilers\n\nCOBOL", "title": "Rear Admiral", "company": "US Navy",
		"linkedin_url": "https://www.linkedin.com/in/grace-hopper"} {
		if fmt.Sprint(got[field]) != want {
			t.Errorf("merged %s = %v, want %s", field, got[field], want)
		}
	}
	MustStatus(t, s.Do(t, "GET", "/v1/contacts/"+b, tok, nil), 404)
	count := func(path string) int {
		t.Helper()
		r := s.Do(t, "GET", path, tok, nil)
		MustStatus(t, r, 200)
		return len(r.JSON(t)["items"].([]any))
	}
	if n := count("/v1/contacts/" + a + "/encounters"); n != 2 {
		t.Errorf("%d encounters, want 2", n)
	}
	if n := count("/v1/contacts/" + a + "/interactions"); n != 1 {
		t.Errorf("%d interactions, want 1", n)
	}
	intros := s.Do(t, "GET", "/v1/intros?contact_id="+a, tok, nil).JSON(t)["items"].([]any)
	if len(intros) != 1 || fmt.Sprint(intros[0].(map[string]any)["contact_ids"]) != fmt.Sprintf("[%s %s]", a, linus) {
		t.Errorf("intros after the merge: %v (the one between the two goes)", intros)
	}
	o := s.Do(t, "GET", "/v1/opportunities/"+opp, tok, nil).JSON(t)
	if o["source_contact_id"] != a || fmt.Sprint(o["recruiter_ids"]) != "["+a+"]" {
		t.Errorf("opportunity %v", o)
	}
	fus := s.Do(t, "GET", "/v1/followups?status=&contact_id="+a+"&limit=200", tok, nil).JSON(t)["items"].([]any)
	pending := map[string]int{}
	sawCustom := false
	for _, f := range fus {
		f := f.(map[string]any)
		if f["status"] == "pending" {
			pending[f["kind"].(string)]++
		}
		sawCustom = sawCustom || f["id"] == custom
	}
	if !sawCustom || pending["thank_you"] != 1 {
		t.Errorf("follow-ups of the merged contact: %v (pending by kind %v)", fus, pending)
	}
	if n := count("/v1/followups?status=&contact_id=" + b); n != 0 {
		t.Errorf("%d follow-ups left on the deleted contact", n)
	}
	// The other's email is the merged contact's now; its words are found there.
	dup := s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": "G", "emails": []string{"grace@yale.example"}})
	MustStatus(t, dup, 409)
	if dup.JSON(t)["existing_id"] != a {
		t.Errorf("the other's email is held by %v", dup.JSON(t)["existing_id"])
	}
	if hits := s.Do(t, "GET", "/v1/search?q=rear+admiral", tok, nil).JSON(t)["items"].([]any); len(hits) != 1 || hits[0].(map[string]any)["id"] != a {
		t.Errorf("search after the merge: %v", hits)
	}

	// A merge cut short after its moves (both contacts still there, every
	// record on one of them) is finished by calling it again.
	c := s.MustCreateContact(t, tok, map[string]any{"name": "Ann", "emails": []string{"ann@a.example"}, "notes": "first"})
	d := s.MustCreateContact(t, tok, map[string]any{"name": "Ann B", "emails": []string{"ann@b.example"}, "notes": "second"})
	s.MustCreate(t, tok, "/v1/events/"+ev+"/encounters", map[string]any{"contact_id": d, "moment": "other"})
	if _, err := s.CRM.Contacts.Store.MoveContact(context.Background(), uid, d, c, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	MustStatus(t, s.Do(t, "GET", "/v1/contacts/"+d, tok, nil), 200)
	if n := count("/v1/contacts/" + c + "/encounters"); n != 1 {
		t.Fatalf("after the cut: %d encounters on the kept contact", n)
	}
	r = s.Do(t, "POST", "/v1/contacts/"+c+"/merge", tok, map[string]any{"other_id": d})
	MustStatus(t, r, 200)
	if got := r.JSON(t); got["notes"] != "first\n\nsecond" || !strings.Contains(fmt.Sprint(got["emails"]), "ann@b.example") {
		t.Fatalf("finished merge: %v", got)
	}
	MustStatus(t, s.Do(t, "GET", "/v1/contacts/"+d, tok, nil), 404)
}

// TestUndoImportKeepsAMergedOlderContact: a contact an import created,
// into which an older contact (with its history) was merged, is kept by
// undoing the import; the others it created go.
func TestUndoImportKeepsAMergedOlderContact(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	ev := s.MustCreateEvent(t, tok, nil)
	old := s.MustCreateContact(t, tok, map[string]any{"name": "Grace", "phones": []string{"+1 555 0100 000"}})
	s.MustCreate(t, tok, "/v1/events/"+ev+"/encounters", map[string]any{"contact_id": old, "moment": "after_talk", "notes": "met at the navy yard"})
	s.Clock.Add(time.Hour)
	r := s.Do(t, "POST", "/v1/contacts/import", tok, "name,email\nGrace Hopper,grace@navy.example\nBob,bob@example.com\n", "Content-Type", "text/csv")
	MustStatus(t, r, 200)
	imp := r.JSON(t)["import_id"].(string)
	imported := s.Do(t, "GET", "/v1/contacts?q=grace+hopper", tok, nil).JSON(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	s.Clock.Add(time.Hour)
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/"+imported+"/merge", tok, map[string]any{"other_id": old}), 200)
	r = s.Do(t, "DELETE", "/v1/imports/"+imp, tok, nil)
	MustStatus(t, r, 200)
	if got := r.JSON(t); got["deleted"] != 1.0 || got["kept"] != 1.0 {
		t.Fatalf("undo: %v (Bob deleted, the merged Grace kept)", got)
	}
	encs := s.Do(t, "GET", "/v1/contacts/"+imported+"/encounters", tok, nil).JSON(t)["items"].([]any)
	if len(encs) != 1 || encs[0].(map[string]any)["notes"] != "met at the navy yard" {
		t.Fatalf("the older contact's history after the undo: %v", encs)
	}
}
