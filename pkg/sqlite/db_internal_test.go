package sqlite

import (
	"database/sql"
	"runtime"
	"testing"
)

// TestConnectionPragmas: every connection of both pools is in WAL mode
// with synchronous=FULL, and keeps its page cache: the write connection
// writeCacheKiB, each read connection its share of readCacheKiB (SQLite's
// default, 2 MiB, left a first CardDAV sync reading pages from the file).
func TestConnectionPragmas(t *testing.T) {
	db := openTemp(t)
	readers := max(4, runtime.GOMAXPROCS(0)*2)
	check := func(pool *sql.DB, n, cacheKiB int) {
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
			var cache, sync int
			var mode string
			for q, dst := range map[string]any{"PRAGMA cache_size": &cache, "PRAGMA synchronous": &sync, "PRAGMA journal_mode": &mode} {
				if err := c.QueryRowContext(t.Context(), q).Scan(dst); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if cache != -cacheKiB || sync != 2 || mode != "wal" {
				t.Fatalf("connection %d: cache_size %d (want %d), synchronous %d (want 2, FULL), journal_mode %s", len(conns), cache, -cacheKiB, sync, mode)
			}
		}
	}
	check(db.write, 1, writeCacheKiB)
	check(db.read, readers, max(minReadCacheKiB, readCacheKiB/readers))
}
