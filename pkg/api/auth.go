package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// authenticate requires a valid bearer token and puts its user in the
// request's locals. Addresses that fail too often are refused for a while.
func (s *Server) authenticate(c *fiber.Ctx) error {
	ip := c.IP()
	if wait := s.AuthFails.Blocked(ip); wait > 0 {
		e := apperr.E(apperr.RateLimited, "too many failed authentication attempts; retry later")
		e.RetryAfter = ratelimit.RetryAfter(wait)
		return e
	}
	h := c.Get(fiber.HeaderAuthorization)
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		s.AuthFails.Fail(ip)
		return apperr.E(apperr.Unauthorized, "an Authorization: Bearer <token> header is required")
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u, _, err := s.Accounts.Authenticate(ctx, strings.TrimSpace(tok))
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			s.AuthFails.Fail(ip)
		}
		return err
	}
	SetUser(c, u)
	return c.Next()
}
