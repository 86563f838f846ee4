package web

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/input"
)

// The phone's log page: who you met at today's event, in two thumbs.

// handleWebLog shows the log-a-contact form with today's events first.
func (s *pages) handleWebLog(c *fiber.Ctx) error {
	p := s.page(c, "Log a contact", "log")
	p.Form["moment"] = "after_talk"
	p.Form["event_id"] = utils.CopyString(c.Query("event_id"))     // an event's page links here
	p.Form["contact_id"] = utils.CopyString(c.Query("contact_id")) // and a contact's: met again
	// A long guest list is offered from a name on (attendeesToLog).
	p.Form["guests_from"] = input.OneLine(utils.CopyString(c.Query("guests_from")), input.MaxName)
	if aid := c.Query("attendee_id"); aid != "" && p.Form["event_id"] != "" {
		// A guest marked met on the guest list whose name is a contact's:
		// the question comes with the form.
		p.Form["attendee_id"], p.Form["moment"] = utils.CopyString(aid), cmp.Or(utils.CopyString(c.Query("moment")), p.Form["moment"])
		ctx, cancel := s.ctx(c)
		defer cancel()
		q, err := s.whomToAsk(ctx, user(c), p.Form)
		if err != nil {
			return err
		}
		if q != nil {
			p.Data = q
		}
	}
	return s.renderLog(c, 200, p)
}

// nearEvents are the events of yesterday, today and tomorrow (those
// that began earlier and run on among them), and the one nearest to now.
type nearEvents struct {
	list    []webEvent
	closest string
}

// nearShown bounds the events the log form and the card offer.
const nearShown = 50

func (s *pages) todaysEvents(c *fiber.Ctx, u *accounts.User) (nearEvents, error) {
	ctx, cancel := s.ctx(c)
	defer cancel()
	loc := u.Location()
	now := s.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, loc).UTC()
	to := from.Add(3 * 24 * time.Hour)
	// A conference on its third day began before yesterday: it is today's
	// event too. Of a busy few days, the nearest to now.
	near, err := s.CRM.EventsAround(ctx, u.ID, from, to, s.Now(), nearShown)
	if err != nil {
		return nearEvents{}, err
	}
	var out nearEvents
	for _, e := range near {
		out.list = append(out.list, webEvent{ID: e.ID, Title: e.Title, When: eventAt(&e, loc)})
	}
	out.closest = closest(near, s.Now())
	return out, nil
}

func (s *pages) renderLog(c *fiber.Ctx, status int, p webPage) error {
	evs, err := s.todaysEvents(c, user(c))
	if err != nil {
		return err
	}
	p.Events = evs.list
	// An event of another day (logging who you met there afterwards, from
	// its page) is offered too; another user's, or none, is not.
	if id := p.Form["event_id"]; id != "" && !slices.ContainsFunc(p.Events, func(e webEvent) bool { return e.ID == id }) {
		ctx, cancel := s.ctx(c)
		defer cancel()
		u := user(c)
		ev, err := s.CRM.Events.Store.Event(ctx, u.ID, id)
		switch {
		case apperr.Is(err, apperr.NotFound):
			p.Form["event_id"] = ""
		case err != nil:
			return err
		default:
			p.Events = append([]webEvent{{ID: ev.ID, Title: ev.Title, When: ev.StartsAt.In(u.Location()).Format("Mon 2 Jan 2006")}}, p.Events...)
		}
	}
	if p.Form["event_id"] == "" && p.Form["event_title"] == "" {
		p.Form["event_id"] = evs.closest
	}
	if err := s.logWhom(c, &p); err != nil {
		return err
	}
	p.Moments = webMoments
	p.FormID = newFormID()
	if id := p.Form["event_id"]; id != "" {
		ctx, cancel := s.ctx(c)
		defer cancel()
		guests, more, err := s.attendeesToLog(ctx, user(c).ID, id, p.Form["guests_from"], logGuests)
		if err != nil {
			return err
		}
		p.GuestsMore = more || p.Form["guests_from"] != ""
		for _, a := range guests {
			label := a.Name
			if a.Company != "" {
				label += " · " + a.Company
			}
			p.Guests = append(p.Guests, webEvent{ID: a.ID, Title: label})
		}
	}
	return s.render(c, status, "log", p)
}

// logGuests bounds the guest list the log form offers.
const logGuests = 200

// closest picks the event nearest to now: of those under way, the one
// begun last (a meetup on a conference's evening); else the one whose
// start is nearest.
func closest(evs []events.Event, now time.Time) string {
	best, bestRunning, bestD := "", false, time.Duration(1<<62)
	for _, e := range evs {
		running := events.UnderWay(&e, now)
		d := e.StartsAt.Sub(now).Abs()
		if running && !bestRunning || running == bestRunning && d < bestD {
			best, bestRunning, bestD = e.ID, running, d
		}
	}
	return best
}

