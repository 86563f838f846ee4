package followup

import (
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/events"
)

var kindTitles = map[string]string{
	ThankYou: "Say thank you", CheckIn: "Check in", StayInTouch: "Stay in touch",
	IntroCheck: "Ask how the intro went", Custom: "Follow up", Opportunity: "Next step", Prep: "Prepare",
}

// Title is how a follow-up reads in a calendar or list: "Say thank you:
// Jane". One about no contact reads as its note: the brief before an
// event ("Prepare for GoDays"), or the next step of an opportunity that
// names no one ("Next step: Submit the CFP — Talk at GopherCon").
func Title(f *FollowUp, contactName string) string {
	switch {
	case f.Kind == Prep:
		return f.Note
	case Contactless(f):
		return kindTitles[f.Kind] + ": " + f.Note
	}
	return kindTitles[f.Kind] + ": " + contactName
}

// Contactless reports whether a follow-up is about no contact: the brief
// before an event, or the next step of an opportunity that names neither
// who told you of it nor a recruiter. Lists show it without looking one
// up, and its note is its title.
func Contactless(f *FollowUp) bool {
	return f.Kind == Prep || (f.Kind == Opportunity && f.ContactID == "")
}

// alarmBefore is when a follow-up's calendar alarm fires: at its due time.
var alarmBefore = time.Duration(0)

// FollowUpEntry is a pending follow-up as a 15-minute calendar entry with an alarm.
func FollowUpEntry(f *FollowUp, contactName, baseURL string) calendar.Event {
	desc := f.Note
	if desc != "" {
		desc += "\n\n"
	}
	desc += baseURL + "/app/followups#f-" + f.ID
	return calendar.Event{UID: "followup-" + f.ID + "@rapport", Summary: Title(f, contactName), Description: desc,
		Start: f.DueAt, End: f.DueAt.Add(15 * time.Minute), Stamp: f.UpdatedAt, LastModified: f.UpdatedAt,
		Sequence: f.Sequence, Alarm: &alarmBefore}
}

// EventEntry is an event as a calendar entry.
func EventEntry(e *events.Event, baseURL string) calendar.Event {
	status := "CONFIRMED"
	switch e.Status {
	case "cancelled":
		status = "CANCELLED"
	case "planned":
		status = "TENTATIVE"
	}
	var lines []string
	if n := strings.TrimSpace(e.Notes); n != "" {
		lines = append(lines, n)
	}
	for _, t := range e.Talks {
		line := t.Title
		if t.Speaker != "" {
			line += " — " + t.Speaker
		}
		lines = append(lines, line)
	}
	desc := strings.Join(lines, "\n") // no blank first line when there are no notes
	entry := calendar.Event{UID: "event-" + e.ID + "@rapport", Summary: e.Title, Description: desc, Location: e.Location, URL: e.URL,
		Start: e.StartsAt, End: e.EndsAt, Stamp: e.UpdatedAt, LastModified: e.UpdatedAt, Sequence: e.Sequence,
		Status: status, Categories: e.Tags}
	if e.WholeDays() { // an all-day event stays one in the user's calendar
		loc := e.Zone()
		entry.AllDay, entry.Start, entry.End = true, e.StartsAt.In(loc), e.EndsAt.In(loc)
	}
	return entry
}

// KindTitle is how a kind of follow-up reads: "Say thank you".
func KindTitle(kind string) string { return kindTitles[kind] }
