// Package sqlitetest gives tests a data directory holding a fresh, empty
// embedded store, copied from one migrated once per test binary: opening a
// new store runs every migration, each its own transaction with an fsync,
// about 85 ms a store, and the suites open over a thousand.
package sqlitetest

import (
	"context"
	"testing"

	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/sqlite/internal/storefiles"
)

// migrated is an empty store at the newest migration: the database and its
// write-ahead log (not the shared-memory index, rebuilt on open, or the
// migration lock).
var migrated = storefiles.New(func(dir string) error {
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		return err
	}
	return db.Close()
}, sqlite.FileName, sqlite.FileName+"-wal")

// Dir returns a new temporary directory (removed when tb ends) holding an
// empty store at the newest migration, as sqlite.Open would make it.
func Dir(tb testing.TB) string {
	tb.Helper()
	return migrated.Dir(tb)
}
