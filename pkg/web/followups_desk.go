package web

import (
	"context"
	"html/template"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/words"
)

// The desk's follow-ups: re-date one and edit its note on /app/followups,
// and *Write it* — a mailto: link whose subject and first line come from
// where you met (the event, what was said) or the intro.

func (s *pages) registerFollowups(g fiber.Router) {
	g.Post("/followups/:id/edit", s.handleFollowupEdit)
	g.Post("/followups/:id/cancel", s.handleFollowupCancel)
	g.Post("/followups/stale", s.handleDropStale)
}

// staleView offers to drop the stale follow-ups (followup.Stale): how
// many (More: staleCounted and more), and the due time they are before,
// which the form sends back, so that it drops what the page said.
type staleView struct {
	Count  int
	More   bool
	Before string
}

// staleCounted bounds the stale follow-ups the page counts on each view
// (a drop ends up to followup.StaleMax).
const staleCounted = 100

// staleOffer is the follow-ups page's offer to drop the stale ones; nil
// when there are none.
func (s *pages) staleOffer(ctx context.Context, userID string) (*staleView, error) {
	before := record.Time(s.Now().Add(-followup.StaleAge))
	stale, err := s.CRM.Followups.Stale(ctx, userID, before, staleCounted+1)
	if err != nil || len(stale) == 0 {
		return nil, err
	}
	return &staleView{Count: min(len(stale), staleCounted), More: len(stale) > staleCounted, Before: stamp(before)}, nil
}

