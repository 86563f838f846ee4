package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestEventIntentions: an event's intentions, targets and series
// (PRODUCT.md §11) are stored, patched (merge patch: what is not named is
// kept) and answered; a target names exactly one of contact_id, company_id
// or name; another user's contact or company is a 404 naming the field.
func TestEventIntentions(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	jane := s.MustCreateContact(t, tok, map[string]any{"name": "Jane Doe", "company": "Acme"})
	acme := s.Do(t, "GET", "/v1/contacts/"+jane, tok, nil).JSON(t)["company_id"].(string)
	theirs := s.MustCreateContact(t, eve, map[string]any{"name": "Their Contact"})

	// Without them: empty lists, never null.
	plain := s.MustCreate(t, tok, "/v1/events", map[string]any{"title": "Plain", "starts_at": "2026-12-10T18:00:00Z"})
	if b, _ := json.Marshal([]any{plain["intentions"], plain["targets"], plain["series"]}); string(b) != `[{"give":[],"learn":[],"meet":[]},[],""]` {
		t.Fatalf("defaults: %s", b)
	}
	ev := s.MustCreate(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-12-10T18:00:00Z", "series": "GoDays",
		"intentions": map[string]any{"meet": []string{"a platform lead"}, "learn": []string{"WASM in production"}, "give": []string{"an intro to Bob"}},
		"targets":    []map[string]any{{"contact_id": jane}, {"company_id": acme}, {"name": "Rob Pike"}}})
	id := ev["id"].(string)
	got := s.Do(t, "GET", "/v1/events/"+id, tok, nil).JSON(t)
	b, _ := json.Marshal([]any{got["intentions"], got["targets"], got["series"]})
	want := `[{"give":["an intro to Bob"],"learn":["WASM in production"],"meet":["a platform lead"]},[{"contact_id":"` + jane + `"},{"company_id":"` + acme + `"},{"name":"Rob Pike"}],"GoDays"]`
	if string(b) != want {
		t.Fatalf("stored\n got %s\nwant %s", b, want)
	}
	// A merge patch of one list keeps the others.
	r := s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"intentions": map[string]any{"learn": []string{"eBPF"}}, "targets": []map[string]any{{"name": "Ian"}}})
	MustStatus(t, r, 200)
	b, _ = json.Marshal([]any{r.JSON(t)["intentions"], r.JSON(t)["targets"]})
	if string(b) != `[{"give":["an intro to Bob"],"learn":["eBPF"],"meet":["a platform lead"]},[{"name":"Ian"}]]` {
		t.Fatalf("patched %s", b)
	}
	MustProblem(t, s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"targets": []map[string]any{{"contact_id": theirs}}}), 404, "targets[0].contact_id")
	MustProblem(t, s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"targets": []map[string]any{{"name": "x"}, {"company_id": "nope"}}}), 404, "targets[1].company_id")
	MustProblem(t, s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"targets": []map[string]any{{"name": "x", "contact_id": jane}}}), 422, "targets[0]")
	MustProblem(t, s.Do(t, "PATCH", "/v1/events/"+id, tok, map[string]any{"targets": []map[string]any{{}}}), 422, "targets[0]")
	long := make([]string, 51)
	for i := range long {
		long[i] = "x"
	}
	MustProblem(t, s.Do(t, "POST", "/v1/events", tok, map[string]any{"title": "T", "starts_at": "2026-12-10T18:00:00Z", "intentions": map[string]any{"meet": long}}), 422, "intentions.meet")
	// Nothing refused was written.
	if got := s.Do(t, "GET", "/v1/events/"+id, tok, nil).JSON(t)["targets"]; len(got.([]any)) != 1 {
		t.Fatalf("a refused patch wrote targets: %v", got)
	}
}

