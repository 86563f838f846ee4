package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/contacts"
)

func (s *Server) registerIntroRoutes() {
	s.v1.Post("/intros", s.handleIntroCreate)
	s.v1.Get("/intros", s.handleIntroList)
	s.v1.Get("/intros/:id", s.handleIntroGet)
	s.v1.Patch("/intros/:id", s.handleIntroPatch)
}

func (s *Server) handleIntroCreate(c *fiber.Ctx) error {
	var in contacts.IntroInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	it, err := s.CRM.CreateIntro(ctx, user(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(it)
}

func (s *Server) handleIntroList(c *fiber.Ctx) error {
	f := contacts.IntroFilter{ContactID: c.Query("contact_id"), Status: c.Query("status")}
	var err error
	if f.Limit, f.Cursor, err = listParams(c); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	page, err := s.CRM.Contacts.Store.Intros(ctx, user(c).ID, f)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (s *Server) handleIntroGet(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	it, err := s.CRM.Contacts.Store.Intro(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (s *Server) handleIntroPatch(c *fiber.Ctx) error {
	var p contacts.IntroPatch
	if err := decode(c, &p); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	it, err := s.CRM.MoveIntro(ctx, user(c), c.Params("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(it)
}
