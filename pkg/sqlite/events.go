package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Events is the events.Store of the embedded store.
type Events struct{ DB *DB }

var _ events.Store = (*Events)(nil)

const eventColumns = `id, user_id, title, kind, starts_at, ends_at, timezone, location, url, organizer, talks, tags, notes, status,
	sequence, source_calendar_id, source_uid, created_at, updated_at, intentions, targets, series`

func eventArgs(e *events.Event) []any {
	talks, _ := json.Marshal(e.Talks)
	if e.Talks == nil {
		talks = []byte("[]")
	}
	var calID, uid any
	if e.Source != nil {
		calID, uid = e.Source.CalendarID, e.Source.UID
	}
	intentions, _ := json.Marshal(e.Intentions)
	targets, _ := json.Marshal(e.Targets)
	return []any{e.ID, e.UserID, e.Title, e.Kind, formatTime(e.StartsAt), formatTime(e.EndsAt), e.Timezone, e.Location, e.URL,
		e.Organizer, string(talks), jsonList(e.Tags), e.Notes, e.Status, e.Sequence, calID, uid,
		formatTime(e.CreatedAt), formatTime(e.UpdatedAt), string(intentions), string(targets), e.Series, events.SearchText(e)}
}

// noIntentions is how eventArgs writes an event's intentions when it has
// none (events.Intentions.MarshalJSON).
const noIntentions = `{"meet":[],"learn":[],"give":[]}`

func scanEvent(r scanner) (*events.Event, error) {
	var e events.Event
	var starts, ends, talks, tags, created, updated, intentions, targets string
	var calID, uid sql.NullString
	if err := r.Scan(&e.ID, &e.UserID, &e.Title, &e.Kind, &starts, &ends, &e.Timezone, &e.Location, &e.URL, &e.Organizer,
		&talks, &tags, &e.Notes, &e.Status, &e.Sequence, &calID, &uid, &created, &updated, &intentions, &targets, &e.Series); err != nil {
		return nil, translate(err, "event")
	}
	err := unmarshalUnless(talks, "[]", &e.Talks, []events.Talk{})
	if err == nil {
		err = unmarshalStrings(tags, &e.Tags)
	}
	if err == nil {
		err = unmarshalUnless(intentions, noIntentions, &e.Intentions, events.Intentions{Meet: []string{}, Learn: []string{}, Give: []string{}})
	}
	if err == nil {
		err = unmarshalUnless(targets, "[]", &e.Targets, events.Targets{})
	}
	for _, t := range []struct {
		s   string
		dst *time.Time
	}{{starts, &e.StartsAt}, {ends, &e.EndsAt}, {created, &e.CreatedAt}, {updated, &e.UpdatedAt}} {
		if err == nil {
			*t.dst, err = parseTime(t.s)
		}
	}
	if err != nil {
		return nil, translate(err, "event")
	}
	if calID.Valid {
		e.Source = &events.Source{CalendarID: calID.String, UID: uid.String}
	}
	return &e, nil
}

func (tx *Tx) insertEvent(ctx context.Context, e *events.Event) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO events(`+eventColumns+`, search) VALUES(`+placeholders(23)+`)`, eventArgs(e)...)
	return translate(err, "event")
}

// CreateEvent stores e.
func (s *Events) CreateEvent(ctx context.Context, e *events.Event) error {
	return s.DB.Update(ctx, func(tx *Tx) error { return tx.insertEvent(ctx, e) })
}

// ImportEvents stores new events in one transaction.
func (s *Events) ImportEvents(ctx context.Context, es []*events.Event) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		for _, e := range es {
			if err := tx.insertEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// Event returns one of the user's events.
func (s *Events) Event(ctx context.Context, userID, id string) (*events.Event, error) {
	return scanEvent(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id = ? AND user_id = ?`, id, userID))
}

// UpdateEvent replaces the user's event.
func (s *Events) UpdateEvent(ctx context.Context, e *events.Event) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		args := eventArgs(e)
		res, err := tx.tx.ExecContext(ctx, `UPDATE events SET (`+eventColumns+`, search) = (`+placeholders(len(args))+`) WHERE id = ? AND user_id = ?`,
			append(args, e.ID, e.UserID)...)
		if err != nil {
			return translate(err, "event")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.E(apperr.NotFound, "event not found")
		}
		return nil
	})
}

