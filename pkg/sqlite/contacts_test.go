package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/engine"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
	"github.com/rapport-crm/rapport/pkg/storetest"
)

// MustOpen opens a fresh store in a temporary directory.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), sqlitetest.Dir(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestContract runs the storage contract (pkg/storetest) on the embedded
// store: every contract, a fresh file for each test.
func TestContract(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) *engine.Engine { return MustOpen(tb).Engine() })
}

// TestTwoOpenersShareTheFile: two stores on one data dir (as two server
// processes on one host) see each other's writes, and a key claimed through
// one is a Conflict through the other.
func TestTwoOpenersShareTheFile(t *testing.T) {
	dir := sqlitetest.Dir(t)
	ctx := context.Background()
	open := func() *sqlite.DB {
		db, err := sqlite.Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := &sqlite.Contacts{DB: open()}, &sqlite.Contacts{DB: open()}
	now := time.Now().UTC()
	errs := make(chan error, 2)
	for i, s := range []*sqlite.Contacts{a, b} {
		go func() {
			errs <- s.CreateContact(ctx, &contacts.Contact{ID: fmt.Sprint("c", i), UserID: "u1", Name: "Same", Emails: []string{"same@example.com"}, CreatedAt: now, UpdatedAt: now})
		}()
	}
	e1, e2 := <-errs, <-errs
	if (e1 == nil) == (e2 == nil) || apperr.KindOf(e1)+apperr.KindOf(e2) != apperr.Conflict {
		t.Fatalf("errs %v, %v: want one nil and one Conflict", e1, e2)
	}
	for _, s := range []*sqlite.Contacts{a, b} {
		if p, err := s.Contacts(ctx, "u1", contacts.ContactQuery{}); err != nil || len(p.Items) != 1 {
			t.Fatalf("page %v, %v; want the one contact from both openers", p, err)
		}
	}
}

func TestOldDataDirRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "crm.sqlite"), []byte("SQLite format 3\x00"), 0o600)
	_, err := sqlite.Open(context.Background(), dir)
	if !errors.Is(err, sqlite.ErrOldDataDir) || !strings.Contains(err.Error(), "GET /v1/export") || !strings.Contains(err.Error(), "POST /v1/import") {
		t.Fatalf("err=%v, want ErrOldDataDir saying how to move", err)
	}
}

// TestNewerStoreRefused: a store a newer version migrated (a schema
// version this one does not know) is refused at start, saying what to do,
// and left as it was.
func TestNewerStoreRefused(t *testing.T) {
	ctx := context.Background()
	dir := sqlitetest.Dir(t)
	db, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO goose_db_version(version_id, is_applied) VALUES (9999, 1)`); err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.Open(ctx, dir)
	if !errors.Is(err, sqlite.ErrNewerStore) || !strings.Contains(err.Error(), "schema 9999") {
		t.Fatalf("err=%v, want ErrNewerStore naming the store's schema", err)
	}
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM goose_db_version WHERE version_id = 9999`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the newer version's row after the refusal: %d, %v", n, err)
	}
}

// TestPingFindsDamage: Ping writes and reads back a row, so a store whose
// file was overwritten under it is not ready (the /readyz check).
func TestPingFindsDamage(t *testing.T) {
	dir := sqlitetest.Dir(t)
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Ping(ctx, "p1"); err != nil {
		t.Fatalf("Ping on a good store: %v", err)
	}
	s := &sqlite.Contacts{DB: db}
	for i := range 50 {
		now := time.Now().UTC()
		if err := s.CreateContact(ctx, &contacts.Contact{ID: fmt.Sprint("c", i), UserID: "u1", Name: "N", CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{sqlite.FileName, sqlite.FileName + "-wal"} {
		path := filepath.Join(dir, f)
		data, err := os.ReadFile(path)
		if err != nil || len(data) < 200 {
			continue
		}
		keep := 100
		if strings.HasSuffix(f, "-wal") {
			keep = 32
		}
		for i := keep; i < len(data); i++ {
			data[i] = 0xA5
		}
		os.WriteFile(path, data, 0o600)
	}
	if err := db.Ping(ctx, "p1"); apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("Ping on a damaged file: %v, want Unavailable", err)
	}
}

// TestInsights runs the contract twice: the people met most from the kept
// counts where it can (the default), and always grouped from the window's
// encounters.
// TestInsightsGrouped runs the insights contract again with the window's
// encounters always grouped (MaxOutside < 0), the way an account with
// much history outside the window is read; TestContract runs it from the
// kept counts.
func TestInsightsGrouped(t *testing.T) {
	storetest.Insights(t, storetest.InsightsOn(func(tb testing.TB) crm.Stores {
		db := MustOpen(tb)
		st := sqlite.Stores(db)
		st.Insights = &sqlite.Insights{DB: db, MaxOutside: -1}
		return st
	}))
}
