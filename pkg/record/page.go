package record

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// Page limits of PRODUCT.md §2.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Cursor marks where a page ended: the sort key of its last item (a time
// or a string) and that item's id, which breaks ties. Both stores read the
// same cursors, so a client's cursor outlives a change of store.
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

// Page is one page of a list, as the API returns it.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}
