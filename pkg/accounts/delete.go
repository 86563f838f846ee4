package accounts

import (
	"context"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// DeleteInput is the body of DELETE /v1/me: the account's email typed
// again, and its password once one is set.
type DeleteInput struct {
	Confirm  string `json:"confirm"`
	Password string `json:"password"`
}

// Delete deletes u's account. Confirm must be u's email (any case), and
// Password theirs once one is set: a wrong one is Unauthorized (it counts
// as a failed sign-in). From then on nothing signs in as them — no token,
// session, sign-in link, feed link, card or inbound address — and the
// email is free; what else is stored under their id goes with Purge.
func (s *Service) Delete(ctx context.Context, u *User, in DeleteInput) error {
	var c input.Checker
	if !strings.EqualFold(strings.TrimSpace(in.Confirm), u.Email) {
		c.Add("confirm", "must be this account's email, typed again")
	}
	hash, err := s.passwordAsked(ctx, u.ID, &c, "password", in.Password, "is required to delete an account that has one")
	if err != nil {
		return err
	}
	if err := c.Err(); err != nil {
		return err
	}
	if hash != "" {
		release, err := hashTurn(ctx)
		if err != nil {
			return err
		}
		wrong := len(in.Password) > maxPassword || bcrypt.CompareHashAndPassword([]byte(hash), []byte(in.Password)) != nil
		release()
		if wrong {
			return apperr.E(apperr.Unauthorized, "password is wrong")
		}
	}
	return s.Remove(ctx, u.ID)
}

// Remove deletes the account id without asking (the operator's command:
// Delete asks its owner); what is stored under it goes with Purge.
func (s *Service) Remove(ctx context.Context, id string) error {
	return s.Store.DeleteUser(ctx, id, record.Time(s.Now()))
}

// PurgeTimeout bounds purging a deleted account's records; what is left
// then goes with the next PurgeDeleted.
const PurgeTimeout = 5 * time.Minute

// Purge removes everything stored under a deleted user's id, within
// PurgeTimeout; run again after an error, it goes on where it stopped.
func (s *Service) Purge(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, PurgeTimeout)
	defer cancel()
	return s.Store.PurgeUser(ctx, id)
}

// DeletedUser is the note that a user is deleted, kept until what was
// stored under their id is surely gone.
type DeletedUser struct {
	ID string
	At time.Time
}

// StillWriting is how long after a deletion work in flight then (a
// calendar's sync, a dispatch, a phone's request) may still write under
// the id: the deleted user's note is kept that long, and each purge in
// that time takes what it wrote.
const StillWriting = time.Hour

// PurgeDeleted purges every deleted user noted — one whose purge did not
// finish (the process ended, the store was away), or deleted within
// StillWriting — and forgets those deleted longer ago than that; it
// returns how many it purged.
func (s *Service) PurgeDeleted(ctx context.Context) (int, error) {
	notes, err := s.Store.DeletedUsers(ctx)
	if err != nil {
		return 0, err
	}
	for i, d := range notes {
		if err := s.Store.PurgeUser(ctx, d.ID); err != nil {
			return i, err
		}
		if s.Now().Sub(d.At) > StillWriting {
			if err := s.Store.ForgetDeleted(ctx, d.ID); err != nil {
				return i, err
			}
		}
	}
	return len(notes), nil
}
