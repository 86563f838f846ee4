package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/engine"
)

// Stores returns the stores of the CRM's workflows on db, with the
// indexes they need ensured by EnsureIndexes at start.
func Stores(db *mongo.Database) crm.Stores {
	c, e, f, co, op, se := &Contacts{DB: db}, &Events{DB: db}, &Followups{DB: db}, &Companies{DB: db}, &Opportunities{DB: db}, &Search{DB: db}
	at, docs := &Attendees{DB: db}, &Docs{DB: db}
	st := crm.Stores{Docs: docs, Contacts: c, Companies: co, Opportunities: op, Events: e, Attendees: at, Followups: f, Insights: &Insights{DB: db}, Search: se, Stamps: &Stamps{DB: db},
		EnsureIndexes: func(ctx context.Context) error {
			for _, ensure := range []func(context.Context) error{e.EnsureIndexes, c.EnsureIndexes, f.EnsureIndexes, co.EnsureIndexes, op.EnsureIndexes, se.EnsureIndexes, at.EnsureIndexes, docs.EnsureIndexes} {
				if err := ensure(ctx); err != nil {
					return err
				}
			}
			return nil
		}}
	st.Update = work(st)
	return st
}

// Engine returns every store on s with the indexes they need ensured: what
// the server and the test harnesses wire. Its Close closes s.
func (s *DB) Engine(ctx context.Context) (*engine.Engine, error) {
	st := Stores(s.DB)
	acc, idem, ch := &Accounts{DB: s.DB}, &Idempotency{DB: s.DB}, &Changes{DB: s.DB}
	for _, ensure := range []func(context.Context) error{acc.EnsureIndexes, idem.EnsureIndexes, st.EnsureIndexes, ch.EnsureIndexes} {
		if err := ensure(ctx); err != nil {
			return nil, fmt.Errorf("store at start: %w", err)
		}
	}
	return &engine.Engine{Kind: s.Kind, Where: s.DB.Name(), Stores: st, Accounts: acc, Idempotency: idem, Changes: ch, Ping: s.Ping, Close: s.Close}, nil
}
