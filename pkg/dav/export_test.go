package dav

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
