package followup

import (
	"context"
	"strings"
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
	UserID     string
	Batch      *Batch
	AgendaSent *time.Time
	// AgendaRetryAt is set while a failed agenda waits for its retry.
	AgendaRetryAt *time.Time
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

// Batch is the set of due follow-ups one digest and one webhook call carry.
// Its id is derived from the user and the items with their due times, so a
// batch re-sent after a crash has the same Message-ID and Idempotency-Key.
type Batch struct {
	ID        string
	Items     []BatchItem
	CreatedAt time.Time
	Attempts  int
	RetryAt   time.Time
	Email     ChannelState
	Webhook   ChannelState
}

// BatchItem is one follow-up of a batch, at the due time it is nudged for.
type BatchItem struct {
	ID    string
	DueAt time.Time
}

// ChannelState says whether a batch went out over one channel, or why not.
type ChannelState struct {
	Done  bool
	Error string
}

// errors is the batch's last delivery errors, for delivery_error.
func (b *Batch) Errors() string {
	var es []string
	for _, c := range []ChannelState{b.Email, b.Webhook} {
		if !c.Done && c.Error != "" {
			es = append(es, c.Error)
		}
	}
	return strings.Join(es, "; ")
}
