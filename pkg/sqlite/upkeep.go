package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"modernc.org/sqlite"
)

// Two chores SQLite ran inside the commits that crossed a threshold run
// beside the writer instead: copying the WAL into the file (the
// checkpointer, on a connection of its own) and merging the full-text
// indexes' segments (the committer, once writes pause). In an import of
// 50,000 contacts they were 0.35 s and about 1 s of the writer's time.

// walCheckpointPages is how many pages the writer appends to the WAL
// before the checkpointer copies them into the file: SQLite's
// wal_autocheckpoint default, which ran the copy, and its fsync, in the
// commit that crossed it (the write connection's is off: openPool).
const walCheckpointPages = 1000

// walLongFrames is how long the WAL may grow (in frames, a page
// each) before the committer empties it. The writer starts the WAL again
// from its beginning only when, as a write begins, every frame has been
// copied and no reader is on one; with the copies beside a writer that
// goes on writing, that moment never came under steady load, and the WAL
// grew by every page written: 1.2 GB in a minute of `scripts/load`, never
// given back (8.9 MB when the writer copied it in its commits).
// Emptying it from the checkpointer's connection did not hold either:
// waiting for the writer's lock, it lost to a committer that takes the
// lock again as soon as it lets go.
const walLongFrames = 4 * walCheckpointPages

// walSizeLimit is the size (bytes) a WAL file is cut back to when it
// starts again: twice walLongFrames' worth of 4 KiB pages. Below it,
// the file is written over from its start rather than cut and grown
// again (a third of a millisecond less a logged encounter than cutting it
// to nothing each time, TRUNCATE).
const walSizeLimit = 2 * walLongFrames * 4096

// emptyWALWait bounds how long emptying the WAL waits for readers to
// leave it (or for the checkpointer's last copy to end): the writes
// queued meanwhile wait that long at most, and an attempt that gives up
// is made again after the next transaction.
const emptyWALWait = 50 * time.Millisecond

// checkpointer copies the WAL into the file each time it is woken, until
// the wake channel is closed (Close). PASSIVE: it never waits for a
// reader or the writer; what it could not copy, the next copy does. A WAL
// that has grown to walLongFrames it leaves to the committer to
// empty (walLong, emptyWAL), and copies nothing until then: a copy under
// way holds the checkpoint lock the emptying needs.
func (db *DB) checkpointer() {
	defer close(db.checkpointed)
	for range db.checkpoint {
		if db.walLong.Load() {
			continue
		}
		var busy, frames, copied int
		// An error is left for the next wake, as SQLite's own
		// checkpoint in a commit left it.
		if err := db.ckpt.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err == nil && frames >= walLongFrames {
			db.walLong.Store(true)
		}
	}
}

// emptyWAL empties a WAL the checkpointer found long, on conn, the write
// connection, between transactions (walWritten): RESTART copies what is
// left with the writer's lock held and waits up to emptyWALWait for
// readers to leave the WAL, so that the next write starts it again from
// the beginning (and cuts a file grown past walSizeLimit back to it).
func (db *DB) emptyWAL(ctx context.Context, conn *sql.Conn) {
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", emptyWALWait.Milliseconds())); err != nil {
		return
	}
	var busy, frames, copied int
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &frames, &copied); err == nil && busy == 0 {
		db.walLong.Store(false)
		db.walPages = 0
	}
	// The writes' own wait for a lock (busyTimeout), back.
	_, _ = conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout.Milliseconds()))
}

// walWritten adds the pages the last transaction appended to the WAL
// (the write connection's counter, reset as it is read), empties a WAL
// the checkpointer found long (emptyWAL), and wakes the checkpointer when
// the pages reach walCheckpointPages. The committer calls it after each
// transaction (its upkeep steps' too), while the connection is free.
func (db *DB) walWritten() {
	ctx := context.Background()
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	_ = conn.Raw(func(dc any) error {
		if st, ok := dc.(sqlite.DBStatus); ok {
			n, _, _ := st.Status(sqlite.DBStatusCacheWrite, true)
			db.walPages += n
		}
		return nil
	})
	if db.walLong.Load() {
		db.emptyWAL(ctx, conn)
	}
	if db.walPages >= walCheckpointPages {
		db.walPages = 0
		db.wakeCheckpointer()
	}
}

