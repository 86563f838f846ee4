package sqlite

import (
	"context"
	"database/sql"
)

// Changes reads the journal of changed cards and tasks that triggers
// write (migration 00011), for CardDAV/CalDAV sync-collection.
type Changes struct{ DB *DB }

// Latest returns the newest change's seq in one of the user's collections
// ("cards" or "tasks"); 0 when there is none.
func (s *Changes) Latest(ctx context.Context, userID, coll string) (int64, error) {
	var seq sql.NullInt64
	err := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT max(seq) FROM dav_changes WHERE user_id = ? AND coll = ?`, userID, coll).Scan(&seq)
	return seq.Int64, translate(err, "change")
}

// Since returns the items of the collection changed after seq, each once,
// in the order of their last change, at most limit (the newest seq among
// them is latest), and whether more are left.
func (s *Changes) Since(ctx context.Context, userID, coll string, seq int64, limit int) (ids []string, latest int64, more bool, err error) {
	rows, err := s.DB.reader(ctx).QueryContext(ctx, `SELECT item_id, max(seq) AS last FROM dav_changes
		WHERE user_id = ? AND coll = ? AND seq > ? GROUP BY item_id ORDER BY last LIMIT ?`, userID, coll, seq, limit+1)
	if err != nil {
		return nil, 0, false, translate(err, "change")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var last int64
		if err := rows.Scan(&id, &last); err != nil {
			return nil, 0, false, translate(err, "change")
		}
		if len(ids) == limit {
			more = true
			break
		}
		ids, latest = append(ids, id), last
	}
	if latest == 0 {
		latest = seq
	}
	return ids, latest, more, translate(rows.Err(), "change")
}
