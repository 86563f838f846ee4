package sqlite

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/followup"
)

// MoveContact implements contacts.Store (POST /v1/contacts/{id}/merge), in
// the caller's transaction.
func (s *Contacts) MoveContact(ctx context.Context, userID, from, to string, at time.Time) ([]string, error) {
	var gone []string
	err := s.DB.Update(ctx, func(tx *Tx) error {
		var err error
		gone, err = tx.deleteReturningIDs(ctx, `DELETE FROM intros WHERE user_id = ? AND
			((contact_a = ? AND contact_b = ?) OR (contact_a = ? AND contact_b = ?)) RETURNING id`, "intro", userID, from, to, to, from)
		if err != nil {
			return err
		}
		for _, q := range []struct{ sql, what string }{
			{`UPDATE encounters SET contact_id = ?2 WHERE user_id = ?1 AND contact_id = ?3`, "encounter"},
			{`UPDATE interactions SET contact_id = ?2 WHERE user_id = ?1 AND contact_id = ?3`, "interaction"},
			{`UPDATE intros SET contact_a = ?2, updated_at = ?4 WHERE user_id = ?1 AND contact_a = ?3`, "intro"},
			{`UPDATE intros SET contact_b = ?2, updated_at = ?4 WHERE user_id = ?1 AND contact_b = ?3`, "intro"},
			{`UPDATE contact_keys SET contact_id = ?2 WHERE user_id = ?1 AND contact_id = ?3`, "contact"},
		} {
			if _, err := tx.tx.ExecContext(ctx, q.sql, userID, to, from, formatTime(at)); err != nil {
				return translate(err, q.what)
			}
		}
		return nil
	})
	return gone, err
}

// MoveContact files the follow-ups of contact from under to. A pending one
// of a kind that to has pending already is cancelled (one pending of a kind
// per contact); the others take to's pending key. In the caller's
// transaction.
func (s *Followups) MoveContact(ctx context.Context, userID, from, to string, at time.Time) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		now := formatTime(at)
		// Pending ones whose kind to has pending already: cancelled.
		if _, err := tx.tx.ExecContext(ctx, `UPDATE followups SET status = ?4, pending_key = id, updated_at = ?5, ended_at = ?5
			WHERE user_id = ?1 AND contact_id = ?3 AND status = ?6 AND pending_key = user_id || '|' || ?3 || '|' || kind
			AND EXISTS (SELECT 1 FROM followups t WHERE t.pending_key = ?1 || '|' || ?2 || '|' || followups.kind)`,
			userID, to, from, followup.Cancelled, now, followup.Pending); err != nil {
			return translate(err, "follow-up")
		}
		_, err := tx.tx.ExecContext(ctx, `UPDATE followups SET contact_id = ?2, updated_at = ?4,
			pending_key = CASE WHEN pending_key = user_id || '|' || ?3 || '|' || kind THEN user_id || '|' || ?2 || '|' || kind ELSE pending_key END
			WHERE user_id = ?1 AND contact_id = ?3`, userID, to, from, now)
		return translate(err, "follow-up")
	})
}
