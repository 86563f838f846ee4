package crm

import "github.com/rapport-crm/rapport/pkg/record"

// eachItem calls fn for each item of the pages fetch returns, from the
// first page on, until the pages end or limit items were read: the walk
// insights, reviews and the ledger make over a user's records.
func eachItem[T any](limit int, fetch func(cur *record.Cursor) (*record.Page[T], error), fn func(*T)) error {
	n := 0
	return record.EachPage(fetch, func(items []T) bool {
		for i := range items {
			fn(&items[i])
		}
		n += len(items)
		return n < limit
	})
}
