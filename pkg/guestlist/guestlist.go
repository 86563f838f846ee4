// Package guestlist reads an event's guest list as the event sites export
// it — Luma, Meetup and Eventbrite CSVs, told apart by their header rows —
// or as Rapport's own JSON (PRODUCT.md §11), into attendees with their
// line numbers; a bad line is reported and the others are read.
package guestlist

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"unicode/utf8"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/input"
)

// The formats a guest list comes in.
const (
	Luma       = "luma"
	Meetup     = "meetup"
	Eventbrite = "eventbrite"
	Plain      = "csv"  // name,email,company,title,linkedin_url,status
	JSON       = "json" // {attendees: [...]}
)

// MaxRows bounds the attendees one import reads; the lines after it are
// reported, not read.
const MaxRows = 10000

// Field bounds (runes): what events.Attendee.Validate holds a restored
// guest to.
const (
	maxName  = input.MaxName
	maxField = events.MaxGuestField
)

// Row is one attendee read from a list, or why its line could not be.
type Row struct {
	Line     int
	Attendee events.Attendee // Name, Email, Company, Title, LinkedInURL, Status
	Err      error
}

// Input is one attendee of the JSON form.
type Input struct {
	Name        string `json:"name"`
	Email       string `json:"email"`
	Company     string `json:"company"`
	Title       string `json:"title"`
	LinkedInURL string `json:"linkedin_url"`
	Status      string `json:"status"`
}

// jsonBody is POST /v1/events/{id}/attendees/import with JSON.
type jsonBody struct {
	Attendees []json.RawMessage `json:"attendees"`
}

// ReadJSON reads {attendees: [...]}: each item's Line is its position
// (1 for the first). An item of the wrong shape is reported, the others
// are read.
func ReadJSON(data []byte, fn func(Row) error) error {
	var body jsonBody
	if err := input.Decode(data, &body); err != nil {
		return err
	}
	if len(body.Attendees) > MaxRows {
		return apperr.InvalidField("attendees", "at most %d attendees at once", MaxRows)
	}
	for i, raw := range body.Attendees {
		var in Input
		if err := input.Decode(raw, &in); err != nil {
			if err := fn(Row{Line: i + 1, Err: err}); err != nil {
				return err
			}
			continue
		}
		a, err := in.attendee(func(s string) (string, error) { return plainStatus(s) })
		if err := fn(Row{Line: i + 1, Attendee: a, Err: err}); err != nil {
			return err
		}
	}
	return nil
}

// ReadCSV reads a CSV guest list and says which format its header row
// makes it. Lines past MaxRows rows are reported once and not read.
func ReadCSV(ctx context.Context, r io.Reader, fn func(Row) error) (string, error) {
	format := ""
	rows := 0
	header := func(rec []string) map[int]string {
		f, cols := detect(rec)
		if cols != nil {
			format = f
		}
		return cols
	}
	oneLine := func(string) bool { return true }
	err := codec.ReadCSVRecords(ctx, r, codec.CSVLayout{Header: header, OneLine: oneLine,
		NoHeader: "no header row found: want a guest list as Luma, Meetup or Eventbrite export it, or a row of column names such as name,email,company,title,linkedin_url,status"},
		func(line int, rec []string, cols map[int]string, err error) error {
			if err != nil {
				return fn(Row{Line: line, Err: err})
			}
			rows++
			if rows == MaxRows+1 {
				return fn(Row{Line: line, Err: fmt.Errorf("more than %d attendees: this line and the ones after it were not read", MaxRows)})
			}
			if rows > MaxRows {
				return nil
			}
			a, err := rowOf(format, rec, cols)
			return fn(Row{Line: line, Attendee: a, Err: err})
		})
	return format, err
}

// detect tells a header row's format and the field each column holds, or
// nil when the row is not a header.
func detect(rec []string) (string, map[int]string) {
	names := map[string]int{}
	for i, h := range rec {
		names[codec.HeaderName(h)] = i
	}
	has := func(hs ...string) bool {
		for _, h := range hs {
			if _, ok := names[h]; !ok {
				return false
			}
		}
		return true
	}
	var format string
	switch {
	case has("approval_status") || has("api_id", "first_name"):
		format = Luma
	case has("user id", "rsvp") || has("name", "rsvp"):
		format = Meetup
	case has("first name", "last name") && (has("order #") || has("attendee status") || has("ticket type")):
		format = Eventbrite
	case has("name") || has("first name", "last name") || has("first_name", "last_name"):
		format = Plain
	default:
		return "", nil
	}
	cols := map[int]string{}
	for h, i := range names {
		if f := fieldOf(format, h); f != "" {
			cols[i] = f
		}
	}
	return format, cols
}

// fieldOf is the field a column holds in a format ("" for none read).
func fieldOf(format, h string) string {
	switch h {
	case "name", "full name", "attendee name":
		return "name"
	case "first_name", "first name":
		return "first"
	case "last_name", "last name":
		return "last"
	case "email", "email address", "e-mail":
		return "email"
	case "company", "organization", "organisation", "company name":
		return "company"
	case "title", "job title", "job_title", "role", "position":
		return "title"
	case "linkedin_url", "linkedin", "linkedin url", "linkedin profile":
		return "linkedin"
	case "status", "approval_status", "rsvp", "attendee status":
		return "status"
	case "checked_in_at", "checked in":
		return "checked_in"
	}
	// Luma and Eventbrite name the answers to their questions by the
	// question: "What company do you work for?", "Your LinkedIn".
	if format == Luma || format == Eventbrite {
		switch {
		case strings.Contains(h, "linkedin"):
			return "linkedin"
		case strings.Contains(h, "company") || strings.Contains(h, "organization") || strings.Contains(h, "organisation"):
			return "company"
		case strings.Contains(h, "job title") || strings.Contains(h, "your role"):
			return "title"
		}
	}
	return ""
}

