package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// authenticate requires a valid bearer token and puts its user in the
// request's locals; a read then waits for one of the user's turns
// (TakeRequest). Addresses that fail too often are refused for a while.
func (s *Server) authenticate(c *fiber.Ctx) error {
	return s.signedIn(c, ratelimit.Reads(c.Method()))
}

// authenticateCalls is authenticate for /mcp, where every request takes
// a turn: POST carries each of an assistant's calls, most of them reads
// (a search, a brief, the insights) that need a core as a GET does.
func (s *Server) authenticateCalls(c *fiber.Ctx) error { return s.signedIn(c, true) }

// signedIn is authenticate, the request waiting for one of the user's
// turns when turn is set.
func (s *Server) signedIn(c *fiber.Ctx, turn bool) error {
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
	if !turn {
		return c.Next()
	}
	release, err := takeTurn(c, s.Requests, u.ID, requestWait, tooManyRunning)
	if err != nil {
		return err
	}
	defer release()
	return c.Next()
}

// tooManyRunning says why a request did not get one of its user's turns.
const tooManyRunning = "this account has too many requests running at once; try again once they have finished"

// requestWait bounds how long a request waits for one of its user's
// turns (Deps.Requests; a variable for tests).
var requestWait = ratelimit.ReadWait

// TakeRequest waits (at most requestWait) for one of the user's turns at
// running a read (ratelimit.Reads); RateLimited when none comes. The
// pages and the API take them for every request a user signed in to
// sends.
func TakeRequest(c *fiber.Ctx, turns *ratelimit.Turns, userID string) (release func(), err error) {
	if !ratelimit.Reads(c.Method()) {
		return func() {}, nil
	}
	return takeTurn(c, turns, userID, requestWait, tooManyRunning)
}
