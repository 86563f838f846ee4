package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/record"
)

// OpenStamps opens a fresh, empty stamps store for one test.
type OpenStamps func(tb testing.TB) record.Stamps

// Stamps runs the record.Stamps contract against open.
func Stamps(t *testing.T, open OpenStamps) {
	ctx := context.Background()
	s := open(t)
	if nonce, at, err := s.Stamp(ctx, record.FeedStamp, "u1"); err != nil || nonce != "" || !at.IsZero() {
		t.Fatalf("untouched stamp: %q %v %v", nonce, at, err)
	}
	for i, nonce := range []string{"n1", "n2"} {
		if err := s.Touch(ctx, record.FeedStamp, "u1", nonce, clock.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	s.Touch(ctx, record.ContactsStamp, "u1", "c1", clock)
	if nonce, at, err := s.Stamp(ctx, record.FeedStamp, "u1"); err != nil || nonce != "n2" || !at.Equal(clock.Add(time.Minute)) {
		t.Fatalf("feed stamp: %q %v %v", nonce, at, err)
	}
	if nonce, _, _ := s.Stamp(ctx, record.ContactsStamp, "u1"); nonce != "c1" {
		t.Fatalf("contacts stamp: %q (kinds are apart)", nonce)
	}
	if nonce, _, _ := s.Stamp(ctx, record.FeedStamp, "u2"); nonce != "" {
		t.Fatalf("another user's stamp: %q", nonce)
	}
}
