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

// TestFollowupsDesk re-dates a follow-up, edits its note and drops one no
// longer needed from the follow-ups page, and checks its Write it link:
// to the contact, with a subject and first line from where you met.
func TestFollowupsDesk(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.api(t, "PATCH", "/v1/me", tok, map[string]any{"timezone": "Europe/Berlin"}, 200, nil)
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays & Friends", "starts_at": "2026-11-24T16:00:00Z"})
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane Doe", "emails": []string{"jane+go@example.com"}},
		"moment": "after_talk", "met_at": "2026-11-24T16:30:00Z", "notes": "Wants the slides on WASM"}, 201, nil)
	b := s.signedIn(t, "ada@example.com", tok)
	st, page := b.get("/app/followups")
	if st != 200 {
		t.Fatalf("follow-ups: %d", st)
	}
	m := regexp.MustCompile(`href="(mailto:[^"]+)">Write it`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no Write it link")
	}
	u, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	if u.Opaque != "jane+go@example.com" || u.Query().Get("subject") != "Great to meet you at GoDays & Friends" ||
		u.Query().Get("body") != "Hi Jane,\n\nthank you for the chat at GoDays & Friends.\n" {
		t.Fatalf("Write it: %q → %q / %q", m[1], u.Query().Get("subject"), u.Query().Get("body"))
	}
	if strings.Contains(html.UnescapeString(m[1]), "+") && !strings.Contains(html.UnescapeString(m[1]), "jane+go") {
		t.Error("spaces written as + (mail clients show them)")
	}
	var list struct {
		Items []struct {
			ID, Kind, Note string
			DueAt          string `json:"due_at"`
		}
	}
	s.api(t, "GET", "/v1/followups", tok, nil, 200, &list)
	id := list.Items[0].ID
	edit := func(page string, due, note string) url.Values { // the form as drawn, typed in
		f := form(page, "/app/followups/"+id+"/edit")
		f.Set("due", due)
		f.Set("note", note)
		return f
	}
	if st, page = b.post("/app/followups/"+id+"/edit", edit(page, "2026-11-27T10:30", "Send the WASM slides\nand the repo")); st != 200 || !strings.Contains(page, "Saved.") {
		t.Fatalf("edit: %d", st)
	}
	s.api(t, "GET", "/v1/followups/"+id, tok, nil, 200, &list.Items[0])
	if f := list.Items[0]; f.DueAt != "2026-11-27T09:30:00Z" || f.Note != "Send the WASM slides\nand the repo" {
		t.Fatalf("stored %+v (10:30 in Berlin is 09:30Z)", f)
	}
	// A refused edit comes back with its form open and what was typed (it
	// was a redirect that lost the note).
	if st, page = b.post("/app/followups/"+id+"/edit", edit(page, "soon", "Typed, kept")); st != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "Due: soon is not a date and time") || !strings.Contains(page, `value="soon"`) || !strings.Contains(page, ">Typed, kept</textarea>") {
		t.Fatalf("a bad date: %d\n%.3000s", st, page)
	}
	// A refusal quoting what was typed shows it cut short (it once went
	// whole into a redirect's URL, past what the server reads: 431).
	st, page = b.post("/app/followups/"+id+"/edit", edit(page, strings.Repeat("soon ", 2000), ""))
	problem := regexp.MustCompile(`<p class="problem" role="alert">([^<]*)</p>`).FindStringSubmatch(page)
	if st != http.StatusUnprocessableEntity || problem == nil || !strings.HasPrefix(problem[1], "Due: soon soon") || strings.Count(problem[1], "soon") > 100 {
		t.Fatalf("a long refused date: %d %.300s", st, page)
	}
	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	eve.get("/app/followups")
	if st, _ := eve.post("/app/followups/"+id+"/edit", url.Values{"note": {"mine now"}}); st != 404 {
		t.Fatalf("another user's follow-up: %d", st)
	}
	if st, _ := eve.post("/app/followups/"+id+"/cancel", url.Values{}); st != 404 {
		t.Fatalf("dropping another user's follow-up: %d", st)
	}

	// No longer needed: cancelled (not done), gone from the page.
	b.get("/app/followups")
	if st, page = b.post("/app/followups/"+id+"/cancel", url.Values{}); st != 200 || !strings.Contains(page, "Dropped: no longer needed.") || strings.Contains(page, `id="f-`+id+`"`) {
		t.Fatalf("drop: %d", st)
	}
	var dropped struct{ Status string }
	s.api(t, "GET", "/v1/followups/"+id, tok, nil, 200, &dropped)
	if dropped.Status != "cancelled" {
		t.Fatalf("a dropped follow-up is %q, want cancelled", dropped.Status)
	}
	if _, page = b.post("/app/followups/"+id+"/cancel", url.Values{}); !strings.Contains(page, "done or cancelled already") {
		t.Fatal("dropped twice")
	}
}

