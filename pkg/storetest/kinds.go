package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/record"
)

// OpenDocs opens the documents' store of one fresh, empty database.
type OpenDocs func(tb testing.TB) kinds.Docs

// Docs runs the kinds.Docs contract: a document is its user's and its
// kind's alone, lists newest first page by page, and is replaced and
// removed in place.
func Docs(t *testing.T, open OpenDocs) {
	ctx := context.Background()
	st := open(t)
	doc := func(user, kind string, n int) *kinds.Doc {
		return &kinds.Doc{ID: nextID(), UserID: user, Kind: kind, Body: fmt.Appendf(nil, `{"n":%d}`, n)}
	}
	var mine []*kinds.Doc
	for i := range 5 {
		d := doc("u1", "tips", i)
		if err := st.CreateDoc(ctx, d); err != nil {
			t.Fatal(err)
		}
		mine = append(mine, d)
	}
	other, otherKind := doc("u2", "tips", 9), doc("u1", "notes", 8)
	for _, d := range []*kinds.Doc{other, otherKind} {
		if err := st.CreateDoc(ctx, d); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("ErrTaken", func(t *testing.T) {
		again := *mine[0]
		again.UserID = "u2"
		if err := st.CreateDoc(ctx, &again); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("a taken id: %v, want Conflict", err)
		}
	})
	t.Run("OneByOne", func(t *testing.T) {
		got, err := st.Doc(ctx, "u1", "tips", mine[2].ID)
		if err != nil || string(got.Body) != `{"n":2}` || got.Kind != "tips" || got.UserID != "u1" {
			t.Fatalf("Doc = %+v, %v", got, err)
		}
		for _, c := range [][3]string{{"u2", "tips", mine[2].ID}, {"u1", "notes", mine[2].ID}, {"u1", "tips", other.ID}, {"u1", "tips", "nope"}} {
			if _, err := st.Doc(ctx, c[0], c[1], c[2]); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("Doc%v: %v, want NotFound", c, err)
			}
		}
	})
	docsListed(t, st)
	t.Run("ReplacedInPlace", func(t *testing.T) {
		d := *mine[1]
		d.Body = []byte(`{"n":11}`)
		if err := st.UpdateDoc(ctx, &d); err != nil {
			t.Fatal(err)
		}
		if got, err := st.Doc(ctx, "u1", "tips", d.ID); err != nil || string(got.Body) != `{"n":11}` {
			t.Fatalf("after update: %+v, %v", got, err)
		}
		for _, bad := range []kinds.Doc{{ID: d.ID, UserID: "u2", Kind: "tips"}, {ID: d.ID, UserID: "u1", Kind: "notes"}, {ID: "nope", UserID: "u1", Kind: "tips"}} {
			bad.Body = []byte(`{"n":0}`)
			if err := st.UpdateDoc(ctx, &bad); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("UpdateDoc(%s %s %s): %v, want NotFound", bad.UserID, bad.Kind, bad.ID, err)
			}
		}
		if got, _ := st.Doc(ctx, "u1", "tips", d.ID); string(got.Body) != `{"n":11}` {
			t.Fatalf("another's update changed it: %s", got.Body)
		}
	})
	t.Run("Deleted", func(t *testing.T) {
		if err := st.DeleteDoc(ctx, "u2", "tips", mine[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another user's delete: %v, want NotFound", err)
		}
		if err := st.DeleteDoc(ctx, "u1", "notes", mine[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another kind's delete: %v, want NotFound", err)
		}
		if err := st.DeleteDoc(ctx, "u1", "tips", mine[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Doc(ctx, "u1", "tips", mine[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("after delete: %v, want NotFound", err)
		}
		if err := st.DeleteDoc(ctx, "u1", "tips", mine[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("deleted twice: %v, want NotFound", err)
		}
	})
}

// docsListed: the user's documents of a kind list newest first, page by
// page, and a cursor of another list is refused.
func docsListed(t *testing.T, st kinds.Docs) {
	ctx := context.Background()
	t.Run("NewestFirstInPages", func(t *testing.T) {
		var got []string
		var cur *record.Cursor
		for pages := 0; ; pages++ {
			page, err := st.Docs(ctx, "u1", "tips", 2, cur)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range page.Items {
				got = append(got, string(d.Body))
			}
			if page.NextCursor == "" {
				break
			}
			if cur, err = record.DecodeCursor(page.NextCursor); err != nil || pages > 5 {
				t.Fatalf("cursor %q: %v (page %d)", page.NextCursor, err, pages)
			}
		}
		if want := `[{"n":4} {"n":3} {"n":2} {"n":1} {"n":0}]`; fmt.Sprint(got) != want {
			t.Fatalf("listed %v, want %s", got, want)
		}
		s := "x"
		if _, err := st.Docs(ctx, "u1", "tips", 2, &record.Cursor{S: &s, ID: "x"}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("another list's cursor: %v, want Invalid", err)
		}
	})
}
