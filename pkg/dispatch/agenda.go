package dispatch

import (
	"bytes"
	"context"
	"fmt"
	"text/template"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/input"
)

// agendaRetry is the wait after a failed agenda email.
const agendaRetry = 5 * time.Minute

// agendaDue is when the dispatcher must next look at the user's agenda.
func agendaDue(acc *accounts.Service, u *accounts.User, st *followup.State) *time.Time {
	if st.AgendaRetryAt != nil && u.Agenda.Enabled {
		return st.AgendaRetryAt
	}
	return acc.NextAgenda(u, st.AgendaSent)
}

// agenda sends the user's agenda if its slot has come. A failed send is
// retried every few minutes until 24 hours after the slot, then skipped.
// After a send the next slot counts from now, so a dispatcher that was down
// for weeks sends one agenda, not one per missed week.
func (d *Dispatcher) agenda(ctx context.Context, u *accounts.User, st *followup.State, now, deadline time.Time) error {
	slot := d.Accounts.NextAgenda(u, st.AgendaSent)
	if slot == nil {
		if st.AgendaRetryAt != nil {
			st.AgendaRetryAt = nil
			return d.saveState(ctx, st)
		}
		return nil
	}
	if slot.After(now) || (st.AgendaRetryAt != nil && st.AgendaRetryAt.After(now)) || !d.canSend(deadline) {
		return nil
	}
	sent := now
	if d.Mailer == nil || u.Notify.Email == "" {
		st.AgendaSent, st.AgendaRetryAt = &sent, nil // nowhere to send it: skip this slot
		return d.saveState(ctx, st)
	}
	err := d.sendAgenda(ctx, u, *slot, now)
	switch {
	case err == nil:
		d.Metrics.Agenda("sent")
		st.AgendaSent, st.AgendaRetryAt = &sent, nil
	case now.Sub(*slot) >= RetryWindow:
		d.Metrics.Agenda("given_up")
		d.Logger.Warn("agenda given up", "user_id", u.ID, "slot", *slot, "err", err)
		st.AgendaSent, st.AgendaRetryAt = &sent, nil
	default:
		d.Metrics.Agenda("failed")
		d.Logger.Info("agenda failed, will retry", "user_id", u.ID, "err", err)
		retry := now.Add(agendaRetry)
		st.AgendaRetryAt = &retry
	}
	return d.saveState(ctx, st)
}

var agendaText = template.Must(template.New("agenda").Parse(`Hi {{.Name}},

Your week from {{.From}}:
{{if .Events}}
Events:
{{range .Events}}* {{.When}}  {{.Title}}{{if .Location}} ({{.Location}}){{end}}
{{end}}{{else}}
No events.
{{end}}{{if .Followups}}
Follow-ups:
{{range .Followups}}* {{.When}}  {{.Title}}{{with .Note}} — {{.}}{{end}}
{{end}}{{if .MoreOverdue}}* and more overdue: {{.BaseURL}}/app/followups
{{end}}{{if .Stale}}* some are a month late or more; drop those at once: {{.BaseURL}}/app/followups#stale-h
{{end}}{{if .MoreAhead}}* and more due this week: {{.BaseURL}}/app/followups
{{end}}{{else}}
No follow-ups due.
{{end}}
The attached agenda.ics has the same, for your calendar.
-- 
Rapport, {{.BaseURL}}
`))

// agendaLine is one line of the agenda; Note is an opportunity's next step.
type agendaLine struct{ When, Title, Location, Note string }

// agendaEvents bounds the events an agenda lists: all of the week's, read
// page by page, since a followed conference's schedule brings dozens of
// sessions a day and its first page ended mid-week.
const agendaEvents = 2000

// agendaOverdue bounds the follow-ups already overdue an agenda lists
// before the week's own.
const agendaOverdue = 10

// sendAgenda emails the next 7 days of events and pending follow-ups (the
// overdue first, at most agendaOverdue of them; a line says when more are
// overdue or due), with the same as an .ics attachment.
func (d *Dispatcher) sendAgenda(ctx context.Context, u *accounts.User, slot, now time.Time) error {
	to := now.Add(7 * 24 * time.Hour)
	evs, err := d.Events.Begun(ctx, u.ID, now, to, agendaEvents)
	if err != nil {
		return err
	}
	due, err := d.Followups.DueBefore(ctx, u.ID, now, to, agendaOverdue)
	if err != nil {
		return err
	}
	fs := due.Items
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ContactID
	}
	cs, err := d.Contacts.Store.ContactsByID(ctx, u.ID, ids)
	if err != nil {
		return err
	}
	loc := u.Location()
	view := struct {
		Name, From, BaseURL string
		Events, Followups   []agendaLine
		MoreOverdue         bool
		MoreAhead           bool
		// Stale: a listed follow-up is a month late (followup.Due.Stale).
		Stale bool
	}{Name: u.Name, From: now.In(loc).Format("Mon 2 Jan"), BaseURL: d.BaseURL, MoreOverdue: due.MoreOverdue, MoreAhead: due.MoreAhead,
		Stale: due.Stale}
	cal := calendar.Calendar{Name: "Rapport agenda"}
	for _, e := range evs {
		view.Events = append(view.Events, agendaLine{When: eventStarts(&e, loc), Title: e.Title, Location: e.Location})
		cal.Events = append(cal.Events, followup.EventEntry(&e, d.BaseURL))
	}
	for i := range fs {
		c := cs[fs[i].ContactID]
		if c == nil && !followup.Contactless(&fs[i]) {
			continue
		}
		if c == nil {
			c = &contacts.Contact{}
		}
		line := agendaLine{When: fs[i].DueAt.In(loc).Format(emailTime), Title: followup.Title(&fs[i], c.Name)}
		if fs[i].Kind == followup.Opportunity && !followup.Contactless(&fs[i]) { // else the note is the title
			line.Note = input.OneLine(fs[i].Note, 120)
		}
		view.Followups = append(view.Followups, line)
		cal.Events = append(cal.Events, followup.FollowUpEntry(&fs[i], c.Name, d.BaseURL))
	}
	ics, err := calendar.Encode(cal)
	if err != nil {
		return err
	}
	var text bytes.Buffer
	if err := agendaText.Execute(&text, view); err != nil {
		return err
	}
	key := fmt.Sprintf("agenda_%s_%d", u.ID, slot.Unix())
	return d.Mailer.Send(ctx, Email{To: u.Notify.Email, Subject: "Your week: " + view.From, MessageID: d.Mailer.MessageID(key),
		Text: text.String(), Date: now,
		Attachments: []Attachment{{Name: "agenda.ics", ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Data: ics}}})
}
