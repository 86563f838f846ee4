package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/insights"
)

func (s *Server) registerContactRoutes() {
	s.v1.Post("/contacts", s.handleContactCreate)
	s.v1.Get("/contacts", s.handleContactList)
	// Registered before /contacts/:id so "duplicates" is not an id.
	s.v1.Get("/contacts/duplicates", s.handleContactDuplicates)
	s.v1.Get("/contacts/:id", s.handleContactGet)
	s.v1.Patch("/contacts/:id", s.handleContactPatch)
	s.v1.Delete("/contacts/:id", s.handleContactDelete)
	s.v1.Get("/contacts/:id/encounters", s.handleContactEncounters)
	s.v1.Post("/contacts/:id/interactions", s.handleInteractionCreate)
	s.v1.Get("/contacts/:id/interactions", s.handleInteractionList)
	s.v1.Delete("/interactions/:id", s.handleInteractionDelete)
	s.v1.Post("/contacts/:id/merge", s.handleContactMerge)
}

// handleContactMerge is POST /v1/contacts/{id}/merge {other_id}: other_id
// is merged into id and deleted; the answer is the merged contact.
func (s *Server) handleContactMerge(c *fiber.Ctx) error {
	var in struct {
		OtherID string `json:"other_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	ct, err := s.CRM.MergeContacts(ctx, user(c), c.Params("id"), in.OtherID)
	if err != nil {
		return err
	}
	return c.JSON(ct)
}

func (s *Server) handleContactCreate(c *fiber.Ctx) error {
	var in contacts.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	ct, err := s.CRM.CreateContact(ctx, user(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ct)
}

func (s *Server) handleContactList(c *fiber.Ctx) error {
	var f contacts.Filter
	var err error
	if f.Limit, f.Cursor, err = listParams(c); err != nil {
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
	u := user(c)
	if eventID := c.Query("event_id"); eventID != "" {
		if _, err := s.CRM.Events.Store.Event(ctx, u.ID, eventID); err != nil {
			return err
		}
		if f.IDs, err = s.CRM.Contacts.Store.ContactIDsAtEvent(ctx, u.ID, eventID); err != nil {
			return err
		}
		page, err := s.CRM.Contacts.Store.Contacts(ctx, u.ID, f)
		if err != nil {
			return err
		}
		return c.JSON(page)
	}
	page, err := s.CRM.Contacts.Store.Contacts(ctx, u.ID, f)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (s *Server) handleContactGet(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	ct, err := s.CRM.Contacts.Store.Contact(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	rec, err := s.CRM.Reciprocity(ctx, user(c).ID, ct.ID)
	if err != nil {
		return err
	}
	// The contact and what you gave each other (PRODUCT.md §11), on this
	// answer only: lists do not count it for every row.
	return c.JSON(struct {
		*contacts.Contact
		Reciprocity insights.Reciprocity `json:"reciprocity"`
	}{ct, rec})
}

func (s *Server) handleContactPatch(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	ct, err := s.CRM.UpdateContact(ctx, user(c), c.Params("id"), body)
	if err != nil {
		return err
	}
	return c.JSON(ct)
}

func (s *Server) handleContactDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.CRM.DeleteContact(ctx, user(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleContactEncounters(c *fiber.Ctx) error {
	f := contacts.EncounterFilter{ContactID: c.Params("id")}
	var err error
	if f.Limit, f.Cursor, err = listParams(c); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	ct, err := s.CRM.Contacts.Store.Contact(ctx, u.ID, f.ContactID)
	if err != nil {
		return err
	}
	page, err := s.CRM.Contacts.Store.Encounters(ctx, u.ID, f)
	if err != nil {
		return err
	}
	for i := range page.Items {
		page.Items[i].ContactName = ct.Name
	}
	return c.JSON(page)
}

func (s *Server) handleInteractionCreate(c *fiber.Ctx) error {
	var in contacts.InteractionInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	it, err := s.CRM.LogInteraction(ctx, user(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(it)
}

// handleInteractionDelete is DELETE /v1/interactions/{id}: one logged by
// mistake goes (see crm.Service.DeleteInteraction).
func (s *Server) handleInteractionDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if _, err := s.CRM.DeleteInteraction(ctx, user(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleInteractionList(c *fiber.Ctx) error {
	limit, cur, err := listParams(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	id := c.Params("id")
	if _, err := s.CRM.Contacts.Store.Contact(ctx, u.ID, id); err != nil {
		return err
	}
	page, err := s.CRM.Contacts.Store.Interactions(ctx, u.ID, id, limit, cur)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// handleContactDuplicates lists groups of contacts that may be one person.
func (s *Server) handleContactDuplicates(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	pairs, err := s.CRM.Duplicates(ctx, user(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": pairs})
}
