package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/followup"
)

// The desk's people pages: edit a contact (a stale copy is refused, not
// saved over), log an interaction or a note (and remove one logged by
// mistake), make an intro from a contact's page; the intros page is
// intros_desk.go.

func (s *pages) registerPeople(g fiber.Router) {
	g.Get("/contacts/:id/edit", s.handleContactEdit)
	g.Post("/contacts/:id/edit", s.handleContactSave)
	g.Post("/contacts/:id/interactions", s.handleInteraction)
	g.Post("/contacts/:id/notes", s.handleNote)
	g.Post("/contacts/:id/followups", s.handleContactFollowup)
	g.Post("/contacts/:id/intros", s.handleContactIntro)
	g.Post("/interactions/:id/delete", s.handleInteractionDelete)
}

// contactFields are the edit form's fields.
var contactFields = []string{"name", "emails", "phones", "company", "title", "linkedin_url", "tags", "notes", "cadence_days", "known_since", "updated_at"}

// contactEdit is the edit page's view: the contact's id and name (none
// for a new contact), what is stored now when the form came back stale,
// and the contact that already has a new contact's email or LinkedIn.
type contactEdit struct {
	ID, Name string
	Stored   map[string]string
	Existing *contacts.Contact
}

// contactForm is a contact as the edit form shows it, its days in loc.
func contactForm(ct *contacts.Contact, loc *time.Location) map[string]string {
	return map[string]string{"name": ct.Name, "emails": strings.Join(ct.Emails, "\n"), "phones": strings.Join(ct.Phones, "\n"),
		"company": ct.Company, "title": ct.Title, "linkedin_url": ct.LinkedInURL, "tags": strings.Join(ct.Tags, ", "),
		"notes": ct.Notes, "cadence_days": strconv.Itoa(ct.CadenceDays), "known_since": ct.KnownSince.In(loc).Format(time.DateOnly),
		"updated_at": stamp(ct.UpdatedAt)}
}

func (s *pages) handleContactEdit(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	ct, err := s.routeContact(ctx, c)
	if ct == nil {
		return err
	}
	p := s.page(c, "Edit "+ct.Name, "contacts")
	p.Form = contactForm(ct, user(c).Location())
	p.Data = &contactEdit{ID: ct.ID, Name: ct.Name}
	return s.render(c, 200, "contact_edit", p)
}

// handleContactSave saves the edit form as a merge patch of every field,
// if the contact is still as the form was drawn (updated_at); else the form
// comes back with what was typed, says so and shows what is stored now.
func (s *pages) handleContactSave(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	id := c.Params("id")
	ct, err := s.CRM.Contacts.Store.Contact(ctx, u.ID, id)
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "contact")
	} else if err != nil {
		return err
	}
	p := s.page(c, "Edit "+ct.Name, "contacts")
	p.Form = formOf(c, contactFields...)
	view := &contactEdit{ID: ct.ID, Name: ct.Name}
	p.Data = view
	seen, err := time.Parse(time.RFC3339Nano, p.Form["updated_at"])
	if err != nil {
		p.Problem = "This form is not one Rapport drew; open the contact again."
		return s.render(c, fiber.StatusUnprocessableEntity, "contact_edit", p)
	}
	cadence, ok := formCadence(&p)
	if !ok {
		return s.render(c, fiber.StatusUnprocessableEntity, "contact_edit", p)
	}
	fields := map[string]any{"name": p.Form["name"], "emails": lines(p.Form["emails"]), "phones": lines(p.Form["phones"]),
		"company": p.Form["company"], "title": p.Form["title"], "linkedin_url": p.Form["linkedin_url"], "tags": commaList(p.Form["tags"]),
		"notes": p.Form["notes"], "cadence_days": cadence}
	// A day other than the one shown (the day shown keeps the time stored).
	if p.Form["known_since"] != ct.KnownSince.In(u.Location()).Format(time.DateOnly) {
		known, ok := formKnownSince(&p, u.Location())
		if !ok {
			return s.render(c, fiber.StatusUnprocessableEntity, "contact_edit", p)
		}
		if known != "" {
			fields["known_since"] = known
		}
	}
	patch, _ := json.Marshal(fields)
	saved, err := s.CRM.UpdateContactSeen(ctx, u, id, patch, seen)
	if apperr.Is(err, apperr.Conflict) && len(apperr.FieldsOf(err)) == 1 && apperr.FieldsOf(err)[0].Field == "updated_at" {
		now, gerr := s.CRM.Contacts.Store.Contact(ctx, u.ID, id)
		if gerr != nil {
			return gerr
		}
		p.Problem = "Not saved: " + now.Name + " was changed elsewhere since you opened this page. What is stored now is shown below; " +
			"your text is kept in the form — save again to replace it."
		view.Stored = contactForm(now, u.Location())
		p.Form["updated_at"] = stamp(now.UpdatedAt)
		return s.render(c, fiber.StatusConflict, "contact_edit", p)
	}
	if err != nil {
		if p.showProblem(err, nil) {
			return s.render(c, fiber.StatusUnprocessableEntity, "contact_edit", p)
		}
		return err
	}
	return seeNotice(c, "/app/contacts/"+url.PathEscape(saved.ID), "Saved "+saved.Name+".")
}

