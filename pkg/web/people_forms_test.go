package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/web"
)

// TestScheduleAFollowupFromTheContact: a contact's page schedules a
// follow-up (PRODUCT.md §10: "schedule a follow-up") — at the time typed,
// in the user's zone, or tomorrow at their nudge hour when none is — that
// shows on the page, the follow-ups page and the API; a time that is none
// is said; another user's contact is 404. The page had no such form.
func TestScheduleAFollowupFromTheContact(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	s.api(t, "PATCH", "/v1/me", tok, map[string]any{"timezone": "Europe/Berlin", "nudge_hour": 8}, 200, nil)
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	b := s.signedIn(t, "ada@example.com", tok)

	_, page := b.get("/app/contacts/" + jane)
	mustContain(t, page, "Schedule a follow-up", `value="2026-11-25T08:00"`) // the clock: 24 Nov 17:00 UTC
	st, page := b.post("/app/contacts/"+jane+"/followups", url.Values{"due": {"2026-12-01T10:30"}, "note": {"Send the deck"}})
	if st != 200 {
		t.Fatalf("schedule: %d", st)
	}
	mustContain(t, page, "Follow-up scheduled for Tue 1 Dec, 10:30.", "Send the deck")
	if _, page = b.post("/app/contacts/"+jane+"/followups", url.Values{"note": {"Ask about the meetup"}}); !strings.Contains(page, "Follow-up scheduled for Wed 25 Nov, 08:00.") {
		t.Fatalf("no time given: tomorrow at the nudge hour?\n%.2000s", page)
	}
	var list struct {
		Items []struct {
			ContactID string    `json:"contact_id"`
			DueAt     time.Time `json:"due_at"`
			Note      string    `json:"note"`
		} `json:"items"`
	}
	s.api(t, "GET", "/v1/followups?status=pending", tok, nil, 200, &list)
	due := map[string]time.Time{}
	for _, f := range list.Items {
		if f.ContactID == jane {
			due[f.Note] = f.DueAt
		}
	}
	if got := due["Send the deck"]; !got.Equal(time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("Send the deck is due %v, want 10:30 Berlin time (09:30 UTC)", got)
	}
	if got := due["Ask about the meetup"]; !got.Equal(time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("Ask about the meetup is due %v, want 08:00 Berlin time tomorrow", got)
	}
	if _, page = b.get("/app/followups"); !strings.Contains(page, "Send the deck") {
		t.Error("the follow-ups page lacks it")
	}
	b.get("/app/contacts/" + jane)
	if st, page = b.post("/app/contacts/"+jane+"/followups", url.Values{"due": {"next week"}, "note": {"Send the slides"}}); st != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "is not a date and time") || !strings.Contains(page, `value="next week"`) || !strings.Contains(page, ">Send the slides</textarea>") {
		t.Fatalf("a time that is none, the note kept: %d\n%.2000s", st, page)
	}

	eve := s.signedIn(t, "eve@example.com", s.signup(t, "eve@example.com"))
	eve.get("/app/today")
	if st, _ := eve.post("/app/contacts/"+jane+"/followups", url.Values{"note": {"x"}}); st != http.StatusNotFound {
		t.Fatalf("another user's contact: %d, want 404", st)
	}
}

