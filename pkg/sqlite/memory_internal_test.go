package sqlite

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// storeMemoryBound is what a store's connections may hold in memory
// however large its file: issue 13 asks a server to stay within 150 MB
// after scripts/load, and the rest is the server's own.
const storeMemoryBound = 64 << 20

// TestStoreMemoryBounded: after the write connection wrote, and the four
// read connections of a two-core server read, a store larger than all
// their caches together, the process holds at most storeMemoryBound more
// anonymous memory than before. A cached page costs twice its size (see writeCacheKiB), and
// what the allocator handed out once it keeps: with the caches at 32 MiB
// for the writer and 128 for the readers, this test found 185 MiB held
// and a server 170 MB after scripts/load.
func TestStoreMemoryBounded(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc/self/status to read the process's memory from")
	}
	db := openTemp(t)
	ctx := t.Context()
	before := anonMemory(t)
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE scratch (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	// 60 MB of pages, more than all the caches hold together, written
	// twice (zeroblob: randomblob took two minutes under -race).
	const rows, size = 15000, 4000
	if _, err := db.write.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ?) INSERT INTO scratch SELECT zeroblob(?) FROM n`, rows, size); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE scratch SET b = zeroblob(?)`, size); err != nil {
		t.Fatal(err)
	}
	for range 4 { // each held open to the end, so four connections read
		c, err := db.read.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var n int64
		if err := c.QueryRowContext(ctx, `SELECT sum(length(b)) FROM scratch`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != rows*size {
			t.Fatalf("read %d bytes, want %d", n, rows*size)
		}
	}
	grew := anonMemory(t) - before
	t.Logf("the store's connections hold %.1f MiB", float64(grew)/(1<<20))
	if grew > storeMemoryBound {
		t.Fatalf("the store's connections hold %.1f MiB, want at most %d MiB", float64(grew)/(1<<20), storeMemoryBound>>20)
	}
}

// anonMemory is the process's resident anonymous memory (RssAnon), once
// the Go heap has given back what it does not use.
func anonMemory(tb testing.TB) int64 {
	tb.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "RssAnon:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb << 10
		}
	}
	tb.Fatal("no RssAnon in /proc/self/status")
	return 0
}
