package followup

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/record"
)

// nudgeKey names a follow-up at one due time (see NudgeKey).
func nudgeKey(id string, due time.Time) string { return NudgeKey(id, due) }

// Record stores nudge records for a batch's items; records that exist
// already (a batch re-sent after a crash) are left as they are.
func (s *Service) Record(ctx context.Context, userID string, items []BatchItem, now time.Time, failed bool, msg string) error {
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
	st, err := s.Store.State(ctx, userID)
	if err != nil {
		return err
	}
	retrying := map[string]string{}
	if b := st.Batch; b != nil && b.Attempts > 0 {
		for _, it := range b.Items {
			retrying[nudgeKey(it.ID, it.DueAt)] = b.Errors() + " (retrying)"
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
// nudged (so they are not nudged again), restoredNudges to a write, and
// wakes the dispatcher for the rest.
func (s *Service) Restored(ctx context.Context, userID string, pending []FollowUp) error {
	var first *time.Time
	var nudged []Nudge
	for i := range pending {
		f := &pending[i]
		if f.NotifiedAt != nil {
			nudged = append(nudged, Nudge{UserID: userID, FollowUpID: f.ID, DueAt: f.DueAt, At: record.Time(*f.NotifiedAt)})
			continue
		}
		if first == nil || f.DueAt.Before(*first) {
			first = &f.DueAt
		}
	}
	for start := 0; start < len(nudged); start += restoredNudges {
		if err := s.Store.RecordNudges(ctx, nudged[start:min(start+restoredNudges, len(nudged))]); err != nil {
			return err
		}
	}
	if first != nil {
		return s.wake(ctx, userID, *first)
	}
	return nil
}

// restoredNudges is how many nudge records of a restore are written at
// once: a write each made a restore of 15,000 nudged follow-ups 15,000
// transactions.
const restoredNudges = 500
