package web

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// The desk's events: upcoming and past (search, tag), new, an event's
// page (talks, who you met before / during / after the talk, intros made
// there, opportunities it sourced, its follow-ups), edit with talks added
// and removed, delete after a confirmation (the followed calendars are
// calendars_desk.go).

func (s *pages) registerEvents(g fiber.Router) {
	g.Get("/events", s.handleEvents)
	g.Get("/events/new", s.handleEventNew)
	g.Post("/events", s.handleEventCreate)
	g.Get("/events/:id", s.handleEvent)
	g.Get("/events/:id/edit", s.handleEventEdit)
	g.Post("/events/:id/edit", s.handleEventSave)
	g.Get("/events/:id/delete", s.handleEventDeleteAsk)
	g.Get("/events/:id/review", s.handleEventReview)
	g.Post("/events/:id/giving", s.handleEventGiving)
	g.Post("/events/:id/delete", s.handleEventDelete)
	g.Post("/events/:id/encounters/:eid/delete", s.handleEncounterDelete)
	s.registerCalendars(g)
}

// eventsPerList is how many events each list of /app/events shows.
const eventsPerList = 50

// eventRow is one event in a list.
type eventRow struct {
	ID, Title, When, Where, Kind string
	// More says how many more of its followed calendar's events that day
	// the row stands for (Today's next 14 days).
	More string
	// Tags each link to the events filtered by it.
	Tags []string
}

// eventsView is /app/events.
type eventsView struct {
	Upcoming, Past []eventRow
	Older          string // the cursor of the next page of past events
	Later          string // the cursor of the next page of upcoming events
	// LaterPage says the page is a later one of the upcoming events: it
	// lists nothing past.
	LaterPage bool
	Calendars []calendarRow
}

type calendarRow struct{ ID, Name, URL, Synced, LastError string }

func eventRowOf(e *events.Event, loc *time.Location) eventRow {
	return eventRow{ID: e.ID, Title: e.Title, When: eventStart(e, loc), Where: e.Location, Kind: e.Kind,
		Tags: e.Tags}
}

func (s *pages) handleEvents(c *fiber.Ctx) error {
	p := s.page(c, "Events", "events")
	return s.renderEvents(c, &p, fiber.StatusOK)
}

// renderEvents renders /app/events on p (its search from the query, and
// a follow form as p holds it) with status.
func (s *pages) renderEvents(c *fiber.Ctx, p *webPage, status int) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	loc := u.Location()
	p.Form["q"], p.Form["tag"] = strings.TrimSpace(c.Query("q")), strings.TrimSpace(c.Query("tag"))
	now := s.Now()
	view := &eventsView{}
	f := events.Filter{Q: p.Form["q"], Tag: p.Form["tag"], Limit: eventsPerList}
	if c.Query("older") == "" {
		up := f
		up.From = &now
		page, err := pageFrom(c, "later", p, "That page of events is not one this list gave: here are the first.",
			func(cur *record.Cursor) (*record.Page[events.Event], error) {
				up.Cursor = cur
				return s.CRM.Events.Store.Events(ctx, u.ID, up)
			})
		if err != nil {
			return err
		}
		for i := range page.Items {
			view.Upcoming = append(view.Upcoming, eventRowOf(&page.Items[i], loc))
		}
		view.Later = page.NextCursor
		view.LaterPage = c.Query("later") != "" && p.Problem == "" // a bad cursor gave the first page, with the past
	}
	past := &record.Page[events.Event]{}
	if !view.LaterPage {
		var err error
		if past, err = s.pastEvents(c, u, f, now); apperr.Is(err, apperr.Invalid) {
			p.Problem = "That page of events is not one this list gave."
			return s.render(c, fiber.StatusUnprocessableEntity, "events", *p)
		} else if err != nil {
			return err
		}
	}
	var running []eventRow
	for i := range past.Items {
		e := &past.Items[i]
		if c.Query("older") == "" && e.EndsAt.After(now) {
			// Begun and not over (a conference's second day): upcoming
			// still, said so, not past.
			row := eventRowOf(e, loc)
			row.Kind += " · under way"
			running = append(running, row)
			continue
		}
		view.Past = append(view.Past, eventRowOf(e, loc))
	}
	view.Upcoming = append(running, view.Upcoming...)
	view.Older = past.NextCursor
	cals, err := s.CRM.Events.Store.Calendars(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, cal := range cals {
		row := calendarRow{ID: cal.ID, Name: cal.Name, URL: cal.URL, Synced: "not synced yet", LastError: cal.LastError}
		if cal.LastSyncAt != nil {
			row.Synced = "synced " + cal.LastSyncAt.In(loc).Format("2 Jan 15:04")
		}
		view.Calendars = append(view.Calendars, row)
	}
	p.Data = view
	return s.render(c, status, "events", *p)
}

