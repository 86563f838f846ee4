package mongodb_test

import (
	"context"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/search"
	conformance "github.com/rapport-crm/rapport/pkg/storetest"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

func TestContacts(t *testing.T) {
	conformance.Contacts(t, func(tb testing.TB) contacts.Store {
		s := &mongodb.Contacts{DB: mongotest.MustOpen(tb).DB}
		if err := s.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return s
	})
}

func TestAccounts(t *testing.T) {
	conformance.Accounts(t, func(tb testing.TB) accounts.Store {
		s := &mongodb.Accounts{DB: mongotest.MustOpen(tb).DB}
		if err := s.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return s
	})
}

// TestContactKeyOrphanReclaimed: a key left by a process that died between
// inserting it and inserting its contact does not block that email forever.
func TestContactKeyOrphanReclaimed(t *testing.T) {
	db := mongotest.MustOpen(t).DB
	s := &mongodb.Contacts{DB: db}
	ctx := t.Context()
	old := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
	if _, err := db.Collection("contact_keys").InsertOne(ctx, bson.M{"_id": "u1|email:ada@example.com", "user_id": "u1", "contact_id": "gone", "created_at": old}); err != nil {
		t.Fatal(err)
	}
	c := &contacts.Contact{ID: "c1", UserID: "u1", Name: "Ada", Emails: []string{"ada@example.com"}, CreatedAt: old, UpdatedAt: old}
	if err := s.CreateContact(ctx, c); err != nil {
		t.Fatalf("CreateContact over an orphaned key: %v", err)
	}
	if got, err := s.ContactByKey(ctx, "u1", "email:ada@example.com"); err != nil || got.ID != "c1" {
		t.Fatalf("key holder=%v, %v", got, err)
	}
	// A fresh key (a create in flight) is not taken.
	if _, err := db.Collection("contact_keys").InsertOne(ctx, bson.M{"_id": "u1|email:bob@example.com", "user_id": "u1", "contact_id": "inflight", "created_at": time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	b := &contacts.Contact{ID: "c2", UserID: "u1", Name: "Bob", Emails: []string{"bob@example.com"}, CreatedAt: old, UpdatedAt: old}
	if err := s.CreateContact(ctx, b); apperr.KindOf(err) != apperr.Conflict {
		t.Fatalf("err=%v, want Conflict while the other create may still finish", err)
	}
}

func TestEncounters(t *testing.T) {
	conformance.Encounters(t, func(tb testing.TB) contacts.Store {
		s := &mongodb.Contacts{DB: mongotest.MustOpen(tb).DB}
		if err := s.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return s
	})
}

func TestEvents(t *testing.T) {
	conformance.Events(t, func(tb testing.TB) events.Store {
		s := &mongodb.Events{DB: mongotest.MustOpen(tb).DB}
		if err := s.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return s
	})
}

func TestIdempotency(t *testing.T) {
	conformance.Idempotency(t, func(tb testing.TB) idempotency.Records {
		s := &mongodb.Idempotency{DB: mongotest.MustOpen(tb).DB}
		if err := s.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return s
	})
}

func TestFollowups(t *testing.T) {
	conformance.Followups(t, func(tb testing.TB) followup.Store {
		s := &mongodb.Followups{DB: mongotest.MustOpen(tb).DB}
		if err := s.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return s
	})
}

func TestInsights(t *testing.T) {
	conformance.Insights(t, func(tb testing.TB) conformance.InsightStores {
		db := mongotest.MustOpen(tb).DB
		c, e, f := &mongodb.Contacts{DB: db}, &mongodb.Events{DB: db}, &mongodb.Followups{DB: db}
		for _, ensure := range []func(context.Context) error{c.EnsureIndexes, e.EnsureIndexes, f.EnsureIndexes} {
			if err := ensure(tb.Context()); err != nil {
				tb.Fatal(err)
			}
		}
		return conformance.InsightStores{Contacts: c, Events: e, Followups: f, Insights: &mongodb.Insights{DB: db}}
	})
}

func TestStamps(t *testing.T) {
	conformance.Stamps(t, func(tb testing.TB) record.Stamps { return &mongodb.Stamps{DB: mongotest.MustOpen(tb).DB} })
}

func TestBackups(t *testing.T) {
	conformance.Backups(t, func(tb testing.TB) crm.Stores {
		st := mongodb.Stores(mongotest.MustOpen(tb).DB)
		if err := st.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return st
	})
}

func TestCompanies(t *testing.T) {
	conformance.Companies(t, func(tb testing.TB) (companies.Store, contacts.Store) {
		db := mongotest.MustOpen(tb).DB
		co, cs := &mongodb.Companies{DB: db}, &mongodb.Contacts{DB: db}
		for _, ensure := range []func(context.Context) error{co.EnsureIndexes, cs.EnsureIndexes} {
			if err := ensure(tb.Context()); err != nil {
				tb.Fatal(err)
			}
		}
		return co, cs
	})
}

func TestOpportunities(t *testing.T) {
	conformance.Opportunities(t, func(tb testing.TB) opportunities.Store {
		s := &mongodb.Opportunities{DB: mongotest.MustOpen(tb).DB}
		if err := s.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return s
	})
}

func TestSearch(t *testing.T) {
	conformance.Search(t, func(tb testing.TB) conformance.SearchStores {
		db := mongotest.MustOpen(tb).DB
		se := &mongodb.Search{DB: db}
		if err := se.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return conformance.SearchStores{Contacts: &mongodb.Contacts{DB: db}, Events: &mongodb.Events{DB: db}, Companies: &mongodb.Companies{DB: db},
			Opportunities: &mongodb.Opportunities{DB: db}, Search: se}
	})
}

// TestSearchWordsForEarlierRecords stores records as versions before
// search did (no words) and finds them after the start-up pass.
func TestSearchWordsForEarlierRecords(t *testing.T) {
	db := mongotest.MustOpen(t).DB
	ctx := t.Context()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := db.Collection("contacts").InsertOne(ctx, bson.M{"_id": "c1", "user_id": "u1", "name": "José Núñez", "emails": bson.A{"jose@globex.example"},
		"tags": bson.A{"kubernetes"}, "notes": "old notes", "created_at": at, "updated_at": at}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("encounters").InsertOne(ctx, bson.M{"_id": "n1", "user_id": "u1", "event_id": "e1", "contact_id": "c1", "moment": "after_talk",
		"met_at": at, "notes": "wants the slides", "topics": bson.A{"pprof"}, "created_at": at}); err != nil {
		t.Fatal(err)
	}
	// As versions before input.Fold's letters wrote it: words and q= text
	// keep ø and ß.
	if _, err := db.Collection("contacts").InsertOne(ctx, bson.M{"_id": "c2", "user_id": "u1", "name": "Jan Sørensen", "emails": bson.A{},
		"tags": bson.A{}, "notes": "Straße 5", "created_at": at, "updated_at": at, "name_lower": "jan sørensen",
		"search": "jan sørensen\nstraße 5", "words": bson.A{"j", "ja", "jan", "s", "sø", "sør", "st", "str", "stra", "straß", "straße", "5"}}); err != nil {
		t.Fatal(err)
	}
	se := &mongodb.Search{DB: db}
	if err := se.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"sorensen", "strasse"} {
		if page, err := (&mongodb.Contacts{DB: db}).Contacts(ctx, "u1", contacts.ContactQuery{Q: q}); err != nil || len(page.Items) != 1 {
			t.Errorf("q=%s after the start-up pass: %+v, %v", q, page, err)
		}
	}
	for q, want := range map[string]string{"jose kube": "contact c1", "pprof slides": "encounter n1", "sorensen": "contact c2", "strasse": "contact c2"} {
		hits, err := se.Search(ctx, search.Query{UserID: "u1", Terms: search.Terms(q), Limit: 5})
		if err != nil || len(hits) != 1 || hits[0].Type+" "+hits[0].ID != want {
			t.Errorf("%q after the start-up pass: %+v, %v; want %s", q, hits, err, want)
		}
	}
}

func TestAttendees(t *testing.T) {
	conformance.Attendees(t, func(tb testing.TB) events.AttendeeStore {
		s := &mongodb.Attendees{DB: mongotest.MustOpen(tb).DB}
		if err := s.EnsureIndexes(tb.Context()); err != nil {
			tb.Fatal(err)
		}
		return s
	})
}