// TestGivingLedger: help given and received as interactions, an intro
// counted as given to both people; a contact's reciprocity; insights'
// giving with who helped you and got nothing back.
func TestGivingLedger(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	ann := s.MustCreateContact(t, tok, map[string]any{"name": "Ann Helper"})
	bob := s.MustCreateContact(t, tok, map[string]any{"name": "Bob Even"})
	cid := s.MustCreateContact(t, tok, map[string]any{"name": "Cid"})
	log := func(contact, kind, at string) {
		t.Helper()
		MustStatus(t, s.Do(t, "POST", "/v1/contacts/"+contact+"/interactions", tok, map[string]any{"kind": kind, "at": at}), 201)
	}
	log(ann, "helped_me", "2026-11-01T10:00:00Z")
	log(ann, "helped_me", "2026-11-10T10:00:00Z")
	log(bob, "helped_me", "2026-11-02T10:00:00Z")
	log(bob, "helped", "2026-11-20T10:00:00Z")
	s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{bob, cid}, "context": "both into WASM"})
	MustProblem(t, s.Do(t, "POST", "/v1/contacts/"+ann+"/interactions", tok, map[string]any{"kind": "bribed"}), 422, "kind")
	// Another user's ledger is theirs.
	theirs := s.MustCreateContact(t, eve, map[string]any{"name": "Theirs"})
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/"+theirs+"/interactions", eve, map[string]any{"kind": "helped_me", "at": "2026-11-05T10:00:00Z"}), 201)

	rec := func(id string) string {
		b, _ := json.Marshal(s.Do(t, "GET", "/v1/contacts/"+id, tok, nil).JSON(t)["reciprocity"])
		return string(b)
	}
	if got := rec(bob); got != `{"given":2,"last_given_at":"2026-11-24T17:00:00Z","received":1}` {
		t.Errorf("Bob's reciprocity %s", got)
	}
	if got := rec(ann); got != `{"given":0,"last_given_at":null,"received":2}` {
		t.Errorf("Ann's reciprocity %s", got)
	}
	s.Clock.Add(time.Minute) // the window ends at the minute: the intro made just now is in it
	r := s.Do(t, "GET", "/v1/insights", tok, nil)
	MustStatus(t, r, 200)
	b, _ := json.Marshal(r.JSON(t)["giving"])
	want := `{"events_volunteered":0,"given":3,"owed":[{"contact_id":"` + ann + `","last_given_at":null,"name":"Ann Helper","received":2}],"received":3,"talks_given":0}`
	if string(b) != want {
		t.Fatalf("giving\n got %s\nwant %s", b, want)
	}
}

// TestWorthIt ranks the window's events by what they gave and sums the
// series (PRODUCT.md §11).
func TestWorthIt(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	bob := s.MustCreateContact(t, tok, map[string]any{"name": "Bob Known"})
	oct := s.MustCreateEvent(t, tok, map[string]any{"title": "Gophers Nov", "series": "Gophers", "starts_at": "2026-11-20T18:00:00Z"})
	enc := s.MustCreate(t, tok, "/v1/events/"+oct+"/encounters", map[string]any{"contact": map[string]any{"name": "Jane New"}, "moment": "after_talk",
		"met_at": "2026-11-20T19:00:00Z"})
	jane := enc["contact"].(map[string]any)["id"].(string)
	s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{jane, bob}, "event_id": oct, "context": "both into WASM"})
	s.MustCreate(t, tok, "/v1/opportunities", map[string]any{"title": "Staff engineer", "source_event_id": oct})
	// Helping her also takes care of the thank-you: a follow-up done.
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/"+jane+"/interactions", tok, map[string]any{"kind": "helped", "at": "2026-11-23T10:00:00Z"}), 201)
	s.Clock.Add(3 * 24 * time.Hour) // 27 Nov: Bob, made on the 24th, is someone you knew at the next one
	dec := s.MustCreateEvent(t, tok, map[string]any{"title": "Gophers Dec", "series": "Gophers", "starts_at": "2026-11-26T18:00:00Z"})
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+dec+"/encounters", tok, map[string]any{"contact_id": bob, "moment": "before_talk", "met_at": "2026-11-26T18:30:00Z"}), 201)
	s.MustCreateEvent(t, tok, map[string]any{"title": "Skipped one", "starts_at": "2026-11-25T18:00:00Z", "status": "skipped"})
	s.MustCreateEvent(t, tok, map[string]any{"title": "Future", "starts_at": "2026-12-20T18:00:00Z"})

	r := s.Do(t, "GET", "/v1/insights", tok, nil)
	MustStatus(t, r, 200)
	b, _ := json.Marshal(r.JSON(t)["events"])
	want := `[{"event_id":"` + oct + `","followups_done":1,"help_given":1,"intros_given":1,"new_people":1,"opportunities":1,"returning_people":0,"score":10,"series":"Gophers","title":"Gophers Nov"},` +
		`{"event_id":"` + dec + `","followups_done":0,"help_given":0,"intros_given":0,"new_people":0,"opportunities":0,"returning_people":1,"score":0,"series":"Gophers","title":"Gophers Dec"}]`
	if string(b) != want {
		t.Fatalf("events\n got %s\nwant %s", b, want)
	}
	b, _ = json.Marshal(r.JSON(t)["series"])
	if string(b) != `[{"events":2,"last_attended_at":"2026-11-26T18:00:00Z","new_people_per_event":0.5,"opportunities_per_event":0.5,"series":"Gophers"}]` {
		t.Fatalf("series %s", b)
	}
}

