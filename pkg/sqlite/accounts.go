package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
)

// Accounts is the accounts.Store of the embedded store.
type Accounts struct{ DB *DB }

var _ accounts.Store = (*Accounts)(nil)

const userColumns = `id, email, name, timezone, nudge_hour, notify, followup_policy, agenda, created_at, updated_at, card, card_id`

func userArgs(u *accounts.User) []any {
	notify, _ := json.Marshal(struct {
		Email, WebhookURL, WebhookSecret string
	}{u.Notify.Email, u.Notify.WebhookURL, u.Notify.WebhookSecret})
	policy, _ := json.Marshal(u.FollowupPolicy)
	agenda, _ := json.Marshal(u.Agenda)
	card, _ := json.Marshal(storedCard{cardFields(u.Card), u.Card.Key})
	var cardID any
	if u.Card.ID != "" {
		cardID = u.Card.ID
	}
	return []any{u.ID, u.Email, u.Name, u.Timezone, u.NudgeHour, string(notify), string(policy), string(agenda),
		formatTime(u.CreatedAt), formatTime(u.UpdatedAt), string(card), cardID}
}

// storedCard is the card as the users.card column keeps it: the API's
// fields (cardFields has Card's fields and JSON names, but not its
// MarshalJSON) and its key, which the API never writes out.
type storedCard struct {
	cardFields
	Key string `json:"Key"`
}

type cardFields accounts.Card

func scanUser(r scanner) (*accounts.User, error) {
	var u accounts.User
	var notify, policy, agenda, created, updated, card string
	var cardID sql.NullString
	if err := r.Scan(&u.ID, &u.Email, &u.Name, &u.Timezone, &u.NudgeHour, &notify, &policy, &agenda, &created, &updated, &card, &cardID); err != nil {
		return nil, translate(err, "user")
	}
	var n struct{ Email, WebhookURL, WebhookSecret string }
	err := json.Unmarshal([]byte(notify), &n)
	if err == nil {
		err = json.Unmarshal([]byte(policy), &u.FollowupPolicy)
	}
	if err == nil {
		err = json.Unmarshal([]byte(agenda), &u.Agenda)
	}
	var c storedCard
	if err == nil {
		err = json.Unmarshal([]byte(card), &c)
	}
	if err == nil {
		u.CreatedAt, err = parseTime(created)
	}
	if err == nil {
		u.UpdatedAt, err = parseTime(updated)
	}
	if err != nil {
		return nil, translate(err, "user")
	}
	u.Notify = accounts.Notify{Email: n.Email, WebhookURL: n.WebhookURL, WebhookSecret: n.WebhookSecret}
	u.Card = accounts.Card(c.cardFields)
	u.Card.ID, u.Card.Key = cardID.String, c.Key
	return &u, nil
}

// CreateUser stores the user and its first token in one transaction; the
// transaction's write lock makes "only the first user" hold across
// processes.
func (s *Accounts) CreateUser(ctx context.Context, u *accounts.User, first *accounts.Token, onlyFirst bool) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		if onlyFirst {
			var any bool
			if err := tx.tx.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM users)`).Scan(&any); err != nil {
				return translate(err, "user")
			}
			if any {
				return apperr.E(apperr.Forbidden, "sign-up is closed: this server already has its user (set CRM_OPEN_SIGNUP=true to allow more)")
			}
		}
		args := userArgs(u)
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO users(`+userColumns+`) VALUES(`+placeholders(len(args))+`)`, args...); err != nil {
			if err = translate(err, "user"); apperr.Is(err, apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "a user with this email exists")
			}
			return err
		}
		return tx.createToken(ctx, first)
	})
}

// User returns the user with id.
func (s *Accounts) User(ctx context.Context, id string) (*accounts.User, error) {
	return scanUser(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// UpdateUser replaces the stored user.
func (s *Accounts) UpdateUser(ctx context.Context, u *accounts.User) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		args := userArgs(u)
		res, err := tx.tx.ExecContext(ctx, `UPDATE users SET (`+userColumns+`) = (`+placeholders(len(args))+`) WHERE id = ?`, append(args, u.ID)...)
		if err != nil {
			return translate(err, "user")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.E(apperr.NotFound, "user not found")
		}
		return nil
	})
}

