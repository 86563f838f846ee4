package sqlite

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/idempotency"
)

// Idempotency is the idempotency.Records of the embedded store: one row per
// key, its response filled in when the request finishes.
type Idempotency struct{ DB *DB }

var _ idempotency.Records = (*Idempotency)(nil)

// Claim inserts the claim, or returns the record that holds the key.
func (s *Idempotency) Claim(ctx context.Context, r *idempotency.Record) (*idempotency.Record, error) {
	var old *idempotency.Record
	err := s.DB.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO idempotency(id, user_id, fingerprint, created_at) VALUES(?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			r.ID, r.UserID, r.Fingerprint, formatTime(r.CreatedAt))
		if err != nil {
			return translate(err, "idempotency record")
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var rec idempotency.Record
		var created string
		if err := tx.tx.QueryRowContext(ctx, `SELECT id, user_id, fingerprint, done, status, content_type, body, created_at FROM idempotency WHERE id = ?`, r.ID).
			Scan(&rec.ID, &rec.UserID, &rec.Fingerprint, &rec.Done, &rec.Status, &rec.ContentType, &rec.Body, &created); err != nil {
			return translate(err, "idempotency record")
		}
		if rec.CreatedAt, err = parseTime(created); err != nil {
			return translate(err, "idempotency record")
		}
		old = &rec
		return nil
	})
	return old, err
}

// Complete stores the response of a claimed key (a stored one stays).
func (s *Idempotency) Complete(ctx context.Context, _, id string, status int, contentType string, body []byte, at time.Time) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE idempotency SET done = 1, status = ?, content_type = ?, body = ? WHERE id = ? AND done = 0`,
			status, contentType, body, id)
		return translate(err, "idempotency record")
	})
}

// Release removes a claim (the one made at createdAt, if that is set).
func (s *Idempotency) Release(ctx context.Context, id string, createdAt time.Time) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		var err error
		if createdAt.IsZero() {
			_, err = tx.tx.ExecContext(ctx, `DELETE FROM idempotency WHERE id = ?`, id)
		} else {
			_, err = tx.tx.ExecContext(ctx, `DELETE FROM idempotency WHERE id = ? AND created_at = ?`, id, formatTime(createdAt))
		}
		return translate(err, "idempotency record")
	})
}

// Renew moves the claim made at createdAt to at (idempotency.id).
func (s *Idempotency) Renew(ctx context.Context, id string, createdAt, at time.Time) (bool, error) {
	n, err := s.DB.updateCount(ctx, "idempotency record", `UPDATE idempotency SET created_at = ? WHERE id = ? AND created_at = ?`,
		formatTime(at), id, formatTime(createdAt))
	return n == 1, err
}

// Purge removes records claimed before a time (idempotency_created).
func (s *Idempotency) Purge(ctx context.Context, before time.Time) (int64, error) {
	return s.DB.updateCount(ctx, "idempotency record", `DELETE FROM idempotency WHERE created_at < ?`, formatTime(before))
}
