package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/search"
)

// pendingOf counts the user's contacts waiting for the search index and
// the search rows of contacts, as db reads them.
func pendingOf(ctx context.Context, db *DB, userID string) (pending, rows int, err error) {
	err = db.View(ctx, func(tx *Tx) error {
		if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM search_pending WHERE user_id = ?`, userID).Scan(&pending); err != nil {
			return err
		}
		return tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM search_rows WHERE type = 'contact' AND user_id = ?`, userID).Scan(&rows)
	})
	return pending, rows, err
}

// wantPending says how the user's pending and indexed contacts differ
// from what is wanted, when they do.
func wantPending(ctx context.Context, db *DB, userID, when string, pending, rows int) error {
	p, r, err := pendingOf(ctx, db, userID)
	if err == nil && (p != pending || r != rows) {
		err = fmt.Errorf("%s %s: %d pending, %d indexed; want %d and %d", userID, when, p, r, pending, rows)
	}
	return err
}

// settleAll works off every to-do list of the full-text indexes, as the
// idle writer does, on db (a store, or a unit of work's handle).
func settleAll(ctx context.Context, db *DB) error {
	return db.stepsUntilDone(ctx, func(ctx context.Context, tx *sql.Tx) (bool, error) { return settleStep(ctx, tx, "") })
}

