package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Followups is the followup.Store of the embedded store.
type Followups struct{ DB *DB }

var _ followup.Store = (*Followups)(nil)

const followupColumns = `id, user_id, contact_id, kind, due_at, status, note, encounter_id, intro_id, event_id, sequence,
	created_at, updated_at, ended_at, pending_key, opportunity_id`

func scanFollowup(r scanner) (*followup.FollowUp, error) {
	var f followup.FollowUp
	var due, created, updated string
	var ended sql.NullString
	if err := r.Scan(&f.ID, &f.UserID, &f.ContactID, &f.Kind, &due, &f.Status, &f.Note, &f.EncounterID, &f.IntroID, &f.EventID,
		&f.Sequence, &created, &updated, &ended, &f.PendingKey, &f.OpportunityID); err != nil {
		return nil, translate(err, "follow-up")
	}
	var err error
	for _, t := range []struct {
		s   string
		dst *time.Time
	}{{due, &f.DueAt}, {created, &f.CreatedAt}, {updated, &f.UpdatedAt}} {
		if err == nil {
			*t.dst, err = parseTime(t.s)
		}
	}
	if err == nil {
		f.EndedAt, err = parseNullTime(ended)
	}
	return &f, translate(err, "follow-up")
}

// CreateFollowup stores f unless a pending one holds its pending key.
func (s *Followups) CreateFollowup(ctx context.Context, f *followup.FollowUp) (*followup.FollowUp, error) {
	var existing *followup.FollowUp
	err := s.DB.Update(ctx, func(tx *Tx) error {
		// pending_key is unique
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO followups(`+followupColumns+`) VALUES(`+placeholders(16)+`) ON CONFLICT(pending_key) DO NOTHING`,
			f.ID, f.UserID, f.ContactID, f.Kind, formatTime(f.DueAt), f.Status, f.Note, f.EncounterID, f.IntroID, f.EventID, f.Sequence,
			formatTime(f.CreatedAt), formatTime(f.UpdatedAt), nullTime(f.EndedAt), f.PendingKey, f.OpportunityID)
		if err != nil {
			return translate(err, "follow-up")
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		existing, err = scanFollowup(tx.tx.QueryRowContext(ctx, `SELECT `+followupColumns+` FROM followups WHERE pending_key = ?`, f.PendingKey))
		return err
	})
	return existing, err
}

// Followup returns one of the user's follow-ups.
func (s *Followups) Followup(ctx context.Context, userID, id string) (*followup.FollowUp, error) {
	return scanFollowup(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+followupColumns+` FROM followups WHERE id = ? AND user_id = ?`, id, userID))
}

// Followups returns one page of the user's follow-ups by due_at (followups_user_due).
func (s *Followups) Followups(ctx context.Context, userID string, q followup.Query) (*record.Page[followup.FollowUp], error) {
	limit := record.PageSize(q.Limit)
	var sb strings.Builder
	sb.WriteString(`SELECT ` + followupColumns + ` FROM followups WHERE user_id = ?`)
	args := []any{userID}
	if q.Status != "" {
		sb.WriteString(` AND status = ?`)
		args = append(args, q.Status)
	}
	if q.ContactID != "" {
		sb.WriteString(` AND contact_id = ?`)
		args = append(args, q.ContactID)
	}
	if q.EventID != "" {
		sb.WriteString(` AND event_id = ? AND event_id != ''`) // followups_user_event_due, a partial index
		args = append(args, q.EventID)
	}
	if q.DueBefore != nil {
		sb.WriteString(` AND due_at < ?`)
		args = append(args, formatTime(*q.DueBefore))
	}
	if q.DueFrom != nil {
		sb.WriteString(` AND due_at >= ?`)
		args = append(args, formatTime(*q.DueFrom))
	}
	return pageByTime(ctx, s.DB, &sb, args, q.Cursor, "due_at", q.NewestFirst, limit, "follow-up", scanFollowup,
		func(f *followup.FollowUp) record.Cursor { return record.Cursor{T: &f.DueAt, ID: f.ID} })
}

// pendingWhere builds the conditions of a PendingFilter.
func pendingWhere(sb *strings.Builder, args []any, f followup.PendingFilter) []any {
	if f.Before != nil {
		sb.WriteString(` AND due_at < ?`)
		args = append(args, formatTime(*f.Before))
	}
	if f.IDs != nil {
		sb.WriteString(` AND id IN (SELECT value FROM json_each(?))`)
		args = append(args, jsonList(f.IDs))
	}
	if f.ContactID != "" {
		sb.WriteString(` AND contact_id = ?`)
		args = append(args, f.ContactID)
	}
	if f.Kind != "" {
		sb.WriteString(` AND kind = ?`)
		args = append(args, f.Kind)
	}
	if f.PendingKey != "" {
		sb.WriteString(` AND pending_key = ?`)
		args = append(args, f.PendingKey)
	}
	if f.Ref != "" {
		sb.WriteString(` AND ` + refColumn(f.Ref) + ` IN (SELECT value FROM json_each(?))`)
		args = append(args, jsonList(f.RefIDs))
	}
	return args
}

// refColumn maps a Ref to its column; refs are constants, never input.
func refColumn(r followup.Ref) string {
	switch r {
	case followup.RefIntro:
		return "intro_id"
	case followup.RefEvent:
		return "event_id"
	case followup.RefOpportunity:
		return "opportunity_id"
	case followup.RefContact:
		return "contact_id"
	}
	return "encounter_id"
}

// Pending returns the user's pending follow-ups f selects, by due_at
// (followups_user_status_due).
func (s *Followups) Pending(ctx context.Context, userID string, f followup.PendingFilter) ([]followup.FollowUp, error) {
	var sb strings.Builder
	sb.WriteString(`SELECT ` + followupColumns + ` FROM followups WHERE user_id = ? AND status = 'pending'`)
	args := pendingWhere(&sb, []any{userID}, f)
	sb.WriteString(` ORDER BY due_at, id`)
	if f.Limit > 0 {
		sb.WriteString(` LIMIT ?`)
		args = append(args, f.Limit)
	}
	return queryAll(ctx, s.DB, "follow-up", scanFollowup, sb.String(), args...)
}

// DoneSince implements followup.Store: a range of followups_user_done_ended.
func (s *Followups) DoneSince(ctx context.Context, userID string, since time.Time) ([]followup.FollowUp, error) {
	return queryAll(ctx, s.DB, "follow-up", scanFollowup, doneSinceQuery, userID, formatTime(since))
}

// doneSinceQuery is DoneSince's (TestDoneSinceQueryPlan).
const doneSinceQuery = `SELECT ` + followupColumns + ` FROM followups INDEXED BY followups_user_done_ended
	WHERE user_id = ? AND status = 'done' AND ended_at >= ? ORDER BY ended_at, id`

// ChangePending applies ch to a pending follow-up.
func (s *Followups) ChangePending(ctx context.Context, userID, id string, ch followup.Change) (*followup.FollowUp, error) {
	var out *followup.FollowUp
	err := s.DB.Update(ctx, func(tx *Tx) error {
		set := []string{`updated_at = ?`}
		args := []any{formatTime(ch.At)}
		if ch.DueAt != nil {
			set = append(set, `due_at = ?`, `sequence = sequence + 1`)
			args = append(args, formatTime(*ch.DueAt))
		}
		if ch.Note != nil {
			set = append(set, `note = ?`)
			args = append(args, *ch.Note)
		}
		res, err := tx.tx.ExecContext(ctx, `UPDATE followups SET `+strings.Join(set, ", ")+` WHERE id = ? AND user_id = ? AND status = 'pending'`,
			append(args, id, userID)...)
		if err != nil {
			return translate(err, "follow-up")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.E(apperr.NotFound, "no such pending follow-up")
		}
		out, err = scanFollowup(tx.tx.QueryRowContext(ctx, `SELECT `+followupColumns+` FROM followups WHERE id = ?`, id))
		return err
	})
	return out, err
}

// End ends those of ids that are still pending.
func (s *Followups) End(ctx context.Context, userID string, ids []string, status string, at time.Time) ([]followup.FollowUp, error) {
	var out []followup.FollowUp
	err := s.DB.Update(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `UPDATE followups SET status = ?, pending_key = id, updated_at = ?, ended_at = ?
			WHERE user_id = ? AND status = 'pending' AND id IN (SELECT value FROM json_each(?)) RETURNING `+followupColumns,
			status, formatTime(at), formatTime(at), userID, jsonList(ids))
		if err != nil {
			return translate(err, "follow-up")
		}
		defer rows.Close()
		out = []followup.FollowUp{}
		for rows.Next() {
			f, err := scanFollowup(rows)
			if err != nil {
				return err
			}
			out = append(out, *f)
		}
		return translate(rows.Err(), "follow-up")
	})
	return out, err
}

// Detach clears ref of the user's follow-ups pointing at ids.
func (s *Followups) Detach(ctx context.Context, userID string, ref followup.Ref, ids []string, at time.Time) error {
	col := refColumn(ref)
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE followups SET `+col+` = '', updated_at = ? WHERE user_id = ? AND `+col+` IN (SELECT value FROM json_each(?))`,
			formatTime(at), userID, jsonList(ids))
		return translate(err, "follow-up")
	})
}

