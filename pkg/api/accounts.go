package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/accounts"
)

func (s *Server) registerAccountRoutes() {
	v1 := s.v1
	v1.Get("/me", s.handleMeGet)
	v1.Patch("/me", s.handleMePatch)
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

func (s *Server) handleMeGet(c *fiber.Ctx) error {
	return c.JSON(user(c))
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
