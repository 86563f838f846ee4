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
	page, err := svc.List(ctx, "u1", contacts.Filter{Limit: 100})
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
	db, err := sqlite.Open(t.Context(), t.TempDir())
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
// its context ends — also one made inside Atomic with a context that lost
// the transaction, which queues behind the very job running it (it used to
// block every writer for ever) — and the store goes on serving writes.
func TestWritesHonourTheirContext(t *testing.T) {
	db, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- db.Atomic(t.Context(), func(context.Context) error {
			lost, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond) // no transaction in it
			defer cancel()
			return db.Update(lost, func(*sqlite.Tx) error { return nil })
		})
	}()
	select {
	case err := <-done:
		if !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("a write queued behind its own Atomic: %v, want Unavailable", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a write made inside Atomic without its transaction never returned (the store is deadlocked)")
	}
	defer db.Close()
	svc := contacts.New(&sqlite.Contacts{DB: db})
	if _, err := svc.Create(t.Context(), "u1", contacts.Input{Name: "Ada"}, contacts.CreateOpts{}); err != nil {
		t.Fatalf("a write after it: %v", err)
	}
}
