package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/web"
)

// TestGuestListPages: an Eventbrite export uploaded on the event's guest
// list page (bad lines said by line), who is already a contact linked,
// "Met" logging someone from the list, one taken off, the log form
// offering the list, and another user's event a 404 page.
func TestGuestListPages(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	eve := s.signup(t, "eve@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-24T16:00:00Z"})
	marc := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Marc D.", "emails": []string{"marc@example.com"}})
	file, err := os.ReadFile("../guestlist/testdata/eventbrite.csv")
	if err != nil {
		t.Fatal(err)
	}
	b := s.signedIn(t, "ada@example.com", tok)
	b.get("/app/events/" + ev)
	mustContain(t, b.last, `href="/app/events/`+ev+`/guests"`)
	b.get("/app/events/" + ev + "/guests")
	st, page := b.upload("/app/events/"+ev+"/guests", "file", "attendees.csv", file, url.Values{})
	if st != 200 {
		t.Fatalf("upload: %d\n%s", st, page)
	}
	mustContain(t, page, "attendees.csv: 3 added, 0 updated, 1 already your contact, 1 line skipped.", "Line 5: name: is required",
		"Zoë Łukasiewicz", "Initech, GmbH", `<a href="/app/contacts/`+marc+`">Marc Dubois</a>`, "checked in")
	// Met Zoë after the talk: a contact made from the list, and she shows as met.
	zoe := regexp.MustCompile(`<tr id="g-([0-9a-f]+)"><td>Zoë`).FindStringSubmatch(page)
	if zoe == nil {
		t.Fatal("no row for Zoë")
	}
	st, page = b.post("/app/events/"+ev+"/guests/"+zoe[1]+"/met", url.Values{"moment": {"after_talk"}})
	if st != 200 || !strings.Contains(page, "Met Zoë Łukasiewicz: saved.") {
		t.Fatalf("met: %d\n%s", st, page)
	}
	var found struct {
		Items []struct {
			ID, Name, Company, Title string
			Emails                   []string
		}
	}
	s.api(t, "GET", "/v1/contacts?q=zoe", tok, nil, 200, &found)
	if len(found.Items) != 1 || found.Items[0].Company != "Initech, GmbH" || found.Items[0].Title != "CTO" || found.Items[0].Emails[0] != "zoe@initech.example" {
		t.Fatalf("the contact made from the list: %+v", found.Items)
	}
	if !regexp.MustCompile(`(?s)<a href="/app/contacts/` + found.Items[0].ID + `">Zoë Łukasiewicz</a>.*?<td>met</td>`).MatchString(page) {
		t.Fatal("Zoë is not shown as met")
	}
	// The log form offers the others (not Zoë, met; not Rae, refunded).
	_, logPage := b.get("/app")
	if !strings.Contains(logPage, `name="attendee_id"`) || !strings.Contains(logPage, ">Marc Dubois</option>") ||
		strings.Contains(logPage, ">Zoë") || strings.Contains(logPage, "Rae Fund") {
		t.Fatalf("the log form's guest list:\n%s", logPage)
	}
	marcRow := regexp.MustCompile(`<option value="([0-9a-f]+)" >Marc Dubois</option>`).FindStringSubmatch(logPage)
	if marcRow == nil {
		t.Fatalf("no option for Marc:\n%s", logPage)
	}
	if st, page := logGuest(b, logPage, ev, marcRow[1], "before_talk"); st != 200 || !strings.Contains(page, "you knew Marc D. already") {
		t.Fatalf("logging Marc from the list: %d\n%s", st, page)
	}
	// Off the list.
	_, page = b.get("/app/events/" + ev + "/guests")
	rae := regexp.MustCompile(`<tr id="g-([0-9a-f]+)"><td>Rae Fund`).FindStringSubmatch(page)
	if st, page := b.post("/app/events/"+ev+"/guests/"+rae[1]+"/delete", url.Values{}); st != 200 || strings.Contains(page, "Rae Fund") {
		t.Fatalf("remove: %d", st)
	}
	// No file: said next to the field.
	if st, page := b.upload("/app/events/"+ev+"/guests", "file", "", nil, url.Values{}); st != 422 || !strings.Contains(page, "choose the guest list") {
		t.Fatalf("no file: %d", st)
	}
	// Another user: 404 pages, nothing changed.
	be := s.signedIn(t, "eve@example.com", eve)
	if st, _ := be.get("/app/events/" + ev + "/guests"); st != 404 {
		t.Fatalf("Eve reads Ada's guest list: %d", st)
	}
	be.get("/app/events")
	if st, _ := be.post("/app/events/"+ev+"/guests/"+zoe[1]+"/delete", url.Values{}); st != 404 {
		t.Fatalf("Eve removes from Ada's list: %d", st)
	}
	if st, _ := be.post("/app/events/"+ev+"/guests/"+zoe[1]+"/met", url.Values{"moment": {"other"}}); st != 404 {
		t.Fatalf("Eve logs Ada's guest: %d", st)
	}
}

