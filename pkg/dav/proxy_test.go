package dav_test

import (
	"net/netip"
	"testing"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// TestAuthFailuresPerClientBehindProxy: the DAV tree, reached through the
// API's app and Fiber's adaptor, counts failed sign-ins against the client
// a trusted proxy names, as the API does: one client's bad passwords leave
// another's address book open.
func TestAuthFailuresPerClientBehindProxy(t *testing.T) {
	s := serve(t, func(d *api.Deps) { d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	ada := s.signup(t, "ada@example.com")
	wrong := &user{User: ada.User, token: "rpt_wrong"}
	propfind := func(u *user, client string) int {
		t.Helper()
		resp := s.do(t, u, "PROPFIND", "/dav/card/me/", "", "Depth", "0", "X-Forwarded-For", client)
		resp.Body.Close()
		return resp.StatusCode
	}
	for range ratelimit.AuthFailLimit {
		if got := propfind(wrong, "198.51.100.7"); got != 401 {
			t.Fatalf("a wrong password: %d, want 401", got)
		}
	}
	if got := propfind(ada, "198.51.100.7"); got != 429 {
		t.Fatalf("the failing client: %d, want 429", got)
	}
	if got := propfind(ada, "198.51.100.8"); got != 207 {
		t.Fatalf("another client through the proxy: %d, want 207", got)
	}
}