// TestFollowupFormNotSavedOverAnEdit: a re-date form drawn before the
// follow-up changed elsewhere (its note edited in a task app) is not saved
// over it: it comes back (409) with what was typed, and is saved when
// sent again.
func TestFollowupFormNotSavedOverAnEdit(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	id := s.create(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "due_at": "2026-11-27T09:30:00Z", "note": "Send the slides"})
	b := s.signedIn(t, "ada@example.com", tok)
	edit := func(page string, due, note string) url.Values { // the form as drawn, typed in
		f := form(page, "/app/followups/"+id+"/edit")
		f.Set("due", due)
		f.Set("note", note)
		return f
	}
	var got struct {
		Note  string
		DueAt string `json:"due_at"`
	}
	_, page := b.get("/app/followups")
	s.Clock.Add(time.Second)
	s.api(t, "PATCH", "/v1/followups/"+id, tok, map[string]any{"note": "Edited in the task app"}, 200, nil)
	st, page := b.post("/app/followups/"+id+"/edit", edit(page, "2026-11-28T10:30", "Typed on the desk"))
	if st != http.StatusConflict {
		t.Fatalf("a stale form: %d", st)
	}
	mustContain(t, page, "was changed elsewhere since you opened this page", ">Typed on the desk</textarea>", `value="2026-11-28T10:30"`)
	s.api(t, "GET", "/v1/followups/"+id, tok, nil, 200, &got)
	if got.Note != "Edited in the task app" || got.DueAt != "2026-11-27T09:30:00Z" {
		t.Fatalf("a stale form saved over the other edit: %+v", got)
	}
	if st, page = b.post("/app/followups/"+id+"/edit", edit(page, "2026-11-28T10:30", "Typed on the desk")); st != 200 || !strings.Contains(page, "Saved.") {
		t.Fatalf("sent again: %d", st)
	}
	s.api(t, "GET", "/v1/followups/"+id, tok, nil, 200, &got)
	if got.Note != "Typed on the desk" || got.DueAt != "2026-11-28T10:30:00Z" {
		t.Fatalf("sent again, stored %+v", got)
	}
}

// TestFollowupsListPages: the follow-ups page shows the soonest 100 and
// pages on to the later ones.
func TestFollowupsListPages(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	for i := range 103 {
		s.create(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "note": fmt.Sprintf("step %03d", i),
			"due_at": s.Clock.Now().Add(time.Duration(i+1) * time.Hour).Format(time.RFC3339)})
	}
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/followups")
	if n := strings.Count(page, `<li class="card row" id="f-`); n != 100 || !strings.Contains(page, "step 000") || strings.Contains(page, "step 100") {
		t.Fatalf("first page: %d follow-ups", n)
	}
	m := regexp.MustCompile(`href="/app/followups\?page=([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no link to the later follow-ups")
	}
	_, later := b.get("/app/followups?page=" + html.UnescapeString(m[1]))
	if n := strings.Count(later, `<li class="card row" id="f-`); n != 3 || !strings.Contains(later, "step 102") || strings.Contains(later, "Later follow-ups") {
		t.Fatalf("the later follow-ups: %d", n)
	}
	if _, bad := b.get("/app/followups?page=nonsense"); !strings.Contains(bad, "not one this list gave") || !strings.Contains(bad, "step 000") {
		t.Fatal("a made-up page")
	}
}

