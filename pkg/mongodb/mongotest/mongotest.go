// Package mongotest gives tests a real MongoDB-wire store: FerretDB 1.24
// started inside the test binary (once; the server binary does not link
// it), or the MongoDB of MONGODB_URI, and a fresh database for each test,
// dropped when it ends.
package mongotest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/mongodb"
)

var (
	once    sync.Once
	shared  *mongodb.DB
	dataDir string
	openErr error
	seq     atomic.Int64
)

// Run runs the tests of a package and then stops the shared store and removes
// its files. Use it from TestMain: os.Exit(mongotest.Run(m)).
func Run(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.Close(context.Background())
	}
	if dataDir != "" {
		os.RemoveAll(dataDir)
	}
	return code
}

// MustOpen returns a store whose DB is a new, empty database for this test.
// The MongoDB client is shared with the other tests of the binary. It is a
// real MongoDB when MONGODB_URI is set for the tests (every test gets its
// own database there, dropped at its end), else FerretDB started here.
func MustOpen(tb testing.TB) *mongodb.DB {
	tb.Helper()
	once.Do(func() {
		if uri := os.Getenv("MONGODB_URI"); uri != "" {
			shared, openErr = mongodb.Open(context.Background(), mongodb.Options{URI: uri, DBName: "unused", Logger: slog.New(slog.DiscardHandler)})
			return
		}
		dataDir, openErr = os.MkdirTemp("", "rapport-test-store-")
		if openErr != nil {
			return
		}
		shared, openErr = mongodb.Open(context.Background(), mongodb.Options{
			DataDir: dataDir, DBName: "unused", Logger: slog.New(slog.DiscardHandler), Embed: Start,
		})
	})
	if openErr != nil {
		tb.Fatalf("open the test store: %v", openErr)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid()%100000, seq.Add(1))
	s := &mongodb.DB{Client: shared.Client, DB: shared.Client.Database(name), Kind: shared.Kind}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s.DB.Drop(ctx)
	})
	return s
}
