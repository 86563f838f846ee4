package sqlite

import (
	"context"
	"strings"

	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Attendees is the events.AttendeeStore of the embedded store.
type Attendees struct{ DB *DB }

var _ events.AttendeeStore = (*Attendees)(nil)

const attendeeColumns = `id, user_id, event_id, key, name, email, company, title, linkedin_url, status, created_at, updated_at`

func attendeeArgs(a *events.Attendee) []any {
	return []any{a.ID, a.UserID, a.EventID, a.Key, a.Name, a.Email, a.Company, a.Title, a.LinkedInURL, a.Status,
		formatTime(a.CreatedAt), formatTime(a.UpdatedAt), strings.ToLower(a.Name)}
}

func scanAttendee(r scanner) (*events.Attendee, error) {
	var a events.Attendee
	var created, updated string
	if err := r.Scan(&a.ID, &a.UserID, &a.EventID, &a.Key, &a.Name, &a.Email, &a.Company, &a.Title, &a.LinkedInURL, &a.Status,
		&created, &updated); err != nil {
		return nil, translate(err, "attendee")
	}
	var err error
	if a.CreatedAt, err = parseTime(created); err == nil {
		a.UpdatedAt, err = parseTime(updated)
	}
	return &a, translate(err, "attendee")
}

// UpsertAttendees implements events.AttendeeStore: one transaction, each
// row inserted or, on its key (attendees_user_event_key), updated; the id
// the row comes back with says which.
func (s *Attendees) UpsertAttendees(ctx context.Context, userID, eventID string, as []events.Attendee) (added, updated int, err error) {
	err = s.DB.Update(ctx, func(tx *Tx) error {
		added, updated = 0, 0
		for i := range as {
			a := &as[i]
			a.UserID, a.EventID = userID, eventID
			args := attendeeArgs(a)
			var id string
			if err := tx.tx.QueryRowContext(ctx, `INSERT INTO attendees(`+attendeeColumns+`, name_lower) VALUES(`+placeholders(len(args))+`)
				ON CONFLICT(user_id, event_id, key) DO UPDATE SET name = excluded.name, name_lower = excluded.name_lower,
				email = excluded.email, company = excluded.company, title = excluded.title, linkedin_url = excluded.linkedin_url,
				status = excluded.status, updated_at = excluded.updated_at
				RETURNING id`, args...).Scan(&id); err != nil {
				return translate(err, "attendee")
			}
			if id == a.ID {
				added++
			} else {
				updated++
			}
		}
		return nil
	})
	return added, updated, err
}

// Attendees implements events.AttendeeStore (attendees_user_event_name).
func (s *Attendees) Attendees(ctx context.Context, userID, eventID string, limit int, cur *record.Cursor) (*record.Page[events.Attendee], error) {
	return pageByName(ctx, s.DB, `SELECT `+attendeeColumns+` FROM attendees WHERE user_id = ? AND event_id = ?`, []any{userID, eventID},
		cur, record.PageSize(limit), "attendee", scanAttendee, func(a *events.Attendee) (string, string) { return a.Name, a.ID })
}

// AttendeesOf implements events.AttendeeStore (attendees_user_event_name).
func (s *Attendees) AttendeesOf(ctx context.Context, userID, eventID string, max int) ([]events.Attendee, error) {
	return queryAll(ctx, s.DB, "attendee", scanAttendee, `SELECT `+attendeeColumns+` FROM attendees WHERE user_id = ? AND event_id = ?
		ORDER BY name_lower, id LIMIT ?`, userID, eventID, max)
}

// AttendeesNamed implements events.AttendeeStore (attendees_user_event_name).
func (s *Attendees) AttendeesNamed(ctx context.Context, userID, eventID, name string, max int) ([]events.Attendee, error) {
	return queryAll(ctx, s.DB, "attendee", scanAttendee, attendeesNamedQuery, userID, eventID, strings.ToLower(name), max)
}

// attendeesNamedQuery reads the guests of one name: a range of
// attendees_user_event_name, in its order (TestAttendeeQueryPlans).
const attendeesNamedQuery = `SELECT ` + attendeeColumns + ` FROM attendees WHERE user_id = ? AND event_id = ? AND name_lower = ? ORDER BY id LIMIT ?`

// Attendee implements events.AttendeeStore (the primary key, scoped by
// user and event).
func (s *Attendees) Attendee(ctx context.Context, userID, eventID, id string) (*events.Attendee, error) {
	return scanAttendee(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+attendeeColumns+` FROM attendees WHERE id = ? AND user_id = ? AND event_id = ?`,
		id, userID, eventID))
}

// DeleteAttendee implements events.AttendeeStore (the primary key, scoped
// by user and event).
func (s *Attendees) DeleteAttendee(ctx context.Context, userID, eventID, id string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		return tx.writeOwned(ctx, `DELETE FROM attendees WHERE id = ? AND user_id = ? AND event_id = ?`, "attendee", id, userID, eventID)
	})
}

// DeleteAttendeesOf implements events.AttendeeStore (attendees_user_event_key).
func (s *Attendees) DeleteAttendeesOf(ctx context.Context, userID, eventID string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM attendees WHERE user_id = ? AND event_id = ?`, userID, eventID)
		return translate(err, "attendee")
	})
}

// AttendeeArchive walks and restores the user's guest lists.
func (s *Attendees) AttendeeArchive() record.Archive[events.Attendee] {
	return archive[events.Attendee]{db: s.DB, table: "attendees", columns: attendeeColumns, scan: scanAttendee,
		insert: func(tx *Tx, ctx context.Context, r *events.Attendee) error {
			args := attendeeArgs(r)
			_, err := tx.tx.ExecContext(ctx, `INSERT INTO attendees(`+attendeeColumns+`, name_lower) VALUES(`+placeholders(len(args))+`)`, args...)
			return translate(err, "attendee")
		}}
}