// handleDropStale drops the stale follow-ups the page offered: those due
// before the time it sent back (never later than StaleAge ago:
// followup.DropStale).
func (s *pages) handleDropStale(c *fiber.Ctx) error {
	before, err := time.Parse(time.RFC3339Nano, c.FormValue("before"))
	if err != nil {
		return seeProblem(c, "/app/followups", "That form is not one this page gave: nothing was dropped. Here is the page again.")
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	n, err := s.CRM.Followups.DropStale(ctx, user(c).ID, before)
	if err != nil {
		return err
	}
	return seeNotice(c, "/app/followups", "Dropped "+words.Counted(n, "follow-up")+": no longer needed.")
}

// handleFollowupCancel drops a pending follow-up that is no longer needed
// (DELETE /v1/followups/{id}): cancelled, not done, so an event's review
// does not count it as followed up.
func (s *pages) handleFollowupCancel(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	_, err := s.CRM.Followups.Cancel(ctx, user(c).ID, c.Params("id"))
	return s.followupChanged(c, err, "/app/followups", "Dropped: no longer needed.")
}

// followupChanged answers a change to a pending follow-up: back to the
// list (at target) with notice, or what went wrong — none of the user's
// (404), one no longer pending, a field refused.
func (s *pages) followupChanged(c *fiber.Ctx, err error, target, notice string) error {
	switch {
	case apperr.Is(err, apperr.NotFound):
		return s.notFound(c, "follow-up")
	case apperr.Is(err, apperr.Conflict):
		return seeProblem(c, "/app/followups", "That follow-up is done or cancelled already.")
	case err != nil:
		line, ok := problemLine(err)
		if !ok {
			return err
		}
		return seeProblem(c, "/app/followups", line)
	}
	return seeNotice(c, target, notice)
}

// handleFollowupEdit re-dates a pending follow-up (the time typed in the
// user's zone) and sets its note.
func (s *pages) handleFollowupEdit(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	f := formOf(c, "due", "note", "updated_at")
	typed := &followupTyped{ID: c.Params("id"), Due: f["due"], Note: f["note"]}
	fu, err := s.CRM.Followups.Store.Followup(ctx, u.ID, c.Params("id"))
	if err == nil && fu.Status != followup.Pending {
		err = apperr.E(apperr.Conflict, "the follow-up is %s", fu.Status)
	}
	if err != nil {
		return s.followupChanged(c, err, "", "")
	}
	if changedSince(f["updated_at"], fu.UpdatedAt) {
		typed.Problem = "Not saved: the follow-up was changed elsewhere since you opened this page (a task app, another tab). " +
			"What you typed is kept below; save again to replace what is stored."
		return s.followupsPage(c, fiber.StatusConflict, typed)
	}
	var p followup.Patch
	if !followup.Contactless(fu) { // the brief's note is its title, kept with its event's
		note := f["note"]
		p.Note = &note
	}
	if f["due"] != "" {
		t, ok := parseLocal(f["due"], u.Location())
		if !ok {
			typed.Problem = input.Cut("Due: "+f["due"], maxFlash-len(" is not a date and time.")) + " is not a date and time."
			return s.followupsPage(c, fiber.StatusUnprocessableEntity, typed)
		}
		due := apiTime(t)
		p.DueAt = &due
	}
	_, err = s.CRM.Followups.Update(ctx, u.ID, fu.ID, p)
	if apperr.Is(err, apperr.Invalid) {
		// Sent back with what was typed, not redirected without it.
		if line, ok := problemLine(err); ok {
			typed.Problem = line
			return s.followupsPage(c, fiber.StatusUnprocessableEntity, typed)
		}
	}
	return s.followupChanged(c, err, "/app/followups#f-"+url.PathEscape(c.Params("id")), "Saved.")
}

// writeTo offers to write to c about f (crm.ReachFor): Write it, Write
// on LinkedIn or Text them.
func (wf *webFollowup) writeTo(f *followup.FollowUp, c *contacts.Contact, ev *events.Event) {
	r := crm.ReachFor(f, c, ev)
	// Mail is a mailto: URL with every part percent-encoded, SMS an sms:
	// of digits and a leading +: both safe as they are.
	wf.WriteLinks = WriteLinks{Write: template.URL(r.Mail), LinkedIn: r.LinkedIn, Text: template.URL(r.SMS)}
}

// eventFollowupsShown is how many of an event's pending and of its done
// follow-ups its page lists (its review counts them all).
const eventFollowupsShown = 100

// eventFollowups are an event's follow-ups on its page: the pending ones by
// due time, each with Done, Snooze and Write it, then those done, the latest
// first, each with when it was done (more says some are left out). The
// brief before the event is its Prepare page's, and dropped ones are left
// out.
func (s *pages) eventFollowups(ctx context.Context, u *accounts.User, e *events.Event) (pending, done []webFollowup, more bool, err error) {
	open, err := s.CRM.Followups.Store.Pending(ctx, u.ID, followup.PendingFilter{Ref: followup.RefEvent, RefIDs: []string{e.ID}, Limit: eventFollowupsShown + 1})
	if err != nil {
		return nil, nil, false, err
	}
	closed, err := s.CRM.Followups.Store.Followups(ctx, u.ID, followup.Query{EventID: e.ID, Status: followup.Done, NewestFirst: true, Limit: eventFollowupsShown})
	if err != nil {
		return nil, nil, false, err
	}
	all := append(open, closed.Items...)
	var ids []string
	for _, f := range all {
		ids = append(ids, f.ContactID)
	}
	people, err := s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, ids)
	if err != nil {
		return nil, nil, false, err
	}
	loc, now := u.Location(), s.Now()
	for i := range all {
		f := &all[i]
		if followup.Contactless(f) {
			continue
		}
		wf := webFollowup{ID: f.ID, Title: followup.Title(f, "(deleted contact)"), Note: f.Note}
		if c := people[f.ContactID]; c != nil {
			wf.Title, wf.ContactID = followup.Title(f, c.Name), c.ID
			if f.Status == followup.Pending {
				wf.writeTo(f, c, e)
			}
		}
		switch {
		case f.Status == followup.Done && f.EndedAt != nil:
			wf.Due = "done " + f.EndedAt.In(loc).Format(whenLayout)
			done = append(done, wf)
		case f.Status == followup.Done:
			wf.Due = "done"
			done = append(done, wf)
		case len(pending) < eventFollowupsShown:
			wf.Due, wf.Overdue = dueLine(f, loc, now)
			pending = append(pending, wf)
		default:
			more = true
		}
	}
	return pending, done, more || closed.NextCursor != "", nil
}
