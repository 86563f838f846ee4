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

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/web"
)

// TestEvents drives the desk's event pages: a new event with talks (times
// typed in its own time zone), its page with who you met grouped by moment,
// the intro and the opportunity made there and its follow-ups; edit (a talk
// removed, one added; a stale copy refused); the list (upcoming, past,
// search); delete after a confirmation; another user's event a 404.
func TestEvents(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	b := s.signedIn(t, "ada@example.com", tok)

	_, newPage := b.get("/app/events/new")
	form := url.Values{"form_id": {form(newPage, "/app/events").Get("form_id")}, "title": {"GoDays Berlin"}, "kind": {"conference"}, "starts_at": {"2026-11-24T09:00"}, "ends_at": {"2026-11-24T18:00"},
		"timezone": {"Europe/Berlin"}, "location": {"Kosmos"}, "tags": {"go, cloud"},
		"talk_title": {"Keynote", "Generics in anger", ""}, "talk_speaker": {"Rob", "Ian", ""}, "talk_at": {"2026-11-24T09:30", "2026-11-24T11:00", ""}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("starts_at", "")
	if st, page := b.post("/app/events", bad); st != 422 || !strings.Contains(page, `id="starts_at-error"`) || !strings.Contains(page, `value="GoDays Berlin"`) {
		t.Fatalf("no start: %d", st)
	}
	// Refused, the form's one-time id is free again; sent twice (a double
	// click), the form adds one event.
	for range 2 {
		if st, page := b.post("/app/events", form); st != 200 || !strings.Contains(page, "Added GoDays Berlin.") {
			t.Fatalf("new event: %d %s", st, page)
		}
	}
	var list struct{ Items []map[string]any }
	s.api(t, "GET", "/v1/events", tok, nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0]["starts_at"] != "2026-11-24T08:00:00Z" || len(list.Items[0]["talks"].([]any)) != 2 {
		t.Fatalf("stored %v", list.Items)
	}
	ev := list.Items[0]["id"].(string)

	// Who you met there, an intro and an opportunity made there.
	var met struct {
		Contact struct{ ID string }
	}
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane Doe"}, "moment": "after_talk",
		"met_at": "2026-11-24T16:00:00Z", "topics": []string{"wasm"}, "notes": "Wants the slides"}, 201, &met)
	bob := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Smith"})
	s.create(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{met.Contact.ID, bob}, "event_id": ev, "context": "Both into WASM"})
	s.create(t, tok, "/v1/opportunities", map[string]any{"title": "Staff engineer", "source_event_id": ev})
	st, page := b.get("/app/events/" + ev)
	if st != 200 {
		t.Fatalf("event page: %d", st)
	}
	mustContain(t, page, "Keynote", "Rob", "Generics in anger", "After the talk", "Jane Doe", "wasm", "Wants the slides",
		"Intros made there", "Bob Smith", "Staff engineer", "Say thank you")
	// Its tags, here and in the list, each a link to the events with it.
	tagLinks := `<a href="/app/events?tag=go">go</a>, <a href="/app/events?tag=cloud">cloud</a>`
	mustContain(t, page, tagLinks)
	if _, list := b.get("/app/events?tag=cloud"); !strings.Contains(list, tagLinks) || !strings.Contains(list, ">GoDays Berlin</a>") {
		t.Fatal("the events list by a tag: the event or its tag links missing")
	}

	// Edit: the keynote removed, a lightning talk added.
	_, page = b.get("/app/events/" + ev + "/edit")
	mustContain(t, page, `value="2026-11-24T09:00"`, `value="Europe/Berlin"`, `value="Generics in anger"`)
	edit := url.Values{"updated_at": {b.hidden(page, "updated_at")}, "title": {"GoDays Berlin 2026"}, "kind": {"conference"},
		"starts_at": {"2026-11-24T09:00"}, "ends_at": {"2026-11-24T18:00"}, "timezone": {"Europe/Berlin"}, "location": {"Kosmos"},
		"talk_title": {"", "Generics in anger", "Lightning talks"}, "talk_speaker": {"", "Ian", "Everyone"}, "talk_at": {"", "2026-11-24T11:00", "2026-11-24T17:00"}}
	if st, page = b.post("/app/events/"+ev+"/edit", edit); st != 200 || !strings.Contains(page, "Saved GoDays Berlin 2026.") {
		t.Fatalf("edit: %d", st)
	}
	if strings.Contains(page, "Keynote") || !strings.Contains(page, "Lightning talks") {
		t.Fatalf("talks after the edit: keynote kept or lightning talks missing")
	}
	// Stale: changed by the API after the form was drawn.
	_, page = b.get("/app/events/" + ev + "/edit")
	edit.Set("updated_at", b.hidden(page, "updated_at"))
	edit.Set("title", "From the desk")
	s.Clock.Add(1e9)
	s.api(t, "PATCH", "/v1/events/"+ev, tok, map[string]any{"title": "From the phone"}, 200, nil)
	if st, page = b.post("/app/events/"+ev+"/edit", edit); st != 409 || !strings.Contains(page, "Not saved") || !strings.Contains(page, `value="From the desk"`) {
		t.Fatalf("stale edit: %d", st)
	}
	var one map[string]any
	s.api(t, "GET", "/v1/events/"+ev, tok, nil, 200, &one)
	if one["title"] != "From the phone" {
		t.Fatalf("a stale edit overwrote: %v", one["title"])
	}

	eventListAndDelete(t, s, tok, b, ev, met.Contact.ID)
}

