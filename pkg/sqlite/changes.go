package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/pkg/record"
)

// Changes reads the journal of changed cards and tasks that triggers
// write (migration 00011), for CardDAV/CalDAV sync-collection. A token is
// the seq of the newest change it has seen: the triggers write in the
// transaction of the change, so a seq is visible only with everything
// before it.
type Changes struct{ DB *DB }

// Token is the newest change's seq in one of the user's collections.
func (s *Changes) Token(ctx context.Context, userID, coll string) (string, error) {
	var seq sql.NullInt64
	err := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT max(seq) FROM dav_changes WHERE user_id = ? AND coll = ?`, userID, coll).Scan(&seq)
	return strconv.FormatInt(seq.Int64, 10), translate(err, "change")
}

// Since returns the items of the collection changed after token, each
// once, in the order of their last change, at most limit.
func (s *Changes) Since(ctx context.Context, userID, coll, token string, limit int) (ids []string, next string, more bool, err error) {
	seq, err := strconv.ParseInt(token, 10, 64)
	if err != nil || seq < 0 {
		return nil, "", false, record.ErrBadSyncToken
	}
	var oldest, newest sql.NullInt64
	if err := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT min(seq), max(seq) FROM dav_changes WHERE user_id = ? AND coll = ?`,
		userID, coll).Scan(&oldest, &newest); err != nil {
		return nil, "", false, translate(err, "change")
	}
	if seq > newest.Int64 {
		return nil, "", false, record.ErrBadSyncToken // from another store, or the future
	}
	if oldest.Valid && seq < oldest.Int64-1 {
		return nil, "", false, record.ErrBadSyncToken // older than what Prune kept
	}
	latest := strconv.FormatInt(newest.Int64, 10)
	rows, err := s.DB.reader(ctx).QueryContext(ctx, `SELECT item_id, max(seq) AS last FROM dav_changes
		WHERE user_id = ? AND coll = ? AND seq > ? GROUP BY item_id ORDER BY last LIMIT ?`, userID, coll, seq, limit+1)
	if err != nil {
		return nil, "", false, translate(err, "change")
	}
	defer rows.Close()
	last := seq
	for rows.Next() {
		var id string
		var at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, "", false, translate(err, "change")
		}
		if len(ids) == limit {
			more = true
			break
		}
		ids, last = append(ids, id), at
	}
	if !more {
		return ids, latest, false, translate(rows.Err(), "change")
	}
	return ids, strconv.FormatInt(last, 10), true, translate(rows.Err(), "change")
}

// Prune keeps the newest keep changes of each user's collection and
// deletes the rest; a token older than what is kept then asks the client
// to sync from scratch (Since answers ErrBadSyncToken).
func (s *Changes) Prune(ctx context.Context, keep int) (int64, error) {
	return s.DB.updateCount(ctx, "change", `DELETE FROM dav_changes WHERE (user_id, coll, seq) IN (
		SELECT d.user_id, d.coll, d.seq FROM dav_changes d
		JOIN (SELECT user_id, coll, max(seq) AS top FROM dav_changes GROUP BY user_id, coll HAVING count(*) > ?) g
			ON d.user_id = g.user_id AND d.coll = g.coll AND d.seq <= g.top - ?)`, keep, keep)
}

// AgeOut journals the follow-ups done in [from, to) in their users' task
// lists (followups_done_ended), one seq each after the user's newest.
func (s *Changes) AgeOut(ctx context.Context, from, to time.Time) (int64, error) {
	return s.DB.updateCount(ctx, "change", `INSERT INTO dav_changes(user_id, coll, seq, item_id)
		SELECT f.user_id, 'tasks',
			(SELECT coalesce(max(d.seq), 0) FROM dav_changes d WHERE d.user_id = f.user_id AND d.coll = 'tasks')
				+ row_number() OVER (PARTITION BY f.user_id ORDER BY f.id),
			f.id
		FROM followups f WHERE f.status = 'done' AND f.ended_at >= ? AND f.ended_at < ?`, formatTime(from), formatTime(to))
}
