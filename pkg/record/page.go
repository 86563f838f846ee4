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

// PageSize is the page size a store reads for limit: DefaultLimit for
// none (0 or less), and at most MaxLimit, the rest to be read page by
// page. Both stores apply it to every paged list, so a caller asking for
// more than a page gets the same on either.
func PageSize(limit int) int {
	switch {
	case limit <= 0:
		return DefaultLimit
	case limit > MaxLimit:
		return MaxLimit
	}
	return limit
}

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

// EachPage calls fn with the items of each page fetch returns, from the
// first page on, until the pages end or fn answers false (it has read
// enough): every walk the workflows and the pages make over a user's
// records.
func EachPage[T any](fetch func(cur *Cursor) (*Page[T], error), fn func(items []T) (more bool)) error {
	var cur *Cursor
	for {
		page, err := fetch(cur)
		if err != nil {
			return err
		}
		if !fn(page.Items) || page.NextCursor == "" {
			return nil
		}
		if cur, err = DecodeCursor(page.NextCursor); err != nil {
			return err
		}
	}
}