// TestNewAtTheFirstEventOnly: two past events logged afterwards, their
// contacts made today. Someone met at both was new at the first only, and
// someone known from before (known_since) at neither: in each event's
// review and in insights' events. Whom a contact was made after counts
// for nothing.
func TestNewAtTheFirstEventOnly(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	oct := s.MustCreateEvent(t, tok, map[string]any{"title": "Gophers Oct", "starts_at": "2026-10-15T18:00:00Z"})
	nov := s.MustCreateEvent(t, tok, map[string]any{"title": "Gophers Nov", "starts_at": "2026-11-12T18:00:00Z"})
	enc := s.MustCreate(t, tok, "/v1/events/"+oct+"/encounters", map[string]any{"contact": map[string]any{"name": "Jane Met Twice"},
		"moment": "after_talk", "met_at": "2026-10-15T19:00:00Z"})
	jane := enc["contact"].(map[string]any)["id"].(string)
	ann := s.MustCreateContact(t, tok, map[string]any{"name": "Ann Known Before", "known_since": "2019-05-01"})
	for _, m := range []struct{ event, contact, at string }{{oct, ann, "2026-10-15T19:30:00Z"}, {nov, jane, "2026-11-12T19:00:00Z"}, {nov, ann, "2026-11-12T19:30:00Z"}} {
		MustStatus(t, s.Do(t, "POST", "/v1/events/"+m.event+"/encounters", tok, map[string]any{"contact_id": m.contact, "moment": "after_talk", "met_at": m.at}), 201)
	}
	names := func(people any) (out []string) {
		for _, p := range people.([]any) {
			out = append(out, p.(map[string]any)["name"].(string))
		}
		slices.Sort(out)
		return out
	}
	var got []string
	for _, ev := range []string{oct, nov} {
		r := s.Do(t, "GET", "/v1/events/"+ev+"/review", tok, nil).JSON(t)
		got = append(got, fmt.Sprintf("new %q known %q", names(r["new_people"]), names(r["known_people"])))
	}
	for _, e := range s.Do(t, "GET", "/v1/insights", tok, nil).JSON(t)["events"].([]any) {
		e := e.(map[string]any)
		got = append(got, fmt.Sprintf("%s: %v new, %v returning", e["title"], e["new_people"], e["returning_people"]))
	}
	want := []string{`new ["Jane Met Twice"] known ["Ann Known Before"]`, `new [] known ["Ann Known Before" "Jane Met Twice"]`,
		"Gophers Oct: 1 new, 1 returning", "Gophers Nov: 0 new, 2 returning"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// TestEventReview: whom you met (new and known), targets met and missed
// (a contact, a company through someone from it, a name), intros and help
// given, follow-ups done, pending and overdue, opportunities; another
// user's event is a 404.
func TestEventReview(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	bob := s.MustCreateContact(t, tok, map[string]any{"name": "Bob Known", "emails": []string{"bob@example.com"}})
	cid := s.MustCreateContact(t, tok, map[string]any{"name": "Cid Missed"})
	s.Clock.Add(2 * 24 * time.Hour) // 26 Nov
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "GoDays", "starts_at": "2026-11-26T09:00:00Z"})
	enc := s.MustCreate(t, tok, "/v1/events/"+ev+"/encounters", map[string]any{"contact": map[string]any{"name": "José Núñez", "company": "Acme"},
		"moment": "after_talk", "met_at": "2026-11-26T12:00:00Z"})
	jose := enc["contact"].(map[string]any)["id"].(string)
	acme := s.Do(t, "GET", "/v1/contacts/"+jose, tok, nil).JSON(t)["company_id"].(string)
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": bob, "moment": "before_talk", "met_at": "2026-11-26T08:30:00Z"}), 201)
	MustStatus(t, s.Do(t, "PATCH", "/v1/events/"+ev, tok, map[string]any{"targets": []map[string]any{{"contact_id": bob}, {"contact_id": cid},
		{"company_id": acme}, {"name": "jose nunez"}, {"name": "Rob Pike"}, {"name": "ACME"}}}), 200)
	s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{jose, bob}, "event_id": ev, "context": "both into WASM"})
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/"+bob+"/interactions", tok, map[string]any{"kind": "helped", "at": "2026-11-26T15:00:00Z"}), 201)
	s.MustCreate(t, tok, "/v1/opportunities", map[string]any{"title": "Staff engineer", "source_event_id": ev})
	// The guest list: Bob (met), Cid (a contact, not met), Nell (not a
	// contact, not met), Dana (declined: not expected).
	MustStatus(t, s.Do(t, "PATCH", "/v1/contacts/"+cid, tok, map[string]any{"emails": []string{"cid@example.com"}}), 200)
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/attendees/import", tok,
		"name,email,status\nBob Known,bob@example.com,going\nCid Missed,cid@example.com,going\nNell New,nell@example.com,going\nDana Declined,dana@example.com,declined\n",
		"Content-Type", "text/csv"), 200)
	s.Clock.Add(3 * 24 * time.Hour) // 29 Nov: both thank-yous (due the 27th) are overdue; the check-ins pending
	// Bob's thank-you is sent: done, no longer overdue.
	thanks := items(t, s.Do(t, "GET", "/v1/followups?event_id="+ev+"&contact_id="+bob, tok, nil))[0]
	MustStatus(t, s.Do(t, "POST", "/v1/followups/"+thanks["id"].(string)+"/done", tok, nil), 200)

	r := s.Do(t, "GET", "/v1/events/"+ev+"/review", tok, nil)
	MustStatus(t, r, 200)
	got := r.JSON(t)
	b, _ := json.Marshal(map[string]any{"met": got["met"], "new": got["new_people"], "known": got["known_people"], "hit": got["targets_met"],
		"missed": got["targets_missed"], "intros": got["intros_given"], "help": got["help_given"], "followups": got["followups"]})
	want := `{"followups":{"done":1,"overdue":1,"pending":3},"help":1,"hit":[{"contact_id":"` + bob + `"},{"company_id":"` + acme + `"},{"name":"jose nunez"},{"name":"ACME"}],` +
		`"intros":1,"known":[{"contact_id":"` + bob + `","name":"Bob Known"}],"met":2,"missed":[{"contact_id":"` + cid + `"},{"name":"Rob Pike"}],` +
		`"new":[{"contact_id":"` + jose + `","name":"José Núñez"}]}`
	if string(b) != want {
		t.Fatalf("review\n got %s\nwant %s", b, want)
	}
	var notMet []string
	for _, p := range got["attendees_not_met"].([]any) {
		p := p.(map[string]any)
		notMet = append(notMet, fmt.Sprintf("%s %v %t", p["name"], p["contact_id"] == cid, p["attendee_id"] != ""))
	}
	if fmt.Sprint(notMet) != "[Cid Missed true true Nell New false true]" {
		t.Fatalf("attendees not met: %v", notMet)
	}
	if opps := got["opportunities"].([]any); len(opps) != 1 || opps[0].(map[string]any)["title"] != "Staff engineer" {
		t.Fatalf("opportunities %v", opps)
	}
	MustStatus(t, s.Do(t, "GET", "/v1/events/"+ev+"/review", eve, nil), 404)
}

