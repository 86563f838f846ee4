package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/pkg/contacts"
)

// An import's contacts enter the search index after the import answers
// (issue 28: the search rows and words were a quarter of an import's
// writer time), and deleted contacts (an undo's) leave it after the
// delete answers (a third of an undo's): ImportContacts lists them in
// search_pending, unindexContacts in search_gone (migration 00044), and
// the lists are worked off once writes pause, pendingBatch a step as the
// committer's upkeep (upkeep.go), or before their user's next search,
// whichever comes first, so a search never misses a contact its user has
// nor finds one deleted. Everything else reads them at once: the list,
// q=, keys, tags, cards.

// pendingBatch is how many pending contacts one step indexes (one
// transaction; a write that arrives waits for one step at most).
const pendingBatch = 1000

// indexContactsLater is indexContacts for an import: the contacts go in
// the q= index and the sync journal now, and are listed for the search
// index (pending).
func (tx *Tx) indexContactsLater(ctx context.Context, cs []*contacts.Contact) error {
	return tx.indexContactsBy(ctx, cs, laterQueries)
}

// laterQueries are indexContactsLater's statements, each of a JSON list
// of contact ids (?1): the q= grams, then the contacts listed by user and
// seq (contacts.id, then search_pending's primary key).
var laterQueries = append(slices.Clone(qIndexQueries), `INSERT OR IGNORE INTO search_pending(user_id, seq, ref)
		SELECT user_id, seq, id FROM contacts WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY seq`)

// indexPending puts up to pendingBatch pending contacts (of userID, or of
// anyone when it is empty) in the search index, in tx, and takes them off
// the list; it says whether there were any. One a change indexed since
// (a contact's update re-indexes it) is only taken off.
func indexPending(ctx context.Context, tx *sql.Tx, userID string) (bool, error) {
	taken, err := firstListed(ctx, tx, "search_pending", "user_id, seq, ref", userID)
	if err != nil || len(taken) == 0 {
		return false, err
	}
	list := "[" + strings.Join(taken, ",") + "]"
	// Those a change indexed since are left out (search_rows (type, ref)
	// unique).
	fresh, err := column(ctx, tx, `SELECT j.value->>2 FROM json_each(?) j
		WHERE NOT EXISTS (SELECT 1 FROM search_rows r WHERE r.type = 'contact' AND r.ref = j.value->>2)`, list)
	if err != nil {
		return false, err
	}
	for _, q := range contactSearchQueries {
		if _, err := tx.ExecContext(ctx, q, jsonList(fresh)); err != nil {
			return false, translate(err, "search")
		}
	}
	// search_pending primary key
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE (user_id, seq) IN (SELECT value->>0, value->>1 FROM json_each(?))`,
		list); err != nil {
		return false, translate(err, "search")
	}
	return true, nil
}

// firstListed returns up to pendingBatch rows of a to-do list (table,
// keyed by user and seq), each as a JSON array of columns: the user's,
// or anyone's when userID is empty, in the order of the primary key (a
// user's in the order they were listed).
func firstListed(ctx context.Context, tx *sql.Tx, table, columns, userID string) ([]string, error) {
	// table and columns are constants of this file, never input; the
	// table's primary key (user_id, seq)
	q := `SELECT json_array(` + columns + `) FROM ` + table
	if userID == "" {
		return column(ctx, tx, q+` LIMIT ?`, pendingBatch)
	}
	return column(ctx, tx, q+` WHERE user_id = ? LIMIT ?`, userID, pendingBatch)
}

// column returns the first column of what q finds in tx (a transaction,
// or the store's reader), as text.
func column(ctx context.Context, tx interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err, "search")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, translate(err, "search")
		}
		out = append(out, s)
	}
	return out, translate(rows.Err(), "search")
}

// dropGone takes up to pendingBatch deleted contacts' entries (of userID,
// or of anyone when it is empty) out of the search index, in tx, with
// their rows kept as type 'gone' till now; it says whether there were any.
func dropGone(ctx context.Context, tx *sql.Tx, userID string) (bool, error) {
	taken, err := firstListed(ctx, tx, "search_gone", "user_id, seq", userID)
	if err != nil || len(taken) == 0 {
		return false, err
	}
	list := "[" + strings.Join(taken, ",") + "]"
	for _, q := range []string{
		`DELETE FROM search WHERE rowid IN (SELECT value->>1 FROM json_each(?))`,
		// search_rows' rowid; a row that is not 'gone' (never, but) stays
		`DELETE FROM search_rows WHERE seq IN (SELECT value->>1 FROM json_each(?)) AND type = 'gone'`,
		// search_gone primary key
		`DELETE FROM search_gone WHERE (user_id, seq) IN (SELECT value->>0, value->>1 FROM json_each(?))`,
	} {
		if _, err := tx.ExecContext(ctx, q, list); err != nil {
			return false, translate(err, "search")
		}
	}
	return true, nil
}

// dropGrams deletes up to pendingBatch deleted contacts' grams from the
// q= index (the first listed in contacts_q_gone), in tx, and says
// whether there were any. A q= search reads the grams left meanwhile
// harmlessly: its page query keeps the contacts that exist and hold the
// text (rareMatches).
func dropGrams(ctx context.Context, tx *sql.Tx) (bool, error) {
	// contacts_q_gone's rowid: the same first rows in both statements
	if _, err := tx.ExecContext(ctx, `INSERT INTO contacts_fts(contacts_fts, rowid, grams)
		SELECT 'delete', seq, rapport_grams(user_id, search) FROM contacts_q_gone ORDER BY seq LIMIT ?`, pendingBatch); err != nil {
		return false, translate(err, "contact")
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM contacts_q_gone WHERE seq IN (SELECT seq FROM contacts_q_gone ORDER BY seq LIMIT ?)`, pendingBatch)
	if err != nil {
		return false, translate(err, "contact")
	}
	n, err := res.RowsAffected()
	return n > 0, translate(err, "contact")
}

// settleStep runs a step of the full-text indexes' to-do lists, in tx:
// of userID's, deleted contacts out of the search index, then pending
// ones in; of anyone's when userID is empty, deleted contacts' grams out
// of the q= index first. It says whether there was any.
func settleStep(ctx context.Context, tx *sql.Tx, userID string) (bool, error) {
	if userID == "" {
		if worked, err := dropGrams(ctx, tx); err != nil || worked {
			return worked, err
		}
	}
	if worked, err := dropGone(ctx, tx, userID); err != nil || worked {
		return worked, err
	}
	return indexPending(ctx, tx, userID)
}

// settleSearch runs the user's to-do lists of the search index to the
// end, a step a write transaction, if there is anything on them: a search
// runs it first.
func (db *DB) settleSearch(ctx context.Context, userID string) error {
	var todo bool
	// search_pending and search_gone primary keys
	if err := db.reader(ctx).QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_pending WHERE user_id = ?1)
		OR EXISTS (SELECT 1 FROM search_gone WHERE user_id = ?1)`, userID).Scan(&todo); err != nil {
		return translate(err, "search")
	}
	if !todo {
		return nil
	}
	return db.stepsUntilDone(ctx, func(ctx context.Context, tx *sql.Tx) (bool, error) { return settleStep(ctx, tx, userID) })
}

// stepsUntilDone runs step, a write transaction each, until it says it
// found no work.
func (db *DB) stepsUntilDone(ctx context.Context, step func(context.Context, *sql.Tx) (bool, error)) error {
	for worked := true; worked; {
		if err := db.Update(ctx, func(tx *Tx) (err error) {
			worked, err = step(ctx, tx.tx.Tx)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}
