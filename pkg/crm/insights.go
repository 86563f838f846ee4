package crm

import (
	"context"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/followup"
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
// relationships lapse, for the user and window. When this process is the
// only writer of its store (SoleWriter) it counts from the user's insights
// ledger (see ledger.go); otherwise it runs the aggregation pipelines of
// InsightsFromStore, which MongoDB answers from its indexes.
func (s *Service) Insights(ctx context.Context, u *accounts.User, from, to time.Time) (*Insights, error) {
	if !s.SoleWriter {
		return s.InsightsFromStore(ctx, u, from, to)
	}
	var ins *Insights
	err := s.ledger.with(ctx, u.ID, func(d *ledgerData) {
		now := s.Now()
		ins, _ = insights.Assemble(d.facts(from, to, now), from, to, now) // the ledger's people lookup cannot fail
	})
	return ins, err
}

// facts counts from the ledger what the pipelines of InsightsFromStore count.
func (d *ledgerData) facts(from, to, now time.Time) *insights.Facts {
	prev := from.Add(-to.Sub(from))
	in := func(t, a, b time.Time) bool { return !t.Before(a) && t.Before(b) }
	// which says which topic window t is in: 0 this one, 1 the one before, -1 neither.
	which := func(t time.Time) int {
		switch {
		case in(t, from, to):
			return 0
		case in(t, prev, from):
			return 1
		}
		return -1
	}
	f := insights.NewFacts()
	for _, e := range d.encounters {
		w := which(e.metAt)
		if w < 0 {
			continue
		}
		if w == 0 {
			f.Met[e.contact]++
		}
		for _, t := range e.topics {
			f.Topics[w][strings.TrimSpace(t)]++
		}
	}
	for id, e := range d.events {
		w := which(e.startsAt)
		if w < 0 {
			continue
		}
		if w == 0 {
			for _, sp := range e.speakers {
				f.Talks[insights.SpeakerAt{Speaker: sp, Event: id}]++
			}
		}
		for _, t := range e.tags {
			f.Topics[w][strings.TrimSpace(t)]++
		}
		for _, t := range e.hashtags {
			f.Topics[w][t]++
		}
	}
	for _, it := range d.intros {
		if in(it.created, from, to) {
			for _, c := range it.contacts {
				f.Introduced[c]++
			}
		}
	}
	overdueTo := insights.Earlier(to, now)
	for _, fu := range d.followups {
		if in(fu.due, from, to) {
			if fu.status != followup.Cancelled {
				f.Due++
			}
			if fu.status == followup.Done {
				f.Done++
				if fu.onTime {
					f.OnTime++
				}
			}
		}
		if fu.status == followup.Pending && in(fu.due, from, overdueTo) {
			f.Overdue++
		}
	}
	for id, c := range d.contacts {
		if c.cadence > 0 {
			f.Cadenced = append(f.Cadenced, insights.Cadenced{ID: id, Name: c.name, Days: c.cadence, Last: c.last, Created: c.created})
		}
	}
	f.People = func(ids []string) (map[string]PersonInsight, error) {
		out := map[string]PersonInsight{}
		for _, id := range ids {
			if c, ok := d.contacts[id]; ok {
				out[id] = PersonInsight{Name: c.name, LastContactedAt: c.last}
			}
		}
		return out, nil
	}
	return f
}

// InsightsFromStore computes insights from the facts the store counts with
// its own engine (insightSource). Insights uses it unless this process is
// its store's only writer; tests compare the two.
func (s *Service) InsightsFromStore(ctx context.Context, u *accounts.User, from, to time.Time) (*Insights, error) {
	now := s.Now()
	f, err := s.insightSource.Facts(ctx, u.ID, from, to, now)
	if err != nil {
		return nil, err
	}
	return insights.Assemble(f, from, to, now)
}
