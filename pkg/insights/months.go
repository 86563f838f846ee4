package insights

import (
	"sort"
	"time"
)

// TopicMonths counts topics (lower-cased encounter topics and event tags)
// by calendar month, UTC ("2006-01"): month → topic → count.
type TopicMonths map[string]map[string]int

// TopicTrend is the hot topics chart of the desk's insights page: the top
// topics of the last months, each month's count, and which are new (only
// in the last three months) or rising (the last three months at least
// half again the three before, and at least 3).
type TopicTrend struct {
	Months []string      `json:"months"` // oldest first, "2006-01"
	Series []TopicSeries `json:"series"` // most talked about first
	New    []string      `json:"new"`
	Rising []string      `json:"rising"`
}

// TopicSeries is one topic's count in each month of TopicTrend.Months.
type TopicSeries struct {
	Name   string `json:"name"`
	Counts []int  `json:"counts"`
	Total  int    `json:"total"`
}

// TrendTop is how many topics the chart draws.
const TrendTop = 8

// Months lists the n calendar months (UTC) that end with the one holding
// now, oldest first, and when the first begins.
func Months(now time.Time, n int) ([]string, time.Time) {
	first := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -(n - 1), 0)
	out := make([]string, n)
	for i := range out {
		out[i] = first.AddDate(0, i, 0).Format("2006-01")
	}
	return out, first
}

// Trend ranks the topics of counts over months (as Months gives them): the
// TrendTop with the highest totals (ties by name), and names the new and
// rising ones among all topics.
func Trend(months []string, counts TopicMonths) TopicTrend {
	t := TopicTrend{Months: months, Series: []TopicSeries{}, New: []string{}, Rising: []string{}}
	all := map[string]*TopicSeries{}
	for i, m := range months {
		for name, n := range counts[m] {
			s := all[name]
			if s == nil {
				s = &TopicSeries{Name: name, Counts: make([]int, len(months))}
				all[name] = s
			}
			s.Counts[i] += n
			s.Total += n
		}
	}
	ranked := make([]*TopicSeries, 0, len(all))
	for _, s := range all {
		ranked = append(ranked, s)
	}
	sort.Slice(ranked, func(i, j int) bool {
		if ranked[i].Total != ranked[j].Total {
			return ranked[i].Total > ranked[j].Total
		}
		return ranked[i].Name < ranked[j].Name
	})
	for i, s := range ranked {
		if i < TrendTop {
			t.Series = append(t.Series, *s)
		}
		last, before, earlier := sum(s.Counts, len(months)-3, len(months)), sum(s.Counts, len(months)-6, len(months)-3), sum(s.Counts, 0, len(months)-3)
		switch {
		case last > 0 && earlier == 0:
			t.New = append(t.New, s.Name)
		case last >= 3 && 2*last >= 3*before:
			t.Rising = append(t.Rising, s.Name)
		}
	}
	return t
}

// sum adds counts[from:to] (bounds clipped).
func sum(counts []int, from, to int) int {
	n := 0
	for i := max(from, 0); i < min(to, len(counts)); i++ {
		n += counts[i]
	}
	return n
}
