package dav

import (
	"context"

	"github.com/emersion/go-webdav/carddav"
	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// ListingPatches is how many times the user's kept listing was patched
// since it was read whole (-1: none is kept).
func (s *Server) ListingPatches(userID string) int {
	s.listings.mu.Lock()
	defer s.listings.mu.Unlock()
	if x := s.listings.byUser[userID]; x != nil {
		return x.patches
	}
	return -1
}

// ForgetListings drops every kept listing, as a restart does.
func (s *Server) ForgetListings() {
	s.listings.mu.Lock()
	defer s.listings.mu.Unlock()
	s.listings.byUser = nil
}

// SetMinShare sets the fewest cards a core writes of a listing until the
// test ends.
func SetMinShare(t interface{ Cleanup(func()) }, n int) {
	was := minShare
	minShare = n
	t.Cleanup(func() { minShare = was })
}

// ListCards lists u's address book as a PROPFIND of it does.
func (s *Server) ListCards(ctx context.Context, u *accounts.User) ([]carddav.AddressObject, error) {
	return s.cards.Backend.(*cards).ListAddressObjects(context.WithValue(ctx, userKey{}, u), BookPath, nil)
}

// Turns are the users' turns at listing a whole collection.
func (s *Server) Turns() *ratelimit.Turns { return &s.turns }