// handleWebEncounter logs a contact at an event. The form carries a one-time
// id: a second submit of the same form (a slow network, a double tap) finds
// the first one's record and creates nothing.
func (s *pages) handleWebEncounter(c *fiber.Ctx) error {
	p := s.page(c, "Log a contact", "log")
	for _, k := range []string{"event_id", "event_title", "attendee_id", "contact_id", "name", "email", "moment", "notes", "company", "title", "phone", "linkedin_url", "topics"} {
		p.Form[k] = utils.CopyString(strings.TrimSpace(c.FormValue(k)))
	}
	u := user(c)
	ctx, cancel := s.ctx(c)
	defer cancel()
	back := "/app" // the same event again: the next person met there
	if p.Form["event_id"] != "" {
		back += "?event_id=" + url.QueryEscape(p.Form["event_id"])
	}
	// The outbox (app.js) sends what was logged offline without the
	// page's owner field, when nobody is at the form to say who a name is:
	// that is logged as it was typed.
	ask := c.FormValue("owner") != ""
	err := s.once(c, ctx, u, "web-encounter", "/app", func() (string, string, error) {
		saved, err := s.webLogEncounter(ctx, u, p.Form, ask)
		return back, saved, err
	})
	var which *sameNamed
	if errors.As(err, &which) {
		p.Data = which.view()
		return s.renderLog(c, fiber.StatusUnprocessableEntity, p)
	}
	var ae *apperr.Error
	if err == nil || !errors.As(err, &ae) || (ae.Kind != apperr.Invalid && ae.Kind != apperr.NotFound) {
		return err
	}
	for _, f := range ae.Fields {
		p.Errors[webField(f.Field)] = f.Message
	}
	if len(ae.Fields) == 0 {
		p.Problem = ae.Message
	}
	return s.renderLog(c, fiber.StatusUnprocessableEntity, p)
}

// once saves a form that carries a one-time id (form_id) at most once,
// then redirects where save says (target), with its notice. A second submit of the same form with
// the same fields (a slow network, a double tap) is sent where the first
// one's answer went; if the first is still saving, once it is saved
// (secondTapWait at most; past it, to busy). The same form sent with
// other fields (brought back with the browser's Back button and filled in
// again) is saved as the new request it is. An error of save frees the
// form, so it can be put right and sent again, and is returned.
func (s *pages) once(c *fiber.Ctx, ctx context.Context, u *accounts.User, kind, busy string, save func() (target, notice string, err error)) error {
	target, waiting, err := s.onceAnswer(c, ctx, u, kind, func() ([]byte, error) {
		target, notice, err := save()
		if err != nil {
			return nil, err
		}
		return []byte(flashURL(c, target, "notice", notice)), nil
	})
	switch {
	case err != nil:
		return err
	case waiting:
		return seeNotice(c, busy, "Saving… (that was a second tap)")
	}
	return c.Redirect(string(target), fiber.StatusSeeOther)
}

// onceAnswer runs save at most once for a form that carries a one-time id
// (form_id), kind and the fields sent, and keeps what it answered: a
// second send of the same form gets the first one's answer, waiting for
// it while the first is saving (secondTapWait at most; past it, waiting is
// true and nothing is saved). An error of save frees the form and is
// returned. A form without an id is saved each time it is sent.
func (s *pages) onceAnswer(c *fiber.Ctx, ctx context.Context, u *accounts.User, kind string, save func() ([]byte, error)) (answer []byte, waiting bool, err error) {
	formID := utils.CopyString(c.FormValue("form_id"))
	if formID == "" || s.Idempotency == nil {
		answer, err = save()
		return answer, false, err
	}
	key, fingerprint := "web:"+formID+":"+kind+":"+formFingerprint(c), idempotency.Fingerprint([]byte(kind))
	rec, err := s.Idempotency.Begin(ctx, u.ID, key, fingerprint)
	// The first of two sends still saving (a double click: the browser
	// shows the second's answer): wait for it, and answer as it did.
	for waited := time.Duration(0); apperr.Is(err, apperr.Conflict) && waited < secondTapWait; waited += secondTapPoll {
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-time.After(secondTapPoll):
		}
		rec, err = s.Idempotency.Begin(ctx, u.ID, key, fingerprint)
	}
	switch {
	case apperr.Is(err, apperr.Conflict):
		return nil, true, nil
	case err != nil:
		return nil, false, err
	case rec != nil:
		return rec.Body, false, nil
	}
	saving()
	if answer, err = save(); err != nil {
		s.Idempotency.Abort(context.WithoutCancel(ctx), u.ID, key)
		return nil, false, err
	}
	s.Idempotency.Finish(context.WithoutCancel(ctx), u.ID, key, fiber.StatusOK, "text/plain", answer)
	return answer, false, nil
}

