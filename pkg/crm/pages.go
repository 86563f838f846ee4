package crm

import "github.com/rapport-crm/rapport/pkg/record"

// eachItem calls fn for each item of the pages fetch returns, from the
// first page on, until the pages end or limit items were read: the walk
// insights, reviews and the ledger make over a user's records.
func eachItem[T any](limit int, fetch func(cur *record.Cursor) (*record.Page[T], error), fn func(*T)) error {
	var cur *record.Cursor
	for n := 0; n < limit; {
		page, err := fetch(cur)
		if err != nil {
			return err
		}
		for i := range page.Items {
			fn(&page.Items[i])
		}
		n += len(page.Items)
		if page.NextCursor == "" {
			return nil
		}
		if cur, err = record.DecodeCursor(page.NextCursor); err != nil {
			return err
		}
	}
	return nil
}
