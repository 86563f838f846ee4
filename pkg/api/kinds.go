package api

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/kinds"
)

// registerKindRoutes gives each kind the server keeps (pkg/kinds) the same
// five routes under /v1/<name>: create, list newest first, get, merge
// patch and delete. It panics for a kind whose name a route has already
// (a mistake in the code, found when the server starts).
func (s *Server) registerKindRoutes() {
	if s.CRM == nil { // a test's server of no workflows
		return
	}
	for _, k := range s.CRM.Kinds {
		base := "/v1/" + k.Name()
		for _, r := range s.App.GetRoutes() {
			if r.Path == base || strings.HasPrefix(r.Path, base+"/") {
				panic(fmt.Sprintf("api: the kind %q would take the route %s", k.Name(), r.Path))
			}
		}
		path := "/" + k.Name()
		s.v1.Post(path, s.kindCreate(k))
		s.v1.Get(path, s.kindList(k))
		s.v1.Get(path+"/:id", s.kindGet(k))
		s.v1.Patch(path+"/:id", s.kindPatch(k))
		s.v1.Delete(path+"/:id", s.kindDelete(k))
	}
}

func (s *Server) kindCreate(k kinds.Any) fiber.Handler {
	return func(c *fiber.Ctx) error {
		body, err := jsonBody(c)
		if err != nil {
			return err
		}
		ctx, cancel := s.ctx(c)
		defer cancel()
		x, err := k.Create(ctx, s.CRM.Docs, user(c).ID, body, s.Now())
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(x)
	}
}

func (s *Server) kindList(k kinds.Any) fiber.Handler {
	return func(c *fiber.Ctx) error {
		limit, cur, err := listParams(c)
		if err != nil {
			return err
		}
		ctx, cancel := s.ctx(c)
		defer cancel()
		page, err := k.List(ctx, s.CRM.Docs, user(c).ID, limit, cur)
		if err != nil {
			return err
		}
		return c.JSON(page)
	}
}

func (s *Server) kindGet(k kinds.Any) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := s.ctx(c)
		defer cancel()
		x, err := k.Get(ctx, s.CRM.Docs, user(c).ID, c.Params("id"))
		if err != nil {
			return err
		}
		return c.JSON(x)
	}
}

func (s *Server) kindPatch(k kinds.Any) fiber.Handler {
	return func(c *fiber.Ctx) error {
		body, err := jsonBody(c)
		if err != nil {
			return err
		}
		ctx, cancel := s.ctx(c)
		defer cancel()
		x, err := k.Patch(ctx, s.CRM.Docs, user(c).ID, c.Params("id"), body, s.Now())
		if err != nil {
			return err
		}
		return c.JSON(x)
	}
}

func (s *Server) kindDelete(k kinds.Any) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := s.ctx(c)
		defer cancel()
		if err := k.Delete(ctx, s.CRM.Docs, user(c).ID, c.Params("id")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
