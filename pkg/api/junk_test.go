package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/routetest"
)

// TestNoRouteFailsOnWhatIsSent: every route of the API, sent a body whose
// every field is of the wrong type, empty, null, 3,000 characters long (the
// body stays under its cap, so each field is read), a NUL, a query
// operator or an impossible date — or no JSON at all, nested 5,000 deep,
// or invalid UTF-8 — and every list read with a negative, huge or foreign
// limit, cursor, date or filter, answers with a problem
// (application/problem+json), never a server failure. The routes are read
// from the app; the account's own (/v1/me) and the deletes are left out.
func TestNoRouteFailsOnWhatIsSent(t *testing.T) {
	s := MustServe(t, openSignup)
	_, a := s.MustSignup(t, "alice@example.com")
	mine := alicesRecords(t, s, a)
	fields := strings.Fields("name title kind moment note notes due_at days until stage status outcome contact_id contact_ids event_id " +
		"company_id other_id context starts_at ends_at location tags topics emails phones company linkedin_url website url attendees " +
		"contacts intentions targets series at met_at source_event_id source_contact_id recruiter_ids next_step next_step_at ids add " +
		"remove tag double_opt_in contact event opportunity_id before")
	// Each kind's own fields too (pkg/kinds), read from its example.
	for _, k := range s.CRM.Kinds {
		var example map[string]any
		if err := json.Unmarshal([]byte(k.Example()), &example); err != nil {
			t.Fatalf("%s's example: %v", k.Name(), err)
		}
		for f := range example {
			fields = append(fields, f)
		}
	}
	values := []any{nil, 123, -1, 1e300, true, []any{}, map[string]any{}, "", strings.Repeat("x", 3000), "\x00", []any{nil, 1, "x"},
		map[string]any{"$gt": ""}, "2026-02-30T25:61:00Z"}
	raw := []string{"", "{", "[]", "null", `"x"`, strings.Repeat("[", 5000), "{\"name\":\"\xff\xfe\"}", `{"name":"a","name":"b"}`}
	queries := []string{"?limit=-1", "?limit=99999999999999999999", "?cursor=%25%25", "?cursor=eyJ0IjoiMjAyNiJ9", "?due_before=x",
		"?q=" + strings.Repeat("a", 3000), "?status=x&contact_id=nope&event_id=nope", "?from=x&to=y", "?sort=-x"}
	check := func(route string, r *Response) {
		t.Helper()
		if r.Status >= 500 || r.Status >= 400 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %s %.300s", route, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
	}
	for _, rt := range routetest.Paths(t, s.Routes, "/v1/", func(route string) bool {
		return !strings.Contains(route, "/v1/me") && !strings.HasPrefix(route, "DELETE")
	}, mine) {
		route, method, path := rt.Route, rt.Method, rt.Path
		if method == "GET" {
			for _, q := range queries {
				check(route+q, s.Do(t, method, path+q, a, nil))
			}
			continue
		}
		for _, v := range values {
			body := map[string]any{}
			for _, f := range fields {
				body[f] = v
			}
			check(route, s.Do(t, method, path, a, body))
		}
		for _, r := range raw {
			check(route, s.Do(t, method, path, a, []byte(r)))
		}
	}
}
