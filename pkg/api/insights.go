package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/crm"
)

func (s *Server) registerInsightRoutes() {
	s.v1.Get("/insights", s.handleInsights)
}

func (s *Server) handleInsights(c *fiber.Ctx) error {
	from, err := timeParam(c, "from")
	if err != nil {
		return err
	}
	to, err := timeParam(c, "to")
	if err != nil {
		return err
	}
	now := s.Now()
	f, t, err := crm.InsightWindow(from, to, now)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	ins, err := s.CRM.Insights(ctx, user(c), f, t)
	if err != nil {
		return err
	}
	return c.JSON(ins)
}
