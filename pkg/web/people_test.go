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

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/input"
)

// TestContactEdit edits a contact through the desk's form: every field
// saved, a bad email refused next to its field with what was typed kept, a
// stale copy refused rather than saved over, another user's contact a 404.
func TestContactEdit(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	eve := s.signup(t, "eve@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "emails": []string{"jane@example.com"}})
	evesOwn := s.create(t, eve, "/v1/contacts", map[string]any{"name": "Eve's friend"})
	b := s.signedIn(t, "ada@example.com", tok)

	st, page := b.get("/app/contacts/" + jane + "/edit")
	if st != 200 {
		t.Fatalf("edit page: %d", st)
	}
	mustContain(t, page, `<label for="emails">`, "jane@example.com", `name="updated_at"`)
	form := url.Values{"updated_at": {b.hidden(page, "updated_at")}, "name": {"Jane Doe"}, "emails": {"jane@example.com\njane@work.example"},
		"phones": {"+49 30 1234567"}, "company": {"Acme"}, "title": {"CTO"}, "linkedin_url": {"linkedin.com/in/JaneDoe"},
		"tags": {"go, wasm"}, "notes": {"Line one\nLine two"}, "cadence_days": {"30"}}
	st, page = b.post("/app/contacts/"+jane+"/edit", form)
	if st != 200 || !strings.Contains(page, "Saved Jane Doe.") {
		t.Fatalf("save: %d %s", st, page)
	}
	var got struct {
		Emails, Tags   []string
		Company, Notes string
		LinkedInURL    string `json:"linkedin_url"`
		CadenceDays    int    `json:"cadence_days"`
	}
	s.api(t, "GET", "/v1/contacts/"+jane, tok, nil, 200, &got)
	if len(got.Emails) != 2 || got.Company != "Acme" || got.Notes != "Line one\nLine two" || len(got.Tags) != 2 || got.CadenceDays != 30 ||
		got.LinkedInURL != "https://www.linkedin.com/in/janedoe" {
		t.Fatalf("stored %+v", got)
	}
	// The page shows the tags, each a link to the table filtered by it,
	// how long you have known them and how often you mean to be in touch.
	_, page = b.get("/app/contacts/" + jane)
	mustContain(t, page, `Tags: <a href="/app/contacts?tag=go">go</a>, <a href="/app/contacts?tag=wasm">wasm</a>`,
		"Known since 24 Nov 2026 · last contact never · stay in touch every 30 days")
	s.api(t, "PATCH", "/v1/contacts/"+jane, tok, map[string]any{"cadence_days": 1}, 200, nil)
	if _, page = b.get("/app/contacts/" + jane); !strings.Contains(page, "last contact never · stay in touch every day</p>") {
		t.Error("a cadence of one day is not shown as every day")
	}
	if st, table := b.get("/app/contacts?tag=wasm"); st != 200 || !strings.Contains(table, `<a href="/app/contacts?tag=wasm">wasm</a>`) {
		t.Fatalf("the table by a tag: %d", st)
	}

	// Known since: another day, kept; one that is no date, or ahead,
	// refused next to the field.
	for _, tc := range []struct {
		day    string
		status int
	}{{"yesterday", 422}, {"2027-01-01", 422}, {"2019-05-01", 200}} {
		_, page = b.get("/app/contacts/" + jane + "/edit")
		mustContain(t, page, `type="date"`, `value="2026-11-24"`)
		form.Set("updated_at", b.hidden(page, "updated_at"))
		form.Set("known_since", tc.day)
		if st, page = b.post("/app/contacts/"+jane+"/edit", form); st != tc.status || (st == 422 && !strings.Contains(page, `id="known_since-error"`)) {
			t.Fatalf("known since %s: %d", tc.day, st)
		}
		if st == 200 {
			mustContain(t, page, "Known since 1 May 2019 (added 24 Nov 2026)")
		}
	}
	form.Del("known_since")

	// A bad email: 422, the message next to the field, the text kept.
	_, page = b.get("/app/contacts/" + jane + "/edit")
	form.Set("updated_at", b.hidden(page, "updated_at"))
	form.Set("emails", "not-an-email")
	form.Set("company", "Typed Corp")
	st, page = b.post("/app/contacts/"+jane+"/edit", form)
	if st != 422 {
		t.Fatalf("bad email: %d", st)
	}
	mustContain(t, page, `id="emails-error"`, "not-an-email", `value="Typed Corp"`)

	// Stale: the contact changes (by the API) after the form was drawn.
	_, page = b.get("/app/contacts/" + jane + "/edit")
	form.Set("updated_at", b.hidden(page, "updated_at"))
	form.Set("emails", "jane@example.com")
	form.Set("company", "From the desk")
	s.Clock.Add(1e9)
	s.api(t, "PATCH", "/v1/contacts/"+jane, tok, map[string]any{"company": "From the phone"}, 200, nil)
	st, page = b.post("/app/contacts/"+jane+"/edit", form)
	if st != 409 {
		t.Fatalf("stale edit: %d", st)
	}
	mustContain(t, page, "Not saved", "Stored now", "From the phone", `value="From the desk"`)
	s.api(t, "GET", "/v1/contacts/"+jane, tok, nil, 200, &got)
	if got.Company != "From the phone" {
		t.Fatalf("a stale edit overwrote: %q", got.Company)
	}
	// Saving again (the form now carries the stored copy's time) replaces it.
	form.Set("updated_at", b.hidden(page, "updated_at"))
	if st, _ = b.post("/app/contacts/"+jane+"/edit", form); st != 200 {
		t.Fatalf("save after the warning: %d", st)
	}
	s.api(t, "GET", "/v1/contacts/"+jane, tok, nil, 200, &got)
	if got.Company != "From the desk" {
		t.Fatalf("company %q", got.Company)
	}

	// Another user's contact: the same 404 as none.
	for _, path := range []string{"/app/contacts/" + evesOwn + "/edit", "/app/contacts/nope/edit"} {
		if st, _ := b.get(path); st != 404 {
			t.Errorf("%s: %d, want 404", path, st)
		}
	}
	_, page = b.get("/app/contacts/" + jane + "/edit")
	if st, _ := b.post("/app/contacts/"+evesOwn+"/edit", url.Values{"updated_at": {b.hidden(page, "updated_at")}, "name": {"x"}}); st != 404 {
		t.Errorf("saving another user's contact: %d", st)
	}
	var theirs struct{ Name string }
	s.api(t, "GET", "/v1/contacts/"+evesOwn, eve, nil, 200, &theirs)
	if theirs.Name != "Eve's friend" {
		t.Fatalf("another user's contact changed: %q", theirs.Name)
	}
	// Without the CSRF token nothing is saved.
	resp, err := b.c.PostForm(s.URL+"/app/contacts/"+jane+"/edit", url.Values{"csrf": {"forged"}, "name": {"Forged"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("forged CSRF: %d", resp.StatusCode)
	}
}

// TestContactTimelineAndIntros logs an interaction and a note from a
// contact's page and introduces them (by a name that matches several, then
// picked); TestIntrosPageMoves moves an intro on the intros page.
func TestContactTimelineAndIntros(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "notes": "Met at GoDays"})
	bob := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Smith", "company": "Initech"})
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Jones"})
	b := s.signedIn(t, "ada@example.com", tok)

	b.get("/app/contacts/" + jane)
	st, page := b.post("/app/contacts/"+jane+"/interactions", url.Values{"kind": {"call"}, "notes": {"Talked about the role"}})
	if st != 200 || !strings.Contains(page, "Logged.") {
		t.Fatalf("interaction: %d", st)
	}
	mustContain(t, page, "Timeline", "Call", "Talked about the role")
	if _, page = b.post("/app/contacts/"+jane+"/interactions", url.Values{"kind": {"helped_me"}, "notes": {"Reviewed my CV"}}); !strings.Contains(page, "They helped you") ||
		!strings.Contains(page, "Giving: you gave 0 (help, intros) · they gave 1") {
		t.Fatalf("the giving ledger on the contact page")
	}
	st, page = b.post("/app/contacts/"+jane+"/notes", url.Values{"note": {"Prefers Signal"}})
	if st != 200 {
		t.Fatalf("note: %d", st)
	}
	mustContain(t, page, "Note added.", "Met at GoDays\n\n24 Nov 2026: Prefers Signal")
	// Met at two past events (logged today): the first is when you met.
	for _, at := range []string{"2026-09-10T18:00:00Z", "2025-03-01T18:00:00Z"} {
		ev := s.create(t, tok, "/v1/events", map[string]any{"title": "Meetup " + at[:7], "starts_at": at})
		s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": jane, "moment": "other", "met_at": at}, 201, nil)
	}
	_, page = b.get("/app/contacts/" + jane)
	// Met before the contact was made: known since then.
	mustContain(t, page, "Known since 1 Mar 2025 (added 24 Nov 2026) · first met 1 Mar 2025 · last contact 24 Nov 2026")
	// Refused forms come back open with what was typed (they were
	// redirects that lost it).
	st, page = b.post("/app/contacts/"+jane+"/interactions", url.Values{"kind": {"telepathy"}, "notes": {"Knew what I meant"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "kind:") || !strings.Contains(page, `<details class="card" id="log" open>`) ||
		!strings.Contains(page, ">Knew what I meant</textarea>") {
		t.Fatalf("a bad kind should come back as a problem, the notes kept: %d\n%.3000s", st, page)
	}
	long := strings.Repeat("x", 20_001-len("Met at GoDays\n\n24 Nov 2026: Prefers Signal\n\n24 Nov 2026: "))
	st, page = b.post("/app/contacts/"+jane+"/notes", url.Values{"note": {long}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "notes: is 20001 characters long") || !strings.Contains(page, ">"+long+"</textarea>") {
		t.Fatalf("a note past the notes' length should come back, kept: %d\n%.600s", st, page)
	}

	// "Bob" matches two: the page offers both, with what was typed (a
	// context of a few KiB too: it went into a redirect's URL, and a URL
	// past 4 KiB was refused with 431, the context lost); picking one makes
	// the intro.
	long = strings.TrimSpace(strings.Repeat("Both hiring Go people. ", 400))
	st, page = b.post("/app/contacts/"+jane+"/intros", url.Values{"other": {"bob"}, "context": {long}, "double_opt_in": {"1"}})
	if st != 200 {
		t.Fatalf("intro by an ambiguous name: %d %.300s", st, page)
	}
	mustContain(t, page, "Which one?", "Bob Smith", "Bob Jones", ">"+long+"</textarea>", `name="double_opt_in" value="1" checked`)
	st, page = b.post("/app/contacts/"+jane+"/intros", url.Values{"other_id": {bob}, "context": {"Both hiring Go people"}, "double_opt_in": {"1"}})
	if st != 200 || !strings.Contains(page, "Intro noted.") {
		t.Fatalf("intro: %d", st)
	}
	mustContain(t, page, "Intro to Bob Smith", "proposed")
	st, page = b.post("/app/contacts/"+jane+"/intros", url.Values{"other": {"nobody-like-this"}, "context": {long}})
	if st != 422 || !strings.Contains(page, "no contact matches") {
		t.Fatalf("an unknown name: %d", st)
	}
	mustContain(t, page, `value="nobody-like-this"`, ">"+long+"</textarea>")
}

// TestTimelineHoldsEverything: a contact's timeline holds, newest first,
// their opportunities (linked to their cards) and the follow-ups done with
// them beside encounters, interactions and intros (PRODUCT.md §10).
func TestTimelineHoldsEverything(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-20T09:00:00Z"})
	var logged struct {
		Contact   struct{ ID string }
		Followups []struct{ ID, Kind string }
	}
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane Doe"}, "moment": "after_talk",
		"met_at": "2026-11-20T12:00:00Z", "notes": "Wants the flame graphs"}, 201, &logged)
	jane := logged.Contact.ID
	for _, f := range logged.Followups {
		if f.Kind == "thank_you" {
			s.api(t, "POST", "/v1/followups/"+f.ID+"/done", tok, nil, 200, nil)
		}
	}
	opp := s.create(t, tok, "/v1/opportunities", map[string]any{"title": "Staff engineer", "source_contact_id": jane})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/contacts/" + jane)
	start := strings.Index(page, `id="timeline"`)
	if start < 0 {
		t.Fatal("no timeline")
	}
	timeline := page[start : start+strings.Index(page[start:], "</ol>")]
	mustContain(t, timeline, `<a href="/app/pipeline#o-`+opp+`">Opportunity: Staff engineer</a> · lead`, "Say thank you: Jane Doe · done", "Met at GoDays")
	if strings.Contains(timeline, "Check in") {
		t.Error("a pending follow-up is in the timeline (it is listed under Follow-ups)")
	}
	if strings.Index(timeline, "Say thank you") > strings.Index(timeline, "Met at GoDays") {
		t.Error("the timeline is not newest first")
	}
}

// TestRemoveAnInteraction: an interaction logged by mistake is removed
// from the contact's timeline, and what was given to an event from the
// event's page; the last contact goes back. Another user's is 404.
func TestRemoveAnInteraction(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	s.create(t, tok, "/v1/contacts/"+jane+"/interactions", map[string]any{"kind": "call", "at": "2026-11-20T10:00:00Z", "notes": "About the role"})
	wrong := s.create(t, tok, "/v1/contacts/"+jane+"/interactions", map[string]any{"kind": "meeting", "at": "2026-11-23T10:00:00Z", "notes": "Not her: Jane Roe"})
	b := s.signedIn(t, "ada@example.com", tok)

	_, page := b.get("/app/contacts/" + jane)
	mustContain(t, page, "Not her: Jane Roe", "last contact 23 Nov 2026", "Logged by mistake?")
	action := "/app/interactions/" + wrong + "/delete"
	eveTok := s.signup(t, "eve@example.com")
	eve := s.signedIn(t, "eve@example.com", eveTok)
	eve.get("/app/today")
	if st, _ := eve.post(action, url.Values{}); st != 404 {
		t.Fatalf("another user's interaction: %d", st)
	}
	st, page := b.post(action, form(page, action))
	if st != 200 {
		t.Fatalf("remove: %d", st)
	}
	mustContain(t, page, "Removed: Meeting, 23 Nov 2026.", "About the role", "last contact 20 Nov 2026")
	if strings.Contains(page, "Not her: Jane Roe") {
		t.Fatal("the removed interaction is still in the timeline")
	}

	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-20T09:00:00Z"})
	gave := s.create(t, tok, "/v1/events/"+ev+"/giving", map[string]any{"kind": "spoke", "notes": "WASM in production", "at": "2026-11-20T11:00:00Z"})
	_, page = b.get("/app/events/" + ev)
	mustContain(t, page, "What you gave it", "Gave a talk", "WASM in production")
	action = "/app/interactions/" + gave + "/delete"
	if st, page = b.post(action, form(page, action)); st != 200 {
		t.Fatalf("remove the talk: %d", st)
	}
	mustContain(t, page, "Removed: Gave a talk, 20 Nov 2026.", "GoDays")
	if strings.Contains(page, "WASM in production") {
		t.Fatal("the removed talk is still on the event's page")
	}
}

// TestIntrosPageMoves moves an intro on the intros page: saved; a move
// the rules refuse comes back (422) with the outcome as typed on its line
// and nothing saved; a form drawn before the intro changed elsewhere is
// not saved over it (409); another user's intro is a 404.
func TestIntrosPageMoves(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	bob := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Smith"})
	s.create(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{jane, bob}, "context": "Both hiring Go people", "double_opt_in": true})
	b := s.signedIn(t, "ada@example.com", tok)

	st, page := b.get("/app/intros")
	if st != 200 {
		t.Fatalf("intros: %d", st)
	}
	mustContain(t, page, "Jane Doe", "Bob Smith", "Both hiring Go people", `<option value="accepted">`)
	var intros struct {
		Items []struct{ ID, Status, Outcome string }
	}
	s.api(t, "GET", "/v1/intros", tok, nil, 200, &intros)
	if len(intros.Items) != 1 {
		t.Fatalf("%d intros", len(intros.Items))
	}
	id := intros.Items[0].ID
	move := func(page, status, outcome string) url.Values { // the form as drawn, picked and typed in
		f := form(page, "/app/intros/"+id)
		f.Set("status", status)
		f.Set("outcome", outcome)
		return f
	}
	st, page = b.post("/app/intros/"+id, move(page, "accepted", "Coffee next week"))
	if st != 200 || !strings.Contains(page, "Intro updated.") {
		t.Fatalf("move: %d", st)
	}
	s.api(t, "GET", "/v1/intros", tok, nil, 200, &intros)
	if it := intros.Items[0]; it.Status != "accepted" || it.Outcome != "Coffee next week" {
		t.Fatalf("intro %+v", it)
	}
	// A move the rules refuse comes back (422) with the outcome as typed,
	// on its line, and nothing saved; another user's is a 404.
	_, page = b.get("/app/intros")
	if st, page = b.post("/app/intros/"+id, move(page, "proposed", "Coffee next week, then lunch")); st != 422 || !strings.Contains(page, `class="problem"`) {
		t.Fatalf("a refused move: %d", st)
	}
	mustContain(t, page, `value="Coffee next week, then lunch" aria-invalid="true"`, `<p class="error" id="problem-`+id+`">Not saved: status:`,
		`<option value="accepted" selected>`)
	s.api(t, "GET", "/v1/intros", tok, nil, 200, &intros)
	if it := intros.Items[0]; it.Status != "accepted" || it.Outcome != "Coffee next week" {
		t.Fatalf("a refused move saved %+v", it)
	}
	// A form drawn before the intro changed elsewhere (an assistant noted
	// its outcome) is not saved over it: back (409) with what was typed.
	_, page = b.get("/app/intros")
	s.Clock.Add(time.Second)
	s.api(t, "PATCH", "/v1/intros/"+id, tok, map[string]any{"outcome": "Met for coffee, hiring her"}, 200, nil)
	if st, page = b.post("/app/intros/"+id, move(page, "made", "Typed on the desk")); st != 409 {
		t.Fatalf("a stale form: %d", st)
	}
	mustContain(t, page, "was changed elsewhere since you opened this page", `value="Typed on the desk" aria-invalid="true"`, `<option value="made" selected>`)
	s.api(t, "GET", "/v1/intros", tok, nil, 200, &intros)
	if it := intros.Items[0]; it.Status != "accepted" || it.Outcome != "Met for coffee, hiring her" {
		t.Fatalf("a stale form saved over the other edit: %+v", it)
	}
	if st, page = b.post("/app/intros/"+id, move(page, "made", "Typed on the desk")); st != 200 || !strings.Contains(page, "Intro updated.") {
		t.Fatalf("sent again: %d", st)
	}
	s.api(t, "GET", "/v1/intros", tok, nil, 200, &intros)
	if it := intros.Items[0]; it.Status != "made" || it.Outcome != "Typed on the desk" {
		t.Fatalf("sent again, stored %+v", it)
	}
	other := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	other.get("/app/intros")
	if st, _ := other.post("/app/intros/"+id, url.Values{"status": {"made"}}); st != 404 {
		t.Fatalf("another user's intro: %d", st)
	}
}

// TestMergeFromContactPage finds the other copy of a person from a
// contact's page and merges it in.
func TestMergeFromContactPage(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "emails": []string{"jane@example.com"}})
	dupe := s.create(t, tok, "/v1/contacts", map[string]any{"name": "J. Doe", "phones": []string{"+49 30 1234567"}, "notes": "From the card"})
	b := s.signedIn(t, "ada@example.com", tok)
	st, page := b.get("/app/contacts/" + jane + "?merge_other=doe")
	if st != 200 || !strings.Contains(page, "Merge J. Doe into Jane Doe") || strings.Contains(page, "Merge Jane Doe into Jane Doe") {
		t.Fatalf("merge choices: %d", st)
	}
	if st, page = b.post("/app/contacts/"+jane+"/merge", form(page, "/app/contacts/"+jane+"/merge")); st != 200 || !strings.Contains(page, "Merged into Jane Doe.") {
		t.Fatalf("merge: %d", st)
	}
	s.api(t, "GET", "/v1/contacts/"+dupe, tok, nil, 404, nil)
	var got struct {
		Phones []string
		Notes  string
	}
	s.api(t, "GET", "/v1/contacts/"+jane, tok, nil, 200, &got)
	if len(got.Phones) != 1 || !strings.Contains(got.Notes, "From the card") {
		t.Fatalf("merged %+v", got)
	}
}

