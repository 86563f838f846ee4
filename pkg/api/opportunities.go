package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/opportunities"
)

func (s *Server) registerOpportunityRoutes() {
	s.v1.Post("/opportunities", s.handleOpportunityCreate)
	s.v1.Get("/opportunities", s.handleOpportunityList)
	s.v1.Get("/opportunities/:id", s.handleOpportunityGet)
	s.v1.Patch("/opportunities/:id", s.handleOpportunityPatch)
	s.v1.Delete("/opportunities/:id", s.handleOpportunityDelete)
}

func (s *Server) handleOpportunityCreate(c *fiber.Ctx) error {
	var in opportunities.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	o, err := s.CRM.CreateOpportunity(ctx, user(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(o)
}

// handleOpportunityList lists opportunities, newest first, by stage,
// company or contact (source or recruiter); a company or contact that is
// not the user's is a 404 naming the parameter.
func (s *Server) handleOpportunityList(c *fiber.Ctx) error {
	var q opportunities.Query
	var err error
	if q.Limit, q.Cursor, err = listParams(c); err != nil {
		return err
	}
	q.Stage, q.CompanyID, q.ContactID = c.Query("stage"), c.Query("company_id"), c.Query("contact_id")
	if q.Stage != "" && !opportunities.IsStage(q.Stage) {
		return apperr.InvalidField("stage", "must be one of %v", opportunities.Stages)
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	if q.CompanyID != "" {
		if _, err := s.CRM.Companies.Store.Company(ctx, u.ID, q.CompanyID); err != nil {
			return notFoundParam(err, "company_id")
		}
	}
	if q.ContactID != "" {
		if _, err := s.CRM.Contacts.Store.Contact(ctx, u.ID, q.ContactID); err != nil {
			return notFoundParam(err, "contact_id")
		}
	}
	page, err := s.CRM.Opportunities.Opportunities(ctx, u.ID, q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// notFoundParam names the query parameter of a 404.
func notFoundParam(err error, name string) error {
	if apperr.Is(err, apperr.NotFound) {
		return &apperr.Error{Kind: apperr.NotFound, Message: name + " names nothing of yours", Fields: []apperr.FieldError{{Field: name, Message: "not found"}}}
	}
	return err
}

func (s *Server) handleOpportunityGet(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	o, err := s.CRM.GetOpportunity(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(o)
}

func (s *Server) handleOpportunityPatch(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	o, err := s.CRM.UpdateOpportunity(ctx, user(c), c.Params("id"), body)
	if err != nil {
		return err
	}
	return c.JSON(o)
}

func (s *Server) handleOpportunityDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.CRM.DeleteOpportunity(ctx, user(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
