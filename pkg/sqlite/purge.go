package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
)

// DeleteUser implements accounts.Store: in one transaction the user's row
// goes (their tokens, sessions and feed links with it: foreign keys), and
// their password and inbound address, and the id is noted in
// deleted_users for PurgeUser.
func (s *Accounts) DeleteUser(ctx context.Context, id string, at time.Time) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		if err := tx.writeOwned(ctx, `DELETE FROM users WHERE id = ?`, "user", id); err != nil {
			return err
		}
		return tx.execAll(ctx, "user", []string{`DELETE FROM passwords WHERE user_id = ?1`, `DELETE FROM inbound WHERE user_id = ?1`,
			`INSERT INTO deleted_users(id, at) VALUES(?1, ?2) ON CONFLICT DO NOTHING`}, id, formatTime(at))
	})
}

// DeletedUsers implements accounts.Store.
func (s *Accounts) DeletedUsers(ctx context.Context) ([]accounts.DeletedUser, error) {
	rows, err := s.DB.reader(ctx).QueryContext(ctx, `SELECT id, at FROM deleted_users ORDER BY at`)
	if err != nil {
		return nil, translate(err, "user")
	}
	defer rows.Close()
	var out []accounts.DeletedUser
	for rows.Next() {
		var d accounts.DeletedUser
		var at string
		if err := rows.Scan(&d.ID, &at); err != nil {
			return nil, translate(err, "user")
		}
		if d.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, translate(rows.Err(), "user")
}

// ForgetDeleted implements accounts.Store.
func (s *Accounts) ForgetDeleted(ctx context.Context, id string) error {
	_, err := s.DB.updateCount(ctx, "user", `DELETE FROM deleted_users WHERE id = ?`, id)
	return err
}

// A purge deletes a table's rows in batches, a transaction each: other
// users' writes wait for one batch at most. A batch is sized to hold the
// writer about purgeStep: an encounter's row (its search entry, counters
// and journal go by triggers) takes several times as long as a contact's.
// Each table starts small (its rows' cost is not known yet) and doubles.
const (
	purgeStep                 = 20 * time.Millisecond
	minPurgeBatch, purgeBatch = 50, 200
	maxPurgeBatch             = 8000
)

// nextBatch is the size of the batch after one of n rows that took took.
func nextBatch(n int, took time.Duration) int {
	switch {
	case took > 2*purgeStep && n > minPurgeBatch:
		return n / 2
	case took < purgeStep/2 && n < maxPurgeBatch:
		return n * 2
	}
	return n
}

// purgeLater are the tables with a user_id a purge leaves to the
// full-text indexes' background work (search_pending.go): their lists of
// what to take out, which the purge fills, and the search index's rows,
// which go with their records — by trigger, or listed as gone with the
// contacts (search_rows has no index by user: a purge reading it whole
// would hold the writer for as long as that takes).
var purgeLater = map[string]bool{"search_gone": true, "contacts_q_gone": true, "search_rows": true}

// PurgeUser implements accounts.Store. Every table with a user_id column
// is emptied of the user's rows, read from the schema so that a table
// added later is too, a batch per transaction: the contacts through
// unindexContacts (as every path that deletes them), the rest as they
// are, their triggers keeping the search index, the counters and the
// journal; the tables are gone over again until a pass finds nothing (the
// triggers journal what the first pass deletes). What purgeLater names
// goes with the full-text indexes' background work, seconds later. The
// note in deleted_users stays (ForgetDeleted).
func (s *Accounts) PurgeUser(ctx context.Context, id string) error {
	tables, err := s.userTables(ctx)
	if err != nil {
		return err
	}
	for again := true; again; {
		again = false
		for _, t := range tables {
			batch := purgeBatch
			for more := true; more; {
				start := time.Now()
				n, err := s.purgeRows(ctx, t, id, batch)
				if err != nil {
					return err
				}
				again = again || n > 0
				more = n == int64(batch)
				batch = nextBatch(batch, time.Since(start))
			}
		}
	}
	return nil
}

// userTable is a table holding users' rows, and the key its rows are
// deleted by in batches: rowid, or the primary key's columns of a table
// without one (quoted, comma-separated).
type userTable struct {
	name, key string
}

// userTables lists the tables with a user_id column but those of
// purgeLater, the contacts first.
func (s *Accounts) userTables(ctx context.Context) ([]userTable, error) {
	rows, err := s.DB.reader(ctx).QueryContext(ctx, `SELECT m.name, CASE WHEN m.sql LIKE '%WITHOUT ROWID%'
			THEN (SELECT group_concat('"' || replace(p.name, '"', '""') || '"', ', ') FROM
				(SELECT name FROM pragma_table_info(m.name) WHERE pk > 0 ORDER BY pk) p)
			ELSE 'rowid' END
		FROM sqlite_master m
		WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'user_id')
		ORDER BY m.name != 'contacts', m.name`)
	if err != nil {
		return nil, translate(err, "user")
	}
	defer rows.Close()
	var out []userTable
	for rows.Next() {
		var t userTable
		if err := rows.Scan(&t.name, &t.key); err != nil {
			return nil, translate(err, "user")
		}
		if !purgeLater[t.name] {
			out = append(out, t)
		}
	}
	return out, translate(rows.Err(), "user")
}

// purgeRows deletes up to batch of the user's rows of t in one
// transaction and returns how many it deleted. The table's name and key
// are the schema's.
func (s *Accounts) purgeRows(ctx context.Context, t userTable, userID string, batch int) (int64, error) {
	name := `"` + strings.ReplaceAll(t.name, `"`, `""`) + `"`
	var n int64
	err := s.DB.Update(ctx, func(tx *Tx) error {
		var res sql.Result
		var err error
		switch {
		case t.name == "contacts":
			var ids []string
			if ids, err = tx.firstContactIDs(ctx, userID, batch); err != nil || len(ids) == 0 {
				return err
			}
			list := jsonList(ids)
			if err := tx.unindexContacts(ctx, userID, list); err != nil {
				return err
			}
			res, err = tx.tx.ExecContext(ctx, deleteContactsQuery, userID, list)
		default:
			res, err = tx.tx.ExecContext(ctx, `DELETE FROM `+name+` WHERE (`+t.key+`) IN (SELECT `+t.key+` FROM `+name+` WHERE user_id = ?1 LIMIT ?2)`, userID, batch)
		}
		if err != nil {
			return translate(err, "user")
		}
		n, err = res.RowsAffected()
		return translate(err, "user")
	})
	return n, err
}

// firstContactIDs returns up to n of the user's contacts' ids.
func (tx *Tx) firstContactIDs(ctx context.Context, userID string, n int) ([]string, error) {
	return column(ctx, tx.tx, `SELECT id FROM contacts WHERE user_id = ? LIMIT ?`, userID, n)
}
