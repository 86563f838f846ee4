package sqlitetest_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
)

// schema is the store's schema in dir (every table, index and trigger, and
// the migrations applied), read through a connection of its own.
func schema(t *testing.T, dir string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	var version int64
	if err := db.QueryRowContext(t.Context(), `SELECT max(version_id) FROM goose_db_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n") + fmt.Sprintf("\nmigrated to %d", version)
}

// TestDirIsAFreshStore: the copied store has the schema and migrations a
// store opened in an empty directory gets, opens, and takes writes; two
// copies are two stores.
func TestDirIsAFreshStore(t *testing.T) {
	fresh := t.TempDir()
	db, err := sqlite.Open(context.Background(), fresh)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	copied := sqlitetest.Dir(t)
	if got, want := schema(t, copied), schema(t, fresh); got != want {
		t.Fatalf("the copied store's schema differs from a fresh one's:\n%s\n---\n%s", got, want)
	}
	a, err := sqlite.Open(context.Background(), copied)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Ping(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	if other := sqlitetest.Dir(t); other == copied {
		t.Fatal("two copies share a directory")
	}
}
