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

// eachChunk is how many rows Each reads at a time.
const eachChunk = 1000

// Each calls fn with each of the user's rows, in id order. It reads the
// ids first, then the rows a chunk at a time, and calls fn with a chunk's
// rows once they are read and the connection is back in the pool: fn may
// be as slow as the client of a download it writes to. Each used to call
// fn between the rows of one query, holding a read connection (and the
// read transaction, which keeps the WAL from being checkpointed) for the
// whole download: four backups downloaded slowly held the four read
// connections of a 2-core server, and every other user's request waited
// for one until it failed. A row deleted meanwhile is left out; one
// changed is read as it is when its chunk is.
func (a archive[T]) Each(ctx context.Context, userID string, fn func(*T) error) error {
	ids, err := queryAll(ctx, a.db, a.table, scanID, `SELECT id FROM `+a.table+` WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(eachChunk, len(ids))
		// By the primary key ("+" keeps the planner off user_id's indexes).
		rows, err := queryAll(ctx, a.db, a.table, a.scan, `SELECT `+a.columns+` FROM `+a.table+`
			WHERE id IN (SELECT value FROM json_each(?)) AND +user_id = ? ORDER BY id`, jsonList(ids[:n]), userID)
		if err != nil {
			return err
		}
		for i := range rows {
			if err := fn(&rows[i]); err != nil {
				return err
			}
		}
		ids = ids[n:]
	}
	return nil
}

// scanID scans a row of one text column.
func scanID(r scanner) (*string, error) {
	var id string
	return &id, translate(r.Scan(&id), "record")
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