// eventListAndDelete: the list splits upcoming from past and searches;
// another user's event is 404 on every page; deleting asks first, then takes
// the event and its encounters, not the contact met there (metID).
func eventListAndDelete(t *testing.T, s *server, tok string, b *browser, ev, metID string) {
	// The list: upcoming and past, search.
	s.create(t, tok, "/v1/events", map[string]any{"title": "Rust Meetup", "starts_at": "2026-12-10T18:00:00Z"})
	st, page := b.get("/app/events")
	if st != 200 {
		t.Fatalf("events: %d", st)
	}
	up, past, _ := strings.Cut(page, "<h2>Past</h2>")
	if !strings.Contains(up, "Rust Meetup") || !strings.Contains(past, "From the phone") {
		t.Fatalf("upcoming/past split wrong")
	}
	if _, page = b.get("/app/events?q=rust"); strings.Contains(page, "From the phone") || !strings.Contains(page, "Rust Meetup") {
		t.Fatalf("search")
	}
	for _, q := range []string{"q=nothing", "tag=nothing"} {
		if _, page = b.get("/app/events?" + q); !strings.Contains(page, "No past events match.") {
			t.Errorf("%s: the empty result does not say nothing matched", q)
		}
	}

	// Another user's event: 404 everywhere.
	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	for _, path := range []string{"/app/events/" + ev, "/app/events/" + ev + "/edit", "/app/events/" + ev + "/delete"} {
		if st, _ := eve.get(path); st != 404 {
			t.Errorf("another user's %s: %d", path, st)
		}
	}
	eve.get("/app/events")
	if st, _ := eve.post("/app/events/"+ev+"/delete", url.Values{}); st != 404 {
		t.Errorf("deleting another user's event: %d", st)
	}
	eve.get("/app/events")
	if st, _ := eve.post("/app/calendars/nope/delete", url.Values{}); st != 404 {
		t.Errorf("unfollowing a calendar that is not yours: %d", st)
	}

	// Delete: asked first, then gone with its encounters; the person met
	// there stays a contact, as the question says.
	st, page = b.get("/app/events/" + ev + "/delete")
	if st != 200 || !strings.Contains(page, "the people you met stay your contacts. This cannot be undone.") {
		t.Fatalf("the confirmation: %d", st)
	}
	if st, page = b.post("/app/events/"+ev+"/delete", url.Values{}); st != 200 || !strings.Contains(page, "Deleted From the phone.") {
		t.Fatalf("delete: %d", st)
	}
	s.api(t, "GET", "/v1/events/"+ev, tok, nil, 404, nil)
	s.api(t, "GET", "/v1/contacts/"+metID, tok, nil, 200, nil)
	if n := countOf(t, s, tok, "/v1/contacts/"+metID+"/encounters"); n != 0 {
		t.Errorf("%d encounters left of the deleted event", n)
	}
}

