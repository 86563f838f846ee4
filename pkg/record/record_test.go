package record_test

import (
	"encoding/hex"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/pkg/record"
)

// TestNewID: ids are 36 hex digits, unique, in time order by their first
// 12 digits (milliseconds), and their other 24 digits are random: every
// byte of them takes nearly every value over 10,000 ids (a counter or a
// per-process part, as ids had before, would not), so nobody can guess the
// next one.
func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	var values [12]map[byte]bool // the 12 random bytes
	for i := range values {
		values[i] = map[byte]bool{}
	}
	for range 10_000 {
		id := record.NewID()
		b, err := hex.DecodeString(id)
		if err != nil || len(b) != 18 {
			t.Fatalf("%q is not 36 hex digits: %v", id, err)
		}
		for i, v := range b[6:] {
			values[i][v] = true
		}
		if seen[id] {
			t.Fatalf("repeated id %q", id)
		}
		seen[id] = true
		if id[:12] < prev[:min(12, len(prev))] {
			t.Fatalf("ids go back in time: %s after %s", id, prev)
		}
		prev = id
	}
	for i, v := range values {
		if len(v) < 240 {
			t.Errorf("byte %d of the random part took %d values of 256", i+6, len(v))
		}
	}
}

// TestDistinct: each id once, in the order first seen; nothing in,
// nothing out.
func TestDistinct(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{nil, nil},
		{[]string{"a"}, []string{"a"}},
		{[]string{"b", "a", "b", "c", "a"}, []string{"b", "a", "c"}},
	} {
		if got := record.Distinct(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Distinct(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
