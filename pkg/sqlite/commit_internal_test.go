package sqlite

import (
	"context"
	"testing"
	"time"
)

// TestWriteGivenUpMidStatement: two writes committed together; the first
// one's caller gives up while its statement runs (a calendar sync that
// outlived its request). SQLite's interrupt, which the driver sends when a
// context ends mid-statement, rolls back the whole transaction: the second
// write failed with it ("no such savepoint", a 500 to another user). Now a
// statement on the write connection runs whole, the first write ends at
// its next statement, undone alone, and the second commits.
func TestWriteGivenUpMidStatement(t *testing.T) {
	db := openTemp(t)
	ctx := t.Context()
	rows := longStatement(t, db, 500*time.Millisecond)
	release := holdCommitter(t, db)
	gone, cancel := context.WithCancel(ctx)
	defer cancel()
	first, second := make(chan error, 1), make(chan error, 1)
	go func() {
		first <- db.Update(gone, func(tx *Tx) error {
			time.AfterFunc(50*time.Millisecond, cancel)
			if _, err := tx.tx.ExecContext(gone, insertRows, rows, "long-"); err != nil {
				return err
			}
			_, err := tx.tx.ExecContext(gone, `INSERT INTO health(id, at) VALUES('after', 't')`)
			return err
		})
	}()
	waitQueued(t, db, 1)
	go func() {
		second <- db.Update(ctx, func(tx *Tx) error {
			_, err := tx.tx.ExecContext(ctx, `INSERT INTO health(id, at) VALUES('second', 't')`)
			return err
		})
	}()
	waitQueued(t, db, 2)
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := <-first; err == nil {
		t.Error("the write whose caller gave up was committed")
	}
	if err := <-second; err != nil {
		t.Fatalf("the other write of its commit: %v", err)
	}
	var second1, first1 int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM health WHERE id = 'second'`).Scan(&second1); err != nil || second1 != 1 {
		t.Fatalf("second written: %d, %v", second1, err)
	}
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM health WHERE id LIKE 'long-%' OR id = 'after'`).Scan(&first1); err != nil || first1 != 0 {
		t.Fatalf("%d rows of the given-up write kept (%v)", first1, err)
	}
}

// insertRows inserts ?1 rows into health, their ids ?2 and a number.
const insertRows = `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?1)
	INSERT INTO health(id, at) SELECT ?2 || x, 't' FROM n`

// longStatement is how many rows insertRows takes about d to insert on
// this build, timed: the race detector makes SQLite's C tens of times
// slower when it watches it, and .ci/run has it not watch it.
func longStatement(t *testing.T, db *DB, d time.Duration) int {
	t.Helper()
	const probe = 20000
	start := time.Now()
	err := db.Update(t.Context(), func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(t.Context(), insertRows, probe, "probe-"); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(t.Context(), `DELETE FROM health WHERE id LIKE 'probe-%'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return max(probe, int(float64(probe)*d.Seconds()/time.Since(start).Seconds()))
}

// waitQueued waits until n writes wait in db's queue.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); len(db.jobs) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", len(db.jobs), n)
		}
	}
}

// holdCommitter runs a write that holds db's committer until release is
// called, so that the writes queued meanwhile are committed together;
// release returns that write's error.
func holdCommitter(t *testing.T, db *DB) (release func() error) {
	started, hold, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		held <- db.Update(t.Context(), func(*Tx) error { close(started); <-hold; return nil })
	}()
	<-started
	return func() error { close(hold); return <-held }
}
