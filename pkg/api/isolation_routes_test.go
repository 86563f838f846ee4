package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/routetest"
)

// TestIsolationOnEveryRoute: every route of the API that names a record
// in its path answers another user's record with 404, whatever the body,
// and changes nothing of it. The routes are read from the app, not listed
// here (TestIsolation lists the ids in bodies and queries): a route added
// with an id of a kind this test has no record of fails it until it is
// given one.
func TestIsolationOnEveryRoute(t *testing.T) {
	s := MustServe(t, openSignup)
	_, a := s.MustSignup(t, "alice@example.com")
	_, b := s.MustSignup(t, "bob@example.com")
	mine := alicesRecords(t, s, a)
	bobs := s.MustCreateContact(t, b, map[string]any{"name": "Bob's friend"})

	// A body each route takes: a refusal must come from whose record it
	// is, not from what was sent (a body is checked before the record).
	bodies := map[string]any{
		"PATCH /v1/companies/:id":              map[string]any{"name": "Mine now"},
		"PATCH /v1/contacts/:id":               map[string]any{"name": "Mine now"},
		"PATCH /v1/events/:id":                 map[string]any{"title": "Mine now"},
		"PATCH /v1/followups/:id":              map[string]any{"note": "Mine now"},
		"PATCH /v1/intros/:id":                 map[string]any{"status": "declined"},
		"PATCH /v1/opportunities/:id":          map[string]any{"stage": "applied"},
		"POST /v1/contacts/:id/interactions":   map[string]any{"kind": "call"},
		"POST /v1/contacts/:id/merge":          map[string]any{"other_id": bobs},
		"POST /v1/events/:id/encounters":       map[string]any{"contact_id": bobs, "moment": "other"},
		"POST /v1/events/:id/giving":           map[string]any{"kind": "volunteered"},
		"POST /v1/followups/:id/snooze":        map[string]any{"days": 7},
		"POST /v1/events/:id/attendees/import": "name,email\nZed,zed@example.com\n",
	}
	for _, k := range s.CRM.Kinds {
		bodies["PATCH /v1/"+k.Name()+"/:id"] = []byte(k.Example())
	}
	for _, rt := range routetest.Paths(t, s.Routes, "/v1/", func(route string) bool { return strings.Contains(route, ":") }, mine) {
		route, method, path := rt.Route, rt.Method, rt.Path
		var r *Response
		if csv, ok := bodies[route].(string); ok {
			r = s.Do(t, method, path, b, csv, "Content-Type", "text/csv")
		} else {
			r = s.Do(t, method, path, b, bodies[route])
		}
		if r.Status == 422 {
			t.Errorf("%s: refused Bob's body, give the test one it takes: %s", route, r.Body)
			continue
		}
		if r.Status != 404 {
			t.Errorf("Bob's %s %s with Alice's record: %d %s, want 404", method, path, r.Status, r.Body)
		}
	}
	mine.untouched(t, s, a)
}

// alices are Alice's records, one of each kind the API's paths name, keyed
// by the path before the id (or the parameter's name).
type alices map[string]string