// formCadence reads the contact form's days between nudges (none: 0); not
// a number, it is a field error on p.
func formCadence(p *webPage) (int, bool) {
	v := p.Form["cadence_days"]
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.Errors["cadence_days"] = "must be a whole number of days (0 for none)"
		return 0, false
	}
	return n, true
}

// formKnownSince reads the contact form's known-since day as noon of it in
// loc ("" when empty); not a date, it is a field error on p.
func formKnownSince(p *webPage, loc *time.Location) (string, bool) {
	v := p.Form["known_since"]
	if v == "" {
		return "", true
	}
	day, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		p.Errors["known_since"] = "must be a date such as 2019-05-01"
		return "", false
	}
	return apiTime(day.Add(12 * time.Hour)), true
}

// handleContactNew is the form for a contact met other than at an event (an
// email, a colleague's introduction): the edit form, empty, with a
// one-time id.
func (s *pages) handleContactNew(c *fiber.Ctx) error {
	p := s.page(c, "New contact", "contacts")
	p.FormID = newFormID()
	p.Form["name"] = utils.CopyString(c.Query("name")) // from a search that found nobody
	p.Data = &contactEdit{}
	return s.render(c, 200, "contact_edit", p)
}

// handleContactCreate adds the contact the new-contact form describes and
// opens its page; sent twice (a double click), it adds one. One whose email
// or LinkedIn another contact has already comes back with a link to that
// contact, what was typed kept.
func (s *pages) handleContactCreate(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	p := s.page(c, "New contact", "contacts")
	p.Form = formOf(c, contactFields...)
	view := &contactEdit{}
	p.Data = view
	refused := func(status int) error {
		p.FormID = newFormID()
		return s.render(c, status, "contact_edit", p)
	}
	cadence, ok := formCadence(&p)
	known, ok2 := formKnownSince(&p, u.Location())
	if !ok || !ok2 {
		return refused(fiber.StatusUnprocessableEntity)
	}
	in := contacts.Input{Name: p.Form["name"], Emails: lines(p.Form["emails"]), Phones: lines(p.Form["phones"]), Company: p.Form["company"],
		Title: p.Form["title"], LinkedInURL: p.Form["linkedin_url"], Tags: commaList(p.Form["tags"]), Notes: p.Form["notes"],
		CadenceDays: cadence, KnownSince: known}
	err := s.once(c, ctx, u, "web-contact", "/app/contacts", func() (string, string, error) {
		ct, err := s.CRM.CreateContact(ctx, u, in)
		if err != nil {
			return "", "", err
		}
		return "/app/contacts/" + url.PathEscape(ct.ID), "Added " + ct.Name + ".", nil
	})
	if err == nil {
		return nil
	}
	if id, problem, ok := duplicated(err); ok {
		if view.Existing, err = s.CRM.Contacts.Store.Contact(ctx, u.ID, id); err != nil {
			return err
		}
		p.Problem = problem
		return refused(fiber.StatusConflict)
	}
	if p.showProblem(err, nil) {
		return refused(fiber.StatusUnprocessableEntity)
	}
	return err
}

