package kinds_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/kinds"
)

// note is a kind for the tests.
type note struct {
	kinds.Meta
	Text string   `json:"text"`
	Tags []string `json:"tags"`
}

var notes = kinds.Kind[note, *note]{Name: "notes", What: "note", Title: "Notes", Example: `{"text": "hi"}`, Check: func(n *note) error {
	var c input.Checker
	n.Text = c.Required("text", n.Text, input.MaxNotes*4)
	n.Tags = c.Tags("tags", n.Tags)
	return c.Err()
}}

var now = time.Date(2026, 12, 8, 9, 30, 0, 123456789, time.UTC)

func TestKind(t *testing.T) {
	ctx := context.Background()
	docs := enginetest.Open(t).Stores.Docs

	n := &note{Meta: kinds.Meta{ID: "mine"}, Text: "  hello  "}
	if err := notes.Create(ctx, docs, "u1", n, now); err != nil {
		t.Fatal(err)
	}
	t.Run("CreatedTidiedWithItsOwnIDAndTimes", func(t *testing.T) {
		if n.ID == "mine" || len(n.ID) != 36 || !n.CreatedAt.Equal(now.Truncate(time.Millisecond)) || n.UpdatedAt != n.CreatedAt {
			t.Fatalf("made %+v", n.Meta)
		}
		got, err := notes.Get(ctx, docs, "u1", n.ID)
		if err != nil || got.Text != "hello" || got.Tags == nil || got.Meta != n.Meta {
			t.Fatalf("read back %+v, %v", got, err)
		}
	})
	t.Run("ErrRules", func(t *testing.T) {
		err := notes.Create(ctx, docs, "u1", &note{Text: " "}, now)
		if f := apperr.FieldsOf(err); len(f) != 1 || f[0].Field != "text" {
			t.Fatalf("no text: %v", err)
		}
		err = notes.Create(ctx, docs, "u1", &note{Text: strings.Repeat("x", kinds.MaxBody)}, now)
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "KiB") {
			t.Fatalf("over MaxBody: %v, want Invalid", err)
		}
	})
	t.Run("Decoded", func(t *testing.T) {
		if _, err := notes.Decode([]byte(`{"text": "x", "id": "mine"}`)); fieldOf(err) != "id" {
			t.Fatalf("a client's id: %v", err)
		}
		if _, err := notes.Decode([]byte(`{"text": "x", "colour": "red"}`)); fieldOf(err) != "colour" {
			t.Fatalf("an unknown field: %v", err)
		}
		if x, err := notes.Decode([]byte(notes.Example)); err != nil || x.Text != "hi" {
			t.Fatalf("the example: %+v, %v", x, err)
		}
	})
	kept(t, docs, n)
}

// kept: a record of the user's is patched and saved keeping its id and
// creation, is another user's to nobody, and restores from a backup.
func kept(t *testing.T, docs kinds.Docs, n *note) {
	ctx := context.Background()
	t.Run("PatchedKeepingItsIDAndCreation", func(t *testing.T) {
		later := now.Add(time.Hour)
		got, err := notes.Patch(ctx, docs, "u1", n.ID, []byte(`{"tags": ["go", "Go"]}`), later)
		if err != nil || got.Text != "hello" || len(got.Tags) != 1 || got.ID != n.ID || got.CreatedAt != n.CreatedAt || !got.UpdatedAt.Equal(later.Truncate(time.Millisecond)) {
			t.Fatalf("patched: %+v, %v", got, err)
		}
		if _, err := notes.Patch(ctx, docs, "u1", n.ID, []byte(`{"text": null}`), later); fieldOf(err) != "text" {
			t.Fatalf("text removed: %v", err)
		}
		if _, err := notes.Patch(ctx, docs, "u1", n.ID, []byte(`{"created_at": "2020-01-01T00:00:00Z"}`), later); fieldOf(err) != "created_at" {
			t.Fatalf("a client's created_at: %v", err)
		}
	})
	t.Run("SavedOverAChangedCopy", func(t *testing.T) {
		x, _ := notes.Get(ctx, docs, "u1", n.ID)
		x.Text, x.CreatedAt = "saved", now.Add(-time.Hour)
		if err := notes.Save(ctx, docs, "u1", x, now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := notes.Get(ctx, docs, "u1", n.ID); got.Text != "saved" || got.CreatedAt != n.CreatedAt {
			t.Fatalf("saved: %+v", got)
		}
	})
	t.Run("ErrAnotherUsers", func(t *testing.T) {
		for name, err := range map[string]error{
			"Get":    second(notes.Get(ctx, docs, "u2", n.ID)),
			"Patch":  second(notes.Patch(ctx, docs, "u2", n.ID, []byte(`{"text": "mine"}`), now)),
			"Save":   notes.Save(ctx, docs, "u2", &note{Meta: n.Meta, Text: "mine"}, now),
			"Delete": notes.Delete(ctx, docs, "u2", n.ID),
		} {
			if !apperr.Is(err, apperr.NotFound) || apperr.PublicOf(err) != "not found: no such note" {
				t.Errorf("%s: %v, want NotFound saying no such note", name, err)
			}
		}
	})
	t.Run("Restored", func(t *testing.T) {
		any := notes.Any()
		body, err := any.Restore([]byte(`{"id": "old", "created_at": "2026-01-02T03:04:05.678Z", "text": " kept "}`), "new")
		if err != nil || string(body) != `{"id":"new","created_at":"2026-01-02T03:04:05.678Z","updated_at":"2026-01-02T03:04:05.678Z","text":"kept","tags":[]}` {
			t.Fatalf("restored %s, %v", body, err)
		}
		for bad, field := range map[string]string{`{"text": "x"}`: "", `{"created_at": "2026-01-02T03:04:05Z"}`: "text", `{"created_at": "2026-01-02T03:04:05Z", "x": 1}`: "x"} {
			if _, err := any.Restore([]byte(bad), "new"); !apperr.Is(err, apperr.Invalid) || fieldOf(err) != field {
				t.Errorf("restore of %s: %v, want Invalid naming %q", bad, err, field)
			}
		}
	})
}

// TestAnyRefusesABadKind: a kind's name becomes a path and a key.
func TestAnyRefusesABadKind(t *testing.T) {
	for _, name := range []string{"", "Notes", "no-tes", "notes/x", strings.Repeat("n", 41)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%q: no panic", name)
				}
			}()
			k := notes
			k.Name = name
			k.Any()
		}()
	}
}

func fieldOf(err error) string {
	if f := apperr.FieldsOf(err); len(f) > 0 {
		return f[0].Field
	}
	return ""
}

func second[T any](_ T, err error) error { return err }