// rowOf makes an attendee of one CSV record.
func rowOf(format string, rec []string, cols map[int]string) (events.Attendee, error) {
	var in Input
	var first, last, status, checkedIn string
	for i, v := range rec {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		switch cols[i] {
		case "name":
			in.Name = v
		case "first":
			first = v
		case "last":
			last = v
		case "email":
			in.Email = v
		case "company":
			if in.Company == "" {
				in.Company = v
			}
		case "title":
			if in.Title == "" {
				in.Title = v
			}
		case "linkedin":
			if in.LinkedInURL == "" {
				in.LinkedInURL = v
			}
		case "status":
			status = v
		case "checked_in":
			checkedIn = v
		}
	}
	if in.Name == "" {
		in.Name = strings.TrimSpace(first + " " + last)
	}
	in.Status = status
	return in.attendee(func(s string) (string, error) {
		st, err := Status(format, s)
		if err == nil && checkedIn != "" && !strings.EqualFold(checkedIn, "no") && st != events.AttendeeDeclined {
			st = events.AttendeeCheckedIn // Luma's checked_in_at, Eventbrite's "Checked In: Yes"
		}
		return st, err
	})
}

// statuses maps each format's words for a guest's state to ours.
var statuses = map[string]map[string]string{
	Luma: {"approved": events.AttendeeGoing, "going": events.AttendeeGoing, "pending_approval": events.AttendeeWaitlist,
		"waitlist": events.AttendeeWaitlist, "invited": events.AttendeeWaitlist, "declined": events.AttendeeDeclined,
		"not_going": events.AttendeeDeclined, "checked_in": events.AttendeeCheckedIn},
	Meetup: {"yes": events.AttendeeGoing, "no": events.AttendeeDeclined, "waitlist": events.AttendeeWaitlist,
		"waitlisted": events.AttendeeWaitlist, "attended": events.AttendeeCheckedIn},
	Eventbrite: {"attending": events.AttendeeGoing, "checked in": events.AttendeeCheckedIn, "not attending": events.AttendeeDeclined,
		"cancelled": events.AttendeeDeclined, "canceled": events.AttendeeDeclined, "refunded": events.AttendeeDeclined,
		"deleted": events.AttendeeDeclined, "transferred": events.AttendeeDeclined},
}

// Status maps a format's word for a guest's state to ours; "" is going.
// A word the format does not use is an error naming it.
func Status(format, s string) (string, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	if w == "" {
		return events.AttendeeGoing, nil
	}
	if st, ok := statuses[format][w]; ok {
		return st, nil
	}
	if format == Plain || format == JSON {
		return plainStatus(s)
	}
	return "", fmt.Errorf("status: %q is not a %s guest state we know", s, format)
}

// plainStatus reads Rapport's own states (and the common yes/no).
func plainStatus(s string) (string, error) {
	w := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_")
	switch w {
	case "", "going", "yes", "attending", "approved":
		return events.AttendeeGoing, nil
	case "waitlist", "waitlisted":
		return events.AttendeeWaitlist, nil
	case "declined", "no", "not_going":
		return events.AttendeeDeclined, nil
	case "checked_in", "attended":
		return events.AttendeeCheckedIn, nil
	}
	return "", fmt.Errorf("status: %q is not one of going, waitlist, declined, checked_in", s)
}

// attendee checks one attendee's fields.
func (in Input) attendee(status func(string) (string, error)) (events.Attendee, error) {
	// Trimmed once cleaned: a name of spaces and control characters is no
	// name (a restore would refuse it, and with it the whole backup).
	clean := func(s string) string { return strings.TrimSpace(input.CleanText(s)) }
	a := events.Attendee{Name: clean(in.Name), Email: strings.ToLower(strings.TrimSpace(in.Email)),
		Company: clean(in.Company), Title: clean(in.Title), LinkedInURL: strings.TrimSpace(in.LinkedInURL)}
	switch {
	case a.Name == "":
		return a, fmt.Errorf("name: is required")
	case utf8.RuneCountInString(a.Name) > maxName:
		return a, fmt.Errorf("name: at most %d characters", maxName)
	case utf8.RuneCountInString(a.Company) > maxField || utf8.RuneCountInString(a.Title) > maxField || len(a.Email) > maxField || len(a.LinkedInURL) > maxField:
		return a, fmt.Errorf("a field is longer than %d characters", maxField)
	}
	if a.Email != "" {
		if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email {
			return a, fmt.Errorf("email: %q is not an email address", in.Email)
		}
	}
	if a.LinkedInURL != "" {
		if a.LinkedInURL = contacts.CanonicalLinkedIn(a.LinkedInURL); a.LinkedInURL == "" {
			return a, fmt.Errorf("linkedin_url: %q is not a LinkedIn profile", in.LinkedInURL)
		}
	}
	st, err := status(in.Status)
	if err != nil {
		return a, err
	}
	a.Status = st
	return a, nil
}
