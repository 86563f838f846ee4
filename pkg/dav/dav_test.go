package dav_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/dav"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/routetest"
)

// TestMain runs the tests (on FerretDB too when asked), then fails the
// run for a route of the DAV tree no test called.
func TestMain(m *testing.M) {
	apptest.KeepIdleConnections()
	os.Exit(routes.Check("pkg/dav", mongotest.Run(m)))
}

// routes are the DAV tree's routes (those dav.Register adds to the API's
// app), each of which this package's tests call.
var routes routetest.Routes

// server is the API with the DAV tree mounted, as cmd/server builds it,
// on a real listener: SQLite, or the MongoDB adapter with
// RAPPORT_TEST_ENGINE=mongodb.
type server struct {
	URL     string
	acc     *accounts.Service
	crm     *crm.Service
	holds   *idempotency.Store // a restore's
	changes dav.Changes
	dav     *dav.Server
	// later moves the DAV server's clock ahead of the real one.
	later atomic.Int64
}

type user struct {
	*accounts.User
	token string
}

func serve(t testing.TB, opts ...func(*api.Deps)) *server {
	t.Helper()
	eng := enginetest.Open(t)
	changes := eng.Changes
	sv := apptest.Services(eng, time.Now)
	s := &server{acc: sv.Accounts, crm: sv.CRM, holds: sv.Idempotency, changes: changes}
	reg := prometheus.NewRegistry()
	d := api.Deps{Accounts: s.acc, CRM: s.crm, Idempotency: sv.Idempotency, Logger: slog.New(slog.DiscardHandler), ExtraMethods: dav.Methods, Registry: reg}
	for _, o := range opts {
		o(&d)
	}
	a := api.New(d)
	routes.Want(routetest.Added(a.App, func() {
		s.dav = dav.Register(a.App, dav.Deps{Accounts: s.acc, CRM: s.crm, AuthFails: a.AuthFails, Logger: slog.New(slog.DiscardHandler), Changes: changes,
			Now: func() time.Time { return time.Now().Add(time.Duration(s.later.Load())) }})
	}))
	s.URL = apptest.Listen(t, a.App)
	t.Cleanup(func() { routes.Called(reg) })
	return s
}

