package dav_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/emersion/go-webdav/carddav"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/dav"
)

// TestMultigetAnswersAsGetDoes: an addressbook-multiget (read with a few
// set-based queries) answers each card exactly as a GET of it does — a
// card made in Rapport (with its "How we met" section and an intro), one
// a client made under its own name, one named by an id that is another
// contact's card name — and leaves out hrefs that are no card of the
// user's, another user's included.
func TestMultigetAnswersAsGetDoes(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	other := s.signup(t, "other@example.com")
	ctx := t.Context()
	ada := s.ada(t, u)
	grace, err := s.crm.CreateContact(ctx, u.User, contacts.Input{Name: "Grace Hopper", Emails: []string{"grace@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.crm.CreateIntro(ctx, u.User, contacts.IntroInput{ContactIDs: []string{ada.ID, grace.ID}, Context: "both into compilers"}); err != nil {
		t.Fatal(err)
	}
	card := "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:client-made\r\nFN:Alan Turing\r\nEMAIL:alan@example.com\r\nEND:VCARD\r\n"
	if r := s.do(t, u, "PUT", dav.BookPath+"alan-from-phone.vcf", card, "Content-Type", "text/vcard"); r.StatusCode != http.StatusCreated {
		t.Fatalf("PUT: %d %s", r.StatusCode, body(t, r))
	}
	theirs := s.ada(t, other)
	paths := []string{dav.BookPath + ada.ID + ".vcf", dav.BookPath + grace.ID + ".vcf", dav.BookPath + "alan-from-phone.vcf",
		dav.BookPath + "nobody.vcf", dav.BookPath + theirs.ID + ".vcf"}
	objs, err := s.client(t, u).MultiGetAddressBook(ctx, dav.BookPath, &carddav.AddressBookMultiGet{Paths: paths[:3],
		DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]carddav.AddressObject{}
	for _, o := range objs {
		got[o.Path] = o
	}
	if len(got) != 3 {
		t.Fatalf("multiget answered %d cards, want 3: %v", len(got), got)
	}
	report := `<?xml version="1.0"?><c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">` +
		`<d:prop><d:getetag/></d:prop><d:href>` + paths[0] + `</d:href><d:href>` + paths[3] + `</d:href><d:href>` + paths[4] + `</d:href></c:addressbook-multiget>`
	r := s.do(t, u, "REPORT", dav.BookPath, report, "Content-Type", "application/xml", "Depth", "1")
	ms := body(t, r)
	if r.StatusCode != http.StatusMultiStatus || strings.Count(ms, "HTTP/1.1 404 Not Found") != 2 || !strings.Contains(ms, "200 OK") {
		t.Fatalf("a multiget with two hrefs that are not the user's cards: %d\n%s", r.StatusCode, ms)
	}
	for _, p := range paths[:3] {
		o, ok := got[p]
		if !ok {
			t.Fatalf("no card for %s", p)
		}
		r := s.do(t, u, "GET", p, "")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", p, r.StatusCode)
		}
		if etag := r.Header.Get("ETag"); etag != `"`+o.ETag+`"` && etag != o.ETag {
			t.Errorf("%s: multiget ETag %q, GET %q", p, o.ETag, etag)
		}
		single, err := s.client(t, u).GetAddressObject(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := single.Card.Value("NOTE"), o.Card.Value("NOTE"); a != b {
			t.Errorf("%s: multiget NOTE\n%q\nGET\n%q", p, b, a)
		}
	}
}
