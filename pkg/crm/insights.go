package crm

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/insights"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
	"golang.org/x/sync/singleflight"
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
// counts with its own engine (SQL aggregates, MongoDB pipelines) — or
// returns them from memory when the user's data has not changed since
// (insightCache): the API, the desk and the assistant share it.
func (s *Service) Insights(ctx context.Context, u *accounts.User, from, to time.Time) (*Insights, error) {
	v, err := s.cachedInsight(ctx, u.ID, fmt.Sprint("insights|", from.UnixMilli(), "|", to.UnixMilli()), func() (any, error) {
		return s.InsightsFromStore(ctx, u, from, to)
	})
	if err != nil {
		return nil, err
	}
	return v.(*Insights), nil
}

// cachedInsight returns what compute computes of the user's data (what
// names it, with its window), from memory while the user's feed and
// contacts stamps have not moved since (insightCache).
func (s *Service) cachedInsight(ctx context.Context, userID, what string, compute func() (any, error)) (any, error) {
	feed, _, err := s.FeedVersion(ctx, userID)
	if err != nil {
		return nil, err
	}
	people, err := s.ContactsVersion(ctx, userID)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprint(userID, "|", what, "|", feed, "|", people)
	now := s.Now()
	ic := s.insights
	ic.mu.Lock()
	e, ok := ic.m[key]
	ic.mu.Unlock()
	if ok && now.Sub(e.at) < insightTTL && !now.Before(e.at) {
		return e.v, nil
	}
	v, err, _ := ic.loads.Do(key, func() (any, error) {
		v, err := compute()
		if err != nil {
			return nil, err
		}
		ic.mu.Lock()
		defer ic.mu.Unlock()
		if ic.m == nil || len(ic.m) >= insightCacheMax {
			ic.m = map[string]insightEntry{}
		}
		ic.m[key] = insightEntry{v: v, at: now}
		return v, nil
	})
	return v, err
}

// insightCache keeps computed insights under the user's feed and contacts
// stamps, which every write that can change them moves (the stamps are in
// the store, so a write through another process counts too). Entries live
// at most insightTTL: lapsed contacts and overdue follow-ups change with
// time alone. Callers must not change what they get.
type insightCache struct {
	mu    sync.Mutex
	m     map[string]insightEntry
	loads singleflight.Group
}

type insightEntry struct {
	v  any // *Insights or insights.TopicTrend
	at time.Time
}

const (
	insightTTL      = 5 * time.Minute
	insightCacheMax = 1024
)

// InsightsFromStore computes insights from the facts the store counts with
// its own engine (insightSource).
func (s *Service) InsightsFromStore(ctx context.Context, u *accounts.User, from, to time.Time) (*Insights, error) {
	now := s.Now()
	// "Worth it?" reads the most (the people met at the latest events and
	// when each was made); it runs beside the opportunities, the facts and
	// the pipeline, each read on a connection of its own. The pipeline and
	// worth it both count opportunities: read once, here, and handed over.
	var (
		intros   []contacts.Intro
		worth    []insights.EventWorth
		series   []insights.SeriesWorth
		worthErr error
		opps     []opportunities.Opportunity
		oppsErr  error
	)
	oppsRead, worthDone := make(chan struct{}), make(chan struct{})
	oppsOf := func() ([]opportunities.Opportunity, error) {
		<-oppsRead
		return opps, oppsErr
	}
	go func() {
		defer close(worthDone)
		// Giving and worth it both count intros: read once.
		if intros, worthErr = s.introsOf(ctx, u.ID, contacts.IntroFilter{}); worthErr == nil {
			worth, series, worthErr = s.worth(ctx, u.ID, from, to, now, intros, oppsOf)
		}
	}()
	opps, oppsErr = s.opportunitiesOf(ctx, u.ID, from)
	close(oppsRead)
	var ins *Insights
	err := oppsErr
	if err == nil {
		ins, err = s.factsAndPipeline(ctx, u.ID, from, to, now, opps)
	}
	<-worthDone
	if err != nil {
		return nil, err
	}
	if worthErr != nil {
		return nil, worthErr
	}
	ins.Events, ins.Series = worth, series
	if ins.Giving, err = s.giving(ctx, u.ID, from, to, now, intros); err != nil {
		return nil, err
	}
	return ins, nil
}

