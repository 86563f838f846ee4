package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Backups is the record.Backups of the embedded store.
type Backups struct{ DB *DB }

var _ record.Backups = (*Backups)(nil)

// EachRecord calls fn with each of the user's records of section, in id order.
func (s *Backups) EachRecord(ctx context.Context, section, userID string, fn func(any) error) error {
	each := func(query string, scan func(r scanner) (any, error)) error {
		rows, err := s.DB.reader(ctx).QueryContext(ctx, query, userID)
		if err != nil {
			return translate(err, section)
		}
		defer rows.Close()
		for rows.Next() {
			x, err := scan(rows)
			if err != nil {
				return err
			}
			if err := fn(x); err != nil {
				return err
			}
		}
		return translate(rows.Err(), section)
	}
	as := func(f func(scanner) (any, error)) func(scanner) (any, error) { return f }
	switch section {
	case "companies":
		return each(`SELECT `+companyColumns+` FROM companies WHERE user_id = ? ORDER BY id`, as(func(r scanner) (any, error) { return scanCompany(r) }))
	case "contacts":
		return each(`SELECT `+contactColumns+` FROM contacts WHERE user_id = ? ORDER BY id`, as(func(r scanner) (any, error) { return scanContact(r) }))
	case "events":
		return each(`SELECT `+eventColumns+` FROM events WHERE user_id = ? ORDER BY id`, as(func(r scanner) (any, error) { return scanEvent(r) }))
	case "attendees":
		return each(`SELECT `+attendeeColumns+` FROM attendees WHERE user_id = ? ORDER BY id`, as(func(r scanner) (any, error) { return scanAttendee(r) }))
	case "encounters":
		return each(`SELECT `+encounterColumns+` FROM encounters WHERE user_id = ? ORDER BY id`, as(func(r scanner) (any, error) { return scanEncounter(r) }))
	case "intros":
		return each(`SELECT `+introColumns+` FROM intros WHERE user_id = ? ORDER BY id`, as(func(r scanner) (any, error) { return scanIntro(r) }))
	case "interactions":
		return each(`SELECT `+interactionColumns+` FROM interactions WHERE user_id = ? ORDER BY id`, as(func(r scanner) (any, error) { return scanInteraction(r) }))
	case "opportunities":
		return each(`SELECT `+opportunityColumns+` FROM opportunities WHERE user_id = ? ORDER BY id`, as(func(r scanner) (any, error) { return scanOpportunity(r) }))
	case "followups":
		return each(`SELECT `+followupColumns+` FROM followups WHERE user_id = ? ORDER BY id`, as(func(r scanner) (any, error) { return scanFollowup(r) }))
	case "calendars":
		return each(`SELECT `+calendarColumns+` FROM calendars WHERE user_id = ? ORDER BY id`, as(func(r scanner) (any, error) { return scanCalendar(r) }))
	}
	return fmt.Errorf("unknown backup section %q", section)
}

// RestoreRecords stores records of section in one transaction.
func (s *Backups) RestoreRecords(ctx context.Context, section string, records []any) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		for _, x := range records {
			if err := tx.restore(ctx, x); err != nil {
				return err
			}
		}
		return nil
	})
}

func (tx *Tx) restore(ctx context.Context, x any) error {
	switch r := x.(type) {
	case *companies.Company:
		return tx.createCompany(ctx, r)
	case *opportunities.Opportunity:
		return tx.createOpportunity(ctx, r)
	case *contacts.Contact:
		return tx.CreateContact(ctx, r)
	case *events.Event:
		return tx.insertEvent(ctx, r)
	case *contacts.Encounter:
		return tx.CreateEncounter(ctx, r)
	case *contacts.Intro:
		if len(r.ContactIDs) != 2 {
			return fmt.Errorf("an intro without two contacts")
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO intros(`+introColumns+`) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.UserID, r.ContactIDs[0], r.ContactIDs[1], r.EventID, r.Context, r.DoubleOptIn, r.Status, r.Outcome,
			formatTime(r.CreatedAt), formatTime(r.UpdatedAt))
		return translate(err, "intro")
	case *contacts.Interaction:
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO interactions(`+interactionColumns+`) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.UserID, r.ContactID, r.Kind, formatTime(r.At), r.Notes, formatTime(r.CreatedAt), r.EventID)
		return translate(err, "interaction")
	case *followup.FollowUp:
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO followups(`+followupColumns+`) VALUES(`+placeholders(16)+`)`,
			r.ID, r.UserID, r.ContactID, r.Kind, formatTime(r.DueAt), r.Status, r.Note, r.EncounterID, r.IntroID, r.EventID, r.Sequence,
			formatTime(r.CreatedAt), formatTime(r.UpdatedAt), nullTime(r.EndedAt), r.PendingKey, r.OpportunityID)
		return translate(err, "follow-up")
	case *events.Attendee:
		args := attendeeArgs(r)
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO attendees(`+attendeeColumns+`, name_lower) VALUES(`+placeholders(len(args))+`)`, args...)
		return translate(err, "attendee")
	case *events.Calendar:
		var result any
		if r.LastResult != nil {
			b, _ := json.Marshal(r.LastResult)
			result = string(b)
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO calendars(id, user_id, url, name, tags, last_sync_at, last_error, last_result, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.UserID, r.URL, r.Name, jsonList(r.Tags), nullTime(r.LastSyncAt), r.LastError, result,
			formatTime(r.CreatedAt))
		return translate(err, "calendar")
	}
	return fmt.Errorf("cannot restore a %T", x)
}
