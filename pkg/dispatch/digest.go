package dispatch

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/input"
)

// digestView is what the digest templates show.
type digestView struct {
	Name    string
	Items   []digestLine
	BaseURL string
	// Recaps are yesterday's events in a line each.
	Recaps []string
}

// digestLine is one follow-up of a digest; Write, LinkedIn and Text are
// how to write to its contact (crm.ReachFor).
type digestLine struct {
	Kind, Contact, Company, Email, Note, Event, Due, Link string
	Write, LinkedIn                                       string
	// Text is an sms: link, of digits and a leading + only.
	Text htmltemplate.URL
}

func (d *Dispatcher) digestView(u *accounts.User, items []DigestItem) digestView {
	loc := u.Location()
	v := digestView{Name: u.Name, BaseURL: d.BaseURL}
	for _, it := range items {
		switch {
		case it.Kind == followup.Prep: // the brief before an event
			v.Items = append(v.Items, digestLine{Kind: "Prepare for", Contact: it.Event.Title,
				Note: "It starts " + eventStarts(it.Event, loc) + ": who is coming, whom to meet and why",
				Due:  it.DueAt.In(loc).Format(emailTime), Link: d.BaseURL + "/app/events/" + it.Event.ID + "/prep"})
			continue
		case it.Contact == nil: // an opportunity's next step that names no one
			v.Items = append(v.Items, digestLine{Kind: followup.KindTitle(it.Kind), Contact: it.Note,
				Due: it.DueAt.In(loc).Format(emailTime), Link: d.BaseURL + "/app/followups#f-" + it.ID})
			continue
		}
		l := digestLine{Kind: followup.KindTitle(it.Kind), Contact: it.Contact.Name, Company: it.Contact.Company, Note: it.Note,
			Due: it.DueAt.In(loc).Format(emailTime), Link: d.BaseURL + "/app/followups#f-" + it.ID}
		if len(it.Contact.Emails) > 0 {
			l.Email = it.Contact.Emails[0]
		}
		r := crm.ReachFor(&it.FollowUp, it.Contact, it.Event)
		l.Write, l.LinkedIn, l.Text = r.Mail, r.LinkedIn, htmltemplate.URL(r.SMS)
		if it.Event != nil {
			l.Event = it.Event.Title + " on " + it.Event.StartsAt.In(loc).Format("2 Jan 2006")
		}
		v.Items = append(v.Items, l)
	}
	return v
}

var digestText = texttemplate.Must(texttemplate.New("digest").Parse(`Hi {{.Name}},
{{if .Recaps}}
Yesterday:
{{range .Recaps}}* {{.}}
{{end}}{{end}}
{{len .Items}} follow-up{{if ne (len .Items) 1}}s are{{else}} is{{end}} due:
{{range .Items}}
* {{.Kind}}: {{.Contact}}{{if .Company}} ({{.Company}}){{end}}, due {{.Due}}
{{- if .Event}}
  Met at {{.Event}}{{end}}
{{- if .Note}}
  Note: {{.Note}}{{end}}
{{- if .Email}}
  Email: {{.Email}}{{end}}
{{- if .LinkedIn}}
  LinkedIn: {{.LinkedIn}}{{end}}
  Mark done or snooze: {{.Link}}
{{end}}
-- 
Rapport, {{.BaseURL}}
You get this because you have follow-ups due; change where nudges go: {{.BaseURL}}/app/settings
`))

