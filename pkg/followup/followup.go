package followup

import (
	"cmp"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
)

// Kinds of follow-up.
const (
	ThankYou    = "thank_you"
	CheckIn     = "check_in"
	StayInTouch = "stay_in_touch"
	IntroCheck  = "intro_check"
	Custom      = "custom"
	// Opportunity is an opportunity's next step (one pending per
	// opportunity).
	Opportunity = "opportunity"
	// Prep is the brief before an event (PRODUCT.md §11): no contact, the
	// event's id, one pending per event; its note is "Prepare for <event>".
	Prep = "prep"
)

// Kinds are the kinds of follow-up.
var Kinds = []string{ThankYou, CheckIn, StayInTouch, IntroCheck, Custom, Opportunity, Prep}

// Statuses of a follow-up.
const (
	Pending   = "pending"
	Done      = "done"
	Cancelled = "cancelled"
)

// CheckStatus is nil if status filters a list of follow-ups (pending,
// done, cancelled, or also all when allowAll), else Invalid naming the
// field "status".
func CheckStatus(status string, allowAll bool) error {
	switch status {
	case Pending, Done, Cancelled:
		return nil
	case "all":
		if allowAll {
			return nil
		}
	}
	if allowAll {
		return apperr.InvalidField("status", "must be pending, done, cancelled or all")
	}
	return apperr.InvalidField("status", "must be pending, done or cancelled")
}

// FollowUp is a reminder to get back to a contact.
type FollowUp struct {
	ID          string    `json:"id"`
	UserID      string    `json:"-"`
	ContactID   string    `json:"contact_id"`
	Kind        string    `json:"kind"`
	DueAt       time.Time `json:"due_at"`
	Status      string    `json:"status"`
	Note        string    `json:"note"`
	EncounterID string    `json:"encounter_id,omitempty"`
	IntroID     string    `json:"intro_id,omitempty"`
	EventID     string    `json:"event_id,omitempty"`
	// OpportunityID is the opportunity whose next step this is.
	OpportunityID string `json:"opportunity_id,omitempty"`
	// NotifiedAt and DeliveryError are not stored on the follow-up: they come
	// from its nudge record for its current due time (see nudgeDoc), because
	// on the embedded store every update of a document scans its collection.
	NotifiedAt    *time.Time `json:"notified_at"`
	DeliveryError string     `json:"delivery_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	// EndedAt is when it was done or cancelled (insights judge "done on
	// time" by it; documents from before it existed use UpdatedAt).
	EndedAt *time.Time `json:"-"`
	// Sequence rises when the due time changes (calendar clients need it).
	Sequence int `json:"-"`

	// PendingKey makes "one pending follow-up of a kind per contact" a
	// unique index: user|contact|kind while pending (user|opportunity|id
	// for an opportunity's next step), the follow-up's own id otherwise
	// (and always for custom ones, which may repeat).
	PendingKey string `json:"-"`
}

// PendingKey returns the value of f's pending_key (see FollowUp.PendingKey).
func PendingKey(f *FollowUp) string { return pendingKey(f) }

func pendingKey(f *FollowUp) string {
	if f.Status == Pending && f.Kind == Opportunity {
		return f.UserID + "|opportunity|" + f.OpportunityID
	}
	if f.Status == Pending && f.Kind == Prep {
		return f.UserID + "|prep|" + f.EventID
	}
	if f.Status == Pending && f.Kind != Custom {
		return f.UserID + "|" + f.ContactID + "|" + f.Kind
	}
	return f.ID
}

// DueAt returns the moment that is days calendar days after base, at
// nudgeHour:00 in loc. Adding calendar days in loc (not 24-hour periods)
// keeps the nudge at the same wall-clock hour across DST changes.
// A nudge hour that does not exist that day (skipped by a DST change)
// moves to the first hour after the gap.
func DueAt(base time.Time, days, nudgeHour int, loc *time.Location) time.Time {
	b := base.In(loc)
	t := time.Date(b.Year(), b.Month(), b.Day()+days, nudgeHour, 0, 0, 0, loc)
	for i := 0; i < 3 && t.In(loc).Hour() < nudgeHour; i++ {
		t = t.Add(time.Hour)
	}
	return t.UTC()
}

// Validate checks f, read from outside the product (a backup): a kind and
// a status of the product's, a due time, the record its kind is about (a
// contact; a prep's event; an opportunity's next step's opportunity), and
// a note no longer than one the product writes.
func (f *FollowUp) Validate() error {
	var c input.Checker
	c.RequiredOneOf("kind", f.Kind, Kinds...)
	if f.DueAt.IsZero() {
		c.Add("due_at", "is required")
	}
	switch f.Kind {
	case Prep:
		c.Required("event_id", f.EventID, input.MaxShort)
	case Opportunity:
		c.Required("opportunity_id", f.OpportunityID, input.MaxShort)
	case "":
	default:
		c.Required("contact_id", f.ContactID, input.MaxShort)
	}
	c.Text("note", f.Note, input.MaxNotes)
	return cmp.Or(c.Err(), CheckStatus(f.Status, false))
}
