package kinds

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// MaxBody bounds one document's JSON, checked before it is stored.
const MaxBody = 64 << 10

// Meta is what every record of a kind holds besides its own fields, set
// by the server alone: records embed it.
type Meta struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Head returns m: how a Kind reaches the Meta its records embed.
func (m *Meta) Head() *Meta { return m }

// metaFields are Meta's JSON names, which a client never sends.
var metaFields = []string{"id", "created_at", "updated_at"}

// Doc is one stored document: a record of a kind as JSON.
type Doc struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	Kind   string `json:"kind"`
	// Body is the record as a JSON object, at most MaxBody bytes.
	Body []byte `json:"body"`
}

// Docs keeps the documents of every kind. The embedded store (pkg/sqlite)
// and MongoDB (pkg/mongodb) implement it, and pkg/storetest checks both.
// Every method is scoped to one user and one kind: another user's
// document, or one of another kind, is NotFound.
type Docs interface {
	// Doc returns one of the user's documents of kind; NotFound otherwise.
	Doc(ctx context.Context, userID, kind, id string) (*Doc, error)
	// Docs returns one page of the user's documents of kind, newest
	// first (by id: ids begin with the time they were made).
	Docs(ctx context.Context, userID, kind string, limit int, cursor *record.Cursor) (*record.Page[Doc], error)
	// CreateDoc stores a new document; Conflict if its id is taken.
	CreateDoc(ctx context.Context, d *Doc) error
	// UpdateDoc replaces the body of the user's document d.ID of d.Kind;
	// NotFound otherwise.
	UpdateDoc(ctx context.Context, d *Doc) error
	// DeleteDoc removes one of the user's documents of kind; NotFound
	// otherwise.
	DeleteDoc(ctx context.Context, userID, kind, id string) error
	// DocArchive walks and restores the user's documents of every kind.
	DocArchive() record.Archive[Doc]
}

// Kind is one kind of document: its name and its rules, and typed access
// to its records of type T (P is *T, which embeds Meta).
type Kind[T any, P interface {
	*T
	Head() *Meta
}] struct {
	// Name names the kind's documents, its API path (/v1/<Name>) and its
	// records in a backup: lower-case letters and underscores.
	Name string
	// What names one record for messages ("recommendation").
	What string
	// Title names the kind's desk page, /app/<Name>, in the navigation
	// ("Recommended").
	Title string
	// Check validates a record and tidies it (trims, defaults) before it
	// is stored, with Invalid errors naming the field (input.Checker).
	Check func(P) error
	// Example is a valid new record as JSON: the API reference's, and
	// what the tests every kind passes send.
	Example string
}

// Get returns one of the user's records; NotFound otherwise.
func (k Kind[T, P]) Get(ctx context.Context, docs Docs, userID, id string) (P, error) {
	d, err := docs.Doc(ctx, userID, k.Name, id)
	if err != nil {
		return nil, k.named(err)
	}
	return k.read(d)
}

// List returns one page of the user's records, newest first.
func (k Kind[T, P]) List(ctx context.Context, docs Docs, userID string, limit int, cursor *record.Cursor) (*record.Page[T], error) {
	page, err := docs.Docs(ctx, userID, k.Name, limit, cursor)
	if err != nil {
		return nil, err
	}
	out := &record.Page[T]{Items: make([]T, 0, len(page.Items)), NextCursor: page.NextCursor}
	for i := range page.Items {
		x, err := k.read(&page.Items[i])
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, *x)
	}
	return out, nil
}

// Create checks x and stores it as a new record of the user's, with a new
// id and now as its times.
func (k Kind[T, P]) Create(ctx context.Context, docs Docs, userID string, x P, now time.Time) error {
	now = record.Time(now)
	*x.Head() = Meta{ID: record.NewID(), CreatedAt: now, UpdatedAt: now}
	body, err := k.checked(x)
	if err != nil {
		return err
	}
	return docs.CreateDoc(ctx, &Doc{ID: x.Head().ID, UserID: userID, Kind: k.Name, Body: body})
}

