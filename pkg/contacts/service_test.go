package contacts_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
)

var clock = time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)

// newService is the contacts domain on a real (SQLite) store, with its
// hooks counting what they are told.
func newService(t *testing.T) (*contacts.Service, *hooks) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), sqlitetest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := contacts.New(&sqlite.Contacts{DB: db})
	s.Now = func() time.Time { return clock }
	h := &hooks{}
	s.Mutated = func(context.Context, string) { h.mutated++ }
	s.Changed = func(context.Context, string) { h.changed++ }
	return s, h
}

type hooks struct{ mutated, changed int }

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestContactLifecycle: create (a taken email is a Conflict naming the
// holder), patch (the hooks told, a name change moves the feeds), fill
// blanks without overwriting, touch only forwards, find by email in any
// case, iterate all, delete.
func TestContactLifecycle(t *testing.T) {
	s, h := newService(t)
	ctx := t.Context()
	ada := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Ada Lovelace", Emails: []string{"Ada@Example.com"}, Company: "Analytical"}, contacts.CreateOpts{}))
	if ada.Emails[0] != "ada@example.com" || h.mutated != 1 {
		t.Fatalf("created %+v, mutated %d", ada, h.mutated)
	}
	_, err := s.Create(ctx, "u1", contacts.Input{Name: "Ada again", Emails: []string{"ada@example.com"}}, contacts.CreateOpts{})
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != apperr.Conflict || ae.ExistingID != ada.ID {
		t.Fatalf("a taken email: %v, want a Conflict naming %s", err, ada.ID)
	}
	if _, err := s.Create(ctx, "u2", contacts.Input{Name: "Ada", Emails: []string{"ada@example.com"}}, contacts.CreateOpts{}); err != nil {
		t.Fatalf("another user's contact with the same email: %v", err)
	}

	for _, tc := range []struct {
		patch, field string
	}{
		{`{"name": ""}`, "name"},
		{`{"emails": ["not an email"]}`, "emails[0]"},
		{`{"cadence_days": -1}`, "cadence_days"},
		{`{"nickname": "x"}`, "nickname"},
	} {
		_, err := s.Update(ctx, "u1", ada.ID, []byte(tc.patch))
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(fieldsOf(err), tc.field) {
			t.Errorf("patch %s: %v, want Invalid naming %s", tc.patch, err, tc.field)
		}
	}
	changed := h.changed
	up := must[*contacts.Contact](t)(s.Update(ctx, "u1", ada.ID, []byte(`{"name": "Ada King", "tags": ["Go", "go", "rust"]}`)))
	if up.Name != "Ada King" || strings.Join(up.Tags, ",") != "Go,rust" || up.Company != "Analytical" || h.changed != changed+1 {
		t.Fatalf("patched %+v (changed %d→%d)", up, changed, h.changed)
	}
	if _, err := s.Update(ctx, "u2", ada.ID, []byte(`{"name": "x"}`)); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another user's patch: %v, want NotFound", err)
	}

	filled := must[*contacts.Contact](t)(s.FillBlanks(ctx, up, contacts.Input{Company: "Other", Title: "Countess", Phones: []string{"+44 20 7946 0000"}}))
	if filled.Company != "Analytical" || filled.Title != "Countess" || len(filled.Phones) != 1 {
		t.Fatalf("filled %+v: want the company kept, title and phone added", filled)
	}
	if same := must[*contacts.Contact](t)(s.FillBlanks(ctx, filled, contacts.Input{Title: "Other"})); same != filled {
		t.Fatal("nothing to fill still wrote")
	}

	later, earlier := clock.Add(time.Hour), clock.Add(-time.Hour)
	if c := must[*contacts.Contact](t)(s.Touch(ctx, "u1", ada.ID, later)); !c.LastContactedAt.Equal(later) {
		t.Fatalf("touched at %v", c.LastContactedAt)
	}
	if c := must[*contacts.Contact](t)(s.Touch(ctx, "u1", ada.ID, earlier)); !c.LastContactedAt.Equal(later) {
		t.Fatalf("an earlier touch moved last contact back to %v", c.LastContactedAt)
	}

	if c, err := s.ByEmail(ctx, "u1", "  ADA@example.COM "); err != nil || c.ID != ada.ID {
		t.Fatalf("by email: %v %v", c, err)
	}
	must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Grace"}, contacts.CreateOpts{LastContactedAt: &earlier}))
	n := 0
	if err := s.ForEach(ctx, "u1", func(*contacts.Contact) error { n++; return nil }); err != nil || n != 2 {
		t.Fatalf("ForEach saw %d contacts (%v), want 2", n, err)
	}
	stop := errors.New("stop")
	if err := s.ForEach(ctx, "u1", func(*contacts.Contact) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("ForEach did not return fn's error: %v", err)
	}
	if err := s.Delete(ctx, "u2", ada.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another user's delete: %v", err)
	}
	if err := s.Delete(ctx, "u1", ada.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.Contact(ctx, "u1", ada.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if _, err := s.Create(ctx, "u1", contacts.Input{Name: "Ada", Emails: []string{"ada@example.com"}}, contacts.CreateOpts{}); err != nil {
		t.Fatalf("the deleted contact's email is still taken: %v", err)
	}
}

// TestCompanyLinking: every write links the contact to its company through
// the Company hook, by company text and work email domain; an import
// remembers answers across rows.
func TestCompanyLinking(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	var asked []string
	s.Company = func(_ context.Context, _, company string, emails []string) (string, error) {
		asked = append(asked, company+"|"+strings.Join(emails, ","))
		if company == "" && len(emails) == 0 {
			return "", nil
		}
		return "co-" + strings.ToLower(company), nil
	}
	c := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Ada", Company: "Acme", Emails: []string{"ada@acme.example"}}, contacts.CreateOpts{}))
	if c.CompanyID != "co-acme" {
		t.Fatalf("company_id %q", c.CompanyID)
	}
	up := must[*contacts.Contact](t)(s.Update(ctx, "u1", c.ID, []byte(`{"company": "Globex"}`)))
	if up.CompanyID != "co-globex" {
		t.Fatalf("after a new company: %q", up.CompanyID)
	}
	asked = nil
	rows := []contacts.Row{
		{Line: 2, Input: contacts.Input{Name: "B", Company: "Initech", Emails: []string{"b@initech.example"}}},
		{Line: 3, Input: contacts.Input{Name: "C", Company: "initech ", Emails: []string{"c@initech.example"}}},
	}
	res := must[*contacts.ImportResult](t)(s.Import(ctx, "u1", "csv", feed(rows)))
	if res.Created != 2 || len(asked) != 1 {
		t.Fatalf("import created %d, asked the company hook %d times (%v); want 2 and once", res.Created, len(asked), asked)
	}
	boom := errors.New("company store down")
	s.Company = func(context.Context, string, string, []string) (string, error) { return "", boom }
	if _, err := s.Create(ctx, "u1", contacts.Input{Name: "D", Company: "X"}, contacts.CreateOpts{}); !errors.Is(err, boom) {
		t.Fatalf("a failed company link: %v", err)
	}
}

// feed returns a reader of rows, as the codecs' readers are.
func feed(rows []contacts.Row) func(func(contacts.Row) error) error {
	return func(fn func(contacts.Row) error) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestImportAndPreview: a preview says what an import will do and writes
// nothing; the import then does it: new contacts, rows that merge into a
// contact the user has (filling, not overwriting) or into an earlier row,
// unreadable rows reported by line, a bad email dropped and the rest kept;
// the import is listed with its state.
func TestImportAndPreview(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	ada := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}, Notes: "mine"}, contacts.CreateOpts{}))
	rows := []contacts.Row{
		{Line: 2, Input: contacts.Input{Name: "Ada L.", Emails: []string{"ada@example.com"}, Title: "Countess", Notes: "theirs", Tags: []string{"math"}}},
		{Line: 3, Input: contacts.Input{Name: "Grace Hopper", Emails: []string{"grace@example.com"}}},
		{Line: 4, Input: contacts.Input{Name: "Grace H.", Emails: []string{"GRACE@example.com"}, Company: "Navy"}},
		{Line: 5, Err: errors.New("malformed CSV: bare quote")},
		{Line: 6, Input: contacts.Input{Name: "Alan Turing", Emails: []string{"not-an-email"}}},
		{Line: 7, Input: contacts.Input{Name: ""}},
	}
	p := must[*contacts.Preview](t)(s.PreviewImport(ctx, "u1", feed(rows)))
	if p.New != 2 || p.Merged != 1 || p.Combined != 1 || p.Skipped != 2 {
		t.Fatalf("preview: %+v", p)
	}
	if len(p.Merges) != 2 || p.Merges[0].IntoID != ada.ID || p.Merges[1].IntoLine != 3 {
		t.Fatalf("preview merges: %+v", p.Merges)
	}
	if lines := errLines(p.Errors); lines != "5,6,7" {
		t.Fatalf("preview errors on lines %s (%+v), want 5,6,7", lines, p.Errors)
	}
	if page, _ := s.Store.Contacts(ctx, "u1", contacts.Filter{Limit: 10}); len(page.Items) != 1 {
		t.Fatalf("a preview wrote: %d contacts", len(page.Items))
	}
	if got := p.Merges[0].Describe(); !strings.Contains(got, "Ada") {
		t.Fatalf("describe: %q", got)
	}

	res := must[*contacts.ImportResult](t)(s.Import(ctx, "u1", "csv", feed(rows)))
	if res.Created != 2 || res.Updated != 2 || res.ImportID == "" {
		t.Fatalf("import: %+v", res)
	}
	if lines := errLines(res.Errors); lines != "5,6,7" {
		t.Fatalf("import errors on lines %s (%+v)", lines, res.Errors)
	}
	merged := must[*contacts.Contact](t)(s.Store.Contact(ctx, "u1", ada.ID))
	if merged.Name != "Ada Lovelace" || merged.Title != "Countess" || merged.Notes != "mine" || strings.Join(merged.Tags, ",") != "math" {
		t.Fatalf("merged into the user's contact: %+v", merged)
	}
	grace := must[*contacts.Contact](t)(s.ByEmail(ctx, "u1", "grace@example.com"))
	if grace.Company != "Navy" {
		t.Fatalf("the second Grace row did not fill the first: %+v", grace)
	}
	alan := must[*record.Page[contacts.Contact]](t)(s.Store.Contacts(ctx, "u1", contacts.Filter{Q: "turing", Limit: 5}))
	if len(alan.Items) != 1 || len(alan.Items[0].Emails) != 0 {
		t.Fatalf("the row with a bad email was not kept without it: %+v", alan.Items)
	}
	imps := must[*record.Page[contacts.ImportInfo]](t)(s.Imports(ctx, "u1", 10, nil))
	if len(imps.Items) != 1 || imps.Items[0].State != contacts.ImportDone {
		t.Fatalf("imports: %+v", imps.Items)
	}
	s.Now = func() time.Time { return clock.Add(contacts.ImportStale + time.Hour) }
	if imps := must[*record.Page[contacts.ImportInfo]](t)(s.Imports(ctx, "u2", 10, nil)); len(imps.Items) != 0 {
		t.Fatalf("another user sees %d imports", len(imps.Items))
	}
}

