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

// NewID returns a new opaque id of 32 hex digits: the second it was made
// (so ids sort roughly by creation time, which cursor paging uses for a
// stable order, not for meaning) and 96 random bits, so that nobody can
// guess the next id, nor take it first (PRODUCT.md §2).
func NewID() string {
	var b [16]byte
	binary.BigEndian.PutUint32(b[0:4], uint32(time.Now().Unix()))
	rand.Read(b[4:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// Time returns t in UTC truncated to milliseconds, the precision both
// stores keep, so a value read back equals the value written.
func Time(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// ErrBadSyncToken is what a change journal answers for a sync token it
// did not make (pkg/dav tells the client to sync from scratch).
var ErrBadSyncToken = errors.New("not a sync token of this collection")
