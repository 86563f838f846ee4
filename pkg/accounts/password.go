package accounts

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Password limits: bcrypt reads at most 72 bytes.
const (
	MinPassword = 10
	maxPassword = 72
)

// PasswordInput is the body of PUT /v1/me/password.
type PasswordInput struct {
	Password        string `json:"password"`
	CurrentPassword string `json:"current_password"`
}

// SetPassword sets the password the user signs in to the phone pages with
// (bcrypt). Once one is set, changing it needs the current one: a wrong
// one is Unauthorized (it counts as a failed sign-in).
func (s *Service) SetPassword(ctx context.Context, userID string, in PasswordInput) error {
	var c input.Checker
	n := utf8.RuneCountInString(in.Password)
	switch {
	case n < MinPassword:
		c.Add("password", "must be at least 10 characters")
	case len(in.Password) > maxPassword:
		c.Add("password", "must be at most 72 bytes")
	case strings.ContainsRune(in.Password, 0):
		c.Add("password", "must not contain NUL")
	}
	old, err := s.passwordAsked(ctx, userID, &c, "current_password", in.CurrentPassword, "is required to change the password")
	if err != nil {
		return err
	}
	if err := c.Err(); err != nil {
		return err
	}
	release, err := hashTurn(ctx)
	if err != nil {
		return err
	}
	defer release()
	if old != "" && bcrypt.CompareHashAndPassword([]byte(old), []byte(in.CurrentPassword)) != nil {
		return apperr.E(apperr.Unauthorized, "current_password is wrong")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), bcrypt.DefaultCost)
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "hash the password")
	}
	release()
	return s.Store.SetPassword(ctx, userID, string(hash), record.Time(s.Now()))
}

// passwordAsked returns the hash of the user's password ("" if they have
// none) and, when they have one and given is empty, adds field's problem
// to c (why: "is required to …").
func (s *Service) passwordAsked(ctx context.Context, userID string, c *input.Checker, field, given, why string) (string, error) {
	hash, err := s.Store.PasswordHash(ctx, userID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return "", nil
	case err != nil:
		return "", err
	case given == "":
		c.Add(field, "%s", why)
	}
	return hash, nil
}

// hashing holds a turn for each bcrypt computation running: at most half
// the cores' worth (at least one). A sign-in takes some 60 ms of a core,
// and each address has twenty failures a minute, so a crowd of addresses
// could otherwise keep every core hashing and leave none for anyone
// else's requests; they now wait their turn instead.
var hashing = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))

// hashWait is how long a sign-in waits for its turn before it is
// Unavailable (503, try again).
const hashWait = 3 * time.Second

// hashTurn waits for a turn to hash (at most hashWait, or until ctx ends)
// and returns its release, which may be called more than once.
func hashTurn(ctx context.Context) (release func(), err error) {
	ctx, cancel := context.WithTimeout(ctx, hashWait)
	defer cancel()
	select {
	case hashing <- struct{}{}:
	case <-ctx.Done():
		return nil, apperr.E(apperr.Unavailable, "too many sign-ins at once; try again in a few seconds")
	}
	var once sync.Once
	return func() { once.Do(func() { <-hashing }) }, nil
}

// CheckPassword returns the user with that email if password is theirs;
// Unauthorized otherwise, the same whether the email, the password or
// both are wrong (and in about the same time: an unknown email is
// compared against a dummy hash).
func (s *Service) CheckPassword(ctx context.Context, email, password string) (*User, error) {
	unauthorized := apperr.E(apperr.Unauthorized, "this email and password do not match")
	u, err := s.Store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	hash := dummyHash
	if u != nil {
		h, err := s.Store.PasswordHash(ctx, u.ID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		if h != "" {
			hash = []byte(h)
		}
	}
	// bcrypt reads only the first 72 bytes: a longer password (none can be
	// set) must not sign in as its first 72 bytes. Compared all the same,
	// so that the answer takes as long.
	release, err := hashTurn(ctx)
	if err != nil {
		return nil, err
	}
	match := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	release()
	if !match || len(password) > maxPassword || u == nil || string(hash) == string(dummyHash) {
		return nil, unauthorized
	}
	return u, nil
}

// dummyHash is compared against when there is no user or no password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such user, no such password"), bcrypt.DefaultCost)
