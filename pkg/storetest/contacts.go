package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// OpenContacts opens a fresh, empty contacts store for one test.
type OpenContacts func(tb testing.TB) contacts.Store

var clock = time.Date(2026, 11, 24, 18, 30, 0, 0, time.UTC)

var idSeq atomic.Int64

// nextID returns a new id in the form of the store's ids.
func nextID() string { return fmt.Sprintf("%024x", idSeq.Add(1)) }

// newContact returns a contact of userID with a fresh id.
func newContact(userID, name string, emails ...string) *contacts.Contact {
	if emails == nil {
		emails = []string{} // as the rules make it: a stored list is never null
	}
	return &contacts.Contact{ID: nextID(), UserID: userID, Name: name, Emails: emails,
		Phones: []string{}, Tags: []string{}, KnownSince: clock, CreatedAt: clock, UpdatedAt: clock}
}

// MustCreateContact stores a contact or fails the test.
func MustCreateContact(tb testing.TB, s contacts.Store, c *contacts.Contact) *contacts.Contact {
	tb.Helper()
	if err := s.CreateContact(context.Background(), c); err != nil {
		tb.Fatalf("CreateContact(%s): %v", c.Name, err)
	}
	return c
}

func wantKind(tb testing.TB, err error, kind apperr.Kind) *apperr.Error {
	tb.Helper()
	if apperr.KindOf(err) != kind || err == nil {
		tb.Fatalf("err=%v, want kind %s", err, kind)
	}
	ae, _ := err.(*apperr.Error)
	return ae
}

