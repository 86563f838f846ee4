// Package ratelimit holds the limiter on failed sign-ins shared by every
// interface that authenticates.
package ratelimit

import (
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
// so an attacker cannot spread guesses across them.
type Failures struct {
	mu    sync.Mutex
	limit int
	span  time.Duration
	now   func() time.Time
	m     map[string]*failWindow
}

type failWindow struct {
	start time.Time
	n     int
}

// NewFailures allows limit failures per key per window.
func NewFailures(limit int, window time.Duration, now func() time.Time) *Failures {
	return &Failures{limit: limit, span: window, now: now, m: map[string]*failWindow{}}
}

// Blocked returns how long key must wait, or 0.
func (l *Failures) Blocked(key string) time.Duration {
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
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.m) > 100_000 { // bound memory under a spray of addresses
		for k, w := range l.m {
			if now.Sub(w.start) >= l.span {
				delete(l.m, k)
			}
		}
	}
	w := l.m[key]
	if w == nil || now.Sub(w.start) >= l.span {
		w = &failWindow{start: now}
		l.m[key] = w
	}
	w.n++
}

// RetryAfter is the whole seconds a client is told to wait (Retry-After)
// for a block of wait: always at least one, never less than wait.
func RetryAfter(wait time.Duration) int { return int(wait/time.Second) + 1 }
