package dav_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-webdav/carddav"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/dav"
	"github.com/rapport-crm/rapport/pkg/record"
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

// TestMultigetAfterAListing: a first sync lists the book, then asks for
// its cards; the cards it gets are the cards as they are when it asks —
// after an edit, a new intro, a change of time zone — and the listing of
// one user's book never answers another's (their card paths are alike).
func TestMultigetAfterAListing(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	other := s.signup(t, "other@example.com")
	ctx := t.Context()
	ada := s.ada(t, u)
	grace, err := s.crm.CreateContact(ctx, u.User, contacts.Input{Name: "Grace Hopper"})
	if err != nil {
		t.Fatal(err)
	}
	adaPath, gracePath := dav.BookPath+ada.ID+".vcf", dav.BookPath+grace.ID+".vcf"
	cl := s.client(t, u)
	list := func() { s.listedETag(t, u, ada.ID) }
	multiget := func(c *carddav.Client, paths ...string) map[string]carddav.AddressObject {
		t.Helper()
		objs, err := c.MultiGetAddressBook(ctx, dav.BookPath, &carddav.AddressBookMultiGet{Paths: paths, DataRequest: carddav.AddressDataRequest{AllProp: true}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]carddav.AddressObject{}
		for _, o := range objs {
			got[o.Path] = o
		}
		return got
	}
	// As GET answers it now.
	same := func(p string, o carddav.AddressObject) {
		t.Helper()
		now, err := cl.GetAddressObject(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if o.ETag != now.ETag || o.Card.PreferredValue("FN") != now.Card.PreferredValue("FN") || o.Card.PreferredValue("NOTE") != now.Card.PreferredValue("NOTE") {
			t.Fatalf("%s: the multiget gave %s %q, GET gives %s %q", p, o.ETag, o.Card.PreferredValue("FN"), now.ETag, now.Card.PreferredValue("FN"))
		}
	}

	// Another user with a book made the same way (their journal's token is
	// the same number): their multiget of my card paths finds no card of
	// mine in my listing.
	s.ada(t, other)
	if _, err := s.crm.CreateContact(ctx, other.User, contacts.Input{Name: "Grace Hopper"}); err != nil {
		t.Fatal(err)
	}
	list()
	r := s.do(t, other, "REPORT", dav.BookPath, `<?xml version="1.0"?><c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">`+
		`<d:prop><d:getetag/><c:address-data/></d:prop><d:href>`+adaPath+`</d:href><d:href>`+gracePath+`</d:href></c:addressbook-multiget>`,
		"Content-Type", "application/xml", "Depth", "1")
	if ms := body(t, r); strings.Count(ms, "HTTP/1.1 404 Not Found") != 2 || strings.Contains(ms, "200 OK") {
		t.Fatalf("another user's multiget of my paths: %d\n%s", r.StatusCode, ms)
	}

	first := multiget(cl, adaPath, gracePath)
	same(adaPath, first[adaPath])
	same(gracePath, first[gracePath])

	list()
	if _, err := s.crm.UpdateContact(ctx, u.User, ada.ID, []byte(`{"name":"Ada King"}`)); err != nil {
		t.Fatal(err)
	}
	if got := multiget(cl, adaPath)[adaPath]; got.Card.PreferredValue("FN") != "Ada King" {
		t.Fatalf("after a rename the multiget gave %q", got.Card.PreferredValue("FN"))
	}

	list()
	if _, err := s.crm.CreateIntro(ctx, u.User, contacts.IntroInput{ContactIDs: []string{ada.ID, grace.ID}}); err != nil {
		t.Fatal(err)
	}
	got := multiget(cl, adaPath, gracePath)
	same(adaPath, got[adaPath])
	same(gracePath, got[gracePath])
	if !strings.Contains(got[gracePath].Card.PreferredValue("NOTE"), "Introduced to Ada King") {
		t.Fatalf("after an intro Grace's card says %q", got[gracePath].Card.PreferredValue("NOTE"))
	}

	// Ada was met at 19:30 UTC on 2026-11-24: the 25th in Tokyo.
	list()
	if _, err := s.acc.UpdateSettings(ctx, u.ID, []byte(`{"timezone":"Asia/Tokyo"}`)); err != nil {
		t.Fatal(err)
	}
	note := multiget(cl, adaPath)[adaPath].Card.PreferredValue("NOTE")
	if !strings.Contains(note, "2026-11-25") {
		t.Fatalf("after moving to Tokyo Ada's card says %q", note)
	}
}

// TestCardOfSomeoneMetOften: a card shows the first 200 encounters, and
// its intros in the order they were made, however it is read — alone, in
// a multiget, in the whole book's listing — so its ETag is the same in all
// three.
func TestCardOfSomeoneMetOften(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ctx := t.Context()
	ada := s.ada(t, u)
	ev := s.eventOf(t, u)
	for i := range 200 {
		at := time.Date(2026, 11, 25, 0, 200-i, 0, 0, time.UTC)
		s.meet(t, u, ev, ada.ID, at)
	}
	// A book of more than a thousand cards is listed from all of the
	// user's encounters at once.
	others := make([]*contacts.Contact, 1000)
	for i := range others {
		others[i] = &contacts.Contact{ID: record.NewID(), UserID: u.ID, Name: fmt.Sprint("Person ", i), CreatedAt: ada.CreatedAt, UpdatedAt: ada.CreatedAt}
	}
	if _, err := s.crm.Contacts.Store.ImportContacts(ctx, others); err != nil {
		t.Fatal(err)
	}
	// Two intros whose ids run against their times (as a restore makes
	// them): the card lists them by time, however they were read.
	for i, id := range []string{"b-intro", "a-intro"} {
		at := ada.CreatedAt.Add(time.Duration(i) * time.Hour)
		if err := s.crm.Contacts.Store.CreateIntro(ctx, &contacts.Intro{ID: id, UserID: u.ID, ContactIDs: []string{ada.ID, others[i].ID},
			Status: contacts.IntroMade, CreatedAt: at, UpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	adaPath := dav.BookPath + ada.ID + ".vcf"
	cl := s.client(t, u)
	alone, err := cl.GetAddressObject(ctx, adaPath)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := cl.MultiGetAddressBook(ctx, dav.BookPath, &carddav.AddressBookMultiGet{Paths: []string{adaPath}, DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err != nil || len(objs) != 1 {
		t.Fatalf("multiget: %v, %v", objs, err)
	}
	listed := s.listedETag(t, u, ada.ID)
	if a, g := strings.Trim(alone.ETag, `"`), strings.Trim(objs[0].ETag, `"`); a != g || a != listed {
		t.Fatalf("Ada's ETag alone %s, in a multiget %s, listed %s", a, g, listed)
	}
}

// TestListingWrittenInParts: a book written on several cores at once (more
// than twice the share of a core, made small) lists every card
// once, each with the ETag a GET of it gives — at the ends of the shares,
// and cards whose encounters and intros are read with the whole book's.
func TestListingWrittenInParts(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ctx := t.Context()
	ada := s.ada(t, u) // listed first, by name
	ev := s.eventOf(t, u)
	// A core's share of a small book, so that the book is written in
	// several parts whatever the cores (the race detector makes each card
	// costly).
	dav.SetMinShare(t, 20)
	const n = 99
	others := make([]*contacts.Contact, n)
	for i := range others {
		others[i] = &contacts.Contact{ID: record.NewID(), UserID: u.ID, Name: fmt.Sprintf("Person %04d", i), CreatedAt: ada.CreatedAt, UpdatedAt: ada.CreatedAt}
	}
	if _, err := s.crm.Contacts.Store.ImportContacts(ctx, others); err != nil {
		t.Fatal(err)
	}
	last := others[n-1]
	s.meet(t, u, ev, last.ID, ada.CreatedAt)
	s.introduce(t, u, ada.ID, last.ID, ada.CreatedAt)
	listed := s.listing(t, u)
	if len(listed) != n+1 {
		t.Fatalf("%d cards listed, want %d", len(listed), n+1)
	}
	cl := s.client(t, u)
	for _, c := range []*contacts.Contact{ada, others[0], others[n/2-2], others[n/2-1], others[n/2], others[n/2+1], last} {
		alone, err := cl.GetAddressObject(ctx, dav.BookPath+c.ID+".vcf")
		if err != nil {
			t.Fatal(err)
		}
		if a, l := strings.Trim(alone.ETag, `"`), listed[dav.BookPath+c.ID+".vcf"]; a != l {
			t.Errorf("%s: ETag alone %s, listed %s", c.Name, a, l)
		}
	}
}
