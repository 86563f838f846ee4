package sqlite

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/record"
)

// archive is the record.Archive of one table: its rows read in id order
// by scan, restored in one transaction by insertAll, or else one insert
// each.
type archive[T any] struct {
	db        *DB
	table     string
	columns   string
	scan      func(scanner) (*T, error)
	insert    func(*Tx, context.Context, *T) error
	insertAll func(*Tx, context.Context, []*T) error
}

var _ record.Archive[struct{}] = archive[struct{}]{}

// Each calls fn with each of the user's rows, in id order.
func (a archive[T]) Each(ctx context.Context, userID string, fn func(*T) error) error {
	rows, err := a.db.reader(ctx).QueryContext(ctx, `SELECT `+a.columns+` FROM `+a.table+` WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return translate(err, a.table)
	}
	defer rows.Close()
	for rows.Next() {
		x, err := a.scan(rows)
		if err != nil {
			return err
		}
		if err := fn(x); err != nil {
			return err
		}
	}
	return translate(rows.Err(), a.table)
}

// Restore inserts records in one transaction: all of them or none.
func (a archive[T]) Restore(ctx context.Context, records []*T) error {
	return a.db.Update(ctx, func(tx *Tx) error {
		if a.insertAll != nil {
			return a.insertAll(tx, ctx, records)
		}
		for _, x := range records {
			if err := a.insert(tx, ctx, x); err != nil {
				return err
			}
		}
		return nil
	})
}