func errLines(errs []contacts.ImportError) string {
	var out []string
	for _, e := range errs {
		s := strconv.Itoa(e.Line)
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return strings.Join(out, ",")
}

func fieldsOf(err error) string {
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return strings.Join(out, ",")
}

// TestDuplicates: pairs that may be one person, each once with its
// strongest reason, the older contact first; other users' contacts never
// pair with the user's.
func TestDuplicates(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	mk := func(user string, in contacts.Input) *contacts.Contact {
		return must[*contacts.Contact](t)(s.Create(ctx, user, in, contacts.CreateOpts{}))
	}
	a1 := mk("u1", contacts.Input{Name: "Ada Lovelace", Company: "Acme", Phones: []string{"+1 555 0100"}})
	s.Now = func() time.Time { return clock.Add(time.Minute) }
	a2 := mk("u1", contacts.Input{Name: "ada  lovelace", Company: "ACME", Phones: []string{"+1 (555) 0100"}})
	// Each a minute after the last: a pair lists the older first (ids
	// made in one millisecond order at random).
	at := func(m int) { s.Now = func() time.Time { return clock.Add(time.Duration(m) * time.Minute) } }
	at(2)
	p1 := mk("u1", contacts.Input{Name: "Bob Smith", Phones: []string{"+44 20 7946 0001"}})
	at(3)
	p2 := mk("u1", contacts.Input{Name: "Robert Jones", Phones: []string{"+44 (20) 7946-0001"}})
	at(4)
	g1 := mk("u1", contacts.Input{Name: "Grace Hopper"})
	at(5)
	g2 := mk("u1", contacts.Input{Name: "Grace Hoppre"})
	mk("u1", contacts.Input{Name: "Linus"})
	mk("u2", contacts.Input{Name: "Ada Lovelace", Company: "Acme"})
	pairs := must[[]contacts.DuplicatePair](t)(s.Duplicates(ctx, "u1"))
	want := []struct{ reason, a, b string }{
		{contacts.SameNameCompany, a1.ID, a2.ID},
		{contacts.SamePhone, p1.ID, p2.ID},
		{contacts.SimilarName, g1.ID, g2.ID},
	}
	if len(pairs) != len(want) {
		t.Fatalf("%d pairs, want %d: %+v", len(pairs), len(want), pairs)
	}
	for i, w := range want {
		p := pairs[i]
		if p.Reason != w.reason || p.Contacts[0].ID != w.a || p.Contacts[1].ID != w.b {
			t.Errorf("pair %d: %s %s+%s, want %s %s+%s", i, p.Reason, p.Contacts[0].Name, p.Contacts[1].Name, w.reason, w.a, w.b)
		}
	}
}

// TestIntroMoves: an intro's status moves only along the allowed paths,
// compared and set, and the bad ones are Invalid naming status.
func TestIntroMoves(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	a := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "A"}, contacts.CreateOpts{}))
	b := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "B"}, contacts.CreateOpts{}))
	it, err := contacts.IntroInput{ContactIDs: []string{a.ID, b.ID}, Context: "both into Go", DoubleOptIn: true}.Check(clock)
	if err != nil {
		t.Fatal(err)
	}
	it.UserID = "u1"
	if err := s.CreateIntro(ctx, "u1", it); err != nil {
		t.Fatal(err)
	}
	outcome := "they met for coffee"
	for _, step := range []struct {
		patch     contacts.IntroPatch
		want, was string
		invalid   bool
	}{
		{contacts.IntroPatch{Status: "nonsense"}, "", "", true},
		{contacts.IntroPatch{Status: contacts.IntroAccepted}, contacts.IntroAccepted, contacts.IntroProposed, false},
		{contacts.IntroPatch{Status: contacts.IntroMade, Outcome: &outcome}, contacts.IntroMade, contacts.IntroAccepted, false},
		{contacts.IntroPatch{Status: contacts.IntroProposed}, "", "", true},
	} {
		got, was, err := s.MoveIntro(ctx, "u1", it.ID, step.patch)
		if step.invalid {
			if !apperr.Is(err, apperr.Invalid) || fieldsOf(err) != "status" {
				t.Fatalf("move %+v: %v, want Invalid naming status", step.patch, err)
			}
			continue
		}
		if err != nil || got.Status != step.want || was != step.was {
			t.Fatalf("move %+v: %v from %s (%v)", step.patch, got, was, err)
		}
	}
	if got := must[*contacts.Intro](t)(s.Store.Intro(ctx, "u1", it.ID)); got.Outcome != outcome {
		t.Fatalf("outcome %q", got.Outcome)
	}
	if _, _, err := s.MoveIntro(ctx, "u2", it.ID, contacts.IntroPatch{Status: contacts.IntroDeclined}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another user's move: %v", err)
	}
	ids := must[[]string](t)(s.DeleteIntrosOf(ctx, "u1", []string{a.ID}))
	if len(ids) != 1 || ids[0] != it.ID {
		t.Fatalf("deleted intros %v", ids)
	}
}

