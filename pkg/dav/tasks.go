package dav

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/followup"
)

// Paths of the task list (CalDAV), beside the address book.
const (
	calPrefix = "/dav/cal"
	// TasksPrincipal is the principal the CalDAV discovery finds.
	TasksPrincipal = calPrefix + "/me/"
	tasksHome      = calPrefix + "/me/lists/"
	// TaskListPath is the user's one task list ("Rapport follow-ups").
	TaskListPath = tasksHome + "followups/"
)

// DoneKept is how long a done follow-up stays in the list, COMPLETED.
const DoneKept = 30 * 24 * time.Hour

// AgeOutWindow is when the tasks were done that left the list between
// last and now: Changes.AgeOut journals them so that clients syncing
// with a token drop them too (a client that synced before the task left
// gets it as deleted).
func AgeOutWindow(last, now time.Time) (from, to time.Time) {
	return last.Add(-DoneKept), now.Add(-DoneKept)
}

// tasks is the CalDAV backend: one task list of the user's follow-ups.
type tasks struct{ s *Server }

var _ caldav.Backend = (*tasks)(nil)

func (b *tasks) CurrentUserPrincipal(context.Context) (string, error) { return TasksPrincipal, nil }

func (b *tasks) CalendarHomeSetPath(context.Context) (string, error) { return tasksHome, nil }

func (b *tasks) list() caldav.Calendar {
	return caldav.Calendar{Path: TaskListPath, Name: "Rapport follow-ups", Description: "Thank-yous, check-ins and intro checks from Rapport",
		MaxResourceSize: MaxCard, SupportedComponentSet: []string{ical.CompToDo}}
}

func (b *tasks) CreateCalendar(context.Context, *caldav.Calendar) error {
	return webdav.NewHTTPError(http.StatusForbidden, errors.New("there is one task list: it is neither made nor deleted"))
}

func (b *tasks) ListCalendars(context.Context) ([]caldav.Calendar, error) {
	return []caldav.Calendar{b.list()}, nil
}

func (b *tasks) GetCalendar(_ context.Context, p string) (*caldav.Calendar, error) {
	if path.Clean(p)+"/" != TaskListPath {
		return nil, webdav.NewHTTPError(http.StatusNotFound, errors.New("no such task list"))
	}
	l := b.list()
	return &l, nil
}

// followupID returns the follow-up id of a task's path, or a 404.
func followupID(p string) (string, error) {
	dir, file := path.Split(path.Clean(p))
	id, ok := strings.CutSuffix(file, ".ics")
	if dir != TaskListPath || !ok || !contacts.CardNameOK(id) {
		return "", webdav.NewHTTPError(http.StatusNotFound, errors.New("no such task"))
	}
	return id, nil
}

func taskPath(id string) string { return TaskListPath + id + ".ics" }

// shown reports whether a follow-up is in the list: pending, or done
// within DoneKept.
func shown(f *followup.FollowUp, now time.Time) bool {
	if f.Status == followup.Pending {
		return true
	}
	return f.Status == followup.Done && f.EndedAt != nil && now.Sub(*f.EndedAt) < DoneKept
}

func (b *tasks) GetCalendarObject(ctx context.Context, p string, _ *caldav.CalendarCompRequest) (*caldav.CalendarObject, error) {
	id, err := followupID(p)
	if err != nil {
		return nil, err
	}
	o, err := b.get(ctx, userOf(ctx), id)
	if err != nil {
		return nil, b.s.davError(err)
	}
	return o, nil
}

func (b *tasks) get(ctx context.Context, u *accounts.User, id string) (*caldav.CalendarObject, error) {
	f, err := b.s.CRM.Followups.Get(ctx, u.ID, id)
	if err != nil {
		return nil, err
	}
	if !shown(f, b.s.Now()) {
		return nil, apperr.E(apperr.NotFound, "no such task")
	}
	objs, err := b.objects(ctx, u, []followup.FollowUp{*f})
	if err != nil {
		return nil, err
	}
	return &objs[0], nil
}