// logGuest sends the log form of page with the guest aid of event ev
// picked, met at moment.
func logGuest(b *browser, page, ev, aid, moment string) (int, string) {
	f := form(page, "/app/encounters")
	f.Set("event_id", ev)
	f.Set("attendee_id", aid)
	f.Set("moment", moment)
	return b.post("/app/encounters", f)
}

// TestGuestListSentTwiceImportsOnce: a guest list's form sent again while
// its first send is importing (a double click without scripts: the
// browser shows the second's answer) waits for the first and shows what
// it did; the list is imported once. The second send said "a guest list
// is being imported" while the first went through.
func TestGuestListSentTwiceImportsOnce(t *testing.T) {
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "Go meetup", "starts_at": "2026-12-10T18:00:00Z"})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/events/" + ev + "/guests")
	fields := form(page, "/app/events/"+ev+"/guests")
	if fields.Get("form_id") == "" {
		t.Fatalf("the guest list's form carries no one-time id: %v", fields)
	}
	file := []byte("name,email\nZed Shaw,zed@example.com\nYan Li,yan@example.com\n")

	first, second := sendTwice(t, func() (*http.Response, error) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for k := range fields {
			w.WriteField(k, fields.Get(k))
		}
		fw, _ := w.CreateFormFile("file", "guests.csv")
		fw.Write(file)
		w.Close()
		return b.c.Post(s.URL+"/app/events/"+ev+"/guests", w.FormDataContentType(), &body)
	})
	for _, answer := range []string{first, second} {
		if !strings.Contains(answer, "guests.csv: 2 added, 0 updated, 0 already your contacts, 0 lines skipped.") {
			t.Fatalf("a send answered without the first one's result:\n%.3000s", answer)
		}
	}
	var list struct{ Items []any }
	s.api(t, "GET", "/v1/events/"+ev+"/attendees", tok, nil, 200, &list)
	if len(list.Items) != 2 {
		t.Fatalf("%d attendees, want 2", len(list.Items))
	}
}

// TestGuestShownWithTheirContactsDetails: a guest who is already a contact,
// listed without a company or title (as Luma exports a list), shows the
// contact's; a guest's own company and title stand.
func TestGuestShownWithTheirContactsDetails(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-24T16:00:00Z"})
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "emails": []string{"jane@acme.example"}, "company": "Acme", "title": "CTO"})
	bob := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Smith", "emails": []string{"bob@initech.example"}, "company": "Initech", "title": "Engineer"})
	s.api(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, map[string]any{"attendees": []map[string]any{
		{"name": "Jane Doe", "email": "jane@acme.example"},
		{"name": "Bob Smith", "email": "bob@initech.example", "company": "Globex", "title": "Staff engineer"},
		{"name": "Zoe Quinn", "company": "Hooli", "title": "Go developer"},
	}}, 200, nil)
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/events/" + ev + "/guests")
	mustContain(t, page, `<a href="/app/contacts/`+jane+`">Jane Doe</a></td><td>Acme</td><td>CTO</td>`,
		`<a href="/app/contacts/`+bob+`">Bob Smith</a></td><td>Globex</td><td>Staff engineer</td>`, `<td>Zoe Quinn</td><td>Hooli</td><td>Go developer</td>`)
}

