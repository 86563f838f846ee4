package kinds

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Any is a Kind without its type: what serves every kind alike, the
// API's routes and a backup's records. Kind.Any makes one; pkg/app lists
// them (crm.Service.Kinds).
type Any interface {
	// Name is the Kind's Name.
	Name() string
	// Title is the Kind's Title.
	Title() string
	// Example is the Kind's Example.
	Example() string
	// Create decodes a client's JSON of a new record strictly, checks it
	// and stores it (Kind.Create).
	Create(ctx context.Context, docs Docs, userID string, body []byte, now time.Time) (any, error)
	// Get returns one of the user's records (Kind.Get).
	Get(ctx context.Context, docs Docs, userID, id string) (any, error)
	// List returns one page of the user's records (Kind.List).
	List(ctx context.Context, docs Docs, userID string, limit int, cursor *record.Cursor) (any, error)
	// Patch applies a client's merge patch (Kind.Patch).
	Patch(ctx context.Context, docs Docs, userID, id string, patch []byte, now time.Time) (any, error)
	// Delete removes one of the user's records (Kind.Delete).
	Delete(ctx context.Context, docs Docs, userID, id string) error
	// Restore checks a backup's record as a client's new one is checked,
	// keeps its times, gives it id, and returns its body as stored.
	Restore(body []byte, id string) ([]byte, error)
}

// Find returns the kind of all named name, or nil: how the edges that
// take a kind by its name (a backup's records, the assistant's tools)
// look it up.
func Find(all []Any, name string) Any {
	for _, k := range all {
		if k.Name() == name {
			return k
		}
	}
	return nil
}

// Any returns k without its type. It panics if k's name is not one (a
// mistake in the code, found when the server starts).
func (k Kind[T, P]) Any() Any {
	if !kindName.MatchString(k.Name) || k.Check == nil || k.What == "" || k.Title == "" {
		panic(fmt.Sprintf("kinds: %q is not a kind: want a name of lower-case letters and underscores, What, Title and Check", k.Name))
	}
	return untyped[T, P]{k}
}

type untyped[T any, P interface {
	*T
	Head() *Meta
}] struct{ k Kind[T, P] }

func (u untyped[T, P]) Name() string    { return u.k.Name }
func (u untyped[T, P]) Title() string   { return u.k.Title }
func (u untyped[T, P]) Example() string { return u.k.Example }

func (u untyped[T, P]) Create(ctx context.Context, docs Docs, userID string, body []byte, now time.Time) (any, error) {
	x, err := u.k.Decode(body)
	if err != nil {
		return nil, err
	}
	if err := u.k.Create(ctx, docs, userID, x, now); err != nil {
		return nil, err
	}
	return x, nil
}

func (u untyped[T, P]) Get(ctx context.Context, docs Docs, userID, id string) (any, error) {
	return u.k.Get(ctx, docs, userID, id)
}

func (u untyped[T, P]) List(ctx context.Context, docs Docs, userID string, limit int, cursor *record.Cursor) (any, error) {
	return u.k.List(ctx, docs, userID, limit, cursor)
}

func (u untyped[T, P]) Patch(ctx context.Context, docs Docs, userID, id string, patch []byte, now time.Time) (any, error) {
	return u.k.Patch(ctx, docs, userID, id, patch, now)
}

func (u untyped[T, P]) Delete(ctx context.Context, docs Docs, userID, id string) error {
	return u.k.Delete(ctx, docs, userID, id)
}

func (u untyped[T, P]) Restore(body []byte, id string) ([]byte, error) {
	x := P(new(T))
	if err := input.Decode(body, x); err != nil {
		return nil, err
	}
	m := x.Head()
	if m.CreatedAt.IsZero() {
		return nil, apperr.E(apperr.Invalid, "a %s has no created_at", u.k.What)
	}
	*m = Meta{ID: id, CreatedAt: record.Time(m.CreatedAt), UpdatedAt: record.Time(m.UpdatedAt)}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = m.CreatedAt
	}
	return u.k.checked(x)
}
