package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/idempotency"
)

// OpenIdempotency opens a fresh, empty idempotency store for one test.
type OpenIdempotency func(tb testing.TB) idempotency.Records

// Idempotency runs the idempotency.Records contract against open.
func Idempotency(t *testing.T, open OpenIdempotency) {
	ctx := context.Background()
	t.Run("ClaimCompleteRelease", func(t *testing.T) {
		s := open(t)
		r := &idempotency.Record{ID: "u1:k1", UserID: "u1", Fingerprint: "fp", CreatedAt: clock}
		if old, err := s.Claim(ctx, r); err != nil || old != nil {
			t.Fatalf("first claim: %+v, %v", old, err)
		}
		again := &idempotency.Record{ID: "u1:k1", UserID: "u1", Fingerprint: "fp", CreatedAt: clock.Add(time.Second)}
		old, err := s.Claim(ctx, again)
		if err != nil || old == nil || old.Done || old.Fingerprint != "fp" || !old.CreatedAt.Equal(clock) {
			t.Fatalf("second claim: %+v, %v; want the pending first", old, err)
		}
		if err := s.Complete(ctx, "u1", "u1:k1", 201, "application/json", []byte(`{"id":"x"}`), clock.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := s.Complete(ctx, "u1", "u1:k1", 500, "text/plain", []byte("later"), clock.Add(2*time.Second)); err != nil {
			t.Fatal(err)
		}
		old, err = s.Claim(ctx, again)
		if err != nil || old == nil || !old.Done || old.Status != 201 || string(old.Body) != `{"id":"x"}` || old.ContentType != "application/json" {
			t.Fatalf("after completion: %+v, %v; want the first response", old, err)
		}
		// Releasing another claim's time leaves it.
		if err := s.Release(ctx, "u1:k1", clock.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if old, _ := s.Claim(ctx, again); old == nil {
			t.Fatal("a release of another claim removed this one")
		}
		if err := s.Release(ctx, "u1:k1", clock); err != nil {
			t.Fatal(err)
		}
		if old, err := s.Claim(ctx, again); err != nil || old != nil {
			t.Fatalf("after release: %+v, %v; want a new claim", old, err)
		}
		// A claim without a response can be released by id alone.
		if err := s.Release(ctx, "u1:k1", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if old, _ := s.Claim(ctx, r); old != nil {
			t.Fatalf("after an abort: %+v", old)
		}
	})
	t.Run("Renew", func(t *testing.T) {
		s := open(t)
		r := &idempotency.Record{ID: "u1:hold:x", UserID: "u1", Fingerprint: "hold x", CreatedAt: clock}
		if old, err := s.Claim(ctx, r); err != nil || old != nil {
			t.Fatalf("claim: %+v, %v", old, err)
		}
		later := clock.Add(time.Minute)
		if ok, err := s.Renew(ctx, r.ID, clock, later); err != nil || !ok {
			t.Fatalf("renewing the claim: %v, %v", ok, err)
		}
		if old, _ := s.Claim(ctx, r); old == nil || !old.CreatedAt.Equal(later) {
			t.Fatalf("the renewed claim: %+v; want it made at %v", old, later)
		}
		// By the time it was made before: another claim's, not renewed.
		if ok, err := s.Renew(ctx, r.ID, clock, later.Add(time.Minute)); err != nil || ok {
			t.Fatalf("renewing by an old time: %v, %v", ok, err)
		}
		if old, _ := s.Claim(ctx, r); old == nil || !old.CreatedAt.Equal(later) {
			t.Fatalf("after a refused renewal: %+v", old)
		}
		if err := s.Release(ctx, r.ID, later); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Renew(ctx, r.ID, later, later.Add(time.Minute)); err != nil || ok {
			t.Fatalf("renewing a released claim: %v, %v", ok, err)
		}
		if ok, err := s.Renew(ctx, "u2:hold:x", later, later.Add(time.Minute)); err != nil || ok {
			t.Fatalf("renewing what was never claimed: %v, %v", ok, err)
		}
	})
	t.Run("Purge", func(t *testing.T) {
		s := open(t)
		for i, at := range []time.Time{clock.Add(-48 * time.Hour), clock.Add(-25 * time.Hour), clock} {
			s.Claim(ctx, &idempotency.Record{ID: "u1:p" + string(rune('a'+i)), UserID: "u1", Fingerprint: "f", CreatedAt: at})
		}
		n, err := s.Purge(ctx, clock.Add(-24*time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("Purge=%d, %v; want 2", n, err)
		}
		if old, _ := s.Claim(ctx, &idempotency.Record{ID: "u1:pc", UserID: "u1", Fingerprint: "f", CreatedAt: clock}); old == nil {
			t.Fatal("a fresh record was purged")
		}
	})
}
