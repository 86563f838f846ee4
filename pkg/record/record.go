// Package record holds what every stored record needs, whichever store
// keeps it: new ids and times at the stores' precision. It imports no
// driver, so the domain packages can use it.
package record

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"time"
)

// NewID returns a new opaque id of 36 hex digits: the millisecond it was
// made (48 bits) and 96 random bits, so that nobody can guess the next id,
// nor take it first (PRODUCT.md §2). The time first keeps ids in creation
// order, which cursor paging uses for a stable order, and keeps inserts at
// the end of every index keyed by id: with the second alone, the ids of one
// second landed all over that second's range, and a 50,000-contact import
// took 40 % longer.
func NewID() string {
	var b [18]byte
	ms := uint64(time.Now().UnixMilli())
	b[0], b[1] = byte(ms>>40), byte(ms>>32)
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	rand.Read(b[6:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// Distinct returns ids with each id once, in the order first seen (a
// read by ids is then asked for each record once).
func Distinct(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Time returns t in UTC truncated to milliseconds, the precision both
// stores keep, so a value read back equals the value written.
func Time(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// ErrBadSyncToken is what a change journal answers for a sync token it
// did not make (pkg/dav tells the client to sync from scratch).
var ErrBadSyncToken = errors.New("not a sync token of this collection")