// pastEvents is a page of the events before now, newest first: the store
// lists by starts_at ascending, so the page is read backwards from now
// (or from the cursor) over a window.
func (s *pages) pastEvents(c *fiber.Ctx, u *accounts.User, f events.Filter, now time.Time) (*record.Page[events.Event], error) {
	ctx, cancel := s.ctx(c)
	defer cancel()
	to := now
	if older := c.Query("older"); older != "" {
		t, err := time.Parse(time.RFC3339Nano, older)
		if err != nil {
			return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
		}
		to = t
	}
	f.To = &to
	from := to.AddDate(-1, 0, 0)
	f.From = &from
	f.Limit = 200
	var all []events.Event
	for {
		page, err := s.CRM.Events.Store.Events(ctx, u.ID, f)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" || len(all) >= 2000 {
			break
		}
		if f.Cursor, err = record.DecodeCursor(page.NextCursor); err != nil {
			return nil, err
		}
	}
	out := &record.Page[events.Event]{}
	for i := len(all) - 1; i >= 0 && len(out.Items) < eventsPerList; i-- {
		out.Items = append(out.Items, all[i])
	}
	if n := len(out.Items); len(all) > n {
		out.NextCursor = out.Items[n-1].StartsAt.Format(time.RFC3339Nano)
	} else if older, err := s.CRM.Events.Store.Events(ctx, u.ID, events.Filter{Q: f.Q, Tag: f.Tag, To: &from, Limit: 1}); err != nil {
		return nil, err
	} else if len(older.Items) > 0 { // nothing more in this year: the year before has some
		out.NextCursor = from.Format(time.RFC3339Nano)
	}
	return out, nil
}

// eventFields are the event form's fields (talks are repeated fields).
var eventFields = []string{"title", "kind", "starts_at", "ends_at", "timezone", "location", "url", "organizer", "tags", "notes", "updated_at",
	"series", "meet", "learn", "give", "targets"}

// eventForm is the event form's view: the kinds, the talks (and a few
// empty rows to add more), and the event's id when editing.
type eventForm struct {
	ID, Title string
	Kinds     []string
	Talks     []talkRow
}

type talkRow struct{ Title, Speaker, At string }

func (s *pages) handleEventNew(c *fiber.Ctx) error {
	u := user(c)
	p := s.page(c, "New event", "events")
	p.Form["timezone"] = u.Timezone
	p.Form["kind"] = "meetup"
	p.Data = &eventForm{Kinds: events.Kinds, Talks: make([]talkRow, 3)}
	p.FormID = newFormID()
	return s.render(c, 200, "event_edit", p)
}

