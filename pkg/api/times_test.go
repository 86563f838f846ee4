package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestTimesInRange: a time a client gives is in the years 1900 to 9000,
// else a 422 naming it. Each of these was taken before, and then either
// failed (an event late in 9999 ended, two hours later, in a year JSON
// cannot write: a 500) or made a backup that does not restore (a
// follow-up due in the year 1 was stored as due never; an interaction in
// 1850 made its contact known since 1850). The bounds themselves are
// taken, and their backup restores.
func TestTimesInRange(t *testing.T) {
	s := MustServe(t, openSignup)
	for i, tc := range []struct{ path, field, body string }{
		{"/v1/events", "starts_at", `{"title":"x","starts_at":"9999-12-31T23:00:00Z"}`},
		{"/v1/events", "ends_at", `{"title":"x","starts_at":"2026-12-01T18:00:00Z","ends_at":"9001-01-01T00:00:00Z"}`},
		{"/v1/events", "talks[0].starts_at", `{"title":"x","starts_at":"2026-12-01T18:00:00Z","talks":[{"title":"t","starts_at":"1899-12-31T23:59:59Z"}]}`},
		{"/v1/contacts/{c}/interactions", "at", `{"kind":"call","at":"1850-01-01T00:00:00Z"}`},
		{"/v1/events/{ev}/giving", "at", `{"kind":"spoke","at":"0001-01-01T00:00:00Z"}`},
		{"/v1/events/{ev}/encounters", "met_at", `{"contact_id":"{c}","moment":"other","met_at":"0001-01-01T00:00:00Z"}`},
		{"/v1/followups", "due_at", `{"contact_id":"{c}","due_at":"0001-01-01T00:00:00Z"}`},
		{"/v1/opportunities", "next_step_at", `{"title":"x","next_step":"y","next_step_at":"0001-01-01T00:00:00Z"}`},
		{"/v1/followups/stale", "before", `{"before":"1800-01-01T00:00:00Z"}`},
		// The bounds.
		{"/v1/events", "", `{"title":"x","starts_at":"9000-12-31T20:00:00Z","talks":[{"title":"t","starts_at":"1900-01-01T00:00:00Z"}]}`},
		{"/v1/contacts/{c}/interactions", "", `{"kind":"call","at":"1900-01-01T00:00:00Z"}`},
		{"/v1/followups", "", `{"contact_id":"{c}","due_at":"9000-12-31T23:59:59Z"}`},
	} {
		_, tok := s.MustSignup(t, fmt.Sprintf("t%d@example.com", i))
		c := s.MustCreateContact(t, tok, map[string]any{"name": "Jane"})
		ev := s.MustCreateEvent(t, tok, nil)
		fill := strings.NewReplacer("{c}", c, "{ev}", ev)
		r := s.Do(t, "POST", fill.Replace(tc.path), tok, []byte(fill.Replace(tc.body)))
		if tc.field != "" {
			MustProblem(t, r, 422, tc.field)
			continue
		}
		MustStatus(t, r, 201)
		backup := s.Do(t, "GET", "/v1/export", tok, nil)
		MustStatus(t, backup, 200)
		_, other := s.MustSignup(t, fmt.Sprintf("o%d@example.com", i))
		MustStatus(t, s.upload(t, "/v1/import", other, "application/json", backup.Body), 200)
	}
}