// alicesRecords makes one record of each kind for the user of a (a
// followed calendar's feed served for the test).
func alicesRecords(t *testing.T, s *TestServer, a string) alices {
	t.Helper()
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/calendar")
		fmt.Fprint(w, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T180000Z\r\nSUMMARY:Go #1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	}))
	t.Cleanup(feed.Close)
	ev := s.MustCreateEvent(t, a, nil)
	enc := s.MustCreate(t, a, "/v1/events/"+ev+"/encounters", map[string]any{"contact": map[string]any{"name": "Jane", "company": "Acme"}, "moment": "other"})
	jane := enc["contact"].(map[string]any)["id"].(string)
	kim := s.MustCreateContact(t, a, map[string]any{"name": "Kim"})
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/attendees/import", a, "name,email\nZed,zed@example.com\n", "Content-Type", "text/csv"), 200)
	att := items(t, s.Do(t, "GET", "/v1/events/"+ev+"/attendees", a, nil))
	co := items(t, s.Do(t, "GET", "/v1/companies", a, nil))
	imp := s.Do(t, "POST", "/v1/contacts/import", a, "name,email\nImported,imported@example.com\n", "Content-Type", "text/csv").JSON(t)
	if len(att) != 1 || len(co) != 1 || imp["import_id"] == nil {
		t.Fatalf("Alice's records: %d attendees, %d companies, import %v", len(att), len(co), imp)
	}
	id := func(m map[string]any) string { return m["id"].(string) }
	mine := alices{
		"/v1/events/":        ev,
		"/v1/contacts/":      jane,
		"/v1/encounters/":    enc["encounter"].(map[string]any)["id"].(string),
		":aid":               att[0]["id"].(string),
		"/v1/companies/":     co[0]["id"].(string),
		"/v1/followups/":     id(s.MustCreate(t, a, "/v1/followups", map[string]any{"contact_id": jane, "due_at": "2026-12-01T09:00:00Z"})),
		"/v1/intros/":        id(s.MustCreate(t, a, "/v1/intros", map[string]any{"contact_ids": []string{jane, kim}})),
		"/v1/opportunities/": id(s.MustCreate(t, a, "/v1/opportunities", map[string]any{"title": "CTO", "kind": "job"})),
		"/v1/interactions/":  id(s.MustCreate(t, a, "/v1/contacts/"+jane+"/interactions", map[string]any{"kind": "call"})),
		"/v1/calendars/":     id(s.MustCreate(t, a, "/v1/calendars", map[string]any{"url": feed.URL + "/go.ics"})),
		"/v1/imports/":       imp["import_id"].(string),
		"/v1/tokens/":        id(s.MustCreate(t, a, "/v1/tokens", map[string]any{"name": "Phone"})),
		"/v1/feeds/":         id(s.MustCreate(t, a, "/v1/feeds", map[string]any{"name": "Laptop"})),
	}
	// One record of each kind (pkg/kinds), made from its example.
	for _, k := range s.CRM.Kinds {
		mine["/v1/"+k.Name()+"/"] = id(s.MustCreate(t, a, "/v1/"+k.Name(), k.Example()))
	}
	return mine
}

// untouched checks that Alice's records are all there, as they were.
func (mine alices) untouched(t *testing.T, s *TestServer, a string) {
	t.Helper()
	for path, want := range map[string][2]string{
		"/v1/contacts/" + mine["/v1/contacts/"]:           {"name", "Jane"},
		"/v1/events/" + mine["/v1/events/"]:               {"title", ""},
		"/v1/intros/" + mine["/v1/intros/"]:               {"status", "made"},
		"/v1/opportunities/" + mine["/v1/opportunities/"]: {"stage", "lead"},
		"/v1/companies/" + mine["/v1/companies/"]:         {"name", "Acme"},
		"/v1/calendars/" + mine["/v1/calendars/"]:         {"url", "/go.ics"},
		"/v1/followups/" + mine["/v1/followups/"]:         {"status", "pending"},
	} {
		r := s.Do(t, "GET", path, a, nil)
		MustStatus(t, r, 200)
		if v, _ := r.JSON(t)[want[0]].(string); !strings.HasSuffix(v, want[1]) || v == "Mine now" {
			t.Errorf("%s: %s is %q, want %q", path, want[0], v, want[1])
		}
	}
	for path, want := range map[string]string{
		"/v1/contacts/" + mine["/v1/contacts/"] + "/interactions": mine["/v1/interactions/"],
		"/v1/events/" + mine["/v1/events/"] + "/encounters":       mine["/v1/encounters/"],
		"/v1/events/" + mine["/v1/events/"] + "/attendees":        mine[":aid"],
		"/v1/tokens":  mine["/v1/tokens/"],
		"/v1/imports": mine["/v1/imports/"],
	} {
		if got := fmt.Sprint(items(t, s.Do(t, "GET", path, a, nil))); !strings.Contains(got, want) || strings.Contains(got, "undone_at:20") {
			t.Errorf("%s lost or changed Alice's %s: %s", path, want, got)
		}
	}
	for _, k := range s.CRM.Kinds {
		r := s.Do(t, "GET", "/v1/"+k.Name()+"/"+mine["/v1/"+k.Name()+"/"], a, nil)
		MustStatus(t, r, 200)
		if got := r.JSON(t); got["created_at"] != got["updated_at"] {
			t.Errorf("Bob changed Alice's %s: %s", k.Name(), r.Body)
		}
	}
	if got := string(s.Do(t, "GET", "/v1/feeds", a, nil).Body); !strings.Contains(got, mine["/v1/feeds/"]) {
		t.Errorf("Bob revoked Alice's calendar links: %s", got)
	}
}
