package accounts_test

import (
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
)

// TestDeleteAsksTwice: deleting an account wants its email typed again
// and, once it has one, its password; a wrong one is Unauthorized and
// deletes nothing.
func TestDeleteAsksTwice(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	u, _ := signup(t, s, "ada@example.com", true)
	for _, c := range []struct {
		name string
		in   accounts.DeleteInput
		kind apperr.Kind
	}{
		{"nothing typed", accounts.DeleteInput{}, apperr.Invalid},
		{"another email", accounts.DeleteInput{Confirm: "bob@example.com"}, apperr.Invalid},
	} {
		if err := s.Delete(ctx, u, c.in); apperr.KindOf(err) != c.kind {
			t.Errorf("%s: %v, want %s", c.name, err, c.kind)
		}
	}
	if err := s.SetPassword(ctx, u.ID, accounts.PasswordInput{Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		in   accounts.DeleteInput
		kind apperr.Kind
	}{
		{"no password", accounts.DeleteInput{Confirm: "ada@example.com"}, apperr.Invalid},
		{"a wrong one", accounts.DeleteInput{Confirm: "ada@example.com", Password: "wrong horse battery"}, apperr.Unauthorized},
		{"past bcrypt's 72 bytes", accounts.DeleteInput{Confirm: "ada@example.com", Password: "correct horse battery" + string(make([]byte, 60))}, apperr.Unauthorized},
	} {
		if err := s.Delete(ctx, u, c.in); apperr.KindOf(err) != c.kind {
			t.Errorf("%s: %v, want %s", c.name, err, c.kind)
		}
	}
	if _, err := s.User(ctx, u.ID); err != nil {
		t.Fatalf("a refused deletion deleted: %v", err)
	}
	if err := s.Delete(ctx, u, accounts.DeleteInput{Confirm: "ADA@example.com ", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.User(ctx, u.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("deleted user: %v", err)
	}
}

// TestPurgeDeletedFinishes: a deletion whose purge never ran (the process
// ended right after it) is purged by PurgeDeleted, the hourly upkeep,
// which keeps the note for StillWriting (work in flight at the deletion
// may still write) and forgets it after.
func TestPurgeDeletedFinishes(t *testing.T) {
	s, now := newService(t)
	ctx := t.Context()
	ada, _ := signup(t, s, "ada@example.com", true)
	signup(t, s, "bob@example.com", true)
	if err := s.Delete(ctx, ada, accounts.DeleteInput{Confirm: "ada@example.com"}); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.Store.DeletedUsers(ctx); err != nil || len(ids) != 1 {
		t.Fatalf("waiting to be purged: %v, %v", ids, err)
	}
	if n, err := s.PurgeDeleted(ctx); err != nil || n != 1 {
		t.Fatalf("PurgeDeleted = %d, %v", n, err)
	}
	if ids, err := s.Store.DeletedUsers(ctx); err != nil || len(ids) != 1 {
		t.Fatalf("within the hour the note stays: %v, %v", ids, err)
	}
	*now = now.Add(accounts.StillWriting + time.Minute)
	if n, err := s.PurgeDeleted(ctx); err != nil || n != 1 {
		t.Fatalf("PurgeDeleted an hour on = %d, %v", n, err)
	}
	if ids, err := s.Store.DeletedUsers(ctx); err != nil || len(ids) != 0 {
		t.Fatalf("an hour on the note is forgotten: %v, %v", ids, err)
	}
	if n, err := s.PurgeDeleted(ctx); err != nil || n != 0 {
		t.Fatalf("nothing left: %d, %v", n, err)
	}
}
