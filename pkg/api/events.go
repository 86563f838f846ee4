package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/input"
)

func (s *Server) registerEventRoutes() {
	s.v1.Post("/events", s.handleEventCreate)
	s.v1.Get("/events", s.handleEventList)
	s.v1.Get("/events/:id", s.handleEventGet)
	s.v1.Get("/events/:id/review", s.handleEventReview)
	s.v1.Get("/events/:id/prep", s.handleEventPrep)
	s.v1.Post("/events/:id/giving", s.handleEventGiving)
	s.v1.Post("/events/:id/attendees/import", s.handleAttendeesImport)
	s.v1.Get("/events/:id/attendees", s.handleAttendees)
	s.v1.Delete("/events/:id/attendees/:aid", s.handleAttendeeDelete)
	s.v1.Patch("/events/:id", s.handleEventPatch)
	s.v1.Delete("/events/:id", s.handleEventDelete)
	s.v1.Post("/events/:id/encounters", s.handleEncounterCreate)
	s.v1.Get("/events/:id/encounters", s.handleEventEncounters)
	s.v1.Delete("/encounters/:id", s.handleEncounterDelete)
}

func (s *Server) handleEventCreate(c *fiber.Ctx) error {
	var in events.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	e, err := s.CRM.CreateEvent(ctx, u, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

func (s *Server) handleEventList(c *fiber.Ctx) error {
	var f events.Filter
	var err error
	if f.Limit, f.Cursor, err = listParams(c); err != nil {
		return err
	}
	if f.From, err = timeParam(c, "from"); err != nil {
		return err
	}
	if f.To, err = timeParam(c, "to"); err != nil {
		return err
	}
	if f.Tag, err = textParam(c, "tag", input.MaxTagLen); err != nil {
		return err
	}
	if f.Q, err = textParam(c, "q", input.MaxName); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	page, err := s.CRM.Events.Store.Events(ctx, user(c).ID, f)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (s *Server) handleEventGet(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	e, err := s.CRM.Events.Store.Event(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(e)
}

// handleEventReview answers what an event came to (PRODUCT.md §11).
func (s *Server) handleEventReview(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	r, err := s.CRM.Review(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// handleEventGiving records what you gave an event: volunteered or spoke
// (PRODUCT.md §11).
func (s *Server) handleEventGiving(c *fiber.Ctx) error {
	var in contacts.InteractionInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	it, err := s.CRM.GiveAtEvent(ctx, user(c).ID, c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(it)
}

func (s *Server) handleEventPatch(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	e, err := s.CRM.UpdateEvent(ctx, user(c), c.Params("id"), body)
	if err != nil {
		return err
	}
	return c.JSON(e)
}

func (s *Server) handleEventDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.CRM.DeleteEvent(ctx, user(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleEncounterCreate(c *fiber.Ctx) error {
	var in contacts.EncounterInput
	if err := decode(c, &in); err != nil {
		return err
	}
	in.MetNow = true // met_at defaults to now (PRODUCT.md)
	ctx, cancel := s.ctx(c)
	defer cancel()
	res, err := s.CRM.LogEncounter(ctx, user(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(res)
}

func (s *Server) handleEventEncounters(c *fiber.Ctx) error {
	f := contacts.EncounterFilter{EventID: c.Params("id")}
	var err error
	if f.Limit, f.Cursor, err = listParams(c); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	if _, err := s.CRM.Events.Store.Event(ctx, u.ID, f.EventID); err != nil {
		return err
	}
	page, err := s.CRM.Contacts.Store.Encounters(ctx, u.ID, f)
	if err != nil {
		return err
	}
	ids := make([]string, len(page.Items))
	for i, e := range page.Items {
		ids[i] = e.ContactID
	}
	names, err := s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, ids)
	if err != nil {
		return err
	}
	for i, e := range page.Items {
		if ct := names[e.ContactID]; ct != nil {
			page.Items[i].ContactName = ct.Name
		}
	}
	return c.JSON(page)
}

func (s *Server) handleEncounterDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.CRM.DeleteEncounter(ctx, user(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