// TestEventGiving: volunteering and a talk given to an event with no
// contact count in the ledger, the event's review and its worth; they go
// with the event; another user's event is a 404.
func TestEventGiving(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "GoDays", "starts_at": "2026-11-20T09:00:00Z"})
	r := s.Do(t, "POST", "/v1/events/"+ev+"/giving", tok, map[string]any{"kind": "spoke", "notes": "WASM in production", "at": "2026-11-20T11:00:00Z"})
	MustStatus(t, r, 201)
	if got := r.JSON(t); got["event_id"] != ev || got["contact_id"] != "" || got["kind"] != "spoke" {
		t.Fatalf("given %v", got)
	}
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/giving", tok, map[string]any{"kind": "volunteered", "at": "2026-11-20T08:00:00Z"}), 201)
	MustProblem(t, s.Do(t, "POST", "/v1/events/"+ev+"/giving", tok, map[string]any{"kind": "helped"}), 422, "kind")
	MustProblem(t, s.Do(t, "POST", "/v1/events/"+ev+"/giving", eve, map[string]any{"kind": "spoke"}), 404)
	s.Clock.Add(time.Minute)
	ins := s.Do(t, "GET", "/v1/insights", tok, nil).JSON(t)
	g := ins["giving"].(map[string]any)
	if g["talks_given"] != 1.0 || g["events_volunteered"] != 1.0 {
		t.Fatalf("giving %v", g)
	}
	if e := ins["events"].([]any); len(e) != 1 || e[0].(map[string]any)["help_given"] != 2.0 || e[0].(map[string]any)["score"] != 4.0 {
		t.Fatalf("worth %v", e)
	}
	if got := s.Do(t, "GET", "/v1/events/"+ev+"/review", tok, nil).JSON(t)["help_given"]; got != 2.0 {
		t.Fatalf("review help_given %v", got)
	}
	MustStatus(t, s.Do(t, "DELETE", "/v1/events/"+ev, tok, nil), 204)
	if g := s.Do(t, "GET", "/v1/insights", tok, nil).JSON(t)["giving"].(map[string]any); g["talks_given"] != 0.0 {
		t.Fatalf("giving after the event went: %v", g)
	}
}

