package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/followup"
)

func (s *Server) registerFollowupRoutes() {
	s.v1.Get("/followups", s.handleFollowupList)
	s.v1.Post("/followups", s.handleFollowupCreate)
	s.v1.Get("/followups/:id", s.handleFollowupGet)
	s.v1.Patch("/followups/:id", s.handleFollowupPatch)
	s.v1.Post("/followups/:id/done", s.handleFollowupDone)
	s.v1.Post("/followups/:id/snooze", s.handleFollowupSnooze)
	s.v1.Delete("/followups/:id", s.handleFollowupDelete)
	s.v1.Post("/followups/stale", s.handleFollowupDropStale)
}

// dropStale is POST /v1/followups/stale's body: the due time the stale
// follow-ups dropped are before (at most, and by default, a month ago).
type dropStale struct {
	Before string `json:"before"`
}

// handleFollowupDropStale cancels, after time away, the follow-ups of
// meetings, intros and events a month overdue or more
// (followup.DropStaleAsked), and says how many, and whether it stopped at
// the most one call drops.
func (s *Server) handleFollowupDropStale(c *fiber.Ctx) error {
	var in dropStale
	if len(c.Body()) > 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	n, more, err := s.CRM.Followups.DropStaleAsked(ctx, user(c).ID, in.Before)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"dropped": n, "more": more})
}

func (s *Server) handleFollowupList(c *fiber.Ctx) error {
	f := followup.Filter{Status: c.Query("status"), ContactID: c.Query("contact_id"), EventID: c.Query("event_id")}
	if f.Status != "" {
		if err := followup.CheckStatus(f.Status, false); err != nil {
			return err
		}
	}
	var err error
	if f.Limit, f.Cursor, err = listParams(c); err != nil {
		return err
	}
	if f.DueBefore, err = timeParam(c, "due_before"); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	page, err := s.CRM.Followups.List(ctx, user(c).ID, f)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (s *Server) handleFollowupCreate(c *fiber.Ctx) error {
	var in followup.CustomInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	f, err := s.CRM.CreateFollowup(ctx, user(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f)
}

func (s *Server) handleFollowupGet(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	f, err := s.CRM.Followups.Get(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(f)
}

func (s *Server) handleFollowupPatch(c *fiber.Ctx) error {
	var p followup.Patch
	if err := decode(c, &p); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	f, err := s.CRM.Followups.Update(ctx, user(c).ID, c.Params("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(f)
}

func (s *Server) handleFollowupDone(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	f, err := s.CRM.Followups.MarkDone(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(f)
}

func (s *Server) handleFollowupSnooze(c *fiber.Ctx) error {
	var in struct {
		Until *string `json:"until"`
		Days  *int    `json:"days"`
	}
	if len(c.Body()) > 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	f, err := s.CRM.Followups.Snooze(ctx, user(c), c.Params("id"), in.Until, in.Days)
	if err != nil {
		return err
	}
	return c.JSON(f)
}

func (s *Server) handleFollowupDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if _, err := s.CRM.Followups.Cancel(ctx, user(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