var digestHTML = htmltemplate.Must(htmltemplate.New("digest").Parse(`<!doctype html>
<html><body style="font-family:system-ui,sans-serif;max-width:40em">
<p>Hi {{.Name}},</p>
{{if .Recaps}}<p>Yesterday:</p><ul>{{range .Recaps}}<li>{{.}}</li>{{end}}</ul>{{end}}
<p>{{len .Items}} follow-up{{if ne (len .Items) 1}}s are{{else}} is{{end}} due:</p>
<ul>{{range .Items}}
<li><strong>{{.Kind}}: {{.Contact}}</strong>{{if .Company}} ({{.Company}}){{end}}, due {{.Due}}
{{if .Event}}<br>Met at {{.Event}}{{end}}
{{if .Note}}<br>Note: {{.Note}}{{end}}
{{if .Write}}<br><a href="{{.Write}}">Write it</a> ({{.Email}}){{else if .LinkedIn}}<br><a href="{{.LinkedIn}}">Write on LinkedIn</a>{{else if .Text}}<br><a href="{{.Text}}">Text them</a>{{end}}
<br><a href="{{.Link}}">Mark done or snooze</a></li>{{end}}
</ul>
<p style="color:#666">Rapport, <a href="{{.BaseURL}}">{{.BaseURL}}</a> · <a href="{{.BaseURL}}/app/settings">Change where nudges go</a></p>
</body></html>
`))

func (d *Dispatcher) sendDigest(ctx context.Context, u *accounts.User, b *followup.Batch, items []DigestItem, now time.Time) error {
	v := d.digestView(u, items)
	v.Recaps = d.recaps(ctx, u, now)
	var text, html bytes.Buffer
	if err := digestText.Execute(&text, v); err != nil {
		return err
	}
	if err := digestHTML.Execute(&html, v); err != nil {
		return err
	}
	subject := digestSubject(items)
	return d.Mailer.Send(ctx, Email{To: u.Notify.Email, Subject: subject, MessageID: d.Mailer.MessageID(b.ID),
		Text: text.String(), HTML: html.String(), Date: now})
}

// digestSubject names what is due: "Follow up with Jane Doe, Sam Roe",
// then what is about no contact in its own words ("Prepare for GoDays",
// "Next step: Submit the CFP — Talk at GopherCon"), two of them when there
// are more than three ("… and 4 more").
func digestSubject(items []DigestItem) string {
	var people, others []string
	more := ""
	for i, it := range items {
		if i == 2 && len(items) > 3 {
			more = fmt.Sprintf(" and %d more", len(items)-2)
			break
		}
		switch {
		case it.Kind == followup.Prep:
			others = append(others, "prepare for "+it.Event.Title)
		case it.Contact == nil:
			others = append(others, "next step: "+input.OneLine(it.Note, 60))
		default:
			people = append(people, it.Contact.Name)
		}
	}
	var parts []string
	if len(people) > 0 {
		parts = append(parts, "Follow up with "+strings.Join(people, ", "))
	}
	subject := strings.Join(append(parts, others...), "; ") + more
	r, size := utf8.DecodeRuneInString(subject)
	return string(unicode.ToUpper(r)) + subject[size:]
}

// recaps are the one-line reviews of the events the user went to the day
// before now (in their time zone). A failure leaves them out: the
// follow-ups are what the nudge is for.
func (d *Dispatcher) recaps(ctx context.Context, u *accounts.User, now time.Time) []string {
	if d.Recaps == nil {
		return nil
	}
	loc := u.Location()
	n := now.In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	out, err := d.Recaps(ctx, u, today.AddDate(0, 0, -1).UTC(), today.UTC())
	if err != nil {
		d.Logger.Warn("nudge: yesterday's recap left out", "user", u.ID, "err", err)
		return nil
	}
	return out
}

// emailTime is how emails show a time: in the user's zone, named
// ("Wed 25 Nov 09:00 CET"), so a reader elsewhere is not misled.
const emailTime = "Mon 2 Jan 15:04 MST"

// eventStarts is when an email says e starts: at emailTime, or an all-day
// event's day (events.Event.WholeDays), "Thu 10 Dec, all day".
func eventStarts(e *events.Event, loc *time.Location) string {
	if e.WholeDays() {
		return e.StartsAt.In(e.Zone()).Format("Mon 2 Jan") + ", all day"
	}
	return e.StartsAt.In(loc).Format(emailTime)
}