// TestWorthWhatYouWentTo: "Worth it?" weighs the events you went to —
// marked attended, or where you met someone, made an intro or gave — and
// not the evenings a followed calendar brings that you stayed home. Six
// meetups of a series, four of them gone to, and 25 events of another
// calendar since, none gone to: the latest 20 events were weighed, all of
// the other calendar's, and the series was not listed; with fewer of
// those, it had six evenings, 0.5 new people each, last attended at the
// meetup you missed.
func TestWorthWhatYouWentTo(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	var gophers []string
	for i := range 6 { // 15 Oct to 19 Nov, weekly
		at := time.Date(2026, 10, 15+7*i, 18, 0, 0, 0, time.UTC).Format(time.RFC3339)
		gophers = append(gophers, s.MustCreateEvent(t, tok, map[string]any{"title": fmt.Sprintf("Gophers %d", i+1), "series": "Gophers", "starts_at": at}))
	}
	meet := func(ev, name, at string) {
		t.Helper()
		MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": name}, "moment": "after_talk", "met_at": at}), 201)
	}
	meet(gophers[1], "Jane New", "2026-10-22T19:00:00Z")
	MustStatus(t, s.Do(t, "PATCH", "/v1/events/"+gophers[2], tok, map[string]any{"status": "attended"}), 200) // nobody met
	meet(gophers[3], "Kim New", "2026-11-05T19:00:00Z")
	meet(gophers[3], "Lou New", "2026-11-05T19:30:00Z")
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+gophers[4]+"/giving", tok, map[string]any{"kind": "volunteered", "at": "2026-11-12T17:00:00Z"}), 201)
	for i := range 25 { // 20 to 23 November, another calendar's
		at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 3 * time.Hour).Format(time.RFC3339)
		s.MustCreateEvent(t, tok, map[string]any{"title": fmt.Sprintf("Other %02d", i), "series": "Other", "starts_at": at})
	}

	r := s.Do(t, "GET", "/v1/insights", tok, nil)
	MustStatus(t, r, 200)
	var got []string
	for _, e := range r.JSON(t)["events"].([]any) {
		e := e.(map[string]any)
		got = append(got, fmt.Sprintf("%s: %v", e["title"], e["score"]))
	}
	if want := []string{"Gophers 5: 2", "Gophers 4: 2", "Gophers 2: 1", "Gophers 3: 0"}; !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
	b, _ := json.Marshal(r.JSON(t)["series"])
	if string(b) != `[{"events":4,"last_attended_at":"2026-11-12T18:00:00Z","new_people_per_event":0.75,"opportunities_per_event":0,"series":"Gophers"}]` {
		t.Fatalf("series %s", b)
	}
}