// DeleteForContact removes a contact's follow-ups (followups_user_contact_due).
func (s *Followups) DeleteForContacts(ctx context.Context, userID string, contactIDs []string) ([]string, error) {
	var ids []string
	err := s.DB.Update(ctx, func(tx *Tx) error {
		var err error
		// followups_user_contact_due
		ids, err = tx.deleteReturningIDs(ctx, `DELETE FROM followups WHERE user_id = ? AND contact_id IN (SELECT value FROM json_each(?)) RETURNING id`,
			"follow-up", userID, jsonList(contactIDs))
		if err != nil || len(ids) == 0 {
			return err
		}
		return tx.forgetNudges(ctx, userID, ids)
	})
	return ids, err
}

// forgetNudges removes the nudge records of the user's follow-ups ids,
// deleted with them (nudges' primary key, by follow-up).
func (tx *Tx) forgetNudges(ctx context.Context, userID string, ids []string) error {
	_, err := tx.tx.ExecContext(ctx, `DELETE FROM nudges WHERE followup_id IN (SELECT value FROM json_each(?)) AND +user_id = ?`, jsonList(ids), userID)
	return translate(err, "nudge record")
}

// DeleteFollowUps removes those of ids that are the user's follow-ups, by
// their primary key (the journal's trigger journals each), with their
// nudge records.
func (s *Followups) DeleteFollowUps(ctx context.Context, userID string, ids []string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM followups WHERE id IN (SELECT value FROM json_each(?)) AND +user_id = ?`, jsonList(ids), userID); err != nil {
			return translate(err, "follow-up")
		}
		return tx.forgetNudges(ctx, userID, ids)
	})
}

// Wake lowers the user's next look to at, with a new nonce.
func (s *Followups) Wake(ctx context.Context, userID string, at time.Time, nonce string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO dispatch(user_id, next_at, wake_nonce) VALUES(?, ?, ?)
			ON CONFLICT(user_id) DO UPDATE SET next_at = min(next_at, excluded.next_at), wake_nonce = excluded.wake_nonce`,
			userID, formatTime(at), nonce)
		return translate(err, "dispatch queue")
	})
}

