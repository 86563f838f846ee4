package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

func (s *Server) registerAccountRoutes() {
	v1 := s.v1
	v1.Get("/me", s.handleMeGet)
	v1.Patch("/me", s.handleMePatch)
	v1.Delete("/me", s.handleMeDelete)
	v1.Post("/me/inbound/rotate", s.handleInboundRotate)
	v1.Put("/me/password", s.handlePasswordSet)
	v1.Get("/me/card.png", s.handleCardPNG)
	v1.Post("/me/card/rotate", s.handleCardRotate)
	v1.Post("/tokens", s.handleTokenCreate)
	v1.Get("/tokens", s.handleTokenList)
	v1.Delete("/tokens/:id", s.handleTokenDelete)
}

// SignupResponse is the body of a successful sign-up.
type SignupResponse struct {
	User  *accounts.User `json:"user"`
	Token string         `json:"token"`
}

func (s *Server) handleSignup(c *fiber.Ctx) error {
	var in accounts.SignupInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u, tok, err := s.Accounts.Signup(ctx, in, s.OpenSignup)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(SignupResponse{User: u, Token: tok.Token})
}

// MeView is GET /v1/me: the user, and the address for logging email by
// BCC when inbound mail is on (shown in full when it is made; masked after).
type MeView struct {
	*accounts.User
	InboundEmail string `json:"inbound_email,omitempty"`
	// InboundShown says whether inbound_email is the full address.
	InboundShown *bool `json:"inbound_email_shown,omitempty"`
}

func (s *Server) handleMeGet(c *fiber.Ctx) error {
	u := user(c)
	if s.InboundDomain == "" {
		return c.JSON(u)
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	addr, shown, err := s.Accounts.InboundEmail(ctx, u.ID, s.InboundDomain)
	if err != nil {
		return err
	}
	return c.JSON(MeView{User: u, InboundEmail: addr, InboundShown: &shown})
}

// handleInboundRotate makes a new inbound address (shown this once); the
// old one stops working.
func (s *Server) handleInboundRotate(c *fiber.Ctx) error {
	if s.InboundDomain == "" {
		return apperr.E(apperr.Conflict, "logging email by BCC is off on this server (CRM_INBOUND_ADDR is not set)")
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	addr, err := s.Accounts.RotateInbound(ctx, user(c).ID, s.InboundDomain)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"inbound_email": addr})
}

func (s *Server) handleMePatch(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u, err := s.CRM.UpdateSettings(ctx, s.Accounts, user(c).ID, body)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// CardQRSize is the side of the card's QR code in pixels: sharp on a
// phone screen held up to another phone's camera.
const CardQRSize = 480

// handleCardPNG answers the user's card as a QR code for the event it is
// shown at (?event_id=); the code holds the card URL with an opaque
// reference to the event.
func (s *Server) handleCardPNG(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	png, url, err := s.CRM.CardQR(ctx, user(c), s.BaseURL, c.Query("event_id"), CardQRSize)
	if err != nil {
		return err
	}
	c.Set("Cache-Control", "private, no-cache")
	c.Set("X-Card-URL", url)
	c.Type("png")
	return c.Send(png)
}

// handleCardRotate gives the card a new id: its old URL and QR codes answer
// 404 from now on.
func (s *Server) handleCardRotate(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u, err := s.Accounts.RotateCard(ctx, user(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (s *Server) handleTokenCreate(c *fiber.Ctx) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	t, err := s.Accounts.CreateToken(ctx, user(c).ID, in.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(t)
}

func (s *Server) handleTokenList(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	ts, err := s.Accounts.Tokens(ctx, user(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": ts})
}

func (s *Server) handleTokenDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.Accounts.DeleteToken(ctx, user(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// handlePasswordSet sets the password for signing in on the phone. A
// wrong current password counts as a failed sign-in.
func (s *Server) handlePasswordSet(c *fiber.Ctx) error {
	return passwordAsked(s, c, "current_password", func(ctx context.Context, in *accounts.PasswordInput) error {
		return s.Accounts.SetPassword(ctx, user(c).ID, *in)
	})
}

// handleMeDelete deletes the account and everything in it (DELETE /v1/me
// {confirm, password}): 204, and the token that asked signs nothing in
// any more. A wrong password counts as a failed sign-in.
func (s *Server) handleMeDelete(c *fiber.Ctx) error {
	return passwordAsked(s, c, "password", func(ctx context.Context, in *accounts.DeleteInput) error {
		return backup.DeleteAccount(ctx, s.Accounts, s.Idempotency, user(c), *in, s.Logger)
	})
}

// passwordAsked answers a change that asks for the account's password
// again (field names it in the body T): it is a sign-in, refused while
// the client's address has failed too many, and a wrong password (do's
// Unauthorized) counts as a failed one (403 naming field); 204 when done.
func passwordAsked[T any](s *Server, c *fiber.Ctx, field string, do func(ctx context.Context, in *T) error) error {
	ip := c.IP()
	if wait := s.AuthFails.Blocked(ip); wait > 0 {
		e := apperr.E(apperr.RateLimited, "too many failed sign-ins; retry later")
		e.RetryAfter = ratelimit.RetryAfter(wait)
		return e
	}
	var in T
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	err := do(ctx, &in)
	if apperr.Is(err, apperr.Unauthorized) {
		s.AuthFails.Fail(ip)
		e := apperr.E(apperr.Forbidden, "%s is wrong", field)
		e.Fields = []apperr.FieldError{{Field: field, Message: "is wrong"}}
		return e
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
