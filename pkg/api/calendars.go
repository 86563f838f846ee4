package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
)

func (s *Server) registerCalendarRoutes() {
	s.v1.Post("/calendars", s.handleCalendarCreate)
	s.v1.Get("/calendars", s.handleCalendarList)
	s.v1.Get("/calendars/:id", s.handleCalendarGet)
	s.v1.Delete("/calendars/:id", s.handleCalendarDelete)
	s.v1.Post("/calendars/:id/sync", s.handleCalendarSync)
}

// CalendarSyncResponse is the answer to a manual sync.
type CalendarSyncResponse struct {
	Calendar *events.Calendar   `json:"calendar"`
	Result   *events.SyncResult `json:"result"`
}

func (s *Server) handleCalendarCreate(c *fiber.Ctx) error {
	var in events.CalendarInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	cal, err := s.Importer.CreateCalendar(ctx, user(c).ID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cal)
}

func (s *Server) handleCalendarList(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	cals, err := s.CRM.Events.Store.Calendars(ctx, user(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": cals})
}

func (s *Server) handleCalendarGet(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	cal, err := s.CRM.Events.Store.Calendar(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(cal)
}

func (s *Server) handleCalendarDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.CRM.Events.Store.DeleteCalendar(ctx, user(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// handleCalendarSync syncs now. A feed that cannot be fetched or parsed is a
// 422 whose detail says why (also kept as the calendar's last_error).
func (s *Server) handleCalendarSync(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	cal, err := s.CRM.Events.Store.Calendar(ctx, u.ID, c.Params("id"))
	if err != nil {
		return err
	}
	res, err := s.Importer.Sync(ctx, cal, u.Timezone)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			var ae *apperr.Error
			errors.As(err, &ae)
			return &apperr.Error{Kind: apperr.Invalid, Message: ae.Message, Fields: []apperr.FieldError{{Field: "url", Message: cal.LastError}}}
		}
		return err
	}
	return c.JSON(CalendarSyncResponse{Calendar: cal, Result: res})
}
