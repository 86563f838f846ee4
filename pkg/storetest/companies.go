package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// OpenCompanies opens fresh, empty company and contact stores on one
// database for one test.
type OpenCompanies func(tb testing.TB) (companies.Store, contacts.Store)

func newCompany(userID, name, domain string) *companies.Company {
	return &companies.Company{ID: nextID(), UserID: userID, Name: name, Domain: domain, Tags: []string{}, CreatedAt: clock, UpdatedAt: clock}
}

// Companies runs the companies.Store contract, and the contact store's
// company links, against open.
func Companies(t *testing.T, open OpenCompanies) {
	ctx := context.Background()
	t.Run("KeysAndIsolation", func(t *testing.T) {
		s, _ := open(t)
		acme := newCompany("u1", "Acme Inc.", "acme.io")
		if err := s.CreateCompany(ctx, acme); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"name:acme", "domain:acme.io"} {
			if got, err := s.CompanyByKey(ctx, "u1", key); err != nil || got.ID != acme.ID || got.Name != "Acme Inc." {
				t.Fatalf("CompanyByKey(%s) = %v, %v", key, got, err)
			}
			if ids, err := s.CompanyIDsByKeys(ctx, "u1", []string{key, "name:nobody"}); err != nil || fmt.Sprint(ids) != fmt.Sprintf("map[%s:%s]", key, acme.ID) {
				t.Fatalf("CompanyIDsByKeys(%s) = %v, %v", key, ids, err)
			}
			if ids, _ := s.CompanyIDsByKeys(ctx, "u2", []string{key}); len(ids) != 0 {
				t.Fatalf("another user's CompanyIDsByKeys(%s) = %v", key, ids)
			}
			if _, err := s.CompanyByKey(ctx, "u2", key); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("another user finds %s: %v", key, err)
			}
		}
		// Another spelling of the name, or the same domain: Conflict naming Acme, nothing stored.
		for _, dup := range []*companies.Company{newCompany("u1", "ACME", ""), newCompany("u1", "Other", "acme.io")} {
			err := s.CreateCompany(ctx, dup)
			if ae := wantKind(t, err, apperr.Conflict); ae.ExistingID != acme.ID {
				t.Fatalf("duplicate %s: existing %q", dup.Name, ae.ExistingID)
			}
			if _, err := s.Company(ctx, "u1", dup.ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("the refused company was stored: %v", err)
			}
		}
		if _, err := s.CompanyByKey(ctx, "u1", "name:other"); !apperr.Is(err, apperr.NotFound) {
			t.Fatal("a refused company kept a key")
		}
		// Another user may have their own Acme.
		if err := s.CreateCompany(ctx, newCompany("u2", "Acme", "acme.io")); err != nil {
			t.Fatalf("u2's Acme: %v", err)
		}
		if _, err := s.Company(ctx, "u2", acme.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("u2 reads u1's company: %v", err)
		}
		// A rename moves the keys.
		acme.Name, acme.Domain = "Globex", ""
		if err := s.UpdateCompany(ctx, acme); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompanyByKey(ctx, "u1", "name:acme"); !apperr.Is(err, apperr.NotFound) {
			t.Fatal("the old name still finds it")
		}
		if got, err := s.CompanyByKey(ctx, "u1", "name:globex"); err != nil || got.ID != acme.ID {
			t.Fatalf("the new name: %v, %v", got, err)
		}
		other := newCompany("u1", "Initech", "")
		if err := s.CreateCompany(ctx, other); err != nil {
			t.Fatal(err)
		}
		other.Name = "globex"
		wantKind(t, s.UpdateCompany(ctx, other), apperr.Conflict)
		if got, _ := s.Company(ctx, "u1", other.ID); got.Name != "Initech" {
			t.Fatal("a refused rename changed the company")
		}
		wantKind(t, s.UpdateCompany(ctx, &companies.Company{ID: acme.ID, UserID: "u2", Name: "x"}), apperr.NotFound)
		wantKind(t, s.DeleteCompany(ctx, "u2", acme.ID), apperr.NotFound)
		if err := s.DeleteCompany(ctx, "u1", acme.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompanyByKey(ctx, "u1", "name:globex"); !apperr.Is(err, apperr.NotFound) {
			t.Fatal("a deleted company's key remains")
		}
	})
	t.Run("ListAndByID", func(t *testing.T) {
		s, _ := open(t)
		var ids []string
		for i := 0; i < 7; i++ {
			c := newCompany("u1", fmt.Sprintf("Company %d", 6-i), fmt.Sprintf("c%d.example", i))
			if err := s.CreateCompany(ctx, c); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		s.CreateCompany(ctx, newCompany("u2", "Company 9", ""))
		names := allPages(t, func(cur *record.Cursor) (*record.Page[companies.Company], error) {
			return s.Companies(ctx, "u1", companies.Query{Limit: 3, Cursor: cur})
		}, func(c *companies.Company) string { return c.Name })
		if fmt.Sprint(names) != "[Company 0 Company 1 Company 2 Company 3 Company 4 Company 5 Company 6]" {
			t.Fatalf("pages: %v", names)
		}
		p, err := s.Companies(ctx, "u1", companies.Query{Q: "Y 3"})
		if err != nil || len(p.Items) != 1 || p.Items[0].Name != "Company 3" {
			t.Fatalf("q: %v, %v", p, err)
		}
		if p, err := s.Companies(ctx, "u1", companies.Query{Q: ".*"}); err != nil || len(p.Items) != 0 {
			t.Fatalf("q is plain text: %v, %v", p, err)
		}
		if p, err := s.Companies(ctx, "u1", companies.Query{Q: "c2.exa"}); err != nil || len(p.Items) != 1 {
			t.Fatalf("q by domain: %v, %v", p, err)
		}
		m, err := s.CompaniesByID(ctx, "u2", ids)
		if err != nil || len(m) != 0 {
			t.Fatalf("u2 reads u1's companies by id: %v %v", m, err)
		}
		if m, _ := s.CompaniesByID(ctx, "u1", ids[:2]); len(m) != 2 {
			t.Fatalf("by id: %v", m)
		}
	})
	t.Run("ContactLinks", func(t *testing.T) {
		s, cs := open(t)
		co := newCompany("u1", "Acme", "")
		if err := s.CreateCompany(ctx, co); err != nil {
			t.Fatal(err)
		}
		a := newContact("u1", "Zoe")
		a.Company, a.CompanyID = "Acme", co.ID
		MustCreateContact(t, cs, a)
		b := newContact("u1", "Adam")
		b.Company = "ACME Inc."
		MustCreateContact(t, cs, b)
		c := newContact("u1", "Carl") // no company text
		MustCreateContact(t, cs, c)
		u2 := newContact("u2", "Eve")
		u2.Company = "Acme"
		MustCreateContact(t, cs, u2)
		un, err := cs.UnlinkedContacts(ctx, "u1", "", 10)
		if err != nil || len(un) != 2 || un[0].ID != b.ID || un[1].ID != c.ID {
			t.Fatalf("unlinked: %v, %v", un, err)
		}
		// Another user naming u1's contact changes nothing; an id that is no
		// contact is left alone.
		if err := cs.SetCompanies(ctx, "u2", map[string]string{b.ID: "elsewhere"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := cs.Contact(ctx, "u1", b.ID); got.CompanyID != "" {
			t.Fatalf("u2 set u1's contact's company: %+v", got)
		}
		if err := cs.SetCompanies(ctx, "u1", map[string]string{b.ID: co.ID, "nope": co.ID}); err != nil {
			t.Fatal(err)
		}
		if err := cs.SetCompanies(ctx, "u1", nil); err != nil {
			t.Fatal(err)
		}
		at, err := cs.ContactsAtCompany(ctx, "u1", co.ID, nil, 10)
		if err != nil || len(at.Items) != 2 || at.Items[0].Name != "Adam" || at.Items[1].Name != "Zoe" || at.Items[0].CompanyID != co.ID ||
			at.NextCursor != "" {
			t.Fatalf("at company: %v, %v", at, err)
		}
		if got, _ := cs.Contact(ctx, "u1", b.ID); got.CompanyID != co.ID || got.Company != "ACME Inc." {
			t.Fatalf("SetCompanies changed more than company_id: %+v", got)
		}
		if at, _ := cs.ContactsAtCompany(ctx, "u2", co.ID, nil, 10); len(at.Items) != 0 {
			t.Fatal("another user's contacts at the company")
		}
		if n, err := cs.Headcounts(ctx, "u1", []string{co.ID, "nope"}); err != nil || fmt.Sprint(n) != fmt.Sprintf("map[%s:2]", co.ID) {
			t.Fatalf("headcounts: %v, %v", n, err)
		}
		if n, _ := cs.Headcounts(ctx, "u2", []string{co.ID}); len(n) != 0 {
			t.Fatalf("another user's headcounts: %v", n)
		}
		if un, _ := cs.UnlinkedContacts(ctx, "u1", "", 10); len(un) != 1 || un[0].ID != c.ID {
			t.Fatalf("still unlinked: %v", un)
		}
		if err := cs.DetachCompany(ctx, "u1", co.ID); err != nil {
			t.Fatal(err)
		}
		if at, _ := cs.ContactsAtCompany(ctx, "u1", co.ID, nil, 10); len(at.Items) != 0 {
			t.Fatalf("after detaching: %v", at)
		}
		if un, _ := cs.UnlinkedContacts(ctx, "u1", "", 10); len(un) != 3 {
			t.Fatalf("after detaching, unlinked: %d", len(un))
		}
		if un, _ := cs.UnlinkedContacts(ctx, "u1", a.ID, 10); len(un) != 2 {
			t.Fatalf("after detaching, unlinked: %d", len(un))
		}
	})
	// A page of contacts linked at once, as after a restore of a backup
	// from before companies (crm.LinkUserCompanies: 500 a page).
	t.Run("ContactLinksPage", func(t *testing.T) {
		_, cs := open(t)
		page := make([]*contacts.Contact, 300)
		companyOf := map[string]string{}
		for i := range page {
			page[i] = newContact("u1", fmt.Sprintf("Person %03d", i))
			companyOf[page[i].ID] = fmt.Sprintf("co%d", i%30)
		}
		if held, err := cs.ImportContacts(ctx, page); err != nil || len(held) != 0 {
			t.Fatalf("import: %v, %v", held, err)
		}
		if err := cs.SetCompanies(ctx, "u1", companyOf); err != nil {
			t.Fatal(err)
		}
		for _, co := range []string{"co0", "co29"} {
			if at, err := cs.ContactsAtCompany(ctx, "u1", co, nil, 20); err != nil || len(at.Items) != 10 {
				t.Fatalf("at %s: %v, %v", co, at, err)
			}
		}
		// In pages of four: 4, 4 and 2, in name order, each after the last.
		var names []string
		var cur *record.Cursor
		for range 3 {
			at, err := cs.ContactsAtCompany(ctx, "u1", "co0", cur, 4)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range at.Items {
				names = append(names, c.Name)
			}
			if at.NextCursor == "" {
				break
			}
			if cur, err = record.DecodeCursor(at.NextCursor); err != nil {
				t.Fatal(err)
			}
		}
		if got := strings.Join(names, ","); got != "Person 000,Person 030,Person 060,Person 090,Person 120,Person 150,Person 180,Person 210,Person 240,Person 270" {
			t.Fatalf("the pages of co0: %s", got)
		}
		now := time.Now()
		if _, err := cs.ContactsAtCompany(ctx, "u1", "co0", &record.Cursor{T: &now, ID: "x"}, 4); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("another order's cursor: %v", err)
		}
		if un, err := cs.UnlinkedContacts(ctx, "u1", "", 10); err != nil || len(un) != 0 {
			t.Fatalf("unlinked after linking the page: %d, %v", len(un), err)
		}
	})
}
