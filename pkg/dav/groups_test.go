package dav_test

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav/carddav"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/dav"
	"github.com/rapport-crm/rapport/pkg/record"
)

// macGroup is a group as macOS Contacts writes it into a CardDAV account:
// a card of its own with a member line per contact in it.
const macGroup = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//macOS 15.1//EN\r\nN:Berlin Go;;;;\r\nFN:Berlin Go\r\n" +
	"X-ADDRESSBOOKSERVER-KIND:group\r\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:5B0C1D2E-0000-4000-8000-000000000001\r\n" +
	"X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:5B0C1D2E-0000-4000-8000-000000000002\r\nUID:0A6F9C1B-group\r\nEND:VCARD\r\n"

// davx5Group is a group as vCard 4.0 writes it (DAVx5's default).
const davx5Group = "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:Speakers\r\nMEMBER:urn:uuid:7d3c5a10-0000-4000-8000-000000000003\r\n" +
	"UID:5f0e-davx5-group\r\nEND:VCARD\r\n"

// settleJournal waits out MongoDB's journal slack (its tokens carry the
// time: a sync from a token made within two seconds of a write sees it
// again).
func settleJournal() {
	if os.Getenv("RAPPORT_TEST_ENGINE") == "mongodb" {
		time.Sleep(2100 * time.Millisecond)
	}
}

// TestGroupCardKeptApart: a group an app keeps as a card of its own —
// macOS Contacts' and vCard 4.0's — is kept as it was sent and served back
// octet for octet (GET, the listing, sync-collection), and is no contact:
// it made one, named after the group, on the desk and in every count.
// It is replaced under If-Match and deleted like any card; a person's card
// cannot take its name, nor a group's a person's.
func TestGroupCardKeptApart(t *testing.T) {
	t.Parallel() // it waits out MongoDB's journal window: beside the others that do
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ada := s.ada(t, u)
	cl := s.client(t, u)
	ctx := t.Context()
	settleJournal()
	before, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{})
	if err != nil {
		t.Fatal(err)
	}
	listed, changes := putTwoGroups(t, s, u, ada, cl, before.SyncToken)

	t.Run("Replaced", func(t *testing.T) {
		href := dav.BookPath + "mac-group.vcf"
		renamed := strings.ReplaceAll(macGroup, "Berlin Go", "Berlin Gophers")
		if r := s.do(t, u, "PUT", href, renamed, "Content-Type", "text/vcard", "If-Match", `"stale"`); r.StatusCode != http.StatusPreconditionFailed {
			t.Fatalf("PUT with a stale ETag: %d, want 412", r.StatusCode)
		}
		if r := s.do(t, u, "PUT", href, renamed, "Content-Type", "text/vcard", "If-Match", `"`+listed[href]+`"`); r.StatusCode != http.StatusNoContent {
			t.Fatalf("PUT with the listed ETag: %d, want 204", r.StatusCode)
		}
		if got := body(t, s.do(t, u, "GET", href, "")); got != renamed {
			t.Fatalf("after the rename:\n%s", got)
		}
	})
	t.Run("ErrPersonAndGroupShareNoName", func(t *testing.T) {
		person := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEND:VCARD\r\n"
		if r := s.do(t, u, "PUT", dav.BookPath+"davx5-group.vcf", person, "Content-Type", "text/vcard"); r.StatusCode != http.StatusConflict {
			t.Fatalf("a person's card over a group's: %d, want 409", r.StatusCode)
		}
		if r := s.do(t, u, "PUT", dav.BookPath+ada.ID+".vcf", davx5Group, "Content-Type", "text/vcard"); r.StatusCode != http.StatusConflict {
			t.Fatalf("a group's card over Ada's: %d, want 409", r.StatusCode)
		}
		if _, err := s.crm.Contacts.Store.Contact(ctx, u.ID, ada.ID); err != nil {
			t.Fatalf("Ada after a group's card was sent to her href: %v", err)
		}
	})
	t.Run("OthersSeeNone", func(t *testing.T) {
		other := s.signup(t, "other@example.com")
		if r := s.do(t, other, "GET", dav.BookPath+"davx5-group.vcf", ""); r.StatusCode != http.StatusNotFound {
			t.Fatalf("another user's GET of my group: %d, want 404", r.StatusCode)
		}
		if r := s.do(t, other, "DELETE", dav.BookPath+"davx5-group.vcf", ""); r.StatusCode != http.StatusNotFound {
			t.Fatalf("another user's DELETE of my group: %d, want 404", r.StatusCode)
		}
		if listed := s.listing(t, other); len(listed) != 0 {
			t.Fatalf("another user's book lists %v", listed)
		}
	})
	t.Run("Deleted", func(t *testing.T) {
		if r := s.do(t, u, "DELETE", dav.BookPath+"davx5-group.vcf", ""); r.StatusCode/100 != 2 {
			t.Fatalf("DELETE: %d", r.StatusCode)
		}
		if r := s.do(t, u, "GET", dav.BookPath+"davx5-group.vcf", ""); r.StatusCode != http.StatusNotFound {
			t.Fatalf("GET after DELETE: %d", r.StatusCode)
		}
		settleJournal()
		after, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: changes.SyncToken})
		if err != nil || len(after.Deleted) != 1 || after.Deleted[0] != dav.BookPath+"davx5-group.vcf" {
			t.Fatalf("sync after the delete: %+v, %v", after, err)
		}
	})
}

