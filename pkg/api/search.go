package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/search"
)

func (s *Server) registerSearchRoutes() {
	s.v1.Get("/search", s.handleSearch)
}

// handleSearch is GET /v1/search?q=&types=&limit= (PRODUCT.md §9).
func (s *Server) handleSearch(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	in := crm.SearchInput{}
	var err error
	if in.Q, err = textParam(c, "q", input.MaxShort); err != nil {
		return err
	}
	if in.Types, err = textParam(c, "types", input.MaxShort); err != nil {
		return err
	}
	if v := c.Query("limit"); v != "" {
		if in.Limit, err = strconv.Atoi(v); err != nil || in.Limit < 1 {
			return apperr.InvalidField("limit", "must be a whole number from 1 to %d", search.MaxLimit)
		}
	}
	hits, err := s.CRM.Search(ctx, user(c).ID, in)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": hits})
}