// TestEventWhyYouGo sets an event's intentions, targets (a contact, a
// company and a name, typed one per line) and series on the desk, and sees
// them on its page and back in the form.
func TestEventWhyYouGo(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "company": "Acme"})
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-12-10T18:00:00Z"})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/events/" + ev + "/edit")
	form := url.Values{"updated_at": {b.hidden(page, "updated_at")}, "title": {"GoDays"}, "starts_at": {"2026-12-10T18:00"}, "timezone": {"UTC"},
		"series": {"GoDays Berlin"}, "meet": {"a platform lead\nsomeone from the Go team"}, "learn": {"WASM"}, "give": {"an intro to Bob"},
		"targets": {"jane doe\nACME\nRob Pike"}}
	st, page := b.post("/app/events/"+ev+"/edit", form)
	if st != 200 || !strings.Contains(page, "Saved GoDays.") {
		t.Fatalf("save: %d", st)
	}
	mustContain(t, page, "Why you go", "a platform lead; someone from the Go team", "WASM", "an intro to Bob", "Series: GoDays Berlin",
		`<a href="/app/contacts/`+jane+`">Jane Doe</a>`, `">Acme</a>`, "Rob Pike")
	var got struct {
		Targets []struct {
			ContactID string `json:"contact_id"`
			CompanyID string `json:"company_id"`
			Name      string
		}
		Series string
	}
	s.api(t, "GET", "/v1/events/"+ev, tok, nil, 200, &got)
	if len(got.Targets) != 3 || got.Targets[0].ContactID != jane || got.Targets[1].CompanyID == "" || got.Targets[2].Name != "Rob Pike" || got.Series != "GoDays Berlin" {
		t.Fatalf("stored %+v", got)
	}
	if _, page = b.get("/app/events/" + ev + "/edit"); !strings.Contains(page, "Jane Doe\nAcme\nRob Pike") {
		t.Fatal("the form does not show the targets by name")
	}
	// The review after it: Jane met (so Acme too), Rob Pike missed.
	s.Clock.Add(17 * 24 * time.Hour) // 11 Dec
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": jane, "moment": "after_talk", "met_at": "2026-12-10T19:00:00Z"}, 201, nil)
	r := s.Do(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, "name,email\nRob Pike,rob@example.com\n", "Content-Type", "text/csv")
	MustStatus(t, r, 200)
	st, page = b.get("/app/events/" + ev + "/review")
	if st != 200 {
		t.Fatalf("review: %d", st)
	}
	mustContain(t, page, "Met 1 — 2 of 3 you wanted", "People you knew", "Jane Doe", "Missed:</strong> Rob Pike",
		"On the guest list, not met (1)", "<li>Rob Pike</li>", `<a href="/app/events/`+ev+`#followups">Send them from the event`,
		// Why you went, beside what came of it.
		"Why you went", "a platform lead; someone from the Go team", "<strong>Learn:</strong> WASM", `<a href="/app/events/`+ev+`/edit">edit it</a>`,
		"<strong>Give:</strong> an intro to Bob", `<a href="/app/events/`+ev+`#giving">your time to the event</a>`)
	b.get("/app/events/" + ev)
	// Refused (notes past the 20,000 characters a note holds): the form
	// comes back open with what was typed, and nothing is noted.
	long := "ran the door, " + strings.Repeat("x", input.MaxNotes)
	if st, page = b.post("/app/events/"+ev+"/giving", url.Values{"kind": {"spoke"}, "notes": {long}}); st != 422 {
		t.Fatalf("giving refused: %d", st)
	}
	mustContain(t, page, "Not noted: notes: is 20014 characters long; at most 20000", `<details class="card" id="giving" open>`, `<option value="spoke" selected>`, ">"+long+"</textarea>")
	if _, page = b.get("/app/events/" + ev + "/review"); !strings.Contains(page, "0 times you helped") {
		t.Fatal("a refused giving was noted")
	}
	// Sent twice as drawn (a double click), it is noted once.
	_, page = b.get("/app/events/" + ev)
	gave := url.Values{"form_id": {b.hidden(page, "form_id")}, "kind": {"volunteered"}, "notes": {"ran the door"}}
	for range 2 {
		if st, page = b.post("/app/events/"+ev+"/giving", gave); st != 200 || !strings.Contains(page, "thank you for giving") {
			t.Fatalf("giving: %d", st)
		}
	}
	if strings.Count(page, "ran the door") != 1 || !strings.Contains(page, `<h2 id="given">What you gave it</h2>`) {
		t.Fatalf("the event's page lists the volunteering %d times", strings.Count(page, "ran the door"))
	}
	if _, page = b.get("/app/events/" + ev + "/review"); !strings.Contains(page, "1 time you helped") {
		t.Fatalf("the review does not count the volunteering once")
	}
	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	if st, _ := eve.get("/app/events/" + ev + "/review"); st != 404 {
		t.Fatalf("another user's review: %d", st)
	}
}

