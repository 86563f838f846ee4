package crm

import "github.com/rapport-crm/rapport/pkg/record"

// eachPage calls fn with the items of each page fetch returns, from the
// first page on, until the pages end or fn answers false (it has read
// enough): every walk the workflows make over a user's records.
func eachPage[T any](fetch func(cur *record.Cursor) (*record.Page[T], error), fn func(items []T) (more bool)) error {
	var cur *record.Cursor
	for {
		page, err := fetch(cur)
		if err != nil {
			return err
		}
		if !fn(page.Items) || page.NextCursor == "" {
			return nil
		}
		if cur, err = record.DecodeCursor(page.NextCursor); err != nil {
			return err
		}
	}
}

// eachItem calls fn for each item of the pages fetch returns, from the
// first page on, until the pages end or limit items were read: the walk
// insights, reviews and the ledger make over a user's records.
func eachItem[T any](limit int, fetch func(cur *record.Cursor) (*record.Page[T], error), fn func(*T)) error {
	n := 0
	return eachPage(fetch, func(items []T) bool {
		for i := range items {
			fn(&items[i])
		}
		n += len(items)
		return n < limit
	})
}
