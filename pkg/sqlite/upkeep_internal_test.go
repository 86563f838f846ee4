package sqlite

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// segments is how many segments the full-text index table holds (its
// %_idx table has a row for each leaf page of each segment).
func segments(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	// table is one of two constants of this test, never input.
	if err := db.read.QueryRow(`SELECT count(DISTINCT segid) FROM ` + table + `_idx`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond until it holds, or fails the test after 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: %s", what)
		}
	}
}

// TestFullTextMergedWhenIdle: sixty contacts made one write each leave a
// segment each in both full-text indexes (less what FTS5's crisis merge
// at sixteen took: its automerge, off since migration 00042, did little
// for writes this small); once the writes pause, the committer merges
// them to at most three a level and then, their sizes alike, into one
// (tidy). Searching finds every contact after.
func TestFullTextMergedWhenIdle(t *testing.T) {
	db := openTemp(t)
	s := &Contacts{DB: db}
	ctx := context.Background()
	now := record.Time(time.Now())
	for i := range 60 {
		c := &contacts.Contact{ID: record.NewID(), UserID: "u1", Name: fmt.Sprintf("Person %02d", i), Company: "Acme",
			Notes: fmt.Sprintf("met at meetup %d", i), CreatedAt: now, UpdatedAt: now}
		if err := s.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	before := segments(t, db, "contacts_fts") + segments(t, db, "search")
	if before < 20 {
		t.Fatalf("%d segments after sixty writes: nothing for the test to see merged", before)
	}
	waitFor(t, "the full-text indexes were not merged into one segment once writes paused", func() bool {
		return segments(t, db, "contacts_fts") == 1 && segments(t, db, "search") == 1
	})
	// Once merged, a step finds nothing to do (so the committer stops
	// stepping).
	waitFor(t, "merge steps never ran out of work", func() bool {
		var worked bool
		if err := db.Update(ctx, func(tx *Tx) (err error) {
			worked, err = upkeep(ctx, tx.tx.Tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return !worked
	})
	page, err := s.Contacts(ctx, "u1", contacts.ContactQuery{Q: "meetup", Limit: 100})
	if err != nil || len(page.Items) != 60 {
		t.Fatalf("q=meetup after the merges: %d, %v", len(page.Items), err)
	}
}

// TestWALCheckpointedBesideTheWriter: the write connection no longer
// copies the WAL into the file inside a commit; once the writer has
// appended a thousand pages, the checkpointer does, without the store
// being closed.
func TestWALCheckpointedBesideTheWriter(t *testing.T) {
	db := openTemp(t)
	s := &Contacts{DB: db}
	ctx := context.Background()
	size := func() int64 {
		fi, err := os.Stat(db.Path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	start := size()
	now := record.Time(time.Now())
	for chunk := range 10 {
		cs := make([]*contacts.Contact, 500)
		for i := range cs {
			cs[i] = &contacts.Contact{ID: record.NewID(), UserID: "u1", Name: fmt.Sprintf("Person %d-%d", chunk, i),
				Emails: []string{fmt.Sprintf("p%d-%d@example.com", chunk, i)}, Notes: "met at a meetup", CreatedAt: now, UpdatedAt: now}
		}
		if _, err := s.ImportContacts(ctx, cs); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the WAL was not copied into the file", func() bool { return size() > start+1<<20 })
}
