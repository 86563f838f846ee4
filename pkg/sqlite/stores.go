package sqlite

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/engine"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Stores returns the stores of the CRM's workflows on db (it migrates when
// it opens, so there are no indexes to ensure).
func Stores(db *DB) crm.Stores {
	return crm.Stores{Docs: &Docs{DB: db}, Contacts: &Contacts{DB: db}, Companies: &Companies{DB: db}, Opportunities: &Opportunities{DB: db}, Events: &Events{DB: db}, Attendees: &Attendees{DB: db}, Followups: &Followups{DB: db},
		Insights: &Insights{DB: db}, Search: &Search{DB: db}, Stamps: &Stamps{DB: db}, Update: db.Work}
}

// Engine returns every store on db, ready (SQLite migrates when it opens):
// what the server and the test harnesses wire. Its Close closes db.
func (db *DB) Engine() *engine.Engine {
	healthID := record.NewID()
	return &engine.Engine{Kind: "sqlite", Where: db.Path, Stores: Stores(db), Accounts: &Accounts{DB: db}, Idempotency: &Idempotency{DB: db},
		Changes: &Changes{DB: db}, Ping: func(ctx context.Context) error { return db.Ping(ctx, healthID) },
		Close: func(context.Context) error { return db.Close() }}
}
