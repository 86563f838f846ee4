package ratelimit

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// Turns lets each key (a user) run Per things of a kind at a time — one
// download of the whole account, one listing of a whole collection, a
// few requests — so that one user sending many at once takes their share
// of the cores, not all of them, from everyone else. Take waits, in the
// order the takers came, while Per others hold the key's turns. A key no
// one holds or waits for takes no memory. The zero value is ready to use
// (Per 1).
type Turns struct {
	// Per is how many may hold a key's turns at once (0: one).
	Per int

	mu   sync.Mutex
	keys map[string]*turn
}

type turn struct {
	slot  chan struct{} // one token a turn held
	users int           // the holder and those waiting
}

// Take waits for key's turn until ctx ends (then its error). release
// gives the turn to the next in line; calling it again does nothing.
func (t *Turns) Take(ctx context.Context, key string) (release func(), err error) {
	t.mu.Lock()
	if t.keys == nil {
		t.keys = map[string]*turn{}
	}
	k := t.keys[key]
	if k == nil {
		k = &turn{slot: make(chan struct{}, max(1, t.Per))}
		t.keys[key] = k
	}
	k.users++
	t.mu.Unlock()
	select {
	case k.slot <- struct{}{}: // blocked senders are served in order
	case <-ctx.Done():
		t.leave(key, k)
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-k.slot
			t.leave(key, k)
		})
	}, nil
}

// leave counts one user of k out, forgetting k after its last.
func (t *Turns) leave(key string, k *turn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if k.users--; k.users == 0 {
		delete(t.keys, key)
	}
}

// Waiting says how many hold or wait for key's turns.
func (t *Turns) Waiting(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if k := t.keys[key]; k != nil {
		return k.users
	}
	return 0
}

// Reads says whether requests of method only read (GET, HEAD, PROPFIND,
// REPORT); a user's reads take turns (ReadsPerUser at once): a read needs
// a core, and more of one user's at once than the turns serve that user
// no faster. Writes take none: the store's writer commits the writes
// waiting together, so a user's many at once are done sooner (with four
// turns, one user's 64 encounters at once went at 811 a second instead of
// 1,291).
func Reads(method string) bool {
	switch method {
	case "GET", "HEAD", "PROPFIND", "REPORT":
		return true
	}
	return false
}

// ReadWait is how long a read waits for one of its user's turns before
// it is told to try again.
const ReadWait = 30 * time.Second

// ReadsPerUser is how many reads of one user run at once, the others
// waiting their turn: four a core, and at least eight (a page and the
// requests its scripts send). More at once would not serve that user
// faster, only make everyone else wait.
func ReadsPerUser() int { return max(8, 4*runtime.GOMAXPROCS(0)) }