// TestRedateTheBrief: the brief before an event re-dated on the desk keeps
// its title (its note, which the page does not offer to edit); the form
// once sent an empty note and the brief lost its name.
func TestRedateTheBrief(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-28T18:00:00Z",
		"intentions": map[string]any{"meet": []string{"a CTO"}}})
	var list struct {
		Items []struct{ ID, Kind, Note, DueAt string }
	}
	s.api(t, "GET", "/v1/followups", tok, nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].Kind != "prep" {
		t.Fatalf("follow-ups %+v, want the brief", list.Items)
	}
	id := list.Items[0].ID
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/followups")
	if strings.Contains(page, `name="note"`) {
		t.Fatal("the brief's form offers its note")
	}
	f := form(page, "/app/followups/"+id+"/edit")
	f.Set("due", "2026-11-28T07:00")
	if st, page := b.post("/app/followups/"+id+"/edit", f); st != 200 || !strings.Contains(page, "Prepare for GoDays") {
		t.Fatalf("re-dated: %d", st)
	}
	var got struct {
		Note  string
		DueAt string `json:"due_at"`
	}
	s.api(t, "GET", "/v1/followups/"+id, tok, nil, 200, &got)
	if got.Note != "Prepare for GoDays" || got.DueAt != "2026-11-28T07:00:00Z" {
		t.Fatalf("the brief re-dated: %+v", got)
	}
}

// TestWriteItSaysWhatYouTalkedAbout: a thank-you's draft names the topics
// of the meeting in words ("about go and wasm"), not the follow-up's
// "Topics: go, wasm" as it is stored; neither it nor a custom one's
// draft quotes your notes (they are about the person it goes to; the page
// shows them beside it).
func TestWriteItSaysWhatYouTalkedAbout(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-24T16:00:00Z"})
	var met struct{ Contact struct{ ID, Name string } }
	jane := ""
	for _, p := range []map[string]any{
		{"contact": map[string]any{"name": "Jane Doe", "emails": []string{"jane@example.com"}}, "topics": []string{"go", "wasm"}, "notes": "Wants the slides"},
		{"contact": map[string]any{"name": "Bob Roe", "emails": []string{"bob@example.com"}}, "topics": []string{"rust"}},
	} {
		p["moment"], p["met_at"] = "after_talk", "2026-11-24T16:30:00Z"
		s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, p, 201, &met)
		if met.Contact.Name == "Jane Doe" {
			jane = met.Contact.ID
		}
	}
	s.api(t, "POST", "/v1/followups", tok, map[string]any{"contact_id": jane, "due_at": "2026-12-01T09:00:00Z", "note": "Ask how the divorce went"}, 201, nil)
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/followups")
	if !strings.Contains(page, "Wants the slides") || !strings.Contains(page, "Ask how the divorce went") {
		t.Error("the page does not show the notes beside the drafts")
	}
	bodies := map[string]string{}
	for _, m := range regexp.MustCompile(`href="(mailto:[^"]+)">Write it`).FindAllStringSubmatch(page, -1) {
		link := html.UnescapeString(m[1])
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(u.RawQuery, "slides") || strings.Contains(u.RawQuery, "divorce") {
			t.Errorf("a draft quotes your notes: %q / %q", u.Query().Get("subject"), u.Query().Get("body"))
		}
		if b := u.Query().Get("body"); strings.Contains(b, "thank you") {
			bodies[u.Opaque] = b
		}
	}
	for to, want := range map[string]string{
		"jane@example.com": "Hi Jane,\n\nthank you for the chat at GoDays about go and wasm.\n",
		"bob@example.com":  "Hi Bob,\n\nthank you for the chat at GoDays about rust.\n",
	} {
		if bodies[to] != want {
			t.Errorf("the thank-you to %s: %q, want %q", to, bodies[to], want)
		}
	}
}

