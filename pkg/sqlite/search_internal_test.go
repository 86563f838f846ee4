package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/search"
)

// TestSearchIsPartitionedByUser: the full-text index holds each user's
// words behind the user's key, so the same word of two users is two terms
// of the index, and a prefix's expansion (what a query reads) holds only
// the user's own words.
func TestSearchIsPartitionedByUser(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	cs := &Contacts{DB: db}
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	for i, u := range []string{"u1", "u2"} {
		c := &contacts.Contact{ID: u + "-c", UserID: u, Name: "Kubernetes Person", Notes: "Kubeflow " + strings.Repeat("x", i), CreatedAt: now, UpdatedAt: now}
		if _, err := cs.ImportContacts(ctx, []*contacts.Contact{c}); err != nil {
			t.Fatal(err)
		}
		if err := db.settleSearch(ctx, u); err != nil { // as a search would first
			t.Fatal(err)
		}
	}
	if _, err := db.write.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.search_terms USING fts5vocab(main, search, row)`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.write.QueryContext(ctx, `SELECT term FROM temp.search_terms WHERE term >= ? AND term < ? ORDER BY term`,
		searchKey("u1")+"kube", searchKey("u1")+"kubf")
	if err != nil {
		t.Fatal(err)
	}
	var terms []string
	for rows.Next() {
		var term string
		rows.Scan(&term)
		terms = append(terms, strings.TrimPrefix(term, searchKey("u1")))
	}
	rows.Close()
	if want := []string{"kubeflow", "kubernetes"}; !slices.Equal(terms, want) {
		t.Fatalf("u1's terms under kube: %v, want %v (its own, once each)", terms, want)
	}
	var all int
	db.write.QueryRowContext(ctx, `SELECT count(*) FROM temp.search_terms WHERE term LIKE '%kubernetes'`).Scan(&all)
	if all != 2 {
		t.Fatalf("%d terms for kubernetes, want one a user", all)
	}
	s := &Search{DB: db}
	for _, u := range []string{"u1", "u2"} {
		hits, err := s.Search(ctx, search.Query{UserID: u, Terms: search.Terms("kube"), Limit: 10})
		if err != nil || len(hits) != 1 || hits[0].ID != u+"-c" {
			t.Fatalf("%s: %+v, %v", u, hits, err)
		}
		hits, err = s.Search(ctx, search.Query{UserID: u, Terms: search.Terms("kube"), Types: []string{"event"}, Limit: 10})
		if err != nil || len(hits) != 0 {
			t.Fatalf("%s, events only: %+v, %v", u, hits, err)
		}
	}
	if searchKey("u1") == searchKey("u2") || len(searchKey("u1")) != len(searchKey("a much longer user id")) {
		t.Fatal("keys must differ between users and have one length")
	}
}

// TestSearchByUserMigrationKeepsRecords takes a store back to before
// migration 00032, indexes records as that version did, migrates and
// finds them, each only by its own user.
func TestSearchByUserMigrationKeepsRecords(t *testing.T) {
	ctx := context.Background()
	db, p := migratedDownTo(t, 31)
	for _, q := range []string{
		`INSERT INTO contacts(id, user_id, name, name_lower, emails, tags, notes, created_at, updated_at, search)
			VALUES('c1', 'u1', 'Jan Sørensen', 'jan sørensen', '[]', '["kubernetes"]', 'Straße 5', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'jan sorensen')`,
		`INSERT INTO contacts(id, user_id, name, name_lower, emails, tags, notes, created_at, updated_at, search)
			VALUES('c2', 'u2', 'Jan Other', 'jan other', '[]', '[]', '', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'jan other')`,
		`INSERT INTO search_put SELECT * FROM contacts_search`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	s := &Search{DB: db}
	for q, want := range map[string]string{"sorensen": "c1", "strasse kube": "c1", "jan": "c1"} {
		hits, err := s.Search(ctx, search.Query{UserID: "u1", Terms: search.Terms(q), Limit: 5})
		if err != nil || len(hits) != 1 || hits[0].ID != want || hits[0].Snippet == "" {
			t.Errorf("search %q after the migration: %+v, %v; want %s with a snippet", q, hits, err, want)
		}
	}
	if hits, err := s.Search(ctx, search.Query{UserID: "u2", Terms: search.Terms("jan"), Limit: 5}); err != nil || len(hits) != 1 || hits[0].ID != "c2" {
		t.Errorf("u2 after the migration: %+v, %v", hits, err)
	}
}

// TestContactsQIsPartitionedByUser: the q= index holds each user's grams
// behind the user's key, so a text other users' contacts hold is not in a
// user's postings, and q= finds the user's own contacts holding it, by
// substring, spaces and signs included.
func TestContactsQIsPartitionedByUser(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	cs := &Contacts{DB: db}
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	var batch []*contacts.Contact
	for i := range 30 {
		batch = append(batch, &contacts.Contact{ID: fmt.Sprint("u2-", i), UserID: "u2", Name: fmt.Sprint("Other ", i), Company: "Globex Corp.",
			CreatedAt: now, UpdatedAt: now})
	}
	batch = append(batch, &contacts.Contact{ID: "u1-a", UserID: "u1", Name: "Ada", Company: "Initech", CreatedAt: now, UpdatedAt: now})
	if _, err := cs.ImportContacts(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.q_terms USING fts5vocab(main, contacts_fts, row)`); err != nil {
		t.Fatal(err)
	}
	var mine, theirs int
	under := `SELECT count(*) FROM temp.q_terms WHERE substr(term, 1, length(?1)) = ?1`
	db.write.QueryRowContext(ctx, under, gramKey("u1")).Scan(&mine)
	db.write.QueryRowContext(ctx, under, gramKey("u2")).Scan(&theirs)
	var all int
	db.write.QueryRowContext(ctx, `SELECT count(*) FROM temp.q_terms`).Scan(&all)
	if mine+theirs != all {
		t.Fatalf("%d terms, %d under u1's key and %d under u2's", all, mine, theirs)
	}
	if mine == 0 || theirs == 0 {
		t.Fatalf("terms: u1 %d, u2 %d; want each user's grams under their key", mine, theirs)
	}
	seqs, err := cs.rareMatches(ctx, "u1", "globex")
	if err != nil || len(seqs) != 0 {
		t.Fatalf("u1's matches of another user's text: %v, %v", seqs, err)
	}
	if seqs, err := cs.rareMatches(ctx, "u2", "globex corp."); err != nil || len(seqs) != 30 {
		t.Fatalf("u2's matches: %d, %v", len(seqs), err)
	}
	for q, want := range map[string]int{"nitec": 1, "ada initech": 0, "globex": 0, "ini": 1} {
		page, err := cs.Contacts(ctx, "u1", contacts.ContactQuery{Q: q})
		if err != nil || len(page.Items) != want {
			t.Errorf("u1 q=%q: %d, %v; want %d", q, len(page.Items), err, want)
		}
	}
	// The index keeps no positions (00035): a contact holding a text's
	// grams in another order is a candidate, and the page leaves it out.
	if _, err := cs.ImportContacts(ctx, []*contacts.Contact{{ID: "u1-b", UserID: "u1", Name: "Tech Init Item", CreatedAt: now, UpdatedAt: now}}); err != nil {
		t.Fatal(err)
	}
	if seqs, err := cs.rareMatches(ctx, "u1", "initech"); err != nil || len(seqs) != 2 {
		t.Fatalf("candidates for initech: %v, %v; want Ada's and Tech Init Item's", seqs, err)
	}
	page, err := cs.Contacts(ctx, "u1", contacts.ContactQuery{Q: "initech"})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != "u1-a" {
		t.Errorf("u1 q=initech: %+v, %v; want Ada only", page.Items, err)
	}
}

