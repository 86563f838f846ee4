package store

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

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

// After returns the filter for items after c in ascending (field, _id)
// order, or nil when c is nil.
func (c *Cursor) After(field string) bson.M {
	if c == nil {
		return nil
	}
	var v any
	if c.T != nil {
		v = *c.T
	} else if c.S != nil {
		v = *c.S
	} else {
		return bson.M{"_id": bson.M{"$gt": c.ID}}
	}
	return bson.M{"$or": bson.A{
		bson.M{field: bson.M{"$gt": v}},
		bson.M{field: v, "_id": bson.M{"$gt": c.ID}},
	}}
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
