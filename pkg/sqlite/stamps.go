package sqlite

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Stamps is the record.Stamps of the embedded store.
type Stamps struct{ DB *DB }

var _ record.Stamps = (*Stamps)(nil)

// Touch sets the user's stamp of kind.
func (s *Stamps) Touch(ctx context.Context, kind, userID, nonce string, at time.Time) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO stamps(kind, user_id, nonce, at) VALUES(?, ?, ?, ?)
			ON CONFLICT(kind, user_id) DO UPDATE SET nonce = excluded.nonce, at = excluded.at`, kind, userID, nonce, formatTime(at))
		return translate(err, "stamp")
	})
}

// Stamp returns the user's stamp of kind (the primary key).
func (s *Stamps) Stamp(ctx context.Context, kind, userID string) (string, time.Time, error) {
	var nonce, at string
	err := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT nonce, at FROM stamps WHERE kind = ? AND user_id = ?`, kind, userID).Scan(&nonce, &at)
	if err = translate(err, "stamp"); apperr.Is(err, apperr.NotFound) {
		return "", time.Time{}, nil
	} else if err != nil {
		return "", time.Time{}, err
	}
	t, err := parseTime(at)
	return nonce, t, translate(err, "stamp")
}
