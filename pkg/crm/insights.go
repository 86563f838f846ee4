package crm

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/insights"
)

// The insights types live in pkg/insights; these names keep the API's.
type (
	// Insights answers GET /v1/insights.
	Insights = insights.Insights
	// PersonInsight ranks a contact by encounters and intros in the window.
	PersonInsight = insights.PersonInsight
)

// DefaultInsightWindow is the default window of insights.
const DefaultInsightWindow = insights.DefaultWindow

// InsightWindow validates a window (see insights.Window).
func InsightWindow(from, to *time.Time, now time.Time) (time.Time, time.Time, error) {
	return insights.Window(from, to, now)
}

// Insights computes what topics are hot, who the players are and which
// relationships lapse, for the user and window, from the facts the store
// counts with its own engine (SQL aggregates, MongoDB pipelines).
func (s *Service) Insights(ctx context.Context, u *accounts.User, from, to time.Time) (*Insights, error) {
	return s.InsightsFromStore(ctx, u, from, to)
}

// InsightsFromStore computes insights from the facts the store counts with
// its own engine (insightSource).
func (s *Service) InsightsFromStore(ctx context.Context, u *accounts.User, from, to time.Time) (*Insights, error) {
	now := s.Now()
	f, err := s.insightSource.Facts(ctx, u.ID, from, to, now)
	if err != nil {
		return nil, err
	}
	return insights.Assemble(f, from, to, now)
}