// TestRemoveAnEncounterLoggedByMistake: an encounter logged with the
// wrong person is taken back from the event's page; the contact stays, and
// the page, the contact's timeline and the API no longer have it.
// Another user's encounter is 404. Only the API could remove one.
func TestRemoveAnEncounterLoggedByMistake(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-20T18:00:00Z"})
	var logged struct {
		Encounter struct {
			ID string `json:"id"`
		} `json:"encounter"`
		Contact struct {
			ID string `json:"id"`
		} `json:"contact"`
	}
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane Doe"}, "moment": "after_talk",
		"notes": "Not her: the other Jane"}, 201, &logged)
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/events/" + ev)
	mustContain(t, page, "Not her: the other Jane", "Remove this encounter")

	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	eve.get("/app/today")
	if st, _ := eve.post("/app/events/"+ev+"/encounters/"+logged.Encounter.ID+"/delete", url.Values{}); st != http.StatusNotFound {
		t.Fatalf("another user's encounter: %d, want 404", st)
	}

	st, page := b.post("/app/events/"+ev+"/encounters/"+logged.Encounter.ID+"/delete", url.Values{})
	if st != 200 || !strings.Contains(page, "Removed the encounter.") || strings.Contains(page, "Not her: the other Jane") {
		t.Fatalf("remove: %d\n%.2000s", st, page)
	}
	if _, page = b.get("/app/contacts/" + logged.Contact.ID); !strings.Contains(page, "Jane Doe") || strings.Contains(page, "GoDays") {
		t.Fatalf("Jane's page after the removal:\n%.2000s", page)
	}
	var list struct{ Items []any }
	s.api(t, "GET", "/v1/events/"+ev+"/encounters", tok, nil, 200, &list)
	if len(list.Items) != 0 {
		t.Fatalf("the API still lists %d encounters", len(list.Items))
	}
}