// handleInteraction logs a coffee, call or email from the contact's page.
func (s *pages) handleInteraction(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	f := formOf(c, "kind", "notes")
	return s.savedOnContact(c, ctx, "web-interaction", &contactAsk{Form: "log", Kind: f["kind"], Notes: f["notes"]}, func() (string, error) {
		_, err := s.CRM.LogInteraction(ctx, u, c.Params("id"), contacts.InteractionInput{Kind: f["kind"], Notes: f["notes"]})
		return "Logged.", err
	})
}

// handleNote adds a dated paragraph to the contact's notes.
func (s *pages) handleNote(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	note := formOf(c, "note")["note"]
	ask := &contactAsk{Form: "note", Note: note}
	if note == "" {
		return s.backToContact(c, ask, apperr.InvalidField("note", "is empty"), "")
	}
	return s.savedOnContact(c, ctx, "web-note", ask, func() (string, error) {
		ct, err := s.CRM.Contacts.Store.Contact(ctx, u.ID, c.Params("id"))
		if err != nil {
			return "", err
		}
		text := s.Now().In(u.Location()).Format("2 Jan 2006") + ": " + note
		if ct.Notes != "" {
			text = ct.Notes + "\n\n" + text
		}
		patch, _ := json.Marshal(map[string]string{"notes": text})
		_, err = s.CRM.UpdateContactSeen(ctx, u, ct.ID, patch, ct.UpdatedAt)
		return "Note added.", err
	})
}

// localLayout is how a datetime-local field reads and writes a time.
const localLayout = "2006-01-02T15:04"

// parseLocal reads a datetime-local field's value v as a time in loc;
// ok is false when v is none.
func parseLocal(v string, loc *time.Location) (t time.Time, ok bool) {
	t, err := time.ParseInLocation(localLayout, v, loc)
	return t, err == nil
}

// apiTime is t as the services take a time: RFC 3339, in UTC.
func apiTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// tomorrowAtNudge is tomorrow at the user's nudge hour, in their zone.
func tomorrowAtNudge(u *accounts.User, now time.Time) time.Time {
	y, m, d := now.In(u.Location()).AddDate(0, 0, 1).Date()
	return time.Date(y, m, d, u.NudgeHour, 0, 0, 0, u.Location())
}

// handleContactFollowup schedules a follow-up with the contact (what
// POST /v1/followups makes): when, in the user's time zone (empty:
// tomorrow at their nudge hour), and what to do.
func (s *pages) handleContactFollowup(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	f := formOf(c, "due", "note")
	ask := &contactAsk{Form: "followup", Due: f["due"], Note: f["note"]}
	due, ok := tomorrowAtNudge(u, s.Now()), true
	if f["due"] != "" {
		if due, ok = parseLocal(f["due"], u.Location()); !ok {
			return s.backToContact(c, ask, apperr.InvalidField("due", "%q is not a date and time", f["due"]), "")
		}
	}
	return s.savedOnContact(c, ctx, "web-followup", ask, func() (string, error) {
		_, err := s.CRM.CreateFollowup(ctx, u, followup.CustomInput{ContactID: c.Params("id"), DueAt: apiTime(due), Note: f["note"]})
		return "Follow-up scheduled for " + due.In(u.Location()).Format(whenLayout) + ".", err
	})
}

// introChoicesMax and mergeChoicesMax are how many contacts the intro's
// and the merge's look-ups offer to choose from.
const introChoicesMax, mergeChoicesMax = 6, 10

