package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/crm"
)

// Stores returns the stores of the CRM's workflows on db, with the
// indexes they need ensured by EnsureIndexes at start.
func Stores(db *mongo.Database) crm.Stores {
	c, e, f, co, op, se := &Contacts{DB: db}, &Events{DB: db}, &Followups{DB: db}, &Companies{DB: db}, &Opportunities{DB: db}, &Search{DB: db}
	at := &Attendees{DB: db}
	st := crm.Stores{Contacts: c, Companies: co, Opportunities: op, Events: e, Attendees: at, Followups: f, Insights: &Insights{DB: db}, Search: se, Stamps: &Stamps{DB: db},
		Backups: &Backups{DB: db}, EnsureIndexes: func(ctx context.Context) error {
			for _, ensure := range []func(context.Context) error{e.EnsureIndexes, c.EnsureIndexes, f.EnsureIndexes, co.EnsureIndexes, op.EnsureIndexes, se.EnsureIndexes, at.EnsureIndexes} {
				if err := ensure(ctx); err != nil {
					return err
				}
			}
			return nil
		}}
	st.Update = work(st)
	return st
}