func scanQueueEntry(r scanner) (*followup.QueueEntry, error) {
	var q followup.QueueEntry
	var next string
	if err := r.Scan(&q.UserID, &next, &q.WakeNonce); err != nil {
		return nil, translate(err, "dispatch queue")
	}
	var err error
	q.NextAt, err = parseTime(next)
	return &q, translate(err, "dispatch queue")
}

// DueUsers returns the users due for a look (dispatch_next).
func (s *Followups) DueUsers(ctx context.Context, now time.Time, limit int) ([]followup.QueueEntry, error) {
	return queryAll(ctx, s.DB, "dispatch queue", scanQueueEntry,
		`SELECT user_id, next_at, wake_nonce FROM dispatch WHERE next_at <= ? ORDER BY next_at LIMIT ?`, formatTime(now), limit)
}

// SetNextLook sets the next look if no wake came since nonce.
func (s *Followups) SetNextLook(ctx context.Context, userID, nonce string, at time.Time) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE dispatch SET next_at = ? WHERE user_id = ? AND wake_nonce = ?`, formatTime(at), userID, nonce)
		return translate(err, "dispatch queue")
	})
}

// ForgetUser removes a deleted user's queue entry and state.
func (s *Followups) ForgetUser(ctx context.Context, userID string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM dispatch_state WHERE user_id = ?`, userID); err != nil {
			return translate(err, "dispatch state")
		}
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM dispatch WHERE user_id = ?`, userID)
		return translate(err, "dispatch queue")
	})
}

// ClaimLease inserts a lease; the primary key lets one owner have it.
func (s *Followups) ClaimLease(ctx context.Context, id, owner string, at time.Time) (bool, error) {
	var ok bool
	err := s.DB.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO dispatch_leases(id, owner, at) VALUES(?, ?, ?) ON CONFLICT DO NOTHING`, id, owner, formatTime(at))
		if err != nil {
			return translate(err, "dispatch lease")
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	return ok, err
}

