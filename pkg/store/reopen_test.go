package store_test

import (
	"context"
	"log/slog"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/store"
	"github.com/rapport-crm/rapport/pkg/store/embedded"
)

// TestReopenEnsureIndexes opens the embedded store twice on one data dir and
// ensures two indexes each time (FerretDB 1.24 crashed on that in one command).
func TestReopenEnsureIndexes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for round := 0; round < 2; round++ {
		st, err := store.Open(ctx, store.Options{DataDir: dir, DBName: "crm", Logger: slog.New(slog.DiscardHandler), Embed: embedded.Start})
		if err != nil {
			t.Fatal(err)
		}
		c := st.DB.Collection("users")
		if err := store.EnsureIndexes(ctx, c,
			store.Index{Name: "users_email", Keys: bson.D{{Key: "email", Value: 1}}, Unique: true},
			store.Index{Name: "users_x_y", Keys: bson.D{{Key: "x", Value: 1}, {Key: "y", Value: 1}}}); err != nil {
			t.Fatalf("round %d: EnsureIndexes: %v", round, err)
		}
		_, err = c.InsertOne(ctx, bson.M{"_id": store.NewID(), "email": "ada@example.com"})
		if round == 0 && err != nil {
			t.Fatalf("insert: %v", err)
		}
		if round == 1 {
			if got, want := apperr.KindOf(store.Err(err, "user")), apperr.Conflict; got != want {
				t.Fatalf("duplicate after reopen: kind=%v, want %v", got, want)
			}
		}
		st.Close(ctx)
	}
}

func TestErrTranslation(t *testing.T) {
	st, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir(), DBName: "crm", Logger: slog.New(slog.DiscardHandler), Embed: embedded.Start})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out bson.M
	err = st.DB.Collection("none").FindOne(ctx, bson.M{"_id": "x"}).Decode(&out)
	if got, want := apperr.KindOf(store.Err(err, "thing")), apperr.NotFound; got != want {
		t.Fatalf("no document: kind=%v, want %v", got, want)
	}
	st.Close(ctx)
	err = st.Ping(ctx)
	if got, want := apperr.KindOf(err), apperr.Unavailable; got != want {
		t.Fatalf("closed store: kind=%v (%v), want %v", got, err, want)
	}
}
