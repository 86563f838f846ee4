package dav_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/dav"
)

// TestListingMemory: a listing of the address book (what a PROPFIND or a
// first sync reads) holds each card's data, not the card parsed as well:
// the parsed cards made a listing of a 233,897-contact book take 1.5 GB,
// fifteen times its 100 MB of data, and sixteen PROPFINDs at once took
// the server to 21 GB.
func TestListingMemory(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ctx := t.Context()
	const n = 2000
	s.importContacts(t, u, n, func(i int) contacts.Input {
		return contacts.Input{Name: fmt.Sprintf("Person %d", i), Emails: []string{fmt.Sprintf("p%d@example.org", i)}, Company: fmt.Sprintf("Company %d", i%50),
			Tags: []string{"kubernetes", "golang"}, Notes: "met at the meetup"}
	})
	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	// What letting a listing go gives back, measured back to back. The
	// store's and the driver's own work goes on around the test, and what
	// earlier tests left behind may be freed between the two readings (it
	// made a listing seem to hold 3.5 times its data once in CI, 1.9 times
	// alone): a listing that seems to hold too much is measured again, and
	// the least of three is the listing's own.
	held, data := int64(math.MaxInt64), 0
	for try := 0; try < 3 && held > 3*int64(data); try++ {
		s.dav.ForgetListings()
		objs, err := s.dav.ListCards(ctx, u.User)
		if err != nil || len(objs) != n {
			t.Fatalf("%d cards, %v", len(objs), err)
		}
		s.dav.ForgetListings() // only what the caller holds
		data = 0
		for _, o := range objs {
			data += len(o.Data)
		}
		with := heap()
		runtime.KeepAlive(objs)
		objs = nil
		held = min(held, with-heap())
	}
	t.Logf("%d cards: %d bytes of data, %d bytes held (%.1f a card)", n, data, held, float64(held)/n)
	if held > 3*int64(data) {
		t.Fatalf("a listing of %d cards holds %d bytes, %.1f times their %d bytes of data", n, held, float64(held)/float64(data), data)
	}
}

// TestListingsTakeTurns: a user's listings of a whole collection (a
// PROPFIND of depth 1, a REPORT) run one at a time — the others wait
// their turn — while a PROPFIND of the collection alone, a card's GET and
// another user's listing go on.
func TestListingsTakeTurns(t *testing.T) {
	s := serve(t)
	u, other := s.signup(t, "me@example.com"), s.signup(t, "other@example.com")
	ada := s.ada(t, u)
	held, err := s.dav.Turns().Take(t.Context(), u.ID) // a listing being sent
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(held)
	propfind := `<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`
	answered := make(chan int, 2)
	go func() {
		r := s.do(t, u, "PROPFIND", dav.BookPath, propfind, "Depth", "1", "Content-Type", "application/xml")
		r.Body.Close()
		answered <- r.StatusCode
	}()
	go func() {
		r := s.do(t, u, "REPORT", dav.BookPath, `<?xml version="1.0"?><card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop></card:addressbook-query>`,
			"Depth", "1", "Content-Type", "application/xml")
		r.Body.Close()
		answered <- r.StatusCode
	}()
	for deadline := time.Now().Add(10 * time.Second); s.dav.Turns().Waiting(u.ID) != 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d in line, want the held turn and the two listings", s.dav.Turns().Waiting(u.ID))
		}
	}
	if got := s.listing(t, other); len(got) != 0 {
		t.Fatalf("another user's listing: %v", got)
	}
	for _, r := range []*http.Response{
		s.do(t, u, "PROPFIND", dav.BookPath, propfind, "Depth", "0", "Content-Type", "application/xml"),
		s.do(t, u, "GET", dav.BookPath+ada.ID+".vcf", ""),
	} {
		if r.Body.Close(); r.StatusCode != 207 && r.StatusCode != 200 {
			t.Fatalf("%s while a listing is sent: %d", r.Request.Method, r.StatusCode)
		}
	}
	select {
	case st := <-answered:
		t.Fatalf("a listing while another is sent: %d, at once", st)
	default:
	}
	held()
	for range 2 {
		if st := <-answered; st != 207 {
			t.Fatalf("a listing once the other ended: %d", st)
		}
	}
}