// ReleaseLease deletes a lease.
func (s *Followups) ReleaseLease(ctx context.Context, id string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `DELETE FROM dispatch_leases WHERE id = ?`, id)
		return translate(err, "dispatch lease")
	})
}

// PurgeLeases removes leases taken before a time (dispatch_leases_at).
func (s *Followups) PurgeLeases(ctx context.Context, before time.Time) (int64, error) {
	return s.DB.updateCount(ctx, "dispatch lease", `DELETE FROM dispatch_leases WHERE at < ?`, formatTime(before))
}

func scanState(r scanner) (*followup.State, error) {
	var st followup.State
	var batch, sent, retry sql.NullString
	if err := r.Scan(&st.UserID, &batch, &sent, &retry); err != nil {
		return nil, translate(err, "dispatch state")
	}
	var err error
	if batch.Valid {
		st.Batch = &followup.Batch{}
		err = json.Unmarshal([]byte(batch.String), st.Batch)
	}
	if err == nil {
		st.AgendaSent, err = parseNullTime(sent)
	}
	if err == nil {
		st.AgendaRetryAt, err = parseNullTime(retry)
	}
	return &st, translate(err, "dispatch state")
}

// State returns the user's dispatcher state (empty if none yet).
func (s *Followups) State(ctx context.Context, userID string) (*followup.State, error) {
	st, err := scanState(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT user_id, batch, agenda_sent, agenda_retry_at FROM dispatch_state WHERE user_id = ?`, userID))
	if apperr.Is(err, apperr.NotFound) {
		return &followup.State{UserID: userID}, nil
	}
	return st, err
}

// SaveState stores the user's dispatcher state.
func (s *Followups) SaveState(ctx context.Context, st *followup.State) error {
	var batch any
	if st.Batch != nil {
		b, _ := json.Marshal(st.Batch)
		batch = string(b)
	}
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO dispatch_state(user_id, batch, agenda_sent, agenda_retry_at) VALUES(?, ?, ?, ?)
			ON CONFLICT(user_id) DO UPDATE SET batch = excluded.batch, agenda_sent = excluded.agenda_sent, agenda_retry_at = excluded.agenda_retry_at`,
			st.UserID, batch, nullTime(st.AgendaSent), nullTime(st.AgendaRetryAt))
		return translate(err, "dispatch state")
	})
}

// States returns every user's dispatcher state.
func (s *Followups) States(ctx context.Context) ([]followup.State, error) {
	return queryAll(ctx, s.DB, "dispatch state", scanState, `SELECT user_id, batch, agenda_sent, agenda_retry_at FROM dispatch_state`)
}

