package api

import (
	"context"
	"log/slog"
	"net/netip"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// Limits on request bodies (PRODUCT.md §2).
const (
	MaxJSONBody   = 1 << 20
	MaxImportBody = 10 << 20
	// MaxGuestListBody bounds a guest list (10,000 attendees of a Luma
	// export with its questions fit in a few MiB).
	MaxGuestListBody = 5 << 20
)

// requestTimeout bounds the store work of one request.
const requestTimeout = 15 * time.Second

// Deps are what the API needs from the rest of the process.
type Deps struct {
	// Ping checks that the store reads and writes (for /readyz).
	Ping func(context.Context) error
	// StoreKind names the store in /readyz ("sqlite", "mongodb", "embedded").
	StoreKind   string
	Accounts    *accounts.Service
	CRM         *crm.Service
	Importer    *events.Importer
	Idempotency *idempotency.Store
	Logger      *slog.Logger
	// Registry receives the HTTP metrics and is served at /metrics.
	Registry *prometheus.Registry
	// OpenSignup allows sign-up after the first user.
	OpenSignup bool
	// BaseURL is the public URL of the server.
	BaseURL string
	// Now is the clock.
	Now func() time.Time
	// AuthFails limits failed sign-ins per address; share it with every
	// other interface that authenticates (nil: one of its own).
	AuthFails *ratelimit.Failures
	// Downloads are the users' turns at downloading their whole account
	// (exports, backups), one at a time each; share them with the pages
	// (nil: turns of its own).
	Downloads *ratelimit.Turns
	// Requests are the users' turns at running a read, a few each at
	// once (ratelimit.ReadsPerUser); share them with the pages and DAV (nil:
	// turns of its own). One user sending 32 searches at once made
	// another user's reads wait 58 ms at the median; four at once, 2.8
	// ms, and that user's searches were answered as fast.
	Requests *ratelimit.Turns
	// InboundDomain is the domain of users' inbound email addresses; ""
	// when inbound mail is off.
	InboundDomain string
	// ExtraMethods are HTTP methods beyond the standard ones that routes
	// mounted on the app use (WebDAV's PROPFIND, REPORT, …).
	ExtraMethods []string
	// MCPOrigins are the web origins, besides BaseURL's, whose pages may
	// call /mcp (CRM_MCP_ORIGINS).
	MCPOrigins []string
	// TrustedProxies are the proxies whose X-Forwarded-For names the
	// client (CRM_TRUSTED_PROXIES); none: the client is the peer.
	TrustedProxies []netip.Prefix
	// ReadTimeout bounds reading a request (zero: 30 s); an upload read
	// as it is written (an import, a restore) gets its own deadline.
	ReadTimeout time.Duration
	// FetchCard gets the vCard of a scanned Rapport card (through the
	// guard against private addresses); nil: such codes are not read.
	FetchCard func(ctx context.Context, url string) ([]byte, error)
}

// Server is the HTTP API.
type Server struct {
	App *fiber.App
	Deps
	metrics *httpMetrics
	// v1 is the authenticated /v1 group (auth and idempotency middleware).
	v1        fiber.Router
	feeds     feedCache
	readiness recent[struct{}]
	gathering recent[exposition]
}

// New builds the API with all routes registered.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.ReadTimeout == 0 {
		d.ReadTimeout = 30 * time.Second
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	if d.AuthFails == nil {
		d.AuthFails = ratelimit.NewFailures(ratelimit.AuthFailLimit, ratelimit.AuthFailWindow, d.Now)
	}
	if d.Downloads == nil {
		d.Downloads = &ratelimit.Turns{}
	}
	if d.Requests == nil {
		d.Requests = &ratelimit.Turns{Per: ratelimit.ReadsPerUser()}
	}
	s := &Server{Deps: d, metrics: newHTTPMetrics(d.Registry)}
	s.App = fiber.New(fiber.Config{
		AppName:               "rapport",
		DisableStartupMessage: true,
		// Bodies over 1 MiB are streamed rather than refused: imports read
		// them as streams (bounded by their own limit), JSON routes through
		// readBody, which stops at 1 MiB.
		BodyLimit:         MaxJSONBody + 64<<10,
		StreamRequestBody: true,
		ReadTimeout:       d.ReadTimeout,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorHandler:      s.handleError,
		RequestMethods:    append(append([]string{}, fiber.DefaultMethods...), d.ExtraMethods...),
	})
	s.App.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	s.App.Use(s.clientAddress, s.requestID, s.accessLog, s.bodyInMemory)
	s.registerOpsRoutes()
	// Sign-up is the one /v1 route without a token; it is registered before
	// the authenticated group so the group's middleware never sees it.
	s.App.Post("/v1/signup", s.handleSignup)
	s.v1 = s.App.Group("/v1", s.authenticate, s.idempotent)
	s.registerAccountRoutes()
	s.registerTransferRoutes()
	s.registerEventRoutes()
	s.registerContactRoutes()
	s.registerCompanyRoutes()
	s.registerOpportunityRoutes()
	s.registerIntroRoutes()
	s.registerFollowupRoutes()
	s.registerFeedRoutes()
	s.registerCalendarRoutes()
	s.registerInsightRoutes()
	s.registerSearchRoutes()
	s.registerMCPRoutes()
	s.registerScanRoutes()
	s.registerKindRoutes()
	return s
}

// ctx returns the request's context bounded by requestTimeout.
func (s *Server) ctx(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.UserContext(), requestTimeout)
}

// user returns the authenticated user of the request.
func user(c *fiber.Ctx) *accounts.User { return User(c) }

// User returns the user a request was authenticated as (by a token here, by
// a session on the phone pages), or nil.
func User(c *fiber.Ctx) *accounts.User {
	u, _ := c.Locals(localUser).(*accounts.User)
	return u
}

// SetUser records who a request is authenticated as; the access log and
// the idempotency records read it.
func SetUser(c *fiber.Ctx, u *accounts.User) { c.Locals(localUser, u) }

const (
	localUser      = "rapport.user"
	localRequestID = "rapport.request_id"
)