// TestWriteItNamesWhomYouIntroduced: an intro check's draft asks "did you
// and Bob manage to meet?", not "did you two"; a note edited by hand
// leaves "you two".
func TestWriteItNamesWhomYouIntroduced(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "emails": []string{"jane@example.com"}})
	bob := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Roe", "emails": []string{"bob@example.com"}})
	s.create(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{jane, bob}, "context": "Both into WASM"})
	b := s.signedIn(t, "ada@example.com", tok)
	draft := func() string {
		t.Helper()
		_, page := b.get("/app/followups")
		for _, m := range regexp.MustCompile(`href="(mailto:[^"]+)">Write it`).FindAllStringSubmatch(page, -1) {
			u, err := url.Parse(html.UnescapeString(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			if u.Query().Get("subject") == "How did the introduction go?" {
				return u.Query().Get("body")
			}
		}
		t.Fatal("no intro check to write")
		return ""
	}
	if got, want := draft(), "Hi Jane,\n\ndid you and Bob manage to meet?\n"; got != want {
		t.Errorf("the intro check's draft: %q, want %q", got, want)
	}
	var fs struct{ Items []struct{ ID, Kind string } }
	s.api(t, "GET", "/v1/followups", tok, nil, 200, &fs)
	for _, f := range fs.Items {
		if f.Kind == "intro_check" {
			s.api(t, "PATCH", "/v1/followups/"+f.ID, tok, map[string]any{"note": "Ask Jane about the WASM meetup"}, 200, nil)
		}
	}
	if got, want := draft(), "Hi Jane,\n\ndid you two manage to meet?\n"; got != want {
		t.Errorf("the draft of an edited note: %q, want %q", got, want)
	}
}

// TestWriteItForANextStep: the draft to the contact of an opportunity's
// next step is about the opportunity ("Staff engineer — Platform"), not
// your step, which was its subject ("Send CV — Staff engineer — …"); with
// no step, its title alone.
func TestWriteItForANextStep(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	rita := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Rita Recruiter", "emails": []string{"rita@initech.example"}})
	sam := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Sam Roe", "emails": []string{"sam@globex.example"}})
	s.create(t, tok, "/v1/opportunities", map[string]any{"title": "Staff engineer — Platform", "kind": "job", "source_contact_id": rita,
		"next_step": "Send CV", "next_step_at": "2026-11-27T09:00:00Z"})
	s.create(t, tok, "/v1/opportunities", map[string]any{"title": "Talk at Rust Berlin", "kind": "speaking", "source_contact_id": sam,
		"next_step_at": "2026-11-28T09:00:00Z"})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/followups")
	drafts := map[string][2]string{}
	for _, m := range regexp.MustCompile(`href="(mailto:[^"]+)">Write it`).FindAllStringSubmatch(page, -1) {
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		drafts[u.Opaque] = [2]string{u.Query().Get("subject"), u.Query().Get("body")}
	}
	for to, want := range map[string][2]string{
		"rita@initech.example": {"Staff engineer — Platform", "Hi Rita,\n\n\n"},
		"sam@globex.example":   {"Talk at Rust Berlin", "Hi Sam,\n\n\n"},
	} {
		if drafts[to] != want {
			t.Errorf("the next step's draft to %s: %q, want %q", to, drafts[to], want)
		}
	}
}

// TestDropStaleFollowups: a return after months finds the follow-ups of a
// meeting long ago offered for dropping in one go (today points there); dropped, they are
// cancelled, and a recent thank-you and your own follow-up stay. The form
// drops only what is a month late, whatever it sends, and another user's
// stay.
func TestDropStaleFollowups(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	eve := s.signup(t, "eve@example.com")
	now := s.Clock.Now()
	long := now.AddDate(0, 0, -90).UTC().Format(time.RFC3339)
	for _, who := range []string{tok, eve} {
		ev := s.create(t, who, "/v1/events", map[string]any{"title": "GoDays", "starts_at": long})
		s.api(t, "POST", "/v1/events/"+ev+"/encounters", who, map[string]any{"contact": map[string]any{"name": "Jane Doe"}, "moment": "after_talk", "met_at": long}, 201, nil)
	}
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "Go meetup", "starts_at": now.AddDate(0, 0, -3).UTC().Format(time.RFC3339)})
	var met struct{ Contact struct{ ID string } }
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Bob Roe"}, "moment": "after_talk",
		"met_at": now.AddDate(0, 0, -3).UTC().Format(time.RFC3339)}, 201, &met)
	s.api(t, "POST", "/v1/followups", tok, map[string]any{"contact_id": met.Contact.ID, "due_at": long, "note": "Send the deck"}, 201, nil)

	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/today")
	mustContain(t, page, `<a href="/app/followups#stale-h">drop those at once</a>`)
	_, page = b.get("/app/followups")
	mustContain(t, page, "Over a month late", "2 follow-ups of meetings, intros or events are a month overdue or more", "Drop 2 follow-ups")
	before := b.hidden(page, "before")
	// A form sent with a later time than it was given drops no more.
	if st, page := b.post("/app/followups/stale", url.Values{"before": {now.Format(time.RFC3339Nano)}}); st != 200 || !strings.Contains(page, "Dropped 2 follow-ups: no longer needed.") {
		t.Fatalf("drop: %d\n%s", st, page)
	}
	if st, page := b.post("/app/followups/stale", url.Values{"before": {before}}); st != 200 || !strings.Contains(page, "Dropped 0 follow-ups") {
		t.Fatalf("drop again: %d", st)
	}
	if st, page := b.post("/app/followups/stale", url.Values{"before": {"yesterday"}}); st != 200 || !strings.Contains(page, "nothing was dropped") {
		t.Fatalf("a form not the page's: %d", st)
	}
	if _, page = b.get("/app/today"); strings.Contains(page, "drop those at once") {
		t.Fatal("today still points to stale follow-ups")
	}
	_, page = b.get("/app/followups")
	mustContain(t, page, "Say thank you: Bob Roe", "Send the deck")
	if strings.Contains(page, "Over a month late") || strings.Contains(page, "Jane Doe") {
		t.Fatal("the stale follow-ups are still offered or listed")
	}
	var cancelled struct{ Items []struct{ Kind string } }
	s.api(t, "GET", "/v1/followups?status=cancelled", tok, nil, 200, &cancelled)
	if len(cancelled.Items) != 2 {
		t.Fatalf("cancelled: %+v, want the thank-you and the check-in", cancelled.Items)
	}
	if _, page := s.signedIn(t, "eve@example.com", eve).get("/app/followups"); !strings.Contains(page, "Drop 2 follow-ups") {
		t.Fatal("another user's stale follow-ups were dropped")
	}
}

