package web

import (
	"context"
	"net/url"
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/record"
)

// The follow-ups page: pending follow-ups grouped by when they are due,
// done and snoozed with one tap.

// followupsPage is how many follow-ups the list shows at once.
const followupsPage = 100

// handleWebFollowups lists the pending follow-ups, soonest first, a page
// at a time.
func (s *pages) handleWebFollowups(c *fiber.Ctx) error {
	return s.followupsPage(c, 200, nil)
}

// followupTyped is a follow-up's re-date form sent back refused: which,
// what was typed, and why.
type followupTyped struct{ ID, Due, Note, Problem string }

// followupsPage renders the follow-ups page with status; typed, if set,
// opens its follow-up's form with what was typed in it (when the page
// shows it) and says why it was refused.
func (s *pages) followupsPage(c *fiber.Ctx, status int, typed *followupTyped) error {
	p := s.page(c, "Follow-ups", "followups")
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	page, err := pageFrom(c, "page", &p, "That page of follow-ups is not one this list gave.", func(cur *record.Cursor) (*record.Page[followup.FollowUp], error) {
		return s.CRM.Followups.List(ctx, u.ID, followup.Filter{Status: followup.Pending, Limit: followupsPage, Cursor: cur})
	})
	if err != nil {
		return err
	}
	p.FollowupsNext = page.NextCursor
	p.Followups, p.FollowupGroups, err = s.groupFollowups(ctx, u, page.Items)
	if err != nil {
		return err
	}
	if c.Query("page") == "" { // the stale are the first page's, the soonest due
		stale, err := s.staleOffer(ctx, u.ID)
		if err != nil {
			return err
		}
		if stale != nil {
			p.Data = stale
		}
	}
	if typed != nil {
		p.Problem = typed.Problem
		for _, g := range p.FollowupGroups {
			for i := range g.Items {
				if f := &g.Items[i]; f.ID == typed.ID {
					f.Open, f.TypedDue, f.TypedNote = true, typed.Due, typed.Note
				}
			}
		}
	}
	return s.render(c, status, "followups", p)
}

// groupFollowups names each follow-up's contact and groups them in the
// user's days: overdue (due before now), today, the next seven days,
// later — so next month's check-ins do not sit among tomorrow's
// thank-yous. Empty groups are left out.
func (s *pages) groupFollowups(ctx context.Context, u *accounts.User, items []followup.FollowUp) ([]webFollowup, []webFollowupGroup, error) {
	ids := make([]string, len(items))
	for i, f := range items {
		ids[i] = f.ContactID
	}
	cs, err := s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, ids)
	if err != nil {
		return nil, nil, err
	}
	eventIDs := make([]string, 0, len(items))
	for _, f := range items {
		if f.EventID != "" {
			eventIDs = append(eventIDs, f.EventID)
		}
	}
	evs, err := s.CRM.Events.Store.EventsByID(ctx, u.ID, eventIDs)
	if err != nil {
		return nil, nil, err
	}
	loc, now := u.Location(), s.Now()
	y, m, d := now.In(loc).Date()
	tomorrow := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	var all []webFollowup
	groups := []webFollowupGroup{{Label: "Overdue"}, {Label: "Today"}, {Label: "This week"}, {Label: "Later"}}
	for i := range items {
		f := &items[i]
		name, contactID := "(deleted contact)", ""
		if c := cs[f.ContactID]; c != nil {
			name, contactID = c.Name, c.ID
		}
		wf := webFollowup{ID: f.ID, Title: followup.Title(f, name), Note: f.Note, ContactID: contactID, DueInput: localInput(&f.DueAt, loc),
			UpdatedAt: stamp(f.UpdatedAt)}
		wf.Due, wf.Overdue = dueLine(f, loc, now)
		if followup.Contactless(f) {
			wf.Note, wf.Page = "", contactlessPage(f)
		}
		if c := cs[f.ContactID]; c != nil {
			wf.writeTo(f, c, evs[f.EventID])
		}
		all = append(all, wf)
		switch {
		case wf.Overdue:
			groups[0].Items = append(groups[0].Items, wf)
		case f.DueAt.Before(tomorrow):
			groups[1].Items = append(groups[1].Items, wf)
		case f.DueAt.Before(tomorrow.AddDate(0, 0, 6)):
			groups[2].Items = append(groups[2].Items, wf)
		default:
			groups[3].Items = append(groups[3].Items, wf)
		}
	}
	var out []webFollowupGroup
	for _, g := range groups {
		if len(g.Items) > 0 {
			out = append(out, g)
		}
	}
	return all, out, nil
}

// contactlessPage is the page of a follow-up about no contact: the
// event's Prepare page for the brief before it, the opportunity on the
// pipeline for its next step.
func contactlessPage(f *followup.FollowUp) string {
	if f.Kind == followup.Prep {
		return "/app/events/" + url.PathEscape(f.EventID) + "/prep"
	}
	return "/app/pipeline#o-" + url.PathEscape(f.OpportunityID)
}

func (s *pages) handleWebFollowupDone(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if _, err := s.CRM.Followups.MarkDone(ctx, user(c).ID, c.Params("id")); err != nil && !apperr.Is(err, apperr.Conflict) {
		return err
	}
	return seeNotice(c, followupsBack(c), "Marked done.")
}

// followupsBack is the page a follow-up's button goes back to: Today, or
// a contact's or an event's page at its follow-ups, when it was pressed
// there (the form's "back"), else the follow-ups page; no other place, so no form
// can send a browser elsewhere.
func followupsBack(c *fiber.Ctx) string {
	switch back := formOf(c, "back")["back"]; {
	case back == "/app/today":
		return back
	case recordPage.MatchString(back):
		return back + "#followups"
	}
	return "/app/followups"
}

// whenLayout is how a follow-up's or a next step's time reads on the desk
// ("Tue 24 Nov, 09:00").
const whenLayout = "Mon 2 Jan, 15:04"

// dueLine is when a pending follow-up is due, as its row says it ("due Tue
// 24 Nov, 09:00" in loc), and whether that is before now.
func dueLine(f *followup.FollowUp, loc *time.Location, now time.Time) (string, bool) {
	return "due " + f.DueAt.In(loc).Format(whenLayout), f.DueAt.Before(now)
}

// recordPage is the path of a contact's or an event's page: an id of
// letters and digits, nothing that could lead elsewhere.
var recordPage = regexp.MustCompile(`^/app/(contacts|events)/[0-9A-Za-z]{1,64}$`)

// followupActions is what a follow-up's buttons need (the template
// "followupActions").
type followupActions struct {
	ID, CSRF, Back string
	WriteLinks
}

func (s *pages) handleWebFollowupSnooze(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	week := 7
	if _, err := s.CRM.Followups.Snooze(ctx, user(c), c.Params("id"), nil, &week); err != nil && !apperr.Is(err, apperr.Conflict) {
		return err
	}
	return seeNotice(c, followupsBack(c), "Snoozed for a week.")
}
