package dispatch

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/record"
)

// unnotifiedOf returns the user's pending follow-ups, oldest first, without
// the ones already nudged for their due time.
func (d *Dispatcher) unnotifiedOf(ctx context.Context, userID string) ([]followup.FollowUp, error) {
	fs, err := d.Followups.Store.Pending(ctx, userID, followup.PendingFilter{})
	if err != nil || len(fs) == 0 {
		return fs, err
	}
	done, err := d.Followups.Store.Nudges(ctx, userID, nil)
	if err != nil {
		return nil, err
	}
	out := fs[:0]
	for _, f := range fs {
		if _, ok := done[followup.NudgeKey(f.ID, f.DueAt)]; !ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// byIDs returns the user's pending follow-ups among ids.
func (d *Dispatcher) byIDs(ctx context.Context, userID string, ids []string) ([]followup.FollowUp, error) {
	return d.Followups.Store.Pending(ctx, userID, followup.PendingFilter{IDs: ids})
}

// PurgeNudged deletes nudge records that no longer matter: their follow-up
// is no longer pending, or is due at another time now.
func (d *Dispatcher) PurgeNudged(ctx context.Context) (int64, error) {
	return d.Followups.Store.PurgeNudges(ctx)
}

// loadState returns the user's dispatcher state (empty if none yet).
func (d *Dispatcher) loadState(ctx context.Context, userID string) (*followup.State, error) {
	return d.Followups.Store.State(ctx, userID)
}

// saveState stores the user's dispatcher state; only the lease holder calls it.
func (d *Dispatcher) saveState(ctx context.Context, st *followup.State) error {
	return d.Followups.Store.SaveState(context.WithoutCancel(ctx), st)
}

// Sweep recomputes when each user next needs the dispatcher from the
// follow-ups themselves and the agenda schedules, and lowers next_at where
// a wake was lost to a concurrent write. It is the safety net behind wakes
// and runs every few minutes, apart from the tick.
func (d *Dispatcher) Sweep(ctx context.Context, users []accounts.User) (int, error) {
	next, err := d.Followups.Store.EarliestUnnudged(ctx)
	if err != nil {
		return 0, err
	}
	sts, err := d.Followups.Store.States(ctx)
	if err != nil {
		return 0, err
	}
	states := map[string]*followup.State{}
	for i := range sts {
		states[sts[i].UserID] = &sts[i]
	}
	for i := range users {
		u := &users[i]
		st := states[u.ID]
		if st == nil {
			st = &followup.State{UserID: u.ID}
		}
		if a := agendaDue(d.Accounts, u, st); a != nil {
			if t, ok := next[u.ID]; !ok || a.Before(t) {
				next[u.ID] = *a
			}
		}
		if st.Batch != nil {
			if t, ok := next[u.ID]; !ok || st.Batch.RetryAt.Before(t) {
				next[u.ID] = st.Batch.RetryAt
			}
		}
	}
	for userID, t := range next {
		if err := d.Followups.Wake(ctx, userID, t); err != nil {
			return 0, err
		}
	}
	return len(next), nil
}

// PurgeLeases deletes leases left behind by crashed dispatchers (older than
// an hour; a live lease lasts at most a slot).
func (d *Dispatcher) PurgeLeases(ctx context.Context) (int64, error) {
	return d.Followups.Store.PurgeLeases(ctx, record.Time(d.Now().Add(-time.Hour)))
}
