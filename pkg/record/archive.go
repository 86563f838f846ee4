package record

import "context"

// Archive reads and writes all of one user's records of one type as they
// are (ids, times, statuses), bypassing the rules that make new ones: what
// a backup writes and a restore puts back (pkg/backup). Each domain store
// hands out one per type it holds, as <Type>Archive(); both adapters
// implement them, and pkg/storetest checks both.
type Archive[T any] interface {
	// Each calls fn with each of the user's records, in id order, until fn
	// returns an error.
	Each(ctx context.Context, userID string, fn func(*T) error) error
	// Restore stores records as they are, with what keeps them findable
	// (dedupe keys, search words). Conflict if two of them, or one of them
	// and a stored record, share a key.
	Restore(ctx context.Context, records []*T) error
}