// DeleteEvent removes one of the user's events.
func (s *Events) DeleteEvent(ctx context.Context, userID, id string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		return tx.writeOwned(ctx, `DELETE FROM events WHERE id = ? AND user_id = ?`, "event", id, userID)
	})
}

// Events returns one page of the user's events by starts_at (events_user_starts).
func (s *Events) Events(ctx context.Context, userID string, q events.EventQuery) (*record.Page[events.Event], error) {
	limit := record.PageSize(q.Limit)
	var sb strings.Builder
	sb.WriteString(`SELECT ` + eventColumns + ` FROM events WHERE user_id = ?`)
	args := []any{userID}
	if q.From != nil {
		sb.WriteString(` AND starts_at >= ?`)
		args = append(args, formatTime(*q.From))
	}
	if q.To != nil {
		sb.WriteString(` AND starts_at < ?`)
		args = append(args, formatTime(*q.To))
	}
	if tag := strings.ToLower(strings.TrimSpace(q.Tag)); tag != "" {
		sb.WriteString(` AND EXISTS (SELECT 1 FROM json_each(tags) WHERE lower(value) = ?)`)
		args = append(args, tag)
	}
	if text := input.Fold(strings.TrimSpace(q.Q)); text != "" {
		sb.WriteString(` AND instr(search, ?) > 0`) // plain text, never a pattern
		args = append(args, text)
	}
	return pageByTime(ctx, s.DB, &sb, args, q.Cursor, "starts_at", false, limit, "event", scanEvent,
		func(e *events.Event) record.Cursor { return record.Cursor{T: &e.StartsAt, ID: e.ID} })
}

func (s *Events) query(ctx context.Context, query string, args ...any) ([]events.Event, error) {
	return queryAll(ctx, s.DB, "event", scanEvent, query, args...)
}

// EventsByID returns those of ids that are the user's events.
func (s *Events) EventsByID(ctx context.Context, userID string, ids []string) (map[string]*events.Event, error) {
	return queryByIDs(ctx, s.DB, "event", "events", eventColumns, scanEvent, userID, ids, func(e *events.Event) string { return e.ID })
}

// AllEvents returns all of the user's events by starts_at (events_user_starts).
func (s *Events) AllEvents(ctx context.Context, userID string) ([]events.Event, error) {
	return s.query(ctx, `SELECT `+eventColumns+` FROM events WHERE user_id = ? ORDER BY starts_at, id`, userID)
}

// EventsFromCalendar returns the user's events a calendar brought in (events_user_source).
func (s *Events) EventsFromCalendar(ctx context.Context, userID, calendarID string) ([]events.Event, error) {
	return s.query(ctx, `SELECT `+eventColumns+` FROM events WHERE user_id = ? AND source_calendar_id = ?`, userID, calendarID)
}

const calendarColumns = `id, user_id, url, name, tags, last_sync_at, last_error, last_result, created_at`

func scanCalendar(r scanner) (*events.Calendar, error) {
	var c events.Calendar
	var tags, created string
	var last, result sql.NullString
	if err := r.Scan(&c.ID, &c.UserID, &c.URL, &c.Name, &tags, &last, &c.LastError, &result, &created); err != nil {
		return nil, translate(err, "calendar")
	}
	err := unmarshalStrings(tags, &c.Tags)
	if err == nil {
		c.CreatedAt, err = parseTime(created)
	}
	if err == nil {
		c.LastSyncAt, err = parseNullTime(last)
	}
	if err == nil && result.Valid {
		c.LastResult = &events.SyncResult{}
		err = json.Unmarshal([]byte(result.String), c.LastResult)
	}
	return &c, translate(err, "calendar")
}

