package crm

import (
	"context"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// CreateOpportunity stores a new opportunity (stage history starting with
// its stage) and schedules its next step.
func (s *Service) CreateOpportunity(ctx context.Context, u *accounts.User, in opportunities.Input) (*opportunities.Opportunity, error) {
	return s.CreateOpportunityAt(ctx, u, in, "")
}

// CreateOpportunityAt is CreateOpportunity with the company named rather
// than picked: the user's company of that name (companies.Resolve: "Acme",
// "ACME Inc." and "acme.io" are one), else a new one, made only once the
// rest of in is found good. An empty company leaves in's company_id.
func (s *Service) CreateOpportunityAt(ctx context.Context, u *accounts.User, in opportunities.Input, company string) (*opportunities.Opportunity, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*opportunities.Opportunity, error) {
		now := record.Time(s.Now())
		o := &opportunities.Opportunity{ID: record.NewID(), UserID: u.ID, CreatedAt: now, UpdatedAt: now}
		if err := in.Apply(o, now); err != nil {
			return nil, err
		}
		if err := s.checkOpportunityRefs(ctx, u.ID, o); err != nil {
			return nil, err
		}
		if strings.TrimSpace(company) != "" {
			id, err := s.Companies.Resolve(ctx, u.ID, company, nil)
			if err != nil {
				return nil, err // a name is cut to length, never refused
			}
			o.CompanyID = id
		}
		if err := s.Opportunities.CreateOpportunity(ctx, o); err != nil {
			return nil, err
		}
		s.touchContacts(ctx, u.ID) // insights count opportunities
		return o, s.nextStep(ctx, u.ID, o)
	})
}

// GetOpportunity returns one of the user's opportunities.
func (s *Service) GetOpportunity(ctx context.Context, userID, id string) (*opportunities.Opportunity, error) {
	return s.Opportunities.Opportunity(ctx, userID, id)
}

// UpdateOpportunity applies a merge patch: a new stage is appended to the
// history; the next step's follow-up follows the next step, its contact
// and the stage (a closed stage cancels it).
func (s *Service) UpdateOpportunity(ctx context.Context, u *accounts.User, id string, patch []byte) (*opportunities.Opportunity, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*opportunities.Opportunity, error) {
		old, err := s.Opportunities.Opportunity(ctx, u.ID, id)
		if err != nil {
			return nil, err
		}
		var in opportunities.Input
		if err := input.MergePatch(opportunities.InputOf(old), patch, &in); err != nil {
			return nil, err
		}
		o := *old
		o.History = append([]opportunities.StageChange(nil), old.History...)
		now := record.Time(s.Now())
		if err := in.Apply(&o, now); err != nil {
			return nil, err
		}
		if err := s.checkOpportunityRefs(ctx, u.ID, &o); err != nil {
			return nil, err
		}
		o.UpdatedAt = now
		if err := s.Opportunities.UpdateOpportunity(ctx, &o); err != nil {
			return nil, err
		}
		s.touchContacts(ctx, u.ID)
		return &o, s.nextStep(ctx, u.ID, &o)
	})
}

// DeleteOpportunity removes an opportunity and cancels its next step.
func (s *Service) DeleteOpportunity(ctx context.Context, userID, id string) error {
	_, err := atomically(ctx, s, func(ctx context.Context, s *Service) (struct{}, error) {
		if _, err := s.Opportunities.Opportunity(ctx, userID, id); err != nil {
			return struct{}{}, err
		}
		if err := s.Followups.DetachFrom(ctx, userID, string(followup.RefOpportunity), []string{id}); err != nil {
			return struct{}{}, err
		}
		s.touchContacts(ctx, userID)
		return struct{}{}, s.Opportunities.DeleteOpportunity(ctx, userID, id)
	})
	return err
}

// stepBeforeTitle joins the step and the opportunity's title in the note
// of a next step's follow-up: "Send CV — Staff engineer".
const stepBeforeTitle = " — "

// NextStepTitle is the opportunity's title in the note of its next step's
// follow-up, as nextStep writes it ("Send CV — Staff engineer" → "Staff
// engineer"; a note of the title alone is the title). The title is what
// follows the first " — ", which titles hold more often than steps
// ("Staff engineer — Platform"). A note edited by hand since may say
// anything: it is read the same way.
func NextStepTitle(note string) string {
	if _, title, ok := strings.Cut(note, stepBeforeTitle); ok {
		return strings.TrimSpace(title)
	}
	return strings.TrimSpace(note)
}

// nextStep keeps o's next step as a follow-up (followup.ForOpportunity).
func (s *Service) nextStep(ctx context.Context, userID string, o *opportunities.Opportunity) error {
	due := o.NextStepAt
	if opportunities.Closed(o.Stage) {
		due = nil
	}
	note := o.Title
	if o.NextStep != "" {
		note = o.NextStep + stepBeforeTitle + o.Title
	}
	return s.Followups.ForOpportunity(ctx, userID, o.ID, o.NextStepContact(), note, due)
}

// checkOpportunityRefs makes sure every id o names is the user's: another
// user's (or no) company, contact or event is a 404 naming the field.
func (s *Service) checkOpportunityRefs(ctx context.Context, userID string, o *opportunities.Opportunity) error {
	if o.CompanyID != "" {
		if _, err := s.Companies.Store.Company(ctx, userID, o.CompanyID); err != nil {
			return notFoundField(err, "company_id")
		}
	}
	if o.SourceEventID != "" {
		if _, err := s.Events.Store.Event(ctx, userID, o.SourceEventID); err != nil {
			return notFoundField(err, "source_event_id")
		}
	}
	ids := append([]string{o.SourceContactID}, o.RecruiterIDs...)
	found, err := s.Contacts.Store.ContactsByID(ctx, userID, ids)
	if err != nil {
		return err
	}
	if o.SourceContactID != "" && found[o.SourceContactID] == nil {
		return notFoundField(apperr.E(apperr.NotFound, "no such contact"), "source_contact_id")
	}
	for i, id := range o.RecruiterIDs {
		if found[id] == nil {
			return notFoundField(apperr.E(apperr.NotFound, "no such contact"), fmt.Sprintf("recruiter_ids[%d]", i))
		}
	}
	return nil
}

// detachOpportunities clears a deleted company, contact or event from the
// user's opportunities and re-files their next steps (a deleted source
// contact hands the next step to the first recruiter).
func (s *Service) detachOpportunities(ctx context.Context, userID string, ref opportunities.Ref, refIDs []string) error {
	ids, err := s.Opportunities.Detach(ctx, userID, ref, refIDs, record.Time(s.Now()))
	if err != nil || ref != opportunities.RefContact || len(ids) == 0 {
		return err
	}
	for _, oid := range ids {
		o, err := s.Opportunities.Opportunity(ctx, userID, oid)
		if err != nil {
			return err
		}
		if err := s.nextStep(ctx, userID, o); err != nil {
			return err
		}
	}
	return nil
}
