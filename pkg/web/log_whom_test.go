package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// metAgain is TestMetAgain's account: a meetup met at twice, and what
// its steps log.
type metAgain struct {
	s         *server
	tok, ev   string
	b         *browser
	jane, bob string
}

// TestMetAgain logs someone known again at the next meetup: the log form
// asks whether a typed name (or a guest known by name only) is the contact
// of that name you know, or someone new, instead of making a second one;
// a contact's page logs them there directly. What the outbox sends later,
// with nobody at the form, is logged as typed.
func TestMetAgain(t *testing.T) {
	t.Parallel()
	m := &metAgain{s: mustServe(t)}
	m.tok = m.s.signup(t, "ada@example.com")
	first := m.s.create(t, m.tok, "/v1/events", map[string]any{"title": "Go Meetup #40", "starts_at": "2026-10-24T16:00:00Z"})
	m.ev = m.s.create(t, m.tok, "/v1/events", map[string]any{"title": "Go Meetup #41", "starts_at": "2026-11-24T16:00:00Z"})
	var out struct{ Contact struct{ ID string } }
	m.s.api(t, "POST", "/v1/events/"+first+"/encounters", m.tok, map[string]any{"contact": map[string]any{"name": "Jane Doe", "company": "Acme"}, "moment": "after_talk", "met_at": "2026-10-24T18:00:00Z"}, 201, &out)
	m.jane = out.Contact.ID
	m.bob = m.s.create(t, m.tok, "/v1/contacts", map[string]any{"name": "Bob Smith"})
	m.b = m.s.signedIn(t, "ada@example.com", m.tok)
	t.Run("ATypedNameAsks", m.typedNameAsks)
	t.Run("SomeoneNew", m.someoneNew)
	t.Run("AGuestKnownByNameOnly", m.guestByName)
	t.Run("MetOnTheGuestList", m.metOnTheList)
	t.Run("FromTheirPage", m.fromTheirPage)
	t.Run("AnotherUsersContact", m.anotherUsers)
	t.Run("TheOutboxDoesNotAsk", m.outbox)
	t.Run("ANameTypedWithoutItsAccents", m.withoutAccents)
}

// withoutAccents: a name typed on a phone without its accents asks about
// the contact written with them, though eight names sort between the two
// (José after every "Jos…" in plain letters); the name order alone found
// only the first five.
func (m *metAgain) withoutAccents(t *testing.T) {
	jose := m.s.create(t, m.tok, "/v1/contacts", map[string]any{"name": "José García", "company": "Globex"})
	for _, n := range []string{"Josh A", "Josh B", "Josh C", "Josh D", "Josh E", "Josh F", "Josh G", "Josh H"} {
		m.s.create(t, m.tok, "/v1/contacts", map[string]any{"name": n})
	}
	st, page := m.b.post("/app/encounters", m.logForm(t, "Jose Garcia"))
	if st != 422 {
		t.Fatalf("José typed as Jose: %d, want 422 asking who", st)
	}
	mustContain(t, page, "You know someone named Jose Garcia already. Is it them?", `name="contact_id" value="`+jose+`"`,
		"José García <span class=\"hint\">(Globex")
}

// logForm is the log form at the meetup with name and moment filled in.
func (m *metAgain) logForm(t *testing.T, name string) url.Values {
	t.Helper()
	m.b.get("/app?event_id=" + m.ev)
	f := form(m.b.last, "/app/encounters")
	f.Set("event_id", m.ev)
	f.Set("name", name)
	f.Set("moment", "before_talk")
	return f
}

// contactsNamed counts the user's contacts of a name.
func (m *metAgain) contactsNamed(t *testing.T, name string) int {
	t.Helper()
	var people struct{ Items []struct{ Name string } }
	m.s.api(t, "GET", "/v1/contacts?limit=100", m.tok, nil, 200, &people)
	n := 0
	for _, p := range people.Items {
		if p.Name == name {
			n++
		}
	}
	return n
}

// encounters are a contact's encounters' events and topics.
func (m *metAgain) encounters(t *testing.T, id string) []string {
	t.Helper()
	var encs struct {
		Items []struct {
			EventID string `json:"event_id"`
			Topics  []string
		}
	}
	m.s.api(t, "GET", "/v1/contacts/"+id+"/encounters", m.tok, nil, 200, &encs)
	var got []string
	for _, e := range encs.Items {
		got = append(got, e.EventID+" "+strings.Join(e.Topics, ","))
	}
	return got
}