// Contacts runs the contacts.Store contract against open.
func Contacts(t *testing.T, open OpenContacts) {
	ctx := context.Background()
	t.Run("CreateGet", func(t *testing.T) {
		s := open(t)
		last := clock.Add(-time.Hour)
		c := newContact("u1", "Ada Lovelace", "ada@example.com", "ada@engines.example")
		c.Phones, c.Company, c.Title, c.Notes, c.CadenceDays = []string{"+44 1"}, "Engines", "Countess", "Likes: poetry\nand maths", 30
		c.LinkedInURL, c.Tags, c.LastContactedAt = "https://www.linkedin.com/in/ada", []string{"Speaker", "math"}, &last
		c.DAVName, c.CardUID = "ada-card", "ada-uid-1"
		c.CardExtra = "BEGIN:VCARD\r\nVERSION:3.0\r\nADR;TYPE=home:;;12 St James's Sq;London;;SW1Y 4JH;UK\r\nBDAY:1815-12-10\r\nEND:VCARD\r\n"
		MustCreateContact(t, s, c)
		got, err := s.Contact(ctx, "u1", c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(*got) != fmt.Sprint(*c) {
			t.Fatalf("read back\n%+v\nwant\n%+v", *got, *c)
		}
		wantKind(t, errOf(s.Contact(ctx, "u2", c.ID)), apperr.NotFound)
		wantKind(t, errOf(s.Contact(ctx, "u1", "nope")), apperr.NotFound)
	})
	t.Run("ErrDuplicateKey", func(t *testing.T) {
		s := open(t)
		jane := MustCreateContact(t, s, newContact("u1", "Jane", "jane@example.com"))
		dup := newContact("u1", "J.", "other@example.com", "jane@example.com")
		ae := wantKind(t, s.CreateContact(ctx, dup), apperr.Conflict)
		if ae.ExistingID != jane.ID {
			t.Fatalf("ExistingID=%q, want %q", ae.ExistingID, jane.ID)
		}
		// Nothing of the refused contact remains: its other key is free.
		wantKind(t, errOf(s.Contact(ctx, "u1", dup.ID)), apperr.NotFound)
		MustCreateContact(t, s, newContact("u1", "Other", "other@example.com"))
		// Keys are per user.
		MustCreateContact(t, s, newContact("u2", "Jane (u2)", "jane@example.com"))
		li := newContact("u1", "Lin")
		li.LinkedInURL = "https://www.linkedin.com/in/lin"
		MustCreateContact(t, s, li)
		li2 := newContact("u1", "Lin again")
		li2.LinkedInURL = "https://www.linkedin.com/in/lin"
		if ae := wantKind(t, s.CreateContact(ctx, li2), apperr.Conflict); ae.ExistingID != li.ID {
			t.Fatalf("LinkedIn: ExistingID=%q", ae.ExistingID)
		}
		got, err := s.ContactByKey(ctx, "u1", "linkedin:linkedin.com/in/lin")
		if err != nil || got.ID != li.ID {
			t.Fatalf("ContactByKey=%v, %v", got, err)
		}
		wantKind(t, errOf(s.ContactByKey(ctx, "u3", "email:jane@example.com")), apperr.NotFound)
	})
	t.Run("ConcurrentDuplicates", func(t *testing.T) {
		// Eight requests for one person at once: one contact, seven Conflicts
		// naming it.
		s := open(t)
		const n = 8
		errs := make(chan error, n)
		cs := make([]*contacts.Contact, n)
		for i := range cs {
			cs[i] = newContact("u1", fmt.Sprint("Same ", i), "same@example.com")
		}
		for _, c := range cs {
			go func() { errs <- s.CreateContact(ctx, c) }()
		}
		created := 0
		for range n {
			switch err := <-errs; apperr.KindOf(err) {
			case apperr.Conflict:
			default:
				if err != nil {
					t.Fatalf("err=%v, want nil or Conflict", err)
				}
				created++
			}
		}
		p, err := s.Contacts(ctx, "u1", contacts.ContactQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if created != 1 || len(p.Items) != 1 {
			t.Fatalf("%d created, %d stored; want one of each", created, len(p.Items))
		}
	})
	t.Run("Import", func(t *testing.T) {
		s := open(t)
		known := MustCreateContact(t, s, newContact("u1", "Known", "known@example.com"))
		batch := []*contacts.Contact{
			newContact("u1", "New One", "one@example.com"),
			newContact("u1", "Known again", "known@example.com"),
			newContact("u1", "New Two", "two@example.com", "two@work.example"),
			newContact("u1", "Two again", "two@work.example"), // the same person twice in one file
			newContact("u1", "No email"),
		}
		batch[2].Tags = []string{"Speaker", "speaker", "Go"} // one tag twice, as typed
		batch[3].Tags = []string{"refused"}
		held, err := s.ImportContacts(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		if len(held) != 2 || held[1] != known.ID || held[3] != batch[2].ID {
			t.Fatalf("held=%v, want 1→%s and 3→%s", held, known.ID, batch[2].ID)
		}
		p, err := s.Contacts(ctx, "u1", contacts.ContactQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range p.Items {
			names = append(names, c.Name)
		}
		if fmt.Sprint(names) != "[Known New One New Two No email]" {
			t.Fatalf("stored %v", names)
		}
		// The refused ones hold no key: their emails stay with their holders.
		if got, err := s.ContactByKey(ctx, "u1", "email:two@work.example"); err != nil || got.ID != batch[2].ID {
			t.Fatalf("two@work.example held by %v, %v", got, err)
		}
		if got, err := s.ContactByKey(ctx, "u1", "email:two@example.com"); err != nil || got.ID != batch[2].ID {
			t.Fatalf("two@example.com held by %v, %v", got, err)
		}
		// An imported contact is listed by each of its tags once; a refused one by none.
		for tag, want := range map[string]string{"speaker": "[New Two]", "go": "[New Two]", "refused": "[]"} {
			p, err := s.Contacts(ctx, "u1", contacts.ContactQuery{Tag: tag})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range p.Items {
				names = append(names, c.Name)
			}
			if fmt.Sprint(names) != want {
				t.Errorf("tag %q lists %v, want %s", tag, names, want)
			}
		}
		if held, err := s.ImportContacts(ctx, nil); err != nil || len(held) != 0 {
			t.Fatalf("empty import: %v, %v", held, err)
		}
	})
	t.Run("Update", func(t *testing.T) {
		s := open(t)
		a := MustCreateContact(t, s, newContact("u1", "Ann", "ann@example.com"))
		b := MustCreateContact(t, s, newContact("u1", "Bea", "bea@example.com"))
		next := *a
		next.Name, next.Emails, next.Tags, next.UpdatedAt = "Anna", []string{"anna@example.com"}, []string{"vip"}, clock.Add(time.Minute)
		next.CardExtra = "BEGIN:VCARD\r\nVERSION:4.0\r\nBDAY:19901210\r\nEND:VCARD\r\n"
		if err := s.UpdateContact(ctx, &next); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Contact(ctx, "u1", a.ID); got.Name != "Anna" || !got.UpdatedAt.Equal(next.UpdatedAt) || got.CardExtra != next.CardExtra {
			t.Fatalf("after update: %+v", got)
		}
		// The old key is free, the new one taken.
		MustCreateContact(t, s, newContact("u1", "New Ann", "ann@example.com"))
		if got, err := s.ContactByKey(ctx, "u1", "email:anna@example.com"); err != nil || got.ID != a.ID {
			t.Fatalf("new key: %v %v", got, err)
		}
		// Taking another contact's key changes nothing.
		bad := next
		bad.Name, bad.Emails = "Anna B", []string{"anna@example.com", "bea@example.com"}
		if ae := wantKind(t, s.UpdateContact(ctx, &bad), apperr.Conflict); ae.ExistingID != b.ID {
			t.Fatalf("ExistingID=%q, want %q", ae.ExistingID, b.ID)
		}
		if got, _ := s.Contact(ctx, "u1", a.ID); got.Name != "Anna" {
			t.Fatalf("a refused update changed the contact: %+v", got)
		}
		other := next
		other.UserID = "u2"
		wantKind(t, s.UpdateContact(ctx, &other), apperr.NotFound)
	})
	t.Run("TouchAndByID", func(t *testing.T) {
		s := open(t)
		a := MustCreateContact(t, s, newContact("u1", "Ann"))
		b := MustCreateContact(t, s, newContact("u1", "Bea"))
		other := MustCreateContact(t, s, newContact("u2", "Other"))
		later, earlier, before := clock.Add(48*time.Hour), clock.Add(24*time.Hour), clock.Add(-72*time.Hour)
		for _, at := range []time.Time{later, earlier, before} {
			c, err := s.TouchContact(ctx, "u1", a.ID, at)
			if err != nil {
				t.Fatal(err)
			}
			if c.LastContactedAt == nil || !c.LastContactedAt.Equal(later) {
				t.Fatalf("last_contacted_at=%v after touching at %v, want %v (never back)", c.LastContactedAt, at, later)
			}
			// Known since it was made, until a contact from before.
			want := clock
			if at.Before(clock) {
				want = at
			}
			if !c.KnownSince.Equal(want) {
				t.Fatalf("known_since=%v after touching at %v, want %v (never forward)", c.KnownSince, at, want)
			}
		}
		wantKind(t, errOf(s.TouchContact(ctx, "u2", a.ID, later)), apperr.NotFound)
		// Set back (an interaction removed), then to never.
		if c, err := s.SetLastContacted(ctx, "u1", a.ID, &earlier); err != nil || !c.LastContactedAt.Equal(earlier) || !c.KnownSince.Equal(before) || c.Name != "Ann" {
			t.Fatalf("SetLastContacted(earlier) = %+v, %v", c, err)
		}
		if c, err := s.SetLastContacted(ctx, "u1", a.ID, nil); err != nil || c.LastContactedAt != nil {
			t.Fatalf("SetLastContacted(nil) = %+v, %v", c, err)
		}
		if c, _ := s.Contact(ctx, "u1", a.ID); c.LastContactedAt != nil {
			t.Fatalf("never contacted read back as %v", c.LastContactedAt)
		}
		wantKind(t, errOf(s.SetLastContacted(ctx, "u2", a.ID, &later)), apperr.NotFound)
		got, err := s.ContactsByID(ctx, "u1", []string{a.ID, b.ID, other.ID, "nope"})
		if err != nil || len(got) != 2 || got[a.ID].Name != "Ann" || got[b.ID].Name != "Bea" {
			t.Fatalf("ContactsByID=%v, %v; want Ann and Bea only", got, err)
		}
		cat := MustCreateContact(t, s, newContact("u1", "Cat", "cat@example.com"))
		MustCreateContact(t, s, newContact("u2", "Dot", "dot@example.com"))
		byKey, err := s.ContactIDsByKeys(ctx, "u1", []string{"email:cat@example.com", "email:nobody@example.com", "email:dot@example.com"})
		if err != nil || fmt.Sprint(byKey) != fmt.Sprintf("map[email:cat@example.com:%s]", cat.ID) {
			t.Fatalf("ContactIDsByKeys=%v, %v; want Cat's email only", byKey, err)
		}
		if none, err := s.ContactIDsByKeys(ctx, "u1", []string{"email:nobody@example.com"}); err != nil || len(none) != 0 {
			t.Fatalf("ContactIDsByKeys of keys nobody holds = %v, %v", none, err)
		}
		// Whom u1 met at e1 and e2, each once an event, and since when:
		// Ann's moved back by the touch; one from a backup made before
		// known_since has known it since it was made. Not another user's
		// encounter, nor a contact since deleted, nor e3 (nobody met).
		old := newContact("u1", "Old")
		old.KnownSince, old.CreatedAt = time.Time{}, clock.Add(-time.Hour)
		MustCreateContact(t, s, old)
		gone := MustCreateContact(t, s, newContact("u1", "Gone"))
		name := map[string]string{a.ID: "Ann", b.ID: "Bea", old.ID: "Old"}
		for _, m := range [][3]string{{"u1", "e1", a.ID}, {"u1", "e1", a.ID}, {"u1", "e1", old.ID}, {"u1", "e2", b.ID}, {"u1", "e2", a.ID},
			{"u1", "e2", gone.ID}, {"u2", "e1", other.ID}} {
			e := &contacts.Encounter{ID: nextID(), UserID: m[0], EventID: m[1], ContactID: m[2], Moment: "other", MetAt: clock, Topics: []string{}, CreatedAt: clock}
			if err := s.CreateEncounter(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeleteContact(ctx, "u1", gone.ID); err != nil {
			t.Fatal(err)
		}
		met, err := s.PeopleMetAt(ctx, "u1", []string{"e1", "e2", "e3"})
		var byEvent []string
		for _, ev := range []string{"e1", "e2", "e3"} {
			var people []string
			for _, p := range met[ev] {
				people = append(people, name[p.ContactID]+"@"+p.KnownSince.Sub(clock).String())
			}
			slices.Sort(people)
			byEvent = append(byEvent, ev+":"+strings.Join(people, ","))
		}
		if want := "[e1:Ann@-72h0m0s,Old@-1h0m0s e2:Ann@-72h0m0s,Bea@0s e3:]"; err != nil || len(met) != 2 || fmt.Sprint(byEvent) != want {
			t.Fatalf("PeopleMetAt(e1, e2, e3)=%v (%d events), %v; want %s", byEvent, len(met), err, want)
		}
		if none, err := s.PeopleMetAt(ctx, "u1", nil); err != nil || len(none) != 0 {
			t.Fatalf("PeopleMetAt(none)=%v, %v", none, err)
		}
	})
	t.Run("Sorts", func(t *testing.T) {
		s := open(t)
		at := func(h int) *time.Time { x := clock.Add(time.Duration(h) * time.Hour); return &x }
		mk := func(name string, last *time.Time, createdH int, tags ...string) string {
			c := newContact("u1", name)
			c.LastContactedAt, c.CreatedAt, c.Tags = last, clock.Add(time.Duration(createdH)*time.Hour), append([]string{}, tags...)
			c.KnownSince = time.Time{} // as a backup from before known_since: when it was made
			if name == "Bea" {
				c.KnownSince = clock.Add(-70 * time.Hour) // made later than she was met
			}
			return MustCreateContact(t, s, c).ID
		}
		ann := mk("Ann", at(-5), -50, "go")
		bea := mk("Bea", nil, -10, "go")
		cal := mk("Cal", at(-1), -30)
		dan := mk("Dan", at(-5), -40, "go")
		eve := mk("Eve", nil, -20)
		fay := mk("Fay", at(-3), -60, "go")
		MustCreateContact(t, s, newContact("u2", "Theirs"))
		names := map[string]string{ann: "Ann", bea: "Bea", cal: "Cal", dan: "Dan", eve: "Eve", fay: "Fay"}
		list := func(q contacts.ContactQuery) string {
			ids := allPages(t, func(c *record.Cursor) (*record.Page[contacts.Contact], error) {
				q.Cursor, q.Limit = c, 2
				return s.Contacts(ctx, "u1", q)
			}, func(c *contacts.Contact) string { return c.ID })
			var out []string
			for _, id := range ids {
				out = append(out, names[id])
			}
			return fmt.Sprint(out)
		}
		// Ann and Dan were last contacted at the same time: the larger id
		// first; the never contacted last, the larger id first.
		same, never := []string{"Ann", "Dan"}, []string{"Bea", "Eve"}
		if dan > ann {
			same[0], same[1] = "Dan", "Ann"
		}
		if eve > bea {
			never[0], never[1] = "Eve", "Bea"
		}
		want := fmt.Sprint(append(append([]string{"Cal", "Fay"}, same...), never...))
		if got := list(contacts.ContactQuery{Sort: contacts.SortLast}); got != want {
			t.Errorf("by last contact, two a page: %s, want %s", got, want)
		}
		if got := list(contacts.ContactQuery{Sort: contacts.SortSince}); got != "[Bea Fay Ann Dan Cal Eve]" {
			t.Errorf("by known since: %s", got)
		}
		if c, err := s.Contact(ctx, "u1", ann); err != nil || !c.KnownSince.Equal(c.CreatedAt) {
			t.Errorf("a contact stored without known_since: %v, %v; want it known since it was made", c, err)
		}
		goWant := "[Fay"
		for _, n := range append(same, never...) {
			if n != "Eve" {
				goWant += " " + n
			}
		}
		if got := list(contacts.ContactQuery{Sort: contacts.SortLast, Tag: "go"}); got != goWant+"]" {
			t.Errorf("tagged go, by last contact: %s, want %s]", got, goWant)
		}
		if got := list(contacts.ContactQuery{Sort: contacts.SortSince, IDs: []string{bea, cal, fay}}); got != "[Bea Fay Cal]" {
			t.Errorf("three of them by known since: %s", got)
		}
		name := "ann"
		wantKind(t, errOf(s.Contacts(ctx, "u1", contacts.ContactQuery{Sort: contacts.SortLast, Cursor: &record.Cursor{S: &name, ID: ann}})), apperr.Invalid)
		wantKind(t, errOf(s.Contacts(ctx, "u1", contacts.ContactQuery{Sort: contacts.SortSince, Cursor: &record.Cursor{S: &name, ID: ann}})), apperr.Invalid)
		wantKind(t, errOf(s.Contacts(ctx, "u1", contacts.ContactQuery{Cursor: &record.Cursor{T: at(0), ID: ann}})), apperr.Invalid)
	})
	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		a := MustCreateContact(t, s, newContact("u1", "Ann", "ann@example.com"))
		wantKind(t, s.DeleteContact(ctx, "u2", a.ID), apperr.NotFound)
		if err := s.DeleteContact(ctx, "u1", a.ID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, errOf(s.Contact(ctx, "u1", a.ID)), apperr.NotFound)
		wantKind(t, s.DeleteContact(ctx, "u1", a.ID), apperr.NotFound)
		MustCreateContact(t, s, newContact("u1", "Ann again", "ann@example.com")) // the key is free
	})
	t.Run("DeleteMany", func(t *testing.T) {
		s := open(t)
		a := MustCreateContact(t, s, newContact("u1", "Ann", "ann@example.com"))
		b := MustCreateContact(t, s, newContact("u1", "Bob", "bob@example.com"))
		c := MustCreateContact(t, s, newContact("u1", "Cy"))
		theirs := MustCreateContact(t, s, newContact("u2", "Dee", "dee@example.com"))
		if n, err := s.DeleteContacts(ctx, "u1", nil); err != nil || n != 0 {
			t.Fatalf("DeleteContacts(none)=%d, %v", n, err)
		}
		// Another user's id and one that never was are left out.
		if n, err := s.DeleteContacts(ctx, "u1", []string{a.ID, b.ID, theirs.ID, "gone"}); err != nil || n != 2 {
			t.Fatalf("DeleteContacts=%d, %v; want 2", n, err)
		}
		got, err := s.ContactsByID(ctx, "u1", []string{a.ID, b.ID, c.ID})
		if err != nil || len(got) != 1 || got[c.ID] == nil {
			t.Fatalf("left: %v, %v; want Cy alone", got, err)
		}
		if _, err := s.Contact(ctx, "u2", theirs.ID); err != nil {
			t.Fatalf("another user's contact went: %v", err)
		}
		MustCreateContact(t, s, newContact("u1", "Ann again", "ann@example.com")) // the keys are free
		MustCreateContact(t, s, newContact("u1", "Bob again", "bob@example.com"))
	})
	t.Run("List", func(t *testing.T) {
		s := open(t)
		names := []string{"delta", "Alpha", "charlie", "Bravo", "echo", "Foxtrot", "golf"}
		byName := map[string]string{}
		for i, n := range names {
			c := newContact("u1", n, fmt.Sprintf("%s@example.com", n))
			if i%2 == 0 {
				c.Tags = []string{"Even"}
			}
			if n == "charlie" {
				c.Notes = "wants the FFI (notes)"
			}
			byName[n] = MustCreateContact(t, s, c).ID
		}
		aaron := MustCreateContact(t, s, newContact("u2", "Aaron", "aaron@example.com"))
		var got []string
		var after *record.Cursor
		for pages := 0; ; pages++ {
			p, err := s.Contacts(ctx, "u1", contacts.ContactQuery{Limit: 3, Cursor: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range p.Items {
				got = append(got, c.Name)
			}
			if p.NextCursor == "" {
				if pages != 2 {
					t.Fatalf("%d pages, want 3", pages+1)
				}
				break
			}
			if after, err = record.DecodeCursor(p.NextCursor); err != nil {
				t.Fatal(err)
			}
		}
		if fmt.Sprint(got) != "[Alpha Bravo charlie delta echo Foxtrot golf]" {
			t.Fatalf("name order: %v", got)
		}
		for _, tc := range []struct {
			q    contacts.ContactQuery
			want string
		}{
			{contacts.ContactQuery{Tag: "even"}, "[charlie delta echo golf]"},
			{contacts.ContactQuery{Tag: "EVEN", Limit: 2}, "[charlie delta]"},
			{contacts.ContactQuery{Q: "FFI (NOTES"}, "[charlie]"},
			{contacts.ContactQuery{Q: "H"}, "[Alpha charlie echo]"},
			{contacts.ContactQuery{Q: "h", Tag: "even"}, "[charlie echo]"},
			{contacts.ContactQuery{Q: ".*"}, "[]"},
			{contacts.ContactQuery{Q: "%"}, "[]"},
			{contacts.ContactQuery{Q: "aaron"}, "[]"},
			{contacts.ContactQuery{IDs: []string{byName["golf"], aaron.ID, byName["charlie"]}}, "[charlie golf]"},
			{contacts.ContactQuery{IDs: []string{byName["golf"], byName["charlie"]}, Q: "h"}, "[charlie]"},
			{contacts.ContactQuery{IDs: []string{}}, "[]"},
		} {
			p, err := s.Contacts(ctx, "u1", tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range p.Items {
				names = append(names, c.Name)
			}
			if got := fmt.Sprint(names); got != tc.want && !(got == "[]" && tc.want == "[]") {
				t.Errorf("%+v: %s, want %s", tc.q, got, tc.want)
			}
		}
		when := clock
		wantKind(t, errOf(s.Contacts(ctx, "u1", contacts.ContactQuery{Cursor: &record.Cursor{T: &when, ID: "x"}})), apperr.Invalid)
		// q folds case, accents and ø ł đ ß æ on both sides (input.Fold).
		jan := newContact("u3", "Jan Sørensen", "jan@sorensen.example")
		jan.Company, jan.Notes = "Łódź Straße GmbH", "Æsir fan, met at José's talk"
		MustCreateContact(t, s, jan)
		MustCreateContact(t, s, newContact("u3", "Zoe Other"))
		for _, q := range []string{"sorensen", "SØRENSEN", "sørensen", "strasse", "STRAßE", "lodz", "aesir", "jose's", "JOSÉ"} {
			p, err := s.Contacts(ctx, "u3", contacts.ContactQuery{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Items) != 1 || p.Items[0].Name != "Jan Sørensen" {
				t.Errorf("q=%s: %d contacts, want Jan Sørensen", q, len(p.Items))
			}
		}
	})
}

func errOf[T any](_ T, err error) error { return err }

// KnownSinceOrder is the user's contacts (at most 100) in the "known
// since" order, each as its id and the day it is known since ("met
// 2025-10-01, plain 2026-01-01"): what an adapter's migration of
// known_since is checked by.
func KnownSinceOrder(tb testing.TB, s contacts.Store, userID string) string {
	tb.Helper()
	page, err := s.Contacts(context.Background(), userID, contacts.ContactQuery{Sort: contacts.SortSince, Limit: 100})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, c := range page.Items {
		out = append(out, c.ID+" "+c.KnownSince.Format(time.DateOnly))
	}
	return strings.Join(out, ", ")
}