// TestGuestKnownByNameOnly: a guest with neither email nor LinkedIn URL,
// as a Meetup list gives them, marked met twice is one contact, and shows
// as met; one logged by typing their name on the log form rather than
// picking them (accents aside) is met too; neither is offered again, nor
// listed in the review as not met.
func TestGuestKnownByNameOnly(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "Go Meetup #47", "starts_at": "2026-11-24T16:00:00Z"})
	s.api(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, map[string]any{"attendees": []map[string]any{
		{"name": "Sam Roe"}, {"name": "Zoë Quinn", "company": "Globex"}, {"name": "Ivy Lin"}}}, 200, nil)
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/events/" + ev + "/guests")
	sam := regexp.MustCompile(`<tr id="g-([0-9a-f]+)"><td>Sam Roe`).FindStringSubmatch(page)
	if sam == nil {
		t.Fatalf("no row for Sam:\n%s", page)
	}
	for range 2 {
		if st, page := b.post("/app/events/"+ev+"/guests/"+sam[1]+"/met", url.Values{"moment": {"after_talk"}}); st != 200 {
			t.Fatalf("met: %d\n%s", st, page)
		}
	}
	b.get("/app?event_id=" + ev)
	f := form(b.last, "/app/encounters")
	f.Set("event_id", ev)
	f.Set("name", "zoe quinn")
	f.Set("moment", "before_talk")
	if st, page := b.post("/app/encounters", f); st != 200 {
		t.Fatalf("log: %d\n%s", st, page)
	}
	var people struct{ Items []struct{ ID, Name string } }
	s.api(t, "GET", "/v1/contacts", tok, nil, 200, &people)
	if len(people.Items) != 2 {
		t.Fatalf("contacts %+v, want Sam once and Zoe", people.Items)
	}
	var guests struct {
		Items []struct {
			Name      string
			ContactID *string `json:"contact_id"`
			Met       bool
		}
	}
	s.api(t, "GET", "/v1/events/"+ev+"/attendees", tok, nil, 200, &guests)
	for _, g := range guests.Items {
		if want := g.Name != "Ivy Lin"; g.Met != want || (g.ContactID != nil) != want {
			t.Errorf("%s: met %v, contact %v; want met %v", g.Name, g.Met, g.ContactID, want)
		}
	}
	_, logPage := b.get("/app?event_id=" + ev)
	if strings.Contains(logPage, ">Sam Roe</option>") || strings.Contains(logPage, ">Zoë Quinn") || !strings.Contains(logPage, ">Ivy Lin") {
		t.Errorf("the log form offers the guests met, or not Ivy:\n%s", logPage)
	}
	_, review := b.get("/app/events/" + ev + "/review")
	mustContain(t, review, "On the guest list, not met (1)")
	if strings.Contains(review, "Why you went") {
		t.Error("the review of an event with no intentions has a Why you went section")
	}
}

// TestTypedGuestTakesTheListsDetails: someone on the guest list, logged by
// typing their name rather than picking them, becomes the contact the list
// describes (its spelling of the name, email, company, title), or the
// contact they already are;
// a name two guests share, or a company other than the guest's, takes
// nothing from the list.
func TestTypedGuestTakesTheListsDetails(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "emails": []string{"jane@acme.example"}})
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "Go Meetup #47", "starts_at": "2026-11-24T16:00:00Z"})
	s.api(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, map[string]any{"attendees": []map[string]any{
		{"name": "Zoe Quinn", "email": "zoe@globex.example", "company": "Globex", "title": "Platform lead"},
		{"name": "Jane Doe", "email": "jane@acme.example"},
		{"name": "Sam Roe", "email": "sam@one.example"}, {"name": "Sam Roe", "email": "sam@two.example"},
		{"name": "Ivy Lin", "email": "ivy@acme.example", "company": "Acme"}}}, 200, nil)
	b := s.signedIn(t, "ada@example.com", tok)
	logged := func(name, company, want string) {
		t.Helper()
		b.get("/app?event_id=" + ev)
		f := form(b.last, "/app/encounters")
		f.Set("event_id", ev)
		f.Set("name", name)
		f.Set("company", company)
		f.Set("moment", "after_talk")
		if st, page := b.post("/app/encounters", f); st != 200 || !strings.Contains(page, want) {
			t.Fatalf("log %s: %d, want %q", name, st, want)
		}
	}
	logged("zoe  quinn", "", "Saved Zoe Quinn.")
	logged("Jane Doe", "", "Saved — you knew Jane Doe already.")
	logged("Sam Roe", "", "Saved Sam Roe.")
	logged("Ivy Lin", "Initech", "Saved Ivy Lin.")
	var people struct {
		Items []struct {
			ID, Name, Company, Title string
			Emails                   []string
		}
	}
	s.api(t, "GET", "/v1/contacts?limit=50", tok, nil, 200, &people)
	got := map[string]string{}
	for _, p := range people.Items {
		got[p.Name] = fmt.Sprint(p.Emails, " ", p.Company, " ", p.Title)
	}
	want := map[string]string{"Zoe Quinn": "[zoe@globex.example] Globex Platform lead", "Jane Doe": "[jane@acme.example]  ",
		"Sam Roe": "[]  ", "Ivy Lin": "[] Initech "}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("contacts:\n%v\nwant\n%v", got, want)
	}
	var guests struct {
		Items []struct {
			Name, Email string
			ContactID   *string `json:"contact_id"`
		}
	}
	s.api(t, "GET", "/v1/events/"+ev+"/attendees", tok, nil, 200, &guests)
	for _, g := range guests.Items {
		if g.Email == "jane@acme.example" && (g.ContactID == nil || *g.ContactID != jane) {
			t.Errorf("Jane's guest row is not her contact: %v", g.ContactID)
		}
		if g.Email == "zoe@globex.example" && g.ContactID == nil {
			t.Error("Zoe's guest row is not her new contact")
		}
	}
}

