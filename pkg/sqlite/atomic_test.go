package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
)

// TestWork: the stores of a unit of work join one transaction; a failed
// call inside is undone alone (a savepoint), so a handled Conflict leaves
// nothing of its attempt, reads see the unit's own writes, and an error
// from fn rolls everything back.
func TestWork(t *testing.T) {
	db := MustOpen(t)
	svc := contacts.New(&sqlite.Contacts{DB: db})
	ctx := t.Context()
	err := db.Work(ctx, func(ctx context.Context, tx crm.Tx) error {
		in := contacts.New(tx.Stores().Contacts)
		ada, err := in.Create(ctx, "u1", contacts.Input{Name: "Ada", Emails: []string{"ada@example.com"}, Tags: []string{"go"}}, contacts.CreateOpts{})
		if err != nil {
			return err
		}
		if _, err := in.Store.Contact(ctx, "u1", ada.ID); err != nil {
			return err // the unit's own write must be visible
		}
		if _, err := svc.Store.Contact(ctx, "u1", ada.ID); !apperr.Is(err, apperr.NotFound) {
			return fmt.Errorf("outside the unit, its write before it commits: %v, want NotFound", err)
		}
		_, err = in.Create(ctx, "u1", contacts.Input{Name: "Ada again", Emails: []string{"grace@example.com", "ada@example.com"}, Tags: []string{"rust"}}, contacts.CreateOpts{})
		if !apperr.Is(err, apperr.Conflict) {
			return errors.New("want a Conflict for the second Ada")
		}
		_, err = in.Create(ctx, "u1", contacts.Input{Name: "Grace", Emails: []string{"grace@example.com"}}, contacts.CreateOpts{})
		return err // grace@ is free: the failed attempt's key was undone
	})
	if err != nil {
		t.Fatal(err)
	}
	page, err := svc.Store.Contacts(ctx, "u1", contacts.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 {
		t.Fatalf("%d contacts committed, want Ada and Grace", len(page.Items))
	}
	if tagged, _ := svc.Store.Contacts(ctx, "u1", contacts.Filter{Tag: "rust", Limit: 10}); len(tagged.Items) != 0 {
		t.Fatal("the failed attempt's tag was committed")
	}

	boom := errors.New("boom")
	err = db.Work(ctx, func(ctx context.Context, tx crm.Tx) error {
		if _, err := contacts.New(tx.Stores().Contacts).Create(ctx, "u1", contacts.Input{Name: "Alan", Emails: []string{"alan@example.com"}}, contacts.CreateOpts{}); err != nil {
			return err
		}
		tx.OnFail(func(context.Context) error { return errors.New("SQLite rolls back; it runs no undo") })
		return tx.Stores().Update(ctx, func(context.Context, crm.Tx) error { return boom }) // nested: joins the outer one
	})
	if !errors.Is(err, boom) || err.Error() != "boom" {
		t.Fatalf("err = %v, want boom alone", err)
	}
	if page, _ := svc.Store.Contacts(ctx, "u1", contacts.Filter{Limit: 10}); len(page.Items) != 2 {
		t.Fatalf("%d contacts after a rolled-back unit, want 2", len(page.Items))
	}
}

// TestGroupCommit: writes that arrive together share a commit, yet each
// is its own: a failing one (or one that panics) is undone alone, and the
// others are all there.
func TestGroupCommit(t *testing.T) {
	db := MustOpen(t)
	svc := contacts.New(&sqlite.Contacts{DB: db})
	ctx := t.Context()
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	const n = 48
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &contacts.Contact{ID: fmt.Sprintf("c%02d", i), UserID: "u1", Name: fmt.Sprintf("P %02d", i), CreatedAt: now, UpdatedAt: now}
			errs <- db.Update(ctx, func(tx *sqlite.Tx) error {
				if err := tx.CreateContact(ctx, c); err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return errors.New("refused after writing")
				case 2:
					panic("a bug after writing")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
		}
	}
	if failed != n/2 {
		t.Fatalf("%d writes failed, want %d", failed, n/2)
	}
	page, err := svc.Store.Contacts(ctx, "u1", contacts.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != n/2 {
		t.Fatalf("%d contacts committed, want %d", len(page.Items), n/2)
	}
	for _, c := range page.Items {
		var i int
		fmt.Sscanf(c.ID, "c%d", &i)
		if i%4 == 1 || i%4 == 2 {
			t.Errorf("contact %s of a failed write was committed", c.ID)
		}
	}
}

// TestWritesAfterClose: a write after Close is refused, not hung.
func TestWritesAfterClose(t *testing.T) {
	db, err := sqlite.Open(t.Context(), sqlitetest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	err = db.Update(t.Context(), func(*sqlite.Tx) error { return nil })
	if !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("write after Close: %v", err)
	}
}

// TestWritesHonourTheirContext: a write waiting for its turn leaves when
// its context ends, and the store goes on serving writes. A write inside a
// unit of work through the store itself rather than the unit's stores (it
// would queue behind the very job running it; it used to block every
// writer for ever) is refused at once with the unit's context, and leaves
// at its deadline with a context that lost it.
func TestWritesHonourTheirContext(t *testing.T) {
	db, err := sqlite.Open(t.Context(), sqlitetest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Work(t.Context(), func(ctx context.Context, _ crm.Tx) error {
		return db.Update(ctx, func(*sqlite.Tx) error { return nil })
	})
	if !apperr.Is(err, apperr.Internal) {
		t.Fatalf("a write around its unit of work: %v, want Internal", err)
	}
	done := make(chan error, 1)
	go func() {
		done <- db.Work(t.Context(), func(context.Context, crm.Tx) error {
			lost, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond) // not the unit's
			defer cancel()
			return db.Update(lost, func(*sqlite.Tx) error { return nil })
		})
	}()
	select {
	case err := <-done:
		if !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("a write queued behind its own unit: %v, want Unavailable", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a write made inside a unit of work around it never returned (the store is deadlocked)")
	}
	svc := contacts.New(&sqlite.Contacts{DB: db})
	if _, err := svc.Create(t.Context(), "u1", contacts.Input{Name: "Ada"}, contacts.CreateOpts{}); err != nil {
		t.Fatalf("a write after it: %v", err)
	}
}
