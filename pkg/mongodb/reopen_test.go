package mongodb_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/record"
)

// TestReopenEnsureIndexes opens the embedded store twice on one data dir and
// ensures the users' indexes each time (FerretDB 1.24 crashed on ensuring
// two in one command on a reopened store); the unique one still holds.
func TestReopenEnsureIndexes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for round := 0; round < 2; round++ {
		st, err := mongodb.Open(ctx, mongodb.Options{DataDir: dir, DBName: "crm", Logger: slog.New(slog.DiscardHandler), Embed: mongotest.Start})
		if err != nil {
			t.Fatal(err)
		}
		acc := &mongodb.Accounts{DB: st.DB}
		if err := acc.EnsureIndexes(ctx); err != nil {
			t.Fatalf("round %d: EnsureIndexes: %v", round, err)
		}
		now, uid := record.Time(time.Now()), record.NewID()
		err = acc.CreateUser(ctx, &accounts.User{ID: uid, Email: "ada@example.com", CreatedAt: now, UpdatedAt: now},
			&accounts.Token{ID: record.NewID(), UserID: uid, Name: "first", Hash: record.NewID(), CreatedAt: now}, false)
		if round == 0 && err != nil {
			t.Fatalf("insert: %v", err)
		}
		if round == 1 {
			if got, want := apperr.KindOf(err), apperr.Conflict; got != want {
				t.Fatalf("duplicate after reopen: kind=%v (%v), want %v", got, err, want)
			}
		}
		st.Close(ctx)
	}
}

// TestErrTranslation: driver errors leave the adapter as error kinds.
func TestErrTranslation(t *testing.T) {
	st, err := mongodb.Open(context.Background(), mongodb.Options{DataDir: t.TempDir(), DBName: "crm", Logger: slog.New(slog.DiscardHandler), Embed: mongotest.Start})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = (&mongodb.Accounts{DB: st.DB}).User(ctx, "nobody")
	if got, want := apperr.KindOf(err), apperr.NotFound; got != want {
		t.Fatalf("no document: kind=%v, want %v", got, want)
	}
	st.Close(ctx)
	err = st.Ping(ctx)
	if got, want := apperr.KindOf(err), apperr.Unavailable; got != want {
		t.Fatalf("closed store: kind=%v (%v), want %v", got, err, want)
	}
}
