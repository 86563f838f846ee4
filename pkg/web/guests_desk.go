package web

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/words"
)

// An event's guest list on the desk (PRODUCT.md §11): upload the list as
// Luma, Meetup or Eventbrite export it, see who is coming — who you know
// already and whom you met — log meeting one of them, take one off.

func (s *pages) registerGuests(g fiber.Router) {
	g.Get("/events/:id/guests", s.handleGuests)
	g.Get("/events/:id/prep", s.handleEventPrep)
	g.Post("/events/:id/guests", s.handleGuestsUpload)
	g.Post("/events/:id/guests/:aid/met", s.handleGuestMet)
	g.Post("/events/:id/guests/:aid/delete", s.handleGuestDelete)
}

// guestsPage is how many attendees the list shows at once.
const guestsPage = 100

// guestsView is the guest-list page.
type guestsView struct {
	Event  webEvent
	Guests []guestRow
	Next   string
	// From is the name the list is shown from (?from=), if any.
	From    string
	Moments []webMoment
	Result  *crm.AttendeeImport
	File    string
}

type guestRow struct {
	ID, Name, Company, Title, Status, ContactID string
	Met                                         bool
}

func (s *pages) handleGuests(c *fiber.Ctx) error {
	p := s.page(c, "Guest list", "guests")
	return s.showGuests(c, &p, &guestsView{})
}

// showGuests draws the list (a page from ?page=) under what v already
// holds (an upload's result).
func (s *pages) showGuests(c *fiber.Ctx, p *webPage, v *guestsView) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	id := c.Params("id")
	ev, err := s.CRM.Events.Store.Event(ctx, u.ID, id)
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "event")
	}
	if err != nil {
		return err
	}
	v.Event = webEvent{ID: ev.ID, Title: ev.Title, When: eventStart(ev, u.Location())}
	v.Moments = webMoments
	v.From = input.OneLine(utils.CopyString(c.Query("from")), input.MaxName)
	page, err := pageFrom(c, "page", p, "That page of the guest list is not one this list gave.", func(cur *record.Cursor) (*record.Page[events.Attendee], error) {
		return s.CRM.GuestList(ctx, u.ID, id, guestsPage, cmp.Or(cur, fromName(v.From)))
	})
	if err != nil {
		return err
	}
	v.Next = page.NextCursor
	// A guest who is a contact, listed without a company or title (Luma's
	// export has neither), shows the contact's: one read of the page's.
	var known []string
	for _, a := range page.Items {
		if a.ContactID != nil {
			known = append(known, *a.ContactID)
		}
	}
	people, err := s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, known)
	if err != nil {
		return err
	}
	for _, a := range page.Items {
		r := guestRow{ID: a.ID, Name: a.Name, Company: a.Company, Title: a.Title, Status: strings.ReplaceAll(a.Status, "_", " "), Met: a.Met}
		if a.ContactID != nil {
			r.ContactID = *a.ContactID
			if ct := people[r.ContactID]; ct != nil {
				r.Company, r.Title = cmp.Or(r.Company, ct.Company), cmp.Or(r.Title, ct.Title)
			}
		}
		v.Guests = append(v.Guests, r)
	}
	p.FormID = newFormID()
	p.Data = v
	status := 200
	if len(p.Errors) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return s.render(c, status, "guests", *p)
}

