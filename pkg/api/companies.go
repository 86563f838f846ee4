package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/input"
)

func (s *Server) registerCompanyRoutes() {
	s.v1.Post("/companies", s.handleCompanyCreate)
	s.v1.Get("/companies", s.handleCompanyList)
	s.v1.Get("/companies/:id", s.handleCompanyGet)
	s.v1.Patch("/companies/:id", s.handleCompanyPatch)
	s.v1.Delete("/companies/:id", s.handleCompanyDelete)
	s.v1.Get("/companies/:id/people", s.handleCompanyPeople)
	s.v1.Get("/companies/:id/paths", s.handleCompanyPaths)
}

// handleCompanyPaths ranks the warm paths into a company.
func (s *Server) handleCompanyPaths(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	paths, err := s.CRM.WarmPaths(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": paths})
}

func (s *Server) handleCompanyCreate(c *fiber.Ctx) error {
	var in companies.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	co, err := s.CRM.Companies.Create(ctx, user(c).ID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(co)
}

func (s *Server) handleCompanyList(c *fiber.Ctx) error {
	var q companies.Query
	var err error
	if q.Limit, q.Cursor, err = listParams(c); err != nil {
		return err
	}
	if q.Q, err = textParam(c, "q", input.MaxName); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	page, err := s.CRM.Companies.Store.Companies(ctx, user(c).ID, q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (s *Server) handleCompanyGet(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	co, err := s.CRM.Companies.Store.Company(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(co)
}

func (s *Server) handleCompanyPatch(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	co, err := s.CRM.Companies.Update(ctx, user(c).ID, c.Params("id"), body)
	if err != nil {
		return err
	}
	return c.JSON(co)
}

func (s *Server) handleCompanyDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.CRM.DeleteCompany(ctx, user(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// handleCompanyPeople lists who the user knows at a company, each with how
// they met.
func (s *Server) handleCompanyPeople(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	limit, cur, err := listParams(c)
	if err != nil {
		return err
	}
	people, err := s.CRM.CompanyPeople(ctx, user(c).ID, c.Params("id"), cur, limit)
	if err != nil {
		return err
	}
	return c.JSON(people)
}