// TestLongGuestListFoundByName: at an event of more guests than the log
// form offers (logGuests), the form says so and finds the rest from a
// name on — a guest far down the list is offered, picked and logged; the
// desk's guest list finds them the same way; a short list offers no
// finder on either.
func TestLongGuestListFoundByName(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GopherCon", "starts_at": time.Now().UTC().Format(time.RFC3339)})
	var guests []map[string]any
	for i := range web.LogGuests + 50 {
		guests = append(guests, map[string]any{"name": fmt.Sprintf("Guest %03d", i), "company": "Acme"})
	}
	guests = append(guests, map[string]any{"name": "Zoë Quinn", "title": "CTO", "company": "Initech"})
	s.api(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, map[string]any{"attendees": guests}, 200, nil)
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app?event_id=" + ev)
	if n := strings.Count(page, " · Acme</option>"); n != web.LogGuests || strings.Contains(page, "Zoë Quinn") || !strings.Contains(page, `id="guests_from" form="find-guest"`) {
		t.Fatalf("the first page of the list: %d guests, no finder or Zoë shown", n)
	}
	_, page = b.get("/app?event_id=" + ev + "&guests_from=" + url.QueryEscape(" zoë "))
	m := regexp.MustCompile(`<option value="([0-9a-f]+)" >Zoë Quinn · Initech</option>`).FindStringSubmatch(page)
	if m == nil || strings.Contains(page, "Guest 249") || !strings.Contains(page, `value="zoë"`) {
		t.Fatalf("the list from Zoë on:\n%s", page)
	}
	if st, page := logGuest(b, page, ev, m[1], "after_talk"); st != 200 || !strings.Contains(page, "Zoë") {
		t.Fatalf("logging Zoë from the list: %d\n%s", st, page)
	}
	var found struct {
		Items []struct{ Name, Title string }
	}
	s.api(t, "GET", "/v1/contacts?q=quinn", tok, nil, 200, &found)
	if len(found.Items) != 1 || found.Items[0].Title != "CTO" {
		t.Fatalf("the contact made from the list: %+v", found.Items)
	}
	// The desk's guest list, a page at a time, is found from a name on too.
	if _, page := b.get("/app/events/" + ev + "/guests"); !strings.Contains(page, `<input id="from" name="from"`) || strings.Contains(page, "Zoë Quinn") {
		t.Fatal("the desk's guest list offers no finder, or Zoë on its first page")
	}
	if _, page := b.get("/app/events/" + ev + "/guests?from=Zo"); !strings.Contains(page, "Zoë Quinn</a>") || strings.Contains(page, "Guest 000") ||
		!strings.Contains(page, "From “Zo” on") {
		t.Fatalf("the desk's guest list from Zo on:\n%s", page)
	}
	short := s.create(t, tok, "/v1/events", map[string]any{"title": "Go meetup", "starts_at": time.Now().UTC().Format(time.RFC3339)})
	s.api(t, "POST", "/v1/events/"+short+"/attendees/import", tok, map[string]any{"attendees": guests[:3]}, 200, nil)
	if _, page := b.get("/app?event_id=" + short); !strings.Contains(page, ">Guest 002 · Acme</option>") || strings.Contains(page, "guests_from") {
		t.Fatal("a short list offers a finder, or not its guests")
	}
	if _, page := b.get("/app/events/" + short + "/guests"); !strings.Contains(page, "Guest 002") || strings.Contains(page, `name="from"`) {
		t.Fatal("a short list's page offers a finder, or not its guests")
	}
}

// TestReviewOfALongGuestList: the review names every guest not met who
// is your contact, under its own heading, then the first 50 others, and
// says how many more — not a conference's thousands in one list.
func TestReviewOfALongGuestList(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "emails": []string{"jane@example.com"}})
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GopherCon", "starts_at": "2026-11-24T16:00:00Z"})
	guests := []map[string]any{{"name": "Jane Doe", "email": "jane@example.com"}}
	for i := range 60 {
		guests = append(guests, map[string]any{"name": fmt.Sprintf("Guest %02d", i)})
	}
	s.api(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, map[string]any{"attendees": guests}, 200, nil)
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/events/" + ev + "/review")
	mustContain(t, page, "On the guest list, not met (61)", `<h3>People you know</h3><ul><li><a href="/app/contacts/`+jane+`">Jane Doe</a></li></ul>`,
		"<h3>Others</h3>", "<li>Guest 49</li>", "And 10 more.")
	if strings.Contains(page, "Guest 50") {
		t.Error("the review names more than 50 guests who are not contacts")
	}
}