// TestWriteOnLinkedIn: someone met with no email but a LinkedIn profile
// (most people met at a meetup) gets "Write on LinkedIn" where the others
// get Write it — on the follow-ups page, on Today, on their own page —
// and someone with neither but a phone, "Text them".
func TestWriteOnLinkedIn(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": s.Clock.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339)})
	var met struct{ Contact struct{ ID string } }
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane Doe", "linkedin_url": "linkedin.com/in/jane-doe"},
		"moment": "after_talk", "met_at": s.Clock.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339)}, 201, &met)
	s.Clock.Add(48 * time.Hour) // the thank-you is due
	b := s.signedIn(t, "ada@example.com", tok)
	const link = `href="https://www.linkedin.com/in/jane-doe" rel="noopener noreferrer">Write on LinkedIn</a>`
	for _, path := range []string{"/app/followups", "/app/today", "/app/contacts/" + met.Contact.ID} {
		if _, page := b.get(path); !strings.Contains(page, link) || strings.Contains(page, "mailto:") {
			t.Errorf("%s: no Write on LinkedIn, or a mailto: without an email", path)
		}
	}
	// With neither, a text to their phone.
	bob := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Roe", "phones": []string{"+49 (30) 123-4567"}})
	s.api(t, "POST", "/v1/followups", tok, map[string]any{"contact_id": bob, "due_at": s.Clock.Now().UTC().Format(time.RFC3339)}, 201, nil)
	if _, page := b.get("/app/contacts/" + bob); !strings.Contains(page, `<a class="button secondary" href="sms:&#43;49301234567">Text them</a>`) {
		t.Errorf("no Text them on Bob's page:\n%s", page)
	}
}

// TestStaleOfferPastItsCount: past the 100 stale follow-ups a view counts,
// the offer says "and more" and its button names no number; one drop still
// ends them all.
func TestStaleOfferPastItsCount(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	long := s.Clock.Now().AddDate(0, 0, -120).UTC().Format(time.RFC3339)
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": long})
	const met = 51 // a thank-you and a check-in each: 102, past the 100 counted
	for i := range met {
		s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": fmt.Sprintf("Guest %03d", i)},
			"moment": "after_talk", "met_at": long}, 201, nil)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/followups")
	mustContain(t, page, "100 follow-ups and more of meetings, intros or events are a month overdue or more", ">Drop them</button>")
	if st, page := b.post("/app/followups/stale", url.Values{"before": {b.hidden(page, "before")}}); st != 200 ||
		!strings.Contains(page, fmt.Sprintf("Dropped %d follow-ups: no longer needed.", 2*met)) {
		t.Fatalf("drop: %d\n%s", st, page)
	}
}
