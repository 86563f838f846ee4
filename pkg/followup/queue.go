package followup

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapport-crm/rapport/pkg/store"
)

// The due-work queue is kept in three small collections, one document per
// user each, so a tick's cost depends on the number of users and never on
// how many follow-ups are pending (the embedded store scans every query):
//
//   - dispatch {_id: user, next_at, wake_nonce}: when the user next needs
//     the dispatcher. Requests lower it with $min and set a new nonce
//     ("wake"); the lease holder sets it after its work, but only if the
//     nonce is the one it saw before it read the follow-ups.
//   - dispatch_leases {_id: user#slot}: the lease. Claiming is an insert,
//     which both stores make atomic through the unique _id; releasing is a
//     delete. (FerretDB's findAndModify and updates are a read followed by a
//     blind write, so they cannot serve as compare-and-set.)
//   - dispatch_state {_id: user}: the batch being delivered and the last
//     agenda sent. Only the lease holder writes it: on the embedded store an
//     update rewrites the whole document, so no other writer may share it.
//
// On MongoDB that conditional write is atomic. On the embedded store an
// update is a read followed by a whole-document write, so a wake landing in
// that instant can still be lost; Sweep recomputes next_at from the
// follow-ups every few minutes, which bounds the delay such a race causes.
type dispatchDoc struct {
	UserID string    `bson:"_id"`
	NextAt time.Time `bson:"next_at"`
	// WakeNonce changes with every wake, so the holder can tell whether a
	// wake came while it worked (then it must not raise next_at).
	WakeNonce string `bson:"wake_nonce"`
}

type leaseDoc struct {
	ID    string    `bson:"_id"`
	Owner string    `bson:"owner"`
	At    time.Time `bson:"at"`
}

// State is what the dispatcher keeps of one user between looks: the batch
// being delivered and the last agenda sent.
type State struct {
	UserID     string     `bson:"_id"`
	Batch      *Batch     `bson:"batch,omitempty"`
	AgendaSent *time.Time `bson:"agenda_sent,omitempty"`
	// AgendaRetryAt is set while a failed agenda waits for its retry.
	AgendaRetryAt *time.Time `bson:"agenda_retry_at,omitempty"`
}

// wake makes sure the dispatcher looks at the user by at.
func (s *Service) wake(ctx context.Context, userID string, at time.Time) error {
	// dispatch._id
	err := store.Upsert(ctx, s.dispatch, bson.M{"_id": userID},
		bson.M{"$min": bson.M{"next_at": store.Time(at)}, "$set": bson.M{"wake_nonce": store.NewID()}})
	return store.Err(err, "dispatch queue")
}

// Wake makes sure the dispatcher looks at the user by at (for changes made
// outside this package, such as agenda settings).
func (s *Service) Wake(ctx context.Context, userID string, at time.Time) error {
	return s.wake(ctx, userID, at)
}