// Users calls fn for every user in id order.
func (s *Accounts) Users(ctx context.Context, fn func(*accounts.User) error) error {
	rows, err := s.DB.reader(ctx).QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return translate(err, "user")
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
	}
	return translate(rows.Err(), "user")
}

// CreateToken stores a token.
func (s *Accounts) CreateToken(ctx context.Context, t *accounts.Token) error {
	return s.DB.Update(ctx, func(tx *Tx) error { return tx.createToken(ctx, t) })
}

func (tx *Tx) createToken(ctx context.Context, t *accounts.Token) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO tokens(id, user_id, name, hash, created_at, last_used_at) VALUES(?, ?, ?, ?, ?, ?)`,
		t.ID, t.UserID, t.Name, t.Hash, formatTime(t.CreatedAt), nullTime(t.LastUsedAt))
	return translate(err, "token")
}

const tokenColumns = `id, user_id, name, hash, created_at, last_used_at`

func scanToken(r scanner) (*accounts.Token, error) {
	var t accounts.Token
	var created string
	var last sql.NullString
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &created, &last); err != nil {
		return nil, translate(err, "token")
	}
	var err error
	if t.CreatedAt, err = parseTime(created); err != nil {
		return nil, translate(err, "token")
	}
	if t.LastUsedAt, err = parseNullTime(last); err != nil {
		return nil, translate(err, "token")
	}
	return &t, nil
}

// TokenByHash returns the token with that hash (tokens.hash is unique).
func (s *Accounts) TokenByHash(ctx context.Context, hash string) (*accounts.Token, error) {
	return scanToken(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
}

// Tokens lists the user's tokens, oldest first (tokens_user).
func (s *Accounts) Tokens(ctx context.Context, userID string) ([]accounts.Token, error) {
	return queryAll(ctx, s.DB, "token", scanToken, `SELECT `+tokenColumns+` FROM tokens WHERE user_id = ? ORDER BY created_at, id LIMIT 1000`, userID)
}

// DeleteToken removes one of the user's tokens.
func (s *Accounts) DeleteToken(ctx context.Context, userID, id string) error {
	return s.deleteOwned(ctx, `DELETE FROM tokens WHERE id = ? AND user_id = ?`, "token", id, userID)
}

// TouchToken records when a token was last used.
func (s *Accounts) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ?`, formatTime(at), id)
		return translate(err, "token")
	})
}

const feedSetColumns = `hash, set_id, user_id, name, created_at, last_used_at`

func scanFeedSet(r scanner) (*accounts.FeedSet, error) {
	var f accounts.FeedSet
	var created string
	var last sql.NullString
	if err := r.Scan(&f.Hash, &f.ID, &f.UserID, &f.Name, &created, &last); err != nil {
		return nil, translate(err, "feed set")
	}
	var err error
	if f.CreatedAt, err = parseTime(created); err != nil {
		return nil, translate(err, "feed set")
	}
	if f.LastUsedAt, err = parseNullTime(last); err != nil {
		return nil, translate(err, "feed set")
	}
	return &f, nil
}

// CreateFeedSet stores a set of feed links.
func (s *Accounts) CreateFeedSet(ctx context.Context, f *accounts.FeedSet) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO feed_sets(`+feedSetColumns+`) VALUES(?, ?, ?, ?, ?, ?)`,
			f.Hash, f.ID, f.UserID, f.Name, formatTime(f.CreatedAt), nullTime(f.LastUsedAt))
		return translate(err, "feed set")
	})
}

// FeedSetByHash returns the set whose token has that hash (the primary key).
func (s *Accounts) FeedSetByHash(ctx context.Context, hash string) (*accounts.FeedSet, error) {
	return scanFeedSet(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+feedSetColumns+` FROM feed_sets WHERE hash = ?`, hash))
}

// FeedSets lists the user's sets, oldest first (feed_sets_user).
func (s *Accounts) FeedSets(ctx context.Context, userID string) ([]accounts.FeedSet, error) {
	return queryAll(ctx, s.DB, "feed set", scanFeedSet, `SELECT `+feedSetColumns+` FROM feed_sets WHERE user_id = ? ORDER BY created_at, set_id LIMIT 1000`, userID)
}

// DeleteFeedSet removes one of the user's sets.
func (s *Accounts) DeleteFeedSet(ctx context.Context, userID, id string) error {
	return s.deleteOwned(ctx, `DELETE FROM feed_sets WHERE set_id = ? AND user_id = ?`, "feed set", id, userID)
}

// TouchFeedSet records when a set's links were last used.
func (s *Accounts) TouchFeedSet(ctx context.Context, hash string, at time.Time) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE feed_sets SET last_used_at = ? WHERE hash = ?`, formatTime(at), hash)
		return translate(err, "feed set")
	})
}

