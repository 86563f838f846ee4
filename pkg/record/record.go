// Package record holds what every stored record needs, whichever store
// keeps it: new ids and times at the stores' precision. It imports no
// driver, so the domain packages can use it.
package record

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sync/atomic"
	"time"
)

var (
	process [5]byte
	counter atomic.Uint32
)

func init() {
	rand.Read(process[:])
	var b [4]byte
	rand.Read(b[:])
	counter.Store(binary.BigEndian.Uint32(b[:]))
}

// NewID returns a new opaque id of 24 hex digits, laid out as a MongoDB
// ObjectID (seconds, a per-process random part, a counter), so ids sort
// roughly by creation time, which cursor paging relies on for a stable
// order (not for meaning).
func NewID() string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], uint32(time.Now().Unix()))
	copy(b[4:9], process[:])
	c := counter.Add(1)
	b[9], b[10], b[11] = byte(c>>16), byte(c>>8), byte(c)
	return hex.EncodeToString(b[:])
}

// Time returns t in UTC truncated to milliseconds, the precision both
// stores keep, so a value read back equals the value written.
func Time(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// ErrBadSyncToken is what a change journal answers for a sync token it
// did not make (pkg/dav tells the client to sync from scratch).
var ErrBadSyncToken = errors.New("not a sync token of this collection")
