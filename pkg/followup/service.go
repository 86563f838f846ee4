package followup

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Service is the rules of follow-ups and their delivery state over a Store.
type Service struct {
	Store Store
	Now   func() time.Time
	// Changed, if set, is told after every write that changes what the
	// user's calendar feeds show (crm uses it to invalidate cached feeds).
	Changed func(ctx context.Context, userID string)
}

// New returns a Service on st.
func New(st Store) *Service {
	return &Service{Store: st, Now: time.Now}
}

// Schedule stores a new follow-up. If one of the same kind is already
// pending for the contact, it stores nothing and returns that one with
// created false.
func (s *Service) Schedule(ctx context.Context, f *FollowUp) (out *FollowUp, created bool, err error) {
	out, created, err = s.insert(ctx, f)
	if err == nil && created {
		s.changed(ctx, f.UserID)
		err = s.wake(ctx, f.UserID, f.DueAt)
	}
	return out, created, err
}

// insert stores f as Schedule does, without telling the dispatcher or the
// feeds (callers inserting several do that once).
func (s *Service) insert(ctx context.Context, f *FollowUp) (out *FollowUp, created bool, err error) {
	now := record.Time(s.Now())
	f.ID = record.NewID()
	f.Status = Pending
	f.DueAt = record.Time(f.DueAt)
	f.CreatedAt, f.UpdatedAt = now, now
	f.PendingKey = pendingKey(f)
	existing, err := s.Store.CreateFollowup(ctx, f)
	if err != nil {
		return nil, false, err
	}
	if existing != nil {
		return existing, false, nil
	}
	return f, true, nil
}

// ForEncounter schedules the automatic thank-you and check-in after meeting
// a contact at metAt, per the user's policy (a policy of 0 days is off).
//
// note says why (the encounter's note and topics): nudges, feeds and the
// phone page show it.
func (s *Service) ForEncounter(ctx context.Context, u *accounts.User, contactID, encounterID, eventID, note string, metAt time.Time) ([]FollowUp, error) {
	out := []FollowUp{}
	var first *time.Time
	for _, k := range []struct {
		kind string
		days int
	}{{ThankYou, u.FollowupPolicy.ThankYouDays}, {CheckIn, u.FollowupPolicy.CheckInDays}} {
		if k.days <= 0 {
			continue
		}
		f, created, err := s.insert(ctx, &FollowUp{UserID: u.ID, ContactID: contactID, Kind: k.kind, Note: note,
			DueAt: DueAt(metAt, k.days, u.NudgeHour, u.Location()), EncounterID: encounterID, EventID: eventID})
		if err != nil {
			return nil, err
		}
		if created && (first == nil || f.DueAt.Before(*first)) {
			first = &f.DueAt
		}
		out = append(out, *f)
	}
	if first != nil { // one wake and one feed change for both
		s.changed(ctx, u.ID)
		return out, s.wake(ctx, u.ID, *first)
	}
	return out, nil
}

// ForEvent keeps the brief before an event: one pending follow-up of kind
// Prep, due at the user's nudge hour the day before startsAt, re-dated
// (and renamed) when the event moves; none is made once that time has
// passed. want false cancels a pending one.
func (s *Service) ForEvent(ctx context.Context, u *accounts.User, eventID, title string, startsAt time.Time, want bool) error {
	if !want {
		return s.CancelForEvent(ctx, u.ID, eventID)
	}
	due := DueAt(startsAt, -1, u.NudgeHour, u.Location())
	note := "Prepare for " + title
	if !due.After(s.Now()) {
		return nil
	}
	f, created, err := s.Schedule(ctx, &FollowUp{UserID: u.ID, Kind: Prep, EventID: eventID, DueAt: due, Note: note})
	if err != nil || created || f.DueAt.Equal(due) && f.Note == note {
		return err
	}
	_, err = s.change(ctx, u.ID, f.ID, Change{DueAt: &due, Note: &note})
	return err
}

// CancelForEvent cancels the pending brief before an event.
func (s *Service) CancelForEvent(ctx context.Context, userID, eventID string) error {
	return s.endWhere(ctx, userID, PendingFilter{PendingKey: userID + "|prep|" + eventID}, nil, Cancelled)
}

// ForIntro schedules the check on a made intro, for its first contact;
// note says whom they were introduced to.
func (s *Service) ForIntro(ctx context.Context, u *accounts.User, introID, contactID, note string, madeAt time.Time) (*FollowUp, error) {
	if u.FollowupPolicy.IntroCheckDays <= 0 {
		return nil, nil
	}
	f, _, err := s.Schedule(ctx, &FollowUp{UserID: u.ID, ContactID: contactID, Kind: IntroCheck, Note: note,
		DueAt: DueAt(madeAt, u.FollowupPolicy.IntroCheckDays, u.NudgeHour, u.Location()), IntroID: introID})
	return f, err
}