// eventInput reads the event form: times typed in the event's time zone
// (datetime-local has none), talks as rows (a row without a title is
// dropped: that is how a talk is removed).
func eventInput(c *fiber.Ctx, p *webPage, u *accounts.User) (events.Input, []talkRow) {
	p.Form = formOf(c, eventFields...)
	tz := p.Form["timezone"]
	if tz == "" {
		tz = u.Timezone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = u.Location() // the service names the bad zone
	}
	at := func(v string) string {
		if v == "" {
			return ""
		}
		t, err := time.ParseInLocation(localLayout, v, loc)
		if err != nil {
			return v // the service says what is wrong with it
		}
		return t.Format(time.RFC3339)
	}
	in := events.Input{Title: p.Form["title"], Kind: p.Form["kind"], StartsAt: at(p.Form["starts_at"]), EndsAt: at(p.Form["ends_at"]),
		Timezone: p.Form["timezone"], Location: p.Form["location"], URL: p.Form["url"], Organizer: p.Form["organizer"],
		Tags: commaList(p.Form["tags"]), Notes: p.Form["notes"], Series: p.Form["series"],
		Intentions: events.Intentions{Meet: lines(p.Form["meet"]), Learn: lines(p.Form["learn"]), Give: lines(p.Form["give"])}}
	args := c.Request().PostArgs()
	titles, speakers, times := args.PeekMulti("talk_title"), args.PeekMulti("talk_speaker"), args.PeekMulti("talk_at")
	var rows []talkRow
	for i := range titles {
		row := talkRow{Title: strings.TrimSpace(string(titles[i]))}
		if i < len(speakers) {
			row.Speaker = strings.TrimSpace(string(speakers[i]))
		}
		if i < len(times) {
			row.At = strings.TrimSpace(string(times[i]))
		}
		if row.Title == "" && row.Speaker == "" {
			continue
		}
		rows = append(rows, row)
		in.Talks = append(in.Talks, events.TalkInput{Title: row.Title, Speaker: row.Speaker, StartsAt: at(row.At)})
	}
	return in, rows
}

// eventFieldNames maps the service's field names to the form's.
var eventFieldNames = map[string]string{"talks": "talks"}

func (s *pages) handleEventCreate(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	p := s.page(c, "New event", "events")
	in, rows := eventInput(c, &p, u)
	var err error
	if in.Targets, err = s.targetsOf(ctx, u.ID, p.Form["targets"]); err != nil {
		return err
	}
	// Sent twice (a double click), the form adds one event.
	err = s.once(c, ctx, u, "web-event", "/app/events", func() (string, string, error) {
		e, err := s.CRM.CreateEvent(ctx, u, in)
		if err != nil {
			return "", "", err
		}
		return "/app/events/" + url.PathEscape(e.ID), "Added " + e.Title + ".", nil
	})
	if err == nil || !p.showProblem(err, eventFieldNames) {
		return err
	}
	p.Data = &eventForm{Kinds: events.Kinds, Talks: append(rows, make([]talkRow, 2)...)}
	p.FormID = newFormID()
	return s.render(c, fiber.StatusUnprocessableEntity, "event_edit", p)
}

func (s *pages) handleEventEdit(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	e, err := s.CRM.Events.Store.Event(ctx, u.ID, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "event")
	} else if err != nil {
		return err
	}
	loc, err := time.LoadLocation(e.Timezone)
	if err != nil {
		loc = u.Location()
	}
	p := s.page(c, "Edit "+e.Title, "events")
	p.Form = map[string]string{"title": e.Title, "kind": e.Kind, "starts_at": localInput(&e.StartsAt, loc), "ends_at": localInput(&e.EndsAt, loc),
		"timezone": e.Timezone, "location": e.Location, "url": e.URL, "organizer": e.Organizer, "tags": strings.Join(e.Tags, ", "),
		"notes": e.Notes, "updated_at": stamp(e.UpdatedAt), "series": e.Series,
		"meet": strings.Join(e.Intentions.Meet, "\n"), "learn": strings.Join(e.Intentions.Learn, "\n"), "give": strings.Join(e.Intentions.Give, "\n")}
	names, err := s.targetNames(ctx, u.ID, e.Targets)
	if err != nil {
		return err
	}
	p.Form["targets"] = strings.Join(slices.DeleteFunc(names, func(n string) bool { return n == "" }), "\n")
	view := &eventForm{ID: e.ID, Title: e.Title, Kinds: events.Kinds}
	for _, t := range e.Talks {
		view.Talks = append(view.Talks, talkRow{Title: t.Title, Speaker: t.Speaker, At: localInput(t.StartsAt, loc)})
	}
	view.Talks = append(view.Talks, make([]talkRow, 2)...)
	p.Data = view
	return s.render(c, 200, "event_edit", p)
}