// handleContactIntro introduces the contact to another, picked by name
// or email: the one contact of that very name, or the one match, is
// used; several are offered to choose from (namedOrMatching). A
// refused intro shows the contact's page again with what was typed, the
// context (up to a notes' length) never lost to a redirect.
func (s *pages) handleContactIntro(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	id := c.Params("id")
	f := formOf(c, "other", "other_id", "context", "double_opt_in")
	ask := &contactAsk{Form: "intro", Other: f["other"], Context: f["context"], OptIn: f["double_opt_in"] != ""}
	other := f["other_id"]
	if other == "" {
		if f["other"] == "" {
			return s.askAgain(c, ask, apperr.InvalidField("other", "name the person to introduce"))
		}
		exact, matches, err := s.namedOrMatching(ctx, u.ID, f["other"], id, introChoicesMax)
		if err != nil {
			return err
		}
		switch {
		case len(exact) == 1: // the very name wins over names that contain it
			other = exact[0].ID
		case len(matches) == 0:
			return s.askAgain(c, ask, apperr.InvalidField("other", "no contact matches %s", strconvQuote(f["other"])))
		case len(matches) == 1:
			other = matches[0].ID
		default:
			return s.contactPage(c, fiber.StatusOK, ask)
		}
	}
	return s.savedOnContact(c, ctx, "web-intro", ask, func() (string, error) {
		_, err := s.CRM.CreateIntro(ctx, u, contacts.IntroInput{ContactIDs: []string{id, other}, Context: f["context"], DoubleOptIn: ask.OptIn})
		return "Intro noted.", err
	})
}

// contactAsk is a form of the contact's page sent back to it: which
// (Form: "log", "note", "followup" or "intro"), what was typed in it, and
// why it was refused (empty when the intro form asks which of several
// contacts was meant).
type contactAsk struct {
	Form string
	// Kind and Notes are the interaction's; Note the note's or the
	// follow-up's, Due the follow-up's time; Other, Context and OptIn the
	// intro's; Opening and OpeningKind the opening's title and kind.
	Kind, Notes, Note, Due string
	Other, Context         string
	OptIn                  bool
	Opening, OpeningKind   string
	Problem                string
}

// askAgain shows the contact's page with ask's form as it was sent and the
// problem (422); an error that is not the user's to fix is returned.
func (s *pages) askAgain(c *fiber.Ctx, ask *contactAsk, err error) error {
	line, ok := problemLine(err)
	if !ok {
		return err
	}
	ask.Problem = line
	return s.contactPage(c, fiber.StatusUnprocessableEntity, ask)
}

func strconvQuote(s string) string { return "“" + s + "”" }

// savedOnContact runs save, a form of the contact's page that adds
// something, once (see once: sent twice, it adds one), and answers as
// backToContact does with the notice save returns.
func (s *pages) savedOnContact(c *fiber.Ctx, ctx context.Context, kind string, ask *contactAsk, save func() (notice string, err error)) error {
	page := "/app/contacts/" + url.PathEscape(c.Params("id"))
	err := s.once(c, ctx, user(c), kind, page, func() (string, string, error) {
		notice, err := save()
		return page, notice, err
	})
	if err == nil {
		return nil
	}
	return s.backToContact(c, ask, err, "")
}

// backToContact returns to the contact's page with a notice, or shows it
// again with ask's form as it was sent and the problem of err (another
// user's contact is a 404 page): what was typed is never lost to a
// redirect.
func (s *pages) backToContact(c *fiber.Ctx, ask *contactAsk, err error, notice string) error {
	if apperr.Is(err, apperr.NotFound) && len(apperr.FieldsOf(err)) == 0 {
		return s.notFound(c, "contact")
	}
	if err != nil {
		return s.askAgain(c, ask, err)
	}
	return seeNotice(c, "/app/contacts/"+url.PathEscape(c.Params("id")), notice)
}

// contactDesk is what the desk adds to a contact's page: a page of the
// timeline (timeline.go) and its forms (the intro's with the people a name
// matched, when it matched several; a form sent back open, with what was
// typed in it).
type contactDesk struct {
	Timeline []timelineItem
	// Older is the ?before= of the timeline's next page ("": none);
	// Earlier says this page is not the newest.
	Older                    string
	Earlier                  bool
	Kinds                    []string
	IntroOther, IntroContext string
	IntroOptIn               bool
	IntroChoices             []webPerson
	// Open is the form sent back ("log", "note", "followup"); LogKind,
	// LogNotes, NoteText and FollowupNote what was typed in it.
	Open, LogKind, LogNotes, NoteText, FollowupNote string
	// MergeOther is the name looked up to merge into this contact, and
	// MergeChoices the contacts it matched.
	MergeOther   string
	MergeChoices []webPerson
	// Given and Received are the giving ledger between you (help, intros).
	Given, Received int
	// FollowupDue is the follow-up form's time at first: tomorrow at the
	// user's nudge hour.
	FollowupDue string
}