// TestInteractionsAndEncounters: interactions are checked (kind, time);
// giving at an event (volunteered, spoke) needs no contact;
// encounters are stored and removed by contact.
func TestInteractionsAndEncounters(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	c := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Ada"}, contacts.CreateOpts{}))
	for _, tc := range []struct {
		in    contacts.InteractionInput
		field string
	}{
		{contacts.InteractionInput{Kind: "telepathy"}, "kind"},
		{contacts.InteractionInput{Kind: "meeting", At: "yesterday"}, "at"},
	} {
		if _, err := s.CreateInteraction(ctx, "u1", c.ID, tc.in); !apperr.Is(err, apperr.Invalid) || fieldsOf(err) != tc.field {
			t.Errorf("%+v: %v, want Invalid naming %s", tc.in, err, tc.field)
		}
	}
	it := must[*contacts.Interaction](t)(s.CreateInteraction(ctx, "u1", c.ID, contacts.InteractionInput{Kind: "meeting", At: "2026-11-20T10:00:00Z", Notes: "talked Go"}))
	if it.ContactID != c.ID || !it.At.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("interaction %+v", it)
	}
	if page := must[*record.Page[contacts.Interaction]](t)(s.Store.Interactions(ctx, "u1", c.ID, 10, nil)); len(page.Items) != 1 {
		t.Fatalf("%d interactions with Ada", len(page.Items))
	}
	gave := must[*contacts.Interaction](t)(s.GiveAtEvent(ctx, "u1", "ev1", contacts.InteractionInput{Kind: contacts.Volunteered}))
	if gave.EventID != "ev1" || gave.ContactID != "" {
		t.Fatalf("given at the event: %+v", gave)
	}
	if _, err := s.GiveAtEvent(ctx, "u1", "ev1", contacts.InteractionInput{Kind: "meeting"}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a meeting with an event: %v", err)
	}
	enc := &contacts.Encounter{ID: record.NewID(), UserID: "u1", EventID: "ev1", ContactID: c.ID, MetAt: clock, Moment: "after_talk", Topics: []string{}}
	if err := s.CreateEncounter(ctx, "u1", enc); err != nil {
		t.Fatal(err)
	}
	if ids := must[[]string](t)(s.Store.ContactIDsAtEvent(ctx, "u1", "ev1")); len(ids) != 1 || ids[0] != c.ID {
		t.Fatalf("met at ev1: %v", ids)
	}
	gone := must[[]string](t)(s.DeleteEncountersOf(ctx, "u1", "contact_id", []string{c.ID}))
	if len(gone) != 1 || gone[0] != enc.ID {
		t.Fatalf("deleted encounters %v", gone)
	}
	if _, err := s.Store.DeleteEncounter(ctx, "u1", enc.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("deleting it again: %v", err)
	}
}

