package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
)

// The brief before an event (PRODUCT.md §11), as a page that prints on
// one sheet: why you go, whom you know there, whom to meet and why, the
// speakers.

// prepToMeet bounds the people to meet the page shows (the API has all).
const prepToMeet = 30

// prepView is the brief's page.
type prepView struct {
	Event      webEvent
	Intentions events.Intentions
	Targets    []targetRow
	Known      []prepKnown
	ToMeet     []prepStranger
	More       int // people to meet not shown
	Speakers   []prepSpeakerRow
}

type prepKnown struct {
	ContactID, Name, Company, Last, Topics string
	Followups, Intros                      int
}

type prepStranger struct {
	Name, Company, Title string
	Score                int
	Reasons              []string
}

type prepSpeakerRow struct {
	Name, ContactID, SeenAt string
}

func (s *pages) handleEventPrep(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	pr, err := s.CRM.Prep(ctx, u, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "event")
	}
	if err != nil {
		return err
	}
	loc := u.Location()
	p := s.page(c, "Prepare: "+pr.Event.Title, "prep")
	when, _, _ := eventSpan(pr.Event, loc)
	v := &prepView{Event: webEvent{ID: pr.Event.ID, Title: pr.Event.Title, When: when},
		Intentions: pr.Intentions}
	if v.Targets, err = s.targetRows(ctx, u.ID, pr.Targets); err != nil {
		return err
	}
	for _, k := range pr.Known {
		row := prepKnown{ContactID: k.Contact.ID, Name: k.Contact.Name, Company: k.Contact.Company, Topics: strings.Join(k.Topics, ", "),
			Followups: len(k.OpenFollowups), Intros: len(k.PendingIntros), Last: "not met yet"}
		if k.LastMetAt != nil {
			row.Last = k.LastMetAt.In(loc).Format("2 Jan 2006")
			if k.LastEventTitle != "" {
				row.Last += " at " + k.LastEventTitle
			}
		}
		v.Known = append(v.Known, row)
	}
	for _, m := range pr.ToMeet {
		if len(v.ToMeet) == prepToMeet {
			v.More = len(pr.ToMeet) - prepToMeet
			break
		}
		row := prepStranger{Name: m.Attendee.Name, Company: m.Attendee.Company, Title: m.Attendee.Title, Score: m.Score}
		for _, r := range m.Reasons {
			row.Reasons = append(row.Reasons, r.Text)
		}
		v.ToMeet = append(v.ToMeet, row)
	}
	for _, sp := range pr.Speakers {
		row := prepSpeakerRow{Name: sp.Name, SeenAt: strings.Join(sp.SeenAt, ", ")}
		if sp.ContactID != nil {
			row.ContactID = *sp.ContactID
		}
		v.Speakers = append(v.Speakers, row)
	}
	p.Data = v
	return s.render(c, 200, "prep", p)
}
