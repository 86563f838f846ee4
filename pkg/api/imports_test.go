package api_test

import (
	"testing"
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
	MustStatus(t, s.Do(t, "DELETE", "/v1/imports/"+id, tok, nil), 404)

	// An import that changes nothing has nothing to undo.
	r = s.Do(t, "POST", "/v1/contacts/import", tok, "name,email\nJane,jane@example.com\n", "Content-Type", "text/csv")
	MustStatus(t, r, 200)
	if r.JSON(t)["import_id"] != nil {
		t.Fatalf("an import that changed nothing: %s", r.Body)
	}
}
