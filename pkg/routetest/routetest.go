// Package routetest checks that a package's tests call every route it
// registers: each test server counts its requests by route pattern (the
// API's request metrics, a registry of its own), and when the whole
// package has run, TestMain fails for a route no test called. A new route
// is then tested beside its handler, in its own package, instead of in a
// list kept elsewhere.
package routetest

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// Routes is what a package's test servers answered, against the routes
// its tests must call. The zero value is ready.
type Routes struct {
	mu     sync.Mutex
	want   []string        // "METHOD /pattern", noted once (Want)
	called map[string]bool // answered by any test server (Called)
}

// Key is how a route is named: its method and pattern.
func Key(method, path string) string { return method + " " + path }

// Keys names app's routes (those a client calls: not HEAD, CONNECT,
// OPTIONS or TRACE, which Fiber adds or answers itself).
func Keys(app *fiber.App) map[string]bool {
	out := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		switch r.Method {
		case fiber.MethodHead, fiber.MethodConnect, fiber.MethodOptions, fiber.MethodTrace:
			continue
		}
		out[Key(r.Method, r.Path)] = true
	}
	return out
}

// Added names the routes register adds to app (a package's routes mounted
// on the API's app: the pages', the DAV tree's).
func Added(app *fiber.App, register func()) map[string]bool {
	before := Keys(app)
	register()
	added := Keys(app)
	for k := range before {
		delete(added, k)
	}
	return added
}

// Want notes the routes the package's tests must call (the first test
// server's; every server registers the same).
func (r *Routes) Want(keys map[string]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.want != nil {
		return
	}
	r.want = []string{}
	for k := range keys {
		r.want = append(r.want, k)
	}
	slices.Sort(r.want)
}

// Called adds the routes a test server answered, read from its request
// metrics (rapport_http_request_duration_seconds' method and route).
func (r *Routes) Called(reg *prometheus.Registry) {
	families, err := reg.Gather()
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.called == nil {
		r.called = map[string]bool{}
	}
	for _, f := range families {
		if f.GetName() != "rapport_http_request_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			var method, route string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "method":
					method = l.GetValue()
				case "route":
					route = l.GetValue()
				}
			}
			r.called[Key(method, route)] = true
		}
	}
}

// Missing lists the routes wanted that no test server answered.
func (r *Routes) Missing() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, k := range r.want {
		if !r.called[k] {
			out = append(out, k)
		}
	}
	return out
}

// Check runs after a package's tests (code is m.Run's): when all of them
// ran and passed (no -run, no -short), a route no test called fails the
// run, named on stderr with the package.
func (r *Routes) Check(pkg string, code int) int {
	if code != 0 || testing.Short() || flag.Lookup("test.run").Value.String() != "" {
		return code
	}
	missing := r.Missing()
	for _, k := range missing {
		fmt.Fprintf(os.Stderr, "route %s was called by no test of %s: test it beside its handler\n", k, pkg)
	}
	if len(missing) > 0 {
		return 1
	}
	return code
}
