package crm

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/pkg/events"
)

// The bounds of LatestEvents: its first window back, how far back it
// looks at most, and how many events it reads in one window.
const (
	latestFirstWindow = 7 * 24 * time.Hour
	latestLookBack    = 5 * 365 * 24 * time.Hour
	latestWindowRead  = 2000
)

// LatestEvents returns the user's n latest events that begin before
// before, the latest first, up to latestLookBack back: those a form offers
// to pick from ("where you heard of it", "met at"). The store lists events
// by their start from the earliest, so a page of the events before a time
// holds the oldest ones, and an account with hundreds (a followed
// calendar brings them) was offered events of years ago and not last
// week's.
func (s *Service) LatestEvents(ctx context.Context, userID string, before time.Time, n int) ([]events.Event, error) {
	return s.LatestEventsSince(ctx, userID, before.Add(-latestLookBack), before, n)
}

// LatestEventsSince returns the user's n latest events that begin in
// [since, before), the latest first. They are read back from before in
// windows, a week first and each four times the last, at most
// latestWindowRead events each.
func (s *Service) LatestEventsSince(ctx context.Context, userID string, since, before time.Time, n int) ([]events.Event, error) {
	return s.latestEvents(ctx, userID, since, before, n, nil)
}

// LatestEventsMetAt returns the user's n latest events that begin before
// before, up to latestLookBack back, where they met someone, the latest
// first: those a filter by where people were met offers. A followed
// calendar brings events the user did not go to; the latest of all
// events could be those alone.
func (s *Service) LatestEventsMetAt(ctx context.Context, userID string, before time.Time, n int) ([]events.Event, error) {
	return s.LatestEventsMetAtSince(ctx, userID, before.Add(-latestLookBack), before, n)
}

// LatestEventsMetAtSince returns the user's n latest events that begin in
// [since, before) where they met someone, the latest first.
func (s *Service) LatestEventsMetAtSince(ctx context.Context, userID string, since, before time.Time, n int) ([]events.Event, error) {
	return s.latestEvents(ctx, userID, since, before, n, func(window []events.Event) ([]events.Event, error) {
		met, err := s.eventsMetAt(ctx, userID, window)
		return slices.DeleteFunc(window, func(e events.Event) bool { return !met[e.ID] }), err
	})
}

// LatestEventsWent returns the user's n latest events that begin before
// before, up to latestLookBack back, that the user went to (events.Went:
// added by hand, or from a followed calendar and marked attended or met
// at), the latest first: where a job or a lead was heard of. A followed
// conference's sessions of last week filled the latest of all events.
func (s *Service) LatestEventsWent(ctx context.Context, userID string, before time.Time, n int) ([]events.Event, error) {
	return s.latestEvents(ctx, userID, before.Add(-latestLookBack), before, n, func(window []events.Event) ([]events.Event, error) {
		return s.eventsWent(ctx, userID, window)
	})
}

// eventsWent keeps of evs (in place) those the user went to (events.Went),
// asking the encounters (eventsMetAt) only about a followed calendar's
// events not marked, for which it turns on whether someone was met.
func (s *Service) eventsWent(ctx context.Context, userID string, evs []events.Event) ([]events.Event, error) {
	var ask []events.Event
	for _, e := range evs {
		if !events.Went(e.Status, e.Source != nil, false) && events.Went(e.Status, e.Source != nil, true) {
			ask = append(ask, e)
		}
	}
	met, err := s.eventsMetAt(ctx, userID, ask)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(evs, func(e events.Event) bool { return !events.Went(e.Status, e.Source != nil, met[e.ID]) }), nil
}

// eventsMetAt is which of evs the user met someone at, in one read
// (contacts' EventsMetAt).
func (s *Service) eventsMetAt(ctx context.Context, userID string, evs []events.Event) (map[string]bool, error) {
	ids := make([]string, len(evs))
	for i := range evs {
		ids[i] = evs[i].ID
	}
	return s.Contacts.Store.EventsMetAt(ctx, userID, ids)
}

// latestEvents reads the latest events of [since, before) in windows back
// from before (LatestEventsSince), keeping those keep keeps of each
// window (all, with keep nil), until n are kept.
func (s *Service) latestEvents(ctx context.Context, userID string, since, before time.Time, n int,
	keep func([]events.Event) ([]events.Event, error)) ([]events.Event, error) {
	var out []events.Event
	to, span := before, latestFirstWindow
	for len(out) < n && to.After(since) {
		from := to.Add(-span)
		if from.Before(since) {
			from = since
		}
		window, err := s.Events.Begun(ctx, userID, from, to, latestWindowRead)
		if err == nil && keep != nil && len(window) > 0 {
			window, err = keep(window)
		}
		if err != nil {
			return nil, err
		}
		for i := len(window) - 1; i >= 0 && len(out) < n; i-- {
			out = append(out, window[i])
		}
		to, span = from, span*4
	}
	return out, nil
}

// EventsOfDays returns the user's events that run into from (RunningInto:
// begun before it) and then all of those begun in [from, to) (up to
// latestWindowRead, events.Service.Begun), each list earliest first: a
// followed conference schedule brings dozens of sessions a day, and a
// first page of a few days ended before the last.
func (s *Service) EventsOfDays(ctx context.Context, userID string, from, to time.Time) ([]events.Event, error) {
	evs, err := s.RunningInto(ctx, userID, from)
	if err != nil {
		return nil, err
	}
	begun, err := s.Events.Begun(ctx, userID, from, to, latestWindowRead)
	return append(evs, begun...), err
}

// EventsAround returns up to n of the user's events of the days [from, to)
// (EventsOfDays: those begun in them and those running into them), the n
// nearest to now — one under way nearest, then by how far from now they
// begin — in the order EventsOfDays gives: what the log form and the card
// offer to pick from, with the one under way among them however many
// sessions a conference's schedule brought earlier.
func (s *Service) EventsAround(ctx context.Context, userID string, from, to, now time.Time, n int) ([]events.Event, error) {
	evs, err := s.EventsOfDays(ctx, userID, from, to)
	if err != nil || len(evs) <= n {
		return evs, err
	}
	distance := func(e *events.Event) time.Duration {
		if events.UnderWay(e, now) {
			return 0
		}
		return e.StartsAt.Sub(now).Abs()
	}
	near := slices.Clone(evs)
	slices.SortStableFunc(near, func(a, b events.Event) int { return cmp.Compare(distance(&a), distance(&b)) })
	keep := make(map[string]bool, n)
	for _, e := range near[:n] {
		keep[e.ID] = true
	}
	return slices.DeleteFunc(evs, func(e events.Event) bool { return !keep[e.ID] }), nil
}
