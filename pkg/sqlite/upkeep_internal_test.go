package sqlite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
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

// lines is where a test's logger writes (slog's text handler, as the
// API's tests read their logs), safe to read while the committer logs.
type lines struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// all returns the lines written so far.
func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.FieldsFunc(l.buf.String(), func(r rune) bool { return r == '\n' })
}

// TestUpkeepFailureLogged: a step of the idle writer's upkeep that fails
// (here a to-do list's table is gone) is logged with its error, not
// dropped without a word.
func TestUpkeepFailureLogged(t *testing.T) {
	db := openTemp(t)
	got := &lines{}
	db.LogTo(slog.New(slog.NewTextHandler(got, nil)))
	ctx := context.Background()
	if _, err := db.write.ExecContext(ctx, `DROP TABLE search_gone`); err != nil {
		t.Fatal(err)
	}
	now := record.Time(time.Now())
	if err := (&Contacts{DB: db}).CreateContact(ctx, &contacts.Contact{ID: record.NewID(), UserID: "u1", Name: "Ada", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "no line about the failed upkeep step", func() bool {
		for _, m := range got.all() {
			if strings.Contains(m, "store upkeep failed") && strings.Contains(m, "search_gone") && strings.Contains(m, "failed=1") {
				return true
			}
		}
		return false
	})
}

// TestFailuresLoggedOncePerInterval: a step failing on every pause is
// logged at once and then once each failLogEvery, with how many failed in
// between.
func TestFailuresLoggedOncePerInterval(t *testing.T) {
	got := &lines{}
	l := slog.New(slog.NewTextHandler(got, nil))
	var f failures
	start := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	for i := range 10 {
		f.add(start.Add(time.Duration(i)*15*time.Second), errors.New("disk I/O error"), l)
	}
	msgs := got.all()
	if len(msgs) != 3 {
		t.Fatalf("%d lines for ten failures over 135 s, want 3 (at 0, 60 and 120 s): %q", len(msgs), msgs)
	}
	for i, want := range []string{"failed=1", "failed=4", "failed=4"} {
		if !strings.Contains(msgs[i], want) || !strings.Contains(msgs[i], "disk I/O error") {
			t.Errorf("line %d: %q, want %s and the error", i, msgs[i], want)
		}
	}
}

// TestWALEmptiedUnderSteadyLoad: writes that never pause, beside reads
// that never pause, leave a WAL file of at most walSizeLimit, not one
// that holds every page written (the
// copies beside the writer never caught up with it, and the WAL grew to
// 1.2 GB in a minute of scripts/load).
func TestWALEmptiedUnderSteadyLoad(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	if err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `CREATE TABLE ballast (b BLOB)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				var n int
				_ = db.read.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM ballast`).Scan(&n)
			}
		})
	}
	const pagesWritten = 3 * walLongFrames
	var writers sync.WaitGroup
	for w := range 4 { // several writers, so that the committer's queue is never empty
		writers.Go(func() {
			for range pagesWritten / 4 / 10 {
				if err := db.Update(ctx, func(tx *Tx) error {
					// ten rows of a page each
					_, err := tx.tx.ExecContext(ctx, `INSERT INTO ballast SELECT zeroblob(3500) FROM json_each('[1,2,3,4,5,6,7,8,9,10]')`)
					return err
				}); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		})
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	fi, err := os.Stat(db.Path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > walSizeLimit {
		t.Fatalf("the WAL holds %d MB after %d pages written, want at most %d MB", fi.Size()>>20, pagesWritten, walSizeLimit>>20)
	}
}