// factsAndPipeline is the insights' counted facts, assembled, and the
// pipeline of opps (opportunitiesOf).
func (s *Service) factsAndPipeline(ctx context.Context, userID string, from, to, now time.Time, opps []opportunities.Opportunity) (*Insights, error) {
	f, err := s.insightSource.Facts(ctx, userID, from, to, now)
	if err != nil {
		return nil, err
	}
	ins, err := insights.Assemble(f, from, to, now)
	if err != nil {
		return nil, err
	}
	if ins.Pipeline, err = s.pipeline(ctx, userID, from, to, opps); err != nil {
		return nil, err
	}
	return ins, nil
}

// introsOf reads the user's intros f selects, every page (at most
// ledgerLimit).
func (s *Service) introsOf(ctx context.Context, userID string, f contacts.IntroFilter) ([]contacts.Intro, error) {
	out := []contacts.Intro{}
	f.Limit = record.MaxLimit
	err := eachItem(ledgerLimit, func(cur *record.Cursor) (*record.Page[contacts.Intro], error) {
		f.Cursor = cur
		return s.Contacts.Store.Intros(ctx, userID, f)
	}, func(it *contacts.Intro) { out = append(out, *it) })
	return out, err
}

// opportunitiesOf reads the user's opportunities newest first, once for
// the pipeline (those made in the window) and worth it (every one, up to
// ledgerLimit): ledgerLimit of them, and on until one is older than from.
func (s *Service) opportunitiesOf(ctx context.Context, userID string, from time.Time) ([]opportunities.Opportunity, error) {
	var out []opportunities.Opportunity
	err := record.EachPage(func(cur *record.Cursor) (*record.Page[opportunities.Opportunity], error) {
		return s.Opportunities.Opportunities(ctx, userID, opportunities.Query{Limit: record.MaxLimit, Cursor: cur})
	}, func(items []opportunities.Opportunity) bool {
		out = append(out, items...)
		return len(out) < ledgerLimit || !out[len(out)-1].CreatedAt.Before(from)
	})
	return out, err
}

// worthEvents bounds the events "worth it?" weighs: the latest 20 of the
// window that the user went to.
const worthEvents = 20

// helpAfter is how long after an event help given to someone met there
// counts as that event's.
const helpAfter = 30 * 24 * time.Hour

// worth gathers what each event of the window that the user went to (the
// latest worthEvents: wentTo) gave — people met there (new or returning:
// newThere), intros made there, help you logged to people met there
// within 30 days, its follow-ups done, the opportunities it sourced (of
// the first ledgerLimit oppsOf returns) — and ranks them (insights.Worth).
func (s *Service) worth(ctx context.Context, userID string, from, to, now time.Time, intros []contacts.Intro,
	oppsOf func() ([]opportunities.Opportunity, error)) ([]insights.EventWorth, []insights.SeriesWorth, error) {
	end := to
	if now.Before(end) {
		end = now
	}
	// The latest of the window (a page of it from its start held the
	// oldest 200 of an account that follows a busy calendar).
	evs, err := s.LatestEventsSince(ctx, userID, from, end, record.MaxLimit)
	if err != nil {
		return nil, nil, err
	}
	if len(evs) == 0 {
		return []insights.EventWorth{}, []insights.SeriesWorth{}, nil
	}
	// What was given from the day before the oldest event it may weigh:
	// help counts for an event after it began, and what was given the
	// event itself is dated about then.
	helped, err := s.Contacts.Store.InteractionsOfKinds(ctx, userID, []string{contacts.Helped, contacts.Volunteered, contacts.Spoke},
		evs[len(evs)-1].StartsAt.AddDate(0, 0, -1), ledgerLimit)
	if err != nil {
		return nil, nil, err
	}
	opps, err := oppsOf()
	if err != nil {
		return nil, nil, err
	}
	opps = opps[:min(len(opps), ledgerLimit)]
	picked, err := s.wentTo(ctx, userID, evs, intros, helped, opps)
	if err != nil {
		return nil, nil, err
	}
	if len(picked) == 0 {
		return []insights.EventWorth{}, []insights.SeriesWorth{}, nil
	}
	facts := make([]insights.EventFacts, len(picked))
	index := map[string]int{}
	ids := make([]string, len(picked))
	for i, ev := range picked {
		facts[i] = insights.EventFacts{EventID: ev.ID, Title: ev.Title, Series: ev.Series, StartsAt: ev.StartsAt}
		index[ev.ID] = i
		ids[i] = ev.ID
	}
	met, err := s.Contacts.Store.PeopleMetAt(ctx, userID, ids)
	if err != nil {
		return nil, nil, err
	}
	metAt := map[string][]int{} // contact → the picked events they were met at
	for i := range picked {
		for _, p := range met[picked[i].ID] {
			metAt[p.ContactID] = append(metAt[p.ContactID], i)
			if newThere(&picked[i], p.KnownSince) {
				facts[i].NewPeople++
			} else {
				facts[i].ReturningPeople++
			}
		}
	}
	// Intros made there; help given to people met there.
	for _, it := range intros {
		if i, ok := index[it.EventID]; ok && it.Status != contacts.IntroDeclined {
			facts[i].IntrosGiven++
		}
	}
	for _, h := range helped {
		if i, ok := index[h.EventID]; ok { // given to the event itself
			facts[i].HelpGiven++
			continue
		}
		if h.Kind != contacts.Helped {
			continue
		}
		for _, i := range metAt[h.ContactID] {
			if st := picked[i].StartsAt; !h.At.Before(st) && h.At.Before(st.Add(helpAfter)) {
				facts[i].HelpGiven++
			}
		}
	}
	// Follow-ups of the events that are done; opportunities they sourced.
	first := picked[len(picked)-1].StartsAt // an event's follow-ups are due after it
	err = eachItem(ledgerLimit, func(cur *record.Cursor) (*record.Page[followup.FollowUp], error) {
		return s.Followups.List(ctx, userID, followup.Filter{Status: followup.Done, DueFrom: &first, Limit: record.MaxLimit, Cursor: cur})
	}, func(f *followup.FollowUp) {
		if i, ok := index[f.EventID]; ok {
			facts[i].FollowupsDone++
		}
	})
	if err != nil {
		return nil, nil, err
	}
	// The opportunities they sourced.
	for _, o := range opps {
		if i, ok := index[o.SourceEventID]; ok {
			facts[i].Opportunities++
		}
	}
	evWorth, series := insights.Worth(facts)
	return evWorth, series, nil
}