// TestRequestsTakeTurns: DAV runs a user's requests in the turns the API
// gives them (here all held by requests already running): a request
// waits for one, and is served once one is given back.
func TestRequestsTakeTurns(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	running := apptest.HoldTurns(t, s.dav.Requests, u.ID)
	answered := make(chan int, 1)
	go func() {
		r := s.do(t, u, "PROPFIND", dav.BookPath, `<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`,
			"Depth", "0", "Content-Type", "application/xml")
		r.Body.Close()
		answered <- r.StatusCode
	}()
	select {
	case st := <-answered:
		t.Fatalf("a request while the user's turns are all held: %d, at once", st)
	case <-time.After(200 * time.Millisecond):
	}
	running[0]()
	if st := <-answered; st != 207 {
		t.Fatalf("the request once a turn was given back: %d", st)
	}
}

// TestListingHeldUntilSent: a listing's turn lasts until its answer has
// been sent, not only built. The answer is built whole in memory and
// held until the client has read it, so a user whose clients read slowly
// held one answer per connection (sixteen of a 233,897-card book took
// the server to 4.2 GB); now the next listing waits until the client has
// read the one before, or gone.
func TestListingHeldUntilSent(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	// A photo of 13 KB on each card, 18 KB as base64 (kept in the card's
	// extra, which search does not index: 11 MB of notes took the race
	// detector 30 s to index): an answer of 11 MB, more than the sockets
	// hold.
	const n = 600
	photo := "BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b;TYPE=JPEG:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xff, 0xd8, 0xff}, 4500)) + "\r\nEND:VCARD\r\n"
	s.importCards(t, u, "vcard", n, func(i int) contacts.Row {
		return contacts.Row{Input: contacts.Input{Name: fmt.Sprintf("Person %d", i)}, CardExtra: photo}
	})
	// A client that reads slowly: a receive buffer of 4 KiB, set before
	// it connects, and the answer's body left unread.
	slow := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}).DialContext}}
	list := func() *http.Response {
		req, _ := http.NewRequest("REPORT", s.URL+dav.BookPath, strings.NewReader(`<?xml version="1.0"?><card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop></card:addressbook-query>`))
		req.SetBasicAuth(u.Email, u.token)
		req.Header.Set("Depth", "1")
		req.Header.Set("Content-Type", "application/xml")
		r, err := slow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if r.StatusCode != 207 {
			t.Fatalf("listing: %d", r.StatusCode)
		}
		return r
	}
	given := func(what string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); s.dav.Turns().Waiting(u.ID) != 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the listing's turn is still held once %s", what)
			}
		}
	}

	// Its headers arrive once the answer is built; the turn is still held.
	r := list()
	if got := s.dav.Turns().Waiting(u.ID); got != 1 {
		t.Fatalf("%d listings hold or wait for the turn while one is sent, want 1", got)
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil || strings.Count(string(b), ".vcf</") != n || strings.Count(string(b), "PHOTO;ENCODING=b;TYPE=JPEG:/9j//9j/") != n || len(b) < 10<<20 {
		t.Fatalf("the answer as sent: %d bytes, %d cards, %v", len(b), strings.Count(string(b), ".vcf</"), err)
	}
	given("the answer is read")

	// A client that goes away without reading gives the turn back too.
	r = list()
	if got := s.dav.Turns().Waiting(u.ID); got != 1 {
		t.Fatalf("%d listings hold or wait for the turn while one is sent, want 1", got)
	}
	r.Body.Close()
	slow.CloseIdleConnections()
	given("the client is gone")
}

// importContacts imports n contacts for u, the i-th as in(i) makes it.
func (s *server) importContacts(t *testing.T, u *user, n int, in func(i int) contacts.Input) {
	t.Helper()
	s.importCards(t, u, "csv", n, func(i int) contacts.Row { return contacts.Row{Input: in(i)} })
}

// importCards imports n contacts for u as an import of kind ("csv",
// "vcard"), the i-th as row(i) makes it (with what else its card holds).
func (s *server) importCards(t *testing.T, u *user, kind string, n int, row func(i int) contacts.Row) {
	t.Helper()
	if _, err := s.crm.Contacts.Import(t.Context(), u.ID, kind, func(fn func(contacts.Row) error) error {
		for i := range n {
			r := row(i)
			r.Line = i + 2
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
