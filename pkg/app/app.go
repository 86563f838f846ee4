// Package app wires Rapport's services over an opened storage engine, as
// cmd/server runs them and the test harnesses start them: the one place a
// service's dependencies are given, so a new one is added once and the
// tests run the wiring the server runs. What only the server has (mail,
// metrics, cron, listeners) stays in cmd/server.
package app

import (
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/engine"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/netguard"
	"github.com/rapport-crm/rapport/pkg/recommendations"
	"github.com/rapport-crm/rapport/pkg/schedule"
)

// Services are the domain services and workflows every interface serves
// (the API, the pages, DAV, MCP, email-in, the dispatcher).
type Services struct {
	Accounts    *accounts.Service
	Idempotency *idempotency.Store
	CRM         *crm.Service
	// Importer follows calendars and fills events' guest lists from them.
	Importer *events.Importer
}

// Options are what differs between the server and a test.
type Options struct {
	// Now is the clock.
	Now func() time.Time
	// Guard checks every URL a user gives (webhooks, calendars, cards)
	// and fetches calendars.
	Guard netguard.Guard
	// CalendarTimeout bounds a calendar's fetch.
	CalendarTimeout time.Duration
}

// New wires the services over eng.
func New(eng *engine.Engine, o Options) *Services {
	acc := accounts.New(eng.Accounts, schedule.Parse)
	acc.Now, acc.URLCheck = o.Now, o.Guard.CheckURL
	idem := idempotency.New(eng.Idempotency)
	idem.Now = o.Now
	cs := crm.New(eng.Stores, o.Now)
	cs.URLCheck = o.Guard.CheckURL
	// The kinds kept as documents (pkg/kinds): a line each.
	cs.Kinds = []kinds.Any{recommendations.Kind.Any()}
	imp := &events.Importer{Events: cs.Events, HTTP: o.Guard.Client(o.CalendarTimeout, 3), Guard: o.Guard, Guests: cs.Attendees,
		Planned: cs.PlanPreps(acc.User)}
	return &Services{Accounts: acc, Idempotency: idem, CRM: cs, Importer: imp}
}
