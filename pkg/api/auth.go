package api

import (
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// Failed authentications allowed per client address per window.
const (
	authFailLimit  = 20
	authFailWindow = time.Minute
)

// authenticate requires a valid bearer token and puts its user in the
// request's locals. Addresses that fail too often are refused for a while.
func (s *Server) authenticate(c *fiber.Ctx) error {
	ip := c.IP()
	if wait := s.authFails.blocked(ip); wait > 0 {
		e := apperr.E(apperr.RateLimited, "too many failed authentication attempts; retry later")
		e.RetryAfter = int(wait/time.Second) + 1
		return e
	}
	h := c.Get(fiber.HeaderAuthorization)
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		s.authFails.fail(ip)
		return apperr.E(apperr.Unauthorized, "an Authorization: Bearer <token> header is required")
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u, _, err := s.Accounts.Authenticate(ctx, strings.TrimSpace(tok))
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			s.authFails.fail(ip)
		}
		return err
	}
	c.Locals(localUser, u)
	return c.Next()
}

// failLimiter counts failures per key in fixed windows.
type failLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	m      map[string]*failWindow
}

type failWindow struct {
	start time.Time
	n     int
}

func newFailLimiter(limit int, window time.Duration, now func() time.Time) *failLimiter {
	return &failLimiter{limit: limit, window: window, now: now, m: map[string]*failWindow{}}
}

// blocked returns how long key must wait, or 0.
func (l *failLimiter) blocked(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.m[key]
	if w == nil || w.n < l.limit {
		return 0
	}
	left := l.window - l.now().Sub(w.start)
	if left <= 0 {
		delete(l.m, key)
		return 0
	}
	return left
}

func (l *failLimiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.m) > 100_000 { // bound memory under a spray of addresses
		for k, w := range l.m {
			if now.Sub(w.start) >= l.window {
				delete(l.m, k)
			}
		}
	}
	w := l.m[key]
	if w == nil || now.Sub(w.start) >= l.window {
		w = &failWindow{start: now}
		l.m[key] = w
	}
	w.n++
}