// ForCadence makes sure a contact with a stay-in-touch cadence has its
// pending follow-up cadenceDays after last; a pending one is re-dated.
// A cadence of 0 cancels a pending one.
func (s *Service) ForCadence(ctx context.Context, u *accounts.User, contactID string, cadenceDays int, last time.Time) error {
	key := u.ID + "|" + contactID + "|" + StayInTouch
	if cadenceDays <= 0 {
		return s.endWhere(ctx, u.ID, PendingFilter{PendingKey: key}, nil, Cancelled)
	}
	due := DueAt(last, cadenceDays, u.NudgeHour, u.Location())
	f, created, err := s.Schedule(ctx, &FollowUp{UserID: u.ID, ContactID: contactID, Kind: StayInTouch, DueAt: due})
	if err != nil || created || f.DueAt.Equal(due) {
		return err
	}
	_, err = s.change(ctx, u.ID, f.ID, Change{DueAt: &due})
	return err
}

// ResolveForInteraction marks done what an interaction at `at` takes care
// of: a pending thank-you created before it (any contact after meeting is
// the thank-you), and pending check-ins and stay-in-touch nudges due by it.
func (s *Service) ResolveForInteraction(ctx context.Context, userID, contactID string, at time.Time) error {
	at = record.Time(at)
	return s.endWhere(ctx, userID, PendingFilter{ContactID: contactID}, func(f *FollowUp) bool {
		switch f.Kind {
		case ThankYou:
			return !f.CreatedAt.After(at) || !f.DueAt.After(at)
		case CheckIn, StayInTouch:
			return !f.DueAt.After(at)
		}
		return false
	}, Done)
}

// endWhere ends (done or cancelled) the user's pending follow-ups that sel
// selects and keep (nil: all of them) keeps, freeing their pending keys.
func (s *Service) endWhere(ctx context.Context, userID string, sel PendingFilter, keep func(*FollowUp) bool, status string) error {
	fs, err := s.Store.Pending(ctx, userID, sel)
	if err != nil {
		return err
	}
	var ids []string
	for i := range fs {
		if keep == nil || keep(&fs[i]) {
			ids = append(ids, fs[i].ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ended, err := s.Store.End(ctx, userID, ids, status, record.Time(s.Now()))
	if len(ended) > 0 {
		s.changed(ctx, userID)
	}
	return err
}

// Get returns one of the user's follow-ups; NotFound if none.
func (s *Service) Get(ctx context.Context, userID, id string) (*FollowUp, error) {
	f, err := s.Store.Followup(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	one := []FollowUp{*f}
	if err := s.Decorate(ctx, userID, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// DeleteForContacts removes every follow-up of deleted contacts.
func (s *Service) DeleteForContacts(ctx context.Context, userID string, contactIDs []string) error {
	if len(contactIDs) == 0 {
		return nil
	}
	_, err := s.Store.DeleteForContacts(ctx, userID, contactIDs)
	s.changed(ctx, userID)
	return err
}

// DetachFrom handles the deletion of encounters, intros or an event
// (field is "encounter_id", "intro_id" or "event_id"): pending follow-ups
// they created are cancelled, and no follow-up keeps pointing at them.
func (s *Service) DetachFrom(ctx context.Context, userID, field string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	ref := Ref(field)
	if ref != RefEvent {
		if err := s.endWhere(ctx, userID, PendingFilter{Ref: ref, RefIDs: ids}, nil, Cancelled); err != nil {
			return err
		}
	}
	return s.Store.Detach(ctx, userID, ref, ids, record.Time(s.Now()))
}

// errNotPending is returned when acting on a follow-up that is done or cancelled.
func errNotPending(f *FollowUp) error {
	return apperr.E(apperr.Conflict, "the follow-up is %s, not pending", f.Status)
}

// changed reports a change of feed content to the Changed hook.
func (s *Service) changed(ctx context.Context, userID string) {
	if s.Changed != nil {
		s.Changed(ctx, userID)
	}
}

// ForOpportunity keeps an opportunity's next step as its one pending
// follow-up of kind opportunity: for contactID, due at due, saying note.
// A pending one for that contact is re-dated (nudged again) or re-worded;
// one for another contact is cancelled and a new one made. An opportunity
// that names no one has its follow-up about no contact (Contactless), so
// its next step is still nudged. No due time (a closed opportunity, or no
// next step) cancels it.
func (s *Service) ForOpportunity(ctx context.Context, userID, opportunityID, contactID, note string, due *time.Time) error {
	sel := PendingFilter{Ref: RefOpportunity, RefIDs: []string{opportunityID}}
	if due == nil {
		return s.endWhere(ctx, userID, sel, nil, Cancelled)
	}
	d := record.Time(*due)
	pending, err := s.Store.Pending(ctx, userID, sel)
	if err != nil {
		return err
	}
	for _, f := range pending {
		if f.ContactID != contactID {
			continue
		}
		var ch Change
		if !f.DueAt.Equal(d) {
			ch.DueAt = &d
		}
		if f.Note != note {
			ch.Note = &note
		}
		if ch.DueAt == nil && ch.Note == nil {
			return nil
		}
		_, err := s.change(ctx, userID, f.ID, ch)
		return err
	}
	if err := s.endWhere(ctx, userID, sel, nil, Cancelled); err != nil {
		return err
	}
	_, _, err = s.Schedule(ctx, &FollowUp{UserID: userID, ContactID: contactID, Kind: Opportunity, DueAt: d, Note: note, OpportunityID: opportunityID})
	return err
}
