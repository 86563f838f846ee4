package crm

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/insights"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/search"
	"golang.org/x/sync/singleflight"
)

// Stores are the stores a Service works on: one engine's adapters.
type Stores struct {
	Contacts      contacts.Store
	Companies     companies.Store
	Opportunities opportunities.Store
	Events        events.Store
	Attendees     events.AttendeeStore
	Followups     followup.Store
	Insights      insights.Source
	Search        search.Store
	Stamps        record.Stamps
	// Docs keeps the records of every kind (pkg/kinds).
	Docs kinds.Docs
	// EnsureIndexes prepares the stores at start (MongoDB's indexes, run
	// by mongodb.DB.Engine); nil when there is nothing to do (SQLite
	// migrates when it opens).
	EnsureIndexes func(context.Context) error
	// Update runs fn as one unit of work on stores bound to it (tx.Stores):
	// on SQLite one transaction, committed whole or not at all; on MongoDB
	// the same steps, each safe to repeat (insert-first keys, pending-once
	// follow-ups), and the undo steps fn left with tx.OnFail run if it
	// fails. Workflows never ask which engine they run on.
	Update func(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
}

// Tx is one unit of work (see Stores.Update).
type Tx interface {
	// Stores are the stores the unit reads and writes through.
	Stores() Stores
	// OnFail leaves undo to run if the unit fails, for an engine that
	// cannot roll back what a step wrote; one that can drops it. Undo
	// steps run newest first, with a context that is not cancelled.
	OnFail(undo func(context.Context) error)
}

// New returns a Service on st with the domain services, all on clock now.
func New(st Stores, now func() time.Time) *Service {
	s := &Service{Events: events.New(st.Events), Contacts: contacts.New(st.Contacts), Followups: followup.New(st.Followups), Now: now,
		Companies: companies.New(st.Companies), Opportunities: st.Opportunities, Attendees: st.Attendees, Stamps: st.Stamps, Docs: st.Docs, insightSource: st.Insights, search: st.Search, update: st.Update,
		insights: &insightCache{}, duplicates: &singleflight.Group{}}
	s.Events.Now, s.Contacts.Now, s.Followups.Now, s.Companies.Now = now, now, now, now
	s.Contacts.Company = s.Companies.Resolve
	s.Events.TargetRefs = s.checkTargets
	s.Contacts.Together = func(ctx context.Context, fn func(context.Context, *contacts.Service) error) error {
		_, err := atomically(ctx, s, func(ctx context.Context, s *Service) (struct{}, error) { return struct{}{}, fn(ctx, s.Contacts) })
		return err
	}
	s.Events.Changed, s.Contacts.Changed, s.Followups.Changed = s.touchFeed, s.touchFeed, s.touchFeed
	s.Contacts.Mutated = s.touchContacts
	return s
}