// CreateCalendar stores a followed calendar.
func (s *Events) CreateCalendar(ctx context.Context, c *events.Calendar) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO calendars(id, user_id, url, name, tags, created_at) VALUES(?, ?, ?, ?, ?, ?)`,
			c.ID, c.UserID, c.URL, c.Name, jsonList(c.Tags), formatTime(c.CreatedAt))
		return translate(err, "calendar")
	})
}

// Calendar returns one of the user's calendars.
func (s *Events) Calendar(ctx context.Context, userID, id string) (*events.Calendar, error) {
	return scanCalendar(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+calendarColumns+` FROM calendars WHERE id = ? AND user_id = ?`, id, userID))
}

// Calendars lists the user's calendars (or everyone's), oldest first (calendars_user).
func (s *Events) Calendars(ctx context.Context, userID string) ([]events.Calendar, error) {
	query, args := `SELECT `+calendarColumns+` FROM calendars WHERE user_id = ? ORDER BY created_at, id`, []any{userID}
	if userID == "" {
		query, args = `SELECT `+calendarColumns+` FROM calendars ORDER BY created_at, id`, nil
	}
	return queryAll(ctx, s.DB, "calendar", scanCalendar, query, args...)
}

// DeleteCalendar removes one of the user's calendars.
func (s *Events) DeleteCalendar(ctx context.Context, userID, id string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		return tx.writeOwned(ctx, `DELETE FROM calendars WHERE id = ? AND user_id = ?`, "calendar", id, userID)
	})
}

// RecordSync stores the outcome of a sync.
func (s *Events) RecordSync(ctx context.Context, calendarID string, at time.Time, result *events.SyncResult, failure string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		var err error
		if result == nil {
			_, err = tx.tx.ExecContext(ctx, `UPDATE calendars SET last_sync_at = ?, last_error = ? WHERE id = ?`, formatTime(at), failure, calendarID)
		} else {
			b, _ := json.Marshal(result)
			_, err = tx.tx.ExecContext(ctx, `UPDATE calendars SET last_sync_at = ?, last_error = '', last_result = ? WHERE id = ?`,
				formatTime(at), string(b), calendarID)
		}
		return translate(err, "calendar")
	})
}

// NameCalendar sets a calendar's name (calendars.id).
func (s *Events) NameCalendar(ctx context.Context, calendarID, name string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE calendars SET name = ? WHERE id = ?`, name, calendarID)
		return translate(err, "calendar")
	})
}

// ClaimSync inserts the calendar's lease for slot; the primary key lets one
// process have it.
func (s *Events) ClaimSync(ctx context.Context, calendarID, slot string, at time.Time) (bool, error) {
	var claimed bool
	err := s.DB.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO calendar_leases(id, at) VALUES(?, ?) ON CONFLICT DO NOTHING`, calendarID+"#"+slot, formatTime(at))
		if err != nil {
			return translate(err, "calendar lease")
		}
		n, _ := res.RowsAffected()
		claimed = n == 1
		return nil
	})
	return claimed, err
}

// PurgeSyncClaims removes leases taken before a time (calendar_leases_at).
func (s *Events) PurgeSyncClaims(ctx context.Context, before time.Time) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM calendar_leases WHERE at < ?`, formatTime(before))
		return translate(err, "calendar lease")
	})
}

// EventArchive walks and restores the user's events.
func (s *Events) EventArchive() record.Archive[events.Event] {
	return archive[events.Event]{db: s.DB, table: "events", columns: eventColumns, scan: scanEvent, insert: (*Tx).insertEvent}
}

// CalendarArchive walks and restores the calendars the user follows.
func (s *Events) CalendarArchive() record.Archive[events.Calendar] {
	return archive[events.Calendar]{db: s.DB, table: "calendars", columns: calendarColumns, scan: scanCalendar,
		insert: func(tx *Tx, ctx context.Context, r *events.Calendar) error {
			var result any
			if r.LastResult != nil {
				b, _ := json.Marshal(r.LastResult)
				result = string(b)
			}
			_, err := tx.tx.ExecContext(ctx, `INSERT INTO calendars(id, user_id, url, name, tags, last_sync_at, last_error, last_result, created_at)
				VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.UserID, r.URL, r.Name, jsonList(r.Tags), nullTime(r.LastSyncAt), r.LastError, result,
				formatTime(r.CreatedAt))
			return translate(err, "calendar")
		}}
}
