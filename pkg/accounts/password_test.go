package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
)

// TestSignInsWaitTheirTurn: a password is hashed only with a turn free
// (at most half the cores hash at once); a sign-in that cannot get one
// before its context ends is Unavailable, not a failed sign-in, and one
// that waits gets in once a turn is free.
func TestSignInsWaitTheirTurn(t *testing.T) {
	s, _ := newService(t)
	ada, _ := signup(t, s, "ada@example.com", true)
	const password = "correct horse battery"
	if err := s.SetPassword(t.Context(), ada.ID, accounts.PasswordInput{Password: password}); err != nil {
		t.Fatal(err)
	}
	for range cap(accounts.Hashing) {
		accounts.Hashing <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond) // how long it waits, not a measure
	defer cancel()
	if _, err := s.CheckPassword(ctx, "ada@example.com", password); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("CheckPassword with every turn taken: %v, want Unavailable", err)
	}
	if err := s.SetPassword(ctx, ada.ID, accounts.PasswordInput{Password: "another long one", CurrentPassword: password}); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("SetPassword with every turn taken: %v, want Unavailable", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.CheckPassword(context.Background(), "ada@example.com", password)
		done <- err
	}()
	<-accounts.Hashing
	if err := <-done; err != nil {
		t.Fatalf("CheckPassword once a turn was free: %v", err)
	}
	for range cap(accounts.Hashing) - 1 {
		<-accounts.Hashing
	}
}