// handleGuestsUpload imports the uploaded guest list and shows what it did
// above the list.
func (s *pages) handleGuestsUpload(c *fiber.Ctx) error {
	p := s.page(c, "Guest list", "guests")
	v := &guestsView{}
	fh, err := c.FormFile("file")
	if err != nil {
		p.Errors["file"] = "choose the guest list: a CSV exported from Luma, Meetup or Eventbrite, or a CSV with a header row name,email,company,title"
		return s.showGuests(c, &p, v)
	}
	f, err := fh.Open()
	if err != nil {
		return apperr.Wrap(apperr.Malformed, err, "the file could not be read")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, api.MaxGuestListBody+1))
	if err != nil {
		return apperr.Wrap(apperr.Malformed, err, "the file could not be read")
	}
	if len(data) > api.MaxGuestListBody {
		p.Errors["file"] = "the file is larger than 5 MiB"
		return s.showGuests(c, &p, v)
	}
	v.File = path.Base(fh.Filename)
	kind := "text/csv"
	if strings.HasSuffix(strings.ToLower(v.File), ".json") {
		kind = "application/json"
	}
	// Sent twice (a double click without scripts), the list is imported
	// once, and the second send shows what the first one did.
	const busy = "a guest list is being imported into this account"
	u, id := user(c), c.Params("id")
	answer, waiting, err := s.onceAnswer(c, c.UserContext(), u, "guests:"+id+":"+idempotency.Fingerprint(data), func() ([]byte, error) {
		var res *crm.AttendeeImport
		err := s.bulk(c, busy, func(ctx context.Context) (err error) {
			res, err = s.CRM.ImportAttendees(ctx, u, id, kind, data)
			return err
		})
		if err != nil {
			return nil, err
		}
		return json.Marshal(res)
	})
	switch {
	case waiting:
		err = apperr.E(apperr.Conflict, busy)
	case err == nil:
		err = json.Unmarshal(answer, &v.Result)
	}
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "event")
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Malformed && k != apperr.Conflict {
			return err
		}
		p.Errors["file"] = apperr.PublicOf(err)
		v.Result = nil
	}
	if v.Result != nil {
		p.Notice = fmt.Sprintf("%s: %d added, %d updated, %s, %s skipped.", v.File, v.Result.Added, v.Result.Updated,
			words.Counted(v.Result.Matched, "already your contact"), words.Counted(v.Result.Skipped, "line"))
	}
	return s.showGuests(c, &p, v)
}

// handleGuestMet logs meeting someone on the list, their contact made from
// the list's details.
func (s *pages) handleGuestMet(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	f := formOf(c, "moment")
	id := c.Params("id")
	// A guest known by name only, of a name your contacts bear: the log
	// form asks whether it is one of them.
	q, err := s.whomToAsk(ctx, user(c), map[string]string{"event_id": id, "attendee_id": c.Params("aid")})
	if err != nil {
		return err
	}
	if q != nil {
		return c.Redirect("/app?"+url.Values{"event_id": {id}, "attendee_id": {c.Params("aid")}, "moment": {f["moment"]}}.Encode(), fiber.StatusSeeOther)
	}
	// Marked met after the event, the meeting is dated at it (LogEncounter).
	res, err := s.CRM.LogAttendee(ctx, user(c), id, c.Params("aid"), contacts.EncounterInput{Moment: f["moment"]})
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "attendee")
	}
	back := "/app/events/" + url.PathEscape(id) + "/guests"
	if err != nil {
		if line, ok := problemLine(err); ok {
			return seeProblem(c, back, line)
		}
		return err
	}
	what := "Met " + res.Contact.Name + ": saved."
	if !res.ContactCreated {
		what = "Met " + res.Contact.Name + " — you knew them already."
	}
	return seeNotice(c, back, what)
}

// handleGuestDelete takes one person off the list.
func (s *pages) handleGuestDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	id := c.Params("id")
	if err := s.CRM.DeleteAttendee(ctx, user(c).ID, id, c.Params("aid")); apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "attendee")
	} else if err != nil {
		return err
	}
	return seeNotice(c, "/app/events/"+url.PathEscape(id)+"/guests", "Taken off the list.")
}

// fromName is where a guest list shown from a name on starts: the
// names from name, lower-cased, on ((name_lower, id) > (name, "")); nil
// for none.
func fromName(name string) *record.Cursor {
	if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
		return &record.Cursor{S: &name}
	}
	return nil
}

// attendeesToLog are the people on an event's list not met there yet, for
// the log form: max of the list by name, from the first whose name is
// from or after it (a guest list longer than max is found by a name),
// and whether the list goes on past them.
func (s *pages) attendeesToLog(ctx context.Context, userID, eventID, from string, max int) ([]events.Attendee, bool, error) {
	page, err := s.CRM.GuestList(ctx, userID, eventID, max, fromName(from))
	if apperr.Is(err, apperr.NotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var out []events.Attendee
	for _, a := range page.Items {
		if !a.Met && a.Status != events.AttendeeDeclined {
			out = append(out, a)
		}
	}
	return out, page.NextCursor != "", nil
}