// TestCardExtraRules: what else a contact's card held (CardExtra) is kept
// through an API patch (it is not an API field), replaced by a card's
// update, bounded by MaxCardExtra, and taken into a merge by a contact
// whose card has none.
func TestCardExtraRules(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	const bday, photo = "BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:1815-12-10\r\nEND:VCARD\r\n", "BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO:x\r\nEND:VCARD\r\n"
	ada := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Ada"}, contacts.CreateOpts{CardExtra: bday}))
	for _, tc := range []struct {
		name  string
		patch string
		extra *string
		want  string
	}{
		{"an API patch keeps it", `{"title":"Countess"}`, nil, bday},
		{"a card's update replaces it", `{}`, ptr(photo), photo},
		{"a card with none clears it", `{}`, ptr(""), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := must[*contacts.Contact](t)(s.UpdateCard(ctx, "u1", ada.ID, []byte(tc.patch), tc.extra))
			if got := must[*contacts.Contact](t)(s.Store.Contact(ctx, "u1", ada.ID)); c.CardExtra != tc.want || got.CardExtra != tc.want {
				t.Fatalf("CardExtra %q (stored %q), want %q", c.CardExtra, got.CardExtra, tc.want)
			}
		})
	}
	if _, err := s.UpdateCard(ctx, "u1", ada.ID, []byte(`{}`), ptr(strings.Repeat("x", contacts.MaxCardExtra+1))); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("an extra over the bound: %v", err)
	}
	if _, err := s.Create(ctx, "u1", contacts.Input{Name: "Big"}, contacts.CreateOpts{CardExtra: strings.Repeat("x", contacts.MaxCardExtra+1)}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a new contact's extra over the bound: %v", err)
	}
	other := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Ada L."}, contacts.CreateOpts{CardExtra: photo}))
	cur := must[*contacts.Contact](t)(s.Store.Contact(ctx, "u1", ada.ID))
	if m := must[*contacts.Contact](t)(s.Merged(ctx, cur, other)); m.CardExtra != photo {
		t.Fatalf("merged into a card with none: %q", m.CardExtra)
	}
	withOwn := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Grace"}, contacts.CreateOpts{CardExtra: bday}))
	if m := must[*contacts.Contact](t)(s.Merged(ctx, withOwn, other)); m.CardExtra != bday {
		t.Fatalf("merged into a card with its own: %q", m.CardExtra)
	}
}

