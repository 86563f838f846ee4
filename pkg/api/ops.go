package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/sync/singleflight"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

func (s *Server) registerOpsRoutes() {
	s.App.Get("/healthz", s.handleHealthz)
	s.App.Get("/readyz", s.handleReadyz)
	s.App.Get("/metrics", s.handleMetrics)
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

// handleReadyz answers 200 when the store reads and writes, else 503.
func (s *Server) handleReadyz(c *fiber.Ctx) error {
	_, err := s.readiness.get(s.Now, readyFor, func() (struct{}, error) {
		// Not the first asker's context: its client leaving would fail
		// the others' answer.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return struct{}{}, s.Ping(ctx)
	})
	if err != nil {
		// Unreachable or damaged, the answer for a load balancer is the same.
		if apperr.KindOf(err) != apperr.Unavailable {
			err = apperr.Wrap(apperr.Unavailable, err, "the store cannot read and write")
		}
		return err
	}
	return c.JSON(fiber.Map{"status": "ok", "store": s.StoreKind})
}

// gatherFor is how long one gathering of the metrics answers /metrics.
// Gathering reads the process's /proc files and the runtime's metrics,
// and writing and compressing every series costs more (together about
// 1 ms of a core); /metrics needs no token, and 64 clients asking it
// slowed another user's writes eightfold. Scrapes come every 15 s or more.
const gatherFor = time.Second

// textFormat is what /metrics writes: Prometheus' text format, names
// escaped as promhttp escapes them for a scraper that asks nothing else.
var textFormat = expfmt.NewFormat(expfmt.TypeTextPlain).WithEscapingScheme(model.NameEscapingScheme)

// exposition is the metrics in Prometheus' text format, plain and gzipped.
type exposition struct{ plain, gzipped []byte }

// handleMetrics answers the metrics gathered at most gatherFor ago.
func (s *Server) handleMetrics(c *fiber.Ctx) error {
	e, err := s.gathering.get(s.Now, gatherFor, s.expose)
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "the metrics could not be gathered")
	}
	c.Set(fiber.HeaderContentType, string(textFormat))
	c.Vary(fiber.HeaderAcceptEncoding)
	if strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip") {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(e.gzipped)
	}
	return c.Send(e.plain)
}

// expose gathers s.Registry and writes it out.
func (s *Server) expose() (exposition, error) {
	fams, err := s.Registry.Gather()
	if err != nil {
		return exposition{}, err
	}
	var plain, gzipped bytes.Buffer
	enc := expfmt.NewEncoder(&plain, textFormat)
	for _, f := range fams {
		if err := enc.Encode(f); err != nil {
			return exposition{}, err
		}
	}
	zw := gzip.NewWriter(&gzipped)
	zw.Write(plain.Bytes())
	if err := zw.Close(); err != nil {
		return exposition{}, err
	}
	return exposition{plain.Bytes(), gzipped.Bytes()}, nil
}

// recent holds a value computed at most once per period: asked again
// within the period it answers what it computed, and those who ask while
// it computes wait for that computation.
type recent[T any] struct {
	mu     sync.Mutex
	at     time.Time
	val    T
	err    error
	flight singleflight.Group
}

// get returns the value computed less than period ago (by now), or
// computes it.
func (r *recent[T]) get(now func() time.Time, period time.Duration, compute func() (T, error)) (T, error) {
	r.mu.Lock()
	at, val, err := r.at, r.val, r.err
	r.mu.Unlock()
	if !at.IsZero() && now().Sub(at) < period {
		return val, err
	}
	v, err, _ := r.flight.Do("", func() (any, error) {
		val, err := compute()
		r.mu.Lock()
		r.at, r.val, r.err = now(), val, err
		r.mu.Unlock()
		return val, err
	})
	return v.(T), err
}