// objects are the tasks of fs, with their contacts' names read at once.
func (b *tasks) objects(ctx context.Context, u *accounts.User, fs []followup.FollowUp) ([]caldav.CalendarObject, error) {
	ids := make([]string, len(fs))
	for i := range fs {
		ids[i] = fs[i].ContactID
	}
	cs, err := b.s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, ids)
	if err != nil {
		return nil, err
	}
	var eventIDs []string
	for i := range fs {
		if fs[i].EventID != "" {
			eventIDs = append(eventIDs, fs[i].EventID)
		}
	}
	evs, err := b.s.CRM.Events.Store.EventsByID(ctx, u.ID, eventIDs)
	if err != nil {
		return nil, err
	}
	loc := u.Location()
	out := make([]caldav.CalendarObject, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		name := "(deleted contact)"
		if c := cs[f.ContactID]; c != nil {
			name = c.Name
		}
		var lines []string
		if ev := evs[f.EventID]; ev != nil && !followup.Contactless(f) {
			// Where you met (PRODUCT.md §6): the event and its day.
			lines = append(lines, "Met at "+ev.Title+" on "+ev.StartsAt.In(loc).Format("Mon 2 Jan 2006"))
		}
		if f.Note != "" {
			lines = append(lines, f.Note)
		}
		t := calendar.Todo{UID: f.ID, Summary: followup.Title(f, name), Description: strings.Join(lines, "\n\n"), Due: f.DueAt,
			Stamp: f.UpdatedAt, LastModified: f.UpdatedAt, Sequence: f.Sequence}
		if b.s.BaseURL != "" {
			t.URL = b.s.BaseURL + "/app/followups#f-" + f.ID
			if t.Description != "" {
				t.Description += "\n\n"
			}
			t.Description += t.URL
		}
		if f.Status == followup.Done {
			t.Completed = f.EndedAt
		}
		cal, raw, err := calendar.EncodeTodo(t)
		if err != nil {
			return nil, err
		}
		out = append(out, caldav.CalendarObject{Path: taskPath(f.ID), ModTime: f.UpdatedAt, ContentLength: int64(len(raw)),
			ETag: etag(raw), Data: cal, Raw: raw})
	}
	return out, nil
}

func (b *tasks) ListCalendarObjects(ctx context.Context, p string, _ *caldav.CalendarCompRequest) ([]caldav.CalendarObject, error) {
	if _, err := b.GetCalendar(ctx, p); err != nil {
		return nil, err
	}
	u := userOf(ctx)
	fs, err := b.s.CRM.Followups.PendingOf(ctx, u.ID)
	if err != nil {
		return nil, b.s.davError(err)
	}
	// Done ones of the last 30 days, read by when they ended (shown to the
	// millisecond, as the sweep that ages them out reads it).
	now := b.s.Now()
	done, err := b.s.CRM.Followups.Store.DoneSince(ctx, u.ID, now.Add(-DoneKept))
	if err != nil {
		return nil, b.s.davError(err)
	}
	for i := range done {
		if shown(&done[i], now) {
			fs = append(fs, done[i])
		}
	}
	objs, err := b.objects(ctx, u, fs)
	if err != nil {
		return nil, b.s.davError(err)
	}
	return objs, nil
}

func (b *tasks) QueryCalendarObjects(ctx context.Context, p string, q *caldav.CalendarQuery) ([]caldav.CalendarObject, error) {
	all, err := b.ListCalendarObjects(ctx, p, &q.CompRequest)
	if err != nil {
		return nil, err
	}
	if q.CompFilter.Name == "" {
		return all, nil
	}
	return caldav.Filter(q, all)
}

