package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/crm"
)

// TestConnectionPragmas: every connection of both pools is in WAL mode
// with synchronous=FULL, and keeps its page cache: the write connection
// writeCacheKiB, each read connection its share of readCacheKiB (SQLite's
// default, 2 MiB, left a first CardDAV sync reading pages from the file).
// Each read connection maps readMmapBytes of the file (a read after a
// write fetches its pages again); the write connection maps nothing.
func TestConnectionPragmas(t *testing.T) {
	db := openTemp(t)
	readers := max(4, runtime.GOMAXPROCS(0)*2)
	check := func(pool *sql.DB, n, cacheKiB, mmapBytes int) {
		t.Helper()
		var conns []*sql.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for range n {
			c, err := pool.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
			var cache, sync, mmap int
			var mode string
			for q, dst := range map[string]any{"PRAGMA cache_size": &cache, "PRAGMA synchronous": &sync, "PRAGMA journal_mode": &mode, "PRAGMA mmap_size": &mmap} {
				if err := c.QueryRowContext(t.Context(), q).Scan(dst); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if cache != -cacheKiB || sync != 2 || mode != "wal" || mmap != mmapBytes {
				t.Fatalf("connection %d: cache_size %d (want %d), synchronous %d (want 2, FULL), journal_mode %s, mmap_size %d (want %d)",
					len(conns), cache, -cacheKiB, sync, mode, mmap, mmapBytes)
			}
		}
	}
	check(db.write, 1, writeCacheKiB, 0)
	check(db.read, readers, max(minReadCacheKiB, readCacheKiB/readers), readMmapBytes)
}

// TestReadConnectionsKept: a burst of reads as wide as the read pool
// leaves every connection it opened idle for the next, none closed
// (database/sql keeps two unless told, and each one opened again reads
// the schema and prepares its statements anew).
func TestReadConnectionsKept(t *testing.T) {
	db := openTemp(t)
	readers := max(4, runtime.GOMAXPROCS(0)*2)
	burst := func() {
		t.Helper()
		var conns []*sql.Conn
		for range readers {
			c, err := db.read.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			c.Close()
		}
	}
	burst()
	opened := db.read.Stats().OpenConnections
	burst()
	if st := db.read.Stats(); st.MaxIdleClosed != 0 || st.Idle != readers || st.OpenConnections != opened {
		t.Fatalf("after two bursts of %d reads: %d closed as too many idle, %d idle, %d open (%d after the first)",
			readers, st.MaxIdleClosed, st.Idle, st.OpenConnections, opened)
	}
}

// TestWriteStatementsPrepared: a write statement runs prepared from the
// transaction after its first on, and still runs once the connection it
// was prepared on is gone; a statement that cannot be prepared fails as
// before, savepoints stay out of the cache, and the cache is bounded.
func TestWriteStatementsPrepared(t *testing.T) {
	db := openTemp(t)
	ctx := t.Context()
	const put = `INSERT INTO health(id, at) VALUES(?, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at`
	write := func(query string, args ...any) (prepared bool, err error) {
		err = db.Update(ctx, func(tx *Tx) error {
			prepared = tx.tx.stmt(ctx, query) != nil
			_, err := tx.tx.ExecContext(ctx, query, args...)
			return err
		})
		return prepared, err
	}
	if prepared, err := write(put, "a", "t1"); err != nil || prepared {
		t.Fatalf("first run: prepared %v, %v; want it run as it comes", prepared, err)
	}
	if prepared, err := write(put, "b", "t1"); err != nil || !prepared {
		t.Fatalf("second run: prepared %v, %v; want the prepared statement", prepared, err)
	}
	// The pool closes its connection when it goes idle: the statement is
	// prepared again on the next one.
	db.write.SetMaxIdleConns(0)
	if prepared, err := write(put, "c", "t1"); err != nil || !prepared {
		t.Fatalf("on a new connection: prepared %v, %v", prepared, err)
	}
	db.write.SetMaxIdleConns(1)
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM health WHERE id IN ('a', 'b', 'c')`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("rows written: %d, %v", n, err)
	}
	for range 2 {
		if _, err := write(`INSERT INTO nowhere VALUES(?)`, 1); err == nil {
			t.Fatal("a statement on a missing table ran")
		}
	}
	// A unit of work's savepoints are named anew each time.
	for range 3 {
		err := db.Work(ctx, func(ctx context.Context, u crm.Tx) error {
			bound := u.(unitOf).db
			return bound.Update(ctx, func(tx *Tx) error {
				_, err := tx.tx.ExecContext(ctx, put, "d", "t2")
				return err
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range maxCachedStmts + 10 {
		if _, err := write(fmt.Sprintf(`INSERT INTO health(id, at) VALUES('x%d', ?) ON CONFLICT(id) DO NOTHING`, i), "t3"); err != nil {
			t.Fatal(err)
		}
	}
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	for q := range db.stmts.stmts {
		if strings.Contains(q, "SAVEPOINT") || strings.Contains(q, "RELEASE") {
			t.Errorf("cached %q", q)
		}
	}
	if st, ok := db.stmts.stmts[`INSERT INTO nowhere VALUES(?)`]; !ok || st != nil {
		t.Errorf("a statement that did not prepare: cached %v, %v; want noted as not prepared", st, ok)
	}
	if got := len(db.stmts.stmts) + len(db.stmts.want); got > maxCachedStmts {
		t.Errorf("%d statements cached, want at most %d", got, maxCachedStmts)
	}
}

// TestCachedStatementAfterCancelledWrite: two writes committed together
// run the same prepared statement; the first one's caller gives up while
// it runs, and the second still writes (a statement bound to their
// transaction under the first one's context failed for both).
func TestCachedStatementAfterCancelledWrite(t *testing.T) {
	db := openTemp(t)
	ctx := t.Context()
	const put = `INSERT INTO health(id, at) VALUES(?, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at`
	write := func(ctx context.Context, id string) func(*Tx) error {
		return func(tx *Tx) error {
			_, err := tx.tx.ExecContext(ctx, put, id, "t")
			return err
		}
	}
	for _, id := range []string{"warm", "prepared"} {
		if err := db.Update(ctx, write(ctx, id)); err != nil {
			t.Fatal(err)
		}
	}
	// A write holds the committer while the two queue behind it.
	release := holdCommitter(t, db)
	gone, cancel := context.WithCancel(ctx)
	first, second := make(chan error, 1), make(chan error, 1)
	go func() {
		first <- db.Update(gone, func(tx *Tx) error { cancel(); return write(gone, "first")(tx) })
	}()
	waitQueued(t, db, 1)
	go func() { second <- db.Update(ctx, write(ctx, "second")) }()
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
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM health WHERE id = 'second'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("second written: %d, %v", n, err)
	}
}

// TestReadStatementsPrepared: a read (one on its own, or in a View) runs
// prepared once its query has run once and the read pool's preparer has
// caught up; reads of every connection agree while it prepares, a query
// that cannot be prepared fails as before each time, a read given up on
// leaves the statement fit for the next, and closing the store while
// statements are being prepared leaves nothing running.
func TestReadStatementsPrepared(t *testing.T) {
	db := openTemp(t)
	ctx := t.Context()
	if err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO health(id, at) VALUES('a', 't1'), ('b', 't2')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const single = `SELECT at FROM health WHERE id = ?`
	const viewed = `SELECT count(*) FROM health WHERE at >= ?`
	prepared := func(q string) bool {
		db.readStmts.mu.Lock()
		defer db.readStmts.mu.Unlock()
		return db.readStmts.stmts[q] != nil
	}
	read := func() {
		t.Helper()
		var at string
		if err := db.reader(ctx).QueryRowContext(ctx, single, "b").Scan(&at); err != nil || at != "t2" {
			t.Fatalf("single read: %q, %v", at, err)
		}
		var n int
		if err := db.View(ctx, func(tx *Tx) error { return tx.tx.QueryRowContext(ctx, viewed, "t1").Scan(&n) }); err != nil || n != 2 {
			t.Fatalf("read in a View: %d, %v", n, err)
		}
	}
	// Many readers at once, on every connection, while the first runs are
	// being prepared.
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 20 {
				read()
			}
		}()
	}
	for range 8 {
		<-done
	}
	deadline := time.Now().Add(10 * time.Second)
	for !prepared(single) || !prepared(viewed) {
		if time.Now().After(deadline) {
			t.Fatalf("not prepared after their first runs: single %v, in a View %v", prepared(single), prepared(viewed))
		}
		time.Sleep(5 * time.Millisecond)
	}
	read()
	// A read given up on while it runs (its context ends) leaves the
	// prepared statement fit for the next one.
	const count = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) FROM c`
	counted := func(ctx context.Context, upTo int) (int, error) {
		var n int
		err := db.reader(ctx).QueryRowContext(ctx, count, upTo).Scan(&n)
		return n, err
	}
	if n, err := counted(ctx, 10); err != nil || n != 10 {
		t.Fatalf("count to 10: %d, %v", n, err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for !prepared(count) {
		if time.Now().After(deadline) {
			t.Fatal("the count was not prepared")
		}
		time.Sleep(5 * time.Millisecond)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if n, err := counted(short, 1_000_000_000); err == nil {
		t.Fatalf("a count to a billion finished in 20 ms: %d", n)
	}
	if n, err := counted(ctx, 10); err != nil || n != 10 {
		t.Fatalf("count to 10 after one given up on: %d, %v", n, err)
	}
	read()
	for range 2 {
		if err := db.reader(ctx).QueryRowContext(ctx, `SELECT at FROM nowhere`).Scan(new(string)); err == nil {
			t.Fatal("a read of a missing table ran")
		}
	}
	// Closing while the preparer runs: it stops, and prepares nothing more.
	other := openTemp(t)
	for i := range 50 {
		other.reader(ctx).QueryRowContext(ctx, fmt.Sprintf(`SELECT %d FROM health`, i)).Scan(new(int))
	}
	other.Close()
	deadline = time.Now().Add(10 * time.Second)
	for {
		other.readStmts.mu.Lock()
		busy, kept := other.readStmts.preparing, len(other.readStmts.stmts)
		other.readStmts.mu.Unlock()
		if !busy && kept == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Close: preparer running %v, %d statements kept", busy, kept)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
