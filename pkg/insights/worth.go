package insights

import (
	"math"
	"sort"
	"time"
)

// Worth it? (PRODUCT.md §11): which events, and which series of meetups,
// gave you the most — new people, introductions and help given, follow-ups
// done, opportunities.

// EventFacts are what one event gave: the store-side counts the crm
// gathers.
type EventFacts struct {
	EventID, Title, Series string
	StartsAt               time.Time
	NewPeople              int
	ReturningPeople        int
	IntrosGiven            int
	HelpGiven              int
	FollowupsDone          int
	Opportunities          int
}

// EventWorth is one event in insights' events, with its score.
type EventWorth struct {
	EventID         string `json:"event_id"`
	Title           string `json:"title"`
	Series          string `json:"series"`
	NewPeople       int    `json:"new_people"`
	ReturningPeople int    `json:"returning_people"`
	IntrosGiven     int    `json:"intros_given"`
	HelpGiven       int    `json:"help_given"`
	FollowupsDone   int    `json:"followups_done"`
	Opportunities   int    `json:"opportunities"`
	Score           int    `json:"score"`
}

// SeriesWorth is one series of events (a recurring meetup).
type SeriesWorth struct {
	Series                string    `json:"series"`
	Events                int       `json:"events"`
	NewPeoplePerEvent     float64   `json:"new_people_per_event"`
	OpportunitiesPerEvent float64   `json:"opportunities_per_event"`
	LastAttendedAt        time.Time `json:"last_attended_at"`
}

// Score is what an event gave: new people, twice each intro and each help
// given, five times each opportunity.
func Score(f EventFacts) int {
	return f.NewPeople + 2*f.IntrosGiven + 2*f.HelpGiven + 5*f.Opportunities
}

// Worth ranks events by score (then the latest first, then title) and
// sums the series (events with one), most new people per event first.
func Worth(facts []EventFacts) ([]EventWorth, []SeriesWorth) {
	sorted := append([]EventFacts(nil), facts...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := Score(sorted[i]), Score(sorted[j])
		if a != b {
			return a > b
		}
		if !sorted[i].StartsAt.Equal(sorted[j].StartsAt) {
			return sorted[i].StartsAt.After(sorted[j].StartsAt)
		}
		return sorted[i].Title < sorted[j].Title
	})
	events := make([]EventWorth, 0, len(sorted))
	type acc struct {
		n, people, opps int
		last            time.Time
	}
	bySeries := map[string]*acc{}
	for _, f := range sorted {
		events = append(events, EventWorth{EventID: f.EventID, Title: f.Title, Series: f.Series, NewPeople: f.NewPeople,
			ReturningPeople: f.ReturningPeople, IntrosGiven: f.IntrosGiven, HelpGiven: f.HelpGiven, FollowupsDone: f.FollowupsDone,
			Opportunities: f.Opportunities, Score: Score(f)})
		if f.Series == "" {
			continue
		}
		a := bySeries[f.Series]
		if a == nil {
			a = &acc{}
			bySeries[f.Series] = a
		}
		a.n++
		a.people += f.NewPeople
		a.opps += f.Opportunities
		if f.StartsAt.After(a.last) {
			a.last = f.StartsAt
		}
	}
	series := make([]SeriesWorth, 0, len(bySeries))
	for name, a := range bySeries {
		series = append(series, SeriesWorth{Series: name, Events: a.n, NewPeoplePerEvent: round2(float64(a.people) / float64(a.n)),
			OpportunitiesPerEvent: round2(float64(a.opps) / float64(a.n)), LastAttendedAt: a.last})
	}
	sort.Slice(series, func(i, j int) bool {
		if series[i].NewPeoplePerEvent != series[j].NewPeoplePerEvent {
			return series[i].NewPeoplePerEvent > series[j].NewPeoplePerEvent
		}
		return series[i].Series < series[j].Series
	})
	return events, series
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
