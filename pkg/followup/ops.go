package followup

import (
	"context"
	"slices"

	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Filter selects follow-ups for List; it is the store's query (one type, not two).
type Filter = Query

// List returns the user's follow-ups by due date.
func (s *Service) List(ctx context.Context, userID string, f Filter) (*record.Page[FollowUp], error) {
	page, err := s.Store.Followups(ctx, userID, f)
	if err != nil {
		return nil, err
	}
	return page, s.Decorate(ctx, userID, page.Items)
}

// CustomInput is the body of POST /v1/followups.
type CustomInput struct {
	ContactID string `json:"contact_id"`
	DueAt     string `json:"due_at"`
	Note      string `json:"note,omitempty"`
}

// Check validates in; the caller checks the contact is the user's.
func (in CustomInput) Check() (*FollowUp, error) {
	var c input.Checker
	if in.ContactID == "" {
		c.Add("contact_id", "is required")
	}
	due := c.Time("due_at", in.DueAt)
	if due == nil && in.DueAt == "" {
		c.Add("due_at", "is required")
	}
	f := &FollowUp{ContactID: in.ContactID, Kind: Custom, Note: c.Text("note", in.Note, input.MaxNotes)}
	if due != nil {
		f.DueAt = *due
	}
	return f, c.Err()
}

// Create stores a custom follow-up for the user.
func (s *Service) Create(ctx context.Context, userID string, f *FollowUp) (*FollowUp, error) {
	f.UserID = userID
	out, _, err := s.Schedule(ctx, f)
	return out, err
}

// Patch is the body of PATCH /v1/followups/{id}.
type Patch struct {
	DueAt *string `json:"due_at,omitempty"`
	Note  *string `json:"note,omitempty"`
}

// Update re-dates a pending follow-up or changes its note. A new due time is
// nudged again. It returns NotFound, Invalid, or Conflict if not pending.
func (s *Service) Update(ctx context.Context, userID, id string, p Patch) (*FollowUp, error) {
	var c input.Checker
	var ch Change
	if p.DueAt != nil {
		if ch.DueAt = c.Time("due_at", *p.DueAt); ch.DueAt == nil {
			c.Add("due_at", "must be an RFC 3339 time")
		}
	}
	if p.Note != nil {
		note := c.Text("note", *p.Note, input.MaxNotes)
		ch.Note = &note
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return s.change(ctx, userID, id, ch)
}

// Snooze moves a pending follow-up to until, or days later at the user's
// nudge hour; it is nudged again then.
func (s *Service) Snooze(ctx context.Context, u *accounts.User, id string, until *string, days *int) (*FollowUp, error) {
	var c input.Checker
	var due time.Time
	switch {
	case until != nil && days != nil:
		c.Add("until", "give until or days, not both")
	case until != nil:
		if t := c.Time("until", *until); t != nil {
			due = *t
			if !due.After(s.Now()) {
				c.Add("until", "must be in the future")
			}
		} else {
			c.Add("until", "must be an RFC 3339 time")
		}
	case days != nil:
		c.Range("days", *days, 1, 365)
		due = DueAt(s.Now(), *days, u.NudgeHour, u.Location())
	default:
		c.Add("days", "or until is required")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	due = record.Time(due)
	return s.change(ctx, u.ID, id, Change{DueAt: &due})
}

// change applies ch to a pending follow-up; a new due time makes it due
// for a nudge again, and wakes the dispatcher.
func (s *Service) change(ctx context.Context, userID, id string, ch Change) (*FollowUp, error) {
	ch.At = record.Time(s.Now())
	f, err := s.Store.ChangePending(ctx, userID, id, ch)
	if err != nil {
		return nil, s.notPending(ctx, userID, id, err)
	}
	s.changed(ctx, userID)
	if ch.DueAt != nil {
		if err := s.wake(ctx, userID, *ch.DueAt); err != nil {
			return nil, err
		}
	}
	one := []FollowUp{*f}
	return &one[0], s.Decorate(ctx, userID, one)
}

// notPending explains why a pending-only change matched nothing.
func (s *Service) notPending(ctx context.Context, userID, id string, err error) error {
	if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	f, gerr := s.Get(ctx, userID, id)
	if gerr != nil {
		return gerr
	}
	return errNotPending(f)
}

// MarkDone marks a pending follow-up done.
func (s *Service) MarkDone(ctx context.Context, userID, id string) (*FollowUp, error) {
	return s.end(ctx, userID, id, Done)
}

// Cancel cancels a pending follow-up.
func (s *Service) Cancel(ctx context.Context, userID, id string) (*FollowUp, error) {
	return s.end(ctx, userID, id, Cancelled)
}

func (s *Service) end(ctx context.Context, userID, id, status string) (*FollowUp, error) {
	ended, err := s.Store.End(ctx, userID, []string{id}, status, record.Time(s.Now()))
	if err != nil {
		return nil, err
	}
	if len(ended) == 0 {
		return nil, s.notPending(ctx, userID, id, apperr.E(apperr.NotFound, "no such pending follow-up"))
	}
	f := &ended[0]
	s.changed(ctx, userID)
	return f, nil
}

// Due is what an agenda lists of the user's pending follow-ups (DueBefore).
type Due struct {
	Items []FollowUp
	// MoreOverdue says more are overdue than Items holds; MoreAhead, that
	// more are due from now to the end than Items holds.
	MoreOverdue, MoreAhead bool
	// Stale says one of the overdue Items is stale (Stale would return
	// it): Today and the agenda point to dropping them at once.
	Stale bool
}

// DueBefore returns the user's pending follow-ups due before until, as an
// agenda lists them: the overdue at now first, at most overdue of them,
// then those due from now on (at most record.MaxLimit), each saying when
// more are. Read together by due time, the first page of an account behind
// on its follow-ups held the overdue alone.
func (s *Service) DueBefore(ctx context.Context, userID string, now, until time.Time, overdue int) (*Due, error) {
	fs, err := s.Store.Pending(ctx, userID, PendingFilter{Before: &now, Limit: overdue + 1})
	if err != nil {
		return nil, err
	}
	due := &Due{Items: fs[:min(len(fs), overdue)], MoreOverdue: len(fs) > overdue}
	due.Stale = slices.ContainsFunc(due.Items, func(f FollowUp) bool { return isStale(&f, now) })
	ahead, err := s.Store.Followups(ctx, userID, Query{Status: Pending, DueFrom: &now, DueBefore: &until, Limit: record.MaxLimit})
	if err != nil {
		return nil, err
	}
	due.Items, due.MoreAhead = append(due.Items, ahead.Items...), ahead.NextCursor != ""
	return due, nil
}

// PendingOf returns all of the user's pending follow-ups (for feeds).
func (s *Service) PendingOf(ctx context.Context, userID string) ([]FollowUp, error) {
	return s.Store.Pending(ctx, userID, PendingFilter{})
}
