package dispatch_test

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/opportunities"
)

func TestAgenda(t *testing.T) {
	// Monday 2026-11-23, 06:00 UTC = 07:00 Berlin.
	e := newEnv(t, time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC))
	u := e.user(t, "ada@example.com", map[string]any{"timezone": "Europe/Berlin", "agenda": map[string]any{"enabled": true, "schedule": "0 8 * * MON"}})
	if _, err := e.crm.Events.Create(t.Context(), u.ID, u.Timezone, events.Input{Title: "Rust, WASM; & more", StartsAt: "2026-11-25T18:00:00Z", Location: "c-base"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.crm.Events.Create(t.Context(), u.ID, u.Timezone, events.Input{Title: "Too late", StartsAt: "2026-12-05T18:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	jane := e.contact(t, u, "jane")
	e.crm.Followups.Create(t.Context(), u.ID, &followup.FollowUp{ContactID: jane.ID, Kind: followup.Custom, DueAt: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)})
	// An opportunity's next step is on the agenda too.
	if _, err := e.crm.CreateOpportunity(t.Context(), u, opportunities.Input{Title: "Staff engineer", SourceContactID: jane.ID,
		NextStep: "Send CV", NextStepAt: "2026-11-27T09:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(t, "p1")
	mustRun(t, d)
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("%d emails before 8:00", n)
	}
	e.clock.Set(time.Date(2026, 11, 23, 7, 0, 10, 0, time.UTC)) // 8:00 Berlin
	mustRun(t, d)
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails, want the agenda", len(msgs))
	}
	text := plainText(t, msgs[0].Data)
	if !strings.Contains(text, "Rust, WASM; & more (c-base)") || strings.Contains(text, "Too late") || !strings.Contains(text, "Follow up: jane") ||
		!strings.Contains(text, "Next step: jane") || !strings.Contains(text, "Send CV") {
		t.Fatalf("agenda text:\n%s", text)
	}
	m, _ := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	ics := findPart(t, m.Header.Get("Content-Type"), m.Body, "", "agenda.ics")
	cal, err := ical.NewDecoder(strings.NewReader(ics)).Decode()
	if err != nil {
		t.Fatalf("agenda.ics does not parse: %v\n%s", err, ics)
	}
	if n := len(cal.Events()); n != 3 {
		t.Fatalf("agenda.ics has %d events, want 3", n)
	}
	agendas := func() int {
		n := 0
		for _, m := range e.smtp.Messages() {
			if strings.HasPrefix(m.Header.Get("Subject"), "Your week") {
				n++
			}
		}
		return n
	}
	// Not again this week (the follow-up's own nudge comes on Thursday, the
	// next step's on Friday); again next Monday.
	for i := 0; i < 6; i++ {
		e.clock.Add(24 * time.Hour)
		mustRun(t, d)
	}
	if n := agendas(); n != 1 {
		t.Fatalf("%d agendas during the week", n)
	}
	if n := len(e.smtp.Messages()); n != 3 {
		t.Fatalf("%d emails during the week, want the agenda and two nudges", n)
	}
	e.clock.Add(24 * time.Hour)
	mustRun(t, d)
	if n := agendas(); n != 2 {
		t.Fatalf("%d agendas after a week, want 2", n)
	}
}

// TestAgendaWithManyOverdue: the week's own follow-ups are on the agenda
// however many are overdue; the overdue ones are listed first, ten of
// them, and a line says there are more. The agenda read the first 200
// pending by due time, and 205 overdue left the week's out.
func TestAgendaWithManyOverdue(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)) // Monday, 07:00 in Berlin
	u := e.user(t, "ada@example.com", map[string]any{"timezone": "Europe/Berlin", "agenda": map[string]any{"enabled": true, "schedule": "0 8 * * MON"}})
	jane := e.contact(t, u, "jane")
	for i := range 205 { // due in October, an hour apart
		if _, err := e.crm.Followups.Create(t.Context(), u.ID, &followup.FollowUp{ContactID: jane.ID, Kind: followup.Custom, Note: fmt.Sprintf("old %03d", i),
			DueAt: time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.crm.Followups.Create(t.Context(), u.ID, &followup.FollowUp{ContactID: jane.ID, Kind: followup.Custom, Note: "this week",
		DueAt: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(t, "p1")
	e.clock.Set(time.Date(2026, 11, 23, 7, 0, 10, 0, time.UTC)) // 8:00 Berlin
	mustRun(t, d)
	text, cal := agendaSent(t, e)
	// The week's one (Thursday), the ten overdue first (1 October from
	// 10:00 in Berlin), and no eleventh.
	if !strings.Contains(text, "Thu 26 Nov 09:00") || !strings.Contains(text, "Thu 1 Oct 19:00") || strings.Contains(text, "Thu 1 Oct 20:00") ||
		!strings.Contains(text, "and more overdue: https://rapport.example/app/followups") || strings.Contains(text, "more due this week") {
		t.Fatalf("agenda text:\n%s", text)
	}
	if n := len(cal.Events()); n != 11 {
		t.Fatalf("agenda.ics has %d events, want the ten overdue and the week's one", n)
	}
	if strings.Contains(text, "a month late") {
		t.Fatal("your own follow-ups, however late, are offered for dropping")
	}
}

// TestAgendaPointsToStale: a thank-you among the overdue a month late or
// more brings a line to the follow-ups page's offer to drop such at once.
func TestAgendaPointsToStale(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC))
	u := e.user(t, "ada@example.com", map[string]any{"timezone": "Europe/Berlin", "agenda": map[string]any{"enabled": true, "schedule": "0 8 * * MON"}})
	jane := e.contact(t, u, "jane")
	if _, err := e.crm.Followups.Create(t.Context(), u.ID, &followup.FollowUp{ContactID: jane.ID, Kind: followup.ThankYou,
		DueAt: time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(t, "p1")
	e.clock.Set(time.Date(2026, 11, 23, 7, 0, 10, 0, time.UTC))
	mustRun(t, d)
	if text, _ := agendaSent(t, e); !strings.Contains(text, "* some are a month late or more; drop those at once: https://rapport.example/app/followups#stale-h") {
		t.Fatalf("agenda text:\n%s", text)
	}
}

// TestAgendaOfAFullWeek: a week with more follow-ups due than the agenda
// lists (205, after a conference) says so and where the rest are. It
// listed the first 200 as if they were all.
func TestAgendaOfAFullWeek(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)) // Monday, 07:00 in Berlin
	u := e.user(t, "ada@example.com", map[string]any{"timezone": "Europe/Berlin", "agenda": map[string]any{"enabled": true, "schedule": "0 8 * * MON"}})
	jane := e.contact(t, u, "jane")
	for i := range 205 { // from Tuesday, ten minutes apart
		if _, err := e.crm.Followups.Create(t.Context(), u.ID, &followup.FollowUp{ContactID: jane.ID, Kind: followup.Custom, Note: fmt.Sprintf("due %03d", i),
			DueAt: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 10 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	d := e.dispatcher(t, "p1")
	e.clock.Set(time.Date(2026, 11, 23, 7, 0, 10, 0, time.UTC)) // 8:00 Berlin
	mustRun(t, d)
	text, cal := agendaSent(t, e)
	if !strings.Contains(text, "and more due this week: https://rapport.example/app/followups") || strings.Contains(text, "more overdue") {
		t.Fatalf("agenda text:\n%s", text)
	}
	if n := len(cal.Events()); n != 200 {
		t.Fatalf("agenda.ics has %d events, want the first 200", n)
	}
}

// TestAgendaOfAConferenceWeek: the agenda lists all of the week's events
// when a followed conference's schedule brings 250 sessions before
// Sunday's meetup. It read the first 200 by start, and the meetup, the
// one the user meant to go to, was left out of the email and its .ics.
func TestAgendaOfAConferenceWeek(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)) // Monday, 07:00 in Berlin
	u := e.user(t, "ada@example.com", map[string]any{"timezone": "Europe/Berlin", "agenda": map[string]any{"enabled": true, "schedule": "0 8 * * MON"}})
	for day := range 5 {
		for i := range 50 { // Monday to Friday, 09:00 to 17:10 UTC, ten minutes apart
			at := time.Date(2026, 11, 23+day, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 10 * time.Minute)
			if _, err := e.crm.Events.Create(t.Context(), u.ID, u.Timezone, events.Input{Title: fmt.Sprintf("Session %d.%02d", day+1, i),
				Kind: "conference", StartsAt: at.Format(time.RFC3339)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := e.crm.Events.Create(t.Context(), u.ID, u.Timezone, events.Input{Title: "Go meetup",
		StartsAt: "2026-11-29T17:00:00Z", Location: "c-base"}); err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(t, "p1")
	e.clock.Set(time.Date(2026, 11, 23, 7, 0, 10, 0, time.UTC)) // 8:00 Berlin
	mustRun(t, d)
	text, cal := agendaSent(t, e)
	if !strings.Contains(text, "Sun 29 Nov 18:00 CET  Go meetup (c-base)") || !strings.Contains(text, "Session 5.49") ||
		!strings.Contains(text, "Session 1.00") {
		t.Fatalf("agenda text:\n%s", text)
	}
	if n := len(cal.Events()); n != 251 {
		t.Fatalf("agenda.ics has %d events, want the 250 sessions and the meetup", n)
	}
}

// agendaSent returns the text and the agenda.ics, parsed, of the last
// agenda e's SMTP server received.
func agendaSent(t *testing.T, e *env) (string, *ical.Calendar) {
	t.Helper()
	var text, ics string
	for _, m := range e.smtp.Messages() {
		if strings.HasPrefix(m.Header.Get("Subject"), "Your week") {
			text = plainText(t, m.Data)
			msg, _ := mail.ReadMessage(bytes.NewReader(m.Data))
			ics = findPart(t, msg.Header.Get("Content-Type"), msg.Body, "", "agenda.ics")
		}
	}
	if text == "" {
		t.Fatal("no agenda was sent")
	}
	cal, err := ical.NewDecoder(strings.NewReader(ics)).Decode()
	if err != nil {
		t.Fatalf("agenda.ics does not parse: %v\n%s", err, ics)
	}
	return text, cal
}

// TestAgendaWithAnAllDayEvent: an all-day event (a calendar's DATE event,
// midnight to midnight in its zone) is on the agenda by its day, and in
// agenda.ics as an all-day event. It read "Thu 26 Nov 00:00 CET".
func TestAgendaWithAnAllDayEvent(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)) // Monday, 07:00 in Berlin
	u := e.user(t, "ada@example.com", map[string]any{"timezone": "Europe/Berlin", "agenda": map[string]any{"enabled": true, "schedule": "0 8 * * MON"}})
	if _, err := e.crm.Events.Create(t.Context(), u.ID, u.Timezone, events.Input{Title: "DevOpsDays", StartsAt: "2026-11-26T00:00:00+01:00",
		EndsAt: "2026-11-28T00:00:00+01:00"}); err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(t, "p1")
	e.clock.Set(time.Date(2026, 11, 23, 7, 0, 10, 0, time.UTC)) // 8:00 Berlin
	mustRun(t, d)
	text, cal := agendaSent(t, e)
	if !strings.Contains(text, "* Thu 26 Nov, all day  DevOpsDays") || strings.Contains(text, "00:00") {
		t.Fatalf("agenda text:\n%s", text)
	}
	if p := cal.Events()[0].Props.Get(ical.PropDateTimeStart); p == nil || p.ValueType() != ical.ValueDate || p.Value != "20261126" {
		t.Fatalf("agenda.ics DTSTART %+v", p)
	}
}
