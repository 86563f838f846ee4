// Package ratelimit holds the limiter on failed sign-ins shared by every
// interface that authenticates, and the bound on the connections each
// listener keeps open (conns.go).
package ratelimit

import (
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Defaults: failed authentications allowed per client address per window.
const (
	AuthFailLimit  = 20
	AuthFailWindow = time.Minute
)

// Failures counts failed attempts per key (a client address) in fixed
// windows; the API, the phone pages and every other sign-in path share one,
// so an attacker cannot spread guesses across them. An IPv6 address counts
// as its /64, the block one client is given: each of its addresses a key
// of its own, one machine could make as many as it liked.
type Failures struct {
	mu    sync.Mutex
	limit int
	span  time.Duration
	now   func() time.Time
	m     map[string]*failWindow
	// sweepAt is the number of keys at which Fail next removes the
	// windows that have ended: twice what the last sweep left, so a spray
	// of live keys is swept a few times, not on every failure.
	sweepAt int
}

// minSweep is the fewest keys at which a sweep is worth it.
const minSweep = 100_000

type failWindow struct {
	start time.Time
	n     int
}

// NewFailures allows limit failures per key per window.
func NewFailures(limit int, window time.Duration, now func() time.Time) *Failures {
	return &Failures{limit: limit, span: window, now: now, m: map[string]*failWindow{}, sweepAt: minSweep}
}

// Client is the key a client counts under (failures, connections): an
// IPv6 address's /64, any other key as it is.
func Client(key string) string {
	a, err := netip.ParseAddr(key)
	if err != nil || !a.Is6() || a.Is4In6() {
		return key
	}
	p, _ := a.Prefix(64) // an IPv6 address has 128 bits: no error
	return p.String()
}

// Blocks are address blocks, such as the trusted proxies', which carry
// many clients and so are not counted as one.
type Blocks []netip.Prefix

// Contain reports whether a (IPv4-mapped or not) is in one of the blocks.
func (bs Blocks) Contain(a netip.Addr) bool {
	a = a.Unmap()
	for _, b := range bs {
		if b.Contains(a) {
			return true
		}
	}
	return false
}

// Blocked returns how long key must wait, or 0.
func (l *Failures) Blocked(key string) time.Duration {
	key = Client(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.m[key]
	if w == nil || w.n < l.limit {
		return 0
	}
	left := l.span - l.now().Sub(w.start)
	if left <= 0 {
		delete(l.m, key)
		return 0
	}
	return left
}

// Fail counts one failure for key.
func (l *Failures) Fail(key string) {
	key = Client(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.m) >= l.sweepAt { // bound memory under a spray of addresses
		for k, w := range l.m {
			if now.Sub(w.start) >= l.span {
				delete(l.m, k)
			}
		}
		l.sweepAt = max(minSweep, 2*len(l.m))
	}
	w := l.m[key]
	if w == nil || now.Sub(w.start) >= l.span {
		w = &failWindow{start: now}
		// A copy: the caller's string may point into memory that is
		// reused (Fiber's request buffers), and the map keeps its keys.
		l.m[strings.Clone(key)] = w
	}
	w.n++
}

// RetryAfter is the whole seconds a client is told to wait (Retry-After)
// for a block of wait: always at least one, never less than wait.
func RetryAfter(wait time.Duration) int { return int(wait/time.Second) + 1 }