func (m *metAgain) typedNameAsks(t *testing.T) {
	f := m.logForm(t, "jane doe")
	f.Set("topics", "wasm")
	f.Set("notes", "Told me about her WASM talk")
	st, page := m.b.post("/app/encounters", f)
	if st != 422 {
		t.Fatalf("a known name: %d, want 422 asking who", st)
	}
	mustContain(t, page, "You know someone named jane doe already. Is it them?",
		`name="contact_id" value="`+m.jane+`"`, "Jane Doe <span class=\"hint\">(Acme · met at Go Meetup #40, 24 Oct 2026)</span>",
		`name="contact_id" value="new"`, "Someone new named jane doe", `value="wasm"`, "Told me about her WASM talk")
	if n := m.contactsNamed(t, "Jane Doe") + m.contactsNamed(t, "jane doe"); n != 1 {
		t.Fatalf("asking made a contact: %d named Jane Doe", n)
	}
	f = form(page, "/app/encounters")
	for _, k := range []string{"event_id", "name", "moment", "topics", "notes"} {
		f.Set(k, map[string]string{"event_id": m.ev, "name": "jane doe", "moment": "before_talk", "topics": "wasm", "notes": "Told me about her WASM talk"}[k])
	}
	f.Set("contact_id", m.jane)
	if st, page := m.b.post("/app/encounters", f); st != 200 || !strings.Contains(page, "Saved — you knew Jane Doe already.") {
		t.Fatalf("it is Jane: %d", st)
	}
	if n := m.contactsNamed(t, "Jane Doe"); n != 1 {
		t.Errorf("%d contacts named Jane Doe, want 1", n)
	}
	if got := m.encounters(t, m.jane); len(got) != 2 || !strings.Contains(strings.Join(got, ";"), m.ev+" wasm") {
		t.Errorf("Jane's encounters: %v", got)
	}
}

func (m *metAgain) someoneNew(t *testing.T) {
	f := m.logForm(t, "Jane Doe")
	if st, _ := m.b.post("/app/encounters", f); st != 422 {
		t.Fatalf("a known name: %d", st)
	}
	f = m.logForm(t, "Jane Doe")
	f.Set("contact_id", "new")
	if st, page := m.b.post("/app/encounters", f); st != 200 || !strings.Contains(page, "Saved Jane Doe.") {
		t.Fatalf("someone new: %d", st)
	}
	if n := m.contactsNamed(t, "Jane Doe"); n != 2 {
		t.Fatalf("%d contacts named Jane Doe, want 2", n)
	}
	// Two of that name: which one?
	st, page := m.b.post("/app/encounters", m.logForm(t, "JANE DOE"))
	if st != 422 {
		t.Fatalf("two known: %d", st)
	}
	mustContain(t, page, "You know 2 people named JANE DOE. Which one is it?", "(Acme · met at Go Meetup #41, 24 Nov 2026)", "(no company · met at Go Meetup #41, 24 Nov 2026)")
	// An email says who it is: no question.
	f = m.logForm(t, "Jane Doe")
	f.Set("email", "jane@elsewhere.example")
	if st, page := m.b.post("/app/encounters", f); st != 200 || !strings.Contains(page, "Saved Jane Doe.") {
		t.Fatalf("with an email: %d", st)
	}
}

func (m *metAgain) guestByName(t *testing.T) {
	// A Meetup list: names, no emails.
	m.s.api(t, "POST", "/v1/events/"+m.ev+"/attendees/import", m.tok, map[string]any{"attendees": []map[string]any{{"name": "Bob Smith"}}}, 200, nil)
	var guests struct {
		Items []struct {
			ID        string
			ContactID *string `json:"contact_id"`
			Met       bool
		}
	}
	m.s.api(t, "GET", "/v1/events/"+m.ev+"/attendees", m.tok, nil, 200, &guests)
	f := m.logForm(t, "")
	f.Set("attendee_id", guests.Items[0].ID)
	st, page := m.b.post("/app/encounters", f)
	if st != 422 {
		t.Fatalf("a guest of a known name: %d", st)
	}
	mustContain(t, page, "You know someone named Bob Smith already. Is it them?", `value="`+m.bob+`"`)
	f.Set("contact_id", m.bob)
	if st, page := m.b.post("/app/encounters", f); st != 200 || !strings.Contains(page, "Saved — you knew Bob Smith already.") {
		t.Fatalf("it is Bob: %d", st)
	}
	m.s.api(t, "GET", "/v1/events/"+m.ev+"/attendees", m.tok, nil, 200, &guests)
	if g := guests.Items[0]; g.ContactID == nil || *g.ContactID != m.bob || !g.Met {
		t.Errorf("the guest is not Bob, met: %+v", g)
	}
	if n := m.contactsNamed(t, "Bob Smith"); n != 1 {
		t.Errorf("%d contacts named Bob Smith, want 1", n)
	}
}