// handleEventSave saves the edit form (every field, the talks as listed),
// unless the event changed since the form was drawn.
func (s *pages) handleEventSave(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	e, err := s.CRM.Events.Store.Event(ctx, u.ID, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "event")
	} else if err != nil {
		return err
	}
	p := s.page(c, "Edit "+e.Title, "events")
	in, rows := eventInput(c, &p, u)
	view := &eventForm{ID: e.ID, Title: e.Title, Kinds: events.Kinds, Talks: append(rows, make([]talkRow, 2)...)}
	p.Data = view
	if changedSince(p.Form["updated_at"], e.UpdatedAt) {
		p.Problem = "Not saved: " + e.Title + " was changed elsewhere since you opened this page (a calendar sync, another device). " +
			"Your text is kept below; open the event again to see what is stored, or save again to replace it."
		p.Form["updated_at"] = stamp(e.UpdatedAt)
		return s.render(c, fiber.StatusConflict, "event_edit", p)
	}
	talks := in.Talks
	if talks == nil {
		talks = []events.TalkInput{}
	}
	targets, err := s.targetsOf(ctx, u.ID, p.Form["targets"])
	if err != nil {
		return err
	}
	patch, _ := json.Marshal(map[string]any{"title": in.Title, "kind": in.Kind, "starts_at": in.StartsAt, "ends_at": in.EndsAt, "timezone": in.Timezone,
		"location": in.Location, "url": in.URL, "organizer": in.Organizer, "tags": in.Tags, "notes": in.Notes, "talks": talks,
		"series": in.Series, "intentions": in.Intentions, "targets": targets})
	saved, err := s.CRM.UpdateEvent(ctx, u, e.ID, patch)
	if err != nil {
		if !p.showProblem(err, eventFieldNames) {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "event_edit", p)
	}
	return seeNotice(c, "/app/events/"+url.PathEscape(saved.ID), "Saved "+saved.Title+".")
}

// eventView is an event's page.
type eventView struct {
	ID, Title, When, Where, Organizer, Notes string
	// Tags each link to the events filtered by it.
	Tags    []string
	URL     string
	Talks   []talkRow
	Moments []momentGroup
	// MoreMet is the cursor of the next page of who you met ("": none);
	// MetPage says this is a page after the first.
	MoreMet       string
	MetPage       bool
	Intros        []introLine
	Opportunities []pipelineCard
	// Followups are the pending ones, Done those done (MoreFollowups: some
	// of either left out).
	Followups, Done []webFollowup
	MoreFollowups   bool
	Ask             bool // the delete confirmation
	// Give is the giving form sent back open with what was typed (nil:
	// closed and empty).
	Give       *givingAsk
	Series     string
	Intentions events.Intentions
	Targets    []targetRow
	// Started: who you met there can be logged (from the log form, the
	// event picked, dated at the event when logged afterwards).
	Started bool
	// Given is what you gave the event itself (volunteered, spoke).
	Given []givenRow
}

// metShown is how many encounters a page of an event's shows (an event
// of a thousand people pages through them).
var metShown = 200

// targetRow is one target on an event's page, linked to its contact or
// company.
type targetRow struct{ Name, Href string }

// momentGroup is who you met at one moment of the event.
type momentGroup struct {
	Label string
	Met   []metRow
}

type metRow struct{ ID, ContactID, Name, Topics, Notes, When string }

// givingAsk is the giving form as it was sent, and why it was refused.
type givingAsk struct{ Kind, Notes, Problem string }

func (s *pages) handleEvent(c *fiber.Ctx) error { return s.showEvent(c, false, nil) }

func (s *pages) handleEventDeleteAsk(c *fiber.Ctx) error { return s.showEvent(c, true, nil) }