// TestEventPageFollowups: an event's page lists its follow-ups and their
// state (PRODUCT.md §10): the pending ones with Write it, Done and Snooze,
// which come back to the event's page, and those done, with when.
func TestEventPageFollowups(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-22T18:00:00Z"})
	var people []string
	for _, c := range []map[string]any{{"name": "Jane Doe", "emails": []string{"jane@example.com"}}, {"name": "Bob Smith"}} {
		var out struct{ Contact struct{ ID string } }
		s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": c, "moment": "after_talk", "met_at": "2026-11-22T20:00:00Z"}, 201, &out)
		people = append(people, out.Contact.ID)
	}
	var fs struct {
		Items []struct{ ID, Kind string }
	}
	s.api(t, "GET", "/v1/followups?event_id="+ev+"&contact_id="+people[1], tok, nil, 200, &fs)
	bobThanks := fs.Items[0].ID
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/events/" + ev)
	mustContain(t, page, "Say thank you: Jane Doe", "Check in: Jane Doe", "Say thank you: Bob Smith", "Check in: Bob Smith",
		`href="mailto:jane@example.com?`, `<input type="hidden" name="back" value="/app/events/`+ev+`">`)
	if strings.Contains(page, "<h3>Done</h3>") {
		t.Fatal("a Done list before anything was done")
	}

	st, page := b.post("/app/followups/"+bobThanks+"/done", form(page, "/app/followups/"+bobThanks+"/done"))
	if st != 200 || !strings.Contains(page, "Marked done.") || !strings.Contains(page, "<h1>GoDays</h1>") {
		t.Fatalf("done from the event's page: %d, back on it?\n%.2000s", st, page)
	}
	_, done, ok := strings.Cut(page, "<h3>Done</h3>")
	if !ok || !strings.Contains(done, "Say thank you: Bob Smith") || !strings.Contains(done, "done Tue 24 Nov, 17:00") ||
		strings.Contains(page, "/app/followups/"+bobThanks+"/done") {
		t.Fatalf("Bob's thank-you not listed as done, with when:\n%.3000s", page)
	}
	st, page = b.post("/app/followups/"+fs.Items[1].ID+"/snooze", form(page, "/app/followups/"+fs.Items[1].ID+"/snooze"))
	if st != 200 || !strings.Contains(page, "Snoozed for a week.") || !strings.Contains(page, "<h1>GoDays</h1>") {
		t.Fatalf("snoozed from the event's page: %d, back on it?\n%.2000s", st, page)
	}
}

// TestEventPagePagesWhoYouMet: an event's page lists who you met a page at
// a time (metShown), with a link to the next; a cursor it did not give is
// said and the first page shown.
func TestEventPagePagesWhoYouMet(t *testing.T) {
	defer web.SetMetShown(2)()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-22T18:00:00Z"})
	for i, name := range []string{"Ann One", "Bea Two", "Cy Three"} {
		s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": name}, "moment": "after_talk",
			"met_at": fmt.Sprintf("2026-11-22T2%d:00:00Z", i)}, 201, nil)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/events/" + ev)
	mustContain(t, page, "<strong>Ann One</strong>", "<strong>Bea Two</strong>", "More people you met here")
	if strings.Contains(page, "<strong>Cy Three</strong>") {
		t.Fatal("the first page lists more than two")
	}
	next := regexp.MustCompile(`href="(/app/events/[^"?]+\?page=[^"#]+)#met"`).FindStringSubmatch(page)
	if next == nil {
		t.Fatalf("no link to the next page:\n%.3000s", page)
	}
	_, page = b.get(html.UnescapeString(next[1]))
	mustContain(t, page, "Who you met (continued)", "<strong>Cy Three</strong>")
	if strings.Contains(page, "<strong>Ann One</strong>") || strings.Contains(page, "More people you met here") || strings.Contains(page, "Nobody logged yet") {
		t.Fatalf("the second page:\n%.3000s", page)
	}
	_, page = b.get("/app/events/" + ev + "?page=nonsense")
	mustContain(t, page, "That page of who you met is not one this event gave.", "<strong>Ann One</strong>")
}

