package sqlite_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/sqlite"
)

// TestAtomic: store calls made with Atomic's context join one transaction;
// a failed call inside is undone alone (a savepoint), so a handled
// Conflict leaves nothing of its attempt, reads see the transaction's own
// writes, and an error from fn rolls everything back.
func TestAtomic(t *testing.T) {
	db := MustOpen(t)
	svc := contacts.New(&sqlite.Contacts{DB: db})
	ctx := t.Context()
	var ada *contacts.Contact
	err := db.Atomic(ctx, func(ctx context.Context) error {
		var err error
		if ada, err = svc.Create(ctx, "u1", contacts.Input{Name: "Ada", Emails: []string{"ada@example.com"}, Tags: []string{"go"}}, contacts.CreateOpts{}); err != nil {
			return err
		}
		if _, err := svc.Get(ctx, "u1", ada.ID); err != nil {
			return err // the transaction's own write must be visible
		}
		_, err = svc.Create(ctx, "u1", contacts.Input{Name: "Ada again", Emails: []string{"grace@example.com", "ada@example.com"}, Tags: []string{"rust"}}, contacts.CreateOpts{})
		if !apperr.Is(err, apperr.Conflict) {
			return errors.New("want a Conflict for the second Ada")
		}
		_, err = svc.Create(ctx, "u1", contacts.Input{Name: "Grace", Emails: []string{"grace@example.com"}}, contacts.CreateOpts{})
		return err // grace@ is free: the failed attempt's key was undone
	})
	if err != nil {
		t.Fatal(err)
	}
	page, err := svc.List(ctx, "u1", contacts.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 {
		t.Fatalf("%d contacts committed, want Ada and Grace", len(page.Items))
	}
	if tagged, _ := svc.List(ctx, "u1", contacts.Filter{Tag: "rust", Limit: 10}); len(tagged.Items) != 0 {
		t.Fatal("the failed attempt's tag was committed")
	}

	boom := errors.New("boom")
	err = db.Atomic(ctx, func(ctx context.Context) error {
		if _, err := svc.Create(ctx, "u1", contacts.Input{Name: "Alan", Emails: []string{"alan@example.com"}}, contacts.CreateOpts{}); err != nil {
			return err
		}
		return db.Atomic(ctx, func(context.Context) error { return boom }) // nested: joins the outer one
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if page, _ := svc.List(ctx, "u1", contacts.Filter{Limit: 10}); len(page.Items) != 2 {
		t.Fatalf("%d contacts after a rolled-back Atomic, want 2", len(page.Items))
	}
}
