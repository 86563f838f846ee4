package api

import (
	"context"
	"io"

	"github.com/gofiber/fiber/v2"
	"github.com/rapport-crm/rapport/pkg/crm"
)

// handleAttendeesImport reads an event's guest list (PRODUCT.md §11): CSV
// as Luma, Meetup or Eventbrite export it, or JSON; at most
// MaxGuestListBody, read as a bounded stream.
func (s *Server) handleAttendeesImport(c *fiber.Ctx) error {
	var res *crm.AttendeeImport
	err := s.bulk(c, "a guest list is being imported into this account", func(ctx context.Context) error {
		body, err := io.ReadAll(bodyReader(c, MaxGuestListBody, importTimeout))
		if err != nil {
			return err
		}
		res, err = s.CRM.ImportAttendees(ctx, user(c), c.Params("id"), c.Get(fiber.HeaderContentType), body)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// handleEventPrep briefs the user before an event (PRODUCT.md §11).
func (s *Server) handleEventPrep(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	p, err := s.CRM.Prep(ctx, user(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// handleAttendees lists an event's guest list, a page at a time, by name.
func (s *Server) handleAttendees(c *fiber.Ctx) error {
	limit, cur, err := listParams(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	page, err := s.CRM.GuestList(ctx, user(c).ID, c.Params("id"), limit, cur)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// handleAttendeeDelete takes one person off an event's guest list.
func (s *Server) handleAttendeeDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.CRM.DeleteAttendee(ctx, user(c).ID, c.Params("id"), c.Params("aid")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