// wakeCheckpointer asks for a copy of the WAL (one pending is enough).
func (db *DB) wakeCheckpointer() {
	select {
	case db.checkpoint <- struct{}{}:
	default:
	}
}

// FTS5 merges a full-text index's segments inside the write that adds one
// when a level holds four (automerge); migration 00042 turns that off, and
// the committer merges once writes pause for mergeIdle, or after
// mergeEvery transactions without a pause: the fifty chunks of an import
// of 50,000 no longer each wait for merges a later one redoes, and
// searches read few segments once the writes are done; then an index
// is merged into one segment when that pays (tidy, segments.go).
const (
	mergeIdle  = 250 * time.Millisecond
	mergeEvery = 64
	// mergeStepPages bounds the pages a merge step writes: a step is a
	// transaction of its own, and a write that arrives waits for one
	// step at most.
	mergeStepPages = 256
)

// upkeepStep runs a step of upkeep in one transaction and says whether
// there was work (FTS5 changes total_changes by two or more when it
// merged).
func (db *DB) upkeepStep() bool {
	worked, err := db.tryUpkeep(context.Background())
	if err != nil {
		// No step again until the next write's pause: a search settles
		// its own user's to-do lists (settleSearch), and says so if it
		// fails too; what is left waits.
		db.upkeepFailed.add(time.Now(), err, db.logger.Load())
		return false
	}
	db.walWritten()
	return worked
}

// tryUpkeep runs a step of upkeep in one transaction.
func (db *DB) tryUpkeep(ctx context.Context) (worked bool, err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	if worked, err = upkeep(ctx, tx); err != nil {
		tx.Rollback()
		return false, err
	}
	return worked, tx.Commit()
}

// failures counts failed upkeep steps and logs them, the first at once
// and then at most one line each failLogEvery, with how many failed in
// between: a step that fails on every pause would otherwise leave the
// full-text indexes unmerged and imported contacts out of other users'
// searches without a word.
type failures struct {
	since  int       // failed since the last line
	logged time.Time // when the last line was written
}

// failLogEvery is how often a step that keeps failing is logged.
const failLogEvery = time.Minute

// add records a failed step at now and logs it when a line is due.
func (f *failures) add(now time.Time, err error, l *slog.Logger) {
	f.since++
	if !f.logged.IsZero() && now.Sub(f.logged) < failLogEvery {
		return
	}
	l.Error("store upkeep failed: the full-text indexes are not merged and imported contacts wait for their search entries until it succeeds",
		"err", err, "failed", f.since)
	f.since, f.logged = 0, now
}

// upkeep runs one step of what the committer does once writes pause, in
// tx: the search index's to-do lists (settleStep) first, then a
// leveled merge step of each full-text index, or else a tidy; it says
// whether there was work.
func upkeep(ctx context.Context, tx *sql.Tx) (worked bool, err error) {
	if worked, err = settleStep(ctx, tx, ""); err != nil || worked {
		return worked, err
	}
	if worked, err = mergeAll(ctx, tx); err != nil || worked {
		return worked, err
	}
	return tidy(ctx, tx, fullTextIndexes...)
}

// mergeAll runs a leveled merge step of each full-text index in tx,
// where a level holds usermerge (4) segments or more, as automerge did,
// or where a merge is under way.
func mergeAll(ctx context.Context, tx *sql.Tx) (worked bool, err error) {
	for _, table := range fullTextIndexes {
		merged, err := merge(ctx, tx, table, mergeStepPages)
		if err != nil {
			return false, err
		}
		worked = worked || merged
	}
	return worked, nil
}

// merge runs FTS5's 'merge' command on table with pages in tx and says
// whether it merged anything.
func merge(ctx context.Context, tx *sql.Tx, table string, pages int) (merged bool, err error) {
	var before, after int64
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
		return false, err
	}
	// table is one of fullTextIndexes (or a test's), never input.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %[1]s(%[1]s, rank) VALUES ('merge', ?)`, table), pages); err != nil {
		return false, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
		return false, err
	}
	return after-before >= 2, nil
}