func (m *metAgain) metOnTheList(t *testing.T) {
	carol := m.s.create(t, m.tok, "/v1/contacts", map[string]any{"name": "Carol King", "company": "Initech"})
	m.s.api(t, "POST", "/v1/events/"+m.ev+"/attendees/import", m.tok, map[string]any{"attendees": []map[string]any{{"name": "Carol King"}}}, 200, nil)
	var guests struct{ Items []struct{ ID, Name string } }
	m.s.api(t, "GET", "/v1/events/"+m.ev+"/attendees", m.tok, nil, 200, &guests)
	aid := ""
	for _, g := range guests.Items {
		if g.Name == "Carol King" {
			aid = g.ID
		}
	}
	m.b.get("/app/events/" + m.ev + "/guests")
	st, page := m.b.post("/app/events/"+m.ev+"/guests/"+aid+"/met", url.Values{"moment": {"during_talk"}})
	if st != 200 {
		t.Fatalf("met on the list: %d", st)
	}
	mustContain(t, page, "You know someone named Carol King already. Is it them?", `value="`+carol+`"`, "(Initech)",
		`value="during_talk" checked`, `value="`+aid+`" selected`)
	f := form(page, "/app/encounters")
	f.Set("event_id", m.ev)
	f.Set("attendee_id", aid)
	f.Set("moment", "during_talk")
	f.Set("contact_id", carol)
	if st, page := m.b.post("/app/encounters", f); st != 200 || !strings.Contains(page, "Saved — you knew Carol King already.") {
		t.Fatalf("it is Carol: %d", st)
	}
	if n := m.contactsNamed(t, "Carol King"); n != 1 {
		t.Errorf("%d contacts named Carol King, want 1", n)
	}
}

func (m *metAgain) fromTheirPage(t *testing.T) {
	_, page := m.b.get("/app/contacts/" + m.jane)
	mustContain(t, page, `<a href="/app?contact_id=`+m.jane+`">Met Jane Doe at an event</a>`)
	st, page := m.b.get("/app?contact_id=" + m.jane + "&event_id=" + m.ev)
	if st != 200 {
		t.Fatalf("the form for Jane: %d", st)
	}
	mustContain(t, page, "Who: <strong>Jane Doe</strong>", `name="contact_id" value="`+m.jane+`"`, `name="topics"`, `name="moment"`)
	// Her name goes along unseen (the outbox shows it offline), and is not asked.
	mustContain(t, page, `<input type="hidden" name="name" value="Jane Doe">`)
	if strings.Contains(page, `id="name"`) {
		t.Error("the form for Jane asks for a name")
	}
	f := form(page, "/app/encounters")
	f.Set("event_id", m.ev)
	f.Set("moment", "after_talk")
	f.Set("topics", "pprof")
	if st, page := m.b.post("/app/encounters", f); st != 200 || !strings.Contains(page, "Saved — you knew Jane Doe already.") {
		t.Fatalf("met Jane from her page: %d", st)
	}
	if got := m.encounters(t, m.jane); !strings.Contains(strings.Join(got, ";"), m.ev+" pprof") {
		t.Errorf("Jane's encounters: %v", got)
	}
}

func (m *metAgain) anotherUsers(t *testing.T) {
	eve := m.s.signup(t, "eve@example.com")
	theirs := m.s.create(t, eve, "/v1/contacts", map[string]any{"name": "Mallory"})
	// Their id in the link is dropped: the form asks for a name.
	_, page := m.b.get("/app?contact_id=" + theirs)
	if strings.Contains(page, "Mallory") || strings.Contains(page, theirs) || !strings.Contains(page, `name="name"`) {
		t.Error("another user's contact on the log form")
	}
	f := m.logForm(t, "")
	f.Set("contact_id", theirs)
	st, page := m.b.post("/app/encounters", f)
	if st != 422 || strings.Contains(page, "Mallory") || !strings.Contains(page, `class="error"`) {
		t.Fatalf("logged on another user's contact: %d", st)
	}
	var encs struct{ Items []any }
	m.s.api(t, "GET", "/v1/contacts/"+theirs+"/encounters", eve, nil, 200, &encs)
	if len(encs.Items) != 0 {
		t.Errorf("their contact has %d encounters", len(encs.Items))
	}
}

func (m *metAgain) outbox(t *testing.T) {
	f := m.logForm(t, "Bob Smith")
	f.Del("owner") // as app.js sends what waited on the phone
	if st, page := m.b.post("/app/encounters", f); st != 200 || !strings.Contains(page, "Saved Bob Smith.") {
		t.Fatalf("from the outbox: %d", st)
	}
}
