package api_test

import (
	"encoding/json"
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

// TestPrep: the brief before an event — the guests you know (most
// recently met first, with where, what about and what is open), the
// others ranked by the rule of PRODUCT.md §11 with their reasons, the
// speakers with where you saw them; another user's event is a 404.
func TestPrep(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	// History: an earlier meetup where Rob spoke and Jane talked WASM.
	old := s.MustCreateEvent(t, tok, map[string]any{"title": "Go meetup #41", "starts_at": "2026-10-20T18:00:00Z",
		"talks": []map[string]any{{"title": "Profiling", "speaker": "Rob Pike"}}})
	jane := s.MustCreateContact(t, tok, map[string]any{"name": "Jane Doe", "emails": []string{"jane@acme.example"}, "company": "Acme"})
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+old+"/encounters", tok, map[string]any{"contact_id": jane, "moment": "after_talk",
		"met_at": "2026-10-20T20:00:00Z", "topics": []string{"wasm", "go"}}), 201)
	s.MustCreateContact(t, tok, map[string]any{"name": "Sam Roe", "company": "Initech"}) // a warm path into Initech
	globex := s.Do(t, "POST", "/v1/companies", tok, map[string]any{"name": "Globex"}).JSON(t)["id"].(string)
	MustStatus(t, s.Do(t, "POST", "/v1/opportunities", tok, map[string]any{"title": "Staff engineer", "company_id": globex}), 201) // an opening
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "Go meetup #42", "starts_at": "2026-11-26T18:00:00Z",
		"intentions": map[string]any{"meet": []string{"a CTO hiring"}}, "targets": []map[string]any{{"name": "Grace Hopper"}},
		"talks": []map[string]any{{"title": "More profiling", "speaker": "rob pike"}}})
	list := `name,email,company,title
Jane Doe,jane@acme.example,Acme,CTO
Grace Hopper,grace@navy.example,Navy,Admiral
Gil Globex,gil@globex.example,Globex,Engineer
Ian Initech,ian@initech.example,Initech,WASM engineer
Nick Nobody,nick@example.com,,
`
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, list, "Content-Type", "text/csv"), 200)
	r := s.Do(t, "GET", "/v1/events/"+ev+"/prep", tok, nil)
	MustStatus(t, r, 200)
	var p struct {
		Intentions struct{ Meet []string }
		Targets    []map[string]any
		Known      []struct {
			Contact        struct{ ID, Name string }
			LastMetAt      string `json:"last_met_at"`
			LastEventTitle string `json:"last_event_title"`
			Topics         []string
			OpenFollowups  []map[string]any `json:"open_followups"`
		}
		ToMeet []struct {
			Attendee struct{ Name string }
			Score    int
			Reasons  []struct{ Kind, Text string }
		} `json:"to_meet"`
		Speakers []struct {
			Name      string
			ContactID *string  `json:"contact_id"`
			SeenAt    []string `json:"seen_at"`
		}
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Known) != 1 || p.Known[0].Contact.ID != jane || p.Known[0].LastEventTitle != "Go meetup #41" ||
		p.Known[0].LastMetAt != "2026-10-20T20:00:00Z" || fmt.Sprint(p.Known[0].Topics) != "[wasm go]" || len(p.Known[0].OpenFollowups) == 0 {
		t.Errorf("known: %+v", p.Known)
	}
	var ranked []string
	for _, m := range p.ToMeet {
		var kinds []string
		for _, r := range m.Reasons {
			kinds = append(kinds, r.Kind)
		}
		ranked = append(ranked, fmt.Sprintf("%d %s %v", m.Score, m.Attendee.Name, kinds))
	}
	want := "[10 Grace Hopper [target] 8 Gil Globex [opportunity] 5 Ian Initech [warm_path topics] 0 Nick Nobody []]"
	if fmt.Sprint(ranked) != want {
		t.Errorf("to meet: %v\nwant %s", ranked, want)
	}
	if len(p.Speakers) != 1 || p.Speakers[0].Name != "rob pike" || fmt.Sprint(p.Speakers[0].SeenAt) != "[Go meetup #41]" || p.Speakers[0].ContactID != nil {
		t.Errorf("speakers: %+v", p.Speakers)
	}
	if fmt.Sprint(p.Intentions.Meet) != "[a CTO hiring]" || len(p.Targets) != 1 {
		t.Errorf("intentions %v, targets %v", p.Intentions, p.Targets)
	}
	MustProblem(t, s.Do(t, "GET", "/v1/events/"+ev+"/prep", eve, nil), 404)
}

