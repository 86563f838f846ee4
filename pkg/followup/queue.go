package followup

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/record"
)

// The dispatcher's work is kept per user, so a tick's cost depends on the
// number of users due and never on how many follow-ups are pending (see
// Store):
//
//   - the queue: when the user next needs the dispatcher. Requests lower
//     it and set a new nonce ("wake"); the lease holder sets it after its
//     work, but only if the nonce is the one it saw before it read the
//     follow-ups.
//   - leases (user#slot): claiming is an insert that one process wins;
//     releasing is a delete.
//   - state: the batch being delivered and the last agenda sent; only the
//     lease holder writes it.
//
// On a store where a conditional write is not atomic (FerretDB rewrites
// whole documents), a wake landing in that instant can be lost; Sweep
// recomputes the queue from the follow-ups every few minutes, which bounds
// the delay such a race causes.

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
	return s.Store.Wake(ctx, userID, record.Time(at), record.NewID())
}

// Wake makes sure the dispatcher looks at the user by at (for changes made
// outside this package, such as agenda settings).
func (s *Service) Wake(ctx context.Context, userID string, at time.Time) error {
	return s.wake(ctx, userID, at)
}
