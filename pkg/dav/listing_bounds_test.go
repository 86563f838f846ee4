package dav_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/rapport-crm/rapport/pkg/contacts"
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
	if _, err := s.crm.Contacts.Import(ctx, u.ID, "csv", func(fn func(contacts.Row) error) error {
		for i := range n {
			in := contacts.Input{Name: fmt.Sprintf("Person %d", i), Emails: []string{fmt.Sprintf("p%d@example.org", i)}, Company: fmt.Sprintf("Company %d", i%50),
				Tags: []string{"kubernetes", "golang"}, Notes: "met at the meetup"}
			if err := fn(contacts.Row{Line: i + 2, Input: in}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	s.dav.ForgetListings()
	before := heap()
	objs, err := s.dav.ListCards(ctx, u.User)
	if err != nil || len(objs) != n {
		t.Fatalf("%d cards, %v", len(objs), err)
	}
	s.dav.ForgetListings() // only what the caller holds
	held := heap() - before
	data := 0
	for _, o := range objs {
		data += len(o.Data)
	}
	runtime.KeepAlive(objs)
	t.Logf("%d cards: %d bytes of data, %d bytes held (%.1f a card)", n, data, held, float64(held)/n)
	if float64(held) > 3*float64(data) {
		t.Fatalf("a listing of %d cards holds %d bytes, %.1f times their %d bytes of data", n, held, float64(held)/float64(data), data)
	}
}
