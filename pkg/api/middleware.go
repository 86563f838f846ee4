package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/prometheus/client_golang/prometheus"
)

// requestID takes a sane X-Request-Id from the client or makes one, and
// echoes it in the response.
func (s *Server) requestID(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if !saneRequestID(id) {
		b := make([]byte, 12)
		rand.Read(b)
		id = hex.EncodeToString(b)
	} else {
		id = utils.CopyString(id)
	}
	c.Locals(localRequestID, id)
	c.Set(fiber.HeaderXRequestID, id)
	return c.Next()
}

func saneRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

type httpMetrics struct {
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rapport_http_request_duration_seconds",
		Help:    "HTTP request latency by method, route pattern and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route", "status"})}
	reg.MustRegister(m.duration)
	return m
}

// accessLog logs each request once, with its route pattern (never the raw
// path: feed URLs carry secret tokens), and records its latency.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.App.ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := c.Route().Path
	if status == fiber.StatusNotFound && route == "/" && c.Path() != "/" {
		route = "(no route)"
	}
	d := time.Since(start)
	// Fiber's Method() points into the request buffer, which the next
	// request reuses: the metric keeps its labels, so it gets a copy.
	s.metrics.duration.WithLabelValues(utils.CopyString(c.Method()), route, strconv.Itoa(status)).Observe(d.Seconds())
	level := slog.LevelInfo
	if route == "/healthz" || route == "/readyz" || route == "/metrics" {
		level = slog.LevelDebug
	}
	attrs := []any{"method", c.Method(), "route", route, "path", MaskPath(c.Path()), "status", status,
		"duration_ms", float64(d.Microseconds()) / 1000, "request_id", c.Locals(localRequestID)}
	if u := user(c); u != nil {
		attrs = append(attrs, "user_id", u.ID)
	}
	s.Logger.Log(c.UserContext(), level, "request", attrs...)
	return nil
}

// MaskPath replaces the secret segment of a feed URL path with asterisks,
// for anything that must mention a path.
func MaskPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "/ical/"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return "/ical/****" + rest[i:]
		}
		return "/ical/****"
	}
	return p
}
