package events

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Service is the rules of events and followed calendars over a Store.
type Service struct {
	Store Store
	Now   func() time.Time
	// Changed, if set, is told after every write that changes what the
	// user's calendar feeds show (crm uses it to invalidate cached feeds).
	Changed func(ctx context.Context, userID string)
	// TargetRefs, if set, checks that the contacts and companies an
	// event's targets name are the user's (crm sets it: this domain does
	// not hold them); NotFound naming the field ("targets[1].contact_id").
	TargetRefs func(ctx context.Context, userID string, targets []Target) error
}

// New returns a Service on st.
func New(st Store) *Service {
	return &Service{Store: st, Now: time.Now}
}

// Create validates in and stores a new event. defTZ is the user's time zone,
// the event's default. It returns Invalid naming each bad field.
func (s *Service) Create(ctx context.Context, userID, defTZ string, in Input) (*Event, error) {
	now := record.Time(s.Now())
	e := &Event{ID: record.NewID(), UserID: userID, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(e, defTZ); err != nil {
		return nil, err
	}
	if err := s.checkRefs(ctx, userID, e.Targets); err != nil {
		return nil, err
	}
	if err := s.Store.CreateEvent(ctx, e); err != nil {
		return nil, err
	}
	s.changed(ctx, userID)
	return e, nil
}

// Update applies a merge patch to the user's event. Moving starts_at without
// naming ends_at keeps the duration. A change of time, place or status
// increments the sequence. It returns NotFound or Invalid.
func (s *Service) Update(ctx context.Context, userID, id string, patch []byte) (*Event, error) {
	old, err := s.Store.Event(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	var in Input
	if err := input.MergePatch(inputOf(old), patch, &in); err != nil {
		return nil, err
	}
	var keys map[string]json.RawMessage
	json.Unmarshal(patch, &keys)
	if _, endsNamed := keys["ends_at"]; !endsNamed {
		if starts, err := time.Parse(time.RFC3339Nano, in.StartsAt); err == nil && !starts.Equal(old.StartsAt) {
			in.EndsAt = starts.Add(old.EndsAt.Sub(old.StartsAt)).Format(time.RFC3339Nano)
		}
	}
	e := *old
	if err := in.apply(&e, old.Timezone); err != nil {
		return nil, err
	}
	if err := s.checkRefs(ctx, userID, e.Targets); err != nil {
		return nil, err
	}
	if !e.StartsAt.Equal(old.StartsAt) || !e.EndsAt.Equal(old.EndsAt) || e.Location != old.Location || e.Status != old.Status {
		e.Sequence++
	}
	e.UpdatedAt = record.Time(s.Now())
	if err := s.replace(ctx, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

func (s *Service) checkRefs(ctx context.Context, userID string, targets []Target) error {
	if s.TargetRefs == nil || len(targets) == 0 {
		return nil
	}
	return s.TargetRefs(ctx, userID, targets)
}

func (s *Service) replace(ctx context.Context, e *Event) error {
	if err := s.Store.UpdateEvent(ctx, e); err != nil {
		return err
	}
	s.changed(ctx, e.UserID)
	return nil
}

// Delete removes the user's event; NotFound if there is none. Callers
// remove what points at it first (see crm.Service.DeleteEvent).
func (s *Service) Delete(ctx context.Context, userID, id string) error {
	if err := s.Store.DeleteEvent(ctx, userID, id); err != nil {
		return err
	}
	s.changed(ctx, userID)
	return nil
}

// Begun returns the user's events begun in [from, to), earliest first,
// read page by page until the window ends or max are read (the page that
// reaches max is kept whole): a followed conference's schedule brings more
// events to a few days than a page holds, and a first page read as the
// whole left the later ones out. Every reader of a window of events walks
// it so: Today, the agenda, the card, the log form, the recaps.
func (s *Service) Begun(ctx context.Context, userID string, from, to time.Time, max int) ([]Event, error) {
	var out []Event
	err := record.EachPage(func(cur *record.Cursor) (*record.Page[Event], error) {
		return s.Store.Events(ctx, userID, Filter{From: &from, To: &to, Limit: record.MaxLimit, Cursor: cur})
	}, func(items []Event) bool {
		out = append(out, items...)
		return len(out) < max
	})
	return out, err
}

// Filter selects events for List; it is the store's query (one type, not two).
type Filter = EventQuery

// changed reports a change of feed content to the Changed hook.
func (s *Service) changed(ctx context.Context, userID string) {
	if s.Changed != nil {
		s.Changed(ctx, userID)
	}
}