// TestNewContact adds a contact met other than at an event from the desk:
// from the contacts page, or from a search that found nobody (the name
// filled in); every field kept; sent twice, one contact; a bad field
// refused next to it and one whose email another contact has refused with
// a link to that contact, what was typed kept each time.
func TestNewContact(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "emails": []string{"jane@example.com"}})
	b := s.signedIn(t, "ada@example.com", tok)

	_, page := b.get("/app/contacts")
	mustContain(t, page, `href="/app/contacts/new"`)
	_, page = b.get("/app/contacts?q=Grace")
	mustContain(t, page, "Nobody matches", `href="/app/contacts/new?name=Grace"`)
	st, page := b.get("/app/contacts/new?name=Grace")
	if st != 200 {
		t.Fatalf("the new contact's page: %d", st)
	}
	mustContain(t, page, "<h1>New contact</h1>", `value="Grace"`, `action="/app/contacts/new"`)

	sent := form(page, "/app/contacts/new")
	for k, v := range map[string]string{"name": "Grace Hopper", "emails": "grace@example.com\ngrace@navy.example", "phones": "+1 555 0100",
		"company": "Navy", "title": "Rear Admiral", "linkedin_url": "linkedin.com/in/GraceHopper", "tags": "cobol, compilers",
		"notes": "Introduced by Jane\nby email", "cadence_days": "60", "known_since": "2019-05-01"} {
		sent.Set(k, v)
	}
	st, page = b.post("/app/contacts/new", sent)
	if st != 200 || !strings.Contains(page, "Added Grace Hopper.") || !strings.Contains(page, "<h1>Grace Hopper</h1>") {
		t.Fatalf("added: %d\n%.2000s", st, page)
	}
	mustContain(t, page, "Known since 1 May 2019 (added 24 Nov 2026)", "stay in touch every 60 days")
	// The same form again (a double click): the same page, no second contact.
	if st, again := b.post("/app/contacts/new", sent); st != 200 || !strings.Contains(again, "<h1>Grace Hopper</h1>") {
		t.Fatalf("sent twice: %d", st)
	}
	// The same form brought back (the browser's Back button) and filled in
	// for someone else: that is a new contact, added too.
	other := url.Values{}
	for k, v := range sent {
		other[k] = v
	}
	other.Set("name", "Alan Turing")
	other.Set("emails", "alan@example.com")
	other.Set("linkedin_url", "")
	if st, page := b.post("/app/contacts/new", other); st != 200 || !strings.Contains(page, "Added Alan Turing.") {
		t.Fatalf("the same form for someone else: %d\n%.2000s", st, page)
	}
	var list struct {
		Items []struct {
			ID, Name, Company, Title, Notes string
			Emails, Phones, Tags            []string
			LinkedInURL                     string `json:"linkedin_url"`
			CadenceDays                     int    `json:"cadence_days"`
		}
	}
	s.api(t, "GET", "/v1/contacts?q=Grace", tok, nil, 200, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d contacts named Grace after the form was sent twice, want 1", len(list.Items))
	}
	g := list.Items[0]
	if g.Company != "Navy" || g.Title != "Rear Admiral" || g.Notes != "Introduced by Jane\nby email" || len(g.Emails) != 2 || len(g.Phones) != 1 ||
		len(g.Tags) != 2 || g.CadenceDays != 60 || g.LinkedInURL != "https://www.linkedin.com/in/gracehopper" {
		t.Fatalf("stored %+v", g)
	}

	// Refused: a bad email next to its field, a day that is no date next
	// to its; then an email Jane has, with a link to her. Nothing added.
	for _, tc := range []struct {
		field, value, want string
		status             int
	}{
		{"emails", "not-an-email", `id="emails-error"`, 422},
		{"known_since", "yesterday", `id="known_since-error"`, 422},
		{"emails", "JANE@example.com", `href="/app/contacts/` + jane + `"`, 409},
	} {
		_, page = b.get("/app/contacts/new")
		sent = form(page, "/app/contacts/new")
		sent.Set("name", "Someone New")
		sent.Set("notes", "Typed, and kept")
		sent.Set(tc.field, tc.value)
		st, page = b.post("/app/contacts/new", sent)
		if st != tc.status {
			t.Fatalf("%s %q: %d, want %d\n%.2000s", tc.field, tc.value, st, tc.status, page)
		}
		mustContain(t, page, tc.want, `value="Someone New"`, "Typed, and kept")
	}
	s.api(t, "GET", "/v1/contacts?q=Someone", tok, nil, 200, &list)
	if len(list.Items) != 0 {
		t.Fatalf("a refused contact was added: %+v", list.Items)
	}
	// The refused form, put right and sent again, adds them.
	sent = form(page, "/app/contacts/new")
	for _, k := range []string{"name", "notes"} {
		sent.Set(k, map[string]string{"name": "Someone New", "notes": "Typed, and kept"}[k])
	}
	sent.Set("emails", "someone@example.com")
	if st, page = b.post("/app/contacts/new", sent); st != 200 || !strings.Contains(page, "Added Someone New.") {
		t.Fatalf("put right and sent again: %d\n%.2000s", st, page)
	}
}

