package companies_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
)

// newService is the companies domain on a real (SQLite) store.
func newService(t *testing.T) *companies.Service {
	t.Helper()
	db, err := sqlite.Open(context.Background(), sqlitetest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := companies.New(&sqlite.Companies{DB: db})
	s.Now = func() time.Time { return time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC) }
	return s
}

// TestCompanyRules: a company's name and domain are its keys (a second
// with either is a Conflict naming the first, per user); a patch is
// checked field by field; Find matches any spelling of a name.
func TestCompanyRules(t *testing.T) {
	s := newService(t)
	ctx := t.Context()
	acme, err := s.Create(ctx, "u1", companies.Input{Name: "Acme GmbH", Domain: "ACME.example", URL: "https://acme.example", Tags: []string{"b2b"}})
	if err != nil {
		t.Fatal(err)
	}
	if acme.Domain != "acme.example" {
		t.Fatalf("domain %q, want it lower-cased", acme.Domain)
	}
	for _, in := range []companies.Input{{Name: "acme"}, {Name: "Other", Domain: "acme.example"}} {
		_, err := s.Create(ctx, "u1", in)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind != apperr.Conflict || ae.ExistingID != acme.ID {
			t.Errorf("%+v: %v, want a Conflict naming %s", in, err, acme.ID)
		}
	}
	if _, err := s.Create(ctx, "u2", companies.Input{Name: "Acme"}); err != nil {
		t.Fatalf("another user's Acme: %v", err)
	}
	for _, tc := range []struct{ patch, field string }{
		{`{"name": ""}`, "name"},
		{`{"url": "ftp://acme"}`, "url"},
		{`{"domain": "not a domain"}`, "domain"},
	} {
		_, err := s.Update(ctx, "u1", acme.ID, []byte(tc.patch))
		if fs := apperr.FieldsOf(err); len(fs) == 0 || fs[0].Field != tc.field {
			t.Errorf("patch %s: %v, want Invalid naming %s", tc.patch, err, tc.field)
		}
	}
	up, err := s.Update(ctx, "u1", acme.ID, []byte(`{"notes": "makes anvils"}`))
	if err != nil || up.Notes != "makes anvils" || up.Name != "Acme GmbH" {
		t.Fatalf("patched %+v (%v)", up, err)
	}
	if _, err := s.Update(ctx, "u2", acme.ID, []byte(`{"notes": "x"}`)); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another user's patch: %v", err)
	}
	found, err := s.Find(ctx, "u1", []string{"ACME", "acme gmbh", "Nobody Inc", ""})
	if err != nil || found["ACME"] != acme.ID || found["acme gmbh"] != acme.ID || len(found) != 2 {
		t.Fatalf("found %v (%v)", found, err)
	}
}

// TestResolve: a contact's company is found by work email domain, by name
// in any spelling, else made (with the domain only when it matches the
// name); no text and no work email is no company.
func TestResolve(t *testing.T) {
	s := newService(t)
	ctx := t.Context()
	resolved := map[string]string{}
	for _, tc := range []struct {
		name, company string
		emails        []string
		same          string // the case whose company this must be
		none          bool
	}{
		{name: "made", company: "Initech", emails: []string{"pete@initech.example"}},
		{name: "by domain", company: "", emails: []string{"bill@initech.example"}, same: "made"},
		{name: "by name", company: "initech inc.", same: "made"},
		{name: "a contractor's email", company: "Globex", emails: []string{"hank@contractor.example"}},
		{name: "free mail is no company", company: "", emails: []string{"someone@gmail.com"}, none: true},
		{name: "nothing", none: true},
	} {
		id, err := s.Resolve(ctx, "u1", tc.company, tc.emails)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.none != (id == "") {
			t.Fatalf("%s: id %q", tc.name, id)
		}
		resolved[tc.name] = id
		if tc.same != "" && id != resolved[tc.same] {
			t.Errorf("%s: %s, want the company of %q (%s)", tc.name, id, tc.same, resolved[tc.same])
		}
	}
	globex, err := s.Store.Company(ctx, "u1", resolved["a contractor's email"])
	if err != nil || globex.Domain != "" {
		t.Fatalf("Globex took the contractor's domain: %+v (%v)", globex, err)
	}
	initech, _ := s.Store.Company(ctx, "u1", resolved["made"])
	if initech.Domain != "initech.example" {
		t.Fatalf("Initech's domain %q", initech.Domain)
	}
}
