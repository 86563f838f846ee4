// Package sqlitetest gives tests a data directory holding a fresh, empty
// embedded store, copied from one migrated once per test binary: opening a
// new store runs every migration, each its own transaction with an fsync,
// about 85 ms a store, and the suites open over a thousand.
package sqlitetest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rapport-crm/rapport/pkg/sqlite"
)

var (
	once     sync.Once
	files    map[string][]byte // the migrated store's files, by name
	errSetup error
)

// template migrates a store in a directory of its own, keeps its files
// and removes the directory.
func template() (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "rapport-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		// The database and its write-ahead log; not the shared-memory
		// index (rebuilt on open) or the migration lock.
		if name := e.Name(); name == sqlite.FileName || name == sqlite.FileName+"-wal" {
			if out[name], err = os.ReadFile(filepath.Join(dir, name)); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Dir returns a new temporary directory (removed when tb ends) holding an
// empty store at the newest migration, as sqlite.Open would make it.
func Dir(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { files, errSetup = template() })
	if errSetup != nil {
		tb.Fatalf("the template store: %v", errSetup)
	}
	dir := tb.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}
