package followup

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// StaleAge is how long past its due time a follow-up of a meeting, an
// intro or an event is stale: nobody writes a thank-you a month late, and
// a backlog of them after weeks away is no list to start again from. The
// follow-ups page offers to drop them all at once.
const StaleAge = 30 * 24 * time.Hour

// StaleMax bounds how many follow-ups one drop of the stale ends.
const StaleMax = 1000

// StaleKinds are the kinds that go stale. A cadence's stay-in-touch, an
// opportunity's next step and your own follow-ups still say what you
// want however late they are, and stay.
var StaleKinds = []string{ThankYou, CheckIn, IntroCheck, Prep}

// isStale reports whether f is stale at now: pending, of StaleKinds, due
// StaleAge or more before now.
func isStale(f *FollowUp, now time.Time) bool {
	return f.Status == Pending && f.DueAt.Before(now.Add(-StaleAge)) && slices.Contains(StaleKinds, f.Kind)
}

// Stale returns the user's pending follow-ups of StaleKinds due before
// before, soonest first: at most max (at most StaleMax).
func (s *Service) Stale(ctx context.Context, userID string, before time.Time, max int) ([]FollowUp, error) {
	max = min(max, StaleMax)
	var out []FollowUp
	for _, k := range StaleKinds {
		fs, err := s.Store.Pending(ctx, userID, PendingFilter{Before: &before, Kind: k, Limit: max})
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	slices.SortFunc(out, func(a, b FollowUp) int { return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID)) })
	return out[:min(len(out), max)], nil
}

// DropStale cancels what Stale returns for before — never later than
// StaleAge ago, whatever before says — StaleMax of them at most
// (cancelled, not done: an event's review and the insights do not count
// them as followed up), and returns how many it ended.
func (s *Service) DropStale(ctx context.Context, userID string, before time.Time) (int, error) {
	if latest := record.Time(s.Now().Add(-StaleAge)); before.After(latest) {
		before = latest
	}
	fs, err := s.Stale(ctx, userID, before, StaleMax)
	if err != nil || len(fs) == 0 {
		return 0, err
	}
	ids := make([]string, len(fs))
	for i := range fs {
		ids[i] = fs[i].ID
	}
	ended, err := s.Store.End(ctx, userID, ids, Cancelled, record.Time(s.Now()))
	if len(ended) > 0 {
		s.changed(ctx, userID)
	}
	return len(ended), err
}

// DropStaleAsked is DropStale as an API client or an assistant asks for
// it: before an RFC 3339 time, or "" for StaleAge ago (the latest it
// drops anyway); Invalid naming "before" otherwise. more says it stopped
// at StaleMax, and another call may drop more.
func (s *Service) DropStaleAsked(ctx context.Context, userID, before string) (dropped int, more bool, err error) {
	var check input.Checker
	at := s.Now()
	if t := check.Time("before", before); t != nil {
		at = *t
	}
	if err := check.Err(); err != nil {
		return 0, false, err
	}
	n, err := s.DropStale(ctx, userID, at)
	return n, n == StaleMax, err
}
