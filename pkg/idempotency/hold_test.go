package idempotency_test

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/idempotency"
)

// TestHoldRenewed: a hold lives as long as its holder, however long that
// is past its ttl, because the holder renews it; one whose holder ended
// without releasing it (as a process that died) lapses after its ttl;
// and a holder whose hold was taken from it (its renewals failing for a
// ttl) is told by its context. On both engines, in real time (a ttl of a
// second).
func TestHoldRenewed(t *testing.T) {
	const ttl = time.Second
	ctx := t.Context()
	s := idempotency.New(enginetest.Open(t).Idempotency)
	busy := func(what string) {
		t.Helper()
		if _, _, err := s.Hold(ctx, "u1", "restore", "busy", ttl); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("%s: %v; want busy", what, err)
		}
	}

	held, release, err := s.Hold(ctx, "u1", "restore", "busy", ttl)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * ttl)
	busy("a hold held three times its ttl")
	if held.Err() != nil {
		t.Fatal("a renewed hold's context ended")
	}
	if _, r, err := s.Hold(ctx, "u2", "restore", "busy", ttl); err != nil {
		t.Fatalf("another user's hold: %v", err)
	} else {
		r()
	}
	release()
	if held.Err() == nil {
		t.Fatal("a released hold's context goes on")
	}
	_, release, err = s.Hold(ctx, "u1", "restore", "busy", ttl)
	if err != nil {
		t.Fatalf("a hold after the release: %v", err)
	}
	release()

	// Its holder ended without a release: kept until its ttl passes.
	dead, die := context.WithCancel(ctx)
	if _, _, err := s.Hold(dead, "u1", "restore", "busy", ttl); err != nil {
		t.Fatal(err)
	}
	die()
	busy("a dead holder's hold at once")
	time.Sleep(ttl + ttl/2)
	_, release, err = s.Hold(ctx, "u1", "restore", "busy", ttl)
	if err != nil {
		t.Fatalf("a dead holder's hold after its ttl: %v", err)
	}
	release()

	// Taken from its holder (every record purged, as when the hold was not
	// renewed for a ttl and another claimed it): its context ends.
	held, release, err = s.Hold(ctx, "u1", "restore", "busy", ttl)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, err := s.Records.Purge(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held.Done():
	case <-time.After(3 * ttl):
		t.Fatal("a hold taken away: its holder's context goes on")
	}
}
