package sqlite

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
)

// keyTable is a table of unique keys per user, each held by one record
// (contact_keys, company_keys): its primary key (user_id, key) is what
// makes "one record per key" hold under concurrent writes.
type keyTable struct {
	table, owner, what, many string
	taken                    func(key string) string
}

var contactKeys = keyTable{table: "contact_keys", owner: "contact_id", what: "contact", many: "contacts", taken: contacts.KeyTaken}

// holders returns which of the user's records hold keys in t, by key
// (t's primary key), read through q: the read pool, or a write
// transaction.
func (t keyTable) holders(ctx context.Context, q querier, userID string, keys []string) (map[string]string, error) {
	type row struct{ key, id string }
	out := map[string]string{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := queryOn(ctx, q, t.what, func(r scanner) (*row, error) {
		var x row
		return &x, translate(r.Scan(&x.key, &x.id), t.what)
	}, `SELECT key, `+t.owner+` FROM `+t.table+` WHERE user_id = ? AND key IN (SELECT value FROM json_each(?))`, userID, jsonList(keys))
	for _, r := range rows {
		out[r.key] = r.id
	}
	return out, err
}

// claim inserts keys for ownerID in t; a key held by another record is a
// Conflict naming it (the transaction is then rolled back by the caller).
func (tx *Tx) claim(ctx context.Context, t keyTable, userID, ownerID string, keys []string) error {
	rows := make([][]string, len(keys))
	for i, k := range keys {
		rows[i] = []string{userID, k, ownerID}
	}
	return tx.claimAll(ctx, t, rows)
}

// heldBy is the Conflict of a key that holder holds.
func (t keyTable) heldBy(key, holder string) error {
	return &apperr.Error{Kind: apperr.Conflict, Message: "one of your " + t.many + " has " + t.taken(key) + " already", ExistingID: holder}
}

// claimAll inserts rows ([user, key, owner] each) in t in one statement;
// a key held by another record (before, or by an earlier row) is a
// Conflict naming it (the first in rows' order).
func (tx *Tx) claimAll(ctx context.Context, t keyTable, rows [][]string) error {
	if len(rows) == 0 {
		return nil
	}
	// <table> primary key (user_id, key); the names are constants, never
	// input. WHERE true: an upsert's SELECT needs one to parse.
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO `+t.table+`(user_id, key, `+t.owner+`)
		SELECT value->>0, value->>1, value->>2 FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`, jsonRows(rows))
	if err != nil {
		return translate(err, t.what)
	}
	if n, _ := res.RowsAffected(); int(n) == len(rows) {
		return nil
	}
	for _, r := range rows {
		var holder string
		if err := tx.tx.QueryRowContext(ctx, `SELECT `+t.owner+` FROM `+t.table+` WHERE user_id = ? AND key = ?`, r[0], r[1]).Scan(&holder); err != nil {
			return translate(err, t.what)
		}
		if holder != r[2] {
			return t.heldBy(r[1], holder)
		}
	}
	return nil
}

// moveKeys makes keys the ones ownerID holds in t: those it holds no
// longer are released, the new ones claimed (a Conflict if another record
// holds one).
func (tx *Tx) moveKeys(ctx context.Context, t keyTable, userID, ownerID string, keys []string) error {
	// <table> by owner; the names are constants, never input
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE `+t.owner+` = ? AND key NOT IN (SELECT value FROM json_each(?))`,
		ownerID, jsonList(keys)); err != nil {
		return translate(err, t.what)
	}
	return tx.claim(ctx, t, userID, ownerID, keys)
}
