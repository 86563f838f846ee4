package sqlite

import (
	"context"
	"slices"

	"github.com/rapport-crm/rapport/pkg/contacts"
)

// The contacts' full-text indexes (q= and search) and the CardDAV journal
// are written for a set of contacts at once, by a statement each, on every
// path that inserts or deletes contacts (imports, restores, undo, one at a
// time): per-row triggers did it before migrations 00039 and 00040.

// indexContacts adds new contacts (in the order they went in) to the
// full-text indexes (q= and search) and journals them for sync-collection
// (dav_changes), in one statement each (the journal one a user); every
// path that inserts a contact calls it in the same transaction. The search
// rows are written as the search_put view's trigger writes them (migration
// 00032), for all the contacts at once: the trigger, and the journal's
// (dropped in 00039), ran for each row, about a tenth of an import of
// 50,000 contacts. The q= rows go in by rowid: FTS5 writes its pending
// terms out as a new segment whenever a rowid is not above the one before,
// and in the IN list's order (by id) an import of 50,000 contacts with ids
// made in the same millisecond wrote a segment for nearly every contact,
// and spent 2.7 s merging them (search's rowids are search_rows.seq, made
// in the order the rows go in).
func (tx *Tx) indexContacts(ctx context.Context, cs []*contacts.Contact) error {
	return tx.indexContactsBy(ctx, cs, indexQueries)
}

// indexContactsBy runs queries (each of a JSON list of cs' ids) and
// journals cs for sync-collection: indexContacts' statements, or an
// import's (indexContactsLater).
func (tx *Tx) indexContactsBy(ctx context.Context, cs []*contacts.Contact, queries []string) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	if err := tx.execAll(ctx, "contact", queries, jsonList(ids)); err != nil {
		return err
	}
	return journalCards(ctx, tx, "contact", cs, func(c *contacts.Contact) (string, string) { return c.UserID, c.ID })
}

// journalCards journals the cards of xs (each x's user and contact id,
// of) for sync-collection: each card once, in the order they come, by
// one statement a user (journalCardsQuery); its error is said of what.
func journalCards[T any](ctx context.Context, tx *Tx, what string, xs []T, of func(T) (user, contactID string)) error {
	var users []string
	cards := map[string][]string{}
	seen := map[[2]string]bool{}
	for _, x := range xs {
		u, id := of(x)
		if _, ok := cards[u]; !ok {
			users = append(users, u)
		}
		if k := [2]string{u, id}; !seen[k] {
			seen[k] = true
			cards[u] = append(cards[u], id)
		}
	}
	for _, u := range users {
		if _, err := tx.tx.ExecContext(ctx, journalCardsQuery, u, jsonList(cards[u])); err != nil {
			return translate(err, what)
		}
	}
	return nil
}

// journalCardsQuery journals new cards of one user (?1) for
// sync-collection: a JSON list of their ids (?2), in the order they went
// in, after the user's last entry (dav_changes' primary key: one descent
// for the last seq, then appends). It read each contact back by id to
// order them, a third of indexContacts' time.
const journalCardsQuery = `INSERT INTO dav_changes(user_id, coll, seq, item_id)
	SELECT ?1, 'cards', (SELECT coalesce(max(seq), 0) FROM dav_changes WHERE user_id = ?1 AND coll = 'cards') + key + 1, value
	FROM json_each(?2)`

// indexQueries are indexContacts' statements, each of a JSON list of
// contact ids (?1): the q= grams, then the search rows and words.
var indexQueries = append(slices.Clone(qIndexQueries), contactSearchQueries...)

// qIndexQueries put contacts (a JSON list of ids, ?1) in the q= index:
// the grams a deleted contact left under the seq one of them was given
// go first (contacts_q_gone, search_pending.go), then theirs.
var qIndexQueries = []string{
	`INSERT INTO contacts_fts(contacts_fts, rowid, grams) SELECT 'delete', g.seq, rapport_grams(g.user_id, g.search)
		FROM contacts_q_gone g WHERE g.seq IN (SELECT seq FROM contacts WHERE id IN (SELECT value FROM json_each(?1)))`,
	`DELETE FROM contacts_q_gone WHERE seq IN (SELECT seq FROM contacts WHERE id IN (SELECT value FROM json_each(?1)))`,
	`INSERT INTO contacts_fts(rowid, grams)
		SELECT seq, rapport_grams(user_id, search) FROM contacts WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY seq`,
}

