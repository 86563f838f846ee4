// Package idempotency remembers the response to a POST sent with an
// Idempotency-Key for 24 hours, so that a retried request (a phone on hotel
// wifi) replays the first answer instead of creating anything again.
//
// A key is claimed first (an insert that only one request can make), the
// request runs, and its response is stored against the claim. A claim
// whose request died is taken over after a minute; records expire after a
// day and Purge deletes them.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// TTL is how long a response is replayed.
const TTL = 24 * time.Hour

// pendingTimeout is how long a claimed key waits for its first request to
// finish before another request may take it over (the first one crashed).
const pendingTimeout = time.Minute

// Record is a claimed key and, once its request finished, the response.
type Record struct {
	ID          string
	UserID      string
	Fingerprint string
	Done        bool
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

// Records keeps idempotency records; the embedded store (pkg/sqlite) and
// MongoDB (pkg/mongodb) implement it, and pkg/storetest checks both.
type Records interface {
	// Claim stores r (Done false) unless a record with its ID exists: then
	// it returns that record, with its response (Done true) if its request
	// finished. nil means r is claimed now.
	Claim(ctx context.Context, r *Record) (*Record, error)
	// Complete stores the response of the user's claimed key id; a
	// response stored already stays as it is.
	Complete(ctx context.Context, userID, id string, status int, contentType string, body []byte, at time.Time) error
	// Release removes the claim id (and its response), so the key can be
	// claimed again. With a createdAt that is not zero, only the claim made
	// then: a later claim of the key stays.
	Release(ctx context.Context, id string, createdAt time.Time) error
	// Renew moves the claim id made at createdAt to at (a hold still held,
	// Hold) and reports whether it was still that claim: false when it was
	// released or claimed again since.
	Renew(ctx context.Context, id string, createdAt, at time.Time) (bool, error)
	// Purge removes records claimed before a time and says how many.
	Purge(ctx context.Context, before time.Time) (int64, error)
}

// Store is the idempotency rules over Records.
type Store struct {
	Records Records
	Now     func() time.Time
}

// New returns a Store on records.
func New(records Records) *Store {
	return &Store{Records: records, Now: time.Now}
}

// Fingerprint identifies a request, so a key reused for a different request
// is refused instead of replaying an unrelated answer.
func Fingerprint(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Begin claims key for the user. It returns (nil, nil) when the caller
// should run the request and then call Finish or Abort; a finished Record
// to replay; Conflict while the same key's first request is still running;
// Invalid if the key was used for a different request.
func (s *Store) Begin(ctx context.Context, userID, key, fingerprint string) (*Record, error) {
	old, _, err := s.claim(ctx, s.id(userID, key), userID, fingerprint, func(old *Record, age time.Duration) bool {
		// Expired, or its request died without an answer: take over.
		return age >= TTL || (old.Fingerprint == fingerprint && !old.Done && age >= pendingTimeout)
	})
	switch {
	case errors.Is(err, errContended):
		return nil, apperr.E(apperr.Conflict, "the Idempotency-Key is contended; retry shortly")
	case err != nil || old == nil:
		return nil, err
	case old.Fingerprint != fingerprint:
		return nil, apperr.InvalidField("Idempotency-Key", "was already used for a different request")
	case old.Done:
		return old, nil
	default:
		return nil, apperr.E(apperr.Conflict, "a request with this Idempotency-Key is still being processed; retry shortly")
	}
}

// errContended is claim's answer when each try found a stale record that
// another request claimed again first.
var errContended = errors.New("idempotency: contended")

// claim stores a claim of id (Done false) unless a record of id exists:
// then it returns that record, unless stale says it is to be taken over
// (given its age): then it is released and claimed again, three tries at
// most. old is nil when id is claimed now, at now.
func (s *Store) claim(ctx context.Context, id, userID, fingerprint string, stale func(old *Record, age time.Duration) bool) (old *Record, now time.Time, err error) {
	for attempt := 0; attempt < 3; attempt++ {
		now = record.Time(s.Now())
		old, err = s.Records.Claim(ctx, &Record{ID: id, UserID: userID, Fingerprint: fingerprint, CreatedAt: now})
		if err != nil || old == nil || !stale(old, now.Sub(old.CreatedAt)) {
			return old, now, err
		}
		if err = s.Records.Release(ctx, id, old.CreatedAt); err != nil {
			return nil, now, err
		}
	}
	return nil, now, errContended
}

func (s *Store) id(userID, key string) string {
	sum := sha256.Sum256([]byte(key))
	return userID + ":" + hex.EncodeToString(sum[:])
}

// End records how the request of key ended: its response is kept to
// replay, unless it failed on our side (5xx) or was turned away for now
// (429) — then key is released and the client's retry runs again. It runs
// even if ctx was cancelled (the outcome is final).
func (s *Store) End(ctx context.Context, userID, key string, status int, contentType string, body []byte) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endTimeout)
	defer cancel()
	if status >= 500 || status == 429 {
		return s.Abort(ctx, userID, key)
	}
	return s.Finish(ctx, userID, key, status, contentType, body)
}

