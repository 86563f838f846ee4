package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// Page limits of PRODUCT.md §2.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Cursor marks where a page ended: the sort key of its last item (a time
// or a string) and that item's id, which breaks ties.
type Cursor struct {
	T  *time.Time `json:"t,omitempty"`
	S  *string    `json:"s,omitempty"`
	ID string     `json:"i"`
}

// Encode returns the opaque form of c given to clients.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a client's cursor; an empty string is no cursor.
// It returns Invalid naming the cursor parameter if it is not one of ours.
func DecodeCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c Cursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return nil, apperr.InvalidField("cursor", "is not a cursor this server gave out")
	}
	return &c, nil
}

// And joins filters, skipping nil ones.
func And(filters ...bson.M) bson.M {
	var parts bson.A
	for _, f := range filters {
		if f != nil {
			parts = append(parts, f)
		}
	}
	switch len(parts) {
	case 0:
		return bson.M{}
	case 1:
		return parts[0].(bson.M)
	}
	return bson.M{"$and": parts}
}

// Page is one page of a list, as the API returns it.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// PageQuery says how to read one page: the filter, the field the list is
// sorted by (then _id), the direction, the size and where the last page ended.
type PageQuery struct {
	Filter     bson.M
	SortField  string
	Descending bool
	Limit      int
	Cursor     *Cursor
}

// FindPage reads one page of coll. keyOf returns the cursor of an item
// (its sort value and id). what names the items in errors.
func FindPage[T any](ctx context.Context, coll *mongo.Collection, q PageQuery, keyOf func(*T) Cursor, what string) (*Page[T], error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	dir, op := 1, "$gt"
	if q.Descending {
		dir, op = -1, "$lt"
	}
	var after bson.M
	if c := q.Cursor; c != nil {
		var v any
		switch {
		case c.T != nil:
			v = *c.T
		case c.S != nil:
			v = *c.S
		}
		after = bson.M{"$or": bson.A{
			bson.M{q.SortField: bson.M{op: v}},
			bson.M{q.SortField: v, "_id": bson.M{op: c.ID}},
		}}
	}
	cur, err := coll.Find(ctx, And(q.Filter, after), options.Find().
		SetSort(bson.D{{Key: q.SortField, Value: dir}, {Key: "_id", Value: dir}}).SetLimit(int64(limit+1)))
	if err != nil {
		return nil, Err(err, what)
	}
	items := []T{}
	if err := cur.All(ctx, &items); err != nil {
		return nil, Err(err, what)
	}
	page := &Page[T]{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = keyOf(&page.Items[limit-1]).Encode()
	}
	return page, nil
}
