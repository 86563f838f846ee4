package followup

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// nudgeKey names a follow-up at one due time (see NudgeKey).
func nudgeKey(id string, due time.Time) string { return NudgeKey(id, due) }

// unnotifiedOf returns the user's pending follow-ups, oldest first, without
// the ones already nudged for their due time.
func (s *Service) unnotifiedOf(ctx context.Context, userID string) ([]FollowUp, error) {
	fs, err := s.Store.Pending(ctx, userID, PendingFilter{})
	if err != nil || len(fs) == 0 {
		return fs, err
	}
	done, err := s.Store.Nudges(ctx, userID, nil)
	if err != nil {
		return nil, err
	}
	out := fs[:0]
	for _, f := range fs {
		if _, ok := done[nudgeKey(f.ID, f.DueAt)]; !ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// byIDs returns the user's pending follow-ups among ids.
func (s *Service) byIDs(ctx context.Context, userID string, ids []string) ([]FollowUp, error) {
	return s.Store.Pending(ctx, userID, PendingFilter{IDs: ids})
}

// record stores nudge records for a batch's items; records that exist
// already (a batch re-sent after a crash) are left as they are.
func (s *Service) record(ctx context.Context, userID string, items []BatchItem, now time.Time, failed bool, msg string) error {
	ns := make([]Nudge, len(items))
	for i, it := range items {
		ns[i] = Nudge{UserID: userID, FollowUpID: it.ID, DueAt: it.DueAt, At: record.Time(now), Failed: failed, Error: msg}
	}
	return s.Store.RecordNudges(ctx, ns)
}

// Decorate fills NotifiedAt and DeliveryError of the user's follow-ups from
// their nudge records and from a batch still being retried.
func (s *Service) Decorate(ctx context.Context, userID string, fs []FollowUp) error {
	if len(fs) == 0 {
		return nil
	}
	refs := make([]BatchItem, len(fs))
	for i := range fs {
		refs[i] = BatchItem{ID: fs[i].ID, DueAt: fs[i].DueAt}
	}
	recs, err := s.Store.Nudges(ctx, userID, refs)
	if err != nil {
		return err
	}
	st, err := s.loadState(ctx, userID)
	if err != nil {
		return err
	}
	retrying := map[string]string{}
	if b := st.Batch; b != nil && b.Attempts > 0 {
		for _, it := range b.Items {
			retrying[nudgeKey(it.ID, it.DueAt)] = b.errors() + " (retrying)"
		}
	}
	for i := range fs {
		k := nudgeKey(fs[i].ID, fs[i].DueAt)
		if r, ok := recs[k]; ok {
			if r.Failed {
				fs[i].DeliveryError = r.Error
			} else {
				at := r.At
				fs[i].NotifiedAt = &at
			}
		} else if msg, ok := retrying[k]; ok {
			fs[i].DeliveryError = msg
		}
	}
	return nil
}

// PurgeNudged deletes nudge records that no longer matter: their follow-up
// is no longer pending, or is due at another time now.
func (s *Service) PurgeNudged(ctx context.Context) (int64, error) {
	return s.Store.PurgeNudges(ctx)
}

// loadState returns the user's dispatcher state (empty if none yet).
func (s *Service) loadState(ctx context.Context, userID string) (*State, error) {
	return s.Store.State(ctx, userID)
}

// saveState stores the user's dispatcher state; only the lease holder calls it.
func (s *Service) saveState(ctx context.Context, st *State) error {
	return s.Store.SaveState(context.WithoutCancel(ctx), st)
}

// Sweep recomputes when each user next needs the dispatcher from the
// follow-ups themselves and the agenda schedules, and lowers next_at where
// a wake was lost to a concurrent write. It is the safety net behind wakes
// and runs every few minutes, apart from the tick.
func (s *Service) Sweep(ctx context.Context, acc *accounts.Service, users []accounts.User) (int, error) {
	next, err := s.Store.EarliestUnnudged(ctx)
	if err != nil {
		return 0, err
	}
	sts, err := s.Store.States(ctx)
	if err != nil {
		return 0, err
	}
	states := map[string]*State{}
	for i := range sts {
		states[sts[i].UserID] = &sts[i]
	}
	for i := range users {
		u := &users[i]
		st := states[u.ID]
		if st == nil {
			st = &State{UserID: u.ID}
		}
		if a := agendaDue(acc, u, st); a != nil {
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
		if err := s.wake(ctx, userID, t); err != nil {
			return 0, err
		}
	}
	return len(next), nil
}

// PurgeLeases deletes leases left behind by crashed dispatchers (older than
// an hour; a live lease lasts at most a slot).
func (s *Service) PurgeLeases(ctx context.Context) (int64, error) {
	return s.Store.PurgeLeases(ctx, record.Time(s.Now().Add(-time.Hour)))
}

// NotifiedTimes returns a function telling when a follow-up of the user was
// nudged for its current due time (nil if not), from one read of the records.
func (s *Service) NotifiedTimes(ctx context.Context, userID string) (func(*FollowUp) *time.Time, error) {
	recs, err := s.Store.Nudges(ctx, userID, nil)
	if err != nil {
		return nil, err
	}
	return func(f *FollowUp) *time.Time {
		if r, ok := recs[nudgeKey(f.ID, f.DueAt)]; ok && !r.Failed {
			at := r.At
			return &at
		}
		return nil
	}, nil
}

// Restored records the nudges of restored pending follow-ups that had been
// nudged (so they are not nudged again) and wakes the dispatcher for the rest.
func (s *Service) Restored(ctx context.Context, userID string, pending []FollowUp) error {
	var first *time.Time
	for i := range pending {
		f := &pending[i]
		if f.NotifiedAt != nil {
			if err := s.record(ctx, userID, []BatchItem{{ID: f.ID, DueAt: f.DueAt}}, *f.NotifiedAt, false, ""); err != nil {
				return err
			}
			continue
		}
		if first == nil || f.DueAt.Before(*first) {
			first = &f.DueAt
		}
	}
	if first != nil {
		return s.wake(ctx, userID, *first)
	}
	return nil
}