// PutCalendarObject applies what a reminders app changed: a completed task
// marks the follow-up done, a cancelled one cancels it, a new DUE re-dates
// it; other edits are ignored. Tasks are made in Rapport, not here.
func (b *tasks) PutCalendarObject(ctx context.Context, p string, cal *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (*caldav.CalendarObject, error) {
	id, err := followupID(p)
	if err != nil {
		return nil, webdav.NewHTTPError(http.StatusForbidden, errors.New("follow-ups are made in Rapport"))
	}
	u := userOf(ctx)
	cur, err := b.get(ctx, u, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, webdav.NewHTTPError(http.StatusForbidden, errors.New("follow-ups are made in Rapport; this task list only takes changes to them"))
	}
	if err != nil {
		return nil, b.s.davError(err)
	}
	if err := precondition(opts.IfNoneMatch, opts.IfMatch, "task", true, cur.ETag); err != nil {
		return nil, err
	}
	markUpdated(ctx)
	var todo *ical.Component
	for _, c := range cal.Children {
		if c.Name == ical.CompToDo {
			todo = c
			break
		}
	}
	if todo == nil {
		return nil, webdav.NewHTTPError(http.StatusBadRequest, errors.New("the calendar has no VTODO"))
	}
	f, err := b.s.CRM.Followups.Get(ctx, u.ID, id)
	if err != nil {
		return nil, b.s.davError(err)
	}
	if f.Status != followup.Pending {
		return stored(ctx, cur), nil // a done task stays done
	}
	status := ""
	if p := todo.Props.Get(ical.PropStatus); p != nil {
		status = strings.ToUpper(strings.TrimSpace(p.Value))
	}
	switch {
	case status == "COMPLETED" || todo.Props.Get(ical.PropCompleted) != nil:
		_, err = b.s.CRM.Followups.MarkDone(ctx, u.ID, id)
	case status == "CANCELLED":
		_, err = b.s.CRM.Followups.Cancel(ctx, u.ID, id)
		if err == nil {
			cp := *cur // gone from the list
			cp.ETag = ""
			return &cp, nil
		}
	default:
		if p := todo.Props.Get(ical.PropDue); p != nil {
			due, derr := dueOf(p, u)
			if derr != nil {
				return nil, webdav.NewHTTPError(http.StatusBadRequest, errors.New("DUE is not a date-time"))
			}
			if !due.Equal(f.DueAt) {
				at := due.UTC().Format(time.RFC3339)
				_, err = b.s.CRM.Followups.Update(ctx, u.ID, id, followup.Patch{DueAt: &at})
			}
		}
	}
	if err != nil {
		return nil, b.s.davError(err)
	}
	o, err := b.get(ctx, u, id)
	if err != nil {
		return nil, b.s.davError(err)
	}
	return stored(ctx, o), nil
}

// dueOf is the time a task's DUE names for u: a date-time in its zone, one
// without a zone (floating) in u's, and a date alone — what a reminders
// app writes for a task given a day and no time — at u's nudge hour that
// day in u's zone (read as midnight UTC it was the evening before for
// anyone west of Greenwich).
func dueOf(p *ical.Prop, u *accounts.User) (time.Time, error) {
	loc := u.Location()
	t, err := p.DateTime(loc)
	if err != nil || p.ValueType() != ical.ValueDate {
		return t, err
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, u.NudgeHour, 0, 0, 0, loc), nil
}

// stored is o as a PUT answers it: without an ETag unless the stored task
// is octet for octet what the client sent (RFC 4791 §5.3.4), so that a
// client whose other edits were ignored reads the task again.
func stored(ctx context.Context, o *caldav.CalendarObject) *caldav.CalendarObject {
	if !bytes.Equal(o.Raw, sentBody(ctx)) {
		cp := *o
		cp.ETag = ""
		return &cp
	}
	return o
}

// DeleteCalendarObject cancels a pending follow-up (a done one just
// leaves the list when its 30 days are over).
func (b *tasks) DeleteCalendarObject(ctx context.Context, p string) error {
	id, err := followupID(p)
	if err != nil {
		return err
	}
	u := userOf(ctx)
	f, err := b.s.CRM.Followups.Get(ctx, u.ID, id)
	if err != nil {
		return b.s.davError(err)
	}
	if f.Status == followup.Pending {
		if _, err := b.s.CRM.Followups.Cancel(ctx, u.ID, id); err != nil && !apperr.Is(err, apperr.Conflict) {
			return b.s.davError(err)
		}
	}
	return nil
}