// TestContactPageFormsAddOnce: each form of a contact's page that adds
// something — an interaction, a note, a follow-up, an intro, an opening —
// sent twice as drawn (a double click) adds it once; the page's forms share
// one one-time id, and each is still saved after another was.
func TestContactPageFormsAddOnce(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "company": "Acme"})
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Smith"})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/contacts/" + jane)
	send := func(action string, fields map[string]string, notice string) {
		t.Helper()
		sent := form(page, action)
		if sent.Get("form_id") == "" {
			t.Fatalf("%s: the form has no one-time id", action)
		}
		for k, v := range fields {
			sent.Set(k, v)
		}
		for range 2 {
			if st, got := b.post(action, sent); st != 200 || !strings.Contains(got, notice) {
				t.Fatalf("%s: %d, want %q\n%.2000s", action, st, notice, got)
			}
		}
	}
	base := "/app/contacts/" + jane
	send(base+"/interactions", map[string]string{"kind": "call", "notes": "Talked WASM"}, "Logged.")
	send(base+"/notes", map[string]string{"note": "Likes Go"}, "Note added.")
	send(base+"/followups", map[string]string{"due": "2026-11-30T09:00", "note": "Send the deck"}, "Follow-up scheduled")
	send(base+"/intros", map[string]string{"other": "Bob Smith", "context": "Both into WASM"}, "Intro noted.")
	send(base+"/opportunities", map[string]string{"title": "Staff engineer", "kind": "job"}, "Noted: Staff engineer.")

	count := func(path string) int {
		var list struct{ Items []any }
		s.api(t, "GET", path, tok, nil, 200, &list)
		return len(list.Items)
	}
	if n := count("/v1/contacts/" + jane + "/interactions"); n != 1 {
		t.Errorf("%d interactions, want 1", n)
	}
	if n := count("/v1/intros?contact_id=" + jane); n != 1 {
		t.Errorf("%d intros, want 1", n)
	}
	if n := count("/v1/opportunities?contact_id=" + jane); n != 1 {
		t.Errorf("%d opportunities, want 1", n)
	}
	var fs struct{ Items []struct{ Note string } }
	s.api(t, "GET", "/v1/followups?contact_id="+jane, tok, nil, 200, &fs)
	decks := 0
	for _, f := range fs.Items {
		if f.Note == "Send the deck" {
			decks++
		}
	}
	if decks != 1 {
		t.Errorf("%d follow-ups to send the deck, want 1: %+v", decks, fs.Items)
	}
	var ct struct{ Notes string }
	s.api(t, "GET", "/v1/contacts/"+jane, tok, nil, 200, &ct)
	if strings.Count(ct.Notes, "Likes Go") != 1 {
		t.Errorf("notes %q, want the note once", ct.Notes)
	}
}

// TestSecondSendWaitsForTheFirst: a form sent again while its first send
// is still being saved (a double click: the browser shows the second's
// answer) waits for the first, and answers with the page the first one
// did; one thing is added.
func TestSecondSendWaitsForTheFirst(t *testing.T) {
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/contacts/new")
	sent := form(page, "/app/contacts/new")
	sent.Set("name", "Grace Hopper")

	first, second := sendTwice(t, func() (*http.Response, error) { return b.c.PostForm(s.URL+"/app/contacts/new", sent) })
	for _, answer := range []string{first, second} {
		if !strings.Contains(answer, "Added Grace Hopper.") {
			t.Fatalf("a send answered without the first one's page:\n%.2000s", answer)
		}
	}
	var list struct{ Items []any }
	s.api(t, "GET", "/v1/contacts", tok, nil, 200, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d contacts, want 1", len(list.Items))
	}
}

// sendTwice sends a form with post twice, the second while the first is
// held as it starts to save (HoldSaving), and gives both answers. It fails
// the test if the first answers without saving, or if the second saves
// too.
func sendTwice(t *testing.T, post func() (*http.Response, error)) (first, second string) {
	t.Helper()
	entered, release := make(chan struct{}, 2), make(chan struct{})
	t.Cleanup(web.HoldSaving(func() { entered <- struct{}{}; <-release }))
	send := func(answers chan<- string) {
		resp, err := post()
		if err != nil {
			answers <- err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		answers <- string(body)
	}
	firsts, seconds := make(chan string, 1), make(chan string, 1)
	go send(firsts)
	select {
	case <-entered: // the first is saving
	case answer := <-firsts:
		t.Fatalf("the form was not kept to once:\n%.500s", answer)
	}
	go send(seconds)
	time.Sleep(300 * time.Millisecond) // the second finds it saving, and waits
	close(release)
	first, second = <-firsts, <-seconds
	if len(entered) != 0 {
		t.Fatal("the second send saved too")
	}
	return first, second
}