// contactSearchQueries put contacts (a JSON list of ids, ?1) in the
// search index.
var contactSearchQueries = searchQueries("contacts_search")

// searchQueries put new records in the search index from view (the
// records' search view: contacts_search, encounters_search), as the
// search_put view's trigger does a row at a time: their search rows (in
// the order of their ids), then their words (by the rows' seq, the index's
// rowid). Each is of a JSON list of the records' ids (?1).
func searchQueries(view string) []string {
	return []string{
		`INSERT INTO search_rows(user_id, type, ref, title, contact_id, other_id, event_id, at)
		SELECT user_id, type, ref, title, contact_id, other_id, event_id, at FROM ` + view + `
		WHERE ref IN (SELECT value FROM json_each(?1)) ORDER BY ref`,
		`INSERT INTO search(rowid, name, body, words_name, words_body, kind)
		SELECT r.seq, s.name, s.body, rapport_search_words(s.user_id, s.name), rapport_search_words(s.user_id, s.body),
			rapport_search_words(s.user_id, 'type' || s.type)
		FROM ` + view + ` s JOIN search_rows r ON r.type = s.type AND r.ref = s.ref
		WHERE s.ref IN (SELECT value FROM json_each(?1)) ORDER BY r.seq`,
	}
}

// execAll runs queries in order with the same arguments, stopping at the
// first that fails (its error said of what: the (un)indexing of contacts
// and encounters uses it).
func (tx *Tx) execAll(ctx context.Context, what string, queries []string, args ...any) error {
	for _, q := range queries {
		if _, err := tx.tx.ExecContext(ctx, q, args...); err != nil {
			return translate(err, what)
		}
	}
	return nil
}

// unindexContacts takes those of list (a JSON list of ids) that are the
// user's contacts, lists them to leave the q= and search indexes
// (contacts_q_gone, search_gone: search_pending.go; or takes them off the
// list of those waiting to enter the search index), deletes their keys and tags, and journals
// their removal (the cards' names, as the journal lists deleted cards),
// in one statement each, as indexContacts puts them in; every path that
// deletes contacts calls it first, in the same transaction. Triggers and
// cascades did it for each row (dropped in migrations 00040 and 00043).
// +user_id: the contacts are found by id (contacts.id), not by walking
// all the user's.
func (tx *Tx) unindexContacts(ctx context.Context, userID, list string) error {
	return tx.execAll(ctx, "contact", unindexQueries, userID, list)
}

// unindexQueries are unindexContacts' statements, each of the user (?1)
// and a JSON list of contact ids (?2).
var unindexQueries = []string{
	`INSERT INTO dav_changes(user_id, coll, seq, item_id)
		SELECT user_id, 'cards', (SELECT coalesce(max(seq), 0) FROM dav_changes d WHERE d.user_id = c.user_id AND d.coll = 'cards')
			+ row_number() OVER (ORDER BY seq), CASE WHEN dav_name != '' THEN dav_name ELSE id END
		FROM contacts c WHERE +user_id = ?1 AND id IN (SELECT value FROM json_each(?2))`,
	`INSERT OR IGNORE INTO contacts_q_gone(seq, user_id, search)
		SELECT seq, user_id, search FROM contacts WHERE +user_id = ?1 AND id IN (SELECT value FROM json_each(?2))`,
	`INSERT OR IGNORE INTO search_gone(user_id, seq) SELECT ?1, r.seq FROM search_rows r JOIN contacts c ON r.type = 'contact' AND r.ref = c.id
		WHERE +c.user_id = ?1 AND c.id IN (SELECT value FROM json_each(?2))`,
	`UPDATE search_rows SET type = 'gone', ref = CAST(seq AS TEXT)
		WHERE type = 'contact' AND ref IN (SELECT id FROM contacts WHERE +user_id = ?1 AND id IN (SELECT value FROM json_each(?2)))`,
	`DELETE FROM contact_keys WHERE contact_id IN (SELECT value FROM json_each(?2)) AND +user_id = ?1`,
	`DELETE FROM contact_tags WHERE contact_id IN (SELECT value FROM json_each(?2)) AND +user_id = ?1`,
	`DELETE FROM search_pending WHERE user_id = ?1 AND seq IN (SELECT seq FROM contacts WHERE +user_id = ?1 AND id IN (SELECT value FROM json_each(?2)))`,
}