// showEvent draws an event's page (with the delete confirmation if ask;
// with the giving form open as it was sent, and a 422, if give).
func (s *pages) showEvent(c *fiber.Ctx, ask bool, give *givingAsk) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	loc := u.Location()
	e, err := s.CRM.Events.Store.Event(ctx, u.ID, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "event")
	} else if err != nil {
		return err
	}
	p := s.page(c, e.Title, "events")
	p.FormID = newFormID() // the giving form's (see once)
	when, clock, evLoc := eventSpan(e, loc)
	v := &eventView{ID: e.ID, Title: e.Title, When: when,
		Where: e.Location, Organizer: e.Organizer, Notes: e.Notes, Tags: e.Tags, Ask: ask,
		Series: e.Series, Intentions: e.Intentions, Started: !e.StartsAt.After(s.Now()), Give: give}
	if v.Targets, err = s.targetRows(ctx, u.ID, e.Targets); err != nil {
		return err
	}
	if strings.HasPrefix(e.URL, "https://") || strings.HasPrefix(e.URL, "http://") {
		v.URL = e.URL
	}
	for _, t := range e.Talks {
		row := talkRow{Title: t.Title, Speaker: t.Speaker}
		if t.StartsAt != nil {
			row.At = t.StartsAt.In(evLoc).Format(clock)
		}
		v.Talks = append(v.Talks, row)
	}
	encs, err := pageFrom(c, "page", &p, "That page of who you met is not one this event gave.", func(cur *record.Cursor) (*record.Page[contacts.Encounter], error) {
		return s.CRM.Contacts.Store.Encounters(ctx, u.ID, contacts.EncounterFilter{EventID: e.ID, Limit: metShown, Cursor: cur})
	})
	if err != nil {
		return err
	}
	v.MoreMet, v.MetPage = encs.NextCursor, c.Query("page") != "" && p.Problem == ""
	var ids []string
	for _, en := range encs.Items {
		ids = append(ids, en.ContactID)
	}
	intros, err := s.CRM.Contacts.Store.Intros(ctx, u.ID, contacts.IntroFilter{EventID: e.ID, Limit: 200})
	if err != nil {
		return err
	}
	for _, it := range intros.Items {
		if it.EventID == e.ID {
			ids = append(ids, it.ContactIDs...)
		}
	}
	name, err := s.namesOf(ctx, u.ID, ids)
	if err != nil {
		return err
	}
	for _, m := range webMoments {
		g := momentGroup{Label: m.Label}
		for _, en := range encs.Items {
			if en.Moment == m.Value {
				g.Met = append(g.Met, metRow{ID: en.ID, ContactID: en.ContactID, Name: name(en.ContactID), Topics: strings.Join(en.Topics, ", "),
					Notes: en.Notes, When: en.MetAt.In(evLoc).Format(clock)})
			}
		}
		if len(g.Met) > 0 {
			v.Moments = append(v.Moments, g)
		}
	}
	for _, it := range intros.Items {
		if it.EventID == e.ID {
			v.Intros = append(v.Intros, introLine{ID: it.ID, AID: it.ContactIDs[0], BID: it.ContactIDs[1], A: name(it.ContactIDs[0]),
				B: name(it.ContactIDs[1]), Status: it.Status, Context: it.Context, Outcome: it.Outcome})
		}
	}
	opps, err := s.CRM.Opportunities.Opportunities(ctx, u.ID, opportunities.Query{EventID: e.ID, Limit: 50})
	if err != nil {
		return err
	}
	for _, o := range opps.Items {
		v.Opportunities = append(v.Opportunities, pipelineCard{ID: o.ID, Title: o.Title, Stage: o.Stage, Kind: o.Kind})
	}
	if v.Followups, v.Done, v.MoreFollowups, err = s.eventFollowups(ctx, u, e); err != nil {
		return err
	}
	if v.Given, err = s.givenTo(ctx, u.ID, e, loc); err != nil {
		return err
	}
	p.Data = v
	if give != nil {
		p.Problem = give.Problem
		return s.render(c, fiber.StatusUnprocessableEntity, "event", p)
	}
	return s.render(c, 200, "event", p)
}

// handleEventDelete deletes an event (asked first on its page): its
// encounters and follow-ups go with it (PRODUCT.md §3).
func (s *pages) handleEventDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	e, err := s.CRM.Events.Store.Event(ctx, u.ID, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "event")
	} else if err != nil {
		return err
	}
	if err := s.CRM.DeleteEvent(ctx, u, e.ID); err != nil {
		return err
	}
	return seeNotice(c, "/app/events", "Deleted "+e.Title+".")
}

// handleEncounterDelete takes back an encounter logged by mistake (the
// wrong person, the wrong event): the contact stays, and so do the
// follow-ups it brought, no longer tied to it (DELETE /v1/encounters/{id}).
func (s *pages) handleEncounterDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.CRM.DeleteEncounter(ctx, user(c), c.Params("eid")); apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "encounter")
	} else if err != nil {
		return err
	}
	return seeNotice(c, "/app/events/"+url.PathEscape(c.Params("id")), "Removed the encounter.")
}