// TestContactsQMigrationKeepsContacts takes a store back to before
// migration 00035 (the q= index with positions), stores contacts as that
// version did, migrates and finds them by q=; the index holds no
// positions after it.
func TestContactsQMigrationKeepsContacts(t *testing.T) {
	ctx := context.Background()
	db, p := migratedDownTo(t, 34)
	cs := &Contacts{DB: db}
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	storedAsBefore(t, db, []*contacts.Contact{
		{ID: "a", UserID: "u1", Name: "Ada", Company: "Initech", CreatedAt: now, UpdatedAt: now},
		{ID: "b", UserID: "u2", Name: "Bob", Company: "Initech", CreatedAt: now, UpdatedAt: now},
	})
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	var ddl string
	if err := db.write.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'contacts_fts'`).Scan(&ddl); err != nil || !strings.Contains(ddl, "detail = none") {
		t.Fatalf("contacts_fts after the migration: %q, %v", ddl, err)
	}
	page, err := cs.Contacts(ctx, "u1", contacts.ContactQuery{Q: "nitec"})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != "a" {
		t.Fatalf("q=nitec after the migration: %+v, %v", page.Items, err)
	}
	// A delete takes out what the new index holds (once writes pause).
	if err := cs.DeleteContact(ctx, "u1", "a"); err != nil {
		t.Fatal(err)
	}
	if err := settleAll(ctx, db); err != nil {
		t.Fatal(err)
	}
	if seqs, err := cs.rareMatches(ctx, "u1", "nitec"); err != nil || len(seqs) != 0 {
		t.Fatalf("u1's candidates after the delete: %v, %v", seqs, err)
	}
}

// TestEncounterCountsMigrationCountsEarlierEncounters takes a store back
// to before migration 00034, writes encounters as that version did,
// migrates and finds them counted; the triggers count what comes after.
func TestEncounterCountsMigrationCountsEarlierEncounters(t *testing.T) {
	ctx := context.Background()
	db, p := migratedDownTo(t, 33)
	for i, c := range []string{"c1", "c1", "c2"} {
		if _, err := db.write.ExecContext(ctx, `INSERT INTO encounters(id, user_id, event_id, contact_id, moment, met_at, notes, topics, created_at)
			VALUES(?, 'u1', 'e1', ?, 'after_talk', '2026-01-01T19:00:00.000Z', '', '[]', '2026-01-01T19:00:00.000Z')`, fmt.Sprint("n", i), c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	count := func() string {
		rows, err := db.write.QueryContext(ctx, `SELECT contact_id, n FROM encounter_counts WHERE user_id = 'u1' ORDER BY contact_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var c string
			var n int
			rows.Scan(&c, &n)
			out = append(out, fmt.Sprint(c, "=", n))
		}
		return fmt.Sprint(out)
	}
	if got := count(); got != "[c1=2 c2=1]" {
		t.Fatalf("after the migration: %s", got)
	}
	if _, err := db.write.ExecContext(ctx, `DELETE FROM encounters WHERE id = 'n2'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE encounters SET contact_id = 'c3' WHERE id = 'n0'`); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != "[c1=1 c3=1]" {
		t.Fatalf("after a delete and a move: %s", got)
	}
}

