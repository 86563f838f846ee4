package ratelimit

import (
	"fmt"
	"testing"
	"time"
	"unsafe"
)

// TestFailuresPerClient: a client is its address, or its IPv6 /64; other
// keys (a card's id) count as they are.
func TestFailuresPerClient(t *testing.T) {
	now := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	l := NewFailures(2, time.Minute, func() time.Time { return now })
	l.Fail("2001:db8:1:2::1")
	l.Fail("2001:db8:1:2:ffff::9")
	for _, tc := range []struct {
		key     string
		blocked bool
	}{
		{"2001:db8:1:2::77", true},  // the same /64
		{"2001:db8:1:3::1", false},  // the next one
		{"::ffff:192.0.2.1", false}, // an IPv4 address, as IPv6
		{"192.0.2.1", false},
		{"01a2b3c4", false}, // not an address: a key as it is
	} {
		if got := l.Blocked(tc.key) > 0; got != tc.blocked {
			t.Errorf("Blocked(%q) = %v, want %v", tc.key, got, tc.blocked)
		}
	}
	l.Fail("192.0.2.1")
	l.Fail("192.0.2.2")
	if l.Blocked("192.0.2.1") > 0 {
		t.Errorf("two IPv4 addresses share a budget")
	}
	now = now.Add(time.Minute)
	if l.Blocked("2001:db8:1:2::1") > 0 {
		t.Errorf("still blocked after the window")
	}
}

// TestFailuresSweptRarely: under a spray of addresses still in their
// window, the map is swept when it has doubled, not on every failure (a
// sweep walks every key under the lock that every sign-in takes); the
// windows that ended are swept away.
func TestFailuresSweptRarely(t *testing.T) {
	now := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	l := NewFailures(20, time.Minute, func() time.Time { return now })
	sweeps, last := 0, l.sweepAt
	for i := range 3 * minSweep {
		l.Fail(fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255))
		if l.sweepAt != last {
			sweeps, last = sweeps+1, l.sweepAt
		}
	}
	if sweeps > 2 || l.sweepAt <= len(l.m) {
		t.Fatalf("%d sweeps for %d live keys, the next at %d keys: want at most 2, the next ahead", sweeps, len(l.m), l.sweepAt)
	}
	now = now.Add(time.Minute)
	fresh := 0
	for len(l.m) < l.sweepAt {
		l.Fail(fmt.Sprintf("2001:db8:%x::1", fresh))
		fresh++
	}
	l.Fail("192.0.2.1")
	if len(l.m) != fresh+1 {
		t.Fatalf("%d keys after a sweep, want the %d still in their window", len(l.m), fresh+1)
	}
}

// TestFailuresKeepTheirKeys: a key whose memory the caller reuses (as
// Fiber reuses a request's) still counts under what it said.
func TestFailuresKeepTheirKeys(t *testing.T) {
	l := NewFailures(1, time.Minute, time.Now)
	buf := []byte("ada@example.com")
	l.Fail(unsafe.String(&buf[0], len(buf)))
	copy(buf, "eve@example.com")
	if l.Blocked("ada@example.com") == 0 {
		t.Fatal("the failure was lost when the key's memory was reused")
	}
	if l.Blocked("eve@example.com") != 0 {
		t.Fatal("the failure moved to what the key's memory says now")
	}
}
