package web

import (
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/chart"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/insights"
	"github.com/rapport-crm/rapport/pkg/opportunities"
)

// The desk's insights (PRODUCT.md §10): hot topics by month over a year,
// the players, lapsed relationships, and the pipeline by stage and by
// source event — each an SVG chart drawn here and the same figures as a
// table.

func (s *pages) registerInsights(g fiber.Router) {
	g.Get("/insights", s.handleInsights)
}

// insightsView is the insights page.
type insightsView struct {
	TopicsChart template.HTML
	Months      []string
	Topics      []topicRow
	New, Rising []string

	PeopleChart   template.HTML
	People        []countRow
	Speakers      []countRow
	Lapsed        []lapsedRow
	StageChart    template.HTML
	Stages        []countRow
	SourcesChart  template.HTML
	Sources       []countRow
	WindowLabel   string
	HasPipeline   bool
	HasEncounters bool

	Giving      insights.Giving
	WorthChart  template.HTML
	Worth       []insights.EventWorth
	SeriesWorth []seriesRow
}

type seriesRow struct {
	Series, Last             string
	Events                   int
	PeoplePerEvent, OppsPerE string
}

type topicRow struct {
	Name   string
	Counts []int
	Total  int
}

type countRow struct {
	ID, Name string
	N, M     int
}

type lapsedRow struct{ ID, Name, Last string }

func (s *pages) handleInsights(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	loc := u.Location()
	p := s.page(c, "Insights", "insights")
	v := &insightsView{}
	// The topics' trend is read beside the insights (a view after a write
	// computes both).
	var (
		trend    insights.TopicTrend
		trendErr error
	)
	trendRead := make(chan struct{})
	go func() {
		defer close(trendRead)
		trend, trendErr = s.CRM.TopicTrend(ctx, u.ID)
	}()
	// The players, lapsed relationships and pipeline: the API's default
	// window (90 days).
	from, now, err := crm.InsightWindow(nil, nil, s.Now())
	if err != nil {
		<-trendRead
		return err
	}
	ins, err := s.CRM.Insights(ctx, u, from, now)
	<-trendRead
	if err != nil {
		return err
	}
	if trendErr != nil {
		return trendErr
	}
	for _, m := range trend.Months {
		t, _ := time.Parse("2006-01", m)
		v.Months = append(v.Months, t.Format("Jan 06"))
	}
	var series []chart.Series
	for _, ts := range trend.Series {
		series = append(series, chart.Series{Name: ts.Name, Values: ts.Counts})
		v.Topics = append(v.Topics, topicRow{Name: ts.Name, Counts: ts.Counts, Total: ts.Total})
	}
	v.New, v.Rising = trend.New, trend.Rising
	v.TopicsChart = chart.Lines("topics-chart", "Hot topics by month, the last 12 months", v.Months, series)

	v.WindowLabel = from.In(loc).Format("2 Jan 2006") + " – " + now.In(loc).Format("2 Jan 2006")
	var names []string
	var counts []int
	for _, pi := range ins.People[:min(len(ins.People), 10)] {
		v.People = append(v.People, countRow{ID: pi.ContactID, Name: pi.Name, N: pi.Encounters, M: pi.Intros})
		names, counts = append(names, pi.Name), append(counts, pi.Encounters)
		v.HasEncounters = v.HasEncounters || pi.Encounters > 0
	}
	v.PeopleChart = chart.Bars("people-chart", "People you met most, the last 90 days", names, counts)
	for _, sp := range ins.Speakers[:min(len(ins.Speakers), 10)] {
		v.Speakers = append(v.Speakers, countRow{Name: sp.Name, N: sp.Talks, M: sp.Events})
	}
	for _, l := range ins.Lapsed {
		row := lapsedRow{ID: l.ContactID, Name: l.Name, Last: "never"}
		if l.LastContactedAt != nil {
			row.Last = l.LastContactedAt.In(loc).Format("2 Jan 2006")
		}
		v.Lapsed = append(v.Lapsed, row)
	}
	names, counts = nil, nil
	for _, st := range opportunities.Stages {
		n := ins.Pipeline.ByStage[st]
		v.Stages = append(v.Stages, countRow{Name: st, N: n})
		names, counts = append(names, st), append(counts, n)
		v.HasPipeline = v.HasPipeline || n > 0
	}
	v.StageChart = chart.Bars("stage-chart", "Opportunities by stage, the last 90 days", names, counts)
	names, counts = nil, nil
	for _, src := range ins.Pipeline.Sources {
		v.Sources = append(v.Sources, countRow{ID: src.EventID, Name: src.Title, N: src.Opportunities})
		names, counts = append(names, src.Title), append(counts, src.Opportunities)
	}
	v.SourcesChart = chart.Bars("sources-chart", "Opportunities by the event they came from", names, counts)
	v.Giving = ins.Giving
	v.Worth = ins.Events
	names, counts = nil, nil
	for _, e := range ins.Events[:min(len(ins.Events), 10)] {
		names, counts = append(names, e.Title), append(counts, e.Score)
	}
	v.WorthChart = chart.Bars("worth-chart", "What each event gave you (score), the last 90 days", names, counts)
	for _, sr := range ins.Series {
		v.SeriesWorth = append(v.SeriesWorth, seriesRow{Series: sr.Series, Events: sr.Events, Last: sr.LastAttendedAt.In(loc).Format("2 Jan 2006"),
			PeoplePerEvent: strconv.FormatFloat(sr.NewPeoplePerEvent, 'f', -1, 64), OppsPerE: strconv.FormatFloat(sr.OpportunitiesPerEvent, 'f', -1, 64)})
	}
	p.Data = v
	return s.render(c, 200, "insights", p)
}
