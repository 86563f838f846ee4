package crm

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
)

// duplicatesTimeout bounds one finding of a user's likely duplicates,
// which the requests that share it may each have left.
const duplicatesTimeout = time.Minute

// Duplicates returns the pairs of the user's contacts that may be one
// person (contacts.Service.Duplicates). Finding them reads every contact
// (4.2 s of a core for 233,897), so the requests that ask while the same
// contacts are being read — the same contacts version — share that
// reading: 32 asked at once by one user each read them all, every one
// past its deadline, while other users waited for the cores. A request
// that gives up leaves the reading to the others. Callers must not change
// what they get.
func (s *Service) Duplicates(ctx context.Context, userID string) ([]contacts.DuplicatePair, error) {
	version, err := s.ContactsVersion(ctx, userID)
	if err != nil {
		return nil, err
	}
	found := s.duplicates.DoChan(userID+"|"+version, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), duplicatesTimeout)
		defer cancel()
		return s.Contacts.Duplicates(ctx, userID)
	})
	select {
	case r := <-found:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.([]contacts.DuplicatePair), nil
	case <-ctx.Done():
		return nil, apperr.Wrap(apperr.Unavailable, ctx.Err(), "finding your likely duplicates took too long; try again in a moment")
	}
}
