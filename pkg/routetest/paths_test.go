package routetest

import (
	"slices"
	"strings"
	"testing"
)

// TestPaths: routes under the prefix that keep takes, filled from ids (an
// :id by the path before it, another parameter by its name), in order;
// those it cannot fill apart.
func TestPaths(t *testing.T) {
	routes := map[string]bool{
		"GET /v1/events/:id": true, "DELETE /v1/events/:id/attendees/:aid": true, "GET /v1/contacts/:id": true,
		"GET /v1/things/:id": true, "GET /v1/contacts": true, "GET /ical/:token/:file": true, "POST /v1/events": true,
	}
	ids := map[string]string{"/v1/events/": "ev1", "/v1/contacts/": "ct1", ":aid": "at1"}
	paths, unfilled := split(routes, "/v1/", func(r string) bool { return !strings.HasPrefix(r, "POST") }, ids)
	want := []Path{
		{"DELETE /v1/events/:id/attendees/:aid", "DELETE", "/v1/events/ev1/attendees/at1"},
		{"GET /v1/contacts", "GET", "/v1/contacts"},
		{"GET /v1/contacts/:id", "GET", "/v1/contacts/ct1"},
		{"GET /v1/events/:id", "GET", "/v1/events/ev1"},
	}
	if !slices.Equal(paths, want) || !slices.Equal(unfilled, []string{"GET /v1/things/:id"}) {
		t.Errorf("paths %v, unfilled %v", paths, unfilled)
	}
}
