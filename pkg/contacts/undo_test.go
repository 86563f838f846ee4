package contacts_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// TestAdditionTakeOut: what an import added (Added of the contact before
// and after it) taken out of the contact as it is at the undo — as it was
// after the import, or changed since — leaves what was there before and
// what was changed since.
func TestAdditionTakeOut(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2020, 1, d, 12, 0, 0, 0, time.UTC) }
	extra := "BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:1815-12-10\r\nEND:VCARD\r\n"
	before := contacts.Contact{ID: "c1", Name: "Ada", Emails: []string{"ada@example.com"}, Tags: []string{"math"},
		Company: "Acme", CompanyID: "acme", KnownSince: day(20)}
	after := before
	after.Emails = []string{"ada@example.com", "Ada@Engine.org"}
	after.Phones = []string{"+44 1"}
	after.Tags = []string{"math", "engines"}
	after.Title, after.LinkedInURL, after.Notes, after.CadenceDays = "Countess", "https://www.linkedin.com/in/ada", "From LinkedIn.", 30
	after.KnownSince, after.CardExtra = day(10), extra
	for _, tc := range []struct {
		name  string
		since func(c *contacts.Contact) // what changed between the import and the undo
		want  string
	}{
		{"Unchanged", func(*contacts.Contact) {},
			"[ada@example.com] [] [math] Acme acme    0 2020-01-20 false"},
		{"EditedSince", func(c *contacts.Contact) {
			c.Emails = append(c.Emails, "ada@home.org")
			c.Tags = []string{"ENGINES", "math", "poetry"} // the import's tag, written again in capitals
			c.Title, c.Notes, c.CadenceDays = "Analyst", "Wrote the first program.", 14
			c.CardExtra = extra + "NOTE:x\r\n" // the phone's card since
		}, "[ada@example.com ada@home.org] [] [math poetry] Acme acme Analyst  Wrote the first program. 14 2020-01-20 true"},
		{"MetEarlierSince", func(c *contacts.Contact) { c.KnownSince = day(1) },
			"[ada@example.com] [] [math] Acme acme    0 2020-01-01 false"},
		{"RemovedSince", func(c *contacts.Contact) { c.Emails, c.Phones, c.Tags = []string{"ada@engine.org"}, nil, nil },
			"[] [] [] Acme acme    0 2020-01-20 false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := contacts.Added(&before, &after)
			a.ExtraSum = contacts.ExtraSum(after.CardExtra) // what the import says when it filled the card
			c := after
			c.Emails, c.Phones, c.Tags = append([]string(nil), c.Emails...), append([]string(nil), c.Phones...), append([]string(nil), c.Tags...)
			tc.since(&c)
			a.TakeOut(&c, &before)
			got := fmt.Sprintf("%v %v %v %s %s %s %s %s %d %s %t", c.Emails, c.Phones, c.Tags, c.Company, c.CompanyID, c.Title, c.LinkedInURL, c.Notes,
				c.CadenceDays, c.KnownSince.Format(time.DateOnly), c.CardExtra != "")
			if got != tc.want {
				t.Errorf("after the undo:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
	t.Run("CompanyLinked", func(t *testing.T) {
		was := contacts.Contact{ID: "c1", Name: "Ada", KnownSince: day(20)}
		now := was
		now.Company, now.CompanyID = "Acme", "acme"
		a := contacts.Added(&was, &now)
		if a.Company != "Acme" || a.CompanyID != "acme" || a.KnownSince != nil || len(a.Emails) != 0 {
			t.Fatalf("added %+v", a)
		}
		moved := now
		moved.Company, moved.CompanyID = "Globex", "globex" // the user moved them since
		a.TakeOut(&moved, &was)
		if moved.Company != "Globex" || moved.CompanyID != "globex" {
			t.Errorf("a company given since: %q %q", moved.Company, moved.CompanyID)
		}
		a.TakeOut(&now, &was)
		if now.Company != "" || now.CompanyID != "" {
			t.Errorf("the import's company: %q %q, want none", now.Company, now.CompanyID)
		}
	})
}

// TestImportKeepsWhatItAdded: an import whose two rows merge into one
// contact keeps, for its undo, all that the two added — from the contact
// as it was before the first.
func TestImportKeepsWhatItAdded(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	ada := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Ada", Emails: []string{"ada@example.com"}}, contacts.CreateOpts{}))
	rows := []contacts.Row{
		{Line: 2, Input: contacts.Input{Name: "Ada", Emails: []string{"ada@example.com", "ada@engine.org"}}},
		{Line: 3, Input: contacts.Input{Name: "Ada", Emails: []string{"ada@example.com", "ada@home.org"}, Title: "Countess"}},
	}
	res := must[*contacts.ImportResult](t)(s.Import(ctx, "u1", "csv", feed(rows)))
	if res.Updated != 2 || res.ImportID == "" {
		t.Fatalf("import: %+v", res)
	}
	im := must[*contacts.Import](t)(s.Store.Import(ctx, "u1", res.ImportID))
	if len(im.Before) != 1 || len(im.Added) != 1 {
		t.Fatalf("the record: %d before, %d added", len(im.Before), len(im.Added))
	}
	if a := im.Added[0]; a.ID != ada.ID || fmt.Sprint(a.Emails) != "[ada@engine.org ada@home.org]" || a.Title != "Countess" {
		t.Fatalf("added %+v", a)
	}
}

// lastWriteLost is a real contacts store on which an import's last write
// of its record, as done, is lost (the process died just before it).
type lastWriteLost struct{ contacts.Store }

func (s lastWriteLost) UpdateImport(ctx context.Context, im *contacts.Import) error {
	if im.State == contacts.ImportDone {
		return apperr.E(apperr.Unavailable, "the process died")
	}
	return s.Store.UpdateImport(ctx, im)
}

// TestImportRecordsWhatItAddsAgain: an import merging again into a
// contact it merged into before writes its record at its next chunk, so
// that an import cut short after it undoes both. The record kept only
// what the first merge added until it was next written for other reasons.
func TestImportRecordsWhatItAddsAgain(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	contacts.SetImportChunk(t, 2)
	ada := must[*contacts.Contact](t)(s.Create(ctx, "u1", contacts.Input{Name: "Ada", Emails: []string{"ada@example.com"}}, contacts.CreateOpts{}))
	s.Store = lastWriteLost{s.Store}
	var read atomic.Int64
	_, err := s.Import(ctx, "u1", "csv", rowsOf(10, &read, func(i int, r *contacts.Row) {
		switch i {
		case 0: // the first chunk
			r.Input = contacts.Input{Name: "Ada", Emails: []string{"ada@example.com", "ada@engine.org"}}
		case 6: // the fourth, after which the record has ids planned for the last
			r.Input = contacts.Input{Name: "Ada", Emails: []string{"ada@example.com", "ada@home.org"}}
		}
	}))
	if err == nil {
		t.Fatal("the import's last write was lost, and it said nothing")
	}
	page := must[*record.Page[contacts.Import]](t)(s.Store.Imports(ctx, "u1", 1, nil))
	if len(page.Items) != 1 {
		t.Fatalf("%d imports", len(page.Items))
	}
	im := must[*contacts.Import](t)(s.Store.Import(ctx, "u1", page.Items[0].ID))
	if len(im.Added) != 1 || im.Added[0].ID != ada.ID || fmt.Sprint(im.Added[0].Emails) != "[ada@engine.org ada@home.org]" {
		t.Fatalf("the record as last written: %+v", im.Added)
	}
}
