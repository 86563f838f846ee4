package web

import (
	"context"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/words"
)

// The calendars a user follows (a meetup group's, a Luma calendar), on the
// events page: follow one (synced at once), sync it now, stop following.

func (s *pages) registerCalendars(g fiber.Router) {
	g.Post("/calendars", s.handleCalendarFollow)
	g.Post("/calendars/:id/sync", s.handleCalendarSync)
	g.Post("/calendars/:id/delete", s.handleCalendarDelete)
}

// calendarFields are the follow form's fields by the API's names.
var calendarFields = map[string]string{"url": "cal_url", "name": "cal_name", "tags": "cal_tags"}

// handleCalendarFollow follows a calendar (POST /v1/calendars's checks)
// and syncs it at once, so its events are there when the page comes back;
// a first sync that fails is said, and the calendar stays followed (the
// schedule tries again; Stop following is beside it).
func (s *pages) handleCalendarFollow(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	p := s.page(c, "Events", "events")
	p.Form = formOf(c, "cal_url", "cal_name", "cal_tags")
	cal, err := s.Importer.CreateCalendar(ctx, u.ID, events.CalendarInput{URL: p.Form["cal_url"], Name: p.Form["cal_name"], Tags: commaList(p.Form["cal_tags"])})
	if err != nil {
		if !p.showProblem(err, calendarFields) {
			return err
		}
		return s.renderEvents(c, &p, fiber.StatusUnprocessableEntity)
	}
	return s.syncAndSay(c, cal, "Following")
}

// handleCalendarSync syncs a followed calendar now.
func (s *pages) handleCalendarSync(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	cal, err := s.CRM.Events.Store.Calendar(ctx, user(c).ID, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "calendar")
	} else if err != nil {
		return err
	}
	return s.syncAndSay(c, cal, "Synced")
}

// syncTimeout bounds a sync a page asks for (a variable for tests): a
// feed's fetch takes at most 20 s (cmd/server), its parse a few more.
var syncTimeout = 30 * time.Second

// syncAndSay syncs cal and goes back to the events with what it did
// ("Following Berlin Go: …", by the name the sync may have given it), or
// why it could not (a feed that cannot be fetched or read).
func (s *pages) syncAndSay(c *fiber.Ctx, cal *events.Calendar, verb string) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), syncTimeout)
	defer cancel()
	res, err := s.Importer.Sync(ctx, cal, user(c).Timezone)
	switch {
	case apperr.Is(err, apperr.Invalid):
		return seeProblem(c, "/app/events", verb+" "+cal.Name+", but its feed could not be read: "+cal.LastError)
	case apperr.Is(err, apperr.Unavailable):
		return seeProblem(c, "/app/events", verb+" "+cal.Name+", but its feed did not answer in time: it is synced on the schedule, or try Sync now.")
	case err != nil:
		return err
	}
	return seeNotice(c, "/app/events", fmt.Sprintf("%s %s: %s, %d updated, %d cancelled.", verb, cal.Name, words.Counted(res.Created, "new event"), res.Updated, res.Cancelled))
}

// handleCalendarDelete stops following a calendar.
func (s *pages) handleCalendarDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.CRM.Events.Store.DeleteCalendar(ctx, user(c).ID, c.Params("id")); apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "calendar")
	} else if err != nil {
		return err
	}
	return seeNotice(c, "/app/events", "Stopped following the calendar.")
}