// TestImportedContactsPending: an import's contacts wait for the search
// index, and its user's search indexes them first (only the user's), so
// it finds them; one changed or deleted meanwhile is indexed once, or
// not at all. In one unit of work, so the idle writer cannot index them
// first.
func TestImportedContactsPending(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	person := func(id, user, name string) *contacts.Contact {
		return &contacts.Contact{ID: id, UserID: user, Name: name, Company: "Quokka Labs", CreatedAt: now, UpdatedAt: now}
	}
	// The unit's function runs on the committer: it returns what it
	// finds wrong, never calls t.Fatal.
	if err := db.Work(ctx, func(ctx context.Context, tx crm.Tx) error {
		u := tx.Stores().Contacts.(*Contacts).DB
		st := tx.Stores()
		if _, err := st.Contacts.ImportContacts(ctx, []*contacts.Contact{person("a1", "u1", "Ada"), person("a2", "u1", "Grace"),
			person("a3", "u1", "Linus"), person("b1", "u2", "Edsger"), person("b2", "u2", "Barbara")}); err != nil {
			return err
		}
		if err := wantPending(ctx, u, "u1", "after the import", 3, 0); err != nil {
			return err
		}
		if page, err := st.Contacts.Contacts(ctx, "u1", contacts.ContactQuery{Q: "quokka"}); err != nil || len(page.Items) != 3 {
			return fmt.Errorf("q=quokka while pending: %d, %v (the list reads them at once)", len(page.Items), err)
		}
		hits, err := st.Search.Search(ctx, search.Query{UserID: "u1", Terms: []string{"quokka"}, Limit: 10})
		var refs []string
		for _, h := range hits {
			refs = append(refs, h.ID)
		}
		slices.Sort(refs)
		if err != nil || !slices.Equal(refs, []string{"a1", "a2", "a3"}) {
			return fmt.Errorf("u1's search while pending: %v, %v", refs, err)
		}
		if err := wantPending(ctx, u, "u1", "after its search", 0, 3); err != nil {
			return err
		}
		if err := wantPending(ctx, u, "u2", "after u1's search", 2, 0); err != nil {
			return err
		}
		// b1 changed (its update indexes it), b2 deleted, both pending.
		if err := st.Contacts.UpdateContact(ctx, person("b1", "u2", "Edsger Dijkstra")); err != nil {
			return err
		}
		if err := st.Contacts.DeleteContact(ctx, "u2", "b2"); err != nil {
			return err
		}
		if err := wantPending(ctx, u, "u2", "after a change and a delete", 1, 1); err != nil {
			return err
		}
		hits, err = st.Search.Search(ctx, search.Query{UserID: "u2", Terms: []string{"quokka"}, Limit: 10})
		if err != nil || len(hits) != 1 || hits[0].ID != "b1" || hits[0].Title != "Edsger Dijkstra" {
			return fmt.Errorf("u2's search: %+v, %v; want b1 once, as changed", hits, err)
		}
		return wantPending(ctx, u, "u2", "after its search", 0, 1)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestPendingIndexedWhenIdle: once writes pause, the committer puts an
// import's contacts in the search index, more than a step's worth.
func TestPendingIndexedWhenIdle(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	s := &Contacts{DB: db}
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	n := pendingBatch + 200
	cs := make([]*contacts.Contact, n)
	for i := range cs {
		cs[i] = &contacts.Contact{ID: fmt.Sprintf("c%05d", i), UserID: "u1", Name: fmt.Sprintf("Person %d", i), CreatedAt: now, UpdatedAt: now}
	}
	if _, err := s.ImportContacts(ctx, cs); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the import's contacts were not indexed once writes paused", func() bool {
		return wantPending(ctx, db, "u1", "", 0, n) == nil
	})
}

// TestPendingMigrationDown: taking a store back before migration 00044
// indexes its pending contacts and takes the deleted ones out, as that
// version expects every contact indexed (one a change indexed already,
// once) and no other. The store is closed
// first, so no idle writer indexes them before the migration does.
func TestPendingMigrationDown(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	var cs []*contacts.Contact
	for i := range 6 {
		cs = append(cs, &contacts.Contact{ID: fmt.Sprintf("c%d", i), UserID: "u1", Name: fmt.Sprintf("Quokka %d", i), CreatedAt: now, UpdatedAt: now})
	}
	if _, err := (&Contacts{DB: db}).ImportContacts(ctx, cs); err != nil {
		t.Fatal(err)
	}
	if err := db.settleSearch(ctx, "u1"); err != nil { // all indexed, then (below) four taken out
		t.Fatal(err)
	}
	path := db.Path
	db.Close()
	pool, err := openPool(path, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// c0-c4 pending, c0 indexed too (as a change since would have); c5
	// deleted, still in both indexes.
	for _, q := range []string{
		`DELETE FROM search WHERE rowid IN (SELECT seq FROM search_rows WHERE type = 'contact' AND ref NOT IN ('c0', 'c5'))`,
		`DELETE FROM search_rows WHERE type = 'contact' AND ref NOT IN ('c0', 'c5')`,
		`INSERT OR IGNORE INTO search_pending(user_id, seq, ref) SELECT user_id, seq, id FROM contacts WHERE id != 'c5'`,
		`INSERT INTO search_gone(user_id, seq) SELECT user_id, seq FROM search_rows WHERE ref = 'c5'`,
		`UPDATE search_rows SET type = 'gone', ref = CAST(seq AS TEXT) WHERE ref = 'c5'`,
		`INSERT INTO contacts_q_gone(seq, user_id, search) SELECT seq, user_id, search FROM contacts WHERE id = 'c5'`,
		`DELETE FROM contacts WHERE id = 'c5'`,
	} {
		if _, err := pool.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	p, err := migrationsOn(pool)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 43); err != nil {
		t.Fatal(err)
	}
	var rows, found int
	if err := pool.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT ref) FROM search_rows`).Scan(&rows, &found); err != nil || rows != 5 || found != 5 {
		t.Fatalf("search rows after the migration down: %d of %d contacts, %v; want each once", rows, found, err)
	}
	if err := pool.QueryRowContext(ctx, `SELECT count(*) FROM search WHERE search MATCH ?`, `"`+searchKey("u1")+`quokka"`).Scan(&found); err != nil || found != 5 {
		t.Fatalf("the index's quokka after the migration down: %d, %v", found, err)
	}
	if err := pool.QueryRowContext(ctx, `SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?`, gramsQuery("u1", "quokka")).Scan(&found); err != nil || found != 5 {
		t.Fatalf("the q= index's quokka after the migration down: %d, %v", found, err)
	}
}

// TestDeletedContactsGone: deleted contacts leave the search index after
// the delete, and their user's search takes them out first, so it never
// finds one; until then no new record takes one's place in the index
// (their rows are kept as 'gone'), even the newest's. Their grams leave
// the q= index after it too; a new contact given one's seq keeps its own. In one unit of
// work, so the idle writer cannot take them out first.
func TestDeletedContactsGone(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	person := func(id string) *contacts.Contact {
		return &contacts.Contact{ID: id, UserID: "u3", Name: "Quokka " + id, CreatedAt: now, UpdatedAt: now}
	}
	count := func(u *DB, q string, args ...any) (n int, err error) {
		err = u.View(ctx, func(tx *Tx) error { return tx.tx.QueryRowContext(ctx, q, args...).Scan(&n) })
		return n, err
	}
	entries := `SELECT count(*) FROM search WHERE search MATCH ?`
	word := `"` + searchKey("u3") + `quokka"`
	if err := db.Work(ctx, func(ctx context.Context, tx crm.Tx) error {
		u := tx.Stores().Contacts.(*Contacts).DB
		st := tx.Stores()
		for _, id := range []string{"d1", "d2", "d3"} { // d3 the newest row of the index
			if err := st.Contacts.CreateContact(ctx, person(id)); err != nil {
				return err
			}
		}
		if _, err := st.Contacts.DeleteContacts(ctx, "u3", []string{"d2", "d3"}); err != nil {
			return err
		}
		if n, err := count(u, `SELECT count(*) FROM search_gone WHERE user_id = 'u3'`); err != nil || n != 2 {
			return fmt.Errorf("listed to leave the index after the delete: %d, %v; want 2", n, err)
		}
		if n, err := count(u, entries, word); err != nil || n != 3 {
			return fmt.Errorf("the index's entries before the search: %d, %v; want 3", n, err)
		}
		// A new contact is indexed at once; it must not take d3's place.
		if err := st.Contacts.CreateContact(ctx, person("d4")); err != nil {
			return err
		}
		hits, err := st.Search.Search(ctx, search.Query{UserID: "u3", Terms: []string{"quokka"}, Limit: 10})
		var refs []string
		for _, h := range hits {
			refs = append(refs, h.ID)
		}
		slices.Sort(refs)
		if err != nil || !slices.Equal(refs, []string{"d1", "d4"}) {
			return fmt.Errorf("u3's search after the delete: %v, %v; want d1 and d4", refs, err)
		}
		if n, err := count(u, entries, word); err != nil || n != 2 {
			return fmt.Errorf("the index's entries after the search: %d, %v; want 2", n, err)
		}
		if n, err := count(u, `SELECT count(*) FROM search_rows WHERE type = 'gone'`); err != nil || n != 0 {
			return fmt.Errorf("rows kept as gone after the search: %d, %v", n, err)
		}
		// The q= index: d4 took a deleted contact's seq (and has the same
		// words), and its insert took that one's grams out first; once the
		// other's are out too, q= still finds it.
		if n, err := count(u, `SELECT count(*) FROM contacts_q_gone`); err != nil || n != 1 {
			return fmt.Errorf("grams listed to leave the q= index after d4's insert: %d, %v; want 1 of 2", n, err)
		}
		if err := settleAll(ctx, u); err != nil {
			return err
		}
		page, err := st.Contacts.Contacts(ctx, "u3", contacts.ContactQuery{Q: "quokka"})
		refs = nil
		for _, c := range page.Items {
			refs = append(refs, c.ID)
		}
		if err != nil || !slices.Equal(refs, []string{"d1", "d4"}) {
			return fmt.Errorf("q=quokka once the deleted grams are out: %v, %v; want d1 and d4", refs, err)
		}
		if seqs, err := st.Contacts.(*Contacts).rareMatches(ctx, "u3", "quokka"); err != nil || len(seqs) != 2 {
			return fmt.Errorf("the q= index's candidates for quokka: %v, %v; want d1's and d4's", seqs, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