// Save checks x, a record of the user's read before and changed, and
// stores it in place with now as its update time (its id and creation
// time are the stored ones).
func (k Kind[T, P]) Save(ctx context.Context, docs Docs, userID string, x P, now time.Time) error {
	old, err := k.Get(ctx, docs, userID, x.Head().ID)
	if err != nil {
		return err
	}
	return k.replace(ctx, docs, userID, old.Head(), x, now)
}

// replace checks x and stores it over the user's record whose stored
// Meta is old, with now as its update time.
func (k Kind[T, P]) replace(ctx context.Context, docs Docs, userID string, old *Meta, x P, now time.Time) error {
	*x.Head() = Meta{ID: old.ID, CreatedAt: old.CreatedAt, UpdatedAt: record.Time(now)}
	body, err := k.checked(x)
	if err != nil {
		return err
	}
	return k.named(docs.UpdateDoc(ctx, &Doc{ID: x.Head().ID, UserID: userID, Kind: k.Name, Body: body}))
}

// Patch applies a client's JSON merge patch (RFC 7396) to one of the
// user's records and saves it.
func (k Kind[T, P]) Patch(ctx context.Context, docs Docs, userID, id string, patch []byte, now time.Time) (P, error) {
	old, err := k.Get(ctx, docs, userID, id)
	if err != nil {
		return nil, err
	}
	if err := refuseMeta(patch); err != nil {
		return nil, err
	}
	x := P(new(T))
	if err := input.MergePatch(old, patch, x); err != nil {
		return nil, err
	}
	// old was read just now: saved over it, not read again (Save).
	if err := k.replace(ctx, docs, userID, old.Head(), x, now); err != nil {
		return nil, err
	}
	return x, nil
}

// Delete removes one of the user's records; NotFound otherwise.
func (k Kind[T, P]) Delete(ctx context.Context, docs Docs, userID, id string) error {
	return k.named(docs.DeleteDoc(ctx, userID, k.Name, id))
}

// named says a NotFound of the kind's record (the store's says "record").
func (k Kind[T, P]) named(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Wrap(apperr.NotFound, err, "no such %s", k.What)
	}
	return err
}

// Decode strictly decodes a client's JSON of a new record (Invalid naming
// an unknown field, or one of Meta's, which the server sets).
func (k Kind[T, P]) Decode(body []byte) (P, error) {
	if err := refuseMeta(body); err != nil {
		return nil, err
	}
	x := P(new(T))
	if err := input.Decode(body, x); err != nil {
		return nil, err
	}
	return x, nil
}

// read decodes a stored document, its id the stored one.
func (k Kind[T, P]) read(d *Doc) (P, error) {
	x := P(new(T))
	if err := json.Unmarshal(d.Body, x); err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "a stored %s cannot be read", k.What)
	}
	x.Head().ID = d.ID
	return x, nil
}

// checked runs the rules on x and returns its body, at most MaxBody.
func (k Kind[T, P]) checked(x P) ([]byte, error) {
	if err := k.Check(x); err != nil {
		return nil, err
	}
	body, err := json.Marshal(x)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k.Name, err)
	}
	if len(body) > MaxBody {
		return nil, apperr.E(apperr.Invalid, "a %s is at most %d KiB of JSON", k.What, MaxBody>>10)
	}
	return body, nil
}

// refuseMeta refuses a client's JSON object that sets one of Meta's fields.
func refuseMeta(body []byte) error {
	var fields map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimSpace(body), &fields) != nil {
		return nil // the strict decoding after says what is wrong
	}
	for _, f := range metaFields {
		if _, ok := fields[f]; ok {
			return apperr.InvalidField(f, "is set by the server")
		}
	}
	return nil
}

// kindName is what a kind's name may be: it becomes a path and a key.
var kindName = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)
