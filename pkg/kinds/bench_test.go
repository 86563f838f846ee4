package kinds_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/record"
)

// BenchmarkKinds: a kind's reads and writes for a user with 10,000 of its
// records, beside 10,000 of another kind and 10,000 of another user's, on
// the engine RAPPORT_TEST_ENGINE names:
// go test ./pkg/kinds -run '^$' -bench Kinds
func BenchmarkKinds(b *testing.B) {
	ctx := context.Background()
	docs := enginetest.Open(b).Stores.Docs
	const n = 10_000
	start := time.Now()
	var mine []string
	for _, owner := range [][2]string{{"u1", "notes"}, {"u1", "links"}, {"u2", "notes"}} {
		batch := make([]*kinds.Doc, 0, n)
		for i := range n {
			id := record.NewID()
			body := fmt.Sprintf(`{"id":%q,"created_at":"2026-12-01T10:00:00Z","updated_at":"2026-12-01T10:00:00Z","text":"note %d of %s","tags":["go"]}`, id, i, owner[0])
			batch = append(batch, &kinds.Doc{ID: id, UserID: owner[0], Kind: owner[1], Body: []byte(body)})
			if owner == [2]string{"u1", "notes"} {
				mine = append(mine, id)
			}
		}
		if err := docs.DocArchive().Restore(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d documents in %v", 3*n, time.Since(start))
	middle := &record.Cursor{ID: mine[n/2]}
	b.Run("FirstPage", func(b *testing.B) {
		for b.Loop() {
			if p, err := notes.List(ctx, docs, "u1", 50, nil); err != nil || len(p.Items) != 50 {
				b.Fatal(len(p.Items), err)
			}
		}
	})
	b.Run("PageInTheMiddle", func(b *testing.B) {
		for b.Loop() {
			if p, err := notes.List(ctx, docs, "u1", 50, middle); err != nil || len(p.Items) != 50 {
				b.Fatal(err)
			}
		}
	})
	b.Run("Create", func(b *testing.B) {
		for b.Loop() {
			if err := notes.Create(ctx, docs, "u1", &note{Text: "new"}, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Patch", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			if _, err := notes.Patch(ctx, docs, "u1", mine[i%n], []byte(`{"tags":["go","wasm"]}`), time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
