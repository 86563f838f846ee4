package routetest_test

import (
	"slices"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-crm/rapport/pkg/routetest"
)

// TestMissing: a route no server answered is missing, whatever its
// status was; the HEAD Fiber adds for a GET is never wanted; the routes
// of several servers add up.
func TestMissing(t *testing.T) {
	app := fiber.New()
	ok := func(c *fiber.Ctx) error { return nil }
	app.Get("/a/:id", ok)
	app.Post("/b", ok)
	app.Delete("/c", ok)
	keys := routetest.Keys(app)
	if want := []string{"DELETE /c", "GET /a/:id", "POST /b"}; !slices.Equal(sorted(keys), want) {
		t.Fatalf("keys %v, want %v", sorted(keys), want)
	}
	var r routetest.Routes
	r.Want(keys)
	r.Want(map[string]bool{"GET /other": true}) // the first server's routes stand
	answered := func(method, route, status string) *prometheus.Registry {
		reg := prometheus.NewRegistry()
		h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rapport_http_request_duration_seconds"}, []string{"method", "route", "status"})
		reg.MustRegister(h)
		h.WithLabelValues(method, route, status).Observe(0.01)
		return reg
	}
	r.Called(answered("GET", "/a/:id", "404"))
	if got := r.Missing(); !slices.Equal(got, []string{"DELETE /c", "POST /b"}) {
		t.Fatalf("missing %v after one server", got)
	}
	r.Called(answered("POST", "/b", "201"))
	r.Called(answered("DELETE", "/c", "204"))
	if got := r.Missing(); len(got) != 0 {
		t.Fatalf("missing %v after every route was answered", got)
	}
}

// TestAdded: the routes a package mounts on an app that has others are
// its own.
func TestAdded(t *testing.T) {
	app := fiber.New()
	ok := func(c *fiber.Ctx) error { return nil }
	app.Get("/v1/x", ok)
	added := routetest.Added(app, func() {
		app.Get("/app/x", ok)
		app.Post("/app/x", ok)
	})
	if want := []string{"GET /app/x", "POST /app/x"}; !slices.Equal(sorted(added), want) {
		t.Fatalf("added %v, want %v", sorted(added), want)
	}
}

func sorted(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