// wentTo picks from evs (the latest first) the latest worthEvents the user
// went to: not cancelled or skipped, and marked attended, or where they
// met someone, made an intro, gave (helped holds what they gave an event
// itself) or heard of an opportunity (one of opps it sourced). A followed
// calendar brings every evening of a series, those the user stayed home
// too; weighed, they made a series' evenings look emptier than they were,
// its last attended the last held, and crowded out the events they went
// to.
func (s *Service) wentTo(ctx context.Context, userID string, evs []events.Event, intros []contacts.Intro,
	helped []contacts.Interaction, opps []opportunities.Opportunity) ([]events.Event, error) {
	did := map[string]bool{}
	for _, it := range intros {
		did[it.EventID] = true
	}
	for _, h := range helped {
		did[h.EventID] = true
	}
	for _, o := range opps {
		did[o.SourceEventID] = true
	}
	delete(did, "")
	metAt, err := s.eventsMetAt(ctx, userID, evs)
	if err != nil {
		return nil, err
	}
	var picked []events.Event
	for i := 0; i < len(evs) && len(picked) < worthEvents; i++ {
		ev := evs[i]
		if ev.Status == "cancelled" || ev.Status == "skipped" || !metAt[ev.ID] && !did[ev.ID] && ev.Status != "attended" {
			continue
		}
		picked = append(picked, ev)
	}
	return picked, nil
}

// ledgerLimit bounds the ledger's entries read for insights.
const ledgerLimit = 20000

