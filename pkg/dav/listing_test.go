package dav_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-vcard"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/dav"
	"github.com/rapport-crm/rapport/pkg/enginetest"
)

// TestListingPatchedByTheJournal: after a listing, each kind of change a
// card sees — an edit, a new contact, a contact deleted, a card a client
// named deleted and made again under the same name, an encounter, an
// intro and the rename of the other side — and the next listing is the
// last one patched with the cards the journal names: every card of the
// book once, none that is gone, each with the ETag a GET gives now. On
// MongoDB no listing is kept (its tokens carry the time), so each is read
// whole, and must be the same.
func TestListingPatchedByTheJournal(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ctx := t.Context()
	ada := s.ada(t, u)
	ev := s.eventOf(t, u)
	made := func(name string) *contacts.Contact {
		t.Helper()
		c, err := s.crm.CreateContact(ctx, u.User, contacts.Input{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	grace, gone := made("Grace Hopper"), made("Gone Soon")
	cl := s.client(t, u)
	phone := dav.BookPath + "phone-1.vcf"
	card := func(fn string) vcard.Card {
		c := vcard.Card{}
		c.SetValue(vcard.FieldVersion, "3.0")
		c.SetValue(vcard.FieldUID, "phone-uid-"+fn)
		c.SetValue(vcard.FieldFormattedName, fn)
		c.SetValue(vcard.FieldName, fn+";;;;")
		return c
	}
	if _, err := cl.PutAddressObject(ctx, phone, card("Made On A Phone")); err != nil {
		t.Fatal(err)
	}
	patches := func() int { return s.dav.ListingPatches(u.ID) }
	kept := !enginetest.Mongo()
	s.listing(t, u)
	if n := patches(); kept && n != 0 {
		t.Fatalf("after a whole listing: %d patches", n)
	}

	if _, err := s.crm.UpdateContact(ctx, u.User, grace.ID, []byte(`{"title":"Rear Admiral"}`)); err != nil {
		t.Fatal(err)
	}
	linus := made("Linus Torvalds")
	if err := s.crm.DeleteContact(ctx, u.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	if r := s.do(t, u, "DELETE", phone, ""); r.StatusCode != 204 {
		t.Fatalf("DELETE %s: %d", phone, r.StatusCode)
	}
	if _, err := cl.PutAddressObject(ctx, phone, card("Made Again")); err != nil {
		t.Fatal(err)
	}
	s.meet(t, u, ev, linus.ID, linus.CreatedAt)
	s.introduce(t, u, ada.ID, grace.ID, linus.CreatedAt)
	if _, err := s.crm.UpdateContact(ctx, u.User, grace.ID, []byte(`{"name":"Grace B. Hopper"}`)); err != nil {
		t.Fatal(err)
	}

	listed := s.listing(t, u)
	if n := patches(); kept && n != 1 {
		t.Fatalf("the listing after the changes was patched %d times, want 1 (read whole instead?)", n)
	}
	var want []string
	if err := s.crm.Contacts.ForEach(ctx, u.ID, func(c *contacts.Contact) error {
		name := c.ID
		if c.DAVName != "" {
			name = c.DAVName
		}
		want = append(want, dav.BookPath+name+".vcf")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(want) {
		t.Errorf("%d cards listed, the book has %d: %v", len(listed), len(want), listed)
	}
	for _, p := range want {
		now, err := cl.GetAddressObject(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := listed[p]; got != strings.Trim(now.ETag, `"`) {
			t.Errorf("%s (%s): listed %q, GET gives %s", p, now.Card.PreferredValue("FN"), got, now.ETag)
		}
	}
	if _, ok := listed[dav.BookPath+gone.ID+".vcf"]; ok {
		t.Error("the deleted contact is listed")
	}
	// Unchanged since: the patched listing answers as it is.
	if again := s.listing(t, u); len(again) != len(listed) || kept && patches() != 1 {
		t.Fatalf("listed again: %d cards, %d patches", len(again), patches())
	}
}

// TestListingsWhileWriting: listings run while contacts are written; once
// the writes stop, the listing (patched or read whole) has every card with
// the ETag a GET gives. Under -race it also checks that listings share
// nothing they write.
func TestListingsWhileWriting(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ctx := t.Context()
	var ids []string
	for i := range 20 {
		c, err := s.crm.CreateContact(ctx, u.User, contacts.Input{Name: fmt.Sprint("Person ", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	// PROPFINDs of the book, two at a time, until the writes stop (errors,
	// not failures: t.Fatal belongs to the test's goroutine).
	list := func() error {
		req, _ := http.NewRequest("PROPFIND", s.URL+dav.BookPath, strings.NewReader(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`))
		req.SetBasicAuth(u.Email, u.token)
		req.Header.Set("Depth", "1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusMultiStatus {
			return fmt.Errorf("PROPFIND: %d", resp.StatusCode)
		}
		return nil
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if err := list(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 40 {
		if i%4 == 3 {
			if err := s.crm.DeleteContact(ctx, u.ID, ids[i/4]); err != nil {
				t.Error(err)
			}
			continue
		}
		if _, err := s.crm.UpdateContact(ctx, u.User, ids[10+i%10], []byte(fmt.Sprintf(`{"title":"Step %d"}`, i))); err != nil {
			t.Error(err)
		}
		if _, err := s.crm.CreateContact(ctx, u.User, contacts.Input{Name: fmt.Sprint("New ", i)}); err != nil {
			t.Error(err)
		}
	}
	close(done)
	wg.Wait()
	listed := s.listing(t, u)
	cl := s.client(t, u)
	n := 0
	if err := s.crm.Contacts.ForEach(ctx, u.ID, func(c *contacts.Contact) error {
		n++
		p := dav.BookPath + c.ID + ".vcf"
		now, err := cl.GetAddressObject(ctx, p)
		if err != nil {
			return err
		}
		if got := listed[p]; got != strings.Trim(now.ETag, `"`) {
			t.Errorf("%s (%s): listed %q, GET gives %s", p, c.Name, got, now.ETag)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(listed) != n {
		t.Errorf("%d cards listed, the book has %d", len(listed), n)
	}
}
