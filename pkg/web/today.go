package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
)

// /app/today (PRODUCT.md §10): what needs you now — follow-ups overdue,
// today and this week; the events of the next 14 days; intros waiting for
// an outcome; people met in the last 7 days with nothing logged since.

func (s *pages) registerToday(g fiber.Router) {
	g.Get("/today", s.handleToday)
}

// todayView is the today page.
type todayView struct {
	Groups []webFollowupGroup
	// MoreOverdue and MoreAhead say more are overdue, or due in the
	// coming week, than the page lists.
	MoreOverdue, MoreAhead bool
	// Stale says a listed follow-up is stale (followup.Due.Stale): the
	// page points to dropping them all on the follow-ups page.
	Stale  bool
	Events []eventRow
	Intros []introLine
	Quiet  []metRow
	// FirstRun says the account holds no contact and no event yet: the
	// page starts with where to begin.
	FirstRun bool
}

// Limits of the today page's lists. recentEvents bounds the week's events
// where someone was met looked at for whom (the latest first): a followed
// calendar brings events you did not go to, and the latest 20 of a busy
// week could all be those. todayOverdue bounds the overdue follow-ups
// listed before the week's own (followup.Service.DueBefore).
const (
	todayEvents   = 20
	todayIntros   = 20
	recentEvents  = 200
	todayOverdue  = 20
	todayQuiet    = 20
	quietPerEvent = 100
)

func (s *pages) handleToday(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	now := s.Now()
	p := s.page(c, "Today", "today")
	v := &todayView{}
	// The first todayOverdue overdue, then the week's own.
	due, err := s.CRM.Followups.DueBefore(ctx, u.ID, now, now.AddDate(0, 0, 8), todayOverdue)
	if err != nil {
		return err
	}
	v.MoreOverdue, v.MoreAhead, v.Stale = due.MoreOverdue, due.MoreAhead, due.Stale
	_, groups, err := s.groupFollowups(ctx, u, due.Items)
	if err != nil {
		return err
	}
	for _, g := range groups {
		if g.Label != "Later" {
			v.Groups = append(v.Groups, g)
		}
	}
	if v.Events, err = s.nextEvents(ctx, u, now); err != nil {
		return err
	}
	if v.Intros, err = s.waitingIntros(c); err != nil {
		return err
	}
	if v.Quiet, err = s.quietSinceMet(c, now); err != nil {
		return err
	}
	if len(v.Groups)+len(v.Events)+len(v.Intros)+len(v.Quiet) == 0 {
		if v.FirstRun, err = s.emptyAccount(c); err != nil {
			return err
		}
	}
	p.Data = v
	return s.render(c, 200, "today", p)
}

// emptyAccount reports whether the user holds no contact and no event
// (a page of one of each read).
func (s *pages) emptyAccount(c *fiber.Ctx) (bool, error) {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	people, err := s.CRM.Contacts.Store.Contacts(ctx, u.ID, contacts.Filter{Limit: 1})
	if err != nil || len(people.Items) > 0 {
		return false, err
	}
	evs, err := s.CRM.Events.Store.Events(ctx, u.ID, events.Filter{Limit: 1})
	return err == nil && len(evs.Items) == 0, err
}

// introsLooked bounds the intros today reads to find those waiting.
const introsLooked = 1000

// waitingIntros are the intros not declined whose outcome is not written
// yet, the latest first.
func (s *pages) waitingIntros(c *fiber.Ctx) ([]introLine, error) {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	// The latest first, a page at a time, until enough wait (or
	// introsLooked were looked at).
	var ids []string
	var waiting []contacts.Intro
	f := contacts.IntroFilter{Limit: record.MaxLimit, NewestFirst: true}
	for looked := 0; len(waiting) < todayIntros && looked < introsLooked; {
		page, err := s.CRM.Contacts.Store.Intros(ctx, u.ID, f)
		if err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			if it.Status != contacts.IntroDeclined && it.Outcome == "" && len(waiting) < todayIntros {
				waiting = append(waiting, it)
				ids = append(ids, it.ContactIDs...)
			}
		}
		looked += len(page.Items)
		if page.NextCursor == "" {
			break
		}
		if f.Cursor, err = record.DecodeCursor(page.NextCursor); err != nil {
			return nil, err
		}
	}
	name, err := s.namesOf(ctx, u.ID, ids)
	if err != nil {
		return nil, err
	}
	var out []introLine
	for _, it := range waiting {
		out = append(out, introLine{ID: it.ID, AID: it.ContactIDs[0], BID: it.ContactIDs[1], A: name(it.ContactIDs[0]), B: name(it.ContactIDs[1]),
			Status: it.Status, Context: it.Context, When: it.CreatedAt.In(u.Location()).Format("2 Jan")})
	}
	return out, nil
}

// quietSinceMet are the people met at the events of the last 7 days with
// nothing logged since (their last contact is that meeting): the latest
// events where someone was met first (at most recentEvents), a bounded
// number of people read per event, until todayQuiet are found.
func (s *pages) quietSinceMet(c *fiber.Ctx, now time.Time) ([]metRow, error) {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	from := now.AddDate(0, 0, -7)
	// The week's latest events where someone was met (a page of the week
	// from its start held its first 20, and missed yesterday's in a week
	// of a busy followed calendar; its latest 20, those you went to
	// earlier in the week; its latest 200, on a conference's week of 50
	// sessions a day, the first day's).
	evs, err := s.CRM.LatestEventsMetAtSince(ctx, u.ID, from, now, recentEvents)
	if err != nil {
		return nil, err
	}
	var out []metRow
	seen := map[string]bool{}
	for i := 0; i < len(evs) && len(out) < todayQuiet; i++ {
		ev := evs[i]
		encs, err := s.CRM.Contacts.Store.Encounters(ctx, u.ID, contacts.EncounterFilter{EventID: ev.ID, Limit: quietPerEvent})
		if err != nil {
			return nil, err
		}
		met := map[string]time.Time{}
		var ids []string
		for _, e := range encs.Items {
			if seen[e.ContactID] {
				continue
			}
			if _, ok := met[e.ContactID]; !ok {
				ids = append(ids, e.ContactID)
			}
			if e.MetAt.After(met[e.ContactID]) {
				met[e.ContactID] = e.MetAt
			}
		}
		people, err := s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			seen[id] = true
			ct, ok := people[id]
			if !ok || (ct.LastContactedAt != nil && ct.LastContactedAt.After(met[id])) || len(out) >= todayQuiet {
				continue
			}
			out = append(out, metRow{ContactID: id, Name: ct.Name, Notes: ev.Title, When: met[id].In(u.Location()).Format("Mon 2 Jan")})
		}
	}
	return out, nil
}