func (s *server) signup(t testing.TB, email string) *user {
	t.Helper()
	u, tok, err := s.acc.Signup(t.Context(), accounts.SignupInput{Email: email, Name: "User " + email, Timezone: "Europe/Berlin"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return &user{User: u, token: tok.Token}
}

// client is go-webdav's CardDAV client signed in as u.
func (s *server) client(t testing.TB, u *user) *carddav.Client {
	t.Helper()
	c, err := carddav.NewClient(webdav.HTTPClientWithBasicAuth(http.DefaultClient, u.Email, u.token), s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// do sends a raw request as u (nil: no credentials).
func (s *server) do(t *testing.T, u *user, method, path, body string, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if u != nil {
		req.SetBasicAuth(u.Email, u.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

// listedETag lists u's whole book (PROPFIND, Depth 1) and returns the
// ETag it gives the card of contact id, unquoted.
func (s *server) listedETag(t *testing.T, u *user, id string) string {
	t.Helper()
	etag, ok := s.listing(t, u)[dav.BookPath+id+".vcf"]
	if !ok {
		t.Fatalf("the listing has no card of %s", id)
	}
	return etag
}

var listedRE = regexp.MustCompile(`(?s)<d:href>([^<]+\.vcf)</d:href>.*?<d:getetag>([^<]+)</d:getetag>`)

// listing is the book's PROPFIND of ETags: each card's path and ETag.
func (s *server) listing(t *testing.T, u *user) map[string]string {
	t.Helper()
	r := s.do(t, u, "PROPFIND", dav.BookPath, `<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`,
		"Depth", "1", "Content-Type", "application/xml")
	ms := body(t, r)
	if r.StatusCode != 207 {
		t.Fatalf("PROPFIND: %d %.300s", r.StatusCode, ms)
	}
	out := map[string]string{}
	for _, m := range listedRE.FindAllStringSubmatch(ms, -1) {
		if _, twice := out[m[1]]; twice {
			t.Fatalf("%s listed twice", m[1])
		}
		out[m[1]] = strings.Trim(strings.ReplaceAll(m[2], "&#34;", `"`), `"`)
	}
	return out
}

// meet records that u met contact at event ev, at at (before the talk).
func (s *server) meet(t *testing.T, u *user, ev, contact string, at time.Time) {
	t.Helper()
	if err := s.crm.Contacts.CreateEncounter(t.Context(), u.ID, &contacts.Encounter{ID: record.NewID(), UserID: u.ID, EventID: ev, ContactID: contact,
		Moment: "before_talk", MetAt: at, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
}

// introduce records an intro u made of a and b, at at.
func (s *server) introduce(t *testing.T, u *user, a, b string, at time.Time) {
	t.Helper()
	if err := s.crm.Contacts.Store.CreateIntro(t.Context(), &contacts.Intro{ID: record.NewID(), UserID: u.ID, ContactIDs: []string{a, b},
		Status: contacts.IntroMade, CreatedAt: at, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
}

// ada is a contact met at a meetup, after the talk.
func (s *server) ada(t *testing.T, u *user) *contacts.Contact {
	t.Helper()
	ctx := t.Context()
	ev, err := s.crm.Events.Create(ctx, u.ID, u.Timezone, events.Input{Title: "Go Meetup Berlin", StartsAt: "2026-11-24T18:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.crm.LogEncounter(ctx, u.User, ev.ID, contacts.EncounterInput{Contact: &contacts.Input{Name: "Ada Lovelace",
		Emails: []string{"ada@example.com"}, Company: "Analytical Engines", Tags: []string{"go", "speaker"}, Notes: "Likes punch cards.\nCall after 10."},
		Moment: "after_talk", MetAt: "2026-11-24T19:30:00Z", Topics: []string{"ffi", "rust"}, Notes: "wants the FFI notes"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Contact
}

// TestDiscoveryAndCards: from the well-known URL a client finds the
// principal, the home set and the one address book; every contact is a
// card with the user's notes and the generated "How we met" section.
func TestDiscoveryAndCards(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	c := s.ada(t, u)

	for _, m := range []string{"GET", "PROPFIND"} { // clients ask both
		r := s.do(t, nil, m, "/.well-known/carddav", "")
		if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != dav.PrincipalPath {
			t.Fatalf("%s well-known: %d → %q", m, r.StatusCode, r.Header.Get("Location"))
		}
	}
	cl := s.client(t, u)
	ctx := t.Context()
	home, err := cl.FindAddressBookHomeSet(ctx, dav.PrincipalPath)
	if err != nil {
		t.Fatal(err)
	}
	books, err := cl.FindAddressBooks(ctx, home)
	if err != nil || len(books) != 1 || books[0].Name != "Rapport" {
		t.Fatalf("address books %+v, %v", books, err)
	}
	objs, err := cl.QueryAddressBook(ctx, books[0].Path, &carddav.AddressBookQuery{DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err != nil || len(objs) != 1 {
		t.Fatalf("%d cards, %v; want 1", len(objs), err)
	}
	card := objs[0].Card
	note := card.Value(vcard.FieldNote)
	for _, want := range []string{"Likes punch cards.\nCall after 10.", codec.HowWeMetMarker, "2026-11-24 · Go Meetup Berlin · after the talk · topics: ffi, rust — wants the FFI notes", "Last contact: 2026-11-24"} {
		if !strings.Contains(note, want) {
			t.Errorf("NOTE %q lacks %q", note, want)
		}
	}
	if card.Value(vcard.FieldUID) != c.ID || card.Value(vcard.FieldVersion) != "3.0" || card.PreferredValue(vcard.FieldEmail) != "ada@example.com" ||
		card.PreferredValue(vcard.FieldOrganization) != "Analytical Engines" || !slices.Equal(card.Categories(), []string{"go", "speaker"}) {
		t.Errorf("card %v", card)
	}
	if objs[0].ETag == "" {
		t.Error("no ETag")
	}
}

// TestEditsFromThePhone: a changed phone number reaches the contact, the
// generated section never lands in the notes, a stale ETag is 412 with
// nothing changed, and an unchanged card writes nothing.
func TestEditsFromThePhone(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	c := s.ada(t, u)
	cl := s.client(t, u)
	ctx := t.Context()
	path := dav.BookPath + c.ID + ".vcf"
	ao, err := cl.GetAddressObject(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.crm.Contacts.Store.Contact(ctx, u.ID, c.ID)

	// Unchanged, three times: the contact stays byte-identical.
	for range 3 {
		if _, err := cl.PutAddressObject(ctx, path, ao.Card); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := s.crm.Contacts.Store.Contact(ctx, u.ID, c.ID)
	if !after.UpdatedAt.Equal(before.UpdatedAt) || after.Notes != before.Notes {
		t.Fatalf("an unchanged card changed the contact: %+v → %+v", before, after)
	}

	// A new phone number, sent with the ETag read.
	card := ao.Card
	card.AddValue(vcard.FieldTelephone, "+49 30 1234567")
	var raw bytes.Buffer
	vcard.NewEncoder(&raw).Encode(card)
	r := s.do(t, u, "PUT", path, raw.String(), "Content-Type", "text/vcard", "If-Match", `"`+ao.ETag+`"`)
	if r.StatusCode/100 != 2 {
		t.Fatalf("PUT: %d %s", r.StatusCode, body(t, r))
	}
	got, _ := s.crm.Contacts.Store.Contact(ctx, u.ID, c.ID)
	if len(got.Phones) != 1 || got.Phones[0] != "+49 30 1234567" {
		t.Fatalf("phones %v", got.Phones)
	}
	if got.Notes != before.Notes || strings.Contains(got.Notes, "How we met") {
		t.Fatalf("notes became %q", got.Notes)
	}

	// The old ETag is stale now: 412, nothing lost.
	card.SetValue(vcard.FieldTitle, "Countess")
	raw.Reset()
	vcard.NewEncoder(&raw).Encode(card)
	r = s.do(t, u, "PUT", path, raw.String(), "Content-Type", "text/vcard", "If-Match", `"`+ao.ETag+`"`)
	if r.StatusCode != http.StatusPreconditionFailed {
		t.Fatalf("stale If-Match: %d, want 412", r.StatusCode)
	}
	if got, _ := s.crm.Contacts.Store.Contact(ctx, u.ID, c.ID); got.Title != "" {
		t.Fatalf("a stale write changed the title to %q", got.Title)
	}
}

// TestNewCardsAndDeletes: a card made on the phone is a contact with a
// new random id, kept under the resource name and UID the phone gave it;
// one with a known email fills the existing contact instead of
// duplicating it, and DELETE deletes.
func TestNewCardsAndDeletes(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	c := s.ada(t, u)
	cl := s.client(t, u)
	ctx := t.Context()

	card := vcard.Card{}
	card.SetValue(vcard.FieldVersion, "3.0")
	card.SetValue(vcard.FieldFormattedName, "Grace Hopper")
	card.AddValue(vcard.FieldEmail, "grace@example.com")
	card.SetValue(vcard.FieldUID, "9F2A-phone-uid")
	if _, err := cl.PutAddressObject(ctx, dav.BookPath+"9F2A-phone-file.vcf", card); err != nil {
		t.Fatal(err)
	}
	grace, err := s.crm.Contacts.ByEmail(ctx, u.ID, "grace@example.com")
	if err != nil || grace.Name != "Grace Hopper" || grace.ID == "9F2A-phone-file" || len(grace.ID) != 36 {
		t.Fatalf("new card: %+v, %v", grace, err)
	}
	got, err := cl.GetAddressObject(ctx, dav.BookPath+"9F2A-phone-file.vcf")
	if err != nil || got.Card.Value(vcard.FieldUID) != "9F2A-phone-uid" || got.Path != dav.BookPath+"9F2A-phone-file.vcf" {
		t.Fatalf("the new card as served: %+v, %v", got, err)
	}
	if r := s.do(t, u, "GET", dav.BookPath+grace.ID+".vcf", ""); r.StatusCode != http.StatusNotFound {
		t.Fatalf("a named card under its id: %d, want 404 (one href a card)", r.StatusCode)
	}

	dup := vcard.Card{}
	dup.SetValue(vcard.FieldVersion, "4.0")
	dup.SetValue(vcard.FieldFormattedName, "A. Lovelace")
	dup.AddValue(vcard.FieldEmail, "ADA@example.com")
	dup.SetValue(vcard.FieldTitle, "Countess")
	if _, err := cl.PutAddressObject(ctx, dav.BookPath+"other-uid.vcf", dup); err != nil {
		t.Fatal(err)
	}
	page, _ := s.crm.Contacts.Store.Contacts(ctx, u.ID, contacts.Filter{Limit: 10})
	if len(page.Items) != 2 {
		t.Fatalf("%d contacts after a card with a known email, want 2 (no duplicate)", len(page.Items))
	}
	if got, _ := s.crm.Contacts.Store.Contact(ctx, u.ID, c.ID); got.Title != "Countess" || got.Name != "Ada Lovelace" {
		t.Fatalf("the known contact was not filled in: %+v", got)
	}

	if r := s.do(t, u, "DELETE", dav.BookPath+"9F2A-phone-file.vcf", ""); r.StatusCode/100 != 2 {
		t.Fatalf("DELETE: %d", r.StatusCode)
	}
	if _, err := s.crm.Contacts.Store.Contact(ctx, u.ID, grace.ID); err == nil {
		t.Fatal("deleted on the phone, still in Rapport")
	}
}

// TestIsolationAndBadInput: another user's card is 404 to read or delete,
// and a PUT to its href makes the other user's own card under that name
// (it neither touches nor reveals mine); bad credentials are 401 with a
// Basic challenge, a card that does not parse is 400 and one over 1 MiB is
// 413.
func TestIsolationAndBadInput(t *testing.T) {
	s := serve(t)
	me := s.signup(t, "me@example.com")
	other := s.signup(t, "other@example.com")
	c := s.ada(t, me)
	path := dav.BookPath + c.ID + ".vcf"
	card := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mallory\r\nUID:" + c.ID + "\r\nEND:VCARD\r\n"
	for _, tc := range []struct{ method, body string }{{"GET", ""}, {"DELETE", ""}} {
		if r := s.do(t, other, tc.method, path, tc.body, "Content-Type", "text/vcard"); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s another user's card: %d, want 404", tc.method, r.StatusCode)
		}
	}
	if got, err := s.crm.Contacts.Store.Contact(t.Context(), me.ID, c.ID); err != nil || got.Name != "Ada Lovelace" {
		t.Fatalf("another user's request changed the card: %+v, %v", got, err)
	}
	// A multiget naming my card's href gives the other user nothing of it.
	r0 := s.do(t, other, "REPORT", dav.BookPath, `<?xml version="1.0"?><c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><c:address-data/></d:prop><d:href>`+path+`</d:href></c:addressbook-multiget>`,
		"Content-Type", "application/xml", "Depth", "1")
	if got := body(t, r0); strings.Contains(got, "Ada") || strings.Contains(got, "getetag>\"") || !strings.Contains(got, "404") {
		t.Fatalf("another user's multiget of my card: %d\n%s", r0.StatusCode, got)
	}
	if r := s.do(t, other, "PUT", path, card, "Content-Type", "text/vcard"); r.StatusCode != http.StatusCreated {
		t.Errorf("PUT to the href of another user's card: %d %s, want 201 (the other user's own card)", r.StatusCode, body(t, r))
	}
	if got, err := s.crm.Contacts.Store.Contact(t.Context(), me.ID, c.ID); err != nil || got.Name != "Ada Lovelace" {
		t.Fatalf("another user's request changed the card: %+v, %v", got, err)
	}
	objs, err := s.client(t, other).QueryAddressBook(t.Context(), dav.BookPath, &carddav.AddressBookQuery{})
	if err != nil || len(objs) != 1 || objs[0].Card.Value(vcard.FieldFormattedName) != "Mallory" {
		t.Fatalf("the other user sees %d cards, %v; want their own Mallory", len(objs), err)
	}
	if r := s.do(t, me, "GET", path, ""); r.StatusCode != http.StatusOK || !strings.Contains(body(t, r), "Ada Lovelace") {
		t.Fatalf("my card after the other user's PUT: %d", r.StatusCode)
	}

	wrong := &user{User: &accounts.User{Email: me.Email}, token: other.token}
	r := s.do(t, wrong, "PROPFIND", dav.PrincipalPath, "", "Depth", "0")
	if r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Header.Get("WWW-Authenticate"), `Basic realm="Rapport"`) {
		t.Fatalf("another user's token with my email: %d %q", r.StatusCode, r.Header.Get("WWW-Authenticate"))
	}
	if r := s.do(t, nil, "PROPFIND", dav.PrincipalPath, ""); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no credentials: %d", r.StatusCode)
	}

	r = s.do(t, me, "PUT", dav.BookPath+"new.vcf", "BEGIN:VCARD\r\nFN;broken\r\n", "Content-Type", "text/vcard")
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("a broken card: %d %s", r.StatusCode, body(t, r))
	}
	big := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big\r\nNOTE:" + strings.Repeat("x", dav.MaxCard) + "\r\nEND:VCARD\r\n"
	if r := s.do(t, me, "PUT", dav.BookPath+"big.vcf", big, "Content-Type", "text/vcard"); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a card over 1 MiB: %d", r.StatusCode)
	}
}

// TestCardKnownSince: a card a phone sends with Rapport's
// X-RAPPORT-KNOWN-SINCE (one of export.vcf's, saved to the phone and put
// back) makes a contact known since then, and the served card leaves it
// out; one that is no date, or in the future, is refused (4xx), nothing
// made.
func TestCardKnownSince(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	card := func(uid, since string) string {
		return "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:" + uid + "\r\nFN:Ada " + uid + "\r\nX-RAPPORT-KNOWN-SINCE:" + since + "\r\nEND:VCARD\r\n"
	}
	resp := s.do(t, u, "PUT", dav.BookPath+"ada-1.vcf", card("1", "2019-05-01T12:00:00Z"), "Content-Type", "text/vcard")
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("PUT: %d", resp.StatusCode)
	}
	c, err := s.crm.Contacts.Store.ContactByKey(t.Context(), u.ID, contacts.DAVKey("ada-1"))
	if err != nil || !c.KnownSince.Equal(time.Date(2019, 5, 1, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("the contact: %+v, %v", c, err)
	}
	resp = s.do(t, u, "GET", dav.BookPath+"ada-1.vcf", "")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(string(body), "KNOWN-SINCE") {
		t.Fatalf("GET: %d\n%s", resp.StatusCode, body)
	}
	for i, since := range []string{"someday", "2099-01-01"} {
		name := fmt.Sprint("bad-", i)
		resp := s.do(t, u, "PUT", dav.BookPath+name+".vcf", card(name, since), "Content-Type", "text/vcard")
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("known since %q: %d, want a 4xx", since, resp.StatusCode)
		}
		if _, err := s.crm.Contacts.Store.ContactByKey(t.Context(), u.ID, contacts.DAVKey(name)); err == nil {
			t.Errorf("known since %q: a contact was made", since)
		}
	}
}
