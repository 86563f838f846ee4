package web

import (
	"context"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// A contact's timeline (PRODUCT.md §10): encounters, interactions (logged
// email included), intros, opportunities and the follow-ups done, newest
// first, a page at a time. A page ends where every kind of entry is whole:
// a kind read a page's worth of may hold older ones, so nothing older than
// its oldest is shown before the next page.

// timelinePage is how many entries of each kind a page of a contact's
// timeline reads, and at most shows.
var timelinePage = 50

// doneRead is how many follow-ups done with a contact a timeline reads at
// once. Each page reads them all, a read at a time: they are listed by
// when they were done, and kept by when they were due. (It read the 200
// due latest: a contact with more lost those due earliest, which may be
// the ones done last.)
var doneRead = record.MaxLimit

// timelineRead is a timeline's page being read: the entries, and whether a
// kind may hold older ones than it gave (it gave a page's worth).
type timelineRead struct {
	items []timelineItem
	more  bool
}

// add takes a kind's entries; more says it may hold older ones.
func (r *timelineRead) add(items []timelineItem, more bool) {
	r.items, r.more = append(r.items, items...), r.more || more
}

// timeline is the page of ct's timeline of the entries before before (nil:
// the newest), and where the next page starts ("": this is the last), as
// its ?before= holds it.
func (s *pages) timeline(ctx context.Context, u *accounts.User, ct *contacts.Contact, before *time.Time) ([]timelineItem, string, error) {
	var cur *record.Cursor // entries strictly before before
	if before != nil {
		cur = &record.Cursor{T: before}
	}
	n, loc, r := timelinePage, u.Location(), &timelineRead{}
	day := func(t time.Time) string { return t.In(loc).Format("2 Jan 2006") }

	encs, err := s.CRM.Contacts.Store.Encounters(ctx, u.ID, contacts.EncounterQuery{ContactID: ct.ID, NewestFirst: true, Limit: n, Cursor: cur})
	if err != nil {
		return nil, "", err
	}
	var eventIDs []string
	for _, e := range encs.Items {
		eventIDs = append(eventIDs, e.EventID)
	}
	evs, err := s.CRM.Events.Store.EventsByID(ctx, u.ID, eventIDs)
	if err != nil {
		return nil, "", err
	}
	var items []timelineItem
	for _, e := range encs.Items {
		title := "(deleted event)"
		if ev := evs[e.EventID]; ev != nil {
			title = ev.Title
		}
		items = append(items, timelineItem{at: e.MetAt, When: day(e.MetAt), What: "Met at " + title,
			Detail: strings.ToLower(momentLabel(e.Moment)) + topicsSuffix(e.Topics), Text: e.Notes})
	}
	r.add(items, encs.NextCursor != "")

	its, err := s.CRM.Contacts.Store.Interactions(ctx, u.ID, ct.ID, n, cur)
	if err != nil {
		return nil, "", err
	}
	items = nil
	for _, it := range its.Items {
		items = append(items, timelineItem{at: it.At, When: day(it.At), What: kindLabel(it.Kind), Text: it.Notes, Interaction: it.ID})
	}
	r.add(items, its.NextCursor != "")

	intros, err := s.CRM.Contacts.Store.Intros(ctx, u.ID, contacts.IntroQuery{ContactID: ct.ID, NewestFirst: true, Limit: n, Cursor: cur})
	if err != nil {
		return nil, "", err
	}
	var others []string
	for _, it := range intros.Items {
		others = append(others, it.ContactIDs...)
	}
	name, err := s.namesOf(ctx, u.ID, others)
	if err != nil {
		return nil, "", err
	}
	items = nil
	for _, it := range intros.Items {
		other := it.ContactIDs[0]
		if other == ct.ID {
			other = it.ContactIDs[1]
		}
		items = append(items, timelineItem{at: it.CreatedAt, When: day(it.CreatedAt), What: "Intro to " + name(other), Detail: it.Status, Text: it.Context})
	}
	r.add(items, intros.NextCursor != "")

	opps, err := s.CRM.Opportunities.Opportunities(ctx, u.ID, opportunities.Query{ContactID: ct.ID, Limit: n, Cursor: cur})
	if err != nil {
		return nil, "", err
	}
	items = nil
	for _, o := range opps.Items {
		items = append(items, timelineItem{at: o.CreatedAt, When: day(o.CreatedAt), What: "Opportunity: " + o.Title, Detail: o.Stage, Href: "/app/pipeline#o-" + o.ID})
	}
	r.add(items, opps.NextCursor != "")

	items = nil
	err = record.EachPage(func(cur *record.Cursor) (*record.Page[followup.FollowUp], error) {
		return s.CRM.Followups.Store.Followups(ctx, u.ID, followup.Query{Status: followup.Done, ContactID: ct.ID, Limit: doneRead, Cursor: cur})
	}, func(done []followup.FollowUp) bool {
		for i := range done {
			f := &done[i]
			at := f.UpdatedAt
			if f.EndedAt != nil {
				at = *f.EndedAt
			}
			if before == nil || at.Before(*before) {
				items = append(items, timelineItem{at: at, When: day(at), What: followup.Title(f, ct.Name), Detail: "done", Text: f.Note})
			}
		}
		return true
	})
	if err != nil {
		return nil, "", err
	}
	r.add(items, false) // all of them read
	page, next := r.page(n)
	return page, next, nil
}

// page sorts what was read, newest first, and cuts it where every kind is
// whole: at the n-th entry, which is at or after the oldest of any kind
// that gave n. It gives the entries after the cut and the next page's
// ?before= (the cut and a millisecond, the stores' precision: the entries
// at the cut come on the next page).
func (r *timelineRead) page(n int) ([]timelineItem, string) {
	sortTimeline(r.items)
	if len(r.items) <= n && !r.more {
		return r.items, ""
	}
	cut := r.items[n-1].at
	var out []timelineItem
	for _, it := range r.items {
		if it.at.After(cut) {
			out = append(out, it)
		}
	}
	next := cut.Add(time.Millisecond)
	if len(out) == 0 { // a page's worth at one instant: those, and the rest of it skipped
		for _, it := range r.items {
			if it.at.Equal(cut) && len(out) < n {
				out = append(out, it)
			}
		}
		next = cut
	}
	return out, next.UTC().Format(time.RFC3339Nano)
}

// momentLabel is a moment of an event in words ("" for none known).
func momentLabel(moment string) string {
	for _, m := range webMoments {
		if m.Value == moment {
			return m.Label
		}
	}
	return ""
}
