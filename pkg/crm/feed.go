package crm

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Feed kinds, as in the feed URLs.
const (
	FeedEvents    = "events"
	FeedFollowups = "followups"
	FeedAll       = "all"
)

// cancelledKept is how long a cancelled event stays in feeds, so that
// subscribed calendars see it cancelled rather than silently gone.
const cancelledKept = 30 * 24 * time.Hour

var feedNames = map[string]string{FeedEvents: "Rapport: events", FeedFollowups: "Rapport: follow-ups", FeedAll: "Rapport"}

// Feed builds the user's calendar of the given kind.
func (s *Service) Feed(ctx context.Context, u *accounts.User, kind, baseURL string) (calendar.Calendar, error) {
	cal := calendar.Calendar{Name: feedNames[kind], Refresh: time.Hour}
	// Events and follow-ups are read at once (two reads of the store).
	var evs, fus []calendar.Event
	var evErr, fuErr error
	var wg sync.WaitGroup
	if kind == FeedEvents || kind == FeedAll {
		wg.Add(1)
		go func() {
			defer wg.Done()
			evs, evErr = s.eventEntries(ctx, u, baseURL)
		}()
	}
	if kind == FeedFollowups || kind == FeedAll {
		fus, fuErr = s.followupEntries(ctx, u, baseURL)
	}
	wg.Wait()
	if err := errors.Join(evErr, fuErr); err != nil {
		return cal, err
	}
	cal.Events = append(evs, fus...)
	return cal, nil
}

// eventEntries are the feed entries of the user's events (cancelled ones
// only for a while, so calendars remove them).
func (s *Service) eventEntries(ctx context.Context, u *accounts.User, baseURL string) ([]calendar.Event, error) {
	evs, err := s.Events.Store.AllEvents(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	out := make([]calendar.Event, 0, len(evs))
	for i := range evs {
		e := &evs[i]
		if e.Status == "cancelled" && now.Sub(e.UpdatedAt) > cancelledKept {
			continue
		}
		out = append(out, followup.EventEntry(e, baseURL))
	}
	return out, nil
}

// followupEntries are the feed entries of the user's pending follow-ups,
// soonest first.
func (s *Service) followupEntries(ctx context.Context, u *accounts.User, baseURL string) ([]calendar.Event, error) {
	pending, err := s.Followups.PendingOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(pending))
	for _, f := range pending {
		ids = append(ids, f.ContactID)
	}
	cs, err := s.Contacts.Store.ContactsByID(ctx, u.ID, ids)
	if err != nil {
		return nil, err
	}
	sort.Slice(pending, func(i, j int) bool {
		if !pending[i].DueAt.Equal(pending[j].DueAt) {
			return pending[i].DueAt.Before(pending[j].DueAt)
		}
		return pending[i].ID < pending[j].ID
	})
	out := make([]calendar.Event, 0, len(pending))
	for i := range pending {
		if c := cs[pending[i].ContactID]; c != nil {
			out = append(out, followup.FollowUpEntry(&pending[i], c.Name, baseURL))
		} else if followup.Contactless(&pending[i]) {
			out = append(out, followup.FollowUpEntry(&pending[i], "", baseURL))
		}
	}
	return out, nil
}

// touchFeed records that the user's feeds changed: a new random nonce (so
// that concurrent writers, which on the embedded store may overwrite each
// other's document, still always leave a new value) and the time. Data is
// written before this, so a feed rendered under the old nonce is stale only
// until its next request. A failure is logged by the caller's absence of
// effect only: cached feeds also expire on their own.
func (s *Service) touchFeed(ctx context.Context, userID string) {
	if ctx.Value(quietKey{}) != nil {
		return
	}
	s.Stamps.Touch(context.WithoutCancel(ctx), record.FeedStamp, userID, record.NewID(), record.Time(s.Now()))
}

// FeedVersion returns what identifies the current content of the user's
// feeds (cheap: one small read) and when it last changed.
func (s *Service) FeedVersion(ctx context.Context, userID string) (string, time.Time, error) {
	return s.Stamps.Stamp(ctx, record.FeedStamp, userID)
}

// touchContacts records that the user's contacts changed (a new nonce,
// written after the data), for caches of contact lists.
func (s *Service) touchContacts(ctx context.Context, userID string) {
	if ctx.Value(quietKey{}) != nil {
		return
	}
	s.Stamps.Touch(context.WithoutCancel(ctx), record.ContactsStamp, userID, record.NewID(), record.Time(s.Now()))
}

// quietKey marks a context whose writes do not touch the stamps one by
// one: a bulk workflow (undoing an import) touches them once at its end.
type quietKey struct{}

// Touch records that all of the user's data changed (after a restore):
// feeds and contact lists are rendered afresh.
func (s *Service) Touch(ctx context.Context, userID string) {
	s.touchFeed(ctx, userID)
	s.touchContacts(ctx, userID)
}

// ContactsVersion identifies the current state of the user's contacts (one
// small read); "" when they have not changed since stamps were introduced.
func (s *Service) ContactsVersion(ctx context.Context, userID string) (string, error) {
	nonce, _, err := s.Stamps.Stamp(ctx, record.ContactsStamp, userID)
	return nonce, err
}
