package api

import (
	"context"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/singleflight"

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

// readyFor is how long one check of the store answers /readyz. A check
// writes through the store's writer and reads back on a fresh connection
// (on SQLite ~6 ms of the server's time), and /readyz needs no token: each
// request checking would let anyone flood the writer (64 clients slowed
// another user's writes fivefold). Probes come every few seconds.
const readyFor = time.Second

// readiness is the last check of the store and when it was made; requests
// that come while a check runs wait for it.
type readiness struct {
	mu     sync.Mutex
	at     time.Time
	err    error
	flight singleflight.Group
}

// handleReadyz answers 200 when the store reads and writes, else 503.
func (s *Server) handleReadyz(c *fiber.Ctx) error {
	if err := s.ready(); err != nil {
		// Unreachable or damaged, the answer for a load balancer is the same.
		if apperr.KindOf(err) != apperr.Unavailable {
			err = apperr.Wrap(apperr.Unavailable, err, "the store cannot read and write")
		}
		return err
	}
	return c.JSON(fiber.Map{"status": "ok", "store": s.StoreKind})
}

// ready is the store's last check if it is younger than readyFor, else a
// new one, shared by every request that asks while it runs.
func (s *Server) ready() error {
	r := &s.readiness
	r.mu.Lock()
	at, err := r.at, r.err
	r.mu.Unlock()
	if !at.IsZero() && s.Now().Sub(at) < readyFor {
		return err
	}
	_, err, _ = r.flight.Do("ping", func() (any, error) {
		// Not the first asker's context: its client leaving would fail
		// the others' answer.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := s.Ping(ctx)
		r.mu.Lock()
		r.at, r.err = s.Now(), err
		r.mu.Unlock()
		return nil, err
	})
	return err
}
