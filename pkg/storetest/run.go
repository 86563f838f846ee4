package storetest

import (
	"testing"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/engine"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// OpenEngine opens a fresh, empty engine for one test: every store on one
// database, its indexes ready.
type OpenEngine func(tb testing.TB) *engine.Engine

// Run runs every contract of this package, each as a subtest, on the
// stores of engines open makes. An adapter's test calls it once, so the
// contract of a new store is added here (one line) and in its own file,
// and nowhere in the adapters.
func Run(t *testing.T, open OpenEngine) {
	stores := func(tb testing.TB) crm.Stores { return open(tb).Stores }
	t.Run("Accounts", func(t *testing.T) {
		Accounts(t, func(tb testing.TB) accounts.Store { return open(tb).Accounts })
	})
	t.Run("Idempotency", func(t *testing.T) {
		Idempotency(t, func(tb testing.TB) idempotency.Records { return open(tb).Idempotency })
	})
	t.Run("Contacts", func(t *testing.T) {
		Contacts(t, func(tb testing.TB) contacts.Store { return stores(tb).Contacts })
	})
	t.Run("CardGroups", func(t *testing.T) { CardGroups(t, open) })
	t.Run("Encounters", func(t *testing.T) {
		Encounters(t, func(tb testing.TB) contacts.Store { return stores(tb).Contacts })
	})
	t.Run("Companies", func(t *testing.T) {
		Companies(t, func(tb testing.TB) (companies.Store, contacts.Store) {
			st := stores(tb)
			return st.Companies, st.Contacts
		})
	})
	t.Run("Opportunities", func(t *testing.T) {
		Opportunities(t, func(tb testing.TB) opportunities.Store { return stores(tb).Opportunities })
	})
	t.Run("Events", func(t *testing.T) {
		Events(t, func(tb testing.TB) events.Store { return stores(tb).Events })
	})
	t.Run("Attendees", func(t *testing.T) {
		Attendees(t, func(tb testing.TB) events.AttendeeStore { return stores(tb).Attendees })
	})
	t.Run("Followups", func(t *testing.T) {
		Followups(t, func(tb testing.TB) followup.Store { return stores(tb).Followups })
	})
	t.Run("Insights", func(t *testing.T) { Insights(t, InsightsOn(stores)) })
	t.Run("Search", func(t *testing.T) {
		Search(t, func(tb testing.TB) SearchStores {
			st := stores(tb)
			return SearchStores{Contacts: st.Contacts, Events: st.Events, Companies: st.Companies, Opportunities: st.Opportunities, Search: st.Search}
		})
	})
	t.Run("Stamps", func(t *testing.T) {
		Stamps(t, func(tb testing.TB) record.Stamps { return stores(tb).Stamps })
	})
	t.Run("Docs", func(t *testing.T) {
		Docs(t, func(tb testing.TB) kinds.Docs { return stores(tb).Docs })
	})
	t.Run("Backups", func(t *testing.T) { Backups(t, stores) })
	t.Run("DeletedUsers", func(t *testing.T) { DeletedUsers(t, open) })
}

// InsightsOn is the Insights contract's stores taken from a store set (an
// adapter runs the contract again on a variant of its insights source).
func InsightsOn(stores func(tb testing.TB) crm.Stores) OpenInsights {
	return func(tb testing.TB) InsightStores {
		st := stores(tb)
		return InsightStores{Contacts: st.Contacts, Events: st.Events, Followups: st.Followups, Insights: st.Insights}
	}
}
