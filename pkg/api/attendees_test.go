package api_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestAttendees: an event's guest list over HTTP — a Luma export imported
// (bad lines reported by line, the rest kept), imported again (updated,
// not duplicated), JSON, who is already a contact and who was met, one
// taken off the list, another user's event a 404 on every route, and the
// list gone with its event.
func TestAttendees(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "Go meetup", "starts_at": "2026-11-24T16:00:00Z"})
	chloe := s.MustCreateContact(t, tok, map[string]any{"name": "Chloé M.", "emails": []string{"chloe@globex.example"}})
	jose := s.MustCreateContact(t, tok, map[string]any{"name": "José", "linkedin_url": "https://linkedin.com/in/josenunez"})
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": chloe, "moment": "after_talk"}), 201)
	luma, err := os.ReadFile("../guestlist/testdata/luma.csv")
	if err != nil {
		t.Fatal(err)
	}
	path := "/v1/events/" + ev + "/attendees"

	r := s.Do(t, "POST", path+"/import", tok, luma, "Content-Type", "text/csv")
	MustStatus(t, r, 200)
	res := r.JSON(t)
	if res["format"] != "luma" || res["added"] != 6.0 || res["updated"] != 0.0 || res["matched"] != 2.0 || res["skipped"] != 2.0 {
		t.Fatalf("the first import: %v", res)
	}
	errs := res["errors"].([]any)
	if len(errs) != 2 || errs[0].(map[string]any)["line"] != 7.0 || !strings.Contains(errs[0].(map[string]any)["message"].(string), "email") {
		t.Fatalf("errors: %v", errs)
	}
	// Again, plus JSON: nothing duplicated; an update and a new one.
	r = s.Do(t, "POST", path+"/import", tok, luma, "Content-Type", "text/csv; charset=utf-8")
	if res := r.JSON(t); res["added"] != 0.0 || res["updated"] != 6.0 {
		t.Fatalf("the same list again: %v", res)
	}
	r = s.Do(t, "POST", path+"/import", tok, map[string]any{"attendees": []map[string]any{
		{"name": "Waiting Wu", "email": "WU@example.com", "status": "going"}, {"name": "Grace Hopper", "company": "Navy"}, {"email": "x@example.com"}}})
	if res := r.JSON(t); res["format"] != "json" || res["added"] != 1.0 || res["updated"] != 1.0 || res["skipped"] != 1.0 {
		t.Fatalf("JSON: %v", res)
	}
	list := s.Do(t, "GET", path+"?limit=200", tok, nil).JSON(t)["items"].([]any)
	if len(list) != 7 {
		t.Fatalf("the list has %d", len(list))
	}
	byName := map[string]map[string]any{}
	for _, it := range list {
		a := it.(map[string]any)
		byName[a["name"].(string)] = a
	}
	if a := byName["Chloé Martin"]; a["contact_id"] != chloe || a["met"] != true || a["status"] != "checked_in" {
		t.Errorf("Chloé: %v", a)
	}
	if a := byName["José Núñez"]; a["contact_id"] != jose || a["met"] != false || a["company"] != "Acme, Inc." {
		t.Errorf("José: %v", a)
	}
	if a := byName["Waiting Wu"]; a["contact_id"] != nil || a["status"] != "going" {
		t.Errorf("Wu, updated by JSON: %v", a)
	}
	// Paged by name.
	page := s.Do(t, "GET", path+"?limit=3", tok, nil).JSON(t)
	if len(page["items"].([]any)) != 3 || page["next_cursor"] == "" {
		t.Fatalf("a page of three: %v", page)
	}
	// Another user's event: 404 on every route, and nothing changes.
	MustProblem(t, s.Do(t, "GET", path, eve, nil), 404)
	MustProblem(t, s.Do(t, "POST", path+"/import", eve, luma, "Content-Type", "text/csv"), 404)
	grace := byName["Grace Hopper"]["id"].(string)
	MustProblem(t, s.Do(t, "DELETE", path+"/"+grace, eve, nil), 404)
	// Bad input.
	MustProblem(t, s.Do(t, "POST", path+"/import", tok, "<xml/>", "Content-Type", "application/xml"), 415)
	MustProblem(t, s.Do(t, "POST", path+"/import", tok, "nothing,here\n", "Content-Type", "text/csv"), 422, "body")
	MustProblem(t, s.Do(t, "POST", path+"/import", tok, strings.Repeat("x", 5<<20+10), "Content-Type", "text/csv"), 413)
	MustProblem(t, s.Do(t, "GET", path+"?cursor=nonsense", tok, nil), 422, "cursor")
	// Off the list; then the event goes and its list with it.
	MustStatus(t, s.Do(t, "DELETE", path+"/"+grace, tok, nil), 204)
	MustProblem(t, s.Do(t, "DELETE", path+"/"+grace, tok, nil), 404)
	MustStatus(t, s.Do(t, "DELETE", "/v1/events/"+ev, tok, nil), 204)
	if n := s.count(t, "attendees", nil); n != 0 {
		t.Fatalf("%d attendees outlived their event", n)
	}
}

// TestAttendeesInBackups: a backup carries the guest lists, and a restore
// brings them back under the new event ids.
func TestAttendeesInBackups(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "Go meetup", "starts_at": "2026-11-24T16:00:00Z"})
	var csv strings.Builder
	csv.WriteString("name,email,company,status\n")
	for i := range 5 {
		fmt.Fprintf(&csv, "Person %d,p%d@example.com,Acme,going\n", i, i)
	}
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, csv.String(), "Content-Type", "text/csv"), 200)
	backup := s.Do(t, "GET", "/v1/export", tok, nil)
	MustStatus(t, backup, 200)
	if !strings.Contains(string(backup.Body), `"attendees"`) {
		t.Fatalf("the backup has no attendees: %.300s", backup.Body)
	}
	_, other := s.MustSignup(t, "bob@example.com")
	MustStatus(t, s.Do(t, "POST", "/v1/import", other, backup.Body), 200)
	evs := s.Do(t, "GET", "/v1/events", other, nil).JSON(t)["items"].([]any)
	if len(evs) != 1 {
		t.Fatalf("restored events: %v", evs)
	}
	restored := evs[0].(map[string]any)["id"].(string)
	if restored == ev {
		t.Fatal("the restored event kept its id")
	}
	items := s.Do(t, "GET", "/v1/events/"+restored+"/attendees", other, nil).JSON(t)["items"].([]any)
	if len(items) != 5 || items[0].(map[string]any)["company"] != "Acme" {
		t.Fatalf("restored list: %v", items)
	}
	// Importing the list again into the restored event updates it.
	r := s.Do(t, "POST", "/v1/events/"+restored+"/attendees/import", other, csv.String(), "Content-Type", "text/csv")
	if res := r.JSON(t); res["added"] != 0.0 || res["updated"] != 5.0 {
		t.Fatalf("the list again after a restore: %v", res)
	}
}