// TestEventPageTimes shows an event's times as words in the user's zone:
// a conference over two days from its first day to its last, on its page
// and its review (they read as one day's hours, and as its first day),
// its talks and whom you met there with their weekday; a one-day meetup's
// talks at their hour (they read "2026-11-24T18:30").
func TestEventPageTimes(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	conf := s.create(t, tok, "/v1/events", map[string]any{"title": "GopherCon EU", "kind": "conference", "starts_at": "2026-11-19T08:00:00Z", "ends_at": "2026-11-20T17:00:00Z",
		"talks": []map[string]any{{"title": "Keynote", "speaker": "Rob", "starts_at": "2026-11-19T09:00:00Z"}, {"title": "Closing", "speaker": "Ian", "starts_at": "2026-11-20T16:00:00Z"}}})
	s.api(t, "POST", "/v1/events/"+conf+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane Doe"}, "moment": "other", "met_at": "2026-11-20T11:00:00Z"}, 201, nil)
	meetup := s.create(t, tok, "/v1/events", map[string]any{"title": "Go Meetup", "starts_at": "2026-11-24T18:00:00Z", "ends_at": "2026-11-24T20:00:00Z",
		"talks": []map[string]any{{"title": "WASM", "speaker": "Zoe", "starts_at": "2026-11-24T18:30:00Z"}}})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/events/" + conf)
	mustContain(t, page, "Thu 19 Nov 2026, 08:00 – Fri 20 Nov 2026, 17:00", `<div class="due">Thu 09:00</div>`, `<div class="due">Fri 16:00</div>`, "Fri 11:00")
	_, page = b.get("/app/events/" + conf + "/review")
	mustContain(t, page, "Thu 19 Nov – Fri 20 Nov 2026")
	_, page = b.get("/app/events/" + meetup)
	mustContain(t, page, "Tue 24 Nov 2026, 18:00–20:00", `<div class="due">18:30</div>`)
	if strings.Contains(page, "2026-11-24T18:30") {
		t.Error("a talk's time as an input holds it")
	}
}

// TestEventPageInItsOwnZone: an event in another time zone than the
// user's shows its hours as its edit form has them, in its own zone,
// named, with the user's beside them; its talks and whom you met there at
// its hours. The list has it at the user's hour, its own beside it. The page showed the user's hours alone, unnamed: a
// conference in New York from 09:00, so typed in its form, read 15:00.
func TestEventPageInItsOwnZone(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.api(t, "PATCH", "/v1/me", tok, map[string]any{"timezone": "Europe/Berlin"}, 200, nil)
	ny := s.create(t, tok, "/v1/events", map[string]any{"title": "KubeCon NA", "kind": "conference", "timezone": "America/New_York",
		"starts_at": "2026-11-19T14:00:00Z", "ends_at": "2026-11-19T22:00:00Z",
		"talks": []map[string]any{{"title": "Keynote", "speaker": "Kelsey", "starts_at": "2026-11-19T15:00:00Z"}}})
	s.api(t, "POST", "/v1/events/"+ny+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane Doe"}, "moment": "other",
		"met_at": "2026-11-19T16:30:00Z"}, 201, nil)
	late := s.create(t, tok, "/v1/events", map[string]any{"title": "Late show", "timezone": "America/Los_Angeles",
		"starts_at": "2026-11-20T04:00:00Z", "ends_at": "2026-11-20T06:00:00Z"}) // Thu 20:00 there, Fri 05:00 in Berlin
	home := s.create(t, tok, "/v1/events", map[string]any{"title": "Go Meetup", "timezone": "Europe/Berlin", "starts_at": "2026-11-17T18:00:00Z"})
	b := s.signedIn(t, "ada@example.com", tok)

	_, page := b.get("/app/events/" + ny)
	mustContain(t, page, "Thu 19 Nov 2026, 09:00–17:00 New York time (15:00–23:00 yours)", `<div class="due">10:00</div>`, "11:30")
	_, page = b.get("/app/events/" + ny + "/edit")
	mustContain(t, page, `value="2026-11-19T09:00"`)
	_, page = b.get("/app/events/" + ny + "/prep")
	mustContain(t, page, "09:00–17:00 New York time (15:00–23:00 yours)")
	_, page = b.get("/app/events")
	mustContain(t, page, "Thu 19 Nov 2026, 15:00 (09:00 New York time)", "Fri 20 Nov 2026, 05:00 (Thu 20:00 Los Angeles time)", "Tue 17 Nov 2026, 19:00<")
	_, page = b.get("/app/events/" + late)
	mustContain(t, page, "Thu 19 Nov 2026, 20:00–22:00 Los Angeles time (Fri 05:00–07:00 yours)")
	_, page = b.get("/app/events/" + home)
	mustContain(t, page, "Tue 17 Nov 2026, 19:00–21:00")
	if strings.Contains(page, "yours") {
		t.Error("an event in the user's own zone names it")
	}
}
