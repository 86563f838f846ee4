// Package enginetest gives tests a fresh store on the engine the run asks
// for: RAPPORT_TEST_ENGINE=mongodb is the MongoDB adapter (FerretDB
// started in the test binary, or MONGODB_URI), anything else the embedded
// SQLite store. CI runs the suites on both.
package enginetest

import (
	"context"
	"os"
	"testing"

	"github.com/rapport-crm/rapport/pkg/engine"
	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
)

// Mongo reports whether this run tests the MongoDB adapter.
func Mongo() bool { return os.Getenv("RAPPORT_TEST_ENGINE") == "mongodb" }

// Open returns a fresh, empty store on the engine of this run, closed (or
// dropped) when tb ends.
func Open(tb testing.TB) *engine.Engine {
	tb.Helper()
	return Fresh(tb).Engine
}

// Store is an opened engine with its adapter's handle, for tests that
// reach under the services: SQL on SQLite, Mongo on MongoDB (the other
// nil).
type Store struct {
	Engine *engine.Engine
	SQL    *sqlite.DB
	Mongo  *mongodb.DB
}

// Fresh is Open with the adapter's handle.
func Fresh(tb testing.TB) Store {
	tb.Helper()
	if Mongo() {
		st := mongotest.MustOpen(tb)
		return Store{Engine: OnMongo(tb, st), Mongo: st}
	}
	db := SQLite(tb, sqlitetest.Dir(tb))
	return Store{Engine: OnSQLite(tb, db), SQL: db}
}

// SQLite opens the embedded store in dir (two opens of one directory are
// two processes on one store), closed when tb ends.
func SQLite(tb testing.TB, dir string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// OnSQLite returns the engine of db, which the caller opened (and closes).
func OnSQLite(tb testing.TB, db *sqlite.DB) *engine.Engine {
	tb.Helper()
	eng := db.Engine()
	eng.Close = func(context.Context) error { return nil } // the opener's
	return eng
}

// OnMongo returns the engine of st (a mongotest database: its client is
// shared with the binary's other tests, so the engine's Close leaves it
// open), with its indexes ensured.
func OnMongo(tb testing.TB, st *mongodb.DB) *engine.Engine {
	tb.Helper()
	eng, err := st.Engine(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	eng.Close = func(context.Context) error { return nil }
	return eng
}
