package crm

import (
	"context"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// DeleteCompany removes one of the user's companies; its contacts stay and
// lose the link (a contact whose company text still names it is linked to
// a new one when next edited).
func (s *Service) DeleteCompany(ctx context.Context, userID, id string) error {
	_, err := atomically(ctx, s, func(ctx context.Context, s *Service) (struct{}, error) {
		if _, err := s.Companies.Store.Company(ctx, userID, id); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, s.deleteCompany(ctx, userID, id)
	})
	return err
}

// deleteCompany is DeleteCompany's writes, inside a unit of work: the
// company's contacts and opportunities no longer name it, and it goes.
func (s *Service) deleteCompany(ctx context.Context, userID, id string) error {
	if err := s.Contacts.Store.DetachCompany(ctx, userID, id); err != nil {
		return err
	}
	if err := s.detachOpportunities(ctx, userID, opportunities.RefCompany, []string{id}); err != nil {
		return err
	}
	return s.Companies.Store.DeleteCompany(ctx, userID, id)
}

// Person is one of the people the user knows at a company, with how they
// met.
type Person struct {
	Contact *contacts.Contact `json:"contact"`
	Met     []Meeting         `json:"met"`
}

// Meeting is one encounter, told with its event.
type Meeting struct {
	EventID    string    `json:"event_id"`
	EventTitle string    `json:"event_title"`
	Moment     string    `json:"moment"`
	MetAt      time.Time `json:"met_at"`
}

// maxPeople bounds the insiders warm paths start from, and personMeetings
// the meetings listed for each of the people at a company.
const (
	maxPeople      = 200
	personMeetings = 10
)

// CompanyPeople returns a page of the user's contacts at a company (in
// name order, after cur, at most limit: contacts.Store.ContactsAtCompany),
// each with the encounters (newest first, at most personMeetings) that say
// how the user met them.
func (s *Service) CompanyPeople(ctx context.Context, userID, id string, cur *record.Cursor, limit int) (*record.Page[Person], error) {
	if _, err := s.Companies.Store.Company(ctx, userID, id); err != nil {
		return nil, err
	}
	page, err := s.Contacts.Store.ContactsAtCompany(ctx, userID, id, cur, limit)
	if err != nil {
		return nil, err
	}
	cs := page.Items
	out := make([]Person, 0, len(cs))
	var eventIDs []string
	for i := range cs {
		encs, err := s.Contacts.Store.Encounters(ctx, userID, contacts.EncounterQuery{ContactID: cs[i].ID, NewestFirst: true, Limit: personMeetings})
		if err != nil {
			return nil, err
		}
		p := Person{Contact: &cs[i], Met: []Meeting{}}
		for _, e := range encs.Items {
			p.Met = append(p.Met, Meeting{EventID: e.EventID, Moment: e.Moment, MetAt: e.MetAt})
			eventIDs = append(eventIDs, e.EventID)
		}
		out = append(out, p)
	}
	evs, err := s.Events.Store.EventsByID(ctx, userID, eventIDs)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for j := range out[i].Met {
			if ev := evs[out[i].Met[j].EventID]; ev != nil {
				out[i].Met[j].EventTitle = ev.Title
			}
		}
	}
	return &record.Page[Person]{Items: out, NextCursor: page.NextCursor}, nil
}

// companiesLinked names the migration stamp that says the one-time linking
// of existing contacts to companies has run on this store.
const companiesLinked = "companies-linked"

// LinkCompanies links the contacts stored before companies existed (or
// restored from a backup without them) to their companies, once per store:
// each contact without a company_id. Later contacts are
// linked as they are written.
func (s *Service) LinkCompanies(ctx context.Context, acc *accounts.Service) (int, error) {
	if nonce, _, err := s.Stamps.Stamp(ctx, record.MigrationStamp, companiesLinked); err != nil || nonce != "" {
		return 0, err
	}
	n := 0
	err := acc.ForEachUser(ctx, func(u *accounts.User) error {
		m, err := s.LinkUserCompanies(ctx, u.ID)
		n += m
		return err
	})
	if err != nil {
		return n, err
	}
	return n, s.Stamps.Touch(ctx, record.MigrationStamp, companiesLinked, "done", s.Now())
}

// LinkUserCompanies links the user's contacts that have no company_id to
// the company their company text or work email names, and says how many
// it linked.
func (s *Service) LinkUserCompanies(ctx context.Context, userID string) (int, error) {
	n, after := 0, ""
	// The companies found or made, by what the answer depends on: most
	// contacts share their company with others (contacts.Service.Link).
	memo := map[string]string{}
	for {
		cs, err := s.Contacts.Store.UnlinkedContacts(ctx, userID, after, 500)
		if err != nil || len(cs) == 0 {
			return n, err
		}
		after = cs[len(cs)-1].ID
		// A page commits together: one write, not one a contact.
		linked, err := atomically(ctx, s, func(ctx context.Context, s *Service) (int, error) {
			companyOf := map[string]string{}
			for i := range cs {
				c := &cs[i]
				if err := s.Contacts.Link(ctx, c, memo); err != nil {
					return 0, err
				}
				if c.CompanyID != "" {
					companyOf[c.ID] = c.CompanyID
				}
			}
			return len(companyOf), s.Contacts.Store.SetCompanies(ctx, userID, companyOf)
		})
		if err != nil {
			return n, err
		}
		n += linked
	}
}

// checkTargets checks that the contacts and companies an event's targets
// name are the user's: another user's id is the same NotFound as none,
// naming the field.
func (s *Service) checkTargets(ctx context.Context, userID string, targets []events.Target) error {
	var contactIDs, companyIDs []string
	for _, t := range targets {
		if t.ContactID != "" {
			contactIDs = append(contactIDs, t.ContactID)
		}
		if t.CompanyID != "" {
			companyIDs = append(companyIDs, t.CompanyID)
		}
	}
	people, err := s.Contacts.Store.ContactsByID(ctx, userID, contactIDs)
	if err != nil {
		return err
	}
	cos, err := s.Companies.Store.CompaniesByID(ctx, userID, companyIDs)
	if err != nil {
		return err
	}
	for i, t := range targets {
		f := "targets[" + strconv.Itoa(i) + "]"
		if _, ok := people[t.ContactID]; t.ContactID != "" && !ok {
			return notFoundField(apperr.E(apperr.NotFound, "contact not found"), f+".contact_id")
		}
		if _, ok := cos[t.CompanyID]; t.CompanyID != "" && !ok {
			return notFoundField(apperr.E(apperr.NotFound, "company not found"), f+".company_id")
		}
	}
	return nil
}