// RecordNudges inserts nudge records; existing ones stay.
func (s *Followups) RecordNudges(ctx context.Context, ns []followup.Nudge) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		for _, n := range ns {
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO nudges(followup_id, due_at, user_id, at, failed, error) VALUES(?, ?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING`, n.FollowUpID, formatTime(n.DueAt), n.UserID, formatTime(n.At), n.Failed, n.Error); err != nil {
				return translate(err, "nudge record")
			}
		}
		return nil
	})
}

func scanNudge(r scanner) (*followup.Nudge, error) {
	var n followup.Nudge
	var due, at string
	if err := r.Scan(&n.FollowUpID, &due, &n.UserID, &at, &n.Failed, &n.Error); err != nil {
		return nil, translate(err, "nudge record")
	}
	var err error
	if n.DueAt, err = parseTime(due); err == nil {
		n.At, err = parseTime(at)
	}
	return &n, translate(err, "nudge record")
}

// Nudges returns the user's nudge records for refs (all when nil) (nudges_user).
func (s *Followups) Nudges(ctx context.Context, userID string, refs []followup.BatchItem) (map[string]followup.Nudge, error) {
	query, args := `SELECT followup_id, due_at, user_id, at, failed, error FROM nudges WHERE user_id = ?`, []any{userID}
	if refs != nil {
		ids := make([]string, len(refs))
		for i, r := range refs {
			ids[i] = r.ID
		}
		query += ` AND followup_id IN (SELECT value FROM json_each(?))`
		args = append(args, jsonList(ids))
	}
	ns, err := queryAll(ctx, s.DB, "nudge record", scanNudge, query, args...)
	out := make(map[string]followup.Nudge, len(ns))
	for _, n := range ns {
		out[followup.NudgeKey(n.FollowUpID, n.DueAt)] = n
	}
	return out, err
}

// PurgeNudges removes records whose follow-up is no longer pending at that due time.
func (s *Followups) PurgeNudges(ctx context.Context) (int64, error) {
	return s.DB.updateCount(ctx, "nudge record", `DELETE FROM nudges WHERE NOT EXISTS (SELECT 1 FROM followups f
		WHERE f.id = nudges.followup_id AND f.status = 'pending' AND f.due_at = nudges.due_at)`)
}

// EarliestUnnudged returns per user the earliest due time of a pending,
// not yet nudged follow-up (followups_status_due, nudges primary key).
func (s *Followups) EarliestUnnudged(ctx context.Context) (map[string]time.Time, error) {
	type row struct {
		user string
		at   time.Time
	}
	rows, err := queryAll(ctx, s.DB, "follow-up", func(r scanner) (*row, error) {
		var x row
		var at string
		if err := r.Scan(&x.user, &at); err != nil {
			return nil, translate(err, "follow-up")
		}
		t, err := parseTime(at)
		x.at = t
		return &x, translate(err, "follow-up")
	}, `SELECT f.user_id, min(f.due_at) FROM followups f WHERE f.status = 'pending'
		AND NOT EXISTS (SELECT 1 FROM nudges n WHERE n.followup_id = f.id AND n.due_at = f.due_at) GROUP BY f.user_id`)
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		out[r.user] = r.at
	}
	return out, err
}

// OldestDue returns the earliest next look at or before now (dispatch_next).
func (s *Followups) OldestDue(ctx context.Context, now time.Time) (*time.Time, error) {
	var at string
	err := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT next_at FROM dispatch WHERE next_at <= ? ORDER BY next_at LIMIT 1`, formatTime(now)).Scan(&at)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err, "dispatch queue")
	}
	t, err := parseTime(at)
	return &t, translate(err, "dispatch queue")
}

// FollowUpArchive walks and restores the user's follow-ups.
func (s *Followups) FollowUpArchive() record.Archive[followup.FollowUp] {
	return archive[followup.FollowUp]{db: s.DB, table: "followups", columns: followupColumns, scan: scanFollowup,
		insert: func(tx *Tx, ctx context.Context, r *followup.FollowUp) error {
			_, err := tx.tx.ExecContext(ctx, `INSERT INTO followups(`+followupColumns+`) VALUES(`+placeholders(16)+`)`,
				r.ID, r.UserID, r.ContactID, r.Kind, formatTime(r.DueAt), r.Status, r.Note, r.EncounterID, r.IntroID, r.EventID, r.Sequence,
				formatTime(r.CreatedAt), formatTime(r.UpdatedAt), nullTime(r.EndedAt), r.PendingKey, r.OpportunityID)
			return translate(err, "follow-up")
		}}
}