func ptr[T any](v T) *T { return &v }

// TestKnownSince: a contact is known since it was made — or since when it
// was met, if logged later; a touch from before moves it back, never
// forward; a patch sets it (not ahead of the clock); an import's row
// (LinkedIn's Connected On) dates the contacts it makes and moves back
// those it merges into, one ahead of the clock taken as now, one that is
// no date kept without it; a merge keeps the earlier.
func TestKnownSince(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	day := func(d string) time.Time { t, _ := time.Parse(time.DateOnly, d); return t.Add(12 * time.Hour) }
	ada := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Ada", Emails: []string{"ada@example.com"}}, contacts.CreateOpts{}))
	if !ada.KnownSince.Equal(clock) {
		t.Fatalf("a new contact is known since %v, want now (%v)", ada.KnownSince, clock)
	}
	metAt := clock.Add(-48 * time.Hour)
	bob := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Bob"}, contacts.CreateOpts{LastContactedAt: &metAt}))
	if !bob.KnownSince.Equal(metAt) {
		t.Fatalf("a contact made by an encounter logged two days late: known since %v, want %v", bob.KnownSince, metAt)
	}
	if c := must[*contacts.Contact](t)(s.Touch(ctx, "u1", ada.ID, clock.Add(-time.Hour))); !c.KnownSince.Equal(clock.Add(-time.Hour)) {
		t.Fatalf("a touch from an hour before: known since %v", c.KnownSince)
	}
	if c := must[*contacts.Contact](t)(s.Touch(ctx, "u1", ada.ID, clock.Add(time.Hour))); !c.KnownSince.Equal(clock.Add(-time.Hour)) {
		t.Fatalf("a later touch moved known since forward to %v", c.KnownSince)
	}
	if _, err := s.Update(ctx, "u1", ada.ID, []byte(`{"known_since": "2026-12-25"}`)); fieldsOf(err) != "known_since" {
		t.Fatalf("a known_since in the future: %v", err)
	}
	if _, err := s.Create(ctx, "u1", contacts.Input{Name: "Cy", KnownSince: "2099-01-01"}, contacts.CreateOpts{Prefix: "contact."}); fieldsOf(err) != "contact.known_since" {
		t.Fatalf("a new contact known since the future: %v", err)
	}
	if c := must[*contacts.Contact](t)(s.Update(ctx, "u1", ada.ID, []byte(`{"known_since": "2015-06-01"}`))); !c.KnownSince.Equal(day("2015-06-01")) {
		t.Fatalf("patched known_since: %v", c.KnownSince)
	}
	if c := must[*contacts.Contact](t)(s.Update(ctx, "u1", ada.ID, []byte(`{"title": "Countess"}`))); !c.KnownSince.Equal(day("2015-06-01")) {
		t.Fatalf("a patch of another field moved known_since to %v", c.KnownSince)
	}

	res := must[*contacts.ImportResult](t)(s.Import(ctx, "u1", "csv", feed([]contacts.Row{
		{Line: 2, Input: contacts.Input{Name: "Grace", Emails: []string{"grace@example.com"}, KnownSince: "2021-03-12"}},
		{Line: 3, Input: contacts.Input{Name: "Ada L.", Emails: []string{"ada@example.com"}, KnownSince: "2012-01-20"}},
		{Line: 4, Input: contacts.Input{Name: "Bob B.", Emails: []string{"bob@example.com"}, KnownSince: "2030-01-01"}},
		{Line: 5, Input: contacts.Input{Name: "Dot", KnownSince: "someday"}},
	})))
	if res.Created != 3 || res.Updated != 1 || errLines(res.Errors) != "5" || !strings.Contains(res.Errors[0].Message, "known_since") {
		t.Fatalf("import: %+v", res)
	}
	for email, want := range map[string]time.Time{"grace@example.com": day("2021-03-12"), "ada@example.com": day("2012-01-20"), "bob@example.com": clock} {
		if c := must[*contacts.Contact](t)(s.ByEmail(ctx, "u1", email)); !c.KnownSince.Equal(want) {
			t.Errorf("%s after the import: known since %v, want %v", email, c.KnownSince, want)
		}
	}
	dot := must[*record.Page[contacts.Contact]](t)(s.Store.Contacts(ctx, "u1", contacts.Filter{Q: "dot", Limit: 5}))
	if len(dot.Items) != 1 || !dot.Items[0].KnownSince.Equal(clock) {
		t.Fatalf("the row whose Connected On is no date: %+v", dot.Items)
	}

	grace := must[*contacts.Contact](t)(s.ByEmail(ctx, "u1", "grace@example.com"))
	ada = must[*contacts.Contact](t)(s.Store.Contact(ctx, "u1", ada.ID))
	if m := must[*contacts.Contact](t)(s.Merged(ctx, grace, ada)); !m.KnownSince.Equal(day("2012-01-20")) {
		t.Fatalf("Grace with Ada merged in: known since %v, want Ada's", m.KnownSince)
	}
	if m := must[*contacts.Contact](t)(s.Merged(ctx, ada, grace)); !m.KnownSince.Equal(day("2012-01-20")) {
		t.Fatalf("Ada with Grace merged in: known since %v, want her own", m.KnownSince)
	}
}