// timelineItem is one thing that happened with a contact.
type timelineItem struct {
	at                       time.Time
	When, What, Detail, Text string
	// Href links What (an opportunity's card).
	Href string
	// Interaction is the id of an interaction, which can be removed.
	Interaction string
}

// contactDeskOf gathers the desk's part of a contact's page.
func (s *pages) contactDeskOf(c *fiber.Ctx, ct *contacts.Contact, before *time.Time, ask *contactAsk) (*contactDesk, error) {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	loc := u.Location()
	d := &contactDesk{Kinds: contacts.InteractionKinds, FollowupDue: tomorrowAtNudge(u, s.Now()).Format(localLayout)}
	if ask != nil {
		d.IntroOther, d.IntroContext, d.IntroOptIn = ask.Other, ask.Context, ask.OptIn
		d.Open = ask.Form
		switch ask.Form {
		case "log":
			d.LogKind, d.LogNotes = ask.Kind, ask.Notes
		case "note":
			d.NoteText = ask.Note
		case "followup":
			d.FollowupDue, d.FollowupNote = ask.Due, ask.Note
		}
	}
	var err error
	if d.Timeline, d.Older, err = s.timeline(ctx, u, ct, before); err != nil {
		return nil, err
	}
	d.Earlier = before != nil
	rec, err := s.CRM.Reciprocity(ctx, u.ID, ct.ID)
	if err != nil {
		return nil, err
	}
	d.Given, d.Received = rec.Given, rec.Received
	if d.MergeOther = strings.TrimSpace(c.Query("merge_other")); d.MergeOther != "" {
		_, all, err := s.namedOrMatching(ctx, u.ID, d.MergeOther, ct.ID, mergeChoicesMax)
		if err != nil {
			return nil, err
		}
		for i := range all {
			d.MergeChoices = append(d.MergeChoices, webPersonOf(&all[i], loc, ""))
		}
	}
	if d.IntroOther != "" && ask.Problem == "" {
		_, all, err := s.namedOrMatching(ctx, u.ID, d.IntroOther, ct.ID, introChoicesMax)
		if err != nil {
			return nil, err
		}
		for i := range all {
			d.IntroChoices = append(d.IntroChoices, webPersonOf(&all[i], loc, ""))
		}
	}
	return d, nil
}

// handleInteractionDelete removes an interaction logged by mistake (see
// crm.Service.DeleteInteraction) and goes back to its contact's page, or
// to its event's for what was given to an event.
func (s *pages) handleInteractionDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	it, err := s.CRM.DeleteInteraction(ctx, u, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "interaction")
	} else if err != nil {
		return err
	}
	back := "/app/contacts/" + url.PathEscape(it.ContactID) + "#timeline"
	if it.ContactID == "" {
		back = "/app/events/" + url.PathEscape(it.EventID) + "#giving"
	}
	return seeNotice(c, back, fmt.Sprintf("Removed: %s, %s.", kindLabel(it.Kind), it.At.In(u.Location()).Format("2 Jan 2006")))
}

// sortTimeline puts the newest first.
func sortTimeline(t []timelineItem) {
	sort.SliceStable(t, func(i, j int) bool { return t[i].at.After(t[j].at) })
}

// kindLabel is an interaction kind in words.
func kindLabel(kind string) string {
	switch kind {
	case "email":
		return "Email"
	case "call":
		return "Call"
	case "meeting":
		return "Meeting"
	case "message":
		return "Message"
	case "social":
		return "Social media"
	case contacts.Helped:
		return "You helped them"
	case contacts.HelpedMe:
		return "They helped you"
	case contacts.Volunteered:
		return "Volunteered"
	case contacts.Spoke:
		return "Gave a talk"
	}
	return "Other contact"
}