// endTimeout bounds End's write.
const endTimeout = 15 * time.Second

// Finish stores the response to replay for key.
func (s *Store) Finish(ctx context.Context, userID, key string, status int, contentType string, body []byte) error {
	return s.Records.Complete(ctx, userID, s.id(userID, key), status, contentType, body, record.Time(s.Now()))
}

// Abort releases key so the request can be retried (it failed on our side).
func (s *Store) Abort(ctx context.Context, userID, key string) error {
	return s.Records.Release(ctx, s.id(userID, key), time.Time{})
}

// Hold claims the user's slot named name, for requests that must not run
// two at a time for one user (two restores into one empty account would
// both find it empty; see Bulk), on the same records as keys (one Claim,
// so one request of several processes gets it). doing says what the
// holder does, as a clause ("a backup is being restored into this
// account"); while another request holds the slot, Hold is a Conflict
// that says what that one does.
//
// The holder renews the hold every quarter of ttl until release is called
// or ctx ends; a hold not renewed for ttl belonged to a request that died
// with its process (or ended ctx without release), and is taken over. So
// ttl bounds how long a dead request keeps others out, not how long a
// live one may run. held is ctx, also cancelled should the hold be lost
// (not renewed for ttl, and taken over meanwhile). release gives the slot
// up, even after ctx ended; if that fails, the hold lapses after ttl.
func (s *Store) Hold(ctx context.Context, userID, name, doing string, ttl time.Duration) (held context.Context, release func(), err error) {
	id := userID + ":hold:" + name // a key's id is hex after the user's: never this
	old, at, err := s.claim(ctx, id, userID, holdPrefix+doing, func(_ *Record, age time.Duration) bool { return age >= ttl })
	switch {
	case err == nil && old != nil:
		return nil, nil, busy(old)
	case errors.Is(err, errContended):
		return nil, nil, busy(nil)
	case err != nil:
		return nil, nil, err
	}
	held, lost := context.WithCancel(ctx)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		at = s.renew(ctx, id, at, ttl, stop, lost)
	}()
	var once sync.Once
	return held, func() {
		once.Do(func() {
			close(stop)
			<-stopped
			lost()
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endTimeout)
			defer cancel()
			_ = s.Records.Release(ctx, id, at)
		})
	}, nil
}

// holdPrefix starts a hold's fingerprint; what its holder does follows.
const holdPrefix = "hold: "

// busy is the Conflict of a slot held by old (nil: unknown, as when the
// slot changed hands while it was claimed).
func busy(old *Record) error {
	doing := "another import, undo, guest list or restore is running in this account"
	if old != nil && strings.HasPrefix(old.Fingerprint, holdPrefix) {
		doing = strings.TrimPrefix(old.Fingerprint, holdPrefix)
	}
	return apperr.E(apperr.Conflict, "%s already; wait for it to finish", doing)
}

// Bulk names the slot of the writes in bulk — a contacts import, an
// import's undo, a restore, a guest list: one at a time in an account
// (a Conflict while one runs), so that one user sending many at once
// takes one turn of the store's writer in each round, as any other user
// importing, and not as many turns as requests sent.
const Bulk = "bulk"

// BulkTTL is how long a hold on Bulk outlives a holder that died
// without releasing it (see Hold).
const BulkTTL = 2 * time.Minute

// Exclusively runs fn while holding the user's slot name (Hold, for
// BulkTTL): fn's context ends should the hold be lost; the slot is
// released when fn returns.
func (s *Store) Exclusively(ctx context.Context, userID, name, doing string, fn func(context.Context) error) error {
	held, release, err := s.Hold(ctx, userID, name, doing, BulkTTL)
	if err != nil {
		return err
	}
	defer release()
	return fn(held)
}

// renew renews the hold id (claimed at at) every quarter of ttl until stop
// is closed or ctx ends, and returns when it was last renewed; it calls
// lost and returns if the hold was taken over. A renewal that fails (the
// store is away) is tried again at the next turn.
func (s *Store) renew(ctx context.Context, id string, at time.Time, ttl time.Duration, stop <-chan struct{}, lost func()) time.Time {
	tick := time.NewTicker(ttl / 4)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return at
		case <-ctx.Done():
			return at
		case <-tick.C:
		}
		now := record.Time(s.Now())
		rctx, cancel := context.WithTimeout(ctx, ttl/4)
		ok, err := s.Records.Renew(rctx, id, at, now)
		cancel()
		switch {
		case err != nil:
		case !ok:
			lost()
			return at
		default:
			at = now
		}
	}
}

// Purge deletes records older than TTL and returns how many it deleted.
func (s *Store) Purge(ctx context.Context) (int64, error) {
	return s.Records.Purge(ctx, record.Time(s.Now().Add(-TTL)))
}
