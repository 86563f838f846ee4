package web

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
)

// targetsOf reads the targets textarea, one per line: a contact's name
// (case, accents and spaces aside) or email, else a company's name (in any
// spelling companies.NameKey folds), else kept as a name to meet.
func (s *pages) targetsOf(ctx context.Context, userID, text string) ([]events.Target, error) {
	out := []events.Target{}
	for _, name := range lines(text) {
		t := events.Target{Name: name}
		// A contact of that very name, in any spelling (found however many
		// others contain it), else one with that email.
		named, err := s.CRM.NamedAnySpelling(ctx, userID, name, 1)
		if err != nil {
			return nil, err
		}
		if len(named) > 0 {
			t = events.Target{ContactID: named[0].ID}
		} else if strings.Contains(name, "@") {
			ct, err := s.CRM.Contacts.ByEmail(ctx, userID, name) // its dedupe key
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return nil, err
			}
			if err == nil {
				t = events.Target{ContactID: ct.ID}
			}
		}
		if t.ContactID == "" {
			// By the company's name key, as contacts are linked: "ACME Inc."
			// is Acme.
			ids, err := s.CRM.Companies.Find(ctx, userID, []string{name})
			if err != nil {
				return nil, err
			}
			if id, ok := ids[name]; ok {
				t = events.Target{CompanyID: id}
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// targetRows are targets as a page shows them: named (targetNames) and
// linked to their contact or company; those whose record is gone are left
// out.
func (s *pages) targetRows(ctx context.Context, userID string, targets []events.Target) ([]targetRow, error) {
	names, err := s.targetNames(ctx, userID, targets)
	if err != nil {
		return nil, err
	}
	var rows []targetRow
	for i, n := range names {
		if n == "" {
			continue
		}
		row := targetRow{Name: n}
		if t := targets[i]; t.ContactID != "" {
			row.Href = "/app/contacts/" + t.ContactID
		} else if t.CompanyID != "" {
			row.Href = "/app/companies/" + t.CompanyID
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// targetNames are targets as the form and the event's page show them: the
// contact's or company's name, or the name itself; "" for one whose
// contact or company is gone (one entry per target).
func (s *pages) targetNames(ctx context.Context, userID string, targets []events.Target) ([]string, error) {
	var contactIDs, companyIDs []string
	for _, t := range targets {
		contactIDs, companyIDs = append(contactIDs, t.ContactID), append(companyIDs, t.CompanyID)
	}
	people, err := s.CRM.Contacts.Store.ContactsByID(ctx, userID, contactIDs)
	if err != nil {
		return nil, err
	}
	cos, err := s.CRM.Companies.Store.CompaniesByID(ctx, userID, companyIDs)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range targets {
		switch {
		case t.ContactID != "" && people[t.ContactID] != nil:
			out = append(out, people[t.ContactID].Name)
		case t.CompanyID != "" && cos[t.CompanyID] != nil:
			out = append(out, cos[t.CompanyID].Name)
		default:
			out = append(out, t.Name)
		}
	}
	return out, nil
}

// reviewView is an event's review page.
type reviewView struct {
	*crm.Review
	When        string
	Hit, Missed []targetRow
	Summary     string
	// The guests not met: those who are your contacts, all of them (worth
	// a note), then the first reviewStrangers of the others, and how many
	// more the guest list holds.
	NotMetKnown, NotMetOthers []crm.ReviewPerson
	NotMetMore                int
}

// reviewStrangers bounds the guests not met, and not your contacts, that
// the review names (a conference's list runs to thousands).
const reviewStrangers = 50

// handleEventReview shows what an event came to (PRODUCT.md §11).
func (s *pages) handleEventReview(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	r, err := s.CRM.Review(ctx, u.ID, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "event")
	} else if err != nil {
		return err
	}
	p := s.page(c, "Review: "+r.Event.Title, "events")
	v := &reviewView{Review: r, When: eventDays(r.Event, u.Location())}
	if v.Hit, err = s.targetRows(ctx, u.ID, r.TargetsMet); err != nil {
		return err
	}
	if v.Missed, err = s.targetRows(ctx, u.ID, r.Missed); err != nil {
		return err
	}
	v.Summary = r.Summary()
	for _, g := range r.NotMet {
		switch {
		case g.ContactID != "":
			v.NotMetKnown = append(v.NotMetKnown, g)
		case len(v.NotMetOthers) < reviewStrangers:
			v.NotMetOthers = append(v.NotMetOthers, g)
		default:
			v.NotMetMore++
		}
	}
	p.Data = v
	return s.render(c, 200, "review", p)
}

// handleEventGiving notes that you volunteered at an event or gave a talk.
func (s *pages) handleEventGiving(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	f := formOf(c, "kind", "notes")
	page := "/app/events/" + url.PathEscape(c.Params("id"))
	// Sent twice (a double click), it is noted once.
	err := s.once(c, ctx, user(c), "web-giving", page, func() (string, string, error) {
		_, err := s.CRM.GiveAtEvent(ctx, user(c).ID, c.Params("id"), contacts.InteractionInput{Kind: f["kind"], Notes: f["notes"]})
		return page + "#given", "Noted, thank you for giving.", err // listed there
	})
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "event")
	}
	if err != nil {
		line, ok := problemLine(err)
		if !ok {
			return err
		}
		return s.showEvent(c, false, &givingAsk{Kind: f["kind"], Notes: f["notes"], Problem: "Not noted: " + line})
	}
	return nil
}

// givenRow is one giving to an event, which can be removed.
type givenRow struct{ ID, What, When, Notes string }

// givenTo lists what the user gave the event itself, given at most a year
// before it starts (the form dates it when sent).
func (s *pages) givenTo(ctx context.Context, userID string, e *events.Event, loc *time.Location) ([]givenRow, error) {
	its, err := s.CRM.Contacts.Store.InteractionsOfKinds(ctx, userID, contacts.EventGivingKinds, e.StartsAt.AddDate(-1, 0, 0), givenLimit)
	if err != nil {
		return nil, err
	}
	var out []givenRow
	for _, it := range its {
		if it.EventID == e.ID && it.ContactID == "" {
			out = append(out, givenRow{ID: it.ID, What: kindLabel(it.Kind), When: it.At.In(loc).Format("2 Jan 2006"), Notes: it.Notes})
		}
	}
	return out, nil
}

// givenLimit bounds the givings givenTo reads (of every event).
const givenLimit = 500