// putTwoGroups sends macOS's and DAVx5's groups as new cards, checks each
// is served as sent and that Ada stays the only contact, and that the
// listing, a sync from token and a multiget have them; it returns the
// listing's ETags and the sync.
func putTwoGroups(t *testing.T, s *server, u *user, ada *contacts.Contact, cl *carddav.Client, token string) (map[string]string, *carddav.SyncResponse) {
	t.Helper()
	ctx := t.Context()
	for _, g := range []struct{ name, card string }{{"mac-group", macGroup}, {"davx5-group", davx5Group}} {
		href := dav.BookPath + g.name + ".vcf"
		r := s.do(t, u, "PUT", href, g.card, "Content-Type", "text/vcard", "If-None-Match", "*")
		if r.StatusCode != http.StatusCreated || r.Header.Get("ETag") == "" {
			t.Fatalf("PUT of %s: %d, ETag %q (a card kept as sent gets its ETag)", g.name, r.StatusCode, r.Header.Get("ETag"))
		}
		r = s.do(t, u, "GET", href, "")
		if got := body(t, r); got != g.card {
			t.Fatalf("GET of %s:\n%s\nwant it as sent:\n%s", g.name, got, g.card)
		}
	}
	page, err := s.crm.Contacts.Store.Contacts(ctx, u.ID, contacts.Filter{Limit: 10})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != ada.ID {
		t.Fatalf("the contacts after two groups: %+v, %v (want Ada alone)", page.Items, err)
	}
	listed := s.listing(t, u)
	if len(listed) != 3 || listed[dav.BookPath+"mac-group.vcf"] == "" || listed[dav.BookPath+"davx5-group.vcf"] == "" {
		t.Fatalf("the listing: %v", listed)
	}
	settleJournal()
	changes, err := cl.SyncCollection(ctx, dav.BookPath, &carddav.SyncQuery{SyncToken: token, DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err != nil || len(changes.Updated) != 2 || changes.Updated[0].Path == changes.Updated[1].Path ||
		!strings.HasSuffix(changes.Updated[0].Path, "-group.vcf") || !strings.HasSuffix(changes.Updated[1].Path, "-group.vcf") {
		t.Fatalf("sync after two groups: %+v, %v", changes, err)
	}
	got, err := cl.MultiGetAddressBook(ctx, dav.BookPath, &carddav.AddressBookMultiGet{Paths: []string{dav.BookPath + "mac-group.vcf", dav.BookPath + ada.ID + ".vcf"},
		DataRequest: carddav.AddressDataRequest{AllProp: true}})
	if err != nil || len(got) != 2 {
		t.Fatalf("multiget of a group and a contact: %d, %v", len(got), err)
	}
	return listed, changes
}

// TestGroupMadeAContactBecomesAGroup: a group kept as a contact before
// groups were kept apart becomes a group card when the app sends it
// again — unless something was written of that contact since (an
// encounter): then it stays, and the PUT is refused.
func TestGroupMadeAContactBecomesAGroup(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ctx := t.Context()
	asContact := func(name string) *contacts.Contact {
		card, err := vcard.NewDecoder(strings.NewReader(macGroup)).Decode()
		if err != nil {
			t.Fatal(err)
		}
		in, err := codec.InputFromCard(card)
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.crm.CreateContactWith(ctx, u.User, in, contacts.CreateOpts{DAVName: name, CardUID: "0A6F9C1B-group", CardExtra: codec.CardExtra(card, in)})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	old := asContact("old-group")
	href := dav.BookPath + "old-group.vcf"
	if r := s.do(t, u, "PUT", href, macGroup, "Content-Type", "text/vcard", "If-Match", `"`+s.listing(t, u)[href]+`"`); r.StatusCode != http.StatusNoContent {
		t.Fatalf("the group's card sent again: %d, want 204", r.StatusCode)
	}
	if _, err := s.crm.Contacts.Store.Contact(ctx, u.ID, old.ID); err == nil {
		t.Fatal("the contact the group was is still there")
	}
	if got := body(t, s.do(t, u, "GET", href, "")); got != macGroup {
		t.Fatalf("the group's card:\n%s", got)
	}

	met := asContact("met-group")
	s.ada(t, u) // and an event
	s.meet(t, u, s.eventOf(t, u), met.ID, time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC))
	if r := s.do(t, u, "PUT", dav.BookPath+"met-group.vcf", macGroup, "Content-Type", "text/vcard"); r.StatusCode != http.StatusConflict {
		t.Fatalf("a group-contact with an encounter: %d, want 409", r.StatusCode)
	}
	if _, err := s.crm.Contacts.Store.Contact(ctx, u.ID, met.ID); err != nil {
		t.Fatalf("the contact met at an event: %v", err)
	}
}

// TestVdirsyncerSyncsAGroup: a group card in vdirsyncer's folder (as
// macOS would keep it) reaches Rapport as a group, not a contact, and the
// next syncs, both ways, change nothing: what the server serves back is
// what the folder holds.
func TestVdirsyncerSyncsAGroup(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	phone := newVdirsyncer(t, s, u)
	phone.run("sync")
	if err := os.WriteFile(filepath.Join(phone.local, "0A6F9C1B-group.vcf"), []byte(macGroup), 0o600); err != nil {
		t.Fatal(err)
	}
	phone.run("sync")
	page, err := s.crm.Contacts.Store.Contacts(t.Context(), u.ID, contacts.Filter{Limit: 10})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("contacts after the group synced: %d, %v (want Ada alone)", len(page.Items), err)
	}
	groups, err := s.crm.Contacts.Store.CardGroups(t.Context(), u.ID)
	if err != nil || len(groups) != 1 || groups[0].Name != "Berlin Go" || groups[0].Card != macGroup {
		t.Fatalf("the groups kept: %+v, %v", groups, err)
	}
	before := phone.files()
	settleJournal()
	if out, err := phone.try("sync"); err != nil || strings.Contains(out, "Copying") || strings.Contains(out, "Updating") {
		t.Fatalf("the sync after: %v\n%s", err, out)
	}
	if after := phone.files(); len(after) != len(before) || after["0A6F9C1B-group.vcf"] != macGroup {
		t.Fatalf("the folder after another sync: %d files, the group's:\n%s", len(after), after["0A6F9C1B-group.vcf"])
	}
}

// TestRestoredBookKeepsItsCards: an account's backup restored into
// another keeps every card where a phone knew it — Rapport's own cards
// under their old ids, a phone's under the name and UID it gave them —
// and the phone's group with its members. A restore gave each contact a
// new id, so every card moved (a phone dropped and fetched them all) and
// a group's member lines named cards that were no longer there.
func TestRestoredBookKeepsItsCards(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ada := s.ada(t, u)
	grace := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEMAIL:grace@example.com\r\nUID:5B0C1D2E-0000-4000-8000-000000000001\r\nEND:VCARD\r\n"
	if r := s.do(t, u, "PUT", dav.BookPath+"grace-phone.vcf", grace, "Content-Type", "text/vcard"); r.StatusCode != http.StatusCreated {
		t.Fatalf("PUT of Grace: %d", r.StatusCode)
	}
	if r := s.do(t, u, "PUT", dav.BookPath+"mac-group.vcf", macGroup, "Content-Type", "text/vcard"); r.StatusCode != http.StatusCreated {
		t.Fatalf("PUT of the group: %d", r.StatusCode)
	}
	uids := func(u *user) map[string]string { // href → UID, or the group's card
		out := map[string]string{}
		for href := range s.listing(t, u) {
			got := body(t, s.do(t, u, "GET", href, ""))
			if strings.Contains(got, "X-ADDRESSBOOKSERVER-KIND:group") {
				out[href] = got
				continue
			}
			for _, line := range strings.Split(got, "\r\n") {
				if uid, ok := strings.CutPrefix(line, "UID:"); ok {
					out[href] = uid
				}
			}
		}
		return out
	}
	before := uids(u)
	if len(before) != 3 || before[dav.BookPath+ada.ID+".vcf"] != ada.ID || before[dav.BookPath+"grace-phone.vcf"] != "5B0C1D2E-0000-4000-8000-000000000001" {
		t.Fatalf("the book before: %v", before)
	}

	var doc bytes.Buffer
	if err := backup.Export(t.Context(), s.crm, u.User, &doc); err != nil {
		t.Fatal(err)
	}
	other := s.signup(t, "restored@example.com")
	res, err := backup.Import(t.Context(), s.crm, s.acc, s.holds, other.User, &doc)
	if err != nil || res.Restored["card_groups"] != 1 || res.Restored["contacts"] != 2 {
		t.Fatalf("restore: %+v, %v", res, err)
	}
	if after := uids(other); !maps.Equal(after, before) {
		t.Fatalf("the book restored:\n%v\nwant\n%v", after, before)
	}
	if page, err := s.crm.Contacts.Store.Contacts(t.Context(), other.ID, contacts.Filter{Limit: 10}); err != nil || len(page.Items) != 2 || page.Items[0].ID == ada.ID {
		t.Fatalf("the restored contacts: %+v, %v (new ids)", page, err)
	}
}

// TestGroupCardsBounded: an address book keeps at most 1,000 group cards,
// of at most 16 MiB together (a listing and the desk read them all at
// once): one more, or one that would pass the bytes, is 507 and stores
// nothing; a group made smaller makes room again.
func TestGroupCardsBounded(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	group := func(name string, size int) string {
		var card strings.Builder
		card.WriteString("BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:" + name + "\r\nUID:" + name + "\r\n")
		for i := 0; card.Len() < size-len("END:VCARD\r\n")-60; i++ {
			fmt.Fprintf(&card, "MEMBER:urn:uuid:%08d-0000-4000-8000-000000000000\r\n", i)
		}
		return card.String() + "END:VCARD\r\n"
	}
	put := func(name string, size int) int {
		r := s.do(t, u, "PUT", dav.BookPath+name+".vcf", group(name, size), "Content-Type", "text/vcard")
		r.Body.Close()
		return r.StatusCode
	}
	// Sixteen of just under 1 MB: 16,000,000 bytes, under 16 MiB. The
	// first fifteen are stored at once, as a restore does (each PUT reads
	// what the others hold: on FerretDB, which decodes every document of
	// the collection for it, 16 PUTs of them took 10 s); the last is sent.
	var big []*contacts.CardGroup
	for i := range 15 {
		name := fmt.Sprintf("big-%02d", i)
		big = append(big, &contacts.CardGroup{ID: record.NewID(), UserID: u.ID, DAVName: name, Name: name, Card: group(name, 1_000_000), UpdatedAt: time.Now()})
	}
	if err := s.crm.Contacts.Store.CardGroupArchive().Restore(t.Context(), big); err != nil {
		t.Fatal(err)
	}
	if st := put("big-15", 1_000_000); st != http.StatusCreated {
		t.Fatalf("the 16th group: %d", st)
	}
	if st := put("extra", 760_000); st != http.StatusCreated { // 16,760,000 bytes
		t.Fatalf("the 17th, under 16 MiB: %d", st)
	}
	if st := put("one-too-many", 1_000_000); st != http.StatusInsufficientStorage {
		t.Fatalf("past 16 MiB: %d, want 507", st)
	}
	if st := put("big-00", 1_040_000); st != http.StatusInsufficientStorage {
		t.Fatalf("a group grown past 16 MiB: %d, want 507", st)
	}
	if st := put("big-00", 2_000); st != http.StatusNoContent {
		t.Fatalf("a group made smaller: %d", st)
	}
	if st := put("one-too-many", 1_000_000); st != http.StatusCreated {
		t.Fatalf("after one was made smaller: %d, want 201", st)
	}
	if _, err := s.crm.Contacts.Store.CardGroup(t.Context(), u.ID, "one-too-many"); err != nil {
		t.Fatal(err)
	}

	// A thousand small ones (stored at once, as a restore does): the next
	// is 507.
	other := s.signup(t, "other@example.com")
	var thousand []*contacts.CardGroup
	for i := range contacts.MaxCardGroups {
		name := fmt.Sprintf("g-%04d", i)
		thousand = append(thousand, &contacts.CardGroup{ID: record.NewID(), UserID: other.ID, DAVName: name, Name: name, Card: group(name, 200), UpdatedAt: time.Now()})
	}
	if err := s.crm.Contacts.Store.CardGroupArchive().Restore(t.Context(), thousand); err != nil {
		t.Fatal(err)
	}
	r := s.do(t, other, "PUT", dav.BookPath+"g-1000.vcf", group("g-1000", 200), "Content-Type", "text/vcard")
	r.Body.Close()
	if r.StatusCode != http.StatusInsufficientStorage {
		t.Fatalf("the 1,001st group: %d, want 507", r.StatusCode)
	}
	if _, err := s.crm.Contacts.Store.CardGroup(t.Context(), other.ID, "g-1000"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a refused group stored: %v", err)
	}
}

// macCompany is a company's card as macOS Contacts writes it (a new card
// with "Company" ticked): no person's name, the company's in FN and ORG,
// and X-ABShowAs:COMPANY, which has the app show it as a company.
const macCompany = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//macOS 14.0//EN\r\nN:;;;;\r\nFN:Acme Corp\r\nORG:Acme Corp;\r\n" +
	"X-ABShowAs:COMPANY\r\nitem1.URL;type=pref:https://acme.example\r\nitem1.X-ABLabel:_$!<HomePage>!$_\r\nUID:ACME-1234\r\nX-ABUID:ACME-1234:ABPerson\r\nEND:VCARD\r\n"

// TestCompanyCardKeepsItsForm: a company's card from macOS Contacts is a
// contact named after the company and at it (what docs/apps.md says),
// and the card is served back a company's still, after the app's edit too.
func TestCompanyCardKeepsItsForm(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	path := dav.BookPath + "ACME-1234.vcf"
	if r := s.do(t, u, "PUT", path, macCompany, "Content-Type", "text/vcard"); r.StatusCode != http.StatusCreated {
		t.Fatalf("PUT a company's card: %d %s", r.StatusCode, body(t, r))
	}
	page, err := s.crm.Contacts.Store.Contacts(t.Context(), u.ID, contacts.Filter{Limit: 10})
	if err != nil || len(page.Items) != 1 || page.Items[0].Name != "Acme Corp" || page.Items[0].Company != "Acme Corp" || page.Items[0].CompanyID == "" {
		t.Fatalf("the company's card in Rapport: %+v, %v", page.Items, err)
	}
	served := func() (string, string) {
		r := s.do(t, u, "GET", path, "")
		return body(t, r), r.Header.Get("ETag")
	}
	card, etag := served()
	for _, want := range []string{"X-ABSHOWAS:COMPANY", "ORG:Acme Corp;", "N:;;;;", "item1.X-ABLABEL:_$!<HomePage>!$_", "UID:ACME-1234"} {
		if !strings.Contains(card, want) {
			t.Fatalf("served without %q:\n%s", want, card)
		}
	}
	// The app sends it back with a phone added, as it sends any edit: the
	// whole card, its own spelling of the names.
	edited := strings.Replace(macCompany, "END:VCARD", "TEL;type=WORK;type=VOICE:+49 30 1234\r\nEND:VCARD", 1)
	if r := s.do(t, u, "PUT", path, edited, "Content-Type", "text/vcard", "If-Match", etag); r.StatusCode != http.StatusNoContent {
		t.Fatalf("the app's edit: %d %s", r.StatusCode, body(t, r))
	}
	if card, _ = served(); !strings.Contains(card, "X-ABSHOWAS:COMPANY") || !strings.Contains(card, "+49 30 1234") {
		t.Fatalf("after the app's edit:\n%s", card)
	}
	if ct, err := s.crm.Contacts.Store.Contact(t.Context(), u.ID, page.Items[0].ID); err != nil || ct.Name != "Acme Corp" || len(ct.Phones) != 1 {
		t.Fatalf("after the app's edit: %+v, %v", ct, err)
	}
}
