package events

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/record"
)

// Store keeps events and the external calendars the user follows. The
// embedded store (pkg/sqlite) and MongoDB (pkg/mongodb) implement it, and
// pkg/storetest checks both. Every method is scoped to one user: another
// user's id is NotFound.
type Store interface {
	// EventArchive walks and restores events as they are.
	EventArchive() record.Archive[Event]
	// CalendarArchive walks and restores followed calendars as they are.
	CalendarArchive() record.Archive[Calendar]
	// CreateEvent stores e (ID and UserID set).
	CreateEvent(ctx context.Context, e *Event) error
	// ImportEvents stores new events of a calendar sync, in one go.
	ImportEvents(ctx context.Context, es []*Event) error
	// Event returns one of the user's events; NotFound if it does not exist
	// or is another user's.
	Event(ctx context.Context, userID, id string) (*Event, error)
	// UpdateEvent replaces the user's event e.ID with e; NotFound if there
	// is none.
	UpdateEvent(ctx context.Context, e *Event) error
	// DeleteEvent removes one of the user's events; NotFound if none.
	DeleteEvent(ctx context.Context, userID, id string) error
	// Events returns one page of the user's events by starts_at (then id;
	// Cursor.T is starts_at), filtered by time, tag and plain text.
	Events(ctx context.Context, userID string, q EventQuery) (*record.Page[Event], error)
	// EventsByID returns those of ids that are the user's events, by id.
	EventsByID(ctx context.Context, userID string, ids []string) (map[string]*Event, error)
	// AllEvents returns all of the user's events by starts_at (feeds).
	AllEvents(ctx context.Context, userID string) ([]Event, error)
	// EventsFromCalendar returns the user's events a calendar brought in.
	EventsFromCalendar(ctx context.Context, userID, calendarID string) ([]Event, error)

	// CreateCalendar stores a followed calendar.
	CreateCalendar(ctx context.Context, c *Calendar) error
	// Calendar returns one of the user's calendars; NotFound if none.
	Calendar(ctx context.Context, userID, id string) (*Calendar, error)
	// Calendars lists the user's calendars, oldest first; every user's
	// when userID is "" (the scheduled sync).
	Calendars(ctx context.Context, userID string) ([]Calendar, error)
	// DeleteCalendar removes one of the user's calendars; NotFound if none.
	DeleteCalendar(ctx context.Context, userID, id string) error
	// RecordSync stores the outcome of a calendar's sync: when, and either
	// what it did or why it failed (result nil).
	RecordSync(ctx context.Context, calendarID string, at time.Time, result *SyncResult, failure string) error
	// NameCalendar gives a calendar followed without a name the name its
	// feed gives itself.
	NameCalendar(ctx context.Context, calendarID, name string) error
	// ClaimSync takes a calendar's sync for one window (slot): true for the
	// first process to ask, false for every other.
	ClaimSync(ctx context.Context, calendarID, slot string, at time.Time) (bool, error)
	// PurgeSyncClaims removes claims taken before a time.
	PurgeSyncClaims(ctx context.Context, before time.Time) error
}

// EventQuery selects one page of events.
type EventQuery struct {
	From, To *time.Time // starts_at in [From, To)
	Tag, Q   string
	Limit    int
	Cursor   *record.Cursor
}
