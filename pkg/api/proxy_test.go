package api_test

import (
	"net/netip"
	"testing"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
	"github.com/rapport-crm/rapport/pkg/web"
)

// TestClientBehindTrustedProxy: behind a trusted proxy (here the test's own
// loopback address), failed sign-ins count against the client that
// X-Forwarded-For names, not the proxy: one client locked out leaves every
// other user signing in through the same proxy. What a client writes into
// the header itself is to the left of what the proxy appended, and is not
// believed; without a trusted proxy the header means nothing.
func TestClientBehindTrustedProxy(t *testing.T) {
	trustLoopback := func(d *api.Deps, _ *web.Deps) {
		d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
	s := MustServe(t, trustLoopback)
	_, tok := s.MustSignup(t, "ada@example.com")
	xff := func(v string) []string { return []string{"X-Forwarded-For", v} }
	for range ratelimit.AuthFailLimit {
		MustProblem(t, s.Do(t, "GET", "/v1/me", "rpt_wrong", nil, xff("198.51.100.7")...), 401)
	}
	MustProblem(t, s.Do(t, "GET", "/v1/me", tok, nil, xff("198.51.100.7")...), 429)
	// Another client through the same proxy, a chain of trusted proxies,
	// and the proxy's own requests are not blocked.
	MustStatus(t, s.Do(t, "GET", "/v1/me", tok, nil, xff("198.51.100.8")...), 200)
	MustStatus(t, s.Do(t, "GET", "/v1/me", tok, nil, xff("198.51.100.8, 127.0.0.9")...), 200)
	MustStatus(t, s.Do(t, "GET", "/v1/me", tok, nil), 200)
	// The blocked client cannot name itself another client: the address
	// the proxy appended is the one believed.
	MustProblem(t, s.Do(t, "GET", "/v1/me", tok, nil, xff("203.0.113.9, 198.51.100.7")...), 429)
	MustProblem(t, s.Do(t, "GET", "/v1/me", tok, nil, xff("[2001:db8::1]:443, 198.51.100.7:51000")...), 429)

	plain := MustServe(t)
	_, tok = plain.MustSignup(t, "bo@example.com")
	for range ratelimit.AuthFailLimit {
		MustProblem(t, plain.Do(t, "GET", "/v1/me", "rpt_wrong", nil, xff("198.51.100.7")...), 401)
	}
	MustProblem(t, plain.Do(t, "GET", "/v1/me", tok, nil, xff("198.51.100.8")...), 429)
}