// TestCalendarAttendees: a followed calendar's ATTENDEE lines fill its
// events' guest lists (names, addresses, PARTSTAT as a state; a room is
// nobody to meet) and bring the brief the day before; a sync again updates
// the list and never duplicates it; an event gone from the source takes
// its brief with it.
func TestCalendarAttendees(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	jane := s.MustCreateContact(t, tok, map[string]any{"name": "Jane", "emails": []string{"jane@example.com"}})
	feed := func(grace string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:ev1@example.com\r\nDTSTAMP:20261101T000000Z\r\n" +
			"DTSTART:20261210T180000Z\r\nDTEND:20261210T200000Z\r\nSUMMARY:Gophers\r\n" +
			"ATTENDEE;CN=Jane Doe;PARTSTAT=ACCEPTED:mailto:Jane@example.com\r\n" +
			"ATTENDEE;CN=\"Grace Hopper\";PARTSTAT=" + grace + ":mailto:grace@navy.example\r\n" +
			"ATTENDEE;CN=Room 1;CUTYPE=ROOM:urn:uuid:room-1\r\n" +
			"ATTENDEE:mailto:anon@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	src := newICSServer(t)
	src.set(feed("TENTATIVE"))
	cal := s.MustCreate(t, tok, "/v1/calendars", map[string]any{"url": src.URL + "/feed.ics", "name": "Gophers"})
	MustStatus(t, s.Do(t, "POST", "/v1/calendars/"+cal["id"].(string)+"/sync", tok, nil), 200)
	ev := items(t, s.Do(t, "GET", "/v1/events", tok, nil))[0]["id"].(string)
	guests := func() string {
		var out []string
		for _, a := range items(t, s.Do(t, "GET", "/v1/events/"+ev+"/attendees", tok, nil)) {
			c, _ := a["contact_id"].(string)
			out = append(out, fmt.Sprintf("%s <%s> %s %t", a["name"], a["email"], a["status"], c == jane))
		}
		return strings.Join(out, "; ")
	}
	want := "anon@example.com <anon@example.com> going false; Grace Hopper <grace@navy.example> waitlist false; Jane Doe <jane@example.com> going true"
	if got := guests(); got != want {
		t.Fatalf("after the first sync:\n got %s\nwant %s", got, want)
	}
	// An event with a guest list brings the brief the day before.
	prep := func(status string) int {
		n := 0
		for _, f := range items(t, s.Do(t, "GET", "/v1/followups?status="+status, tok, nil)) {
			if f["kind"] == "prep" && f["event_id"] == ev {
				n++
			}
		}
		return n
	}
	if prep("pending") != 1 {
		t.Fatal("a synced event with a guest list has no brief planned")
	}
	src.set(feed("DECLINED"))
	MustStatus(t, s.Do(t, "POST", "/v1/calendars/"+cal["id"].(string)+"/sync", tok, nil), 200)
	if got := guests(); got != strings.Replace(want, "navy.example> waitlist", "navy.example> declined", 1) {
		t.Fatalf("after the second sync: %s", got)
	}
	if prep("pending") != 1 {
		t.Fatal("a second sync doubled or dropped the brief")
	}
	// The event vanishes from the source: cancelled, and its brief too.
	src.set("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:other@example.com\r\nDTSTAMP:20261101T000000Z\r\n" +
		"DTSTART:20261211T180000Z\r\nDTEND:20261211T200000Z\r\nSUMMARY:Other\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	MustStatus(t, s.Do(t, "POST", "/v1/calendars/"+cal["id"].(string)+"/sync", tok, nil), 200)
	if prep("pending") != 0 || prep("cancelled") != 1 {
		t.Fatal("the brief of a cancelled event is still pending")
	}
}

// TestPrepFollowup: an event with intentions, targets or a guest list
// brings a `prep` follow-up (no contact, the event's id) at the nudge hour
// the day before; it moves with the event and is cancelled with it.
func TestPrepFollowup(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	MustStatus(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"timezone": "Europe/Berlin", "nudge_hour": 9}), 200)
	preps := func() []map[string]any {
		var out []map[string]any
		for _, st := range []string{"pending", "cancelled"} {
			for _, it := range items(t, s.Do(t, "GET", "/v1/followups?status="+st, tok, nil)) {
				if it["kind"] == "prep" {
					out = append(out, it)
				}
			}
		}
		return out
	}
	plain := s.MustCreateEvent(t, tok, map[string]any{"title": "Plain", "starts_at": "2026-11-28T18:00:00Z"})
	if len(preps()) != 0 {
		t.Fatal("an event with no reason to prepare brought a brief")
	}
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "GoDays", "starts_at": "2026-11-28T18:00:00Z",
		"intentions": map[string]any{"meet": []string{"a CTO"}}})
	p := preps()
	if len(p) != 1 || p[0]["event_id"] != ev || p[0]["contact_id"] != "" || p[0]["due_at"] != "2026-11-27T08:00:00Z" ||
		p[0]["note"] != "Prepare for GoDays" || p[0]["status"] != "pending" {
		t.Fatalf("the brief's follow-up: %v", p)
	}
	// Moved a day and renamed: re-dated, one still.
	MustStatus(t, s.Do(t, "PATCH", "/v1/events/"+ev, tok, map[string]any{"starts_at": "2026-11-29T18:00:00Z", "title": "GoDays 2026"}), 200)
	if p := preps(); len(p) != 1 || p[0]["due_at"] != "2026-11-28T08:00:00Z" || p[0]["note"] != "Prepare for GoDays 2026" {
		t.Fatalf("after the move: %v", p)
	}
	// Cancelled: the brief goes.
	MustStatus(t, s.Do(t, "PATCH", "/v1/events/"+ev, tok, map[string]any{"status": "cancelled"}), 200)
	if p := preps(); len(p) != 1 || p[0]["status"] != "cancelled" {
		t.Fatalf("after cancelling: %v", p)
	}
	// A guest list brings one too; deleting the event cancels it.
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+plain+"/attendees/import", tok, "name\nGuest\n", "Content-Type", "text/csv"), 200)
	var pending []map[string]any
	for _, f := range preps() {
		if f["status"] == "pending" {
			pending = append(pending, f)
		}
	}
	if len(pending) != 1 || pending[0]["event_id"] != plain {
		t.Fatalf("after a guest list: %v", pending)
	}
	MustStatus(t, s.Do(t, "DELETE", "/v1/events/"+plain, tok, nil), 204)
	for _, f := range preps() {
		if f["status"] == "pending" {
			t.Fatalf("a brief outlived its event: %v", f)
		}
	}
	// An event whose eve has passed gets none.
	s.MustCreateEvent(t, tok, map[string]any{"title": "Tonight", "starts_at": "2026-11-24T19:00:00Z", "intentions": map[string]any{"learn": []string{"x"}}})
	if n := len(preps()); n != 2 {
		t.Fatalf("an event starting tonight brought a brief: %d", n)
	}
}
