package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/search"
	"github.com/rapport-crm/rapport/pkg/sqlite/internal/storefiles"
	"github.com/rapport-crm/rapport/pkg/storetest"
)

// TestSearchMigrationIndexesEarlierRecords takes a store back to before
// migration 00019, writes records as that version did, migrates again and
// finds them: what was written before search is searchable after it.
func TestSearchMigrationIndexesEarlierRecords(t *testing.T) {
	ctx := context.Background()
	db, p := migratedDownTo(t, 18)
	for _, q := range []string{
		`INSERT INTO contacts(id, user_id, name, name_lower, emails, tags, notes, created_at, updated_at)
			VALUES('c1', 'u1', 'José Núñez', 'josé núñez', '["jose@globex.example"]', '["kubernetes"]', 'old notes', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
		`INSERT INTO events(id, user_id, title, kind, starts_at, ends_at, timezone, talks, status, created_at, updated_at)
			VALUES('e1', 'u1', 'GoDays', 'meetup', '2026-01-01T18:00:00.000Z', '2026-01-01T21:00:00.000Z', 'UTC',
			'[{"title":"Flame graphs","speaker":"Brendan"}]', 'planned', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
		`INSERT INTO encounters(id, user_id, event_id, contact_id, moment, met_at, notes, topics, created_at)
			VALUES('n1', 'u1', 'e1', 'c1', 'after_talk', '2026-01-01T19:00:00.000Z', 'wants the slides', '["pprof"]', '2026-01-01T19:00:00.000Z')`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	s := &Search{DB: db}
	for q, want := range map[string]string{"jose kube": "contact c1", "brendan": "event e1", "pprof slides": "encounter n1"} {
		hits, err := s.Search(ctx, search.Query{UserID: "u1", Terms: search.Terms(q), Limit: 5})
		if err != nil || len(hits) != 1 || hits[0].Type+" "+hits[0].ID != want {
			t.Errorf("%q after the migration: %+v, %v; want %s", q, hits, err, want)
		}
	}
}

// TestFoldMigrationRefoldsEarlierRecords takes a store back to before
// migration 00024, writes a contact and an event as that version did
// (q= text lower-cased only, no alt words), migrates again and finds them
// by "sorensen" and "strasse", in q= and in search.
func TestFoldMigrationRefoldsEarlierRecords(t *testing.T) {
	ctx := context.Background()
	db, p := migratedDownTo(t, 23)
	for _, q := range []string{
		`INSERT INTO contacts(id, user_id, name, name_lower, emails, tags, notes, created_at, updated_at, search)
			VALUES('c1', 'u1', 'Jan Sørensen', 'jan sørensen', '[]', '[]', 'Straße 5', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z',
			'jan sørensen' || char(10) || 'straße 5')`,
		`INSERT INTO contacts_fts(rowid, search) SELECT seq, search FROM contacts`,
		`INSERT INTO search_put SELECT * FROM contacts_search`,
		`INSERT INTO events(id, user_id, title, kind, starts_at, ends_at, timezone, talks, status, created_at, updated_at, search)
			VALUES('e1', 'u1', 'Łódź Gophers', 'meetup', '2026-01-01T18:00:00.000Z', '2026-01-01T21:00:00.000Z', 'UTC',
			'[]', 'planned', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'łódź gophers')`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	s := &Search{DB: db}
	for q, want := range map[string]string{"sorensen": "contact c1", "strasse": "contact c1", "lodz": "event e1"} {
		hits, err := s.Search(ctx, search.Query{UserID: "u1", Terms: search.Terms(q), Limit: 5})
		if err != nil || len(hits) != 1 || hits[0].Type+" "+hits[0].ID != want {
			t.Errorf("search %q after the migration: %+v, %v; want %s", q, hits, err, want)
		}
	}
	for _, q := range []string{"sorensen", "n s", "strasse"} {
		page, err := (&Contacts{DB: db}).Contacts(ctx, "u1", contacts.ContactQuery{Q: q})
		if err != nil || len(page.Items) != 1 {
			t.Errorf("q=%s after the migration: %+v, %v", q, page, err)
		}
	}
	if page, err := (&Events{DB: db}).Events(ctx, "u1", events.EventQuery{Q: "lodz"}); err != nil || len(page.Items) != 1 {
		t.Errorf("events q=lodz after the migration: %+v, %v", page, err)
	}
}

// TestTopicMonthsMigrationCountsEarlierRecords takes a store back to
// before migration 00025, writes an encounter and an event as that version
// did, migrates again and finds their topics counted by month.
func TestTopicMonthsMigrationCountsEarlierRecords(t *testing.T) {
	ctx := context.Background()
	db, p := migratedDownTo(t, 24)
	for _, q := range []string{
		`INSERT INTO events(id, user_id, title, kind, starts_at, ends_at, timezone, talks, tags, status, created_at, updated_at)
			VALUES('e1', 'u1', 'GoDays', 'meetup', '2026-10-01T18:00:00.000Z', '2026-10-01T21:00:00.000Z', 'UTC', '[]', '["Go"]', 'planned',
			'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
		`INSERT INTO encounters(id, user_id, event_id, contact_id, moment, met_at, notes, topics, created_at)
			VALUES('n1', 'u1', 'e1', 'c1', 'after_talk', '2026-10-01T19:00:00.000Z', '', '["go", " WASM "]', '2026-10-01T19:00:00.000Z')`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	months, err := (&Insights{DB: db}).TopicMonths(ctx, "u1", oct, oct.AddDate(0, 1, 0))
	if err != nil || fmt.Sprint(months) != "map[2026-10:map[go:2 wasm:1]]" {
		t.Fatalf("after the migration: %v, %v", months, err)
	}
}

// migrated is an empty store at the newest migration, made once for the
// package's own tests (as sqlitetest.Dir, which they cannot import).
var migrated = storefiles.New(func(dir string) error {
	db, err := Open(context.Background(), dir)
	if err != nil {
		return err
	}
	return db.Close()
}, FileName, FileName+"-wal")

// openTemp opens a fresh store in a temporary directory (a copy of
// migrated), closed when the test ends.
func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), migrated.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// storedAsBefore stores contacts in a store migrated down as versions
// before 00044 did: their rows and every index at once (an import lists
// them for the search index since, and an insert checks the grams left
// by deleted contacts, in tables of 00044).
func storedAsBefore(t *testing.T, db *DB, cs []*contacts.Contact) {
	t.Helper()
	ctx := context.Background()
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	before := append(qIndexQueries[len(qIndexQueries)-1:len(qIndexQueries):len(qIndexQueries)], contactSearchQueries...)
	if err := db.Update(ctx, func(tx *Tx) error {
		// Today's insert names card_extra (00045) and known_since (00050):
		// the columns are there only while it writes.
		for _, col := range []string{"card_extra", "known_since"} {
			if _, err := tx.tx.ExecContext(ctx, `ALTER TABLE contacts ADD COLUMN `+col+` TEXT NOT NULL DEFAULT ''`); err != nil {
				return err
			}
		}
		if err := tx.insertContacts(ctx, cs); err != nil {
			return err
		}
		for _, col := range []string{"card_extra", "known_since"} {
			if _, err := tx.tx.ExecContext(ctx, `ALTER TABLE contacts DROP COLUMN `+col); err != nil {
				return err
			}
		}
		if err := tx.execAll(ctx, "contact", before, jsonList(ids)); err != nil {
			return err
		}
		return journalCards(ctx, tx, "contact", cs, func(c *contacts.Contact) (string, string) { return c.UserID, c.ID })
	}); err != nil {
		t.Fatal(err)
	}
}

// migratedDownTo opens a fresh store taken back to migration version, so
// a test can write records as that version did and migrate up with p.
func migratedDownTo(t *testing.T, version int64) (db *DB, p *goose.Provider) {
	t.Helper()
	tmpl := downTemplates[version]
	if tmpl == nil {
		t.Fatalf("no store at version %d: add it to downVersions", version)
	}
	db, err := open(context.Background(), tmpl.Dir(t), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if p, err = migrationsOn(db.write); err != nil {
		t.Fatal(err)
	}
	return db, p
}

// downVersions are the versions the migrations' tests start from, newest
// first.
var downVersions = []int64{55, 49, 42, 34, 33, 31, 24, 23, 18}

// downTemplates are empty stores at each of downVersions, each made from
// the one before it: the schema goes down from the newest once, not once
// for each test (under the race detector, SQLite's schema work took 20 s
// of going down again and again).
var downTemplates = map[int64]*storefiles.Template{}

func init() {
	newer := migrated
	for _, v := range downVersions {
		from := newer
		downTemplates[v] = storefiles.New(func(dir string) error {
			if err := from.CopyTo(dir); err != nil {
				return err
			}
			db, err := open(context.Background(), dir, false)
			if err != nil {
				return err
			}
			p, err := migrationsOn(db.write)
			if err == nil {
				_, err = p.DownTo(context.Background(), v)
			}
			return errors.Join(err, db.Close())
		}, FileName, FileName+"-wal")
		newer = downTemplates[v]
	}
}

// TestKeysAndTagsMigrationKeepsThem takes a store back to before migration
// 00043 (keys and tags with a foreign key to their contact), stores
// contacts as that version did, migrates: the keys still hold their
// contacts and refuse a second holder, the tags still list them, the
// tables name no foreign key, and deleting a contact takes its rows.
func TestKeysAndTagsMigrationKeepsThem(t *testing.T) {
	ctx := context.Background()
	db, p := migratedDownTo(t, 42)
	cs := &Contacts{DB: db}
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	storedAsBefore(t, db, []*contacts.Contact{
		{ID: "a", UserID: "u1", Name: "Ada", Emails: []string{"ada@example.com"}, Tags: []string{"go"}, CreatedAt: now, UpdatedAt: now},
		{ID: "b", UserID: "u1", Name: "Bob", Emails: []string{"bob@example.com"}, Tags: []string{"go", "rust"}, CreatedAt: now, UpdatedAt: now},
	})
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"contact_keys", "contact_tags"} {
		var ddl string
		if err := db.write.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = ?`, table).Scan(&ddl); err != nil || strings.Contains(ddl, "REFERENCES") {
			t.Fatalf("%s after the migration: %q, %v", table, ddl, err)
		}
	}
	if c, err := cs.ContactByKey(ctx, "u1", "email:bob@example.com"); err != nil || c.ID != "b" {
		t.Fatalf("bob's key after the migration: %+v, %v", c, err)
	}
	if held, err := cs.ImportContacts(ctx, []*contacts.Contact{{ID: "c", UserID: "u1", Name: "Robert", Emails: []string{"bob@example.com"}, CreatedAt: now, UpdatedAt: now}}); err != nil || held[0] != "b" {
		t.Fatalf("a second holder of bob's key: %v held, %v", held, err)
	}
	if page, err := cs.Contacts(ctx, "u1", contacts.ContactQuery{Tag: "go"}); err != nil || len(page.Items) != 2 {
		t.Fatalf("tag=go after the migration: %d, %v", len(page.Items), err)
	}
	if err := cs.DeleteContact(ctx, "u1", "b"); err != nil {
		t.Fatal(err)
	}
	var keys, tags int
	db.write.QueryRowContext(ctx, `SELECT count(*) FROM contact_keys`).Scan(&keys)
	db.write.QueryRowContext(ctx, `SELECT count(*) FROM contact_tags`).Scan(&tags)
	if keys != 1 || tags != 1 {
		t.Fatalf("after deleting bob: %d keys, %d tags; want ada's", keys, tags)
	}
}

// TestKnownSinceMigrationDatesEarlierContacts takes a store back to before
// migration 00050, stores contacts as that version did — one met at an
// event before it was made, one emailed before, one with neither — and
// migrates: each is known since the earliest of the three times, and the
// "known since" order reads that.
func TestKnownSinceMigrationDatesEarlierContacts(t *testing.T) {
	ctx := context.Background()
	db, p := migratedDownTo(t, 49)
	for _, q := range []string{
		`INSERT INTO contacts(id, user_id, name, name_lower, created_at, updated_at) VALUES
			('met', 'u1', 'Met', 'met', '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'),
			('mailed', 'u1', 'Mailed', 'mailed', '2026-02-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'),
			('plain', 'u1', 'Plain', 'plain', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
			('other', 'u2', 'Other', 'other', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
		`INSERT INTO encounters(id, user_id, event_id, contact_id, moment, met_at, created_at) VALUES
			('n1', 'u1', 'e1', 'met', 'after_talk', '2025-10-01T19:00:00.000Z', '2026-03-01T00:00:00.000Z'),
			('n2', 'u1', 'e2', 'met', 'after_talk', '2026-04-01T19:00:00.000Z', '2026-04-01T00:00:00.000Z'),
			('n3', 'u2', 'e3', 'plain', 'after_talk', '2020-01-01T19:00:00.000Z', '2026-04-01T00:00:00.000Z')`,
		`INSERT INTO interactions(id, user_id, contact_id, kind, at, created_at) VALUES
			('i1', 'u1', 'mailed', 'email', '2025-12-01T09:00:00.000Z', '2026-02-01T00:00:00.000Z')`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	// Another user's encounter with the same contact id moves nothing.
	got := storetest.KnownSinceOrder(t, &Contacts{DB: db}, "u1")
	if want := "met 2025-10-01, mailed 2025-12-01, plain 2026-01-01"; got != want {
		t.Fatalf("known since after the migration: %s; want %s", got, want)
	}
}

// TestCardGroupTotalsMigrationCountsEarlierCards takes a store back to
// before migration 00056, stores group cards as that version did, and
// migrates: each user's totals are their cards' count and bytes, so a put
// past the bound is refused and one within it is not.
func TestCardGroupTotalsMigrationCountsEarlierCards(t *testing.T) {
	ctx := context.Background()
	db, p := migratedDownTo(t, 55)
	if _, err := db.write.ExecContext(ctx, `INSERT INTO card_groups(user_id, dav_name, id, name, card, updated_at) VALUES
		('u1', 'a', 'g1', 'A', 'Zoë', '2026-01-01T00:00:00.000Z'),
		('u1', 'b', 'g2', 'B', 'xx', '2026-01-01T00:00:00.000Z'),
		('u2', 'a', 'g3', 'A', 'x', '2026-01-01T00:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	var got []string
	rows, err := db.write.QueryContext(ctx, `SELECT user_id, cards, bytes FROM card_group_totals ORDER BY user_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u string
		var n, b int
		if err := rows.Scan(&u, &n, &b); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(u, " ", n, " ", b))
	}
	if err := rows.Close(); err != nil || strings.Join(got, ", ") != "u1 2 6, u2 1 1" {
		t.Fatalf("the totals after the migration: %v (%v); want u1 2 6, u2 1 1", got, err)
	}
	s := &Contacts{DB: db}
	fit := func(n, bytes int) bool { return n <= 3 && bytes <= 10 }
	put := func(name, card string) error {
		return s.PutCardGroup(ctx, &contacts.CardGroup{ID: name, UserID: "u1", DAVName: name, Name: name, Card: card, UpdatedAt: time.Now()}, fit)
	}
	if err := put("c", "12345"); !errors.Is(err, contacts.ErrCardGroupsFull) {
		t.Fatalf("a put past the bytes counted before: %v", err)
	}
	if err := put("c", "1234"); err != nil {
		t.Fatalf("a put within them: %v", err)
	}
}