// TestDeletedContactsLeaveNoIndexRows: a contact deleted alone or with
// others leaves nothing in the q= index, the search index or its rows,
// nor a key or a tag (no foreign key removes them since migration 00043),
// is journaled once, and the same contact can be stored again (as a
// backup's restore does) and is found again.
func TestDeletedContactsLeaveNoIndexRows(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	cs := &Contacts{DB: db}
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	people := []*contacts.Contact{
		{ID: "c1", UserID: "u1", Name: "Ada Quokka", Emails: []string{"ada@example.com"}, Tags: []string{"go"}, CreatedAt: now, UpdatedAt: now},
		{ID: "c2", UserID: "u1", Name: "Grace Quokka", Emails: []string{"grace@example.com"}, Tags: []string{"go", "cobol"}, CreatedAt: now, UpdatedAt: now},
		{ID: "c3", UserID: "u1", Name: "Linus Quokka", Emails: []string{"linus@example.com"}, Tags: []string{"go"}, CreatedAt: now, UpdatedAt: now},
		{ID: "c4", UserID: "u2", Name: "Edsger Quokka", Emails: []string{"ada@example.com"}, Tags: []string{"go"}, CreatedAt: now, UpdatedAt: now},
	}
	if _, err := cs.ImportContacts(ctx, people); err != nil {
		t.Fatal(err)
	}
	// In the search index, as a search or the idle writer puts them
	// (TestImportedContactsPending deletes contacts still pending).
	for _, u := range []string{"u1", "u2"} {
		if err := db.settleSearch(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := cs.DeleteContact(ctx, "u1", "c1"); err != nil {
		t.Fatal(err)
	}
	if err := cs.DeleteContact(ctx, "u1", "c4"); err == nil {
		t.Fatal("u1 deleted u2's contact")
	}
	if n, err := cs.DeleteContacts(ctx, "u1", []string{"c2", "c4"}); err != nil || n != 1 {
		t.Fatalf("DeleteContacts: %d, %v", n, err)
	}
	// Out of the full-text indexes, as the idle writer takes them
	// (TestDeletedContactsGone looks while they are listed).
	if err := settleAll(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.q_terms USING fts5vocab(main, contacts_fts, instance)`); err != nil {
		t.Fatal(err)
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.write.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for what, n := range map[string]int{
		"search rows":        count(`SELECT count(*) FROM search_rows`),
		"search entries":     count(`SELECT count(*) FROM search`),
		"q= index documents": count(`SELECT count(DISTINCT doc) FROM temp.q_terms`),
		"keys":               count(`SELECT count(*) FROM contact_keys`),
		"tags":               count(`SELECT count(*) FROM contact_tags`),
	} {
		if n != 2 {
			t.Errorf("%s: %d, want Linus's and Edsger's", what, n)
		}
	}
	if n := count(`SELECT count(*) FROM dav_changes WHERE coll = 'cards' AND user_id = 'u1' AND item_id IN ('c1', 'c2')`); n != 4 {
		t.Errorf("journal entries of c1 and c2: %d, want each made and deleted", n)
	}
	if held, err := cs.ImportContacts(ctx, people[:2]); err != nil || len(held) != 0 {
		t.Fatalf("storing the deleted contacts again: %v held, %v", held, err)
	}
	if page, err := cs.Contacts(ctx, "u1", contacts.ContactQuery{Tag: "go"}); err != nil || len(page.Items) != 3 {
		t.Fatalf("tag=go after storing them again: %d, %v", len(page.Items), err)
	}
	if page, err := cs.Contacts(ctx, "u1", contacts.ContactQuery{Q: "quokka"}); err != nil || len(page.Items) != 3 {
		t.Fatalf("q=quokka after storing them again: %d, %v", len(page.Items), err)
	}
}

// TestContactsQForgetsWhatChanged: the q= index forgets a contact's old
// grams when it changes or goes (once writes pause), also for a contact written, changed and
// deleted in one transaction and once the index's segments are merged:
// what it names for a text is the contacts holding it now.
func TestContactsQForgetsWhatChanged(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	cs := &Contacts{DB: db}
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	if _, err := cs.ImportContacts(ctx, []*contacts.Contact{{ID: "old", UserID: "u1", Name: "Olga Quokka", CreatedAt: now, UpdatedAt: now}}); err != nil {
		t.Fatal(err)
	}
	err := db.Work(ctx, func(ctx context.Context, tx crm.Tx) error {
		s := tx.Stores().Contacts
		for _, c := range []*contacts.Contact{
			{ID: "a", UserID: "u1", Name: "Ada Quokka", CreatedAt: now, UpdatedAt: now},
			{ID: "b", UserID: "u1", Name: "Bob Quokka", CreatedAt: now, UpdatedAt: now},
		} {
			if err := s.CreateContact(ctx, c); err != nil {
				return err
			}
		}
		if err := s.UpdateContact(ctx, &contacts.Contact{ID: "a", UserID: "u1", Name: "Ada Wombat", CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		if err := s.UpdateContact(ctx, &contacts.Contact{ID: "old", UserID: "u1", Name: "Olga Numbat", CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		return s.DeleteContact(ctx, "u1", "b")
	})
	if err != nil {
		t.Fatal(err)
	}
	// The deleted contact's grams leave once writes pause (settleAll does
	// what the idle writer does).
	if err := settleAll(ctx, db); err != nil {
		t.Fatal(err)
	}
	seqOf := func(id string) int64 {
		var seq int64
		if err := db.write.QueryRowContext(ctx, `SELECT seq FROM contacts WHERE id = ?`, id).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		return seq
	}
	check := func(when string) {
		t.Helper()
		for text, want := range map[string][]int64{"quokka": nil, "wombat": {seqOf("a")}, "numbat": {seqOf("old")}, "bob": nil} {
			if seqs, err := cs.rareMatches(ctx, "u1", text); err != nil || !slices.Equal(seqs, want) {
				t.Errorf("%s: candidates for %q: %v, %v; want %v", when, text, seqs, err, want)
			}
		}
	}
	check("after the transaction")
	if err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO contacts_fts(contacts_fts) VALUES ('optimize')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	check("after the segments merged")
}

// TestGramsAsTheirList: grams, written into one buffer, is its list
// joined by spaces, and spells characters as the q= index always has.
func TestGramsAsTheirList(t *testing.T) {
	key := gramKey("u1")
	if got, want := grams("u1", "aé b"), key+"aqc3a9q20 "+key+"qc3a9q20b"; got != want {
		t.Fatalf("grams=%q, want %q", got, want)
	}
	for _, text := range []string{"", "a", "ab", "abc", "quiz", "ada lovelace ada@example.com", "zoë ünal 😀", "\xff\xfe!", "q q q"} {
		if got, want := grams("u1", text), strings.Join(gramList("u1", text), " "); got != want {
			t.Errorf("grams(%q)=%q, want %q", text, got, want)
		}
	}
}

func FuzzGrams(f *testing.F) {
	for _, s := range []string{"", "abc", "zoë ünal", "\xff\xfe!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := grams("u1", text), strings.Join(gramList("u1", text), " "); got != want {
			t.Fatalf("grams(%q)=%q, want %q", text, got, want)
		}
	})
}

// TestSearchFindsOldNamesBeyondTheNewest: the index ranks the newest
// maxRanked matches of a query, so the records that name its words are
// looked up on their own first: an old contact named "Quokka" is found,
// first, beside more than maxRanked newer ones whose notes mention the
// word (one word, a word and a prefix, and one word of a type).
func TestSearchFindsOldNamesBeyondTheNewest(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
	cs := &Contacts{DB: db}
	// The named one indexed first, so that it is the oldest entry.
	if err := cs.CreateContact(ctx, &contacts.Contact{ID: "named", UserID: "u1", Name: "Quokka Labs", Notes: "zoo", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	var batch []*contacts.Contact
	for i := range maxRanked + 50 {
		batch = append(batch, &contacts.Contact{ID: fmt.Sprintf("c%04d", i), UserID: "u1", Name: fmt.Sprint("Person ", i),
			Notes: "asked about the quokka at the zoo", CreatedAt: now, UpdatedAt: now})
	}
	if _, err := cs.ImportContacts(ctx, batch); err != nil {
		t.Fatal(err)
	}
	s := &Search{DB: db}
	for _, q := range []struct {
		text  string
		types []string
	}{{"quokka", nil}, {"quokka zo", nil}, {"quok", []string{"contact"}}} {
		hits, err := s.Search(ctx, search.Query{UserID: "u1", Terms: search.Terms(q.text), Types: q.types, Limit: 10})
		if err != nil || len(hits) != 10 || hits[0].ID != "named" {
			first := ""
			if len(hits) > 0 {
				first = hits[0].ID
			}
			t.Fatalf("%q %v: %d hits, the first %q (%v); want the contact named Quokka first", q.text, q.types, len(hits), first, err)
		}
	}
}
