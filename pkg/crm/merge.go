package crm

import (
	"context"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// MergeContacts merges the user's contact otherID into id (POST
// /v1/contacts/{id}/merge): every encounter, interaction, intro, follow-up
// and opportunity of otherID moves to id, emails, phones and tags are
// united, both notes kept, and otherID is deleted. The intros between the
// two are deleted (one would introduce a person to themselves), and a
// pending follow-up of a kind id has pending already is cancelled.
//
// On SQLite it is one transaction. On MongoDB each step is safe to run
// again and the order keeps every record on one of the two contacts
// until the last step deletes the emptied one: a merge cut short leaves
// both contacts with all they had between them, and calling it again
// finishes it.
func (s *Service) MergeContacts(ctx context.Context, u *accounts.User, id, otherID string) (*contacts.Contact, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*contacts.Contact, error) {
		return s.mergeContacts(ctx, u, id, otherID)
	})
}

func (s *Service) mergeContacts(ctx context.Context, u *accounts.User, id, otherID string) (*contacts.Contact, error) {
	into, err := s.Contacts.Store.Contact(ctx, u.ID, id)
	if err != nil {
		return nil, err
	}
	switch otherID {
	case "":
		return nil, apperr.InvalidField("other_id", "is required")
	case id:
		return nil, apperr.InvalidField("other_id", "must be another contact than the one merged into")
	}
	other, err := s.Contacts.Store.Contact(ctx, u.ID, otherID)
	if err != nil {
		return nil, notFoundField(err, "other_id")
	}
	merged, err := s.Contacts.Merged(ctx, into, other)
	if err != nil {
		return nil, err
	}
	// Both held cards in an address book: the kept one takes what only
	// the other's held (a birthday, a label), within the card's bound.
	if both := codec.CombineCardExtras(into.CardExtra, other.CardExtra); contacts.CheckCardExtra(both) == nil {
		merged.CardExtra = both
	}
	now := record.Time(s.Now())
	between, err := s.Contacts.Store.MoveContact(ctx, u.ID, otherID, id, now)
	if err != nil {
		return nil, err
	}
	if err := s.Followups.DetachFrom(ctx, u.ID, "intro_id", between); err != nil {
		return nil, err
	}
	if err := s.Followups.Store.MoveContact(ctx, u.ID, otherID, id, now); err != nil {
		return nil, err
	}
	if err := s.moveOpportunities(ctx, u.ID, otherID, id, now); err != nil {
		return nil, err
	}
	if err := s.Contacts.Store.UpdateContact(ctx, merged); err != nil {
		return nil, err
	}
	if err := s.Contacts.Delete(ctx, u.ID, otherID); err != nil {
		return nil, err
	}
	if merged.CadenceDays != into.CadenceDays || merged.LastContactedAt != into.LastContactedAt {
		if err := s.cadence(ctx, u, merged); err != nil {
			return nil, err
		}
	}
	return merged, nil
}

// moveOpportunities names to where the user's opportunities name from, as
// source contact or recruiter (once), a page at a time until none is left.
func (s *Service) moveOpportunities(ctx context.Context, userID, from, to string, at time.Time) error {
	for {
		page, err := s.Opportunities.Opportunities(ctx, userID, opportunities.Query{ContactID: from, Limit: record.MaxLimit})
		if err != nil || len(page.Items) == 0 {
			return err
		}
		for i := range page.Items {
			o := &page.Items[i]
			if o.SourceContactID == from {
				o.SourceContactID = to
			}
			recruiters := []string{}
			for _, r := range o.RecruiterIDs {
				if r == from {
					r = to
				}
				if !slices.Contains(recruiters, r) {
					recruiters = append(recruiters, r)
				}
			}
			o.RecruiterIDs, o.UpdatedAt = recruiters, at
			if err := s.Opportunities.UpdateOpportunity(ctx, o); err != nil {
				return err
			}
		}
	}
}