// deleteOwned runs a DELETE scoped to a user in its own transaction;
// NotFound if it removed nothing.
func (s *Accounts) deleteOwned(ctx context.Context, query, what string, args ...any) error {
	return s.DB.Update(ctx, func(tx *Tx) error { return tx.writeOwned(ctx, query, what, args...) })
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

func parseNullTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// CreateSession stores a phone-page session.
func (s *Accounts) CreateSession(ctx context.Context, sess *accounts.Session) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO sessions(hash, user_id, csrf, expires_at) VALUES(?, ?, ?, ?)`,
			sess.Hash, sess.UserID, sess.CSRF, formatTime(sess.ExpiresAt))
		return translate(err, "session")
	})
}

// Session returns the session with that hash (the primary key).
func (s *Accounts) Session(ctx context.Context, hash string) (*accounts.Session, error) {
	var sess accounts.Session
	var expires string
	if err := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT hash, user_id, csrf, expires_at FROM sessions WHERE hash = ?`, hash).
		Scan(&sess.Hash, &sess.UserID, &sess.CSRF, &expires); err != nil {
		return nil, translate(err, "session")
	}
	var err error
	sess.ExpiresAt, err = parseTime(expires)
	return &sess, translate(err, "session")
}

// DeleteSession removes a session.
func (s *Accounts) DeleteSession(ctx context.Context, hash string) error {
	return s.deleteOwned(ctx, `DELETE FROM sessions WHERE hash = ?`, "session", hash)
}

// SetInbound stores the hash of the user's inbound address (one per user).
func (s *Accounts) SetInbound(ctx context.Context, userID, hash string, at time.Time, replace bool) (bool, error) {
	q := `INSERT INTO inbound(user_id, hash, created_at) VALUES(?, ?, ?) ON CONFLICT(user_id) DO NOTHING`
	if replace {
		q = `INSERT INTO inbound(user_id, hash, created_at) VALUES(?, ?, ?)
			ON CONFLICT(user_id) DO UPDATE SET hash = excluded.hash, created_at = excluded.created_at`
	}
	var stored bool
	err := s.DB.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, q, userID, hash, formatTime(at))
		if err != nil {
			return translate(err, "inbound address")
		}
		n, _ := res.RowsAffected()
		stored = n > 0
		return nil
	})
	return stored, err
}

// InboundUser returns the user of an inbound address's hash.
func (s *Accounts) InboundUser(ctx context.Context, hash string) (string, error) {
	var id string
	err := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT user_id FROM inbound WHERE hash = ?`, hash).Scan(&id)
	return id, translate(err, "inbound address")
}

// UserByEmail returns the user with that email (users_email).
func (s *Accounts) UserByEmail(ctx context.Context, email string) (*accounts.User, error) {
	return scanUser(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
}

// UserByCard returns the user whose card has that id (users_card).
func (s *Accounts) UserByCard(ctx context.Context, cardID string) (*accounts.User, error) {
	return scanUser(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE card_id = ?`, cardID))
}

// SetPassword stores the hash of the user's password.
func (s *Accounts) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO passwords(user_id, hash, updated_at) VALUES(?, ?, ?)
			ON CONFLICT(user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`, userID, hash, formatTime(at))
		return translate(err, "password")
	})
}

// PasswordHash returns the hash of the user's password.
func (s *Accounts) PasswordHash(ctx context.Context, userID string) (string, error) {
	var hash string
	err := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT hash FROM passwords WHERE user_id = ?`, userID).Scan(&hash)
	return hash, translate(err, "password")
}
