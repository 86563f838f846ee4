package crm

import (
	"testing"

	"github.com/rapport-crm/rapport/pkg/events"
)

// TestReviewSummary: the review's line in the morning's nudge, in words
// that agree with their numbers.
func TestReviewSummary(t *testing.T) {
	for _, c := range []struct {
		r    Review
		want string
	}{
		{Review{Met: 6, TargetsMet: make([]events.Target, 2), Missed: make([]events.Target, 1), thankYous: 4}, "Met 6 — 2 of 3 you wanted; 4 thank-yous to send"},
		{Review{Met: 1, thankYous: 1, Followups: ReviewFollowups{Pending: 2}}, "Met 1; 1 thank-you to send"},
		{Review{Met: 2, Followups: ReviewFollowups{Pending: 1}}, "Met 2; 1 follow-up to do"},
		{Review{Met: 2, Followups: ReviewFollowups{Pending: 3}}, "Met 2; 3 follow-ups to do"},
		{Review{}, "Met nobody"},
		{Review{TargetsMet: []events.Target{}, Missed: make([]events.Target, 2), Followups: ReviewFollowups{Pending: 1}}, "Met nobody — 0 of 2 you wanted; 1 follow-up to do"},
	} {
		if got := c.r.Summary(); got != c.want {
			t.Errorf("Summary()=%q, want %q", got, c.want)
		}
	}
}