// giving reads the giving ledger from the window's start or OwedWindow
// back, whichever is earlier: giving interactions and the intros made (one
// entry for each of their two people, declined ones left out).
func (s *Service) giving(ctx context.Context, userID string, from, to, now time.Time, intros []contacts.Intro) (insights.Giving, error) {
	since := from
	if back := now.Add(-insights.OwedWindow); back.Before(since) {
		since = back
	}
	its, err := s.Contacts.Store.InteractionsOfKinds(ctx, userID, contacts.GivingKinds, since, ledgerLimit)
	if err != nil {
		return insights.Giving{}, err
	}
	var entries []insights.GivingEntry
	ids := map[string]bool{}
	for _, it := range its {
		entries = append(entries, insights.GivingEntry{Kind: it.Kind, ContactID: it.ContactID, At: it.At})
		if it.Kind == contacts.HelpedMe {
			ids[it.ContactID] = true
		}
	}
	for _, it := range intros {
		if it.Status != contacts.IntroDeclined && !it.CreatedAt.Before(since) {
			for _, c := range it.ContactIDs {
				entries = append(entries, insights.GivingEntry{Kind: "intro", ContactID: c, At: it.CreatedAt})
			}
		}
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	people, err := s.Contacts.Store.ContactsByID(ctx, userID, list)
	if err != nil {
		return insights.Giving{}, err
	}
	names := map[string]string{}
	for id, c := range people {
		names[id] = c.Name
	}
	return insights.Ledger(entries, from, to, now, names), nil
}

// Reciprocity is what the user gave one contact (help, intros) and what
// the contact gave them (PRODUCT.md §11).
func (s *Service) Reciprocity(ctx context.Context, userID, contactID string) (insights.Reciprocity, error) {
	var entries []insights.GivingEntry
	err := eachItem(ledgerLimit, func(cur *record.Cursor) (*record.Page[contacts.Interaction], error) {
		return s.Contacts.Store.Interactions(ctx, userID, contactID, record.MaxLimit, cur)
	}, func(it *contacts.Interaction) {
		entries = append(entries, insights.GivingEntry{Kind: it.Kind, ContactID: contactID, At: it.At})
	})
	if err != nil {
		return insights.Reciprocity{}, err
	}
	intros, err := s.introsOf(ctx, userID, contacts.IntroFilter{ContactID: contactID})
	if err != nil {
		return insights.Reciprocity{}, err
	}
	for _, it := range intros {
		if it.Status != contacts.IntroDeclined {
			entries = append(entries, insights.GivingEntry{Kind: "intro", ContactID: contactID, At: it.CreatedAt})
		}
	}
	return insights.ReciprocityOf(entries), nil
}

// maxPipelineRows bounds the sources and contacts of the pipeline.
const maxPipelineRows = 20

// pipeline counts the opportunities of opps (newest first) created in
// [from, to] by stage, and ranks the events and contacts (source or
// recruiter) they came from, by count, then id (the top 20 of each).
func (s *Service) pipeline(ctx context.Context, userID string, from, to time.Time, opps []opportunities.Opportunity) (insights.Pipeline, error) {
	p := insights.Pipeline{ByStage: map[string]int{}, Sources: []insights.PipelineSource{}, Contacts: []insights.PipelineContact{}}
	for _, st := range opportunities.Stages {
		p.ByStage[st] = 0
	}
	byEvent, byContact := map[string]int{}, map[string]int{}
	for _, o := range opps {
		if o.CreatedAt.After(to) {
			continue
		}
		if o.CreatedAt.Before(from) { // newest first: the rest are older
			break
		}
		p.ByStage[o.Stage]++
		if o.SourceEventID != "" {
			byEvent[o.SourceEventID]++
		}
		seen := map[string]bool{}
		for _, c := range append([]string{o.SourceContactID}, o.RecruiterIDs...) {
			if c != "" && !seen[c] {
				seen[c] = true
				byContact[c]++
			}
		}
	}
	// Only the top rows are named: the ranking is by count, then id, so
	// the names of the rest are never read.
	topEvents, topContacts := top(byEvent, maxPipelineRows), top(byContact, maxPipelineRows)
	evs, err := s.Events.Store.EventsByID(ctx, userID, topEvents)
	if err != nil {
		return p, err
	}
	for _, id := range topEvents {
		if e := evs[id]; e != nil {
			p.Sources = append(p.Sources, insights.PipelineSource{EventID: id, Title: e.Title, Opportunities: byEvent[id]})
		}
	}
	cs, err := s.Contacts.Store.ContactsByID(ctx, userID, topContacts)
	if err != nil {
		return p, err
	}
	for _, id := range topContacts {
		if c := cs[id]; c != nil {
			p.Contacts = append(p.Contacts, insights.PipelineContact{ContactID: id, Name: c.Name, Opportunities: byContact[id]})
		}
	}
	return p, nil
}

// top returns the n keys of m with the highest counts (ties by key).
func top(m map[string]int, n int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if m[out[i]] != m[out[j]] {
			return m[out[i]] > m[out[j]]
		}
		return out[i] < out[j]
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// TrendMonths is how many months the desk's hot topics chart spans.
const TrendMonths = 12

// TopicTrend is the hot topics of the last 12 calendar months (UTC) by
// month, the top ones drawn, the new and rising named (insights.Trend).
// It is kept with the insights (insightCache): a view of the page with
// nothing written since reads neither again.
func (s *Service) TopicTrend(ctx context.Context, userID string) (insights.TopicTrend, error) {
	months, first := insights.Months(s.Now(), TrendMonths)
	v, err := s.cachedInsight(ctx, userID, "trend|"+first.Format(time.DateOnly), func() (any, error) {
		counts, err := s.insightSource.TopicMonths(ctx, userID, first, first.AddDate(0, TrendMonths, 0))
		if err != nil {
			return nil, err
		}
		return insights.Trend(months, counts), nil
	})
	if err != nil {
		return insights.TopicTrend{}, err
	}
	return v.(insights.TopicTrend), nil
}
