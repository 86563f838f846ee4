package events

import (
	"context"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Attendee is one person on an event's guest list (PRODUCT.md §11). An
// attendee is not a contact: ContactID names the user's contact with the
// same email or LinkedIn URL, found when the list is read, and Met says
// whether an encounter with that contact at the event exists.
type Attendee struct {
	ID          string    `json:"id"`
	UserID      string    `json:"-"`
	EventID     string    `json:"event_id"`
	Key         string    `json:"-"`
	Name        string    `json:"name"`
	Email       string    `json:"email"`
	Company     string    `json:"company"`
	Title       string    `json:"title"`
	LinkedInURL string    `json:"linkedin_url"`
	Status      string    `json:"status"`
	ContactID   *string   `json:"contact_id"`
	Met         bool      `json:"met"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// The states of an attendee.
const (
	AttendeeGoing     = "going"
	AttendeeWaitlist  = "waitlist"
	AttendeeDeclined  = "declined"
	AttendeeCheckedIn = "checked_in"
)

// AttendeeStatuses are the states an attendee can be in.
var AttendeeStatuses = []string{AttendeeGoing, AttendeeWaitlist, AttendeeDeclined, AttendeeCheckedIn}

// MaxGuestField bounds a guest's company, title, email and LinkedIn URL
// (runes); a guest's name is bounded by input.MaxName.
const MaxGuestField = 300

// Validate checks a, read from outside the product (a backup): a name, a
// state of the guest list's, and fields no longer than a list or a feed
// stores.
func (a *Attendee) Validate() error {
	var c input.Checker
	c.Required("name", a.Name, input.MaxName)
	c.Text("email", a.Email, MaxGuestField)
	c.Text("company", a.Company, MaxGuestField)
	c.Text("title", a.Title, MaxGuestField)
	c.Text("linkedin_url", a.LinkedInURL, MaxGuestField)
	c.RequiredOneOf("status", a.Status, AttendeeStatuses...)
	return c.Err()
}

// AttendeeKey is what makes an attendee one person on one event's list:
// the lower-cased email, else the LinkedIn profile (as normalize makes
// it), else the folded name. Importing a list again updates by it.
func AttendeeKey(a *Attendee, normalizeLinkedIn func(string) string) string {
	if e := strings.ToLower(strings.TrimSpace(a.Email)); e != "" {
		return "email:" + e
	}
	if li := normalizeLinkedIn(a.LinkedInURL); li != "" {
		return "linkedin:" + li
	}
	return "name:" + input.Fold(strings.TrimSpace(a.Name))
}

// AttendeeStore keeps events' guest lists. Every method is scoped to one
// user and one event; another user's is NotFound or empty.
type AttendeeStore interface {
	// AttendeeArchive walks and restores guest lists as they are.
	AttendeeArchive() record.Archive[Attendee]
	// UpsertAttendees stores attendees of one event by their Key: a key
	// the list lacks is added (with the attendee's ID and CreatedAt), a
	// key it has is updated (its ID and CreatedAt kept). Imports running
	// at once never duplicate a key. It returns how many were added and
	// updated.
	UpsertAttendees(ctx context.Context, userID, eventID string, as []Attendee) (added, updated int, err error)
	// Attendees returns one page of an event's list by name (Cursor.S is
	// the lower-cased name).
	Attendees(ctx context.Context, userID, eventID string, limit int, cur *record.Cursor) (*record.Page[Attendee], error)
	// AttendeesOf returns at most max of an event's list, by name, in one
	// read (the brief and the review read whole lists).
	AttendeesOf(ctx context.Context, userID, eventID string, max int) ([]Attendee, error)
	// AttendeesNamed returns at most max of an event's list whose name,
	// lower-cased, is name (the guests a name typed at the event may mean).
	AttendeesNamed(ctx context.Context, userID, eventID, name string, max int) ([]Attendee, error)
	// Attendee returns one attendee of an event's list; NotFound if the
	// list has none with id.
	Attendee(ctx context.Context, userID, eventID, id string) (*Attendee, error)
	// DeleteAttendee removes one attendee; NotFound if the event's list
	// has none with id.
	DeleteAttendee(ctx context.Context, userID, eventID, id string) error
	// DeleteAttendeesOf removes an event's whole list.
	DeleteAttendeesOf(ctx context.Context, userID, eventID string) error
}
