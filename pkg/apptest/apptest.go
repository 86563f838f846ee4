// Package apptest starts what the packages' tests drive: the services
// wired over a fresh store as the server wires them, and the API with the
// pages on its app, as cmd/server mounts them, on a real listener at
// 127.0.0.1. The API's, the pages', the DAV tree's and the dispatcher's
// harnesses each built the same things by hand.
package apptest

import (
	"context"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/app"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/engine"
	"github.com/rapport-crm/rapport/pkg/netguard"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
	"github.com/rapport-crm/rapport/pkg/routetest"
	"github.com/rapport-crm/rapport/pkg/web"
)

// Start is where the harnesses' clocks begin: 2026-11-24T17:00Z.
var Start = time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)

// Clock is a clock tests move by hand; safe for the server's goroutines.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock that reads t until moved.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Services wires the services over eng as the server does, reading now,
// with a URL guard that lets loopback addresses through (the tests'
// calendars and webhooks listen there) and never resolves a name.
func Services(eng *engine.Engine, now func() time.Time) *app.Services {
	return app.New(eng, app.Options{Now: now, Guard: netguard.Guard{AllowPrivate: true, Resolver: netguard.Offline{}}, CalendarTimeout: 5 * time.Second})
}

// Option changes the API's and the pages' deps before either starts.
type Option func(*api.Deps, *web.Deps)

// Server is the API with the pages on its app, listening.
type Server struct {
	*api.Server
	// URL is where it listens (http://127.0.0.1:port).
	URL   string
	Clock *Clock
	// Services are what it runs on.
	Services *app.Services
	// Registry holds its metrics (the requests served by route).
	Registry *prometheus.Registry
	// APIRoutes and PageRoutes are the routes the API and the pages
	// mount (routetest keys), for the packages that test each.
	APIRoutes, PageRoutes map[string]bool
}

// Serve starts the API and the pages on eng, on a clock at Start, the
// deps as cmd/server gives them (sign-up open to the first user only
// unless an option opens it, a log that says nothing); it stops when tb
// ends.
func Serve(tb testing.TB, eng *engine.Engine, opts ...Option) *Server {
	tb.Helper()
	clock := NewClock(Start)
	sv := Services(eng, clock.Now)
	d := api.Deps{Ping: eng.Ping, StoreKind: eng.Kind, Accounts: sv.Accounts, CRM: sv.CRM, Importer: sv.Importer, Idempotency: sv.Idempotency,
		Logger: slog.New(slog.DiscardHandler), BaseURL: "http://rapport.test", Now: clock.Now}
	wd := web.Deps{Accounts: sv.Accounts, CRM: sv.CRM, Importer: sv.Importer, Idempotency: sv.Idempotency, BaseURL: d.BaseURL, Now: clock.Now}
	for _, o := range opts {
		o(&d, &wd)
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	s := &Server{Server: api.New(d), Clock: clock, Services: sv, Registry: d.Registry}
	s.APIRoutes = routetest.Keys(s.App)
	wd.AuthFails, wd.Downloads, wd.Requests, wd.OpenSignup = s.AuthFails, s.Downloads, s.Requests, d.OpenSignup
	s.PageRoutes = routetest.Added(s.App, func() { web.Register(s.App, wd) })
	s.URL = Listen(tb, s.App)
	return s
}

// Listen serves a on 127.0.0.1 (a port of its own) until tb ends, and
// returns its URL.
func Listen(tb testing.TB, a *fiber.App) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go a.Listener(ln)
	tb.Cleanup(func() { a.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// ImportDies runs an import of read into svc for the user that dies — as
// by kill -9: its goroutine ends where it stands, no error handling runs —
// at the n-th call of its store's method (ImportContacts: a chunk about
// to be written; UpdateImport: its record about to be saved). What it
// wrote stays, and its record says running until it goes stale.
func ImportDies(svc *contacts.Service, userID, method string, n int, read func(func(contacts.Row) error) error) {
	dying := *svc
	dying.Store = &dyingStore{Store: svc.Store, method: method, at: n}
	done := make(chan struct{})
	go func() {
		defer close(done)
		dying.Import(context.Background(), userID, "csv", read)
	}()
	<-done
}

// dyingStore is a real contacts store on which an import dies at the
// at-th call of method.
type dyingStore struct {
	contacts.Store
	method string
	at     int
	calls  map[string]int
}

func (d *dyingStore) dieAt(method string) {
	if d.calls == nil {
		d.calls = map[string]int{}
	}
	if d.calls[method]++; method == d.method && d.calls[method] == d.at {
		runtime.Goexit()
	}
}

func (d *dyingStore) ImportContacts(ctx context.Context, cs []*contacts.Contact) (map[int]string, error) {
	d.dieAt("ImportContacts")
	return d.Store.ImportContacts(ctx, cs)
}

func (d *dyingStore) UpdateImport(ctx context.Context, im *contacts.Import) error {
	d.dieAt("UpdateImport")
	return d.Store.UpdateImport(ctx, im)
}

// HoldTurns takes every one of userID's turns in turns, as that many of
// the user's requests running would, and returns each one's release;
// whatever is still held is given back when tb ends.
func HoldTurns(tb testing.TB, turns *ratelimit.Turns, userID string) []func() {
	tb.Helper()
	var held []func()
	for range max(1, turns.Per) {
		release, err := turns.Take(tb.Context(), userID)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(release)
		held = append(held, release)
	}
	return held
}
