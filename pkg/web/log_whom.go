package web

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
)

// Someone met again: the log form names the contacts a typed name (or a
// guest known by name only) may be, and asks which, or whether it is
// someone new, rather than make a second Jane Doe beside the one you
// know. Met at a recurring meetup, the same people come back, and a
// guest list from Meetup has no emails to know them by.

// someoneNew is the answer "someone new of that name" (contact_id).
const someoneNew = "new"

// sameNamedMax bounds the contacts the question offers.
const sameNamedMax = 5

// sameNamed is the answer of a log form whose name is that of contacts
// already known: the form comes back asking which.
type sameNamed struct {
	name  string
	known []knownPick
}

func (e *sameNamed) Error() string { return e.ask() }

// view is the log form's view of the question.
func (e *sameNamed) view() *logWhom {
	return &logWhom{Known: e.known, Name: e.name, Ask: e.ask()}
}

// whomToAsk is askWhom's question as the log form shows it, nil if none.
func (s *pages) whomToAsk(ctx context.Context, u *accounts.User, f map[string]string) (*logWhom, error) {
	err := s.askWhom(ctx, u, f, contacts.Input{Name: f["name"]})
	var which *sameNamed
	if errors.As(err, &which) {
		return which.view(), nil
	}
	return nil, err
}

// ask is the question the form puts.
func (e *sameNamed) ask() string {
	if len(e.known) == 1 {
		return "You know someone named " + e.name + " already. Is it them?"
	}
	return "You know " + strconv.Itoa(len(e.known)) + " people named " + e.name + ". Which one is it?"
}

// knownPick is a contact the log form offers: the name, where they are
// and when you were last in touch.
type knownPick struct{ ID, Name, Where string }

// logWhom is the log form's own view: the contacts to pick from (Known,
// for Name), or the one picked (Picked) when met again from their page.
type logWhom struct {
	Name, Ask string
	Known     []knownPick
	Picked    *knownPick
}

// askWhom returns a sameNamed question when the contact the form would
// make (typed in, or the guest picked) has only a name, and contacts of
// that name are known.
func (s *pages) askWhom(ctx context.Context, u *accounts.User, f map[string]string, in contacts.Input) error {
	if f["name"] == "" && f["attendee_id"] != "" && f["event_id"] != "" {
		a, err := s.CRM.Attendees.Attendee(ctx, u.ID, f["event_id"], f["attendee_id"])
		if apperr.Is(err, apperr.NotFound) {
			return nil // logging it answers 404, naming attendee_id
		}
		if err != nil {
			return err
		}
		in = crm.GuestContact(a) // as logging them makes it
	}
	same, err := s.CRM.SameNamed(ctx, u.ID, f["event_id"], in, sameNamedMax)
	if err != nil || len(same) == 0 {
		return err
	}
	met, err := s.lastMet(ctx, u, same)
	if err != nil {
		return err
	}
	q := &sameNamed{name: strings.Join(strings.Fields(in.Name), " ")}
	for i := range same {
		q.known = append(q.known, pickOf(&same[i], u, met[same[i].ID]))
	}
	return q
}

// lastMet says, for each of cs met at an event, where and when they were
// last met ("met at Go Meetup #40, 24 Oct 2026"): what tells two people of
// one name apart best.
func (s *pages) lastMet(ctx context.Context, u *accounts.User, cs []contacts.Contact) (map[string]string, error) {
	ids := make([]string, len(cs))
	for i := range cs {
		ids[i] = cs[i].ID
	}
	latest, err := s.CRM.Contacts.Store.LatestEncounters(ctx, u.ID, ids)
	if err != nil {
		return nil, err
	}
	met := map[string]string{}
	titles := map[string]string{}
	for id, e := range latest {
		title, ok := titles[e.EventID]
		if !ok {
			ev, err := s.CRM.Events.Store.Event(ctx, u.ID, e.EventID)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return nil, err
			}
			if ev != nil {
				title = ev.Title
			}
			titles[e.EventID] = title
		}
		if title != "" {
			met[id] = "met at " + title + ", " + e.MetAt.In(u.Location()).Format("2 Jan 2006")
		}
	}
	return met, nil
}

// pickOf describes a contact for the form: the company, and where they
// were last met (met, if known) or else the last contact.
func pickOf(c *contacts.Contact, u *accounts.User, met string) knownPick {
	p := knownPick{ID: c.ID, Name: c.Name, Where: "no company"}
	if c.Company != "" {
		p.Where = c.Company
	}
	switch {
	case met != "":
		p.Where += " · " + met
	case c.LastContactedAt != nil:
		p.Where += " · last contact " + c.LastContactedAt.In(u.Location()).Format("2 Jan 2006")
	}
	return p
}

// logWhom shows the contact met again whom the form names (contact_id):
// the form then asks only where and when. Another user's id, or one gone,
// is dropped, and the form asks for a name.
func (s *pages) logWhom(c *fiber.Ctx, p *webPage) error {
	id := p.Form["contact_id"]
	if id == "" || id == someoneNew || p.Data != nil {
		return nil
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	ct, err := s.CRM.Contacts.Store.Contact(ctx, u.ID, id)
	if apperr.Is(err, apperr.NotFound) {
		p.Form["contact_id"] = ""
		return nil
	}
	if err != nil {
		return err
	}
	pick := pickOf(ct, u, "")
	p.Data = &logWhom{Name: ct.Name, Picked: &pick}
	return nil
}