// newFormID is a new one-time id for a form that adds something (once).
func newFormID() string {
	id, _ := accounts.NewSecret("form_")
	return id
}

// duplicated says whether err refused a new record for a key another
// record has (a Conflict naming it): that record's id, and the line the
// form's page says.
func duplicated(err error) (existingID, problem string, ok bool) {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != apperr.Conflict || ae.ExistingID == "" {
		return "", "", false
	}
	return ae.ExistingID, "Not added: " + ae.Message + ".", true
}

// saving is called as once starts to save (tests hold a save there).
var saving = func() {}

// secondTapWait is how long a form sent again waits for the first send
// to be saved, looking every secondTapPoll; past it, it is told to wait.
const (
	secondTapWait = 3 * time.Second
	secondTapPoll = 50 * time.Millisecond
)

// formFingerprint identifies the fields a form was sent with, but for its
// CSRF token (a form queued offline is sent with the session's latest),
// URL-encoded or multipart (its fields in name order; files are not
// fields).
func formFingerprint(c *fiber.Ctx) string {
	var parts [][]byte
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) != "csrf" {
			parts = append(parts, k, v)
		}
	})
	if mf, err := c.MultipartForm(); err == nil {
		for _, k := range slices.Sorted(maps.Keys(mf.Value)) {
			if k != "csrf" {
				for _, v := range mf.Value[k] {
					parts = append(parts, []byte(k), []byte(v))
				}
			}
		}
	}
	return idempotency.Fingerprint(parts...)
}

// webLogEncounter logs the phone form's encounter and says what was saved.
func (s *pages) webLogEncounter(ctx context.Context, u *accounts.User, f map[string]string, ask bool) (string, error) {
	var ch input.Checker
	if f["event_id"] == "" && f["event_title"] == "" {
		ch.Add("event", "Pick today's event or name a new one.")
	}
	if f["moment"] == "" {
		ch.Add("moment", "Say when you met.")
	}
	known := f["contact_id"] != "" && f["contact_id"] != someoneNew
	if f["name"] == "" && f["attendee_id"] == "" && !known {
		ch.Add("name", "A name is needed.")
	}
	if err := ch.Err(); err != nil {
		return "", err
	}
	in := contacts.Input{Name: f["name"], Company: f["company"], Title: f["title"], LinkedInURL: f["linkedin_url"]}
	if f["email"] != "" {
		in.Emails = []string{f["email"]}
	}
	if f["phone"] != "" {
		in.Phones = []string{f["phone"]}
	}
	var topics []string
	for _, t := range strings.Split(f["topics"], ",") {
		if t = strings.TrimSpace(t); t != "" {
			topics = append(topics, t)
		}
	}
	// Logged after the event (at the desk, or sent from a phone's queue the
	// next morning), the meeting is dated at the event (LogEncounter).
	enc := contacts.EncounterInput{Contact: &in, Moment: f["moment"], Notes: f["notes"], Topics: topics}
	if ask && f["contact_id"] == "" {
		if err := s.askWhom(ctx, u, f, in); err != nil {
			return "", err
		}
	}
	var res *crm.EncounterResult
	var err error
	if known {
		// Met again: the contact picked (the answer to askWhom's question,
		// or from their page).
		enc.ContactID, enc.Contact = f["contact_id"], nil
	}
	if !known && f["attendee_id"] != "" && f["name"] == "" && f["event_id"] != "" {
		// Someone on the guest list: their contact from the list's details.
		res, err = s.CRM.LogAttendee(ctx, u, f["event_id"], f["attendee_id"], contacts.EncounterInput{Moment: f["moment"], Notes: f["notes"], Topics: topics})
	} else if f["event_id"] != "" {
		res, err = s.CRM.LogEncounter(ctx, u, f["event_id"], enc)
	} else {
		// The new event is stored only with the contact (or not at all).
		res, err = s.CRM.LogEncounterAtNewEvent(ctx, u, events.Input{Title: f["event_title"], StartsAt: s.Now().UTC().Format(time.RFC3339)}, enc)
		err = apperr.Renamed(err, map[string]string{"event.title": "event"})
	}
	if err != nil {
		return "", err
	}
	what := "Saved " + res.Contact.Name
	if !res.ContactCreated {
		what = "Saved — you knew " + res.Contact.Name + " already"
	}
	return what + ".", nil
}

// webField maps API field names to the form's.
func webField(f string) string {
	switch {
	case f == "contact.name":
		return "name"
	case strings.HasPrefix(f, "contact.emails"):
		return "email"
	case strings.HasPrefix(f, "contact.phones"):
		return "phone"
	case strings.HasPrefix(f, "topics"):
		return "topics"
	case f == "event_id" || f == "title" || f == "event" || strings.HasPrefix(f, "event."):
		return "event"
	}
	return strings.TrimPrefix(f, "contact.")
}
