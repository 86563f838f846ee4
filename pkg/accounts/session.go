package accounts

import (
	"context"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Session is a signed-in browser of the phone pages: the cookie's secret is
// stored only as its hash, with the session's CSRF token.
type Session struct {
	Hash      string
	UserID    string
	CSRF      string
	ExpiresAt time.Time
}

// sessionPrefix marks session secrets.
const sessionPrefix = "rws_"

// StartSession starts a session of ttl for the user and returns it with the
// cookie's secret (shown this once).
func (s *Service) StartSession(ctx context.Context, userID string, ttl time.Duration) (*Session, string, error) {
	secret, hash := NewSecret(sessionPrefix)
	csrf, _ := NewSecret("")
	sess := &Session{Hash: hash, UserID: userID, CSRF: csrf, ExpiresAt: record.Time(s.Now().Add(ttl))}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return nil, "", err
	}
	return sess, secret, nil
}

// Session returns the live session a cookie's secret names and its user;
// NotFound for an unknown, ended or expired one, and for anything that is
// not a session's secret (a sign-in link is used once, through
// UseLoginLink, and becomes a session of its own).
func (s *Service) Session(ctx context.Context, secret string) (*Session, *User, error) {
	notFound := apperr.E(apperr.NotFound, "no such session")
	// Only a session's own secret: sign-in links share the table, and the
	// cookie "link:"+secret would hash to a link's row.
	if !strings.HasPrefix(secret, sessionPrefix) {
		return nil, nil, notFound
	}
	sess, err := s.Store.Session(ctx, HashSecret(secret))
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, nil, notFound
		}
		return nil, nil, err
	}
	// A row without a CSRF token is a sign-in link, never a session.
	if sess.CSRF == "" || !s.Now().Before(sess.ExpiresAt) {
		return nil, nil, notFound
	}
	u, err := s.User(ctx, sess.UserID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil, notFound
	}
	return sess, u, err
}

// EndSession ends a session (sign-out); ending one that is gone is fine.
func (s *Service) EndSession(ctx context.Context, hash string) error {
	if err := s.Store.DeleteSession(ctx, hash); err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return nil
}

// linkPrefix starts one-time sign-in link secrets.
const linkPrefix = "rln_"

// linkHash is how a sign-in link is stored: hashed apart from session
// cookies, so a link can never be used as a session cookie.
func linkHash(secret string) string { return HashSecret("link:" + secret) }

// StartLoginLink makes a one-time sign-in link secret for the user, valid
// for ttl; it is stored only as a hash.
func (s *Service) StartLoginLink(ctx context.Context, userID string, ttl time.Duration) (string, error) {
	secret, _ := NewSecret(linkPrefix)
	link := &Session{Hash: linkHash(secret), UserID: userID, ExpiresAt: record.Time(s.Now().Add(ttl))}
	if err := s.Store.CreateSession(ctx, link); err != nil {
		return "", err
	}
	return secret, nil
}

// UseLoginLink consumes a sign-in link: the first use returns its user;
// an unknown, expired or used link is Unauthorized.
func (s *Service) UseLoginLink(ctx context.Context, secret string) (*User, error) {
	bad := apperr.E(apperr.Unauthorized, "this sign-in link is unknown, expired or used")
	if !strings.HasPrefix(secret, linkPrefix) {
		return nil, bad
	}
	hash := linkHash(secret)
	link, err := s.Store.Session(ctx, hash)
	if apperr.Is(err, apperr.NotFound) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	// Deleting is the claim: of two uses at once, one deletes it.
	if err := s.Store.DeleteSession(ctx, hash); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, bad
		}
		return nil, err
	}
	if !s.Now().Before(link.ExpiresAt) {
		return nil, bad
	}
	return s.Store.User(ctx, link.UserID)
}

// UserByEmail returns the user with that email; NotFound if none.
func (s *Service) UserByEmail(ctx context.Context, email string) (*User, error) {
	return s.Store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
}