// TestAVeryNameAmongManyThatContainIt: the intro and merge forms find a
// contact typed by their full name, however many others contain it and
// sort before it (a text search in name order filled its places with
// those, and left the one named out): the intro is made to the one of
// that very name, and the merge offers the second Ann Lee first.
func TestAVeryNameAmongManyThatContainIt(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	for _, name := range []string{"Ada Ann Lee", "Al Ann Lee", "Amy Ann Lee", "Ana Ann Lee", "Andy Ann Lee", "Ann Abbott Lee", "Ann Baker Lee",
		"Ann Carter Lee", "Ann Dunn Lee", "Ann Evans Lee", "Ann Fox Lee"} {
		s.create(t, tok, "/v1/contacts", map[string]any{"name": name})
	}
	ann := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Ann Lee", "company": "Initech"})
	twin := s.create(t, tok, "/v1/contacts", map[string]any{"name": "ann lee", "emails": []string{"ann@example.com"}})
	b := s.signedIn(t, "ada@example.com", tok)
	b.get("/app/contacts/" + ann)
	// From Ann's page, "Ann Lee" is the other Ann Lee.
	st, page := b.post("/app/contacts/"+ann+"/intros", url.Values{"other": {"Ann Lee"}, "context": {"Both hiring"}})
	if st != 200 || !strings.Contains(page, "Intro noted.") {
		t.Fatalf("an intro by a very name among eleven that contain it: %d %q", st, regexp.MustCompile(`class="error"[^>]*>[^<]*|Which one\?`).FindAllString(page, -1))
	}
	var intros struct {
		Items []struct {
			ContactIDs []string `json:"contact_ids"`
		}
	}
	s.api(t, "GET", "/v1/intros", tok, nil, 200, &intros)
	if len(intros.Items) != 1 || len(intros.Items[0].ContactIDs) != 2 || intros.Items[0].ContactIDs[1] != twin {
		t.Fatalf("intros %+v, want Ann Lee to ann lee (%s)", intros.Items, twin)
	}
	// From Jane's page, two of that name: both are offered, first.
	b.get("/app/contacts/" + jane)
	st, page = b.post("/app/contacts/"+jane+"/intros", url.Values{"other": {"ANN LEE"}, "context": {"Both hiring"}})
	choices := regexp.MustCompile(`name="other_id" value="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if st != 200 || len(choices) < 2 || choices[0][1] != ann && choices[1][1] != ann || choices[0][1] != twin && choices[1][1] != twin {
		t.Fatalf("two of a name: %d, choices %v, want %s and %s first", st, choices, ann, twin)
	}
	// The merge finds the other Ann Lee.
	_, page = b.get("/app/contacts/" + ann + "?merge_other=" + url.QueryEscape("Ann Lee"))
	if !strings.Contains(page, "Merge ann lee into Ann Lee") {
		t.Fatalf("the merge does not offer the other Ann Lee: %q", regexp.MustCompile(`Merge [^<]* into`).FindAllString(page, -1))
	}
}

// TestIntrosListPages: the intros list shows the newest 50 first and
// pages back to the oldest; a page link it did not give is refused.
func TestIntrosListPages(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	a := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Ann Hub"})
	for i := range 52 {
		other := s.create(t, tok, "/v1/contacts", map[string]any{"name": fmt.Sprintf("Person %02d", i)})
		s.create(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{a, other}, "context": fmt.Sprintf("intro %02d", i)})
		s.Clock.Add(time.Minute)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/intros")
	if n := strings.Count(page, `class="card" id="i-`); n != 50 {
		t.Fatalf("first page: %d intros", n)
	}
	if strings.Index(page, "intro 51") > strings.Index(page, "intro 50") || strings.Contains(page, "intro 01<") {
		t.Fatal("the first page is not the newest 50, newest first")
	}
	m := regexp.MustCompile(`href="/app/intros\?page=([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no link to older intros")
	}
	_, older := b.get("/app/intros?page=" + html.UnescapeString(m[1]))
	if n := strings.Count(older, `class="card" id="i-`); n != 2 || !strings.Contains(older, "intro 01") || !strings.Contains(older, "intro 00") ||
		strings.Contains(older, "Older intros") {
		t.Fatalf("the older page: %d intros\n%s", n, older)
	}
	// A refused form on the older page comes back on that page, with the
	// status picked and the outcome as typed.
	var oldest string
	if m := regexp.MustCompile(`action="/app/intros/([^"]+)"`).FindAllStringSubmatch(older, -1); len(m) == 2 {
		oldest = m[1][1]
	} else {
		t.Fatalf("forms on the older page: %v", m)
	}
	sent := form(older, "/app/intros/"+oldest)
	long := strings.Repeat("y", input.MaxNotes+1)
	sent.Set("status", "made")
	sent.Set("outcome", long)
	st, again := b.post("/app/intros/"+oldest, sent)
	if st != 422 || !strings.Contains(again, "intro 00") || strings.Contains(again, "intro 51") {
		t.Fatalf("a refused form on the older page: %d", st)
	}
	mustContain(t, again, `value="`+long+`" aria-invalid="true"`, `<option value="made" selected>`, "Not saved: outcome:")
	if st, bad := b.get("/app/intros?page=nonsense"); st != 200 || !strings.Contains(bad, "not one this list gave") {
		t.Fatalf("a made-up page: %d", st)
	}
}

// TestContactShowsTheRestOfItsCard: what a contact's card in an address
// book holds besides its fields — here a nickname, a birthday, an address
// and a website added on a phone, the department after its company —
// shows on its page, escaped, and its phones and email carry their labels;
// a photo and an app's own properties do not show.
func TestContactShowsTheRestOfItsCard(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "me@example.com")
	var me struct{ ID string }
	s.api(t, "GET", "/v1/me", tok, nil, 200, &me)
	extra := "BEGIN:VCARD\r\nVERSION:3.0\r\nNICKNAME:<b>Enchantress</b>\r\nBDAY:1815-12-10\r\nADR;TYPE=HOME:;;12 St James's Square;London;;;UK\r\n" +
		"URL:https://ada.example\r\nPHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgo=\r\nX-ABUID:1234\r\nORG:Analytical Engines;Research;;Looms\r\n" +
		"TEL;TYPE=CELL;TYPE=VOICE;TYPE=pref:+44 20 7946 0018\r\nitem2.TEL:+44 20 7946 0999\r\nitem2.X-ABLabel:Lab\r\n" +
		"EMAIL;TYPE=INTERNET;TYPE=WORK:ada@engines.example\r\nEND:VCARD\r\n"
	c, err := s.CRM.Contacts.Create(t.Context(), me.ID, contacts.Input{Name: "Ada Lovelace", Company: "Analytical Engines",
		Phones: []string{"+44 20 7946 0018", "+44 20 7946 0999", "+44 20 7946 0000"}, Emails: []string{"ada@engines.example"}}, contacts.CreateOpts{CardExtra: extra})
	if err != nil {
		t.Fatal(err)
	}
	b := s.signedIn(t, "me@example.com", tok)
	st, page := b.get("/app/contacts/" + c.ID)
	if st != 200 {
		t.Fatalf("contact page: %d", st)
	}
	mustContain(t, page, "From the address book: Nickname &lt;b&gt;Enchantress&lt;/b&gt; · Birthday 1815-12-10 · Address 12 St James&#39;s Square, London, UK · Website https://ada.example · Department Research, Looms")
	// The labels the address book gives the phones and the email.
	for _, label := range []string{"44 20 7946 0018 (mobile)</a>", "44 20 7946 0999 (Lab)</a>", "44 20 7946 0000</a>", "Email ada@engines.example (work)"} {
		mustContain(t, page, label)
	}
	for _, not := range []string{"iVBORw0KGgo", "1234", "<b>Enchantress"} {
		if strings.Contains(page, not) {
			t.Errorf("the page shows %q", not)
		}
	}
}
