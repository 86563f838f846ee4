package sqlite

import (
	"context"
	"crypto/rand"
	"os"
	"testing"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// TestDamagedFileIsNotReady: a file with 40 pages overwritten (as the
// reported attack did) opens, and Ping — /readyz — says it is damaged,
// after a restart too, while its own round trip would still work; a
// sound file is ready.
func TestDamagedFileIsNotReady(t *testing.T) {
	dir := migrated.Dir(t)
	ctx := context.Background()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE junk(x BLOB)`); err != nil {
		t.Fatal(err)
	}
	blob := make([]byte, 3000)
	for range 400 {
		rand.Read(blob)
		if _, err := db.write.ExecContext(ctx, `INSERT INTO junk(x) VALUES(?)`, blob); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Ping(ctx, "h1"); err != nil {
		t.Fatalf("a sound file: %v", err)
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	f, err := os.OpenFile(db.Path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	const page = 4096
	pages := st.Size() / page
	junk := make([]byte, page)
	for p := pages - 60; p < pages-20; p++ { // 40 pages of the junk table
		rand.Read(junk)
		if _, err := f.WriteAt(junk, p*page); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()

	for range 2 { // and after another restart
		db, err := Open(ctx, dir)
		if err != nil {
			t.Fatalf("a damaged file should still open (readyz says it is damaged): %v", err)
		}
		err = db.Ping(ctx, "h1")
		db.Close()
		if !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("Ping of a damaged file: %v, want Unavailable", err)
		}
	}
}
