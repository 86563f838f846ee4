package mongodb

import (
	"context"
	"errors"

	"github.com/rapport-crm/rapport/pkg/crm"
)

// unit is a unit of work on MongoDB (crm.Stores.Update) without
// multi-document transactions: fn's steps write as they go, each safe to
// repeat (insert-first keys, pending-once follow-ups), and if fn fails the
// undo steps it left run newest first, so a failed request leaves nothing
// it made behind.
type unit struct {
	stores crm.Stores
	undo   []func(context.Context) error
}

func (u *unit) Stores() crm.Stores { return u.stores }

func (u *unit) OnFail(undo func(context.Context) error) { u.undo = append(u.undo, undo) }

// work runs fn as one unit of work on st.
func work(st crm.Stores) func(context.Context, func(context.Context, crm.Tx) error) error {
	return func(ctx context.Context, fn func(context.Context, crm.Tx) error) error {
		u := &unit{stores: st}
		err := fn(ctx, u)
		if err == nil {
			return nil
		}
		bg := context.WithoutCancel(ctx) // the undo runs even if the request was cancelled
		for i := len(u.undo) - 1; i >= 0; i-- {
			if uerr := u.undo[i](bg); uerr != nil {
				err = errors.Join(err, uerr)
			}
		}
		return err
	}
}
