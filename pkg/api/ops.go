package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

func (s *Server) registerOpsRoutes() {
	s.App.Get("/healthz", s.handleHealthz)
	s.App.Get("/readyz", s.handleReadyz)
	s.App.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{})))
}

// handleHealthz answers while the process serves requests.
func (s *Server) handleHealthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// handleReadyz answers 200 when the store reads and writes, else 503.
func (s *Server) handleReadyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		// Unreachable or damaged, the answer for a load balancer is the same.
		if apperr.KindOf(err) != apperr.Unavailable {
			err = apperr.Wrap(apperr.Unavailable, err, "the store cannot read and write")
		}
		return err
	}
	return c.JSON(fiber.Map{"status": "ok", "store": s.StoreKind})
}
